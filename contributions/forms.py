"""The counter's contribution forms. Forms check the shape of what was typed; the rules are
the services' (`contributions.services`), whose refusals go back on the field or grid line
they name."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from contributions.filters import PeriodFormField
from contributions.models import ArrearsNotice, Payment
from registry.selectors import BRANCH_HEAD_OFFICE
from sso.core.formats import BE_OFFSET
from sso.core.forms import ThaiDateField


def period_initial(period, language_is_thai: bool = True) -> str:
    year = period.year + BE_OFFSET if language_is_thai else period.year
    return f"{period.month:02d}/{year}"


def _money_widget(attrs=None):
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


def money_parse(text: str) -> Decimal:
    """A typed amount: digits with optional thousands commas and up to 2 decimals."""
    cleaned = (text or "").replace(",", "").replace(" ", "").strip()
    value = Decimal(cleaned)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation(text)
    return value.quantize(Decimal("0.01"))


class MoneyField(forms.CharField):
    default_error_messages = {"invalid": _("Enter an amount in baht, e.g. 2750 or 2,750.50.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _money_widget())
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return money_parse(value)
        except (InvalidOperation, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class EmployerFindForm(forms.Form):
    account = forms.CharField(
        label=_("Employer account number, tax ID or name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "inputmode": "numeric"}),
    )


class PaymentFieldsForm(forms.Form):
    """How the money was handed over: the same fields at the counter and on a statement's page."""

    method = forms.ChoiceField(label=_("Paid by"), choices=Payment.Method.choices, initial=Payment.Method.CASH)
    reference = forms.CharField(label=_("Cheque or transfer reference"), max_length=60, required=False)
    amount = MoneyField(label=_("Amount received"), required=False)


class CounterForm(PaymentFieldsForm):
    """The counter's statement header (branch, wage period) and payment, on one screen."""

    branch = forms.ChoiceField(label=_("Branch"))
    period = PeriodFormField(
        label=_("Wage period"),
        help_text=_("Month/year, e.g. 01/2569 (B.E.) or 01/2026."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 8}),
    )
    field_order = ["branch", "period", "method", "reference", "amount"]

    def __init__(self, *args, employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {branch.number: branch for branch in employer.branches.all() if branch.is_active}
        self.fields["branch"].choices = [
            (number, f"{number} {branch.name}") for number, branch in self.branches.items()
        ]
        self.fields["branch"].initial = BRANCH_HEAD_OFFICE

    def branch_get(self):
        return self.branches[self.cleaned_data["branch"]]


class StatementPayForm(PaymentFieldsForm):
    """Paying a statement filed earlier. The money is taken today; another day (a payment
    taken while the system was down) needs its reason and the supervisor, who types their
    name and password on this screen (four eyes, as for a claim's override)."""

    amount = MoneyField(label=_("Amount received"))
    paid_on = ThaiDateField(
        label=_("Paid on"),
        required=False,
        help_text=_("Empty: today. Another day needs its reason and a supervisor's confirmation."),
    )
    date_reason = forms.CharField(label=_("Reason for the payment date"), max_length=300, required=False)
    supervisor = forms.CharField(label=_("Confirming supervisor (username)"), max_length=150, required=False)
    supervisor_password = forms.CharField(
        label=_("Supervisor's password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the void"),
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class ReceiptDayForm(forms.Form):
    day = ThaiDateField(label=_("Day"), required=False)


# The keyed grid ---------------------------------------------------------------------------


@dataclass
class GridRow:
    """One row of the counter's grid as typed: `number` is its line on the statement."""

    number: int
    national_id: str = ""
    wage_text: str = ""
    wage: Decimal | None = None
    name: str = ""
    error: str = ""
    field: str = ""
    employee_amount: Decimal | None = None
    employer_amount: Decimal | None = None

    @property
    def filled(self) -> bool:
        return bool(self.national_id or self.wage_text)


def grid_rows(data) -> list[GridRow]:
    """The grid's rows from the posted lists `national_id` and `wage` (same length, in
    screen order). Rows left blank are dropped but keep their place in the numbering."""
    ids, wages = data.getlist("national_id"), data.getlist("wage")
    rows = []
    for number, (raw_id, raw_wage) in enumerate(zip(ids, wages, strict=False), start=1):
        row = GridRow(number, "".join(ch for ch in raw_id if ch.isdigit() or ch.isalpha()), raw_wage.strip())
        if not row.filled:
            continue
        if not row.national_id:
            row.error, row.field = str(_("Enter the national ID.")), "national_id"
        elif not row.wage_text:
            row.error, row.field = str(_("Enter the wage.")), "wage"
        else:
            try:
                row.wage = money_parse(row.wage_text)
            except (InvalidOperation, ValueError):
                row.error, row.field = str(_("Enter the wage as an amount in baht.")), "wage"
        rows.append(row)
    return rows


class MonthsPayForm(PaymentFieldsForm):
    """Several months due paid in one visit (one receipt each): the months ticked on the
    employer's account panel and the money received for all of them."""

    months = forms.MultipleChoiceField(label=_("Months to pay"), widget=forms.CheckboxSelectMultiple)
    amount = MoneyField(label=_("Amount received (THB)"), required=False)
    field_order = ["months", "method", "reference", "amount"]

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = choices


class NoticeSentForm(forms.Form):
    """That an arrears notice was sent: the day, how, and the post's number."""

    sent_on = ThaiDateField(label=_("Sent on"))
    sent_via = forms.ChoiceField(label=_("Sent by"), choices=ArrearsNotice.Channel.choices)
    sent_reference = forms.CharField(label=_("Registered post number or reference"), max_length=60, required=False)
