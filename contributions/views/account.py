"""The employer's account (issue 15, part 2): its page, several months paid in one visit,
and the arrears follow-up (the notice letter issued, its PDF, its sending recorded). The
account is its responsible office's work: another office's employer is a 404 here (its
registry page is read at any office)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contributions import account as accounts
from contributions import arrears, forms, services
from contributions.models import ArrearsNotice, Receipt
from contributions.notices import notice_pdf
from registry import selectors as registry
from sso.core.scoping import object_get_for_user, office_scoped

RECEIPTS_SHOWN = 24


def months_pay_form(account, data=None, *, key=None):
    """The form of the months due (all ticked by default), with its idempotency key."""
    choices = [(month.key, f"{month.branch_number} · {arrears.period_label(month.period)}") for month in account.due]
    initial = {"months": [key for key, _label in choices]}
    form = forms.MonthsPayForm(data, choices=choices, initial=initial)
    form.idempotency_key = (data or {}).get("idempotency_key") or key or f"months-{uuid.uuid4().hex}"
    return form


def account_context(request, employer, account) -> dict:
    """What the account panel shows (the account page, the counter and the employer's page)."""
    return {
        "employer": employer,
        "account": account,
        "months_form": months_pay_form(account) if request.user.has_perm("contributions.add_payment") else None,
        "can_notice": request.user.has_perm("contributions.add_arrearsnotice"),
        "can_see_notices": request.user.has_perm("contributions.view_arrears"),
    }


@login_required
@permission_required("contributions.view_statement", raise_exception=True)
def employer_account(request, pk):
    employer = registry.employer_get_for_user(request.user, pk)
    account = accounts.employer_account(employer)
    ids = [int(part) for part in request.GET.get("receipts", "").split(",") if part.isdigit()][:RECEIPTS_SHOWN]
    receipts = (
        list(
            office_scoped(Receipt.objects.select_related("payment__statement__branch"), request.user)
            .filter(pk__in=ids, payment__statement__employer=employer)
            .order_by("payment__period_from", "pk")
        )
        if ids
        else []
    )
    context = {
        "employer": employer,
        "account": account,
        "panel_context": account_context(request, employer, account),
        "can_notice": request.user.has_perm("contributions.add_arrearsnotice"),
        "can_see_notices": request.user.has_perm("contributions.view_arrears"),
        "receipts": receipts,
        "sent_form": forms.NoticeSentForm(initial={"sent_via": ArrearsNotice.Channel.REGISTERED_POST}),
    }
    return render(request, "contributions/employer_account.html", context)


def _back(request, employer) -> str:
    """Where a refused form returns: the counter for this employer, or its account page."""
    if request.POST.get("back") == "counter":
        return reverse("contributions:counter") + f"?employer={employer.pk}"
    return reverse("contributions:employer_account", args=[employer.pk])


@login_required
@permission_required("contributions.add_payment", raise_exception=True)
@require_POST
def employer_months_pay(request, pk):
    """Pay the months ticked, each with its receipt, in one transaction."""
    employer = registry.employer_get_for_user(request.user, pk)
    account = accounts.employer_account(employer)
    form = months_pay_form(account, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back(request, employer))
    data = form.cleaned_data
    try:
        payments = services.statement_months_pay(
            officer=request.user,
            employer=employer,
            months=data["months"],
            amount=data["amount"],
            method=data["method"],
            reference=data.get("reference", ""),
            idempotency_key=form.idempotency_key[:90],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(_back(request, employer))
    messages.success(
        request,
        _("%(count)s months paid: one receipt for each month, ready to print.") % {"count": len(payments)},
    )
    receipts = ",".join(str(payment.receipt.pk) for payment in payments)
    return redirect(reverse("contributions:employer_account", args=[employer.pk]) + f"?receipts={receipts}")


# Arrears follow-up ---------------------------------------------------------------------


@login_required
@permission_required("contributions.add_arrearsnotice", raise_exception=True)
@require_POST
def arrears_notice_issue(request, pk):
    employer = registry.employer_get_for_user(request.user, pk)
    try:
        notice = services.arrears_notice_issue(officer=request.user, employer=employer)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _("Notice %(reference)s issued: print it and record its sending.") % {"reference": notice.reference},
        )
    return redirect(reverse("contributions:employer_account", args=[employer.pk]) + "#notices")


def _notice_get(request, pk) -> ArrearsNotice:
    return object_get_for_user(
        ArrearsNotice.objects.select_related("office", "employer", "issued_by", "sent_by"), request.user, pk=pk
    )


@login_required
@permission_required("contributions.view_arrears", raise_exception=True)
def arrears_notice_pdf(request, pk):
    notice = _notice_get(request, pk)
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="arrears-notice-{notice.office_id}-{notice.pk}.pdf"'
    return response


@login_required
@permission_required("contributions.add_arrearsnotice", raise_exception=True)
@require_POST
def arrears_notice_sent(request, pk):
    notice = _notice_get(request, pk)
    form = forms.NoticeSentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.arrears_notice_send(
                officer=request.user,
                notice=notice,
                sent_on=data["sent_on"],
                channel=data["sent_via"],
                reference=data["sent_reference"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("The notice's sending is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("contributions:employer_account", args=[notice.employer_id]) + "#notices")
