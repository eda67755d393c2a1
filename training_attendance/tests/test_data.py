from lxml import etree

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

# what an administrator tunes: a module update must not reset it
TUNED_MODELS = {
    "ir.cron",
    "mail.activity.type",
    "mail.template",
    "sms.template",
    "base.automation",
    "ir.actions.server",
}


@tagged("post_install", "-at_install")
class TestData(TransactionCase):
    def _records(self):
        """``(file, xml id, model, noupdate)`` of every record of the data files."""
        for name in get_manifest("training_attendance")["data"]:
            if not name.endswith(".xml"):
                continue
            root = etree.parse(file_path(f"training_attendance/{name}")).getroot()
            for record in root.iter("record"):
                noupdate = False
                for node in reversed(list(record.iterancestors())):
                    if node.get("noupdate") is not None:
                        noupdate = node.get("noupdate") in ("1", "True", "true")
                yield name, record.get("id"), record.get("model"), noupdate

    def test_records_an_administrator_tunes_are_not_reset_by_updates(self):
        """Scheduled jobs, activity types, templates, automated rules and server actions
        are declared in ``noupdate`` blocks, as in Odoo's hr_holidays and event."""
        tuned = [r for r in self._records() if r[2] in TUNED_MODELS]
        self.assertGreater(len(tuned), 30)
        self.assertEqual([r[:3] for r in tuned if not r[3]], [])
        # and they are installed under their XML ids
        for _name, xmlid, _model, _noupdate in tuned:
            self.assertTrue(self.env.ref(f"training_attendance.{xmlid}", raise_if_not_found=False))
