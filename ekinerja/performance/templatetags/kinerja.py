from django import template

from ekinerja.performance.predicate import PREDICATE_LABELS, RATING_LABELS, Predicate, Rating

register = template.Library()

_BADGE = {
    Predicate.SANGAT_BAIK: "text-bg-success",
    Predicate.BAIK: "text-bg-primary",
    Predicate.BUTUH_PERBAIKAN: "text-bg-warning",
    Predicate.KURANG: "text-bg-danger",
    Predicate.SANGAT_KURANG: "text-bg-dark",
}


@register.filter
def predikat(value) -> str:
    """The predicate's label (Sangat Baik ...), or "Belum dinilai"."""
    if not value:
        return "Belum dinilai"
    return PREDICATE_LABELS.get(Predicate(value), str(value))


@register.filter
def predikat_badge(value) -> str:
    if not value:
        return "text-bg-light border"
    return _BADGE.get(Predicate(value), "text-bg-secondary")


@register.filter
def penilaian(value) -> str:
    if not value:
        return "-"
    return RATING_LABELS.get(Rating(value), str(value))


@register.filter
def angka(value) -> str:
    """1.234,5 style numbers without trailing zeros: 12.00 -> 12, 12.50 -> 12,5."""
    if value is None or value == "":
        return "-"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
