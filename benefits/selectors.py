"""Reads of benefits beyond one line: a claim, an appeal, an order or a batch for a user (office
scope: another office's is 404, like a missing one), the work lists, and the payment pages'
summaries. The pages and the API read through these."""

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Sum, Value, When

from benefits.models import Appeal, Claim, ClaimFinding, ClaimStepDay, PaymentBatch, PaymentOrder
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


# For the reports ---------------------------------------------------------------------------
# The back office's measures (benefits/reports.py).


def step_durations(*, first, last, office_ids=None) -> list[tuple]:
    """(benefit, step, claims, p50 seconds, p90 seconds) of the steps ended from `first` to
    `last`, from the daily summary: the exact percentiles of every duration."""
    sql = f"""
        SELECT d.benefit, d.step, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY t.s),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY t.s)
        FROM {ClaimStepDay._meta.db_table} d, unnest(d.seconds) AS t(s)
        WHERE d.day BETWEEN %s AND %s AND (%s::bigint[] IS NULL OR d.office_id = ANY(%s::bigint[]))
        GROUP BY d.benefit, d.step ORDER BY d.benefit, d.step"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, last, office_ids, office_ids])
        return cursor.fetchall()


def claims_waiting(office_ids=None) -> list[tuple]:
    """(status, recorded_at) of the claims waiting now: to examine, to decide, and approved
    with no order paid yet (to pay). A small live set, read by the (office, status) index."""
    paid = PaymentOrder.objects.filter(claim=OuterRef("pk"), status=PaymentOrder.Status.PAID)
    claims = Claim.objects.filter(
        Q(status__in=(Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED))
        | Q(~Exists(paid), status=Claim.Status.APPROVED)
    )
    if office_ids is not None:
        claims = claims.filter(office_id__in=office_ids)
    return list(claims.values_list("status", "recorded_at"))


def verification_waiting(office_ids=None) -> dict[str, list]:
    """The recorded times of claims waiting for the cross-check, and the found times of open
    findings (the verifiers' queue)."""
    claims = Claim.objects.filter(verification=Claim.Verification.PENDING).exclude(status=Claim.Status.WITHDRAWN)
    findings = ClaimFinding.objects.filter(status=ClaimFinding.Status.OPEN)
    if office_ids is not None:
        claims = claims.filter(office_id__in=office_ids)
        findings = findings.filter(claim__office_id__in=office_ids)
    return {
        "pending": list(claims.values_list("recorded_at", flat=True)),
        "findings": list(findings.values_list("found_at", flat=True)),
    }


def orders_by_status(office_ids=None) -> dict[str, tuple]:
    """Payment orders held, pending and failed now: status -> (count, amount)."""
    orders = PaymentOrder.objects.filter(
        status__in=(PaymentOrder.Status.HELD, PaymentOrder.Status.PENDING, PaymentOrder.Status.FAILED)
    )
    if office_ids is not None:
        orders = orders.filter(claim__office_id__in=office_ids)
    return {row[0]: row[1:] for row in orders.values_list("status").annotate(n=Count("id"), total=Sum("amount"))}


def batches_in(*, first, last, office_ids=None) -> dict[str, tuple]:
    """Bank batches to pay from `first` to `last` by status: status -> (batches, orders, total)."""
    batches = PaymentBatch.objects.filter(pay_on__range=(first, last))
    if office_ids is not None:
        batches = batches.filter(office_id__in=office_ids)
    rows = batches.values_list("status").annotate(n=Count("id"), orders=Sum("order_count"), total=Sum("total"))
    return {row[0]: row[1:] for row in rows}
