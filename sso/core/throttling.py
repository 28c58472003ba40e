"""How fast the API answers one caller: limits per user, per token, per address.

DRF's own throttles keep every request's time in a list that is read, trimmed and written
back whole on each call (a list of 600 times for a limit of 600 a minute). Here each limit
is one counter per fixed window in Redis, and every limit of a call is counted in one
round trip (a Lua script: INCR per window, EXPIRE at its first call). A fixed window lets a caller spend up to
twice its rate across a window's edge; the per-second limits bound that burst.

The rates are read from `settings.API_THROTTLE_RATES` at each request (DRF's classes read
theirs once, at import), so tests and operators change them without a restart of the code.
A refusal is DRF's `Throttled`: 429 with `Retry-After`, the seconds until the window ends.
If Redis cannot be reached the call is let through (and logged): the limits protect the
service, they must not take it down.
"""

import functools
import hashlib
import ipaddress
import logging
import math
import time

import redis
from django.conf import settings
from django.core import checks
from rest_framework.authtoken.models import Token
from rest_framework.throttling import BaseThrottle

from sso.core.redis import redis_client

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_PERIODS |= {"d": 86400, "day": 86400}


def client_address(request) -> str | None:
    """The caller's address: the proxy's last X-Forwarded-For entry behind a proxy
    (BEHIND_PROXY=1; the entries before it are the client's word), else REMOTE_ADDR; None
    when neither is an address. Axes (AXES_CLIENT_IP_CALLABLE) and the API's throttles both
    count by it."""
    meta = request.META
    candidates = [meta.get("REMOTE_ADDR", "")]
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "").split(",")
        candidates.insert(0, forwarded[-1].strip())
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=64)
def parse_rates(text: str | None) -> tuple[tuple[int, int], ...]:
    """'30/s,600/min' -> ((30, 1), (600, 60)); empty or None -> no limit."""
    rates = []
    for part in (text or "").split(","):
        if part.strip():
            count, _, unit = part.strip().partition("/")
            try:
                rates.append((int(count), _PERIODS[unit.strip().lower()]))
            except (KeyError, ValueError):
                raise ValueError(f"{part.strip()!r} is not a rate such as 30/s, 600/min or 1000/h") from None
    return tuple(rates)


# Counts each window and starts its expiry at its first call: one command for every limit.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""


@functools.lru_cache(maxsize=1)
def _count_script():
    return redis_client().register_script(_COUNT)


@checks.register(checks.Tags.security)
def rates_check(app_configs, **kwargs):
    """A malformed API_THROTTLE_* rate stops start-up instead of failing every call."""
    errors = []
    for scope, text in getattr(settings, "API_THROTTLE_RATES", {}).items():
        try:
            parse_rates(text)
        except ValueError as exc:
            errors.append(checks.Error(f"API_THROTTLE_RATES[{scope!r}]: {exc}", id="core.E101"))
    return errors


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


class WindowRateThrottle(BaseThrottle):
    """Counts the idents `limits()` names against their scopes' rates, in one round trip."""

    def limits(self, request, view) -> list[tuple[str, str]]:
        """(scope, ident) pairs this request counts against."""
        raise NotImplementedError

    def allow_request(self, request, view):
        self._wait = None
        rates = getattr(settings, "API_THROTTLE_RATES", {})
        windows = []
        now = time.time()
        for scope, ident in self.limits(request, view):
            for limit, seconds in parse_rates(rates.get(scope)):
                index = int(now // seconds)
                prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
                key = f"{prefix}:throttle:{scope}:{seconds}:{ident}:{index}"
                windows.append((key, limit, (index + 1) * seconds - now, seconds))
        if not windows:
            return True
        try:
            counts = _count_script()(keys=[w[0] for w in windows], args=[w[3] + 1 for w in windows])
        except redis.RedisError:
            logger.warning("API throttle: Redis unreachable, the call is let through", exc_info=True)
            return True
        waits = [left for (_key, limit, left, _s), count in zip(windows, counts, strict=True) if count > limit]
        if waits:
            self._wait = max(1, math.ceil(max(waits)))
            return False
        return True

    def wait(self):
        return self._wait


class ApiRateThrottle(WindowRateThrottle):
    """Every API call: per user and per token when signed in, per address when not."""

    def limits(self, request, view):
        user = request.user
        if user and user.is_authenticated:
            found = [("user", str(user.pk))]
            if isinstance(request.auth, Token):
                found.append(("token", _digest(request.auth.key)))
            return found
        return [("anon", client_address(request) or "unknown")]


class SignInRateThrottle(WindowRateThrottle):
    """The token sign-in: per address, and per user name whatever the address."""

    def limits(self, request, view):
        found = [("sign_in", client_address(request) or "unknown")]
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if isinstance(username, str) and username.strip():
            found.append(("sign_in_user", _digest(username.strip().lower())))
        return found
