from odoo.addons.web.controllers.home import Home
from odoo.http import request


class TrainingHome(Home):
    def _login_redirect(self, uid, redirect=None):
        """A training user logs in with all their campuses active (a campus manager's
        reports are not empty until they tick the second campus); a choice kept in the
        browser (the ``cids`` cookie) is respected."""
        url = super()._login_redirect(uid, redirect=redirect)
        if request.session.uid and not request.httprequest.cookies.get("cids"):
            cids = (
                request.env["res.users"].browse(request.session.uid)._training_login_company_ids()
            )
            if len(cids) > 1:
                request.future_response.set_cookie("cids", "-".join(map(str, cids)))
        return url
