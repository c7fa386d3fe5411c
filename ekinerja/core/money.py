"""Money: whole rupiah as Decimal, one rounding rule (half up), Indonesian notation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal(1)


def round_rupiah(value: Decimal | int | str) -> Decimal:
    """Round to whole rupiah, half up (0.5 -> 1), as the TPP rules require."""
    if isinstance(value, float):
        raise TypeError("Uang tidak boleh float; gunakan Decimal.")
    return Decimal(value).quantize(ONE, rounding=ROUND_HALF_UP)


def format_rupiah(value: Decimal | int | None) -> str:
    """Rp1.234.567 (negative: -Rp1.234.567)."""
    if value is None:
        return "-"
    amount = round_rupiah(value)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}Rp{digits}"


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
