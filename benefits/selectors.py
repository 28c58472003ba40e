"""Reads of benefits beyond one line: a claim, an appeal, an order or a batch for a user (office
scope: another office's is 404, like a missing one), the work lists, and the payment pages'
summaries. The pages and the API read through these."""

from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Sum, Value, When

from benefits.models import Appeal, Claim, ClaimFinding, PaymentBatch, PaymentOrder
from sso.core.scoping import object_get_for_user, office_scoped

# Claims ------------------------------------------------------------------------------------


def claim_get_for_user(user, pk) -> Claim:
    """A claim with its person, office and officers."""
    return object_get_for_user(
        Claim.objects.select_related(
            "person", "office", "dependant", "recorded_by", "adjudicated_by", "override_confirmed_by"
        ),
        user,
        pk=pk,
    )


def claim_queue(user) -> QuerySet:
    """The office's claims, those referred to the back office first, oldest first (the work
    queue, to be narrowed by `benefits.filters.ClaimFilter`)."""
    return (
        office_scoped(Claim.objects.select_related("person", "dependant", "recorded_by"), user)
        .annotate(
            referred_first=Case(
                When(status=Claim.Status.REFERRED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("referred_first", "recorded_at", "pk")
    )


def claim_steps(claim) -> QuerySet:
    """A claim's steps, oldest first, with who made them."""
    return claim.steps.select_related("by")


# Appeals -----------------------------------------------------------------------------------


def appeal_get_for_user(user, pk) -> Appeal:
    return object_get_for_user(
        Appeal.objects.select_related("claim", "claim__adjudicated_by", "lodged_by", "decided_by"), user, pk=pk
    )


def appeals_open(user) -> QuerySet:
    """The office's open appeals, oldest first: the Appeals Committee's work list."""
    return office_scoped(
        Appeal.objects.filter(status=Appeal.Status.LODGED).select_related(
            "claim", "claim__person", "claim__adjudicated_by", "lodged_by"
        ),
        user,
    ).order_by("lodged_at", "pk")


# Paying ------------------------------------------------------------------------------------


def orders_for_user(user) -> QuerySet:
    """The office's payment orders with their claim, person and bank."""
    return office_scoped(PaymentOrder.objects.select_related("claim", "claim__person", "bank"), user)


def order_get_for_user(user, pk) -> PaymentOrder:
    return object_get_for_user(PaymentOrder.objects.all(), user, pk=pk)


def batches_for_user(user) -> QuerySet:
    return office_scoped(PaymentBatch.objects.select_related("bank"), user)


def batch_get_for_user(user, pk, *related) -> PaymentBatch:
    return object_get_for_user(PaymentBatch.objects.select_related(*related), user, pk=pk)


def recurring_months(queryset) -> list[dict]:
    """What the monthly runs made, by month: orders, held, paid, total."""
    return list(
        queryset.filter(claim__monthly=True)
        .values("period")
        .annotate(
            count=Count("id"),
            held=Count("id", filter=Q(status=PaymentOrder.Status.HELD)),
            paid=Count("id", filter=Q(status=PaymentOrder.Status.PAID)),
            total=Sum("amount"),
        )
        .order_by("-period")
    )


def to_batch_by_bank(queryset) -> list[dict]:
    """Pending bank transfers by bank: what the next batches would hold."""
    return list(
        queryset.filter(status=PaymentOrder.Status.PENDING, method=PaymentOrder.Method.TRANSFER)
        .values("bank_id", "bank__code", "bank__name_en", "bank__name_th")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("bank__code")
    )


# The back office's findings ------------------------------------------------------------------


def finding_get_for_user(user, pk) -> ClaimFinding:
    return object_get_for_user(ClaimFinding.objects.select_related("claim"), user, pk=pk)


def claims_with_open_findings(user, kind: str = "") -> QuerySet:
    """The office's claims with open findings (of `kind` when given), oldest finding first."""
    claims = office_scoped(Claim.objects.all(), user).filter(findings__status=ClaimFinding.Status.OPEN)
    if kind in ClaimFinding.Kind.values:
        claims = claims.filter(findings__kind=kind)
    return (
        claims.annotate(first_found=Min("findings__found_at"))
        .select_related("person", "office")
        .prefetch_related("findings")
        .order_by("first_found", "pk")
        .distinct()[:200]
    )


def open_findings_by_kind(user) -> dict[str, int]:
    open_findings = ClaimFinding.objects.filter(status=ClaimFinding.Status.OPEN)
    return dict(office_scoped(open_findings, user).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
