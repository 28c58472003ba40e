"""The upload file's layout: its columns and their Thai headers, the values a cell may hold,
the size limits of one upload, and the template file."""

import datetime
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from registry.models import (
    InsuredPerson,
)
from sso.core import exports

# Files up to this many lines are checked and stored while the officer waits; longer ones
# go to the back office (Celery) and the status page shows their progress.
SYNC_MAX_LINES = 500
MAX_LINES = 50_000
BATCH = 2000
PROGRESS_TTL = 24 * 3600

DAY = datetime.timedelta(days=1)

# Column -> accepted header names (compared without case, spaces, dashes, dots and brackets).
COLUMNS = {
    "national_id": ("national_id", "national id", "pin", "เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขประจำตัว"),
    "id_type": ("id_type", "id type", "ประเภทบัตร", "ประเภทเลขประจำตัว"),
    "title": ("title", "คำนำหน้า", "คำนำหน้าชื่อ", "คำนำหน้านาม"),
    "first_name_th": ("first_name_th", "first name (Thai)", "ชื่อ", "ชื่อ (ไทย)", "ชื่อภาษาไทย"),
    "last_name_th": ("last_name_th", "surname (Thai)", "last name (Thai)", "นามสกุล", "นามสกุล (ไทย)", "นามสกุลภาษาไทย"),
    "first_name_en": ("first_name_en", "first name (English)", "ชื่อ (อังกฤษ)", "ชื่อภาษาอังกฤษ"),
    "last_name_en": (
        "last_name_en",
        "surname (English)",
        "last name (English)",
        "นามสกุล (อังกฤษ)",
        "นามสกุลภาษาอังกฤษ",
    ),
    "birth_date": ("birth_date", "birth date", "date of birth", "วันเกิด", "วันเดือนปีเกิด"),
    "sex": ("sex", "gender", "เพศ"),
    "nationality": ("nationality", "สัญชาติ"),
    "branch": ("branch", "branch number", "สาขา", "เลขที่สาขา"),
    "started_on": ("started_on", "hire date", "hired on", "วันที่เข้าทำงาน", "วันเข้าทำงาน"),
    "monthly_wage": ("monthly_wage", "monthly wage", "wage", "ค่าจ้าง", "ค่าจ้างรายเดือน", "ค่าจ้างต่อเดือน"),
}
REQUIRED = ("national_id", "title", "first_name_th", "last_name_th", "birth_date", "sex", "started_on")
# The Thai header of the template file, column by column.
HEADERS_TH = {
    "national_id": "เลขประจำตัวประชาชน",
    "id_type": "ประเภทบัตร",
    "title": "คำนำหน้า",
    "first_name_th": "ชื่อ",
    "last_name_th": "นามสกุล",
    "first_name_en": "ชื่อภาษาอังกฤษ",
    "last_name_en": "นามสกุลภาษาอังกฤษ",
    "birth_date": "วันเกิด",
    "sex": "เพศ",
    "nationality": "สัญชาติ",
    "branch": "สาขา",
    "started_on": "วันที่เข้าทำงาน",
    "monthly_wage": "ค่าจ้างรายเดือน",
}


def header_key(text) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    return re.sub(r"[\s_\-.()*\[\]]", "", text)


HEADER_LOOKUP = {header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}

TITLES = {
    "003": "003",
    "3": "003",
    "นาย": "003",
    "mr": "003",
    "004": "004",
    "4": "004",
    "นางสาว": "004",
    "น.ส.": "004",
    "miss": "004",
    "005": "005",
    "5": "005",
    "นาง": "005",
    "mrs": "005",
}
SEXES = {"m": "M", "male": "M", "ชาย": "M", "f": "F", "female": "F", "หญิง": "F"}
ID_TYPES = {
    "": "pin",
    "pin": "pin",
    "thai": "pin",
    "ไทย": "pin",
    "foreign": "foreign",
    "ต่างด้าว": "foreign",
    "คนต่างด้าว": "foreign",
}
NATIONALITY = re.compile(r"^[A-Z]{3}$")
NAME_MAX = InsuredPerson._meta.get_field("first_name_th").max_length


# How the page names each column (the file may use the English or the Thai header).
COLUMN_LABELS = {
    "national_id": _("National ID"),
    "id_type": _("ID type"),
    "title": _("Title"),
    "first_name_th": _("First name (Thai)"),
    "last_name_th": _("Surname (Thai)"),
    "first_name_en": _("First name (English)"),
    "last_name_en": _("Surname (English)"),
    "birth_date": _("Birth date"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "branch": _("Branch"),
    "started_on": _("Hire date"),
    "monthly_wage": _("Monthly wage"),
    "employer": _("Employer"),
    "file": _("File"),
}


class FileUnreadable(Exception):
    """The file is not a CSV or XLSX we can read (the reason is the message)."""


def template_csv(language: str = "th") -> bytes:
    """The header line of an upload file (UTF-8 with BOM, so spreadsheet programs read the Thai)."""
    names = [HEADERS_TH[column] if language.startswith("th") else column for column in COLUMNS]
    return exports.csv_bytes(names, [])
