import datetime

from django import template

from sso.core.formats import date_display, date_numeric, datetime_display, money_display, month_numeric

register = template.Library()


def _dated(show):
    """`show` for a date, or for a date kept as ISO text (a finding's details, JSON): 2026-11-01."""

    def shown(value, language=None):
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value[:10])
            except ValueError:
                return value
        return show(value, language)

    return shown


register.filter("thdate", _dated(date_display))
register.filter("thdatetime", datetime_display)
register.filter("thdatenum", _dated(date_numeric))
register.filter("thmonth", _dated(month_numeric))  # 11/2569 in Thai, 11/2026 in English
register.filter("baht", money_display)
