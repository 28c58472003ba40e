"""Beat-driven housekeeping. Tasks stay thin: the work is in services."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "core:heartbeat"


@shared_task(name="sso.core.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Run by Celery beat every minute; /healthz reports when a worker last ran it."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
