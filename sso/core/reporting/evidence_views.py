"""The kept monthly evidence reports: the list (`/reports/evidence/`: the office's reports; a
national role sees every office's and the national editions), generating one on demand (the
office dashboard's button), and each kept PDF's download. Office-scoped: another office's
report, or an office outside the user's scope, is a 404."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sso.core.models import EvidenceReport, Office
from sso.core.months import month_add, month_first
from sso.core.reporting.evidence import evidence_generate, month_text
from sso.core.scoping import object_get_for_user, office_scoped, sees_all_offices

REPORTS_PERMISSION = "core.view_reports"
PER_PAGE = 50
MONTHS_OFFERED = 24


def months_offered(today: datetime.date) -> list[tuple[str, str]]:
    """The months one may generate, latest first: every ended month of the last two years."""
    this = month_first(today)
    return [
        (f"{month:%Y-%m}", month_text(month, "th"))
        for month in (month_add(this, -n) for n in range(1, MONTHS_OFFERED + 1))
    ]


class EvidenceForm(forms.Form):
    """Which report to generate: an office's code (blank: the national edition, for a role that
    sees every office; else the user's office) and a month (YYYY-MM)."""

    office = forms.CharField(label=_("Office"), required=False, max_length=10)
    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-\d{2}$")

    def clean_month(self):
        try:
            return datetime.date.fromisoformat(self.cleaned_data["month"] + "-01")
        except ValueError:
            raise ValidationError(_("Give the month as YYYY-MM."), code="invalid") from None


def _office_asked(user, code: str) -> Office | None:
    """The office asked for (404 outside the user's scope); blank: the national edition for a
    national role, else the user's own office."""
    if code:
        return object_get_for_user(Office, user, code=code)
    if sees_all_offices(user):
        return None
    return object_get_for_user(Office, user, pk=user.office_id or 0)


def _list(request, form: EvidenceForm, status: int = 200):
    reports = office_scoped(
        EvidenceReport.objects.select_related("office", "generated_by").defer("pdf"), request.user
    ).order_by("-month", "office__code", "-version")
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    language = get_language() or "th"
    for report in page:
        report.month_label = month_text(report.month, language)
    return render(
        request,
        "core/reports/evidence_list.html",
        {
            "page": page,
            "form": form,
            "months": months_offered(timezone.localdate()),
            "offices": office_scoped(Office.objects.order_by("code"), request.user),
            "national": sees_all_offices(request.user),
        },
        status=status,
    )


@login_required
@permission_required(REPORTS_PERMISSION, raise_exception=True)
@require_safe
def evidence_list(request):
    return _list(request, EvidenceForm())


@login_required
@permission_required(REPORTS_PERMISSION, raise_exception=True)
@require_POST
def evidence_create(request):
    """Generate a past month's report now (a new version when the month has one already)."""
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    office = _office_asked(request.user, form.cleaned_data["office"])
    try:
        report = evidence_generate(office=office, month=form.cleaned_data["month"], officer=request.user)
    except ValidationError as exc:
        for field, errors in exc.error_dict.items():
            form.add_error(field, errors)
        return _list(request, form, status=400)
    messages.success(
        request,
        _("The evidence report of %(month)s is kept as version %(version)s.")
        % {"month": month_text(report.month, get_language() or "th"), "version": report.version},
    )
    return redirect("core:evidence_list")


@login_required
@permission_required(REPORTS_PERMISSION, raise_exception=True)
@require_safe
def evidence_pdf(request, pk):
    report = object_get_for_user(EvidenceReport.objects.select_related("office"), request.user, pk=pk)
    where = report.office.code if report.office_id else "national"
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="evidence-{where}-{report.month:%Y-%m}-v{report.version}.pdf"'
    )
    return response
