"""Messages to a customer's phone of their ticket: with their consent and number (taken at the
kiosk or the counter), a message when a chosen number of people are ahead, and one when called.

The call path is not slowed: a call's board event (queueing.events, one Redis round trip
already) also asks whether the office has any consent today (a key set by `notice_add`); only
then, after the call commits, is one task enqueued (`queueing.tasks.queue_notices_check`),
which reads the office's state as the phones do (queueing.phone, cached) and makes the
messages now due. Each message is a row made once per ticket and event (a unique pair: two
checks racing make one), and sent by its own task (`queueing.tasks.queue_notice_send`) through
the sender the settings choose (sso.core.messaging), retried with back-off while the gateway
fails; a message sent is never sent again (its row is locked while it is sent and marked sent
in the same transaction; the gateway is given the message's key, to drop a repeat if a worker
dies between the two). The number is erased once the call's message is sent, and nightly.
"""

import logging
import re

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from queueing.models import NoticeMessage, Ticket, TicketNotice
from sso.core.records import refuse, stamp
from sso.core.redis import redis_client

log = logging.getLogger("queueing.notices")

# The numbers of people ahead a customer may choose to be told at.
AHEAD_CHOICES = (1, 2, 3, 5, 10)
AHEAD_DEFAULT = 3
# Sends of one message before it is given up (1, 2, 4, ... 60 s apart: about 8 minutes).
SEND_TRIES = 12
SEND_BACKOFF_MAX = 60
# How long an office's "someone wants messages today" mark lasts after the last consent.
WANTED_SECONDS = 24 * 3600

_THAI_MOBILE = re.compile(r"^0[689]\d{8}$")
BAD_PHONE = gettext_lazy("Enter a Thai mobile number of 10 digits (for example 0812345678).")


def wanted_key(office_id: int) -> str:
    """Set while the office has a consent today: a call then asks for the messages due."""
    return f"queue:notify:{office_id}"


def phone_clean(raw: str) -> str:
    """A Thai mobile number in E.164 (+66...), from what was typed (spaces and dashes allowed,
    +66 or 0 in front); else a refusal."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    if not _THAI_MOBILE.match(digits):
        refuse("notify_phone", BAD_PHONE, "phone")
    return "+66" + digits[1:]


@transaction.atomic
def notice_add(*, ticket: Ticket, phone: str, ahead: int, language: str = "th", officer=None, now=None) -> TicketNotice:
    """The customer's consent to messages of this ticket (audited, the number left out of the
    history). Refused, and nothing stored, for a bad number or a choice outside the list."""
    phone = phone_clean(phone)
    try:
        ahead = int(ahead)
    except (TypeError, ValueError):
        ahead = -1
    if ahead not in AHEAD_CHOICES:
        refuse("notify_ahead", _("Choose when to be told from the list."), "ahead")
    if ticket.status not in (Ticket.Status.WAITING,):
        refuse("notify_phone", _("This ticket has already been called."), "not_waiting")
    notice = TicketNotice(
        ticket=ticket,
        office_id=ticket.office_id,
        service_day=ticket.service_day,
        phone=phone,
        ahead=ahead,
        language="en" if (language or "").startswith("en") else "th",
        consented_at=now or timezone.now(),
    )
    stamp(notice, officer, "consent given at the kiosk" if officer is None else "consent taken at the counter")
    notice.save()
    office_id = ticket.office_id

    def wake():
        redis_client().set(wanted_key(office_id), 1, ex=WANTED_SECONDS)
        office_wake(office_id)  # already near the head: told at once

    transaction.on_commit(wake)
    return notice


def office_wake(office_id: int) -> None:
    """Ask a worker for the office's messages now due. Called after a call commits (and never
    raising: a broker that fails costs the messages, not the call)."""
    from queueing.tasks import queue_notices_check

    try:
        queue_notices_check.apply_async((office_id,), retry=False)
    except Exception:  # noqa: BLE001 - the queue goes on without its messages
        log.exception("could not enqueue the messages of office %s", office_id)


def _text(notice: TicketNotice, ticket: Ticket, event: str, state: dict) -> str:
    with translation.override(notice.language):
        if event == NoticeMessage.Event.CALLED:
            return _("SSO queue %(code)s: your turn, please go to counter %(counter)s.") % {
                "code": ticket.code,
                "counter": state.get("counter") or "",
            }
        return _("SSO queue %(code)s: %(ahead)s people ahead of you. Please be near the counters.") % {
            "code": ticket.code,
            "ahead": state.get("ahead", 0),
        }


def notices_check(*, office_id: int, now=None) -> list[int]:
    """Make the office's messages now due (once each) and return their ids to send: "called"
    for a ticket called or being served, "ahead" for one waiting with its chosen number or
    fewer ahead (not once it is called: the call's message says more)."""
    from queueing import phone

    now = now or timezone.now()
    notices = list(
        TicketNotice.objects.filter(office_id=office_id, service_day=timezone.localdate(now))
        .exclude(phone="")
        .select_related("ticket")
        .prefetch_related("messages")
    )
    if not notices:
        return []
    tickets = phone.office_state(office_id)["tickets"]
    due = []
    for notice in notices:
        state = tickets.get(str(notice.ticket_id))
        if state is None:
            continue
        made = {message.event for message in notice.messages.all()}
        if state["status"] in (Ticket.Status.CALLED, Ticket.Status.SERVING):
            event = NoticeMessage.Event.CALLED
        elif state["status"] == Ticket.Status.WAITING and state.get("ahead", 10**6) <= notice.ahead:
            event = NoticeMessage.Event.AHEAD
        else:
            continue
        if event in made or (event == NoticeMessage.Event.AHEAD and NoticeMessage.Event.CALLED in made):
            continue
        try:
            with transaction.atomic():
                message = NoticeMessage.objects.create(
                    notice=notice, event=event, text=_text(notice, notice.ticket, event, state), created_at=now
                )
        except IntegrityError:  # another check made it first: it sends it
            continue
        due.append(message.pk)
    return due


class NotSentYet(Exception):
    """The gateway did not take the message this time (the task retries)."""


def notice_send(*, message_id: int, final: bool = False, now=None) -> str:
    """Send one message through the settings' sender, once: a message already sent (or given
    up) is left alone. A failure worth retrying counts the attempt and raises NotSentYet (or,
    with `final`, gives the message up); a refusal gives it up at once. Returns its status."""
    from sso.core import messaging

    failure = None
    with transaction.atomic():
        message = NoticeMessage.objects.select_for_update().select_related("notice").filter(pk=message_id).first()
        if message is None or message.status != NoticeMessage.Status.PENDING:
            return message.status if message else "gone"
        notice = message.notice
        if not notice.phone:  # the day ended (the number erased): nothing to send to
            message.status = NoticeMessage.Status.SKIPPED
            message.save(update_fields=["status"])
            return message.status
        try:
            messaging.sender().send(phone=notice.phone, text=message.text, key=str(message.key))
        except messaging.SendRefused as exc:
            message.status, message.error = NoticeMessage.Status.FAILED, str(exc)[:200]
        except messaging.SendFailed as exc:
            failure = str(exc)[:200]
        else:
            message.status, message.sent_at, message.error = NoticeMessage.Status.SENT, now or timezone.now(), ""
            if message.event == NoticeMessage.Event.CALLED:  # the last message: the number goes
                TicketNotice.objects.filter(pk=notice.pk).update(phone="")
        message.attempts += 1
        if failure is not None and final:
            message.status, message.error = NoticeMessage.Status.FAILED, failure
        elif failure is not None:
            message.error = failure
        message.save(update_fields=["status", "attempts", "error", "sent_at"])
    if failure is not None and not final:
        raise NotSentYet(failure)
    return message.status


def notice_phones_erase(*, before_day) -> int:
    """Erase the numbers of the consents of days before `before_day` (nightly; idempotent)."""
    return TicketNotice.objects.filter(service_day__lt=before_day).exclude(phone="").update(phone="")
