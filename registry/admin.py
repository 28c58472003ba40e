"""The registry's rule table and reference data in the admin. The registration deadlines and
the Section 39/40 conditions are rows of an effective-dated table (`RegistrationRule`), read-only
here (`RuleTableAdmin`) and changed only on the rules page (/rules/) with four eyes; hospitals
and banks are national reference data. The audited tables show their history.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Bank, Hospital, RegistrationRule
from sso.core.admin import RuleTableAdmin


@admin.register(RegistrationRule)
class RegistrationRuleAdmin(RuleTableAdmin):
    list_display = [
        "valid_from",
        "valid_to",
        "employee_registration_days",
        "leaver_notice_day",
        "s39_min_s33_months",
        "s39_apply_within_months",
        "s40_min_age",
        "s40_max_age",
    ]


@admin.register(Hospital)
class HospitalAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_th", "name_en", "province", "is_active"]
    list_filter = ["is_active", "province"]
    list_select_related = ["province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "account_digits"]
    search_fields = ["code", "name_th", "name_en"]
