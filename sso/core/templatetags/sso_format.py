from django import template

from sso.core.formats import date_display, date_numeric, datetime_display, money_display, month_numeric

register = template.Library()

register.filter("thdate", date_display)
register.filter("thdatetime", datetime_display)
register.filter("thdatenum", date_numeric)
register.filter("thmonth", month_numeric)  # 11/2569 in Thai, 11/2026 in English
register.filter("baht", money_display)
