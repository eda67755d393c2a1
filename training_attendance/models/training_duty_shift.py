from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Seed 003 §1-§2: the roles, and the three shifts of a campus day with their roles.
DEFAULT_ROLES = [
    "front_desk",
    "head_teacher",
    "teaching_assistant",
    "duty_supervisor",
    "safety_officer",
]
DEFAULT_SHIFTS = [
    (8.0, 12.0, ["front_desk", "head_teacher"]),
    (13.0, 18.0, ["teaching_assistant", "duty_supervisor"]),
    (18.5, 20.5, ["head_teacher", "safety_officer"]),
]


class TrainingDutyRole(models.Model):
    """A duty role of a campus (front desk, head teacher...): its duties, shown to the staff
    on each shift, and the staff qualified for it, among whom the roster rotates."""

    _name = "training.duty.role"
    _description = "Duty role"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Technical key of the default roles of seed 003.", readonly=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    duties = fields.Text(translate=True, help="What the person on duty in this role does.")
    user_ids = fields.Many2many(
        comodel_name="res.users",
        relation="training_duty_role_user_rel",
        column1="role_id",
        column2="user_id",
        string="Qualified staff",
        domain=[("share", "=", False)],
        help="The roster rotates evenly among these people.",
    )


class TrainingDutyShift(models.Model):
    """A shift of the campus day (seed 003: 08:00-12:00, 13:00-18:00, 18:30-20:30), in the
    campus's time zone, with the roles it needs and how many people for each."""

    _name = "training.duty.shift"
    _description = "Duty shift template"
    _order = "company_id, hour_from, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    hour_from = fields.Float(string="From", required=True, help="Campus time.")
    hour_to = fields.Float(string="To", required=True, help="Campus time.")
    duties = fields.Text(translate=True, help="What the shift is about, shown on each duty.")
    line_ids = fields.One2many(
        comodel_name="training.duty.shift.line",
        inverse_name="shift_id",
        string="Roles",
        copy=True,
    )

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for shift in self:
            if not 0 <= shift.hour_from < shift.hour_to <= 24:
                raise ValidationError(
                    self.env._(
                        "The shift %(name)s must start before it ends, within the day (0-24).",
                        name=shift.name,
                    )
                )

    @api.depends("name", "hour_from", "hour_to")
    def _compute_display_name(self):
        for shift in self:
            begin = "{:02d}:{:02d}".format(*divmod(round(shift.hour_from * 60), 60))
            end = "{:02d}:{:02d}".format(*divmod(round(shift.hour_to * 60), 60))
            shift.display_name = f"{shift.name} {begin}-{end}"

    @api.model
    def _default_labels(self):
        """Names and duties of the default roles and shifts, in the language of ``self``."""
        _ = self.env._
        labels = {
            "front_desk": (
                _("Front desk"),
                _("Student check-in, handing out materials, receiving visiting guardians."),
            ),
            "head_teacher": (
                _("Head teacher"),
                _(
                    "Overall management of the students: leave requests, attendance, "
                    "follow-up of study progress."
                ),
            ),
            "teaching_assistant": (
                _("Teaching assistant"),
                _(
                    "Assists the teachers in class, records how the class went, collects "
                    "the students' feedback."
                ),
            ),
            "duty_supervisor": (
                _("Duty supervisor"),
                _("Supervises the shift, takes over escalated incidents, checks the duty logs."),
            ),
            "safety_officer": (
                _("Safety officer"),
                _(
                    "Watches over the students' safety, handles emergencies, contacts the "
                    "guardians or the hospital."
                ),
            ),
        }
        shift_labels = [
            (_("Morning"), _("Student check-in, enquiries, seating.")),
            (
                _("Afternoon"),
                _("Assisting the teachers, answering students' questions, organising activities."),
            ),
            (_("Evening"), _("Classroom order, emergencies, helping guardians at pick-up.")),
        ]
        return labels, shift_labels

    @api.model
    def _create_campus_defaults(self, companies):
        """The roles and three shifts of seed 003 for each campus that has none yet."""
        companies = companies.sudo()
        done = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids)])
            .company_id
        )
        todo = companies - done
        if not todo:
            return
        labels, shift_labels = self.with_context(lang="en_US")._default_labels()
        roles = (
            self.env["training.duty.role"]
            .sudo()
            .create(
                [
                    {
                        "name": labels[code][0],
                        "code": code,
                        "duties": labels[code][1],
                        "sequence": seq,
                        "company_id": company.id,
                    }
                    for company in todo
                    for seq, code in enumerate(DEFAULT_ROLES)
                ]
            )
        )
        by_key = {(role.company_id.id, role.code): role for role in roles}
        shifts = self.sudo().create(
            [
                {
                    "name": shift_labels[index][0],
                    "hour_from": hour_from,
                    "hour_to": hour_to,
                    "duties": shift_labels[index][1],
                    "company_id": company.id,
                    "line_ids": [
                        fields.Command.create(
                            {"role_id": by_key[company.id, code].id, "staff_count": 1}
                        )
                        for code in codes
                    ],
                }
                for company in todo
                for index, (hour_from, hour_to, codes) in enumerate(DEFAULT_SHIFTS)
            ]
        )
        self._translate_defaults(roles, shifts)

    def _translate_defaults(self, roles, shifts):
        """The default names and duties in every other installed language (zh_CN...), as
        a campus created in English reads them in Chinese."""
        for lang, _name in self.env["res.lang"].get_installed():
            if lang == "en_US":
                continue
            labels, shift_labels = self.with_context(lang=lang)._default_labels()
            for role in roles.with_context(lang=lang):
                role.write({"name": labels[role.code][0], "duties": labels[role.code][1]})
            for index, shift in enumerate(shifts.with_context(lang=lang)):
                shift.write(
                    {
                        "name": shift_labels[index % len(DEFAULT_SHIFTS)][0],
                        "duties": shift_labels[index % len(DEFAULT_SHIFTS)][1],
                    }
                )

    @api.model
    def _create_defaults_for_all_campuses(self):
        self._create_campus_defaults(self.env["res.company"].sudo().search([]))


class TrainingDutyShiftLine(models.Model):
    _name = "training.duty.shift.line"
    _description = "Role needed on a duty shift"
    _order = "shift_id, id"
    _check_company_auto = True

    shift_id = fields.Many2one(
        comodel_name="training.duty.shift", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="shift_id.company_id", store=True, string="Campus")
    role_id = fields.Many2one(
        comodel_name="training.duty.role",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    staff_count = fields.Integer(string="Staff", default=1, required=True)

    @api.constrains("staff_count")
    def _check_staff_count(self):
        if any(not 1 <= line.staff_count <= 50 for line in self):
            raise ValidationError(self.env._("A role of a shift needs between 1 and 50 people."))
