"""The counter's one screen: find the employer, the keyed grid (the employer's employees
pre-listed with their last wage), the amount due, the payment, and one "Accept and pay"
that files the statement and posts the payment in one transaction, then shows the receipt
ready to print. Nothing is stored when anything is refused.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from contributions import account as accounts
from contributions import forms, rules, services
from contributions.filters import period_parse
from contributions.models import Source
from contributions.services import LineInput, StatementRefused
from contributions.views.account import account_context
from contributions.views.statements import receipt_print_url
from registry import selectors as registry
from registry.selectors import BRANCH_HEAD_OFFICE
from sso.core.forms import errors_to_form
from sso.core.months import month_add, month_first

ZERO = Decimal("0.00")
LARGE_EMPLOYER = 200  # above this many lines, the SSO 1-10 file upload is the faster way


def _today():
    return timezone.localdate()


def _thai() -> bool:
    return not (translation.get_language() or "th").startswith("en")


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
    end = month_add(period, 1)
    employments = registry.employments_in_period(
        employer=employer, branch=branch, period_first=period, period_after=end
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
    names = registry.person_names(ids)
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
    return registry.employer_get_for_user(request.user, pk)


def _header_from_get(request, branches, default_period):
    number = request.GET.get("branch") or BRANCH_HEAD_OFFICE
    if number not in branches:
        number = BRANCH_HEAD_OFFICE if BRANCH_HEAD_OFFICE in branches else next(iter(branches), None)
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
        return _counter_find(request)

    today = _today()
    default_period = month_add(month_first(today), -1)
    account = accounts.employer_account(employer, today=today)
    opened_oldest = None
    if request.method == "GET" and not request.GET.get("period"):
        # Open on the oldest month due (of the branch asked for, else of any branch), not on
        # last month: a month left unfiled or unpaid is collected first. Nothing due: the
        # month after the last one on the account.
        due = [m for m in account.due if not request.GET.get("branch") or m.branch_number == request.GET["branch"]]
        if due:
            opened_oldest = due[0]
            default_period = due[0].period
            if not request.GET.get("branch"):
                request.GET = request.GET.copy()
                request.GET["branch"] = due[0].branch_number
        elif any(m.period == default_period and m.status != accounts.MonthStatus.NONE for m in account.months):
            default_period = month_first(today)
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
            "opened_oldest": opened_oldest,
            "months_due": account.due,
            "account_panel": account_context(request, employer, account) | {"back": "counter"},
        },
    )


def _counter_find(request):
    """The counter without an employer: a search by account number, tax ID or name in every
    office (employers are read nationally); one match of this office opens the counter, an
    employer of another office says which office keeps its account."""
    find = forms.EmployerFindForm(request.GET if "account" in request.GET else None)
    matches = []
    if find.is_bound and find.is_valid():
        query = find.cleaned_data["account"].strip()
        matches = list(registry.employer_search(query, request.user)[:FIND_SHOWN])
        for match in matches:
            match.works_here = registry.employer_in_scope(match, request.user)
        here = [match for match in matches if match.works_here]
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(here) == 1 and (len(matches) == 1 or digits == query.replace("-", "")):
            return redirect(reverse("contributions:counter") + f"?employer={here[0].pk}")
        if not matches:
            find.add_error("account", _("No employer has this account number, tax ID or name."))
        elif not here:
            find.add_error(
                "account",
                _("This employer's account is kept by another office: its statements and payments are taken there."),
            )
    return render(request, "contributions/counter_find.html", {"find": find, "matches": matches})


FIND_SHOWN = 20


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
    return redirect(receipt_print_url(payment.receipt))


NOT_EMPLOYED = _lazy("Not employed by this employer on record.")


@login_required
@permission_required("contributions.add_statement", raise_exception=True)
def counter_person(request):
    """The name (and wage on record) for a national ID typed in the counter's grid."""
    employer = _counter_employer(request)
    national_id = "".join(ch for ch in request.GET.get("national_id", "") if ch.isalnum())
    person = registry.person_find(national_id) if national_id else None
    if person is None:
        return JsonResponse({"found": False, "message": _("No insured person has this ID.")})
    employment = registry.employment_open(employer=employer, person=person) if employer else None
    if employment is None and not registry.person_in_scope(person.pk, request.user):
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
