"""The printed receipt: an HTML template rendered to PDF by WeasyPrint, in Thai (B.E. dates,
the amount in Thai words) with the Thai fonts of Debian's fonts-thai-tlwg."""

from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils import translation

from contributions.models import Payment, Receipt
from sso.core.formats import BE_OFFSET, date_display

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


def period_text(period) -> str:
    """A wage period as printed in Thai: 01/2569."""
    return f"{period.month:02d}/{period.year + BE_OFFSET}"


def receipt_context(receipt: Receipt) -> dict:
    payment: Payment = receipt.payment
    statement = payment.statement
    periods = period_text(payment.period_from)
    if payment.period_to != payment.period_from:
        periods += " – " + period_text(payment.period_to)
    return {
        "receipt": receipt,
        "payment": payment,
        "statement": statement,
        "person": payment.person,
        "periods": periods,
        "issued_on": date_display(receipt.issued_at, "th"),
        "paid_on": date_display(payment.paid_on, "th"),
        "voided_on": date_display(receipt.voided_at, "th") if receipt.voided_at else "",
        "amount_words": baht_text(payment.amount),
        "officer": receipt.issued_by.get_full_name() or receipt.issued_by.username,
        "voided_by": (receipt.voided_by.get_full_name() or receipt.voided_by.username) if receipt.voided_by else "",
    }


def receipt_pdf(receipt: Receipt, language: str = "th") -> bytes:
    """The receipt as a PDF, with VOID stamped across it once voided."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("contributions/receipt_pdf.html", receipt_context(receipt))
    return HTML(string=html).write_pdf()
