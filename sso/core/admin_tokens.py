"""The administrator's list of API tokens: whose, since when, until when, last used; revoke.

Shown to those who manage staff accounts (`core.change_user`), each seeing the tokens of the
staff they manage (`manages_user`: a superuser every token, an office's administrator their own
office's, even with `core.view_all_offices`, as on the accounts' pages). The key
itself is never shown (DRF's own token page, which lists keys, is removed). A token is issued
by signing in (`/api/auth/token/`) or, for a registered system client, by
`manage.py api_token_issue <username> --system-client`.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token, TokenProxy

from sso.core.models import ApiTokenInfo
from sso.core.tokens import api_token_revoke

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(ApiTokenInfo)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "system_client", "created", "expires_at", "last_used_at", "state"]
    # Never the `token` field itself: its text is the key.
    fields = readonly_fields = list_display
    list_filter = ["system_client"]
    search_fields = ["token__user__username", "token__user__first_name", "token__user__last_name"]
    list_select_related = ["token__user__office"]
    actions = ["revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("token__user__office")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(token__user__office_id=request.user.office_id or -1, token__user__is_superuser=False)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting the row alone would leave the token working
        return actions

    def _manages_staff(self, request) -> bool:
        return request.user.is_active and request.user.has_perm("core.change_user")

    def has_module_permission(self, request):
        return self._manages_staff(request)

    def has_view_permission(self, request, obj=None):
        return self._manages_staff(request)

    def has_revoke_permission(self, request):
        return self._manages_staff(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("user"), ordering="token__user__username")
    def user(self, info):
        return info.token.user

    @admin.display(description=_("office"), ordering="token__user__office__code")
    def office(self, info):
        return info.token.user.office

    @admin.display(description=_("created"), ordering="token__created")
    def created(self, info):
        return info.token.created

    @admin.display(description=_("state"))
    def state(self, info):
        return _("valid") if info.expires_at > timezone.now() else _("expired")

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = Token.objects.filter(pk__in=list(queryset.values_list("token_id", flat=True))).select_related("user")
        count = 0
        for token in tokens:
            api_token_revoke(token=token, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
