"""The project's URLs plus call-next and the kiosk's ticket three ways, for
`bench/queue_bench.py --compare` (benchmark only):

- /api/queue/... : the production path (sso.wsgi: the fast path ahead of Django);
- /bench/plain/... : a plain Django function view through the whole middleware stack, with
  the token cache, permission check, API rates, office scope, service function and JSON of
  the DRF view, without DRF (what the fast path is measured against);
- /bench/drf/... : the DRF views themselves, through the middleware stack.

A refusal in the plain view is handed to the DRF view, as the fast path hands it to Django.
"""

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import APIException

from queueing import services
from queueing.api.serializers import CallNextInputSerializer, TicketIssueInputSerializer, ticket_data
from queueing.api.views import COUNTER_ACTIONS, TicketIssueView
from queueing.models import Counter, Service, Ticket
from queueing.selectors import ticket_people_ahead_and_wait
from sso.core import converters  # noqa: F401 - registers <id:...>
from sso.core.api.authentication import CachedTokenAuthentication
from sso.core.converters import BIGINT_MAX
from sso.core.policy import CONTROL_TEXT, api_rate_allows
from sso.core.scoping import scope_office_id

CLOSE_CHOICES = frozenset(CallNextInputSerializer().fields["close_current"].choices) | {""}
REF_MAX_LENGTH = TicketIssueInputSerializer().fields["customer_ref"].max_length
CallNextView = COUNTER_ACTIONS["call-next"]
_drf_call_next = CallNextView.as_view(action_name="call-next")
_drf_issue = TicketIssueView.as_view()


def _json(request) -> dict | None:
    if request.content_type != "application/json" and request.body:
        return None
    try:
        data = json.loads(request.body) if request.body else {}
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _caller(request, permissions):
    """The token's user if they hold `permissions` and are within the API's rates; None
    leaves the request to DRF (which refuses it, or counts it and answers 429)."""
    auth = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(auth) != 2 or auth[0] != "Token" or CONTROL_TEXT.search(auth[1]):
        return None
    try:
        user, token = CachedTokenAuthentication().authenticate_credentials(auth[1])
    except APIException:
        return None
    if not (user.is_active and user.has_perms(permissions)):
        return None
    if not api_rate_allows(user, token, request.META):
        return None
    return user


def _answer(data: dict, status: int) -> HttpResponse:
    content = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    content = content.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    response = HttpResponse(content, status=status, content_type="application/json")
    response["Vary"] = "Accept"
    response["Allow"] = "POST, OPTIONS"
    return response


@csrf_exempt
def counter_call_next(request, pk):
    if request.method == "POST":
        data = _json(request)
        close_current = data.get("close_current", "") if data is not None else None
        if isinstance(close_current, str) and close_current in CLOSE_CHOICES:
            user = _caller(request, CallNextView.required_permissions)
            if user is not None:
                try:
                    ticket = services.ticket_call_next(
                        counter_id=pk,
                        officer=user,
                        scope_office_id=scope_office_id(user),
                        close_current=close_current or None,
                    )
                except (Counter.DoesNotExist, ValidationError):
                    pass  # refused, nothing changed: DRF answers with the reason
                else:
                    return _answer(ticket_data(ticket), 200)
    return _drf_call_next(request, pk=pk)


@csrf_exempt
def ticket_issue(request):
    if request.method == "POST" and (data := _json(request)) is not None:
        service_id, kind = data.get("service"), data.get("customer_kind")
        ref, priority = data.get("customer_ref", ""), data.get("priority", int(Ticket.Priority.REGULAR))
        if (
            type(service_id) is int
            and 0 < service_id <= BIGINT_MAX
            and kind in Ticket.CustomerKind.values
            and isinstance(ref, str)
            and len(ref) <= REF_MAX_LENGTH
            and type(priority) is int
            and priority in Ticket.Priority.values
            and (user := _caller(request, TicketIssueView.required_permissions)) is not None
        ):
            try:
                ticket = services.ticket_issue_in_scope(
                    service_id=service_id,
                    scope_office_id=scope_office_id(user),
                    customer_kind=kind,
                    customer_ref=ref,
                    priority=priority,
                )
            except (Service.DoesNotExist, ValidationError):
                pass  # refused before anything was written: DRF answers with the reason
            else:
                ahead, wait = ticket_people_ahead_and_wait(ticket)
                return _answer({**ticket_data(ticket), "people_ahead": ahead, "estimated_wait_minutes": wait}, 201)
    return _drf_issue(request)


urlpatterns = [
    path("bench/plain/counters/<id:pk>/call-next/", counter_call_next),
    path("bench/plain/issue/", ticket_issue),
    path("bench/drf/counters/<id:pk>/call-next/", _drf_call_next),
    path("bench/drf/issue/", _drf_issue),
    path("", include("sso.urls")),
]
