"""Bulk registration upload API: send a CSV/XLSX of new employees for one employer (SSO 1-03).

`POST /api/registry/uploads/` answers 201 with the stored result, 400 with every line error
(nothing stored), or 202 with a status URL when the file is big enough to be checked in the
back office; `GET /api/registry/uploads/<id>/` tells how that went.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import bulk
from registry.models import BulkUpload
from registry.validators import account_number_clean
from sso.core import (
    converters,  # noqa: F401 - registers <id:...>
    exports,
)
from sso.core.api.errors import ErrorSerializer, error_body, in_languages, service_refusals, validated_input
from sso.core.formats import lazy_format
from sso.core.uploads import errors_shown


class LineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="Line in the file (the header is line 1).")
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField(help_text="In the uploader's language.")


class BulkUploadInputSerializer(serializers.Serializer):
    account_number = serializers.CharField(max_length=20, help_text="The employer's 10-digit account number.")
    file = serializers.FileField(help_text="CSV (UTF-8 or TIS-620) or Excel .xlsx, one employee a line.")

    def validate_account_number(self, value):
        try:
            digits = account_number_clean(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        employer = bulk.upload_employer_get(user=self.context["request"].user, account_number=digits)
        if employer is None:
            raise serializers.ValidationError(
                _("No employer with account number %(account)s is known.") % {"account": digits}
            )
        self.context["employer"] = employer
        return digits


class BulkUploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BulkUpload.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    employer = serializers.CharField(source="employer.account_number", default=None, allow_null=True)
    file_name = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    line_count = serializers.IntegerField(help_text="Persons in the file (lines after the header).")
    stored_count = serializers.IntegerField()
    progress = serializers.SerializerMethodField(help_text="0-100 while the back office checks the file.")
    errors = serializers.SerializerMethodField(
        help_text="The first line errors (UPLOAD_ERRORS_SHOWN, 1,000 by default); errors_url has them all."
    )
    error_count = serializers.SerializerMethodField(help_text="How many line errors the upload has in all.")
    errors_url = serializers.SerializerMethodField(help_text="Every line error as a CSV file; null when none.")
    status_url = serializers.SerializerMethodField()

    @extend_schema_field(LineErrorSerializer(many=True))
    def get_errors(self, upload):
        return LineErrorSerializer(upload.errors[: errors_shown()], many=True).data

    def get_error_count(self, upload) -> int:
        return len(upload.errors)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_errors_url(self, upload):
        if not upload.errors:
            return None
        return self.context["request"].build_absolute_uri(reverse("api-registry-upload-errors", args=[upload.pk]))

    def get_progress(self, upload) -> int:
        return bulk.progress_get(upload)["percent"]

    def get_status_url(self, upload) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-registry-upload", args=[upload.pk]))


class BulkUploadRejectedSerializer(ErrorSerializer):
    """A file refused line by line: the upload with its line errors; nothing was stored."""

    upload = BulkUploadSerializer()


def _rejected(upload: BulkUpload, request) -> Response:
    summary = lazy_format(_("%(count)s errors found in the file; nothing was stored."), {"count": len(upload.errors)})
    return Response(
        {
            **error_body(
                "invalid_lines" if upload.status == BulkUpload.Status.REJECTED else "failed", in_languages(summary)
            ),
            "upload": BulkUploadSerializer(upload, context={"request": request}).data,
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class BulkUploadCreateView(APIView):
    """Upload employees to register for one employer (SSO 1-03 in bulk); all or nothing."""

    # StaffModelPermissions: POST needs registry.add_bulkupload.
    queryset = BulkUpload.objects.none()

    @extend_schema(
        request={"multipart/form-data": BulkUploadInputSerializer},
        responses={
            201: OpenApiResponse(BulkUploadSerializer, description="every line stored"),
            202: OpenApiResponse(BulkUploadSerializer, description="big file: follow status_url"),
            400: OpenApiResponse(BulkUploadRejectedSerializer, description="line errors; nothing stored"),
        },
    )
    def post(self, request):
        context = {}
        upload_file = validated_input(BulkUploadInputSerializer, request, context=context)["file"]
        # Refused as a whole (ceased employer, empty or oversized file): 400 naming the field.
        with service_refusals():
            upload = bulk.bulk_upload_submit(
                officer=request.user,
                employer=context["employer"],
                file_name=upload_file.name,
                content=bulk.uploaded_file_read(upload_file),
            )
        if upload.status == BulkUpload.Status.DONE:
            return Response(BulkUploadSerializer(upload, context={"request": request}).data, status=201)
        if upload.finished_at is not None:
            return _rejected(upload, request)
        body = BulkUploadSerializer(upload, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class BulkUploadDetailView(APIView):
    """The status of an upload: its progress while checked, then its result or its line errors."""

    # StaffModelPermissions: GET needs registry.view_bulkupload; office-scoped below.
    queryset = BulkUpload.objects.none()

    @extend_schema(responses={200: BulkUploadSerializer})
    def get(self, request, pk):
        upload = bulk.upload_get_for_user(request.user, pk)
        return Response(BulkUploadSerializer(upload, context={"request": request}).data)


class BulkUploadErrorsView(APIView):
    """Every line error of an upload as a CSV file (UTF-8 with BOM; line, column, problem)."""

    # StaffModelPermissions: GET needs registry.view_bulkupload; office-scoped below.
    queryset = BulkUpload.objects.none()

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="the error file")})
    def get(self, request, pk):
        upload = bulk.upload_get_for_user(request.user, pk)
        response = HttpResponse(bulk.errors_csv(upload), content_type=exports.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-errors.csv"'
        return response


PATHS = [
    path("uploads/<id:pk>/errors/", BulkUploadErrorsView.as_view(), name="api-registry-upload-errors"),
    path("uploads/", BulkUploadCreateView.as_view(), name="api-registry-uploads"),
    path("uploads/<id:pk>/", BulkUploadDetailView.as_view(), name="api-registry-upload"),
]
