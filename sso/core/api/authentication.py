"""Token authentication that does not read the database on every call.

DRF's TokenAuthentication reads the token and its user on each request: one query, about
0.75 ms of the 2-3 ms a counter's API call costs. Here the token's user is kept in the
worker process for `TOKEN_CACHE_SECONDS` (30 s), with its permissions, and never past the
token's expiry. A user deactivated or a role changed takes effect on API calls within that
time (pages and session calls see role changes at once, through `CachedPermissionsBackend`).

A token revoked or replaced (`sso.core.tokens`) is forgotten at once by the process that
revoked it, and by every other process within a second: each reads the revocation number in
Redis at most once a second and forgets all its tokens when it changed. The token's last use
is written when the token is read from the database, at most once a minute (`api_token_touch`).
"""

import copy
import logging
import time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

logger = logging.getLogger(__name__)

_cache: dict[str, tuple[float, object, object]] = {}
_MAX_ENTRIES = 10_000
REVOCATIONS_CHECK_SECONDS = 1.0


class _Revocations:
    """The revocation number this process last read, and when (shared by its threads)."""

    seen = None
    checked = float("-inf")


_revocations = _Revocations()


def _revocations_check(now: float) -> None:
    if now - _revocations.checked < REVOCATIONS_CHECK_SECONDS:
        return
    from sso.core.tokens import revocations_current

    _revocations.checked = now
    try:
        current = revocations_current()
    except Exception:
        logger.warning("API tokens: the revocation number could not be read from Redis", exc_info=True)
        return
    if current != _revocations.seen:
        _cache.clear()
        _revocations.seen = current


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        now = time.monotonic()
        _revocations_check(now)
        hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            # A copy per request: threads of one worker never share a user object.
            return copy.copy(hit[1]), hit[2]
        from sso.core.tokens import api_token_touch, token_expires_at

        model = self.get_model()
        try:
            token = model.objects.select_related("user", "info").get(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        wall = timezone.now()
        left = (token_expires_at(token) - wall).total_seconds()
        if left <= 0:
            raise AuthenticationFailed(_("The token has expired: sign in again for a new one."))
        api_token_touch(token, wall)
        user.get_all_permissions()  # read once, kept with the user (CachedPermissionsBackend)
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()
        keep = min(getattr(settings, "TOKEN_CACHE_SECONDS", 30), left)
        _cache[key] = (now + keep, copy.copy(user), token)
        return user, token


def token_cache_forget(key: str) -> None:
    _cache.pop(key, None)


def token_cache_clear() -> None:
    _cache.clear()
    _revocations.seen = None
    _revocations.checked = float("-inf")
