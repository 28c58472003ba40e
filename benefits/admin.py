"""The benefit rule tables in the admin. Every figure of the rules is a `BenefitParameter` row
in force by the event date, and each benefit's document checklist a `DocumentRequirement` row
in force by the day the claim is recorded: both read-only here (`RuleTableAdmin`), changed
only on the rules page (/rules/, `benefits/ruletables.py`) with four eyes. Both show their
history. A claim keeps the working and amount it was examined with, and the checklist it was
recorded with, so a later change never alters a decided claim.
"""

from django.contrib import admin

from benefits.models import BenefitParameter, DocumentRequirement
from sso.core.admin import RuleTableAdmin


@admin.register(BenefitParameter)
class BenefitParameterAdmin(RuleTableAdmin):
    list_display = ["key", "value", "valid_from", "valid_to", "note"]
    search_fields = ["key", "note"]


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(RuleTableAdmin):
    list_display = [
        "benefit",
        "order",
        "code",
        "name_th",
        "name_en",
        "registry_fact",
        "required",
        "is_active",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["benefit", "registry_fact", "required", "is_active"]
    search_fields = ["code", "name_th", "name_en"]
