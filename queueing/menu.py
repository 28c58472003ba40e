from django.utils.translation import gettext_lazy as _

from sso.core.menu import MenuItem

ITEMS = (
    MenuItem(
        "counter", _("Counter console"), "queueing:counter_choose", "queueing.serve_counter",
        _("Call the next ticket, serve, transfer."), 10,
    ),
    MenuItem(
        "kiosk", _("Ticket kiosk"), "queueing:kiosk", "queueing.add_ticket",
        _("Issue queue tickets (touch screen)."), 20,
    ),
    MenuItem(
        "board", _("Display board"), "queueing:board", "queueing.view_board",
        _("Calls per counter, for the waiting-room screen."), 30,
    ),
    MenuItem(
        "queue_live", _("Queue now"), "queueing:live", "queueing.view_queue_live",
        _("Waiting per service, longest wait, counters open."), 40,
    ),
    MenuItem(
        "service_times", _("Service times"), "queueing:report", "queueing.view_queue_live",
        _("Time per visit against the announced targets."), 50,
    ),
    MenuItem(
        "queue_planner", _("Queue planner"), "queueing:planner", "queueing.plan_counters",
        _("Forecast a coming day's arrivals and simulate it against the standards."), 60,
    ),
    MenuItem(
        "queue_what_if", _("Bank and internet what-if"), "queueing:planner_what_if", "core.view_all_offices",
        _("The 15th's waits if employers paid through the bank and internet."), 61,
    ),
)  # fmt: skip
