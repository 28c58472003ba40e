"""Contribution pages: the counter's one-step statement, payment and receipt flow, the
statement and receipt pages.

The counter page is one screen: find the employer, the keyed grid (the employer's
employees pre-listed with their last wage), the amount due, the payment, and one
"Accept and pay" that files the statement and posts the payment in one transaction, then
shows the receipt ready to print. Nothing is stored when anything is refused.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from contributions import forms, rules, services
from contributions.filters import StatementFilter, period_parse
from contributions.models import Payment, Receipt, Source, Statement
from contributions.receipts import receipt_pdf
from contributions.services import LineInput, StatementRefused
from registry.forms import errors_to_form
from registry.models import Branch, Employer, Employment, InsuredPerson
from sso.core.scoping import object_get_for_user, office_scoped

ZERO = Decimal("0.00")
LARGE_EMPLOYER = 200  # above this many lines, the SSO 1-10 file upload is the faster way


def _today():
    return timezone.localdate()


def _thai() -> bool:
    return not (translation.get_language() or "th").startswith("en")


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


def _receipt_print_url(receipt: Receipt) -> str:
    return reverse("contributions:receipt_detail", args=[receipt.pk]) + "?print=1"


# The counter ------------------------------------------------------------------------------


@dataclass
class Totals:
    wages: Decimal = ZERO
    employee: Decimal = ZERO
    employer: Decimal = ZERO
    surcharge: rules.Surcharge | None = None

    @property
    def contributions(self) -> Decimal:
        return self.employee + self.employer

    @property
    def due(self) -> Decimal:
        return self.contributions + (self.surcharge.amount if self.surcharge else ZERO)


def _prelisted(employer, branch, period) -> list[forms.GridRow]:
    """The branch's employees in the wage period, with the wage on record: the officer
    usually only confirms them."""
    end = rules.period_add(period, 1)
    employments = (
        Employment.objects.filter(employer=employer, branch=branch, started_on__lt=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period))
        .select_related("person")
        .order_by("started_on", "person__national_id")
    )
    rows, seen = [], set()
    for employment in employments:
        person = employment.person
        if person.national_id in seen:
            continue
        seen.add(person.national_id)
        wage = employment.monthly_wage
        rows.append(
            forms.GridRow(
                len(rows) + 1,
                person.national_id,
                f"{wage:.2f}" if wage is not None else "",
                wage,
                name=person.full_name,
            )
        )
    return rows


def _names_fill(rows):
    ids = {row.national_id for row in rows if row.national_id and not row.name}
    if not ids:
        return
    names = {person.national_id: person.full_name for person in InsuredPerson.objects.filter(national_id__in=ids)}
    for row in rows:
        row.name = row.name or names.get(row.national_id, "")


def _compute(rows, rate, period, today) -> Totals:
    totals = Totals()
    for row in rows:
        if row.wage is None or row.wage < 0 or rate is None:
            continue
        amounts = rules.line_compute(row.wage, rate)
        row.employee_amount, row.employer_amount = amounts.employee, amounts.employer
        totals.wages += row.wage
        totals.employee += amounts.employee
        totals.employer += amounts.employer
    if rate is not None:
        try:
            totals.surcharge = rules.surcharge_compute(period, totals.contributions, today)
        except ValidationError:
            totals.surcharge = None
    return totals


def _refusal_to_rows(exc: StatementRefused, rows) -> list[str]:
    """Put each line error on its grid row; what belongs to no row comes back for the top."""
    by_number = {row.number: row for row in rows}
    general = []
    for error in exc.line_errors:
        row = by_number.get(error.line)
        text = str(error.message)
        if error.expected:  # a figure to compare (amounts, totals, the period)
            text += " " + _("(expected %(expected)s, found %(found)s)") % {
                "expected": error.expected or "—",
                "found": error.found or "—",
            }
        if row is None:
            general.append(text)
        else:
            row.error = f"{row.error} {text}".strip()
            row.field = row.field or ("wage" if error.field == "wage" else "national_id")
            if error.code == "unknown_person":
                row.field = "unknown_person"
    return general


def _counter_employer(request):
    """The employer the counter page is for (?employer=<pk>, or posted), or None."""
    pk = request.POST.get("employer") or request.GET.get("employer")
    if not pk:
        return None
    return object_get_for_user(Employer.objects.select_related("province", "responsible_office"), request.user, pk=pk)


def _header_from_get(request, branches, default_period):
    number = request.GET.get("branch") or Branch.HEAD_OFFICE
    if number not in branches:
        number = Branch.HEAD_OFFICE if Branch.HEAD_OFFICE in branches else next(iter(branches), None)
    try:
        period = period_parse(request.GET["period"]) if request.GET.get("period") else default_period
    except ValueError:
        period = default_period
    return number, period


@login_required
@permission_required("contributions.add_statement", raise_exception=True)
def counter(request):
    """Collect contributions in one step: statement, payment and receipt on one screen."""
    employer = _counter_employer(request)
    if employer is None:
        find = forms.EmployerFindForm(request.GET if "account" in request.GET else None)
        if find.is_bound and find.is_valid():
            account = "".join(ch for ch in find.cleaned_data["account"] if ch.isdigit())
            found = office_scoped(Employer.objects.all(), request.user).filter(account_number=account).first()
            if found is not None:
                return redirect(reverse("contributions:counter") + f"?employer={found.pk}")
            find.add_error("account", _("No employer of your office has this account number."))
        return render(request, "contributions/counter_find.html", {"find": find})

    today = _today()
    default_period = rules.period_add(rules.period_of(today), -1)
    action = request.POST.get("action", "")
    general_errors: list[str] = []
    checked = False
    if request.method == "POST":
        form = forms.CounterForm(request.POST, employer=employer)
        rows = forms.grid_rows(request.POST)
        header_ok = form.is_valid() or not ({"branch", "period"} & set(form.errors))
        branch = form.branches.get(request.POST.get("branch"))
        period = form.cleaned_data.get("period") if hasattr(form, "cleaned_data") else None
        if action == "load" and header_ok and branch and period:
            url = reverse("contributions:counter")
            period_text = forms.period_initial(period, _thai())
            return redirect(f"{url}?employer={employer.pk}&branch={branch.number}&period={period_text}")
    else:
        number, period = _header_from_get(request, {b.number: b for b in employer.branches.all()}, default_period)
        form = forms.CounterForm(
            employer=employer,
            initial={"branch": number, "period": forms.period_initial(period, _thai())},
        )
        branch = form.branches.get(number)
        rows = _prelisted(employer, branch, period) if branch else []

    rate = None
    if branch is not None and period is not None:
        try:
            rate = rules.rate_for(period, branch.province_id)
        except ValidationError as exc:
            general_errors.extend(exc.messages)

    if request.method == "POST" and action in ("check", "accept", "pay") and form.is_valid():
        row_errors = any(row.error for row in rows)
        lines = [
            LineInput(line=row.number, national_id=row.national_id, wage=row.wage) for row in rows if not row.error
        ]
        if action == "check" and not row_errors:
            try:
                result = services.statement_check(employer=employer, branch=branch, period=period, lines=lines)
            except StatementRefused as exc:
                general_errors += _refusal_to_rows(exc, rows)
            else:
                if result.errors:
                    general_errors += _refusal_to_rows(StatementRefused(result.errors), rows)
                else:
                    messages.info(request, _("The statement is correct: nothing was stored yet."))
            checked = True
        elif action in ("accept", "pay") and not row_errors:
            response = _counter_file(request, form, employer, branch, period, lines, rows, general_errors, action)
            if response is not None:
                return response
        elif row_errors:
            general_errors.append(_("Some lines are incomplete: see the grid."))

    _names_fill(rows)
    totals = _compute(rows, rate, period, today) if period else Totals()
    amount_value = request.POST.get("amount", "") if request.method == "POST" else ""
    if checked or not amount_value:
        amount_value = f"{totals.due:.2f}"
    surcharge_rule = None
    if period is not None:
        try:
            surcharge_rule = rules.surcharge_rule_for(period)
        except ValidationError:
            surcharge_rule = None
    return render(
        request,
        "contributions/counter.html",
        {
            "employer": employer,
            "form": form,
            "rows": rows,
            "blank_rows": range(len(rows) + 1, len(rows) + (3 if rows else 6)),
            "rate": rate,
            "period": period,
            "branch": branch,
            "totals": totals,
            "surcharge_rule": surcharge_rule,
            "amount_value": amount_value,
            "general_errors": general_errors,
            "large": len(rows) > LARGE_EMPLOYER,
            "today": today,
            "can_pay": request.user.has_perm("contributions.add_payment"),
        },
    )


def _counter_file(request, form, employer, branch, period, lines, rows, general_errors, action):
    """Accept the statement, and with "pay" post its payment in the same transaction: a
    refused payment leaves no statement behind. Returns the redirect, or None (errors set)."""
    data = form.cleaned_data
    if action == "pay":
        if not request.user.has_perm("contributions.add_payment"):
            form.add_error(None, _("You may not take payments."))
            return None
        if data.get("amount") is None:
            form.add_error("amount", _("Enter the amount received."))
            return None
    try:
        with transaction.atomic():
            statement = services.statement_submit(
                officer=request.user,
                employer=employer,
                branch=branch,
                period=period,
                lines=lines,
                source=Source.COUNTER,
            )
            payment = None
            if action == "pay":
                payment = services.statement_pay(
                    officer=request.user,
                    statement=statement,
                    amount=data["amount"],
                    method=data["method"],
                    reference=data.get("reference", ""),
                )
    except StatementRefused as exc:
        general_errors += _refusal_to_rows(exc, rows)
        return None
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None
    if payment is None:
        messages.success(request, _("Statement accepted; it can be paid from its page."))
        return redirect(statement)
    messages.success(request, _("Statement accepted and paid: the receipt is ready to print."))
    return redirect(_receipt_print_url(payment.receipt))


NOT_EMPLOYED = _lazy("Not employed by this employer on record.")


@login_required
@permission_required("contributions.add_statement", raise_exception=True)
def counter_person(request):
    """The name (and wage on record) for a national ID typed in the counter's grid."""
    employer = _counter_employer(request)
    national_id = "".join(ch for ch in request.GET.get("national_id", "") if ch.isalnum())
    person = InsuredPerson.objects.filter(national_id=national_id).first() if national_id else None
    if person is None:
        return JsonResponse({"found": False, "message": _("No insured person has this ID.")})
    employment = (
        Employment.objects.filter(employer=employer, person=person, ended_on__isnull=True).first() if employer else None
    )
    if employment is None and not office_scoped(InsuredPerson.objects.filter(pk=person.pk), request.user).exists():
        # The name of someone this employer does not employ, registered at another office,
        # is not the counter's to see.
        return JsonResponse({"found": True, "name": "", "employed": False, "wage": "", "message": str(NOT_EMPLOYED)})
    return JsonResponse(
        {
            "found": True,
            "name": person.full_name,
            "employed": employment is not None,
            "wage": f"{employment.monthly_wage:.2f}" if employment and employment.monthly_wage is not None else "",
            "message": "" if employment else str(NOT_EMPLOYED),
        }
    )


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
        try:
            payment = services.statement_pay(
                officer=request.user,
                statement=statement,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data.get("reference", ""),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Payment posted: the receipt is ready to print."))
            return redirect(_receipt_print_url(payment.receipt))
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
    day = _today()
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
