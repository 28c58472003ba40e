from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    """Kiosk tickets, counters, calling and service times."""

    name = "queueing"
    verbose_name = _("Walk-in queue")

    def ready(self):
        from queueing.services import ticket_event_record
        from sso.core.devices import home_register
        from sso.core.signals import case_event

        home_register("kiosk", "queueing:device_kiosk")
        home_register("board", "queueing:device_board")
        home_register("counter_display", "queueing:device_counter_display")
        home_register("satisfaction", "queueing:device_satisfaction")

        case_event.connect(ticket_event_record, dispatch_uid="queueing.ticket_event_record")
