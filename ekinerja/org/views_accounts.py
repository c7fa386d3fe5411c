"""Accounts: the owner's password page, with the mobile app's devices of the account ("Perangkat
aplikasi"); BKPSDM's and admin OPD's page to create employees' accounts, reset their passwords with
temporary passwords (shown once, never stored in clear) and end the app's tokens of a lost phone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ekinerja.core.clock import local_today
from ekinerja.core.http import id_param, safe_next
from ekinerja.core.scoping import get_scoped_or_404, scoped

from . import selectors, services
from .forms import PasswordChangeForm
from .models import Employee, Role, Unit

PAGE_SIZE = 100


# ---------------------------------------------------------------- the mobile app's devices


@dataclass(frozen=True)
class DeviceSource:
    """The mobile app's tokens of accounts (activities.ApiToken). Org may not import activities
    (layer contract, pyproject.toml [tool.importlinter]), so activities' token services are
    registered here (set_device_source) by activities.apps.ActivitiesConfig.ready; without them the
    pages list no devices.

    - `live(instansi_id, user_ids)`: {user id: [token, ...]} of live tokens (one query);
    - `own(user, token_id)`: a live token of the account, Http404 otherwise;
    - `revoke(actor=, token=)`: the owner ends one (audited);
    - `revoke_for(actor=, employee=, token_ids=)`: an officer ends some of an employee's (audited,
      PermissionDenied for whoever may not reset that account's password), returns how many."""

    live: Callable[[int, Iterable[int]], dict[int, list]]
    own: Callable
    revoke: Callable
    revoke_for: Callable


_device_source: list[DeviceSource] = []


def set_device_source(source: DeviceSource | None) -> None:
    _device_source[:] = [source] if source is not None else []


def _devices(instansi_id: int | None, user_ids: Iterable[int]) -> dict[int, list]:
    ids = [i for i in user_ids if i is not None]
    if not _device_source or not instansi_id or not ids:
        return {}
    return _device_source[0].live(instansi_id, ids)


def _source() -> DeviceSource:
    if not _device_source:
        raise Http404
    return _device_source[0]


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
    # A temporary password ended every token: nothing to list until the owner has their own.
    devices = [] if user.must_change_password else _devices(user.instansi_id, [user.pk])
    return render(
        request,
        "org/password_change.html",
        {
            "form": form,
            "temporary": user.must_change_password,
            "issued_by": issued_by,
            "devices": devices.get(user.pk, []) if devices else [],
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_POST
def my_device_revoke(request, pk: int):
    """The owner ends the app's token of one of their devices (a phone lost, sold or handed on):
    the app there must log in again; their other devices stay logged in. Another account's or an
    ended token answers 404."""
    source = _source()
    token = source.own(request.user, pk)
    source.revoke(actor=request.user, token=token)
    messages.success(
        request,
        f"Perangkat {_device_name(token)} dicabut: aplikasi di perangkat itu harus masuk lagi. "
        "Perangkat Anda yang lain tetap masuk.",
    )
    return redirect(reverse("password-change") + "#perangkat")


def _device_name(token) -> str:
    return f"“{token.name}”" if token.name else f"tanpa nama ({token.prefix}…)"


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
    devices = _devices(request.user.instansi_id, (r.employee.user_id for r in page.object_list))
    for r in page.object_list:
        # The app's devices of the account, where this officer may end them (services.
        # account_manage_check: not their own, and an admin OPD's not of an account with a role).
        r.devices = len(devices.get(r.employee.user_id, ()))
        r.devices_managed = r.employee.user_id != request.user.pk and (
            Role.BKPSDM in roles or not r.granted
        )
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
    return reverse("accounts")


def _managed_employee(request, pk: int) -> Employee:
    """An employee of the officer's instansi (404 otherwise) whose account they may manage
    (org.manage_accounts and services.account_manage_check; 403 in its words otherwise)."""
    _manageable_units(request)
    employee = get_scoped_or_404(Employee.objects.select_related("user"), request.user, pk=pk)
    if employee.user_id is None:
        raise Http404("Pegawai ini belum punya akun.")
    services.account_manage_check(request.user, [employee])
    return employee


@never_cache
@login_required
def account_devices(request, pk: int):
    """An employee's devices logged in to the mobile app (live tokens: name, issued, last used,
    expiry), for the officer who manages the account to end one or all of them."""
    employee = _managed_employee(request, pk)
    devices = _devices(request.user.instansi_id, [employee.user_id]).get(employee.user_id, [])
    return render(
        request,
        "org/account_devices.html",
        {
            "employee": employee,
            "devices": devices,
            "back": safe_next(request, _accounts_url()),
        },
    )


@never_cache
@login_required
@require_POST
def account_devices_revoke(request, pk: int):
    """End the employee's tokens posted in `token` (one device's button), or all of them (`semua`).
    Audited per token (auth.api_token.revoke_officer)."""
    employee = _managed_employee(request, pk)
    if request.POST.get("semua"):
        ids = [
            t.pk
            for t in _devices(request.user.instansi_id, [employee.user_id]).get(
                employee.user_id, []
            )
        ]
    else:
        ids = [i for i in (id_param(v) for v in request.POST.getlist("token")) if i is not None]
    n = _source().revoke_for(actor=request.user, employee=employee, token_ids=ids)
    if n:
        messages.success(
            request,
            f"{n} perangkat {employee.name} dicabut: aplikasi di perangkat itu harus masuk lagi.",
        )
    else:
        messages.error(
            request, "Tidak ada perangkat yang dicabut: tokennya sudah dicabut atau kedaluwarsa."
        )
    url = reverse("account-devices", args=[employee.pk])
    back = safe_next(request, "")
    return redirect(f"{url}?{urlencode({'next': back})}" if back else url)
