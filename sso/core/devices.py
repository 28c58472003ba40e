"""The device credential: how an office's public screens (kiosk, board, ...) are let in.

A device is registered by the office's administrator (the admin, `sso.core.admin.DeviceAdmin`),
which shows a one-time pairing code (8 digits, valid PAIRING_MINUTES, used once). The screen
opens /device/pair/ and types it; it then holds a device credential: a random token in a
signed, HttpOnly cookie (Secure over HTTPS, as the session's), of which only the sha256 is stored. It is no
Django session and no user: a view opens to a device only through `device_required(kind)`,
which admits a credential of that kind, notes its contact and hands the view its device (and
so its office).
Every other view sees an anonymous visitor. Revoking the device (or pairing it again) drops
the stored hash: the next request is refused. The last contact is written at most once a
minute, by one UPDATE that only a stale row matches.

The pages of each kind are the apps' (queueing: the kiosk and the board): they name their
start page with `home_register(kind, url_name)` in their AppConfig.ready.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone

from sso.core.throttling import client_address

COOKIE = "sso_device"
COOKIE_SALT = "sso.core.device"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie (Chrome's cap)
PAIRING_MINUTES = 10
PAIRING_CODE_DIGITS = 8
# Pairing attempts per client address: 8 digits guessed 10 at a time per 10 minutes.
PAIR_ATTEMPTS = (10, 600)
CONTACT_EVERY = timedelta(minutes=1)

_HOMES: dict[str, str] = {}


def home_register(kind: str, url_name: str) -> None:
    """The page a paired device of `kind` opens on (an app's URL name)."""
    _HOMES[kind] = url_name


def home_url_name(kind: str) -> str | None:
    return _HOMES.get(kind)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pairing_code_make() -> str:
    return f"{secrets.randbelow(10**PAIRING_CODE_DIGITS):0{PAIRING_CODE_DIGITS}d}"


def token_make() -> str:
    return secrets.token_urlsafe(32)


def credential_set(request, response, token: str) -> None:
    """Give the screen its credential (signed, so a forged cookie is not even looked up)."""
    response.set_signed_cookie(
        COOKIE,
        token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def request_device(request):
    """The live (paired, not revoked) device whose credential the request carries, or None."""
    if hasattr(request, "_device"):
        return request._device
    from sso.core.models import Device

    device = None
    token = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    if token:
        device = (
            Device.objects.select_related("office")
            .filter(token_hash=secret_hash(token), revoked_at__isnull=True, office__is_active=True)
            .first()
        )
    request._device = device
    return device


def contact(device) -> None:
    """Note the device's last contact, at most once a minute (one UPDATE when stale)."""
    from django.db.models import Q

    from sso.core.models import Device

    now = timezone.now()
    if device.last_contact_at is not None and now - device.last_contact_at < CONTACT_EVERY:
        return
    Device.objects.filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=now - CONTACT_EVERY), pk=device.pk
    ).update(last_contact_at=now)
    device.last_contact_at = now


def device_required(*kinds):
    """Open a view to a device of one of `kinds` only; the view gets it as its second
    argument. Anyone else (a staff member too: a public screen holds no staff session) is
    refused with 403 and told how to pair the screen."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            device = request_device(request)
            if device is None or device.kind not in kinds:
                return render(request, "core/device_refused.html", status=403)
            contact(device)
            return view(request, device, *args, **kwargs)

        return wrapper

    return decorate


# A stream a device holds open (the board's events) outlives the request that checked its
# credential: revoking or pairing the device again marks it cut here (Redis, no database), and
# the stream ends at its next check.
CUT_SECONDS = 15 * 60


def _cut_key(device_id) -> str:
    return f"device:cut:{device_id}"


def device_cut(device_id) -> None:
    cache.set(_cut_key(device_id), timezone.now().timestamp(), CUT_SECONDS)


def device_cut_since(device_id, started: float) -> bool:
    """Whether the device was revoked or paired again after `started` (a timestamp)."""
    cut = cache.get(_cut_key(device_id))
    return cut is not None and cut >= started


def rate_spent(scope: str, ident: str, limit: int, seconds: int) -> bool:
    """Count one more use of `scope` by `ident` in a fixed window; True once past `limit`."""
    key = f"device:rate:{scope}:{ident}:{int(timezone.now().timestamp() // seconds)}"
    cache.add(key, 0, seconds + 1)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, seconds + 1)
        return False


def pair_attempt_spent(request) -> bool:
    limit, seconds = PAIR_ATTEMPTS
    return rate_spent("pair", client_address(request) or "unknown", limit, seconds)
