"""The medical processes' services (issue 20, part 4).

**Medical expenses reimbursed to the insured person**: `medical_claim_record` checks the
receipts (numbers once per hospital, dates, amounts, the items an out-patient may have) and
records a claim of benefit "medical" through `claim_record` with its receipts, then examines
it (`benefits.rules.medical`: the caps and the working). It is decided and paid as every
claim (the claim page; an order on approval; the bank batch).

**High-cost care paid to hospitals**: `hospital_request_record` takes a hospital's request
with its cases; every case must be of an insured person registered with that hospital on
the treatment date (`registry.selectors`) and of a treatment the tariff (`highcost.<code>`,
dated `BenefitParameter` rows) prices on that date, or nothing is stored. Two officers
approve it: `hospital_request_check` (first step, `check_hospitalrequest`), then
`hospital_request_approve` (second step, `approve_hospitalrequest`, neither the recorder nor
the checker: four eyes). Approved requests are paid to the hospital's account by bank batch
through `sso.core.payouts` (the file and confirmation of claims' batches).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits import rules
from benefits.models import Benefit, HospitalBatch, HospitalCase, HospitalRequest, MedicalReceipt, Patient
from benefits.rules.working import money_lazy, money_round
from registry import selectors as registry
from sso.core import payouts
from sso.core.audit import history_copy
from sso.core.formats import date_lazy, lazy_format
from sso.core.lifecycle import Lifecycle
from sso.core.months import month_first
from sso.core.records import refuse, stamp

ZERO = Decimal("0.00")
MAX_RECEIPTS = 20
MAX_CASES = 500
ITEMS = ("care", "room", "icu", "surgery")


# Medical expenses reimbursed to the insured person ------------------------------------------


@dataclass
class ReceiptInput:
    number: str
    patient: str
    treated_on: datetime.date
    discharged_on: datetime.date | None = None
    care: Decimal = ZERO
    room: Decimal = ZERO
    icu: Decimal = ZERO
    icu_days: int = 0
    surgery: Decimal = ZERO
    surgery_minutes: int = 0

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, key) or ZERO for key in ITEMS), ZERO)


def _receipts_check(hospital, receipts: list[ReceiptInput], today: datetime.date) -> None:
    if not receipts:
        refuse("receipts", _("Enter at least one receipt."), "required")
    if len(receipts) > MAX_RECEIPTS:
        refuse("receipts", lazy_format(_("At most %(count)s receipts a claim."), {"count": MAX_RECEIPTS}), "too_many")
    seen = set()
    for receipt in receipts:
        number = (receipt.number or "").strip()
        if not number or len(number) > 40:
            refuse("receipts", _("Every receipt needs its number (at most 40 characters)."), "number")
        if number in seen:
            refuse(
                "receipts",
                lazy_format(_("Receipt %(number)s is entered twice."), {"number": number}),
                "duplicate",
            )
        seen.add(number)
        if receipt.patient not in Patient.values:
            refuse("receipts", _("Say whether each receipt is for an out-patient or an in-patient."), "patient")
        if receipt.treated_on > today:
            refuse("receipts", lazy_format(_("Receipt %(number)s is dated in the future."), {"number": number}))
        for key in ITEMS:
            value = getattr(receipt, key) or ZERO
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value >= Decimal("1e11"):
                refuse(
                    "receipts",
                    lazy_format(_("Receipt %(number)s has an amount that is not valid."), {"number": number}),
                )
        if receipt.total <= 0:
            refuse("receipts", lazy_format(_("Receipt %(number)s has no amount."), {"number": number}), "amount")
        if receipt.patient == Patient.OUT:
            if receipt.room or receipt.icu or receipt.surgery or receipt.discharged_on:
                refuse(
                    "receipts",
                    lazy_format(
                        _(
                            "Receipt %(number)s is an out-patient's: only medical care, no room, ICU, surgery "
                            "or discharge."
                        ),
                        {"number": number},
                    ),
                    "outpatient_items",
                )
        elif receipt.discharged_on is not None and receipt.discharged_on < receipt.treated_on:
            refuse(
                "receipts",
                lazy_format(_("Receipt %(number)s: the discharge is before the admission."), {"number": number}),
                "dates",
            )
    taken = (
        MedicalReceipt.objects.filter(hospital=hospital, number__in=seen)
        .select_related("claim")
        .order_by("number")
        .first()
    )
    if taken is not None:
        refuse(
            "receipts",
            lazy_format(
                _("Receipt %(number)s of this hospital was already claimed (claim %(claim)s)."),
                {"number": taken.number, "claim": taken.claim_id},
            ),
            "duplicate",
        )


def _detail(receipt: ReceiptInput) -> dict:
    return {
        "number": receipt.number.strip(),
        "patient": receipt.patient,
        "treated_on": receipt.treated_on.isoformat(),
        "discharged_on": receipt.discharged_on.isoformat() if receipt.discharged_on else None,
        **{key: str(getattr(receipt, key) or ZERO) for key in ITEMS},
        "icu_days": receipt.icu_days or 0,
        "surgery_minutes": receipt.surgery_minutes or 0,
    }


@transaction.atomic
def medical_claim_record(
    *, officer, person, hospital, hospital_kind: str, receipts: list[ReceiptInput], presented=(), today=None
):
    """Record and examine a claim for medical expenses with its receipts (one transaction:
    a refused receipt stores nothing)."""
    from benefits import services

    today = today or timezone.localdate()
    if hospital is None:
        refuse("hospital", _("Choose the hospital of the receipts."), "required")
    if hospital_kind not in ("public", "private"):
        refuse("hospital_kind", _("Say whether the hospital is public or private."), "required")
    _receipts_check(hospital, receipts, today)
    details = {
        "hospital": hospital.pk,
        "hospital_code": hospital.code,
        "hospital_kind": hospital_kind,
        "receipts": [_detail(receipt) for receipt in receipts],
    }
    claim = services.claim_record(
        officer=officer,
        person=person,
        benefit=Benefit.MEDICAL,
        event_date=min(receipt.treated_on for receipt in receipts),
        details=details,
        presented=presented,
        today=today,
    )
    p = rules.parameters_on(min(receipt.treated_on for receipt in receipts))
    for receipt in receipts:
        allowed = money_round(rules.medical.receipt_allowed(_detail(receipt), hospital_kind, p, rules.Work()))
        row = MedicalReceipt(
            claim=claim,
            hospital=hospital,
            hospital_kind=hospital_kind,
            number=receipt.number.strip(),
            patient=receipt.patient,
            treated_on=receipt.treated_on,
            discharged_on=receipt.discharged_on,
            care=receipt.care or ZERO,
            room=receipt.room or ZERO,
            icu=receipt.icu or ZERO,
            icu_days=receipt.icu_days or 0,
            surgery=receipt.surgery or ZERO,
            surgery_minutes=receipt.surgery_minutes or 0,
            total=receipt.total,
            allowed=allowed,
        )
        try:
            with transaction.atomic():
                stamp(row, officer).save()
        except IntegrityError:
            refuse(
                "receipts",
                lazy_format(_("Receipt %(number)s of this hospital was just claimed."), {"number": row.number}),
                "duplicate",
            )
    return services.claim_examine(claim=claim, officer=officer)


# High-cost care paid to hospitals --------------------------------------------------------------

R = HospitalRequest.Status
B = HospitalBatch.Status

HOSPITAL_REQUEST = Lifecycle(
    HospitalRequest,
    {
        # First step: checked by one officer; second: approved by another (four eyes).
        R.RECORDED: {R.CHECKED, R.REJECTED},
        R.CHECKED: {R.APPROVED, R.REJECTED},
        # Paid to the hospital's account through the bank (sso.core.payouts).
        R.APPROVED: {R.IN_BATCH},
        R.IN_BATCH: {R.PAID, R.FAILED},
        # Returned by the bank: approved again once the hospital's account is corrected.
        R.FAILED: {R.APPROVED},
    },
)

HOSPITAL_BATCH = Lifecycle(HospitalBatch, {B.OPEN: {B.SENT}, B.SENT: {B.CONFIRMED}})

PAYOUTS = payouts.Payouts(
    item=HospitalRequest,
    batch=HospitalBatch,
    lifecycle=HOSPITAL_REQUEST,
    batch_lifecycle=HOSPITAL_BATCH,
    prefix="SSH",
)


@dataclass
class CaseInput:
    national_id: str
    treated_on: datetime.date
    treatment: str
    units: Decimal
    asked: Decimal


def tariff_key(treatment: str) -> str:
    return f"highcost.{treatment}"


def _case_check(hospital, case: CaseInput, line: int, today) -> tuple:
    """The person, the amount allowed and the working of one case, or a refusal naming the line."""

    def fault(message, kind="invalid", **params):
        refuse(
            "cases",
            lazy_format(_("Case %(line)s: %(problem)s"), {"line": line, "problem": lazy_format(message, params)}),
            kind,
        )

    person = registry.person_find(case.national_id)
    if person is None:
        fault(_("no insured person has national ID %(id)s."), "unknown_person", id=case.national_id)
    if case.treated_on > today:
        fault(_("the treatment date is in the future."), "future")
    if registry.section_spell_on(person, case.treated_on) is None:
        fault(_("%(id)s was not insured on %(day)s."), "not_insured", id=case.national_id, day=_day(case.treated_on))
    if registry.hospital_registered_on(person.pk, case.treated_on) != hospital.pk:
        fault(
            _("%(id)s was not registered with this hospital on %(day)s."),
            "not_registered",
            id=case.national_id,
            day=_day(case.treated_on),
        )
    try:
        rate = rules.parameters_on(case.treated_on)(tariff_key(case.treatment))
    except ValidationError:  # no tariff row in force: the treatment is not priced on that date
        fault(
            _("the tariff has no rate for treatment %(code)s on %(day)s."),
            "tariff",
            code=case.treatment,
            day=_day(case.treated_on),
        )
    if not case.units or case.units <= 0 or not case.asked or case.asked <= 0:
        fault(_("the units and the amount asked must be above zero."), "amount")
    cap = money_round(rate * case.units)
    allowed = min(case.asked, cap)
    working = [
        str(
            lazy_format(
                _("%(units)s x %(rate)s (%(code)s) = %(cap)s; %(asked)s asked: %(allowed)s."),
                {
                    "units": f"{case.units.normalize():f}",
                    "rate": money_lazy(rate),
                    "code": case.treatment,
                    "cap": money_lazy(cap),
                    "asked": money_lazy(case.asked),
                    "allowed": money_lazy(allowed),
                },
            )
        )
    ]
    return person, allowed, working


def _day(day):
    return date_lazy(day)


@transaction.atomic
def hospital_request_record(
    *, officer, hospital, reference: str, period: datetime.date, bank, account_number: str, account_name: str, cases
) -> HospitalRequest:
    """Record a hospital's request with its cases, each checked (registered there and insured
    on its date, priced by the tariff in force); any refused case stores nothing."""
    today = timezone.localdate()
    if officer.office_id is None:
        refuse("office", _("Only an officer of an office records hospitals' requests."), "no_office")
    if hospital is None:
        refuse("hospital", _("Choose the hospital."), "required")
    reference = (reference or "").strip()
    if not reference or len(reference) > 40:
        refuse("reference", _("Give the hospital's reference of the request (at most 40 characters)."), "required")
    if HospitalRequest.objects.filter(hospital=hospital, reference=reference).exists():
        refuse("reference", _("This hospital's request with this reference is already recorded."), "duplicate")
    number, name = payouts.account_checked(bank, account_number, account_name)
    cases = list(cases)
    if not cases:
        refuse("cases", _("Enter at least one case."), "required")
    if len(cases) > MAX_CASES:
        refuse("cases", lazy_format(_("At most %(count)s cases a request."), {"count": MAX_CASES}), "too_many")
    checked, seen = [], set()
    for line, case in enumerate(cases, 1):
        key = (case.national_id, case.treated_on, case.treatment)
        if key in seen:
            refuse("cases", lazy_format(_("Case %(line)s is entered twice."), {"line": line}), "duplicate")
        seen.add(key)
        person, allowed, working = _case_check(hospital, case, line, today)
        already = (
            HospitalCase.objects.filter(person=person, treated_on=case.treated_on, treatment=case.treatment)
            .exclude(request__status=R.REJECTED)
            .values_list("request_id", flat=True)
            .first()
        )
        if already is not None:
            refuse(
                "cases",
                lazy_format(
                    _("Case %(line)s: this treatment was already requested (request %(request)s)."),
                    {"line": line, "request": already},
                ),
                "duplicate",
            )
        checked.append((case, person, allowed, working))
    request = stamp(
        HospitalRequest(
            office=officer.office,
            hospital=hospital,
            reference=reference,
            period=month_first(period),
            bank=bank,
            account_number=number,
            account_name=name,
            recorded_by=officer,
            asked=sum((case.asked for case, *_rest in checked), ZERO),
            amount=sum((allowed for _case, _person, allowed, _w in checked), ZERO),
        ),
        officer,
    )
    request.save()
    for case, person, allowed, working in checked:
        stamp(
            HospitalCase(
                request=request,
                person=person,
                treated_on=case.treated_on,
                treatment=case.treatment,
                units=case.units,
                asked=case.asked,
                allowed=allowed,
                working=working,
            ),
            officer,
        ).save()
    return request


def _locked(request: HospitalRequest) -> HospitalRequest:
    return HospitalRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def hospital_request_check(*, request: HospitalRequest, officer, note: str = "") -> HospitalRequest:
    """The first step: an officer holding `check_hospitalrequest` confirms the cases."""
    request = _locked(request)
    if not officer.has_perm("benefits.check_hospitalrequest"):
        refuse("status", _("Checking a hospital's request needs the right to check it."), "permission")
    if request.status != R.RECORDED:
        refuse("status", _("Only a recorded request can be checked."), "not_recorded")
    request.checked_by = officer
    return HOSPITAL_REQUEST.move(request, R.CHECKED, officer=officer, reason=note, update_fields=["checked_by"])


@transaction.atomic
def hospital_request_approve(*, request: HospitalRequest, officer, note: str = "") -> HospitalRequest:
    """The second step: another officer, holding `approve_hospitalrequest`, who neither
    recorded nor checked it (four eyes), approves it for payment."""
    request = _locked(request)
    if not officer.has_perm("benefits.approve_hospitalrequest"):
        refuse("status", _("Approving a hospital's request needs the right to approve it."), "permission")
    if request.status != R.CHECKED:
        refuse("status", _("Only a checked request can be approved."), "not_checked")
    if officer.pk in (request.recorded_by_id, request.checked_by_id):
        refuse(
            "status",
            _("Four eyes: the officer who recorded or checked the request cannot also approve it."),
            "four_eyes",
        )
    request.approved_by = officer
    return HOSPITAL_REQUEST.move(request, R.APPROVED, officer=officer, reason=note, update_fields=["approved_by"])


@transaction.atomic
def hospital_request_reject(*, request: HospitalRequest, officer, reason: str) -> HospitalRequest:
    request = _locked(request)
    reason = (reason or "").strip()
    if not reason:
        refuse("note", _("Give the reason for the rejection."), "required")
    if request.status not in (R.RECORDED, R.CHECKED):
        refuse("status", _("Only a request not yet approved can be rejected."), "decided")
    if not (officer.has_perm("benefits.check_hospitalrequest") or officer.has_perm("benefits.approve_hospitalrequest")):
        refuse("status", _("Checking a hospital's request needs the right to check it."), "permission")
    request.note = reason[:2000]
    return HOSPITAL_REQUEST.move(request, R.REJECTED, officer=officer, reason=reason, update_fields=["note"])


@transaction.atomic
def hospital_batch_make(*, office, bank, pay_on: datetime.date, officer) -> HospitalBatch:
    """The office's approved requests to hospitals' accounts at `bank`, in one batch (one UPDATE)."""
    if office is None:
        refuse("office", _("Only an officer of an office can make its batches."), "no_office")
    if pay_on < timezone.localdate():
        refuse("pay_on", _("The pay date cannot be in the past."), "past")
    batch = stamp(HospitalBatch(office=office, bank=bank, pay_on=pay_on, created_by=officer), officer)
    batch.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE benefits_hospitalrequest SET status = %s, batch_id = %s"
            " WHERE office_id = %s AND bank_id = %s AND status = ANY(%s) RETURNING id, amount",
            [R.IN_BATCH, batch.pk, office.pk, bank.pk, HOSPITAL_REQUEST.sources(R.IN_BATCH)],
        )
        rows = cursor.fetchall()
    if not rows:
        refuse("bank", _("No approved hospital request to this bank is waiting to be paid."), "empty")
    history_copy(HospitalRequest, [row[0] for row in rows], history_type="~", officer=officer)
    batch.total = sum((row[1] for row in rows), ZERO)
    stamp(batch, officer).save(update_fields=["total"])
    return batch


def hospital_batch_file(batch: HospitalBatch) -> bytes:
    return payouts.bank_file(PAYOUTS, batch)


def hospital_batch_send(*, batch: HospitalBatch, officer) -> HospitalBatch:
    return payouts.batch_mark_sent(PAYOUTS, batch=batch, officer=officer)


def hospital_confirmation_import(*, batch: HospitalBatch, content: bytes, officer):
    return payouts.confirmation_import(PAYOUTS, batch=batch, content=content, officer=officer)


@transaction.atomic
def hospital_request_requeue(*, request: HospitalRequest, officer, bank, account_number: str, account_name: str):
    """A returned transfer approved again to the hospital's corrected account."""
    request = _locked(request)
    if request.status != R.FAILED:
        refuse("status", _("Only a returned transfer can be queued again."), "not_failed")
    request.account_number, request.account_name = payouts.account_checked(bank, account_number, account_name)
    request.bank, request.batch, request.bank_reference = bank, None, None
    return HOSPITAL_REQUEST.move(
        request,
        R.APPROVED,
        officer=officer,
        update_fields=["bank", "account_number", "account_name", "batch", "bank_reference"],
    )


def parse_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None
