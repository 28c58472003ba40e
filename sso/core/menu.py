"""The staff menu: each app lists its entries in its own `menu.py` (ITEMS); a user sees
the entries whose permission they hold, so the home page and the menu differ per role."""

import functools
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str
    permission: str | None
    description: str = ""
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ITEMS = (
    MenuItem(
        "my_office", _("My office"), "core:my_office", "core.view_office", _("Your office, its staff and roles."), 900
    ),
    MenuItem("offices", _("All offices"), "core:office_list", "core.view_all_offices", _("Every SSO office."), 910),
    MenuItem(
        "changes",
        _("Change history"),
        "core:recent_changes",
        "core.view_audit_history",
        _("Who changed which record, when, and what."),
        920,
    ),
    MenuItem(
        "reports",
        _("Service-time reports"),
        "core:reports_office",
        "core.view_reports",
        _("An office's visits and waits against the standards, by day, counter and officer."),
        800,
    ),
    MenuItem(
        "reports_national",
        _("Every office's service times"),
        "core:reports_national",
        "core.view_all_offices",
        _("Every office side by side against the standards."),
        801,
    ),
    MenuItem(
        "reports_backoffice",
        _("Back-office reports"),
        "core:reports_backoffice",
        "core.view_reports",
        _("Claims by step and age, verification queues, contributions by channel."),
        802,
    ),
    MenuItem(
        "rules",
        _("Rules"),
        "core:rules",
        "core.manage_rules",
        _("Rates, ceilings, benefit parameters and targets by date; a change is confirmed by a second administrator."),
        930,
    ),
    MenuItem("api_docs", _("API documentation"), "api-docs", "core.view_office", _("The REST API (OpenAPI)."), 980),
    MenuItem(
        "admin", _("Administration"), "admin:index", "core.add_user", _("Staff accounts and reference data."), 990
    ),
)


@functools.cache
def _all_items() -> tuple[MenuItem, ...]:
    # Once per process: looking for every app's menu module on each page cost milliseconds.
    items = []
    for app in settings.INSTALLED_APPS:
        try:
            module = import_module(f"{app}.menu")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.menu":
                raise
            continue
        items.extend(getattr(module, "ITEMS", ()))
    return tuple(sorted(items, key=lambda item: (item.order, item.key)))


def menu_for(user) -> list[MenuItem]:
    if not (user and user.is_authenticated):
        return []
    return [item for item in _all_items() if item.permission is None or user.has_perm(item.permission)]
