"""Django's own localized dates read B.E. in Thai (issue 15, part 4): the admin's lists and
filters, a date shown as `{{ value }}` (the history page's values), the `date` filter. Django's
Thai formats ("j F Y") write the C.E. year, and a format string cannot add 543, so the two
year letters of `django.utils.dateformat` (Y, y) give the B.E. year while Thai is active.

Machine formats are untouched: ISO 8601 (`c`), RFC 5322 (`r`), the Unix time (`U`) and every
`strftime` (form inputs' values, files, the API) keep the C.E. year. Our own pages use the
sso.core.formats helpers (thdate, thmonth...), which do not go through here.
"""

from django.utils import dateformat
from django.utils.translation import get_language

from sso.core.formats import BE_OFFSET


def _year(data) -> int:
    thai = (get_language() or "").startswith("th")
    return data.year + BE_OFFSET if thai else data.year


def _year_4(self) -> str:
    """Year, 4 digits: 2569 in Thai, 2026 otherwise."""
    return f"{_year(self.data):04d}"


def _year_2(self) -> str:
    """Year, 2 digits: 69 in Thai, 26 otherwise."""
    return f"{_year(self.data) % 100:02d}"


def install() -> None:
    dateformat.DateFormat.Y = _year_4
    dateformat.DateFormat.y = _year_2
