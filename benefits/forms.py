"""The counter's claim forms. Forms check the shape of what was typed and gather the details
the rules read for the chosen benefit; the rules themselves (dates, duplicates, children)
are the services', whose errors `errors_to_form` puts back on the field they name."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit, DocumentRequirement, PaymentOrder
from registry import selectors as registry
from sso.core.forms import DATE_HELP, ThaiDateField, ThaiMonthField

# The benefits whose claim names a child or survivor on the person's record.
WITH_DEPENDANT = {Benefit.CHILD_ALLOWANCE, Benefit.MATERNITY, Benefit.DEATH}

# The details each benefit's rules read: form field -> benefits that ask for it.
DETAIL_FIELDS = {
    "days_off": {Benefit.SICKNESS},
    "chronic": {Benefit.SICKNESS},
    "emergency": {Benefit.SICKNESS},
    "medical_expenses": {Benefit.SICKNESS},
    "amount": {Benefit.DENTAL},
    "children": {Benefit.MATERNITY},
    "severity": {Benefit.INVALIDITY},
    "reason": {Benefit.UNEMPLOYMENT},
    "registered_on": {Benefit.UNEMPLOYMENT},
}
# Details without which the rules cannot run (the reason for leaving may come from the record).
DETAIL_REQUIRED = {
    Benefit.DENTAL: ("amount",),
    Benefit.INVALIDITY: ("severity",),
    Benefit.UNEMPLOYMENT: ("registered_on",),
}


def details_missing(benefit: str, values: dict) -> list[tuple[str, object]]:
    """(field, message) for each detail the benefit's rules need and `values` lacks (the
    recording page's form and the claims API check the same)."""
    missing = [
        (name, _("The rules need this for this benefit."))
        for name in DETAIL_REQUIRED.get(benefit, ())
        if values.get(name) in (None, "")
    ]
    if benefit == Benefit.SICKNESS and not values.get("days_off") and not values.get("medical_expenses"):
        missing.append(("days_off", _("Give the days off work, the medical expenses, or both.")))
    return missing


def details_of(benefit: str, values: dict) -> dict:
    """The benefit's details among `values`, as stored on the claim (JSON: money and dates as
    text); the other benefits' details are dropped."""
    details = {}
    for name, benefits in DETAIL_FIELDS.items():
        value = values.get(name)
        if benefit not in benefits or value in (None, "", False):
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif not isinstance(value, (bool, int, str)):
            value = str(value)  # Decimal
        details[name] = value
    return details


def _numeric(attrs=None):
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


def _money(label):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=_numeric({"inputmode": "decimal"}),
    )


class ClaimRecordForm(forms.Form):
    """Step 1 at the counter: the benefit, the event, the details the rules read, and the
    documents presented. Details of other benefits than the one chosen are ignored."""

    benefit = forms.ChoiceField(label=_("Benefit"), choices=[("", "—"), *Benefit.choices])
    event_date = ThaiDateField(
        label=_("Event date"),
        help_text=_("Treatment, birth, invalidity, death, leaving work; the claim date for old age. ") + DATE_HELP,
    )
    dependant = forms.ModelChoiceField(label=_("Child or survivor"), queryset=None, required=False, empty_label="—")
    # Sickness
    days_off = forms.IntegerField(
        label=_("Days off work"), min_value=0, max_value=365, required=False, widget=_numeric()
    )
    chronic = forms.BooleanField(label=_("Chronic illness"), required=False)
    emergency = forms.BooleanField(label=_("Emergency treatment outside the registered hospital"), required=False)
    medical_expenses = _money(_("Medical expenses paid (THB)"))
    # Dental
    amount = _money(_("Dental treatment paid (THB)"))
    # Maternity
    children = forms.IntegerField(
        label=_("Children born"), min_value=1, max_value=9, required=False, initial=1, widget=_numeric()
    )
    # Invalidity
    severity = forms.ChoiceField(
        label=_("Invalidity"),
        choices=[("", "—"), ("severe", _("Severe (50% of wage for life)")), ("not_severe", _("Not severe"))],
        required=False,
    )
    # Unemployment
    reason = forms.ChoiceField(
        label=_("Left work because"),
        choices=[
            ("", _("As on record (SSO 6-09)")),
            ("laid_off", _("Laid off")),
            ("resigned", _("Resigned or contract ended")),
        ],
        required=False,
    )
    registered_on = ThaiDateField(label=_("Registered with the Employment Department on"), required=False)
    presented = forms.MultipleChoiceField(
        label=_("Documents presented"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["dependant"].queryset = registry.dependants_of(person)
        self.fields["presented"].choices = sorted(
            {(r.code, r.code) for r in DocumentRequirement.objects.in_force(timezone.localdate())}
        )
        chosen = self.data.get("benefit") if self.is_bound else self.initial.get("benefit")
        self.fields["benefit" if not chosen else "event_date"].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        benefit = data.get("benefit")
        if not benefit:
            return data
        if benefit == Benefit.MEDICAL:  # its receipts are typed on its own page (benefits.views.medical)
            self.add_error("benefit", _("Medical expenses are recorded with their receipts: use the link above."))
            return data
        for name, message in details_missing(benefit, data):
            self.add_error(name, message)
        if data.get("dependant") is not None and benefit not in WITH_DEPENDANT:
            data["dependant"] = None
        return data

    def details(self) -> dict:
        """The chosen benefit's details, as stored on the claim (JSON: money and dates as text)."""
        return details_of(self.cleaned_data["benefit"], self.cleaned_data)

    def sections(self):
        """The detail fields grouped by the benefit that asks for them, for the template."""
        groups = {}
        for name, benefits in DETAIL_FIELDS.items():
            for benefit in benefits:
                groups.setdefault(benefit, []).append(self[name])
        return [(benefit, fields) for benefit, fields in groups.items()]


class DocumentsPresentedForm(forms.Form):
    """Documents brought after the claim was recorded."""

    codes = forms.MultipleChoiceField(label=_("Presented now"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [
            (document.requirement.code, document.requirement.name)
            for document in claim.documents.all()
            if document.state == document.State.MISSING
        ]


class ReferForm(forms.Form):
    note = forms.CharField(
        label=_("What the back office should check"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OverrideForm(forms.Form):
    """Approve against the rules: a reason and a supervisor who confirms on this screen."""

    override_reason = forms.CharField(label=_("Reason for the override"), widget=forms.Textarea(attrs={"rows": 2}))
    supervisor = forms.CharField(label=_("Confirming supervisor (username)"), max_length=150)
    supervisor_password = forms.CharField(
        label=_("Supervisor's password"), widget=forms.PasswordInput(attrs={"autocomplete": "off"}), strip=False
    )


class AppealLodgeForm(forms.Form):
    """The person's appeal against the decision, taken at the counter."""

    grounds = forms.CharField(
        label=_("Grounds of the appeal"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    received_on = ThaiDateField(
        label=_("Decision received on"),
        required=False,
        help_text=format_lazy(
            "{}{}", _("The day the person received the decision; the day it was made if left empty. "), DATE_HELP
        ),
    )


class AppealDecideForm(forms.Form):
    """The Appeals Committee's decision, recorded by an officer who did not make the decision."""

    note = forms.CharField(
        label=_("Reason for the appeal's decision"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


# Paying ------------------------------------------------------------------------------------


class BatchForm(forms.Form):
    bank = forms.ModelChoiceField(label=_("Bank"), queryset=None)
    pay_on = ThaiDateField(label=_("Pay on"), help_text=DATE_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = registry.banks()


class MonthForm(forms.Form):
    month = ThaiMonthField(label=_("Month"))


class ConfirmationForm(forms.Form):
    file = forms.FileField(label=_("Bank's confirmation (CSV)"))


class PayAtOfficeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=[
            (PaymentOrder.Method.CASH, PaymentOrder.Method.CASH.label),
            ("cheque", PaymentOrder.Method.CHEQUE.label),
        ],
        # Shown in every row of the list without a <label>: named by aria-label instead.
        widget=forms.Select(attrs={"aria-label": _("Paid by")}),
    )
    reference = forms.CharField(
        label=_("Receipt or cheque number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={
                "aria-label": _("Receipt or cheque number"),
                "placeholder": _("Receipt or cheque number"),
            }
        ),
    )
