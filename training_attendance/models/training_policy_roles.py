from odoo import fields, models
from odoo.exceptions import UserError

# role -> (policy field naming the campus's user, group whose members of the campus are
# the fallback). "head_teacher" and "counselor" are the enrolment's own people.
CAMPUS_ROLES = {
    "attendance_clerk": ("attendance_clerk_id", "training_attendance.group_attendance_clerk"),
    "campus_manager": ("campus_manager_id", "training_attendance.group_manager"),
    "counselor_supervisor": (
        "counselor_supervisor_id",
        "training_attendance.group_counselor_supervisor",
    ),
    "campus_director": ("campus_director_id", "training_attendance.group_director"),
    "finance_officer": ("finance_officer_id", "training_attendance.group_finance"),
}
ROLE_SELECTION = [
    ("attendance_clerk", "Attendance clerk"),
    ("head_teacher", "Head teacher of the class"),
    ("counselor", "Counselor of the student"),
    ("counselor_supervisor", "Counselor supervisor"),
    ("campus_manager", "Campus manager"),
    ("campus_director", "Campus director"),
]
# the escalation ladder of seed 000: who carries out each step, and in how many days
ESCALATION_DEFAULTS = {
    "reminder": ("attendance_clerk", 2),
    "commitment": ("head_teacher", 2),
    "warning": ("campus_manager", 1),
    "cancellation": ("campus_manager", 3),
}


class TrainingPolicy(models.Model):
    """Who holds each role of a campus, and the escalation ladder's responsible persons
    and deadlines (seed 000)."""

    _inherit = "training.policy"  # pylint: disable=consider-merging-classes-inherited

    attendance_clerk_id = fields.Many2one(
        comodel_name="res.users",
        string="Attendance clerk",
        tracking=True,
        domain=[("share", "=", False)],
        help="Sends the reminders of the escalation ladder (seed 000). Empty: the campus's "
        "attendance clerk, see the help of the responsible persons.",
    )
    campus_manager_id = fields.Many2one(
        comodel_name="res.users",
        string="Campus manager",
        tracking=True,
        domain=[("share", "=", False)],
        help="Gives academic warnings and decides on cancellations (seed 000).",
    )
    escalation_reminder_role = fields.Selection(
        selection=ROLE_SELECTION,
        string="Reminder by",
        default="attendance_clerk",
        required=True,
        tracking=True,
    )
    escalation_commitment_role = fields.Selection(
        selection=ROLE_SELECTION,
        string="Commitment by",
        default="head_teacher",
        required=True,
        tracking=True,
    )
    escalation_warning_role = fields.Selection(
        selection=ROLE_SELECTION,
        string="Warning by",
        default="campus_manager",
        required=True,
        tracking=True,
    )
    escalation_cancellation_role = fields.Selection(
        selection=ROLE_SELECTION,
        string="Cancellation proposal to",
        default="campus_manager",
        required=True,
        tracking=True,
    )
    escalation_reminder_days = fields.Integer(
        string="Reminder within (days)", default=2, required=True, tracking=True
    )
    escalation_commitment_days = fields.Integer(
        string="Commitment meeting within (days)", default=2, required=True, tracking=True
    )
    escalation_warning_days = fields.Integer(
        string="Warning meeting within (days)", default=1, required=True, tracking=True
    )
    escalation_cancellation_days = fields.Integer(
        string="Cancellation decision within (days)", default=3, required=True, tracking=True
    )
    privileges_suspension_days = fields.Integer(
        string="Partial suspension (days)",
        default=30,
        required=True,
        tracking=True,
        help="An academic warning withholds the student's make-ups and trial classes for "
        "this many days; the student keeps attending the class (seed 000).",
    )

    def _escalation_setting(self, level):
        """``(role, days)`` of the escalation step ``level`` in this policy."""
        self.ensure_one()
        return self[f"escalation_{level}_role"], self[f"escalation_{level}_days"]

    def _role_user(self, role, enrollment=None):
        """The user who holds ``role`` on this policy's campus.

        1. ``head_teacher`` / ``counselor``: the class's head teacher / the student's
           counselor of ``enrollment``.
        2. The user named in the policy for the role (``attendance_clerk_id``,
           ``campus_manager_id``, ``counselor_supervisor_id``, ``campus_director_id``,
           ``finance_officer_id``).
        3. Fallback, deterministic: the active internal users of the campus in the role's
           group, the superuser and the Administrator excepted; those for whom it is the
           highest role first (a clerk before a manager, who is also a clerk), then those
           whose main campus it is, then the oldest account.

        Raises a UserError naming the role and the campus when nobody holds it: never
        the Administrator nor an arbitrary user."""
        self.ensure_one()
        labels = dict(self._fields["escalation_reminder_role"]._description_selection(self.env))
        labels["finance_officer"] = self.env._("Finance officer")
        labels["duty_supervisor"] = self.env._("Duty supervisor")
        campus = self.company_id
        if role in ("head_teacher", "counselor"):
            user = self.env["res.users"]
            if enrollment:
                user = (
                    enrollment.class_id.head_teacher_id
                    if role == "head_teacher"
                    else enrollment.counselor_id or enrollment.student_id.counselor_id
                )
            if user:
                return user
            raise UserError(
                self.env._(
                    "Nobody is %(role)s of %(ref)s: name one on the %(where)s.",
                    role=labels[role],
                    ref=enrollment.display_name if enrollment else campus.name,
                    where=self.env._("class") if role == "head_teacher" else self.env._("student"),
                )
            )
        fname, group_xmlid = CAMPUS_ROLES[role]
        if self[fname]:
            return self[fname]
        group = self.env.ref(group_xmlid)
        excluded = [self.env.ref("base.user_root").id]
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        if admin:
            excluded.append(admin.id)
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group.id),
                    ("company_ids", "in", campus.id),
                    ("share", "=", False),
                    ("id", "not in", excluded),
                ],
                order="id",
            )
        )
        if not users:
            raise UserError(
                self.env._(
                    "Nobody holds the role %(role)s on the campus %(campus)s: name one in "
                    "its training policy.",
                    role=labels[role],
                    campus=campus.name,
                )
            )
        higher = (
            self.env["res.groups"]
            .sudo()
            .search([("implied_ids", "!=", False)])
            .filtered(lambda g: group in g.trans_implied_ids)
        )
        return users.sorted(lambda u: (bool(u.groups_id & higher), u.company_id != campus, u.id))[
            :1
        ].with_env(self.env)
