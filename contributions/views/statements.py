"""The statement and receipt pages: lists, a statement with its payment form, a receipt
(page, PDF, void)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from contributions import forms, services
from contributions.filters import StatementFilter
from contributions.models import Payment, Receipt, Statement
from contributions.receipts import receipt_pdf
from sso.core.confirm import form_supervisor_confirm
from sso.core.forms import errors_to_form
from sso.core.scoping import object_get_for_user, office_scoped

ZERO = Decimal("0.00")


def statement_get_for_user(request, pk) -> Statement:
    return object_get_for_user(
        Statement.objects.select_related("employer", "branch", "office", "received_by", "amends"), request.user, pk=pk
    )


def receipt_get_for_user(request, pk) -> Receipt:
    return object_get_for_user(
        Receipt.objects.select_related(
            "office",
            "issued_by",
            "voided_by",
            "payment",
            "payment__statement__employer",
            "payment__statement__branch",
            "payment__person",
        ),
        request.user,
        pk=pk,
    )


def receipt_print_url(receipt: Receipt) -> str:
    return reverse("contributions:receipt_detail", args=[receipt.pk]) + "?print=1"


# Statements -------------------------------------------------------------------------------


@login_required
@permission_required("contributions.view_statement", raise_exception=True)
def statement_list(request):
    """Statements of the office, narrowed with the same filter as the API."""
    queryset = office_scoped(Statement.objects.select_related("employer", "branch", "office"), request.user).order_by(
        "-received_at", "-pk"
    )
    filterset = StatementFilter(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "contributions/statement_list.html", {"filter": filterset, "page": page, "query": query.urlencode()}
    )


def _statement_page(request, statement, pay_form=None):
    lines = Paginator(statement.lines.select_related("person").order_by("line_number"), 50).get_page(
        request.GET.get("page")
    )
    due = None
    if statement.status == Statement.Status.ACCEPTED:
        due = services.statement_amount_due(statement)
        if pay_form is None and request.user.has_perm("contributions.add_payment"):
            pay_form = forms.StatementPayForm(initial={"amount": f"{due.total:.2f}"})
    return render(
        request,
        "contributions/statement_detail.html",
        {
            "statement": statement,
            "lines": lines,
            "payments": list(
                statement.payments.select_related("receipt", "receipt__office", "posted_by").order_by("posted_at")
            ),
            "findings": list(statement.findings.select_related("person", "resolved_by")),
            "due": due,
            "pay_form": pay_form if statement.status == Statement.Status.ACCEPTED else None,
        },
    )


@login_required
@permission_required("contributions.view_statement", raise_exception=True)
def statement_detail(request, pk):
    return _statement_page(request, statement_get_for_user(request, pk))


@login_required
@permission_required("contributions.add_payment", raise_exception=True)
@require_POST
def statement_pay(request, pk):
    """Pay a statement filed earlier ("Accept without payment" at the counter, or a file)."""
    statement = statement_get_for_user(request, pk)
    form = forms.StatementPayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Not authenticate(): wrong passwords here must not lock the supervisor out (sso.core.confirm).
        supervisor = (
            form_supervisor_confirm(form, purpose="payment-date", asked_by=request.user) if data["supervisor"] else None
        )
        if not data["supervisor"] or supervisor is not None:
            try:
                payment = services.statement_pay(
                    officer=request.user,
                    statement=statement,
                    amount=data["amount"],
                    method=data["method"],
                    reference=data.get("reference", ""),
                    paid_on=data["paid_on"],
                    date_reason=data["date_reason"],
                    date_confirmed_by=supervisor,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "date_confirmed_by" in exc.error_dict:
                    exc = ValidationError({"supervisor": exc.error_dict.pop("date_confirmed_by"), **exc.error_dict})
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Payment posted: the receipt is ready to print."))
                return redirect(receipt_print_url(payment.receipt))
    return _statement_page(request, statement, pay_form=form)


# Receipts ---------------------------------------------------------------------------------


@login_required
@permission_required("contributions.view_receipt", raise_exception=True)
def receipt_detail(request, pk):
    receipt = receipt_get_for_user(request, pk)
    return render(
        request,
        "contributions/receipt_detail.html",
        {"receipt": receipt, "payment": receipt.payment, "print": request.GET.get("print") == "1"},
    )


@login_required
@permission_required("contributions.view_receipt", raise_exception=True)
@xframe_options_sameorigin  # shown inside the receipt page, ready to print
def receipt_pdf_view(request, pk):
    receipt = receipt_get_for_user(request, pk)
    response = HttpResponse(receipt_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.display_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("contributions.void_receipt", raise_exception=True)
def receipt_void(request, pk):
    receipt = receipt_get_for_user(request, pk)
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.receipt_void(receipt=receipt, officer=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Receipt voided; its number stays in the series."))
            return redirect(receipt)
    return render(request, "contributions/receipt_void.html", {"receipt": receipt, "form": form})


@login_required
@permission_required("contributions.view_receipt", raise_exception=True)
def receipt_list(request):
    """The office's receipts of one day (today unless another day is asked for)."""
    form = forms.ReceiptDayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data.get("day"):
        day = form.cleaned_data["day"]
    receipts = list(
        office_scoped(Receipt.objects.all(), request.user)
        .filter(issued_at__date=day)
        .select_related(
            "office", "issued_by", "payment", "payment__statement__employer", "payment__statement__branch",
            "payment__person",
        )
        .order_by("office_id", "year", "number")
    )  # fmt: skip
    total = sum((r.payment.amount for r in receipts if r.voided_at is None), ZERO)
    by_method = (
        Payment.objects.filter(receipt__in=[r.pk for r in receipts if r.voided_at is None])
        .values("method")
        .annotate(amount=Sum("amount"))
        .order_by("method")
    )
    methods = dict(Payment.Method.choices)
    return render(
        request,
        "contributions/receipt_list.html",
        {
            "form": form,
            "day": day,
            "receipts": receipts,
            "total": total,
            "by_method": [(methods.get(row["method"], row["method"]), row["amount"]) for row in by_method],
        },
    )
