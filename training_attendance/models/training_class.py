from odoo import api, fields, models
from odoo.exceptions import ValidationError

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class TrainingClass(models.Model):
    _name = "training.class"
    _value_bounds = {"capacity": (0, 10000)}
    _description = "Training Class"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.value.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    course_id = fields.Many2one(
        comodel_name="training.course",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        tracking=True,
    )
    teacher_id = fields.Many2one(
        comodel_name="res.users",
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    head_teacher_id = fields.Many2one(
        comodel_name="res.users",
        string="Head teacher",
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    room = fields.Char(tracking=True)
    capacity = fields.Integer(tracking=True, help="Maximum active enrolments; 0 means no limit.")
    timetable_ids = fields.One2many(
        comodel_name="training.class.timetable",
        inverse_name="class_id",
        string="Weekly timetable",
        copy=True,
    )
    enrollment_ids = fields.One2many(
        comodel_name="training.enrollment", inverse_name="class_id", string="Enrolments"
    )
    session_ids = fields.One2many(
        comodel_name="training.session", inverse_name="class_id", string="Sessions"
    )
    student_count = fields.Integer(string="Students", compute="_compute_counts")
    session_count = fields.Integer(string="Session count", compute="_compute_counts")

    @api.depends("enrollment_ids.state", "session_ids")
    def _compute_counts(self):
        students = dict(
            self.env["training.enrollment"]._read_group(
                [("class_id", "in", self.ids), ("state", "=", "active")],
                ["class_id"],
                ["__count"],
            )
        )
        sessions = dict(
            self.env["training.session"]._read_group(
                [("class_id", "in", self.ids)], ["class_id"], ["__count"]
            )
        )
        for klass in self:
            klass.student_count = students.get(klass, 0)
            klass.session_count = sessions.get(klass, 0)

    @api.constrains("capacity")
    def _check_capacity(self):
        if any(klass.capacity < 0 for klass in self):
            raise ValidationError(self.env._("The capacity cannot be negative."))

    def action_view_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_session_action"
        )
        action["domain"] = [("class_id", "=", self.id)]
        action["context"] = {"default_class_id": self.id, "search_default_filter_upcoming": 0}
        return action

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_enrollment_action"
        )
        action["domain"] = [("class_id", "=", self.id)]
        action["context"] = {"default_class_id": self.id}
        return action


class TrainingClassTimetable(models.Model):
    _name = "training.class.timetable"
    _inherit = ["training.value.mixin"]
    _value_bounds = {"start_time": (0, 24), "end_time": (0, 24)}
    _description = "Weekly Timetable Slot"
    _order = "class_id, weekday, start_time"

    class_id = fields.Many2one(
        comodel_name="training.class", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="class_id.company_id", store=True, index=True)
    weekday = fields.Selection(selection=WEEKDAYS, required=True, default="0")
    start_time = fields.Float(string="Start", required=True, help="Local time, e.g. 16.5 = 16:30")
    end_time = fields.Float(string="End", required=True)

    @api.constrains("start_time", "end_time")
    def _check_times(self):
        for slot in self:
            if not (0 <= slot.start_time < 24 and 0 < slot.end_time <= 24):
                raise ValidationError(
                    self.env._("Timetable times must lie between 00:00 and 24:00.")
                )
            if slot.end_time <= slot.start_time:
                raise ValidationError(self.env._("A timetable slot must end after it starts."))
