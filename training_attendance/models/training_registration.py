import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.mimetypes import guess_mimetype

from .res_partner import HEALTH_GROUPS
from .training_portal import CERTIFICATE_MIMETYPES

try:
    import phonenumbers
except ImportError:  # pragma: no cover - the plain check below is used instead
    phonenumbers = None

REVIEW_GROUPS = "training_attendance.group_attendance_clerk"
RELATIONSHIPS = [
    ("mother", "Mother"),
    ("father", "Father"),
    ("grandparent", "Grandparent"),
    ("relative", "Other relative"),
    ("other", "Other"),
]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# the form's fields: required ones first
REQUIRED_FIELDS = (
    "student_name",
    "gender",
    "birthdate",
    "street",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "emergency_name",
    "emergency_phone",
)
FORM_FIELDS = REQUIRED_FIELDS + (
    "city",
    "guardian_email",
    "guardian2_name",
    "guardian2_relationship",
    "guardian2_phone",
    "health_notes",
    "special_needs",
    "class_id",
)


class TrainingPolicy(models.Model):
    """Online registration (SPEC §2, seed 004)."""

    _inherit = "training.policy"  # pylint: disable=consider-merging-classes-inherited

    registration_min_age = fields.Integer(
        string="Registration: minimum age",
        default=3,
        required=True,
        tracking=True,
        help="A birth date giving a younger child is refused by the registration form.",
    )
    registration_max_age = fields.Integer(
        string="Registration: maximum age",
        default=18,
        required=True,
        tracking=True,
        help="A birth date giving an older student is refused by the registration form.",
    )
    registration_max_files = fields.Integer(
        string="Registration: files per submission",
        default=3,
        required=True,
        tracking=True,
        help="Documents (PDF or photos) a family may attach to the registration form; each "
        "within the portal upload limit.",
    )
    registration_rate_limit = fields.Integer(
        string="Registrations per address and hour",
        default=5,
        required=True,
        tracking=True,
        help="Submissions of the public form accepted from one network address in one "
        "hour; the next ones are rejected and only logged.",
    )

    @api.constrains("registration_min_age", "registration_max_age", "registration_rate_limit")
    def _check_registration_bounds(self):
        for policy in self:
            if not 0 <= policy.registration_min_age <= policy.registration_max_age <= 100:
                raise ValidationError(
                    self.env._("The registration ages are between 0 and 100, minimum first.")
                )
            if not 0 <= policy.registration_max_files <= 20:
                raise ValidationError(
                    self.env._("The registration files per submission are between 0 and 20.")
                )
            if not 1 <= policy.registration_rate_limit <= 1000:
                raise ValidationError(
                    self.env._("The registration rate limit is between 1 and 1000.")
                )


class TrainingRegistrationAttempt(models.Model):
    """One submission of the public form: the rate limit counts them; a rejected one
    (honeypot, rate limit) is all that a bot leaves behind."""

    _name = "training.registration.attempt"
    _description = "Registration Attempt"
    _order = "id desc"

    ip_address = fields.Char(string="Address", required=True, index=True)
    company_id = fields.Many2one(comodel_name="res.company", string="Campus", index=True)
    result = fields.Selection(
        selection=[
            ("accepted", "Accepted"),
            ("invalid", "Invalid input"),
            ("honeypot", "Honeypot filled"),
            ("rate_limit", "Rate limit"),
        ],
        required=True,
    )

    @api.model
    def _is_rate_limited(self, ip_address, company):
        policy = self.env["training.policy"].sudo()._get_for_company(company)
        since = fields.Datetime.now() - timedelta(hours=1)
        count = self.sudo().search_count(
            [("ip_address", "=", ip_address), ("create_date", ">=", since)]
        )
        return count >= policy.registration_rate_limit

    @api.autovacuum
    def _gc_old_attempts(self):
        self.sudo().search(
            [("create_date", "<", fields.Datetime.now() - timedelta(days=30))]
        ).unlink()


class TrainingRegistration(models.Model):
    """A family's registration from the public form (or the desk): an intake document
    like ``crm.lead``; nothing enters the address book before the review approves it."""

    _name = "training.registration"
    _description = "Registration"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "training.state.mixin",
        "training.attachment.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _protected_fields = ("state", "student_id", "enrollment_id", "reviewed_by_id")
    _locked_states = ("approved", "refused")

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        string="Status",
        selection=[
            ("submitted", "To review"),
            ("incomplete", "Waiting for the family"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="submitted",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    student_name = fields.Char(string="Student name", required=True, tracking=True)
    gender = fields.Selection(
        selection=[("female", "Female"), ("male", "Male"), ("other", "Other")]
    )
    birthdate = fields.Date(string="Birth date", tracking=True)
    street = fields.Char(string="Address")
    city = fields.Char()
    guardian_name = fields.Char(string="Guardian", tracking=True)
    guardian_relationship = fields.Selection(
        selection=RELATIONSHIPS, string="Relationship", default="mother"
    )
    guardian_phone = fields.Char(string="Guardian phone", tracking=True)
    guardian_email = fields.Char(string="Guardian e-mail", tracking=True)
    guardian2_name = fields.Char(string="Second guardian")
    guardian2_relationship = fields.Selection(
        selection=RELATIONSHIPS, string="Second guardian's relationship"
    )
    guardian2_phone = fields.Char(string="Second guardian's phone")
    emergency_name = fields.Char(string="Emergency contact")
    emergency_phone = fields.Char(string="Emergency phone")
    health_notes = fields.Text(
        string="Health condition", groups=HEALTH_GROUPS + "," + REVIEW_GROUPS
    )
    special_needs = fields.Text(string="Special needs", groups=HEALTH_GROUPS + "," + REVIEW_GROUPS)
    class_id = fields.Many2one(
        comodel_name="training.class",
        string="Class wished",
        check_company=True,
        ondelete="set null",
    )
    course_id = fields.Many2one(related="class_id.course_id")
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="training_registration_ir_attachment_rel",
        string="Documents",
        groups=HEALTH_GROUPS + "," + REVIEW_GROUPS,
        help="Attached by the family to the form (PDF or photos).",
    )
    # review (SPEC §2): the class administrator's checklist
    check_complete = fields.Boolean(string="Complete", tracking=True)
    check_contact = fields.Boolean(string="Contact valid", tracking=True)
    check_health = fields.Boolean(string="Health information complete", tracking=True)
    missing_info = fields.Text(
        string="Missing information",
        help="Sent to the family with the link back to the form.",
    )
    duplicate_student_id = fields.Many2one(
        comodel_name="res.partner",
        string="Existing student",
        compute="_compute_duplicates",
        help="A student of the campus with the same name and birth date: approval links it.",
    )
    duplicate_guardian_id = fields.Many2one(
        comodel_name="res.partner",
        string="Existing guardian",
        compute="_compute_duplicates",
        help="A guardian with the same phone: approval links the family to it.",
    )
    student_id = fields.Many2one(comodel_name="res.partner", readonly=True)
    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment", string="Enrolment", readonly=True
    )
    reviewed_by_id = fields.Many2one(comodel_name="res.users", string="Reviewed by", readonly=True)
    ip_address = fields.Char(string="Submitted from", readonly=True)

    # ------------------------------------------------------------------ computes
    @api.depends("student_name", "birthdate", "guardian_phone", "company_id")
    def _compute_duplicates(self):
        Partner = self.env["res.partner"].sudo()
        for registration in self:
            student = guardian = Partner
            if registration.student_name and registration.birthdate:
                student = Partner.search(
                    [
                        ("is_student", "=", True),
                        ("name", "=ilike", registration.student_name.strip()),
                        ("birthdate", "=", registration.birthdate),
                        ("company_id", "in", (registration.company_id.id, False)),
                    ],
                    limit=1,
                )
            phone = registration._normalized_phone(registration.guardian_phone)
            if phone:
                guardian = Partner.search(
                    [
                        ("is_guardian", "=", True),
                        "|",
                        ("phone_sanitized", "=", phone),
                        ("phone", "=", registration.guardian_phone),
                    ],
                    limit=1,
                )
            if not guardian and student:
                guardian = student.guardian_link_ids[:1].guardian_id
            registration.duplicate_student_id = student
            registration.duplicate_guardian_id = guardian

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for registration in self:
            registration.access_url = f"/training/registration/{registration.id}"
        return result

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("training.registration")
        return super().create(vals_list)

    def unlink(self):
        if any(registration.state == "approved" for registration in self):
            raise UserError(self.env._("An approved registration is kept."))
        return super().unlink()

    # ------------------------------------------------------------------ validation
    def _normalized_phone(self, number):
        """``number`` in E.164 for the campus's country, or False."""
        number = (number or "").strip()
        if not number:
            return False
        country = (self.company_id or self.env.company).sudo().country_id.code or None
        if phonenumbers:
            try:
                parsed = phonenumbers.parse(number, country)
            except phonenumbers.NumberParseException:
                return False
            if not phonenumbers.is_valid_number(parsed):
                return False
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        digits = re.sub(r"[\s().-]", "", number)
        return digits if re.fullmatch(r"\+?\d{7,15}", digits) else False

    @api.model
    def _form_errors(self, values, company):
        """``{field: message}`` of the registration form (shown next to each field)."""
        env = self.env
        errors = {}
        labels = {name: self._fields[name]._description_string(env) for name in FORM_FIELDS}
        for name in REQUIRED_FIELDS:
            if not (values.get(name) or "").strip():
                errors[name] = env._("%(field)s is required.", field=labels[name])
        record = self.new({"company_id": company.id})
        for name in ("guardian_phone", "guardian2_phone", "emergency_phone"):
            if values.get(name) and not record._normalized_phone(values[name]):
                errors[name] = env._(
                    "Enter a valid phone number for %(country)s.",
                    country=company.country_id.name or env._("the campus's country"),
                )
        if values.get("guardian_email") and not EMAIL_RE.match(values["guardian_email"].strip()):
            errors["guardian_email"] = env._("Enter a valid e-mail address.")
        for name, selection in (
            ("gender", self._fields["gender"].selection),
            ("guardian_relationship", RELATIONSHIPS),
            ("guardian2_relationship", RELATIONSHIPS),
        ):
            if values.get(name) and values[name] not in dict(selection):
                errors[name] = env._("Choose a value from the list.")
        if values.get("birthdate") and "birthdate" not in errors:
            errors.update(self._birthdate_errors(values["birthdate"], company))
        if values.get("class_id"):
            klass = self._form_classes(company).filtered(
                lambda c: str(c.id) == str(values["class_id"])
            )
            if not klass:
                errors["class_id"] = env._("Choose a value from the list.")
        return errors

    @api.model
    def _birthdate_errors(self, value, company):
        env = self.env
        try:
            birthdate = fields.Date.to_date(value)
        except ValueError:
            birthdate = None
        if not birthdate:
            return {"birthdate": env._("Enter a valid date.")}
        policy = env["training.policy"].sudo()._get_for_company(company)
        today = company._training_today()
        if birthdate > today:
            return {"birthdate": env._("The birth date is in the future.")}
        age = relativedelta(today, birthdate).years
        if not policy.registration_min_age <= age <= policy.registration_max_age:
            return {
                "birthdate": env._(
                    "The student must be between %(low)s and %(high)s years old.",
                    low=policy.registration_min_age,
                    high=policy.registration_max_age,
                )
            }
        return {}

    @api.model
    def _form_classes(self, company):
        return (
            self.env["training.class"]
            .sudo()
            .search([("company_id", "in", (company.id, False))], order="name")
        )

    @api.model
    def _form_field_names(self):
        return FORM_FIELDS

    @api.model
    def _form_vals(self, values):
        vals = {}
        for name in FORM_FIELDS:
            value = (values.get(name) or "").strip()
            if name == "class_id":
                value = int(value) if value.isdigit() else False
            vals[name] = value or False
        return vals

    # ------------------------------------------------------------------ public form
    @api.model
    def _upload_errors(self, uploads, company):
        """``{"documents": message}`` if the files are too many, too large or not a PDF or
        a photo (checked on their content, not on their name)."""
        policy = self.env["training.policy"].sudo()._get_for_company(company)
        if len(uploads) > policy.registration_max_files:
            return {
                "documents": self.env._(
                    "Attach at most %(count)s files.", count=policy.registration_max_files
                )
            }
        for __, data in uploads:
            if guess_mimetype(data) not in CERTIFICATE_MIMETYPES:
                return {"documents": self.env._("Upload a PDF or a photo (JPEG, PNG).")}
            if len(data) > policy.portal_upload_max_mb * 1024 * 1024:
                return {
                    "documents": self.env._(
                        "The file is larger than %(size)s MB.", size=policy.portal_upload_max_mb
                    )
                }
        return {}

    @api.model
    def _submit_from_form(self, company, values, ip_address, token_record=None, uploads=()):
        """The public form's submission. Returns ``(registration, errors)``; creates or
        changes nothing when ``errors``. ``token_record``: the registration reopened with
        its access token (the family completes it)."""
        Attempt = self.env["training.registration.attempt"].sudo()
        if values.get("website_url"):  # the honeypot: no human fills a hidden field
            Attempt.create(
                {"ip_address": ip_address, "company_id": company.id, "result": "honeypot"}
            )
            return self.browse(), {}
        if Attempt._is_rate_limited(ip_address, company):
            Attempt.create(
                {"ip_address": ip_address, "company_id": company.id, "result": "rate_limit"}
            )
            return self.browse(), {
                "form": self.env._("Too many registrations from your network: try again later.")
            }
        errors = self._form_errors(values, company)
        errors.update(self._upload_errors(uploads, company))
        Attempt.create(
            {
                "ip_address": ip_address,
                "company_id": company.id,
                "result": "invalid" if errors else "accepted",
            }
        )
        if errors:
            return self.browse(), errors
        vals = self._form_vals(values)
        if uploads:
            attachments = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    [
                        {
                            "name": name,
                            "raw": data,
                            "mimetype": guess_mimetype(data),
                            "res_model": self._name,
                        }
                        for name, data in uploads
                    ]
                )
            )
            vals["attachment_ids"] = [Command.link(a.id) for a in attachments]
        if token_record:
            token_record = token_record.sudo()
            token_record._check_state(("incomplete",), self.env._("Completing the registration"))
            token_record.write(vals)
            token_record._guarded_write({"state": "submitted"})
            token_record.message_post(body=self.env._("The family completed the registration."))
            token_record._schedule_review()
            return token_record, {}
        registration = (
            self.sudo()
            .with_context(mail_create_nosubscribe=True)
            .create(dict(vals, company_id=company.id, ip_address=ip_address))
        )
        registration._send_template("training_attendance.mail_template_registration_ack")
        registration._schedule_review()
        return registration, {}

    def _send_template(self, xmlid):
        template = self.env.ref(xmlid)
        for registration in self.filtered("guardian_email"):
            template.sudo().send_mail(
                registration.id, email_layout_xmlid="mail.mail_notification_light"
            )

    def _schedule_review(self):
        for registration in self:
            reviewer = registration._reviewer()
            if reviewer:
                registration.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=reviewer.id,
                    summary=self.env._("Registration %(ref)s to review", ref=registration.name),
                )

    def _reviewer(self):
        """The campus's attendance clerk, as its policy names it (``_role_user``), else
        nobody: the registration then waits in the list of registrations to review."""
        self.ensure_one()
        policy = self.env["training.policy"].sudo()._get_for_company(self.company_id)
        try:
            return policy._role_user("attendance_clerk")
        except UserError:
            return self.env["res.users"]

    # ------------------------------------------------------------------ review
    def action_request_info(self):
        """Ask the family to complete: the e-mail lists what is missing and links back
        to the form, filled with what they gave (access token)."""
        self._check_state(("submitted",), self.env._("Asking the family to complete"))
        for registration in self:
            if not (registration.missing_info or "").strip():
                raise UserError(
                    self.env._(
                        "Write what is missing in %(ref)s before asking the family.",
                        ref=registration.name,
                    )
                )
            if not registration.guardian_email:
                raise UserError(
                    self.env._(
                        "%(ref)s has no e-mail address: call the family instead.",
                        ref=registration.name,
                    )
                )
        self._portal_ensure_token()
        self._guarded_write({"state": "incomplete"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        self._send_template("training_attendance.mail_template_registration_incomplete")
        return True

    def action_refuse(self):
        self._check_state(("submitted", "incomplete"), self.env._("Refusal"))
        self.activity_unlink(["mail.mail_activity_data_todo"])
        self._guarded_write({"state": "refused", "reviewed_by_id": self.env.user.id})
        return True

    def action_approve(self):
        """Create or link the student (with its number), the guardians and their links,
        the emergency contact, and the enrolment under review."""
        self._check_state(("submitted",), self.env._("Approval"))
        for registration in self:
            if not (
                registration.check_complete
                and registration.check_contact
                and registration.check_health
            ):
                raise UserError(
                    self.env._(
                        "Tick the review checklist of %(ref)s (complete, contact valid, "
                        "health information complete) before approving it.",
                        ref=registration.name,
                    )
                )
        for registration in self:
            registration._approve_one()
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def _approve_one(self):
        self.ensure_one()
        reg = self.sudo()
        Partner = self.env["res.partner"].sudo()
        company = reg.company_id
        student = reg.duplicate_student_id
        if not student:
            student = Partner.create(
                {
                    "name": reg.student_name,
                    "is_student": True,
                    "company_id": company.id,
                    "birthdate": reg.birthdate,
                    "gender": reg.gender,
                    "street": reg.street,
                    "city": reg.city,
                    "health_notes": reg.health_notes,
                    "special_needs": reg.special_needs,
                }
            )
        linked = student.guardian_link_ids.guardian_id
        guardian = (
            reg.duplicate_guardian_id or linked.filtered(lambda g: g.name == reg.guardian_name)[:1]
        )
        if not guardian:
            guardian = Partner.create(
                {
                    "name": reg.guardian_name,
                    "is_guardian": True,
                    "company_id": company.id,
                    "phone": reg._normalized_phone(reg.guardian_phone) or reg.guardian_phone,
                    "email": reg.guardian_email,
                    "street": reg.street,
                    "city": reg.city,
                }
            )
        links = [
            {
                "guardian": guardian,
                "relationship": reg.guardian_relationship or "other",
                "is_primary": not student.guardian_link_ids.filtered("is_primary"),
            }
        ]
        if reg.guardian2_name:
            second = linked.filtered(lambda g: g.name == reg.guardian2_name)[:1] or Partner.create(
                {
                    "name": reg.guardian2_name,
                    "is_guardian": True,
                    "company_id": company.id,
                    "phone": reg._normalized_phone(reg.guardian2_phone) or reg.guardian2_phone,
                }
            )
            links.append(
                {"guardian": second, "relationship": reg.guardian2_relationship or "other"}
            )
        emergency = (linked | guardian).filtered(lambda g: g.name == reg.emergency_name)[:1]
        if not emergency:
            emergency = Partner.create(
                {
                    "name": reg.emergency_name,
                    "company_id": company.id,
                    "phone": reg._normalized_phone(reg.emergency_phone) or reg.emergency_phone,
                }
            )
        links.append({"guardian": emergency, "relationship": "other", "emergency": True})
        existing = {link.guardian_id: link for link in student.guardian_link_ids}
        new_links = []
        for spec in links:
            link = existing.get(spec["guardian"])
            if link:
                if spec.get("emergency"):
                    link.is_emergency_contact = True
                continue
            existing[spec["guardian"]] = True
            new_links.append(
                Command.create(
                    {
                        "guardian_id": spec["guardian"].id,
                        "relationship": spec["relationship"],
                        "is_primary": spec.get("is_primary", False),
                        "is_emergency_contact": spec.get("emergency", False),
                        "receives_notifications": not spec.get("emergency"),
                        "pickup_allowed": not spec.get("emergency"),
                    }
                )
            )
        if new_links:
            student.write({"guardian_link_ids": new_links})
        vals = {"student_id": student.id}
        if reg.class_id:
            enrollment = (
                self.env["training.enrollment"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "student_id": student.id,
                        "class_id": reg.class_id.id,
                        "company_id": company.id,
                        "guardian_id": guardian.id,
                    }
                )
            )
            enrollment.action_submit()
            vals["enrollment_id"] = enrollment.id
        self._guarded_write(dict(vals, state="approved", reviewed_by_id=self.env.user.id))
        body = self.env._("Approved: %(student)s.", student=student.display_name)
        self.message_post(body=body)
