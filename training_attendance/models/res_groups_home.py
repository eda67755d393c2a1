from odoo import api, models


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        if any(vals.get("users") for vals in vals_list):
            groups.users._training_set_home()
        return groups

    def write(self, vals):
        """Issue #17: a role granted (or taken back) from the group's Users tab moves the
        users' home too, as it does from the user's form (``res.users.write``). The users
        of the group before and after, with those of the groups it implies (Odoo adds them
        in SQL), are set once."""
        if not ({"users", "implied_ids"} & set(vals)):
            return super().write(vals)
        before = self.users
        res = super().write(vals)
        self.env["res.users"].invalidate_model(["groups_id"])
        (before | self.users)._training_set_home()
        return res
