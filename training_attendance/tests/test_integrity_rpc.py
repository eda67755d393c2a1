"""A few of the bypasses of test_integrity, through the door the web client uses:
JSON-RPC ``/web/dataset/call_kw`` with a logged-in user's session."""

import json
from datetime import date

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import TrainingCase, validate_and_follow

REFUSED = (
    "odoo.exceptions.UserError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.ValidationError",
)


@tagged("post_install", "-at_install")
class TestIntegrityRpc(TrainingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.teacher, cls.counselor, cls.clerk):
            user.password = f"{user.login}-pw"
        with freeze_time("2026-10-07 18:10:00"):
            cls.sheet = cls._session(date(2026, 10, 7))
            cls.sheet.with_user(cls.teacher).action_open()
            cls.sheet.attendance_line_ids[0].with_user(cls.teacher).action_set_absent()
            cls.sheet.with_user(cls.teacher).action_mark_rest_present()
            validate_and_follow(cls.sheet.with_user(cls.teacher))

    def _rpc(self, user, model, method, args, kwargs=None):
        """The web client's request; the decoded JSON-RPC answer."""
        self.authenticate(user.login, f"{user.login}-pw")
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
        response.raise_for_status()
        return response.json()

    def _call(self, user, model, method, args, kwargs=None):
        answer = self._rpc(user, model, method, args, kwargs)
        self.assertNotIn("error", answer)
        return answer["result"]

    def _refused(self, user, model, method, args, kwargs=None, message=""):
        answer = self._rpc(user, model, method, args, kwargs)
        self.assertIn("error", answer, f"{model}.{method} by {user.login} went through")
        error = answer["error"]["data"]
        self.assertIn(error["name"], REFUSED)
        self.assertIn(message, error["message"])

    def test_rpc_cannot_reopen_or_resign_a_validated_session(self):
        ids = self.sheet.ids
        self._refused(
            self.teacher,
            "training.session",
            "write",
            [ids, {"state": "open"}],
            message="change only through its workflow buttons",
        )
        self._refused(
            self.teacher,
            "training.session",
            "write",
            [ids, {"validated_by_id": self.teacher2.id}],
            message="change only through its workflow buttons",
        )
        self._refused(self.teacher, "training.session", "write", [ids, {"stop": "2026-10-08"}])
        # a context key sent by the client is no way round the guard
        self._refused(
            self.clerk,
            "training.session",
            "write",
            [ids, {"state": "open"}],
            {"context": {"training_guarded_write": True}},
            message="change only through its workflow buttons",
        )
        self.sheet.invalidate_recordset()
        self.assertEqual(self.sheet.state, "done")
        self.assertEqual(self.sheet.validated_by_id, self.teacher)
        self.assertEqual(self.sheet.duration, 2.0)

    def test_rpc_counselor_cannot_give_free_hours_or_forge_history(self):
        enrollment = self.enrollments[0]
        self._refused(
            self.counselor,
            "training.enrollment",
            "write",
            [enrollment.ids, {"hours_purchased": 600}],
            message="hours and price",
        )
        self._refused(
            self.counselor,
            "training.enrollment.event",
            "create",
            [{"enrollment_id": enrollment.id, "kind": "resume", "date": "2020-01-01"}],
        )
        draft = self.env["training.enrollment"].create(
            {"student_id": self._students(1, "Draft").id, "class_id": self.klass.id}
        )
        for value in ("NaN", "Infinity", 1e308):
            self._refused(
                self.counselor,
                "training.enrollment",
                "write",
                [draft.ids, {"hours_purchased": value}],
                message="Hours purchased must be between 0 and 10000",
            )
        # the list of the counselor's enrolments still loads: finite numbers only
        self.assertEqual(
            self._call(
                self.counselor, "training.enrollment", "read", [draft.ids, ["hours_purchased"]]
            )[0]["hours_purchased"],
            0.0,
        )
        enrollment.invalidate_recordset()
        self.assertEqual(enrollment.hours_purchased, 40.0)
        self.assertNotIn("resume", enrollment.event_ids.mapped("kind"), "no forged history")

    def test_rpc_teacher_reads_no_amounts(self):
        self._refused(
            self.teacher,
            "training.enrollment",
            "read",
            [self.enrollments.ids, ["price_unit"]],
        )
        values = self._call(
            self.teacher, "training.enrollment", "read", [self.enrollments.ids, ["hours_remaining"]]
        )
        self.assertEqual(len(values), 3)

    def test_rpc_teacher_cannot_download_a_medical_certificate(self):
        leave = self.env["training.leave.request"].create(
            {
                "student_id": self.students[0].id,
                "leave_type": "sick",
                "reason": "Flu",
                "session_ids": [(6, 0, self.sheet.ids)],
            }
        )
        certificate = self.env["ir.attachment"].create(
            {"name": "diagnosis.pdf", "raw": b"%PDF flu", "res_model": "training.leave.request"}
        )
        leave.write({"attachment_ids": [(6, 0, certificate.ids)]})
        self.authenticate(self.teacher.login, f"{self.teacher.login}-pw")
        response = self.url_open(f"/web/content/{certificate.id}?download=true")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(b"flu", response.content)
        self._refused(self.teacher, "ir.attachment", "read", [certificate.ids, ["raw", "name"]])
        self.authenticate(self.counselor.login, f"{self.counselor.login}-pw")
        response = self.url_open(f"/web/content/{certificate.id}?download=true")
        self.assertEqual((response.status_code, response.content), (200, b"%PDF flu"))
