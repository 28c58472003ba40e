"""The planner page's forms: the coming day to plan (how many replications to simulate, the
standard the plan must meet, the spare desks it may open), and a plan's counters edited
shift by shift."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from queueing.planning.services import MAX_SPARE_DESKS, REPLICATIONS
from sso.core.forms import ThaiDateField


class PlannerForm(forms.Form):
    day = ThaiDateField(label=_("Day to plan"))
    replications = forms.TypedChoiceField(
        label=_("Replications"), choices=[(n, n) for n in REPLICATIONS], coerce=int, initial=200
    )
    within_percent = forms.IntegerField(
        label=_("Visits within the standard (%)"), min_value=50, max_value=100, initial=90, required=False
    )
    confidence_percent = forms.IntegerField(
        label=_("Replications meeting it (%)"), min_value=50, max_value=99, initial=90, required=False
    )
    spare_desks = forms.IntegerField(
        label=_("Spare desks the plan may open"),
        min_value=0,
        max_value=MAX_SPARE_DESKS,
        initial=6,
        required=False,
        help_text=_("Desks beyond the office's counters, staffed from the back office on a busy day."),
    )

    def clean(self):
        data = super().clean()
        # Left empty: the usual standard, and no spare desk.
        for name, default in (("within_percent", 90), ("confidence_percent", 90), ("spare_desks", 0)):
            if data.get(name) is None and name not in self.errors:
                data[name] = default
        return data


class ShiftForm(forms.Form):
    """One counter's shift: its number, the services it serves and its hours."""

    number = forms.IntegerField(label=_("Counter"), min_value=1, max_value=999)
    services = forms.TypedMultipleChoiceField(
        label=_("Services"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    opens = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes = forms.TimeField(label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(services)


class BaseShiftFormSet(forms.BaseFormSet):
    def shifts(self) -> list[dict]:
        """The shifts kept (a deleted or empty row left out), in seconds since midnight."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or data.get("number") is None:
                continue
            rows.append(
                {
                    "number": data["number"],
                    "services": data.get("services") or [],
                    "opens": _seconds(data["opens"]),
                    "closes": _seconds(data["closes"]),
                }
            )
        return rows


def _seconds(moment: datetime.time) -> float:
    return moment.hour * 3600 + moment.minute * 60


ShiftFormSet = forms.formset_factory(
    ShiftForm, formset=BaseShiftFormSet, extra=1, can_delete=True, max_num=200, absolute_max=200
)


class WhatIfForm(forms.Form):
    """Head office's what-if: the day, the offices, the shares of payers moved to other channels."""

    day = ThaiDateField(label=_("Day"))
    office = forms.ChoiceField(label=_("Office"), required=False)
    shares = forms.CharField(
        label=_("Shares of contribution payers moved to the bank and internet (%)"),
        initial="0, 20, 40",
        max_length=40,
        help_text=_("One to five percentages, separated by commas."),
    )
    replications = forms.TypedChoiceField(
        label=_("Replications"), choices=[(n, n) for n in REPLICATIONS], coerce=int, initial=100
    )

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", _("All offices"))] + [(o.code, f"{o.code} {o.name}") for o in offices]

    def clean_shares(self):
        try:
            return [int(part) for part in self.cleaned_data["shares"].replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(_("Give whole percentages separated by commas, e.g. 0, 20, 40.")) from None
