"""Bulk registration upload pages: the upload form, an upload's progress and result, the
office's recent uploads, and the template and error files to download."""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registry import bulk, selectors
from registry.validators import account_number_clean
from sso.core.uploads import errors_shown


class BulkUploadForm(forms.Form):
    account_number = forms.CharField(
        label=_("Employer account number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or Thai TIS-620) or Excel .xlsx, one employee a line, with a header line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.employer = None

    def clean_account_number(self):
        digits = account_number_clean(self.cleaned_data["account_number"])
        self.employer = bulk.upload_employer_get(user=self.user, account_number=digits)
        if self.employer is None:
            raise ValidationError(
                _("No employer with account number %(account)s is known.") % {"account": digits}, code="unknown"
            )
        return digits


@login_required
@permission_required("registry.view_bulkupload", raise_exception=True)
def upload_list(request):
    return render(request, "registry/upload_list.html", {"uploads": bulk.upload_list(request.user)})


@login_required
@permission_required("registry.add_bulkupload", raise_exception=True)
def upload_new(request):
    initial = {"account_number": request.GET.get("employer", "")}
    form = BulkUploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            upload = bulk.bulk_upload_submit(
                officer=request.user,
                employer=form.employer,
                file_name=upload_file.name,
                content=bulk.uploaded_file_read(upload_file),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("registry:upload", pk=upload.pk)
    return render(
        request,
        "registry/upload_form.html",
        {
            "form": form,
            "columns": bulk.COLUMN_LABELS,
            "required": bulk.REQUIRED,
            "sync_max": bulk.SYNC_MAX_LINES,
            "registration_days": selectors.registration_rule(timezone.localdate()).employee_registration_days,
        },
    )


def _status_context(request, pk):
    upload = bulk.upload_get_for_user(request.user, pk)
    shown = errors_shown()
    return {
        "upload": upload,
        "progress": bulk.progress_get(upload),
        "errors_shown": [
            {**error, "label": bulk.COLUMN_LABELS.get(error.get("field"), error.get("field"))}
            for error in upload.errors[:shown]
        ],
        "errors_hidden": max(len(upload.errors) - shown, 0),
    }


@login_required
@permission_required("registry.view_bulkupload", raise_exception=True)
def upload_detail(request, pk):
    return render(request, "registry/upload_status.html", _status_context(request, pk))


@login_required
@permission_required("registry.view_bulkupload", raise_exception=True)
def upload_progress(request, pk):
    """The status block alone, polled by the status page every second until the upload ends."""
    return render(request, "registry/upload_status_body.html", _status_context(request, pk))


@login_required
@permission_required("registry.add_bulkupload", raise_exception=True)
def upload_template(request):
    response = HttpResponse(bulk.template_csv(get_language() or "th"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sso-1-03-bulk.csv"'
    return response


@login_required
@permission_required("registry.view_bulkupload", raise_exception=True)
def upload_errors(request, pk):
    upload = bulk.upload_get_for_user(request.user, pk)
    response = HttpResponse(bulk.errors_csv(upload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-errors.csv"'
    return response
