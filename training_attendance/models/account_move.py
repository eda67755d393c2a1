from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    training_enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        index="btree_not_null",
        copy=False,
        ondelete="restrict",
        readonly=True,
    )
    training_renewal_hours = fields.Float(
        string="Renewal hours",
        copy=False,
        readonly=True,
        help="Lesson hours this invoice adds to the enrolment once it is paid.",
    )
    training_hours_credited = fields.Boolean(string="Hours credited", copy=False, readonly=True)

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A credit note of an enrolment's invoice belongs to the enrolment, however it is
        made (a refund request, or the invoice's Credit Note button in Invoicing), so that
        the enrolment's refunds count it."""
        default_values_list = default_values_list or [{} for _move in self]
        for move, default_values in zip(self, default_values_list, strict=True):
            if move.training_enrollment_id and "training_enrollment_id" not in default_values:
                default_values["training_enrollment_id"] = move.training_enrollment_id.id
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        paid = self.filtered(
            lambda move: move.training_enrollment_id and move.move_type == "out_invoice"
        )
        if paid:
            paid._training_credit_renewal_hours()
            paid.training_enrollment_id._activate_when_paid()
        return res

    def _training_credit_renewal_hours(self):
        """A paid renewal invoice adds its hours to the enrolment, once."""
        for move in self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.training_renewal_hours
                and not m.training_hours_credited
            )
        ):
            enrollment = move.training_enrollment_id.sudo()
            enrollment.hours_purchased += move.training_renewal_hours
            move.sudo().training_hours_credited = True
            enrollment.message_post(
                body=self.env._(
                    "%(hours)s hours added: renewal invoice %(invoice)s is paid.",
                    hours=move.training_renewal_hours,
                    invoice=move.name,
                )
            )
