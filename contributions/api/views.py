"""Contributions API: statements (SSO 1-10) from employers' systems, payments notified by banks,
post offices and the internet, voluntary (Section 39/40) payments, receipts, and a person's
paid months.

Every write goes through `contributions.services`. A statement is checked whole: a refused
one answers 400 listing every bad line in Thai and English, a second statement for a branch
and wage period 409, and nothing is stored. A statement posted with its payment is stored
with it or not at all. A payment carrying an idempotency key (required from a bank, a post
office or the internet) is posted once however many times it is sent, at once or later: the
repeats answer 200 with the first payment. Another office's records answer 404 (reads) or
400 naming the field (an employer or person given in the body), as in the registry API.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import services
from contributions.api import serializers as s
from contributions.filters import StatementFilter
from contributions.models import ContributionMonth, Payment, Receipt, Reimbursement, Source, Statement, StatementLine
from contributions.selectors import contribution_months_count
from contributions.services import Declared, LineInput, StatementRefused
from registry import selectors as registry
from sso.core import converters  # noqa: F401 - registers <id:...>
from sso.core.api.errors import (
    LANGUAGES,
    ErrorSerializer,
    service_refusals,
    validated_input,
    validation_error_response,
)
from sso.core.api.idempotency import idempotency_key_lock
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.confirm import password_confirm
from sso.core.converters import IdConverter
from sso.core.months import month_add, month_first
from sso.core.scoping import object_get_for_user, office_scoped

REFUSED = OpenApiResponse(ErrorSerializer, description="Refused: the fields at fault, in Thai and English.")
STATEMENT_REFUSED = OpenApiResponse(
    s.StatementRefusalSerializer, description="Refused: every bad line, in Thai and English; nothing stored."
)
DUPLICATE = OpenApiResponse(
    s.StatementRefusalSerializer,
    description="A statement for this branch and wage period is already filed (code `duplicate`).",
)
KEY_CONFLICT = OpenApiResponse(
    ErrorSerializer, description="This idempotency key was used for another payment (code `idempotency_conflict`)."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such record in the caller's office.")
IDEMPOTENCY_HEADER = OpenApiParameter(
    s.IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The payment's idempotency key (or `idempotency_key` in the body): the same key twice posts once.",
)


# Reads ------------------------------------------------------------------------------------


def _statements():
    return Statement.objects.select_related("office", "employer", "branch")


def _payments():
    return Payment.objects.select_related("receipt__office", "person")


def _statement_detail(pk) -> Statement:
    return (
        _statements()
        .prefetch_related(
            Prefetch("lines", queryset=StatementLine.objects.select_related("person").order_by("line_number")),
            Prefetch("payments", queryset=_payments().order_by("posted_at", "id")),
        )
        .get(pk=pk)
    )


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contribution statements (form SSO 1-10) of the caller's office. POST files one, with its payment if given."""

    lookup_value_regex = IdConverter.regex
    queryset = Statement.objects.all()
    serializer_class = s.StatementSerializer
    filterset_class = StatementFilter

    def get_queryset(self):
        return office_scoped(_statements(), self.request.user)

    @extend_schema(responses={200: s.StatementDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, pk=None, format=None):
        statement = object_get_for_user(Statement, request.user, pk=pk)
        return Response(s.StatementDetailSerializer(_statement_detail(statement.pk)).data)

    @extend_schema(
        request=s.StatementInSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: s.StatementResultSerializer,
            200: OpenApiResponse(
                s.StatementResultSerializer, description="Its payment's idempotency key was posted before: the first."
            ),
            400: STATEMENT_REFUSED,
            409: DUPLICATE,
        },
    )
    def create(self, request, format=None):
        """File a statement; with `payment`, pay it in the same transaction (both or neither).

        Refusals of the form's fields answer 400 with `fields` (as elsewhere); a statement whose
        lines break the rules answers 400 with `errors`, one per bad line."""
        data = validated_input(s.StatementInSerializer, request)
        paying = data.get("payment")
        if paying is not None and not request.user.has_perm("contributions.add_payment"):
            raise PermissionDenied(_("You may file statements but not post payments."))
        lines = [
            LineInput(
                line=n, national_id=line["national_id"], wage=line["wage"], employee_amount=line.get("contribution")
            )
            for n, line in enumerate(data["lines"], start=1)
        ]
        declared = Declared(**data["totals"]) if data.get("totals") else None
        key = paying["idempotency_key"] if paying else None
        with service_refusals():
            try:
                with transaction.atomic():
                    if key is not None:
                        _key_lock(key)
                        if (first := _key_payment(key)) is not None:
                            return _statement_replay(request, first, data)
                    statement = services.statement_submit(
                        officer=request.user,
                        employer=data["employer_account"],
                        branch=data["branch"],
                        period=data["period"],
                        lines=lines,
                        source=Source.API,
                        declared=declared,
                        verify=paying is None,
                    )
                    payment = None
                    if paying is not None:
                        with _fields_under("payment"):
                            payment = services.statement_pay(
                                officer=request.user, statement=statement, **_date_confirm(request, paying)
                            )
            except StatementRefused as exc:
                return _statement_refusal(exc)
        return _statement_result(statement, payment, replayed=False)


def _statement_result(statement: Statement, payment: Payment | None, *, replayed) -> Response:
    """The statement as listed (its lines are at GET statements/<id>/), its payment and what was due.
    Built from the records just written, without reading them again."""
    receipt = payment.receipt if payment is not None else None
    if receipt is not None and receipt.office_id == statement.office_id:
        receipt.office = statement.office  # for its number, without reading the office again
    on = payment.paid_on if payment is not None else timezone.localdate()
    body = {
        "statement": s.statement_data(statement),
        "payment": s.payment_data(payment, receipt) if payment is not None else None,
        "receipt_number": receipt.display_number if receipt is not None else None,
        "amount_due": s.amount_due_dict(services.statement_amount_due(statement, on), on),
        "replayed": replayed,
    }
    return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


def _statement_replay(request, first: Payment, data) -> Response:
    statement = first.statement
    same = (
        statement is not None
        and statement.branch_id == data["branch"].pk
        and statement.period == data["period"]
        and office_scoped(Statement.objects.filter(pk=statement.pk), request.user).exists()
    )
    if not same:
        return _key_conflict()
    statement = _statements().get(pk=statement.pk)
    return _statement_result(statement, _payments().get(pk=first.pk), replayed=True)


def _statement_refusal(exc: StatementRefused) -> Response:
    """400 listing every bad line (409 for a second statement of the branch and period), each
    message in the caller's language, Thai and English."""
    duplicate = any(error.code == "duplicate" for error in exc.line_errors)
    errors = []
    for error in exc.line_errors:
        total = error.code == "total"  # the declared totals: the header of the statement
        item = {
            "line": 0 if total else error.line,
            "field": f"totals.{error.field}" if total else error.field,
            "expected": str(error.expected),
            "found": str(error.found),
            "code": error.code,
            "message": str(error.message),
        }
        for language in LANGUAGES:
            with translation.override(language):
                item[f"message_{language}"] = str(error.message)
        errors.append(item)
    response = validation_error_response(exc, status=409 if duplicate else 400)
    response.data |= {"errors": errors, "unknown_persons": exc.unknown_persons}
    if duplicate:
        response.data["code"] = "duplicate"
    return response


@contextmanager
def _fields_under(prefix: str):
    """A service's field errors named as the caller sent them (`payment.amount`)."""
    try:
        yield
    except ValidationError as exc:
        errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        raise ValidationError(
            {(prefix if field == NON_FIELD_ERRORS else f"{prefix}.{field}"): items for field, items in errors.items()}
        ) from None


# Idempotency ------------------------------------------------------------------------------

_KEY_LOCKS = 0x53534F43  # "SSOC": this app's advisory locks


def _key_lock(key: str) -> None:
    idempotency_key_lock(_KEY_LOCKS, key)


def _key_payment(key: str) -> Payment | None:
    return services.one_or_none(Payment.objects.select_related("statement").filter(idempotency_key=key))


def _key_conflict() -> Response:
    return validation_error_response(
        ValidationError(
            _("This idempotency key was already used for another payment: send a new key for a new payment."),
            code="idempotency_conflict",
        ),
        status=409,
    )


def _payment_result(payment: Payment, *, replayed: bool) -> Response:
    payment = _payments().get(pk=payment.pk)
    body = {
        "payment": s.PaymentSerializer(payment).data,
        "receipt_number": payment.receipt.display_number,
        "replayed": replayed,
        "reimbursement_requested": Reimbursement.objects.filter(payment=payment).exists(),
    }
    return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


def _date_confirm(request, paying: dict) -> dict:
    """The supervisor confirming a counter payment's date on the officer's request, by their
    username and password (sso.core.confirm: never a sign-in, so never a lockout), as the
    service's `date_confirmed_by`. Raises the refusal (inside `service_refusals`) if wrong."""
    paying = dict(paying)
    username, password = paying.pop("supervisor", ""), paying.pop("supervisor_password", "")
    paying["date_confirmed_by"] = None
    if username:
        supervisor = password_confirm(
            purpose="payment-date", username=username, password=password, asked_by=request.user
        )
        if supervisor is None:
            raise ValidationError(
                {"supervisor_password": ValidationError(_("The supervisor's username or password is wrong."), "wrong")}
            )
        paying["date_confirmed_by"] = supervisor
    return paying


def _statement_pay(request, statement: Statement, paying: dict) -> Response:
    key = paying["idempotency_key"]
    with service_refusals(), transaction.atomic():
        if key is not None:
            _key_lock(key)
            if (first := _key_payment(key)) is not None:
                if first.statement_id != statement.pk:
                    return _key_conflict()
                return _payment_result(first, replayed=True)
        payment = services.statement_pay(officer=request.user, statement=statement, **_date_confirm(request, paying))
    return _payment_result(payment, replayed=False)


class _PaymentView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("contributions.add_payment",)


@extend_schema_view(
    post=extend_schema(
        request=s.StatementPaymentSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: s.PaymentResultSerializer,
            200: OpenApiResponse(s.PaymentResultSerializer, description="Posted before with this key: the first."),
            400: REFUSED,
            404: NOT_FOUND,
            409: KEY_CONFLICT,
        },
    )
)
class StatementPaymentView(_PaymentView):
    """Pay the statement in the URL: contributions and any late surcharge, with a receipt."""

    def post(self, request, pk):
        statement = object_get_for_user(Statement, request.user, pk=pk)
        paying = validated_input(s.StatementPaymentSerializer, request)
        return _statement_pay(request, statement, dict(paying))


@extend_schema_view(
    post=extend_schema(
        request=s.PaymentNotificationSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: s.PaymentResultSerializer,
            200: OpenApiResponse(s.PaymentResultSerializer, description="Posted before with this key: the first."),
            400: REFUSED,
            409: KEY_CONFLICT,
        },
    )
)
class PaymentNotificationView(_PaymentView):
    """A bank, a post office or internet banking notifies a statement paid, by employer account,
    branch and wage period. A statement already paid is paid again (the money has moved) and
    the second payment is queued for reimbursement."""

    def post(self, request):
        data = dict(validated_input(s.PaymentNotificationSerializer, request))
        employer, branch, period = data.pop("employer_account"), data.pop("branch"), data.pop("period")
        statement = (
            office_scoped(Statement.objects.filter(employer=employer, branch=branch, period=period), request.user)
            .exclude(status=Statement.Status.VOID)
            .order_by("-received_at")  # the latest amendment, if any
            .first()
        )
        if statement is None:
            with service_refusals():
                raise ValidationError(
                    {"period": ValidationError(_("No statement is filed for this branch and wage period."), "unknown")}
                )
        return _statement_pay(request, statement, data)


@extend_schema_view(
    post=extend_schema(
        request=s.VoluntaryPaymentSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: s.PaymentResultSerializer,
            200: OpenApiResponse(s.PaymentResultSerializer, description="Posted before with this key: the first."),
            400: REFUSED,
            409: KEY_CONFLICT,
        },
    )
)
class VoluntaryPaymentView(_PaymentView):
    """Section 39 or Section 40 contributions of a person (by national ID) for one or more months."""

    def post(self, request):
        data = dict(validated_input(s.VoluntaryPaymentSerializer, request))
        key = data["idempotency_key"]
        with service_refusals(), transaction.atomic():
            if key is not None:
                _key_lock(key)
                if (first := _key_payment(key)) is not None:
                    if first.person_id != data["person"].pk:
                        return _key_conflict()
                    return _payment_result(first, replayed=True)
            payment = services.voluntary_pay(officer=request.user, **_date_confirm(request, data))
        return _payment_result(payment, replayed=False)


class ReceiptViewSet(viewsets.ReadOnlyModelViewSet):
    """Receipts of the caller's office, newest first, with the payment each was issued for."""

    lookup_value_regex = IdConverter.regex
    queryset = Receipt.objects.all()
    serializer_class = s.ReceiptSerializer
    filterset_fields = ["year", "number"]

    def get_queryset(self):
        return office_scoped(
            Receipt.objects.select_related(
                "office",
                "payment__person",
                "payment__statement__employer",
                "payment__statement__branch",
                "payment__receipt__office",
            ),
            self.request.user,
        )


@extend_schema_view(
    get=extend_schema(
        parameters=[s.MonthsQuerySerializer],
        responses={200: s.ContributionMonthsSerializer, 400: REFUSED, 404: NOT_FOUND},
    )
)
class PersonMonthsView(APIView):
    """The months paid for a person in the `months` months before the month of `before` (that
    month excluded), and their count as the benefit rules count them (a month paid by two
    employers counts once)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("contributions.view_contributionmonth",)

    def get(self, request, national_id):
        digits = "".join(ch for ch in national_id if ch.isdigit())
        person = registry.person_get_for_user(request.user, national_id=digits)
        query = validated_input(s.MonthsQuerySerializer, request, data=request.query_params)
        before = query.get("before") or timezone.localdate()
        months, section = query["months"], query.get("section")
        last = month_first(before)
        first = month_add(last, -months)
        rows = ContributionMonth.objects.filter(person=person, period__gte=first, period__lt=last)
        if section:
            rows = rows.filter(section=section)
        rows = rows.order_by("-period", "employer__account_number").values(
            "period", "section", "wage", "amount", employer_account=F("employer__account_number")
        )
        count = contribution_months_count(person.pk, before=before, months=months, section=section)
        return Response(s.ContributionMonthsSerializer({"count": count, "months": list(rows)}).data)


ROUTES = [
    ("statements", StatementViewSet, "contributions-statement"),
    ("receipts", ReceiptViewSet, "contributions-receipt"),
]

PATHS = [
    path("statements/<id:pk>/payments/", StatementPaymentView.as_view(), name="api-contributions-statement-payments"),
    path("payments/", PaymentNotificationView.as_view(), name="api-contributions-payments"),
    path("voluntary-payments/", VoluntaryPaymentView.as_view(), name="api-contributions-voluntary-payments"),
    path("persons/<str:national_id>/months/", PersonMonthsView.as_view(), name="api-contributions-person-months"),
]
