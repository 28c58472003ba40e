"""Call-next and the kiosk's ticket served ahead of Django's middleware and DRF: the hot paths.

Calling next is one database round trip (queue_call_next); around it, the middleware
chain, URL resolution, DRF's request wrapping, content negotiation and serializer cost
several times the call itself on a 2-core server. A token-authenticated
`POST /api/queue/counters/<id>/call-next/` that succeeds is answered here, with the same
service function, the same token cache and permission check, and the same JSON as the DRF
view (`CounterActionView`, which stays the documented endpoint and the only one for
sessions). Anything else goes on to Django untouched: another path, a session caller, a
bad token, a missing permission, input the serializer would refuse, a host Django would
refuse, plain HTTP where HTTPS is required, and every refusal of the call itself. A refusal
changes nothing (the function's transaction rolled back), so Django answers it afresh,
with the reason in the caller's language.

The kiosk's `POST /api/queue/issue/` is served the same way (`TicketIssueView`'s answer:
the ticket, people ahead and the wait). Input its serializer would read differently (a
number given as a string, say) goes to Django, as does every refusal: an invalid ID or
an inactive service is refused before anything is written.
"""

import io
import json
import logging
import re

from django.conf import settings
from django.core import signals
from django.core.exceptions import ValidationError
from django.http.request import split_domain_port, validate_host
from rest_framework.exceptions import APIException

from queueing import services
from queueing.api.serializers import CallNextInputSerializer, TicketIssueInputSerializer, ticket_data
from queueing.api.views import CounterActionView, TicketIssueView
from queueing.models import Counter, Service, Ticket
from queueing.selectors import ticket_people_ahead_and_wait
from sso.core.api.authentication import CachedTokenAuthentication
from sso.core.converters import BIGINT_MAX
from sso.core.middleware import CONTROL_TEXT, control_characters_in_json, security_headers
from sso.core.scoping import scope_office_id

logger = logging.getLogger("django.request")

PATH = re.compile(r"/api/queue/counters/(\d{1,18})/call-next/")
ISSUE_PATH = "/api/queue/issue/"
MAX_BODY = 4096
CLOSE_CHOICES = frozenset(CallNextInputSerializer().fields["close_current"].choices) | {""}
REF_MAX_LENGTH = TicketIssueInputSerializer().fields["customer_ref"].max_length


def _response_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers Django's security, clickjacking and our headers middleware and DRF's view would add."""
    headers = [("Content-Type", "application/json"), ("Vary", "Accept"), ("Allow", "POST, OPTIONS")]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    headers.extend(security_headers())  # a ticket carries the customer's ID: never cached
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers


def _is_secure(environ) -> bool:
    if settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        return environ.get(header, "").split(",")[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def _host_allowed(environ) -> bool:
    if settings.USE_X_FORWARDED_HOST or settings.USE_X_FORWARDED_PORT:
        return False  # Django's own host logic, then
    domain, _port = split_domain_port(environ.get("HTTP_HOST", ""))
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


class QueueFastPath:
    """WSGI middleware: answers the successful token call-next and ticket issue itself, and
    passes on the rest."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
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

    def _data(self, environ, body: bytes):
        """The request's JSON object and whether it came over HTTPS; (None, _) leaves it to Django."""
        secure = _is_secure(environ)
        if (settings.SECURE_SSL_REDIRECT and not secure) or not _host_allowed(environ):
            return None, secure
        if not environ.get("CONTENT_TYPE", "").startswith("application/json") and body:
            return None, secure
        if control_characters_in_json(body):
            return None, secure  # refused by Django's ControlCharacterGuard, in the caller's language
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
            user, _token = CachedTokenAuthentication().authenticate_credentials(auth[1])
        except APIException:
            return None
        if not (user.is_active and user.has_perms(permissions)):
            return None
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
