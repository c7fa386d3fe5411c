"""NIP (Nomor Induk Pegawai) validation.

An 18-digit NIP reads YYYYMMDD (birth date) YYYYMM (appointment year and month, TMT CPNS)
S (sex: 1 male, 2 female) NNN (serial, 001-999). A PPPK NIP carries "21" where a PNS NIP has the
appointment month (BKN's PPPK numbering). "Plausible" here means: a real birth date, an appointee at
least 18 and at most 60 at appointment, an appointment not in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class NipError(ValueError):
    """Raised with an Indonesian message saying what is wrong with the NIP."""


@dataclass(frozen=True)
class NipInfo:
    birth_date: dt.date
    appointment_year: int
    appointment_month: int | None  # None for PPPK
    sex: str  # "L" or "P"
    serial: int
    is_pppk: bool


def parse_nip(nip: str, *, status: str | None = None, today: dt.date | None = None) -> NipInfo:
    today = today or dt.date.today()
    raw = (nip or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 18:
        raise NipError("NIP harus terdiri dari 18 angka.")
    try:
        birth = dt.date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError as exc:
        raise NipError("NIP: tanggal lahir (digit 1-8) bukan tanggal yang valid.") from exc
    age_today = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if birth.year < 1940 or age_today < 18:
        raise NipError("NIP: tanggal lahir (digit 1-8) tidak masuk akal untuk seorang ASN.")
    year, month_code = int(raw[8:12]), raw[12:14]
    is_pppk = month_code == "21"
    if status == "PPPK" and not is_pppk:
        raise NipError("NIP PPPK harus memuat '21' pada digit 13-14.")
    if status in ("PNS", "CPNS") and is_pppk:
        raise NipError("NIP dengan '21' pada digit 13-14 adalah NIP PPPK, bukan PNS/CPNS.")
    month = None
    if not is_pppk:
        month = int(month_code)
        if not 1 <= month <= 12:
            raise NipError(
                "NIP: bulan pengangkatan (digit 13-14) harus 01-12 (atau 21 untuk PPPK)."
            )
    if (year, month or 1) > (today.year, today.month):
        raise NipError("NIP: tahun/bulan pengangkatan (digit 9-14) tidak boleh di masa depan.")
    age_at_appointment = year - birth.year
    if not 18 <= age_at_appointment <= 60:
        raise NipError(
            "NIP: usia saat pengangkatan (digit 9-12 terhadap tanggal lahir) tidak masuk akal."
        )
    if raw[14] not in "12":
        raise NipError("NIP: digit ke-15 (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan).")
    serial = int(raw[15:18])
    if serial == 0:
        raise NipError("NIP: nomor urut (digit 16-18) tidak boleh 000.")
    return NipInfo(birth, year, month, "L" if raw[14] == "1" else "P", serial, is_pppk)
