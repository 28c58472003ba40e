from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from queueing import services
from queueing.api.serializers import (
    CallNextInputSerializer,
    CounterSerializer,
    FinishInputSerializer,
    ServiceSerializer,
    TicketIssuedSerializer,
    TicketIssueInputSerializer,
    TicketSerializer,
    TransferInputSerializer,
    ticket_data,
)
from queueing.filters import TicketFilter
from queueing.models import Counter, Service, Ticket
from queueing.selectors import (
    counter_get_for_user,
    ticket_people_ahead_and_wait,
)
from sso.core.api.errors import ErrorSerializer, validated_input, validation_error_response
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.converters import IdConverter
from sso.core.scoping import office_scoped, scope_office_id


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = IdConverter.regex
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_fields = ["office", "kind", "is_active"]

    def get_queryset(self):
        return office_scoped(super().get_queryset(), self.request.user)


class CounterViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = IdConverter.regex
    queryset = Counter.objects.select_related("officer").prefetch_related("services")
    serializer_class = CounterSerializer
    filterset_fields = ["office"]

    def get_queryset(self):
        return office_scoped(super().get_queryset(), self.request.user)


class TicketViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = IdConverter.regex
    queryset = Ticket.objects.select_related("service", "counter").order_by("-issued_at")
    serializer_class = TicketSerializer
    filterset_class = TicketFilter

    def get_queryset(self):
        return office_scoped(super().get_queryset(), self.request.user)


class TicketIssueView(APIView):
    """Issue a ticket (kiosk, reception desk, or an appointment system)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("queueing.add_ticket",)

    @extend_schema(
        request=TicketIssueInputSerializer,
        responses={
            201: TicketIssuedSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Refused input, or a service not open now."),
            404: OpenApiResponse(ErrorSerializer, description="No such service in the caller's office."),
        },
    )
    def post(self, request):
        data = validated_input(TicketIssueInputSerializer, request)
        try:
            ticket = services.ticket_issue_in_scope(
                service_id=data["service"],
                scope_office_id=scope_office_id(request.user),
                customer_kind=data["customer_kind"],
                customer_ref=data["customer_ref"],
                priority=int(data["priority"]),
            )
        except Service.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            return validation_error_response(exc, status=400)
        ahead, wait = ticket_people_ahead_and_wait(ticket)
        # TicketIssuedSerializer's fields, built directly (see ticket_data).
        return Response(
            {**ticket_data(ticket), "people_ahead": ahead, "estimated_wait_minutes": wait},
            status=status.HTTP_201_CREATED,
        )


class CounterActionView(APIView):
    """One action at a counter: call-next, recall, start, no-show, finish, transfer, sign-in, sign-out.

    A refused action answers 409 with a code and the reason in Thai and English; nothing changes.
    """

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("queueing.serve_counter",)
    action_name = None

    def _call_next(self, request, pk):
        # The hot path: scoping, locking and the call happen in one database round trip.
        data = validated_input(CallNextInputSerializer, request)
        try:
            ticket = services.ticket_call_next(
                counter_id=pk,
                officer=request.user,
                scope_office_id=scope_office_id(request.user),
                close_current=data.get("close_current") or None,
            )
        except Counter.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            return validation_error_response(exc)
        return Response(ticket_data(ticket))

    def _run(self, counter, request):
        officer = request.user
        match self.action_name:
            case "recall":
                return services.ticket_recall(counter=counter, officer=officer)
            case "start":
                return services.ticket_start(counter=counter, officer=officer)
            case "no-show":
                return services.ticket_no_show(counter=counter, officer=officer)
            case "finish":
                data = validated_input(FinishInputSerializer, request)
                return services.ticket_finish(counter=counter, officer=officer, outcome=data["outcome"])
            case "transfer":
                data = validated_input(TransferInputSerializer, request)
                to_service = to_counter = None
                if data.get("to_service"):
                    to_service = Service.objects.filter(pk=data["to_service"]).first()
                    if to_service is None:
                        raise services.QueueError(
                            _("This office does not offer that service."), code="service_elsewhere"
                        )
                if data.get("to_counter"):
                    to_counter = Counter.objects.filter(pk=data["to_counter"]).first()
                    if to_counter is None:
                        raise services.QueueError(_("That counter is not in this office."), code="counter_elsewhere")
                return services.ticket_transfer(
                    counter=counter, officer=officer, to_service=to_service, to_counter=to_counter
                )
            case "sign-in":
                return services.counter_sign_in(counter=counter, officer=officer)
            case "sign-out":
                return services.counter_sign_out(counter=counter, officer=officer)

    def post(self, request, pk):
        if self.action_name == "call-next":
            return self._call_next(request, pk)
        counter = counter_get_for_user(user=request.user, pk=pk)
        try:
            result = self._run(counter, request)
        except ValidationError as exc:
            return validation_error_response(exc)
        if isinstance(result, Counter):
            return Response(CounterSerializer(result).data)
        return Response(TicketSerializer(result).data)


REFUSED_AT_COUNTER = OpenApiResponse(ErrorSerializer, description="Refused; nothing changed (code and reason).")
NO_COUNTER = OpenApiResponse(ErrorSerializer, description="No such counter in the caller's office.")
BAD_INPUT = OpenApiResponse(ErrorSerializer, description="Refused input, naming the fields.")


def _counter_action(name: str, request, response, description: str):
    """The documented view of one counter action (`CounterActionView` does them all)."""
    responses = {200: response, 404: NO_COUNTER, 409: REFUSED_AT_COUNTER}
    if request is not None:
        responses[400] = BAD_INPUT
    schema = extend_schema(request=request, responses=responses, description=description)

    def post(self, request, pk):
        return CounterActionView.post(self, request, pk)

    return type(
        f"Counter{name.title().replace('-', '')}View",
        (CounterActionView,),
        {"__doc__": description, "__module__": __name__, "post": schema(post)},
    )


COUNTER_ACTIONS = {
    "call-next": _counter_action(
        "call-next", CallNextInputSerializer, TicketSerializer, "Call the next ticket to the counter."
    ),
    "recall": _counter_action("recall", None, TicketSerializer, "Call the counter's ticket again."),
    "start": _counter_action("start", None, TicketSerializer, "Start serving the counter's ticket."),
    "no-show": _counter_action("no-show", None, TicketSerializer, "The called customer did not come."),
    "finish": _counter_action("finish", FinishInputSerializer, TicketSerializer, "Finish the counter's ticket."),
    "transfer": _counter_action(
        "transfer", TransferInputSerializer, TicketSerializer, "Send the ticket to another service or counter."
    ),
    "sign-in": _counter_action("sign-in", None, CounterSerializer, "The officer takes the counter."),
    "sign-out": _counter_action("sign-out", None, CounterSerializer, "The officer leaves the counter."),
}
