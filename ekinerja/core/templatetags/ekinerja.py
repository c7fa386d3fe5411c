from django import template

from ekinerja.core.money import format_rupiah, terbilang
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
