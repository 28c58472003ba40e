"""Small reference tables that every request reads (contribution rates, benefit parameters),
kept per process."""

import time

from django.db.models.signals import post_delete, post_save


class TableCache:
    """Values built from a few rarely-changed rows, kept for `seconds` in this process. A save
    or delete of a watched model in this process clears them at once; other processes see a
    change within `seconds`."""

    def __init__(self, seconds: int = 60):
        self.seconds = seconds
        self._held: dict = {}

    def get(self, key, build):
        now = time.monotonic()
        hit = self._held.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = build()
        self._held[key] = (now, value)
        return value

    def clear(self, **_kwargs) -> None:
        self._held.clear()

    def watch(self, *models) -> None:
        for model in models:
            uid = f"table-cache-{id(self)}-{model._meta.label}"
            post_save.connect(self.clear, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(self.clear, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
