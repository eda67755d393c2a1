import base64

import babel

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.mimetypes import guess_mimetype

# what a guardian may upload as a medical certificate: scans and photos
CERTIFICATE_MIMETYPES = ("application/pdf", "image/jpeg", "image/png", "image/heic", "image/webp")


class TrainingPolicy(models.Model):
    """What the guardian portal accepts (SPEC §9, issue #13)."""

    _inherit = "training.policy"  # pylint: disable=consider-merging-classes-inherited

    portal_upload_max_mb = fields.Integer(
        string="Portal upload limit (MB)",
        default=10,
        required=True,
        tracking=True,
        help="Largest file a guardian may upload from the portal (a medical certificate).",
    )

    @api.constrains("portal_upload_max_mb")
    def _check_portal_upload_max_mb(self):
        if any(not 1 <= policy.portal_upload_max_mb <= 100 for policy in self):
            raise ValidationError(self.env._("The portal upload limit is between 1 and 100 MB."))


class ResPartner(models.Model):
    """The guardian's view of the family: every read of the portal goes through these
    methods, which read with ``sudo()`` strictly below the students linked to the
    current user's own partner (``training.guardian.link``). Portal users have no access
    right on the addon's models, so no other door (JSON-RPC, ``/web/content``) opens."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _training_portal_children(self):
        """The students of the current user's partner as guardian (sudo records)."""
        user = self.env.user
        if user._is_public():
            return self.sudo().browse()
        links = (
            self.env["training.guardian.link"]
            .sudo()
            .search([("guardian_id", "=", user.partner_id.id)])
        )
        return links.student_id.filtered("active")

    @api.model
    def _training_portal_child(self, student_id):
        """The student ``student_id`` if it is one of the current user's children, else
        an empty recordset (the controller answers 404)."""
        children = self._training_portal_children()
        return children.filtered(lambda child: child.id == student_id)

    def _training_portal_values(self):
        """What the guardian sees of one child (``self``, from
        ``_training_portal_children``): no health notes, no staff notes, no chatter."""
        self.ensure_one()
        child = self.sudo()
        company = child.company_id or self.env.company
        now = fields.Datetime.now()
        enrollments = (
            self.env["training.enrollment"]
            .sudo()
            .search([("student_id", "=", child.id), ("state", "!=", "draft")])
        )
        sessions = (
            self.env["training.session"]
            .sudo()
            .search(
                [
                    ("class_id", "in", enrollments.class_id.ids),
                    ("state", "!=", "cancelled"),
                    ("start", ">=", now),
                ],
                order="start",
                limit=40,
            )
        )
        upcoming = sessions.filtered(
            lambda s: any(e._attends(s.class_id, s._local_date()) for e in enrollments)
        )[:10]
        lines = (
            self.env["training.attendance.line"]
            .sudo()
            .search(
                [("student_id", "=", child.id), ("session_id.state", "=", "done")],
                order="session_start desc",
                limit=30,
            )
        )
        makeups = (
            self.env["training.makeup"]
            .sudo()
            .search(
                [("student_id", "=", child.id), ("state", "not in", ("cancelled",))],
                order="id desc",
                limit=20,
            )
        )
        plans = (
            self.env["training.student.plan"]
            .sudo()
            .search(
                [("student_id", "=", child.id), ("state", "=", "delivered")],
                order="delivered_on desc, id desc",
                limit=20,
            )
        )
        leaves = (
            self.env["training.leave.request"]
            .sudo()
            .search([("student_id", "=", child.id), ("state", "!=", "draft")], limit=30)
        )
        return {
            "child": child,
            "company": company,
            "tz": company._training_tz().zone,
            "enrollments": enrollments,
            "upcoming_sessions": upcoming,
            "attendance_lines": lines,
            "makeups": makeups,
            "plans": plans,
            "leaves": leaves,
            "formats": self._training_portal_date_formats(),
        }

    @api.model
    def _training_portal_date_formats(self):
        """Date patterns of the portal's lists in the reader's language: "Mon, Nov 30
        18:30" in English, "11月30日周一 18:30" in Chinese (CLDR skeletons, not one
        pattern for all languages)."""
        skeletons = babel.Locale.parse(self.env.lang or "en_US").datetime_skeletons
        day, weekday = skeletons["MMMd"].pattern, skeletons["MMMEd"].pattern
        return {"day": day, "day_time": f"{day} HH:mm", "weekday_time": f"{weekday} HH:mm"}

    def _training_portal_file_leave(self, values, upload=None):
        """File and submit a leave for the child ``self`` from the portal: the desk's
        rules (``training.leave.request.action_submit``) decide. ``values``: leave_type,
        date_from, date_to, reason (strings from the form); ``upload``: the certificate
        as (filename, mimetype, bytes) or None. Returns the submitted request; raises
        ``UserError``/``ValidationError`` and creates nothing on bad input."""
        self.ensure_one()
        if self not in self._training_portal_children():
            raise AccessError(self.env._("This student is not one of your children."))
        child = self.sudo()
        env = self.env
        errors = self._training_portal_leave_errors(values, upload)
        if errors:
            raise ValidationError("\n".join(errors.values()))
        vals = {
            "student_id": child.id,
            "company_id": (child.company_id or env.company).id,
            "leave_type": values["leave_type"],
            "date_from": fields.Date.to_date(values["date_from"]),
            "date_to": fields.Date.to_date(values["date_to"]),
            "reason": values["reason"].strip(),
        }
        with env.cr.savepoint():
            if upload:
                filename, __, data = upload
                attachment = (
                    env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": filename,
                            "mimetype": guess_mimetype(data),
                            "datas": base64.b64encode(data),
                            "res_model": "training.leave.request",
                        }
                    )
                )
                vals["attachment_ids"] = [Command.set(attachment.ids)]
            request = (
                env["training.leave.request"]
                .sudo()
                .with_context(mail_create_nosubscribe=True)
                .create(vals)
            )
            request.message_post(
                body=env._("Filed online by %(guardian)s.", guardian=env.user.partner_id.name),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            request.action_submit()
        return request

    def _training_portal_leave_errors(self, values, upload):
        """``{field: message}`` of the form's errors, shown next to each field."""
        self.ensure_one()
        env = self.env
        errors = {}
        policy = env["training.policy"]._get_for_company(self.sudo().company_id or env.company)
        types = dict(env["training.leave.request"]._fields["leave_type"].selection)
        if values.get("leave_type") not in types:
            errors["leave_type"] = env._("Choose the type of leave.")
        dates = {}
        for name in ("date_from", "date_to"):
            try:
                dates[name] = fields.Date.to_date(values.get(name) or None)
            except ValueError:
                dates[name] = None
            if not dates[name]:
                errors[name] = env._("Enter a valid date.")
        if (
            dates.get("date_from")
            and dates.get("date_to")
            and dates["date_to"] < dates["date_from"]
        ):
            errors["date_to"] = env._("The leave ends before it starts.")
        if not (values.get("reason") or "").strip():
            errors["reason"] = env._("Write the reason of the leave.")
        if upload:
            data = upload[2]
            if guess_mimetype(data) not in CERTIFICATE_MIMETYPES:
                errors["certificate"] = env._("Upload a PDF or a photo (JPEG, PNG).")
            elif len(data) > policy.portal_upload_max_mb * 1024 * 1024:
                errors["certificate"] = env._(
                    "The file is larger than %(size)s MB.", size=policy.portal_upload_max_mb
                )
        elif values.get("leave_type") == "sick":
            errors["certificate"] = env._(
                "A sick leave needs the medical certificate: attach it to submit."
            )
        return errors
