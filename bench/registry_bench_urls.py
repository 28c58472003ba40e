"""The project's URLs plus a bare lookup view (benchmark only: no authentication, no scoping)."""

from django.http import Http404, JsonResponse
from django.urls import include, path

from registry.models import InsuredPerson


def bare_person(request, national_id):
    """One indexed ORM lookup returned as JSON: the floor the API is measured against."""
    row = (
        InsuredPerson.objects.filter(national_id=national_id)
        .values("id", "national_id", "first_name_th", "last_name_th", "status", "office_id")
        .first()
    )
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns = [
    path("bench/bare/persons/<str:national_id>/", bare_person),
    path("", include("sso.urls")),
]
