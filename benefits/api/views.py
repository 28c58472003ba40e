"""Claims API: the claims of the caller's office, through their four steps, and their appeals
(payment orders and batches: `benefits.api.payments`).

Reads: the claims (the work queue's `ClaimFilter`, paginated) and one claim with its steps,
documents, working, decision, payment orders, appeals and overpayments to recover; the
appeals. Writes are one `APIView` each, with an input serializer, calling the same service as
the page (`benefits.services`, `benefits.appeals`) under the same permission: record (with the
documents presented; an `Idempotency-Key` records it once), documents brought later, examine,
refer, decide (approve, reject, or override the rules with a supervisor's password on the
caller's request: four eyes), withdraw; lodge, decide and withdraw an appeal.

A refused request answers 400 naming each field in Thai and English (the service's own words)
and stores nothing; a decision refused for want of the role is 403 and kept as a
`ClaimAttempt`, as on the page. Another office's claim or appeal answers 404, like one that
does not exist.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits import appeals, selectors, services
from benefits.api import serializers as s
from benefits.filters import ClaimFilter
from benefits.models import (
    Appeal,
    Claim,
    ClaimAttempt,
    ClaimDocument,
    ClaimStep,
    PaymentOrder,
    PaymentRecovery,
)
from sso.core import converters  # noqa: F401 - registers <id:...>
from sso.core.api.errors import ErrorSerializer, error_body, in_languages, service_refusals, validated_input
from sso.core.api.idempotency import idempotency_key_lock
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.confirm import password_confirm
from sso.core.converters import IdConverter
from sso.core.scoping import office_scoped

REFUSED = OpenApiResponse(ErrorSerializer, description="Refused: the fields at fault, in Thai and English.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such record in the caller's office.")
KEY_CONFLICT = OpenApiResponse(
    ErrorSerializer, description="This idempotency key was used for another claim (code `idempotency_conflict`)."
)
IDEMPOTENCY_HEADER = OpenApiParameter(
    s.IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The claim's idempotency key (or `idempotency_key` in the body): the same key twice records once.",
)

VIEW_CLAIM = "benefits.view_claim"


# Reads ------------------------------------------------------------------------------------


def claim_detail_queryset(queryset):
    """Claims with everything the full answer shows, in a fixed number of queries."""
    return queryset.select_related("office", "adjudicated_by", "override_confirmed_by").prefetch_related(
        Prefetch("steps", queryset=ClaimStep.objects.select_related("by")),
        Prefetch("documents", queryset=ClaimDocument.objects.select_related("requirement")),
        Prefetch("payment_orders", queryset=PaymentOrder.objects.select_related("bank").order_by("period", "id")),
        Prefetch("appeals", queryset=Appeal.objects.select_related("lodged_by", "decided_by")),
        Prefetch("recoveries", queryset=PaymentRecovery.objects.order_by("period", "id")),
    )


def claim_data(claim: Claim, serializer=s.ClaimDetailSerializer, **extra) -> dict:
    """The claim as GET claims/<id>/ answers it, read again after a write."""
    claim = claim_detail_queryset(Claim.objects.select_related("person", "dependant")).get(pk=claim.pk)
    for name, value in extra.items():
        setattr(claim, name, value)
    return serializer(claim).data


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Benefit claims of the caller's office, referred ones first, oldest first. POST records one
    (step 1) with the documents presented."""

    lookup_value_regex = IdConverter.regex
    queryset = Claim.objects.all()
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter

    def get_queryset(self):
        queryset = selectors.claim_queue(self.request.user).select_related("office")
        if self.action == "retrieve":
            queryset = claim_detail_queryset(queryset)
        return queryset

    def get_serializer_class(self):
        return s.ClaimDetailSerializer if self.action == "retrieve" else s.ClaimSerializer

    @extend_schema(responses={200: s.ClaimDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.ClaimRecordSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: s.ClaimRecordResultSerializer,
            200: OpenApiResponse(
                s.ClaimRecordResultSerializer, description="Recorded before with this idempotency key: that claim."
            ),
            400: REFUSED,
            409: KEY_CONFLICT,
        },
    )
    def create(self, request, format=None):
        """Record a claim (step 1) with its checklist: each document held by the registry,
        presented, or missing. Examine it next (POST claims/<id>/examine/)."""
        data = validated_input(s.ClaimRecordSerializer, request)
        key = data["idempotency_key"]
        with service_refusals(), transaction.atomic():
            if key is not None:
                _key_lock(key)
                first = Claim.objects.filter(idempotency_key=key).first()
                if first is not None:
                    same = (
                        first.person_id == data["person"].pk
                        and first.benefit == data["benefit"]
                        and office_scoped(Claim.objects.filter(pk=first.pk), request.user).exists()
                    )
                    if not same:
                        return _key_conflict()
                    return Response(claim_data(first, s.ClaimRecordResultSerializer, replayed=True))
            claim = services.claim_record(
                officer=request.user,
                person=data["person"],
                benefit=data["benefit"],
                event_date=data["event_date"],
                details=data["details"] and _details(data),
                dependant=data["dependant"],
                presented=data["presented"],
                idempotency_key=key,
            )
        return Response(
            claim_data(claim, s.ClaimRecordResultSerializer, replayed=False), status=status.HTTP_201_CREATED
        )


def _details(data) -> dict:
    from benefits.forms import details_of

    return details_of(data["benefit"], data["details"])


_KEY_LOCKS = 0x53534F42  # "SSOB": this app's advisory locks


def _key_lock(key: str) -> None:
    idempotency_key_lock(_KEY_LOCKS, key)


def _key_conflict() -> Response:
    body = error_body(
        "idempotency_conflict",
        in_languages(_("This idempotency key was already used for another claim: send a new key for a new claim.")),
    )
    return Response(body, status=status.HTTP_409_CONFLICT)


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appeals against the decisions of the caller's office's claims, oldest first (`status=lodged`:
    the Appeals Committee's work list)."""

    lookup_value_regex = IdConverter.regex
    queryset = Appeal.objects.all()
    serializer_class = s.AppealSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return office_scoped(Appeal.objects.select_related("lodged_by", "decided_by"), self.request.user).order_by(
            "lodged_at", "pk"
        )


# Claim actions ------------------------------------------------------------------------------


class _ClaimAction(APIView):
    """POST an action on the claim in the URL (404 if not in the caller's office): the input
    serializer checked, the service called, the claim answered as GET claims/<id>/ does."""

    permission_classes = [HasRequiredPermissions]
    required_permissions: tuple[str, ...] = (VIEW_CLAIM,)
    input_class = s.NoteSerializer

    def perform(self, request, claim, data):
        raise NotImplementedError

    def post(self, request, pk):
        claim = selectors.claim_get_for_user(request.user, pk)
        data = validated_input(self.input_class, request)
        with service_refusals():
            self.perform(request, claim, data)
        return Response(claim_data(claim))


def _claim_action_schema(input_class, description=""):
    return extend_schema_view(
        post=extend_schema(
            request=input_class,
            responses={200: s.ClaimDetailSerializer, 400: REFUSED, 404: NOT_FOUND},
            description=description or None,
        )
    )


@_claim_action_schema(s.DocumentsPresentedSerializer)
class ClaimDocumentsView(_ClaimAction):
    """Documents brought after recording, marked presented; a claim not yet decided is examined
    again, so its working no longer lists them (as on the claim page)."""

    required_permissions = (VIEW_CLAIM, "benefits.change_claimdocument")
    input_class = s.DocumentsPresentedSerializer

    def perform(self, request, claim, data):
        services.claim_document_present(claim=claim, officer=request.user, codes=data["codes"])
        if claim.status in (Claim.Status.EXAMINED, Claim.Status.REFERRED):
            services.claim_examine(claim=claim, officer=request.user)


class Empty(s.serializers.Serializer):
    pass


@_claim_action_schema(None)
class ClaimExamineView(_ClaimAction):
    """Step 2: run the rules on the claim and keep their working (in Thai and English)."""

    required_permissions = (VIEW_CLAIM, "benefits.change_claim")
    input_class = Empty

    def perform(self, request, claim, data):
        services.claim_examine(claim=claim, officer=request.user)


@_claim_action_schema(s.NoteSerializer)
class ClaimReferView(_ClaimAction):
    """Send an examined claim that is not clear-cut to the back office, saying what to check."""

    required_permissions = (VIEW_CLAIM, "benefits.change_claim")

    def perform(self, request, claim, data):
        services.claim_refer(claim=claim, officer=request.user, note=data["note"])


@_claim_action_schema(s.NoteSerializer)
class ClaimWithdrawView(_ClaimAction):
    """The person withdraws a claim not yet approved."""

    required_permissions = (VIEW_CLAIM, "benefits.change_claim")

    def perform(self, request, claim, data):
        services.claim_withdraw(claim=claim, officer=request.user, note=data["note"])


@extend_schema_view(
    post=extend_schema(
        request=s.ClaimDecideSerializer,
        responses={200: s.ClaimDetailSerializer, 400: REFUSED, 403: REFUSED, 404: NOT_FOUND},
    )
)
class ClaimDecideView(_ClaimAction):
    """Step 3: approve, reject or override. Deciding needs `benefits.adjudicate_claim`, checked
    by the service; a refusal for want of it, or of the four eyes, is kept as a refused attempt
    (shown on the claim page's audit section)."""

    input_class = s.ClaimDecideSerializer

    def perform(self, request, claim, data):
        decision = data["decision"]
        if decision != "override":
            approve = decision == "approve"
            services.claim_adjudicate(claim=claim, officer=request.user, approve=approve, note=data["note"])
            return
        if not request.user.has_perm(services.ADJUDICATE):
            error = PermissionDenied(_("You may not decide claims."))
            services.claim_attempt_record(
                claim=claim, officer=request.user, action=ClaimAttempt.Action.OVERRIDE, error=error
            )
            raise error
        # Not authenticate(): wrong passwords here must not lock the supervisor out (sso.core.confirm).
        supervisor = password_confirm(
            purpose="claim-override", username=data["supervisor"], password=data["supervisor_password"],
            asked_by=request.user,
        )  # fmt: skip
        if supervisor is None:
            raise ValidationError(
                {"supervisor_password": ValidationError(_("The supervisor's username or password is wrong."), "wrong")}
            )
        try:
            services.claim_adjudicate(
                claim=claim,
                officer=request.user,
                approve=True,
                override_reason=data["override_reason"],
                confirmed_by=supervisor,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "confirmed_by" in exc.error_dict:
                exc = ValidationError({"supervisor": exc.error_dict.pop("confirmed_by"), **exc.error_dict})
            raise exc from None


@extend_schema_view(
    post=extend_schema(
        request=s.AppealLodgeSerializer, responses={201: s.AppealSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
)
class ClaimAppealView(APIView):
    """Lodge the person's appeal against the claim's decision (within the `appeal_days` of
    receiving it; one open appeal per claim)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = (VIEW_CLAIM, "benefits.add_appeal")

    def post(self, request, pk):
        claim = selectors.claim_get_for_user(request.user, pk)
        data = validated_input(s.AppealLodgeSerializer, request)
        with service_refusals():
            appeal = appeals.appeal_lodge(
                claim=claim, officer=request.user, grounds=data["grounds"], received_on=data.get("received_on")
            )
        return Response(_appeal_data(appeal), status=status.HTTP_201_CREATED)


def _appeal_data(appeal: Appeal) -> dict:
    return s.AppealSerializer(Appeal.objects.select_related("lodged_by", "decided_by").get(pk=appeal.pk)).data


@extend_schema_view(
    post=extend_schema(
        request=s.AppealDecideSerializer,
        responses={200: s.AppealSerializer, 400: REFUSED, 403: REFUSED, 404: NOT_FOUND},
    )
)
class AppealDecideView(APIView):
    """Uphold or dismiss an open appeal for the Appeals Committee. Needs `benefits.decide_appeal`
    (checked by the service, a refusal kept as an attempt) and no part in the decision appealed."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("benefits.view_appeal",)

    def post(self, request, pk):
        appeal = selectors.appeal_get_for_user(request.user, pk)
        data = validated_input(s.AppealDecideSerializer, request)
        with service_refusals():
            appeals.appeal_decide(
                appeal=appeal, officer=request.user, uphold=data["decision"] == "uphold", note=data["note"]
            )
        return Response(_appeal_data(appeal))


@extend_schema_view(
    post=extend_schema(request=s.NoteSerializer, responses={200: s.AppealSerializer, 400: REFUSED, 404: NOT_FOUND})
)
class AppealWithdrawView(APIView):
    """The person withdraws an open appeal; the decision stands."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("benefits.view_appeal", "benefits.change_appeal")

    def post(self, request, pk):
        appeal = selectors.appeal_get_for_user(request.user, pk)
        data = validated_input(s.NoteSerializer, request)
        with service_refusals():
            appeals.appeal_withdraw(appeal=appeal, officer=request.user, note=data["note"])
        return Response(_appeal_data(appeal))


ROUTES = [
    ("claims", ClaimViewSet, "benefits-claim"),
    ("appeals", AppealViewSet, "benefits-appeal"),
]

PATHS = [
    path("claims/<id:pk>/documents/", ClaimDocumentsView.as_view(), name="api-benefits-claim-documents"),
    path("claims/<id:pk>/examine/", ClaimExamineView.as_view(), name="api-benefits-claim-examine"),
    path("claims/<id:pk>/refer/", ClaimReferView.as_view(), name="api-benefits-claim-refer"),
    path("claims/<id:pk>/decide/", ClaimDecideView.as_view(), name="api-benefits-claim-decide"),
    path("claims/<id:pk>/withdraw/", ClaimWithdrawView.as_view(), name="api-benefits-claim-withdraw"),
    path("claims/<id:pk>/appeals/", ClaimAppealView.as_view(), name="api-benefits-claim-appeals"),
    path("appeals/<id:pk>/decide/", AppealDecideView.as_view(), name="api-benefits-appeal-decide"),
    path("appeals/<id:pk>/withdraw/", AppealWithdrawView.as_view(), name="api-benefits-appeal-withdraw"),
]
