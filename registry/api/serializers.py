"""Registry API serializers: declared output shapes, and one input serializer per counter form.

Input serializers check what can be checked without the records (formats, check digits,
required fields) and resolve codes to rows; the services check the rest. Field names are
the services' own, so a refusal names the field the caller sent.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.models import (
    Bank,
    BankAccount,
    Branch,
    Dependant,
    Employer,
    Employment,
    Hospital,
    HospitalRegistration,
    InsuredPerson,
    Section,
    SectionSpell,
)
from registry.validators import branch_number_clean, national_id_clean, tax_id_clean
from sso.core.api.fields import DateField, IdField, NamedChoiceField
from sso.core.models import Province
from sso.core.scoping import office_scoped

# Output -----------------------------------------------------------------------------------


class HospitalSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")

    class Meta:
        model = Hospital
        fields = ["code", "name_th", "name_en", "province", "is_active"]


class BankSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bank
        fields = ["code", "name_th", "name_en", "account_digits"]


class BranchSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")

    class Meta:
        model = Branch
        fields = ["number", "name", "address", "province", "is_active"]


class EmployerSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")
    responsible_office = serializers.CharField(source="responsible_office.code")
    status = NamedChoiceField(choices=Employer.Status.choices, enum_name="EmployerStatusEnum")
    branches = BranchSerializer(many=True, read_only=True)

    class Meta:
        model = Employer
        fields = [
            "account_number",
            "tax_id",
            "name_th",
            "name_en",
            "business_type",
            "address",
            "province",
            "responsible_office",
            "registered_on",
            "status",
            "ceased_on",
            "contact_name",
            "phone",
            "email",
            "branches",
        ]


class PersonSummarySerializer(serializers.Serializer):
    """Who a person is and how they are insured now: the lookup answer and a list row.

    Declared rather than a ModelSerializer: the national-ID lookup builds the same keys
    from one values() row, and lists avoid model introspection per row.
    """

    id = serializers.IntegerField()
    national_id = serializers.CharField()
    id_type = serializers.ChoiceField(choices=InsuredPerson.IdType.choices)
    title = serializers.ChoiceField(choices=InsuredPerson.Title.choices)
    first_name_th = serializers.CharField()
    last_name_th = serializers.CharField()
    first_name_en = serializers.CharField()
    last_name_en = serializers.CharField()
    birth_date = serializers.DateField()
    sex = serializers.ChoiceField(choices=InsuredPerson.Sex.choices)
    status = NamedChoiceField(choices=InsuredPerson.Status.choices, enum_name="PersonStatusEnum")
    office = serializers.CharField(source="office.code", help_text="Code of the office keeping the file.")
    current_section = NamedChoiceField(
        source="open_section",
        choices=Section.choices,
        allow_null=True,
        enum_name="SectionEnum",
        help_text="None when not insured now.",
    )
    s40_option = serializers.IntegerField(source="open_s40_option", allow_null=True)


class SectionSpellSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectionSpell
        fields = ["section", "s40_option", "valid_from", "valid_to"]


class HospitalRegistrationSerializer(serializers.ModelSerializer):
    hospital = serializers.CharField(source="hospital.code")
    hospital_name_th = serializers.CharField(source="hospital.name_th")
    hospital_name_en = serializers.CharField(source="hospital.name_en")

    class Meta:
        model = HospitalRegistration
        fields = ["hospital", "hospital_name_th", "hospital_name_en", "valid_from", "valid_to"]


class BankAccountSerializer(serializers.ModelSerializer):
    bank = serializers.CharField(source="bank.code")
    bank_name_th = serializers.CharField(source="bank.name_th")
    bank_name_en = serializers.CharField(source="bank.name_en")

    class Meta:
        model = BankAccount
        fields = ["bank", "bank_name_th", "bank_name_en", "account_number", "account_name", "valid_from", "valid_to"]


class DependantSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(choices=Dependant.Kind.choices, enum_name="DependantKindEnum")

    class Meta:
        model = Dependant
        fields = [
            "id",
            "kind",
            "national_id",
            "birth_certificate_id",
            "first_name_th",
            "last_name_th",
            "birth_date",
            "died_on",
            "valid_to",
        ]


class EmploymentBaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employer = serializers.CharField(source="employer.account_number", help_text="Employer account number.")
    employer_name_th = serializers.CharField(source="employer.name_th")
    employer_name_en = serializers.CharField(source="employer.name_en")
    branch = serializers.CharField(source="branch.number")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    leaving_reason = serializers.ChoiceField(choices=Employment.LeavingReason.choices, allow_blank=True)
    monthly_wage = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    registered_on = serializers.DateField()
    late_registration = serializers.BooleanField(help_text="SSO 1-03 filed after the registration deadline.")
    leaving_notified_on = serializers.DateField(allow_null=True)


class EmploymentPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    national_id = serializers.CharField()
    first_name_th = serializers.CharField()
    last_name_th = serializers.CharField()


class EmploymentSerializer(EmploymentBaseSerializer):
    person = EmploymentPersonSerializer()


class BenefitCompletenessSerializer(serializers.Serializer):
    benefit = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())


class CompletenessSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    complete_count = serializers.IntegerField()
    benefits = serializers.SerializerMethodField()

    @extend_schema_field(BenefitCompletenessSerializer(many=True))
    def get_benefits(self, completeness):
        return [
            {"benefit": benefit, "missing": completeness.missing.get(benefit, [])} for benefit in completeness.benefits
        ]


def _open(rows):
    return next((row for row in rows if row.valid_to is None), None)


class PersonDetailSerializer(PersonSummarySerializer):
    """A person's page: the summary, the current histories, open jobs, dependants, completeness.

    Expects the instance from `selectors.person_page_get` (histories prefetched), with
    `completeness` set from `selectors.person_completeness`.
    """

    nationality = serializers.CharField()
    address = serializers.CharField()
    province = serializers.CharField(source="province.code", allow_null=True, default=None)
    phone = serializers.CharField()
    died_on = serializers.DateField(allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    registered_on = serializers.DateField()
    section = serializers.SerializerMethodField()
    hospital = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    employments = serializers.SerializerMethodField()
    dependants = DependantSerializer(many=True)
    completeness = CompletenessSerializer()

    @extend_schema_field(SectionSpellSerializer(allow_null=True))
    def get_section(self, person):
        spell = _open(person.section_spells.all())
        return SectionSpellSerializer(spell).data if spell else None

    @extend_schema_field(HospitalRegistrationSerializer(allow_null=True))
    def get_hospital(self, person):
        registration = _open(person.hospital_registrations.all())
        return HospitalRegistrationSerializer(registration).data if registration else None

    @extend_schema_field(BankAccountSerializer(allow_null=True))
    def get_bank_account(self, person):
        account = _open(person.bank_accounts.all())
        return BankAccountSerializer(account).data if account else None

    @extend_schema_field(EmploymentBaseSerializer(many=True))
    def get_employments(self, person):
        jobs = [job for job in person.employments.all() if job.ended_on is None]
        return EmploymentBaseSerializer(jobs, many=True).data


class DuplicateSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    reason = serializers.CharField()
    score = serializers.FloatField()


class SectionResultSerializer(serializers.Serializer):
    """The person and the section spell a Section 39 or 40 application opened."""

    person = PersonSummarySerializer()
    section = SectionSpellSerializer()


# Input ------------------------------------------------------------------------------------


class _ProvinceField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Province.objects.all(), **kwargs)


class PersonFieldsSerializer(serializers.Serializer):
    """A person's identity and contact fields (form SSO 1-03 / 1-20), all optional here."""

    title = serializers.ChoiceField(choices=InsuredPerson.Title.choices, required=False)
    first_name_th = serializers.CharField(max_length=100, required=False)
    last_name_th = serializers.CharField(max_length=100, required=False)
    first_name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_date = DateField(required=False)
    sex = serializers.ChoiceField(choices=InsuredPerson.Sex.choices, required=False)
    nationality = serializers.CharField(max_length=3, required=False)
    address = serializers.CharField(required=False, allow_blank=True)
    province = _ProvinceField(required=False, allow_null=True, help_text="Province code (e.g. 10 = Bangkok).")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)

    NEW_PERSON_NEEDS = ("title", "first_name_th", "last_name_th", "birth_date", "sex")

    def new_person_check(self, attrs):
        """A person not yet registered needs their identity fields."""
        missing = {name: _("Needed to register a new person.") for name in self.NEW_PERSON_NEEDS if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing, code="required")

    @staticmethod
    def national_id_check(attrs):
        try:
            attrs["national_id"] = national_id_clean(attrs["national_id"], attrs.get("id_type", "pin"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"national_id": exc.messages}, code=exc.code) from None


class EmployerRegisterSerializer(serializers.Serializer):
    """Form SSO 1-01."""

    name_th = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    tax_id = serializers.CharField(max_length=20)
    province = _ProvinceField(help_text="Province code; the account number starts with it.")
    registered_on = DateField()
    business_type = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate_tax_id(self, value):
        return tax_id_clean(value)


class BranchAddSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=10)
    name = serializers.CharField(max_length=200)
    province = _ProvinceField()
    address = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_number(self, value):
        return branch_number_clean(value)


class EmployerCeaseSerializer(serializers.Serializer):
    ceased_on = DateField()


class EmployeeRegisterSerializer(PersonFieldsSerializer):
    """Form SSO 1-03 (or 1-03/1 for someone already insured, of any office: person fields that
    differ from their record are refused until `existing_person` says to keep the record or
    to update it with them; their office is never changed)."""

    national_id = serializers.CharField(max_length=20, help_text="13 digits, dashes allowed.")
    id_type = serializers.ChoiceField(choices=InsuredPerson.IdType.choices, default=InsuredPerson.IdType.PIN)
    employer = serializers.CharField(max_length=20, help_text="Employer account number (10 digits).")
    branch = serializers.CharField(max_length=10, required=False, allow_blank=True, help_text="Default: head office.")
    started_on = DateField(help_text="Hire date.")
    monthly_wage = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    hospital = serializers.SlugRelatedField(
        slug_field="code", queryset=Hospital.objects.all(), required=False, allow_null=True, help_text="Hospital code."
    )
    existing_person = serializers.ChoiceField(
        choices=[("keep", "keep"), ("update", "update")],
        required=False,
        allow_null=True,
        help_text="Someone already insured whose record differs from the person fields sent: "
        "keep the record as it is, or update it with them (audited).",
    )

    def validate_employer(self, value):
        account = "".join(ch for ch in value if ch.isdigit())
        employer = office_scoped(Employer.objects.all(), self.context["request"].user).filter(account_number=account)
        employer = employer.first()
        if employer is None:
            raise serializers.ValidationError(
                _("No employer with account number %(account)s is registered in your office.") % {"account": value},
                code="unknown",
            )
        return employer

    def validate(self, attrs):
        self.national_id_check(attrs)
        employer = attrs["employer"]
        number = attrs.get("branch")
        if number:
            try:
                number = branch_number_clean(number)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"branch": exc.messages}, code=exc.code) from None
            attrs["branch"] = employer.branches.filter(number=number).first()
            if attrs["branch"] is None:
                message = _("Employer %(account)s has no branch %(number)s.")
                raise serializers.ValidationError(
                    {"branch": message % {"account": employer.account_number, "number": number}}, code="unknown"
                )
        else:
            attrs["branch"] = None
        if not InsuredPerson.objects.filter(national_id=attrs["national_id"]).exists():
            self.new_person_check(attrs)
        return attrs


class EmployeeLeaveSerializer(serializers.Serializer):
    """Form SSO 6-09."""

    ended_on = DateField(help_text="Last day of work.")
    leaving_reason = serializers.ChoiceField(choices=Employment.LeavingReason.choices)


class HospitalChangeSerializer(serializers.Serializer):
    """Form SSO 9-02."""

    hospital = serializers.SlugRelatedField(slug_field="code", queryset=Hospital.objects.all())
    valid_from = DateField()


class BankAccountSetSerializer(serializers.Serializer):
    bank = serializers.SlugRelatedField(slug_field="code", queryset=Bank.objects.all())
    account_number = serializers.CharField(max_length=30)
    account_name = serializers.CharField(max_length=200)
    valid_from = DateField()


class DependantAddSerializer(serializers.Serializer):
    kind = NamedChoiceField(choices=Dependant.Kind.choices, enum_name="DependantKindEnum")
    first_name_th = serializers.CharField(max_length=100)
    last_name_th = serializers.CharField(max_length=100)
    birth_date = DateField()
    national_id = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    birth_certificate_id = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

    def validate_national_id(self, value):
        return national_id_clean(value) if value.strip() else ""


class Section39Serializer(serializers.Serializer):
    applied_on = DateField(required=False, help_text="Default: today.")


class Section40Serializer(PersonFieldsSerializer):
    """Join Section 40 (or change option): an existing person by `person` id or national ID,
    or a new person with national ID and person fields."""

    s40_option = serializers.ChoiceField(choices=[(1, "1"), (2, "2"), (3, "3")])
    applied_on = DateField(required=False, help_text="Default: today.")
    person = IdField(required=False, help_text="Id of an already registered person.")
    national_id = serializers.CharField(max_length=20, required=False)
    id_type = serializers.ChoiceField(choices=InsuredPerson.IdType.choices, default=InsuredPerson.IdType.PIN)

    def validate_person(self, value):
        person = office_scoped(InsuredPerson.objects.all(), self.context["request"].user).filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError(_("No such person in your office."), code="unknown")
        return person

    def validate(self, attrs):
        if attrs.get("person") is not None:
            return attrs
        if not attrs.get("national_id"):
            raise serializers.ValidationError(
                {"national_id": _("Give the national ID, or the id of a registered person.")}, code="required"
            )
        self.national_id_check(attrs)
        if not InsuredPerson.objects.filter(national_id=attrs["national_id"]).exists():
            self.new_person_check(attrs)
        return attrs


class PersonUpdateSerializer(PersonFieldsSerializer):
    """Corrections to a person's identity or contact details: only the fields sent change."""


class PersonMergeSerializer(serializers.Serializer):
    drop = IdField(help_text="Id of the duplicate record, merged into the one in the URL.")

    def validate_drop(self, value):
        person = office_scoped(InsuredPerson.objects.all(), self.context["request"].user).filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError(_("No such person in your office."), code="unknown")
        return person


class DuplicatesQuerySerializer(serializers.Serializer):
    first_name_th = serializers.CharField(max_length=100)
    last_name_th = serializers.CharField(max_length=100)
    birth_date = DateField()
