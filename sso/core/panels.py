"""Panels: a lower app's page shows a higher app's data without importing it.

The person page (registry) shows the person's contribution months (contributions) and
claims (benefits); registry sits below both and must not import them. So each app lists the
panels it adds to other apps' pages in its own `panels.py` (PANELS), the way `menu.py` lists
menu entries, and the page asks `panels_for(slot, request, obj)` for the panels of its slot:
each panel the user may see, with its template and the context its own app's selectors
built. The page renders them in order with `{% include panel.template with panel=panel %}`.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings


@dataclass(frozen=True)
class Panel:
    """A panel `app` adds to the pages of `slot` (e.g. "registry.person")."""

    slot: str
    key: str
    template: str
    # (request, obj) -> the template's context; it reads through its own app's selectors.
    context: Callable[[object, object], dict]
    permission: str | None = None
    order: int = 100


@dataclass
class ShownPanel:
    key: str
    template: str
    context: dict = field(default_factory=dict)


@functools.cache
def _all_panels() -> tuple[Panel, ...]:
    panels = []
    for app in settings.INSTALLED_APPS:
        try:
            module = import_module(f"{app}.panels")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.panels":
                raise
            continue
        panels.extend(getattr(module, "PANELS", ()))
    return tuple(sorted(panels, key=lambda panel: (panel.slot, panel.order, panel.key)))


def panels_for(slot: str, request, obj) -> list[ShownPanel]:
    """The panels of `slot` the user may see, each with its context for `obj`."""
    user = request.user
    return [
        ShownPanel(panel.key, panel.template, panel.context(request, obj))
        for panel in _all_panels()
        if panel.slot == slot and (panel.permission is None or user.has_perm(panel.permission))
    ]
