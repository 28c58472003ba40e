"""Medical expenses reimbursed to the insured person (Act s.63; the Medical Committee's
rates for emergency care at a hospital other than the registered one): each receipt's
amounts per item capped by the `medical.*` parameters in force on its treatment date, with
the working shown. The figures, their sources and confidence are in docs/benefits.md
("Medical expenses"). The qualifying months are sickness's (3 in 15).

A public hospital is reimbursed as paid (an in-patient's room and food capped a day); a
private one has caps per out-patient visit, per day of admission (care, room and food,
ICU) and per operation by its length. An admission counts its emergency days only
(`medical.emergency_days`, the 72 hours): a longer stay's care, room and ICU are prorated
to those days. Over a cap is capped, not refused: the working says what was asked and
what is paid.
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.medical_models import HospitalKind, Patient
from benefits.rules.cover import alive_check, insured
from benefits.rules.history import qualify
from benefits.rules.working import ZERO, Outcome, missing_data, money_lazy, money_round, refuse
from registry import selectors as registry
from sso.core.formats import date_lazy

ITEMS = ("care", "room", "icu", "surgery")


def _amount(receipt: dict, key: str) -> Decimal:
    try:
        value = Decimal(str(receipt.get(key) or 0))
    except ArithmeticError:
        return ZERO
    return value if value.is_finite() and value > 0 else ZERO


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def surgery_cap(minutes: int, p) -> Decimal:
    """A private hospital's operation by its length: under 1 hour, 1 to 2 hours, over 2."""
    if minutes <= 0:
        return ZERO
    if minutes < 60:
        return p("medical.surgery.under_1h")
    if minutes <= 120:
        return p("medical.surgery.1_to_2h")
    return p("medical.surgery.over_2h")


def receipt_allowed(receipt: dict, kind: str, p, work) -> Decimal:
    """What one receipt is reimbursed, each item's cap a working line."""
    number = receipt.get("number", "")
    treated = _date(receipt.get("treated_on"))
    care, room, icu, surgery = (_amount(receipt, key) for key in ITEMS)
    private = kind == HospitalKind.PRIVATE
    if receipt.get("patient") == Patient.OUT:
        if private:
            cap = p("medical.private.outpatient_per_visit")
            allowed = min(care, cap)
            work.line(
                _(
                    "Receipt %(number)s, out-patient, private hospital: %(asked)s paid, at most %(cap)s a visit: "
                    "%(allowed)s."
                ),
                number=number,
                asked=money_lazy(care),
                cap=money_lazy(cap),
                allowed=money_lazy(allowed),
            )
        else:
            allowed = care
            work.line(
                _("Receipt %(number)s, out-patient, public hospital: %(asked)s paid, reimbursed as paid."),
                number=number,
                asked=money_lazy(care),
            )
        return allowed
    discharged = _date(receipt.get("discharged_on")) or treated
    days = max(1, (discharged - treated).days) if treated else 1
    covered = min(days, int(p("medical.emergency_days")))
    share = Decimal(covered) / Decimal(days)
    work.line(
        _("Receipt %(number)s, in-patient %(days)s days from %(day)s: %(covered)s emergency days counted."),
        number=number,
        days=days,
        day=date_lazy(treated) if treated else "-",
        covered=covered,
    )
    icu_days = min(int(receipt.get("icu_days") or 0), covered)
    if private:
        caps = {
            "care": p("medical.private.care_per_day") * covered,
            "room": p("medical.private.room_per_day") * covered,
            "icu": p("medical.private.icu_per_day") * icu_days,
            "surgery": surgery_cap(int(receipt.get("surgery_minutes") or 0), p),
        }
    else:
        caps = {"care": None, "room": p("medical.public.room_per_day") * covered, "icu": None, "surgery": None}
    labels = {
        "care": _("medical care"),
        "room": _("room and food"),
        "icu": _("intensive care (ICU)"),
        "surgery": _("surgery"),
    }
    total = ZERO
    for key, asked in zip(ITEMS, (care, room, icu, surgery), strict=True):
        if not asked:
            continue
        counted = asked if key == "surgery" else money_round(asked * share)
        cap = caps[key]
        allowed = counted if cap is None else min(counted, cap)
        total += allowed
        if cap is None:
            work.line(
                _("  %(item)s: %(asked)s paid, %(counted)s for the days counted, as paid."),
                item=labels[key],
                asked=money_lazy(asked),
                counted=money_lazy(counted),
            )
        else:
            work.line(
                _("  %(item)s: %(asked)s paid, %(counted)s for the days counted, at most %(cap)s: %(allowed)s."),
                item=labels[key],
                asked=money_lazy(asked),
                counted=money_lazy(counted),
                cap=money_lazy(cap),
                allowed=money_lazy(allowed),
            )
    return total


def medical(person, event_date, details, dependant, p, work) -> Outcome:
    alive_check(person, event_date, work)
    insured(person, event_date, p, work, grace=True)
    qualify(person, event_date, "sickness", p, work)
    receipts = details.get("receipts") or []
    kind = details.get("hospital_kind")
    if not receipts or kind not in HospitalKind.values:
        missing_data(work, _("The receipts or the kind of hospital are not given."))
    hospital_id = details.get("hospital")
    registered = registry.hospital_registered_on(person.pk, event_date)
    if registered is not None and registered == hospital_id:
        refuse(
            "registered_hospital",
            _("Care at the registered hospital is free: there is nothing to reimburse."),
        )
    work.line(_("Treated at a hospital other than the registered one (emergency care)."))
    limit = int(p("medical.claim_days"))
    if (timezone.localdate() - event_date).days > limit:
        refuse("late", _("Medical expenses are claimed within %(days)s days of the treatment."), days=limit)
    total = sum((receipt_allowed(receipt, kind, p, work) for receipt in receipts), ZERO)
    asked = sum((sum((_amount(r, key) for key in ITEMS), ZERO) for r in receipts), ZERO)
    work.line(
        _("Receipts: %(asked)s paid, %(total)s reimbursed."),
        asked=money_lazy(asked),
        total=money_lazy(money_round(total)),
    )
    return Outcome(eligible=True, amount=money_round(total))
