"""The printed receipt: an HTML template rendered to PDF by WeasyPrint, in Thai (B.E. dates,
the amount in Thai words) with the Thai fonts of Debian's fonts-thai-tlwg."""

from django.template.loader import render_to_string
from django.utils import translation

from contributions.models import Payment, Receipt
from sso.core.formats import BE_OFFSET, baht_text, date_display


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
