"""The planner page's form: the coming day to plan and how many replications to simulate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from queueing.planning.services import REPLICATIONS
from sso.core.forms import ThaiDateField


class PlannerForm(forms.Form):
    day = ThaiDateField(label=_("Day to plan"))
    replications = forms.TypedChoiceField(
        label=_("Replications"), choices=[(n, n) for n in REPLICATIONS], coerce=int, initial=200
    )
