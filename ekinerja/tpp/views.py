"""Pages of the TPP app: the employee's explanation ("TPP saya") and live estimate, BKPSDM's monthly
run (compute with progress, verify, lock by a second account, withhold/release, corrections), the
payroll downloads for BPKAD, and the policy versions with their editor."""

from __future__ import annotations

import contextlib
import difflib
import json
import uuid
import zoneinfo
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ekinerja.attendance.models import LeaveType
from ekinerja.core.auth import nip_digits
from ekinerja.core.clock import local_today
from ekinerja.core.http import id_param
from ekinerja.core.jobs import QueueUnavailable, enqueue
from ekinerja.core.money import format_rupiah, parse_rupiah
from ekinerja.core.periods import Period, tanggal
from ekinerja.core.scoping import get_scoped_or_404, scoped
from ekinerja.org.models import Employee, Role, Unit
from ekinerja.org.selectors import (
    HierarchyTimeline,
    employee_for_user,
    superior_of_month,
    user_roles,
)
from ekinerja.org.views import register_home_card
from ekinerja.performance.selectors import predicate_month

from . import documents, exports, policy_form, selectors, services, simulation
from .models import Policy as PolicyRow
from .models import Result, Run, Simulation, Withholding
from .policy import TEMPLATES, band_gap_warnings, decimal_comma

# ---------------------------------------------------------------- helpers

#: The `?unit=` value of the run and simulation pages for the employees without a paying unit.
NO_UNIT = "tanpa"


def _today(request):
    if request.user.instansi_id is None:
        raise Http404
    return local_today(request.user.instansi)


def _period(request, default: Period) -> Period:
    try:
        return Period.parse(request.GET.get("periode") or request.POST.get("periode") or "")
    except ValueError:
        return default


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("Anda tidak berwenang membuka halaman ini.")


def _errors(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _may_view_employee(request, employee: Employee, period: Period | None) -> bool:
    if request.user.has_perm("tpp.view_employee_tpp", employee):
        return True
    me = employee_for_user(request.user)
    if me is None or period is None or me.instansi_id != employee.instansi_id:
        return False
    # The superior on the month's last day sees that month too; of a month not over yet, the
    # superior today: a Plh recorded ahead for the 31st is nobody's superior before that day.
    on = min(period.last_day, _today(request))
    # Climbed from the employee's own post (two queries), not the instansi's whole hierarchy; a
    # leaver's (retired on the 15th) month is their superior of their last day in post.
    return superior_of_month(employee, period.first_day, on) == me.id


def _month_options(today, back: int = 12) -> list[Period]:
    p, out = Period.of(today), []
    for _ in range(back):
        out.append(p)
        p = p.previous()
    return out


# ---------------------------------------------------------------- index


@login_required
@require_GET
def index(request):
    roles = user_roles(request.user)
    if roles & {"bkpsdm", "bpkad", "pimpinan"}:
        return redirect("tpp:runs")
    return redirect("tpp:mine")


#: How many locked runs BPKAD's home card lists.
HOME_PAYROLL_RUNS = 6


@register_home_card("tpp-employee")
def employee_home_card(request, roles, page) -> dict:
    """The employee's home page: their latest month's TPP with a link to its explanation (one
    query beside the employee's own)."""
    if Role.PEGAWAI not in roles:
        return {}
    me = employee_for_user(request.user)
    if me is None:
        return {}
    latest = selectors.results_of_employee(me, limit=1)
    return {"tpp_latest": latest[0] if latest else None, "tpp_home": True}


@register_home_card("tpp-bpkad")
def bpkad_home_card(request, roles, page) -> dict:
    """BPKAD's home card (org/home.html includes tpp/_home_bpkad.html): the locked and exported
    lists of the latest months, latest first, each linking to its run page (one query). Org cannot
    import tpp (layer contract), so tpp registers this with org.views.register_home_card."""
    if Role.BPKAD not in roles or not request.user.instansi_id:
        return {}
    runs = list(
        scoped(Run, request.user)
        .filter(state__in=services.LOCKED_STATES)
        .select_related("unit")
        .order_by("-period", "unit__code", "pk")[:HOME_PAYROLL_RUNS]
    )
    return {"payroll_runs": runs, "payroll_card": True}


# ---------------------------------------------------------------- the employee's explanation


def _leave_rows(detail: dict, instansi_id: int) -> list[tuple[str, int]]:
    """The month's leave days by leave type as (the type's name, days), by name. The explanation
    stores the types' codes (the keys of the policy's `leave_types`); their names are read in one
    query. A code the instansi no longer has is shown as written, underscores as spaces."""
    days = ((detail.get("attendance") or {}).get("leave_days")) or {}
    if not days:
        return []
    names = dict(
        LeaveType.objects.filter(instansi_id=instansi_id, code__in=list(days)).values_list(
            "code", "name"
        )
    )
    # By name: the stored JSON's key order is the database's (PostgreSQL's jsonb orders keys by
    # length), not the calculator's.
    return sorted((names.get(code) or code.replace("_", " "), n) for code, n in days.items())


def _explanation_context(detail: dict, instansi_id: int, policy_data: dict | None) -> dict:
    """The explanation page's context: the stored detail, its lines, the leave rows, and from the
    policy the month was computed with what the attendance card needs to add up in words: the
    per-day percentages and whether the deduction is taken from the pot or the ceiling."""
    lines = [{"label": a, "figure": b, "formula": c} for a, b, c in detail.get("lines", [])]
    rules = (policy_data or {}).get("attendance") or {}
    return {
        "d": detail,
        "lines": lines,
        "leave_rows": _leave_rows(detail, instansi_id),
        "att_rates": {
            key: rules.get(key)
            for key in ("missing_check_in", "missing_check_out", "absent_without_notice")
        },
        "deduct_from_pot": rules.get("deduct_from") == "pot",
        "score_cap": ((policy_data or {}).get("activity") or {}).get("score_cap"),
    }


@login_required
@require_GET
def mine(request):
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Halaman ini untuk pegawai.")
    return _employee_page(request, me, own=True)


@login_required
@require_GET
def employee_tpp(request, pk: int):
    employee = get_scoped_or_404(Employee.objects.select_related("instansi"), request.user, pk=pk)
    today = _today(request)
    period = _period(request, Period.of(today).previous())
    if not _may_view_employee(request, employee, period):
        raise Http404("Data tidak ditemukan.")
    own = employee.user_id == request.user.id
    broad = own or request.user.has_perm("tpp.view_employee_tpp", employee)
    # A superior sees only the months in which they were the superior (not a former subordinate's
    # later pay, nor a new subordinate's earlier one).
    superior = None if broad else employee_for_user(request.user)
    return _employee_page(request, employee, own=own, superior=superior)


def _employee_page(request, employee: Employee, own: bool, superior: Employee | None = None):
    today = _today(request)
    history = selectors.results_of_employee(employee)
    timeline = None
    if superior is not None and history:
        # One hierarchy for the page: the months a superior may open (results_as_superior) and the
        # explanation's link to the attendance month (the day_pages tag, attendance.rules.
        # may_view_month) each built the instansi's whole timeline (several thousand posts at
        # 20,000 employees). It holds every month listed and the one asked for (a month with a
        # result is one of them; the default month without one shows no explanation).
        months = [Period.parse(r.run.period) for r in history]
        months.append(_period(request, months[0]))
        timeline = HierarchyTimeline(
            employee.instansi_id,
            min(m.first_day for m in months),
            max(m.last_day for m in months),
        )
        history = selectors.results_as_superior(superior, employee, history, timeline=timeline)
    default = Period.parse(history[0].run.period) if history else Period.of(today).previous()
    period = _period(request, default)
    result = next((r for r in history if r.run.period == str(period)), None)
    if result is None:
        result = selectors.result_of(employee, period)
    withholdings = list(
        Withholding.objects.filter(employee=employee)
        .filter(Q(period=str(period)) | Q(released_period=str(period)))
        .order_by("period")
    )
    ctx = {
        "employee": employee,
        "own": own,
        "period": period,
        "result": result,
        "history": history,
        "withholdings": withholdings,
        # This month's own withholding: once released, the month's card says when it is paid.
        "held": next((w for w in withholdings if w.period == str(period)), None),
        # Corrections of this month recorded after its list was locked, paid or recovered in a
        # later one: the month's page said Rp2.645.999 paid with no word of the Rp150.000
        # recovered in November (a carried rest is not a correction of this month's figures).
        # Corrections of this month recorded after its list was locked, paid or recovered in a
        # later one: the month's page said what it paid and nothing of them.
        "corrections_of_month": selectors.corrections_of_month(employee, period),
        # A withholding's reason may be personal (a missing LHKPN): the employee, BKPSDM and BPKAD
        # read it; a superior or pimpinan sees only that the month is withheld (tpp/rules.py).
        "reason_visible": request.user.has_perm("tpp.view_withholding_reason", employee),
        "options": _month_options(today),
        "today": today,
        "hierarchy_timeline": timeline,
    }
    if result is not None:
        ctx.update(
            _explanation_context(result.detail, employee.instansi_id, result.run.policy_data)
        )
        if result.run.state not in services.LOCKED_STATES and "skp" in (result.detail or {}):
            # A rating given (or changed) after the list was computed: say so, rather than leave
            # "belum dinilai" beside the SKP page's predicate.
            now = predicate_month([employee.pk], period).get(employee.pk)
            if now != result.detail["skp"].get("predicate"):
                ctx["predicate_now"] = now or ""
        if result.adjustment:
            ctx["adjustments"] = selectors.adjustments_into(employee, period)
            rest = services.carried_rest(result)
            if rest:
                ctx["unrecovered"] = rest
                ctx["carried"] = selectors.carried_from(employee, period)
    return render(request, "tpp/explanation.html", ctx)


@login_required
@require_GET
def estimate(request, pk: int | None = None):
    today = _today(request)
    if pk is None:
        employee = employee_for_user(request.user)
        if employee is None:
            raise Http404("Halaman ini untuk pegawai.")
    else:
        employee = get_scoped_or_404(
            Employee.objects.select_related("instansi"), request.user, pk=pk
        )
        if not _may_view_employee(request, employee, Period.of(today)):
            raise Http404("Data tidak ditemukan.")
    est = selectors.estimate(employee, today)
    ctx = {"employee": employee, "estimate": est, "today": today, "period": Period.of(today)}
    if est is not None:
        ctx.update(
            _explanation_context(
                services._detail(est.result, est.info), employee.instansi_id, est.policy_data
            )
        )
    return render(request, "tpp/estimate.html", ctx)


# ---------------------------------------------------------------- runs


@login_required
@require_GET
def runs(request):
    _need(request, "tpp.view_runs")
    today = _today(request)
    period = _period(request, Period.of(today).previous())
    instansi = request.user.instansi
    period_runs = selectors.runs_of_period(instansi, period)
    whole = next((r for r in period_runs if r.unit_id is None), None)
    # What the form may still compute (services.run_open refuses the rest): nothing once the whole
    # instansi's list is locked; with a whole-instansi list, only it again; no unit whose list is
    # locked.
    locked_units = {
        r.unit_id for r in period_runs if r.unit_id and r.state in services.LOCKED_STATES
    }
    units = list(scoped(Unit, request.user).filter(kind=Unit.Kind.OPD).order_by("code"))
    ctx = {
        "period": period,
        # A month not started yet is not offered and cannot be computed (services.run_open).
        "future": not services.month_started(instansi, period),
        "options": _month_options(today, 18),
        "runs": period_runs,
        "whole_locked": whole is not None and whole.state in services.LOCKED_STATES,
        "recent": list(
            scoped(Run, request.user).select_related("unit").order_by("-period", "unit__code")[:24]
        ),
        "policy": selectors.policy_for(instansi, period),
        # Employees a locked list of the month should hold and none does (a hire or a transfer
        # recorded after the lock): paid by a correction.
        "unpaid_after_lock": selectors.unpaid_after_lock(instansi, period)
        if any(r.state in services.LOCKED_STATES for r in period_runs)
        else (0, []),
        "units": [] if whole is not None else [u for u in units if u.id not in locked_units],
        "can_compute": request.user.has_perm("tpp.compute"),
    }
    return render(request, "tpp/runs.html", ctx)


@login_required
@require_POST
def run_start(request):
    _need(request, "tpp.compute")
    today = _today(request)
    period = _period(request, Period.of(today).previous())
    unit = None
    if request.POST.get("unit"):
        if id_param(request.POST["unit"]) is None:
            raise Http404("Unit tidak ditemukan.")
        unit = get_scoped_or_404(Unit, request.user, pk=request.POST["unit"])
    from .tasks import run_compute_task

    try:
        run = services.run_open(
            actor=request.user, instansi=request.user.instansi, period=period, unit=unit
        )
        if run.state in services.LOCKED_STATES:
            raise ValidationError(f"Perhitungan TPP {period.label} sudah dikunci.")
        if run.job_id and not (run.job_stalled or run.job_stopped):
            # Already queued or running: a second job would compute the same month again.
            messages.info(
                request,
                f"Perhitungan TPP {period.label} sudah berjalan di latar belakang; tunggu sampai "
                "selesai.",
            )
            return redirect("tpp:run", pk=run.pk)
        # Each request's own token: only the job the run waits for computes (a second delivery
        # of it, or a job replaced by a newer "Hitung ulang", does nothing; tasks.run_compute_task).
        job = uuid.uuid4().hex
        Run.objects.filter(pk=run.pk).update(
            job_id=job, job_queued_at=timezone.now(), progress=0, error=""
        )
        enqueue(
            run_compute_task,
            request.user.instansi_id,
            str(period),
            unit.pk if unit else None,
            request.user.pk,
            job,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(f"{reverse('tpp:runs')}?periode={period}")
    except QueueUnavailable as exc:
        Run.objects.filter(pk=run.pk).update(job_id="", job_queued_at=None)
        messages.error(request, str(exc))
        return redirect("tpp:run", pk=run.pk)
    run.refresh_from_db()
    if run.state == Run.State.COMPUTED and not run.job_id:
        messages.success(request, f"TPP {period.label} dihitung untuk {run.employees} pegawai.")
    else:
        messages.info(request, "Perhitungan berjalan di latar belakang.")
    return redirect("tpp:run", pk=run.pk)


def _run_or_404(request, pk: int) -> Run:
    _need(request, "tpp.view_runs")
    return get_scoped_or_404(
        Run.objects.select_related(
            "unit",
            "computed_by__employee",
            "verified_by__employee",
            "locked_by__employee",
            "policy",
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def run_detail(request, pk: int):
    return _run_page(request, _run_or_404(request, pk))


def _run_page(request, run: Run, form: dict | None = None):
    """The run page; with `form` (a refused withholding or correction: `_form_refusal`) that form
    shows what was typed and each reason under its field, answered 400."""
    locked = run.state in services.LOCKED_STATES
    if form and (form["name"] == "adjust") != locked:
        # The form is not on the page any more (the month was locked, or reopened, meanwhile).
        for msgs in form["errors"].values():
            for msg in msgs:
                messages.error(request, msg)
    q = (request.GET.get("q") or "").strip()[:60]
    unit_id = id_param(request.GET.get("unit") or "")
    # The recap's row of those with no paying unit (payment-only rows): `?unit=tanpa`, which
    # listed everyone as `?unit=None`.
    no_unit = request.GET.get("unit") == NO_UNIT
    results = (
        Result.objects.filter(run=run)
        .select_related("unit")
        .order_by("unit__code", "-kelas", "name")
    )
    if q:
        results = results.filter(_name_or_nip(q))
    if no_unit:
        results = results.filter(unit__isnull=True)
    elif unit_id is not None:
        results = results.filter(unit_id=unit_id)
    page = Paginator(results, 50).get_page(request.GET.get("hal"))
    recap = _unit_recap(run)
    query = {k: v for k, v in (("q", q), ("unit", NO_UNIT if no_unit else unit_id)) if v}
    period = Period.parse(run.period)
    month_open = not services.month_ended(request.user.instansi, period)
    not_recovered = selectors.unrecovered_without_post(run)
    ctx = {
        "run": run,
        "period": period,
        # Verifying and locking wait for the month's end (services.run_verify, run_lock).
        "month_open": month_open,
        # Entries that may still be approved: what a lock now would leave to a correction.
        "unsettled": selectors.activity_unsettled(run, local_today(run.instansi))
        if run.state in (Run.State.COMPUTED, Run.State.VERIFIED)
        and not month_open
        and request.user.has_perm("tpp.compute")
        else None,
        "computed_by_name": _officer_name(run.computed_by),
        "verified_by_name": _officer_name(run.verified_by),
        "locked_by_name": _officer_name(run.locked_by),
        "page": page,
        "q": q,
        "unit_id": unit_id,
        # The list's filter kept on the pages' links (q URL-encoded) and the unit it shows.
        "query": urlencode(query),
        "no_unit": no_unit,
        "unit_name": "tanpa unit"
        if no_unit
        else next((u["unit__name"] for u in recap["unit_rows"] if u["unit_id"] == unit_id), "")
        if unit_id is not None
        else "",
        **recap,
        "no_account": selectors.without_bank_account(run),
        "machines_behind": selectors.machines_behind(run.instansi, period)
        if run.unfinished_days and run.state not in services.LOCKED_STATES
        else [],
        "unknown_leaves": _leave_types_warning(
            selectors.leave_types_not_in_policy(run.instansi, run.policy_data)
        )
        if run.state not in services.LOCKED_STATES
        else "",
        "not_listed": selectors.not_in_list(run)
        if run.state in (Run.State.COMPUTED, Run.State.VERIFIED)
        else (0, []),
        # Locked: those recorded since (a hire, a transfer in) are paid by a correction.
        "unpaid_after_lock": selectors.not_in_list(run)
        if run.state in services.LOCKED_STATES
        else (0, []),
        "policy_now": services.policy_changed(run)
        if run.state in (Run.State.COMPUTED, Run.State.VERIFIED)
        else None,
        "predicates_now": selectors.predicates_changed(run)
        if run.state in (Run.State.COMPUTED, Run.State.VERIFIED)
        else (0, []),
        "withholdings": selectors.withholdings_of(run.instansi, period),
        "adjustments": [(a, _officer_name(a.created_by)) for a in selectors.adjustments_of(run)],
        # What the list pays beyond net − withheld + released + corrections: recoveries larger
        # than a row's pay (the row pays 0, never less), carried to a later month, except those of
        # someone with no post in the month, which TPP no longer recovers (left to BPKAD).
        "carried_total": run.total_payable
        - (run.total_net - run.total_withheld + run.total_released + run.total_adjustment)
        - not_recovered,
        "not_recovered_total": not_recovered,
        "can_recheck": locked and request.user.has_perm("tpp.manage_policy"),
        "rechecks": simulation.rechecks_of(run)
        if locked and request.user.has_perm("tpp.manage_policy")
        else [],
        "open_withholdings": selectors.withholdings_to_release_from(run),
        "can_compute": request.user.has_perm("tpp.compute"),
        "can_export": request.user.has_perm("tpp.export"),
        "locked": locked,
        "computed_by_me": services.first_hand_refusal(run, request.user),
        "kinds": EXPORT_KINDS,
        **(_documents_context(request, run) if request.user.has_perm("tpp.export") else {}),
        "withhold_form": form if form and form["name"] == "withhold" else {},
        "adjust_form": form if form and form["name"] == "adjust" else {},
    }
    return render(request, "tpp/run.html", ctx, status=400 if form else 200)


def _unit_recap(run: Run) -> dict:
    """The run page's "Rekap per unit": `unit_rows` (selectors.unit_totals). With several
    allowances also `allowance_recap`, the documents' own recap (`exports.allowance_recap`), and
    on each row `split`: [(header, amount)] of each allowance's ceiling, the combined ceiling,
    each allowance's gross and the combined gross, the figures BPKAD's documents print."""
    rows = selectors.unit_totals(run)
    recap = exports.allowance_recap(run)
    if recap is not None:
        by_unit = {s.unit.id if s.unit is not None else None: s.totals for s in recap.sections}
        for u in rows:
            # A unit missing there: the list was recomputed between the two reads.
            totals = by_unit.get(u["unit_id"], {})
            u["split"] = [(h, totals.get(key, exports.ZERO)) for h, key in recap.split_columns]
    return {"unit_rows": rows, "allowance_recap": recap}


def _form_refusal(request, name: str, fields: tuple[str, ...], exc: ValidationError) -> dict:
    """A refused withholding or correction for the run page: the form's name, what was typed, and
    the reasons by field (a reason about no field of the form, such as a locked month, under
    "form", shown above the form's button)."""
    errors: dict[str, list[str]] = {}
    for key, msgs in (
        exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    ).items():
        errors.setdefault(key if key in fields else "form", []).extend(msgs)
    return {
        "name": name,
        "values": {f: request.POST.get(f, "")[:255] for f in fields},
        "errors": errors,
    }


def _leave_types_warning(missing: list[tuple[str, str]], *, json_view: bool = False) -> str:
    """The run page's and the policy editor's warning about leave types a policy does not rule
    ("" for none). It says how to add them with the form; only the JSON view, where the officer
    types the keys, names the keys and where they go."""
    if not missing:
        return ""
    if json_view:
        names = ", ".join(f"{name} ({code})" for code, name in missing)
        how = 'tambahkan kodenya di dalam "leave_types".'
    else:
        names = ", ".join(name for _code, name in missing)
        how = (
            'tambahkan pada formulir kebijakan TPP, bagian "Jenis cuti dan izin", dengan pilihan '
            '"+ Tambah jenis cuti/izin".'
        )
    return (
        f"Jenis cuti/izin berikut tercatat di aplikasi tetapi tidak diatur dalam kebijakan: {names}. "
        "Hari dengan cuti jenis ini dihitung tanpa potongan, tanpa pengurangan target, dan TPP tetap "
        f"dibayar; {how}"
    )


def _officer_name(user) -> str:
    """Who did something to a run, as people know them: their employee name (with titles), or the
    account's username for an account without an employee record. Empty for nobody."""
    if user is None:
        return ""
    try:
        employee = user.employee
    except Employee.DoesNotExist:
        employee = None
    return employee.full_name if employee is not None else user.username


@login_required
@require_GET
def run_progress(request, pk: int):
    run = _run_or_404(request, pk)
    if request.headers.get("HX-Request") and not run.job_id and run.progress >= 100:
        # Done: reload the whole page so the figures appear.
        response = HttpResponse("")
        response["HX-Redirect"] = reverse("tpp:run", args=[run.pk])
        return response
    return render(request, "tpp/_progress.html", {"run": run})


#: The messages of a verify or lock that went through.
_CHECK_DONE = {
    "verify": "Daftar TPP diverifikasi dan dapat Anda kunci.",
    "lock": "Daftar TPP dikunci dan siap dibayarkan.",
}


def _check_outcome(request, run: Run, action: str) -> None:
    """The message of a finished verify or lock check: success, as the request used to say it (a
    refusal stays on the page: Run.check_error, shown by _check_progress.html)."""
    target = Run.State.VERIFIED if action == "verify" else Run.State.LOCKED
    if run.check_error or run.state != target:
        return
    if action == "verify" and (refusal := services.first_hand_refusal(run, request.user)):
        # Not "Kunci oleh akun BKPSDM lain", which read as "another account locked it".
        messages.success(request, f"Daftar TPP diverifikasi. {refusal}")
    else:
        messages.success(request, _CHECK_DONE[action])


def _start_check(request, run: Run, action: str, note: str = ""):
    """Verify or lock as a background job (tasks.run_check_task; inline without Redis, when the
    answer is there once the request returns): the input check gathers the month again, 6 s at
    20,000 employees, and the page shows its progress instead of a button busy for that long."""
    from .tasks import run_check_task

    try:
        job = services.run_check_start(actor=request.user, run=run, action=action)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("tpp:run", pk=run.pk)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("tpp:run", pk=run.pk)
    try:
        enqueue(run_check_task, run.pk, action, request.user.pk, job, note)
    except QueueUnavailable as exc:
        services.run_check_unqueued(run, job)
        messages.error(request, str(exc))
        return redirect("tpp:run", pk=run.pk)
    run.refresh_from_db()
    if run.check_job == job:
        messages.info(
            request,
            "Data kehadiran, cuti, aktivitas dan jabatan bulan ini sedang diperiksa ulang di latar "
            "belakang; halaman ini menampilkan kemajuannya.",
        )
    else:
        _check_outcome(request, run, action)
    return redirect("tpp:run", pk=run.pk)


@login_required
@require_GET
def run_check_progress(request, pk: int):
    """The verify or lock check's progress (htmx, every second); once it is over, the whole page
    again, with the success message for whoever waited on it (`?cek=verify|lock`)."""
    run = _run_or_404(request, pk)
    if request.headers.get("HX-Request") and not run.check_job:
        action = request.GET.get("cek")
        if action in _CHECK_DONE:
            _check_outcome(request, run, action)
        response = HttpResponse("")
        response["HX-Redirect"] = reverse("tpp:run", args=[run.pk])
        return response
    return render(request, "tpp/_check_progress.html", {"run": run})


@login_required
@require_POST
def run_verify(request, pk: int):
    run = _run_or_404(request, pk)
    _need(request, "tpp.compute")
    return _start_check(request, run, "verify", request.POST.get("note", ""))


#: The statement the officer ticks before locking (checked here, not only in the browser).
LOCK_CONFIRMATION = "Saya sudah memeriksa daftar ini; setelah dikunci daftar tidak dapat diubah."


@login_required
@require_POST
def run_lock(request, pk: int):
    run = _run_or_404(request, pk)
    _need(request, "tpp.compute")
    if request.POST.get("konfirmasi") != "1":
        messages.error(
            request,
            f'Centang pernyataan "{LOCK_CONFIRMATION}" sebelum mengunci daftar.',
        )
        return redirect("tpp:run", pk=run.pk)
    return _start_check(request, run, "lock")


def _name_or_nip(q: str) -> Q:
    """The lists' search: part of the name, or the start of the NIP typed with or without the
    separators of its printed form."""
    return Q(name__icontains=q) | Q(nip__startswith=nip_digits(q))


def _employee_by_nip(request, nip: str) -> Employee:
    found = scoped(Employee, request.user).filter(nip=nip_digits(nip.strip())).first()
    if found is None:
        raise ValidationError({"nip": f"Pegawai dengan NIP {nip} tidak ditemukan."})
    return found


@login_required
@require_POST
def withhold(request, pk: int):
    run = _run_or_404(request, pk)
    _need(request, "tpp.compute")
    try:
        employee = _employee_by_nip(request, request.POST.get("nip", ""))
        services.withholding_create(
            actor=request.user,
            employee=employee,
            period=Period.parse(run.period),
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request, f"TPP {employee.name} bulan {Period.parse(run.period).label} ditahan."
        )
    except ValidationError as exc:
        return _run_page(request, run, _form_refusal(request, "withhold", ("nip", "reason"), exc))
    return redirect("tpp:run", pk=run.pk)


@login_required
@require_POST
def release(request, pk: int, wid: int):
    run = _run_or_404(request, pk)
    _need(request, "tpp.compute")
    w = get_scoped_or_404(Withholding, request.user, pk=wid)
    try:
        target = Period.parse(run.period) if w.period != run.period else None
        w = services.withholding_release(
            actor=request.user, withholding=w, period=target, note=request.POST.get("note", "")
        )
        # Where it is paid: a held month not locked yet pays it in its own list, whichever
        # month's page the release was made from.
        messages.success(
            request,
            f"Penahanan TPP {w.employee.name} {Period.parse(w.period).label} dilepas; "
            f"dibayarkan pada daftar TPP {Period.parse(w.released_period).label}.",
        )
    except (ValidationError, ValueError) as exc:
        _errors(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
    return redirect("tpp:run", pk=run.pk)


#: More digits than this is no correction at all (services.ADJUSTMENT_MAX has 10).
ADJUSTMENT_DIGITS = 13


def _adjustment_amount(raw: str):
    """A correction's amount as typed (Rp notation, negative to recover), or a field error."""
    try:
        amount = parse_rupiah(raw)
    except ValueError as exc:
        raise ValidationError(
            {"amount": "Jumlah koreksi harus rupiah bulat, mis. 150.000 atau -150.000."}
        ) from exc
    if len(amount.as_tuple().digits) > ADJUSTMENT_DIGITS:
        # Not even echoed back: a pasted account number or a key held down, not an amount.
        raise ValidationError(
            {
                "amount": "Jumlah koreksi terlalu besar: paling banyak "
                f"{format_rupiah(services.ADJUSTMENT_MAX)} (positif atau negatif)."
            }
        )
    return amount


@login_required
@require_POST
def adjust(request, pk: int):
    run = _run_or_404(request, pk)
    _need(request, "tpp.compute")
    try:
        employee = _employee_by_nip(request, request.POST.get("nip", ""))
        amount = _adjustment_amount(request.POST.get("amount", ""))
        adj = services.adjustment_record(
            actor=request.user,
            employee=employee,
            source_period=Period.parse(run.period),
            amount=amount,
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request,
            f"Koreksi untuk {employee.name} dicatat dan "
            f"{'dibayarkan' if adj.amount > 0 else 'dipotong'} pada "
            f"{Period.parse(adj.target_period).label}.",
        )
    except ValidationError as exc:
        form = _form_refusal(request, "adjust", ("nip", "amount", "reason"), exc)
        if sum(c.isdigit() for c in form["values"]["amount"]) > ADJUSTMENT_DIGITS:
            form["values"]["amount"] = ""  # a pasted account number is not echoed back
        return _run_page(request, run, form)
    return redirect("tpp:run", pk=run.pk)


EXPORT_KINDS = {
    "nominatif-xlsx": ("Daftar nominatif (xlsx)", "xlsx"),
    "nominatif-pdf": ("Daftar nominatif (pdf)", "pdf"),
    "bank-csv": ("Transfer bank (csv)", "csv"),
    "rekap-xlsx": ("Rekap SP2D (xlsx)", "xlsx"),
    "rekap-pdf": ("Rekap SP2D (pdf)", "pdf"),
}
_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


@login_required
@require_POST
def download(request, pk: int, kind: str):
    """A payroll document of a locked run. POST (from the run page's buttons), not GET: producing it
    is recorded (audit, and the first one moves the run to exported), which a link prefetcher or a
    reload must not do."""
    run = _run_or_404(request, pk)
    _need(request, "tpp.export")
    if kind not in EXPORT_KINDS:
        raise Http404
    if run.state not in services.LOCKED_STATES:
        messages.error(request, "Dokumen pembayaran hanya tersedia setelah daftar dikunci.")
        return redirect("tpp:run", pk=run.pk)
    unit = None
    if request.POST.get("unit"):
        if id_param(request.POST["unit"]) is None:
            raise Http404("Unit tidak ditemukan.")
        unit = get_scoped_or_404(Unit, request.user, pk=request.POST["unit"])
    today = _today(request)
    doc, ext = kind.split("-")
    if documents.in_background(run, kind, unit):
        return _background_pdf(request, run, unit, today)
    if kind == "nominatif-xlsx":
        content = exports.nominatif_xlsx(run, unit)
    elif kind == "nominatif-pdf":
        content = exports.nominatif_pdf(run, unit, printed_on=today)
    elif kind == "bank-csv":
        content = exports.bank_csv(run, unit).encode("utf-8")
    elif kind == "rekap-xlsx":
        content = exports.recap_xlsx(run, unit)
    else:
        content = exports.recap_pdf(run, unit, printed_on=today)
    services.run_mark_exported(actor=request.user, run=run, what=f"{kind} {unit or ''}".strip())
    response = HttpResponse(content, content_type=_CONTENT_TYPES[ext])
    name = exports.filename(run, doc, unit, ext)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _background_pdf(request, run: Run, unit: Unit | None, today):
    """The nominatif pdf of many employees (documents.py): the kept file when it is ready (recorded
    as every download is), else its job started (inline without a broker: then the file is ready
    at once) and the run page showing its progress. `Document.claim` lets one of two requests
    pressing at once start the job; the other is told it is being prepared."""
    kept = documents.document(run, unit, today)
    if not kept.ready():
        if not kept.claim():  # another request queued it (or is doing so this very moment)
            if not kept.ready():  # (it may have just been made inline)
                messages.info(
                    request, "Daftar nominatif (pdf) masih disiapkan; tunggu sampai siap diunduh."
                )
                return redirect(f"{reverse('tpp:run', args=[run.pk])}#dokumen")
        elif (failed := _start_pdf_job(request, run, kept, today)) is not None:
            return failed
        if not kept.ready():
            messages.info(
                request,
                "Daftar nominatif (pdf) sedang disiapkan di latar belakang. Halaman ini menunjukkan "
                "kemajuannya; tombol unduh muncul bila sudah siap.",
            )
            return redirect(f"{reverse('tpp:run', args=[run.pk])}#dokumen")
    services.run_mark_exported(
        actor=request.user, run=run, what=f"nominatif-pdf {unit or ''}".strip()
    )
    response = FileResponse(kept.pdf.open("rb"), content_type=_CONTENT_TYPES["pdf"])
    name = exports.filename(run, "nominatif", unit, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _start_pdf_job(request, run: Run, kept, today):
    """Queues the claimed job (inline without a broker: the file is then ready); a broker that is
    down marks it failed and answers with the run page saying so."""
    from .tasks import nominatif_pdf_task

    try:
        enqueue(nominatif_pdf_task, run.pk, kept.unit_id, today.isoformat())
    except QueueUnavailable as exc:
        kept.write_status(documents.FAILED, error=str(exc))
        messages.error(request, str(exc))
        return redirect(f"{reverse('tpp:run', args=[run.pk])}#dokumen")
    return None


@login_required
@require_GET
def documents_progress(request, pk: int):
    """The run page's list of background documents of the day (htmx, every 2 s while one is being
    rendered)."""
    run = _run_or_404(request, pk)
    _need(request, "tpp.export")
    return render(request, "tpp/_documents.html", _documents_context(request, run))


def _documents_context(request, run: Run) -> dict:
    jobs = documents.of_run(run, _today(request)) if run.state in services.LOCKED_STATES else []
    waiting = [j for j in jobs if j["state"] in (documents.QUEUED, documents.RUNNING)]
    poll = ""
    if waiting:  # slower while only a stalled job waits for a worker to come back
        poll = "10s" if all(j.get("stalled") for j in waiting) else "2s"
    return {"run": run, "doc_jobs": jobs, "doc_poll": poll}


# ---------------------------------------------------------------- policies


@login_required
@require_GET
def policies(request):
    _need(request, "tpp.view_policy")
    rows = list(scoped(PolicyRow, request.user).order_by("-effective_from", "-id"))
    return render(
        request,
        "tpp/policies.html",
        {
            "policies": rows,
            # "Versi baru dari yang berlaku" copies the adopted version: with none yet it opened a
            # blank draft; a new Pemda starts from a template.
            "has_adopted": any(p.status == PolicyRow.Status.ADOPTED for p in rows),
            "templates": [(k, label) for k, (label, _f) in TEMPLATES.items()],
            "can_manage": request.user.has_perm("tpp.manage_policy"),
            "default_period": Period.of(_today(request)).previous(),
        },
    )


def _previous_version(policy: PolicyRow | None, instansi, effective_from=None) -> PolicyRow | None:
    """The adopted version in force just before this one (or the latest adopted for a new draft)."""
    qs = PolicyRow.objects.filter(instansi=instansi, status=PolicyRow.Status.ADOPTED)
    if policy is not None and policy.pk:
        qs = qs.exclude(pk=policy.pk)
    if effective_from is not None:
        before = qs.filter(effective_from__lte=effective_from).order_by("-effective_from").first()
        if before is not None:
            return before
    return qs.order_by("-effective_from").first()


def _diff_rows(old: dict | None, new_text: str) -> list[tuple[str, str, str]]:
    """Side-by-side lines (previous, current, change kind) of the two JSON texts."""
    left = json.dumps(old, indent=2, ensure_ascii=False).splitlines() if old else []
    right = new_text.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=left, b=right).get_opcodes():
        a, b = left[i1:i2], right[j1:j2]
        for k in range(max(len(a), len(b))):
            rows.append((a[k] if k < len(a) else "", b[k] if k < len(b) else "", tag))
    return rows


# The messages of Python's JSON parser (json.decoder, json.scanner), by their start, in Indonesian.
_JSON_MESSAGES = (
    (
        "Expecting property name enclosed in double quotes",
        'nama kunci harus diapit tanda kutip ganda, mis. "name" (periksa juga koma berlebih '
        'sebelum "}")',
    ),
    ("Expecting ':' delimiter", "kurang tanda titik dua (:) setelah nama kunci"),
    ("Expecting ',' delimiter", "kurang tanda koma (,) di antara dua unsur"),
    (
        "Expecting value",
        'nilai diharapkan di sini: angka, "teks", true, false, null, {…} atau […] (periksa juga '
        'koma berlebih sebelum "]")',
    ),
    ("Unterminated string", "teks tidak ditutup dengan tanda kutip ganda"),
    ("Extra data", "ada isi tambahan setelah akhir objek JSON"),
    (
        "Invalid control character",
        "teks memuat karakter kontrol (tab atau baris baru); tulis \\t atau \\n",
    ),
    ("Invalid \\escape", "urutan escape dengan garis miring terbalik (\\) tidak valid"),
    ("Invalid \\uXXXX escape", "urutan \\uXXXX tidak valid"),
)


def _json_problem(exc: json.JSONDecodeError) -> str:
    """A JSON syntax error for BKPSDM: where (line, column) and what, in Indonesian."""
    if not exc.doc.strip():
        return "Isi kebijakan kosong; tulis objek JSON kebijakan {…} atau mulai dari templat."
    reason = next(
        (text for start, text in _JSON_MESSAGES if exc.msg.startswith(start)),
        "penulisan JSON tidak sesuai aturan",
    )
    return f"JSON tidak valid pada baris {exc.lineno} kolom {exc.colno}: {reason}"


def _parse_policy_text(text: str) -> tuple[object, str | None]:
    """The editor's text read as JSON: (data, None), or (None, the Indonesian reason)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, _json_problem(exc)
    except RecursionError:
        return None, "JSON tidak valid: terlalu banyak tingkat kurung bersarang."
    except ValueError:  # an integer of thousands of digits (int max str digits)
        return None, "JSON tidak valid: ada angka yang terlalu panjang."


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(path, msg) for path, msgs in exc.message_dict.items() for msg in msgs]
    return [("", m) for m in exc.messages]


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk: int | None = None):
    """A policy version: the form of its figures (`policy_form`, the default view) or its JSON text
    ("lanjutan"), the previous version beside it, the problems at their fields."""
    _need(request, "tpp.view_policy")
    instansi = request.user.instansi
    policy = get_scoped_or_404(PolicyRow, request.user, pk=pk) if pk else None
    can_edit = request.user.has_perm("tpp.manage_policy") and (
        policy is None or policy.status == PolicyRow.Status.DRAFT
    )
    view = request.POST.get("tampilan") or request.GET.get("tampilan")
    if not view:  # a text posted without saying which view (a script, an older page): the JSON
        view = "json" if "data" in request.POST else "formulir"
    view = view if view in ("formulir", "json") else "formulir"
    problems: list[tuple[str, str]] = []
    form_errors: dict[str, str] = {}
    kept: dict = {}
    base: dict | None = None
    # The instansi's active leave types (code -> name): the form's labels and the types it may
    # add, and the warning about those the policy lacks; read once.
    leave_names = selectors.leave_type_names(instansi, active_only=True)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Kebijakan ini tidak dapat diubah.")
        if view == "formulir":
            text = request.POST.get("base", "")
            base, syntax = _parse_policy_text(text)
            data = None
            if syntax is not None or not isinstance(base, dict):
                problems, base = [("$", syntax or "Isian formulir tidak terbaca.")], None
            else:
                data, form_errors, kept = policy_form.apply(base, request.POST, leave_names)
        else:
            text = request.POST.get("data", "")
            data, syntax = _parse_policy_text(text)
            if syntax is not None:
                problems = [("$", syntax)]
        if data is not None and not problems and not form_errors:
            try:
                # The form's messages quote decimals as it shows them (0,75), the JSON view's as JSON.
                with decimal_comma() if view == "formulir" else contextlib.nullcontext():
                    policy = services.policy_save(
                        actor=request.user, instansi=instansi, data=data, policy=policy
                    )
                messages.success(request, "Draf kebijakan disimpan.")
                return redirect("tpp:policy", pk=policy.pk)
            except ValidationError as exc:
                problems = _problems(exc)
    else:
        key = request.GET.get("templat")
        if policy is not None:
            text = json.dumps(policy.data, indent=2, ensure_ascii=False)
        elif key in TEMPLATES:
            # From next month's first day: a month takes the policy in force on its 1st, and the
            # 1 January of this year usually clashes with the version already in force.
            start = Period.of(_today(request)).next().first_day
            text = json.dumps(TEMPLATES[key][1](start.isoformat()), indent=2, ensure_ascii=False)
        else:
            latest = _previous_version(None, instansi)
            base = latest.data if latest else TEMPLATES["national"][1]()
            text = json.dumps(base, indent=2, ensure_ascii=False)
    effective = None
    parsed = None
    try:
        parsed = _parse_policy_text(text)[0]
        effective = parsed.get("effective_from")
        effective = Period.parse(effective[:7]).first_day if effective else None
    except (ValueError, AttributeError, TypeError):
        effective = None
    previous = _previous_version(policy, instansi, effective)
    # Drafts may be prepared early, so a clash with an adopted version is a warning, not an error.
    clash = services.adopted_clash(policy) if policy is not None and not problems else None
    warnings = [services.clash_message(clash)] if clash is not None else []
    missing = selectors.leave_types_not_in_policy(instansi, parsed, leave_names)
    if missing:
        warnings.append(_leave_types_warning(missing, json_view=view == "json"))
    warnings += band_gap_warnings(parsed)
    sections, listed = (
        [],
        [(policy_form.describe(p) if p.startswith("$") else "", p, r) for p, r in problems],
    )
    if view == "formulir" and isinstance(parsed, dict):
        sections = policy_form.sections(parsed, leave_names)
        if request.method == "POST" and base is not None:
            policy_form.fill(sections, request.POST)
        listed = policy_form.place(sections, problems, form_errors, kept)
        policy_form.mark_previous(sections, previous.data if previous else None)
    elif view == "formulir":
        view = "json"  # a text that is no policy document: only the JSON view can show it
    return render(
        request,
        "tpp/policy_edit.html",
        {
            "policy": policy,
            "text": text,
            "view": view,
            "sections": sections,
            "problems": listed,
            "form_problem_count": len(form_errors) + len(problems),
            "warnings": warnings,
            "previous": previous,
            "diff": _diff_rows(previous.data if previous else None, text),
            "can_edit": can_edit,
            "can_manage": request.user.has_perm("tpp.manage_policy"),
            "templates": [(k, label) for k, (label, _f) in TEMPLATES.items()],
            **_simulation_choices(request, policy),
        },
        status=400 if problems or form_errors else 200,
    )


@login_required
@require_POST
def policy_adopt(request, pk: int):
    _need(request, "tpp.manage_policy")
    policy = get_scoped_or_404(PolicyRow, request.user, pk=pk)
    clash = services.adopted_clash(policy)
    if clash is not None:  # the service refuses it too
        # The draft's page, where this leads, warns of the clash with the date in words and the
        # other version's name: said once there, not twice.
        messages.error(
            request,
            "Draf ini tidak ditetapkan: kebijakan lain sudah berlaku mulai tanggal yang sama "
            "(lihat peringatan di bawah).",
        )
        return redirect("tpp:policy", pk=policy.pk)
    try:
        services.policy_adopt(actor=request.user, policy=policy)
        messages.success(request, f"Kebijakan berlaku mulai {tanggal(policy.effective_from)}.")
        for note in selectors.adoption_notes(policy):
            messages.warning(request, note)
    except ValidationError as exc:
        # A draft saved before a rule was added may no longer read: name the JSON path too.
        for path, reason in _problems(exc):
            messages.error(request, f"{path}: {reason}" if path.startswith("$") else reason)
    return redirect("tpp:policy", pk=policy.pk)


@login_required
@require_POST
def policy_retire(request, pk: int):
    _need(request, "tpp.manage_policy")
    policy = get_scoped_or_404(PolicyRow, request.user, pk=pk)
    try:
        services.policy_retire(
            actor=request.user, policy=policy, reason=request.POST.get("reason", "")
        )
        messages.success(request, "Kebijakan dicabut.")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("tpp:policy", pk=policy.pk)


# ---------------------------------------------------------------- simulating a draft


def _past_months(today, back: int = 12) -> list[Period]:
    """The months before the current one, latest first (what a simulation may be run on)."""
    return _month_options(today, back + 1)[1:]


def _simulation_choices(request, policy: PolicyRow | None) -> dict:
    """The policy page's simulation form (drafts, BKPSDM) and the draft's latest simulations."""
    if policy is None or not request.user.has_perm("tpp.manage_policy"):
        return {"can_simulate": False}
    today = _today(request)
    months, default = _past_months(today), Period.of(today).previous()
    # ?periode=YYYY-MM preselects an earlier month (also one older than the list).
    wanted = _period(request, default)
    if wanted < Period.of(today):
        default = wanted
        if wanted not in months:
            months = sorted([*months, wanted], reverse=True)
    return {
        "can_simulate": policy.status == PolicyRow.Status.DRAFT,
        "sim_months": months,
        "sim_default": default,
        "simulations": simulation.recent_simulations(policy),
    }


@login_required
@require_POST
def policy_simulate(request, pk: int):
    """Start simulating a draft on a past month (default: the month before the instansi's today)."""
    _need(request, "tpp.manage_policy")
    policy = get_scoped_or_404(PolicyRow, request.user, pk=pk)
    today = _today(request)
    back = request.POST.get("next") == "list"
    fail = redirect("tpp:policies") if back else redirect("tpp:policy", pk=policy.pk)
    raw = (request.POST.get("periode") or "").strip()
    try:
        period = Period.parse(raw) if raw else Period.of(today).previous()
    except ValueError as exc:
        messages.error(request, f"Bulan simulasi: {exc}")
        return fail
    baseline = request.POST.get("pembanding") or Simulation.Baseline.AUTO
    try:
        sim = simulation.simulation_start(
            actor=request.user, policy=policy, period=period, baseline=baseline
        )
    except ValidationError as exc:
        _errors(request, exc)
        return fail
    return _queue_simulation(request, sim)


def _queue_simulation(request, sim: Simulation):
    """Queue a recorded simulation or recheck (inline without Redis) and show its page; one that
    cannot be queued is marked failed with the reason, and only one on its way replaces the
    earlier ones of the same draft (or list) and month."""
    from .tasks import simulate_policy_task

    try:
        enqueue(simulate_policy_task, sim.pk)
    except QueueUnavailable as exc:
        simulation.simulation_failed(sim, str(exc))
        messages.error(request, str(exc))
    else:
        simulation.simulation_replace_earlier(sim)
    return redirect("tpp:simulation", pk=sim.pk)


@login_required
@require_POST
def run_recheck(request, pk: int):
    """Start the recheck of a locked list: its month computed again with its own policy and
    today's data beside what it paid (simulation.recheck_start), on the simulation page."""
    run = _run_or_404(request, pk)
    _need(request, "tpp.manage_policy")
    try:
        sim = simulation.recheck_start(actor=request.user, run=run)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("tpp:run", pk=run.pk)
    return _queue_simulation(request, sim)


@login_required
@require_POST
def simulation_correct(request, pk: int):
    """Record, from a recheck's row, the correction of the locked month for one employee
    (services.adjustment_record: paid or recovered in the first unlocked month), then back to the
    same page of the recheck."""
    sim = _simulation_or_404(request, pk)
    if sim.kind != Simulation.Kind.RECHECK:
        raise Http404("Koreksi hanya dari pemeriksaan selisih sejak dikunci.")
    _need(request, "tpp.compute")
    query = {k: request.POST[k] for k in ("q", "unit", "berubah", "hal") if request.POST.get(k)}
    back = reverse("tpp:simulation", args=[sim.pk]) + (f"?{urlencode(query)}" if query else "")
    try:
        employee = _employee_by_nip(request, request.POST.get("nip", ""))
        amount = _adjustment_amount(request.POST.get("amount", ""))
        adj = services.adjustment_record(
            actor=request.user,
            employee=employee,
            source_period=Period.parse(sim.period),
            amount=amount,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            f"Koreksi {format_rupiah(adj.amount)} untuk {employee.name} dicatat dan "
            f"{'dibayarkan' if adj.amount > 0 else 'dipotong'} pada "
            f"{Period.parse(adj.target_period).label}.",
        )
    return redirect(back + "#pegawai")


def _simulation_or_404(request, pk: int) -> Simulation:
    _need(request, "tpp.manage_policy")
    return get_scoped_or_404(
        Simulation.objects.select_related("policy", "created_by", "instansi", "run__unit"),
        request.user,
        pk=pk,
    )


def _simulation_filters(request) -> dict:
    unit = request.GET.get("unit") or ""
    return {
        # A NIP typed as printed ("19761125 200510 2 008") is searched as stored.
        "q": nip_digits((request.GET.get("q") or "").strip()[:60]),
        "unit_id": id_param(unit),
        # The "Tanpa unit" row of the per-unit table: the employees with no paying unit only.
        "no_unit": unit == NO_UNIT,
        "changed": request.GET.get("berubah") == "1",
    }


@login_required
@require_GET
def simulation_detail(request, pk: int):
    sim = _simulation_or_404(request, pk)
    period = Period.parse(sim.period)
    filters = _simulation_filters(request)
    recheck = sim.kind == Simulation.Kind.RECHECK
    ctx = {
        "sim": sim,
        "period": period,
        "recheck": recheck,
        "stale": not recheck
        and (
            sim.policy.status != PolicyRow.Status.DRAFT
            or sim.policy_digest != simulation.policy_digest(sim.policy)
        ),
        "filters": filters,
        "finished_local": (
            sim.finished_at.astimezone(zoneinfo.ZoneInfo(sim.instansi.timezone))
            if sim.finished_at
            else None
        ),
        "sim_months": _past_months(_today(request)),
        "can_simulate": not recheck and sim.policy.status == PolicyRow.Status.DRAFT,
        "can_correct": recheck and request.user.has_perm("tpp.compute"),
        # Nobody records a correction of their own TPP (services._refuse_own): no form on their row.
        "me_id": getattr(employee_for_user(request.user), "pk", None),
    }
    if sim.status == Simulation.Status.DONE:
        rows = simulation.simulation_rows(
            sim,
            unit_id=filters["unit_id"],
            changed=filters["changed"],
            q=filters["q"],
            no_unit=filters["no_unit"],
        )
        page = Paginator(rows, 50).get_page(request.GET.get("hal"))
        for r in page:
            r.items = simulation.change_items(r.changes)
        if recheck:
            simulation.recheck_rows(sim, page.object_list)
        query = {k: v for k, v in request.GET.items() if k in {"q", "unit", "berubah"} and v}
        ctx.update(
            {
                "page": page,
                "units": simulation.simulation_units(sim),
                "query": urlencode(query),
            }
        )
    return render(request, "tpp/simulation.html", ctx)


@login_required
@require_GET
def simulation_progress(request, pk: int):
    sim = _simulation_or_404(request, pk)
    busy = sim.status in (Simulation.Status.QUEUED, Simulation.Status.RUNNING)
    if request.headers.get("HX-Request") and not busy:
        response = HttpResponse("")
        response["HX-Redirect"] = reverse("tpp:simulation", args=[sim.pk])
        return response
    return render(request, "tpp/_simulation_progress.html", {"sim": sim})


@login_required
@require_GET
def simulation_download(request, pk: int):
    sim = _simulation_or_404(request, pk)
    if sim.status != Simulation.Status.DONE:
        messages.error(request, "Simulasi belum selesai.")
        return redirect("tpp:simulation", pk=sim.pk)
    filters = _simulation_filters(request)
    rows = simulation.simulation_rows(
        sim,
        unit_id=filters["unit_id"],
        changed=filters["changed"],
        q=filters["q"],
        no_unit=filters["no_unit"],
    )
    response = HttpResponse(
        simulation.simulation_xlsx(sim, rows), content_type=_CONTENT_TYPES["xlsx"]
    )
    # A recheck's file is named as its page ("Selisih TPP ... sejak dikunci"), not as a simulation.
    kind = "Selisih-TPP-sejak-dikunci" if sim.kind == Simulation.Kind.RECHECK else "Simulasi-TPP"
    name = f"{kind}-{sim.period}-{sim.instansi.code}-{sim.pk}.xlsx".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
