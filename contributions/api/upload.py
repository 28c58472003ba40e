"""Statement file API: file the statements of an SSO 1-10 file (text or Excel form).

`POST /api/contributions/statements/file/` (multipart) answers 201 with every statement
filed and what is due on it today, or 400 with every error of the file in Thai and English
(and the employees to register first); nothing is stored then.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import services, sso110
from contributions.models import Statement
from contributions.services import StatementRefused
from contributions.views.upload import errors_file_response, errors_keep
from sso.core.api.errors import ErrorSerializer, error_body, in_languages, validated_input
from sso.core.formats import lazy_format
from sso.core.uploads import errors_shown


class StatementFileInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The SSO 1-10 text file (135 characters a line, TIS-620 or UTF-8) or the Excel form (.xlsx)."
    )
    employer_account = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="10 digits; required for the Excel form."
    )
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="Wage period as month/year (01/2569 B.E. or 01/2026) or 2026-01; required for the Excel form.",
    )


class AmountDueSerializer(serializers.Serializer):
    contributions = serializers.DecimalField(max_digits=14, decimal_places=2)
    surcharge = serializers.DecimalField(max_digits=14, decimal_places=2, source="surcharge.amount")
    surcharge_months = serializers.IntegerField(source="surcharge.months")
    due_on = serializers.DateField(source="surcharge.due_on")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class FiledStatementSerializer(serializers.ModelSerializer):
    employer_account = serializers.CharField(source="employer.account_number")
    branch = serializers.CharField(source="branch.number")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_due = serializers.SerializerMethodField(help_text="What is due if paid today: both shares and surcharge.")

    class Meta:
        model = Statement
        fields = [
            "id",
            "employer_account",
            "branch",
            "period",
            "source",
            "file_name",
            "status",
            "head_count",
            "total_wages",
            "employee_total",
            "employer_total",
            "government_total",
            "total",
            "amount_due",
        ]

    @extend_schema_field(AmountDueSerializer)
    def get_amount_due(self, statement) -> dict:
        return AmountDueSerializer(services.statement_amount_due(statement)).data


class StatementFileResultSerializer(serializers.Serializer):
    statements = FiledStatementSerializer(many=True)


class FileErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_blank=True, help_text="Excel form: the sheet (branch) of the error.")
    line = serializers.IntegerField(
        help_text="Line of the file (a statement's own faults: its header line; 0: the file)."
    )
    field = serializers.CharField()
    expected = serializers.CharField(allow_blank=True)
    found = serializers.CharField(allow_blank=True)
    code = serializers.CharField()
    message_th = serializers.CharField()
    message_en = serializers.CharField()


class UnknownPersonSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_blank=True)
    line = serializers.IntegerField()
    national_id = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    wage = serializers.CharField()
    employer_id = serializers.IntegerField()
    employer_account = serializers.CharField()


class StatementFileRefusedSerializer(ErrorSerializer):
    """A file refused: every error of the file; nothing was stored."""

    errors = FileErrorSerializer(
        many=True, help_text="The first errors (UPLOAD_ERRORS_SHOWN, 1,000 by default); errors_url has them all."
    )
    error_count = serializers.IntegerField(help_text="How many errors the file has in all.")
    errors_url = serializers.URLField(help_text="Every error as a CSV file, for an hour, to the same caller.")
    unknown_persons = UnknownPersonSerializer(many=True)


def _refused(refused: StatementRefused, request, file_name: str) -> Response:
    errors = refused.line_errors
    token = errors_keep(request.user, file_name, refused)
    summary = lazy_format(
        _("%(count)s errors found in the file; nothing was stored. First: line %(line)s, %(field)s: %(message)s"),
        {"count": len(errors), "line": errors[0].line, "field": errors[0].field, "message": errors[0].message},
    )
    return Response(
        {
            **error_body(errors[0].code if len(errors) == 1 else "invalid_lines", in_languages(summary)),
            "errors": sso110.errors_as_dicts(errors[: errors_shown()]),
            "error_count": len(errors),
            "errors_url": request.build_absolute_uri(reverse("api-contributions-statement-file-errors", args=[token])),
            "unknown_persons": [
                {key: person.get(key, "") for key in UnknownPersonSerializer().fields}
                for person in refused.unknown_persons
            ],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class StatementFileView(APIView):
    """File the contribution statements (SSO 1-10) of a text file or an Excel form; all or nothing."""

    # StaffModelPermissions: POST needs contributions.add_statement.
    queryset = Statement.objects.none()

    @extend_schema(
        request={"multipart/form-data": StatementFileInputSerializer},
        responses={
            201: OpenApiResponse(StatementFileResultSerializer, description="every statement of the file filed"),
            400: OpenApiResponse(StatementFileRefusedSerializer, description="every error of the file; nothing stored"),
        },
    )
    def post(self, request):
        data = validated_input(StatementFileInputSerializer, request)
        upload = data["file"]
        try:
            statements = services.statement_file_submit(
                officer=request.user,
                file_name=upload.name,
                content=sso110.upload_content(upload),
                employer_account=data.get("employer_account") or None,
                period=data.get("period") or None,
            )
        except StatementRefused as refused:
            return _refused(refused, request, upload.name)
        body = {"statements": FiledStatementSerializer(statements, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)


class StatementFileErrorsView(APIView):
    """Every error of a refused file as a CSV file (the `errors_url` of the refusal), for an
    hour after it, to the caller who sent the file."""

    # StaffModelPermissions: GET needs contributions.view_statement; the token is the caller's own.
    queryset = Statement.objects.none()

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="the error file")})
    def get(self, request, token):
        return errors_file_response(request.user, token)


PATHS = [
    path("statements/file/", StatementFileView.as_view(), name="api-contributions-statement-file"),
    path(
        "statements/file/errors/<slug:token>/",
        StatementFileErrorsView.as_view(),
        name="api-contributions-statement-file-errors",
    ),
]
