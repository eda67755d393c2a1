from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _training_reader_envs(self, records=None):
        """``readers(user)``: the environment in which to write a text that ``user`` will
        read (an activity's summary and note, a tracked reason written by a job), in their
        language; one environment per language, built once, so that a batch of texts is
        rendered without a query per record. Users without a language read the caller's."""
        base = (records if records is not None else self).env
        envs = {}

        def readers(user):
            lang = user.lang or base.lang
            if lang not in envs:
                envs[lang] = base(context=dict(base.context, lang=lang))
            return envs[lang]

        return readers
