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
