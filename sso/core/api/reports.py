"""The reports' JSON (`/api/reports/office/`, `/national/`, `/backoffice/`): the figures and
tables of every section of a page that the caller may see, for a range given like the
page's (an office's code, a preset or start and end in ISO dates, a region or province on the
national page), for the central office's BI tools. Rows hold numbers as numbers and dates as
ISO dates; a column's kind says how to read them (percent: a share from 0 to 1)."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sso.core.api.errors import ErrorSerializer, service_refusals, validated_input
from sso.core.api.fields import DateField, NamedChoiceField
from sso.core.api.permissions import HasRequiredPermissions
from sso.core.reporting.cells import row_answered, totals_answered
from sso.core.reporting.forms import PRESETS, period_make, report_office
from sso.core.reports import BACKOFFICE, NATIONAL, OFFICE, REGIONS, sections_for
from sso.core.scoping import sees_all_offices

KINDS = ("text", "int", "decimal", "percent", "minutes", "date", "money")


class RangeQuerySerializer(serializers.Serializer):
    preset = NamedChoiceField(
        enum_name="ReportPreset",
        choices=[code for code, _label in PRESETS],
        required=False,
        help_text="A span ending today (default: this month); `custom`, or start and end alone, takes start and end.",
    )
    start = DateField(required=False)
    end = DateField(required=False)


class OfficeRangeQuerySerializer(RangeQuerySerializer):
    office = serializers.CharField(required=False, max_length=10, help_text="An office's code: yours if omitted.")


class NationalRangeQuerySerializer(RangeQuerySerializer):
    region = NamedChoiceField(enum_name="ReportRegion", choices=list(REGIONS), required=False)
    province = serializers.RegexField(r"^[0-9]{2}$", required=False, help_text="A province's code.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = NamedChoiceField(enum_name="ReportColumnKind", choices=KINDS)


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(child=serializers.JSONField(allow_null=True)))
    totals = serializers.DictField(child=serializers.JSONField(allow_null=True), allow_null=True)


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    kind = NamedChoiceField(enum_name="ReportColumnKind", choices=KINDS)
    target = serializers.JSONField(allow_null=True)
    drill = serializers.CharField(allow_null=True)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    figures = FigureSerializer(many=True)
    tables = TableSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    office = serializers.CharField(allow_null=True, help_text="The office's code; null on the national page.")
    start = serializers.DateField()
    end = serializers.DateField()
    region = serializers.CharField(allow_blank=True)
    province = serializers.CharField(allow_blank=True)


class ReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    sections = SectionSerializer(many=True)


class _ReportView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions: tuple[str, ...] = ("core.view_reports",)
    slot = OFFICE
    national = False
    query_class = OfficeRangeQuerySerializer

    def get(self, request):
        query = validated_input(self.query_class, request, data=request.query_params)
        if self.national and not sees_all_offices(request.user):
            raise PermissionDenied
        office = None if self.national else report_office(request.user, query.get("office"))
        with service_refusals():
            period = period_make(
                office=office,
                preset=query.get("preset"),
                start=query.get("start"),
                end=query.get("end"),
                region=query.get("region", ""),
                province=query.get("province", ""),
                today=timezone.localdate(),
            )
        sections = []
        for section in sections_for(self.slot, request.user):
            content = section.build(period)
            sections.append(
                {
                    "key": section.key,
                    "title": section.title,
                    "figures": [vars(figure) for figure in content.figures],
                    "tables": [
                        {
                            "key": table.key,
                            "title": table.title,
                            "columns": table.columns,
                            "rows": [row_answered(row, table) for row in table.rows],
                            "totals": totals_answered(table),
                        }
                        for table in content.tables
                    ],
                }
            )
        body = {
            "period": {
                "office": office.code if office else None,
                "start": period.start,
                "end": period.end,
                "region": period.region,
                "province": period.province,
            },
            "sections": sections,
        }
        return Response(ReportSerializer(body).data)


_RESPONSES = {
    200: ReportSerializer,
    400: OpenApiResponse(ErrorSerializer, description="Refused range: the fields at fault, in Thai and English."),
    404: OpenApiResponse(ErrorSerializer, description="No such office in the caller's scope."),
}


class OfficeReportView(_ReportView):
    """An office's service-time report (the sections of `/reports/`)."""

    @extend_schema(parameters=[OfficeRangeQuerySerializer], responses=_RESPONSES)
    def get(self, request):
        return super().get(request)


class NationalReportView(_ReportView):
    """Every office side by side (`/reports/national/`): needs every office's permission too."""

    required_permissions = ("core.view_reports", "core.view_all_offices")
    slot = NATIONAL
    national = True
    query_class = NationalRangeQuerySerializer

    @extend_schema(parameters=[NationalRangeQuerySerializer], responses=_RESPONSES)
    def get(self, request):
        return super().get(request)


class BackofficeReportView(_ReportView):
    """An office's back-office report (`/reports/backoffice/`)."""

    slot = BACKOFFICE

    @extend_schema(parameters=[OfficeRangeQuerySerializer], responses=_RESPONSES)
    def get(self, request):
        return super().get(request)
