"""Reads of the registry: lookups, search, duplicates, the person page and data completeness."""

import calendar
import datetime
import difflib
import re
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import BooleanField, FloatField, Func, Prefetch, Q, QuerySet, Value
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
from sso.core.scoping import office_scoped

SEARCH_PAGE = 20


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


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def section33_months(person: InsuredPerson, *, until: datetime.date) -> int:
    """Calendar months with Section 33 cover up to `until`, from the section history.

    (The contributions issue replaces this with the months actually paid.)
    """
    months = set()
    for spell in person.section_spells.filter(section=Section.S33, valid_from__lte=until):
        end = min(spell.valid_to or until, until)
        year, month = spell.valid_from.year, spell.valid_from.month
        while (year, month) <= (end.year, end.month):
            months.add((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return len(months)


def open_section(person: InsuredPerson, on: datetime.date) -> SectionSpell | None:
    """The section spell in force on a day (None when uninsured)."""
    return next((spell for spell in person.section_spells.all() if spell.covers(on)), None)


# Lookup and search ----------------------------------------------------------------------


@cache
def trigram_available() -> bool:
    """Whether the database has pg_trgm (the embedded PostgreSQL of `make run` has not)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        return cursor.fetchone()[0]


def digits_of(text: str) -> str:
    return re.sub(r"[\s\-]", "", text or "")


def person_get_by_national_id(national_id: str, user) -> InsuredPerson | None:
    """One person by national ID, typed with or without dashes, if `user` may see them."""
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


def _name_filter(queryset: QuerySet, query: str, *, words_index: str | None = None) -> QuerySet:
    text = " ".join(query.lower().split())
    if not trigram_available():
        for word in text.split():  # fallback without pg_trgm: every word as a substring
            queryset = queryset.filter(search_name__contains=word)
        return queryset.order_by("pk")
    if words_index and " " in text:
        # Several words: each must be like a word of the name; the GIN index intersects
        # the candidates of all of them, and the few left are ranked on the whole text.
        for word in text.split():
            queryset = queryset.filter(RawSQL(f"%s <%% {words_index}", [word], output_field=BooleanField()))
        return queryset.annotate(
            rank=RawSQL(f"word_similarity(%s, {words_index})", [text], output_field=FloatField())
        ).order_by("-rank", "pk")
    # One word: filter `<%` (word similarity over the threshold)
    # and order nearest first; the GiST index on search_name serves both and stops once a
    # page is found (migration 0004). No tie-breaker: a second sort key would turn that off.
    return (
        queryset.filter(search_name__trigram_word_similar=text)
        .annotate(distance=WordDistance("search_name", Value(text)))
        .order_by("distance")
    )


def person_search(query: str, user, *, include_merged: bool = False) -> QuerySet:
    """Insured persons matching a national ID (exact, dashes allowed) or a Thai or English
    name (similarity, best first)."""
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
    return _name_filter(queryset, query, words_index=NAME_WORDS)


def employer_search(query: str, user) -> QuerySet:
    """Employers matching an account number (exact, dashes allowed), a tax ID or a name."""
    queryset = office_scoped(Employer.objects.select_related("province", "responsible_office"), user)
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
    return _name_filter(queryset, query, words_index=EMPLOYER_NAME_WORDS)


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


# Each benefit type and the record items it needs; a claim cannot be adjudicated at the
# counter while any is missing (the seed's "basic data not completed" problem).
_NEEDS = {
    "sickness": ("section", "hospital", "bank", "address"),
    "maternity": ("section", "bank", "address"),
    "invalidity": ("section", "hospital", "bank", "address"),
    "death": ("section", "survivor", "address"),
    "child_allowance": ("section", "bank", "child"),
    "old_age": ("section", "bank", "address"),
    "unemployment": ("section_33", "bank", "leaving_reason", "address"),
}

_BENEFIT_LABELS = {
    "sickness": _("Sickness"),
    "maternity": _("Maternity"),
    "invalidity": _("Invalidity"),
    "death": _("Death"),
    "child_allowance": _("Child allowance"),
    "old_age": _("Old age"),
    "unemployment": _("Unemployment"),
}

_ITEM_LABELS = {
    "section": _("an insured section (33, 39 or 40) in the section history"),
    "section_33": _("a Section 33 spell"),
    "hospital": _("a registered hospital"),
    "bank": _("a bank account for payments"),
    "address": _("an address"),
    "survivor": _("a spouse or child recorded as survivor"),
    "child": _("a child with birth date and birth certificate or ID"),
    "leaving_reason": _("the reason for leaving the last job"),
}


def person_completeness(person: InsuredPerson) -> Completeness:
    """Which benefit types can be claimed from the record as it stands, and exactly what is
    missing for the others. Uses the person's prefetched histories (see person_page_get)."""
    spells = list(person.section_spells.all())
    employments = list(person.employments.all())
    dependants = [dep for dep in person.dependants.all() if dep.died_on is None]
    have = {
        "section": bool(spells),
        "section_33": any(spell.section == Section.S33 for spell in spells),
        "hospital": any(reg.valid_to is None for reg in person.hospital_registrations.all()),
        "bank": any(account.valid_to is None for account in person.bank_accounts.all()),
        "address": bool(person.address.strip()),
        "survivor": any(dep.kind == Dependant.Kind.SPOUSE and dep.valid_to is None for dep in dependants)
        or any(dep.kind == Dependant.Kind.CHILD for dep in dependants),
        "child": any(
            dep.kind == Dependant.Kind.CHILD and (dep.birth_certificate_id or dep.national_id) for dep in dependants
        ),
        # The last finished job says why it ended (the unemployment rate depends on it).
        "leaving_reason": any(job.ended_on and job.leaving_reason for job in employments),
    }
    result = Completeness()
    for benefit, items in _NEEDS.items():
        label = str(_BENEFIT_LABELS[benefit])
        result.benefits.append(label)
        result.missing[label] = [str(_ITEM_LABELS[item]) for item in items if not have[item]]
    return result
