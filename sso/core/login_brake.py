"""The brake on guessing one user's password from many addresses: it slows, it never locks.

Axes locks a user name at one address after LOGIN_FAILURE_LIMIT failures there, so an
attacker elsewhere cannot lock a user out. Spread over many addresses, though, the guesses
would go on at LOGIN_FAILURE_LIMIT per address. Here the failures of a user name from all
addresses are counted (in Redis, for the lockout time). Once they reach LOGIN_BRAKE_AFTER, an
attempt from an address the user has not signed in from in the last 30 days is checked only
if it comes at least 2^(failures - LOGIN_BRAKE_AFTER) seconds (at most LOGIN_BRAKE_MAX_SECONDS)
after the last failure; sooner, it is refused without the password being checked. The
user's own addresses (their office's) are never braked, so the brake cannot be turned into
a lock on them.
"""

import hashlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from sso.core.throttling import client_address

logger = logging.getLogger(__name__)

KNOWN_ADDRESS_DAYS = 30


def _name(username) -> str:
    return hashlib.sha256(str(username or "").strip().lower().encode()).hexdigest()[:24]


def _failures_key(username) -> str:
    return f"login-brake:failures:{_name(username)}"


def _known_key(username, address) -> str:
    return f"login-brake:known:{_name(username)}:{address}"


def _window() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return int(cooloff.total_seconds() if isinstance(cooloff, timedelta) else 15 * 60)


def brake_wait(username, address) -> float:
    """Seconds before an attempt on `username` from `address` is checked (0: check it now)."""
    failures, last = cache.get(_failures_key(username)) or (0, 0.0)
    over = failures - settings.LOGIN_BRAKE_AFTER
    if over < 0 or cache.get(_known_key(username, address)):
        return 0.0
    delay = min(2.0**over, float(settings.LOGIN_BRAKE_MAX_SECONDS))
    return max(0.0, last + delay - time.time())


class UsernameBrakeBackend:
    """First of AUTHENTICATION_BACKENDS: refuses, unchecked, an attempt made too soon."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username:
            return None
        try:
            wait = brake_wait(username, client_address(request))
        except Exception:  # Redis down: axes' lock by name and address still holds
            logger.warning("Login brake: Redis unreachable", exc_info=True)
            return None
        if wait > 0:
            request.login_braked = True
            raise PermissionDenied  # Django stops here; the attempt is reported failed
        return None

    def get_user(self, user_id):
        return None


def _failed(sender, credentials, request=None, **kwargs):
    if request is None or getattr(request, "login_braked", False):
        return  # an attempt refused unchecked is not a guess: it does not lengthen the wait
    key = _failures_key(credentials.get("username"))
    try:
        failures, _last = cache.get(key) or (0, 0.0)
        cache.set(key, (failures + 1, time.time()), _window())
    except Exception:
        logger.warning("Login brake: Redis unreachable", exc_info=True)


def _signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    try:
        cache.set(_known_key(user.get_username(), client_address(request)), 1, KNOWN_ADDRESS_DAYS * 86400)
    except Exception:
        logger.warning("Login brake: Redis unreachable", exc_info=True)


def connect_signals() -> None:
    user_login_failed.connect(_failed, dispatch_uid="core.login_brake_failed")
    user_logged_in.connect(_signed_in, dispatch_uid="core.login_brake_signed_in")
