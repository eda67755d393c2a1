from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

HEALTH_GROUPS = "training_attendance.group_counselor"


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_student = fields.Boolean(string="Student", index=True, tracking=True)
    is_guardian = fields.Boolean(string="Guardian", index=True)
    student_code = fields.Char(
        string="Student number", readonly=True, copy=False, index=True, tracking=True
    )
    birthdate = fields.Date(string="Birth date")
    gender = fields.Selection(
        selection=[("female", "Female"), ("male", "Male"), ("other", "Other")],
    )
    health_notes = fields.Text(
        string="Health condition",
        groups=HEALTH_GROUPS,
        help="Allergies, conditions, medication. Visible to counselors, head teachers, "
        "attendance clerks and campus managers only.",
    )
    special_needs = fields.Text(string="Special needs", groups=HEALTH_GROUPS)
    hobbies = fields.Text()
    personality = fields.Text()
    study_habits = fields.Text(string="Study habits")
    counselor_id = fields.Many2one(
        comodel_name="res.users",
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    guardian_link_ids = fields.One2many(
        comodel_name="training.guardian.link",
        inverse_name="student_id",
        string="Guardians",
    )
    student_link_ids = fields.One2many(
        comodel_name="training.guardian.link",
        inverse_name="guardian_id",
        string="Children",
    )
    enrollment_ids = fields.One2many(
        comodel_name="training.enrollment",
        inverse_name="student_id",
        string="Enrolments",
    )
    enrollment_count = fields.Integer(string="Enrolment count", compute="_compute_enrollment_count")
    absence_count = fields.Integer(string="Absences", compute="_compute_absence_count")
    # the absence file (SPEC §4): kept with the student after the enrolment ends
    absence_line_ids = fields.Many2many(
        comodel_name="training.attendance.line",
        string="Absences and lateness",
        compute="_compute_absence_line_ids",
        groups="training_attendance.group_teacher",
    )
    leave_request_ids = fields.One2many(
        comodel_name="training.leave.request",
        inverse_name="student_id",
        string="Leave requests",
        groups="training_attendance.group_teacher",
    )
    escalation_ids = fields.One2many(
        comodel_name="training.escalation",
        inverse_name="student_id",
        string="Escalations",
        groups="training_attendance.group_teacher",
    )
    absence_analysis_ids = fields.One2many(
        comodel_name="training.absence.analysis",
        inverse_name="student_id",
        string="Cause analyses",
        groups="training_attendance.group_teacher",
    )
    makeup_ids = fields.One2many(
        comodel_name="training.makeup",
        inverse_name="student_id",
        string="Make-up lessons",
        groups="training_attendance.group_teacher",
    )
    student_state = fields.Selection(
        selection=[
            ("prospect", "Prospect"),
            ("active", "Studying"),
            ("suspended", "Suspended"),
            ("former", "Former student"),
        ],
        string="Student status",
        compute="_compute_student_state",
        store=True,
    )

    _sql_constraints = [
        ("student_code_uniq", "unique(student_code)", "This student number is already used."),
    ]

    @api.depends("enrollment_ids")
    def _compute_enrollment_count(self):
        counts = dict(
            self.env["training.enrollment"]._read_group(
                [("student_id", "in", self.ids)], ["student_id"], ["__count"]
            )
        )
        for partner in self:
            partner.enrollment_count = counts.get(partner, 0)

    def _absence_domain(self):
        return [
            ("student_id", "in", self.ids),
            "|",
            ("status", "in", ("absent", "excused")),
            ("absence_equivalent", ">", 0),
        ]

    def _compute_absence_count(self):
        counts = dict(
            self.env["training.attendance.line"]._read_group(
                self._absence_domain(), ["student_id"], ["__count"]
            )
        )
        for partner in self:
            partner.absence_count = counts.get(partner, 0)

    def _compute_absence_line_ids(self):
        lines = self.env["training.attendance.line"].search(
            [("student_id", "in", self.ids), ("absence_kind", "!=", False)]
        )
        for partner in self:
            partner.absence_line_ids = lines.filtered(lambda line, p=partner: line.student_id == p)

    @api.depends("is_student", "enrollment_ids.state")
    def _compute_student_state(self):
        for partner in self:
            states = set(partner.enrollment_ids.mapped("state"))
            if not partner.is_student:
                partner.student_state = False
            elif "active" in states:
                partner.student_state = "active"
            elif "suspended" in states:
                partner.student_state = "suspended"
            elif states and states <= {"withdrawn", "completed"}:
                partner.student_state = "former"
            else:
                partner.student_state = "prospect"

    @api.constrains("birthdate")
    def _check_birthdate(self):
        campuses = self.company_id | self.env.company
        today = {company: company._training_today() for company in campuses}
        for partner in self.filtered("birthdate"):
            campus_today = today[partner.company_id or self.env.company]
            if partner.birthdate > campus_today:
                raise ValidationError(
                    self.env._("The birth date of %(name)s is in the future.", name=partner.name)
                )
            if partner.is_student and partner.birthdate < campus_today - relativedelta(years=100):
                raise ValidationError(
                    self.env._(
                        "The birth date of %(name)s is more than 100 years ago.",
                        name=partner.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_student"):
                vals.setdefault("company_id", self.env.company.id)
        partners = super().create(vals_list)
        partners.filtered(lambda p: p.is_student and not p.student_code)._assign_student_code()
        return partners

    def write(self, vals):
        if "student_code" in vals and not self.env.su:
            raise UserError(self.env._("The student number is given by its sequence."))
        res = super().write(vals)
        if vals.get("is_student"):
            self.filtered(lambda p: not p.student_code)._assign_student_code()
        return res

    def unlink(self):
        used = self.filtered(lambda p: p.is_student and p.enrollment_ids)
        if used:
            raise UserError(
                self.env._(
                    "%(name)s has enrolments: a student's file is kept. Archive it instead.",
                    name=used[0].name,
                )
            )
        return super().unlink()

    def _assign_student_code(self):
        """Number students from the ``training.student`` sequence of their campus.

        A campus that needs its own numbering gets a sequence with that code and its
        company; otherwise the group-wide sequence is used.
        """
        sequence = self.env["ir.sequence"].sudo()
        for partner in self:
            company = partner.company_id or self.env.company
            partner.sudo().student_code = sequence.with_company(company).next_by_code(
                "training.student"
            )

    def action_view_absence_file(self):
        """The student's absence file: every absence, excused or not, with its notice."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_attendance_line_action"
        )
        action["domain"] = self._absence_domain()
        action["context"] = {}
        action["name"] = self.env._("Absence file of %(name)s", name=self.name)
        return action

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_enrollment_action"
        )
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {"default_student_id": self.id}
        return action
