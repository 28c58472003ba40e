from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from queueing.models import Counter, Service, ServiceTarget
from sso.core.admin import OfficeWorkAdmin


@admin.register(ServiceTarget)
class ServiceTargetAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "minutes", "valid_from", "valid_to"]
    list_filter = ["kind"]


@admin.register(Service)
class ServiceAdmin(OfficeWorkAdmin, SimpleHistoryAdmin):
    list_display = ["office", "prefix", "name_th", "name_en", "kind", "is_active"]
    list_filter = ["office", "kind", "is_active"]


@admin.register(Counter)
class CounterAdmin(OfficeWorkAdmin, SimpleHistoryAdmin):
    list_display = ["office", "number", "officer", "is_active"]
    list_filter = ["office", "is_active"]
    filter_horizontal = ["services"]
