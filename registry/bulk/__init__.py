"""Bulk employee registration (form SSO 1-03 for many employees at once) from a CSV or XLSX file.

One file is all or nothing: every line is checked and every bad line reported (line number
as in the file, the header being line 1, the field, the reason in the uploader's language);
a file with any error stores nothing, a good one is stored in one transaction. The rules are
those of `registry.services.employee_register`, applied to the whole file with a few
set-based queries and bulk inserts (with their audit rows), so that ten thousand lines take
seconds, not minutes. Small files are checked in the request; bigger ones by a Celery task
that reports its progress in Redis.

The package follows the upload's jobs: `layout` (columns, limits, template), `reading` (the
file's lines), `checking` (every line and the whole file), `storing` (one transaction),
`progress` (Redis), `selectors` (the pages' reads) and `upload` (submit, process, fail).
Other modules use the names this module exports.
"""

from registry.bulk.layout import COLUMN_LABELS, COLUMNS, HEADERS_TH, MAX_LINES, REQUIRED, SYNC_MAX_LINES, template_csv
from registry.bulk.progress import progress_get
from registry.bulk.selectors import errors_csv, upload_employer_get, upload_get_for_user, upload_list
from registry.bulk.upload import (
    bulk_upload_fail,
    bulk_upload_process,
    bulk_upload_submit,
    bulk_uploads_fail_stale,
    uploaded_file_read,
)

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "HEADERS_TH",
    "MAX_LINES",
    "REQUIRED",
    "SYNC_MAX_LINES",
    "bulk_upload_fail",
    "bulk_upload_process",
    "bulk_upload_submit",
    "bulk_uploads_fail_stale",
    "errors_csv",
    "progress_get",
    "template_csv",
    "upload_employer_get",
    "upload_get_for_user",
    "upload_list",
    "uploaded_file_read",
]
