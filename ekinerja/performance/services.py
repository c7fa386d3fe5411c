"""Writes of the performance app: SKP drafting and agreement, realisation reports with evidence,
ratings, settings and month locks. Each validates, runs in one transaction and audits what touches
pay (agreement, ratings, locks, settings).

Rules and sources:
- PermenPANRB 6/2022: the SKP is drafted by the employee and agreed by the direct superior (pejabat
  penilai kinerja); every result of a subordinate supports ("mengintervensi") a result of the
  superior's SKP of the same year (cascading); the superior rates results and behaviour against
  expectation, and the pair gives the predicate (predicate.py).
- The instansi's settings (PerformanceSettings): evaluation period length and rating deadline. A
  rating after the deadline or in a month BKPSDM has locked is refused, so an unrated employee stays
  "not rated" and the TPP policy's not-rated value applies.
- Month locks are never deleted: BKPSDM may lift one with a reason (period_reopen), which may also
  reopen rating until a later day; locking again makes a new lock row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from ekinerja.core.audit import audit_record, audit_records, snapshot
from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import Period, tanggal
from ekinerja.org.models import Employee, Role
from ekinerja.org.selectors import (
    definitif_assignment,
    direct_superior,
    employee_for_user,
    hierarchy,
    user_roles,
)

from . import evidence as evidence_rules
from . import selectors
from .evalperiods import EvalPeriod
from .models import (
    CoreValue,
    PerformancePeriodLock,
    PerformanceSettings,
    SkpBehaviour,
    SkpEvaluation,
    SkpEvidence,
    SkpIndicator,
    SkpPlan,
    SkpRealisation,
    SkpResult,
)
from .predicate import Rating, predicate

S = SkpPlan.Status

# The plan state machine: (from, to) -> who makes the move.
PLAN_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "pegawai",
    (S.RETURNED, S.SUBMITTED): "pegawai",
    (S.SUBMITTED, S.AGREED): "atasan",
    (S.SUBMITTED, S.RETURNED): "atasan",
    (S.AGREED, S.SUPERSEDED): "sistem",
}


def _transition(plan: SkpPlan, to: str) -> None:
    if (plan.status, to) not in PLAN_TRANSITIONS:
        raise ValidationError(
            f"SKP berstatus {plan.get_status_display()} tidak dapat diubah menjadi {S(to).label}."
        )
    plan.status = to


def _today(instansi: Instansi | int) -> dt.date:
    if isinstance(instansi, int):
        instansi = Instansi.objects.get(pk=instansi)
    return local_today(instansi)


def _is_owner(actor: User, employee: Employee) -> bool:
    return actor is not None and employee.user_id is not None and employee.user_id == actor.pk


def _require_owner(actor: User, plan: SkpPlan) -> None:
    if not _is_owner(actor, plan.employee):
        raise ValidationError("Hanya pegawai pemilik SKP yang dapat mengubahnya.")


def _require_editable(actor: User, plan: SkpPlan) -> None:
    _require_owner(actor, plan)
    if not plan.is_editable:
        raise ValidationError(
            f"SKP berstatus {plan.get_status_display()} tidak dapat diubah; "
            "ajukan perubahan (versi baru) bila SKP sudah disetujui."
        )


def _is_bkpsdm(actor: User, instansi_id: int) -> bool:
    return (
        actor is not None and actor.instansi_id == instansi_id and Role.BKPSDM in user_roles(actor)
    )


def _snapshot_positions(plan: SkpPlan, appraiser: Employee | None, on: dt.date) -> None:
    mine = definitif_assignment(plan.employee, on=on)
    plan.employee_position = mine.position.name if mine else ""
    plan.employee_unit = mine.position.unit.name if mine else ""
    plan.appraiser = appraiser
    theirs = definitif_assignment(appraiser, on=on) if appraiser else None
    plan.appraiser_position = theirs.position.name if theirs else ""
    plan.appraiser_unit = theirs.position.unit.name if theirs else ""


# ---------------------------------------------------------------- settings and locks


def _may_edit_settings(actor: User, instansi_id: int) -> bool:
    """BKPSDM of the same instansi: the evaluation period and rating deadline decide when a
    month's predicate (and so its TPP) stands. Not Kominfo, who runs the system (it sees them)."""
    return (
        actor is not None
        and actor.instansi_id == instansi_id
        and Role.BKPSDM in set(user_roles(actor))
    )


@transaction.atomic
def settings_save(*, actor: User, settings_obj: PerformanceSettings) -> PerformanceSettings:
    """BKPSDM sets the evaluation period (1, 3, 6 or 12 months) and the rating deadline day."""
    if not _may_edit_settings(actor, settings_obj.instansi_id):
        raise ValidationError("Hanya BKPSDM yang dapat mengubah pengaturan kinerja.")
    old = PerformanceSettings.objects.filter(instansi_id=settings_obj.instansi_id).first()
    if old is not None:
        settings_obj.pk = old.pk
        settings_obj._state.adding = False
    settings_obj.full_clean()
    settings_obj.save()
    audit_record(
        action="performance.settings.save",
        actor=actor,
        instansi=settings_obj.instansi,
        obj=settings_obj,
        before=snapshot(old) if old else None,
        after=snapshot(settings_obj),
    )
    return settings_obj


@transaction.atomic
def period_lock(*, actor: User, instansi: Instansi, month: Period) -> PerformancePeriodLock:
    """BKPSDM locks a month: from then on no rating or realisation of a period touching it changes.
    A month reopened earlier may be locked again (a new lock row; the lifted one stays)."""
    if not _is_bkpsdm(actor, instansi.pk):
        raise ValidationError("Hanya BKPSDM yang dapat mengunci periode penilaian.")
    in_force = PerformancePeriodLock.objects.filter(
        instansi=instansi, year=month.year, month=month.month, lifted_at__isnull=True
    )
    if in_force.exists():
        raise ValidationError(f"Periode {month.label} sudah dikunci.")
    try:
        with transaction.atomic():
            lock = PerformancePeriodLock.objects.create(
                instansi=instansi, year=month.year, month=month.month, locked_by=actor
            )
    except IntegrityError as exc:  # a concurrent lock of the same month won
        raise ValidationError(f"Periode {month.label} sudah dikunci.") from exc
    audit_record(
        action="performance.period.lock",
        actor=actor,
        instansi=instansi,
        obj=lock,
        after={"period": str(month), **snapshot(lock)},
    )
    return lock


REOPEN_REASON_MIN_CHARS = 20
REOPEN_MAX_DAYS = 31


@transaction.atomic
def period_reopen(
    *, actor: User, lock: PerformancePeriodLock, reason: str, until: dt.date | None
) -> PerformancePeriodLock:
    """BKPSDM lifts a month lock ("buka kembali periode"), e.g. after a rating was entered for the
    wrong subordinate or a court decision. The lock row is kept and marked lifted with who, when, why
    and until when ratings of the period are accepted again (`until`: today at the earliest, at most
    REOPEN_MAX_DAYS days ahead; it may extend a rating deadline that has passed). Audited with the
    row before and after and the reason. Nothing else is recomputed: TPP runs already locked for
    months of the period stay as they are (corrections go through the TPP adjustment flow)."""
    reason = (reason or "").strip()
    today = _today(lock.instansi_id)
    errors: dict[str, list[str]] = {}
    if len(reason) < REOPEN_REASON_MIN_CHARS:
        errors["reason"] = [
            "Tuliskan alasan membuka kembali periode, sedikitnya "
            f"{REOPEN_REASON_MIN_CHARS} karakter."
        ]
    if until is None:
        errors["until"] = ["Isi tanggal terakhir penilaian dapat dilakukan."]
    elif until < today:
        errors["until"] = ["Tanggal tidak boleh sebelum hari ini."]
    elif (until - today).days > REOPEN_MAX_DAYS:
        errors["until"] = [f"Paling lama {REOPEN_MAX_DAYS} hari dari hari ini."]
    if not _is_bkpsdm(actor, lock.instansi_id):
        raise ValidationError("Hanya BKPSDM yang dapat membuka kembali periode penilaian.")
    if errors:
        raise ValidationError(errors)
    lock = PerformancePeriodLock.objects.select_for_update().get(pk=lock.pk)
    if not lock.in_force:
        raise ValidationError(f"Kunci periode {lock.month_period.label} sudah dibuka sebelumnya.")
    before = snapshot(lock)
    lock.lifted_at = timezone.now()
    lock.lifted_by = actor
    lock.lift_reason = reason
    lock.reopened_until = until
    lock.save()
    audit_record(
        action="performance.period.reopen",
        actor=actor,
        instansi=lock.instansi,
        obj=lock,
        before=before,
        after=snapshot(lock),
        reason=reason,
    )
    return lock


# ---------------------------------------------------------------- plan drafting


@transaction.atomic
def plan_create(*, actor: User, employee: Employee, year: int) -> SkpPlan:
    """The employee starts the SKP of a year: version 1, a draft with the seven BerAKHLAK values."""
    if not _is_owner(actor, employee):
        raise ValidationError("Hanya pegawai yang bersangkutan yang dapat menyusun SKP-nya.")
    today = _today(employee.instansi_id)
    if not today.year - 1 <= year <= today.year + 1:
        raise ValidationError({"year": "Tahun SKP harus tahun lalu, tahun ini atau tahun depan."})
    if SkpPlan.objects.filter(employee=employee, year=year).exists():
        raise ValidationError({"year": f"SKP tahun {year} sudah ada; ubah yang ada."})
    plan = SkpPlan.objects.create(instansi_id=employee.instansi_id, employee=employee, year=year)
    SkpBehaviour.objects.bulk_create(
        [SkpBehaviour(instansi_id=plan.instansi_id, plan=plan, value=v) for v in CoreValue]
    )
    audit_record(
        action="performance.plan.create",
        actor=actor,
        instansi=employee.instansi,
        obj=plan,
        after=snapshot(plan),
    )
    return plan


def _check_cascade(plan: SkpPlan, parent: SkpResult | None, superior: Employee | None) -> None:
    """A result may support only a result of the employee's direct superior's plan of the same year
    (a version not superseded)."""
    if parent is None:
        return
    if superior is None:
        raise ValidationError(
            {
                "parent_result": "Anda tidak memiliki atasan langsung; hasil kerja tidak dapat "
                "dikaitkan dengan hasil kerja pegawai lain."
            }
        )
    parent_plan = parent.plan
    if (
        parent_plan.employee_id != superior.pk
        or parent_plan.year != plan.year
        or parent_plan.status == S.SUPERSEDED
        or parent.instansi_id != plan.instansi_id
    ):
        raise ValidationError(
            {
                "parent_result": f"Hasil kerja yang diintervensi harus hasil kerja atasan langsung "
                f"Anda ({superior.full_name}) pada SKP tahun {plan.year}."
            }
        )


def _superior_for_plan(plan: SkpPlan) -> Employee | None:
    return direct_superior(
        plan.employee,
        on=selectors.plan_reference_date(plan.year, _today(plan.instansi_id)),
    )


@transaction.atomic
def result_save(
    *,
    actor: User,
    result: SkpResult,
    indicators: list[SkpIndicator],
    delete_indicators: list[SkpIndicator] | tuple = (),
) -> SkpResult:
    """Create or update a result of a draft (or returned) plan with its indicators.

    The result must support a result of the direct superior's plan of the same year (cascading);
    at least one indicator remains; targets: quantity > 0 with a unit, quality 0-100%, time 1-12
    months."""
    plan = result.plan
    _require_editable(actor, plan)
    if result.pk and not SkpResult.objects.filter(pk=result.pk, plan=plan).exists():
        raise ValidationError("Hasil kerja ini bukan bagian dari SKP tersebut.")
    result.instansi_id = plan.instansi_id
    if not (result.text or "").strip():
        raise ValidationError({"text": "Rencana hasil kerja wajib diisi."})
    _check_cascade(plan, result.parent_result, _superior_for_plan(plan))
    delete_ids = {i.pk for i in delete_indicators if i.pk}
    kept = [i for i in indicators if not i.pk or i.pk not in delete_ids]
    if not kept:
        raise ValidationError("Setiap hasil kerja membutuhkan sedikitnya satu indikator kinerja.")
    if result.pk is None:
        result.order = (plan.results.aggregate(m=Max("order"))["m"] or 0) + 1
    result.full_clean(exclude=["parent_result", "copied_from"])
    result.save()
    if delete_ids:
        if SkpRealisation.objects.filter(indicator_id__in=delete_ids).exists():
            raise ValidationError("Indikator yang sudah memiliki realisasi tidak dapat dihapus.")
        SkpIndicator.objects.filter(pk__in=delete_ids, result=result).delete()
    for n, ind in enumerate(kept, start=1):
        if ind.pk and not SkpIndicator.objects.filter(pk=ind.pk, result=result).exists():
            raise ValidationError("Indikator ini bukan bagian dari hasil kerja tersebut.")
        ind.result = result
        ind.instansi_id = plan.instansi_id
        ind.order = n
        ind.full_clean()
        ind.save()
    return result


@transaction.atomic
def result_delete(*, actor: User, result: SkpResult) -> None:
    _require_editable(actor, result.plan)
    if result.supporting_results.exists():
        raise ValidationError(
            "Hasil kerja ini sudah menjadi acuan hasil kerja bawahan; tidak dapat dihapus."
        )
    try:
        result.delete()
    except ProtectedError as exc:
        raise ValidationError("Hasil kerja ini sudah dipakai; tidak dapat dihapus.") from exc


@transaction.atomic
def behaviours_save(*, actor: User, plan: SkpPlan, expectations: dict[str, str]) -> None:
    """The specific expectations (ekspektasi khusus pimpinan) per core value: written by the
    employee while drafting, or by the direct superior while the plan awaits agreement."""
    owner_may = _is_owner(actor, plan.employee) and plan.is_editable
    superior = _superior_for_plan(plan)
    me = employee_for_user(actor)
    superior_may = (
        plan.status == S.SUBMITTED and me is not None and superior is not None and me == superior
    )
    if not (owner_may or superior_may):
        raise ValidationError("Anda tidak dapat mengubah perilaku kerja SKP ini sekarang.")
    unknown = set(expectations) - set(CoreValue.values)
    if unknown:
        raise ValidationError(f"Perilaku kerja tidak dikenal: {', '.join(sorted(unknown))}.")
    rows = {b.value: b for b in plan.behaviours.all()}
    changed = []
    for value, text in expectations.items():
        text = (text or "").strip()
        if len(text) > 1000:
            raise ValidationError(
                {value: "Ekspektasi terlalu panjang (paling banyak 1.000 karakter)."}
            )
        row = rows.get(value) or SkpBehaviour(instansi_id=plan.instansi_id, plan=plan, value=value)
        if row.pk is None or row.expectation != text:
            row.expectation = text
            changed.append(row)
    for row in changed:
        row.save()


# ---------------------------------------------------------------- submit, agree, return, revise


@transaction.atomic
def plan_submit(*, actor: User, plan: SkpPlan) -> SkpPlan:
    """The employee submits the draft to the direct superior. Every result needs an indicator and,
    when the employee has a direct superior, must support one of the superior's results."""
    _require_owner(actor, plan)
    results = list(
        plan.results.select_related("parent_result__plan").prefetch_related("indicators")
    )
    if not results:
        raise ValidationError("Tambahkan sedikitnya satu rencana hasil kerja sebelum mengajukan.")
    superior = _superior_for_plan(plan)
    errors = []
    for n, r in enumerate(results, start=1):
        if not r.indicators.all():
            errors.append(f"Hasil kerja {n} belum memiliki indikator.")
        if superior is not None and r.parent_result is None:
            errors.append(f"Hasil kerja {n} belum dikaitkan dengan hasil kerja atasan.")
        else:
            try:
                _check_cascade(plan, r.parent_result, superior)
            except ValidationError:
                errors.append(
                    f"Hasil kerja {n} mengintervensi hasil kerja yang bukan milik atasan langsung "
                    "Anda saat ini; pilih ulang."
                )
    if errors:
        raise ValidationError(errors)
    before = snapshot(plan)
    _transition(plan, S.SUBMITTED)
    today = _today(plan.instansi_id)
    _snapshot_positions(plan, superior, selectors.plan_reference_date(plan.year, today))
    plan.submitted_at = timezone.now()
    plan.return_note = ""
    plan.save()
    audit_record(
        action="performance.plan.submit",
        actor=actor,
        instansi=plan.instansi,
        obj=plan,
        before=before,
        after=snapshot(plan),
    )
    return plan


OWN_PLAN_DECISION = (
    "Anda tidak dapat menyetujui, mengembalikan, atau menilai SKP Anda sendiri; "
    "keputusan itu diambil oleh pejabat lain."
)


def _require_appraiser(actor: User, plan: SkpPlan) -> Employee | None:
    """The acting user must be the plan owner's direct superior on the plan's reference date; for an
    employee without a superior in the system, BKPSDM acts for the head of region. Nobody decides
    on their own plan: a BKPSDM officer without a superior (the Kepala BKPSDM, or an officer holding
    no post) has it agreed or returned by another BKPSDM officer."""
    me = employee_for_user(actor)
    if _is_owner(actor, plan.employee):
        raise ValidationError(OWN_PLAN_DECISION)
    superior = _superior_for_plan(plan)
    if superior is not None:
        if me is None or me.pk != superior.pk:
            raise ValidationError(
                "Hanya atasan langsung pegawai yang dapat menyetujui atau mengembalikan SKP ini."
            )
        return superior
    if not _is_bkpsdm(actor, plan.instansi_id):
        raise ValidationError(
            "Pegawai ini tidak memiliki atasan langsung; hanya BKPSDM yang dapat memprosesnya."
        )
    return None


@transaction.atomic
def plan_agree(*, actor: User, plan: SkpPlan) -> SkpPlan:
    """The direct superior agrees the submitted plan. Version 1 governs the whole year; a later
    version governs from the first day of the month after agreement (the running period keeps the
    version it started with) and the version it replaces becomes superseded."""
    plan = SkpPlan.objects.select_for_update().select_related("employee").get(pk=plan.pk)
    superior = _require_appraiser(actor, plan)
    before = snapshot(plan)
    _transition(plan, S.AGREED)
    today = _today(plan.instansi_id)
    if plan.version == 1:
        effective = dt.date(plan.year, 1, 1)
    else:
        nxt = Period.of(today).next().first_day
        effective = min(max(nxt, dt.date(plan.year, 1, 1)), dt.date(plan.year, 12, 31))
    for old in SkpPlan.objects.select_for_update().filter(
        employee=plan.employee, year=plan.year, status=S.AGREED
    ):
        old_before = snapshot(old)
        _transition(old, S.SUPERSEDED)
        old.save(update_fields=["status"])
        audit_record(
            action="performance.plan.supersede",
            actor=actor,
            instansi=plan.instansi,
            obj=old,
            before=old_before,
            after=snapshot(old),
        )
    _snapshot_positions(plan, superior, selectors.plan_reference_date(plan.year, today))
    plan.agreed_at = timezone.now()
    plan.agreed_by = actor
    plan.effective_from = effective
    plan.save()
    audit_record(
        action="performance.plan.agree",
        actor=actor,
        instansi=plan.instansi,
        obj=plan,
        before=before,
        after=snapshot(plan),
    )
    return plan


@transaction.atomic
def plan_return(*, actor: User, plan: SkpPlan, note: str) -> SkpPlan:
    """The direct superior returns the submitted plan for correction, saying why."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": "Tuliskan alasan pengembalian agar pegawai dapat memperbaiki."}
        )
    plan = SkpPlan.objects.select_for_update().select_related("employee").get(pk=plan.pk)
    _require_appraiser(actor, plan)
    before = snapshot(plan)
    _transition(plan, S.RETURNED)
    plan.return_note = note
    plan.save()
    audit_record(
        action="performance.plan.return",
        actor=actor,
        instansi=plan.instansi,
        obj=plan,
        before=before,
        after=snapshot(plan),
        reason=note,
    )
    return plan


@transaction.atomic
def plan_revise(*, actor: User, plan: SkpPlan, reason: str) -> SkpPlan:
    """A change to an agreed plan: a new draft version copying results, indicators and behaviours.
    The agreed version stays in force until the new one is agreed, and is kept afterwards."""
    _require_owner(actor, plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tuliskan alasan perubahan SKP."})
    if plan.status != S.AGREED:
        raise ValidationError("Hanya SKP yang sudah disetujui yang dapat diubah dengan versi baru.")
    if SkpPlan.objects.filter(
        employee=plan.employee, year=plan.year, status__in=SkpPlan.OPEN_STATUSES
    ).exists():
        raise ValidationError("Sudah ada versi baru yang belum disetujui; lanjutkan versi itu.")
    version = (
        SkpPlan.objects.filter(employee=plan.employee, year=plan.year).aggregate(m=Max("version"))[
            "m"
        ]
        + 1
    )
    new = SkpPlan.objects.create(
        instansi_id=plan.instansi_id,
        employee=plan.employee,
        year=plan.year,
        version=version,
        previous=plan,
        revision_reason=reason,
    )
    for r in plan.results.prefetch_related("indicators"):
        copy = SkpResult.objects.create(
            instansi_id=plan.instansi_id,
            plan=new,
            order=r.order,
            text=r.text,
            parent_result=r.parent_result,
            copied_from=r,
        )
        SkpIndicator.objects.bulk_create(
            [
                SkpIndicator(
                    instansi_id=plan.instansi_id,
                    result=copy,
                    order=i.order,
                    text=i.text,
                    target_quantity=i.target_quantity,
                    target_unit=i.target_unit,
                    target_quality=i.target_quality,
                    target_months=i.target_months,
                )
                for i in r.indicators.all()
            ]
        )
    SkpBehaviour.objects.bulk_create(
        [
            SkpBehaviour(
                instansi_id=plan.instansi_id, plan=new, value=b.value, expectation=b.expectation
            )
            for b in plan.behaviours.all()
        ]
    )
    audit_record(
        action="performance.plan.revise",
        actor=actor,
        instansi=plan.instansi,
        obj=new,
        after=snapshot(new),
        reason=reason,
    )
    return new


# ---------------------------------------------------------------- periods, realisation, evidence


def _check_period(period: EvalPeriod, instansi_id: int) -> PerformanceSettings:
    """The period must be one of the instansi's periods (its deadline is not trusted: the services
    read it again, a reopened period's included)."""
    cfg = selectors.performance_settings(instansi_id)
    expected = selectors.period_containing(cfg, period.start)
    if (expected.start, expected.end, expected.months) != (period.start, period.end, period.months):
        raise ValidationError("Periode penilaian tidak sesuai dengan pengaturan instansi.")
    return cfg


def _check_not_locked(period: EvalPeriod, instansi_id: int) -> None:
    if selectors.is_period_locked(instansi_id, period):
        raise ValidationError(
            f"Periode {period.label} telah dikunci BKPSDM; data kinerjanya tidak dapat diubah."
        )


def _evaluation_for(employee: Employee, period: EvalPeriod) -> SkpEvaluation:
    ev = (
        SkpEvaluation.objects.select_for_update()
        .filter(employee=employee, period_start=period.start)
        .first()
    )
    if ev is not None:
        if ev.period_end != period.end and not ev.is_rated:
            # Reported under another period length (see evaluations_rate).
            ev.period_end = period.end
            ev.save(update_fields=["period_end"])
        return ev
    plan = selectors.plan_in_force(employee, period.start)
    if plan is None:
        raise ValidationError(
            f"{employee.full_name} belum memiliki SKP yang disetujui untuk periode {period.label}."
        )
    return SkpEvaluation.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        plan=plan,
        period_start=period.start,
        period_end=period.end,
    )


@transaction.atomic
def realisation_save(
    *,
    actor: User,
    indicator: SkpIndicator,
    period: EvalPeriod,
    description: str,
    quantity: Decimal | None = None,
    files: list | tuple = (),
) -> SkpRealisation:
    """The employee reports the realisation of one indicator for a period, with evidence files
    (pdf, jpg or png, checked by content, each at most the size limit). Allowed from the period's
    first day until the rating deadline, while the period is not locked and not yet rated."""
    indicator = SkpIndicator.objects.select_related("result__plan__employee").get(pk=indicator.pk)
    employee = indicator.result.plan.employee
    if not _is_owner(actor, employee):
        raise ValidationError("Hanya pegawai pemilik SKP yang dapat melaporkan realisasinya.")
    cfg = _check_period(period, employee.instansi_id)
    # The settings' deadline: a reopening extends rating only, not the realisation report.
    period = selectors.period_containing(cfg, period.start)
    today = _today(employee.instansi_id)
    if today < period.start:
        raise ValidationError(f"Periode {period.label} belum dimulai.")
    if today > period.deadline:
        raise ValidationError(
            f"Batas waktu periode {period.label} ({tanggal(period.deadline)}) telah lewat."
        )
    _check_not_locked(period, employee.instansi_id)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not description:
        errors["description"] = ["Uraian realisasi wajib diisi."]
    if quantity is not None and quantity < 0:
        errors["quantity"] = ["Realisasi kuantitas tidak boleh negatif."]
    checked = []
    for upload in files:
        content_type, error = evidence_rules.check_upload(upload)
        if error:
            errors.setdefault("files", []).append(error)
        else:
            checked.append((upload, content_type))
    if errors:
        raise ValidationError(errors)
    ev = _evaluation_for(employee, period)
    if ev.is_rated:
        raise ValidationError(
            "Atasan sudah menilai periode ini; realisasi tidak dapat diubah lagi."
        )
    if indicator.result.plan_id != ev.plan_id:
        raise ValidationError(
            "Indikator ini bukan bagian dari SKP yang berlaku pada periode tersebut."
        )
    real, _created = SkpRealisation.objects.update_or_create(
        evaluation=ev,
        indicator=indicator,
        defaults={
            "instansi_id": employee.instansi_id,
            "quantity": quantity,
            "description": description,
        },
    )
    existing = real.evidence.count()
    if existing + len(checked) > evidence_rules.MAX_FILES_PER_REALISATION:
        raise ValidationError(
            {
                "files": [
                    f"Paling banyak {evidence_rules.MAX_FILES_PER_REALISATION} berkas bukti "
                    "per indikator."
                ]
            }
        )
    written = []
    try:
        for upload, content_type in checked:
            ev_file = SkpEvidence(
                instansi_id=employee.instansi_id,
                realisation=real,
                original_name=(upload.name or "bukti")[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
            )
            ev_file.file.save(upload.name or "bukti", upload, save=False)
            written.append(ev_file.file)
            ev_file.save()
    except Exception:
        # The rows roll back with the transaction; the files written so far must go too.
        for f in written:
            f.storage.delete(f.name)
        raise
    return real


@transaction.atomic
def evidence_delete(*, actor: User, evidence: SkpEvidence) -> None:
    """The employee removes an evidence file while the period is open and not yet rated."""
    evidence = SkpEvidence.objects.select_related("realisation__evaluation__employee").get(
        pk=evidence.pk
    )
    ev = evidence.realisation.evaluation
    if not _is_owner(actor, ev.employee):
        raise ValidationError("Hanya pegawai pemilik yang dapat menghapus bukti ini.")
    if ev.is_rated:
        raise ValidationError("Atasan sudah menilai periode ini; bukti tidak dapat dihapus.")
    cfg = selectors.performance_settings(ev.instansi_id)
    period = selectors.period_containing(cfg, ev.period_end)
    if selectors.is_locked_between(ev.instansi_id, ev.period_start, ev.period_end):
        raise ValidationError("Periode ini telah dikunci BKPSDM; bukti tidak dapat dihapus.")
    if _today(ev.instansi_id) > period.deadline:
        raise ValidationError(f"Batas waktu periode {period.label} telah lewat.")
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------- ratings


@dataclass(frozen=True)
class RatingInput:
    employee_id: int
    results: str
    behaviour: str
    note: str = ""


class RatingErrors(ValidationError):
    """Errors of a batch of ratings, keyed by employee id (as text) or "__all__"."""


@transaction.atomic
def evaluations_rate(
    *, actor: User, period: EvalPeriod, ratings: list[RatingInput]
) -> list[SkpEvaluation]:
    """The direct superior rates subordinates' results and behaviour for a period, all or nothing.

    Refused when: the period is not open yet (before its last month) or its deadline has passed
    (the settings' deadline, or the later day until which BKPSDM reopened a month of it), any of its
    months is locked, the actor is not the employee's direct superior at the rater date
    (the earlier of today and the period's end; for someone who left during the period, on their
    last day in post in it: selectors.raters; BKPSDM acts for employees without a superior, but
    never for the acting officer: nobody rates their own SKP), a rating is not below / as_expected
    / above, or the employee has no agreed plan for the period. The predicate comes from the
    PermenPANRB 6/2022 matrix. Re-rating before the deadline replaces the earlier rating (both are
    in the audit log). The row takes the period's end, also when it was begun under another period
    length (predicate_month reads it). A constant number of queries plus one write per rating
    and one statement for all the audit rows."""
    instansi_id = actor.instansi_id
    if instansi_id is None:
        raise RatingErrors({"__all__": ["Akun ini tidak terkait dengan instansi."]})
    _check_period(period, instansi_id)
    today = _today(instansi_id)
    if today < period.rating_opens:
        raise RatingErrors(
            {
                "__all__": [
                    f"Penilaian periode {period.label} baru dapat dilakukan mulai "
                    f"{tanggal(period.rating_opens)}."
                ]
            }
        )
    deadline = selectors.rating_deadline(instansi_id, period)
    if today > deadline:
        raise RatingErrors(
            {
                "__all__": [
                    f"Batas waktu penilaian periode {period.label} ({tanggal(deadline)}) "
                    "telah lewat; pegawai yang belum dinilai tercatat tidak dinilai."
                ]
            }
        )
    if selectors.is_period_locked(instansi_id, period):
        raise RatingErrors(
            {
                "__all__": [
                    f"Periode {period.label} telah dikunci BKPSDM; penilaian tidak dapat diubah."
                ]
            }
        )
    if not ratings:
        return []
    on = selectors.rater_date(period, today)
    h = hierarchy(instansi_id, on)
    me = employee_for_user(actor)
    bkpsdm = _is_bkpsdm(actor, instansi_id)
    ids = [r.employee_id for r in ratings]
    if len(set(ids)) != len(ids):
        raise RatingErrors({"__all__": ["Seorang pegawai dinilai lebih dari sekali."]})
    employees = Employee.objects.in_bulk(ids)
    rater_of = selectors.raters(instansi_id, period.start, h, ids)
    plans = selectors.plans_in_force(ids, period.start)
    existing = {
        ev.employee_id: ev
        for ev in SkpEvaluation.objects.select_for_update().filter(
            instansi_id=instansi_id, employee_id__in=ids, period_start=period.start
        )
    }
    errors: dict[str, list[str]] = {}
    # A rated row that covers more than this period (Q1 rated quarterly, now re-rated monthly for
    # a reopened January) would be cut to this period: the months it loses must not be locked (a
    # locked February and March lost their predicate).
    shrinking = [
        ev
        for ev in existing.values()
        if ev.predicate and ev.period_end and ev.period_end > period.end
    ]
    locked = selectors.locked_months(instansi_id) if shrinking else set()
    for r in ratings:
        key = str(r.employee_id)
        emp = employees.get(r.employee_id)
        if emp is None or emp.instansi_id != instansi_id:
            errors[key] = ["Pegawai tidak ditemukan."]
            continue
        sup = rater_of[emp.pk]
        allowed = (me is not None and sup == me.pk) or (sup is None and bkpsdm)
        if not allowed:
            errors[key] = [f"Anda bukan atasan langsung {emp.full_name} pada periode ini."]
            continue
        if _is_owner(actor, emp):
            # A BKPSDM officer without a superior is rated by another officer.
            errors[key] = [OWN_PLAN_DECISION]
            continue
        msgs = []
        if r.results not in Rating._value2member_map_:
            msgs.append("Pilih penilaian hasil kerja.")
        if r.behaviour not in Rating._value2member_map_:
            msgs.append("Pilih penilaian perilaku kerja.")
        if r.employee_id not in existing and r.employee_id not in plans:
            msgs.append(f"{emp.full_name} belum memiliki SKP yang disetujui untuk periode ini.")
        if len(r.note or "") > 2000:
            msgs.append("Umpan balik terlalu panjang (paling banyak 2.000 karakter).")
        if msgs:
            errors[key] = msgs
        ev = existing.get(r.employee_id)
        if not msgs and ev is not None and ev in shrinking:
            lost = [m for m in locked if period.end < m.first_day and m.first_day <= ev.period_end]
            if lost:
                errors[key] = [
                    f"Penilaian {employees[r.employee_id].full_name} yang ada berlaku sampai "
                    f"{tanggal(ev.period_end)}; {', '.join(m.label for m in sorted(lost))} sudah "
                    "dikunci, sehingga penilaian ini tidak dapat mempersempitnya. Minta BKPSDM "
                    "membuka kunci bulan itu dulu."
                ]
                continue
    if errors:
        raise RatingErrors(errors)
    now = timezone.now()
    out = []
    befores = {}
    for r in ratings:
        emp = employees[r.employee_id]
        ev = existing.get(r.employee_id)
        if ev is not None:
            befores[ev.pk] = snapshot(ev)
            ev.employee = emp  # its name is in the audit row: no read per rating
        else:
            ev = SkpEvaluation(
                instansi_id=instansi_id,
                employee=emp,
                plan=plans[r.employee_id],
                period_start=period.start,
                period_end=period.end,
            )
        # A row begun under another period length (BKPSDM changed the settings after a report or
        # rating with the same first day) takes the period rated now: predicate_month reads its end.
        ev.period_end = period.end
        ev.results_rating = r.results
        ev.behaviour_rating = r.behaviour
        ev.predicate = predicate(r.results, r.behaviour).value
        ev.note = (r.note or "").strip()
        ev.rated_by = me
        ev.rated_by_user = actor
        ev.rated_at = now
        ev.save()
        out.append(ev)
    # One statement for the audit rows of the whole sheet; each row as audit_record would write
    # it. Before, every rating read its employee's instansi and name again (a sheet of 30 cost 60
    # reads more).
    audit_records(
        action="performance.evaluation.rate",
        actor=actor,
        instansi=actor.instansi,
        objs=out,
        befores=befores,
    )
    return out


def evaluation_rate(
    *,
    actor: User,
    employee: Employee,
    period: EvalPeriod,
    results: str,
    behaviour: str,
    note: str = "",
) -> SkpEvaluation:
    """Rate one employee (see evaluations_rate)."""
    return evaluations_rate(
        actor=actor,
        period=period,
        ratings=[RatingInput(employee.pk, results, behaviour, note)],
    )[0]
