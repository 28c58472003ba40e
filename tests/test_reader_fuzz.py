"""Fuzzing every reader of an uploaded file (issue 13, "Keep them closed"): arbitrary bytes
and near-valid files (a good file with characters changed, lines dropped or doubled, cells
of every type) go to the service behind each upload. Each reader either accepts the file or
refuses it with a `ValidationError` (the refusal the page and the API show); no other
exception escapes (it would be a 500), and a refused file stores nothing.

Examples per reader (`EXAMPLES`) are kept modest so that the file runs in about a minute;
the examples are derandomized, so a run is repeatable (set HYPOTHESIS_EXAMPLES to go further).
"""

import csv
import datetime
import io
import os
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from benefits import payments
from benefits.models import PaymentOrder
from contributions import services, sso110
from contributions.models import Statement, StatementLine
from registry import bulk
from registry.models import Bank, BulkUpload, Employment, InsuredPerson
from tests.factories import employee_make, employer_make, pin_make

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
TODAY = datetime.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# Strategies ------------------------------------------------------------------------------------

# Text that a careless user or an attacker may type: control characters, quotes, delimiters,
# Thai, formula starts, very long runs.
NASTY = st.sampled_from(
    ["", " ", ",", ";", '"', "\t", "\r", "\n", "\x00", "\x1a", "=1+1", "-", "ก", "\ufeff", "9" * 30, "²", "๑๒", "١٢"]
)
CELL_TEXT = st.one_of(NASTY, st.text(max_size=40), st.text(alphabet="0123456789 /-.", max_size=16))
CELL = st.one_of(
    st.none(),
    CELL_TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 1, 1)),
    st.booleans(),
)


# A plan of changes drawn independently of the file it is applied to (the file's length may
# differ between runs: a workbook holds the time it was written).
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["set", "delete", "insert", "drop_line", "double_line", "truncate"]),
        st.integers(min_value=0, max_value=2**20),
        st.binary(min_size=1, max_size=40),
    ),
    max_size=6,
)


def _edited(base: bytes, edits) -> bytes:
    """A good file with a few bytes changed, removed or inserted, or lines dropped or doubled."""
    data = bytearray(base)
    for kind, seed, payload in edits:
        if not data:
            break
        at = seed % len(data)
        if kind == "set":
            data[at] = payload[0]
        elif kind == "delete":
            del data[at : at + len(payload)]
        elif kind == "insert":
            data[at:at] = payload
        elif kind == "truncate":
            del data[at:]
        else:
            lines = bytes(data).split(b"\n")
            index = seed % len(lines)
            if kind == "drop_line":
                del lines[index]
            else:
                lines.insert(index, lines[index])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def mutated(base):
    """`base` (bytes, or a strategy of them) with a drawn plan of edits."""
    bases = base if isinstance(base, st.SearchStrategy) else st.just(base)
    return st.tuples(bases, EDITS).map(lambda pair: _edited(*pair))


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _as_cell(value):
    # openpyxl stores what Excel can hold: Decimals and NaN become floats or text.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return str(value)
    return value


def _junk_zip(draw_bytes: bytes) -> bytes:
    return b"PK\x03\x04" + draw_bytes


# The readers ------------------------------------------------------------------------------------


@pytest.fixture
def firm(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=141, registered_on=datetime.date(2020, 1, 1))
    people = [
        employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person for n in (81, 82)
    ]
    return employer, people


def _statement_submit(officer, file_name, content, **kwargs):
    """Submit, and check the property: accepted whole, or refused with nothing stored."""
    before = (Statement.objects.count(), StatementLine.objects.count())
    try:
        statements = services.statement_file_submit(
            officer=officer, file_name=file_name, content=content, today=TODAY, **kwargs
        )
    except ValidationError:
        assert (Statement.objects.count(), StatementLine.objects.count()) == before
        return None
    lines = sum(statement.head_count for statement in statements)
    assert (Statement.objects.count(), StatementLine.objects.count()) == (
        before[0] + len(statements),
        before[1] + lines,
    )
    return statements


def _sso110(employer, people) -> bytes:
    group = sso110.sso110_group(
        account=employer.account_number,
        period=datetime.date(2026, 1, 1),
        persons=[(person.national_id, Decimal("15000.00")) for person in people],
        company_name=employer.name_th,
    )
    return sso110.sso110_render(group)


def test_the_sso110_text_reader_accepts_or_refuses_and_never_stores_part(cast, firm):
    employer, people = firm
    good = _sso110(employer, people)

    @FUZZ
    @given(content=st.one_of(st.binary(max_size=600), mutated(good)))
    def run(content):
        _statement_submit(cast["counter"], "sso110.txt", content)

    run()


def test_the_excel_statement_reader_accepts_or_refuses_and_never_stores_part(cast, firm):
    employer, people = firm
    headers = st.lists(
        st.sampled_from(["national_id", "wage", "contribution", "title", "ชื่อ", "ค่าจ้าง", "เลขประจำตัวประชาชน", "x"]),
        min_size=0,
        max_size=6,
    )
    good_row = st.tuples(st.sampled_from([p.national_id for p in people] + [pin_make(99)]), CELL).map(list)
    rows = st.lists(st.one_of(good_row, st.lists(CELL.map(_as_cell), max_size=8)), max_size=8)
    sheet_title = st.sampled_from(["000000", "000001", "Sheet", "12345", "สาขา"])
    workbook = st.dictionaries(sheet_title, st.tuples(headers, rows).map(lambda hr: [hr[0], *hr[1]]), max_size=3)
    content = st.one_of(
        workbook.filter(bool).map(
            lambda sheets: _xlsx({k: [[_as_cell(c) for c in r] for r in v] for k, v in sheets.items()})
        ),
        st.binary(max_size=300).map(_junk_zip),
    )

    @FUZZ
    @given(content=content, period=st.sampled_from(["01/2569", "2026-01", "13/2569", "", None]))
    def run(content, period):
        _statement_submit(
            cast["counter"], "form.xlsx", content, employer_account=employer.account_number, period=period
        )

    run()


BULK_HEADER = ["national_id", "title", "first_name_th", "last_name_th", "birth_date", "sex", "started_on"]


def _bulk_submit(officer, employer, file_name, content):
    before = (InsuredPerson.objects.count(), Employment.objects.count())
    try:
        upload = bulk.bulk_upload_submit(officer=officer, employer=employer, file_name=file_name, content=content)
    except ValidationError:
        assert (InsuredPerson.objects.count(), Employment.objects.count()) == before
        return None
    upload.refresh_from_db()
    assert upload.finished_at is not None  # small files are checked in the request
    if upload.status == BulkUpload.Status.DONE:
        assert Employment.objects.count() == before[1] + upload.stored_count
    else:
        assert (InsuredPerson.objects.count(), Employment.objects.count()) == before
    return upload


BULK_VALUES = st.fixed_dictionaries(
    {
        "national_id": st.one_of(st.integers(min_value=1, max_value=10**6).map(lambda n: pin_make(n, 3)), CELL_TEXT),
        "title": st.one_of(st.sampled_from(["นาย", "นาง", "นางสาว", "003", "Mr"]), CELL_TEXT),
        "first_name_th": st.one_of(st.sampled_from(["สมชาย", "สมหญิง"]), CELL_TEXT),
        "last_name_th": st.one_of(st.just("ใจดี"), CELL_TEXT),
        "birth_date": st.one_of(st.sampled_from(["1/1/2533", "15/06/1990", "31/02/2533"]), CELL_TEXT),
        "sex": st.one_of(st.sampled_from(["M", "F", "ชาย", "หญิง"]), CELL_TEXT),
        "started_on": st.one_of(st.sampled_from(["1/1/2569", "1/1/2568", "1/1/2600"]), CELL_TEXT),
    }
)


def test_the_bulk_csv_reader_accepts_or_refuses_and_never_stores_part(cast, employer_bulk):
    def render(header, rows, delimiter, encoding):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
        return out.getvalue().encode(encoding, errors="replace")

    structured = st.builds(
        render,
        st.one_of(st.just(BULK_HEADER), st.lists(st.sampled_from([*BULK_HEADER, "junk", ""]), max_size=9)),
        st.lists(BULK_VALUES, max_size=6),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from(["utf-8", "utf-8-sig", "cp874"]),
    )

    @FUZZ
    @given(content=st.one_of(st.binary(max_size=400), structured, mutated(structured)))
    def run(content):
        _bulk_submit(cast["counter"], employer_bulk, "staff.csv", content)

    run()


def test_the_bulk_xlsx_reader_accepts_or_refuses_and_never_stores_part(cast, employer_bulk):
    structured = st.builds(
        lambda header, rows: _xlsx({"Sheet1": [header, *([_as_cell(row.get(c)) for c in header] for row in rows)]}),
        st.one_of(st.just(BULK_HEADER), st.lists(st.sampled_from([*BULK_HEADER, "junk"]), max_size=9)),
        st.lists(st.one_of(BULK_VALUES, st.dictionaries(st.sampled_from(BULK_HEADER), CELL)), max_size=5),
    )

    @FUZZ
    @given(content=st.one_of(structured, st.binary(max_size=300).map(_junk_zip), mutated(structured)))
    def run(content):
        _bulk_submit(cast["counter"], employer_bulk, "staff.xlsx", content)

    run()


@pytest.fixture
def employer_bulk(cast, offices):
    return employer_make(offices["1001"], officer=cast["counter"], n=142, registered_on=datetime.date(2020, 1, 1))


def test_the_bank_confirmation_reader_accepts_or_refuses_and_never_stores_part(cast, offices):
    from tests.test_benefit_payments import _sent_batch

    employer = employer_make(offices["1001"], cast["counter"], n=143)
    batch, orders = _sent_batch(employer, cast, Bank.objects.get(code="002"), count=3)
    ids = [str(order.pk) for order in orders]
    line = st.tuples(
        st.one_of(st.sampled_from(ids), st.text(alphabet="0123456789", max_size=25), CELL_TEXT),
        st.one_of(st.sampled_from(["PAID", "FAILED", "paid"]), CELL_TEXT),
        st.one_of(st.text(alphabet="ABC-0123456789", max_size=70), CELL_TEXT),
        CELL_TEXT,
    ).map(lambda fields: list(fields[: 3 + (len(fields[3]) % 2)]))

    def render(lines):
        out = io.StringIO()
        csv.writer(out).writerows(lines)
        return out.getvalue().encode("utf-8", errors="replace")

    structured = st.lists(line, max_size=6).map(render)

    def state():
        return list(PaymentOrder.objects.order_by("pk").values_list("pk", "status", "bank_reference"))

    @FUZZ
    @given(content=st.one_of(st.binary(max_size=300), structured, mutated(structured)))
    def run(content):
        before = state()
        result = payments.confirmation_import(batch=batch, content=content, officer=cast["verifier"])
        if result.errors:
            assert state() == before
        else:
            changed = sum(1 for old, new in zip(before, state(), strict=True) if old != new)
            assert changed == result.paid + result.failed

    run()
