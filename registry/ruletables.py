"""The registry's rule table on the rules page (`sso.core.rules`)."""

from django.utils.translation import gettext_lazy as _

from registry.models import RegistrationRule
from sso.core.rules import RuleTable, at_least


def _check(values):
    errors = at_least(
        values,
        ("employee_registration_days", "leaver_notice_day", "s39_min_s33_months", "s39_apply_within_months"),
        1,
    )
    if values.get("leaver_notice_day") is not None and values["leaver_notice_day"] > 28:
        errors.append(("leaver_notice_day", _("The due day must be between 1 and 28.")))
    low, high = values.get("s40_min_age"), values.get("s40_max_age")
    if low is not None and high is not None and high <= low:
        errors.append(("s40_max_age", _("The maximum age must be above the minimum age.")))
    return errors


TABLES = (
    RuleTable(
        model=RegistrationRule,
        area=_("Registration"),
        fields=(
            "employee_registration_days",
            "leaver_notice_day",
            "s39_min_s33_months",
            "s39_apply_within_months",
            "s40_min_age",
            "s40_max_age",
        ),
        check=_check,
        effect=_(
            "Applies to the registrations (SSO 1-03, 6-09, Section 39 and 40 applications) made from the day"
            " it starts. Registrations already accepted stay."
        ),
        order=30,
    ),
)
