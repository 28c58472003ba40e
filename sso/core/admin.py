from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sso.core import services
from sso.core.formats import lazy_format
from sso.core.models import Device, Office, Province, User
from sso.core.roles import ROLES_BY_CODE

# The role that reaches /admin/ (see StaffUserAdmin).
ADMIN_ROLE = "administrator"
# Apps whose admin pages we write and scope ourselves; every other app's admin is for superusers.
OUR_APPS = frozenset({"core", "registry", "contributions", "benefits", "queueing"})


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_th", "name_en", "kind", "province", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_th", "name_en"]
    autocomplete_fields = ["province"]


@admin.display(description=_("office"), ordering="office")
def office_column(obj):
    """An office-bound row's office, headed in the reader's language (for a model whose
    `office` field has no verbose name of its own)."""
    return obj.office


class OfficeListFilter(admin.RelatedFieldListFilter):
    """The filter by office, titled in the reader's language (same reason)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("office")


class OfficeWorkAdmin:
    """The admin of an office's own working set-up (its services, its counters): a superuser
    manages every office's; anyone else (an office's administrator) only their own office's,
    even with `core.view_all_offices`, which widens reading, not managing. Another office's
    row is not found; a new row belongs to the editor's office; the foreign keys offered are
    the editor's office's own."""

    office_field = "office"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.office_field}_id": request.user.office_id or -1})

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if request.user.is_superuser else [*exclude, self.office_field]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (request.user.is_superuser or request.user.office_id is not None)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            setattr(obj, f"{self.office_field}_id", request.user.office_id)
        super().save_model(request, obj, form, change)

    # simple_history shows (and reverts) a row found by id alone, not through get_queryset:
    # another office's row, its history and its versions are not found here either.

    def history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _own_office(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        model = queryset.model
        if model is User:
            return queryset.filter(office_id=request.user.office_id, is_superuser=False)
        if hasattr(model, "OFFICE_SCOPE") and model.OFFICE_SCOPE:
            return queryset.filter(**{model.OFFICE_SCOPE: request.user.office_id})
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._own_office(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._own_office(request, field.queryset)
        return field


@admin.register(Device)
class DeviceAdmin(OfficeWorkAdmin, SimpleHistoryAdmin):
    """An office's public screens: its administrator registers them (their own office's only),
    is shown a one-time pairing code to type on the screen at /device/pair/, sees each one's
    last contact, and revokes it (refused from its next request). Registered, paired and
    revoked through sso.core.services; never deleted (their history stays), revoked instead."""

    list_display = ["name", "kind", "office", "paired_at", "last_contact_at", "revoked_at"]
    list_filter = ["kind", "office"]
    list_select_related = ["office"]
    fields = ["office", "kind", "name", "paired_at", "last_contact_at", "pairing_expires_at", "revoked_at"]
    readonly_fields = ["paired_at", "last_contact_at", "pairing_expires_at", "revoked_at"]
    actions = ["pairing_code_new", "revoke"]

    def get_fields(self, request, obj=None):
        return self.fields if request.user.is_superuser else [name for name in self.fields if name != "office"]

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["kind"]  # one office: no office filter

    def get_readonly_fields(self, request, obj=None):
        # The kind of a registered device does not change: register another instead.
        return [*self.readonly_fields, "kind"] if obj else self.readonly_fields

    def _pairing_shown(self, request, device, code):
        self.message_user(
            request,
            lazy_format(
                _(
                    "Pairing code for %(device)s: %(code)s (valid until %(until)s, once). "
                    "On the device, open %(url)s and type it."
                ),
                {
                    "device": device,
                    "code": f"{code[:4]} {code[4:]}",
                    "until": timezone.localtime(device.pairing_expires_at).strftime("%H:%M"),
                    "url": request.build_absolute_uri(reverse("core:device_pair")),
                },
            ),
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.office_id = request.user.office_id
        if change:
            obj._history_user = request.user
            obj.save(update_fields=[name for name in ("name", "office") if name in form.changed_data] or ["name"])
            return
        device, code = services.device_register(device=obj, officer=request.user)
        device.refresh_from_db()
        self._pairing_shown(request, device, code)

    @admin.action(description=_("Show a new pairing code (pairs the device again)"), permissions=["change"])
    def pairing_code_new(self, request, queryset):
        for device in queryset:
            try:
                code = services.device_pairing_code_new(device=device, officer=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{device}: {' '.join(exc.messages)}", messages.ERROR)
                continue
            device.refresh_from_db()
            self._pairing_shown(request, device, code)

    @admin.action(description=_("Revoke the selected devices"), permissions=["change"])
    def revoke(self, request, queryset):
        for device in queryset:
            services.device_revoke(device=device, officer=request.user)
        self.message_user(request, _("Revoked: the devices are refused from their next request."), messages.SUCCESS)


def manages_user(editor, user) -> bool:
    """Whether `editor` may see and change the staff account `user` in the admin: a superuser
    any account; anyone else (an office's administrator) the accounts of their own office only,
    superusers' excepted. Unlike office scoping elsewhere, `core.view_all_offices` does not
    widen this: an administrator reads every office's records, but manages their own staff."""
    if editor.is_superuser:
        return True
    return not user.is_superuser and user.office_id is not None and user.office_id == editor.office_id


def staff_status_from_roles(user) -> bool:
    """`is_staff` follows the roles: a user reaches /admin/ if, and only if, they are a
    superuser or hold the administrator role."""
    return user.is_superuser or user.groups.filter(name=ADMIN_ROLE).exists()


def role_label(group) -> str:
    """A role group by its name in the user's language, with its code."""
    role = ROLES_BY_CODE.get(group.name)
    return f"{role.name} ({group.name})" if role else group.name


# Django's own section titles (translated by Django): account, personal info, permissions, dates.
_ACCOUNT, _PERSONAL, _PERMISSIONS, _DATES = UserAdmin.fieldsets


@admin.register(User)
class StaffUserAdmin(UserAdmin, SimpleHistoryAdmin):
    """Staff accounts.

    A superuser manages every account and is the only one who grants superuser status or raw
    permissions (`user_permissions`). An office's administrator (role `administrator`)
    manages the accounts of their own office (`manages_user`): they give and take the roles
    of sso/core/roles.py only, never raw permissions; the accounts they add belong to their
    office; another office's account or a superuser's answers 404, its password form too.
    Fields they may not change are not on their form, so a crafted post of them is ignored.

    `is_staff` is not edited by anyone: after every save it is set from the roles
    (`staff_status_from_roles`), so only superusers and administrators reach /admin/.
    Every change of roles or status is recorded by the user's history (`audited(m2m_fields=
    ["groups"])`) and shown on /history/core.user/<pk>/. Reverting an account to an older
    version (simple_history's admin) would give back whatever it held then: superusers only.
    """

    list_display = ["username", "first_name", "last_name", "office", "is_active", "is_staff"]
    list_filter = ["office", "groups", "is_active"]
    list_select_related = ["office"]
    # An office's administrator: no office to choose, no status, no permissions.
    office_fieldsets = (
        _ACCOUNT,
        _PERSONAL,
        (_("Roles"), {"fields": ["is_active", "groups"]}),
        (_("Office"), {"fields": ["office"]}),
        _DATES,
    )
    office_add_fieldsets = UserAdmin.add_fieldsets
    fieldsets = (
        *office_fieldsets,
        (_PERMISSIONS[0], {"fields": ["is_superuser", "is_staff", "user_permissions"]}),
    )
    add_fieldsets = (*UserAdmin.add_fieldsets, (_("Office"), {"fields": ["office"]}))
    readonly_fields = ["is_staff", "last_login", "date_joined"]

    # Which accounts: the editor's own office's (superusers: every account).

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return queryset
        if user.office_id is None:
            return queryset.none()
        return queryset.filter(office_id=user.office_id, is_superuser=False)

    def get_object(self, request, object_id, from_field=None):
        # Another office's account is not found, like a missing one (Django would redirect).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or manages_user(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or manages_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or manages_user(request.user, obj))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (request.user.is_superuser or request.user.office_id is not None)

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, object_id)  # 404 for an account the editor does not manage
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not request.user.is_superuser or super().revert_disabled(request, obj)

    # Which fields: roles and personal details; status and permissions for superusers.

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.office_fieldsets if obj else self.office_add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if request.user.is_superuser else [*self.readonly_fields, "office"]

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["groups", "is_active"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            if not request.user.is_superuser:
                kwargs["queryset"] = Group.objects.filter(name__in=ROLES_BY_CODE).order_by("name")
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.label_from_instance = role_label
            field.label = _("Roles")
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Saving: what the editor may not choose is set here, whatever was posted.

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            if change:
                stored = User.objects.only("is_superuser", "is_staff", "office_id").get(pk=obj.pk)
                obj.is_superuser, obj.is_staff, obj.office_id = stored.is_superuser, stored.is_staff, stored.office_id
            else:
                obj.is_superuser, obj.is_staff, obj.office_id = False, False, request.user.office_id
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change and not request.user.is_superuser and "groups" in form.cleaned_data:
            # Groups outside the roles (a superuser's doing) are not on this form: keep them.
            kept = list(form.instance.groups.exclude(name__in=ROLES_BY_CODE))
            form.cleaned_data["groups"] = [*form.cleaned_data["groups"], *kept]
        super().save_related(request, form, formsets, change)
        user = form.instance
        staff = staff_status_from_roles(user)
        if user.is_staff != staff:
            user.is_staff = staff
            user._history_user = request.user
            user.save(update_fields=["is_staff"])


class RuleTableAdmin(SimpleHistoryAdmin):
    """A dated rule table (`sso.core.rules`), read-only here, to superusers too: its rows are
    changed in one way only, on the rules page (/rules/), proposed and confirmed by two
    head-office rules administrators. The history shows each row's versions; none is reverted
    (simple_history's version page saves a POST whatever the change permission says)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SuperuserOnlyAdmin:
    """Admin pages of other apps' models (Django's groups, whose permissions roles.py defines
    and roles_sync resets; DRF's tokens; axes' sign-in logs): superusers only, whatever
    permissions a user holds, so no role's or user's permission can open a way up. Never more
    than the app's own admin allows: axes' sign-in logs stay read-only, to superusers too."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)


def superuser_only_others() -> None:
    """Wrap every admin registered so far by an app that is not ours in `SuperuserOnlyAdmin`
    (their admin modules load before ours: they come first in INSTALLED_APPS)."""
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.app_label in OUR_APPS or isinstance(model_admin, SuperuserOnlyAdmin):
            continue
        admin_class = type(model_admin)
        admin.site.unregister(model)
        admin.site.register(model, type(admin_class.__name__, (SuperuserOnlyAdmin, admin_class), {}))


superuser_only_others()

# The admin's own name, in the reader's language (Django's reads "Django administration").
admin.site.site_header = _("SSO office system: administration")
admin.site.site_title = _("SSO office system administration")
admin.site.index_title = _("Administration")
