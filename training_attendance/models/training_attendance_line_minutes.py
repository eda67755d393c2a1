from odoo import models
from odoo.exceptions import UserError

MINUTE_FIELDS = ("late_minutes", "left_early_minutes")


class TrainingAttendanceLine(models.Model):
    _inherit = "training.attendance.line"  # pylint: disable=consider-merging-classes-inherited

    def action_set_minutes(self, fname, minutes):
        """Issue #17: the minutes typed on the teacher's phone card, saved at once. The
        same checks as every write (session open, the teacher's own, minutes neither
        negative nor above the session's length); minutes mean the student came."""
        if fname not in MINUTE_FIELDS:
            raise UserError(self.env._("Only the minutes late or left early are typed here."))
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float, str)):
            minutes = None
        try:
            minutes = int(minutes or 0) if minutes is not None else None
        except ValueError:
            minutes = None
        if minutes is None:
            raise UserError(self.env._("Type the minutes as a whole number."))
        vals = {fname: minutes}
        if minutes:
            vals["status"] = "present"
        return self._mark(vals)
