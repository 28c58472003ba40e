from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sso.core"
    label = "core"
    verbose_name = _("Offices and staff")

    def ready(self):
        from sso.core import audit, roles

        audit.connect_signals()
        from sso.core import auth
        from sso.core.models import User

        auth.connect_signals(User)
        # A sign-in only touches last_login, which the audit leaves out: don't log it as a change.
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(audit.last_login_update, dispatch_uid="core.last_login_update")
        # Groups and their permissions are data kept in step with roles.py after every migrate.
        post_migrate.connect(roles.roles_sync_on_migrate, dispatch_uid="core.roles_sync")
        # API tokens: expiry and revocation, throttle rates checked, the tokens' admin page.
        from sso.core import admin_tokens, login_brake, throttling, tokens  # noqa: F401

        tokens.connect_signals()
        login_brake.connect_signals()
        # Django's own localized dates (the admin's) in B.E. on Thai pages.
        from sso.core import thai_dates

        thai_dates.install()
