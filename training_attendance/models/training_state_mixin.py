from odoo import api, fields, models
from odoo.exceptions import UserError


class TrainingStateMixin(models.AbstractModel):
    """Guard for the ``action_*`` transitions of documents with a ``state`` field."""

    _name = "training.state.mixin"
    _description = "Training State Guard"

    def _check_state(self, allowed, action_label):
        """Raise a clear error, changing nothing, if a record is not in ``allowed``."""
        wrong = self.filtered(lambda record: record.state not in allowed)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(action)s is not possible: %(name)s is %(state)s.",
                    action=action_label,
                    name=wrong[0].display_name,
                    state=states[wrong[0].state],
                )
            )


class TrainingAttachmentMixin(models.AbstractModel):
    """Documents that carry a family's paper (written application, medical certificate,
    signed letter) in a many2many of attachments.

    A file uploaded in the form before the record is saved belongs to nobody (res_id 0),
    and only its uploader can read it: on save it is given to the record, so that every
    approver sees it.
    """

    _name = "training.attachment.mixin"
    _description = "Training Document Attachments"
    _attachment_field = "attachment_ids"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._link_attachments()
        return records

    def write(self, vals):
        res = super().write(vals)
        if self._attachment_field in vals:
            self._link_attachments()
        return res

    def _link_attachments(self):
        for record in self:
            record[self._attachment_field].filtered(lambda a: not a.res_id).sudo().write(
                {"res_model": self._name, "res_id": record.id}
            )


class TrainingEnrollmentDocumentMixin(models.AbstractModel):
    """A document about one enrolment (escalation step, cause analysis, plan, refund
    request, retention case): its student, class and campus are the enrolment's, stored
    for searching, grouping and record rules."""

    _name = "training.enrollment.document.mixin"
    _description = "Document of an enrolment"

    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    student_id = fields.Many2one(related="enrollment_id.student_id", store=True, index=True)
    class_id = fields.Many2one(related="enrollment_id.class_id", store=True, index=True)
    company_id = fields.Many2one(
        related="enrollment_id.company_id", string="Campus", store=True, index=True
    )
