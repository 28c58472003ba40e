"""How dates and money read: Buddhist Era dates in Thai, Common Era in English, THB with 2 decimals."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language

BE_OFFSET = 543

TH_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
EN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _is_thai(language: str | None) -> bool:
    return not (language or get_language() or "th").startswith("en")


def date_display(value, language: str | None = None) -> str:
    """26 พ.ย. 2569 in Thai, 26 Nov 2026 in English."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if _is_thai(language):
        return f"{value.day} {TH_MONTHS_ABBR[value.month - 1]} {value.year + BE_OFFSET}"
    return f"{value.day} {EN_MONTHS_ABBR[value.month - 1]} {value.year}"


def datetime_display(value, language: str | None = None) -> str:
    """26 พ.ย. 2569 14:05 น. in Thai, 26 Nov 2026 14:05 in English (local time)."""
    if value in (None, ""):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    clock = local.strftime("%H:%M")
    if _is_thai(language):
        return f"{date_display(local.date(), language)} {clock} น."
    return f"{date_display(local.date(), language)} {clock}"


def date_numeric(value, language: str | None = None) -> str:
    """26/11/2569 in Thai (B.E.), 26/11/2026 in English (C.E.): the date input's own format."""
    if value in (None, ""):
        return ""
    year = value.year + BE_OFFSET if _is_thai(language) else value.year
    return f"{value.day:02d}/{value.month:02d}/{year}"


def money_display(value, language: str | None = None) -> str:
    """1,234.50 บาท in Thai, THB 1,234.50 in English; always 2 decimals, half-up."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} บาท" if _is_thai(language) else f"THB {text}"


def _format(message, params) -> str:
    return str(message) % params


# A translated message with its values filled in, translated when it is shown rather than
# when it is raised: the API answers every refusal in Thai and in English from one error.
lazy_format = lazy(_format, str)

# A date shown in the language active when the message is rendered (B.E. in Thai).
date_lazy = lazy(date_display, str)
