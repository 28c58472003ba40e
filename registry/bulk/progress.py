"""An upload's progress, kept in Redis while the back office checks and stores it."""

import json

from django.db import connection

from registry.bulk.layout import PROGRESS_TTL
from registry.models import (
    BulkUpload,
)
from sso.core.redis import redis_client

# Progress --------------------------------------------------------------------------------


def _progress_key(upload_id) -> str:
    # The database name keeps apart several databases sharing one Redis (test runs, staging).
    return f"registry:bulk-upload:{connection.settings_dict['NAME']}:{upload_id}:progress"


def progress_get(upload: BulkUpload) -> dict:
    """{"percent": 0-100, "phase": "waiting" | "checking" | "storing" | "finished"}."""
    if upload.finished_at:
        return {"percent": 100, "phase": "finished"}
    raw = redis_client().get(_progress_key(upload.pk))
    if raw:
        return json.loads(raw)
    return {"percent": 0, "phase": "waiting" if upload.status == BulkUpload.Status.PENDING else "checking"}


def progress_set(upload_id, percent: int, phase: str):
    redis_client().set(_progress_key(upload_id), json.dumps({"percent": int(percent), "phase": phase}), ex=PROGRESS_TTL)
