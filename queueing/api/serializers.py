from rest_framework import serializers

from queueing.models import Counter, Service, Ticket
from sso.core.api.fields import IdField


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "kind", "prefix", "name_th", "name_en", "is_active"]


class CounterSerializer(serializers.ModelSerializer):
    officer = serializers.CharField(
        source="officer.username", default=None, allow_null=True, read_only=True, help_text="Null: no one signed in."
    )

    class Meta:
        model = Counter
        fields = ["id", "number", "services", "officer", "signed_in_at", "is_active"]


class TicketServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    prefix = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()


class TicketSerializer(serializers.Serializer):
    """Declared fields, not a ModelSerializer: this answers every call at every counter,
    and model introspection per response would cost more than the call itself."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    service = TicketServiceSerializer()
    service_day = serializers.DateField()
    customer_kind = serializers.ChoiceField(choices=Ticket.CustomerKind.choices)
    customer_ref = serializers.CharField()
    priority = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    outcome = serializers.CharField()
    issued_at = serializers.DateTimeField()
    first_called_at = serializers.DateTimeField(allow_null=True)
    called_at = serializers.DateTimeField(allow_null=True)
    call_count = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counter = serializers.IntegerField(source="counter.number", default=None, allow_null=True)
    visit = serializers.IntegerField(source="visit_id")


_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def ticket_data(ticket: Ticket) -> dict:
    """What TicketSerializer(ticket).data gives, built directly: the call-next answer, where
    the serializer's per-response field copies cost more than the database call."""
    service = ticket.service

    def when(value):
        return None if value is None else _DATETIME.to_representation(value)

    return {
        "id": ticket.id,
        "code": ticket.code,
        "service": {
            "id": service.id,
            "kind": service.kind,
            "prefix": service.prefix,
            "name_th": service.name_th,
            "name_en": service.name_en,
        },
        "service_day": _DATE.to_representation(ticket.service_day),
        "customer_kind": ticket.customer_kind,
        "customer_ref": ticket.customer_ref,
        "priority": ticket.priority,
        "status": ticket.status,
        "outcome": ticket.outcome,
        "issued_at": when(ticket.issued_at),
        "first_called_at": when(ticket.first_called_at),
        "called_at": when(ticket.called_at),
        "call_count": ticket.call_count,
        "started_at": when(ticket.started_at),
        "finished_at": when(ticket.finished_at),
        "counter": ticket.counter.number if ticket.counter_id else None,
        "visit": ticket.visit_id,
    }


class TicketIssuedSerializer(TicketSerializer):
    people_ahead = serializers.IntegerField()
    estimated_wait_minutes = serializers.IntegerField()


class TicketIssueInputSerializer(serializers.Serializer):
    service = IdField()
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
    to_service = IdField(required=False, allow_null=True)
    to_counter = IdField(required=False, allow_null=True)
