from django import forms
from django.utils.translation import gettext_lazy as _

from queueing.lifecycles import FINISH_OUTCOMES
from queueing.models import Counter, Service, Ticket
from queueing.notices import AHEAD_CHOICES, AHEAD_DEFAULT, phone_clean
from queueing.services import customer_ref_clean


class KioskForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=_("Service"), widget=forms.RadioSelect)
    customer_kind = forms.ChoiceField(
        label=_("I am"),
        choices=Ticket.CustomerKind.choices,
        initial=Ticket.CustomerKind.INSURED,
        widget=forms.RadioSelect,
    )
    customer_ref = forms.CharField(
        label=_("National ID or employer account (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Ticket.Priority.choices,
        coerce=int,
        initial=Ticket.Priority.REGULAR,
        widget=forms.RadioSelect,
    )

    # Messages of the ticket to the customer's phone (queueing.notices): only with their consent.
    notify_phone = forms.CharField(
        label=_("Mobile number, for a message when your turn is near (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    notify_ahead = forms.TypedChoiceField(
        label=_("Send a message when this many people are ahead of me"),
        choices=[(n, str(n)) for n in AHEAD_CHOICES],
        coerce=int,
        initial=AHEAD_DEFAULT,
        required=False,
    )
    notify_consent = forms.BooleanField(
        label=_("I agree that the office keeps this number for today only, to send me these messages."),
        required=False,
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(office=office, is_active=True).order_by(
            "sort_order", "prefix"
        )

    def clean(self):
        data = super().clean()
        if "customer_kind" in data:
            try:
                data["customer_ref"] = customer_ref_clean(data["customer_kind"], data.get("customer_ref", ""))
            except forms.ValidationError as exc:
                self.add_error("customer_ref", exc)
        if (data.get("notify_phone") or "").strip():
            try:
                data["notify_phone"] = phone_clean(data["notify_phone"])
            except forms.ValidationError as exc:
                self.add_error(None, exc)
            if not data.get("notify_consent"):
                self.add_error(
                    "notify_consent", _("Tick the consent to get messages, or leave the mobile number empty.")
                )
        else:
            data["notify_phone"] = ""
        return data


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(o.value, o.label) for o in FINISH_OUTCOMES], initial=FINISH_OUTCOMES[0].value
    )


class TransferForm(forms.Form):
    to_service = forms.ModelChoiceField(queryset=Service.objects.none(), required=False, label=_("To service"))
    to_counter = forms.ModelChoiceField(queryset=Counter.objects.none(), required=False, label=_("To counter"))

    def __init__(self, *args, counter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_service"].queryset = Service.objects.filter(office_id=counter.office_id, is_active=True)
        self.fields["to_counter"].queryset = Counter.objects.filter(
            office_id=counter.office_id, is_active=True
        ).exclude(pk=counter.pk)

    def clean(self):
        data = super().clean()
        if not data.get("to_service") and not data.get("to_counter"):
            raise forms.ValidationError(_("Choose the service or counter to transfer to."))
        return data
