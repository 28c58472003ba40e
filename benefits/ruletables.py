"""The benefit rule tables on the rules page (`sso.core.rules`): a parameter's checks, what a
change affects, and how many open claims a change would reach; each benefit's document
checklist, dated by the day a claim is recorded."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit, BenefitParameter, Claim, DocumentRequirement
from sso.core.formats import date_lazy, lazy_format
from sso.core.rules import Preview, RuleTable

OPEN = (Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED)


def _check(values):
    key, value = values.get("key") or "", values.get("value")
    errors = []
    if key and not BenefitParameter.objects.filter(key=key).exists():
        errors.append(("key", _("No rule reads this parameter: choose one of the parameters listed.")))
    if value is not None and value < 0:
        errors.append(("value", _("A benefit parameter cannot be negative.")))
    if value is not None and ("percent" in key or "rate" in key) and value > 100:
        errors.append(("value", _("A percentage cannot be above 100.")))
    return errors


def open_claims_preview(change) -> Preview:
    """The open claims (recorded, examined, referred) whose event falls in the new row's
    period, of the benefit the parameter belongs to: their examination will read the new
    figure. Decided claims keep the working they were decided with."""
    key = change.values.get("key") or ""
    benefit = key.split(".", 1)[0]
    claims = Claim.objects.filter(status__in=OPEN, event_date__gte=change.valid_from)
    if change.valid_to is not None:
        claims = claims.filter(event_date__lte=change.valid_to)
    if benefit in Benefit.values:
        claims = claims.filter(benefit=benefit)
    count = claims.count()
    current = (
        BenefitParameter.objects.filter(key=key, valid_from__lte=change.valid_from)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=change.valid_from))
        .order_by("-valid_from")
        .first()
    )
    return Preview(
        lazy_format(
            _(
                "Open claims with an event on or after %(day)s, which would be examined with %(new)s instead of"
                " %(old)s: %(count)s."
            ),
            {
                "count": count,
                "day": date_lazy(change.valid_from),
                "new": change.values.get("value"),
                "old": current.value.normalize() if current else "—",
            },
        )
    )


def open_claims_documents_preview(change) -> Preview:
    """A checklist applies to the claims recorded from its start: the open claims of the benefit
    keep the checklist they were recorded with."""
    benefit = change.values.get("benefit") or ""
    count = Claim.objects.filter(status__in=OPEN, benefit=benefit).count()
    return Preview(
        lazy_format(
            _(
                "Claims of this benefit recorded from %(day)s will have this checklist; the %(count)s open claims"
                " recorded before keep the checklist they were recorded with."
            ),
            {"count": count, "day": date_lazy(change.valid_from)},
        )
    )


TABLES = (
    RuleTable(
        model=BenefitParameter,
        area=_("Benefits"),
        scope=("key",),
        fields=("value",),
        check=_check,
        preview=open_claims_preview,
        effect=_(
            "Applies to the claims whose event (treatment, birth, leaving work...) falls in the period it covers,"
            " when they are examined. A claim already decided keeps its working and amount."
        ),
        order=20,
    ),
    RuleTable(
        model=DocumentRequirement,
        area=_("Benefits"),
        scope=("benefit", "code"),
        fields=("name_th", "name_en", "registry_fact", "required", "order", "is_active"),
        # A document may be on a checklist for a period only: no row, not on the checklist.
        continuous=lambda scope: False,
        preview=open_claims_documents_preview,
        effect=_(
            "Applies to the claims recorded in the period it covers (their checklist, the phone page's and kiosk's"
            " documents to bring, the data-completeness panel). A claim recorded before keeps the checklist it was"
            " recorded with. A row not in use takes the document off the checklist from its start."
        ),
        order=21,
    ),
)
