"""The counter's Section 39 / Section 40 payment page: the open spell, the months already
paid, the next months to pay with their amount, and the payment (`services.voluntary_pay`),
which goes on to the receipt. Works without JavaScript: "Recompute" is a plain GET."""

import datetime
import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contributions import rules, selectors, services
from contributions.arrears import period_label
from contributions.models import ContributionMonth, Payment
from registry import selectors as registry
from registry import services as registry_services
from registry.selectors import Section
from sso.core.forms import ThaiMonthField, errors_to_form
from sso.core.months import month_add, month_first

PAID_SHOWN = 24


class VoluntaryPaymentForm(forms.Form):
    period_from = ThaiMonthField(label=gettext_lazy("First month"))
    period_to = ThaiMonthField(label=gettext_lazy("Last month"))
    amount = forms.DecimalField(label=gettext_lazy("Amount (THB)"), max_digits=14, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label=gettext_lazy("Paid by"), choices=Payment.Method.choices)
    reference = forms.CharField(label=gettext_lazy("Cheque or transfer reference"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_from"].widget.attrs["autofocus"] = True
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


def voluntary_spell(person, today: datetime.date):
    """The person's section spell in force today."""
    return registry.section_spell_on(person, today)


def months_paid(person, section: str, *, since: datetime.date | None = None) -> set[datetime.date]:
    return set(selectors.paid_months(person.pk, sections=(section,), first=since))


def months_suggested(person, spell, today: datetime.date) -> list[datetime.date]:
    """The next months to pay: from the first unpaid month of the last 12 (not before the
    spell began) up to the current month, stopping at a month already paid; at most the
    months one payment may cover (`CollectionRule.voluntary_max_months`, 12)."""
    current = month_first(today)
    most = rules.collection_rule_for(current).voluntary_max_months
    start = max(month_first(spell.valid_from), month_add(current, -(most - 1)))
    paid = months_paid(person, spell.section, since=start)
    months, month = [], start
    while month <= current and len(months) < most:
        if month in paid:
            if months:
                break
        else:
            months.append(month)
        month = month_add(month, 1)
    return months


def _amount_for(person, spell, period_from, period_to) -> Decimal | None:
    try:
        due, _government = services.voluntary_amount_due(
            person=person,
            section=spell.section,
            period_from=period_from,
            period_to=period_to,
            option=spell.s40_option,
        )
    except ValidationError:
        return None
    return due


def _monthly_amount(spell, today) -> Decimal | None:
    try:
        if spell.section == Section.S39:
            return rules.section39_amount(month_first(today))
        return rules.section40_option_for(month_first(today), spell.s40_option).person_amount
    except ValidationError:
        return None


@login_required
@permission_required("contributions.add_payment", raise_exception=True)
def voluntary_pay(request, pk):
    # A person is served at any office: reading another office's person is logged.
    person = registry.person_get_for_user(request.user, pk=pk)
    registry_services.person_read_record(
        reader=request.user, person_id=person.pk, person_office_id=person.office_id, via="payment"
    )
    today = timezone.localdate()
    spell = voluntary_spell(person, today)
    context = {"person": person, "spell": spell, "today": today}
    if spell is None or spell.section not in (Section.S39, Section.S40):
        context["refused"] = _(
            "This person is not insured under Section 39 or Section 40 today: voluntary contributions cannot be taken."
        )
        return render(request, "contributions/voluntary.html", context)

    suggested = months_suggested(person, spell, today)
    # One key per form shown: the same form sent twice (a double click, a resend) posts once.
    key = request.POST.get("idempotency_key") or f"voluntary-{person.pk}-{uuid.uuid4().hex}"
    if request.method == "POST" and "recompute" not in request.POST:
        form = VoluntaryPaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.voluntary_pay(
                    officer=request.user,
                    person=person,
                    section=spell.section,
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                    amount=data["amount"],
                    method=data["method"],
                    reference=data["reference"],
                    idempotency_key=key[:100],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Payment posted; the receipt is ready to print."))
                return redirect("contributions:receipt_detail", payment.receipt.pk)
    elif request.method == "POST" or "period_from" in request.GET:
        # "Recompute" (or a link with the months): the amount for the months typed.
        values = (request.POST if request.method == "POST" else request.GET).copy()
        months = VoluntaryPaymentForm(values)
        months.is_valid()
        period_from, period_to = months.cleaned_data.get("period_from"), months.cleaned_data.get("period_to")
        if period_from and period_to:
            amount = _amount_for(person, spell, period_from, period_to)
            values["amount"] = "" if amount is None else str(amount)
        values.setdefault("method", Payment.Method.CASH)
        form = VoluntaryPaymentForm(values)
    else:
        initial = {"method": Payment.Method.CASH}
        if suggested:
            initial |= {
                "period_from": suggested[0],
                "period_to": suggested[-1],
                "amount": _amount_for(person, spell, suggested[0], suggested[-1]),
            }
        form = VoluntaryPaymentForm(initial=initial)
    paid = (
        ContributionMonth.objects.filter(person=person, section=spell.section, payment__status=Payment.Status.POSTED)
        .select_related("payment__receipt__office")
        .order_by("-period")[:PAID_SHOWN]
    )
    paid = [(month, period_label(month.period)) for month in paid]
    context |= {
        "form": form,
        "idempotency_key": key,
        "paid": paid,
        "suggested": suggested,
        "suggested_labels": [period_label(month) for month in suggested],
        "monthly_amount": _monthly_amount(spell, today),
    }
    return render(request, "contributions/voluntary.html", context)
