"""The medical processes' pages (issue 20, part 4): a claim for medical expenses with its
receipts (then decided and paid on the claim page as every claim), and hospitals' high-cost
requests: recorded with their cases, checked (first step), approved (second step, another
officer), and paid to the hospitals' accounts by bank batch (file, sent, the bank's
confirmation: `sso.core.payouts`). Office scoped: another office's request or batch is 404."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from benefits import medical
from benefits.medical import CaseInput, ReceiptInput
from benefits.models import HospitalBatch, HospitalKind, HospitalRequest, Patient
from benefits.views.claims import person_get_for_user
from registry import selectors as registry
from sso.core.forms import ThaiDateField, ThaiMonthField, errors_to_form
from sso.core.scoping import object_get_for_user, office_scoped
from sso.core.uploads import errors_shown, text_lines_check, upload_read

RECEIPT_ROWS = 4
MAX_CASES_TEXT = 100_000  # characters of the cases typed or pasted (500 lines at most)


def _hospitals():
    return registry.hospitals()


class MedicalClaimForm(forms.Form):
    hospital = forms.ModelChoiceField(label=_("Hospital of the receipts"), queryset=None)
    hospital_kind = forms.ChoiceField(label=_("Kind of hospital"), choices=HospitalKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = _hospitals()


class ReceiptForm(forms.Form):
    number = forms.CharField(label=_("Receipt number"), max_length=40, required=False)
    patient = forms.ChoiceField(label=_("Patient"), choices=Patient.choices, required=False)
    treated_on = ThaiDateField(label=_("Treated or admitted on"), required=False)
    discharged_on = ThaiDateField(label=_("Discharged on"), required=False)
    care = forms.DecimalField(label=_("Medical care"), min_value=0, max_digits=12, decimal_places=2, required=False)
    room = forms.DecimalField(label=_("Room and food"), min_value=0, max_digits=12, decimal_places=2, required=False)
    icu = forms.DecimalField(label=_("ICU"), min_value=0, max_digits=12, decimal_places=2, required=False)
    icu_days = forms.IntegerField(label=_("Days in ICU"), min_value=0, max_value=365, required=False)
    surgery = forms.DecimalField(label=_("Surgery"), min_value=0, max_digits=12, decimal_places=2, required=False)
    surgery_minutes = forms.IntegerField(label=_("Minutes of surgery"), min_value=0, max_value=2000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("number") and not data.get("treated_on"):
            self.add_error("treated_on", _("Give the date of the treatment."))
        if data.get("number") and not data.get("patient"):
            self.add_error("patient", _("Say whether each receipt is for an out-patient or an in-patient."))
        return data

    def receipt(self) -> ReceiptInput | None:
        data = self.cleaned_data
        if not data.get("number"):
            return None
        zero = Decimal("0")
        return ReceiptInput(
            number=data["number"],
            patient=data["patient"],
            treated_on=data["treated_on"],
            discharged_on=data.get("discharged_on"),
            care=data.get("care") or zero,
            room=data.get("room") or zero,
            icu=data.get("icu") or zero,
            icu_days=data.get("icu_days") or 0,
            surgery=data.get("surgery") or zero,
            surgery_minutes=data.get("surgery_minutes") or 0,
        )


ReceiptFormSet = forms.formset_factory(ReceiptForm, extra=RECEIPT_ROWS, max_num=RECEIPT_ROWS, absolute_max=RECEIPT_ROWS)


@login_required
@permission_required("benefits.add_claim", raise_exception=True)
def medical_claim_new(request, pk):
    """Record a claim for medical expenses with its receipts and examine it at once; the
    claim page shows the working and decides it."""
    person = person_get_for_user(request, pk)
    form = MedicalClaimForm(request.POST or None)
    receipts = ReceiptFormSet(request.POST or None, prefix="receipt")
    if request.method == "POST" and form.is_valid() and receipts.is_valid():
        items = [item for item in (row.receipt() for row in receipts) if item is not None]
        try:
            with transaction.atomic():
                claim = medical.medical_claim_record(
                    officer=request.user,
                    person=person,
                    hospital=form.cleaned_data["hospital"],
                    hospital_kind=form.cleaned_data["hospital_kind"],
                    receipts=items,
                    presented=request.POST.getlist("presented"),
                )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _t("Claim recorded and examined."))
            return redirect(claim)
    return render(request, "benefits/medical_claim_new.html", {"form": form, "receipts": receipts, "person": person})


# High-cost care paid to hospitals --------------------------------------------------------------


class HospitalRequestForm(forms.Form):
    hospital = forms.ModelChoiceField(label=_("Hospital"), queryset=None)
    reference = forms.CharField(label=_("Hospital's reference"), max_length=40)
    period = ThaiMonthField(label=_("Month of care"))
    bank = forms.ModelChoiceField(label=_("Bank"), queryset=None)
    account_number = forms.CharField(label=_("Account number"), max_length=30)
    account_name = forms.CharField(label=_("Account name"), max_length=200)
    cases = forms.CharField(
        label=_("Cases"),
        max_length=MAX_CASES_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One case a line: national ID, treatment date (YYYY-MM-DD), treatment code, units, amount asked."
            " Treatment codes: hemodialysis (sessions), adj_rw (adjusted relative weight)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = _hospitals()
        self.fields["bank"].queryset = registry.banks()

    def clean_cases(self):
        text = self.cleaned_data["cases"]
        text_lines_check(text)
        cases = []
        for line, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            cells = [cell.strip() for cell in raw.replace("\t", ",").split(",")]
            if len(cells) != 5:
                raise ValidationError(
                    _("Line %(line)s: five fields are needed (national ID, date, treatment, units, amount)."),
                    params={"line": line},
                )
            national_id, day, treatment, units, asked = cells
            try:
                day = datetime.date.fromisoformat(day)
            except ValueError:
                raise ValidationError(_("Line %(line)s: the date is not YYYY-MM-DD."), params={"line": line}) from None
            units, asked = medical.parse_amount(units), medical.parse_amount(asked)
            if units is None or asked is None:
                raise ValidationError(
                    _("Line %(line)s: the units or the amount is not a number."), params={"line": line}
                )
            digits = "".join(ch for ch in national_id if ch.isdigit())
            cases.append(CaseInput(digits, day, treatment[:40], units, asked))
        if len(cases) > medical.MAX_CASES:
            raise ValidationError(_("At most %(count)s cases a request."), params={"count": medical.MAX_CASES})
        return cases


class HospitalBatchForm(forms.Form):
    bank = forms.ModelChoiceField(label=_("Bank"), queryset=None)
    pay_on = ThaiDateField(label=_("Pay on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = registry.banks()


class ConfirmationForm(forms.Form):
    file = forms.FileField(label=_("Bank's confirmation (CSV)"))


def _requests(request):
    return office_scoped(HospitalRequest.objects.select_related("hospital", "bank"), request.user)


def request_get_for_user(request, pk) -> HospitalRequest:
    return object_get_for_user(
        HospitalRequest.objects.select_related("hospital", "bank", "recorded_by", "checked_by", "approved_by"),
        request.user,
        pk=pk,
    )


def batch_get_for_user(request, pk) -> HospitalBatch:
    return object_get_for_user(HospitalBatch.objects.select_related("bank", "created_by"), request.user, pk=pk)


@login_required
@permission_required("benefits.view_hospitalrequest", raise_exception=True)
def hospital_requests(request):
    form = HospitalRequestForm(request.POST or None, initial={"period": timezone.localdate().strftime("%Y-%m")})
    batch_form = HospitalBatchForm(initial={"pay_on": timezone.localdate()}, prefix="batch")
    if request.method == "POST":
        if not request.user.has_perm("benefits.add_hospitalrequest"):
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = medical.hospital_request_record(officer=request.user, **data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _t("Request recorded: %(count)s cases.") % {"count": made.cases.count()})
                return redirect("benefits:hospital_request", made.pk)
    context = {
        "form": form,
        "batch_form": batch_form,
        "requests": _requests(request).order_by("-recorded_at")[:100],
        "batches": office_scoped(HospitalBatch.objects.select_related("bank"), request.user)[:20],
    }
    return render(request, "benefits/hospital_requests.html", context)


@login_required
@permission_required("benefits.view_hospitalrequest", raise_exception=True)
def hospital_request_detail(request, pk):
    item = request_get_for_user(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        note = request.POST.get("note", "")
        try:
            if action == "check":
                medical.hospital_request_check(request=item, officer=request.user, note=note)
                messages.success(request, _t("The request is checked: a second officer approves it."))
            elif action == "approve":
                medical.hospital_request_approve(request=item, officer=request.user, note=note)
                messages.success(request, _t("The request is approved for payment."))
            elif action == "reject":
                medical.hospital_request_reject(request=item, officer=request.user, reason=note)
                messages.success(request, _t("The request is rejected."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("benefits:hospital_request", item.pk)
    cases = item.cases.select_related("person").order_by("id")
    return render(request, "benefits/hospital_request_detail.html", {"item": item, "cases": cases})


@require_POST
@login_required
@permission_required("benefits.add_hospitalbatch", raise_exception=True)
def hospital_batch_new(request):
    form = HospitalBatchForm(request.POST, prefix="batch")
    if form.is_valid():
        try:
            batch = medical.hospital_batch_make(office=request.user.office, officer=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            return redirect("benefits:hospital_batch", batch.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("benefits:hospital_requests")


@login_required
@permission_required("benefits.view_hospitalbatch", raise_exception=True)
def hospital_batch_detail(request, pk):
    batch = batch_get_for_user(request, pk)
    form = ConfirmationForm()
    result = None
    if request.method == "POST":
        if not request.user.has_perm("benefits.add_hospitalbatch"):
            return HttpResponse(status=403)
        try:
            if request.POST.get("action") == "sent":
                medical.hospital_batch_send(batch=batch, officer=request.user)
                messages.success(request, _t("The batch is marked sent."))
                return redirect("benefits:hospital_batch", batch.pk)
            form = ConfirmationForm(request.POST, request.FILES)
            if form.is_valid():
                result = medical.hospital_confirmation_import(
                    batch=batch, content=upload_read(form.cleaned_data["file"]), officer=request.user
                )
                if not result.errors:
                    messages.success(
                        request,
                        _t("Confirmation imported: %(paid)s paid, %(failed)s failed, %(same)s already applied.")
                        % {"paid": result.paid, "failed": result.failed, "same": result.unchanged},
                    )
                    return redirect("benefits:hospital_batch", batch.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("benefits:hospital_batch", batch.pk)
    context = {
        "batch": batch,
        "items": batch.requests.select_related("hospital").order_by("id"),
        "form": form,
        "result": result,
        "errors_shown": result.errors[: errors_shown()] if result else [],
    }
    return render(request, "benefits/hospital_batch.html", context)


@login_required
@permission_required("benefits.view_hospitalbatch", raise_exception=True)
def hospital_batch_file(request, pk):
    batch = batch_get_for_user(request, pk)
    response = HttpResponse(medical.hospital_batch_file(batch), content_type="text/csv; charset=utf-8")
    name = f"sso-hospitals-{batch.bank.code}-{batch.pay_on:%Y%m%d}-{batch.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
