"""The arrears page and its CSV / Excel export (`contributions.arrears`)."""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contributions import account as accounts
from contributions import arrears, rules
from sso.core.models import Office
from sso.core.months import month_add
from sso.core.scoping import scope_office_id

PERIODS_SHOWN = 24


class ArrearsForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Wage period"))
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"),
        queryset=Office.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=gettext_lazy("All offices"),
    )

    def __init__(self, data, *, latest, national):
        super().__init__(data)
        periods = [month_add(latest, -n) for n in range(PERIODS_SHOWN)]
        self.fields["period"].choices = [(f"{p:%Y-%m}", arrears.period_label(p)) for p in periods]
        self.fields["period"].initial = f"{latest:%Y-%m}"
        self.fields["period"].widget.attrs["autofocus"] = True
        if not national:
            del self.fields["office"]


def _selection(request):
    """(form, wage period, office id or None for every office) from the query string; an
    officer without the all-offices permission always gets their own office."""
    latest = arrears.latest_due_period()
    office_id = scope_office_id(request.user)
    form = ArrearsForm(request.GET or None, latest=latest, national=office_id is None)
    period = latest
    if form.is_bound and form.is_valid():
        year, month = (int(part) for part in form.cleaned_data["period"].split("-"))
        period = latest.replace(year=year, month=month)
        if office_id is None and form.cleaned_data.get("office"):
            office_id = form.cleaned_data["office"].pk
    return form, period, office_id


@login_required
@permission_required("contributions.view_arrears", raise_exception=True)
def arrears_page(request):
    form, period, office_id = _selection(request)
    number = request.GET.get("page", "1")
    number = int(number) if number.isdigit() and int(number) > 0 else 1
    rows, total = arrears.arrears_list(
        period=period, office_id=office_id, limit=arrears.PAGE_SIZE, offset=(number - 1) * arrears.PAGE_SIZE
    )
    paginator = Paginator(range(total), arrears.PAGE_SIZE)
    page = paginator.get_page(number)
    if total and page.number != number:  # past the end: show the last page
        rows, total = arrears.arrears_list(
            period=period, office_id=office_id, limit=arrears.PAGE_SIZE, offset=(page.number - 1) * arrears.PAGE_SIZE
        )
    query = request.GET.copy()
    query.pop("page", None)
    # The follow-up: each employer's latest arrears notice (one query for the page).
    notices = accounts.notices_latest({row.employer_id for row in rows})
    return render(
        request,
        "contributions/arrears.html",
        {
            "form": form,
            "period": period,
            "period_label": arrears.period_label(period),
            "due_on": rules.due_date(period, rules.surcharge_rule_for(period)),
            "today": timezone.localdate(),
            "rows": rows,
            "items": [(row, notices.get(row.employer_id)) for row in rows],
            "total": total,
            "page": page,
            "query": query.urlencode(),
            "office": Office.objects.filter(pk=office_id).first() if office_id not in (None, -1) else None,
        },
    )


@login_required
@permission_required("contributions.view_arrears", raise_exception=True)
def arrears_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _form, period, office_id = _selection(request)
    rows, _total = arrears.arrears_list(period=period, office_id=office_id)
    name = f"arrears-{period:%Y-%m}"
    if fmt == "xlsx":
        title = _("Arrears %(period)s") % {"period": arrears.period_label(period, "-")}
        content = arrears.export_xlsx(rows, title=title)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(arrears.export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
