from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sso.core.models import Office, Province, User


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


@admin.register(User)
class StaffUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "office", "is_active"]
    list_filter = ["office", "groups", "is_active"]
    fieldsets = UserAdmin.fieldsets + ((_("Office"), {"fields": ["office"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Office"), {"fields": ["office"]}),)
