"""Every staff page in Thai shows B.E. dates and no English that has a translation (issue 15,
part 4): a crawl of the URL conf, as the permission matrix resolves it.

Each page (GET, answered 200 with HTML) is asked once, in Thai, by the first role the matrix
lets open it (an office's own record, the matrix's `world`: two offices with a record of each
kind). Its visible text (tags, scripts and styles stripped) must hold

- no date in C.E.: day/month/year, month/year, an ISO date, or a month's name followed by a
  year, whose year is 1900-2100 (B.E. years are 2400-2700; an ID or an amount is not a date);
- no message of our catalogue whose Thai differs from it, shown untranslated: a run of English
  (between Thai text, line ends or separators, its ends trimmed of punctuation and numbers)
  that is a whole message (`msgid`), e.g. "Kind:" or "Head office" in a cell. Messages with
  placeholders are left out (their parts are other messages), and so is the English of the
  records themselves (an English name of an office or a person, a user name): data, not a
  message; and text marked as another language (`lang="en"`: the language switch, the
  bilingual ticket slip), which is meant to be read in it.

The API (JSON), downloads (PDF, CSV, XLSX), the public devices' pages and the admin's object
pages are not crawled; the admin's index and our apps' lists are (other apps' admin, sign-in
records and groups, is a superuser's tool in Django's and its authors' words).
"""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from sso.core.admin import OUR_APPS
from tests.test_permission_matrix import (  # noqa: F401 (fixtures)
    OWN,
    SEES_ALL_OFFICES,
    _path,
    _rule,
    _values,
    quick_streams,
    urls,
    world,
)

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES" / "django.po"
# Who opens a page: the least powerful role the matrix lets open it (an officer's own screens
# before an administrator's or a superuser's).
ROLE_ORDER = "cvsnau"

_TH_MONTHS = (
    "มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม|"
    r"ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\."
)
_EN_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_CE_YEAR = r"(?:19\d\d|20\d\d|2100)"
CE_DATES = re.compile(
    rf"(?<![\d/.\-])\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]{_CE_YEAR}(?![\d/])"  # 26/11/2026
    rf"|(?<![\d/.\-])\d{{1,2}}/{_CE_YEAR}(?![\d/])"  # 11/2026
    rf"|(?<![\d\-]){_CE_YEAR}-\d\d-\d\d(?![\d\-])"  # 2026-11-26
    rf"|(?<![\d\-]){_CE_YEAR}-\d\d(?![\d\-])"  # 2026-11
    rf"|(?:{_TH_MONTHS}|{_EN_MONTHS})\s*{_CE_YEAR}(?!\d)"  # พ.ย. 2026, November 2026
)


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside script, style and template."""

    # Not read as text: scripts and styles; and code (a file's column names, a key to press),
    # which is typed as it is whatever the language.
    HIDDEN = {"script", "style", "template", "noscript", "title", "code", "kbd", "samp"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden, self.closing = [], 0, []

    def handle_starttag(self, tag, attrs):
        # Text marked as another language (the language switch's "English", a kiosk's English
        # subtitle) is meant to be read in it.
        lang = dict(attrs).get("lang")
        if tag in self.HIDDEN or (lang and not lang.startswith("th")):
            self.hidden += 1
            self.closing.append(tag)
        elif tag in ("br", "p", "div", "td", "th", "li", "option", "dt", "dd", "h1", "h2", "h3", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.closing and tag == self.closing[-1]:
            self.closing.pop()
            self.hidden -= 1
        elif tag in ("td", "th", "li", "option", "dt", "dd", "p", "div", "tr"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return html.unescape("".join(parser.parts))


# A run of English in a Thai page: Latin letters and what goes between words, cut at Thai text,
# line ends and separators; its ends trimmed of punctuation and numbers.
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9_ ,.'’\-/&()]*")
_TRIM = " ,.;:-/&()0123456789"


def english_runs(text: str) -> set[str]:
    return {" ".join(run.strip(_TRIM).split()) for run in _LATIN_RUN.findall(text)} - {""}


def _untranslated_phrases() -> set[str]:
    """Our messages whose Thai differs (without placeholders: their parts are other messages)."""
    phrases = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        text = " ".join(entry.msgid.split())
        if "%" in text or "{" in text or not re.search("[A-Za-z]{2}", text):
            continue
        phrases.add(text.strip(_TRIM))
    return phrases


def _data_words(w) -> re.Pattern:
    """English that is data, not a message: user names, names of people and offices, codes."""
    from django.contrib.auth import get_user_model

    from benefits.models import BenefitParameter, DocumentRequirement
    from contributions.models import Section40Option
    from queueing.models import Service
    from registry.models import Bank, Employer, Hospital, InsuredPerson
    from sso.core.models import Office, Province, RuleChange

    words = set()
    for user in get_user_model().objects.all():
        words |= {user.username, user.first_name, user.last_name, user.get_full_name()}
    for office in Office.objects.all():
        words |= {office.name_en, office.name_th}
    for province in Province.objects.all():
        words.add(getattr(province, "name_en", ""))
    for person in InsuredPerson.objects.all():
        words |= {person.first_name_en, person.last_name_en}
    for employer in Employer.objects.all():
        words |= {employer.name, getattr(employer, "name_en", "")}
    for model in (Bank, Hospital, Service):
        for row in model.objects.all():
            words |= {getattr(row, name, "") for name in ("name", "name_en", "code")}
    # The rule tables' notes (the regulation a figure comes from), as written by who added them.
    words |= set(BenefitParameter.objects.values_list("note", flat=True))
    words |= set(Section40Option.objects.values_list("description", flat=True))
    for code, name_en in DocumentRequirement.objects.values_list("code", "name_en"):
        words |= {code, name_en}
    for reason, reference in RuleChange.objects.values_list("reason", "legal_reference"):
        words |= {reason, reference}
    shown = sorted((word for word in words if word and re.search("[A-Za-z]", word)), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in shown) + r")(?!\w)")


def _pages(w):
    """(key, path, role) of every HTML page a staff role opens, once each."""
    for url in urls():
        key = url.key
        if key.startswith(("api", "admin:")) and key not in ("admin:index",) and not key.endswith("_changelist"):
            continue
        if key.endswith("_changelist") and key.split(":")[1].split("_")[0] not in OUR_APPS:
            continue  # other apps' admin (sign-in records, groups): superusers' tools, their own words
        if url.route.startswith(("api/", "device/")) or "export" in key or "pdf" in key or "file" in key:
            continue
        try:
            rule = _rule(url)
        except KeyError:  # a URL without its row fails the permission matrix, not here
            continue
        if rule.ok != 200 or rule.heavy:
            continue
        role = next((letter for letter in ROLE_ORDER if letter in rule.who), None)
        if role is None:
            continue
        yield key, _path(url, _values(url, w, w.users[role], OWN)), role


def test_every_thai_page_shows_be_dates_and_no_english_left_untranslated(world, quick_streams):  # noqa: F811
    untranslated = _untranslated_phrases()
    data = _data_words(world)
    faults, crawled = [], 0
    for key, path, role in _pages(world):
        client = world.clients[role]
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="th")
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        crawled += 1
        text = visible_text(response.content.decode())
        text = data.sub(" ", text)
        for match in CE_DATES.finditer(text):
            faults.append(f"{path} [{key}] as {role}: a C.E. date {match[0]!r}")
        for phrase in sorted(english_runs(text) & untranslated):
            at = text.find(phrase)
            seen = " ".join(text[max(0, at - 30) : at + len(phrase) + 30].split())
            faults.append(f"{path} [{key}] as {role}: English left untranslated {phrase!r} in {seen!r}")
    assert crawled > 60, f"only {crawled} pages answered"
    assert not faults, f"{len(faults)} faults on {crawled} Thai pages:\n" + "\n".join(faults)


@pytest.mark.parametrize(
    "text",
    ["26/11/2026", "วันที่ 1/1/2026 ", "งวด 12/2025", "(ควรเป็น <= 12/2026 พบ 05/2027)", "2026-11-26", "พ.ย. 2026"],
)
def test_the_crawl_sees_a_ce_date(text):
    assert CE_DATES.search(text)


@pytest.mark.parametrize(
    "text",
    ["26/11/2569", "งวด 12/2569", "26 พ.ย. 2569", "เลขที่ 1001-2026-0000012", "1,234.50 บาท", "3101234567890"],
)
def test_the_crawl_lets_be_dates_ids_and_amounts_pass(text):
    assert not CE_DATES.search(text)


def test_the_crawl_sees_a_whole_message_left_in_english():
    runs = english_runs("ประเภท Kind: ทั่วไป\nHead office · 1001\nYour password can't be too similar to it.")
    assert {"Kind", "Head office"} <= runs and "to" not in runs
