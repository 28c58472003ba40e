"""Reimbursements paid through the bank: a bank batch's page (its file, sent, the bank's
confirmation with per-line errors) and the returned transfers (approved again to a corrected
account, or cancelled). The same mechanism as benefits' payments (`sso.core.payouts`).
Reading and writing need change_reimbursement; office scoped: another office's batch or
reimbursement answers 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contributions import services
from contributions.models import Reimbursement, ReimbursementBatch
from registry import selectors as registry
from sso.core.forms import ThaiDateField
from sso.core.scoping import object_get_for_user, office_scoped
from sso.core.uploads import errors_shown, upload_read

CHANGE = "contributions.change_reimbursement"


class PayeeForm(forms.Form):
    """The account to pay into (an employer's; a person's open bank account is used when left empty)."""

    bank = forms.ModelChoiceField(label=_("Bank"), queryset=None, required=False)
    account_number = forms.CharField(label=_("Account number"), required=False, max_length=30)
    account_name = forms.CharField(label=_("Account name"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = registry.banks()


class BankBatchForm(forms.Form):
    bank = forms.ModelChoiceField(label=_("Bank"), queryset=None)
    pay_on = ThaiDateField(label=_("Pay on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = registry.banks()


class ConfirmationForm(forms.Form):
    file = forms.FileField(label=_("Bank's confirmation (CSV)"))


def batch_get_for_user(request, pk) -> ReimbursementBatch:
    return object_get_for_user(ReimbursementBatch.objects.select_related("bank", "created_by"), request.user, pk=pk)


def _refusal(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@permission_required(CHANGE, raise_exception=True)
def reimbursement_batch(request, pk):
    batch = batch_get_for_user(request, pk)
    form = ConfirmationForm()
    result = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "sent":
                services.reimbursement_batch_send(batch=batch, officer=request.user)
                messages.success(request, _t("The batch is marked sent."))
                return redirect("contributions:reimbursement_batch", batch.pk)
            if action == "confirm":
                form = ConfirmationForm(request.POST, request.FILES)
                if form.is_valid():
                    result = services.reimbursement_confirmation_import(
                        batch=batch, content=upload_read(form.cleaned_data["file"]), officer=request.user
                    )
                    if not result.errors:
                        messages.success(
                            request,
                            _t("Confirmation imported: %(paid)s paid, %(failed)s failed, %(same)s already applied.")
                            % {"paid": result.paid, "failed": result.failed, "same": result.unchanged},
                        )
                        return redirect("contributions:reimbursement_batch", batch.pk)
        except ValidationError as exc:
            _refusal(request, exc)
            return redirect("contributions:reimbursement_batch", batch.pk)
        batch.refresh_from_db()
    context = {
        "batch": batch,
        "items": batch.reimbursements.select_related("person", "employer").order_by("pk"),
        "form": form,
        "result": result,
    }
    if result is not None and result.errors:
        shown = errors_shown()
        context |= {"errors_shown": result.errors[:shown], "errors_hidden": max(len(result.errors) - shown, 0)}
    return render(request, "contributions/reimbursement_batch.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def reimbursement_batch_file(request, pk):
    batch = batch_get_for_user(request, pk)
    if batch.bank_id is None:
        messages.error(request, _t("A batch without a bank is paid by hand: there is no file to send."))
        return redirect("contributions:reimbursement_list")
    response = HttpResponse(services.reimbursement_batch_file(batch), content_type="text/csv; charset=utf-8")
    name = f"sso-reimbursements-{batch.bank.code}-{batch.pay_on:%Y%m%d}-{batch.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@permission_required(CHANGE, raise_exception=True)
def reimbursement_returned(request):
    items = (
        office_scoped(Reimbursement.objects.select_related("person", "employer", "bank", "batch"), request.user)
        .filter(status=Reimbursement.Status.FAILED)
        .order_by("created_at", "pk")
    )
    return render(
        request, "contributions/reimbursement_returned.html", {"items": items[:200], "payee_form": PayeeForm()}
    )


@require_POST
@login_required
@permission_required(CHANGE, raise_exception=True)
def reimbursement_returned_action(request, pk):
    reimbursement = object_get_for_user(Reimbursement.objects.all(), request.user, pk=pk)
    try:
        if request.POST.get("action") == "cancel":
            services.reimbursement_cancel(
                reimbursement=reimbursement, officer=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _t("The reimbursement is cancelled."))
        else:
            form = PayeeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_t("Choose the bank."))
            services.reimbursement_requeue(reimbursement=reimbursement, officer=request.user, **form.cleaned_data)
            messages.success(request, _t("The transfer is queued again."))
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("contributions:reimbursement_returned")
