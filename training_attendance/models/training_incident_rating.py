from odoo import fields, models
from odoo.exceptions import UserError

from .training_incident import TrainingIncident as TrainingIncidentBase


class TrainingIncident(models.Model):
    """The satisfaction call-back by Odoo's rating e-mail (seed 003 §4), the alternative to
    the logged call: the duty supervisor sends it to the guardian of a resolved ticket; the
    guardian's click closes the ticket with that score (changed if they rate again)."""

    _name = "training.incident"
    _inherit = ["rating.mixin", "training.incident"]
    _protected_fields = (*TrainingIncidentBase._protected_fields, "rating_sent_at")

    rating_sent_at = fields.Datetime(
        string="Rating e-mail sent on", readonly=True, copy=False, tracking=True
    )

    def _rating_get_partner(self):
        """The guardian of the ticket rates."""
        self.ensure_one()
        return self.guardian_id

    def _rating_get_operator(self):
        """Whoever handled the ticket is rated."""
        self.ensure_one()
        return self.handler_id.partner_id

    def action_send_rating(self):
        """Instead of the call: the rating e-mail to the guardian (a duty supervisor or
        campus manager), queued; the ticket stays resolved until the guardian answers."""
        if not self.env.user.has_group("training_attendance.group_duty_supervisor"):
            raise UserError(
                self.env._("Only a duty supervisor or a campus manager closes a ticket.")
            )
        self._check_state(["resolved"], self.env._("The satisfaction e-mail"))
        self.check_access("write")
        template = self.env.ref("training_attendance.mail_template_incident_rating")
        for ticket in self:
            if not ticket.guardian_id.email:
                raise UserError(
                    self.env._(
                        "%(ticket)s has no guardian with an e-mail address: call back instead.",
                        ticket=ticket.name,
                    )
                )
        for ticket in self.sudo():
            ticket.rating_send_request(template, force_send=False)
            ticket._guarded_write({"rating_sent_at": fields.Datetime.now()})
        return True

    def rating_apply(
        self, rate, token=None, rating=None, feedback=None, subtype_xmlid=None, **kwargs
    ):
        """The guardian's rating closes the resolved ticket with their score (1, 3 or 5 from
        the e-mail); a later change of mind updates the score of the closed ticket."""
        rating = super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            **kwargs,
        )
        score = str(min(5, max(1, round(rate)))) if rate >= 1 else False
        for ticket in self.filtered(lambda t: t.state in ("resolved", "closed") and score):
            vals = {"callback_score": score}
            if ticket.state == "resolved":
                vals.update(state="closed", closed_at=fields.Datetime.now())
            ticket._guarded_write(vals)
        return rating
