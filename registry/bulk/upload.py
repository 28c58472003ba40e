"""The upload itself: take the file, check and store it now when small or queue it for the
back office (Celery), and mark uploads that never finished as failed."""

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from registry.bulk.checking import fault, upload_check
from registry.bulk.layout import SYNC_MAX_LINES, FileUnreadable
from registry.bulk.progress import progress_set
from registry.bulk.reading import file_rows, person_count_estimate, upload_file_check
from registry.bulk.storing import upload_store
from registry.models import (
    BulkUpload,
    Employer,
)
from sso.core.uploads import (
    UploadRefused,
    upload_read,
)

log = logging.getLogger(__name__)


# The upload ------------------------------------------------------------------------------


def uploaded_file_read(uploaded_file) -> bytes:
    """The content of an uploaded file, refused before reading when it is too big."""
    try:
        return upload_read(uploaded_file)
    except UploadRefused as refused:
        raise ValidationError({"file": refused}) from None


def bulk_upload_submit(*, officer, employer: Employer, file_name: str, content: bytes) -> BulkUpload:
    """Take an upload file for an employer: check and store it now when small, otherwise
    queue it for the back office. Refuses (ValidationError) only what concerns the file as a
    whole; line errors end up on the upload (status `rejected`)."""
    if employer.status != Employer.Status.ACTIVE:
        raise ValidationError(
            {
                "account_number": ValidationError(
                    _("Employer %(account)s has ceased business.") % {"account": employer.account_number},
                    code="ceased",
                )
            }
        )
    if not content:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    if not file_name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
        raise ValidationError(
            {"file": ValidationError(_("Upload a CSV (.csv) or Excel (.xlsx) file."), code="file_type")}
        )
    try:
        lines = upload_file_check(file_name, content)
    except UploadRefused as refused:
        raise ValidationError({"file": refused}) from None
    upload = BulkUpload.objects.create(
        office_id=officer.office_id or employer.responsible_office_id,
        uploaded_by=officer,
        employer=employer,
        file_name=file_name[:255],
        content=content,
        language=translation.get_language() or "th",
    )
    if lines <= SYNC_MAX_LINES:
        try:
            return bulk_upload_process(upload_id=upload.pk)
        except Exception:
            bulk_upload_fail(upload_id=upload.pk)  # not left "checking" for ever
            raise
    from registry.tasks import bulk_upload_run

    transaction.on_commit(lambda: bulk_upload_run.delay(upload.pk))
    return upload


def bulk_upload_process(*, upload_id: int) -> BulkUpload:
    """Check the upload and store it if it has no error, once: an upload already finished is
    returned as it is, so a task run twice (a retry, a redelivery) does no harm."""
    claimed = BulkUpload.objects.filter(
        pk=upload_id, status__in=[BulkUpload.Status.PENDING, BulkUpload.Status.RUNNING]
    ).update(status=BulkUpload.Status.RUNNING)
    if not claimed:
        return BulkUpload.objects.get(pk=upload_id)
    progress_set(upload_id, 0, "checking")
    with transaction.atomic():
        # The row lock keeps a second run (a redelivered task) waiting until this one commits.
        upload = (
            BulkUpload.objects.select_for_update(of=("self",))
            .select_related("employer", "uploaded_by")
            .get(pk=upload_id)
        )
        if upload.status != BulkUpload.Status.RUNNING:
            return upload
        with translation.override(upload.language):
            _run(upload)
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "line_count", "stored_count", "errors", "finished_at"])
    progress_set(upload_id, 100, "finished")
    return upload


def _run(upload: BulkUpload):
    started = time.monotonic()
    employer = Employer.objects.select_for_update().get(pk=upload.employer_id)
    today = timezone.localdate()
    estimate = max(person_count_estimate(upload.file_name, bytes(upload.content)), 1)

    def checking(count):
        progress_set(upload.pk, min(49, 50 * count / estimate), "checking")

    if employer.status != Employer.Status.ACTIVE:
        checked = None
        errors = [
            fault(
                None, "employer", _("Employer %(account)s has ceased business.") % {"account": employer.account_number}
            )
        ]
    else:
        try:
            checked = upload_check(
                employer=employer,
                rows=file_rows(upload.file_name, bytes(upload.content)),
                today=today,
                progress=checking,
            )
            errors = checked.errors
        except FileUnreadable as exc:
            checked, errors = None, [fault(None, "file", exc.args[0])]
    upload.line_count = checked.line_count if checked else 0
    checked_at = time.monotonic()
    if errors:
        upload.status, upload.errors, upload.stored_count = BulkUpload.Status.REJECTED, errors, 0
        log.info(
            "upload %s: %s lines, %s errors, checked in %.1f s",
            upload.pk,
            upload.line_count,
            len(errors),
            checked_at - started,
        )
        return

    def storing(fraction):
        progress_set(upload.pk, 50 + 49 * fraction, "storing")

    progress_set(upload.pk, 50, "storing")
    try:
        with transaction.atomic():
            stored = upload_store(
                employer=employer, checked=checked, officer=upload.uploaded_by, today=today, progress=storing
            )
    except IntegrityError:
        # Another officer registered one of these persons between the check and the store.
        upload.status, upload.stored_count = BulkUpload.Status.REJECTED, 0
        upload.errors = [
            fault(None, "", _("Some of these records changed while the file was being stored; upload it again."))
        ]
        return
    upload.status, upload.errors, upload.stored_count = BulkUpload.Status.DONE, [], stored
    log.info(
        "upload %s: %s lines, checked in %.1f s, stored in %.1f s",
        upload.pk,
        stored,
        checked_at - started,
        time.monotonic() - checked_at,
    )


def bulk_uploads_fail_stale(*, now=None) -> int:
    """Mark failed the uploads still being checked long after their task's hard time limit:
    a worker killed there (or lost) never says so, and the page would wait for ever."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=2 * settings.UPLOAD_TASK_TIME_LIMIT)
    stale = list(
        BulkUpload.objects.filter(
            status=BulkUpload.Status.RUNNING, finished_at__isnull=True, uploaded_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for upload_id in stale:
        bulk_upload_fail(upload_id=upload_id, timed_out=True)
    return len(stale)


def bulk_upload_fail(*, upload_id: int, timed_out: bool = False) -> None:
    """Mark an upload the back office gave up on (after its retries, or past its time
    limit), so the page stops waiting."""
    upload = BulkUpload.objects.filter(pk=upload_id).first()
    if upload is None or upload.finished_at is not None:
        return
    with translation.override(upload.language):
        if timed_out:
            message = str(
                _("Checking the file took too long; nothing was stored. Split it into smaller files and upload them.")
            )
        else:
            message = str(
                _("The file could not be processed because of a system error; nothing was stored. Try again.")
            )
    BulkUpload.objects.filter(pk=upload_id, finished_at__isnull=True).update(
        status=BulkUpload.Status.FAILED, errors=[fault(None, "", message)], finished_at=timezone.now()
    )
    progress_set(upload_id, 100, "finished")
