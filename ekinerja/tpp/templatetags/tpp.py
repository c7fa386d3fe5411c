"""Template filters of the TPP pages and documents."""

from __future__ import annotations

import re
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from ekinerja.tpp.calculator import leave_name

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


@register.filter
def component_allowances(detail, key: str) -> dict | None:
    """Under a policy of several allowances (Kota Madiun's TPP and UKK), the allowances a component
    belongs to: {"names": "Uang Kinerja", "ceiling": their ceilings' sum}; None under a policy of
    one allowance. The explanation's component cards name it: a component's weight is a share of
    its own allowance's ceiling (Rp540.000), not of the combined ceiling at the top (Rp3.240.000),
    and so is an attendance deduction taken from the ceiling."""
    allowances = (detail or {}).get("allowances") or {}
    names = (detail or {}).get("allowance_names") or {}
    holding = [(k, a) for k, a in allowances.items() if key in a]
    if not holding:
        return None
    return {
        "names": " + ".join(names.get(k) or k for k, _a in holding),
        "ceiling": sum(Decimal(a.get("ceiling") or 0) for _k, a in holding),
    }


@register.simple_tag
def leave_deductions(detail, policy_data) -> list[tuple[str, int, Decimal]]:
    """The month's leave days whose type deducts from attendance (an izin's 1% a day under the
    standard leave types), as (the type's name, calculator.leave_name, days, the policy's deduction per day), by
    code, from the stored detail and the policy the month was computed with (no query): the
    attendance card lists every percentage that makes up the deduction, so that its lines add up
    to the total in words."""
    days = ((detail or {}).get("attendance") or {}).get("leave_days") or {}
    types = (policy_data or {}).get("leave_types") or {}
    rows = []
    for code, n in sorted(days.items()):
        try:
            pct = Decimal(str((types.get(code) or {}).get("deduction") or 0))
        except Exception:  # noqa: BLE001 - a template tag never raises
            continue
        if n and pct:
            rows.append((leave_name(code), n, pct))
    return rows


@register.simple_tag(takes_context=True)
def day_pages(context, employee, period) -> dict:
    """Links from the explanation to the month's pages day by day (which day was late, which one
    counted as an absence without notice, which entries were approved): {"attendance": url or "",
    "activities": url or ""}. The employee's own pages; for someone else (a superior, BKPSDM) the
    employee's attendance month when they may see it, and no activity link (the month's entries
    are the employee's own page)."""
    from django.urls import reverse

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or employee is None or period is None:
        return {"attendance": "", "activities": ""}
    query = f"?periode={period}"
    if employee.user_id is not None and employee.user_id == user.id:
        return {
            "attendance": reverse("attendance:month") + query,
            "activities": reverse("activities:month") + query,
        }
    from ekinerja.attendance.rules import may_view_month
    from ekinerja.core.periods import Period

    month = period if isinstance(period, Period) else Period.parse(str(period))
    # The hierarchy the page already built for the superior (views._employee_page), when it holds
    # the month: read once per page, not once more here (several thousand posts at 20,000).
    timeline = context.get("hierarchy_timeline")
    if timeline is not None and not (
        timeline.instansi_id == employee.instansi_id
        and timeline.start <= month.first_day
        and month.last_day <= timeline.end
    ):
        timeline = None
    # The month shown, not today's hierarchy: the link opens what the attendance page allows.
    if may_view_month(user, employee, month.first_day, month.last_day, timeline=timeline):
        return {
            "attendance": reverse("attendance:employee-month", args=[employee.pk]) + query,
            "activities": "",
        }
    return {"attendance": "", "activities": ""}
