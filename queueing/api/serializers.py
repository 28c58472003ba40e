from rest_framework import serializers

from queueing.models import Counter, Service, Ticket


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "kind", "prefix", "name_th", "name_en", "is_active"]


class CounterSerializer(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.username", default=None, read_only=True)

    class Meta:
        model = Counter
        fields = ["id", "number", "services", "officer", "signed_in_at", "is_active"]


class TicketSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    service = ServiceSerializer(read_only=True)
    counter = serializers.IntegerField(source="counter.number", default=None, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id", "code", "service", "service_day", "customer_kind", "customer_ref", "priority", "status",
            "outcome", "issued_at", "first_called_at", "called_at", "call_count", "started_at", "finished_at",
            "counter", "visit",
        ]  # fmt: skip


class TicketIssuedSerializer(TicketSerializer):
    people_ahead = serializers.IntegerField(read_only=True)
    estimated_wait_minutes = serializers.IntegerField(read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "people_ahead", "estimated_wait_minutes"]


class TicketIssueInputSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    customer_kind = serializers.ChoiceField(choices=Ticket.CustomerKind.choices)
    customer_ref = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, default=Ticket.Priority.REGULAR)


class CallNextInputSerializer(serializers.Serializer):
    close_current = serializers.ChoiceField(
        choices=["completed", "documents_missing", "referred", "no_show"],
        required=False,
        allow_blank=True,
        help_text="Close the counter's current ticket with this outcome first (finish and call next).",
    )


class FinishInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["completed", "documents_missing", "referred"])


class TransferInputSerializer(serializers.Serializer):
    to_service = serializers.IntegerField(required=False, allow_null=True)
    to_counter = serializers.IntegerField(required=False, allow_null=True)


class BoardCallSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    counter = serializers.IntegerField()
    service_th = serializers.CharField()
    service_en = serializers.CharField()
    status = serializers.CharField()
