from collections import defaultdict

import pytz

from odoo import api, fields, models

NOTICE_BATCH_SIZE = 500
# sessions of about 30 students: some 600 lines a batch of the follow-up job
SESSION_BATCH_SIZE = 20
ABSENCE_CALL = "training_attendance.mail_activity_absence_call"
LEAVE_FOLLOWUP = "training_attendance.mail_activity_leave_followup"


class TrainingAttendanceLine(models.Model):
    """Absence follow-up of SPEC §4: the guardians told the same day, and the counselor's
    call or the teacher's follow-up in their activity inbox."""

    _inherit = "training.attendance.line"

    notice_state = fields.Selection(
        selection=[
            ("sent", "Guardians notified"),
            ("leave", "Leave already reported"),
            ("no_guardian", "No guardian to notify"),
            ("disabled", "Notices switched off"),
        ],
        string="Guardian notice",
        readonly=True,
        copy=False,
        index=True,
    )
    guardian_notified_at = fields.Datetime(
        string="Guardians notified on", readonly=True, copy=False
    )
    notice_timeliness = fields.Float(
        string="Notified the same day (%)",
        compute="_compute_notice_timeliness",
        store=True,
        precompute=True,
        aggregator="avg",
        help="100 when the guardians were told on the day of the absence, 0 otherwise; "
        "averaged over notified absences it is the notification timeliness rate.",
    )
    followup_scheduled = fields.Boolean(string="Follow-up scheduled", readonly=True, copy=False)
    followup_activity_id = fields.Many2one(
        comodel_name="mail.activity",
        string="Follow-up activity",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
        help="Technical: the open absence call or leave follow-up of this line, closed when "
        "a correction changes the kind of absence.",
    )
    absence_kind = fields.Selection(
        selection=[
            ("absent", "Unexcused absence"),
            ("equivalent", "Absence equivalent"),
            ("excused", "Excused absence"),
            ("late", "Late arrival"),
            ("left_early", "Early leave"),
        ],
        string="Kind of absence",
        compute="_compute_absence_kind",
        store=True,
        precompute=True,
        index=True,
    )

    @api.depends("status", "absence_equivalent", "late_minutes", "left_early_minutes")
    def _compute_absence_kind(self):
        for line in self:
            if line.status in ("absent", "excused"):
                line.absence_kind = line.status
            elif line.absence_equivalent:
                line.absence_kind = "equivalent"
            elif line.late_minutes:
                line.absence_kind = "late"
            elif line.left_early_minutes:
                line.absence_kind = "left_early"
            else:
                line.absence_kind = False

    @api.depends("guardian_notified_at", "session_id.start")
    def _compute_notice_timeliness(self):
        for line in self:
            notified = line.guardian_notified_at
            if not notified:
                line.notice_timeliness = 0.0
                continue
            tz = line.session_id._tz()
            day = pytz.utc.localize(notified).astimezone(tz).date()
            line.notice_timeliness = 100.0 if day == line.session_id._local_date() else 0.0

    def _is_unexcused(self):
        self.ensure_one()
        return self.status == "absent" or self.absence_equivalent > 0

    def _followup_kind(self):
        """Which follow-up the line calls for: ``call`` (unexcused), ``leave`` (excused)
        or None."""
        self.ensure_one()
        if self._is_unexcused():
            return "call"
        return "leave" if self.status == "excused" else None

    # ------------------------------------------------------------------ corrections
    def write(self, vals):
        watched = {"status", "late_minutes", "left_early_minutes"} & set(vals)
        validated = (
            self.sudo().filtered(lambda line: line.session_id.state == "done")
            if watched
            else self.browse()
        )
        before = {line.id: line._followup_kind() for line in validated}
        res = super().write(vals)
        if validated:
            changed = validated.filtered(lambda line: line._followup_kind() != before[line.id])
            if changed:
                changed._follow_kind_change(before)
        return res

    def _follow_kind_change(self, before):
        """SPEC §4: a validated line whose kind changed (a leave approved after
        validation, a clerk's correction) has its follow-ups follow: the activity that
        no longer applies is closed with a note saying why, the one that now applies is
        scheduled, the guardians are told of a new unexcused absence (as the active rules
        would have done at validation). The escalation steps are recomputed by the
        correction itself (``_recheck_escalations``)."""
        lines = self.sudo()
        kinds = dict(self._fields["absence_kind"]._description_selection(self.env))
        stale = lines.filtered("followup_activity_id")
        for line in stale:
            line.followup_activity_id.with_context(
                training_followup_from_activity=True
            ).action_feedback(
                feedback=self.env._(
                    "No longer needed: %(student)s's attendance of %(session)s was corrected "
                    "to %(kind)s.",
                    student=line.student_id.name,
                    session=line.session_id.display_name,
                    kind=kinds.get(line.absence_kind) or self.env._("present"),
                )
            )
        lines.write({"followup_scheduled": False, "followup_activity_id": False})
        lines._notify_guardians()
        lines._schedule_absence_followups()

    # ------------------------------------------------------------------ processing
    def _process_absences(self):
        """Notify guardians and schedule follow-ups for the validated lines of ``self``
        that still need it: safe to run any number of times."""
        done = self.filtered(lambda line: line.session_id.state == "done")
        done._notify_guardians()
        done._schedule_absence_followups()

    def _notify_guardians(self, channels=None):
        """Tell the guardians who receive notifications about an unexcused absence or an
        absence equivalent, once per line: one notice logged in the student's file, queued
        as e-mail and/or SMS (``channels``, else the campus policy's). The whole batch costs
        the same few queries however many lines it holds."""
        lines = self.sudo().filtered(lambda line: not line.notice_state and line._is_unexcused())
        if not lines:
            return
        reported = lines._leave_reported()
        links = (
            self.env["training.guardian.link"]
            .sudo()
            .search(
                [("student_id", "in", lines.student_id.ids), ("receives_notifications", "=", True)]
            )
        )
        guardians = defaultdict(lambda: self.env["res.partner"])
        for link in links:
            guardians[link.student_id] |= link.guardian_id
        policies = self.env["training.policy"]._get_for_companies(lines.company_id)

        numbers = {
            partner_id: info["sanitized"]
            for partner_id, info in links.guardian_id._sms_get_recipients_info().items()
        }
        # per line, the guardians to reach by e-mail and by SMS (with their numbers)
        recipients = {}
        for line in lines:
            wanted = channels or policies[line.company_id.id]._absence_notice_channels()
            family = guardians[line.student_id]
            recipients[line] = (
                family.filtered("email") if "email" in wanted else family.browse(),
                [(g, numbers[g.id]) for g in family if "sms" in wanted and numbers[g.id]],
                wanted,
            )
        with_leave = lines.filtered(lambda line: line in reported)
        disabled = (lines - with_leave).filtered(lambda line: not recipients[line][2])
        no_guardian = (lines - with_leave - disabled).filtered(
            lambda line: not (recipients[line][0] or recipients[line][1])
        )
        to_send = lines - with_leave - no_guardian - disabled
        if to_send:
            to_send._queue_notices(guardians, recipients)
            to_send.write({"notice_state": "sent", "guardian_notified_at": fields.Datetime.now()})
        with_leave.write({"notice_state": "leave"})
        no_guardian.write({"notice_state": "no_guardian"})
        disabled.write({"notice_state": "disabled"})

    def _queue_notices(self, guardians, recipients):
        """Post each notice in the student's file with Odoo's ``message_post``: the e-mail
        to the guardians goes through mail's notification queue and the SMS through the SMS
        queue, so that the message shows each guardian's delivery, bounce or SMS error.
        Templates are rendered once for the whole batch; each posting then costs a fixed
        few queries (see ``test_notice_queries_per_notice``)."""
        email_template = self.env.ref("training_attendance.mail_template_absence_notice")
        sms_template = self.env.ref("training_attendance.sms_template_absence_notice")
        ids = self.ids
        subjects = email_template._render_field("subject", ids, compute_lang=True)
        bodies = email_template._render_field("body_html", ids, compute_lang=True)
        senders = email_template._render_field("email_from", ids)
        texts = sms_template._render_field("body", ids, compute_lang=True)
        students = self.student_id.sudo().with_prefetch()
        # computed once for all students, else message_post computes it message by message
        reply_tos = students._notify_get_reply_to(default=senders[ids[0]])
        for line in self:
            by_email, by_sms, _channels = recipients[line]
            students.browse(line.student_id.id)._training_post_family_notice(
                subjects[line.id],
                senders[line.id],
                body=bodies[line.id],
                email_partners=by_email,
                text=texts[line.id],
                sms_numbers={guardian.id: number for guardian, number in by_sms},
                reply_to=reply_tos[line.student_id.id],
            )
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    def _leave_reported(self):
        """Lines whose student has a submitted (not yet approved) leave covering them:
        the family told the school, so it is not told that the child is absent."""
        leaves = (
            self.env["training.leave.request"]
            .sudo()
            .search([("state", "=", "submitted"), ("student_id", "in", self.student_id.ids)])
        )
        reported = self.browse()
        for leave in leaves:
            reported |= self.filtered(
                lambda line, lv=leave: (
                    line.student_id == lv.student_id
                    and (
                        line.session_id in lv.session_ids
                        or (
                            lv.date_from
                            and lv.date_to
                            and lv.date_from <= line.session_id._local_date() <= lv.date_to
                        )
                    )
                )
            )
        return reported

    def _schedule_absence_followups(self):
        """Unexcused: an "absence call" for the counselor, due the day of the absence.
        Excused: a "leave follow-up" for the teacher, to talk progress with the family.
        On the campuses whose policy asks for them (``absence_followup_activities``)."""
        companies = self.env["training.policy"]._companies_with("absence_followup_activities")
        lines = self.sudo().filtered(
            lambda line: (
                not line.followup_scheduled
                and line.enrollment_id
                and line.company_id in companies
                and (line._is_unexcused() or line.status == "excused")
            )
        )
        if not lines:
            return
        call = self.env.ref(ABSENCE_CALL)
        followup = self.env.ref(LEAVE_FOLLOWUP)
        model = self.env["ir.model"]._get_id("training.enrollment")
        vals_list = []
        keys = {}
        for line in lines:
            session = line.session_id
            if line._is_unexcused():
                activity_type = call
                user = line.enrollment_id.counselor_id or line.student_id.counselor_id
                summary = self.env._(
                    "Call the family of %(student)s: absent from %(session)s",
                    student=line.student_id.name,
                    session=session.display_name,
                )
            else:
                activity_type = followup
                user = session.teacher_id
                summary = self.env._(
                    "Follow up with the family of %(student)s (leave, %(session)s)",
                    student=line.student_id.name,
                    session=session.display_name,
                )
            if not user:
                continue
            vals_list.append(
                {
                    "res_model_id": model,
                    "res_id": line.enrollment_id.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "summary": summary,
                    "date_deadline": session._local_date(),
                }
            )
            keys[(line.enrollment_id.id, activity_type.id, summary)] = line
        # the inbox is the notice: no e-mail per automatically scheduled activity
        activities = self.env["training.enrollment"]._create_followup_activities(vals_list)
        lines.write({"followup_scheduled": True})
        by_line = {}
        for activity in activities:
            line = keys.get((activity.res_id, activity.activity_type_id.id, activity.summary))
            if line:
                by_line[activity.id] = line
        for activity_id, line in by_line.items():
            line.followup_activity_id = activity_id

    @api.model
    def _cron_process_absences(self):
        """The follow-up job, started right after each validation (``ir.cron._trigger``)
        and daily as a backstop: first the sessions validated since its last run (guardian
        notices, absence calls, make-ups, escalation ladder, first-lesson follow-ups), then
        what is still to do on validated lines (a correction, a failure), a batch per call.
        Progress is reported, so that an interrupted run resumes; nobody is told twice."""
        Session = self.env["training.session"].sudo()
        pending = [("followup_pending", "=", True)]
        sessions = Session.search(pending, limit=SESSION_BATCH_SIZE, order="id")
        if sessions:
            sessions._run_validation_followups()
            done = len(sessions)
        else:
            lines = self.sudo().search(self._backstop_domain(), limit=NOTICE_BATCH_SIZE, order="id")
            lines._notify_guardians()
            lines._schedule_absence_followups()
            done = len(lines)
        remaining = Session.search_count(pending) + self.sudo().search_count(
            self._backstop_domain()
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _backstop_domain(self):
        """Validated lines still waiting for their notice or follow-up activity."""
        unexcused = ["|", ("status", "=", "absent"), ("absence_equivalent", ">", 0)]
        companies = self.env["training.policy"]._companies_with("absence_followup_activities")
        return [
            ("session_id.state", "=", "done"),
            ("session_id.followup_pending", "=", False),
            "|",
            "&",
            ("notice_state", "=", False),
            *unexcused,
            "&",
            "&",
            "&",
            ("followup_scheduled", "=", False),
            ("enrollment_id", "!=", False),
            ("company_id", "in", companies.ids),
            "|",
            ("status", "=", "excused"),
            *unexcused,
        ]


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _training_post_family_notice(
        self,
        subject,
        email_from,
        body=None,
        email_partners=None,
        text=None,
        sms_numbers=None,
        reply_to=None,
    ):
        """Post a notice to a family in this contact's file (a student's, or a guardian's):
        ``body`` by e-mail to ``email_partners`` through mail's queue, ``text`` by SMS to
        ``sms_numbers`` (``{partner id: number}``) through the SMS queue; each is a message
        of its own with Odoo's notifications, so that it shows its delivery status (a bounce,
        an SMS error)."""
        self.ensure_one()
        record = self.with_context(
            mail_notify_force_send=False, mail_create_nosubscribe=True, mail_post_autofollow=False
        )
        if email_partners:
            record.message_post(
                body=body,
                subject=subject,
                email_from=email_from,
                partner_ids=email_partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                email_layout_xmlid="mail.mail_notification_light",
                **({"reply_to": reply_to} if reply_to else {}),
            )
        if sms_numbers:
            record._message_sms(
                text,
                partner_ids=list(sms_numbers),
                sms_pid_to_number=sms_numbers,
                subject=subject,
                put_in_queue=True,
            )
