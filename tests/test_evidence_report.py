"""The monthly evidence report: the PDF of a month of known queue data, its versions, the
beat's monthly run, the refusals and the office scope.

November 2026 at office 1001 (contribution's announced target: 45 minutes), one counter and
one officer; minutes rounded up:

    day      ticket  issued  called  end     wait  service  visit  within 45
    16 Nov   T1      09:00   09:05   09:15    5     10       15     yes
    16 Nov   T2      09:01   09:15   09:56   14     41       55     no
    17 Nov   T3      09:00   09:02   09:12    2     10       12     yes

The month: 3 visits, 2 of 3 within target (66.7%), visit p50 15 and p90 55 minutes. The worst
day is 16 Nov (50.0% within, p90 55): 2 arrivals against 1.5 on the month's average day
(+33.3%), 1 counter open and 1 officer serving.
"""

import datetime
import hashlib
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from queueing import services
from queueing.models import Counter, Service
from sso.core.models import EvidenceReport
from sso.core.reporting.evidence import evidence_generate, evidence_monthly_run, month_text
from tests.factories import queue_office

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
NOVEMBER = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 12, 7)


def at(day, hour, minute):
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def november(cast, offices):
    office = queue_office(offices["1001"], counters=2)
    contribution = Service.objects.get(office=office, kind="contribution")
    one = Counter.objects.get(office=office, number=1)
    officer = cast["counter"]
    services.counter_sign_in(counter=one, officer=officer)

    def serve(day, issued, called, finished):
        services.ticket_issue(service=contribution, customer_kind="employer", now=at(day, *issued))
        return (day, called, finished)

    def finish(day, called, finished):
        services.ticket_call_next(counter_id=one.pk, officer=officer, now=at(day, *called))
        services.ticket_start(counter=one, officer=officer, now=at(day, *called))
        services.ticket_finish(counter=one, officer=officer, outcome="completed", now=at(day, *finished))

    t1 = serve(16, (9, 0), (9, 5), (9, 15))
    t2 = serve(16, (9, 1), (9, 15), (9, 56))
    finish(*t1)
    finish(*t2)
    finish(*serve(17, (9, 0), (9, 2), (9, 12)))
    services.queue_summary_roll(day=datetime.date(2026, 11, 16))
    services.queue_summary_roll(day=datetime.date(2026, 11, 17))
    return office


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, its whitespace runs as one space."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


THAI_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")


def skeleton(text: str) -> str:
    """Thai text as it can be compared with a PDF's text layer: without vowel and tone marks
    or spaces, sara am as sara aa. (The layer names each glyph by one character: a glyph the
    font shares between two, like sara aa's in sara am, reads as either; a mark can move.)"""
    return THAI_MARKS.sub("", str(text).replace("\u0e33", "\u0e32"))


def test_the_pdf_of_a_month_prints_the_office_the_month_the_figures_the_worst_day_and_the_signatures(november, cast):
    report = evidence_generate(office=november, month=NOVEMBER, officer=cast["supervisor"], today=TODAY)
    assert report.pdf[:5] == b"%PDF-"
    assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
    text = pdf_text(bytes(report.pdf))
    thai = skeleton(text)
    with translation.override("th"):
        head, inspector = gettext("Head of the office"), gettext("Inspector")
    for shown in ("สปส. กรุงเทพฯ พื้นที่ 1", "พฤศจิกายน 2569", "1 พ.ย. 2569 – 30 พ.ย. 2569", head, inspector):
        assert skeleton(shown) in thai
    # The contribution service against its announced target: target 45, 3 visits, 66.7% within,
    # p50 15, p90 55, the longest 55.
    assert "45.0 3 66.7% 15.0 55.0 55.0" in text
    # The worst day and its causes: 50.0% within, p90 55, 2 arrivals (+33.3% against 1.5 on the
    # average day), 1 counter open, 1 officer serving; then 17 Nov.
    assert skeleton("16 พ.ย. 2569 50.0% 55.0 นาที 2 +33.3% 1 1 17 พ.ย. 2569 100.0% 12.0 นาที 1 -33.3% 1 1") in thai
    assert ": 1.5" in text  # the average day (Thai has no full stop after it)
    assert text.count("........................................") == 2


def test_the_month_is_printed_in_be_in_thai_and_ce_in_english():
    assert month_text(NOVEMBER) == "พฤศจิกายน 2569"
    assert month_text(NOVEMBER, "en") == "November 2026"


def test_generating_a_month_again_keeps_the_earlier_version(november, cast):
    first = evidence_generate(office=november, month=NOVEMBER, officer=cast["supervisor"], today=TODAY)
    second = evidence_generate(
        office=november, month=datetime.date(2026, 11, 20), officer=cast["national"], today=TODAY
    )
    kept = list(EvidenceReport.objects.filter(office=november, month=NOVEMBER).order_by("version"))
    assert [(r.pk, r.version, r.generated_by) for r in kept] == [
        (first.pk, 1, cast["supervisor"]),
        (second.pk, 2, cast["national"]),
    ]
    # Its creation is audited (who, from which office), without the PDF's bytes.
    history = first.history.get()
    assert (history.history_type, history.history_user, history.history_office_id) == (
        "+",
        cast["supervisor"],
        november.pk,
    )


@pytest.mark.parametrize("month", [datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)])
def test_it_refuses_the_current_or_a_future_month_and_keeps_nothing(november, month):
    with pytest.raises(ValidationError) as refused:
        evidence_generate(office=november, month=month, today=TODAY)
    assert refused.value.error_dict["month"][0].code == "not_past"
    assert not EvidenceReport.objects.exists()


def test_the_beat_generates_last_months_report_for_every_office_once(november, offices):
    assert evidence_monthly_run(today=datetime.date(2026, 12, 1)) == 3  # 1001, 5000 and the national edition
    kept = EvidenceReport.objects.filter(month=NOVEMBER)
    assert sorted((r.office.code if r.office else "", r.version, r.generated_by) for r in kept) == [
        ("", 1, None),
        ("1001", 1, None),
        ("5000", 1, None),
    ]
    assert evidence_monthly_run(today=datetime.date(2026, 12, 1)) == 0
    assert EvidenceReport.objects.count() == 3
    national = pdf_text(bytes(EvidenceReport.objects.get(office=None).pdf))
    assert "สปส. กรุงเทพฯ พื้นที่ 1" in national and "สปส. จังหวัดเชียงใหม่" in national


def test_the_dashboard_button_generates_a_past_month_and_the_list_offers_it(november, cast, client_for):
    client = client_for(cast["supervisor"])
    page = client.get(reverse("core:reports_office"))
    assert 'data-testid="evidence-generate"' in page.content.decode()
    response = client.post(reverse("core:evidence_create"), {"office": "1001", "month": "2026-11"})
    assert response.status_code == 302
    report = EvidenceReport.objects.get()
    listed = client.get(reverse("core:evidence_list")).content.decode()
    assert reverse("core:evidence_pdf", args=[report.pk]) in listed and "พฤศจิกายน 2569" in listed
    download = client.get(reverse("core:evidence_pdf", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf" and download.content == bytes(report.pdf)


def test_the_view_refuses_the_current_month_with_a_reason(november, cast, client_for):
    client = client_for(cast["supervisor"])
    this_month = datetime.date.today().strftime("%Y-%m")
    response = client.post(reverse("core:evidence_create"), {"office": "1001", "month": this_month})
    assert response.status_code == 400
    assert 'data-testid="evidence-error"' in response.content.decode()
    assert not EvidenceReport.objects.exists()


def test_another_offices_reports_are_not_found(november, cast, offices, client_for):
    other = evidence_generate(office=offices["5000"], month=NOVEMBER, today=TODAY)
    national = evidence_generate(office=None, month=NOVEMBER, today=TODAY)
    client = client_for(cast["supervisor"])
    assert client.post(reverse("core:evidence_create"), {"office": "5000", "month": "2026-10"}).status_code == 404
    assert client.get(reverse("core:evidence_pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("core:evidence_pdf", args=[national.pk])).status_code == 404
    listed = client.get(reverse("core:evidence_list")).content.decode()
    assert reverse("core:evidence_pdf", args=[other.pk]) not in listed
    assert EvidenceReport.objects.count() == 2
    # A national supervisor sees every office's and the national editions.
    everything = client_for(cast["national"]).get(reverse("core:evidence_list")).content.decode()
    assert reverse("core:evidence_pdf", args=[other.pk]) in everything
    assert reverse("core:evidence_pdf", args=[national.pk]) in everything


def test_the_beat_schedules_the_monthly_task_on_the_first(settings):
    from sso.core.tasks import evidence_reports_monthly

    entry = settings.CELERY_BEAT_SCHEDULE["evidence-reports-monthly"]
    assert entry["task"] == evidence_reports_monthly.name
    assert (entry["schedule"].day_of_month, entry["schedule"].hour, entry["schedule"].minute) == ({1}, {2}, {0})
