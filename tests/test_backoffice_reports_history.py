"""The back office's claims waiting as of the range's end (rebuilt from the steps) and the
documents most often missing: exact figures from a few claims made here."""

import datetime

import pytest
from django.utils import timezone, translation

from benefits import reports as benefit_reports
from benefits import selectors
from benefits.models import Claim, ClaimDocument, ClaimStep, DocumentRequirement
from sso.core.reports import Period
from tests.factories import ClaimFactory, PaymentOrderFactory, employee_make, employer_make

DAY = {n: datetime.date(2026, 3, n) for n in range(1, 32)}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _at(day: datetime.date, hour: int = 9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _claim(person, cast, recorded_at, moves, *, benefit="sickness", paid_at=None):
    """A claim recorded at `recorded_at`, moved through `moves` [(status, at)]: its status is
    the last move's that is a claim status (an appeal's "appealed" step leaves it)."""
    statuses = [status for status, _at in moves if status != "appealed"]
    claim = ClaimFactory(
        person=person, recorded_by=cast["counter"], benefit=benefit, status=statuses[-1] if statuses else "recorded"
    )
    Claim.objects.filter(pk=claim.pk).update(recorded_at=recorded_at)
    previous = ""
    for status, at in [("recorded", recorded_at), *moves]:
        step = ClaimStep.objects.create(claim=claim, from_status=previous, to_status=status)
        ClaimStep.objects.filter(pk=step.pk).update(at=at)
        previous = status
    if paid_at is not None:
        PaymentOrderFactory(claim=claim, status="paid", paid_at=paid_at)
    return claim


def _people(cast, office, n, count):
    employer = employer_make(office, cast["counter"], n=n)
    return [employee_make(employer, n * 10 + i, cast["counter"]).person for i in range(count)]


def _backlog(period):
    table = benefit_reports.backlog(period).table("backlog")
    return {
        row["status"]: tuple(row[band] for band in ("0-3", "4-7", "8-14", "15-30", "31+"))
        for row in table.rows
        if row["total"]
    }


@pytest.fixture
def history(cast, offices):
    """Recorded on 1 March 09:00: d examined on the 3rd and rejected on the 10th; r examined on
    the 2nd, referred on the 4th; p approved on the 4th, its order paid on the 8th; a rejected
    on the 2nd, appealed on the 4th (the appeal leaves it rejected). e, office 5000's, recorded
    on the 1st, never examined."""
    people = _people(cast, offices["1001"], 941, 4)
    return {
        "d": _claim(people[0], cast, _at(DAY[1]), [("examined", _at(DAY[3])), ("rejected", _at(DAY[10]))]),
        "r": _claim(people[1], cast, _at(DAY[1]), [("examined", _at(DAY[2])), ("referred", _at(DAY[4]))]),
        "p": _claim(
            people[2],
            cast,
            _at(DAY[1]),
            [("examined", _at(DAY[2])), ("approved", _at(DAY[4])), ("paid", _at(DAY[8]))],
            paid_at=_at(DAY[8]),
        ),
        "a": _claim(
            people[3],
            cast,
            _at(DAY[1]),
            [("examined", _at(DAY[1], 10)), ("rejected", _at(DAY[2])), ("appealed", _at(DAY[4]))],
        ),
        "e": _claim(_people(cast, offices["5000"], 942, 1)[0], cast, _at(DAY[1]), []),
    }


def test_the_backlog_as_of_a_past_day_is_each_claims_last_step_before_its_end(history, offices):
    home = offices["1001"].pk
    # End of the 5th: d examined on the 3rd waits for its decision, r referred, p approved and
    # not yet paid; each recorded on the 1st, 4 days old at the end of the 5th (band 4-7).
    assert _backlog(Period(home, DAY[1], DAY[5])) == {
        "examined": (0, 1, 0, 0, 0),
        "referred": (0, 1, 0, 0, 0),
        "approved": (0, 1, 0, 0, 0),
    }
    # End of the 2nd: d not yet examined (1 day old), r examined, p examined, a rejected.
    assert _backlog(Period(home, DAY[1], DAY[2])) == {"recorded": (1, 0, 0, 0, 0), "examined": (2, 0, 0, 0, 0)}
    # End of the 11th: d decided on the 10th, p paid on the 8th: only r waits, 10 days old.
    content = benefit_reports.backlog(Period(home, DAY[1], DAY[11]))
    assert _backlog(Period(home, DAY[1], DAY[11])) == {"referred": (0, 0, 1, 0, 0)}
    assert content.figures[0].value == 1
    # A past end links to no claim list (it shows today's statuses).
    assert content.figures[0].drill is None and content.table("backlog").drill is None
    # Before the 1st nothing was recorded; office 5000 and every office on the 5th.
    assert _backlog(Period(home, DAY[1], datetime.date(2026, 2, 28))) == {}
    assert _backlog(Period(offices["5000"].pk, DAY[1], DAY[5])) == {"recorded": (0, 1, 0, 0, 0)}
    assert benefit_reports.backlog(Period(None, DAY[1], DAY[5])).figures[0].value == 4


def test_the_backlog_as_of_now_equals_the_live_set(cast, offices):
    now = timezone.now()
    people = _people(cast, offices["1001"], 943, 6)
    days = datetime.timedelta(days=1)
    _claim(people[0], cast, now - 2 * days, [])
    _claim(people[1], cast, now - 6 * days, [("examined", now - 5 * days)])
    _claim(people[2], cast, now - 12 * days, [("examined", now - 11 * days), ("referred", now - 10 * days)])
    _claim(people[3], cast, now - 40 * days, [("examined", now - 39 * days), ("approved", now - 30 * days)])
    _claim(
        people[4],
        cast,
        now - 20 * days,
        [("examined", now - 19 * days), ("approved", now - 18 * days)],
        paid_at=now - 17 * days,  # a monthly benefit: approved, an order paid, no longer waiting
    )
    _claim(people[5], cast, now - 3 * days, [("examined", now - 3 * days), ("rejected", now - 2 * days)])
    home = [offices["1001"].pk]
    live = sorted(selectors.claims_waiting(home))
    assert sorted(selectors.claims_waiting_at(timezone.now(), home)) == live
    assert [status for status, _recorded in live] == ["approved", "examined", "recorded", "referred"]
    today = timezone.localdate()
    content = benefit_reports.backlog(Period(offices["1001"].pk, today, today))
    assert _backlog(Period(offices["1001"].pk, today, today)) == {
        "recorded": (1, 0, 0, 0, 0),
        "examined": (0, 1, 0, 0, 0),
        "referred": (0, 0, 1, 0, 0),
        "approved": (0, 0, 0, 0, 1),
    }
    assert content.figures[0].drill == "/benefits/claims/?status=open"


@pytest.fixture
def documents(cast, offices):
    """Sickness needs a medical certificate and an ID copy, dental a receipt. Claims recorded
    in March at office 1001: 4 sickness (the certificate missing on 2, one of them brought
    later; the ID copy missing on 1), 1 dental (receipt missing, rejected on the 5th). One
    sickness claim rejected on the 6th with the certificate missing, one rejected on the 7th
    with nothing missing. A sickness claim of February with the certificate missing is out."""
    certificate = DocumentRequirement.objects.create(
        benefit="sickness",
        code="t-certificate",
        name_th="ใบรับรองแพทย์",
        name_en="Medical certificate",
        order=1,
        valid_from=datetime.date(1991, 1, 1),
    )
    id_copy = DocumentRequirement.objects.create(
        benefit="sickness",
        code="t-id-copy",
        name_th="สำเนาบัตร",
        name_en="ID copy",
        order=2,
        valid_from=datetime.date(1991, 1, 1),
    )
    receipt = DocumentRequirement.objects.create(
        benefit="dental",
        code="t-receipt",
        name_th="ใบเสร็จ",
        name_en="Dental receipt",
        order=1,
        valid_from=datetime.date(1991, 1, 1),
    )
    people = _people(cast, offices["1001"], 944, 6)
    march = _at(DAY[2])
    s1 = _claim(people[0], cast, march, [("examined", _at(DAY[3])), ("rejected", _at(DAY[6]))])
    s2 = _claim(people[1], cast, march, [("examined", _at(DAY[3]))])
    s3 = _claim(people[2], cast, march, [("examined", _at(DAY[3]))])
    s4 = _claim(people[3], cast, march, [("examined", _at(DAY[3])), ("rejected", _at(DAY[7]))])
    dental = _claim(people[4], cast, march, [("examined", _at(DAY[3])), ("rejected", _at(DAY[5]))], benefit="dental")
    february = _claim(people[5], cast, _at(datetime.date(2026, 2, 20)), [])

    def noted(claim, requirement, state):
        return ClaimDocument.objects.create(claim=claim, requirement=requirement, state=state)

    missing, presented = ClaimDocument.State.MISSING, ClaimDocument.State.PRESENTED
    noted(s1, certificate, missing)
    noted(s1, id_copy, presented)
    brought = noted(s2, certificate, missing)
    brought.state = presented  # brought later: still a visit for want of it
    brought.save()
    noted(s2, id_copy, missing)
    noted(s3, certificate, presented)
    noted(s4, certificate, presented)
    noted(dental, receipt, missing)
    noted(february, certificate, missing)


def test_documents_most_often_missing_per_benefit_with_their_share(documents, offices):
    march = Period(offices["1001"].pk, DAY[1], DAY[31])
    content = benefit_reports.documents(march)
    rows = [(r["benefit"], r["document"], r["claims"], r["share"]) for r in content.table("documents_missing").rows]
    assert rows == [
        ("Dental care", "Dental receipt", 1, 1.0),
        ("Sickness", "Medical certificate", 2, 0.5),
        ("Sickness", "ID copy", 1, 0.25),
    ]
    table = content.table("missing_by_benefit")
    by_benefit = [
        (r["benefit"], r["recorded"], r["lacking"], r["share"], r["rejected"], r["rejected_missing"])
        for r in table.rows
    ]
    # Sickness: s1 and s2 lack a document (2 of 4); s1 and s4 rejected, s1 with the certificate missing.
    assert by_benefit == [("Sickness", 4, 2, 0.5, 2, 1), ("Dental care", 1, 1, 1.0, 1, 1)]
    assert (table.totals["recorded"], table.totals["lacking"], table.totals["share"]) == (5, 3, 0.6)
    assert (table.totals["rejected"], table.totals["rejected_missing"]) == (3, 2)
    # The rejections counted are the range's: the 6th and 7th only leaves the dental one out.
    later = benefit_reports.documents(Period(offices["1001"].pk, DAY[6], DAY[7])).table("missing_by_benefit")
    assert [(r["benefit"], r["recorded"], r["rejected"], r["rejected_missing"]) for r in later.rows] == [
        ("Sickness", 0, 2, 1)
    ]
    assert benefit_reports.documents(Period(offices["5000"].pk, DAY[1], DAY[31])).table("documents_missing").rows == []
    with translation.override("th"):
        thai = benefit_reports.documents(march).table("documents_missing").rows
    assert [r["document"] for r in thai] == ["ใบเสร็จ", "ใบรับรองแพทย์", "สำเนาบัตร"]
