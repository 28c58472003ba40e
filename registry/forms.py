"""The counter's registration forms. Forms check the shape of what was typed; the rules
(check digits, deadlines, Section 39 conditions...) are the services', whose errors
`errors_to_form` puts back on the field they name."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Bank, Dependant, Employment, Hospital, InsuredPerson
from registry.services.common import BRANCH_TEXT_CHECKS, EMPLOYER_TEXT_CHECKS, TEXT_CHECKS
from registry.validators import branch_number_clean, national_id_clean, tax_id_clean, title_sex_check
from sso.core.forms import DATE_HELP, ThaiDateField
from sso.core.models import Office, Province


def _numeric(attrs=None):
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


class RuleChecks:
    """The services' checks of single fields (a check digit, a name's letters), run by the
    form as well, so one submit shows every fault: a missing address beside a tax ID whose
    check digit is wrong, not the tax ID only once the address is fixed. The services still
    check (the API and uploads reach them without a form).

    `rule_checks`: field -> check(value) returning the clean value; `text_checks`: a
    registry.services.common *_TEXT_CHECKS table (check(value, label))."""

    rule_checks: dict = {}
    text_checks: dict = {}

    def clean(self):
        data = super().clean()
        for name, check in self.rule_checks.items():
            if data.get(name) not in (None, ""):
                try:
                    data[name] = check(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        for name, (check, label) in self.text_checks.items():
            if name in self.fields and data.get(name) not in (None, ""):
                try:
                    data[name] = check(data[name], label)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("National ID, employer account, tax ID or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "type": "search"}),
    )


class EmployerForm(RuleChecks, forms.Form):
    """Form SSO 1-01: employer registration."""

    rule_checks = {"tax_id": tax_id_clean}
    text_checks = EMPLOYER_TEXT_CHECKS

    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=20, widget=_numeric())
    business_type = forms.CharField(label=_("Business type"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.order_by("name_th"))
    registered_on = ThaiDateField(label=_("Registered on"), help_text=DATE_HELP)
    responsible_office = forms.ModelChoiceField(
        label=_("Responsible office"), queryset=Office.objects.filter(is_active=True), required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def clean_registered_on(self):
        day = self.cleaned_data["registered_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("The registration date cannot be in the future."), code="future")
        return day


class BranchForm(RuleChecks, forms.Form):
    rule_checks = {"number": branch_number_clean}
    text_checks = BRANCH_TEXT_CHECKS

    number = forms.CharField(label=_("Branch number"), max_length=8, widget=_numeric())
    name = forms.CharField(label=_("Branch name"), max_length=200)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.order_by("name_th"))


class PersonFieldsForm(RuleChecks, forms.Form):
    """Identity fields shared by the registration forms."""

    text_checks = TEXT_CHECKS

    id_type = forms.ChoiceField(
        label=_("ID type"), choices=InsuredPerson.IdType.choices, initial=InsuredPerson.IdType.PIN
    )
    national_id = forms.CharField(
        label=_("National ID"), max_length=20, widget=_numeric({"placeholder": "1-2345-67890-12-3"})
    )
    title = forms.ChoiceField(label=_("Title"), choices=InsuredPerson.Title.choices)
    first_name_th = forms.CharField(label=_("First name (Thai)"), max_length=100)
    last_name_th = forms.CharField(label=_("Surname (Thai)"), max_length=100)
    first_name_en = forms.CharField(label=_("First name (English)"), max_length=100, required=False)
    last_name_en = forms.CharField(label=_("Surname (English)"), max_length=100, required=False)
    birth_date = ThaiDateField(label=_("Birth date"), help_text=DATE_HELP)
    sex = forms.ChoiceField(label=_("Sex"), choices=InsuredPerson.Sex.choices)
    nationality = forms.CharField(label=_("Nationality"), max_length=3, initial="THA")
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    # The person's fields this form holds (the province comes from the employer's).
    person_field_names = tuple(name for name in InsuredPerson.PERSONAL_FIELDS if name != "province")

    def clean(self):
        data = super().clean()
        if data.get("national_id"):
            try:
                data["national_id"] = national_id_clean(data["national_id"], data.get("id_type", "pin"))
            except ValidationError as exc:
                self.add_error("national_id", exc)
        if data.get("nationality"):
            data["nationality"] = data["nationality"].upper()
        try:
            title_sex_check(data.get("title"), data.get("sex"))
        except ValidationError as exc:
            self.add_error("title", exc)
        return data

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.person_field_names if name in self.cleaned_data}


class EmployeeForm(PersonFieldsForm):
    """Form SSO 1-03: a new employee (or 1-03/1: someone already insured, by national ID)."""

    branch = forms.ChoiceField(label=_("Branch"))
    started_on = ThaiDateField(label=_("Hired on"), help_text=DATE_HELP)
    monthly_wage = forms.DecimalField(label=_("Monthly wage (THB)"), max_digits=14, decimal_places=2, min_value=0)
    hospital = forms.ModelChoiceField(
        label=_("Registered hospital"), queryset=Hospital.objects.filter(is_active=True), required=False
    )
    duplicates_checked = forms.BooleanField(
        label=_("I have checked the likely duplicates listed above: this is a different person."), required=False
    )

    def __init__(self, *args, employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [(b.number, f"{b.number} {b.name}") for b in employer.branches.all()]
        if self.is_bound and "existing_person" in self.data:  # the choice was asked for
            self.existing_person_ask()

    def existing_person_ask(self, message=None):
        """Ask the officer what to do with the record of someone already insured that differs
        from the form: keep it, or update it with the form (SSO 1-03/1)."""
        if "existing_person" not in self.fields:
            self.fields["existing_person"] = forms.ChoiceField(
                label=_("This person is already insured: their record"),
                choices=[
                    ("keep", _("Keep the record as it is (only the new job is registered)")),
                    ("update", _("Update the record with what the form says (the change is audited)")),
                ],
                widget=forms.RadioSelect,
                required=False,
            )
        if message:
            self.add_error("existing_person", message)


class LeaveForm(forms.Form):
    """Form SSO 6-09: an employee left."""

    ended_on = ThaiDateField(label=_("Left on"), help_text=DATE_HELP)
    leaving_reason = forms.ChoiceField(label=_("Reason for leaving"), choices=Employment.LeavingReason.choices)


class HospitalChangeForm(forms.Form):
    """Form SSO 9-02: change of registered hospital."""

    hospital = forms.ModelChoiceField(label=_("New hospital"), queryset=Hospital.objects.filter(is_active=True))
    valid_from = ThaiDateField(label=_("From"), help_text=DATE_HELP)


class BankAccountForm(forms.Form):
    bank = forms.ModelChoiceField(label=_("Bank"), queryset=Bank.objects.all())
    account_number = forms.CharField(label=_("Account number"), max_length=24, widget=_numeric())
    account_name = forms.CharField(label=_("Name on the account"), max_length=200)
    valid_from = ThaiDateField(label=_("From"), help_text=DATE_HELP)


class DependantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relation"), choices=Dependant.Kind.choices)
    first_name_th = forms.CharField(label=_("First name (Thai)"), max_length=100)
    last_name_th = forms.CharField(label=_("Surname (Thai)"), max_length=100)
    birth_date = ThaiDateField(label=_("Birth date"), help_text=DATE_HELP)
    national_id = forms.CharField(label=_("National ID"), max_length=20, required=False, widget=_numeric())
    birth_certificate_id = forms.CharField(label=_("Birth certificate number"), max_length=30, required=False)


class Section39Form(forms.Form):
    applied_on = ThaiDateField(label=_("Applied on"), help_text=DATE_HELP)


class Section40Form(PersonFieldsForm):
    """Section 40 registration: an informal worker, new or already on record."""

    s40_option = forms.TypedChoiceField(
        label=_("Option"),
        coerce=int,
        choices=[
            (1, _("Option 1: 70 THB a month")),
            (2, _("Option 2: 100 THB a month")),
            (3, _("Option 3: 300 THB a month (includes child allowance)")),
        ],
    )
    applied_on = ThaiDateField(label=_("Applied on"), help_text=DATE_HELP)

    def __init__(self, *args, existing: InsuredPerson | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if existing is not None:
            # Someone on record changes option or joins: only the option and date are asked.
            for name in list(self.fields):
                if name not in ("s40_option", "applied_on"):
                    del self.fields[name]


class PersonEditForm(forms.ModelForm):
    birth_date = ThaiDateField(label=_("Birth date"), help_text=DATE_HELP)

    class Meta:
        model = InsuredPerson
        fields = list(InsuredPerson.PERSONAL_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class MergeForm(forms.Form):
    duplicate_national_id = forms.CharField(
        label=_("National ID of the duplicate record"), max_length=20, widget=_numeric()
    )
    confirm = forms.BooleanField(label=_("Merge: move all histories of the duplicate to this record."), required=False)
    # Records that differ plainly: the reason, and a supervisor who confirms on this screen (four eyes).
    reason = forms.CharField(
        label=_("Reason for the merge"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )
    supervisor = forms.CharField(label=_("Confirming supervisor (username)"), max_length=150, required=False)
    supervisor_password = forms.CharField(
        label=_("Supervisor's password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        strip=False,
        required=False,
        max_length=200,
    )

    def clean_duplicate_national_id(self):
        return national_id_clean(self.cleaned_data["duplicate_national_id"], "foreign")


class UnmergeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for undoing the merge"), widget=forms.Textarea(attrs={"rows": 2}))


class CeaseForm(forms.Form):
    ceased_on = ThaiDateField(label=_("Ceased on"), help_text=DATE_HELP)
