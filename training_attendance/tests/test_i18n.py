import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_chinese_translation_is_complete(self):
        """Every term the addon shows (fields, views, menus, messages) has a zh_CN text."""
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, modules=["training_attendance"])
            )
            if module == "training_attendance" and source.strip()
        }
        po = polib.pofile(file_path("training_attendance/i18n/zh_CN.po"))
        translated = {entry.msgid for entry in po if entry.msgstr and not entry.fuzzy}
        self.assertGreater(len(terms), 300)
        self.assertFalse(sorted(terms - translated), "terms without a Chinese translation")
