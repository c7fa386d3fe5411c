from django import template

from ekinerja.core.money import format_rupiah, terbilang
from ekinerja.core.periods import Period, rentang_tanggal
from ekinerja.core.periods import tanggal as _tanggal

register = template.Library()


@register.filter
def rupiah(value):
    return format_rupiah(value)


@register.filter(name="terbilang")
def terbilang_filter(value):
    return terbilang(value)


@register.filter
def tanggal(value, arg=""):
    return _tanggal(value, with_weekday=arg == "hari")


@register.filter
def rentang(start, end):
    """{{ r.date_from|rentang:r.date_to }}: 26–27 November 2026."""
    return rentang_tanggal(start, end)


@register.filter
def bulan(value):
    """A month key (2026-10) or Period as Indonesians write it: Oktober 2026."""
    if isinstance(value, Period):
        return value.label
    try:
        return Period.parse(str(value)).label
    except ValueError:
        return value
