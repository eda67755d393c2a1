from odoo import models
from odoo.exceptions import UserError


class TrainingStateMixin(models.AbstractModel):
    """Guard for the ``action_*`` transitions of documents with a ``state`` field."""

    _name = "training.state.mixin"
    _description = "Training State Guard"

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
