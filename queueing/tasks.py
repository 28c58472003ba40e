import datetime

from celery import shared_task
from django.utils import timezone

from queueing import notices, services
from queueing.planning.services import planner_run_execute
from queueing.services import queue_day_close
from sso.core.models import Office
from sso.core.tasks import ROLL_TASK_OPTIONS, VERIFY_TASK_OPTIONS


@shared_task(name="queueing.tasks.queue_days_close", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def queue_days_close() -> int:
    """Nightly: end every ticket of a past day that is still open, and roll yesterday's
    summary rows again with those ends (the beat rolled it last before midnight). Safe to re-run."""
    today = timezone.localdate()
    closed = sum(queue_day_close(office_id=pk, before_day=today) for pk in Office.objects.values_list("pk", flat=True))
    notices.notice_phones_erase(before_day=today)  # the customers' numbers are kept for their day only
    services.queue_summary_reroll(day=today - datetime.timedelta(days=1))
    return closed


@shared_task(name="queueing.tasks.queue_tables_vacuum", ignore_result=True)
def queue_tables_vacuum() -> None:
    """Every 30 s: clean the queue's indexes (idempotent; a missed run only costs speed)."""
    services.queue_tables_vacuum()


@shared_task(name="queueing.tasks.service_averages_refresh", ignore_result=True)
def service_averages_refresh() -> int:
    """Each minute: every service's average service time into the cache for the kiosks."""
    from queueing.selectors import service_averages_refresh as refresh

    return refresh()


@shared_task(name="queueing.tasks.queue_summary_roll_today", ignore_result=True)
def queue_summary_roll_today(office_id: int | None = None) -> int:
    """Every few minutes: today's queue summary rows, rebuilt from the tickets, one roll of
    the day at a time (a report page rolls its office's today on demand)."""
    return services.queue_summary_reroll(day=timezone.localdate(), office_id=office_id)


@shared_task(name="queueing.tasks.queue_summary_roll_day", **ROLL_TASK_OPTIONS)
def queue_summary_roll_day(day: str, office_id: int | None = None) -> int:
    """A past day's queue summary rows, rebuilt after a late correction (`day`: ISO date; sent
    by `services.queue_days_changed`). Safe to re-run or retry: a roll replaces the day's rows."""
    return services.queue_summary_reroll(day=datetime.date.fromisoformat(day), office_id=office_id)


@shared_task(name="queueing.tasks.planner_run", **VERIFY_TASK_OPTIONS)
def planner_run(run_id: int) -> None:
    """A supervisor's run of the queue planner (queueing.planning): idempotent, a run done is left alone."""
    planner_run_execute(run_id=run_id)


@shared_task(name="queueing.tasks.queue_notices_check", ignore_result=True, autoretry_for=(Exception,), max_retries=3)
def queue_notices_check(office_id: int) -> int:
    """After a call of an office where someone asked for messages: make the messages now due
    (once each: a repeat of this task makes none) and send each by its own task."""
    from queueing import notices

    due = notices.notices_check(office_id=office_id)
    for message_id in due:
        queue_notice_send.delay(message_id)
    return len(due)


@shared_task(name="queueing.tasks.queue_notice_send", bind=True, ignore_result=True, max_retries=None)
def queue_notice_send(self, message_id: int) -> str:
    """Send one message to a customer's phone; while the gateway fails, again after 1, 2, 4...
    (at most 60) seconds, `notices.SEND_TRIES` times. A message already sent is not sent again."""
    from queueing import notices

    final = self.request.retries + 1 >= notices.SEND_TRIES
    try:
        return notices.notice_send(message_id=message_id, final=final)
    except notices.NotSentYet as exc:
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, notices.SEND_BACKOFF_MAX)) from None
