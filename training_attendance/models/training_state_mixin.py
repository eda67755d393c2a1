import math
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# The key that the addon's own actions put in the context to write guarded fields. Its
# value is this object, which no JSON-RPC request can produce: a client that sends the key
# with any value is refused like one that does not send it.
GUARD_KEY = "training_guarded_write"
_GUARD = object()


NUMBER_BOUND = 1e9  # no number of the addon (hours, prices, minutes) comes near
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)


def check_values(records, vals_list, fnames=None):
    """SPEC §9, bad input: numbers finite and within their bounds, dates within
    1900-2199, values of the field's type; else a ValidationError naming the field,
    before anything is written (never a raw ValueError or OverflowError).

    ``records._value_bounds`` maps a field to its ``(min, max)``."""
    bounds = getattr(records, "_value_bounds", {})
    for vals in vals_list:
        for fname, value in vals.items():
            field = records._fields.get(fname)
            if field is None or (fnames is not None and fname not in fnames):
                continue
            label = field._description_string(records.env)
            if field.type in ("float", "monetary", "integer") and value is not False:
                low, high = bounds.get(fname, (-NUMBER_BOUND, NUMBER_BOUND))
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    raise ValidationError(
                        records.env._("%(field)s must be a number.", field=label)
                    ) from None
                if not math.isfinite(number) or not low <= number <= high:
                    low_text, high_text = f"{low:g}", f"{high:g}"
                    raise ValidationError(
                        records.env._(
                            "%(field)s must be between %(low)s and %(high)s.",
                            field=label,
                            low=low_text,
                            high=high_text,
                        )
                    )
            elif field.type in ("date", "datetime") and value:
                try:
                    day = field.to_date(value) if field.type == "date" else field.to_datetime(value)
                except (TypeError, ValueError, OverflowError):
                    raise ValidationError(
                        records.env._("%(field)s must be a date.", field=label)
                    ) from None
                day = day.date() if isinstance(day, datetime) else day
                if not DATE_MIN <= day <= DATE_MAX:
                    raise ValidationError(
                        records.env._(
                            "%(field)s must be between %(low)s and %(high)s.",
                            field=label,
                            low=DATE_MIN,
                            high=DATE_MAX,
                        )
                    )


class TrainingValueMixin(models.AbstractModel):
    """Checks the values written to a model: numbers and dates (:func:`check_values`),
    and no write of what the addon computes or keeps: computed read-only fields (hours
    consumed and remaining, payment state, durations...) and ``_system_fields`` (notice
    and follow-up markers), but through ``sudo()`` or the guarded actions."""

    _name = "training.value.mixin"
    _description = "Training Value Checks"
    _value_bounds = {}
    _system_fields = ()

    def _check_system_fields(self, vals_list):
        if self.env.su or self.env.context.get(GUARD_KEY) is _GUARD:
            return
        for vals in vals_list:
            kept = [
                fname
                for fname in vals
                if fname in self._fields
                and (
                    fname in self._system_fields
                    or (self._fields[fname].compute and self._fields[fname].readonly)
                )
            ]
            if kept:
                raise UserError(
                    self.env._(
                        "%(fields)s of %(model)s are computed or kept by the addon: they "
                        "cannot be written.",
                        fields=", ".join(
                            self._fields[f]._description_string(self.env) for f in kept
                        ),
                        model=self._description,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        check_values(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        check_values(self, [vals])
        return super().write(vals)


class TrainingStateMixin(models.AbstractModel):
    """Guard of the workflow documents (SPEC §9: every rule holds on the server).

    A model declares once, in ``_protected_fields``, the fields that record its workflow
    (``state``, who approved or signed and when, locks). They change only through the
    model's ``action_*`` methods, which do their checks and then write with
    ``_guarded_write()``; a plain ``write()`` or ``create()`` of those fields, whatever the
    caller's access rights (the web client, JSON-RPC, an import), is refused with a clear
    error and changes nothing, as Odoo's ``hr.leave`` and ``account.move`` do. ``sudo()``
    inside the addon's own code passes. At create, ``state`` may only be the default.

    ``_locked_states`` / ``_locked_free_fields``: in those states the whole record is
    frozen, but for the free fields (notes, chatter) and the guarded actions.
    """

    _name = "training.state.mixin"
    _inherit = "training.value.mixin"
    _description = "Training State Guard"

    _protected_fields = ("state",)
    _locked_states = ()
    _locked_free_fields = ()

    # ------------------------------------------------------------------ guard
    def _is_guarded_call(self):
        return self.env.su or self.env.context.get(GUARD_KEY) is _GUARD

    def _guarded(self):
        """``self`` allowed to write its protected fields: for the addon's actions only."""
        return self.with_context(**{GUARD_KEY: _GUARD})

    def _guarded_write(self, vals):
        return self._guarded().write(vals)

    def _unguarded(self):
        """``self`` without the guard key, so that what a write triggers (other models,
        automated rules) does not inherit it."""
        if GUARD_KEY not in self.env.context:
            return self
        # a key is removed, so the whole context is replaced on purpose
        return self.with_context(  # pylint: disable=context-overridden
            {key: value for key, value in self.env.context.items() if key != GUARD_KEY}
        )

    def _guard_error(self, fnames):
        labels = ", ".join(self._fields[f]._description_string(self.env) for f in fnames)
        return UserError(
            self.env._(
                "%(fields)s of %(model)s change only through its workflow buttons "
                "(submit, approve, validate, ...), not by editing the record.",
                fields=labels,
                model=self._description,
            )
        )

    def _check_protected_create(self, vals_list):
        """At create, protected fields keep their default: a document is born a draft."""
        defaults = self.default_get(["state"]) if "state" in self._fields else {}
        for vals in vals_list:
            forged = [
                fname
                for fname in self._protected_fields
                if vals.get(fname) and not (fname == "state" and vals[fname] == defaults.get(fname))
            ]
            if forged:
                raise self._guard_error(forged)

    def _check_protected_write(self, vals):
        forged = [fname for fname in self._protected_fields if fname in vals]
        if forged:
            self.check_access("write")  # who may not write at all hears so first
            raise self._guard_error(forged)
        if self._locked_states:
            locked = self.filtered(lambda record: record.state in self._locked_states)
            frozen = [
                fname
                for fname in vals
                if fname not in self._locked_free_fields
                and not fname.startswith(("message_", "activity_"))
            ]
            if locked and frozen:
                self.check_access("write")
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s and locked: %(fields)s can no longer change.",
                        name=locked[0].display_name,
                        state=states[locked[0].state],
                        fields=", ".join(
                            self._fields[f]._description_string(self.env)
                            for f in frozen
                            if f in self._fields
                        ),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if self._is_guarded_call():
            return super(TrainingStateMixin, self._unguarded()).create(vals_list)
        # ``default_state`` & co. from the caller's context are dropped, then the values
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (key.startswith("default_") and key[8:] in self._protected_fields)
        }
        clean = self.with_context(context)  # pylint: disable=context-overridden
        clean._check_protected_create(vals_list)
        return super(TrainingStateMixin, clean).create(vals_list)

    def write(self, vals):
        if self._is_guarded_call():
            return super(TrainingStateMixin, self._unguarded()).write(vals)
        self._check_protected_write(vals)
        return super().write(vals)

    def _check_state(self, allowed, action_label):
        """Raise a clear error, changing nothing, if a record is not in ``allowed``."""
        wrong = self.filtered(lambda record: record.state not in allowed)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(action)s is not possible: %(name)s is %(state)s.",
                    action=action_label,
                    name=wrong[0].display_name,
                    state=states[wrong[0].state],
                )
            )


class TrainingAttachmentMixin(models.AbstractModel):
    """Documents that carry a family's paper (written application, medical certificate,
    signed letter) in a many2many of attachments.

    A file uploaded in the form before the record is saved belongs to nobody (res_id 0),
    and only its uploader can read it: on save it is given to the record, so that every
    approver sees it.
    """

    _name = "training.attachment.mixin"
    _description = "Training Document Attachments"
    _attachment_field = "attachment_ids"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._link_attachments()
        return records

    def write(self, vals):
        res = super().write(vals)
        if self._attachment_field in vals:
            self._link_attachments()
        return res

    def _link_attachments(self):
        """A field with ``groups`` (a medical certificate) links its files to itself
        (``res_field``): Odoo then lets only those groups read them, whatever the
        reader's access to the record."""
        field = self._fields[self._attachment_field]
        vals = {"res_model": self._name, "res_field": field.name if field.groups else False}
        for record in self.sudo():
            record[self._attachment_field].filtered(lambda a: not a.res_id).write(
                dict(vals, res_id=record.id)
            )


class TrainingEnrollmentDocumentMixin(models.AbstractModel):
    """A document about one enrolment (escalation step, cause analysis, plan, refund
    request, retention case): its student, class and campus are the enrolment's, stored
    for searching, grouping and record rules."""

    _name = "training.enrollment.document.mixin"
    _description = "Document of an enrolment"

    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    student_id = fields.Many2one(related="enrollment_id.student_id", store=True, index=True)
    class_id = fields.Many2one(related="enrollment_id.class_id", store=True, index=True)
    company_id = fields.Many2one(
        related="enrollment_id.company_id", string="Campus", store=True, index=True
    )
