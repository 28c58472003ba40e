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
from sso.core.api.errors import validation_error_response
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.scoping import office_scoped, scope_office_id


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_fields = ["office", "kind", "is_active"]

    def get_queryset(self):
        return office_scoped(super().get_queryset(), self.request.user)


class CounterViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Counter.objects.select_related("officer").prefetch_related("services")
    serializer_class = CounterSerializer
    filterset_fields = ["office"]

    def get_queryset(self):
        return office_scoped(super().get_queryset(), self.request.user)


class TicketViewSet(viewsets.ReadOnlyModelViewSet):
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
        responses={201: TicketIssuedSerializer, 400: OpenApiResponse(description="invalid input")},
    )
    def post(self, request):
        data = TicketIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_issue_in_scope(
                service_id=data.validated_data["service"],
                scope_office_id=scope_office_id(request.user),
                customer_kind=data.validated_data["customer_kind"],
                customer_ref=data.validated_data["customer_ref"],
                priority=int(data.validated_data["priority"]),
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
        data = CallNextInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_call_next(
                counter_id=pk,
                officer=request.user,
                scope_office_id=scope_office_id(request.user),
                close_current=data.validated_data.get("close_current") or None,
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
                data = FinishInputSerializer(data=request.data)
                data.is_valid(raise_exception=True)
                return services.ticket_finish(counter=counter, officer=officer, outcome=data.validated_data["outcome"])
            case "transfer":
                data = TransferInputSerializer(data=request.data)
                data.is_valid(raise_exception=True)
                to_service = to_counter = None
                if data.validated_data.get("to_service"):
                    to_service = Service.objects.filter(pk=data.validated_data["to_service"]).first()
                    if to_service is None:
                        raise services.QueueError(
                            _("This office does not offer that service."), code="service_elsewhere"
                        )
                if data.validated_data.get("to_counter"):
                    to_counter = Counter.objects.filter(pk=data.validated_data["to_counter"]).first()
                    if to_counter is None:
                        raise services.QueueError(_("That counter is not in this office."), code="counter_elsewhere")
                return services.ticket_transfer(
                    counter=counter, officer=officer, to_service=to_service, to_counter=to_counter
                )
            case "sign-in":
                return services.counter_sign_in(counter=counter, officer=officer)
            case "sign-out":
                return services.counter_sign_out(counter=counter, officer=officer)

    @extend_schema(request=None, responses={200: TicketSerializer, 409: OpenApiResponse(description="refused")})
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
