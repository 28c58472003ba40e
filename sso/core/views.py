import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sso.celery import app as celery_app
from sso.core import devices
from sso.core.audit import audited_model_get, history_entries
from sso.core.filters import OfficeFilter
from sso.core.forms import DevicePairForm, OfficeForm, errors_to_form
from sso.core.menu import menu_for
from sso.core.models import Office
from sso.core.roles import ROLES_BY_CODE
from sso.core.scoping import object_get_for_user, sees_all_offices
from sso.core.selectors import office_get_for_user, office_list, office_staff_list
from sso.core.services import device_pair as device_pair_service
from sso.core.services import office_update
from sso.core.tasks import HEARTBEAT_KEY


@login_required
def home(request):
    return render(request, "core/home.html", {"menu": menu_for(request.user)})


@login_required
@permission_required("core.view_office", raise_exception=True)
def my_office(request):
    if request.user.office is None:
        messages.info(request, _("Your account belongs to no office."))
        return redirect("home")
    return redirect("core:office_detail", code=request.user.office.code)


@login_required
@permission_required("core.view_all_offices", raise_exception=True)
def office_list_view(request):
    offices = OfficeFilter(request.GET or None, queryset=office_list(user=request.user))
    return render(request, "core/office_list.html", {"filter": offices, "offices": offices.qs})


@login_required
@permission_required("core.view_office", raise_exception=True)
def office_detail(request, code):
    office = office_get_for_user(user=request.user, code=code)
    staff = [
        (member, [ROLES_BY_CODE[g.name].name for g in member.groups.all() if g.name in ROLES_BY_CODE])
        for member in office_staff_list(office=office)
    ]
    return render(request, "core/office_detail.html", {"office": office, "staff": staff})


@login_required
@permission_required("core.change_office", raise_exception=True)
def office_edit(request, code):
    office = office_get_for_user(user=request.user, code=code)
    form = OfficeForm(request.POST or None, instance=Office.objects.get(pk=office.pk))
    if request.method == "POST" and form.is_valid():
        office_update(office=office, officer=request.user, data=form.cleaned_data)
        messages.success(request, _("Office %(code)s saved.") % {"code": office.code})
        return redirect("core:office_detail", code=office.code)
    return render(request, "core/office_form.html", {"office": office, "form": form})


@login_required
@permission_required("core.view_audit_history", raise_exception=True)
def record_history(request, label, pk):
    model = audited_model_get(label)
    obj = object_get_for_user(model, request.user, pk=pk)
    return render(
        request,
        "core/record_history.html",
        {"object": obj, "model_name": model._meta.verbose_name, "entries": history_entries(obj)},
    )


@login_required
@permission_required("core.view_audit_history", raise_exception=True)
def recent_changes(request):
    """The latest changes made from the user's office (every office for national roles)."""
    from django.apps import apps

    rows = []
    for model in apps.get_models():
        if not (hasattr(model, "history") and hasattr(model, "OFFICE_SCOPE")):
            continue
        history = model.history.model.objects.select_related("history_user", "history_office")
        if not sees_all_offices(request.user):
            history = history.filter(history_office_id=request.user.office_id)
        for record in history.order_by("-history_date")[:50]:
            rows.append((record, model))
    rows.sort(key=lambda row: row[0].history_date, reverse=True)
    entries = [
        {
            "record": record,
            "model_name": model._meta.verbose_name,
            "label": model._meta.label_lower,
            "kind": {"+": _("created"), "~": _("changed"), "-": _("deleted")}[record.history_type],
        }
        for record, model in rows[:100]
    ]
    return render(request, "core/recent_changes.html", {"entries": entries})


def device_pair(request):
    """A public screen pairs itself with the code its administrator was shown: it then holds
    the device credential, and any staff session it had is ended (no staff session on a
    public screen). Attempts are limited per address."""
    form = DevicePairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if devices.pair_attempt_spent(request):
            form.add_error("code", _("Too many attempts from this screen: wait ten minutes and try again."))
        else:
            try:
                device, token = device_pair_service(code=form.cleaned_data["code"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                logout(request)
                home = devices.home_url_name(device.kind)
                response = redirect(home) if home else redirect("core:device_pair")
                devices.credential_set(request, response, token)
                return response
    return render(request, "core/device_pair.html", {"form": form, "device": devices.request_device(request)})


@require_GET
def device_home(request):
    """Where a paired screen starts (its kind's page); an unpaired one is sent to pair."""
    device = devices.request_device(request)
    home = devices.home_url_name(device.kind) if device else None
    return redirect(home or "core:device_pair")


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency is a failed check
        detail, ok = f"{exc.__class__.__name__}: {exc}".splitlines()[0][:200], False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), "detail": detail}


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis():
    client = cache._cache.get_client(write=True)
    client.ping()
    return "ok"


def _check_worker():
    replies = celery_app.control.ping(timeout=2.0, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered within 2 s")
    return sorted(name for reply in replies for name in reply)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _timed(_check_database), "redis": _timed(_check_redis)}
    # Asking the worker goes through Redis: without Redis there is no answer to wait for.
    checks["celery_worker"] = (
        _timed(_check_worker) if checks["redis"]["ok"] else {"ok": False, "ms": 0, "detail": "redis is down"}
    )
    healthy = all(check["ok"] for check in checks.values())
    heartbeat = None
    if checks["redis"]["ok"]:
        heartbeat = cache.get(HEARTBEAT_KEY)
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks, "beat_last_heartbeat": heartbeat},
        status=200 if healthy else 503,
    )
