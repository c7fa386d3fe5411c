import datetime as dt

import pytest

from ekinerja.org.nip import NipError, parse_nip

TODAY = dt.date(2026, 11, 23)


def test_valid_pns_nip_is_parsed():
    info = parse_nip("198505172010031002", status="PNS", today=TODAY)
    assert info.birth_date == dt.date(1985, 5, 17)
    assert (info.appointment_year, info.appointment_month) == (2010, 3)
    assert info.sex == "L" and info.serial == 2 and not info.is_pppk


def test_valid_pppk_nip_carries_21():
    info = parse_nip("199001012022212001", status="PPPK", today=TODAY)
    assert info.is_pppk and info.appointment_month is None and info.sex == "P"


@pytest.mark.parametrize(
    ("nip", "status", "message"),
    [
        ("19850517201003100", "PNS", "18 angka"),
        ("1985051720100310a2", "PNS", "18 angka"),
        ("198502302010031002", "PNS", "tanggal lahir"),
        ("201505172010031002", "PNS", "tanggal lahir"),
        ("198505172010131002", "PNS", "bulan pengangkatan"),
        ("198505172030031002", "PNS", "masa depan"),
        ("198505171995031002", "PNS", "usia saat pengangkatan"),
        ("198505172010033002", "PNS", "jenis kelamin"),
        ("198505172010031000", "PNS", "nomor urut"),
        ("198505172010031002", "PPPK", "NIP PPPK"),
        ("199001012022212001", "PNS", "NIP PPPK, bukan PNS"),
    ],
)
def test_implausible_nips_are_refused_with_indonesian_reason(nip, status, message):
    with pytest.raises(NipError, match=message):
        parse_nip(nip, status=status, today=TODAY)
