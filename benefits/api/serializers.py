"""The claims API's shapes: a claim in the list and in full (its steps, documents, working,
decision, payment orders and appeals), the back office's payment orders and batches, and one
input serializer per action. Input serializers check the form of what is sent and find the
records it names (the person, the child, the bank); `benefits.services`, `benefits.appeals`
and `benefits.payments` check the rest, as they do for the pages."""

from django.conf import settings
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from benefits.forms import details_missing
from benefits.models import (
    Appeal,
    Benefit,
    Claim,
    ClaimDocument,
    ClaimStep,
    DocumentRequirement,
    PaymentBatch,
    PaymentOrder,
    PaymentRecovery,
)
from registry import selectors as registry
from sso.core.api.errors import ErrorSerializer
from sso.core.api.fields import DateField, IdField, NamedChoiceField

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def _text(max_length=2000, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


# Output -----------------------------------------------------------------------------------


class WorkingLineSerializer(serializers.Serializer):
    """A text in Thai and English."""

    th = serializers.CharField()
    en = serializers.CharField()


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as the work queue lists it."""

    office = serializers.CharField(source="office.code", help_text="Code of the office that recorded the claim.")
    national_id = serializers.CharField(source="person.national_id", help_text="The insured person's national ID.")
    person_name = serializers.CharField(source="person.full_name")

    class Meta:
        model = Claim
        fields = [
            "id",
            "office",
            "person",
            "national_id",
            "person_name",
            "benefit",
            "event_date",
            "dependant",
            "status",
            "verification",
            "eligible",
            "amount",
            "monthly",
            "months",
            "refusal_code",
            "recorded_at",
            "adjudicated_at",
        ]


class ClaimStepSerializer(serializers.ModelSerializer):
    """One move of the claim: from a status to the next (or to and from an appeal)."""

    by = serializers.CharField(source="by.username", allow_null=True, default=None)

    class Meta:
        model = ClaimStep
        fields = ["from_status", "to_status", "at", "by", "note"]


class ClaimDocumentSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="requirement.code")
    required = serializers.BooleanField(source="requirement.required")

    class Meta:
        model = ClaimDocument
        fields = ["code", "required", "state"]


class PaymentOrderSerializer(serializers.ModelSerializer):
    """One payment of a claim: a month of a recurring benefit or the one-off amount, or an
    adjustment (the difference owed for a month paid, after an appeal raised the amount)."""

    bank = serializers.CharField(source="bank.code", allow_null=True, default=None, help_text="Bank of Thailand code.")
    method = NamedChoiceField(choices=PaymentOrder.Method.choices, enum_name="PaymentOrderMethodEnum")
    status = NamedChoiceField(choices=PaymentOrder.Status.choices, enum_name="PaymentOrderStatusEnum")
    kind = NamedChoiceField(choices=PaymentOrder.Kind.choices, enum_name="PaymentOrderKindEnum")
    adjusts = serializers.IntegerField(
        source="adjusts_id", allow_null=True, help_text="An adjustment: the order of the month it adds to."
    )
    appeal = serializers.IntegerField(source="appeal_id", allow_null=True, help_text="The appeal behind an adjustment.")
    reason = WorkingLineSerializer(allow_null=True, help_text="Why an appeal made or changed this order.")
    withheld = _money(help_text="Withheld from this order to recover an overpayment: `amount` is what is paid.")

    class Meta:
        model = PaymentOrder
        fields = [
            "id",
            "claim",
            "period",
            "amount",
            "method",
            "bank",
            "account_number",
            "account_name",
            "status",
            "batch",
            "created_at",
            "paid_at",
            "bank_reference",
            "failure_reason",
            "kind",
            "adjusts",
            "appeal",
            "reason",
            "withheld",
        ]


class RecoverySerializer(serializers.ModelSerializer):
    """An overpaid month (an appeal gave less than was paid), withheld from the next payments."""

    reason = WorkingLineSerializer()

    class Meta:
        model = PaymentRecovery
        fields = ["id", "appeal", "period", "paid", "due", "amount", "recovered", "reason", "created_at"]


class AppealSerializer(serializers.ModelSerializer):
    """An appeal against a claim's decision, and the Appeals Committee's decision on it."""

    lodged_by = serializers.CharField(source="lodged_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    status = NamedChoiceField(choices=Appeal.Status.choices, enum_name="AppealStatusEnum")

    class Meta:
        model = Appeal
        fields = [
            "id",
            "claim",
            "decision",
            "received_decision_on",
            "grounds",
            "status",
            "lodged_at",
            "lodged_by",
            "decided_at",
            "decided_by",
            "decision_note",
            "reexamined_amount",
        ]


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with the details the rules read, their working in Thai and English, the
    decision, its documents, steps, payment orders and appeals."""

    details = serializers.JSONField()
    working = WorkingLineSerializer(many=True)
    decided_by = serializers.CharField(source="adjudicated_by.username", allow_null=True, default=None)
    override_confirmed_by = serializers.CharField(
        source="override_confirmed_by.username", allow_null=True, default=None
    )
    documents = ClaimDocumentSerializer(many=True)
    steps = ClaimStepSerializer(many=True)
    payment_orders = PaymentOrderSerializer(many=True)
    appeals = AppealSerializer(many=True)
    recoveries = RecoverySerializer(many=True)

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "details",
            "working",
            "decision_note",
            "override_reason",
            "decided_by",
            "override_confirmed_by",
            "documents",
            "steps",
            "payment_orders",
            "appeals",
            "recoveries",
        ]


class ClaimRecordResultSerializer(ClaimDetailSerializer):
    """The claim recorded (201), or the one recorded before with this idempotency key (200)."""

    replayed = serializers.BooleanField(help_text="True: this idempotency key was recorded before; nothing new stored.")

    class Meta(ClaimDetailSerializer.Meta):
        fields = [*ClaimDetailSerializer.Meta.fields, "replayed"]


class PaymentBatchSerializer(serializers.ModelSerializer):
    """The bank transfers of one bank for one day, sent as one file."""

    office = serializers.CharField(source="office.code")
    bank = serializers.CharField(source="bank.code", help_text="Bank of Thailand code.")
    created_by = serializers.CharField(source="created_by.username")
    status = NamedChoiceField(choices=PaymentBatch.Status.choices, enum_name="PaymentBatchStatusEnum")

    class Meta:
        model = PaymentBatch
        fields = ["id", "office", "bank", "pay_on", "status", "order_count", "total", "created_at", "created_by"]


class PaymentBatchDetailSerializer(PaymentBatchSerializer):
    orders = PaymentOrderSerializer(many=True)

    class Meta(PaymentBatchSerializer.Meta):
        fields = [*PaymentBatchSerializer.Meta.fields, "orders"]


class ConfirmationErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line of the file (0: the file as a whole).")
    detail = serializers.CharField()
    detail_th = serializers.CharField()
    detail_en = serializers.CharField()


class ConfirmationResultSerializer(serializers.Serializer):
    """The bank's confirmation applied: orders paid, failed, and lines applied before."""

    paid = serializers.IntegerField()
    failed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    batch = PaymentBatchSerializer()


# Input ------------------------------------------------------------------------------------


class ClaimDetailsInSerializer(serializers.Serializer):
    """The details the rules read; only the chosen benefit's are kept (as on the page)."""

    days_off = serializers.IntegerField(min_value=0, max_value=365, required=False, help_text="Sickness.")
    chronic = serializers.BooleanField(required=False, help_text="Sickness: a chronic illness.")
    emergency = serializers.BooleanField(required=False, help_text="Sickness: treated outside the registered hospital.")
    medical_expenses = _money(min_value=0, required=False, help_text="Sickness: medical expenses paid (THB).")
    amount = _money(min_value=0, required=False, help_text="Dental: treatment paid (THB).")
    children = serializers.IntegerField(min_value=1, max_value=9, required=False, help_text="Maternity.")
    severity = NamedChoiceField(
        choices=[("severe", "severe"), ("not_severe", "not_severe")],
        required=False,
        enum_name="InvaliditySeverityEnum",
        help_text="Invalidity.",
    )
    reason = NamedChoiceField(
        choices=[("laid_off", "laid_off"), ("resigned", "resigned")],
        required=False,
        enum_name="LeavingReasonEnum",
        help_text="Unemployment: why the person left work (default: as on record, SSO 6-09).",
    )
    registered_on = DateField(required=False, help_text="Unemployment: registered with the Employment Department on.")


class ClaimRecordSerializer(serializers.Serializer):
    """Step 1: a claim of an insured person (any office's: a claim is recorded where the person
    comes) for a benefit event, with the documents presented. The claim is the caller's office's."""

    person = IdField(help_text="The insured person's id (GET /api/registry/persons/by-national-id/<id>/).")
    benefit = NamedChoiceField(choices=Benefit.choices, enum_name="BenefitEnum")
    event_date = DateField(help_text="Treatment, birth, invalidity, death, leaving work; the claim date for old age.")
    dependant = IdField(required=False, allow_null=True, help_text="The child or survivor, on the person's record.")
    details = ClaimDetailsInSerializer(required=False, default=dict)
    presented = serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, default=list, max_length=50
    )
    idempotency_key = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Or the Idempotency-Key header."
    )

    def validate_person(self, value):
        try:
            return registry.person_for_claims_get(value, self.context["request"].user)
        except Http404:
            raise serializers.ValidationError(_("No insured person has this id."), code="unknown") from None

    def validate_presented(self, value):
        # The codes of the checklists in force today, the day the claim is recorded.
        known = set(DocumentRequirement.objects.in_force(timezone.localdate()).values_list("code", flat=True))
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown document code: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown"
            )
        return value

    def validate(self, attrs):
        person, benefit = attrs["person"], attrs["benefit"]
        errors = {f"details.{name}": message for name, message in details_missing(benefit, attrs["details"])}
        if errors:
            raise serializers.ValidationError(errors, code="required")
        dependant_id = attrs.get("dependant")
        attrs["dependant"] = None
        if dependant_id is not None:
            attrs["dependant"] = registry.dependant_of(person, dependant_id)
            if attrs["dependant"] is None:
                raise serializers.ValidationError(
                    {"dependant": _("This child or survivor is not on this person's record.")}, code="unknown"
                )
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
        attrs["idempotency_key"] = key or None
        return attrs


class DocumentsPresentedSerializer(serializers.Serializer):
    """Documents brought after the claim was recorded (their checklist codes)."""

    codes = serializers.ListField(child=serializers.SlugField(max_length=40), min_length=1, max_length=50)


class NoteSerializer(serializers.Serializer):
    note = _text(help_text="Refer: what the back office should check (required). Withdraw: why (optional).")


class ClaimDecideSerializer(serializers.Serializer):
    """Step 3: approve (a claim the rules allow, nothing missing), reject (a note is required
    when the rules allow it), or override: approve against the rules with a reason, confirmed
    by a supervisor's user name and password (four eyes; never a sign-in, so never a lockout)."""

    decision = NamedChoiceField(
        choices=[("approve", "approve"), ("reject", "reject"), ("override", "override")],
        enum_name="ClaimDecisionEnum",
    )
    note = _text(help_text="Reject: the reason.")
    override_reason = _text(help_text="Override: why the rules are overridden.")
    supervisor = _text(max_length=150, help_text="Override: the confirming supervisor's user name.")
    supervisor_password = serializers.CharField(
        max_length=128, required=False, allow_blank=True, default="", write_only=True, trim_whitespace=False
    )

    def validate(self, attrs):
        if attrs["decision"] == "override":
            errors = {}
            if not attrs["override_reason"].strip():
                errors["override_reason"] = _("Give the reason for the override.")
            if not attrs["supervisor"].strip():
                errors["supervisor"] = _("An override needs a second officer, a supervisor, to confirm it.")
            if not attrs["supervisor_password"]:
                errors["supervisor_password"] = _("Give the supervisor's password.")
            if errors:
                raise serializers.ValidationError(errors, code="required")
        return attrs


class AppealLodgeSerializer(serializers.Serializer):
    grounds = _text(max_length=4000, help_text="The grounds of the appeal (required).")
    received_on = DateField(
        required=False, allow_null=True, help_text="The day the person received the decision (default: its day)."
    )


class AppealDecideSerializer(serializers.Serializer):
    """The Appeals Committee's decision, recorded by an officer who took no part in the decision."""

    decision = NamedChoiceField(choices=[("uphold", "uphold"), ("dismiss", "dismiss")], enum_name="AppealDecisionEnum")
    note = _text(help_text="The reason for the appeal's decision (required).")


class OrderPaySerializer(serializers.Serializer):
    """Paid at the office: cash (the receipt number) or a cheque (its number, required)."""

    method = NamedChoiceField(
        choices=[(PaymentOrder.Method.CASH.value, "cash"), (PaymentOrder.Method.CHEQUE.value, "cheque")],
        enum_name="PayAtOfficeMethodEnum",
    )
    reference = _text(max_length=60)


class OrderCancelSerializer(serializers.Serializer):
    reason = _text(max_length=200, help_text="Why the payment is cancelled (required).")


class BatchMakeSerializer(serializers.Serializer):
    """A batch of the office's pending transfers to one bank, for a pay date."""

    bank = serializers.CharField(max_length=3, help_text="Bank of Thailand code, e.g. 002.")
    pay_on = DateField()

    def validate_bank(self, value):
        bank = registry.banks().filter(code=value.strip()).first()
        if bank is None:
            raise serializers.ValidationError(_("No bank has this code."), code="unknown")
        return bank


class ConfirmationSerializer(serializers.Serializer):
    """The bank's confirmation file as text: one line per transfer, `order id, PAID or FAILED,
    bank reference, reason` (docs/benefits.md, "The bank's confirmation")."""

    content = serializers.CharField(
        max_length=settings.UPLOAD_MAX_BYTES, trim_whitespace=False, help_text="The CSV file's text (UTF-8)."
    )


class ConfirmationRefusalSerializer(ErrorSerializer):
    """A refused confirmation file: every bad line, in Thai and English; nothing stored."""

    errors = ConfirmationErrorSerializer(many=True)


def confirmation_errors(errors_by_language: dict[str, list[tuple[int, str]]]) -> list[dict]:
    """The errors of a refused confirmation, each in the caller's language, Thai and English."""
    active = "en" if (translation.get_language() or "th").startswith("en") else "th"
    rows = []
    for index, (number, _message) in enumerate(errors_by_language["en"]):
        texts = {language: errors[index][1] for language, errors in errors_by_language.items()}
        rows.append({"line": number, "detail": texts[active], "detail_th": texts["th"], "detail_en": texts["en"]})
    return rows
