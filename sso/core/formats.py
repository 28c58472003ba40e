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


def month_numeric(value, language: str | None = None) -> str:
    """A month as people write it: 11/2569 in Thai (B.E.), 11/2026 in English (C.E.)."""
    if value in (None, ""):
        return ""
    year = value.year + BE_OFFSET if _is_thai(language) else value.year
    return f"{value.month:02d}/{year}"


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
# The same as day/month/year and month/year (26/11/2569, 11/2569 in Thai).
date_numeric_lazy = lazy(date_numeric, str)
month_numeric_lazy = lazy(month_numeric, str)


def _months_numeric(months) -> str:
    return ", ".join(month_numeric(month) for month in months)


# Several months, 10/2569, 11/2569 in Thai.
months_numeric_lazy = lazy(_months_numeric, str)


# Amounts in Thai words ---------------------------------------------------------------

_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")
MILLION = 10**6


def _group_text(number: int, higher: bool) -> str:
    """Words for 0 < number < 1,000,000; `higher`: a higher group (millions) comes before it."""
    digits = str(number)
    words = []
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if digit == 0:
            continue
        if position == 0 and digit == 1 and (number > 9 or higher):
            words.append("เอ็ด")
        elif position == 1 and digit == 1:
            words.append("สิบ")
        elif position == 1 and digit == 2:
            words.append("ยี่สิบ")
        else:
            words.append(_DIGITS[digit] + _PLACES[position])
    return "".join(reversed(words))


def number_text(number: int) -> str:
    """A whole number in Thai words: 21 -> ยี่สิบเอ็ด, 1,000,000 -> หนึ่งล้าน."""
    if number == 0:
        return _DIGITS[0]
    millions, rest = divmod(number, MILLION)
    text = number_text(millions) + "ล้าน" if millions else ""
    if rest:
        text += _group_text(rest, higher=bool(millions))
    return text


def baht_text(amount: Decimal) -> str:
    """An amount in Thai words as printed on receipts and cheques (Excel's BAHTTEXT):
    2,750.50 -> สองพันเจ็ดร้อยห้าสิบบาทห้าสิบสตางค์; 100 -> หนึ่งร้อยบาทถ้วน."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    negative = amount < 0
    satang_total = int(abs(amount) * 100)
    baht, satang = divmod(satang_total, 100)
    if satang == 0:
        text = number_text(baht) + "บาทถ้วน"
    elif baht == 0:
        text = number_text(satang) + "สตางค์"
    else:
        text = number_text(baht) + "บาท" + number_text(satang) + "สตางค์"
    return ("ลบ" + text) if negative else text
