"""Call-next and the kiosk's ticket served ahead of Django's middleware and DRF: the hot paths.

Calling next is one database round trip (queue_call_next); around it, the middleware
chain, URL resolution and DRF's request wrapping, content negotiation and serializer cost
more server time than the call itself (bench/README.md, "queue": the fast path against a
plain Django view and the DRF view). A token-authenticated
`POST /api/queue/counters/<id>/call-next/` that succeeds is answered here, with the same
service function, the same token cache, permission check and API rates, and the same JSON
as the DRF view (`CounterActionView`, which stays the documented endpoint and the only one
for sessions). The middleware's protections come from the same module the middleware reads,
sso.core.policy: a host not served, plain HTTP where HTTPS is required, or a control
character anywhere in the request goes to Django, and the answer carries the middleware's
headers. Anything else goes on to Django untouched too: another path, a session caller, a
bad token, a missing permission, a caller over their rate, input the serializer would
refuse, and every refusal of the call itself. A refusal changes nothing (the function's
transaction rolled back), so Django answers it afresh, with the reason in the caller's
language.

A customer's phone polling its ticket (`GET /queue/t/<token>/state/?office=<id>`, every
half second to 3 s, 300 phones an office) is answered here too, from the office's cached
state (queueing.phone) with the view's rate limit: the middleware's chain cost each poll more
than the answer (bench/README.md, "call-next with 300 phones"). A refusal, a ticket the
state does not hold and every other page of the ticket go to Django.

The kiosk's `POST /api/queue/issue/` is served the same way (`TicketIssueView`'s answer:
the ticket, people ahead and the wait). Input its serializer would read differently (a
number given as a string, say) goes to Django, as does every refusal: an invalid ID or
an inactive service is refused before anything is written.

sso/wsgi.py wraps the application with this class because settings.WSGI_WRAPPERS names it.
"""

import io
import json
import logging
import re
from types import SimpleNamespace

from django.core import signals
from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from queueing import devices, phone, services
from queueing.api.serializers import CallNextInputSerializer, TicketIssueInputSerializer, ticket_data
from queueing.api.views import CounterActionView, TicketIssueView
from queueing.models import Counter, Service, Ticket
from queueing.selectors import ticket_people_ahead_and_wait
from sso.core.api.authentication import CachedTokenAuthentication
from sso.core.converters import BIGINT_MAX
from sso.core.devices import rate_spent
from sso.core.policy import CONTROL_TEXT, answer_headers, api_rate_allows, is_secure, request_refused
from sso.core.scoping import scope_office_id
from sso.core.throttling import client_address

logger = logging.getLogger("django.request")

PATH = re.compile(r"/api/queue/counters/(\d{1,18})/call-next/")
PHONE_POLL_PATH = re.compile(r"/queue/t/([A-Za-z0-9_:.-]{1,200})/state/")
PHONE_POLL_QUERY = re.compile(r"office=(\d{1,18})")
ISSUE_PATH = "/api/queue/issue/"
MAX_BODY = 4096
CLOSE_CHOICES = frozenset(CallNextInputSerializer().fields["close_current"].choices) | {""}
REF_MAX_LENGTH = TicketIssueInputSerializer().fields["customer_ref"].max_length


def _response_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers Django's middleware (sso.core.policy) and DRF's view would add."""
    return [
        ("Content-Type", "application/json"),
        ("Vary", "Accept"),
        ("Allow", "POST, OPTIONS"),
        *answer_headers(secure),
    ]


class QueueFastPath:
    """WSGI middleware: answers the successful token call-next and ticket issue itself, and
    passes on the rest."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith("/queue/t/"):
            answer = self._phone_poll(environ)
            if answer is None:
                return self.app(environ, start_response)
            start_response("200 OK", answer[0])
            return [answer[1]]
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        match = PATH.fullmatch(path)
        if match is None and path != ISSUE_PATH:
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if length > MAX_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length) if length else b""
        # Whatever happens below, Django can still read the body.
        environ["wsgi.input"] = io.BytesIO(body)
        data, secure = self._data(environ, body)
        answer = None
        if data is not None:
            if match is not None:
                answer = self._serve(environ, secure, self._call_next, int(match[1]), data)
            else:
                answer = self._serve(environ, secure, self._issue, data)
        if answer is None:
            return self.app(environ, start_response)
        status, headers, content = answer
        start_response(status, headers)
        return [content]

    def _phone_poll(self, environ):
        """A customer's phone asking its ticket's state (`ticket_public_state`): answered from
        the office's cached state, the same answer as the view's, when the link is good, the
        address within its rate and the state holds the ticket; anything else (a refusal, a
        ticket read by its key) goes to Django."""
        match = PHONE_POLL_PATH.fullmatch(environ.get("PATH_INFO", ""))
        office = PHONE_POLL_QUERY.fullmatch(environ.get("QUERY_STRING", ""))
        if match is None or office is None or request_refused(environ, environ["PATH_INFO"], b""):
            return None
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            address = client_address(SimpleNamespace(META=environ)) or "unknown"
            if rate_spent("phone-poll", address, phone.POLLS_PER_MINUTE, 60):
                return None  # Django answers 429 (and counts this one again: the limit errs strict)
            pk = devices.ticket_id_from_token(match[1], max_age=phone.PHONE_TICKET_SECONDS)
            state = phone.ticket_state(pk, int(office[1])) if pk is not None else None
            if state is None:
                return None
            content = json.dumps(state, separators=(", ", ": ")).encode()
        finally:
            signals.request_finished.send(sender=self.__class__)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(content)))]
        return [*headers, *answer_headers(is_secure(environ))], content

    def _data(self, environ, body: bytes):
        """The request's JSON object and whether it came over HTTPS; (None, _) leaves it to Django."""
        secure = is_secure(environ)
        if request_refused(environ, environ.get("PATH_INFO", ""), body):
            return None, secure  # Django refuses it, in the caller's language
        if not environ.get("CONTENT_TYPE", "").startswith("application/json") and body:
            return None, secure
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return None, secure
        return (data if isinstance(data, dict) else None), secure

    def _caller(self, environ, permissions):
        """The token's user if they hold `permissions`; None leaves it to DRF."""
        auth = environ.get("HTTP_AUTHORIZATION", "").split()
        if len(auth) != 2 or auth[0] != "Token" or CONTROL_TEXT.search(auth[1]):
            return None
        try:
            user, token = CachedTokenAuthentication().authenticate_credentials(auth[1])
        except APIException:
            return None
        if not (user.is_active and user.has_perms(permissions)):
            return None
        if not api_rate_allows(user, token, environ):
            return None  # DRF's view answers 429
        return user

    def _serve(self, environ, secure: bool, handler, *args):
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = handler(environ, *args)
            if answer is None:
                return None
            status, data = answer
            content = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            content = content.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
            headers = [*_response_headers(secure), ("Content-Length", str(len(content)))]
            return status, headers, content
        except Exception:
            # The call or the ticket may have been made: never hand it on to be made twice.
            logger.exception("Internal Server Error: %s", environ.get("PATH_INFO"))
            content = b'{"detail":"Server Error (500)"}'
            return "500 Internal Server Error", [("Content-Type", "application/json")], content
        finally:
            signals.request_finished.send(sender=self.__class__)

    def _call_next(self, environ, counter_id: int, data: dict):
        close_current = data.get("close_current", "")
        if not isinstance(close_current, str) or close_current not in CLOSE_CHOICES:
            return None
        user = self._caller(environ, CounterActionView.required_permissions)
        if user is None:
            return None
        try:
            ticket = services.ticket_call_next(
                counter_id=counter_id,
                officer=user,
                scope_office_id=scope_office_id(user),
                close_current=close_current or None,
            )
        except (Counter.DoesNotExist, ValidationError):
            return None  # refused, nothing changed: Django answers with the reason
        return "200 OK", ticket_data(ticket)

    def _issue(self, environ, data: dict):
        service_id, kind = data.get("service"), data.get("customer_kind")
        ref, priority = data.get("customer_ref", ""), data.get("priority", int(Ticket.Priority.REGULAR))
        if type(service_id) is not int or not 0 < service_id <= BIGINT_MAX or kind not in Ticket.CustomerKind.values:
            return None
        if not isinstance(ref, str) or len(ref) > REF_MAX_LENGTH:
            return None
        if type(priority) is not int or priority not in Ticket.Priority.values:
            return None
        user = self._caller(environ, TicketIssueView.required_permissions)
        if user is None:
            return None
        try:
            ticket = services.ticket_issue_in_scope(
                service_id=service_id,
                scope_office_id=scope_office_id(user),
                customer_kind=kind,
                customer_ref=ref,
                priority=priority,
            )
        except (Service.DoesNotExist, ValidationError):
            return None  # refused before anything was written: Django answers with the reason
        ahead, wait = ticket_people_ahead_and_wait(ticket)
        return "201 Created", {**ticket_data(ticket), "people_ahead": ahead, "estimated_wait_minutes": wait}
