"""A second officer's password typed on another officer's screen (four eyes).

Not a sign-in: it goes around django-axes, so wrong passwords here never lock the confirming
officer out of the system (a counter officer could otherwise lock their supervisor out with a
few wrong tries). Its own counter, per form, confirming officer and asking officer, blocks
that confirmation only, for CONFIRM_BLOCK_MINUTES after CONFIRM_FAILURE_LIMIT wrong tries.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _key(purpose: str, username: str, asked_by) -> str:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]
    # The join time guards against a reused id (a restored database, a test run).
    joined = asked_by.date_joined.timestamp() if asked_by.date_joined else 0
    return f"confirm-failures:{purpose}:{asked_by.pk}:{joined}:{name}"


def password_confirm(*, purpose: str, username: str, password: str, asked_by):
    """The active user `username` if `password` is theirs, else None. Raises ValidationError
    (code "confirm_blocked") while this confirmation is blocked after too many wrong tries."""
    key = _key(purpose, username, asked_by)
    failures = cache.get(key, 0)
    if failures >= settings.CONFIRM_FAILURE_LIMIT:
        raise ValidationError(
            _(
                "Too many wrong passwords for this confirmation: try again in %(minutes)d minutes "
                "(the supervisor's own sign-in is not affected)."
            ),
            code="confirm_blocked",
            params={"minutes": settings.CONFIRM_BLOCK_MINUTES},
        )
    model = get_user_model()
    user = model._default_manager.filter(**{model.USERNAME_FIELD: username, "is_active": True}).first()
    if user is None:
        model().set_password(password)  # the same time as a wrong password: names are not revealed
        ok = False
    else:
        ok = user.check_password(password)
    if ok:
        cache.delete(key)
        return user
    if failures == 0:
        cache.set(key, 1, settings.CONFIRM_BLOCK_MINUTES * 60)
    else:
        try:
            cache.incr(key)
        except ValueError:  # expired between the read and now
            cache.set(key, 1, settings.CONFIRM_BLOCK_MINUTES * 60)
    logger.warning("Four-eyes confirmation (%s) by %s failed for %s", purpose, username, asked_by)
    return None


def form_supervisor_confirm(form, *, purpose: str, asked_by):
    """The officer confirming on a form's `supervisor` and `supervisor_password` fields (a
    claim's override, a merge of plainly different persons), or None with the reason on the
    form: a wrong name or password, or this confirmation blocked after too many of them."""
    data = form.cleaned_data
    try:
        supervisor = password_confirm(
            purpose=purpose,
            username=data["supervisor"],
            password=data["supervisor_password"],
            asked_by=asked_by,
        )
    except ValidationError as exc:
        form.add_error("supervisor_password", exc)
        return None
    if supervisor is None:
        form.add_error("supervisor_password", _("The supervisor's username or password is wrong."))
    return supervisor
