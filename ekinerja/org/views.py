"""Pages of the organisation app: login, home per role, profiles, org charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from ekinerja.core.clock import local_today
from ekinerja.core.scoping import get_scoped_or_404, scoped

from . import selectors
from .forms import LoginForm
from .models import Employee, Role, Unit


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "org/login.html"
    redirect_authenticated_user = True


#: What apps above org in the layer contract (pyproject.toml [tool.importlinter]) add to the home
#: page's context, by name: org imports none of them, they register here when their views module is
#: imported (with the URLconf, before any page is served). Each is called with the request, the
#: user's roles and the page's context so far (`me`, `assignment`, `subordinates`...: what the page
#: already worked out, not to be asked again) and returns context for its card (empty: no card).
HOME_CARDS: dict[str, Callable[..., dict]] = {}


def register_home_card(name: str):
    """Decorator: `fn(request, roles, page) -> dict` adds to the home page's context (see
    HOME_CARDS)."""

    def add(fn):
        HOME_CARDS[name] = fn
        return fn

    return add


def _superior_and_subordinates(
    employee: Employee, *, on: dt.date, with_subordinates: bool = True
) -> tuple[Employee | None, list[Employee]]:
    """selectors.direct_superior and selectors.subordinates (the same rule, the same records),
    walked from the employee's own posts (selectors.superior_and_subordinates): each of those
    builds the instansi's whole hierarchy (every post and every assignment: 24,500 rows and
    0.3-0.5 s at 20,000 employees), which the home page of every employee paid."""
    sup_id, ids = selectors.superior_and_subordinates(
        employee, on=on, with_subordinates=with_subordinates
    )
    superior = (
        Employee.objects.filter(pk=sup_id).select_related("instansi").first() if sup_id else None
    )
    subordinates = (
        list(
            selectors.employees_with_current_assignments(
                Employee.objects.filter(id__in=ids).order_by("name"), on=on
            )
        )
        if ids
        else []
    )
    return superior, subordinates


@login_required
def home(request):
    user = request.user
    roles = selectors.user_roles(user)
    me = selectors.employee_for_user(user)
    today = local_today(user.instansi) if user.instansi_id else None
    ctx = {"me": me, "today": today, "role_labels": [Role(r).label for r in sorted(roles)]}
    if me is not None:
        ctx["assignment"] = selectors.definitif_assignment(me, on=today)
        ctx["superior"], subordinates = _superior_and_subordinates(
            me, on=today, with_subordinates=Role.ATASAN in roles
        )
        if Role.ATASAN in roles:
            ctx["subordinates"] = subordinates
    if user.instansi_id and roles & {
        Role.BKPSDM,
        Role.PIMPINAN,
        Role.BPKAD,
        Role.KOMINFO,
        Role.ADMIN_OPD,
    }:
        ctx["stats"] = selectors.instansi_stats(user.instansi, on=today)
    if Role.ADMIN_OPD in roles:
        ctx["admin_units"] = (
            scoped(Unit, user).filter(id__in=selectors.admin_unit_ids(user)).order_by("code")
        )
    for card in HOME_CARDS.values():
        ctx.update(card(request, roles, ctx))
    return render(request, "org/home.html", ctx)


@login_required
def my_profile(request):
    me = selectors.employee_for_user(request.user)
    if me is None:
        return redirect("home")
    return redirect("employee-profile", pk=me.pk)


#: Direct subordinates listed per page of an employee's profile.
PROFILE_SUBORDINATES_PER_PAGE = 50


@login_required
def employee_profile(request, pk: int):
    employee = get_scoped_or_404(
        Employee.objects.select_related("instansi", "user"), request.user, pk=pk
    )
    if not request.user.has_perm("org.view_employee_profile", employee):
        # Same answer as a missing object: do not reveal who exists.
        raise Http404("Data tidak ditemukan.")
    today = local_today(employee.instansi)
    # Walked from the employee's own posts, not the instansi's whole hierarchy (bench/pages.py).
    sup_id, sub_ids = selectors.superior_and_subordinates(employee, on=today)
    superior = (
        Employee.objects.filter(pk=sup_id).select_related("instansi").first() if sup_id else None
    )
    # A kepala bidang has hundreds of direct subordinates: one page of them at a time (the page
    # was one table of 657 rows).
    page = Paginator(
        selectors.employees_with_current_assignments(
            Employee.objects.filter(id__in=sub_ids).order_by("name", "pk"),
            on=today,
        ),
        PROFILE_SUBORDINATES_PER_PAGE,
    ).get_page(request.GET.get("hal"))
    subordinates = list(page.object_list)
    roles = selectors.user_roles(request.user)
    me = selectors.employee_for_user(request.user)
    ctx = {
        "employee": employee,
        "today": today,
        "assignments": employee.assignments.select_related("position", "position__unit").order_by(
            "-start"
        ),
        "current": selectors.definitif_assignment(employee, on=today),
        "superior": superior,
        "subordinates": subordinates,
        "subordinate_total": page.paginator.count,
        "page": page,
        # Their superior (or BKPSDM) opens the subordinate's month from here: attendance, the
        # entries waiting for them, TPP (each page checks its own permission again).
        "month_links": (superior is not None and me is not None and superior.pk == me.pk)
        or Role.BKPSDM in roles,
        # NPWP and bank account: the employee's own, BKPSDM's and BPKAD's business (pay), not a
        # superior's or a leader's.
        "sees_pay_data": employee.user_id == request.user.pk
        or bool(roles & {Role.BKPSDM, Role.BPKAD}),
    }
    return render(request, "org/employee_profile.html", ctx)


@login_required
def unit_list(request):
    if request.user.instansi_id is None:
        raise Http404
    tree = selectors.unit_tree(request.user.instansi)
    return render(request, "org/unit_list.html", {"tree": tree})


@login_required
def unit_chart(request, pk: int):
    unit = get_scoped_or_404(Unit, request.user, pk=pk)
    if not request.user.has_perm("org.view_unit_chart", unit):
        raise Http404
    today = local_today(unit.instansi)
    chart = selectors.org_chart(unit, on=today)
    openable = selectors.openable_profile_ids(request.user, on=today)
    return render(
        request,
        "org/unit_chart.html",
        {
            "unit": unit,
            "chart": chart,
            "rows": selectors.chart_rows(chart),
            "today": today,
            "open_all": openable is None,
            "openable": openable or set(),
        },
    )


@login_required
def audit_log(request):
    if not request.user.has_perm("org.view_audit_log"):
        raise PermissionDenied
    events = selectors.audit_log_events(request.user)
    return render(request, "org/audit_log.html", {"events": events})
