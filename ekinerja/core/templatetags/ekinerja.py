import datetime as dt

from django import template
from django.utils import timezone

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


@register.filter(expects_localtime=True)
def jam(value):
    """A time as Indonesians write it, with a dot: 07.30 (a moment in the current time zone,
    the instansi's on its pages); "" for none. Not for <input type=time>, which needs 07:30."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    try:
        return f"{value.hour:02d}.{value.minute:02d}"
    except AttributeError:
        return value


@register.filter
def rentang(start, end):
    """{{ r.date_from|rentang:r.date_to }}: 26–27 November 2026."""
    return rentang_tanggal(start, end)


@register.filter
def orang(user):
    """An account as people know it: its employee's name with titles, or the username of an
    account without an employee record (a Kominfo or system account); "" for nobody. Select the
    `employee` relation with the account, or each name costs a query."""
    if user is None:
        return ""
    employee = getattr(
        user, "employee", None
    )  # the missing reverse one-to-one is an AttributeError
    name = getattr(employee, "full_name", "") or getattr(employee, "name", "")
    return name or user.get_username()


@register.filter
def nip(value):
    """An 18-digit NIP as printed on the ID card and the SK: "19761125 200510 2 008" (birth date,
    appointment, sex, number). On a phone it wraps between its groups, never inside one; anything
    else is shown as it is."""
    text = str(value or "")
    if len(text) != 18 or not (text.isascii() and text.isdigit()):
        return text
    return f"{text[:8]} {text[8:14]} {text[14]} {text[15:]}"


@register.filter
def bulan(value):
    """A month key (2026-10) or Period as Indonesians write it: Oktober 2026."""
    if isinstance(value, Period):
        return value.label
    try:
        return Period.parse(str(value)).label
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def with_query(context, **changes):
    """The current page's query string with `changes` applied (`{% with_query hal=2 %}` ->
    "?unit=9&hal=2"): a pager or a filter link keeps the unit, date and search already chosen. A
    change to None or "" drops the key; changing anything but the page starts again at page 1."""
    query = context["request"].GET.copy()
    if set(changes) != {"hal"}:
        query.pop("hal", None)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    return "?" + query.urlencode() if query else "?"
