"""Demo registry: hospitals, employers with their branches, and insured persons with their
histories (employment, section, hospital, bank account, dependants), made from the Thai
name lists in `registry/data/` and loaded with COPY.

    manage.py demo_data --employers 100000 --persons 1000000

Like the rest of demo_data it is idempotent: employers and persons are added only up to
the numbers asked for. Generated rows get no audit history (simple_history) rows.

National IDs are derived from the person's id (first digit 3-8, the province of birth, the
id permuted in 9 digits, the check digit), so they never collide with each other nor with
the test factories' `pin_make` (first digit 1). Foreign workers (about 2%) get 13-digit numbers
starting with 0 or 9 whose check digit need not hold, as on real pink cards.

Over 500 lines: one generator, end to end (names, employers, persons, their histories, the
COPY load and its indexes); its parts share the id arithmetic and the random streams.
"""

import bisect
import csv
import datetime
import math
import multiprocessing
import random
import time
import traceback
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from registry.models import Bank, Branch, Employer, Hospital, InsuredPerson
from registry.validators import account_check_digit, pin_check_digit
from sso.core.demo import ids_reserve
from sso.core.models import Office, Province

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_EMPLOYERS, DEFAULT_PERSONS = 300, 3000
CHUNK = 50_000  # persons generated and copied at a time
# From this many new persons on, the foreign keys and non-unique indexes of the loaded tables
# are dropped before the load and made again after it, in the same transaction: one sort per
# index and one join per foreign key instead of a million index inserts and trigger checks.
REINDEX_FROM = 200_000
LOADED_TABLES = (
    "registry_employer",
    "registry_branch",
    "registry_insuredperson",
    "registry_employment",
    "registry_sectionspell",
    "registry_hospitalregistration",
    "registry_bankaccount",
    "registry_dependant",
)
FIRST_SECTION40_DAY = datetime.date(2011, 12, 1)  # Section 40 options 1-3 as they stand
EARLIEST = datetime.date(1991, 1, 1)
YEAR = 365
# Multiplying by a number prime to 10 permutes the last n digits of a counter: different
# counters still give different IDs, which look less like a counter.
SCRAMBLE = 387_420_489


def add_arguments(parser):
    parser.add_argument(
        "--employers", type=int, default=DEFAULT_EMPLOYERS, help="employers to have in the registry (e.g. 100000)"
    )
    parser.add_argument(
        "--persons", type=int, default=DEFAULT_PERSONS, help="insured persons to have in the registry (e.g. 1000000)"
    )


def seed(*, stdout=None, **options) -> None:
    hospitals = hospitals_load()
    wanted_employers = options.get("employers")
    wanted_persons = options.get("persons")
    wanted_employers = DEFAULT_EMPLOYERS if wanted_employers is None else wanted_employers
    wanted_persons = DEFAULT_PERSONS if wanted_persons is None else wanted_persons
    started = time.monotonic()
    employers, persons = registry_generate(employers=wanted_employers, persons=wanted_persons, stdout=stdout)
    if stdout is not None:
        stdout.write(
            f"registry: {hospitals} new hospitals, {employers:,} new employers, {persons:,} new insured persons"
            + (f" in {time.monotonic() - started:.1f} s" if employers or persons else "")
        )


def hospitals_load() -> int:
    """The hospital list (reference data): added once, by code."""
    provinces = dict(Province.objects.values_list("code", "id"))
    with (DATA / "hospitals.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["province_code"] in provinces]
    have = set(Hospital.objects.values_list("code", flat=True))
    new = [
        Hospital(
            code=row["code"],
            name_th=row["name_th"],
            name_en=row["name_en"],
            province_id=provinces[row["province_code"]],
        )
        for row in rows
        if row["code"] not in have
    ]
    Hospital.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# Reference lists ------------------------------------------------------------------------


def _csv(name):
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _zipf(count, power=0.8):
    """Cumulative weights making the first entries of a list the most common."""
    return list(accumulate(1 / (rank + 1) ** power for rank in range(count)))


@dataclass
class Names:
    male: list
    male_cum: list
    female: list
    female_cum: list
    surnames: list
    surnames_cum: list
    foreign: dict  # nationality -> {"M": [...], "F": [...], "last": [...]}
    business: list
    business_cum: list
    words: list
    khet: list
    roads: list
    tambon: list


@cache
def names() -> Names:
    first = _csv("first_names.csv")
    male = [(row["name_th"], row["name_en"]) for row in first if row["sex"] == "M"]
    female = [(row["name_th"], row["name_en"]) for row in first if row["sex"] == "F"]
    rng = random.Random(7)
    rng.shuffle(male)  # the popular names are not those that happen to come first in the file
    rng.shuffle(female)
    parts = _csv("surnames.csv")
    heads = [(row["name_th"], row["name_en"]) for row in parts if row["kind"] == "head"]
    tails = [(row["name_th"], row["name_en"]) for row in parts if row["kind"] == "tail"]
    # Thai surnames are nearly all different: most are compounds of a few hundred words.
    surnames = [(h_th + t_th, h_en + t_en) for h_th, h_en in heads for t_th, t_en in tails if h_th != t_th]
    surname_weights = [1.0] * len(surnames)
    for row in parts:
        if row["kind"] == "whole":
            surnames.append((row["name_th"], row["name_en"]))
            surname_weights.append(25.0)
    foreign = {}
    for row in _csv("foreign_names.csv"):
        group = foreign.setdefault(row["nationality"], {"M": [], "F": [], "last": []})
        group["last" if row["part"] == "last" else row["sex"]].append((row["name_th"], row["name_en"]))
    business = _csv("business_types.csv")
    places = _csv("places.csv")
    return Names(
        male=male,
        male_cum=_zipf(len(male)),
        female=female,
        female_cum=_zipf(len(female)),
        surnames=surnames,
        surnames_cum=list(accumulate(surname_weights)),
        foreign=foreign,
        business=business,
        business_cum=list(accumulate(float(row["weight"]) for row in business)),
        words=[(row["name_th"], row["name_en"]) for row in _csv("company_words.csv")],
        khet=[(row["name_th"], row["postcode"]) for row in places if row["kind"] == "khet"],
        roads=[row["name_th"] for row in places if row["kind"] == "road"],
        tambon=[row["name_th"] for row in places if row["kind"] == "tambon"],
    )


class FastRandom(random.Random):
    """`randint` and `choice` in one step (the standard ones take several calls each;
    these are a million-person loop's main cost). Their bias is far below what matters here."""

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def _pick(rng, items, cum):
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _address(rng, province_code, province_th):
    n = names()
    if province_code == "10":
        khet, postcode = rng.choice(n.khet)
        return f"{rng.randint(1, 999)}/{rng.randint(1, 99)} ถนน{rng.choice(n.roads)} เขต{khet} กรุงเทพมหานคร {postcode}"
    return (
        f"{rng.randint(1, 299)} หมู่ {rng.randint(1, 15)} ตำบล{rng.choice(n.tambon)} อำเภอเมือง{province_th} "
        f"จังหวัด{province_th} {province_code}{rng.choice(('000', '000', '110', '120', '130', '150'))}"
    )


def _phone(rng):
    return f"0{rng.choice('689')}{rng.randint(0, 9)}-{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"


# Ids and indexes ------------------------------------------------------------------------


def _load_constraints_drop(cursor) -> list[str]:
    """Drop the foreign keys and non-unique indexes of the loaded tables, for a big load;
    returns the statements that make them again (each foreign key is then checked once, in
    one join, instead of once per row). Unique indexes stay: they guard the load itself."""
    tables = list(LOADED_TABLES)
    cursor.execute(
        """SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND t.relname = ANY(%s)""",
        [tables],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary""",
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in foreign_keys
    ]


def _copy(cursor, target, rows):
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# Employers ------------------------------------------------------------------------------


def _employer_weight(employer_id: int, size: float) -> float:
    """How many employees an employer has, relatively: Pareto-distributed (a few employ
    thousands, most a handful), fixed by the id so later runs see the same sizes."""
    u = ((employer_id * 2654435761) % 4294967296 + 0.5) / 4294967296
    return min(u ** (-1 / 1.16), 5000.0) * size


def _extra_branches(weight: float) -> int:
    return min(30, int(weight // 60))


def _office_weight(office) -> float:
    if office.kind == Office.Kind.HEAD:
        return 1
    code = office.province.code
    return 6 if code == "10" else 3 if code in ("11", "12", "13", "20", "21") else 2


def _offices():
    offices = list(Office.objects.filter(is_active=True).select_related("province").order_by("code"))
    return offices, list(accumulate(_office_weight(office) for office in offices))


def employers_generate(cursor, rng, count: int, today: datetime.date) -> None:
    """`count` employers (SSO 1-01), each with its head office and, for the bigger ones,
    branches; account numbers come from the same sequence as the counter's."""
    n = names()
    offices, office_cum = _offices()
    first = ids_reserve(cursor, "registry_employer", count)
    cursor.execute("SELECT nextval('registry_employer_account_seq')")
    running0 = cursor.fetchone()[0]
    cursor.execute("SELECT setval('registry_employer_account_seq', %s)", [running0 + count - 1])
    low, high = EARLIEST.toordinal(), (today - datetime.timedelta(days=2 * YEAR)).toordinal()
    # More employers registered in later years; account numbers follow registration order.
    registered = sorted(low + int((high - low) * math.sqrt(rng.random())) for _ in range(count))
    employers, branch_rows = [], []
    for index in range(count):
        employer_id = first + index
        office = _pick(rng, offices, office_cum)
        province = office.province
        business = _pick(rng, n.business, n.business_cum)
        weight = _employer_weight(employer_id, float(business["size"]))
        w1, w2 = rng.sample(n.words, 2)
        if rng.random() < 0.25:  # named after the founding family
            w1 = _pick(rng, n.surnames, n.surnames_cum)
            w2 = ("", "")
        stem_th = f"{w1[0]}{w2[0]} {business['word_th']}"
        stem_en = f"{w1[1]} {w2[1]} {business['word_en']}".replace("  ", " ")
        if weight > 400 and rng.random() < 0.5:
            form, name_th, name_en = "7", f"บริษัท {stem_th} จำกัด (มหาชน)", f"{stem_en} Public Company Limited"
        elif weight < 20 and rng.random() < 0.2:
            form, name_th, name_en = "3", f"ห้างหุ้นส่วนจำกัด {stem_th}", f"{stem_en} Limited Partnership"
        else:
            form, name_th, name_en = "5", f"บริษัท {stem_th} จำกัด", f"{stem_en} Co., Ltd."
        running = running0 + index
        account = f"{province.code}{running % 10_000_000:07d}"
        account += account_check_digit(account)
        tax_body = f"0{province.code}{form}{running * SCRAMBLE % 10**8:08d}"
        registered_on = datetime.date.fromordinal(registered[index])
        status, ceased_on = Employer.Status.ACTIVE, None
        if registered[index] < high - 3 * YEAR and rng.random() < 0.03:
            status = Employer.Status.CEASED
            ceased_on = datetime.date.fromordinal(rng.randint(registered[index] + YEAR, today.toordinal() - 30))
        address = _address(rng, province.code, province.name_th)
        contact_first = _pick(rng, n.female, n.female_cum) if rng.random() < 0.6 else _pick(rng, n.male, n.male_cum)
        contact = f"{contact_first[0]} {_pick(rng, n.surnames, n.surnames_cum)[0]}"
        slug = "".join(ch for ch in f"{w1[1]}{w2[1]}".lower() if ch.isalnum())
        email = f"hr@{slug}.co.th" if rng.random() < 0.6 else ""
        employers.append(
            (employer_id, name_th, name_en, account, tax_body + pin_check_digit(tax_body), business["business_type"],
             address, province.pk, office.pk, registered_on, status, ceased_on, contact, _phone(rng), email)
        )  # fmt: skip
        branch_rows.append((employer_id, "000000", "สำนักงานใหญ่", address, province.pk, True))
        for number in range(1, _extra_branches(weight) + 1):
            other = province if rng.random() < 0.6 else _pick(rng, offices, office_cum).province
            branch_rows.append(
                (employer_id, f"{number:06d}", f"สาขา{other.name_th} {number}",
                 _address(rng, other.code, other.name_th), other.pk, status == Employer.Status.ACTIVE)
            )  # fmt: skip
    _copy(
        cursor,
        "registry_employer (id, name_th, name_en, account_number, tax_id, business_type, address, province_id, "
        "responsible_office_id, registered_on, status, ceased_on, contact_name, phone, email)",
        employers,
    )
    first_branch = ids_reserve(cursor, "registry_branch", len(branch_rows))
    branches = [(first_branch + index, *row) for index, row in enumerate(branch_rows)]
    _copy(cursor, "registry_branch (id, employer_id, number, name, address, province_id, is_active)", branches)


@dataclass
class EmployerPool:
    """Employers sorted by registration date with cumulative size weights, to pick an
    employer that already existed on a hire date in O(log n)."""

    registered: list  # ordinals
    cum: list
    rows: list  # (id, office_id, branch ids (head office first), ceased ordinal or None)

    def pick(self, rng, on: int):
        """An employer registered on or before day `on` (or the earliest one)."""
        k = bisect.bisect_right(self.registered, on)
        if k == 0:
            return self.rows[0], self.registered[0]
        index = min(bisect.bisect_right(self.cum, rng.random() * self.cum[k - 1]), k - 1)
        return self.rows[index], self.registered[index]


def _employer_pools():
    sizes = {row["business_type"]: float(row["size"]) for row in names().business}
    branches = {}
    for branch_id, employer_id in (
        Branch.objects.order_by("employer_id", "number").values_list("id", "employer_id").iterator(chunk_size=20_000)
    ):
        branches.setdefault(employer_id, []).append(branch_id)
    active, every = ([], [], []), ([], [], [])
    query = Employer.objects.order_by("registered_on", "id").values_list(
        "id", "responsible_office_id", "registered_on", "status", "ceased_on", "business_type"
    )
    totals = [0.0, 0.0]
    for employer_id, office_id, registered_on, status, ceased_on, business_type in query.iterator(chunk_size=20_000):
        if employer_id not in branches:
            continue  # no workplace to hire into
        weight = _employer_weight(employer_id, sizes.get(business_type, 2.0))
        row = (employer_id, office_id, tuple(branches[employer_id]), ceased_on.toordinal() if ceased_on else None)
        pools = [(every, 1)] + ([(active, 0)] if status == Employer.Status.ACTIVE else [])
        for pool, slot in pools:
            totals[slot] += weight
            pool[0].append(registered_on.toordinal())
            pool[1].append(totals[slot])
            pool[2].append(row)
    return EmployerPool(*active), EmployerPool(*every)


# Insured persons ------------------------------------------------------------------------

LEAVING = ("resigned",) * 55 + ("laid_off",) * 12 + ("contract_ended",) * 18 + ("other",) * 5
BANK_WEIGHTS = {"004": 20, "014": 18, "006": 18, "002": 14, "030": 10, "025": 8, "011": 8, "034": 4}
FOREIGN = ("MMR",) * 7 + ("KHM",) * 2 + ("LAO",)
FIRST_DIGITS = "3" * 14 + "5" * 2 + "8" * 2 + "4678"  # most working Thais carry a 3-... ID
# Children born from 1984 on get a PIN starting with 1 at birth registration.
PIN_AT_BIRTH = datetime.date(1984, 1, 1).toordinal()
TITLE_TH = {"003": "นาย", "004": "นางสาว", "005": "นาง"}


class _Context:
    """What every person needs: reference lists, pools and the day the data is as of."""

    def __init__(self, today):
        self.today = today
        self.today_ord = today.toordinal()
        self.names = names()
        self.active, self.every = _employer_pools()
        offices, self.office_cum = _offices()
        self.offices = [
            (office.pk, office.province.pk, office.province.code, office.province.name_th) for office in offices
        ]
        self.office_by_id = {
            office.pk: (office.pk, office.province.pk, office.province.code, office.province.name_th)
            for office in Office.objects.select_related("province")
        }
        self.province_codes = list(Province.objects.values_list("code", flat=True))
        hospitals = {}
        for hospital_id, province_id in Hospital.objects.filter(is_active=True).values_list("id", "province_id"):
            hospitals.setdefault(province_id, []).append(hospital_id)
        self.hospitals = hospitals
        self.all_hospitals = [h for group in hospitals.values() for h in group]
        banks = list(Bank.objects.values_list("id", "code", "account_digits"))
        self.banks = [(bank_id, digits) for bank_id, _code, digits in banks]
        self.bank_cum = list(accumulate(BANK_WEIGHTS.get(code, 1) for _id, code, _digits in banks))
        self.s33_lower = EARLIEST.toordinal()
        self.s40_first = FIRST_SECTION40_DAY.toordinal()


def _date(ordinal):
    return datetime.date.fromordinal(ordinal)


def _years(ordinal, years):
    """The day `years` years after `ordinal`, near enough (a day's error is harmless here)."""
    return ordinal + int(years * 365.25)


PERSON_TABLES = (
    (
        "persons",
        "registry_insuredperson (id, id_type, national_id, title, first_name_th, last_name_th, first_name_en, "
        "last_name_en, birth_date, sex, nationality, address, province_id, phone, office_id, status, died_on, "
        "registered_on)",
    ),
    (
        "employments",
        "registry_employment (person_id, employer_id, branch_id, started_on, ended_on, leaving_reason, "
        "monthly_wage, registered_on, late_registration, leaving_notified_on)",
    ),
    ("spells", "registry_sectionspell (person_id, section, s40_option, valid_from, valid_to)"),
    ("hospitals", "registry_hospitalregistration (person_id, hospital_id, valid_from, valid_to)"),
    ("banks", "registry_bankaccount (person_id, bank_id, account_number, account_name, valid_from, valid_to)"),
    (
        "dependants",
        "registry_dependant (person_id, kind, national_id, birth_certificate_id, first_name_th, last_name_th, "
        "birth_date, died_on, valid_to)",
    ),
)


def _field(value) -> str:
    # COPY's text format. The generated text never holds a tab, newline or backslash.
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class PersonRows:
    """The rows of one chunk of generated persons, per table."""

    def __init__(self):
        self.persons, self.employments, self.spells = [], [], []
        self.hospitals, self.banks, self.dependants = [], [], []

    def texts(self) -> list[tuple[str, bytes]]:
        """(COPY target, data in COPY's text format) per table."""
        return [
            (target, "".join(["\t".join(map(_field, row)) + "\n" for row in getattr(self, name)]).encode())
            for name, target in PERSON_TABLES
        ]


def _job(rng, ctx, out, pid, pool, start, *, end=None, reason="", min_days=0):
    """One employment from `start` (moved to the employer's registration if earlier); ended
    when `end` is given (kept after the start and, at a ceased employer, by its ceasing).
    Returns (office_id, start, end)."""
    (employer_id, office_id, branches, ceased), registered = pool.pick(rng, start)
    start = max(start, registered)
    if end is not None:
        end = max(end, start + min_days)
        if ceased is not None:
            end = max(start, min(end, ceased))
        end = min(end, ctx.today_ord - 1)
    elif ceased is not None:  # an open job at a ceased employer cannot be: pick an active one
        return _job(rng, ctx, out, pid, ctx.active, start)
    branch = branches[0] if len(branches) == 1 or rng.random() < 0.6 else rng.choice(branches)
    delay = rng.randint(0, 30) if rng.random() < 0.92 else rng.randint(31, 400)
    filed = min(start + delay, ctx.today_ord)
    wage = int(min(200_000, max(9_000, rng.lognormvariate(9.6, 0.5))) // 10 * 10)
    notified = None if end is None else _date(min(end + rng.randint(0, 45), ctx.today_ord))
    out.employments.append(
        (pid, employer_id, branch, _date(start), None if end is None else _date(end), reason if end else "", wage,
         _date(filed), filed - start > 30, notified)
    )  # fmt: skip
    return office_id, start, end


def _reason(rng, birth, end):
    if end - birth > 55 * 365 and rng.random() < 0.7:
        return "retired"
    return rng.choice(LEAVING)


def person_generate(rng, ctx: _Context, out: PersonRows, pid: int) -> None:
    """One insured person with a consistent history, appended to `out`."""
    n = ctx.names
    today = ctx.today_ord
    foreign = rng.random() < 0.02
    sex = "M" if rng.random() < (0.6 if foreign else 0.5) else "F"
    birth = rng.randint(datetime.date(1960, 1, 1).toordinal(), datetime.date(2006, 12, 31).toordinal())
    if foreign:
        nationality = rng.choice(FOREIGN)
        group = n.foreign[nationality]
        first, last = rng.choice(group[sex]), rng.choice(group["last"])
        national_id = f"{rng.choice('09')}{pid * SCRAMBLE % 10**11:011d}{rng.randint(0, 9)}"
        id_type = InsuredPerson.IdType.FOREIGN
    else:
        nationality = "THA"
        first = _pick(rng, n.male, n.male_cum) if sex == "M" else _pick(rng, n.female, n.female_cum)
        last = _pick(rng, n.surnames, n.surnames_cum)
        body = f"{rng.choice(FIRST_DIGITS)}{rng.choice(ctx.province_codes)}{pid * SCRAMBLE % 10**9:09d}"
        national_id = body + pin_check_digit(body)
        id_type = InsuredPerson.IdType.PIN

    # What the person is now: employed (Section 33), left work, Section 39, Section 40, deceased.
    roll = rng.random()
    kind = (
        "employed"
        if foreign or roll < 0.76
        else "ceased"
        if roll < 0.83
        else "s39"
        if roll < 0.88
        else "s40"
        if roll < 0.995
        else "deceased"
    )
    if not ctx.active.rows and kind != "s40":
        kind = "s40"
    lower = max(_years(birth, 18) + rng.randint(0, 5 * YEAR), ctx.s33_lower)
    if kind != "s40" and lower > today - 60:
        kind = "s40"
    spells, status, died = [], InsuredPerson.Status.ACTIVE, None
    office_id = s33_from = None
    registered = None
    if kind == "employed":
        start = rng.randint(lower, today - 1)
        if rng.random() < 0.3 and lower < today - 3 * YEAR:  # an earlier job first
            start1 = rng.randint(lower, today - 3 * YEAR)
            end1 = min(start1 + rng.randint(180, 10 * YEAR), today - 2 * YEAR)
            _office, start1, end1 = _job(
                rng, ctx, out, pid, ctx.every, start1, end=end1, reason=_reason(rng, birth, end1)
            )
            spells.append(("33", None, start1, end1))
            registered = start1
            start = end1 + rng.randint(1, 180)
        office_id, start, _end = _job(rng, ctx, out, pid, ctx.active, start)
        if spells and start <= spells[-1][3]:  # the employer's registration moved it: one spell
            spells[-1] = ("33", None, spells[-1][2], None)
        else:
            spells.append(("33", None, start, None))
        registered = registered or start
        s33_from = spells[0][2]
    elif kind in ("ceased", "s39", "deceased"):
        if kind == "s39":
            start = rng.randint(lower, max(lower, today - 2 * YEAR))
            end = start + rng.randint(400, 12 * YEAR)
            end = min(end, today - rng.randint(30, 2 * YEAR))
            office_id, start, end = _job(
                rng, ctx, out, pid, ctx.active, start, end=end, reason=_reason(rng, birth, end), min_days=400
            )
        else:
            start = rng.randint(lower, max(lower, today - 200))
            end = min(start + rng.randint(30, 12 * YEAR), today - 1)
            reason = "died" if kind == "deceased" else _reason(rng, birth, end)
            office_id, start, end = _job(rng, ctx, out, pid, ctx.every, start, end=end, reason=reason)
        spells.append(("33", None, start, end))
        registered, s33_from = start, start
        if kind == "s39" and end + 1 <= today and end - start >= 365:
            spells.append(("39", None, end + 1, None))
        elif kind == "deceased":
            status, died = InsuredPerson.Status.DECEASED, end
        else:
            status = InsuredPerson.Status.CEASED
    else:  # Section 40: an informal worker, some after an old job
        office = _pick(rng, ctx.offices, ctx.office_cum)
        office_id = office[0]
        low = max(ctx.s40_first, _years(birth, 15) + 1)
        high = min(today - 1, _years(birth, 65) - 1)
        joined = rng.randint(low, high)
        if rng.random() < 0.3 and ctx.every.rows and lower < joined - 2 * YEAR:
            start = rng.randint(lower, joined - 2 * YEAR)
            end = min(start + rng.randint(90, 8 * YEAR), joined - YEAR)
            _office, start, end = _job(rng, ctx, out, pid, ctx.every, start, end=end, reason=_reason(rng, birth, end))
            spells.append(("33", None, start, end))
            registered, s33_from = start, start
            joined = max(joined, end + 1)
        option = 1 if rng.random() < 0.3 else 2 if rng.random() < 0.7 else 3
        spells.append(("40", option, joined, None))
        registered = registered or joined

    _office_id, province_id, province_code, province_th = ctx.office_by_id[office_id]
    married = _years(birth, 24) < today and rng.random() < 0.45 and not foreign
    if sex == "M":
        title = "003"
    else:
        title = (
            "005" if (married and rng.random() < 0.9) or (_years(birth, 40) < today and rng.random() < 0.2) else "004"
        )
    address = _address(rng, province_code, province_th) if rng.random() < 0.95 else ""
    out.persons.append(
        (pid, id_type, national_id, title, first[0], last[0], first[1], last[1], _date(birth), sex, nationality,
         address, province_id, _phone(rng) if rng.random() < 0.85 else "", office_id, status,
         _date(died) if died else None, _date(min(registered + rng.randint(0, 20), today)))
    )  # fmt: skip
    for section, option, valid_from, valid_to in spells:
        out.spells.append((pid, section, option, _date(valid_from), None if valid_to is None else _date(valid_to)))

    # Hospital (Section 33 and 39 only; Section 40 uses the universal scheme).
    if s33_from is not None and kind != "s40":
        choices = ctx.hospitals.get(province_id) or ctx.all_hospitals
        if choices:
            close = died if died else (spells[-1][3] + 180 if status == InsuredPerson.Status.CEASED else None)
            close = None if close is not None and close >= today else close
            changed = rng.random() < 0.2 and (close or today) - s33_from > 2 * YEAR
            if changed:
                change = rng.randint(s33_from + YEAR, (close or today) - 1)
                out.hospitals.append((pid, rng.choice(choices), _date(s33_from), _date(change - 1)))
                out.hospitals.append((pid, rng.choice(choices), _date(change), None if close is None else _date(close)))
            else:
                out.hospitals.append(
                    (pid, rng.choice(choices), _date(s33_from), None if close is None else _date(close))
                )

    # Bank account for cash benefits.
    if ctx.banks and rng.random() < 0.7 and registered < today - 10:
        opened = rng.randint(registered, min(today - 1, registered + 2 * YEAR))
        account_name = f"{TITLE_TH[title]}{first[0]} {last[0]}"
        if rng.random() < 0.1 and opened < today - YEAR:
            bank_id, digits = _pick(rng, ctx.banks, ctx.bank_cum)
            moved = rng.randint(opened + 30, today - 1)
            out.banks.append(
                (pid, bank_id, f"{rng.randrange(10**digits):0{digits}d}", account_name, _date(opened), _date(moved - 1))
            )
            opened = moved
        bank_id, digits = _pick(rng, ctx.banks, ctx.bank_cum)
        out.banks.append((pid, bank_id, f"{rng.randrange(10**digits):0{digits}d}", account_name, _date(opened), None))

    # Dependants: a spouse (same surname for a wife), children with an ID or a birth certificate.
    if foreign:
        return
    if married:
        spouse_sex = "F" if sex == "M" else "M"
        spouse_first = _pick(rng, n.female, n.female_cum) if spouse_sex == "F" else _pick(rng, n.male, n.male_cum)
        spouse_birth = min(birth + rng.randint(-5 * YEAR, 5 * YEAR), today - 18 * YEAR)
        spouse_id = ""
        if rng.random() < 0.7:
            body = f"{rng.choice(FIRST_DIGITS)}{province_code}{500_000_000 + pid * 4:09d}"[:12]
            spouse_id = body + pin_check_digit(body)
        ended = _date(rng.randint(today - 10 * YEAR, today - 1)) if rng.random() < 0.08 else None
        out.dependants.append(
            (pid, "spouse", spouse_id, "", spouse_first[0], last[0], _date(spouse_birth), None, ended)
        )
    if _years(birth, 22) < today and rng.random() < (0.6 if married else 0.15):
        for k in range(1, 1 + rng.choice((1, 1, 2, 2, 2, 3))):
            low, high = _years(birth, 20), min(today - 30, _years(birth, 45))
            if low >= high:
                break
            child_birth = rng.randint(low, high)
            child_sex = rng.choice("MF")
            child_first = _pick(rng, n.male, n.male_cum) if child_sex == "M" else _pick(rng, n.female, n.female_cum)
            child_id, certificate = "", ""
            if rng.random() < 0.55:
                year_be = _date(child_birth).year + 543
                certificate = f"{province_code}-{year_be}-{rng.randint(1, 999_999):06d}"
            else:
                body = f"{1 if child_birth >= PIN_AT_BIRTH else 3}{province_code}{500_000_000 + pid * 4 + k:09d}"[:12]
                child_id = body + pin_check_digit(body)
            out.dependants.append(
                (pid, "child", child_id, certificate, child_first[0], last[0], _date(child_birth), None, None)
            )


def _person_chunks(rng, ctx, first: int, count: int):
    for chunk_start in range(0, count, CHUNK):
        out = PersonRows()
        for pid in range(first + chunk_start, first + min(count, chunk_start + CHUNK)):
            person_generate(rng, ctx, out, pid)
        yield min(count, chunk_start + CHUNK), out.texts()


def _person_chunks_produce(queue, rng, ctx, first, count):
    try:
        for item in _person_chunks(rng, ctx, first, count):
            queue.put(item)
        queue.put(None)
    except Exception:  # noqa: BLE001 (reported to the parent, which stops the load)
        queue.put(traceback.format_exc())


def persons_generate(cursor, rng, count: int, today: datetime.date, stdout=None) -> None:
    """`count` persons, generated a chunk at a time. For big numbers a forked process
    generates while this one copies, so Python and PostgreSQL each keep a core busy."""
    started = time.monotonic()
    ctx = _Context(today)
    first = ids_reserve(cursor, "registry_insuredperson", count)
    if count <= CHUNK:
        chunks, process = _person_chunks(rng, ctx, first, count), None
    else:
        # Forked after every query it needs was made: the child never touches the database.
        context = multiprocessing.get_context("fork")
        queue = context.Queue(maxsize=2)
        process = context.Process(target=_person_chunks_produce, args=(queue, rng, ctx, first, count), daemon=True)
        process.start()
        chunks = iter(lambda: queue.get(timeout=600), None)
    try:
        for item in chunks:
            if isinstance(item, str):
                raise RuntimeError(f"the person generator failed:\n{item}")
            done, texts = item
            for target, data in texts:
                with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    copy.write(data)
            if stdout is not None and count > CHUNK and (done % (4 * CHUNK) == 0 or done == count):
                stdout.write(f"registry: {done:,} / {count:,} persons ({time.monotonic() - started:.1f} s)")
    finally:
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()


@transaction.atomic
def registry_generate(*, employers: int, persons: int, seed: int = 2569, stdout=None) -> tuple[int, int]:
    """Employers and insured persons up to the numbers given (adds nothing when there are
    that many already). Returns how many of each were added."""
    started = time.monotonic()

    def phase(text):
        if stdout is not None and add_persons >= REINDEX_FROM:
            stdout.write(f"registry: {text} ({time.monotonic() - started:.1f} s)")

    with connection.cursor() as cursor:
        # Nothing else may take ids in the ranges reserved below while this runs.
        cursor.execute(f"LOCK TABLE {', '.join(LOADED_TABLES)} IN EXCLUSIVE MODE")
        add_employers = max(0, employers - Employer.objects.count())
        add_persons = max(0, persons - InsuredPerson.objects.count())
        if not (add_employers or add_persons):
            return 0, 0
        today = timezone.localdate()
        rng = FastRandom(f"{seed}-{add_employers}-{add_persons}-{InsuredPerson.objects.count()}")
        restore = _load_constraints_drop(cursor) if add_persons >= REINDEX_FROM else []
        if add_employers:
            employers_generate(cursor, rng, add_employers, today)
            phase(f"{add_employers:,} employers")
        if add_persons:
            persons_generate(cursor, rng, add_persons, today, stdout=stdout if restore else None)
        if restore:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in restore:
                cursor.execute(statement)
            phase("indexes and foreign keys made again")
        for table in LOADED_TABLES:
            cursor.execute(f"ANALYZE {table}")
        phase("analyzed")
    return add_employers, add_persons
