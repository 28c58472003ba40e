from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sso.core.api.serializers import MeSerializer, OfficeSerializer
from sso.core.filters import OfficeFilter
from sso.core.models import Office
from sso.core.scoping import office_scoped


class OfficeViewSet(viewsets.ReadOnlyModelViewSet):
    """Offices the caller may see: their own, or every office for national roles."""

    queryset = Office.objects.select_related("province")
    serializer_class = OfficeSerializer
    filterset_class = OfficeFilter
    lookup_field = "code"

    def get_queryset(self):
        return office_scoped(super().get_queryset(), self.request.user)


class MeView(APIView):
    """The signed-in member of staff: office and roles."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
