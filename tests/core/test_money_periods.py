import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ekinerja.core.money import format_rupiah, parse_rupiah, round_rupiah, terbilang
from ekinerja.core.periods import Period, tanggal


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.5", 1), ("1.49", 1), ("2.5", 3), ("-2.5", -3), ("1234567.50", 1234568), ("7", 7)],
)
def test_round_rupiah_is_half_up(value, expected):
    assert round_rupiah(Decimal(value)) == Decimal(expected)


def test_round_rupiah_refuses_float():
    with pytest.raises(TypeError):
        round_rupiah(1.5)


def test_format_rupiah_uses_indonesian_notation():
    assert format_rupiah(Decimal("1234567")) == "Rp1.234.567"
    assert format_rupiah(Decimal("-2500")) == "-Rp2.500"
    assert format_rupiah(0) == "Rp0"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (11, "sebelas rupiah"),
        (115, "seratus lima belas rupiah"),
        (1000, "seribu rupiah"),
        (1_250_000, "satu juta dua ratus lima puluh ribu rupiah"),
        (7_011_250, "tujuh juta sebelas ribu dua ratus lima puluh rupiah"),
        (2_000_000_001, "dua miliar satu rupiah"),
    ],
)
def test_terbilang(amount, words):
    assert terbilang(amount) == words


@given(st.integers(min_value=0, max_value=10**13))
def test_terbilang_never_has_double_spaces(n):
    text = terbilang(n)
    assert "  " not in text and text.endswith("rupiah")


def test_period_parse_and_bounds():
    p = Period.parse("2026-02")
    assert p.first_day == dt.date(2026, 2, 1)
    assert p.last_day == dt.date(2026, 2, 28)
    assert str(p.next()) == "2026-03" and str(Period.parse("2026-01").previous()) == "2025-12"
    assert p.label == "Februari 2026"
    with pytest.raises(ValueError, match="tidak valid"):
        Period.parse("2026-13")


def test_tanggal_in_indonesian():
    assert tanggal(dt.date(2026, 11, 23)) == "23 November 2026"
    assert tanggal(dt.date(2026, 11, 23), with_weekday=True) == "Senin, 23 November 2026"


def test_date_ranges_as_written_in_indonesian():
    from ekinerja.core.periods import rentang_tanggal

    d = dt.date
    assert rentang_tanggal(d(2026, 11, 26), d(2026, 11, 26)) == "26 November 2026"
    assert rentang_tanggal(d(2026, 11, 26), d(2026, 11, 27)) == "26–27 November 2026"
    assert rentang_tanggal(d(2026, 11, 28), d(2026, 12, 2)) == "28 November – 2 Desember 2026"
    assert rentang_tanggal(d(2026, 12, 30), d(2027, 1, 2)) == "30 Desember 2026 – 2 Januari 2027"
    assert rentang_tanggal(None, None) == "-"


def test_month_keys_in_templates_read_as_indonesian_months():
    from ekinerja.core.templatetags.ekinerja import bulan

    assert bulan("2026-10") == "Oktober 2026"
    assert bulan(Period(2027, 1)) == "Januari 2027"
    assert bulan("bukan bulan") == "bukan bulan"


@pytest.mark.parametrize(
    "text,amount",
    [
        ("150000", 150_000),
        ("150.000", 150_000),
        (" Rp150.000 ", 150_000),
        ("Rp 1.250.000", 1_250_000),
        ("-150.000", -150_000),
        ("-Rp150.000", -150_000),
        ("+25000", 25_000),
        ("0", 0),
    ],
)
def test_parse_rupiah_reads_whole_rupiah_as_people_type_it(text, amount):
    assert parse_rupiah(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["150000.00", "1.5", "1,5", "150.00", "15.0000", "", "-", "Rp", "abc", "1e5", "١٢٣"]
)
def test_parse_rupiah_refuses_decimals_and_anything_else(text):
    # "150000.00" used to become 15,000,000 (every dot dropped): a hundred times the amount.
    with pytest.raises(ValueError):
        parse_rupiah(text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_rupiah_reads_what_format_rupiah_writes(n):
    assert parse_rupiah(format_rupiah(n)) == n


@pytest.mark.parametrize("text", ["0000-05", "0001-01", "1899-12", "9999-12"])
def test_a_period_outside_any_payroll_year_is_refused(text):
    with pytest.raises(ValueError, match="tidak valid"):
        Period.parse(text)
    assert Period.parse("1900-01").first_day == dt.date(1900, 1, 1)


def test_a_moment_is_dated_in_the_current_time_zone():
    """A list computed at 02:50 WITA on 4 December was shown as computed on the 3rd (its UTC date)."""
    import zoneinfo

    from django.utils import timezone

    moment = dt.datetime(2026, 12, 3, 18, 50, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Makassar")):
        assert tanggal(moment) == "4 Desember 2026"
        assert tanggal(moment, with_weekday=True) == "Jumat, 4 Desember 2026"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Jakarta")):
        assert tanggal(moment) == "4 Desember 2026"
    assert tanggal(dt.datetime(2026, 12, 3, 18, 50)) == "3 Desember 2026"  # naive: as written


@pytest.mark.django_db
def test_an_account_is_named_as_people_know_it():
    from django.contrib.auth import get_user_model

    from ekinerja.core.templatetags.ekinerja import orang
    from tests.factories import InstansiFactory, employee_with_login

    employee = employee_with_login(InstansiFactory(), name="Ani Lestari")
    assert orang(employee.user) == employee.full_name and "Ani Lestari" in orang(employee.user)
    technical = get_user_model().objects.create_user(username="kominfo.x", password="x")
    assert orang(technical) == "kominfo.x"  # no employee record: the account's name
    assert orang(None) == ""


def test_a_nip_is_written_as_on_the_id_card():
    from ekinerja.core.templatetags.ekinerja import nip

    assert nip("197611252005102008") == "19761125 200510 2 008"
    # Anything that is not an 18-digit NIP is left as it is.
    assert [nip(v) for v in ("12345", "", None, "19761125200510200x")] == [
        "12345",
        "",
        "",
        "19761125200510200x",
    ]
