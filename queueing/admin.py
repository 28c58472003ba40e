from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from queueing import services
from queueing.models import Counter, OfficeClosure, Service, ServiceTarget
from sso.core.admin import OfficeListFilter, OfficeWorkAdmin, RuleTableAdmin, office_column


@admin.register(ServiceTarget)
class ServiceTargetAdmin(RuleTableAdmin):
    """Read-only: the targets are changed on the rules page (/rules/) with four eyes, from a
    future day (past days keep the target they were measured against)."""

    list_display = ["kind", "minutes", "valid_from", "valid_to"]
    list_filter = ["kind"]


@admin.register(Service)
class ServiceAdmin(OfficeWorkAdmin, SimpleHistoryAdmin):
    list_display = [office_column, "prefix", "name_th", "name_en", "kind", "is_active"]
    list_filter = [("office", OfficeListFilter), "kind", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "kind" in form.changed_data:
            services.service_kind_changed(service=obj)  # its past days' targets change


@admin.register(Counter)
class CounterAdmin(OfficeWorkAdmin, SimpleHistoryAdmin):
    list_display = [office_column, "number", "officer", "is_active"]
    list_filter = [("office", OfficeListFilter), "is_active"]
    filter_horizontal = ["services"]


@admin.register(OfficeClosure)
class OfficeClosureAdmin(OfficeWorkAdmin, SimpleHistoryAdmin):
    """An office's own closed days besides the weekends and public holidays: the queue
    planner's forecast expects no one on them (queueing.planning.calendar)."""

    list_display = ["office", "day", "reason"]
    list_filter = ["office"]
    date_hierarchy = "day"
