"""Claims API, read-only: the office's claims (the work queue's filter: status, benefit, the day
recorded; paginated) and one claim with its documents and steps. Reading needs
`benefits.view_claim`, as the claims pages do; another office's claim answers 404, like one
that does not exist. Claims are recorded and decided on the pages (`benefits.services`)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets

from benefits import selectors
from benefits.api import serializers as s
from benefits.filters import ClaimFilter
from benefits.models import Claim, ClaimDocument, ClaimStep
from sso.core import converters  # noqa: F401 - registers <id:...>
from sso.core.api.errors import ErrorSerializer
from sso.core.converters import IdConverter

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such claim in the caller's office.")


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Benefit claims of the caller's office, referred ones first, oldest first."""

    lookup_value_regex = IdConverter.regex
    queryset = Claim.objects.all()
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter

    def get_queryset(self):
        queryset = selectors.claim_queue(self.request.user).select_related("office")
        if self.action == "retrieve":
            queryset = queryset.select_related("adjudicated_by").prefetch_related(
                Prefetch("steps", queryset=ClaimStep.objects.select_related("by")),
                Prefetch("documents", queryset=ClaimDocument.objects.select_related("requirement")),
            )
        return queryset

    def get_serializer_class(self):
        return s.ClaimDetailSerializer if self.action == "retrieve" else s.ClaimSerializer

    @extend_schema(responses={200: s.ClaimDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


ROUTES = [("claims", ClaimViewSet, "benefits-claim")]
