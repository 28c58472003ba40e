"""The back office's cross-checks of recorded benefit claims and the verifier's resolutions.

`claim_verify` runs in Celery once a claim is recorded (and again from the beat safety net
while a claim is still pending). It checks what the counter could not: the employer's latest
statements still listing the person, days overlapping another claim's, a child claimed by
another parent, a death already recorded, and a plausible bank account. Each finding is made
once per claim and kind (`get_or_create` on the unique key): a retried or redelivered task
adds nothing. A claim with an open finding has its payment held; when the last one is cleared
the claim's held payment orders go back to `pending`.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.lifecycles import CLAIM, FINDING, PAYMENT_ORDER
from benefits.models import Benefit, Claim, ClaimFinding, PaymentOrder
from benefits.rules.parameters import parameter
from contributions import selectors as contributions
from registry import selectors as registry
from sso.core.records import refuse, stamp

CLOSED = (Claim.Status.WITHDRAWN, Claim.Status.REJECTED)
# Paid to someone else than the claimant (the survivors, the funeral's payer): no account of
# the claimant's is needed.
NOT_TO_CLAIMANT = {Benefit.DEATH}


# The checks: each returns the finding's detail, or None ---------------------------------------


def _still_employed(claim: Claim) -> dict | None:
    """Unemployment and old age: a statement (accepted or paid, not void, not replaced by an
    amendment) lists the person for a wage month starting after the leaving (event) date."""
    if claim.benefit not in (Benefit.UNEMPLOYMENT, Benefit.OLD_AGE):
        return None
    line = contributions.statement_line_after(claim.person_id, claim.event_date)
    if line is None:
        return None
    statement = line.statement
    return {
        "statement": statement.pk,
        "employer": statement.employer_id,
        "employer_name": statement.employer.name_th,
        "period": statement.period.isoformat(),
        "wage": str(line.wage),
        "event_date": claim.event_date.isoformat(),
    }


def _days(claim: Claim) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a sickness or maternity claim covers."""
    if claim.benefit == Benefit.SICKNESS:
        try:
            days = int((claim.details or {}).get("days_off") or 0)
        except (TypeError, ValueError):
            days = 0
        return claim.event_date, claim.event_date + datetime.timedelta(days=max(days, 1) - 1)
    if claim.benefit == Benefit.MATERNITY:
        # The days of maternity cash the rules pay, from the birth (a dated parameter).
        days = int(parameter("maternity.cash_days", claim.event_date))
        return claim.event_date, claim.event_date + datetime.timedelta(days=days - 1)
    return None


def _overlap(claim: Claim) -> dict | None:
    """Sickness days overlapping another open sickness or maternity claim of the person (two
    maternity claims are not compared: that is a different event)."""
    span = _days(claim)
    if span is None:
        return None
    others = (
        Claim.objects.filter(person_id=claim.person_id, benefit__in=(Benefit.SICKNESS, Benefit.MATERNITY))
        .exclude(pk=claim.pk)
        .exclude(status__in=CLOSED)
        .order_by("event_date", "pk")
    )
    if claim.benefit == Benefit.MATERNITY:
        others = others.filter(benefit=Benefit.SICKNESS)
    overlapping = []
    for other in others:
        first, last = _days(other)
        start, end = max(span[0], first), min(span[1], last)
        if start <= end:
            overlapping.append(
                {
                    "claim": other.pk,
                    "benefit": other.benefit,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "days": (end - start).days + 1,
                }
            )
    if not overlapping:
        return None
    return {"from": span[0].isoformat(), "to": span[1].isoformat(), "claims": overlapping}


def _child_claimed(claim: Claim) -> dict | None:
    """Child allowance: the same child (by birth certificate or national ID) on another
    insured person's open child-allowance claim: two parents claiming one child."""
    child = claim.dependant
    if claim.benefit != Benefit.CHILD_ALLOWANCE or child is None:
        return None
    same_child = Q()
    if child.birth_certificate_id:
        same_child |= Q(dependant__birth_certificate_id=child.birth_certificate_id)
    if child.national_id:
        same_child |= Q(dependant__national_id=child.national_id)
    if not same_child:
        return None
    others = list(
        Claim.objects.filter(same_child, benefit=Benefit.CHILD_ALLOWANCE)
        .exclude(person_id=claim.person_id)
        .exclude(status__in=CLOSED)
        .order_by("pk")
        .values_list("pk", "person_id")
    )
    if not others:
        return None
    return {
        "birth_certificate_id": child.birth_certificate_id,
        "national_id": child.national_id,
        "claims": [{"claim": pk, "person": person} for pk, person in others],
    }


def _death_recorded(claim: Claim) -> dict | None:
    """A claim (not for death) of a person who died before the event; or a second death claim."""
    person = claim.person
    if claim.benefit != Benefit.DEATH:
        if person.died_on is not None and person.died_on < claim.event_date:
            return {"died_on": person.died_on.isoformat(), "event_date": claim.event_date.isoformat()}
        return None
    others = list(
        Claim.objects.filter(person_id=claim.person_id, benefit=Benefit.DEATH)
        .exclude(pk=claim.pk)
        .exclude(status=Claim.Status.WITHDRAWN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {"claims": others} if others else None


def _bank_account(claim: Claim) -> dict | None:
    """Paid by transfer: an open bank account on record, its number as long as the bank's."""
    if claim.benefit in NOT_TO_CLAIMANT:
        return None
    account = registry.bank_account_open(claim.person_id)
    if account is None:
        return {"problem": "none"}
    digits = "".join(ch for ch in account.account_number if ch.isdigit())
    if len(digits) != account.bank.account_digits or digits != account.account_number.replace("-", ""):
        return {
            "problem": "length",
            "bank": account.bank.code,
            "account_number": account.account_number,
            "digits": len(digits),
            "expected": account.bank.account_digits,
        }
    return None


CHECKS = (
    (ClaimFinding.Kind.STILL_EMPLOYED, _still_employed),
    (ClaimFinding.Kind.OVERLAP, _overlap),
    (ClaimFinding.Kind.CHILD_CLAIMED, _child_claimed),
    (ClaimFinding.Kind.DEATH_RECORDED, _death_recorded),
    (ClaimFinding.Kind.BANK_ACCOUNT, _bank_account),
)


# Payment held and released ------------------------------------------------------------------


def _orders_move(claim: Claim, officer, from_status: str, to_status: str, reason: str = "") -> int:
    """Move the claim's payment orders in `from_status` to `to_status`, each an audited save."""
    orders = list(PaymentOrder.objects.select_for_update().filter(claim=claim, status=from_status).order_by("pk"))
    for order in orders:
        PAYMENT_ORDER.move(order, to_status, officer=officer, reason=reason)
    return len(orders)


def held_orders_release(*, claim: Claim, officer=None) -> int:
    """The claim's held payment orders go to `pending` (to be paid), less any overpayment
    still to recover (`benefits.adjustments`). Returns how many."""
    released = _orders_move(claim, officer, PaymentOrder.Status.HELD, PaymentOrder.Status.PENDING)
    if released:
        from benefits.adjustments import recoveries_apply

        recoveries_apply(officer=officer, claim_ids=[claim.pk])
    return released


def _verification_of(claim: Claim) -> str:
    states = set(claim.findings.values_list("status", flat=True).distinct())
    if ClaimFinding.Status.OPEN in states:
        return Claim.Verification.FINDINGS
    return Claim.Verification.CLEARED if states else Claim.Verification.CLEAR


def _settle(claim: Claim, officer, when=None) -> str:
    """Set the claim's verification from its findings; payment is released once nothing is open."""
    verification = _verification_of(claim)
    if verification != claim.verification:
        claim.verification = verification
        claim.verified_at = when or timezone.now()
        stamp(claim, officer).save(update_fields=["verification", "verified_at"])
    elif when is not None:
        # verified_at alone: no history row for a re-run that changed nothing.
        Claim.objects.filter(pk=claim.pk).update(verified_at=when)
    if verification in (Claim.Verification.CLEAR, Claim.Verification.CLEARED):
        held_orders_release(claim=claim, officer=officer)
    return verification


# The cross-check ---------------------------------------------------------------------------


@transaction.atomic
def claim_verify(*, claim_id: int) -> str:
    """Cross-check a recorded claim. Safe to re-run: each finding is made once per kind, and a
    cleared or confirmed finding is not opened again. Returns the claim's verification."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("person", "dependant").filter(pk=claim_id)
    claim = claim.first()
    if claim is None:
        return "missing"
    if claim.status == Claim.Status.WITHDRAWN:
        return claim.verification
    when = timezone.now()
    existing = set(claim.findings.values_list("kind", flat=True))
    for kind, check in CHECKS:
        if kind in existing:
            continue
        detail = check(claim)
        if detail is None:
            continue
        try:
            with transaction.atomic():
                stamp(ClaimFinding(claim=claim, kind=kind, detail=detail), None).save()
        except IntegrityError:
            pass  # made by a concurrent run
    return _settle(claim, None, when)


# The verifier's resolutions -------------------------------------------------------------------


def _finding_locked(finding: ClaimFinding) -> tuple[Claim, ClaimFinding]:
    # The claim first: two verifiers resolving its last two findings see each other's.
    claim = Claim.objects.select_for_update().get(pk=finding.claim_id)
    finding = ClaimFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != ClaimFinding.Status.OPEN:
        refuse("status", _("This finding is already resolved."), "already_resolved")
    return claim, finding


def _resolve(finding: ClaimFinding, officer, status: str, note: str) -> None:
    finding.resolved_at = timezone.now()
    finding.resolved_by = officer
    finding.note = note
    FINDING.move(finding, status, officer=officer, reason=note, update_fields=["resolved_at", "resolved_by", "note"])


@transaction.atomic
def finding_clear(*, finding: ClaimFinding, officer, note: str) -> ClaimFinding:
    """The verifier checked the finding and it does not stand (with a note saying why). The
    last open finding cleared releases the claim's held payments."""
    note = (note or "").strip()
    if not note:
        refuse("note", _("Say why the finding does not stand."), "required")
    claim, finding = _finding_locked(finding)
    _resolve(finding, officer, ClaimFinding.Status.CLEARED, note)
    _settle(claim, officer)
    return finding


@transaction.atomic
def finding_confirm(*, finding: ClaimFinding, officer, note: str) -> ClaimFinding:
    """The finding stands: the claim goes back to `examined` for a new decision and its held
    payment orders are cancelled."""
    note = (note or "").strip()
    if not note:
        refuse("note", _("Say what the finding means for the claim."), "required")
    claim, finding = _finding_locked(finding)
    _resolve(finding, officer, ClaimFinding.Status.CONFIRMED, note)
    _orders_move(claim, officer, PaymentOrder.Status.HELD, PaymentOrder.Status.CANCELLED, note)
    if claim.status in (Claim.Status.APPROVED, Claim.Status.REFERRED):
        claim.adjudicated_at = None
        claim.adjudicated_by = None
        CLAIM.move(
            claim,
            Claim.Status.EXAMINED,
            officer=officer,
            reason=note,
            note=note,
            update_fields=["adjudicated_at", "adjudicated_by"],
        )
    _settle(claim, officer)
    return finding
