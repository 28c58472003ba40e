"""The counter's statement upload: an SSO 1-10 file (text or Excel form) checked whole and
filed, or refused with every error listed (and an error file to hand back to the employer).

Nothing is stored on a refusal; the errors are kept a short while in Redis, under the
officer's id, for the error file.
"""

import json
import uuid
import zlib

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contributions import services, sso110
from contributions.models import Statement
from contributions.services import StatementRefused
from sso.core import exports
from sso.core.redis import redis_client
from sso.core.scoping import object_get_for_user, office_scoped
from sso.core.uploads import errors_shown

ERRORS_TTL = 3600  # seconds the error file can be downloaded after a refusal


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("SSO 1-10 file"),
        help_text=_(
            "The text file (135 characters a line, TIS-620 or UTF-8) or the Excel form (.xlsx, one sheet per branch)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.dat,.xlsx,text/plain", "autofocus": True}),
    )
    employer_account = forms.CharField(
        label=_("Employer account number"),
        required=False,
        max_length=20,
        help_text=_("Needed for the Excel form; for a text file it is read from the file."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    period = forms.CharField(
        label=_("Wage period"),
        required=False,
        max_length=10,
        help_text=_("Month/year, e.g. 01/2569. Needed for the Excel form."),
        widget=forms.TextInput(attrs={"placeholder": "MM/YYYY", "autocomplete": "off"}),
    )


def _errors_key(user_id, token) -> str:
    # The database name keeps apart several databases sharing one Redis (test runs, staging).
    return f"contributions:file-errors:{connection.settings_dict['NAME']}:{user_id}:{token}"


def errors_keep(user, file_name, refused: StatementRefused) -> str:
    """Keep every error of a refused file a short while for its error file; the token names it."""
    token = uuid.uuid4().hex
    body = {
        "file_name": file_name,
        "errors": sso110.errors_as_dicts(refused.line_errors),
        "unknown_persons": refused.unknown_persons,
    }
    # Compressed: a file of 150,000 bad lines makes tens of megabytes of repetitive JSON.
    raw = zlib.compress(json.dumps(body, default=str).encode(), 6)
    redis_client().set(_errors_key(user.pk, token), raw, ex=ERRORS_TTL)
    return token


_errors_keep = errors_keep


def _label(field):
    return sso110.FIELD_LABELS.get(field, field)


@login_required
@permission_required("contributions.add_statement", raise_exception=True)
def statement_upload(request):
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statements = services.statement_file_submit(
                officer=request.user,
                file_name=upload.name,
                content=sso110.upload_content(upload),
                employer_account=form.cleaned_data["employer_account"] or None,
                period=form.cleaned_data["period"] or None,
            )
        except StatementRefused as refused:
            errors = refused.line_errors
            shown = errors_shown()
            context |= {
                "file_name": upload.name,
                "errors_token": _errors_keep(request.user, upload.name, refused),
                "error_count": len(errors),
                "errors_shown": [
                    {
                        "sheet": getattr(error, "sheet", ""),
                        "line": error.line,
                        "label": _label(error.field),
                        "expected": error.expected,
                        "found": error.found,
                        "message": error.message,
                    }
                    for error in errors[:shown]
                ],
                "errors_hidden": max(len(errors) - shown, 0),
                "has_sheets": any(getattr(error, "sheet", "") for error in errors),
                "unknown_persons": refused.unknown_persons,
            }
        else:
            query = "&".join(f"s={statement.pk}" for statement in statements)
            return redirect(f"{reverse('contributions:statement_upload_result')}?{query}")
    return render(request, "contributions/upload_form.html", context)


@login_required
@permission_required("contributions.view_statement", raise_exception=True)
def statement_upload_result(request):
    """The statements an upload filed (ids in the query), each with what is due today."""
    ids = [int(value) for value in request.GET.getlist("s") if value.isdigit()][:100]
    queryset = office_scoped(Statement.objects.select_related("employer", "branch"), request.user)
    statements = list(queryset.filter(pk__in=ids).order_by("branch__number", "period"))
    if not statements:
        raise Http404("No statement to show.")
    rows = [{"statement": statement, "due": services.statement_amount_due(statement)} for statement in statements]
    return render(
        request,
        "contributions/upload_result.html",
        {
            "rows": rows,
            "total_due": sum((row["due"].total for row in rows), 0),
            "head_count": sum(statement.head_count for statement in statements),
        },
    )


@login_required
@permission_required("contributions.add_statement", raise_exception=True)
def statement_upload_errors(request, token):
    """The errors of a refused upload as a CSV file (UTF-8 with BOM, for spreadsheet programs)."""
    return errors_file_response(request.user, token)


def errors_file_response(user, token):
    """Every error of a file `user` uploaded and saw refused, as a CSV file (also the API's)."""
    raw = redis_client().get(_errors_key(user.pk, token))
    if raw is None:
        raise Http404("The error file has expired: upload the file again.")
    body = json.loads(zlib.decompress(raw))
    language = "en" if (get_language() or "th").startswith("en") else "th"
    rows = [
        [
            error.get("sheet", ""),
            error["line"],
            str(_label(error["field"])),
            error["expected"],
            error["found"],
            error[f"message_{language}"],
        ]
        for error in body["errors"]
    ]
    if body["unknown_persons"]:
        rows.append([])
        rows.append([str(_("Not registered yet: register these employees (SSO 1-03) first."))])
        rows.append([str(_("Sheet")), str(_("Line")), str(_("National ID")), str(_("First name")), str(_("Surname"))])
        rows.extend(
            [person.get("sheet", ""), person["line"], person["national_id"], person["first_name"], person["last_name"]]
            for person in body["unknown_persons"]
        )
    stem = (body["file_name"].rsplit(".", 1)[0] or "statement")[:60]
    header = [str(_("Sheet")), str(_("Line")), str(_("Field")), str(_("Expected")), str(_("Found")), str(_("Problem"))]
    # The file's own text (what was found, names) cannot become a formula in Excel.
    return exports.csv_response(f"{_ascii(stem)}-errors.csv", header, rows)


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in text) or "statement"


@login_required
@permission_required("contributions.view_statement", raise_exception=True)
def statement_sso110(request, pk):
    """A stored statement as an SSO 1-10 text file (Windows-874, CRLF)."""
    statement = object_get_for_user(Statement.objects.select_related("employer", "branch"), request.user, pk=pk)
    response = HttpResponse(sso110.sso110_render(statement), content_type="text/plain; charset=windows-874")
    name = f"sso110-{statement.employer.account_number}-{statement.branch.number}-{statement.period:%Y%m}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
