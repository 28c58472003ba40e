"""One filter per registry list, used by the list pages and the API alike.

The free-text `q` goes through the search selectors (national ID or account number typed
with or without dashes, or a name by similarity, best first); the other filters narrow
what the search found. Querysets given to these filters must already be office-scoped.
A person is national: a search finds persons of every office (this office's first); a person
list asked for without a search, an office or an employer shows this office's own.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from registry import selectors
from registry.models import Employer, Employment, InsuredPerson, Section
from sso.core.filters import ThaiDateFilter


def _user(filterset):
    return getattr(filterset.request, "user", None)


class PersonFilter(django_filters.FilterSet):
    """Insured persons: search text, status, current section, office, current employer."""

    q = django_filters.CharFilter(method="filter_q", label=_("National ID or name"))
    status = django_filters.ChoiceFilter(choices=InsuredPerson.Status.choices, label=_("status"))
    section = django_filters.ChoiceFilter(choices=Section.choices, method="filter_section", label=_("Current section"))
    office = django_filters.CharFilter(field_name="office__code", label=_("Office code"))
    employer = django_filters.CharFilter(method="filter_employer", label=_("Employer account number (employed now)"))

    class Meta:
        model = InsuredPerson
        fields = ["q", "status", "section", "office", "employer"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not (data.get("q") or data.get("office") or data.get("employer")):
            queryset = selectors.persons_at_home(queryset, _user(self))
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        # The search keeps its own order (best match first); `&` adds this list's filters.
        # Merged records stay out of a search unless they are what is asked for.
        merged = self.form.cleaned_data.get("status") == InsuredPerson.Status.MERGED
        return selectors.person_search(value, _user(self), include_merged=merged) & queryset

    def filter_section(self, queryset, name, value):
        return queryset.filter(section_spells__section=value, section_spells__valid_to__isnull=True)

    def filter_employer(self, queryset, name, value):
        account = selectors.digits_of(value)
        return queryset.filter(employments__employer__account_number=account, employments__ended_on__isnull=True)


class EmployerFilter(django_filters.FilterSet):
    """Employers: search text (account number, tax ID or name), status, province, office."""

    q = django_filters.CharFilter(method="filter_q", label=_("Account number, tax ID or name"))
    status = django_filters.ChoiceFilter(choices=Employer.Status.choices, label=_("status"))
    province = django_filters.CharFilter(field_name="province__code", label=_("Province code"))
    office = django_filters.CharFilter(field_name="responsible_office__code", label=_("Office code"))

    class Meta:
        model = Employer
        fields = ["q", "status", "province", "office"]

    def filter_queryset(self, queryset):
        # Employers are read nationally (issue 15): without a search or an office the list
        # is the user's office's own.
        data = self.form.cleaned_data
        if not (data.get("q") or data.get("office")):
            queryset = selectors.employers_at_home(queryset, _user(self))
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        return selectors.employer_search(value, _user(self)) & queryset


class EmploymentFilter(django_filters.FilterSet):
    """Employment spells: by employer, branch, person, open or ended, hire dates, late filing."""

    employer = django_filters.CharFilter(method="filter_employer", label=_("Employer account number"))
    branch = django_filters.CharFilter(field_name="branch__number", label=_("Branch number"))
    person = django_filters.CharFilter(method="filter_person", label=_("National ID"))
    is_open = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("Still employed"))
    started_from = ThaiDateFilter(field_name="started_on", lookup_expr="gte", label=_("Hired from"))
    started_to = ThaiDateFilter(field_name="started_on", lookup_expr="lte", label=_("Hired until"))
    late_registration = django_filters.BooleanFilter(label=_("Registered late"))
    office = django_filters.CharFilter(field_name="employer__responsible_office__code", label=_("Office code"))

    class Meta:
        model = Employment
        fields = [
            "employer",
            "branch",
            "person",
            "is_open",
            "started_from",
            "started_to",
            "late_registration",
            "office",
        ]

    def filter_employer(self, queryset, name, value):
        return queryset.filter(employer__account_number=selectors.digits_of(value))

    def filter_person(self, queryset, name, value):
        return queryset.filter(person__national_id=selectors.digits_of(value))
