import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso.core.formats import BE_OFFSET, date_display, date_numeric, month_numeric
from sso.core.models import Office

DATE_HELP = _("Year in B.E. (2569) or C.E. (2026).")


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the fields it names (others on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


_BE_MARKS = ("พ.ศ.", "พศ", "b.e.", "be")
_CE_MARKS = ("ค.ศ.", "คศ", "c.e.", "ce", "ad", "a.d.")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_thai_date(text: str) -> tuple[datetime.date, str]:
    """A date typed as day/month/year, in B.E. or C.E.; returns (C.E. date, era read).

    The era is what the user wrote ("2569 พ.ศ.", "2026 CE") or, without a mark, read off
    the year: 2400 and later is B.E., 1800-2299 is C.E.; anything else, or a 2-digit
    year, is refused as ambiguous rather than guessed.
    """
    raw = " ".join(text.strip().split())
    lowered = raw.lower()
    era = None
    for marks, name in ((_BE_MARKS, "BE"), (_CE_MARKS, "CE")):
        for mark in marks:
            if lowered.endswith(mark) or lowered.startswith(mark):
                era = name
                lowered = lowered.removesuffix(mark).removeprefix(mark).strip()
                break
        if era:
            break
    iso = _ISO.match(lowered)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        dmy = _DMY.match(lowered)
        if not dmy:
            raise forms.ValidationError(
                _("Enter the date as day/month/year, e.g. 26/11/2569 (B.E.) or 26/11/2026 (C.E.)."), code="format"
            )
        day, month, year_text = dmy.groups()
        if len(year_text) != 4:
            raise forms.ValidationError(
                _("Write the year with 4 digits, e.g. 2569 (B.E.) or 2026 (C.E.)."), code="year_digits"
            )
        day, month, year = int(day), int(month), int(year_text)
    if era is None:
        if year >= 2400:
            era = "BE"
        elif 1800 <= year < 2300:
            era = "CE"
        else:
            raise forms.ValidationError(
                _("The year %(year)s is neither a B.E. nor a C.E. year we can accept.") % {"year": year},
                code="year_range",
            )
    ce_year = year - BE_OFFSET if era == "BE" else year
    try:
        return datetime.date(ce_year, month, day), era
    except ValueError:
        raise forms.ValidationError(_("There is no such date."), code="invalid_date") from None


class ThaiDateInput(forms.TextInput):
    """A text date input that shows the stored date in both eras beside it."""

    template_name = "core/widgets/thai_date.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return date_numeric(value)
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, datetime.date):
            # In Thai the B.E. date only (every date in Thai is B.E.); in English both eras.
            context["widget"]["stored"] = {
                "be": date_display(value, "th"),
                "shown": date_display(value),
                "ce": value.isoformat(),
            }
        return context


class ThaiDateField(forms.DateField):
    """A date typed in B.E. or C.E.; always stored as a C.E. date."""

    widget = ThaiDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        date, _era = parse_thai_date(str(value))
        return date


_MONTH = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d+)$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_thai_month(text: str) -> datetime.date:
    """A month typed as month/year, in B.E. (11/2569) or C.E. (11/2026), or as 2026-11; its first
    day. The year is read as parse_thai_date reads it: 2400 and later is B.E., 1800-2299 C.E.;
    a 2-digit year or any other is refused rather than guessed."""
    raw = "".join(text.split()) if "/" in text or "." in text else text.strip()
    if match := _ISO_MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
    elif match := _MONTH.match(raw):
        month, year_text = int(match[1]), match[2]
        if len(year_text) != 4:
            raise forms.ValidationError(
                _("Write the year with 4 digits, e.g. 2569 (B.E.) or 2026 (C.E.)."), code="year_digits"
            )
        year = int(year_text)
    else:
        raise forms.ValidationError(
            _("Enter the month as month/year, e.g. 11/2569 (B.E.) or 11/2026 (C.E.)."), code="format"
        )
    if year >= 2400:
        year -= BE_OFFSET
    elif not 1800 <= year < 2300:
        raise forms.ValidationError(
            _("The year %(year)s is neither a B.E. nor a C.E. year we can accept.") % {"year": year},
            code="year_range",
        )
    if not 1 <= month <= 12:
        raise forms.ValidationError(_("There is no such month."), code="invalid_month")
    return datetime.date(year, month, 1)


class ThaiMonthInput(forms.TextInput):
    """A month typed on the keyboard as mm/yyyy, shown in the reader's era (11/2569 in Thai)."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": _("mm/yyyy"), "inputmode": "numeric", "autocomplete": "off", "maxlength": "10"}
        super().__init__(attrs={**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return month_numeric(value)
        return value


class ThaiMonthField(forms.Field):
    """A month (its first day) typed in B.E. or C.E.; a browser's month picker shows the
    browser's language and C.E. ("December 2026"), so the month is typed."""

    widget = ThaiMonthInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Month/year, e.g. 11/2569 (B.E.) or 11/2026 (C.E.)."))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        return parse_thai_month(str(value))


class OfficeForm(forms.ModelForm):
    opened_on = ThaiDateField(label=_("opened on"), required=False, help_text=_("Year in B.E. (2569) or C.E. (2026)."))

    class Meta:
        model = Office
        fields = ["name_th", "name_en", "kind", "province", "address", "phone", "opened_on", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class DevicePairForm(forms.Form):
    code = forms.CharField(
        label=_("Pairing code"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )


class PublicNoticeForm(forms.Form):
    public_notice = forms.CharField(
        label=_("Announcement on the public screens"),
        max_length=200,
        required=False,
        help_text=_("One line, shown along the bottom of the waiting-room board. Leave empty for none."),
    )
