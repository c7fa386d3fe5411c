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
