"""The panels contributions adds to other apps' pages (see `sso.core.panels`)."""

from django.utils import timezone

from contributions import selectors
from registry.selectors import Section
from sso.core.months import month_add, month_first
from sso.core.panels import Panel


def _person_contributions(request, person) -> dict:
    today = timezone.localdate()
    return {
        "person": person,
        "paid_months_15": selectors.contribution_months_count(person.pk, before=today, months=15),
        "s33_months": selectors.paid_months_count(
            person.pk, sections=(Section.S33,), before=month_add(month_first(today), 1)
        ),
        "contribution_history": selectors.contribution_history(person.pk),
    }


PANELS = (
    Panel(
        slot="registry.person",
        key="contributions",
        template="contributions/panels/person_contributions.html",
        context=_person_contributions,
        order=10,
    ),
)
