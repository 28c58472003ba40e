"""The queue's pages: the kiosk, the counter console, the board, the public screens (a
device's), the ticket on the customer's phone, the live queue and the ticket list.

Over 500 lines: every page of the queue (staff, device and public) is here, as each app keeps
its pages in one views module; the planner's are in queueing.planning.
"""

import datetime
import json
import time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection as db_connection
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from queueing import devices, events, notices, phone, services
from queueing.filters import OfficeTicketFilter
from queueing.forms import FinishForm, KioskForm, TransferForm
from queueing.models import Counter, Rating, ServiceKind, Ticket
from queueing.selectors import (
    board_state,
    board_waiting,
    counter_current_ticket,
    counter_get_for_user,
    counter_list,
    queue_live,
    queue_live_national,
    service_time_report,
    ticket_customer_record,
    ticket_get_for_user,
    ticket_people_ahead_and_wait,
)
from queueing.selectors import (
    ticket_list as ticket_list_of,
)
from sso.core.devices import device_cut_since, device_required, rate_spent
from sso.core.formats import date_numeric
from sso.core.forms import PublicNoticeForm, ThaiDateField, errors_to_form
from sso.core.models import Device
from sso.core.scoping import sees_all_offices
from sso.core.selectors import office_get_for_user, office_list
from sso.core.services import office_notice_set
from sso.core.throttling import client_address


def _office(request):
    """The user's office; national roles may look at another with ?office=CODE."""
    code = request.GET.get("office") or request.POST.get("office")
    if code and sees_all_offices(request.user):
        return office_get_for_user(user=request.user, code=code)
    return request.user.office


def with_office(view):
    """Pass the office the page is about to the view; staff without an office are sent home."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        office = _office(request)
        if office is None:
            messages.error(request, _("Your account belongs to no office."))
            return redirect("home")
        return view(request, office, *args, **kwargs)

    return wrapper


# --- Kiosk --------------------------------------------------------------------------


@login_required
@permission_required("queueing.add_ticket", raise_exception=True)
@with_office
def kiosk(request, office):
    form = KioskForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid() and (ticket := _kiosk_issue(form, request.user)):
        return redirect("queueing:kiosk_ticket", pk=ticket.pk)
    return render(request, "queueing/kiosk.html", {"form": form, "office": office})


def _kiosk_issue(form, officer=None):
    """The ticket a valid kiosk form asks for (the staff kiosk's and a device's), or None with
    the refusal on the form. With a mobile number and consent, the customer's messages of the
    ticket are asked for in the same transaction (queueing.notices)."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            ticket = services.ticket_issue(
                service=data["service"],
                customer_kind=data["customer_kind"],
                customer_ref=data["customer_ref"],
                priority=data["priority"],
            )
            if data.get("notify_phone"):
                notices.notice_add(
                    ticket=ticket,
                    phone=data["notify_phone"],
                    ahead=data.get("notify_ahead") or notices.AHEAD_DEFAULT,
                    language=get_language() or "th",
                    officer=officer,
                )
            return ticket
    except ValidationError as exc:
        form.add_error(None, exc.messages[0] if hasattr(exc, "error_dict") else exc)
        return None


@login_required
@permission_required("queueing.add_ticket", raise_exception=True)
def kiosk_ticket(request, pk):
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    ahead, wait = ticket_people_ahead_and_wait(ticket)
    return render(request, "queueing/ticket.html", {"ticket": ticket, "ahead": ahead, "wait": wait})


# --- Counter console ----------------------------------------------------------------


@login_required
@permission_required("queueing.serve_counter", raise_exception=True)
@with_office
def counter_choose(request, office):
    mine = getattr(request.user, "counter", None)
    if mine is not None and request.GET.get("choose") is None:
        return redirect("queueing:console", pk=mine.pk)
    return render(
        request, "queueing/counter_choose.html", {"counters": counter_list(user=request.user, office_id=office.pk)}
    )


def _console_context(request, counter):
    ticket = counter_current_ticket(counter)
    return {
        "counter": counter,
        "ticket": ticket,
        "case": (ticket.case if ticket.case_id else ticket_customer_record(ticket, request.user)) if ticket else None,
        "finish_form": FinishForm(),
        "transfer_form": TransferForm(counter=counter),
        "signed_in": counter.officer_id == request.user.pk,
        "waiting": _counter_loads(counter),
    }


def _counter_loads(counter):
    """The waiting now of the services this counter serves (not the whole office's)."""
    served = {service.pk for service in counter.services.all()}
    return [load for load in queue_live(office_id=counter.office_id)["loads"] if load.service.pk in served]


@login_required
@permission_required("queueing.serve_counter", raise_exception=True)
def console(request, pk):
    counter = counter_get_for_user(user=request.user, pk=pk)
    template = "queueing/_console.html" if request.htmx else "queueing/console.html"
    return render(request, template, _console_context(request, counter))


ACTIONS = {
    "sign-in": lambda counter, officer, post: services.counter_sign_in(counter=counter, officer=officer),
    "sign-out": lambda counter, officer, post: services.counter_sign_out(counter=counter, officer=officer),
    "call-next": lambda counter, officer, post: services.ticket_call_next(counter_id=counter.pk, officer=officer),
    "recall": lambda counter, officer, post: services.ticket_recall(counter=counter, officer=officer),
    "start": lambda counter, officer, post: services.ticket_start(counter=counter, officer=officer),
    "no-show": lambda counter, officer, post: services.ticket_no_show(counter=counter, officer=officer),
}


@login_required
@permission_required("queueing.serve_counter", raise_exception=True)
@require_POST
def console_action(request, pk, action):
    counter = counter_get_for_user(user=request.user, pk=pk)
    try:
        if action in ACTIONS:
            ACTIONS[action](counter, request.user, request.POST)
        elif action == "finish":
            form = FinishForm(request.POST)
            if not form.is_valid():
                raise services.QueueError(_("Choose how the service ended."))
            services.ticket_finish(counter=counter, officer=request.user, outcome=form.cleaned_data["outcome"])
        elif action == "transfer":
            form = TransferForm(request.POST, counter=counter)
            if not form.is_valid():
                raise services.QueueError(" ".join(form.non_field_errors()) or _("Choose a valid target."))
            services.ticket_transfer(
                counter=counter,
                officer=request.user,
                to_service=form.cleaned_data.get("to_service"),
                to_counter=form.cleaned_data.get("to_counter"),
            )
        else:
            return HttpResponse(status=404)
    except services.QueueError as exc:
        messages.error(request, " ".join(exc.messages))
    counter.refresh_from_db()
    if request.htmx:
        return render(request, "queueing/_console.html", _console_context(request, counter))
    if action == "sign-out":
        return redirect(reverse("queueing:counter_choose") + "?choose=1")
    return redirect("queueing:console", pk=counter.pk)


# The services whose tickets are a benefit claim (the service kind is the benefit's code).
CLAIM_KINDS = {
    ServiceKind.SICKNESS,
    ServiceKind.MATERNITY,
    ServiceKind.INVALIDITY,
    ServiceKind.DEATH,
    ServiceKind.CHILD_ALLOWANCE,
    ServiceKind.OLD_AGE,
    ServiceKind.UNEMPLOYMENT,
}


def _case_url(ticket, record) -> str:
    """Where a ticket's case opens: an employer come to pay contributions goes straight to
    the contribution counter for that employer, an insured person come to claim a benefit to
    the claim recording page with the benefit chosen, anything else to the record's page."""
    from registry.selectors import registry_record_kind

    kind = registry_record_kind(record)
    if ticket.service.kind == ServiceKind.CONTRIBUTION and kind == Ticket.CustomerKind.EMPLOYER:
        return reverse("contributions:counter") + f"?employer={record.pk}"
    if ticket.service.kind in CLAIM_KINDS and kind == Ticket.CustomerKind.INSURED:
        return reverse("benefits:claim_new", args=[record.pk]) + f"?benefit={ticket.service.kind}"
    return record.get_absolute_url()


@login_required
@permission_required("queueing.serve_counter", raise_exception=True)
@require_POST
def console_case(request, pk):
    """Open the current ticket's case in one click: the case already linked, else the
    registry record of the ticket's ID (linked to the ticket from now on), else a search to
    find it: an employer's at the contribution counter's search (or the employer list), a
    person's at the registry search."""
    counter = counter_get_for_user(user=request.user, pk=pk)
    ticket = counter_current_ticket(counter)
    if ticket is None or counter.officer_id != request.user.pk:
        messages.error(request, _("There is no ticket at this counter."))
        return redirect("queueing:console", pk=counter.pk)
    if ticket.case_id and ticket.case is not None:
        return redirect(_case_url(ticket, ticket.case))
    record = ticket_customer_record(ticket, request.user)
    if record is not None:
        services.ticket_case_link(ticket=ticket, case=record, officer=request.user)
        return redirect(_case_url(ticket, record))
    if ticket.customer_kind == ticket.CustomerKind.EMPLOYER:
        # An employer without an account number on the ticket is searched for (by name, tax
        # ID or account, in every office), not registered: most who come are registered.
        if ticket.service.kind == ServiceKind.CONTRIBUTION:
            return redirect(
                reverse("contributions:counter") + (f"?account={ticket.customer_ref}" if ticket.customer_ref else "")
            )
        return redirect(
            reverse("registry:employer_list") + (f"?q={ticket.customer_ref}" if ticket.customer_ref else "")
        )
    return redirect(reverse("registry:search") + (f"?q={ticket.customer_ref}" if ticket.customer_ref else ""))


# --- Display board ------------------------------------------------------------------


def _board_page(request, office, *, page_url, events_url):
    """The board (or, with ?partial=1, its table): the server's clock, the calls, the waiting
    per service and the office's announcement line."""
    context = {
        "office": office,
        "state": board_state(office_id=office.pk),
        "loads": board_waiting(office_id=office.pk),
        "now_ms": int(timezone.now().timestamp() * 1000),
        "last_id": events.last_event_id(office.pk),
        "page_url": page_url,
        "events_url": events_url,
    }
    template = "queueing/_board.html" if request.GET.get("partial") else "queueing/board.html"
    return render(request, template, context)


@login_required
@permission_required("queueing.view_board", raise_exception=True)
@with_office
def board(request, office):
    query = f"?office={office.code}&"
    return _board_page(
        request,
        office,
        page_url=reverse("queueing:board") + query,
        events_url=reverse("queueing:board_events") + query,
    )


BOARD_STREAM_SECONDS = 300


def _board_stream(request, office_id, *, device=None):
    """Server-sent events: each call as it happens; a reconnect replays what it missed. A
    device's stream ends within seconds of the device being revoked (or paired again)."""
    started = time.time()
    raw_last = request.headers.get("Last-Event-ID") or request.GET.get("last") or "0"
    last_id = int(raw_last) if raw_last.isdigit() else 0

    def stream():
        # A board holds its stream for minutes: it must not hold a database connection too.
        db_connection.close()
        pubsub = events.redis_client().pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(events.channel(office_id))
        try:
            yield "retry: 1000\n\n"
            seen = last_id
            for event in events.events_since(office_id, seen):
                seen = event["id"]
                yield f"id: {event['id']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
            deadline = time.monotonic() + BOARD_STREAM_SECONDS
            quiet_since = time.monotonic()
            while time.monotonic() < deadline:
                message = pubsub.get_message(timeout=1.0)
                if device is not None and device_cut_since(device.pk, started):
                    return
                if message is None:
                    if time.monotonic() - quiet_since > 15:
                        quiet_since = time.monotonic()
                        yield ": keep-alive\n\n"
                    continue
                event = json.loads(message["data"])
                if event["id"] <= seen:
                    continue
                seen = event["id"]
                quiet_since = time.monotonic()
                yield f"id: {event['id']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
        finally:
            pubsub.close()

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
@permission_required("queueing.view_board", raise_exception=True)
@with_office
def board_events(request, office):
    return _board_stream(request, office.pk)


@login_required
@permission_required("core.set_public_notice", raise_exception=True)
@with_office
def board_notice(request, office):
    """The supervisor sets the line of announcements the office's public screens show."""
    form = PublicNoticeForm(request.POST or None, initial={"public_notice": office.public_notice})
    if request.method == "POST" and form.is_valid():
        try:
            office_notice_set(office=office, text=form.cleaned_data["public_notice"], officer=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The announcement is shown on the public screens."))
            return redirect(reverse("queueing:board_notice") + f"?office={office.code}")
    return render(request, "queueing/board_notice.html", {"office": office, "form": form})


# --- Public screens (a device credential, no staff session) -------------------------


# Tickets one kiosk may issue in a minute: a person takes about fifteen seconds.
KIOSK_TICKETS_PER_MINUTE = 20
# Seconds of no touch before a kiosk returns to its start (the form is cleared), and before
# its ticket page does if the printer never says it printed.
KIOSK_IDLE_SECONDS = 45
KIOSK_TICKET_SECONDS = 20


@device_required(Device.Kind.KIOSK)
def device_kiosk(request, device):
    """The kiosk in kiosk mode: the office's services, the ID by keypad or card reader."""
    office = device.office
    form = KioskForm(request.POST or None, office=office)
    status = 200
    if request.method == "POST":
        if rate_spent("kiosk", str(device.pk), KIOSK_TICKETS_PER_MINUTE, 60):
            form.is_valid()
            form.add_error(None, _("Too many tickets from this kiosk in a minute: please wait a moment."))
            status = 429
        elif form.is_valid() and (ticket := _kiosk_issue(form)):
            return redirect("queueing:device_kiosk_ticket", token=devices.ticket_token(ticket))
    context = {"form": form, "office": office, "idle_seconds": KIOSK_IDLE_SECONDS}
    return render(request, "queueing/device_kiosk.html", context, status=status)


@device_required(Device.Kind.KIOSK)
def device_kiosk_ticket(request, device, token):
    """The ticket the kiosk just issued, laid out for its 80 mm printer, with its QR code."""
    pk = devices.ticket_id_from_token(token, max_age=devices.KIOSK_TICKET_SECONDS)
    ticket = Ticket.objects.select_related("service", "office").filter(pk=pk, office_id=device.office_id).first()
    if pk is None or ticket is None:
        raise Http404("No such ticket.")
    ahead, wait = ticket_people_ahead_and_wait(ticket)
    link = devices.ticket_qr_content(request, ticket)
    context = {
        "ticket": ticket,
        "ahead": ahead,
        "wait": wait,
        "link": link,
        "qr": devices.ticket_qr_svg(request, ticket, link),
        "idle_seconds": KIOSK_TICKET_SECONDS,
    }
    return render(request, "queueing/device_ticket.html", context)


@device_required(Device.Kind.BOARD)
def device_board(request, device):
    return _board_page(
        request,
        device.office,
        page_url=reverse("queueing:device_board") + "?",
        events_url=reverse("queueing:device_board_events") + "?",
    )


@device_required(Device.Kind.BOARD)
def device_board_events(request, device):
    return _board_stream(request, device.office_id, device=device)


@device_required(Device.Kind.COUNTER_DISPLAY)
def device_counter_display(request, device):
    """The display above a counter: the counter's number and the ticket it serves now."""
    counter = Counter.objects.filter(display=device).first()
    context = {
        "office": device.office,
        "counter": counter,
        "serving": phone.counter_serving(device.office_id, counter.number) if counter else "",
        "poll_seconds": phone.COUNTER_SCREEN_POLL_SECONDS,
    }
    return render(request, "queueing/device_counter_display.html", context)


@device_required(Device.Kind.COUNTER_DISPLAY)
def device_counter_display_state(request, device):
    """The display's poll, from the office's cached state (no query of its own)."""
    counter = Counter.objects.filter(display=device).only("number", "office_id").first()
    return JsonResponse({"serving": phone.counter_serving(device.office_id, counter.number) if counter else ""})


def _tablet_context(device, **extra):
    counter = Counter.objects.filter(tablet=device).first()
    ticket = phone.counter_just_finished(counter) if counter else None
    return {
        "office": device.office,
        "counter": counter,
        "ticket": ticket,
        "token": devices.ticket_token(ticket) if ticket else "",
        "scores": Rating.Score.choices,
        "poll_seconds": 2,
        "errors": [],
        **extra,
    }


@device_required(Device.Kind.SATISFACTION)
def device_satisfaction(request, device):
    """The satisfaction tablet at a counter: once the counter finishes a ticket, it asks that
    ticket's customer for a rating (1-5 faces, an optional comment), once."""
    return render(request, "queueing/device_satisfaction.html", _tablet_context(device))


@device_required(Device.Kind.SATISFACTION)
def device_satisfaction_state(request, device):
    """The tablet's poll: the ticket to rate now, if any (the page reloads when it changes)."""
    counter = Counter.objects.filter(tablet=device).first()
    ticket = phone.counter_just_finished(counter) if counter else None
    return JsonResponse({"ticket": ticket.code if ticket else ""})


@device_required(Device.Kind.SATISFACTION)
@require_POST
def device_satisfaction_rate(request, device):
    """The rating given at the tablet: only of the ticket its counter has just finished."""
    counter = Counter.objects.filter(tablet=device).first()
    pk = devices.ticket_id_from_token(request.POST.get("ticket", ""), max_age=phone.TABLET_RATE_MINUTES * 60)
    ticket = phone.counter_just_finished(counter) if counter else None
    if ticket is None or ticket.pk != pk:
        context = _tablet_context(device, errors=[_("This ticket can no longer be rated here.")])
        return render(request, "queueing/device_satisfaction.html", context, status=400)
    try:
        services.rating_record(
            ticket=ticket, score=request.POST.get("score"), comment=request.POST.get("comment", ""), via="tablet"
        )
    except ValidationError as exc:
        return render(
            request, "queueing/device_satisfaction.html", _tablet_context(device, errors=exc.messages), status=400
        )
    return render(request, "queueing/device_satisfaction.html", _tablet_context(device, thanks=True))


# --- The ticket on the customer's phone (public: the QR's signed link is its only key) -----------

# Pages and forms one address may ask for in a minute (the polls have their own limit).
PHONE_PAGES_PER_MINUTE = 120


def _phone_ticket(request, token, *, limit=PHONE_PAGES_PER_MINUTE, scope="phone"):
    """The ticket of the QR's link; a tampered or expired link, or one past the address's
    limit, is a 404 / 429 that says nothing of any ticket."""
    if rate_spent(scope, client_address(request) or "unknown", limit, 60):
        return None, HttpResponse(_("Too many requests: please wait a moment."), status=429)
    ticket = phone.ticket_from_token(token)
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket, None


def _phone_context(request, token):
    """The page's context, or the refusal (429) to answer instead."""
    ticket, refused = _phone_ticket(request, token)
    if refused:
        return None, refused
    rated = ticket.status == Ticket.Status.DONE and Rating.objects.filter(ticket_id=ticket.pk).exists()
    context = {
        "ticket": ticket,
        "token": token,
        "state": phone.ticket_state_of(ticket),
        "rated": rated,
        "may_rate": ticket.outcome in services.RATED_OUTCOMES and not rated,
        "scores": Rating.Score.choices,
        "documents": phone.documents_to_bring(ticket.service) if ticket.status != Ticket.Status.DONE else [],
        "poll": {"every": phone.POLL_SECONDS, "near": phone.POLL_NEAR_SECONDS, "near_ahead": phone.NEAR_AHEAD},
        "errors": [],
    }
    return context, None


@require_safe
def ticket_public(request, token):
    """The ticket on the customer's phone: number, service, people ahead and wait, "your
    turn" with the counter, documents to bring, give up while waiting, rate once finished."""
    context, refused = _phone_context(request, token)
    return refused or render(request, "queueing/ticket_public.html", context)


@require_safe
def ticket_public_state(request, token):
    """The page's poll: this ticket's state from the office's cached state (no query of its
    own while the ticket is open), rate-limited per address."""
    if rate_spent("phone-poll", client_address(request) or "unknown", phone.POLLS_PER_MINUTE, 60):
        return JsonResponse({"error": str(_("Too many requests: please wait a moment."))}, status=429)
    pk = devices.ticket_id_from_token(token, max_age=phone.PHONE_TICKET_SECONDS)
    office_id = request.GET.get("office", "")
    if pk is None:
        raise Http404("No such ticket.")
    state = phone.ticket_state(pk, int(office_id)) if office_id.isdigit() else None
    if state is None:  # not the office's ticket of today, or finished a while ago: read it
        ticket = Ticket.objects.select_related("service").filter(pk=pk).first()
        if ticket is None:
            raise Http404("No such ticket.")
        state = phone.ticket_state_of(ticket)
    return JsonResponse(state)


@require_POST
def ticket_public_give_up(request, token):
    """The customer gives up the ticket (while it waits): cancelled, not a no-show."""
    context, refused = _phone_context(request, token)
    if refused:
        return refused
    try:
        services.ticket_give_up(ticket=context["ticket"])
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "queueing/ticket_public.html", context, status=400)
    return redirect("queueing:ticket_public", token=token)


@require_POST
def ticket_public_rate(request, token):
    """The customer's rating (1-5, an optional comment) of the finished ticket, once."""
    context, refused = _phone_context(request, token)
    if refused:
        return refused
    try:
        services.rating_record(
            ticket=context["ticket"], score=request.POST.get("score"), comment=request.POST.get("comment", "")
        )
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "queueing/ticket_public.html", context, status=400)
    return redirect("queueing:ticket_public", token=token)


# --- Supervisor ---------------------------------------------------------------------


@login_required
@permission_required("queueing.view_queue_live", raise_exception=True)
@with_office
def live(request, office):
    """An office's queue now; a national role picks the office (?office=CODE) from a list."""
    if request.htmx:
        return render(request, "queueing/_live.html", {"office": office, "live": queue_live(office_id=office.pk)})
    offices = None
    if sees_all_offices(request.user):
        offices = office_list(user=request.user).filter(is_active=True).order_by("code")
    return render(
        request, "queueing/live.html", {"office": office, "live": queue_live(office_id=office.pk), "offices": offices}
    )


@login_required
@permission_required("queueing.view_queue_live", raise_exception=True)
@permission_required("core.view_all_offices", raise_exception=True)
def live_national(request):
    """Every active office's queue now, side by side per kind of service: the waiting tickets,
    the longest wait, and a flag where it passes the service's target."""
    offices = queue_live_national(user=request.user)
    kinds_offered = {load.service.kind for office in offices for load in office.loads}
    kinds = [(kind, label) for kind, label in ServiceKind.choices if kind in kinds_offered]
    rows = [(office, [office.load(kind) for kind, _label in kinds]) for office in offices]
    template = "queueing/_live_national.html" if request.htmx else "queueing/live_national.html"
    return render(request, template, {"kinds": kinds, "rows": rows, "offices": offices})


@login_required
@permission_required("queueing.view_queue_live", raise_exception=True)
@with_office
def report(request, office):
    field = ThaiDateField(required=False)
    day = timezone.localdate()
    error = None
    if request.GET.get("day"):
        try:
            day = field.clean(request.GET["day"]) or day
        except Exception as exc:  # noqa: BLE001 - a ValidationError, shown to the user
            error = " ".join(getattr(exc, "messages", [str(exc)]))
    rows = service_time_report(office_id=office.pk, day=day)
    return render(
        request,
        "queueing/report.html",
        {
            "office": office,
            "day": day,
            "rows": rows if any(row.visits for row in rows) else [],
            "error": error,
            "previous": day - datetime.timedelta(days=1),
        },
    )


TICKETS_PER_PAGE = 50


@login_required
@permission_required("queueing.view_queue_live", raise_exception=True)
@with_office
def ticket_list(request, office):
    """The tickets behind a report's figure: an office's tickets over a range of days (today
    unless asked), narrowed by service, counter, officer, outcome or priority class."""
    today = timezone.localdate()
    query = request.GET.copy()
    query.setdefault("day_from", date_numeric(today))
    query.setdefault("day_to", query["day_from"])
    tickets = OfficeTicketFilter(query, queryset=ticket_list_of(office_id=office.pk), office=office)
    page = Paginator(tickets.qs, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "queueing/ticket_list.html",
        {"office": office, "filter": tickets, "page": page, "query": kept.urlencode()},
    )
