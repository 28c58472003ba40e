"""Facts a lower app needs from a higher one, answered by the higher app.

The registry's Section 39 rule counts the months paid under Section 33, which contributions
holds, and its data-completeness panel shows what each benefit needs, which the benefits'
rules decide; the registry may not import either (the layers, docs/architecture.md). So the
higher app registers the function answering a fact in its AppConfig.ready, as it adds panels
and menu entries, and the lower app asks for the fact here by name.
"""

from collections.abc import Callable

# The months paid for a person: `(person_id, *, sections, first=None, before=None) -> int`,
# answered by `contributions.selectors.paid_months_count`.
PAID_MONTHS_COUNT = "paid_months_count"

# What each benefit needs from the registry's record: `() -> [(benefit, label, [fact, ...])]`,
# answered by `benefits.selectors.benefit_needs` (the facts are named in `registry.selectors`).
BENEFIT_NEEDS = "benefit_needs"

# The documents a kind of queue service needs from the person: `(kind) -> [(name_th, name_en,
# required), ...]`, answered by `benefits.selectors.service_documents` (the claim's documents);
# the queue's ticket page on the customer's phone lists them.
SERVICE_DOCUMENTS = "service_documents"

_PROVIDERS: dict[str, Callable] = {}


def provide(name: str, function: Callable) -> None:
    """Register the function that answers `name` (once per process, from an AppConfig.ready)."""
    _PROVIDERS[name] = function


def ask(name: str, *args, **kwargs):
    """The answer of the function registered for `name`; a missing provider is a setup error."""
    try:
        function = _PROVIDERS[name]
    except KeyError:
        raise LookupError(f"No app answers {name!r}: is the app providing it installed?") from None
    return function(*args, **kwargs)
