"""Reads of the registry: lookups, search, duplicates, the person page and data completeness.

Over 500 lines: this is the registry's whole public read surface. Other apps read the registry
only through this module (the import contract in pyproject.toml), each in its own section at
the end; splitting it would open more doors in that contract.
"""

import datetime
import difflib
import re
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Func, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from registry.models import (
    BankAccount,
    Dependant,
    Employer,
    Employment,
    HospitalRegistration,
    InsuredPerson,
    RegistrationRule,
    Section,
    SectionSpell,
)
from sso.core.models import Office
from sso.core.scoping import office_scope_sql, office_scoped, scope_office_id

SEARCH_PAGE = 20
# A one-word name search ranks at most this many of the country's nearest and as many of the
# user's office's (a common first name is shared by tens of thousands).
NAME_CANDIDATES = 500


# Rules and dates ------------------------------------------------------------------------


def registration_rule(day: datetime.date) -> RegistrationRule:
    """The registration rule in force on `day`."""
    rule = (
        RegistrationRule.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    # With no row for the day, the Act's own figures (the model's defaults) apply.
    return rule or RegistrationRule(valid_from=day)


def open_section(person: InsuredPerson, on: datetime.date) -> SectionSpell | None:
    """The section spell in force on a day (None when uninsured)."""
    return next((spell for spell in person.section_spells.all() if spell.covers(on)), None)


# Lookup and search ----------------------------------------------------------------------


def trigram_available() -> bool:
    """Whether the name search uses pg_trgm: the database has it (the embedded PostgreSQL of
    `make run` has not), unless `NAME_SEARCH_TRIGRAM` is False (the tests run both ways)."""
    if getattr(settings, "NAME_SEARCH_TRIGRAM", None) is False:
        return False
    return _trigram_installed()


@cache
def _trigram_installed() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        return cursor.fetchone()[0]


def digits_of(text: str) -> str:
    return re.sub(r"[\s\-]", "", text or "")


def person_get_by_national_id(national_id: str, user) -> InsuredPerson | None:
    """One person by national ID, typed with or without dashes, whatever their office (a
    person is national; `user` is kept for the callers that scope their own work)."""
    digits = digits_of(national_id)
    if not digits.isdigit() or len(digits) != 13:
        return None
    return office_scoped(InsuredPerson.objects.select_related("office"), user).filter(national_id=digits).first()


class WordDistance(Func):
    """`column <->> 'text'`: 1 - word similarity, in the order a GiST trigram index walks."""

    function = ""
    arg_joiner = " <->> "
    output_field = FloatField()


# The expressions of the GIN indexes of migrations 0005 and 0006 (the same as search_name's).
# Columns are qualified: the search joins the office and province, which have names too.
NAME_WORDS = (
    "lower(registry_insuredperson.first_name_th || ' ' || registry_insuredperson.last_name_th || ' ' "
    "|| registry_insuredperson.first_name_en || ' ' || registry_insuredperson.last_name_en)"
)
EMPLOYER_NAME_WORDS = "lower(registry_employer.name_th || ' ' || registry_employer.name_en)"


def _home_first(queryset: QuerySet, office_field: str | None, office_id: int | None) -> tuple[QuerySet, list]:
    """The queryset with `home` (0 for rows of `office_id`, else 1) and the sort key list
    that puts them first; nothing when there is no office to put first."""
    if office_field is None or office_id is None or office_id < 0:
        return queryset, []
    home = Case(When(**{f"{office_field}_id": office_id}, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.annotate(home=home), ["home"]


def _name_filter(
    queryset: QuerySet,
    query: str,
    *,
    words_index: str | None = None,
    office_field: str | None = None,
    office_id: int | None = None,
) -> QuerySet:
    """Rows whose name is like `query`, those of `office_id` (by `office_field`) first, then
    the rest, each best match first. With pg_trgm a name one letter off is found too; without
    it (the embedded PostgreSQL of `make run`) every word typed must be in the name as typed,
    and the rank is whole name, then name beginning with the text, then the rest."""
    text = " ".join(query.lower().split())
    queryset, first = _home_first(queryset, office_field, office_id)
    if not trigram_available():
        for word in text.split():
            queryset = queryset.filter(search_name__contains=word)
        rank = Case(
            When(search_name=text, then=Value(0)),
            When(search_name__startswith=text, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return queryset.annotate(rank=rank).order_by(*first, "rank", "pk")
    if words_index and " " in text:
        # Several words: each must be like a word of the name; the GIN index intersects
        # the candidates of all of them, and the few left are ranked on the whole text.
        for word in text.split():
            queryset = queryset.filter(RawSQL(f"%s <%% {words_index}", [word], output_field=BooleanField()))
        return queryset.annotate(
            rank=RawSQL(f"word_similarity(%s, {words_index})", [text], output_field=FloatField())
        ).order_by(*first, "-rank", "pk")
    # One word: filter `<%` (word similarity over the threshold) and order nearest first; the
    # GiST index on search_name serves both and stops once enough are found (migration 0004).
    # No tie-breaker: a second sort key would turn that off.
    queryset = queryset.filter(search_name__trigram_word_similar=text).annotate(
        distance=WordDistance("search_name", Value(text))
    )
    if not first:
        return queryset.order_by("distance")
    # This office's first: the nearest of the country and the nearest of the office (two
    # walks of the index that stop early, not a sort of every match of a common name),
    # then the office's ahead of the rest.
    nearest = queryset.order_by("distance").values("pk")[:NAME_CANDIDATES]
    nearest_here = queryset.filter(**{f"{office_field}_id": office_id}).order_by("distance").values("pk")
    return queryset.filter(Q(pk__in=nearest) | Q(pk__in=nearest_here[:NAME_CANDIDATES])).order_by(
        *first, "distance", "pk"
    )


def person_search(query: str, user, *, include_merged: bool = False) -> QuerySet:
    """Insured persons anywhere in the country matching a national ID (exact, dashes
    allowed) or a Thai or English name: the persons of the user's office first, then the
    rest, each best match first. A person is national: every counter finds everyone."""
    queryset = office_scoped(InsuredPerson.objects.select_related("office"), user)
    if not include_merged:
        queryset = queryset.exclude(status=InsuredPerson.Status.MERGED)
    query = (query or "").strip()
    digits = digits_of(query)
    if not query:
        return queryset.none()
    if digits.isdigit():
        if len(digits) == 13:
            return queryset.filter(national_id=digits)
        return (
            queryset.filter(national_id__startswith=digits).order_by("national_id")
            if len(digits) >= 6
            else queryset.none()
        )
    return _name_filter(queryset, query, words_index=NAME_WORDS, office_field="office", office_id=scope_office_id(user))


def persons_at_home(queryset: QuerySet, user) -> QuerySet:
    """The persons of `queryset` whose file the user's office keeps (every one for a national
    role): a list asked for without a search shows the office's own, not the country's."""
    office_id = scope_office_id(user)
    return queryset if office_id is None else queryset.filter(office_id=office_id)


def employers_readable(user) -> QuerySet:
    """Every employer, for reading (issue 15): any office finds and reads any employer (a
    person's history names employers of every office); the employer's account and forms stay
    its responsible office's (`employer_get_for_user`). Nothing for an anonymous caller."""
    queryset = Employer.objects.select_related("province", "responsible_office")
    return queryset if user and user.is_authenticated else queryset.none()


def employers_at_home(queryset: QuerySet, user) -> QuerySet:
    """The employers of `queryset` the user's office is responsible for (every one for a
    national role): a list asked for without a search shows the office's own."""
    office_id = scope_office_id(user)
    return queryset if office_id is None else queryset.filter(responsible_office_id=office_id)


def employer_read_get(user, **lookup) -> Employer:
    """One employer, whatever its office, for reading (404 when there is none)."""
    from django.http import Http404

    try:
        return employers_readable(user).get(**lookup)
    except (Employer.DoesNotExist, ValueError):
        raise Http404("No employer matches the given query.") from None


def employer_in_scope(employer, user) -> bool:
    """Whether the user's office does this employer's work (its account, statements, forms)."""
    office_id = scope_office_id(user)
    return office_id is None or employer.responsible_office_id == office_id


def employer_search(query: str, user) -> QuerySet:
    """Employers anywhere in the country matching an account number (exact, dashes allowed),
    a tax ID or a name: the user's office's first, then the rest, best match first."""
    queryset = employers_readable(user)
    query = (query or "").strip()
    digits = digits_of(query)
    if not query:
        return queryset.none()
    if digits.isdigit():
        if len(digits) == 10:
            return queryset.filter(account_number=digits)
        if len(digits) == 13:
            return queryset.filter(tax_id=digits)
        return queryset.none()
    return _name_filter(
        queryset,
        query,
        words_index=EMPLOYER_NAME_WORDS,
        office_field="responsible_office",
        office_id=scope_office_id(user),
    )


# Duplicates -----------------------------------------------------------------------------


@dataclass
class LikelyDuplicate:
    person: InsuredPerson
    reason: str
    score: float


def _name_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def person_duplicates(
    *, first_name_th: str, last_name_th: str, birth_date: datetime.date | None, exclude_id=None, limit=10
) -> list[LikelyDuplicate]:
    """Records that may be the same person: the same birth date with the same or a similar
    Thai name. Searched nationally: a duplicate in another office is still a duplicate."""
    if not birth_date:
        return []
    name = f"{first_name_th.strip()} {last_name_th.strip()}"
    found = []
    candidates = InsuredPerson.objects.filter(birth_date=birth_date).exclude(status=InsuredPerson.Status.MERGED)
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    for person in candidates.select_related("office")[:500]:
        other = f"{person.first_name_th} {person.last_name_th}"
        if other == name:
            found.append(LikelyDuplicate(person, str(_("same name and birth date")), 1.0))
            continue
        score = _name_ratio(other, name)
        if score >= 0.75:
            found.append(LikelyDuplicate(person, str(_("similar name, same birth date")), score))
    found.sort(key=lambda dup: -dup.score)
    return found[:limit]


# SSO 1-03 for someone already insured ---------------------------------------------------


@dataclass
class Difference:
    """A field where what was typed on a form differs from the person's record."""

    field: str
    label: str
    on_record: str
    typed: str


def _shown(person: InsuredPerson, name: str, value) -> str:
    from sso.core.formats import date_display

    if value is None or value == "":
        return "—"
    model_field = InsuredPerson._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return date_display(value)
    return str(value)


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return " ".join(str(a or "").split()).casefold() == " ".join(str(b or "").split()).casefold()
    return a == b


def person_differences(person: InsuredPerson, fields: dict) -> list[Difference]:
    """The personal fields typed (a value given) that differ from the person's record, each
    with both values as shown to the officer: what SSO 1-03 for someone already insured asks
    the officer to choose between. A field left blank on the form is no difference."""
    found = []
    for name in InsuredPerson.PERSONAL_FIELDS:
        typed = fields.get(name)
        if typed is None or typed == "":
            continue
        on_record = getattr(person, f"{name}_id" if name == "province" else name)
        if name == "province":
            typed = getattr(typed, "pk", typed)
        if not _same(on_record, typed):
            label = str(InsuredPerson._meta.get_field(name).verbose_name)
            shown_typed = str(fields[name]) if name == "province" else _shown(person, name, typed)
            shown_record = str(person.province) if name == "province" and person.province_id else None
            found.append(Difference(name, label, shown_record or _shown(person, name, on_record), shown_typed))
    return found


# The person page ------------------------------------------------------------------------


def person_page_get(person_id, user) -> InsuredPerson:
    """A person with every history the page shows, in a fixed number of queries (or 404)."""
    from sso.core.scoping import object_get_for_user

    queryset = InsuredPerson.objects.select_related("office", "province", "merged_into").prefetch_related(
        Prefetch("section_spells", queryset=SectionSpell.objects.order_by("-valid_from")),
        Prefetch(
            "hospital_registrations",
            queryset=HospitalRegistration.objects.select_related("hospital").order_by("-valid_from"),
        ),
        Prefetch("bank_accounts", queryset=BankAccount.objects.select_related("bank").order_by("-valid_from")),
        Prefetch(
            "employments",
            queryset=Employment.objects.select_related("employer", "branch").order_by("-started_on"),
        ),
        Prefetch("dependants", queryset=Dependant.objects.order_by("kind", "birth_date")),
    )
    return object_get_for_user(queryset, user, pk=person_id)


@dataclass
class Completeness:
    """What is missing from a person's record, per benefit type."""

    missing: dict[str, list[str]] = field(default_factory=dict)  # benefit label -> missing items
    benefits: list[str] = field(default_factory=list)

    @property
    def complete_count(self) -> int:
        return sum(1 for benefit in self.benefits if not self.missing.get(benefit))

    @property
    def percent(self) -> int:
        return round(100 * self.complete_count / len(self.benefits)) if self.benefits else 100


# What each benefit needs from the record is the benefits' rules' (one source of truth): their
# cover check and the registry facts their documents may be held as (`DocumentRequirement.
# registry_fact`). Benefits answers `providers.BENEFIT_NEEDS` with, per benefit, its label and
# the facts below it needs; the registry only says which of them the record holds.
_FACT_LABELS = {
    "section_33_39": _("a Section 33 or 39 spell in the section history"),
    "section_33": _("a Section 33 spell"),
    "bank_account": _("a bank account for payments"),
    "child": _("a child with birth date and birth certificate or ID"),
    "death": _("the death recorded"),
    "employment_ended": _("a job ended with its leaving notified (SSO 6-09)"),
    "hospital": _("a registered hospital"),
}


def person_facts(person: InsuredPerson) -> dict[str, bool]:
    """Which of the facts a benefit may need the record holds, from the person's prefetched
    histories (see person_page_get): the same tests as `benefits.services.registry_holds`."""
    spells = list(person.section_spells.all())
    dependants = [dep for dep in person.dependants.all() if dep.died_on is None]
    return {
        "section_33_39": any(spell.section in (Section.S33, Section.S39) for spell in spells),
        "section_33": any(spell.section == Section.S33 for spell in spells),
        "bank_account": any(account.valid_to is None for account in person.bank_accounts.all()),
        "child": any(
            dep.kind == Dependant.Kind.CHILD and (dep.birth_certificate_id or dep.national_id) for dep in dependants
        ),
        "death": person.died_on is not None,
        "employment_ended": any(job.ended_on and job.leaving_notified_on for job in person.employments.all()),
        "hospital": any(reg.valid_to is None for reg in person.hospital_registrations.all()),
    }


def person_completeness(person: InsuredPerson) -> Completeness:
    """Which benefit types can be claimed from the record as it stands, and exactly what is
    missing for the others, by what the benefits' rules need (`providers.BENEFIT_NEEDS`)."""
    from sso.core import providers

    have = person_facts(person)
    result = Completeness()
    for _benefit, label, facts in providers.ask(providers.BENEFIT_NEEDS):
        label = str(label)
        result.benefits.append(label)
        result.missing[label] = [str(_FACT_LABELS.get(fact, fact)) for fact in facts if not have.get(fact, False)]
    return result


# Reads of another office's person ------------------------------------------------------


def person_reads(user, *, national_id: str = "", reader: str = "") -> QuerySet:
    """The reads of other offices' persons a supervisor may see (their office's staff reading,
    or their office's persons read; every office for a national role), latest first,
    narrowed to a person's national ID or a reader's username."""
    from registry.models import PersonReadLog

    queryset = office_scoped(
        PersonReadLog.objects.select_related("reader", "reader_office", "person", "person_office"), user
    )
    digits = digits_of(national_id)
    if digits:
        queryset = queryset.filter(person__national_id=digits)
    if reader.strip():
        queryset = queryset.filter(reader__username=reader.strip())
    return queryset.order_by("-first_read_at", "-pk")


# The counter's person lookup ---------------------------------------------------------

_SUMMARY_KEYS = (
    "id",
    "national_id",
    "id_type",
    "title",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "birth_date",
    "sex",
    "status",
    "office",
    "current_section",
    "s40_option",
)
# Written out rather than built by the ORM: compiling the same joined query on every call
# cost more than running it. The open section spell is found by its partial unique index.
_LOOKUP_SQL = f"""
    SELECT p.id, p.national_id, p.id_type, p.title, p.first_name_th, p.last_name_th, p.first_name_en,
           p.last_name_en, p.birth_date, p.sex, p.status, o.code, s.section, s.s40_option, p.office_id
      FROM {InsuredPerson._meta.db_table} p
      JOIN {Office._meta.db_table} o ON o.id = p.office_id
      LEFT JOIN {SectionSpell._meta.db_table} s ON s.person_id = p.id AND s.valid_to IS NULL
     WHERE p.national_id = %s
"""


def person_summary_by_national_id(national_id: str, user) -> dict | None:
    """One person's summary as a dict (the API's PersonSummarySerializer keys, and
    `office_id`, which the API does not show) among the persons `user` may see (every one:
    a person is national), or None: the counter's lookup, one indexed query."""
    scope, scope_params = office_scope_sql(InsuredPerson, user, "p")
    sql, params = _LOOKUP_SQL, [national_id]
    if scope:
        sql, params = f"{sql} AND {scope}", [national_id, *scope_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else dict(zip((*_SUMMARY_KEYS, "office_id"), row, strict=True))


# For contributions ---------------------------------------------------------------------
#
# What contribution collection reads of the registry. Its statements, payments and months
# point at employers, branches and persons by foreign key; these are the reads it makes
# beyond following those keys.

from types import SimpleNamespace  # noqa: E402 - imports of this section kept in it

from registry.models import Branch  # noqa: E402
from sso.core.scoping import object_get_for_user  # noqa: E402

# The registry's choices other apps store or compare with (a month's section, a person's status);
# `Section` is imported above and read from here too.
EmployerStatus = Employer.Status
PersonStatus = InsuredPerson.Status
BRANCH_HEAD_OFFICE = Branch.HEAD_OFFICE


def sql_tables() -> SimpleNamespace:
    """The registry's tables, quoted, for another app's set-based SQL that joins them (the
    back office's cross-checks, the arrears report, demo data): `person`, `employment`,
    `branch`, `employer`, `section_spell`. The names come from the models, so a renamed
    table is renamed there too."""
    quote = connection.ops.quote_name
    return SimpleNamespace(
        person=quote(InsuredPerson._meta.db_table),
        employment=quote(Employment._meta.db_table),
        branch=quote(Branch._meta.db_table),
        employer=quote(Employer._meta.db_table),
        section_spell=quote(SectionSpell._meta.db_table),
    )


def persons_employed(
    national_ids, *, employer_id: int, period_first: datetime.date, period_last: datetime.date
) -> list[tuple[str, int, bool]]:
    """(national ID, person id, employed by the employer in the period) of every person named,
    in one query (the IDs as one array parameter). An ID of a record merged into another gives
    the record kept, which holds the merged record's history."""
    tables = sql_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.national_id, k.id, EXISTS (
                    SELECT 1 FROM {tables.employment} e
                    WHERE e.person_id = k.id AND e.employer_id = %s AND e.started_on <= %s
                      AND (e.ended_on IS NULL OR e.ended_on >= %s))
                FROM {tables.person} p
                CROSS JOIN LATERAL (SELECT COALESCE(p.merged_into_id, p.id) AS id) k
                WHERE p.national_id = ANY(%s::text[])""",
            [employer_id, period_last, period_first, list(national_ids)],
        )
        return cursor.fetchall()


def employer_get_for_user(user, pk) -> Employer:
    """An employer of the user's office (404 otherwise), with its province and office."""
    return object_get_for_user(Employer.objects.select_related("province", "responsible_office"), user, pk=pk)


def employer_find(account_number: str, user) -> Employer | None:
    """The employer of the user's office with this account number, or None."""
    return office_scoped(Employer.objects.all(), user).filter(account_number=account_number).first()


def employer_find_anywhere(account_number: str, user) -> Employer | None:
    """The employer with this account number whatever its office (to say where its account
    is kept), or None."""
    return employers_readable(user).filter(account_number=account_number).first()


def employer_exists(account_number: str, user) -> bool:
    return office_scoped(Employer.objects.all(), user).filter(account_number=account_number).exists()


def employers_by_account(accounts, user) -> dict[str, Employer]:
    """The employers of the user's office among these account numbers, by account number."""
    queryset = office_scoped(Employer.objects.select_related("responsible_office"), user)
    return {employer.account_number: employer for employer in queryset.filter(account_number__in=accounts)}


def branches_of(employers, numbers) -> dict[tuple[int, str], Branch]:
    """The branches of these employers with these numbers, by (employer id, number)."""
    return {
        (branch.employer_id, branch.number): branch
        for branch in Branch.objects.filter(employer__in=list(employers), number__in=numbers)
    }


def branch_find(account_number: str, number: str, user) -> Branch | None:
    """An employer's branch by account and branch number, within the user's office."""
    queryset = office_scoped(Branch.objects.select_related("employer__responsible_office"), user)
    return next(iter(queryset.filter(employer__account_number=account_number, number=number).order_by()[:1]), None)


def employments_in_period(*, employer, branch, period_first: datetime.date, period_after: datetime.date):
    """The employment spells at a branch reaching into the month [period_first, period_after),
    with their person, in hiring order."""
    return (
        Employment.objects.filter(employer=employer, branch=branch, started_on__lt=period_after)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period_first))
        .select_related("person")
        .order_by("started_on", "person__national_id")
    )


def employment_open(*, employer, person) -> Employment | None:
    """The person's current employment by this employer, if any."""
    return Employment.objects.filter(employer=employer, person=person, ended_on__isnull=True).first()


def person_find(national_id: str) -> InsuredPerson | None:
    """The person with this national ID, whatever the office (callers decide what to show)."""
    return InsuredPerson.objects.filter(national_id=national_id).first()


# A person is national for contribution collection too (issue 15): any office takes a
# person's Section 39/40 money and reads their months (the payment and its receipt are the
# office's that takes them). Only the name in the statement grid of an employer who does not
# employ the person stays with the office that keeps their file (`person_in_scope`).


def person_find_for_user(national_id: str, user) -> InsuredPerson | None:
    """The person with this national ID, whatever the office keeping their file, or None."""
    return office_scoped(InsuredPerson.objects.all(), user).filter(national_id=national_id).first()


def person_in_scope(person_id: int, user) -> bool:
    """Whether the user's office keeps this person's file."""
    return persons_at_home(office_scoped(InsuredPerson.objects.filter(pk=person_id), user), user).exists()


def person_names(national_ids) -> dict[str, str]:
    """Full names by national ID."""
    persons = InsuredPerson.objects.filter(national_id__in=national_ids)
    return {person.national_id: person.full_name for person in persons}


def person_get_for_user(user, **lookup) -> InsuredPerson:
    """A person, whatever the office keeping their file (404 when there is none), with the
    office: a person is served at any office."""
    return object_get_for_user(InsuredPerson.objects.select_related("office"), user, **lookup)


def person_lock(person_id: int) -> InsuredPerson:
    """The person, locked until the caller's transaction ends (two payments for one person
    at once are taken one after the other)."""
    return InsuredPerson.objects.select_for_update().get(pk=person_id)


def section_spell_on(person, day: datetime.date) -> SectionSpell | None:
    """The person's section spell in force on `day` (the latest begun, if two overlap)."""
    return (
        SectionSpell.objects.filter(person=person, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


def section_spell_through(person, section: str, first: datetime.date, last: datetime.date) -> SectionSpell | None:
    """The person's spell under `section` begun by `first` and lasting to `last` at least."""
    return (
        SectionSpell.objects.filter(person=person, section=section, valid_from__lte=first)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=last))
        .order_by("-valid_from")
        .first()
    )


# For benefits ---------------------------------------------------------------------------
# The registry facts a claim reads: who the person is, their children, bank account and
# employment. Benefits reads the registry only through these (and `Section` and the enums).

DependantKind = Dependant.Kind
LeavingReason = Employment.LeavingReason
PERSON_MERGED = InsuredPerson.Status.MERGED


def person_for_claims_get(pk, user) -> InsuredPerson:
    """The person a claim is recorded for, with their office, whatever their office: a
    claim is recorded where the person walks in, and belongs to the office recording it."""
    from sso.core.scoping import object_get_for_user

    return object_get_for_user(InsuredPerson.objects.select_related("office"), user, pk=pk)


def dependants_of(person) -> QuerySet:
    """A person's children and survivors, children first, oldest first (a claim's choice)."""
    return Dependant.objects.filter(person=person).order_by("kind", "birth_date")


def dependant_of(person, pk) -> Dependant | None:
    """The dependant `pk` if it is on `person`'s record, else None."""
    return Dependant.objects.filter(person=person, pk=pk).first()


def hospital_registered_on(person_id, day):
    """The id of the hospital the person was registered with on `day` (SSO 9-02's history),
    or None (for the medical processes: free care there, payment orders to it)."""
    from registry.models import HospitalRegistration

    return (
        HospitalRegistration.objects.filter(person_id=person_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .values_list("hospital_id", flat=True)
        .first()
    )


def hospitals() -> QuerySet:
    """The hospitals, by code (reference data)."""
    from registry.models import Hospital

    return Hospital.objects.order_by("code")


def hospital_by_code(code: str):
    from registry.models import Hospital

    return Hospital.objects.filter(code=code).first()


def bank_account_open(person_id) -> BankAccount | None:
    """The person's open bank account (where a benefit is paid), with its bank, or None."""
    return BankAccount.objects.filter(person_id=person_id, valid_to__isnull=True).select_related("bank").first()


def bank_account_open_exists(person_id) -> bool:
    return BankAccount.objects.filter(person_id=person_id, valid_to__isnull=True).exists()


def banks() -> QuerySet:
    """Every bank (the payment batch form's choice)."""
    from registry.models import Bank

    return Bank.objects.all()


def employment_leaving_notified_exists(person_id) -> bool:
    """An employment of the person ended and its leaving notified (the SSO 6-09 on record)."""
    return Employment.objects.filter(
        person_id=person_id, ended_on__isnull=False, leaving_notified_on__isnull=False
    ).exists()


def employment_open_exists(person_id) -> bool:
    """An employment of the person not ended: still at work."""
    return Employment.objects.filter(person_id=person_id, ended_on__isnull=True).exists()


def employed_on(person_id, day: datetime.date) -> bool:
    """An employment of the person started by `day` and not ended by it."""
    return Employment.objects.filter(person_id=person_id, started_on__lte=day).exclude(ended_on__lte=day).exists()


def employment_last_ended(person_id) -> Employment | None:
    """The person's employment that ended last (its end date and leaving reason)."""
    return Employment.objects.filter(person_id=person_id, ended_on__isnull=False).order_by("-ended_on").first()


# For queueing ---


def registry_record_kind(record) -> str | None:
    """ "insured" for an insured person, "employer" for an employer (the values of a queue
    ticket's customer kind), None for any other record: for an app that holds records of
    every kind, such as a queue ticket's case."""
    if isinstance(record, InsuredPerson):
        return "insured"
    if isinstance(record, Employer):
        return "employer"
    return None
