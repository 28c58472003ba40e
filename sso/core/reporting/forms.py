"""The report pages' range: the office, a preset or a custom span of days, and on the national
page a region or province. It yields a `Period`, or refuses with a reason in Thai and English
before anything is computed. An office outside the user's scope is a 404, like a missing one."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso.core.formats import date_lazy, lazy_format
from sso.core.forms import DATE_HELP, ThaiDateField
from sso.core.models import Office, Province
from sso.core.months import date_add_months, month_add, month_first
from sso.core.reports import REGIONS, Period, offices_of
from sso.core.scoping import object_get_for_user, office_scoped, sees_all_offices

PRESETS = (
    ("today", _("Today")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("last_month", _("Previous month")),
    ("custom", _("Custom")),
)
PRESET_CODES = tuple(code for code, _label in PRESETS)
DEFAULT_PRESET = "month"
MAX_MONTHS = 24  # a report covers at most two years

END_BEFORE_START = _("The end (%(end)s) is before the start (%(start)s).")
TOO_LONG = _("A report covers at most two years: from %(start)s, the last day can be %(last)s.")
FUTURE = _("%(day)s is in the future: a report covers days up to today (%(today)s).")
CUSTOM_NEEDS_DAYS = _("Give the first and the last day of the custom range.")


def preset_range(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a preset covers, ending today at the latest."""
    if preset == "today":
        return today, today
    if preset == "week":
        return today - datetime.timedelta(days=today.weekday()), today
    if preset == "last_month":
        first = month_add(month_first(today), -1)
        return first, month_first(today) - datetime.timedelta(days=1)
    return month_first(today), today


def range_check(start: datetime.date, end: datetime.date, today: datetime.date) -> None:
    """Refuses a range that ends before it starts, spans more than two years or reaches a
    future day: a ValidationError naming the field at fault (messages lazy: each language)."""
    errors = {}
    if start > today:
        errors["start"] = ValidationError(
            lazy_format(FUTURE, {"day": date_lazy(start), "today": date_lazy(today)}), code="future"
        )
    if end > today:
        errors["end"] = ValidationError(
            lazy_format(FUTURE, {"day": date_lazy(end), "today": date_lazy(today)}), code="future"
        )
    if end < start:
        errors.setdefault(
            "end",
            ValidationError(
                lazy_format(END_BEFORE_START, {"end": date_lazy(end), "start": date_lazy(start)}),
                code="end_before_start",
            ),
        )
    elif end >= date_add_months(start, MAX_MONTHS):
        last = date_add_months(start, MAX_MONTHS) - datetime.timedelta(days=1)
        errors.setdefault(
            "end",
            ValidationError(
                lazy_format(TOO_LONG, {"start": date_lazy(start), "last": date_lazy(last)}), code="too_long"
            ),
        )
    if errors:
        raise ValidationError(errors)


def report_office(user, code: str | None) -> Office:
    """The office an office's page reports on: the one asked for (404 outside the user's
    scope), else the user's own, else (a national role without an office) the first."""
    if code:
        return object_get_for_user(Office, user, code=code)
    if user.office_id is not None:
        return object_get_for_user(Office, user, pk=user.office_id)
    first = office_scoped(Office.objects.order_by("code"), user).first()
    if first is None:
        return object_get_for_user(Office, user, pk=0)  # 404
    return first


def period_make(*, office: Office | None, preset, start, end, region="", province="", today) -> Period:
    """The period asked for, checked (`range_check`)."""
    preset = preset or ("custom" if (start or end) else DEFAULT_PRESET)
    if preset == "custom":
        if start is None or end is None:
            field = "start" if start is None else "end"
            raise ValidationError({field: ValidationError(CUSTOM_NEEDS_DAYS, code="required")})
    else:
        start, end = preset_range(preset, today)
    range_check(start, end, today)
    if office is not None:
        return Period(office_id=office.pk, start=start, end=end, office_ids=(office.pk,))
    return Period(
        office_id=None,
        start=start,
        end=end,
        region=region or "",
        province=province or "",
        office_ids=offices_of(region or "", province or ""),
    )


class ReportRangeForm(forms.Form):
    """The range of a report page (GET). `office` is resolved before the form (a 404 outside
    the user's scope): a supervisor's is fixed, a national role picks any office."""

    office = forms.ChoiceField(label=_("Office"), required=False)
    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = ThaiDateField(label=_("From"), required=False, help_text=DATE_HELP)
    end = ThaiDateField(label=_("To"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, data, *, user, office: Office | None, today: datetime.date):
        super().__init__(data)
        self.user, self.office, self.today = user, office, today
        self.period: Period | None = None
        if office is None:  # the national page: every office, narrowed by region or province
            del self.fields["office"]
            self.fields["region"].choices = [("", _("Every region"))] + [
                (key, label) for key, (label, _digits) in REGIONS.items()
            ]
            self.fields["province"].choices = [("", _("Every province"))] + [
                (province.code, province.name) for province in Province.objects.order_by("code")
            ]
        else:
            del self.fields["region"], self.fields["province"]
            if sees_all_offices(user):
                self.fields["office"].choices = [
                    (each.code, f"{each.code} {each.name}") for each in Office.objects.order_by("code")
                ]
            else:
                self.fields["office"].choices = [(office.code, f"{office.code} {office.name}")]
                self.fields["office"].disabled = True
            self.fields["office"].initial = office.code

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.period = period_make(
                office=self.office,
                preset=data.get("preset"),
                start=data.get("start"),
                end=data.get("end"),
                region=data.get("region", ""),
                province=data.get("province", ""),
                today=self.today,
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        return data

    def shown(self) -> "ReportRangeForm":
        """The form to show after a valid range: the preset's days written in the date inputs."""
        if self.period is None:
            return self
        data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)
        data["preset"] = self.cleaned_data.get("preset") or (
            "custom" if self.cleaned_data.get("start") or self.cleaned_data.get("end") else DEFAULT_PRESET
        )
        data["start"], data["end"] = self.period.start, self.period.end
        if self.office is not None:
            data["office"] = self.office.code
        shown = ReportRangeForm(data, user=self.user, office=self.office, today=self.today)
        shown.period = self.period
        return shown
