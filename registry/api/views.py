"""Registry API: read viewsets (the list pages' filters, office-scoped) and one view per counter form.

Every write goes through a service in `registry.services`. A refused request answers 400
naming each field at fault, with the reason in Thai and in English, and stores nothing.
A person is national: any office finds and reads anyone (a read of another office's person
is logged). Another office's employer or employment answers 404, like one that does not exist.
"""

from django.db.models import F, FilteredRelation, Prefetch, Q
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import selectors, services
from registry.api import serializers as s
from registry.filters import EmployerFilter, EmploymentFilter, PersonFilter
from registry.models import Bank, Branch, Employer, Employment, Hospital, InsuredPerson, SectionSpell
from sso.core import converters  # noqa: F401 - registers <id:...>
from sso.core.api.authentication import CachedTokenAuthentication
from sso.core.api.errors import ErrorSerializer, service_refusals, validated_input
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.converters import IdConverter
from sso.core.scoping import object_get_for_user, office_scoped

REFUSED = OpenApiResponse(ErrorSerializer, description="Refused: the fields at fault, in Thai and English.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such record in the caller's office.")


# Shared reads -----------------------------------------------------------------------------


def _with_open_section(queryset):
    """Persons with their current section as `open_section` / `open_s40_option` (one LEFT JOIN)."""
    return queryset.annotate(
        open_spell=FilteredRelation("section_spells", condition=Q(section_spells__valid_to__isnull=True))
    ).annotate(open_section=F("open_spell__section"), open_s40_option=F("open_spell__s40_option"))


def _set_open_section(persons):
    """The same attributes on persons already loaded, in one query."""
    spells = {
        spell.person_id: spell
        for spell in SectionSpell.objects.filter(person__in=[p.pk for p in persons], valid_to__isnull=True)
    }
    for person in persons:
        spell = spells.get(person.pk)
        person.open_section = spell.section if spell else None
        person.open_s40_option = spell.s40_option if spell else None
    return persons


def _person_detail(pk, user):
    person = selectors.person_page_get(pk, user)
    services.person_read_record(reader=user, person_id=person.pk, person_office_id=person.office_id, via="api")
    spell = s._open(person.section_spells.all())
    person.open_section = spell.section if spell else None
    person.open_s40_option = spell.s40_option if spell else None
    person.completeness = selectors.person_completeness(person)
    return s.PersonDetailSerializer(person).data


def _employers(queryset):
    return queryset.select_related("province", "responsible_office").prefetch_related(
        Prefetch("branches", queryset=Branch.objects.select_related("province"))
    )


# Viewsets ---------------------------------------------------------------------------------


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Insured persons: a search (`q`) finds them in every office, the caller's first; the list
    without a search, an office or an employer is the caller's office's. PATCH corrects
    identity or contact fields (audited)."""

    lookup_value_regex = IdConverter.regex
    queryset = InsuredPerson.objects.all()
    serializer_class = s.PersonSummarySerializer
    filterset_class = PersonFilter

    def get_queryset(self):
        return office_scoped(InsuredPerson.objects.all(), self.request.user)

    def filter_queryset(self, queryset):
        return _with_open_section(super().filter_queryset(queryset).select_related("office"))

    @extend_schema(responses={200: s.PersonDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, pk=None, format=None):
        return Response(_person_detail(pk, request.user))

    @extend_schema(
        request=s.PersonUpdateSerializer, responses={200: s.PersonDetailSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
    def partial_update(self, request, pk=None, format=None):
        person = object_get_for_user(InsuredPerson, request.user, pk=pk)
        data = validated_input(s.PersonUpdateSerializer, request)
        with service_refusals():
            services.person_update(officer=request.user, person=person, **data)
        return Response(_person_detail(person.pk, request.user))


class EmployerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Employers with their branches, by account number: read at any office (a search finds
    them in every office, the caller's first; the list without a search or an office is the
    caller's office's). POST is form SSO 1-01; the forms on one are its office's."""

    queryset = Employer.objects.all()
    serializer_class = s.EmployerSerializer
    filterset_class = EmployerFilter
    lookup_field = "account_number"
    lookup_value_regex = r"\d{10}"

    def get_queryset(self):
        return selectors.employers_readable(self.request.user)

    def filter_queryset(self, queryset):
        if self.action == "retrieve":  # one employer by account number, whatever its office
            return _employers(queryset)
        return _employers(super().filter_queryset(queryset))

    @extend_schema(request=s.EmployerRegisterSerializer, responses={201: s.EmployerSerializer, 400: REFUSED})
    def create(self, request, format=None):
        data = validated_input(s.EmployerRegisterSerializer, request)
        with service_refusals():
            employer = services.employer_register(officer=request.user, **data)
        employer = _employers(Employer.objects.all()).get(pk=employer.pk)
        return Response(s.EmployerSerializer(employer).data, status=status.HTTP_201_CREATED)


class EmploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Employment spells at the caller's office's employers. POST is form SSO 1-03."""

    lookup_value_regex = IdConverter.regex
    queryset = Employment.objects.all()
    serializer_class = s.EmploymentSerializer
    filterset_class = EmploymentFilter

    def get_queryset(self):
        return office_scoped(Employment.objects.select_related("person", "employer", "branch"), self.request.user)

    @extend_schema(request=s.EmployeeRegisterSerializer, responses={201: s.EmploymentSerializer, 400: REFUSED})
    def create(self, request, format=None):
        data = dict(validated_input(s.EmployeeRegisterSerializer, request))
        with service_refusals():
            employment = services.employee_register(officer=request.user, **data)
        return Response(s.EmploymentSerializer(employment).data, status=status.HTTP_201_CREATED)


class HospitalViewSet(viewsets.ReadOnlyModelViewSet):
    """Hospitals insured persons can register with (national reference data), by code."""

    queryset = Hospital.objects.select_related("province")
    serializer_class = s.HospitalSerializer
    filterset_fields = ["is_active"]
    lookup_field = "code"


class BankViewSet(viewsets.ReadOnlyModelViewSet):
    """Banks benefits are paid into (national reference data), by Bank of Thailand code."""

    queryset = Bank.objects.all()
    serializer_class = s.BankSerializer
    filterset_fields = ["code"]
    lookup_field = "code"


# Person lookup ----------------------------------------------------------------------------


class PersonLookupView(APIView):
    """A person's summary by national ID (dashes allowed), or 404. The counter's hot path:
    one indexed query, permissions from the cache, no pagination, filters or serializer."""

    # The project's two authentications, the token first: an API client's call then never
    # touches the session machinery.
    authentication_classes = [CachedTokenAuthentication, SessionAuthentication]
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("registry.view_insuredperson",)
    renderer_classes = [JSONRenderer]

    @extend_schema(responses={200: s.PersonSummarySerializer, 404: NOT_FOUND})
    def get(self, request, national_id):
        digits = national_id.replace("-", "").replace(" ", "")
        if len(digits) != 13 or not digits.isdigit():
            raise Http404
        summary = selectors.person_summary_by_national_id(digits, request.user)
        if summary is None:
            raise Http404
        office_id = summary.pop("office_id")
        services.person_read_record(
            reader=request.user, person_id=summary["id"], person_office_id=office_id, via="lookup"
        )
        return Response(summary)


class PersonDuplicatesView(APIView):
    """Records that may be the person about to be registered (same birth date, same or similar
    Thai name), searched in every office: a duplicate elsewhere is still a duplicate."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("registry.view_insuredperson",)

    @extend_schema(
        parameters=[s.DuplicatesQuerySerializer], responses={200: s.DuplicateSerializer(many=True), 400: REFUSED}
    )
    def get(self, request):
        query = validated_input(s.DuplicatesQuerySerializer, request, data=request.query_params)
        found = selectors.person_duplicates(**query)
        _set_open_section([duplicate.person for duplicate in found])
        return Response(s.DuplicateSerializer(found, many=True).data)


# Counter forms on a person ----------------------------------------------------------------


class _PersonAction(APIView):
    """POST a form about the person in the URL (404 if not in the caller's office)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions: tuple[str, ...] = ()
    input_class = None
    output_class = None
    created = True

    def perform(self, *, officer, person, **data):
        raise NotImplementedError

    def respond(self, result):
        return s.SectionResultSerializer(result).data if self.output_class is None else self.output_class(result).data

    def post(self, request, pk):
        person = object_get_for_user(InsuredPerson, request.user, pk=pk)
        data = validated_input(self.input_class, request)
        with service_refusals():
            result = self.perform(officer=request.user, person=person, **data)
        return Response(self.respond(result), status=status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)


def _section_result(spell):
    person = spell.person
    person.open_section, person.open_s40_option = spell.section, spell.s40_option
    return {"person": person, "section": spell}


@extend_schema_view(
    post=extend_schema(
        request=s.HospitalChangeSerializer,
        responses={201: s.HospitalRegistrationSerializer, 400: REFUSED, 404: NOT_FOUND},
    )
)
class PersonHospitalView(_PersonAction):
    """Form SSO 9-02: the person's hospital from `valid_from` on."""

    required_permissions = ("registry.add_hospitalregistration",)
    input_class = s.HospitalChangeSerializer
    output_class = s.HospitalRegistrationSerializer

    def perform(self, **data):
        return services.hospital_change(**data)


@extend_schema_view(
    post=extend_schema(
        request=s.BankAccountSetSerializer, responses={201: s.BankAccountSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
)
class PersonBankAccountView(_PersonAction):
    """The account the person's cash benefits go to from `valid_from` on."""

    required_permissions = ("registry.add_bankaccount",)
    input_class = s.BankAccountSetSerializer
    output_class = s.BankAccountSerializer

    def perform(self, **data):
        return services.bank_account_set(**data)


@extend_schema_view(
    post=extend_schema(
        request=s.DependantAddSerializer, responses={201: s.DependantSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
)
class PersonDependantView(_PersonAction):
    """A child or spouse of the person."""

    required_permissions = ("registry.add_dependant",)
    input_class = s.DependantAddSerializer
    output_class = s.DependantSerializer

    def perform(self, **data):
        return services.dependant_add(**data)


@extend_schema_view(
    post=extend_schema(
        request=s.Section39Serializer, responses={201: s.SectionResultSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
)
class PersonSection39View(_PersonAction):
    """A former employee continues under Section 39 (12 Section 33 months, within 6 months of leaving)."""

    required_permissions = ("registry.add_sectionspell",)
    input_class = s.Section39Serializer

    def perform(self, **data):
        return _section_result(services.section39_apply(**data))


@extend_schema_view(
    post=extend_schema(
        request=s.PersonMergeSerializer, responses={200: s.PersonDetailSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
)
class PersonMergeView(_PersonAction):
    """Merge the duplicate record `drop` into the person in the URL (back-office verifiers)."""

    required_permissions = ("registry.merge_insuredperson",)
    input_class = s.PersonMergeSerializer
    created = False

    def perform(self, *, officer, person, drop):
        return services.person_merge(officer=officer, keep=person, drop=drop)

    def respond(self, result):
        return _person_detail(result.pk, self.request.user)


class Section40View(APIView):
    """An informal worker joins Section 40 with an option (or changes option): an existing
    person (by id or national ID) or a new one (national ID and person fields)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("registry.add_sectionspell", "registry.add_insuredperson")

    @extend_schema(request=s.Section40Serializer, responses={201: s.SectionResultSerializer, 400: REFUSED})
    def post(self, request):
        data = dict(validated_input(s.Section40Serializer, request))
        option = int(data.pop("s40_option"))
        with service_refusals():
            spell = services.section40_register(officer=request.user, option=option, **data)
        return Response(s.SectionResultSerializer(_section_result(spell)).data, status=status.HTTP_201_CREATED)


# Counter forms on an employer or an employment ----------------------------------------------


class BranchAddView(APIView):
    """Register another workplace of the employer in the URL."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("registry.add_branch",)

    @extend_schema(request=s.BranchAddSerializer, responses={201: s.BranchSerializer, 400: REFUSED, 404: NOT_FOUND})
    def post(self, request, account_number):
        employer = object_get_for_user(Employer, request.user, account_number=account_number)
        data = validated_input(s.BranchAddSerializer, request)
        with service_refusals():
            branch = services.branch_add(officer=request.user, employer=employer, **data)
        return Response(s.BranchSerializer(branch).data, status=status.HTTP_201_CREATED)


class EmployerCeaseView(APIView):
    """Record that the employer in the URL stopped business (its employees notified as leavers first)."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("registry.change_employer",)

    @extend_schema(
        request=s.EmployerCeaseSerializer, responses={200: s.EmployerSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
    def post(self, request, account_number):
        employer = object_get_for_user(Employer, request.user, account_number=account_number)
        data = validated_input(s.EmployerCeaseSerializer, request)
        with service_refusals():
            services.employer_cease(officer=request.user, employer=employer, **data)
        employer = _employers(Employer.objects.all()).get(pk=employer.pk)
        return Response(s.EmployerSerializer(employer).data)


class EmployeeLeaveView(APIView):
    """Form SSO 6-09: the employee of the employment in the URL left."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("registry.change_employment",)

    @extend_schema(
        request=s.EmployeeLeaveSerializer, responses={200: s.EmploymentSerializer, 400: REFUSED, 404: NOT_FOUND}
    )
    def post(self, request, pk):
        employment = object_get_for_user(Employment, request.user, pk=pk)
        data = validated_input(s.EmployeeLeaveSerializer, request)
        with service_refusals():
            services.employee_leave(
                officer=request.user, employment=employment, ended_on=data["ended_on"], reason=data["leaving_reason"]
            )
        employment = Employment.objects.select_related("person", "employer", "branch").get(pk=employment.pk)
        return Response(s.EmploymentSerializer(employment).data)


ROUTES = [
    ("persons", PersonViewSet, "registry-person"),
    ("employers", EmployerViewSet, "registry-employer"),
    ("employments", EmploymentViewSet, "registry-employment"),
    ("hospitals", HospitalViewSet, "registry-hospital"),
    ("banks", BankViewSet, "registry-bank"),
]

PATHS = [
    path("persons/by-national-id/<str:national_id>/", PersonLookupView.as_view(), name="api-registry-person-lookup"),
    path("persons/duplicates/", PersonDuplicatesView.as_view(), name="api-registry-person-duplicates"),
    path("persons/<id:pk>/hospital/", PersonHospitalView.as_view(), name="api-registry-person-hospital"),
    path("persons/<id:pk>/bank-account/", PersonBankAccountView.as_view(), name="api-registry-person-bank-account"),
    path("persons/<id:pk>/dependants/", PersonDependantView.as_view(), name="api-registry-person-dependants"),
    path("persons/<id:pk>/section-39/", PersonSection39View.as_view(), name="api-registry-person-section-39"),
    path("persons/<id:pk>/merge/", PersonMergeView.as_view(), name="api-registry-person-merge"),
    path("section-40/", Section40View.as_view(), name="api-registry-section-40"),
    path("employers/<str:account_number>/branches/", BranchAddView.as_view(), name="api-registry-branch-add"),
    path("employers/<str:account_number>/cease/", EmployerCeaseView.as_view(), name="api-registry-employer-cease"),
    path("employments/<id:pk>/leave/", EmployeeLeaveView.as_view(), name="api-registry-employee-leave"),
]
