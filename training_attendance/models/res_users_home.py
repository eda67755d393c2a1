from odoo import SUPERUSER_ID, api, models

# (role, home action): the first role a user holds gives their home (action_id), from the
# widest role down; a role's home is the first action of its list that exists (the
# reports' dashboard once installed, the attendance analysis before)
ROLE_HOMES = [
    (
        "training_attendance.group_manager",
        (
            "training_attendance.training_kpi_action",
            "training_attendance.training_home_manager_action",
        ),
    ),
    ("training_attendance.group_finance", ("training_attendance.training_home_finance_action",)),
    (
        "training_attendance.group_attendance_clerk",
        ("training_attendance.training_home_clerk_action",),
    ),
    (
        "training_attendance.group_counselor",
        ("training_attendance.training_home_counselor_action",),
    ),
    ("training_attendance.group_teacher", ("training_attendance.training_session_action_today",)),
]
GROUP_KEYS = ("groups_id", "in_group_", "sel_groups_")


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _training_home_actions(self):
        """The home actions of the roles, ``[(group, action)]``, widest role first."""
        homes = []
        for group_xmlid, action_xmlids in ROLE_HOMES:
            group = self.env.ref(group_xmlid, raise_if_not_found=False)
            action = next(
                filter(None, (self.env.ref(x, raise_if_not_found=False) for x in action_xmlids)),
                None,
            )
            if group and action:
                homes.append((group, action))
        return homes

    def _training_set_home(self, force=False):
        """Give each user the home of their widest training role: the page the web client
        opens after login. A home chosen by hand (another action) is kept unless ``force``."""
        homes = self.sudo()._training_home_actions()
        ours = {action.id for _group, action in homes}
        by_home = {}  # action id (or False) -> users, written once per home
        for user in self.sudo():
            if (
                user.id == SUPERUSER_ID
                or user.share
                or (user.action_id and user.action_id.id not in ours and not force)
            ):
                continue
            home = next((action for group, action in homes if group in user.groups_id), None)
            if home and user.action_id != home:
                by_home.setdefault(home.id, []).append(user.id)
            elif not home and user.action_id.id in ours:
                by_home.setdefault(False, []).append(user.id)
        for action_id, user_ids in by_home.items():
            self.sudo().browse(user_ids).write({"action_id": action_id})

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._training_set_home()
        return users

    def write(self, vals):
        res = super().write(vals)
        if any(key.startswith(GROUP_KEYS) for key in vals):
            self._training_set_home()
        return res

    def _training_login_company_ids(self):
        """The companies to activate at login for a user holding a training role: their
        current company first, then every other company they may work in."""
        self.ensure_one()
        user = self.sudo()
        if user.share or not user.groups_id & self._training_role_groups():
            return []
        return user.company_id.ids + (user.company_ids - user.company_id).sorted("id").ids

    @api.model
    def _training_role_groups(self):
        return self.env.ref("training_attendance.group_teacher") | self.env.ref(
            "training_attendance.group_finance"
        )

    def action_training_set_home(self):
        """Button / list action "Set the home from the training role" (replaces a home
        chosen by hand)."""
        self._training_set_home(force=True)
        return True

    @api.model
    def _training_reader_envs(self, records=None):
        """``readers(user)``: the environment in which to write a text that ``user`` will
        read (an activity's summary and note, a tracked reason written by a job), in their
        language; one environment per language, built once, so that a batch of texts is
        rendered without a query per record. Users without a language read the caller's."""
        base = (records if records is not None else self).env
        envs = {}

        def readers(user):
            lang = user.lang or base.lang
            if lang not in envs:
                envs[lang] = base(context=dict(base.context, lang=lang))
            return envs[lang]

        return readers
