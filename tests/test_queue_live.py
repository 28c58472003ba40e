"""The queue now: an office's live view (a national role picks the office from a list) and the
national overview of every office, each flagging a service whose longest wait passes the target
of its kind in force today; and the national report's offices opening their dashboards.

It is 11:00 today in Bangkok (the clock is held there). Waiting tickets, by their time of issue:

    office  service       issued  waited  target  over?
    1001    contribution  10:10   50      45      yes
    1001    contribution  10:50   10
    1001    sickness      10:15   45      45      no (not past it)
    1001    registration  10:30   30      -       no (no target)
    5000    contribution  10:55    5      45      no; yes once a target of 4 min is in force today
    5000    contribution  10:40   (called at 10:45: no longer waiting)
"""

import datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from queueing import services
from queueing.models import Counter, Service, ServiceTarget
from queueing.reports import offices_build
from queueing.selectors import queue_live, queue_live_national
from tests.factories import OfficeFactory, StaffFactory, queue_office
from tests.test_queue_reports import _period, morning  # noqa: F401 - the report's fixture

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
TODAY = timezone.localdate()
NOW = datetime.datetime.combine(TODAY, datetime.time(11, 0), tzinfo=BANGKOK)


def at(hour, minute):
    return datetime.datetime.combine(TODAY, datetime.time(hour, minute), tzinfo=BANGKOK)


@pytest.fixture
def clock(monkeypatch):
    """Every `timezone.now()` (the views', the selectors') reads 11:00 today."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def queues(cast, offices):
    bangkok = queue_office(offices["1001"], counters=2)
    chiang_mai = queue_office(offices["5000"], counters=1)

    def issue(office, kind, when):
        service = Service.objects.get(office=office, kind=kind)
        return services.ticket_issue(service=service, customer_kind="employer", now=when)

    issue(bangkok, "contribution", at(10, 10))
    issue(bangkok, "contribution", at(10, 50))
    issue(bangkok, "sickness", at(10, 15))
    issue(bangkok, "registration", at(10, 30))
    issue(chiang_mai, "contribution", at(10, 40))
    issue(chiang_mai, "contribution", at(10, 55))
    counter = Counter.objects.get(office=chiang_mai, number=1)
    officer = StaffFactory(username="cm_counter", office=chiang_mai, roles=["counter_officer"])
    services.counter_sign_in(counter=counter, officer=officer)
    services.ticket_call_next(counter_id=counter.pk, officer=officer, now=at(10, 45))
    return {"1001": bangkok, "5000": chiang_mai}


def _loads(office):
    return {
        load.service.kind: (load.waiting, load.longest_wait_minutes, load.target_minutes, load.over_target)
        for load in office.loads
        if load.waiting
    }


def test_the_national_overview_has_every_office_waiting_and_flags_a_wait_past_its_target(
    queues, cast, django_assert_num_queries
):
    queue_live_national(user=cast["national"], now=NOW)  # the user's permissions, read once
    with django_assert_num_queries(2):
        offices = {office.office.code: office for office in queue_live_national(user=cast["national"], now=NOW)}
    assert list(offices) == ["1001", "5000"]
    assert _loads(offices["1001"]) == {
        "contribution": (2, 50, 45, True),
        "sickness": (1, 45, 45, False),
        "registration": (1, 30, None, False),
    }
    assert (offices["1001"].waiting, offices["1001"].longest_wait_minutes) == (4, 50)
    assert [load.service.kind for load in offices["1001"].over_target] == ["contribution"]
    assert _loads(offices["5000"]) == {"contribution": (1, 5, 45, False)}
    assert offices["5000"].over_target == []


def test_the_target_in_force_today_is_the_one_that_counts(queues, cast):
    ServiceTarget.objects.create(kind="contribution", valid_from=TODAY, minutes=4)
    ServiceTarget.objects.create(kind="sickness", valid_from=TODAY + datetime.timedelta(days=1), minutes=1)
    offices = {office.office.code: office for office in queue_live_national(user=cast["national"], now=NOW)}
    assert _loads(offices["5000"]) == {"contribution": (1, 5, 4, True)}
    assert _loads(offices["1001"])["sickness"] == (1, 45, 45, False)  # tomorrow's target is not yet in force
    [load] = [load for load in queue_live(office_id=queues["5000"].pk, now=NOW)["loads"] if load.waiting]
    assert (load.waiting, load.longest_wait_minutes, load.target_minutes, load.over_target) == (1, 5, 4, True)


def test_an_inactive_office_is_left_out(queues, cast):
    OfficeFactory(code="9000", is_active=False)
    queues["5000"].is_active = False
    queues["5000"].save()
    assert [office.office.code for office in queue_live_national(user=cast["national"], now=NOW)] == ["1001"]


def test_the_overview_page_links_each_office_to_its_live_view_and_marks_the_flag_in_words(
    queues, cast, client_for, clock
):
    page = client_for(cast["national"]).get(reverse("queueing:live_national"))  # in Thai, the default
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{reverse("queueing:live")}?office=1001"' in html
    assert f'href="{reverse("queueing:live")}?office=5000"' in html
    assert html.count('data-testid="over-target"') == 1
    with translation.override("th"):
        assert f"▲ {gettext('over target')}" in html and gettext("over target") != "over target"
    rows = {kind: cells for kind, cells in _row_cells(html, "1001").items()}
    assert rows["contribution"].startswith("2 · 50 (45)")
    assert rows["sickness"] == "1 · 45 (45)"
    assert rows["registration"] == "1 · 30"
    assert _row_cells(html, "5000")["contribution"] == "1 · 5 (45)"


def _row_cells(html, code) -> dict:
    """The per-kind cells of an office's row: kind -> text (tags left out)."""
    import re

    row = re.search(rf'<tr data-office="{code}".*?</tr>', html, re.S).group(0)
    cells = re.findall(r'<td class="num" data-kind="([a-z_]*)">(.*?)</td>', row, re.S)
    return {kind: re.sub(r"<[^>]+>", "", text).strip() for kind, text in cells if kind}


def test_a_supervisor_sees_neither_the_overview_nor_the_picker(queues, cast, client_for, clock):
    client = client_for(cast["supervisor"])
    assert client.get(reverse("queueing:live_national")).status_code == 403
    page = client.get(reverse("queueing:live")).content.decode()
    assert 'data-testid="office-picker"' not in page


def test_the_live_view_picks_an_office_and_flags_a_wait_past_its_target(queues, cast, client_for, clock):
    client = client_for(cast["national"])
    page = client.get(reverse("queueing:live"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<select id="id_office" name="office">' in page
    assert '<option value="1001" selected>' in page and '<option value="5000">' in page
    assert page.count('data-testid="over-target"') == 1  # 1001's contributions, 50 min against 45
    picked = client.get(reverse("queueing:live"), {"office": "5000"}).content.decode()
    assert '<option value="5000" selected>' in picked
    assert 'data-testid="over-target"' not in picked
    assert "Chiang Mai" in picked or "เชียงใหม่" in picked


def test_the_national_report_links_each_office_to_its_dashboard_for_the_same_days(morning):  # noqa: F811
    period = _period(None, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30))
    table = offices_build(period).table("offices")
    [row] = [row for row in table.rows if row["office"] == "1001"]
    link = urlparse(table.links["office"](row))
    assert link.path == reverse("core:reports_office")
    assert parse_qs(link.query) == {"office": ["1001"], "start": ["2026-11-01"], "end": ["2026-11-30"]}
    tickets = parse_qs(urlparse(table.links["no_shows"](row)).query)
    assert tickets == {"office": ["1001"], "day_from": ["2026-11-01"], "day_to": ["2026-11-30"], "outcome": ["no_show"]}


def test_the_national_report_page_shows_the_dashboard_link(morning, cast, client_for):  # noqa: F811
    client = client_for(cast["national"])
    days = {"preset": "custom", "start": "16/11/2569", "end": "16/11/2569"}
    page = client.get(reverse("core:reports_national"), days)
    assert page.status_code == 200, page.content.decode()[:500]
    html = page.content.decode()
    dashboard = f"{reverse('core:reports_office')}?office=1001&amp;start=2026-11-16&amp;end=2026-11-16"
    assert f'href="{dashboard}"' in html
