"""Template filters of the TPP pages and documents."""

from __future__ import annotations

import re
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def component(result, key: str) -> Decimal:
    """A component's amount of a stored Result (`{{ r|component:"attendance" }}`)."""
    return Decimal((result.detail.get(key) or {}).get("amount", 0))


@register.filter
def figure(result, key: str) -> Decimal:
    """A stored Result's money figure by its totals key: a field ("gross") or an allowance's
    ceiling or gross (`{{ r|figure:"gross:ukk" }}`, exports.figure)."""
    from ekinerja.tpp.exports import figure as read

    return read(result, key)


@register.filter
def get(mapping, key):
    """mapping[key], or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def predicate_label(value) -> str:
    from ekinerja.tpp.calculator import PREDICATE_LABELS

    return PREDICATE_LABELS.get(value or "", "Belum dinilai")


@register.filter
def component_label(key: str) -> str:
    return {"attendance": "Kehadiran", "activity": "Aktivitas", "skp": "SKP"}.get(key, key)


@register.filter
def angka(value) -> str:
    """A number in Indonesian notation: 6.750 / 0,8524 (no trailing zeros)."""
    try:
        number = Decimal(str(value))
    except Exception:  # noqa: BLE001 - a template filter never raises
        return str(value)
    text = f"{number:,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@register.filter
def selisih(value) -> str:
    """A difference in rupiah with its sign: +Rp1.234.567, -Rp1.234.567, Rp0 ("-" for none)."""
    from ekinerja.core.money import format_rupiah, round_rupiah

    if value is None or value == "":
        return "-"
    try:
        amount = Decimal(str(value))
    except Exception:  # noqa: BLE001 - a template filter never raises
        return str(value)
    text = format_rupiah(amount)
    return f"+{text}" if round_rupiah(amount) > 0 else text


@register.filter
def selisih_class(value) -> str:
    """Bootstrap text colour of a difference: green up, red down, muted none."""
    try:
        amount = Decimal(str(value))
    except Exception:  # noqa: BLE001
        return "text-muted"
    if amount > 0:
        return "text-success"
    if amount < 0:
        return "text-danger"
    return "text-muted"


_AMOUNT = re.compile(r"-?Rp\d[\d.]*")


@register.filter
def amounts_unbroken(text) -> str:
    """`text` escaped, each amount in it ("Rp150.000", "-Rp3.092.668") in a
    `<span class="amount">` that the pdf's style keeps on one line: a line may break after a
    hyphen, so "-Rp3.092.668" could end a line with "-" and start the next with "Rp3.092.668", a
    recovery read as a payment."""
    escaped = str(conditional_escape(text or ""))
    return mark_safe(_AMOUNT.sub(lambda m: f'<span class="amount">{m.group(0)}</span>', escaped))


@register.filter
def css_string(value) -> str:
    """`value` for inside a CSS string ("..."), as the pdf's page footer writes the instansi's name:
    every character but letters, digits, spaces and plain punctuation as a CSS escape (`\\26 ` for
    "&"). HTML escaping there printed "Kabupaten A &amp; B" literally, and a quote or a `</style>`
    in a name would have ended the string or the style."""
    safe = " .,:;()-/·"
    return mark_safe(
        "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in str(value or ""))
    )
