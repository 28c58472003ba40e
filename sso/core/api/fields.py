"""Input fields with the ranges the database and the date arithmetic can hold."""

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import serializers

from sso.core.converters import BIGINT_MAX

FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2199, 12, 31)


class DateField(serializers.DateField):
    """A date between 1900-01-01 and 2199-12-31: a year 1 or 9999 is a typing error, and
    the services add months and years to the dates they are given."""

    default_error_messages = {"range": _("Give a date between 1900-01-01 and 2199-12-31.")}

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not FIRST_DAY <= date <= LAST_DAY:
            self.fail("range")
        return date


class IdField(serializers.IntegerField):
    """A record's id: a positive bigint."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum component in the schema.

    drf-spectacular names enums after the field; the same choices under a common name
    (`status`, `kind`) in several serializers, next to other apps' `status` and `kind`,
    would otherwise get generated names and warnings.
    """

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        schema = build_choice_field(self.target)
        schema["enum"] = [value for value in schema["enum"] if value not in ("", None)]
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(
            name=self.target.enum_name, type=ResolvedComponent.SCHEMA, object=self.target.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return {"allOf": [component.ref], "nullable": True} if self.target.allow_null else component.ref
