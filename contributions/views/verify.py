"""The back office's pages: the verifier's work queue of statements with findings, a
statement's findings with their resolutions, and the reimbursements of overpayments.

Each page fetches through one helper per record kind (office scoped: another office's
record answers 404) and each action is one POST calling one service in
`contributions.services` (verification, reimbursements); a refusal is shown as a message and nothing is stored.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Sum, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contributions import services
from contributions.models import Finding, Reimbursement, ReimbursementBatch, Statement
from contributions.views.reimbursements import BankBatchForm, PayeeForm
from registry.selectors import PersonStatus
from sso.core.formats import BE_OFFSET, date_display, money_display
from sso.core.forms import ThaiDateField
from sso.core.scoping import object_get_for_user, office_scoped

FINDINGS_PAGE = 100

# How each key of a finding's `detail` reads, and how its value is shown.
DETAIL_FIELDS = {
    "period": (_("Wage period"), "period"),
    "wage": (_("Wage filed"), "money"),
    "usual_wage": (_("Usual wage"), "money"),
    "basis": (_("Usual wage from"), "basis"),
    "months": (_("Months of history"), "text"),
    "factor": (_("Flagged beyond"), "factor"),
    "birth_date": (_("Birth date"), "date"),
    "age": (_("Age on the first day of the period"), "text"),
    "died_on": (_("Died on"), "date"),
    "status": (_("Person's status"), "person_status"),
    "branch": (_("Statement's branch"), "text"),
    "employments": (_("Employment by this employer"), "employments"),
    "payments": (_("Payments"), "payments"),
    "employers": (_("Paid by"), "employers"),
    "wages": (_("Contribution wages together"), "money"),
    "ceiling": (_("Wage ceiling"), "money"),
    "paid": (_("Employee share paid"), "money"),
    "due": (_("Employee share on the ceiling"), "money"),
    "excess": (_("Paid above the ceiling"), "money"),
    "reimbursed": (_("Reimbursement requested"), "money"),
}
BASIS = {"history": _("the median of the wages filed in the last months"), "registered_wage": _("the registered wage")}


def _date(value) -> str:
    try:
        return date_display(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _money(value) -> str:
    try:
        return money_display(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _detail_value(kind: str, value) -> str:
    if value in (None, ""):
        return "—"
    if kind == "money":
        return _money(value)
    if kind == "date":
        return _date(value)
    if kind == "period":
        day = datetime.date.fromisoformat(str(value))
        english = (get_language() or "th").startswith("en")
        return f"{day:%m}/{day.year if english else day.year + BE_OFFSET}"
    if kind == "person_status":
        return str(dict(PersonStatus.choices).get(value, value))
    if kind == "basis":
        return str(BASIS.get(value, value))
    if kind == "factor":
        return _t("more than %(factor)s times or less than 1/%(factor)s of the usual wage") % {
            "factor": Decimal(str(value)).normalize()
        }
    if kind == "employments":
        spells = [
            _t("branch %(branch)s from %(start)s to %(end)s")
            % {
                "branch": s["branch"],
                "start": _date(s["started_on"]),
                "end": _date(s["ended_on"]) if s["ended_on"] else "…",
            }
            for s in value
        ]
        return "; ".join(spells) or _t("none recorded")
    if kind == "payments":
        return "; ".join(f"{p['receipt']} {_money(p['amount'])} {_date(p['paid_on'])} ({p['channel']})" for p in value)
    if kind == "employers":
        return "; ".join(
            _t("%(employer)s: wage %(wage)s, employee share %(share)s")
            % {"employer": e["employer"], "wage": _money(e["wage"]), "share": _money(e["employee_share"])}
            for e in value
        )
    return str(value)


def finding_detail_items(finding: Finding) -> list[tuple[str, str]]:
    """The finding's detail as (label, value) pairs in the reader's language."""
    items = []
    order = list(DETAIL_FIELDS)
    detail = finding.detail or {}
    for key in sorted(detail, key=lambda k: order.index(k) if k in order else len(order)):
        value = detail[key]
        if key == "reimbursement":
            continue
        label, kind = DETAIL_FIELDS.get(key, (key, "text"))
        items.append((str(label), _detail_value(kind, value)))
    return items


# Access ---------------------------------------------------------------------------------


def statement_get_for_verifier(request, pk) -> Statement:
    return object_get_for_user(
        Statement.objects.select_related("employer", "branch", "office", "amends"), request.user, pk=pk
    )


def finding_get_for_user(request, pk) -> Finding:
    return object_get_for_user(Finding.objects.select_related("statement"), request.user, pk=pk)


def reimbursement_get_for_user(request, pk) -> Reimbursement:
    return object_get_for_user(Reimbursement.objects.all(), request.user, pk=pk)


def batch_get_for_user(request, pk) -> ReimbursementBatch:
    return object_get_for_user(ReimbursementBatch.objects.all(), request.user, pk=pk)


def _refusal(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# Forms ------------------------------------------------------------------------------------


class ResolveForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in services.RESOLUTIONS])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AcceptKindForm(forms.Form):
    kind = forms.ChoiceField(choices=Finding.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class BatchPayForm(forms.Form):
    paid_on = ThaiDateField(label=_("Paid on"), required=False)


def _form_refusal(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


# The verifier's work queue ----------------------------------------------------------------


@login_required
@permission_required("contributions.verify_statement", raise_exception=True)
def verify_queue(request):
    """Statements of the office with open findings, oldest first, with counts per kind."""
    open_ = Q(findings__status=Finding.Status.OPEN)
    counts = {f"n_{kind}": Count("findings", filter=open_ & Q(findings__kind=kind)) for kind in Finding.Kind.values}
    queryset = (
        office_scoped(Statement.objects.select_related("employer", "branch"), request.user)
        .filter(verification=Statement.Verification.FINDINGS)
        .annotate(open_count=Count("findings", filter=open_), **counts)
        .order_by("received_at", "pk")
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    kinds = Finding.Kind.choices
    for statement in page:
        statement.kind_counts = [(label, getattr(statement, f"n_{kind}")) for kind, label in kinds]
    return render(request, "contributions/verify_queue.html", {"page": page, "kinds": kinds})


@login_required
@permission_required("contributions.verify_statement", raise_exception=True)
def verify_statement(request, pk):
    """A statement's findings, open ones first, each with its detail and the three actions."""
    statement = statement_get_for_verifier(request, pk)
    findings = (
        statement.findings.select_related("person", "line", "resolved_by")
        .annotate(resolved=Case(When(status=Finding.Status.OPEN, then=Value(0)), default=Value(1)))
        .order_by("resolved", "kind", "line__line_number", "pk")
    )
    page = Paginator(findings, FINDINGS_PAGE).get_page(request.GET.get("page"))
    for finding in page:
        finding.items = finding_detail_items(finding)
    open_kinds = (
        statement.findings.filter(status=Finding.Status.OPEN).values("kind").annotate(n=Count("pk")).order_by("kind")
    )
    labels = dict(Finding.Kind.choices)
    return render(
        request,
        "contributions/verify_statement.html",
        {
            "statement": statement,
            "page": page,
            "open_kinds": [(row["kind"], labels[row["kind"]], row["n"]) for row in open_kinds],
            "amend_url": reverse("contributions:counter") + f"?amends={statement.pk}",
            "amendments": list(statement.amendments.exclude(status=Statement.Status.VOID).order_by("received_at")),
        },
    )


@require_POST
@login_required
@permission_required("contributions.verify_statement", raise_exception=True)
def finding_resolve(request, pk):
    finding = finding_get_for_user(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        _form_refusal(request, form)
    else:
        try:
            services.finding_resolve(
                finding=finding,
                officer=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _t("The finding is resolved."))
    return redirect("contributions:verify_statement", finding.statement_id)


@require_POST
@login_required
@permission_required("contributions.verify_statement", raise_exception=True)
def findings_accept(request, pk):
    """Accept as filed every open finding of one kind on the statement."""
    statement = statement_get_for_verifier(request, pk)
    form = AcceptKindForm(request.POST)
    if not form.is_valid():
        _form_refusal(request, form)
    else:
        try:
            count = services.findings_accept(
                statement=statement,
                kind=form.cleaned_data["kind"],
                officer=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _t("%(count)s findings accepted as filed.") % {"count": count})
    return redirect("contributions:verify_statement", statement.pk)


# Reimbursements -------------------------------------------------------------------------


@login_required
@permission_required("contributions.change_reimbursement", raise_exception=True)
def reimbursement_list(request):
    """The office's requested reimbursements to decide, the approved ones waiting for a
    batch, and the latest batches."""
    scoped = office_scoped(Reimbursement.objects.select_related("person", "employer", "payment"), request.user)
    requested = scoped.filter(status=Reimbursement.Status.REQUESTED).order_by("created_at", "pk")
    waiting = scoped.filter(status=Reimbursement.Status.APPROVED, batch__isnull=True).order_by("created_at", "pk")
    batches = (
        office_scoped(ReimbursementBatch.objects.select_related("created_by", "bank"), request.user)
        .annotate(count=Count("reimbursements"))
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "contributions/reimbursement_list.html",
        {
            "requested": Paginator(requested, 100).get_page(request.GET.get("page")),
            "waiting": list(waiting[:500]),
            "waiting_total": waiting.aggregate(total=Sum("amount"))["total"],
            "batches": batches,
            "today": timezone.localdate(),
            "banks": PayeeForm().fields["bank"].queryset,
            "bank_batch_form": BankBatchForm(initial={"pay_on": timezone.localdate()}),
            "returned": scoped.filter(status=Reimbursement.Status.FAILED).count(),
        },
    )


@require_POST
@login_required
@permission_required("contributions.change_reimbursement", raise_exception=True)
def reimbursement_decide(request, pk):
    reimbursement = reimbursement_get_for_user(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        _form_refusal(request, form)
        return redirect("contributions:reimbursement_list")
    try:
        if form.cleaned_data["action"] == "approve":
            payee = PayeeForm(request.POST)
            if not payee.is_valid():
                raise ValidationError(_t("Choose the bank."))
            services.reimbursement_approve(reimbursement=reimbursement, officer=request.user, **payee.cleaned_data)
            messages.success(request, _t("The reimbursement is approved."))
        else:
            services.reimbursement_reject(
                reimbursement=reimbursement, officer=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _t("The reimbursement is rejected."))
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("contributions:reimbursement_list")


@require_POST
@login_required
@permission_required(
    ["contributions.change_reimbursement", "contributions.add_reimbursementbatch"], raise_exception=True
)
def reimbursement_batch_create(request):
    if request.user.office_id is None:
        messages.error(request, _t("Only staff of an office make its payment batches."))
        return redirect("contributions:reimbursement_list")
    try:
        # With a bank: the transfers to it, paid through the bank's file; without: by cheque.
        bank = {}
        if request.POST.get("bank"):
            form = BankBatchForm(request.POST)
            if not form.is_valid():
                raise ValidationError([message for errors in form.errors.values() for message in errors])
            bank = form.cleaned_data
        batch = services.reimbursement_batch_create(office=request.user.office, officer=request.user, **bank)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _t("Payment batch made: %(total)s.") % {"total": money_display(batch.total)})
        if batch.bank_id is not None:
            return redirect("contributions:reimbursement_batch", batch.pk)
    return redirect("contributions:reimbursement_list")


@require_POST
@login_required
@permission_required("contributions.change_reimbursement", raise_exception=True)
def reimbursement_batch_pay(request, pk):
    batch = batch_get_for_user(request, pk)
    form = BatchPayForm(request.POST)
    if not form.is_valid():
        _form_refusal(request, form)
        return redirect("contributions:reimbursement_list")
    try:
        services.reimbursement_batch_pay(batch=batch, officer=request.user, paid_on=form.cleaned_data["paid_on"])
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _t("The batch is marked paid."))
    return redirect("contributions:reimbursement_list")
