"""The decision letter: the claim's decision, amount and the rules' working, rendered to PDF
by WeasyPrint in Thai (B.E. dates, the Thai fonts of Debian's fonts-thai-tlwg)."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from benefits.models import Claim
from sso.core.formats import baht_text, date_display

DECIDED = (Claim.Status.APPROVED, Claim.Status.REJECTED, Claim.Status.PAID)


def decision_letter_pdf(claim: Claim, language: str = "th") -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "benefits/letter_pdf.html",
            {
                "claim": claim,
                "approved": claim.status in (Claim.Status.APPROVED, Claim.Status.PAID),
                "working": [line.get(language) or line.get("en", "") for line in claim.working],
                "decided_on": date_display(claim.adjudicated_at or timezone.now(), language),
                "event_on": date_display(claim.event_date, language),
                "amount_words": baht_text(claim.amount) if claim.amount is not None and language == "th" else "",
                "officer": (claim.adjudicated_by.get_full_name() or claim.adjudicated_by.username)
                if claim.adjudicated_by
                else "",
            },
        )
    return HTML(string=html).write_pdf()
