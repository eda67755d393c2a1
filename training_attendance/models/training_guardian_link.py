from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TrainingGuardianLink(models.Model):
    _name = "training.guardian.link"
    _description = "Guardian of a Student"
    _order = "student_id, is_primary desc, id"

    student_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("is_student", "=", True)],
    )
    guardian_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        ondelete="restrict",
        index=True,
    )
    company_id = fields.Many2one(
        related="student_id.company_id", string="Campus", store=True, index=True
    )
    relationship = fields.Selection(
        selection=[
            ("mother", "Mother"),
            ("father", "Father"),
            ("grandparent", "Grandparent"),
            ("relative", "Other relative"),
            ("other", "Other"),
        ],
        required=True,
        default="mother",
    )
    is_primary = fields.Boolean(string="Primary contact")
    receives_notifications = fields.Boolean(default=True)
    is_emergency_contact = fields.Boolean(string="Emergency contact")
    pickup_allowed = fields.Boolean(string="Pickup allowed", default=True)
    phone = fields.Char(related="guardian_id.phone")
    mobile = fields.Char(related="guardian_id.mobile")
    email = fields.Char(related="guardian_id.email")

    _sql_constraints = [
        (
            "student_guardian_uniq",
            "unique(student_id, guardian_id)",
            "This guardian is already linked to the student.",
        ),
    ]

    @api.constrains("is_primary", "student_id")
    def _check_one_primary(self):
        students = self.filtered("is_primary").student_id
        if not students:
            return
        groups = self._read_group(
            [("student_id", "in", students.ids), ("is_primary", "=", True)],
            ["student_id"],
            ["__count"],
            having=[("__count", ">", 1)],
        )
        if groups:
            raise ValidationError(
                self.env._(
                    "%(student)s already has a primary contact; a student has only one.",
                    student=groups[0][0].display_name,
                )
            )

    @api.constrains("student_id", "guardian_id")
    def _check_not_self(self):
        if any(link.student_id == link.guardian_id for link in self):
            raise ValidationError(self.env._("A student cannot be their own guardian."))

    @api.model_create_multi
    def create(self, vals_list):
        links = super().create(vals_list)
        links.guardian_id.filtered(lambda g: not g.is_guardian).write({"is_guardian": True})
        return links
