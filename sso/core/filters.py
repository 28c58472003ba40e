import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sso.core.forms import ThaiDateField
from sso.core.models import Office


class ThaiDateFilter(django_filters.DateFilter):
    """A day typed as on every date input: day/month/year in B.E. or C.E. (or ISO, for the API)."""

    field_class = ThaiDateField


class OfficeFilter(django_filters.FilterSet):
    """One filter for the office list page and the API."""

    q = django_filters.CharFilter(method="filter_q", label=_("Code or name"))
    province = django_filters.CharFilter(field_name="province__code", label=_("Province code"))
    # Declared with a lazy label: django-filter makes a model field's label a plain string when
    # the class is made, in the language of that moment (English).
    kind = django_filters.ChoiceFilter(choices=Office.Kind.choices, label=_("Kind"))

    class Meta:
        model = Office
        fields = ["kind", "province", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__iexact=value) | Q(name_th__icontains=value) | Q(name_en__icontains=value))
