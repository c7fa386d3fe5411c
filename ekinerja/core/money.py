"""Money: whole rupiah as Decimal, one rounding rule (half up), Indonesian notation."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal(1)


def round_rupiah(value: Decimal | int | str) -> Decimal:
    """Round to whole rupiah, half up (0.5 -> 1), as the TPP rules require."""
    if isinstance(value, float):
        raise TypeError("Uang tidak boleh float; gunakan Decimal.")
    return Decimal(value).quantize(ONE, rounding=ROUND_HALF_UP)


_WHOLE_RUPIAH = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)", re.ASCII)


def parse_rupiah(text: str) -> Decimal:
    """A whole-rupiah amount as people type it: "150000", "150.000", "Rp150.000", "-150.000" (dots
    only as thousands separators). Anything else, a decimal part included ("150000.00", "1,5"), is
    refused with ValueError rather than guessed at: a dropped separator would pay a hundred times
    the amount."""
    raw = re.sub(r"\s+", "", text or "")
    sign = ""
    if raw[:1] and raw[:1] in "+-":
        sign, raw = raw[0], raw[1:]
    if raw[:2].lower() == "rp":
        raw = raw[2:]
    if not _WHOLE_RUPIAH.fullmatch(sign + raw):
        raise ValueError(text)
    return Decimal(sign + raw.replace(".", ""))


def format_rupiah(value: Decimal | int | None) -> str:
    """Rp1.234.567 (negative: -Rp1.234.567)."""
    if value is None:
        return "-"
    amount = round_rupiah(value)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}Rp{digits}"


def format_number(value: Decimal | int | str, places: int = 2) -> str:
    """A number as Indonesians write it, without trailing zeros: 5.999.940; 1,5; 0,25."""
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{amount:,.{places}f}".rstrip("0").rstrip(".") if places else f"{amount:,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


_UNITS = [
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
]


def _terbilang(n: int) -> str:
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        return f"{_UNITS[n // 10]} puluh {_terbilang(n % 10)}".strip()
    if n < 200:
        return f"seratus {_terbilang(n - 100)}".strip()
    if n < 1000:
        return f"{_UNITS[n // 100]} ratus {_terbilang(n % 100)}".strip()
    if n < 2000:
        return f"seribu {_terbilang(n - 1000)}".strip()
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if n >= size:
            return f"{_terbilang(n // size)} {word} {_terbilang(n % size)}".strip()
    raise AssertionError(n)


def terbilang(value: Decimal | int) -> str:
    """Amount in Indonesian words, as written on payment documents: 'satu juta dua ratus ribu rupiah'."""
    n = int(round_rupiah(value))
    if n == 0:
        return "nol rupiah"
    words = _terbilang(abs(n))
    return f"{'minus ' if n < 0 else ''}{' '.join(words.split())} rupiah"
