"""The queue's service-time targets on the rules page (`sso.core.rules`)."""

from django.utils.translation import gettext_lazy as _

from queueing.models import ServiceTarget
from sso.core.rules import RuleTable


def _check(values):
    minutes = values.get("minutes")
    if minutes is not None and not 1 <= minutes <= 480:
        return [("minutes", _("A service-time target must be between 1 and 480 minutes."))]
    return []


TABLES = (
    RuleTable(
        model=ServiceTarget,
        area=_("Walk-in queue"),
        scope=("kind",),
        fields=("minutes",),
        check=_check,
        effect=_(
            "Applies to the visits of the days it covers, in the service-time reports. Past days keep the target"
            " they were measured against (a change starts on a future day)."
        ),
        order=40,
    ),
)
