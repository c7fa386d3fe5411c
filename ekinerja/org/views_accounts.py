"""Accounts: the owner's password page; BKPSDM's and admin OPD's page to create employees' accounts
and reset their passwords with temporary passwords (shown once, never stored in clear)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ekinerja.core.clock import local_today
from ekinerja.core.http import id_param, safe_next
from ekinerja.core.scoping import get_scoped_or_404, scoped

from . import selectors, services
from .forms import PasswordChangeForm
from .models import Employee, Role, Unit

PAGE_SIZE = 100


@never_cache
@login_required
def password_change(request):
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.password_change(
                user=user, old_password=cd["old_password"], new_password=cd["new_password1"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            update_session_auth_hash(request, user)  # this session stays logged in
            messages.success(
                request,
                "Kata sandi baru tersimpan. Di aplikasi ponsel, masuk lagi dengan kata sandi ini.",
            )
            return redirect("home")
    issued_by = selectors.temporary_password_event(user) if user.must_change_password else None
    return render(
        request,
        "org/password_change.html",
        {"form": form, "temporary": user.must_change_password, "issued_by": issued_by},
        status=400 if form.errors else 200,
    )


def _manageable_units(request) -> list[Unit]:
    user = request.user
    roles = selectors.user_roles(user)
    if not user.has_perm("org.manage_accounts"):
        raise PermissionDenied
    qs = scoped(Unit, user).order_by("code")
    if Role.BKPSDM in roles:
        return list(qs)
    allowed = selectors.admin_unit_ids(user)
    return [u for u in qs if u.id in allowed]


def _scope(request, units: list[Unit]) -> tuple[Unit | None, set[int]]:
    """The chosen unit (with its sub-units), or every manageable unit."""
    by_id = {u.id: u for u in units}
    raw = request.GET.get("unit") or request.POST.get("unit") or ""
    unit = by_id.get(id_param(raw))
    if unit is None:
        return None, set(by_id)
    return unit, selectors.unit_descendant_ids(unit) & set(by_id)


@never_cache
@login_required
def accounts(request):
    units = _manageable_units(request)
    unit, ids = _scope(request, units)
    q = (request.GET.get("q") or "").strip()
    today = local_today(request.user.instansi)
    rows = selectors.account_index(request.user.instansi_id, ids, on=today, q=q) if ids else []
    without = sum(1 for r in rows if not r.has_account)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("hal"))
    page.object_list = selectors.account_rows_of(page.object_list)  # only the page's employees
    roles = selectors.user_roles(request.user)
    deciders = selectors.deciders_of(request.user, today)
    for r in page.object_list:  # the reset button only where password_reset would not refuse
        r.reset_refusal = services.account_reset_refusal(
            request.user,
            roles,
            r.employee.user,
            r.granted,
            employee_id=r.employee.pk,
            deciders=deciders,
        )
    return render(
        request,
        "org/accounts.html",
        {
            "units": units,
            "unit": unit,
            "q": q,
            "page": page,
            "total": len(rows),
            "without": without,
            "batch": services.ACCOUNT_BATCH,
        },
    )


def _issued(request, issued, skipped):
    resp = render(
        request,
        "org/accounts_issued.html",
        {"issued": issued, "skipped": skipped, "login_url": request.build_absolute_uri("/masuk/")},
    )
    return resp  # the views are never_cache: no-store


@never_cache
@login_required
@require_POST
def accounts_create(request):
    units = _manageable_units(request)
    unit, ids = _scope(request, units)
    if unit is None:
        messages.error(request, "Pilih unit yang akan dibuatkan akun.")
        return redirect("accounts")
    today = local_today(request.user.instansi)
    employees = [
        r.employee
        for r in selectors.account_rows_of(
            r
            for r in selectors.account_index(request.user.instansi_id, ids, on=today)
            if not r.has_account
        )
    ]
    if not employees:
        messages.info(request, f"Semua pegawai {unit.name} sudah punya akun.")
        return redirect(f"{_accounts_url()}?unit={unit.pk}")
    try:
        issued, skipped = services.accounts_create(actor=request.user, employees=employees)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "Tidak diizinkan.")
        return redirect(f"{_accounts_url()}?unit={unit.pk}")
    return _issued(request, issued, skipped)


@never_cache
@login_required
@require_POST
def account_reset(request, pk: int):
    _manageable_units(request)
    employee = get_scoped_or_404(Employee.objects.select_related("user"), request.user, pk=pk)
    try:
        issued = services.password_reset(actor=request.user, employee=employee)
    except (PermissionDenied, ValidationError) as exc:
        text = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"{employee.name}: {text or 'Tidak diizinkan.'}")
        return redirect(safe_next(request, _accounts_url()))
    return _issued(request, [issued], [])


def _accounts_url() -> str:
    from django.urls import reverse

    return reverse("accounts")
