from celery import shared_task
from django.utils import timezone

from queueing import services
from queueing.services import queue_day_close
from sso.core.models import Office


@shared_task(name="queueing.tasks.queue_days_close", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def queue_days_close() -> int:
    """Nightly: end every ticket of a past day that is still open. Safe to re-run."""
    today = timezone.localdate()
    return sum(queue_day_close(office_id=pk, before_day=today) for pk in Office.objects.values_list("pk", flat=True))


@shared_task(name="queueing.tasks.queue_tables_vacuum", ignore_result=True)
def queue_tables_vacuum() -> None:
    """Every 30 s: clean the queue's indexes (idempotent; a missed run only costs speed)."""
    services.queue_tables_vacuum()


@shared_task(name="queueing.tasks.service_averages_refresh", ignore_result=True)
def service_averages_refresh() -> int:
    """Each minute: every service's average service time into the cache for the kiosks."""
    from queueing.selectors import service_averages_refresh as refresh

    return refresh()
