"""The panels contributions adds to other apps' pages (see `sso.core.panels`)."""

from django.utils import timezone

from contributions import account, selectors
from contributions.views.account import account_context
from registry.selectors import Section, employer_in_scope
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


def _employer_account(request, employer) -> dict:
    """The employer's account on its registry page: its responsible office's work, so another
    office's officer reads only where it is kept."""
    if not employer_in_scope(employer, request.user):
        return {"employer": employer, "hidden": True}
    return account_context(request, employer, account.employer_account(employer))


PANELS = (
    Panel(
        slot="registry.person",
        key="contributions",
        template="contributions/panels/person_contributions.html",
        context=_person_contributions,
        order=10,
    ),
    Panel(
        slot="registry.employer",
        key="contributions_account",
        template="contributions/panels/employer_account.html",
        context=_employer_account,
        permission="contributions.view_statement",
        order=10,
    ),
)
