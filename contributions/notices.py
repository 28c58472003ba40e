"""The arrears notice letter: an HTML template rendered to PDF by WeasyPrint, as the receipt
is (`contributions.receipts`), in Thai (B.E. dates, the total in Thai words) with the Thai
fonts of Debian's fonts-thai-tlwg. It prints what the notice kept when it was issued."""

import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from contributions import rules
from contributions.models import ArrearsNotice
from contributions.receipts import period_text
from sso.core.formats import baht_text, date_display


def notice_context(notice: ArrearsNotice) -> dict:
    months = []
    for month in notice.months:
        period = datetime.date.fromisoformat(month["period"])
        contributions, surcharge = Decimal(month["contributions"]), Decimal(month["surcharge"])
        months.append(
            {
                "branch": month["branch"],
                "period": period_text(period),
                "due_on": date_display(rules.due_date(period, rules.surcharge_rule_for(period)), "th"),
                "filed": month.get("status") == "unpaid",
                "estimated": month.get("estimated", False),
                "contributions": contributions,
                "surcharge": surcharge,
                "total": contributions + surcharge,
            }
        )
    rule = rules.surcharge_rule_for(notice.period_last)
    return {
        "notice": notice,
        "employer": notice.employer,
        "office": notice.office,
        "months": months,
        "issued_on": date_display(notice.issued_at, "th"),
        "as_of": date_display(notice.as_of, "th"),
        "period_first": period_text(notice.period_first),
        "period_last": period_text(notice.period_last),
        "surcharge_rate": rule.monthly_rate,
        "total_words": baht_text(notice.total),
        "officer": notice.issued_by.get_full_name() or notice.issued_by.username,
    }


def notice_pdf(notice: ArrearsNotice, language: str = "th") -> bytes:
    """The notice as a PDF (Thai by default: the letter goes to a Thai employer)."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("contributions/arrears_notice_pdf.html", notice_context(notice))
    return HTML(string=html).write_pdf()
