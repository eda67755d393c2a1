from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from .training_enrollment import TrainingEnrollment as BaseEnrollment

SIGNATURE_FIELDS = ("signed_by", "signature", "signed_on", "signed_ip")


class TrainingEnrollment(models.Model):
    """The guardian's signature of the enrolment in the portal (SPEC §2: "guardian
    confirmation, signature recorded with time"): name, drawn signature, date and time,
    network address; the signed contract attached as a PDF. Only the paying guardian,
    only under review, and through ``action_guardian_confirm``."""

    _inherit = "training.enrollment"  # pylint: disable=consider-merging-classes-inherited
    # the signature is written by ``_portal_sign`` only, like the workflow's fields
    _protected_fields = BaseEnrollment._protected_fields + SIGNATURE_FIELDS

    signed_by = fields.Char(string="Signed by", copy=False, tracking=True)
    signature = fields.Image(max_width=1024, max_height=1024, copy=False, attachment=True)
    signed_on = fields.Datetime(string="Signed on", copy=False, tracking=True)
    signed_ip = fields.Char(string="Signed from", copy=False, tracking=True)
    paper_contract_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="training_enrollment_paper_contract_rel",
        string="Signed paper contract",
        copy=False,
        help="At the desk, instead of the portal signature: the contract signed on paper, "
        "scanned or photographed.",
    )

    def _portal_can_sign(self, partner):
        """Whether ``partner`` may sign ``self`` now: its paying guardian, under review."""
        self.ensure_one()
        return self.state == "review" and self.guardian_id == partner and not self.signed_on

    def _portal_sign(self, name, signature, ip_address):
        """Record the current user's signature and confirm the enrolment. Raises, changing
        nothing, for anybody but the paying guardian or outside "under review"."""
        self.ensure_one()
        partner = self.env.user.partner_id
        enrollment = self.sudo()
        if enrollment.guardian_id != partner:
            raise AccessError(self.env._("Only the paying guardian signs this enrolment."))
        if not enrollment._portal_can_sign(partner):
            raise UserError(self.env._("This enrolment is not waiting for your signature."))
        if not (name or "").strip() or not signature:
            raise UserError(self.env._("Write your name and sign to confirm."))
        now = fields.Datetime.now()
        enrollment._guarded_write(
            {
                "signed_by": name.strip(),
                "signature": signature,
                "signed_on": now,
                "signed_ip": ip_address,
            }
        )
        enrollment._guardian_confirm(now)
        pdf = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "training_attendance.action_report_enrollment_contract", enrollment.ids
            )[0]
        )
        enrollment.message_post(
            body=self.env._("Signed online by %(name)s.", name=name.strip()),
            attachments=[(f"{enrollment.name.replace('/', '-')}-signed.pdf", pdf)],
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return True
