"""Supervisor reports: each app owns its measures; the report pages compose them.

The report pages (`/reports/` an office's dashboard, `/reports/national/` every office side
by side, `/reports/backoffice/` the back office's work) live in `sso.core`, which sits below
every app and so cannot import their measures. Each app lists the sections it adds to those
pages in its own `reports.py` (SECTIONS), the way `menu.py` lists menu entries and
`panels.py` panels: a `ReportSection` names its page (`slot`), its permission, and a
`build(period)` that returns its `Content` (headline figures, tables, charts) computed
through its own app's selectors from its summary tables. The pages, the CSV/XLSX exports of
every table, the JSON API and the charts are built here, once, from that content; a section
never renders HTML or files itself.

A table's rows are plain dicts keyed by its columns' keys (other keys, e.g. an id for the
drill-down, are neither shown nor exported nor answered by the API), holding numbers as numbers
(int, Decimal, float), dates as dates and text as text; a chart names the table it draws
(every chart has its table, shown under it and exported like any other).
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Thailand's regions, by the first digit of a province's TIS 1099 code (1x Bangkok and the
# centre, 2x the east, 3x-4x the north-east, 5x-6x the north, 7x the west and centre, 8x-9x
# the south): the national page's filter. Provinces carry no region of their own.
REGIONS = {
    "central": (_("Central"), ("1", "7")),
    "east": (_("East"), ("2",)),
    "northeast": (_("North-east"), ("3", "4")),
    "north": (_("North"), ("5", "6")),
    "south": (_("South"), ("8", "9")),
}


def region_of(province_code: str) -> str:
    """The region (a key of REGIONS) of a province's code, or ""."""
    return next((key for key, (_label, digits) in REGIONS.items() if province_code[:1] in digits), "")


# The pages a section can be on.
OFFICE = "reports.office"
NATIONAL = "reports.national"
BACKOFFICE = "reports.backoffice"
SLOTS = (OFFICE, NATIONAL, BACKOFFICE)


@dataclass(frozen=True)
class Period:
    """What a report is asked for: an office (None: every office the user may see, the
    national page) and the days from `start` to `end`, both included. Validated by the
    pages' range form before any section sees it (end not before start, at most two years,
    no future day, an office in the user's scope)."""

    office_id: int | None
    start: datetime.date
    end: datetime.date
    # Narrowing of the national page: a region (REGIONS) or a province code ("" for none).
    region: str = ""
    province: str = ""
    # The offices reported on: (office_id,) for one office; on the national page the offices of
    # the region or province asked for, or None for every office. Resolved here when not given,
    # so every section reads the same offices (`offices()`).
    office_ids: tuple[int, ...] | None = None

    def __post_init__(self):
        if self.office_ids is None:
            resolved = (self.office_id,) if self.office_id is not None else offices_of(self.region, self.province)
            object.__setattr__(self, "office_ids", resolved)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def offices(self) -> list[int] | None:
        """The offices a section filters on (`office_id = ANY(...)`), or None: every office."""
        return None if self.office_ids is None else list(self.office_ids)


def offices_of(region: str, province: str) -> tuple[int, ...] | None:
    """The offices of a region or province (None: every office)."""
    if not (region or province):
        return None
    import operator

    from django.db.models import Q

    from sso.core.models import Office

    offices = Office.objects.all()
    if province:
        offices = offices.filter(province__code=province)
    if region:
        offices = offices.filter(
            functools.reduce(operator.or_, (Q(province__code__startswith=digit) for digit in REGIONS[region][1]))
        )
    return tuple(offices.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # lazily translated
    # text | int | decimal | percent (a share 0..1) | minutes | date | money
    kind: str = "text"


@dataclass
class Table:
    key: str  # unique within its section: the export's file name and the API's key
    title: str
    columns: list[Column]
    rows: list[dict]
    totals: dict | None = None  # the totals row, keyed like a row
    # (row) -> the URL of the records behind the row (tickets, claims), or None: a link on
    # the row's first cell
    drill: Callable[[dict], str | None] | None = None
    # {column key: (row) -> URL or None}: a link on that column's cells (a number to the
    # records it counts, an office's code to its dashboard: `dashboard_url`)
    links: dict[str, Callable[[dict], str | None]] = field(default_factory=dict)


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # line | bar | heatmap | scatter
    table: str  # the key of the table (in the same section) it draws
    x: str  # the column along the x axis (heatmap: the columns' column)
    series: list[str]  # the columns drawn (heatmap: [the rows' column, the value column])
    target: float | None = None  # a target line (e.g. 0.9 of visits within target), if any
    stacked: bool = False  # bar/line: the series stacked on each other (shares of a whole)


@dataclass
class Figure:
    """A headline number: visits, % within target, p90 wait..."""

    key: str
    label: str
    value: object
    kind: str = "int"  # as Column.kind
    target: object = None
    drill: str | None = None  # the URL of the records behind it


@dataclass
class Content:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


@dataclass(frozen=True)
class ReportSection:
    """A section an app adds to a report page."""

    slot: str
    key: str  # unique within the slot
    title: str
    build: Callable[[Period], Content]
    permission: str | None = None
    order: int = 100


@functools.cache
def _all_sections() -> tuple[ReportSection, ...]:
    sections = []
    for app in settings.INSTALLED_APPS:
        try:
            module = import_module(f"{app}.reports")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.reports":
                raise
            continue
        sections.extend(getattr(module, "SECTIONS", ()))
    return tuple(sorted(sections, key=lambda section: (section.slot, section.order, section.key)))


def dashboard_url(office_code: str, period: Period) -> str:
    """The office dashboard of `office_code` for the period's days (a national row's link)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    query = urlencode({"office": office_code, "start": period.start.isoformat(), "end": period.end.isoformat()})
    return f"{reverse('core:reports_office')}?{query}"


def sections_for(slot: str, user) -> list[ReportSection]:
    """The sections of `slot` the user may see, in order."""
    return [
        section
        for section in _all_sections()
        if section.slot == slot and (section.permission is None or user.has_perm(section.permission))
    ]


def sections_of(slot: str) -> list[ReportSection]:
    """Every section of `slot`, in order, whoever asks: for what the system makes itself (the
    monthly evidence report the beat generates), not for a user's page."""
    return [section for section in _all_sections() if section.slot == slot]


def section_get(slot: str, key: str, user) -> ReportSection | None:
    return next((section for section in sections_for(slot, user) if section.key == key), None)
