from odoo import fields, models
from odoo.tools import SQL


# extends training_absence_notice.py's methods, a file another change rewrites
class TrainingAttendanceLine(models.Model):
    _inherit = "training.attendance.line"  # pylint: disable=consider-merging-classes-inherited

    tap_minutes = fields.Integer(
        compute="_compute_tap_minutes",
        help="Minutes added by one tap on Late or Left early (the campus policy's).",
    )

    def _compute_tap_minutes(self):
        with_campus = self.filtered("company_id")
        taps = with_campus._tap_minutes() if with_campus else {}
        for line in self:
            line.tap_minutes = taps.get(line.id, 0)

    def _schedule_absence_followups(self):
        """The absence calls and leave follow-ups, each written in the language of the
        person who gets it (the counselor for an absence call, the teacher for a leave
        follow-up): the lines are split by that language, one batch per language."""
        lines = self.sudo()
        by_lang = {}
        for line in lines:
            if line._is_unexcused():
                user = line.enrollment_id.counselor_id or line.student_id.counselor_id
            else:
                user = line.session_id.teacher_id
            by_lang.setdefault(user.lang or self.env.lang, []).append(line.id)
        result = None
        for lang, ids in by_lang.items():
            result = super(
                TrainingAttendanceLine, self.browse(ids).with_context(lang=lang)
            )._schedule_absence_followups()
        return result

    def _read_group_select(self, aggregate_spec, query):
        """The notification timeliness rate averages over the unexcused absences whose
        guardians are to be told (notices not switched off), not over every line: a
        present student is not a late notice."""
        if aggregate_spec != "notice_timeliness:avg":
            return super()._read_group_select(aggregate_spec, query)
        return SQL(
            "AVG(CASE WHEN %s IN ('absent', 'equivalent') AND %s IS DISTINCT FROM 'disabled' "
            "THEN %s END)",
            self._field_to_sql(self._table, "absence_kind", query),
            self._field_to_sql(self._table, "notice_state", query),
            self._field_to_sql(self._table, "notice_timeliness", query),
        )
