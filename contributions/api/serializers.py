"""Contributions API serializers: declared output shapes, and one input serializer per kind of post.

Input serializers check what can be checked without the records (formats, required fields,
the idempotency key of a payment from a bank, a post office or the internet) and resolve the
employer, branch and person within the caller's office; `contributions.services` checks the
rest (the rules, the registry, the amount due). A wage period is written `YYYY-MM`.

Over 500 lines: one serializer per declared shape of the schema (about 30, in and out);
splitting them by kind would only scatter the shared fields (period, money, payment).
"""

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contributions.models import Payment, Receipt, Statement, StatementLine
from registry import selectors as registry
from registry.selectors import BRANCH_HEAD_OFFICE, Section
from registry.validators import branch_number_clean
from sso.core.api.errors import ErrorSerializer
from sso.core.api.fields import DateField, NamedChoiceField
from sso.core.formats import lazy_format

REMOTE_CHANNELS = (Payment.Channel.BANK, Payment.Channel.POST, Payment.Channel.INTERNET)
IDEMPOTENCY_HEADER = "Idempotency-Key"


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-01"})
class PeriodField(serializers.Field):
    """A wage period as `YYYY-MM`; stored as the first day of the month."""

    default_error_messages = {"invalid": _("Write the wage period as YYYY-MM, e.g. 2026-01.")}

    def to_internal_value(self, data):
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(data).strip())
        if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2199:
            self.fail("invalid")
        return datetime.date(int(match[1]), int(match[2]), 1)

    def to_representation(self, value):
        return f"{value:%Y-%m}"


def _digits(value: str) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


# Output -----------------------------------------------------------------------------------


class StatementDueSerializer(serializers.Serializer):
    """What the employer pays for a statement on a day: both shares and the late surcharge."""

    on = serializers.DateField(help_text="The day the amount is for (the payment date, or today).")
    due_on = serializers.DateField(help_text="Paid after this day, the surcharge runs.")
    contributions = _money()
    surcharge = _money()
    surcharge_months = serializers.IntegerField()
    total = _money()


class ReceiptRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="display_number", help_text="Office-year-number, e.g. 1001-2569-0000001.")
    voided = serializers.SerializerMethodField()

    def get_voided(self, receipt) -> bool:
        return receipt.voided_at is not None


class PaymentSerializer(serializers.ModelSerializer):
    """A payment posted, with its receipt."""

    kind = NamedChoiceField(choices=Payment.Kind.choices, enum_name="PaymentKindEnum")
    status = NamedChoiceField(choices=Payment.Status.choices, enum_name="PaymentStatusEnum")
    method = NamedChoiceField(choices=Payment.Method.choices, enum_name="PaymentMethodEnum")
    channel = NamedChoiceField(choices=Payment.Channel.choices, enum_name="PaymentChannelEnum")
    period_from = PeriodField()
    period_to = PeriodField()
    national_id = serializers.CharField(source="person.national_id", default=None, allow_null=True)
    receipt = ReceiptRefSerializer()

    class Meta:
        model = Payment
        fields = [
            "id",
            "kind",
            "statement",
            "national_id",
            "period_from",
            "period_to",
            "section40_option",
            "method",
            "channel",
            "reference",
            "contribution_amount",
            "surcharge_amount",
            "surcharge_months",
            "government_amount",
            "amount",
            "paid_on",
            "posted_at",
            "status",
            "idempotency_key",
            "receipt",
        ]


class PaymentResultSerializer(serializers.Serializer):
    """The answer to a payment: 201 when posted now, 200 when the same notification was posted before."""

    payment = PaymentSerializer()
    receipt_number = serializers.CharField()
    replayed = serializers.BooleanField(help_text="True: this idempotency key was posted before; nothing new stored.")
    reimbursement_requested = serializers.BooleanField(
        help_text="True: the statement was already paid, so this second payment will be paid back."
    )


class StatementLineSerializer(serializers.ModelSerializer):
    national_id = serializers.CharField(source="person.national_id")

    class Meta:
        model = StatementLine
        fields = [
            "line_number",
            "national_id",
            "wage",
            "contribution_wage",
            "employee_amount",
            "employer_amount",
        ]


class StatementSerializer(serializers.ModelSerializer):
    """A statement (SSO 1-10) as listed."""

    office = serializers.CharField(source="office.code")
    employer_account = serializers.CharField(source="employer.account_number")
    employer_name = serializers.CharField(source="employer.name_th")
    branch = serializers.CharField(source="branch.number")
    period = PeriodField()
    source = NamedChoiceField(choices=Statement._meta.get_field("source").choices, enum_name="StatementSourceEnum")
    status = NamedChoiceField(choices=Statement.Status.choices, enum_name="StatementStatusEnum")
    verification = NamedChoiceField(choices=Statement.Verification.choices, enum_name="StatementVerificationEnum")
    total = _money(help_text="Both shares: what the employer pays before any surcharge.")

    class Meta:
        model = Statement
        fields = [
            "id",
            "office",
            "employer_account",
            "employer_name",
            "branch",
            "period",
            "amends",
            "source",
            "status",
            "verification",
            "head_count",
            "total_wages",
            "employee_total",
            "employer_total",
            "government_total",
            "total",
            "received_at",
        ]


class StatementDetailSerializer(StatementSerializer):
    """A statement with the rule applied, its lines, its payments and receipts, and what is due."""

    lines = StatementLineSerializer(many=True)
    payments = PaymentSerializer(many=True)
    receipt_numbers = serializers.SerializerMethodField()
    amount_due = serializers.SerializerMethodField(help_text="What is due today; null once paid or void.")

    class Meta(StatementSerializer.Meta):
        fields = [
            *StatementSerializer.Meta.fields,
            "file_name",
            "employee_rate",
            "employer_rate",
            "government_rate",
            "wage_floor",
            "wage_ceiling",
            "lines",
            "payments",
            "receipt_numbers",
            "amount_due",
        ]

    def get_receipt_numbers(self, statement) -> list[str]:
        return [payment.receipt.display_number for payment in statement.payments.all()]

    @extend_schema_field(StatementDueSerializer(allow_null=True))
    def get_amount_due(self, statement):
        if statement.status != Statement.Status.ACCEPTED:
            return None
        from contributions.services import statement_amount_due

        return amount_due_data(statement_amount_due(statement), timezone.localdate())


def amount_due_data(due, on) -> dict:
    return StatementDueSerializer(
        {
            "on": on,
            "due_on": due.surcharge.due_on,
            "contributions": due.contributions,
            "surcharge": due.surcharge.amount,
            "surcharge_months": due.surcharge.months,
            "total": due.total,
        }
    ).data


def _money_text(value) -> str:
    return f"{value:.2f}"


def _when(value) -> str:
    # DRF's DateTimeField representation: ISO 8601 in the current time zone, "Z" for UTC.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def payment_data(payment: Payment, receipt: Receipt | None) -> dict:
    """`PaymentSerializer(payment).data`, built directly: a payment answer is on the peak
    path (banks post thousands on the 15th), and a model serializer rebuilds its fields on
    every call. tests/test_contributions_api.py checks the two agree."""
    return {
        "id": payment.pk,
        "kind": payment.kind,
        "statement": payment.statement_id,
        "national_id": payment.person.national_id if payment.person_id else None,
        "period_from": f"{payment.period_from:%Y-%m}",
        "period_to": f"{payment.period_to:%Y-%m}",
        "section40_option": payment.section40_option,
        "method": payment.method,
        "channel": payment.channel,
        "reference": payment.reference,
        "contribution_amount": _money_text(payment.contribution_amount),
        "surcharge_amount": _money_text(payment.surcharge_amount),
        "surcharge_months": payment.surcharge_months,
        "government_amount": _money_text(payment.government_amount),
        "amount": _money_text(payment.amount),
        "paid_on": payment.paid_on.isoformat(),
        "posted_at": _when(payment.posted_at),
        "status": payment.status,
        "idempotency_key": payment.idempotency_key,
        "receipt": (
            {"id": receipt.pk, "number": receipt.display_number, "voided": receipt.voided_at is not None}
            if receipt is not None
            else None
        ),
    }


def statement_data(statement: Statement) -> dict:
    """`StatementSerializer(statement).data`, built directly (see `payment_data`)."""
    return {
        "id": statement.pk,
        "office": statement.office.code,
        "employer_account": statement.employer.account_number,
        "employer_name": statement.employer.name_th,
        "branch": statement.branch.number,
        "period": f"{statement.period:%Y-%m}",
        "amends": statement.amends_id,
        "source": statement.source,
        "status": statement.status,
        "verification": statement.verification,
        "head_count": statement.head_count,
        "total_wages": _money_text(statement.total_wages),
        "employee_total": _money_text(statement.employee_total),
        "employer_total": _money_text(statement.employer_total),
        "government_total": _money_text(statement.government_total),
        "total": _money_text(statement.total),
        "received_at": _when(statement.received_at),
    }


def amount_due_dict(due, on) -> dict:
    """`amount_due_data`, built directly."""
    return {
        "on": on.isoformat(),
        "due_on": due.surcharge.due_on.isoformat(),
        "contributions": _money_text(due.contributions),
        "surcharge": _money_text(due.surcharge.amount),
        "surcharge_months": due.surcharge.months,
        "total": _money_text(due.total),
    }


class StatementResultSerializer(serializers.Serializer):
    """The answer to a statement post: 201 stored now, 200 when its payment's idempotency key was posted before."""

    statement = StatementSerializer()
    payment = PaymentSerializer(allow_null=True)
    receipt_number = serializers.CharField(allow_null=True)
    amount_due = StatementDueSerializer(help_text="Contributions and surcharge on the payment date (or today).")
    replayed = serializers.BooleanField()


class ReceiptSerializer(serializers.ModelSerializer):
    """A receipt with what it was issued for."""

    office = serializers.CharField(source="office.code")
    display_number = serializers.CharField()
    payment = PaymentSerializer()
    employer_account = serializers.CharField(
        source="payment.statement.employer.account_number",
        default=None,
        allow_null=True,
        help_text="Null for a voluntary (Section 39/40) payment.",
    )
    branch = serializers.CharField(source="payment.statement.branch.number", default=None, allow_null=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "office",
            "year",
            "number",
            "display_number",
            "issued_at",
            "voided_at",
            "void_reason",
            "employer_account",
            "branch",
            "payment",
        ]


class ContributionMonthSerializer(serializers.Serializer):
    period = PeriodField()
    section = NamedChoiceField(choices=Section.choices, enum_name="ContributionSectionEnum")
    employer_account = serializers.CharField(allow_null=True)
    wage = _money()
    amount = _money()


class ContributionMonthsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Distinct months paid in the window (what the benefit rules count).")
    months = ContributionMonthSerializer(many=True)


class MonthsQuerySerializer(serializers.Serializer):
    before = DateField(required=False, help_text="Default: today. The month of this day is excluded.")
    months = serializers.IntegerField(min_value=1, max_value=600, default=15)
    section = serializers.ChoiceField(choices=Section.choices, required=False)


class StatementLineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="Position in `lines` (1 = first); 0 for the statement's header or totals."
    )
    field = serializers.CharField()
    expected = serializers.CharField()
    found = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="In the caller's language.")
    message_th = serializers.CharField()
    message_en = serializers.CharField()


class StatementRefusalSerializer(ErrorSerializer):
    """A statement refused (400), or a second one for the branch and wage period (409): nothing was stored."""

    errors = StatementLineErrorSerializer(many=True)
    unknown_persons = serializers.ListField(
        child=serializers.DictField(), help_text="Lines whose ID is not registered."
    )


# Input ------------------------------------------------------------------------------------


class PaymentInSerializer(serializers.Serializer):
    """Money received. From a bank, a post office or the internet it carries an idempotency key
    (the `Idempotency-Key` header or `idempotency_key`): the same notification twice posts once."""

    amount = _money(min_value=0, help_text="Contributions and any late surcharge, in baht.")
    method = NamedChoiceField(
        choices=Payment.Method.choices, default=Payment.Method.TRANSFER, enum_name="PaymentMethodEnum"
    )
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    channel = NamedChoiceField(choices=Payment.Channel.choices, enum_name="PaymentChannelEnum")
    paid_on = DateField(
        required=False,
        help_text="Default: today. At the counter another day needs date_reason and a supervisor's confirmation.",
    )
    date_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Why a counter payment is dated so."
    )
    supervisor = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="The confirming supervisor's username."
    )
    supervisor_password = serializers.CharField(
        max_length=128, required=False, allow_blank=True, default="", write_only=True, trim_whitespace=False
    )
    idempotency_key = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Or the Idempotency-Key header."
    )

    def validate(self, attrs):
        request = self.context.get("request")
        header = (request.headers.get(IDEMPOTENCY_HEADER, "") if request is not None else "").strip()
        given = (attrs.get("idempotency_key") or "").strip()
        if header and given and header != given:
            raise serializers.ValidationError(
                {"idempotency_key": _("The Idempotency-Key header and idempotency_key differ.")}, code="mismatch"
            )
        key = given or header
        if len(key) > 100:
            raise serializers.ValidationError(
                {"idempotency_key": _("An idempotency key has at most 100 characters.")}, code="max_length"
            )
        if not key and attrs["channel"] in REMOTE_CHANNELS:
            raise serializers.ValidationError(
                {
                    "idempotency_key": _(
                        "A payment from a bank, a post office or the internet needs an idempotency key,"
                        " so that a notification sent twice is posted once."
                    )
                },
                code="required",
            )
        attrs["idempotency_key"] = key or None
        return attrs


class _EmployerBranchMixin(serializers.Serializer):
    employer_account = serializers.CharField(max_length=20, help_text="Employer account number (10 digits).")
    branch = serializers.CharField(max_length=10, required=False, allow_blank=True, default=BRANCH_HEAD_OFFICE)

    def validate_employer_account(self, value):
        return _digits(value)

    def branch_resolve(self, attrs):
        """The employer and branch in one query (within the caller's office); on a miss, a
        second query says which of the two is unknown."""
        account = attrs["employer_account"]
        try:
            number = branch_number_clean(attrs.get("branch") or BRANCH_HEAD_OFFICE)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"branch": exc.messages}, code=exc.code) from None
        user = self.context["request"].user
        branch = registry.branch_find(account, number, user)
        if branch is None:
            if not registry.employer_exists(account, user):
                raise serializers.ValidationError(
                    {
                        "employer_account": lazy_format(
                            _("No employer with account number %(account)s is registered in your office."),
                            {"account": account},
                        )
                    },
                    code="unknown",
                )
            raise serializers.ValidationError(
                {
                    "branch": lazy_format(
                        _("Employer %(account)s has no branch %(number)s."), {"account": account, "number": number}
                    )
                },
                code="unknown",
            )
        attrs["employer_account"] = branch.employer
        attrs["branch"] = branch
        return attrs


class LineInSerializer(serializers.Serializer):
    national_id = serializers.CharField(max_length=20, help_text="13 digits, dashes allowed.")
    wage = _money(help_text="The month's actual wage, in baht.")
    contribution = _money(
        required=False, allow_null=True, help_text="The employee's share as the employer computed it: checked."
    )

    def validate_national_id(self, value):
        digits = _digits(value)
        if len(digits) != 13:
            raise serializers.ValidationError(
                lazy_format(_("A national ID has 13 digits; %(count)s were given."), {"count": len(digits)}),
                code="length",
            )
        return digits


class TotalsInSerializer(serializers.Serializer):
    """The totals the employer declares; each is checked against the sum of the lines."""

    head_count = serializers.IntegerField(min_value=0, required=False)
    total_wages = _money(required=False)
    employee_total = _money(required=False)
    employer_total = _money(required=False)
    total_contributions = _money(required=False)


@extend_schema_field(LineInSerializer(many=True))
class LinesField(serializers.Field):
    """The lines of a statement, each checked by `LineInSerializer`'s own fields and with its
    messages, but without a serializer per line: DRF copies every field of every line, which
    costs more than the rest of a posting for a big statement."""

    MAX_LINES = 100_000

    def to_internal_value(self, data):
        messages = serializers.ListSerializer.default_error_messages
        if not isinstance(data, list):
            self._whole_list_fail(messages["not_a_list"].format(input_type=type(data).__name__), "not_a_list")
        if len(data) > self.MAX_LINES:
            self._whole_list_fail(messages["max_length"].format(max_length=self.MAX_LINES), "max_length")
        checker = LineInSerializer()
        fields = checker.fields
        lines, errors = [], []
        for item in data:
            if not isinstance(item, dict):
                errors.append(
                    {
                        "non_field_errors": [
                            serializers.ErrorDetail(
                                serializers.Serializer.default_error_messages["invalid"].format(
                                    datatype=type(item).__name__
                                ),
                                code="invalid",
                            )
                        ]
                    }
                )
                continue
            line, line_errors = {}, {}
            for name, field in fields.items():
                try:
                    value = field.run_validation(item.get(name, serializers.empty))
                    if name == "national_id":
                        value = checker.validate_national_id(value)
                except serializers.ValidationError as exc:
                    line_errors[name] = exc.detail
                except serializers.SkipField:
                    continue
                else:
                    line[name] = value
            errors.append(line_errors)
            lines.append(line)
        if any(errors):
            raise serializers.ValidationError(errors)
        return lines

    @staticmethod
    def _whole_list_fail(message, code):
        # Where a list serializer puts it: `lines.non_field_errors`.
        raise serializers.ValidationError({"non_field_errors": [serializers.ErrorDetail(message, code=code)]})


class StatementInSerializer(_EmployerBranchMixin):
    """Form SSO 1-10 from an employer's system, with its payment if it is paid at once."""

    period = PeriodField(help_text="The wage month, YYYY-MM.")
    lines = LinesField()
    totals = TotalsInSerializer(required=False)
    payment = PaymentInSerializer(required=False)

    def validate(self, attrs):
        return self.branch_resolve(attrs)


class StatementPaymentSerializer(PaymentInSerializer):
    """The payment of the statement in the URL."""


class PaymentNotificationSerializer(_EmployerBranchMixin, PaymentInSerializer):
    """A bank's (or post office's, or internet banking's) notification of a statement paid."""

    period = PeriodField(help_text="The wage month, YYYY-MM.")

    def validate(self, attrs):
        return super().validate(self.branch_resolve(attrs))


class VoluntaryPaymentSerializer(PaymentInSerializer):
    """Section 39 (432 THB a month) or Section 40 (by the person's option) contributions."""

    national_id = serializers.CharField(max_length=20, help_text="13 digits, dashes allowed.")
    section = serializers.ChoiceField(choices=[(Section.S39, "39"), (Section.S40, "40")])
    period_from = PeriodField(help_text="First month paid for, YYYY-MM.")
    period_to = PeriodField(required=False, help_text="Last month paid for; default: period_from.")

    def validate_national_id(self, value):
        digits = _digits(value)
        person = registry.person_find_for_user(digits, self.context["request"].user) if len(digits) == 13 else None
        if person is None:
            raise serializers.ValidationError(_("No insured person has this ID."), code="unknown")
        return person

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs.setdefault("period_to", attrs["period_from"])
        attrs["person"] = attrs.pop("national_id")
        return attrs
