"""Payments API, for the back office: the payment orders of the office's claims (adjustment
orders after an appeal among them, with their reason) and the bank batches: an order paid at
the office, queued again or cancelled; a batch made, its bank file, marked sent, and the bank's
confirmation imported. The same services (`benefits.payments`) and permissions as the payment
pages: reading needs `benefits.view_paymentorder`, every write `benefits.pay_claim`; another
office's order or batch is 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits import payments, selectors
from benefits.api import serializers as s
from benefits.api.views import NOT_FOUND, REFUSED, Empty
from benefits.filters import PaymentOrderFilter
from benefits.models import PaymentBatch, PaymentOrder
from sso.core import converters  # noqa: F401 - registers <id:...>
from sso.core.api.errors import LANGUAGES, error_body, in_languages, service_refusals, validated_input
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.converters import IdConverter
from sso.core.scoping import office_scoped

VIEW_ORDERS = "benefits.view_paymentorder"
PAY = "benefits.pay_claim"


class PaymentOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payment orders of the caller's office's claims, by month (oldest first)."""

    lookup_value_regex = IdConverter.regex
    queryset = PaymentOrder.objects.all()
    serializer_class = s.PaymentOrderSerializer
    filterset_class = PaymentOrderFilter

    def get_queryset(self):
        return office_scoped(PaymentOrder.objects.select_related("bank"), self.request.user).order_by("period", "id")


class PaymentBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bank batches of the caller's office, newest first. POST makes one of the office's pending
    transfers to a bank (the payments page's "Make the batch")."""

    lookup_value_regex = IdConverter.regex
    queryset = PaymentBatch.objects.all()
    serializer_class = s.PaymentBatchSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        queryset = office_scoped(PaymentBatch.objects.select_related("office", "bank", "created_by"), self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("orders", queryset=PaymentOrder.objects.select_related("bank").order_by("id"))
            )
        return queryset

    def get_serializer_class(self):
        return s.PaymentBatchDetailSerializer if self.action == "retrieve" else s.PaymentBatchSerializer

    @extend_schema(responses={200: s.PaymentBatchDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=s.BatchMakeSerializer, responses={201: s.PaymentBatchDetailSerializer, 400: REFUSED})
    def create(self, request, format=None):
        if not request.user.has_perm(PAY):
            raise PermissionDenied
        data = validated_input(s.BatchMakeSerializer, request)
        with service_refusals():
            batch = payments.batch_make(office=request.user.office, officer=request.user, **data)
        return Response(_batch_data(batch), status=status.HTTP_201_CREATED)


def _batch_data(batch: PaymentBatch) -> dict:
    batch = (
        PaymentBatch.objects.select_related("office", "bank", "created_by")
        .prefetch_related(Prefetch("orders", queryset=PaymentOrder.objects.select_related("bank").order_by("id")))
        .get(pk=batch.pk)
    )
    return s.PaymentBatchDetailSerializer(batch).data


class _OrderAction(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = (VIEW_ORDERS, PAY)
    input_class = Empty

    def perform(self, request, order, data):
        raise NotImplementedError

    def post(self, request, pk):
        order = selectors.order_get_for_user(request.user, pk)
        data = validated_input(self.input_class, request)
        with service_refusals():
            self.perform(request, order, data)
        return Response(s.PaymentOrderSerializer(PaymentOrder.objects.select_related("bank").get(pk=order.pk)).data)


def _order_action_schema(input_class):
    return extend_schema_view(
        post=extend_schema(request=input_class, responses={200: s.PaymentOrderSerializer, 400: REFUSED, 404: NOT_FOUND})
    )


@_order_action_schema(s.OrderPaySerializer)
class OrderPayView(_OrderAction):
    """Paid at the office, in cash or by cheque (an order waiting to be paid, not held)."""

    input_class = s.OrderPaySerializer

    def perform(self, request, order, data):
        payments.order_pay_at_office(order=order, officer=request.user, **data)


@_order_action_schema(None)
class OrderRequeueView(_OrderAction):
    """A returned transfer queued again, to the person's open bank account as it is now."""

    def perform(self, request, order, data):
        payments.order_requeue(order=order, officer=request.user)


@_order_action_schema(s.OrderCancelSerializer)
class OrderCancelView(_OrderAction):
    """Cancel an order not paid and not with the bank, with the reason."""

    input_class = s.OrderCancelSerializer

    def perform(self, request, order, data):
        payments.order_cancel(order=order, officer=request.user, reason=data["reason"])


@extend_schema_view(
    post=extend_schema(request=None, responses={200: s.PaymentBatchDetailSerializer, 400: REFUSED, 404: NOT_FOUND})
)
class BatchSentView(APIView):
    """The batch's file was sent to the bank."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = (VIEW_ORDERS, PAY)

    def post(self, request, pk):
        batch = selectors.batch_get_for_user(request.user, pk)
        with service_refusals():
            payments.batch_mark_sent(batch=batch, officer=request.user)
        return Response(_batch_data(batch))


@extend_schema_view(
    post=extend_schema(
        request=s.ConfirmationSerializer,
        responses={
            200: s.ConfirmationResultSerializer,
            400: OpenApiResponse(
                s.ConfirmationRefusalSerializer, description="Refused: every bad line, in Thai and English."
            ),
            404: NOT_FOUND,
        },
    )
)
class BatchConfirmationView(APIView):
    """Import the bank's confirmation of the batch: all or nothing, and safe to send again (a
    line already applied changes nothing)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = (VIEW_ORDERS, PAY)

    def post(self, request, pk):
        batch = selectors.batch_get_for_user(request.user, pk)
        data = validated_input(s.ConfirmationSerializer, request)
        content = data["content"].encode("utf-8")
        result = payments.confirmation_import(batch=batch, content=content, officer=request.user)
        if result.errors:
            # Nothing was stored: the same check again words the errors in each language.
            by_language = {}
            for language in LANGUAGES:
                with translation.override(language):
                    by_language[language] = payments.confirmation_import(
                        batch=batch, content=content, officer=request.user
                    ).errors
            errors = s.confirmation_errors(by_language)
            message = _("Nothing was stored: correct these lines and import the whole file again.")
            body = error_body("confirmation", in_languages(message)) | {"errors": errors}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        batch = PaymentBatch.objects.select_related("office", "bank", "created_by").get(pk=batch.pk)
        body = {"paid": result.paid, "failed": result.failed, "unchanged": result.unchanged, "batch": batch}
        return Response(s.ConfirmationResultSerializer(body).data)


class JsonRefusals(BaseContentNegotiation):
    """The file's refusals are JSON in the one error shape, whatever the caller accepts (the
    file itself is the CSV answer, not a rendering)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    get=extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The bank file (CSV).")}
    )
)
class BatchFileView(APIView):
    """The batch as the bank's CSV file (layout in docs/benefits.md, "The bank file")."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = (VIEW_ORDERS,)
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonRefusals

    def get(self, request, pk):
        batch = selectors.batch_get_for_user(request.user, pk, "bank")
        response = HttpResponse(payments.batch_file(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="sso-{batch.bank.code}-{batch.pay_on:%Y%m%d}-{batch.pk}.csv"'
        )
        return response


ROUTES = [
    ("payment-orders", PaymentOrderViewSet, "benefits-payment-order"),
    ("payment-batches", PaymentBatchViewSet, "benefits-payment-batch"),
]

PATHS = [
    path("payment-orders/<id:pk>/pay/", OrderPayView.as_view(), name="api-benefits-order-pay"),
    path("payment-orders/<id:pk>/requeue/", OrderRequeueView.as_view(), name="api-benefits-order-requeue"),
    path("payment-orders/<id:pk>/cancel/", OrderCancelView.as_view(), name="api-benefits-order-cancel"),
    path("payment-batches/<id:pk>/sent/", BatchSentView.as_view(), name="api-benefits-batch-sent"),
    path(
        "payment-batches/<id:pk>/confirmation/",
        BatchConfirmationView.as_view(),
        name="api-benefits-batch-confirmation",
    ),
    path("payment-batches/<id:pk>/file/", BatchFileView.as_view(), name="api-benefits-batch-file"),
]
