"""Back-office work of the registry. Tasks stay thin: the work is in services."""

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from registry import bulk


class _UploadTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries used up: the status page stops waiting and says the file was not stored.
        upload_id = kwargs.get("upload_id", args[0] if args else None)
        if upload_id is not None:
            bulk.bulk_upload_fail(upload_id=upload_id)


@shared_task(
    base=_UploadTask,
    name="registry.tasks.bulk_upload_run",
    autoretry_for=(Exception,),
    # Past its soft time limit the file is too big to check: running it again would not help.
    dont_autoretry_for=(SoftTimeLimitExceeded,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=settings.UPLOAD_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.UPLOAD_TASK_TIME_LIMIT,
)
def bulk_upload_run(upload_id: int) -> str:
    """Check and store a bulk registration upload. Safe to re-run: a finished upload is left as it is."""
    try:
        return bulk.bulk_upload_process(upload_id=upload_id).status
    except SoftTimeLimitExceeded:
        # The transaction was rolled back: nothing of the file is stored. Say so, not "checking" for ever.
        bulk.bulk_upload_fail(upload_id=upload_id, timed_out=True)
        return "failed"


@shared_task(name="registry.tasks.bulk_uploads_fail_stale")
def bulk_uploads_fail_stale() -> int:
    """Every few minutes (beat): uploads whose worker was killed at the hard time limit end as failed."""
    return bulk.bulk_uploads_fail_stale()
