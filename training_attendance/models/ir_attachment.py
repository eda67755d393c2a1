from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _training_hidden_fields(self):
        """``(model, field)`` of the addon's file fields that the user may not read: a
        medical certificate is read like the health notes, the daily report by clerks."""
        hidden = []
        for name in self.env.registry:
            if not name.startswith("training."):
                continue
            for field in self.env[name]._fields.values():
                if (
                    field.groups
                    and (field.type == "binary" or field.comodel_name == "ir.attachment")
                    and not field.is_accessible(self.env)
                ):
                    hidden.append((name, field.name))
        return hidden

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Odoo hides the files of fields (res_field) unless the domain names id or
        # res_field, and then reads them with the access of their record only: the
        # field's groups are added here.
        if (
            not self.env.su
            and not self.env.is_system()
            and any(
                isinstance(term, (list, tuple)) and term[0] in ("id", "res_field")
                for term in domain
            )
        ):
            for model, fname in self._training_hidden_fields():
                domain = expression.AND(
                    [domain, ["|", ("res_model", "!=", model), ("res_field", "!=", fname)]]
                )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _check_access(self, operation):
        """Downloads (``/web/content``) check the record only: the addon's files are
        checked as Odoo's ``check()`` says, with the groups of the field holding them."""
        result = super()._check_access(operation)
        if result or operation != "read" or self.env.su or not self._ids:
            return result
        ours = self.sudo().filtered(lambda a: (a.res_model or "").startswith("training."))
        if not ours:
            return None
        try:
            ours.with_env(self.env).check("read")
        except AccessError as error:
            denied = error
            return ours.with_env(self.env), lambda: denied
        return None
