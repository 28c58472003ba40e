"""The panels benefits adds to other apps' pages (see `sso.core.panels`)."""

from benefits.models import Claim
from sso.core.panels import Panel


def _person_claims(request, person) -> dict:
    """The person's latest claims (one query)."""
    return {
        "person": person,
        "claims": list(Claim.objects.filter(person_id=person.pk).order_by("-recorded_at")[:20]),
    }


PANELS = (
    Panel(
        slot="registry.person",
        key="claims",
        template="benefits/panels/person_claims.html",
        context=_person_claims,
        permission="benefits.view_claim",
        order=20,
    ),
)
