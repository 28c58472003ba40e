"""The verifier's work queue of the claims' cross-check findings: clear a finding (it does not
stand) or confirm it (the claim goes back for a new decision). Office scope: another office's
claim or finding is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Min
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefits import backoffice
from benefits.models import Claim, ClaimFinding
from sso.core.scoping import object_get_for_user, office_scoped

VERIFY = "benefits.change_claimfinding"


@login_required
@permission_required(VERIFY, raise_exception=True)
def verify_list(request):
    """Claims of the office with open findings, oldest first, with their findings."""
    open_findings = ClaimFinding.objects.filter(status=ClaimFinding.Status.OPEN)
    kind = request.GET.get("kind", "")
    claims = office_scoped(Claim.objects.all(), request.user).filter(findings__status=ClaimFinding.Status.OPEN)
    if kind in ClaimFinding.Kind.values:
        claims = claims.filter(findings__kind=kind)
    claims = (
        claims.annotate(first_found=Min("findings__found_at"))
        .select_related("person", "office")
        .prefetch_related("findings")
        .order_by("first_found", "pk")
        .distinct()[:200]
    )
    counts = dict(
        office_scoped(open_findings, request.user).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
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
    finding = object_get_for_user(ClaimFinding.objects.select_related("claim"), request.user, pk=pk)
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
