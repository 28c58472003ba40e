"""The contribution rule tables in the admin: every figure of the rules is a row of an
effective-dated table (`contributions.models`), added and changed here by administrators
and superusers (the admin site lets no one else in; the administrator role holds the add
and change permissions, deletion is the superuser's). The tables are audited, so each
page has its history (`SimpleHistoryAdmin`). A save clears the rule cache of its process at
once, the other processes' within a minute (`contributions.rules.TABLES`). A statement copies
the rate it used, so a later change never alters a filed statement.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contributions.models import CollectionRule, ContributionRate, Section40Option, SurchargeRule, VoluntaryRate

DATED = ["valid_from", "valid_to"]


@admin.register(ContributionRate)
class ContributionRateAdmin(SimpleHistoryAdmin):
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
class VoluntaryRateAdmin(SimpleHistoryAdmin):
    list_display = [*DATED, "section39_base", "section39_rate", "section39_government"]


@admin.register(Section40Option)
class Section40OptionAdmin(SimpleHistoryAdmin):
    list_display = [*DATED, "option", "person_amount", "government_amount", "description"]
    list_filter = ["option"]


@admin.register(SurchargeRule)
class SurchargeRuleAdmin(SimpleHistoryAdmin):
    list_display = [*DATED, "due_day", "monthly_rate", "started_month_counts"]


@admin.register(CollectionRule)
class CollectionRuleAdmin(SimpleHistoryAdmin):
    list_display = [*DATED, "voluntary_max_months", "over_age_years", "wage_outlier_factor", "wage_history_months"]
