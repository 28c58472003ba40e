"""Reads of benefits beyond one line: a claim, an appeal, an order or a batch for a user (office
scope: another office's is 404, like a missing one), the work lists, and the payment pages'
summaries. The pages and the API read through these."""

from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from benefits.models import (
    Appeal,
    Benefit,
    Claim,
    ClaimDocument,
    ClaimFinding,
    ClaimStep,
    ClaimStepDay,
    DocumentRequirement,
    PaymentBatch,
    PaymentOrder,
)
from sso.core.db import reports_alias, reports_connection
from sso.core.scoping import object_get_for_user, office_scoped

# What each benefit needs ----------------------------------------------------------------


def benefit_needs(on=None) -> list[tuple[str, object, list[str]]]:
    """Each benefit, its label and the registry facts its claim needs, in one place: the
    cover its rules check (`rules.cover_fact`) and the facts its required documents may be
    held as (`DocumentRequirement.registry_fact`). The registry's data-completeness panel
    shows these (`sso.core.providers.BENEFIT_NEEDS`), so it lacks nothing the rules do not."""
    from benefits.rules import cover_fact

    documents: dict[str, list[str]] = {}
    for benefit, fact in (
        DocumentRequirement.objects.in_force(on or timezone.localdate())
        .filter(required=True)
        .exclude(registry_fact="")
        .order_by("benefit", "order", "code")
        .values_list("benefit", "registry_fact")
    ):
        if fact not in documents.setdefault(benefit, []):
            documents[benefit].append(fact)
    return [(benefit, label, [cover_fact(benefit), *documents.get(benefit, [])]) for benefit, label in Benefit.choices]


def service_documents(kind: str, on=None) -> list[tuple[str, str, bool]]:
    """The documents a claim of the benefit named `kind` (a queue service's kind) needs, in
    order: (Thai name, English name, required); the rows in force on `on` (today), the
    checklist of a claim recorded that day. None for a kind that is no benefit."""
    return list(
        DocumentRequirement.objects.in_force(on or timezone.localdate())
        .filter(benefit=kind)
        .order_by("order", "code")
        .values_list("name_th", "name_en", "required")
    )


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
# The back office's measures (benefits/reports.py), read from the reports database (`sso.core.db`).


def step_durations(*, first, last, office_ids=None) -> list[tuple]:
    """(benefit, step, claims, p50 seconds, p90 seconds) of the steps ended from `first` to
    `last`, from the daily summary: the exact percentiles of every duration."""
    sql = f"""
        SELECT d.benefit, d.step, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY t.s),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY t.s)
        FROM {ClaimStepDay._meta.db_table} d, unnest(d.seconds) AS t(s)
        WHERE d.day BETWEEN %s AND %s AND (%s::bigint[] IS NULL OR d.office_id = ANY(%s::bigint[]))
        GROUP BY d.benefit, d.step ORDER BY d.benefit, d.step"""
    with reports_connection().cursor() as cursor:
        cursor.execute(sql, [first, last, office_ids, office_ids])
        return cursor.fetchall()


def claims_waiting(office_ids=None) -> list[tuple]:
    """(status, recorded_at) of the claims waiting now: to examine, to decide, and approved
    with no order paid yet (to pay). A small live set, read by the (office, status) index."""
    paid = PaymentOrder.objects.filter(claim=OuterRef("pk"), status=PaymentOrder.Status.PAID)
    claims = Claim.objects.using(reports_alias()).filter(
        Q(status__in=(Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED))
        | Q(~Exists(paid), status=Claim.Status.APPROVED)
    )
    if office_ids is not None:
        claims = claims.filter(office_id__in=office_ids)
    return list(claims.values_list("status", "recorded_at"))


def verification_waiting(office_ids=None) -> dict[str, list]:
    """The recorded times of claims waiting for the cross-check, and the found times of open
    findings (the verifiers' queue)."""
    alias = reports_alias()
    claims = (
        Claim.objects.using(alias)
        .filter(verification=Claim.Verification.PENDING)
        .exclude(status=Claim.Status.WITHDRAWN)
    )
    findings = ClaimFinding.objects.using(alias).filter(status=ClaimFinding.Status.OPEN)
    if office_ids is not None:
        claims = claims.filter(office_id__in=office_ids)
        findings = findings.filter(claim__office_id__in=office_ids)
    return {
        "pending": list(claims.values_list("recorded_at", flat=True)),
        "findings": list(findings.values_list("found_at", flat=True)),
    }


def orders_by_status(office_ids=None) -> dict[str, tuple]:
    """Payment orders held, pending and failed now: status -> (count, amount)."""
    orders = PaymentOrder.objects.using(reports_alias()).filter(
        status__in=(PaymentOrder.Status.HELD, PaymentOrder.Status.PENDING, PaymentOrder.Status.FAILED)
    )
    if office_ids is not None:
        orders = orders.filter(claim__office_id__in=office_ids)
    return {row[0]: row[1:] for row in orders.values_list("status").annotate(n=Count("id"), total=Sum("amount"))}


def batches_in(*, first, last, office_ids=None) -> dict[str, tuple]:
    """Bank batches to pay from `first` to `last` by status: status -> (batches, orders, total)."""
    batches = PaymentBatch.objects.using(reports_alias()).filter(pay_on__range=(first, last))
    if office_ids is not None:
        batches = batches.filter(office_id__in=office_ids)
    rows = batches.values_list("status").annotate(n=Count("id"), orders=Sum("order_count"), total=Sum("total"))
    return {row[0]: row[1:] for row in rows}


# The claims waiting as of a past instant, rebuilt from the steps: a claim's status at `until`
# is the status its last step before `until` moved it to (an appeal's steps, "appealed" and
# back, leave the claim's status as it was). A claim waiting then is either still in that
# status now (the live set, read by the (office, status) index) or moved by a step since
# (read by the steps' `at` index), so only those candidates are looked at, not every claim
# ever recorded: their last step before `until` is one probe of the steps' claim index (a
# claim has a handful of steps; sorting them is cheaper than another index to maintain).
# Plan checked (EXPLAIN ANALYZE, 200,000 claims over a year, 792,000 steps, as of a month
# back): one office, 47 ms: an index scan of claim_office_status and a bitmap scan of
# claim_step_at for the candidates, then per candidate an index scan of the steps' claim_id
# index (LIMIT 1), no sequential scan of the steps; every office, 90 ms of execution (+450 ms
# of the server's JIT compiling), a sequential scan of the claims as the live read does
# without an office. No new index was needed.
_WAITING_AT_SQL = f"""
WITH candidates AS (
    SELECT c.id FROM {Claim._meta.db_table} c
    WHERE c.status IN ('recorded', 'examined', 'referred', 'approved')
      AND (%(offices)s::bigint[] IS NULL OR c.office_id = ANY(%(offices)s::bigint[]))
    UNION
    SELECT s.claim_id FROM {ClaimStep._meta.db_table} s WHERE s.at >= %(until)s
), states AS (
    SELECT c.id, c.recorded_at, last.to_status
    FROM candidates k JOIN {Claim._meta.db_table} c ON c.id = k.id
    CROSS JOIN LATERAL (
        SELECT s.to_status FROM {ClaimStep._meta.db_table} s
        WHERE s.claim_id = c.id AND s.at < %(until)s AND s.to_status <> 'appealed'
        ORDER BY s.at DESC, s.id DESC LIMIT 1
    ) last
    WHERE c.recorded_at < %(until)s
      AND (%(offices)s::bigint[] IS NULL OR c.office_id = ANY(%(offices)s::bigint[]))
)
SELECT w.to_status, w.recorded_at FROM states w
WHERE w.to_status IN ('recorded', 'examined', 'referred')
   OR (w.to_status = 'approved' AND NOT EXISTS (
        SELECT 1 FROM {PaymentOrder._meta.db_table} o
        WHERE o.claim_id = w.id AND o.status = 'paid' AND o.paid_at < %(until)s))
"""


def claims_waiting_at(until, office_ids=None) -> list[tuple]:
    """(status, recorded_at) of the claims waiting just before the instant `until` (the end
    of a day): to examine, to decide (at the counter or referred), and approved with no order
    paid before then (to pay). At `until` = now it is `claims_waiting()`. Its plan (checked):
    the comment above."""
    with reports_connection().cursor() as cursor:
        cursor.execute(_WAITING_AT_SQL, {"until": until, "offices": office_ids})
        return cursor.fetchall()


def _recorded_in(since, until, office_ids) -> QuerySet:
    claims = Claim.objects.using(reports_alias()).filter(recorded_at__gte=since, recorded_at__lt=until)
    return claims if office_ids is None else claims.filter(office_id__in=office_ids)


def claims_recorded_by_benefit(*, since, until, office_ids=None) -> dict[str, int]:
    """benefit -> claims recorded from `since` to before `until`."""
    rows = _recorded_in(since, until, office_ids).values_list("benefit").annotate(n=Count("id"))
    return dict(rows.values_list("benefit", "n"))


def documents_missing(*, since, until, office_ids=None) -> list[dict]:
    """The documents of the checklist missing on claims recorded from `since` to before
    `until`: missing when recorded or since (its history holds a 'missing' state, so one
    brought later still counts: the person had to come back) or missing now. Per benefit and
    document: {benefit, code, name_th, name_en, claims}, most often missing first."""
    history = ClaimDocument.history.model.objects.filter(id=OuterRef("pk"), state=ClaimDocument.State.MISSING)
    documents = (
        ClaimDocument.objects.using(reports_alias())
        .filter(claim__in=_recorded_in(since, until, office_ids))
        .filter(Q(state=ClaimDocument.State.MISSING) | Exists(history))
    )
    return list(
        documents.values(
            benefit=F("claim__benefit"),
            code=F("requirement__code"),
            name_th=F("requirement__name_th"),
            name_en=F("requirement__name_en"),
        )
        .annotate(claims=Count("claim_id", distinct=True))
        .order_by("benefit", "-claims", "code")
    )


def claims_missing_documents_by_benefit(*, since, until, office_ids=None) -> dict[str, int]:
    """benefit -> claims recorded from `since` to before `until` with a document missing (as
    `documents_missing` counts them)."""
    history = ClaimDocument.history.model.objects.filter(id=OuterRef("pk"), state=ClaimDocument.State.MISSING)
    lacking = ClaimDocument.objects.filter(claim_id=OuterRef("pk")).filter(
        Q(state=ClaimDocument.State.MISSING) | Exists(history)
    )
    rows = _recorded_in(since, until, office_ids).filter(Exists(lacking)).values_list("benefit").annotate(n=Count("id"))
    return dict(rows.values_list("benefit", "n"))


def rejected_for_missing_documents(*, since, until, office_ids=None) -> dict[str, tuple[int, int]]:
    """benefit -> (claims rejected from `since` to before `until`, of which with a required
    document missing). The rules give no reason code for documents (a claim lacking them is
    still eligible by the rules: `refusal_code` stays empty and the officer rejects it with a
    note), and a decided claim's documents are closed, so a required document missing now
    was missing at the rejection."""
    rejected = ClaimStep.objects.filter(claim_id=OuterRef("pk"), to_status=Claim.Status.REJECTED, at__gte=since)
    claims = Claim.objects.using(reports_alias()).filter(Exists(rejected.filter(at__lt=until)))
    if office_ids is not None:
        claims = claims.filter(office_id__in=office_ids)
    lacking = ClaimDocument.objects.filter(
        claim_id=OuterRef("pk"), state=ClaimDocument.State.MISSING, requirement__required=True
    )
    rows = claims.values_list("benefit").annotate(n=Count("id"), lacking=Count("id", filter=Q(Exists(lacking))))
    return {benefit: (n, lacking) for benefit, n, lacking in rows}
