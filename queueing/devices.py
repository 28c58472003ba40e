"""What the queue's public screens need beyond their views: the ticket's signed link and
its QR code (segno, an SVG drawn on the server: the kiosk's page runs no QR library).

A ticket is named outside the staff pages by a signed token (its id, signed with the
project's key and this salt), never by its id: a guessed link is refused (404), an old one
too once it is older than its page allows."""

import segno
from django.core import signing
from django.urls import NoReverseMatch, reverse

TICKET_SALT = "queueing.ticket"
# How long the kiosk's page of a ticket it printed opens (its return to the start is sooner).
KIOSK_TICKET_SECONDS = 15 * 60


def ticket_token(ticket) -> str:
    return signing.dumps(ticket.pk, salt=TICKET_SALT, compress=True)


def ticket_id_from_token(token: str, *, max_age: int) -> int | None:
    """The ticket id a token names, or None if it is tampered with or older than `max_age` s."""
    try:
        value = signing.loads(token, salt=TICKET_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def ticket_qr_content(request, ticket) -> str:
    """What the ticket's QR code holds: the ticket's public page on the customer's phone
    (`queueing:ticket_public`, with the ticket's token) where that page exists; until then
    the office, ticket number and day, as text."""
    try:
        return request.build_absolute_uri(reverse("queueing:ticket_public", args=[ticket_token(ticket)]))
    except NoReverseMatch:
        return f"SSO {ticket.office.code} {ticket.code} {ticket.service_day.isoformat()}"


def ticket_qr_svg(request, ticket, content: str | None = None) -> str:
    """The QR code printed on the ticket (of `content`, else `ticket_qr_content`)."""
    content = content or ticket_qr_content(request, ticket)
    return segno.make(content, error="m").svg_inline(scale=4, border=2, omitsize=True)
