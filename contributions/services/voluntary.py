"""Voluntary contributions (Sections 39 and 40): the months, the amount and the payment."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contributions import rules
from contributions.models import (
    ContributionMonth,
    Payment,
)
from contributions.services.common import ZERO, local_today, period_end
from contributions.services.payments import amount_check, method_check, paid_on_check, payment_by_key
from contributions.services.receipts import receipt_issue
from registry import selectors as registry
from registry.selectors import Section
from sso.core.formats import lazy_format, months_numeric_lazy
from sso.core.months import month_add, month_first, months_between
from sso.core.records import refuse, stamp

# Voluntary contributions (Sections 39 and 40) ----------------------------------------------


def _voluntary_periods(person, section, period_from, period_to, today):
    period_from, period_to = month_first(period_from), month_first(period_to)
    if period_to < period_from:
        refuse("period_to", _("The last month is before the first."), "order")
    if period_to > month_first(today):
        refuse("period_to", _("Voluntary contributions are paid for months that have begun."), "future")
    most = rules.collection_rule_for(period_from).voluntary_max_months
    if months_between(period_from, period_to) > most:
        refuse("period_to", lazy_format(_("Pay at most %(months)s months at once."), {"months": most}), "too_many")
    spell = registry.section_spell_through(person, section, period_end(period_from), period_to)
    if spell is None:
        refuse(
            "person",
            lazy_format(
                _("This person is not insured under Section %(section)s for every month paid for."),
                {"section": section},
            ),
            "not_insured",
        )
    paid = ContributionMonth.objects.filter(
        person=person,
        section=section,
        period__range=(period_from, period_to),
        payment__status=Payment.Status.POSTED,
    ).values_list("period", flat=True)
    if paid:
        refuse(
            "period_from",
            lazy_format(_("Already paid for %(months)s."), {"months": months_numeric_lazy(sorted(paid))}),
            "already_paid",
        )
    months = [month_add(period_from, n) for n in range(months_between(period_from, period_to))]
    return spell, months


def voluntary_amount_due(*, person, section, period_from, period_to, option=None) -> tuple[Decimal, Decimal]:
    """(what the person pays, what the government adds) for the months given."""
    months = [
        month_add(month_first(period_from), n)
        for n in range(months_between(month_first(period_from), month_first(period_to)))
    ]
    if section == Section.S39:
        total = sum((rules.section39_amount(month) for month in months), ZERO)
        government = sum((rules.section39_rate_for(month).section39_government for month in months), ZERO)
        return total, government
    rows = [rules.section40_option_for(month, option) for month in months]
    return sum((row.person_amount for row in rows), ZERO), sum((row.government_amount for row in rows), ZERO)


@transaction.atomic
def voluntary_pay(
    *,
    officer,
    person,
    section: str,
    period_from: datetime.date,
    period_to: datetime.date,
    amount: Decimal,
    method: str,
    reference: str = "",
    channel: str = Payment.Channel.COUNTER,
    paid_on: datetime.date | None = None,
    date_reason: str = "",
    date_confirmed_by=None,
    idempotency_key: str | None = None,
) -> Payment:
    """A Section 39 (432 THB a month) or Section 40 (by option) payment, with its receipt.
    Its date follows the rules of every payment's (`paid_on_check`): never in the future."""
    if (found := payment_by_key(idempotency_key)) is not None:
        return found
    today = local_today()
    paid_on = paid_on or today
    if section not in (Section.S39, Section.S40):
        refuse("section", _("Voluntary contributions are for Section 39 or Section 40."), "section")
    method_check(method, reference)
    person = registry.person_lock(person.pk)
    paid_on_check(
        officer=officer,
        channel=channel,
        paid_on=paid_on,
        reason=date_reason,
        confirmed_by=date_confirmed_by,
        office_id=officer.office_id,
    )
    dated = channel == Payment.Channel.COUNTER and paid_on != today
    spell, months = _voluntary_periods(person, section, period_from, period_to, today)
    option = spell.s40_option if section == Section.S40 else None
    try:
        due, government = voluntary_amount_due(
            person=person, section=section, period_from=months[0], period_to=months[-1], option=option
        )
    except ValidationError as exc:
        raise ValidationError({"period_from": exc}) from None
    amount_check(amount, due)
    payment = stamp(
        Payment(
            # The office taking the money: a person is served at any office, and the payment
            # and its receipt are the work of the office that takes them.
            office_id=officer.office_id or person.office_id,
            kind=Payment.Kind.SECTION39 if section == Section.S39 else Payment.Kind.SECTION40,
            person=person,
            period_from=months[0],
            period_to=months[-1],
            section40_option=option,
            method=method,
            channel=channel,
            reference=reference.strip(),
            contribution_amount=due,
            government_amount=government,
            amount=amount,
            paid_on=paid_on,
            date_reason=date_reason.strip() if dated else "",
            date_confirmed_by=date_confirmed_by if dated else None,
            posted_by=officer,
            idempotency_key=idempotency_key or None,
        ),
        officer,
    )
    payment.save()
    ContributionMonth.objects.bulk_create(
        ContributionMonth(
            person=person,
            period=month,
            section=section,
            wage=rules.section39_rate_for(month).section39_base if section == Section.S39 else ZERO,
            amount=voluntary_amount_due(
                person=person, section=section, period_from=month, period_to=month, option=option
            )[0],
            payment=payment,
        )
        for month in months
    )
    receipt_issue(payment, officer)
    return payment
