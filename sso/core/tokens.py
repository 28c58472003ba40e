"""API tokens: issued with an expiry, revoked by their holder or an administrator.

A token is DRF's `authtoken.Token` (one per user, the key the client sends) with an
`ApiTokenInfo` row: when it expires (a member of staff's API_TOKEN_HOURS after issue, a
registered system client's API_SYSTEM_TOKEN_DAYS), and when it was last used. Every token
gets its row when it is created, however it is created (`_info_create` on post_save).

Revoking deletes the token: its key can never be used again. The worker processes keep
tokens in memory for a few seconds (`sso.core.api.authentication`); a revocation drops the
revoking process's copy at once and tells every other process through a number in Redis,
which each reads at most once a second.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sso.core.models import ApiTokenInfo

logger = logging.getLogger(__name__)

REVOCATIONS_KEY = "api-token-revocations"
# A token's last use is written when the stored time is at least this old: one write a minute
# at most, whatever the rate of calls.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_lifetime(*, system_client: bool) -> timedelta:
    if system_client:
        return timedelta(days=settings.API_SYSTEM_TOKEN_DAYS)
    return timedelta(hours=settings.API_TOKEN_HOURS)


def token_expires_at(token: Token):
    """When `token` stops working (from its info row; from its creation if it has none)."""
    try:
        return token.info.expires_at
    except ApiTokenInfo.DoesNotExist:
        return token.created + token_lifetime(system_client=False)


def api_token_issue(*, user, system_client: bool = False) -> Token:
    """A new token for `user`, replacing the one they had (which stops working at once)."""
    with transaction.atomic():
        for old in Token.objects.select_related("user", "info").filter(user=user):
            _revoke(old, by=None, reason="replaced")
        token = Token(user=user)
        token._system_client = system_client  # read by _info_create
        token.save()
    logger.info("API token issued to %s (system client: %s)", user, system_client)
    return token


def api_token_for_sign_in(*, user) -> Token:
    """The token a user signing in with their password receives: the one they hold while it
    is valid (as DRF's endpoint did), otherwise a new one of the same kind."""
    token = Token.objects.select_related("info").filter(user=user).first()
    if token is not None and token_expires_at(token) > timezone.now():
        return token
    system_client = bool(token is not None and getattr(getattr(token, "info", None), "system_client", False))
    return api_token_issue(user=user, system_client=system_client)


def api_token_revoke(*, token: Token, by=None) -> None:
    """Revoke `token` (its holder signing out, or an administrator)."""
    with transaction.atomic():
        _revoke(token, by=by, reason="revoked")


def _revoke(token: Token, *, by, reason: str) -> None:
    logger.info("API token of %s %s by %s", token.user, reason, by or token.user)
    # An expired token is refused by every worker already (none keeps a token past its
    # expiry): replacing it at a sign-in need not make every worker forget its tokens.
    token._expired = token_expires_at(token) <= timezone.now()
    token.delete()  # _dropped() forgets it in every worker


def api_token_touch(token: Token, now) -> None:
    """Record a use of `token`, at most once a minute (the stored time tells when it was last written)."""
    try:
        last = token.info.last_used_at
    except ApiTokenInfo.DoesNotExist:
        ApiTokenInfo.objects.get_or_create(
            token_id=token.key, defaults={"expires_at": token_expires_at(token), "last_used_at": now}
        )
        return
    if last is None or now - last >= LAST_USED_RESOLUTION:
        # Conditional, so that two workers refreshing the same token write once.
        stale = now - LAST_USED_RESOLUTION
        ApiTokenInfo.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), token_id=token.key
        ).update(last_used_at=now)
        token.info.last_used_at = now


def revocations_publish() -> None:
    """Tell every worker process to forget the tokens it keeps (one changed number in Redis)."""
    try:
        cache.set(REVOCATIONS_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.exception("API token revocation could not be published: other workers keep it up to 30 s")


def revocations_current():
    return cache.get(REVOCATIONS_KEY)


def _info_create(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    system_client = getattr(instance, "_system_client", False)
    ApiTokenInfo.objects.get_or_create(
        token=instance,
        defaults={
            "system_client": system_client,
            "expires_at": instance.created + token_lifetime(system_client=system_client),
        },
    )


def _dropped(sender, instance, **kwargs):
    from sso.core.api.authentication import token_cache_forget

    token_cache_forget(instance.key)
    if getattr(instance, "_expired", False):
        return

    def published():
        token_cache_forget(instance.key)
        revocations_publish()

    transaction.on_commit(published)


# A change of these decides what a token's holder may do: every worker drops the users it keeps.
_ACCESS_FIELDS = frozenset({"is_active", "is_staff", "is_superuser", "office"})


def _user_access_changed(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if created or raw or (update_fields is not None and not _ACCESS_FIELDS.intersection(update_fields)):
        return
    transaction.on_commit(revocations_publish)


def _user_roles_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        transaction.on_commit(revocations_publish)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed

    user_model = get_user_model()
    post_save.connect(_user_access_changed, sender=user_model, dispatch_uid="core.api_token_user_access")
    m2m_changed.connect(_user_roles_changed, sender=user_model.groups.through, dispatch_uid="core.api_token_user_roles")
    post_save.connect(_info_create, sender=Token, dispatch_uid="core.api_token_info")
    post_delete.connect(_dropped, sender=Token, dispatch_uid="core.api_token_dropped")
