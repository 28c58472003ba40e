import datetime
from decimal import Decimal

import pytest
from django import forms
from django.utils import timezone, translation

from sso.core.formats import date_display, date_numeric, datetime_display, money_display
from sso.core.forms import parse_thai_date

D = datetime.date(2026, 11, 26)


def test_dates_read_in_the_buddhist_era_in_thai_and_the_common_era_in_english():
    assert date_display(D, "th") == "26 พ.ย. 2569"
    assert date_display(D, "en") == "26 Nov 2026"
    assert date_numeric(D, "th") == "26/11/2569"
    assert date_numeric(D, "en") == "26/11/2026"


def test_times_are_shown_in_bangkok_time():
    moment = datetime.datetime(2026, 11, 26, 7, 5, tzinfo=datetime.UTC)
    with timezone.override("Asia/Bangkok"):
        assert datetime_display(moment, "th") == "26 พ.ย. 2569 14:05 น."
        assert datetime_display(moment, "en") == "26 Nov 2026 14:05"


def test_the_active_language_decides_the_era():
    with translation.override("en"):
        assert date_display(D) == "26 Nov 2026"
    with translation.override("th"):
        assert date_display(D) == "26 พ.ย. 2569"


@pytest.mark.parametrize(
    ("amount", "th", "en"),
    [
        (Decimal("1234.5"), "1,234.50 บาท", "THB 1,234.50"),
        (Decimal("82.505"), "82.51 บาท", "THB 82.51"),
        (0, "0.00 บาท", "THB 0.00"),
        (Decimal("17500"), "17,500.00 บาท", "THB 17,500.00"),
    ],
)
def test_money_is_thb_with_two_decimals(amount, th, en):
    assert money_display(amount, "th") == th
    assert money_display(amount, "en") == en


@pytest.mark.parametrize(
    ("typed", "stored", "era"),
    [
        ("26/11/2569", D, "BE"),
        ("26/11/2026", D, "CE"),
        ("26-11-2569", D, "BE"),
        ("26.11.2026", D, "CE"),
        ("2026-11-26", D, "CE"),
        ("26/11/2569 พ.ศ.", D, "BE"),
        ("26/11/2026 ค.ศ.", D, "CE"),
        ("26/11/2026 CE", D, "CE"),
        ("1/3/2534", datetime.date(1991, 3, 1), "BE"),
        ("29/02/2567", datetime.date(2024, 2, 29), "BE"),
    ],
)
def test_a_date_is_accepted_in_either_era_and_stored_in_the_common_era(typed, stored, era):
    assert parse_thai_date(typed) == (stored, era)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("26/11/69", "year_digits"),
        ("26/11/2350", "year_range"),
        ("26/11/1500", "year_range"),
        ("31/02/2569", "invalid_date"),
        ("29/02/2568", "invalid_date"),
        ("tomorrow", "format"),
        ("2569/11/26", "format"),
    ],
)
def test_an_ambiguous_or_impossible_date_is_refused_not_guessed(typed, code):
    with pytest.raises(forms.ValidationError) as caught:
        parse_thai_date(typed)
    assert caught.value.code == code


def test_date_errors_are_given_in_thai_and_in_english():
    with translation.override("th"):
        with pytest.raises(forms.ValidationError) as caught:
            parse_thai_date("26/11/69")
        assert "กรอกปีเป็นตัวเลข 4 หลัก" in caught.value.messages[0]
    with translation.override("en"):
        with pytest.raises(forms.ValidationError) as caught:
            parse_thai_date("26/11/69")
        assert "Write the year with 4 digits" in caught.value.messages[0]
