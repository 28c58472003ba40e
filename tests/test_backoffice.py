"""Celery through a real worker on real Redis; /healthz reports the worker."""

import pytest
from django.core.cache import cache

from sso.core.tasks import HEARTBEAT_KEY, heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_task_runs_through_a_real_worker(celery_worker_process):
    cache.delete(HEARTBEAT_KEY)
    stamp = heartbeat.delay().get(timeout=30)
    assert cache.get(HEARTBEAT_KEY) == stamp


def test_healthz_answers_200_when_database_redis_and_worker_answer(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["celery_worker"]["detail"]


def test_the_nightly_queue_close_runs_through_the_worker(celery_worker_process, offices):
    import datetime

    from django.utils import timezone

    from queueing.models import Service, Ticket
    from queueing.services import ticket_issue
    from queueing.tasks import queue_days_close
    from tests.factories import queue_office

    office = queue_office(offices["1001"], counters=1)
    service = Service.objects.get(office=office, kind="contribution")
    old = ticket_issue(service=service, customer_kind="employer", now=timezone.now() - datetime.timedelta(days=2))
    today = ticket_issue(service=service, customer_kind="employer")
    assert queue_days_close.delay().get(timeout=30) == 1
    assert Ticket.objects.get(pk=old.pk).outcome == "cancelled"
    assert Ticket.objects.get(pk=today.pk).status == "waiting"
    assert queue_days_close.delay().get(timeout=30) == 0  # safe to re-run
