"""Claim pages: recording at the counter (record and examine in one submit), the claim page
with its decision panel (a clear-cut claim is approved right there), the work queue, and
the printable slip of the documents to bring (appeals: `benefits.views.appeals`).

Every claim is fetched through `claim_get_for_user` (`benefits.selectors`; office scope: another
office's claim is 404); every write is one service call whose refusal is shown on the field it names.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefits import appeals, forms, selectors, services
from benefits.filters import OPEN, ClaimFilter
from benefits.models import Appeal, Benefit, Claim, ClaimAttempt, ClaimDocument
from registry import selectors as registry
from registry import services as registry_services
from sso.core.confirm import form_supervisor_confirm
from sso.core.forms import errors_to_form

DECIDABLE = (Claim.Status.EXAMINED, Claim.Status.REFERRED)


def claim_get_for_user(request, pk) -> Claim:
    return selectors.claim_get_for_user(request.user, pk)


def person_get_for_user(request, pk):
    return registry.person_for_claims_get(pk, request.user)


def _language() -> str:
    return (translation.get_language() or "th")[:2]


def _checklist_from(person, query) -> dict:
    """The checklist for the benefit, child and ticks in `query` (GET or POST)."""
    benefit = query.get("benefit", "")
    dependant = None
    if query.get("dependant", "").isdigit():
        dependant = registry.dependant_of(person, query["dependant"])
    presented = set(query.getlist("presented"))
    rows = []
    if benefit in Benefit.values:
        rows = services.checklist(person=person, benefit=benefit, dependant=dependant, presented=presented)
    return {
        "person": person,
        "benefit": benefit,
        "benefit_label": Benefit(benefit).label if benefit in Benefit.values else "",
        "dependant": dependant,
        "rows": rows,
        "missing": [r for r, state in rows if state == ClaimDocument.State.MISSING and r.required],
        "presented": presented,
    }


# Record -----------------------------------------------------------------------------------


@login_required
@permission_required("benefits.add_claim", raise_exception=True)
def claim_new(request, pk):
    """Step 1 and 2 in one submit: record the claim with its checklist, run the rules at once,
    and land on the claim page, where a clear-cut claim is approved."""
    person = person_get_for_user(request, pk)
    # A claim is recorded where the person walks in: another office's person is read (logged).
    registry_services.person_read_record(
        reader=request.user, person_id=person.pk, person_office_id=person.office_id, via="claim"
    )
    initial = {"benefit": request.GET.get("benefit", "")}
    if initial["benefit"] not in Benefit.values:
        initial = {}
    form = forms.ClaimRecordForm(request.POST or None, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                claim = services.claim_record(
                    officer=request.user,
                    person=person,
                    benefit=data["benefit"],
                    event_date=data["event_date"],
                    details=form.details(),
                    dependant=data.get("dependant"),
                    presented=data.get("presented") or (),
                )
                claim = services.claim_examine(claim=claim, officer=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Claim recorded and examined."))
            return redirect(claim)
    query = request.POST if request.method == "POST" else request.GET
    return render(
        request,
        "benefits/claim_new.html",
        {
            "form": form,
            "person": person,
            "with_dependant": sorted(forms.WITH_DEPENDANT),
            **_checklist_from(person, query),
        },
    )


@login_required
@permission_required("benefits.add_claim", raise_exception=True)
def claim_checklist(request, pk):
    """The live checklist of the recording page (an htmx partial)."""
    person = person_get_for_user(request, pk)
    return render(request, "benefits/_checklist.html", _checklist_from(person, request.GET))


@login_required
@permission_required("benefits.view_claim", raise_exception=True)
def person_slip(request, pk):
    """The documents still to bring, printed before the person leaves (nothing recorded yet)."""
    person = person_get_for_user(request, pk)
    context = _checklist_from(person, request.GET)
    return render(request, "benefits/slip.html", {**context, "today": timezone.localdate(), "claim": None})


@login_required
@permission_required("benefits.view_claim", raise_exception=True)
def claim_slip(request, pk):
    claim = claim_get_for_user(request, pk)
    return render(
        request,
        "benefits/slip.html",
        {
            "person": claim.person,
            "benefit_label": claim.get_benefit_display(),
            "dependant": claim.dependant,
            "missing": services.missing_documents(claim),
            "claim": claim,
            "today": timezone.localdate(),
        },
    )


# The claim page ---------------------------------------------------------------------------


def _claim_page(request, claim, status=200, **forms_given):
    user = request.user
    documents = list(claim.documents.select_related("requirement"))
    missing = [d.requirement for d in documents if d.state == ClaimDocument.State.MISSING and d.requirement.required]
    decidable = claim.status in DECIDABLE and user.has_perm(services.ADJUDICATE)
    # The same test as services.claim_is_clear_cut, also for a claim back from the back office.
    approvable = claim.status in DECIDABLE and claim.eligible is True and not missing and claim.amount is not None
    language = _language()
    labels = {**dict(Claim.Status.choices), Appeal.STEP: _("Appealed")}
    fields = forms.ClaimRecordForm.base_fields
    context = {
        "claim": claim,
        "person": claim.person,
        "steps": [(step, labels.get(step.to_status, step.to_status)) for step in selectors.claim_steps(claim)],
        "details": [
            (fields[name].label if name in fields else name, value) for name, value in (claim.details or {}).items()
        ],
        "documents": documents,
        "missing": missing,
        "working": [line.get(language) or line.get("en") or line.get("th") or "" for line in claim.working],
        "clear_cut": claim.status == Claim.Status.EXAMINED and approvable,
        "approvable": approvable,
        "decidable": decidable,
        "can_refer": claim.status == Claim.Status.EXAMINED and user.has_perm("benefits.change_claim"),
        "can_present": claim.status in (*DECIDABLE, Claim.Status.RECORDED)
        and bool(missing)
        and user.has_perm("benefits.change_claimdocument"),
        "documents_form": forms_given.get("documents_form") or forms.DocumentsPresentedForm(claim=claim),
        "refer_form": forms_given.get("refer_form") or forms.ReferForm(),
        "reject_form": forms_given.get("reject_form") or forms.RejectForm(),
        "override_form": forms_given.get("override_form") or forms.OverrideForm(),
        "approve_errors": forms_given.get("approve_errors", []),
        **_appeal_context(request, claim, forms_given),
        **_payments_context(request, claim),
    }
    return render(request, "benefits/claim_detail.html", context, status=status)


def _appeal_context(request, claim, forms_given) -> dict:
    """The claim page's appeal section and the refused attempts of its audit section."""
    user = request.user
    claim_appeals = list(claim.appeals.select_related("lodged_by", "decided_by"))
    open_appeal = next((appeal for appeal in claim_appeals if appeal.status == Appeal.Status.LODGED), None)
    took_part = user.pk in (claim.adjudicated_by_id, claim.override_confirmed_by_id)
    last_day = None
    if claim.status in appeals.APPEALABLE and claim.adjudicated_at is not None:
        try:
            last_day = appeals.appeal_last_day(appeals.decision_day(claim))
        except ValidationError:  # no appeal_days row in force: the lodge form says so
            last_day = None
    return {
        "appeals": claim_appeals,
        "open_appeal": open_appeal,
        "appeal_last_day": last_day,
        "can_lodge": claim.status in appeals.APPEALABLE
        and open_appeal is None
        and user.has_perm("benefits.add_appeal"),
        "can_decide_appeal": open_appeal is not None and user.has_perm(appeals.DECIDE_APPEAL) and not took_part,
        "took_part": open_appeal is not None and user.has_perm(appeals.DECIDE_APPEAL) and took_part,
        "can_withdraw_appeal": open_appeal is not None and user.has_perm("benefits.change_appeal"),
        "lodge_form": forms_given.get("lodge_form")
        or forms.AppealLodgeForm(initial={"received_on": appeals.decision_day(claim)}),
        "appeal_form": forms_given.get("appeal_form") or forms.AppealDecideForm(),
        "attempts": [(attempt, _message(attempt.message)) for attempt in claim.attempts.select_related("by")]
        if user.has_perm("core.view_audit_history")
        else None,
    }


def _payments_context(request, claim) -> dict:
    """The claim's payment orders (adjustments after an appeal with their reason) and the
    overpayments to recover, for those who may see the payments."""
    if not request.user.has_perm("benefits.view_paymentorder"):
        return {"orders": None, "recoveries": None}
    return {
        "orders": list(claim.payment_orders.select_related("bank").order_by("period", "id")),
        "recoveries": list(claim.recoveries.order_by("period", "id")),
    }


def _message(stored: dict) -> str:
    language = _language()
    return stored.get(language) or stored.get("en") or stored.get("th") or ""


@login_required
@permission_required("benefits.view_claim", raise_exception=True)
def claim_detail(request, pk):
    return _claim_page(request, claim_get_for_user(request, pk))


@login_required
@permission_required("benefits.view_claim", raise_exception=True)
def claim_letter(request, pk):
    """The decision letter as a PDF, for a decided claim."""
    from benefits.letters import DECIDED, decision_letter_pdf

    claim = claim_get_for_user(request, pk)
    if claim.status not in DECIDED:
        raise Http404("The claim is not decided yet.")
    response = HttpResponse(decision_letter_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="decision-{claim.pk}.pdf"'
    return response


@login_required
@permission_required("benefits.change_claimdocument", raise_exception=True)
@require_POST
def claim_documents(request, pk):
    """Documents brought later: marked presented, and the claim examined again so its
    working no longer lists them."""
    claim = claim_get_for_user(request, pk)
    form = forms.DocumentsPresentedForm(request.POST, claim=claim)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.claim_document_present(claim=claim, officer=request.user, codes=form.cleaned_data["codes"])
                if claim.status in DECIDABLE:
                    services.claim_examine(claim=claim, officer=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Documents marked as presented."))
            return redirect(claim)
    return _claim_page(request, claim, documents_form=form)


def _override(request, claim, form):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    # Not authenticate(): wrong passwords here must not lock the supervisor out (sso.core.confirm).
    supervisor = form_supervisor_confirm(form, purpose="claim-override", asked_by=request.user)
    if supervisor is None:
        return None
    try:
        return services.claim_adjudicate(
            claim=claim,
            officer=request.user,
            approve=True,
            override_reason=data["override_reason"],
            confirmed_by=supervisor,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "confirmed_by" in exc.error_dict:
            exc = ValidationError({"supervisor": exc.error_dict.pop("confirmed_by"), **exc.error_dict})
        errors_to_form(form, exc)
        return None


@login_required
@permission_required("benefits.view_claim", raise_exception=True)
@require_POST
def claim_decide(request, pk):
    """The decision panel: approve (clear-cut), refer to the back office, approve with an
    override confirmed by a supervisor on the same form, or reject."""
    claim = claim_get_for_user(request, pk)
    action = request.POST.get("action")
    done = None
    if action == "approve":
        try:
            done = services.claim_adjudicate(claim=claim, officer=request.user, approve=True)
        except ValidationError as exc:
            return _claim_page(request, claim, status=400, approve_errors=exc.messages)
        message = _("Claim approved.")
    elif action == "refer":
        if not request.user.has_perm("benefits.change_claim"):
            return HttpResponse(status=403)
        form = forms.ReferForm(request.POST)
        if form.is_valid():
            try:
                done = services.claim_refer(claim=claim, officer=request.user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                errors_to_form(form, exc)
        if done is None:
            return _claim_page(request, claim, status=400, refer_form=form)
        message = _("Claim referred to the back office.")
    elif action == "reject":
        form = forms.RejectForm(request.POST)
        if form.is_valid():
            try:
                done = services.claim_adjudicate(
                    claim=claim, officer=request.user, approve=False, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
        if done is None:
            return _claim_page(request, claim, status=400, reject_form=form)
        message = _("Claim rejected.")
    elif action == "override":
        if not request.user.has_perm(services.ADJUDICATE):
            services.claim_attempt_record(
                claim=claim,
                officer=request.user,
                action=ClaimAttempt.Action.OVERRIDE,
                error=PermissionDenied(_("You may not decide claims.")),
            )
            return HttpResponse(status=403)
        form = forms.OverrideForm(request.POST)
        done = _override(request, claim, form)
        if done is None:
            return _claim_page(request, claim, status=400, override_form=form)
        message = _("Claim approved with an override confirmed by %(name)s.") % {
            "name": done.override_confirmed_by.get_full_name() or done.override_confirmed_by.username
        }
    else:
        return HttpResponse(status=400)
    messages.success(request, message)
    return redirect(claim)


# Work queue -------------------------------------------------------------------------------


@login_required
@permission_required("benefits.view_claim", raise_exception=True)
def claim_list(request):
    """The adjudicators' and verifiers' queue: the office's claims, those referred to the back
    office first, oldest first. Without a status chosen, the claims still to decide."""
    queryset = selectors.claim_queue(request.user)
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = OPEN
    filterset = ClaimFilter(data, queryset=queryset, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(request, "benefits/claim_list.html", {"filter": filterset, "page": page, "query": query.urlencode()})
