"""Appeal pages: an appeal lodged against a claim's decision and decided (or withdrawn) on the
claim page, and the open appeals' work list of the Appeals Committee."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefits import appeals, forms, selectors
from benefits.views.claims import _claim_page, claim_get_for_user
from sso.core.forms import errors_to_form


@login_required
@permission_required("benefits.add_appeal", raise_exception=True)
@require_POST
def claim_appeal(request, pk):
    """Lodge the person's appeal against the claim's decision."""
    claim = claim_get_for_user(request, pk)
    form = forms.AppealLodgeForm(request.POST)
    if form.is_valid():
        try:
            appeals.appeal_lodge(
                claim=claim,
                officer=request.user,
                grounds=form.cleaned_data["grounds"],
                received_on=form.cleaned_data["received_on"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Appeal lodged for the Appeals Committee."))
            return redirect(claim)
    return _claim_page(request, claim, status=400, lodge_form=form)


@login_required
@permission_required("benefits.view_appeal", raise_exception=True)
@require_POST
def appeal_action(request, pk):
    """Decide an open appeal (uphold or dismiss), or withdraw it at the person's request."""
    appeal = selectors.appeal_get_for_user(request.user, pk)
    claim = claim_get_for_user(request, appeal.claim_id)
    action = request.POST.get("action")
    form = forms.AppealDecideForm(request.POST)
    if action not in ("uphold", "dismiss", "withdraw") or not form.is_valid():
        return HttpResponse(status=400)
    try:
        if action == "withdraw":
            if not request.user.has_perm("benefits.change_appeal"):
                return HttpResponse(status=403)
            appeals.appeal_withdraw(appeal=appeal, officer=request.user, note=form.cleaned_data["note"])
            message = _("Appeal withdrawn: the decision stands.")
        else:
            appeals.appeal_decide(
                appeal=appeal, officer=request.user, uphold=action == "uphold", note=form.cleaned_data["note"]
            )
            message = _("Appeal upheld.") if action == "uphold" else _("Appeal dismissed: the decision stands.")
    except ValidationError as exc:
        errors_to_form(form, exc)
        return _claim_page(request, claim, status=400, appeal_form=form)
    messages.success(request, message)
    return redirect(claim)


@login_required
@permission_required("benefits.view_appeal", raise_exception=True)
def appeal_list(request):
    """The open appeals of the office, oldest first: the Appeals Committee's work list."""
    queryset = selectors.appeals_open(request.user)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "benefits/appeal_list.html", {"page": page, "query": ""})
