"""The Celery app: back-office work runs here, fed through Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")

app = Celery("sso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
