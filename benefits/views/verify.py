"""The verifier's work queue of the claims' cross-check findings: clear a finding (it does not
stand) or confirm it (the claim goes back for a new decision). Office scope: another office's
claim or finding is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefits import backoffice, selectors
from benefits.models import ClaimFinding

VERIFY = "benefits.change_claimfinding"


@login_required
@permission_required(VERIFY, raise_exception=True)
def verify_list(request):
    """Claims of the office with open findings, oldest first, with their findings."""
    kind = request.GET.get("kind", "")
    claims = selectors.claims_with_open_findings(request.user, kind)
    counts = selectors.open_findings_by_kind(request.user)
    return render(
        request,
        "benefits/verify_list.html",
        {
            "claims": claims,
            "kinds": [(value, label, counts.get(value, 0)) for value, label in ClaimFinding.Kind.choices],
            "kind": kind,
            "total": sum(counts.values()),
        },
    )


@login_required
@permission_required(VERIFY, raise_exception=True)
@require_POST
def finding_resolve(request, pk):
    finding = selectors.finding_get_for_user(request.user, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    service = {"clear": backoffice.finding_clear, "confirm": backoffice.finding_confirm}.get(action)
    if service is None:
        messages.error(request, _("Choose clear or confirm."))
        return redirect("benefits:verify_list")
    try:
        service(finding=finding, officer=request.user, note=note)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        if action == "clear":
            messages.success(request, _("Finding cleared."))
        else:
            messages.success(request, _("Finding confirmed: the claim goes back for a new decision."))
    return redirect("benefits:verify_list")
