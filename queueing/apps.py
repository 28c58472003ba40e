from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    """Kiosk tickets, counters, calling and service times."""

    name = "queueing"
    verbose_name = _("Walk-in queue")
