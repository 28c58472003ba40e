"""Reads of the upload pages and API: the employer an upload is for, the office's uploads,
one upload, its error file."""

from django.db.models import F, Func, IntegerField
from django.utils.translation import gettext_lazy as _

from registry.models import (
    BulkUpload,
    Employer,
)
from sso.core import exports
from sso.core.scoping import object_get_for_user, office_scoped

# Reads -----------------------------------------------------------------------------------


def upload_employer_get(*, user, account_number: str) -> Employer | None:
    """The employer an upload is for, if `user` may see it (another office's is unknown)."""
    return (
        office_scoped(Employer.objects.select_related("responsible_office"), user)
        .filter(account_number=account_number)
        .first()
    )


def upload_list(user, limit: int = 50) -> list[BulkUpload]:
    """The latest uploads `user` may see, with their error count but not the file or the errors."""
    queryset = (
        BulkUpload.objects.select_related("employer", "uploaded_by")
        .defer("content", "errors")
        .annotate(error_count=Func(F("errors"), function="jsonb_array_length", output_field=IntegerField()))
    )
    return list(office_scoped(queryset, user).order_by("-uploaded_at", "-pk")[:limit])


def upload_get_for_user(user, pk) -> BulkUpload:
    """One upload `user` may see (without its content), or 404."""
    queryset = BulkUpload.objects.select_related("employer", "uploaded_by").defer("content")
    return object_get_for_user(queryset, user, pk=pk)


def errors_csv(upload: BulkUpload) -> bytes:
    """The upload's line errors as a CSV file (UTF-8 with BOM, for spreadsheet programs)."""
    return exports.csv_bytes(
        [str(_("Line")), str(_("Column")), str(_("Problem"))],
        ([error.get("line") or "", error.get("field") or "", error.get("message") or ""] for error in upload.errors),
    )
