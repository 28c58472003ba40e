"""The rule tables, read (`/api/rules/`): which tables there are, and each table's rows in force
on a date (by default today), so that employers' payroll systems fetch the rates in force for
a wage period. Any signed-in caller (a staff user or an API token); throttled like the rest.
Figures are strings (decimals kept exact); a province is named by its code."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sso.core.api.errors import ErrorSerializer, validated_input
from sso.core.api.fields import DateField
from sso.core.api.permissions import StaffOnly
from sso.core.rules import RuleTable, table_get, tables


class RuleFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class RuleTableSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The table's name in `/api/rules/{table}/`.")
    area = serializers.CharField()
    title = serializers.CharField()
    scope = RuleFieldSerializer(many=True, help_text="The fields naming what a row holds for (a province...).")
    fields = RuleFieldSerializer(many=True)


class RuleRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    scope = serializers.DictField(child=serializers.CharField(allow_null=True))
    values = serializers.DictField(child=serializers.CharField(allow_null=True))


class RuleRowsSerializer(serializers.Serializer):
    table = serializers.CharField()
    on = serializers.DateField()
    rows = RuleRowSerializer(many=True)


class RulesQuerySerializer(serializers.Serializer):
    on = DateField(required=False, help_text="The day (or the first day of the wage period): today if omitted.")
    province = serializers.RegexField(
        r"^[0-9]{2}$",
        required=False,
        help_text="A province's code: for a table with a province scope, only the rows that apply there"
        " (the province's own row in force, else the national one).",
    )


def _fields(table: RuleTable, names) -> list[dict]:
    return [{"name": name, "label": str(table.field_label(name))} for name in names]


def _text(value):
    if value is None:
        return None
    code = getattr(value, "code", None)
    if code is not None:
        return str(code)
    return str(value)


def _row(table: RuleTable, row) -> dict:
    return {
        "id": row.pk,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "scope": {name: _text(getattr(row, name)) for name in table.scope},
        "values": {name: _text(getattr(row, name)) for name in table.fields},
    }


class RuleTableListView(APIView):
    """The rule tables: their names, areas, scopes and fields."""

    permission_classes = [StaffOnly]

    @extend_schema(responses={200: RuleTableSerializer(many=True)})
    def get(self, request):
        body = [
            {
                "key": table.key,
                "area": str(table.area),
                "title": str(table.title),
                "scope": _fields(table, table.scope),
                "fields": _fields(table, table.fields),
            }
            for table in tables()
        ]
        return Response(RuleTableSerializer(body, many=True).data)


class RuleRowsView(APIView):
    """A rule table's rows in force on a day (every scope: the national rate and any
    province's temporary one), or those that apply in one province. A province's row
    overrides the national one there."""

    permission_classes = [StaffOnly]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "table",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[table.key for table in tables()],
                description="A rule table's key (see `/api/rules/`).",
            ),
            RulesQuerySerializer,
        ],
        responses={
            200: RuleRowsSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A date that cannot be read."),
            404: OpenApiResponse(ErrorSerializer, description="No such rule table."),
        },
    )
    def get(self, request, table):
        found = table_get(table)
        if found is None:
            raise Http404
        query = validated_input(RulesQuerySerializer, request, data=request.query_params)
        day = query.get("on") or timezone.localdate()
        rows = found.in_force(day)
        if query.get("province") and "province" in found.scope:
            own = [row for row in rows if row.province is not None and row.province.code == query["province"]]
            rows = own or [row for row in rows if row.province is None]
        rows = [_row(found, row) for row in rows]
        return Response(RuleRowsSerializer({"table": found.key, "on": day, "rows": rows}).data)
