"""BKPSDM's holiday page: the year's holidays, seeded from the national calendar and corrected by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ekinerja.core.clock import local_today
from ekinerja.core.scoping import get_scoped_or_404

from . import selectors, services
from .forms import HolidayForm
from .models import Holiday


def _year(request) -> int:
    try:
        year = int(request.GET.get("tahun") or request.POST.get("tahun") or 0)
    except ValueError:
        year = 0
    if not 1946 <= year <= 2100:
        year = local_today(request.user.instansi).year
    return year


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _page_url(year: int) -> str:
    return f"{reverse('workcal:holidays')}?tahun={year}"


@login_required
def holidays(request):
    if request.user.instansi_id is None:
        raise Http404
    can_manage = request.user.has_perm("workcal.manage_holidays")
    year = _year(request)
    form = HolidayForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = HolidayForm(request.POST)
        if form.is_valid():
            try:
                h = services.holiday_create(
                    actor=request.user,
                    instansi=request.user.instansi,
                    date=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Hari libur %(name)s ditambahkan.") % {"name": h.name})
                return redirect(_page_url(h.date.year))
    rows = list(selectors.year_holidays(request.user.instansi, year, include_inactive=can_manage))
    ctx = {
        "year": year,
        "rows": rows,
        "active_count": sum(1 for r in rows if r.is_active),
        "form": form,
        "can_manage": can_manage,
        "years": [year - 1, year, year + 1],
    }
    return render(request, "workcal/holidays.html", ctx)


@login_required
def holiday_edit(request, pk: int):
    if not request.user.has_perm("workcal.manage_holidays"):
        raise PermissionDenied
    holiday = get_scoped_or_404(Holiday, request.user, pk=pk)
    if request.method == "POST":
        form = HolidayForm(request.POST)
        if form.is_valid():
            try:
                h = services.holiday_update(
                    actor=request.user,
                    holiday=holiday,
                    date=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Hari libur %(name)s disimpan.") % {"name": h.name})
                return redirect(_page_url(h.date.year))
    else:
        form = HolidayForm(
            initial={"date": holiday.date, "name": holiday.name, "kind": holiday.kind}
        )
    return render(request, "workcal/holiday_edit.html", {"holiday": holiday, "form": form})


@login_required
@require_POST
def holiday_delete(request, pk: int):
    if not request.user.has_perm("workcal.manage_holidays"):
        raise PermissionDenied
    holiday = get_scoped_or_404(Holiday, request.user, pk=pk)
    year = holiday.date.year
    services.holiday_delete(
        actor=request.user, holiday=holiday, reason=request.POST.get("reason", "")[:300]
    )
    messages.success(request, _("Hari libur %(name)s dihapus.") % {"name": holiday.name})
    return redirect(_page_url(year))


@login_required
@require_POST
def holiday_restore(request, pk: int):
    if not request.user.has_perm("workcal.manage_holidays"):
        raise PermissionDenied
    holiday = get_scoped_or_404(Holiday, request.user, pk=pk, is_active=False)
    services.holiday_restore(actor=request.user, holiday=holiday)
    messages.success(request, _("Hari libur %(name)s dipulihkan.") % {"name": holiday.name})
    return redirect(_page_url(holiday.date.year))


@login_required
@require_POST
def holidays_seed(request):
    if not request.user.has_perm("workcal.manage_holidays"):
        raise PermissionDenied
    year = _year(request)
    added = services.holidays_seed(actor=request.user, instansi=request.user.instansi, year=year)
    messages.success(
        request,
        _("%(n)s hari libur nasional/cuti bersama %(year)s ditambahkan.")
        % {"n": added, "year": year},
    )
    return redirect(_page_url(year))
