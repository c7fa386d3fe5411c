"""Template filters of the TPP pages and documents."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def component(result, key: str) -> Decimal:
    """A component's amount of a stored Result (`{{ r|component:"attendance" }}`)."""
    return Decimal((result.detail.get(key) or {}).get("amount", 0))


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
