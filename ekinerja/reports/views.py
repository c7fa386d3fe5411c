"""The leaders' pages: OPD ranking and the workload analysis (pimpinan and BKPSDM)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ekinerja.core.clock import local_today
from ekinerja.core.periods import Period

from . import indicators, selectors, xlsx


def _month(request) -> tuple[selectors.OpdMonth, dict]:
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied
    instansi = request.user.instansi
    if instansi is None:
        raise Http404
    today = local_today(instansi)
    current = Period.of(today)
    # By default the last finished month: the current one is partial, and its entries are still
    # being verified, so its ranking would mostly show who verifies fastest.
    try:
        period = Period.parse(request.GET.get("periode") or str(current.previous()))
    except ValueError:
        period = current.previous()
    # Months to come hold nothing yet: the current month is the latest shown.
    if period.first_day > current.first_day:
        period = current
    month = selectors.cached_opd_month(instansi, period, today)
    nav = {
        "prev": period.previous(),
        "next": period.next() if period != current else None,
        "cache_minutes": selectors.CACHE_SECONDS // 60,
    }
    return month, nav


def _legend(legend, month: selectors.OpdMonth) -> list[str]:
    return legend(indicators.ribuan(int(month.target)), month.target_source)


@login_required
@require_GET
def dashboard(request):
    month, nav = _month(request)
    order = request.GET.get("urut", "nilai")
    if order not in indicators.ORDERS:
        order = "nilai"
    rows = indicators.ranked(month.counts, order)
    whole = indicators.indicators(indicators.total(month.counts, request.user.instansi.name))
    # A month computed unit by unit: the instansi's Capaian TPP is that of the OPDs computed.
    tpp_opds = sum(1 for r in rows if r.tpp_pct is not None)
    staffed_opds = sum(1 for r in rows if r.counts.employees)
    tpp_partial = month.computed and tpp_opds < staffed_opds
    if request.GET.get("format") == "xlsx":
        return xlsx.dashboard_workbook(
            request.user.instansi,
            month,
            rows,
            whole,
            order,
            tpp_partial=(tpp_opds, staffed_opds) if tpp_partial else None,
        )
    return render(
        request,
        "reports/dashboard.html",
        {
            "month": month,
            "rows": rows,
            "whole": whole,
            "order": order,
            "tpp_partial": tpp_partial,
            "tpp_opds": tpp_opds,
            "staffed_opds": staffed_opds,
            "orders": [(k, label) for k, (_f, label) in indicators.ORDERS.items()],
            "legend": _legend(indicators.dashboard_legend, month),
            **nav,
        },
    )


@login_required
@require_GET
def workload(request):
    month, nav = _month(request)
    # A verdict is final once the month is over and none of the OPD's entries waits for its
    # superior: entries still waiting will add to the workload (an audit saw every OPD of the
    # current month "Kelebihan", the verification lag read as idle staff).
    rows = [
        indicators.workload(c, month.target, final=month.complete and not c.pending_entries)
        for c in month.counts
    ]
    # The instansi's total counts only the OPDs with a need to compare: one with staff but not one
    # approved minute (not on e-Kinerja yet) would otherwise read as over-staffed in the total.
    counted = [w.counts for w in rows if w.counted]
    left_out = [w.counts.name for w in rows if w.without_approved_activity]
    whole = indicators.workload(
        indicators.total(counted, request.user.instansi.name),
        month.target,
        final=month.complete and not any(c.pending_entries for c in counted),
    )
    pending = sum(c.pending_entries for c in month.counts)
    if request.GET.get("format") == "xlsx":
        return xlsx.workload_workbook(request.user.instansi, month, rows, whole, left_out, pending)
    return render(
        request,
        "reports/workload.html",
        {
            "month": month,
            "rows": rows,
            "whole": whole,
            "left_out": left_out,
            "pending": pending,
            "legend": _legend(indicators.workload_legend, month),
            # The instansi's headcount on the card, as on the ranking: the total's own (of the OPDs
            # counted) read "Pegawai 0" while every OPD was left out (the first days of a month).
            "employees": sum(c.employees for c in month.counts),
            **nav,
        },
    )
