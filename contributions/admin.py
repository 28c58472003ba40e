"""The contribution rule tables in the admin, read-only (`RuleTableAdmin`): every figure of the
rules is a row of an effective-dated table (`contributions.models`), changed only on the rules
page (/rules/, `contributions/ruletables.py`) with four eyes. Each page shows its history.
"""

from django.contrib import admin

from contributions.models import CollectionRule, ContributionRate, Section40Option, SurchargeRule, VoluntaryRate
from sso.core.admin import RuleTableAdmin

DATED = ["valid_from", "valid_to"]


@admin.register(ContributionRate)
class ContributionRateAdmin(RuleTableAdmin):
    list_display = [
        *DATED,
        "province",
        "employee_rate",
        "employer_rate",
        "government_rate",
        "wage_floor",
        "wage_ceiling",
    ]
    list_filter = ["province"]
    list_select_related = ["province"]


@admin.register(VoluntaryRate)
class VoluntaryRateAdmin(RuleTableAdmin):
    list_display = [*DATED, "section39_base", "section39_rate", "section39_government"]


@admin.register(Section40Option)
class Section40OptionAdmin(RuleTableAdmin):
    list_display = [*DATED, "option", "person_amount", "government_amount", "description"]
    list_filter = ["option"]


@admin.register(SurchargeRule)
class SurchargeRuleAdmin(RuleTableAdmin):
    list_display = [*DATED, "due_day", "monthly_rate", "started_month_counts"]


@admin.register(CollectionRule)
class CollectionRuleAdmin(RuleTableAdmin):
    list_display = [*DATED, "voluntary_max_months", "over_age_years", "wage_outlier_factor", "wage_history_months"]
