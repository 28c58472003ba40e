"""The claims API's answers: a claim in the list, and a claim with its documents and steps."""

from rest_framework import serializers

from benefits.models import Claim, ClaimDocument, ClaimStep


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


class WorkingLineSerializer(serializers.Serializer):
    th = serializers.CharField()
    en = serializers.CharField()


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with the details the rules read, their working in Thai and English, the
    decision, its documents and its steps."""

    details = serializers.JSONField()
    working = WorkingLineSerializer(many=True)
    decided_by = serializers.CharField(source="adjudicated_by.username", allow_null=True, default=None)
    documents = ClaimDocumentSerializer(many=True)
    steps = ClaimStepSerializer(many=True)

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "details",
            "working",
            "decision_note",
            "override_reason",
            "decided_by",
            "documents",
            "steps",
        ]
