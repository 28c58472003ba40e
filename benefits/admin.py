"""The benefit rule tables in the admin: every figure of the rules is a `BenefitParameter` row
in force by the event date, and each benefit's document checklist is `DocumentRequirement`
rows; administrators and superusers add and change them here (the admin site lets no one else
in; the administrator role holds the add and change permissions, deletion is the
superuser's). Both tables are audited, so each page has its history (`SimpleHistoryAdmin`).
A save clears the rules' parameter cache of its process at once, the other processes' within
a minute (`benefits.rules.parameters.TABLES`). A claim keeps the working and amount it was
examined with, so a later change never alters a decided claim.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from benefits.models import BenefitParameter, DocumentRequirement


@admin.register(BenefitParameter)
class BenefitParameterAdmin(SimpleHistoryAdmin):
    list_display = ["key", "value", "valid_from", "valid_to", "note"]
    search_fields = ["key", "note"]


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(SimpleHistoryAdmin):
    list_display = ["benefit", "order", "code", "name_th", "name_en", "registry_fact", "required", "is_active"]
    list_filter = ["benefit", "registry_fact", "required", "is_active"]
    search_fields = ["code", "name_th", "name_en"]
