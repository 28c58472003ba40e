"""Paying pages: the orders to pay by bank (make a batch, pay cash at the office), a batch
(its file, sent, the bank's confirmation with per-line errors), the returned transfers, and
the monthly recurring run. Reading needs view_paymentorder; every write pay_claim. Office
scoped: another office's batch or order is 404."""

import datetime
import json
import uuid
import zlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefits import payments, selectors
from benefits.forms import BatchForm, ConfirmationForm, MonthForm, PayAtOfficeForm
from benefits.models import PaymentOrder
from sso.core import exports
from sso.core.formats import month_numeric
from sso.core.redis import redis_client
from sso.core.uploads import errors_shown, upload_read

VIEW = "benefits.view_paymentorder"
PAY = "benefits.pay_claim"


def _orders(request):
    return selectors.orders_for_user(request.user)


def _refusal_text(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


@login_required
@permission_required(VIEW, raise_exception=True)
def payments_home(request):
    orders = _orders(request)
    form = BatchForm(request.POST or None, initial={"pay_on": timezone.localdate()})
    if request.method == "POST":
        if not request.user.has_perm(PAY):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                batch = payments.batch_make(office=request.user.office, officer=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, _refusal_text(exc))
            else:
                messages.success(request, _("Batch made: %(count)s transfers.") % {"count": batch.order_count})
                return redirect("benefits:batch", batch.pk)
    context = {
        "form": form,
        "by_bank": selectors.to_batch_by_bank(orders),
        "held": orders.filter(status=PaymentOrder.Status.HELD).count(),
        "at_office": orders.filter(status=PaymentOrder.Status.PENDING)
        .exclude(method=PaymentOrder.Method.TRANSFER)
        .order_by("period", "id")[:100],
        "pay_form": PayAtOfficeForm(auto_id=False),  # one per row: no id repeated in the page
        "batches": selectors.batches_for_user(request.user)[:30],
    }
    return render(request, "benefits/payments.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def batch_detail(request, pk):
    batch = selectors.batch_get_for_user(request.user, pk, "bank", "created_by")
    form = ConfirmationForm()
    result = None
    if request.method == "POST":
        if not request.user.has_perm(PAY):
            return HttpResponse(status=403)
        action = request.POST.get("action")
        try:
            if action == "sent":
                payments.batch_mark_sent(batch=batch, officer=request.user)
                messages.success(request, _("The batch is marked sent."))
                return redirect("benefits:batch", batch.pk)
            if action == "confirm":
                form = ConfirmationForm(request.POST, request.FILES)
                if form.is_valid():
                    result = payments.confirmation_import(
                        batch=batch, content=upload_read(form.cleaned_data["file"]), officer=request.user
                    )
                    if not result.errors:
                        messages.success(
                            request,
                            _("Confirmation imported: %(paid)s paid, %(failed)s failed, %(same)s already applied.")
                            % {"paid": result.paid, "failed": result.failed, "same": result.unchanged},
                        )
                        return redirect("benefits:batch", batch.pk)
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
            return redirect("benefits:batch", batch.pk)
    context = {"batch": batch, "orders": batch.orders.select_related("claim__person"), "form": form, "result": result}
    if result is not None and result.errors:
        shown = errors_shown()
        context |= {
            "errors_shown": result.errors[:shown],
            "errors_hidden": max(len(result.errors) - shown, 0),
            "errors_token": _confirmation_errors_keep(request.user, batch, result.errors),
        }
    return render(request, "benefits/batch_detail.html", context)


ERRORS_TTL = 3600  # seconds the error file of a refused confirmation can be downloaded


def _confirmation_errors_key(user, batch, token) -> str:
    # The database name keeps apart several databases sharing one Redis (test runs, staging).
    return f"benefits:confirmation-errors:{connection.settings_dict['NAME']}:{user.pk}:{batch.pk}:{token}"


def _confirmation_errors_keep(user, batch, errors) -> str:
    token = uuid.uuid4().hex
    raw = zlib.compress(json.dumps([[number, str(message)] for number, message in errors]).encode(), 6)
    redis_client().set(_confirmation_errors_key(user, batch, token), raw, ex=ERRORS_TTL)
    return token


@login_required
@permission_required(VIEW, raise_exception=True)
def batch_confirmation_errors(request, pk, token):
    """Every error of a refused confirmation file, as a CSV file, to whoever imported it."""
    batch = selectors.batch_get_for_user(request.user, pk)
    raw = redis_client().get(_confirmation_errors_key(request.user, batch, token))
    if raw is None:
        raise Http404("The error file has expired: import the file again.")
    rows = [[number or "", message] for number, message in json.loads(zlib.decompress(raw))]
    return exports.csv_response(f"batch-{batch.pk}-confirmation-errors.csv", [_("Line"), _("Problem")], rows)


@login_required
@permission_required(VIEW, raise_exception=True)
def batch_file(request, pk):
    batch = selectors.batch_get_for_user(request.user, pk, "bank")
    response = HttpResponse(payments.batch_file(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="sso-{batch.bank.code}-{batch.pay_on:%Y%m%d}-{batch.pk}.csv"'
    )
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def returned(request):
    orders = _orders(request).filter(status=PaymentOrder.Status.FAILED).order_by("period", "id")
    return render(request, "benefits/payment_returned.html", {"orders": orders[:200]})


@login_required
@permission_required(PAY, raise_exception=True)
@require_POST
def order_action(request, pk):
    order = selectors.order_get_for_user(request.user, pk)
    action = request.POST.get("action")
    try:
        if action == "requeue":
            payments.order_requeue(order=order, officer=request.user)
            messages.success(request, _("The transfer is queued again."))
        elif action == "cancel":
            payments.order_cancel(order=order, officer=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The payment is cancelled."))
        elif action == "pay":
            form = PayAtOfficeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose cash or cheque."))
            payments.order_pay_at_office(order=order, officer=request.user, **form.cleaned_data)
            messages.success(request, _("Paid at the office."))
    except ValidationError as exc:
        messages.error(request, _refusal_text(exc))
    # `next` comes from the page's form; only a path of this site is followed (no open redirect).
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "benefits:payments"
    return redirect(next_url)


@login_required
@permission_required(VIEW, raise_exception=True)
def recurring(request):
    form = MonthForm(request.POST or None, initial={"month": timezone.localdate().replace(day=1)})
    if request.method == "POST":
        if not request.user.has_perm(PAY):
            return HttpResponse(status=403)
        if form.is_valid():
            month = form.cleaned_data["month"]
            if month > timezone.localdate().replace(day=1) + datetime.timedelta(days=31):
                form.add_error("month", _("A month after next cannot be run yet."))
            else:
                made = payments.monthly_run(month=month, officer=request.user, office=request.user.office)
                done = {"count": made, "month": month_numeric(month)}
                messages.success(request, _("Payments made for %(month)s: %(count)s.") % done)
                return redirect("benefits:payments_recurring")
    months = selectors.recurring_months(_orders(request))
    return render(request, "benefits/payment_recurring.html", {"form": form, "months": months})
