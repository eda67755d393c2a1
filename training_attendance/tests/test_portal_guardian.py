"""The guardian portal (#13): a portal user who is a guardian sees their own children
only, by page, by guessed URL and through JSON-RPC, and files leave requests online
under the desk's rules."""

import json
import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TrainingCase, validate_and_follow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
# 7 October 2026 is a Wednesday: the class meets on Wednesdays at 16:00 (UTC)
WEDNESDAY = date(2026, 10, 14)


@tagged("post_install", "-at_install")
class TestPortalGuardian(TrainingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "UTC"
        cls.child_a, cls.child_b = cls.students[0], cls.students[1]
        cls.parent_a = cls._portal_guardian("ta_parent_a", cls.child_a)
        cls.parent_b = cls._portal_guardian("ta_parent_b", cls.child_b)
        cls.Leave = cls.env["training.leave.request"]
        # a session well ahead of the real clock, for the pages served by the test server
        cls.future_day = fields.Date.today() + timedelta(days=15)
        cls.future = cls._session(cls.future_day)
        cls.leave_b = cls.Leave.create(
            {
                "student_id": cls.child_b.id,
                "leave_type": "personal",
                "reason": "Family B trip",
                "date_from": cls.future_day,
                "date_to": cls.future_day,
            }
        )
        cls.leave_b.action_submit()
        # a validated Wednesday lesson: child A absent (the guardians notified), B present
        with freeze_time("2026-10-07 18:10:00"):
            cls.sheet = cls._session(date(2026, 10, 7))
            cls.sheet.with_user(cls.teacher).action_open()
            cls.line_a = cls.sheet.attendance_line_ids.filtered(
                lambda line: line.student_id == cls.child_a
            )
            cls.line_a.with_user(cls.teacher).action_set_absent()
            cls.sheet.with_user(cls.teacher).action_mark_rest_present()
            validate_and_follow(cls.sheet.with_user(cls.teacher))

    @classmethod
    def _portal_guardian(cls, login, child):
        user = new_test_user(
            cls.env, login=login, groups="base.group_portal", password=f"{login}-pw"
        )
        cls.env["training.guardian.link"].create(
            {"student_id": child.id, "guardian_id": user.partner_id.id, "relationship": "mother"}
        )
        return user

    def _login(self, user):
        self.authenticate(user.login, f"{user.login}-pw")

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _rpc(self, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    # ------------------------------------------------------------------ pages
    def test_my_children_lists_own_children_only(self):
        self._login(self.parent_a)
        page = self.url_open("/my/children")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.child_a.name, page.text)
        self.assertNotIn(self.child_b.name, page.text)
        counters = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["training_children_count"]}}),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertEqual(counters["result"], {"training_children_count": 1})

    def test_child_page_shows_hours_sessions_and_leaves(self):
        self.child_a.health_notes = "Peanut allergy of child A"
        self._login(self.parent_a)
        page = self.url_open(f"/my/children/{self.child_a.id}")
        self.assertEqual(page.status_code, 200)
        enrollment = self.enrollments.filtered(lambda e: e.student_id == self.child_a)
        self.assertIn(enrollment.name, page.text)
        self.assertIn(self.klass.name, page.text)
        self.assertIn("R101", page.text)  # the room of the upcoming session
        self.assertNotIn("Peanut allergy", page.text)
        # the absence of 7 October and the notice the guardian received (English writes "Oct 7")
        self.assertIn("Absent", page.text)
        self.assertIn("Oct 7 18:10", page.text)
        self.assertNotIn("Family B trip", page.text)

    def test_another_familys_child_answers_404(self):
        self._login(self.parent_a)
        for url in (
            f"/my/children/{self.child_b.id}",
            f"/my/children/{self.child_b.id}/leave",
            f"/my/children/{self.teacher.partner_id.id}",
            "/my/children/999999999",
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        # a POST with a valid token of the guardian's session creates nothing either
        token = self._csrf(f"/my/children/{self.child_a.id}/leave")
        before = self.Leave.search_count([])
        response = self.url_open(
            f"/my/children/{self.child_b.id}/leave",
            data={
                "csrf_token": token,
                "leave_type": "personal",
                "date_from": str(self.future_day),
                "date_to": str(self.future_day),
                "reason": "Guessed URL",
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.Leave.search_count([]), before)

    def test_the_public_is_sent_to_the_login(self):
        response = self.url_open(f"/my/children/{self.child_a.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_json_rpc_reaches_no_training_record(self):
        self._login(self.parent_a)
        enrollment_b = self.enrollments.filtered(lambda e: e.student_id == self.child_b)
        for model, ids in (
            ("training.enrollment", enrollment_b.ids),
            ("training.leave.request", self.leave_b.ids),
            ("training.guardian.link", self.child_b.guardian_link_ids.ids),
            ("training.session", self.future.ids),
            ("training.attendance.line", self.sheet.attendance_line_ids.ids),
        ):
            for method, args in (("read", [ids, ["display_name"]]), ("search_read", [[]])):
                answer = self._rpc(model, method, args)
                self.assertIn("error", answer, f"{model}.{method} answered a portal user")
                self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        answer = self._rpc("res.partner", "read", [self.child_a.ids, ["health_notes"]])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")

    # ------------------------------------------------------------------ leave online
    def _post_leave(self, child, certificate=None, **fields_):
        token = self._csrf(f"/my/children/{child.id}/leave")
        data = {
            "csrf_token": token,
            "leave_type": "sick",
            "date_from": str(self.future_day),
            "date_to": str(self.future_day),
            "reason": "Fever",
            **fields_,
        }
        files = {"certificate": ("certificate.pdf", certificate, "application/pdf")}
        return self.url_open(
            f"/my/children/{child.id}/leave", data=data, files=files if certificate else None
        )

    def test_sick_leave_online_needs_the_certificate(self):
        self._login(self.parent_a)
        domain = [("student_id", "=", self.child_a.id)]
        page = self._post_leave(self.child_a, reason="")
        self.assertIn("Write the reason of the leave.", page.text)
        self.assertIn("A sick leave needs the medical certificate: attach it to submit.", page.text)
        page = self._post_leave(self.child_a, certificate=b"MZ not a certificate")
        self.assertIn("Upload a PDF or a photo (JPEG, PNG).", page.text)
        self.assertFalse(self.Leave.search(domain))

        page = self._post_leave(self.child_a, certificate=PDF)
        self.assertEqual(page.status_code, 200)
        leave = self.Leave.search(domain)
        self.assertEqual(leave.state, "submitted")
        self.assertEqual(leave.leave_type, "sick")
        self.assertEqual(leave.session_ids, self.future)
        self.assertFalse(leave.is_late)
        self.assertEqual(leave.create_uid, self.parent_a)
        self.assertEqual(leave.sudo().attachment_ids.mimetype, "application/pdf")
        self.assertEqual(leave.sudo().attachment_ids.res_id, leave.id)
        self.assertNotIn(self.parent_a.partner_id, leave.message_partner_ids)
        activity = leave.activity_ids
        self.assertEqual(activity.user_id, self.counselor)
        self.assertIn("Your leave request is submitted.", page.text)
        self.assertIn(leave.name, page.text)
        # the guardian sees the counselor's decision
        leave.with_user(self.counselor).refusal_reason = "Exam that day"
        leave.with_user(self.counselor).action_refuse()
        page = self.url_open(f"/my/children/{self.child_a.id}")
        self.assertIn("Refused", page.text)
        self.assertIn("Exam that day", page.text)
        # the certificate is read by staff only, not by its uploader's URL guessing
        attachment = leave.sudo().attachment_ids
        download = self.url_open(f"/web/content/{attachment.id}")
        self.assertIn(download.status_code, (403, 404))

    def test_leave_rules_of_the_desk_apply_online(self):
        """Notice in working days, the emergency window flagged late, then refused."""
        child = self.child_a.with_user(self.parent_a)
        self._session(WEDNESDAY, hour=9)  # the class's Wednesday lesson at 09:00 too
        vals = {
            "leave_type": "personal",
            "date_from": str(WEDNESDAY),
            "date_to": str(WEDNESDAY),
            "reason": "Dentist",
        }
        with freeze_time("2026-10-13 08:00:00"):  # Tuesday: one working day before
            on_time = child._training_portal_file_leave(vals)
        self.assertEqual((on_time.state, on_time.is_late), ("submitted", False))
        on_time.with_user(self.counselor).action_cancel()
        with freeze_time("2026-10-14 10:30:00"):  # 1 h 30 after the 09:00 start
            late = child._training_portal_file_leave(vals)
        self.assertEqual((late.state, late.is_late), ("submitted", True))
        late.with_user(self.counselor).action_cancel()
        count = self.Leave.search_count([])
        with (
            freeze_time("2026-10-14 11:30:00"),
            self.assertRaisesRegex(UserError, "Too late for"),
        ):
            child._training_portal_file_leave(vals)
        self.assertEqual(self.Leave.search_count([]), count)

    def test_leave_of_another_familys_child_is_refused_by_the_model(self):
        count = self.Leave.search_count([])
        with self.assertRaisesRegex(AccessError, "not one of your children"):
            self.child_b.with_user(self.parent_a)._training_portal_file_leave(
                {
                    "leave_type": "personal",
                    "date_from": str(self.future_day),
                    "date_to": str(self.future_day),
                    "reason": "x",
                }
            )
        with self.assertRaisesRegex(ValidationError, "The leave ends before it starts."):
            self.child_a.with_user(self.parent_a)._training_portal_file_leave(
                {
                    "leave_type": "personal",
                    "date_from": str(self.future_day),
                    "date_to": str(self.future_day - timedelta(days=1)),
                    "reason": "x",
                }
            )
        self.assertEqual(self.Leave.search_count([]), count)

    def test_absence_notice_links_to_the_childs_page(self):
        line = self.line_a
        self.assertEqual(line.notice_state, "sent")
        template = self.env.ref("training_attendance.mail_template_absence_notice")
        body = template._render_field("body_html", line.ids)[line.id]
        self.assertIn(f"/my/children/{self.child_a.id}", body)

    def test_portal_upload_limit_is_bounded(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        with self.assertRaisesRegex(ValidationError, "between 1 and 100 MB"):
            policy.portal_upload_max_mb = 0
        self.assertEqual(policy.portal_upload_max_mb, 10)
        # a file above the limit is refused next to the field
        errors = self.child_a.with_user(self.parent_a)._training_portal_leave_errors(
            {"leave_type": "sick", "date_from": "2026-10-14", "date_to": "2026-10-14"},
            ("big.pdf", "application/pdf", PDF + b"0" * (10 * 1024 * 1024)),
        )
        self.assertEqual(errors["certificate"], "The file is larger than 10 MB.")

    def test_grant_portal_access_opens_the_childs_page(self):
        """Staff use Odoo's standard "Grant portal access" on the guardian."""
        guardian = self.env["res.partner"].create(
            {"name": "Grandma C", "email": "grandma.c@example.com"}
        )
        self.env["training.guardian.link"].create(
            {
                "student_id": self.students[2].id,
                "guardian_id": guardian.id,
                "relationship": "grandparent",
            }
        )
        wizard = (
            self.env["portal.wizard"]
            .with_context(active_model="res.partner", active_ids=guardian.ids)
            .create({})
        )
        wizard.user_ids.action_grant_access()
        user = guardian.user_ids
        self.assertTrue(user.has_group("base.group_portal"))
        children = self.env["res.partner"].with_user(user)._training_portal_children()
        self.assertEqual(children, self.students[2])
