"""Writes of the TPP app: policy versions, the monthly run and its states, withholdings and
adjustments. Every write is audited.

Monthly run states (tpp-rules.md, issue 6): open -> computed -> verified (BKPSDM) -> locked (a second
BKPSDM account: whoever computed cannot lock) -> exported. A computed or verified run may be computed
again (a verified one then needs verifying again); a locked run never changes again. A correction to
a locked month is an Adjustment paid in a later month.

What an employee is paid in a month (Result.payable):
    payable = 0 if the month is withheld, else max(0, net + released + adjustment)
(a withheld month holds what is released and corrected into it too: the release pays it all)
- withheld: BKPSDM holds the month's TPP (Withholding for that month, not yet released in it);
- released: the amounts of earlier months' withholdings released into this month;
- adjustment: the sum of corrections to locked months recorded into this month.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from ekinerja.activities.services import activity_settings_follow_policy
from ekinerja.core.audit import audit_record, snapshot
from ekinerja.core.audit_labels import moment_label
from ekinerja.core.clock import local_today
from ekinerja.core.gcpause import gc_paused
from ekinerja.core.models import Instansi, User
from ekinerja.core.money import format_rupiah
from ekinerja.core.periods import Period, tanggal
from ekinerja.org.models import Assignment, Employee, Role, Unit
from ekinerja.org.selectors import user_roles

from . import selectors
from .calculator import TppResult, calculate
from .models import Adjustment, Result, Run, RunInputs, Withholding
from .models import Policy as PolicyRow
from .policy import PolicyError, policy_from_dict, policy_to_dict

log = logging.getLogger(__name__)
ZERO = Decimal(0)
S = Run.State

#: The allowed state changes of a run, checked by _transition and nowhere else.
RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.COMPUTED}),
    S.COMPUTED: frozenset({S.COMPUTED, S.VERIFIED}),
    S.VERIFIED: frozenset({S.COMPUTED, S.LOCKED}),
    S.LOCKED: frozenset({S.EXPORTED}),
    S.EXPORTED: frozenset({S.EXPORTED}),
}
LOCKED_STATES = frozenset({S.LOCKED, S.EXPORTED})

_STATE_WORDS = {
    S.COMPUTED: "dihitung",
    S.VERIFIED: "diverifikasi",
    S.LOCKED: "dikunci",
    S.EXPORTED: "diekspor",
}


def _transition(run: Run, target: str) -> None:
    if target not in RUN_TRANSITIONS[run.state]:
        if run.state in LOCKED_STATES:
            raise ValidationError(
                {
                    "state": f"Perhitungan TPP {Period.parse(run.period).label} sudah dikunci dan "
                    "tidak dapat diubah."
                }
            )
        raise ValidationError(
            {
                "state": f"Perhitungan berstatus '{run.get_state_display()}' tidak dapat "
                f"{_STATE_WORDS.get(target, target)}."
            }
        )
    run.state = target


def month_started(instansi: Instansi, period: Period) -> bool:
    """The month has begun in the instansi's own zone: it may be computed (a preview until it ends)."""
    return period.first_day <= local_today(instansi)


def month_ended(instansi: Instansi, period: Period) -> bool:
    """The month is over in the instansi's own zone: its list may be verified and locked."""
    return period.last_day < local_today(instansi)


def _refuse_unstarted(instansi: Instansi, period: Period) -> None:
    """A month is computed from its first day (in the instansi's own zone) on: the current month is
    a preview that may be computed again; a later month has no attendance or activity yet and would
    give everyone Rp0."""
    if not month_started(instansi, period):
        raise ValidationError(
            {
                "period": f"TPP {period.label} belum dapat dihitung: bulan itu baru dimulai "
                f"{tanggal(period.first_day)}."
            }
        )


def _refuse_without_policy(instansi: Instansi, period: Period, unit: Unit | None) -> None:
    """A month with no adopted policy in force on its first day cannot be computed: opening its run
    anyway left an empty "Terbuka Rp0" list in the runs page for good (a new Pemda choosing a month
    before its Perbup's effective date). A run already stored (opened before) is left to the
    compute, which says the same."""
    if selectors.policy_for(instansi, period) is not None:
        return
    if Run.objects.filter(instansi=instansi, period=str(period), unit=unit).exists():
        return
    raise ValidationError(
        {
            "period": f"TPP {period.label} belum dapat dihitung: belum ada kebijakan TPP yang "
            f"berlaku pada {tanggal(period.first_day)}. Tetapkan kebijakan di TPP › Kebijakan TPP "
            "yang berlaku mulai tanggal itu atau sebelumnya."
        }
    )


def _refuse_while_computing(run: Run, doing: str) -> None:
    """A list being computed again (queued or running) is not verified or locked: the job would
    replace what was approved (or fail on the lock)."""
    if run.job_id:
        raise ValidationError(
            {
                "period": f"TPP {Period.parse(run.period).label} sedang dihitung ulang dan belum "
                f"dapat {doing}; tunggu sampai perhitungan selesai."
            }
        )


def _refuse_unfinished(run: Run, doing: str) -> None:
    """A list is verified and locked only after its month has ended (in the instansi's own zone)
    and only when it was computed from final attendance (no day whose shift or machine data was
    still pending, `Run.unfinished_days`): until then attendance, leave and activity of the month
    can still change, and a locked month never changes again."""
    period = Period.parse(run.period)
    if not month_ended(run.instansi, period):
        raise ValidationError(
            {
                "period": f"TPP {period.label} baru dapat {doing} setelah bulan berakhir "
                f"({tanggal(period.last_day)})."
            }
        )
    if run.unfinished_days:
        machines = selectors.machines_behind(run.instansi, period)
        named = "; ".join(
            f"{d.name or d.serial} (data sampai {moment_label(d.watermark)})" for d in machines[:3]
        )
        more = f" dan {len(machines) - 3} lainnya" if len(machines) > 3 else ""
        behind = (
            f" Mesin sidik jari yang datanya belum lengkap: {named}{more}; nonaktifkan mesin yang "
            "memang rusak."
            if machines
            else ""
        )
        raise ValidationError(
            {
                "period": f"TPP {period.label} belum dapat {doing}: saat dihitung, "
                f"{run.unfinished_days} hari kerja pegawai belum final (shift malam terakhir "
                "belum selesai atau mesin sidik jari belum mengirim datanya). Hitung ulang "
                f"setelah data kehadiran lengkap.{behind}"
            }
        )


def policy_changed(run: Run) -> PolicyRow | None:
    """The policy now in force on the run's month's first day when it is not the one the list was
    computed with (a version adopted, or the one used retired, after the compute), else None. One
    query. A list computed with no longer the month's policy pays by rules that no longer apply."""
    in_force = selectors.policy_for(run.instansi_id, Period.parse(run.period))
    if run.policy_id is None or in_force is None or in_force.pk == run.policy_id:
        return None
    return in_force


def _refuse_stale_policy(run: Run, doing: str) -> None:
    """A list computed with a policy that is no longer the month's (policy_changed) is neither
    verified nor locked: an audit adopted a version effective from the month's first day after the
    compute, and the list was locked under the old rules with no word of it."""
    in_force = policy_changed(run)
    if in_force is not None:
        used = (run.policy_data or {}).get("name") or "versi sebelumnya"
        raise ValidationError(
            {
                "period": f"TPP {Period.parse(run.period).label} belum dapat {doing}: daftar "
                f'dihitung dengan kebijakan "{used}", tetapi yang kini berlaku untuk bulan ini '
                f'adalah "{in_force.name}". Hitung ulang dulu.'
            }
        )


def _named(count: int, first: list[Employee]) -> str:
    """The first employees of a refusal by name, "dan lainnya" when there are more."""
    return ", ".join(e.name for e in first) + (" dan lainnya" if count > len(first) else "")


def _refuse_incomplete(run: Run, doing: str) -> None:
    """A list missing someone who now has a post in its month (a hire or transfer recorded after the
    compute: `selectors.not_in_list`) is neither verified nor locked. Locked, the month would be
    closed for them: their TPP, and any release or correction due to them in it, would be paid by
    no list (an audit found a correction of Rp100.000 and a released Rp2.257.200 lost that way)."""
    count, first = selectors.not_in_list(run, limit=3)
    if count:
        names = _named(count, first)
        raise ValidationError(
            {
                "period": f"TPP {Period.parse(run.period).label} belum dapat {doing}: {count} "
                f"pegawai yang kini punya jabatan pada bulan ini belum ada dalam daftar ({names}). "
                "Hitung ulang dulu."
            }
        )


def _refuse_stale_predicates(run: Run, doing: str) -> None:
    """A list whose SKP predicates changed after the compute (`selectors.predicates_changed`: a
    rating given before the deadline, a quarter rated in its last month, a reopened period) is
    neither verified nor locked: an audit computed October on the 2nd, superiors rated on the 3rd,
    and the list locked on the 4th paid them the not-rated value."""
    count, first = selectors.predicates_changed(run, limit=3)
    if count:
        names = _named(count, first)
        raise ValidationError(
            {
                "period": f"TPP {Period.parse(run.period).label} belum dapat {doing}: predikat SKP "
                f"{count} pegawai berubah sejak daftar dihitung ({names}). Hitung ulang dulu."
            }
        )


@dataclass(frozen=True)
class InputsChecked:
    """The input check of a background verify or lock (run_check_job), made before the row lock:
    what `selectors.inputs_changed` found for the list as computed at `computed_at`."""

    computed_at: dt.datetime | None
    found: selectors.InputsCheck


def _refuse_stale_inputs(run: Run, doing: str, checked: InputsChecked | None = None) -> None:
    """A list whose inputs changed after the compute (`selectors.inputs_changed`: an activity entry
    approved or expired, a leave approved or withdrawn, punches imported, a post or a status
    corrected) is neither verified nor locked: an audit computed October on the 3rd, superiors
    verified the entries of the 30th and 31st on the 4th, a leave was approved on the 5th, and the
    list locked on the 6th paid none of them. Checked last, as it gathers the month again; with
    `checked` (the background job did it just before, with progress) not gathered again, unless
    the list was computed again meanwhile, which is refused."""
    if checked is None:
        found = selectors.inputs_changed(run, limit=3)
    elif checked.computed_at != run.computed_at:
        raise ValidationError(
            {
                "period": f"TPP {Period.parse(run.period).label} belum {doing}: daftar dihitung "
                "ulang selama pemeriksaan. Ulangi."
            }
        )
    else:
        found = checked.found
    if not found:
        return
    raise ValidationError(
        {
            "period": f"TPP {Period.parse(run.period).label} belum dapat {doing}: data kehadiran, "
            f"cuti, aktivitas atau jabatan {found.count} pegawai berubah sejak daftar dihitung "
            f"({_named(found.count, found.first)}). Hitung ulang dulu."
        }
    )


def _require(actor: User | None, *roles: str, instansi: Instansi | int | None = None) -> None:
    """Role check for interactive actors; actor None is the system (scenario runs, jobs). With
    `instansi` (the instansi, or its id, of what is acted on) the actor must belong to it too: the
    pages look the object up in the user's own instansi, but the service must not rely on that (an
    officer of another Pemda holds the same role)."""
    if actor is None:
        return
    if not set(roles) & user_roles(actor):
        raise PermissionDenied("Anda tidak berwenang melakukan tindakan ini.")
    if instansi is not None:
        instansi_id = instansi if isinstance(instansi, int) else instansi.pk
        if actor.instansi_id != instansi_id:
            raise PermissionDenied("Data instansi lain.")


#: The refusal of a decision about one's own TPP (_refuse_own).
OWN_TPP_REFUSED = (
    "TPP Anda sendiri dikoreksi atau dilepas penahanannya oleh petugas BKPSDM lain, "
    "bukan oleh Anda."
)


def _refuse_own(actor: User | None, employee: Employee, field: str) -> None:
    """Nobody pays themselves: a correction of one's own TPP, or the release of one's own withheld
    TPP, is another officer's (a field error on `field`). The four-eyes lock alone left it to the
    colleague locking the list to notice one line among thousands."""
    if actor is not None and employee.user_id is not None and employee.user_id == actor.pk:
        raise ValidationError({field: OWN_TPP_REFUSED})


# --------------------------------------------------------------------------------------------------
# Policies


def _validate_policy(data) -> None:
    try:
        policy_from_dict(data)
    except PolicyError as exc:
        errors: dict[str, list[str]] = defaultdict(list)
        for path, reason in exc.problems:
            errors[path].append(reason)
        raise ValidationError(dict(errors)) from exc


@transaction.atomic
def policy_save(
    *, actor: User | None, instansi: Instansi, data: dict, policy: PolicyRow | None = None
) -> PolicyRow:
    """Create a draft policy version or change a draft. The data must be a valid `ekinerja/1`
    policy (policy_from_dict: weights sum to 100, bands contiguous, ...); every problem is raised
    at once as a ValidationError keyed by its path ($.components, $.attendance.late_bands[1], ...).
    Adopted and retired versions never change: a change is a new draft."""
    _require(actor, Role.BKPSDM, instansi=instansi)
    if policy is not None:
        if policy.instansi_id != instansi.id:
            raise PermissionDenied("Kebijakan instansi lain.")
        policy = PolicyRow.objects.select_for_update().get(pk=policy.pk)
        if policy.status != PolicyRow.Status.DRAFT:
            raise ValidationError(
                {"status": "Kebijakan yang sudah berlaku tidak dapat diubah; buat versi baru."}
            )
    _validate_policy(data)
    normalised = policy_to_dict(policy_from_dict(data))
    before = snapshot(policy) if policy is not None else None
    if policy is None:
        policy = PolicyRow(instansi=instansi, created_by=actor if actor and actor.pk else None)
    policy.name = normalised["name"][:200]
    policy.effective_from = dt.date.fromisoformat(normalised["effective_from"])
    policy.data = normalised
    policy.save()
    audit_record(
        action="tpp.policy.save",
        actor=actor,
        instansi=instansi,
        obj=policy,
        before=before,
        after=snapshot(policy),
    )
    return policy


def adopted_clash(policy: PolicyRow | None) -> PolicyRow | None:
    """An adopted version of the same instansi with this draft's effective date: the draft cannot
    be adopted while it is in force (the editor warns when the draft is saved)."""
    if policy is None or policy.status != PolicyRow.Status.DRAFT:
        return None
    return (
        PolicyRow.objects.filter(
            instansi_id=policy.instansi_id,
            status=PolicyRow.Status.ADOPTED,
            effective_from=policy.effective_from,
        )
        .exclude(pk=policy.pk)
        .first()
    )


def clash_message(clash: PolicyRow) -> str:
    return (
        f"Sudah ada kebijakan yang berlaku mulai {tanggal(clash.effective_from)} ({clash.name}); "
        "cabut dulu kebijakan itu atau ubah tanggal Berlaku mulai draf ini."
    )


@transaction.atomic
def policy_adopt(*, actor: User | None, policy: PolicyRow) -> PolicyRow:
    """A draft becomes the policy in force from its effective date. Two adopted versions never share
    an effective date (each month has exactly one policy: the latest effective on its first day)."""
    _require(actor, Role.BKPSDM, instansi=policy.instansi_id)
    policy = PolicyRow.objects.select_for_update().get(pk=policy.pk)
    if policy.status != PolicyRow.Status.DRAFT:
        raise ValidationError({"status": "Hanya draf yang dapat ditetapkan berlaku."})
    _validate_policy(policy.data)
    clash = adopted_clash(policy)
    if clash is not None:
        raise ValidationError({"effective_from": clash_message(clash)})
    before = snapshot(policy)
    policy.status = PolicyRow.Status.ADOPTED
    policy.adopted_by = actor if actor and actor.pk else None
    policy.adopted_at = timezone.now()
    policy.save(update_fields=["status", "adopted_by", "adopted_at"])
    audit_record(
        action="tpp.policy.adopt",
        actor=actor,
        instansi=policy.instansi,
        obj=policy,
        before=before,
        after=snapshot(policy),
    )
    activity_settings_sync(actor=actor, instansi=policy.instansi)
    return policy


@transaction.atomic
def policy_retire(*, actor: User | None, policy: PolicyRow, reason: str) -> PolicyRow:
    """An adopted version stops applying to months computed from now on (runs keep their copy)."""
    _require(actor, Role.BKPSDM, instansi=policy.instansi_id)
    policy = PolicyRow.objects.select_for_update().get(pk=policy.pk)
    if policy.status != PolicyRow.Status.ADOPTED:
        raise ValidationError({"status": "Hanya kebijakan yang berlaku yang dapat dicabut."})
    if not reason.strip():
        raise ValidationError({"reason": "Alasan pencabutan wajib diisi."})
    before = snapshot(policy)
    policy.status = PolicyRow.Status.RETIRED
    policy.save(update_fields=["status"])
    audit_record(
        action="tpp.policy.retire",
        actor=actor,
        instansi=policy.instansi,
        obj=policy,
        before=before,
        after=snapshot(policy),
        reason=reason,
    )
    activity_settings_sync(actor=actor, instansi=policy.instansi)
    return policy


def activity_settings_sync(
    *, actor: User | None, instansi: Instansi, today: dt.date | None = None
) -> bool:
    """The activity app follows the TPP policy in force for the current month (the one the month's
    run will use): its entry window, daily cap and monthly target (a policy with a per-day target
    leaves the app's monthly figure as it is). So an entry the app accepts is one the run counts.
    Called on adoption and retirement and nightly (a version taking effect on the 1st); returns
    whether anything changed."""
    today = today or local_today(instansi)
    row = selectors.policy_for(instansi, Period.of(today))
    if row is None:
        return activity_settings_follow_policy(instansi=instansi, policy_name="", actor=actor)
    rules = policy_from_dict(row.data).activity
    target = rules.monthly_target_minutes
    return activity_settings_follow_policy(
        instansi=instansi,
        policy_name=row.name,
        window_working_days=rules.entry_window_working_days,
        daily_cap_minutes=int(rules.daily_cap_minutes),  # whole minutes, as the app credits them
        monthly_target_minutes=int(target) if target is not None else None,
        actor=actor,
    )


# --------------------------------------------------------------------------------------------------
# The monthly run


def _check_scope(instansi: Instansi, period: Period, unit: Unit | None) -> None:
    """An employee is in one run per month: a whole-instansi run excludes unit runs and unit runs
    must not overlap (a unit and one of its sub-units)."""
    others = Run.objects.filter(instansi=instansi, period=str(period))
    if unit is None:
        if others.filter(unit__isnull=False).exists():
            raise ValidationError(
                {"unit": f"TPP {period.label} sudah dihitung per unit; hitung per unit saja."}
            )
        return
    if unit.instansi_id != instansi.id:
        raise PermissionDenied("Unit instansi lain.")
    if others.filter(unit__isnull=True).exists():
        raise ValidationError(
            {
                "unit": f"TPP {period.label} sudah dihitung untuk seluruh instansi; "
                "tidak dapat per unit."
            }
        )
    tree = selectors.UnitTree.load(instansi)
    mine = tree.subtree(unit.id)
    for other in others.exclude(unit=unit).select_related("unit"):
        if other.unit_id in mine or unit.id in tree.subtree(other.unit_id):
            raise ValidationError(
                {"unit": f"Unit ini bertumpang tindih dengan perhitungan {other.unit.name}."}
            )


def run_open(
    *, actor: User | None, instansi: Instansi, period: Period, unit: Unit | None = None
) -> Run:
    """The run of the month (created open when missing). An interactive actor cannot open a month
    that has not started yet (in the instansi's own zone); the current month may be opened and
    computed as a preview."""
    _require(actor, Role.BKPSDM, instansi=instansi)
    if actor is not None:
        _refuse_unstarted(instansi, period)
        _refuse_without_policy(instansi, period, unit)
    with transaction.atomic():
        # One opening at a time per instansi: a whole-instansi run and a unit run of the same
        # month asked for at the same moment each found no other run and both were created, and
        # their employees were paid twice. NO KEY UPDATE does not wait on the key-share locks of
        # a run storing its results meanwhile (their rows refer to the instansi).
        list(Instansi.objects.select_for_update(no_key=True).filter(pk=instansi.pk).values("pk"))
        _check_scope(instansi, period, unit)
        run, created = Run.objects.get_or_create(instansi=instansi, period=str(period), unit=unit)
        if created:
            audit_record(action="tpp.run.open", actor=actor, instansi=instansi, obj=run)
    return run


def _set_progress(run: Run, pct: int, job: str | None = None) -> None:
    run.progress = pct
    _job_row(run, job).update(progress=pct)


def _job_row(run: Run, job: str | None):
    """The run's row, as long as it still waits for `job` (any job when None): a duplicate
    delivery of a job already done, or one replaced by a newer request, writes nothing."""
    rows = Run.objects.filter(pk=run.pk)
    return rows if job is None else rows.filter(job_id=job)


def run_job_current(instansi: Instansi, period: Period, unit: Unit | None, job: str) -> bool:
    """Whether the run of the month still waits for the background job `job` (the token its
    request put in Run.job_id): false once that job has stored its result or failed, or when a
    newer request replaced it (tasks.run_compute_task)."""
    return Run.objects.filter(instansi=instansi, period=str(period), unit=unit, job_id=job).exists()


def _detail(result: TppResult, info: selectors.EmployeeInfo) -> dict:
    """The stored explanation: the `ekinerja-result/1` row plus every line and intermediate figure."""
    row = result.as_row()
    row["lines"] = [list(line) for line in result.lines]
    row["days_in_post"] = result.days_in_post
    row["status_factor"] = float(result.status_factor)
    row["presence_rate"] = float(result.presence_rate) if result.presence_rate is not None else None
    row["sentence_level"] = result.sentence_level
    row["pph21_rate"] = float(result.pph21_rate)
    row["pph21_key"] = result.pph21_key
    row["subtotal"] = int(result.subtotal)
    row["position"] = info.position_name
    row["kelas"] = info.kelas
    row["pots"] = {c.key: int(c.pot) for c in result.components}
    row["weights"] = {c.key: float(c.weight) for c in result.components}
    row["attendance"]["late_by_band"] = [
        [b.label(), n, float(b.pct)] for b, n in result.attendance.late_by_band
    ]
    row["attendance"]["early_by_band"] = [
        [b.label(), n, float(b.pct)] for b, n in result.attendance.early_by_band
    ]
    row["attendance"]["present_days"] = result.attendance.present_days
    row["activity"]["uncapped_minutes"] = float(result.activity.uncapped_minutes)
    row["activity"]["days_over_cap"] = result.activity.days_over_cap
    if result.uses_allowances:
        row["allowance_names"] = {a.key: a.name for a in result.allowances}
    return row


def _payments(instansi_id: int, period: Period, employee_ids: Iterable[int] | None = None) -> tuple:
    """(withheld: {employee id: reason}, released: {employee id: amount},
    adjustment: {employee id: amount}) for the month (three queries)."""
    ids = None if employee_ids is None else list(employee_ids)
    filt = (lambda qs: qs) if ids is None else (lambda qs: qs.filter(employee_id__in=ids))
    withheld = {
        emp: reason
        for emp, reason in filt(
            Withholding.objects.filter(instansi_id=instansi_id, period=str(period)).exclude(
                released_period=str(period)
            )
        ).values_list("employee_id", "reason")
    }
    released: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for emp, amount in (
        filt(Withholding.objects.filter(instansi_id=instansi_id, released_period=str(period)))
        .exclude(period=str(period))
        .values_list("employee_id", "amount")
    ):
        released[emp] += amount or ZERO
    adjustment: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for emp, amount in filt(
        Adjustment.objects.filter(instansi_id=instansi_id, target_period=str(period))
    ).values_list("employee_id", "amount"):
        adjustment[emp] += amount
    return withheld, released, adjustment


def _payment_fields(emp: int, net: Decimal, withheld: dict, released: dict, adjustment: dict):
    """withheld, withheld_reason, released, adjustment and payable of an employee's result."""
    held = emp in withheld
    paid_late = released.get(emp, ZERO)
    corrected = adjustment.get(emp, ZERO)
    return {
        "withheld": held,
        "withheld_reason": withheld.get(emp, "")[:255],
        "released": paid_late,
        "adjustment": corrected,
        "payable": ZERO if held else max(ZERO, net + paid_late + corrected),
    }


def _apply_payments(result: Result, withheld: dict, released: dict, adjustment: dict) -> None:
    fields = _payment_fields(result.employee_id, result.net, withheld, released, adjustment)
    for name, value in fields.items():
        setattr(result, name, value)


def _month_total(result: Result) -> Decimal:
    return result.net + result.released + result.adjustment


def _month_total_sql():
    """_month_total as a database expression (the run's totals, the carry's query)."""
    return F("net") + F("released") + F("adjustment")


def due_amount(result: Result) -> Decimal:
    """What the month would pay without a withholding (what a release pays later)."""
    return max(ZERO, _month_total(result))


def unrecovered(result: Result) -> Decimal:
    """The part of a recovery the month's pay could not cover (net + released + adjustment below
    zero). With it a month adds up: net - withheld + released + adjustment + unrecovered = payable."""
    return max(ZERO, -_month_total(result))


def carried_rest(result: Result) -> Decimal:
    """What locking the month carries to the next open month (_carry_unrecovered): the unrecovered
    part, except for someone without a post in the month (a payment-only row), from whom TPP can no
    longer recover (BPKAD does it outside TPP)."""
    if (result.detail or {}).get("payment_only"):
        return ZERO
    return unrecovered(result)


_TOTAL_FIELDS = {
    "total_ceiling": "ceiling",
    "total_gross": "gross",
    "total_pph21": "pph21",
    "total_health": "health_insurance",
    "total_net": "net",
    "total_released": "released",
    "total_adjustment": "adjustment",
    "total_payable": "payable",
}


def _refresh_totals(run: Run) -> None:
    # What is withheld is each withheld employee's due_amount: what a release pays later, never
    # below zero (a recovery larger than the month's pay is carried on when the month is locked).
    due = Greatest(_month_total_sql(), Value(ZERO))
    agg = Result.objects.filter(run=run).aggregate(
        **{k: Sum(v) for k, v in _TOTAL_FIELDS.items()},
        total_withheld=Sum(due, filter=Q(withheld=True)),
    )
    for name in _TOTAL_FIELDS:
        setattr(run, name, agg[name] or ZERO)
    run.total_withheld = agg["total_withheld"] or ZERO
    run.employees = Result.objects.filter(run=run).count()


BATCH = 2000


def _insert_batch(rows: list[dict]) -> None:
    """Insert result rows (each a dict of Result's column values by attname, `detail` as a dict):
    COPY on PostgreSQL, straight from the values (no model instances: building and preparing
    20,000 of them cost more than the copy), bulk_create elsewhere. Called inside the compute's
    transaction."""
    if connection.vendor != "postgresql":
        Result.objects.bulk_create([Result(**row) for row in rows])
        return
    names = _result_columns()
    columns = ", ".join(connection.ops.quote_name(Result._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(Result._meta.db_table)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                # Text COPY: the server parses each value as its column's type (jsonb included).
                copy.write_row([dumps(row[n]) if n == "detail" else row[n] for n in names])


def _result_columns() -> list[str]:
    return [f.attname for f in Result._meta.concrete_fields if not f.primary_key]


def run_compute(
    *,
    actor: User | None,
    instansi: Instansi,
    period: Period,
    unit: Unit | None = None,
    progress: Callable[[int], None] | None = None,
    job: str | None = None,
) -> Run:
    """Compute the month (tpp-rules.md "The computation for one employee and one month") for every
    employee of the instansi (or of the unit's subtree) with the adopted policy in force on the
    month's first day, and store each result with its explanation.

    The inputs are gathered with a fixed number of queries (selectors.gather) and computed in memory,
    reporting progress; then everything is written in ONE transaction: the previous results are
    replaced, totals, the policy's copy and the state set. A job killed at any point therefore leaves
    either the previous results or the new ones, never a mix; retrying it gives exactly a clean
    run's result, and identical inputs give identical figures. A locked run is refused, and so is a
    month that has not started yet for an interactive actor (run_open; the current month may be
    computed: a preview until it is verified). The system (actor None: a scenario run on a loaded
    document, the demo generator) computes any month it is given.

    `job`: the background job's token (tasks.run_compute_task); its progress and its result are
    written only while the run still holds that token in Run.job_id, checked again under the row
    lock before anything is stored. Two deliveries of one job computing at once therefore store
    one result, and the later finds the run done and leaves it as it is."""
    _require(actor, Role.BKPSDM, instansi=instansi)
    run = run_open(actor=actor, instansi=instansi, period=period, unit=unit)
    if S.COMPUTED not in RUN_TRANSITIONS[run.state]:
        _transition(run, S.COMPUTED)  # raises with the reason
    # A month builds millions of small acyclic objects; collecting would cost a third of its CPU.
    with gc_paused():
        return _compute(actor, run, instansi, period, unit, progress, job)


def _compute(actor, run: Run, instansi: Instansi, period: Period, unit, progress, job) -> Run:
    say = progress or (lambda _pct: None)
    _set_progress(run, 1, job)
    # A verify or lock refusal ("Hitung ulang dulu") no longer holds for the new figures.
    _job_row(run, job).update(error="", check_error="")
    try:
        gathered = selectors.gather(instansi, period, unit)
    except selectors.NoPolicy as exc:
        _job_row(run, job).update(error=str(exc), progress=0, job_id="")
        raise ValidationError({"policy": str(exc)}) from exc
    _set_progress(run, 20, job)
    say(20)
    policy = gathered.policy
    computed: list[tuple[int, TppResult]] = []
    total = len(gathered.months) or 1
    # At most ten progress writes, whatever the number of employees.
    ticks = {-(-total * k // 10) for k in range(1, 11)}
    for i, (emp_id, month) in enumerate(gathered.months.items(), start=1):
        computed.append((emp_id, calculate(policy, month)))
        if i in ticks:
            pct = 20 + int(70 * i / total)
            _set_progress(run, pct, job)
            say(pct)
    _set_progress(run, 90, job)
    say(90)
    # The input digest is worked out in a second thread while the results are written: most of the
    # write is the server's (COPY, commit), during which this thread only waits.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(
            selectors.input_digests, gathered.policy_row.data, dict(gathered.months)
        )
        run = _store(actor, run, gathered, computed, digest, job)
    say(100)
    return run


def run_job_failed(
    instansi: Instansi,
    period: Period,
    unit: Unit | None,
    exc: Exception,
    job: str | None = None,
) -> None:
    """A background computation ended without a result: the run stops showing progress and keeps
    the reason (the previous results stay, untouched by the failed job's transaction). With `job`,
    only while the run still waits for that job: a newer request's progress is not cut short."""
    if isinstance(exc, ValidationError | PermissionDenied):
        reason = "; ".join(getattr(exc, "messages", None) or [str(exc)])
    else:
        log.exception("Perhitungan TPP %s gagal", period)
        reason = (
            f"Perhitungan gagal karena kesalahan sistem ({type(exc).__name__}); hubungi Diskominfo."
        )
    rows = Run.objects.filter(instansi=instansi, period=str(period), unit=unit)
    if job is not None:
        rows = rows.filter(job_id=job)
    rows.update(job_id="", job_queued_at=None, progress=0, error=reason)


def _row_identity(run: Run, info: selectors.EmployeeInfo) -> dict:
    """The columns of a result row that say whose it is and where it is paid."""
    e = info.employee
    return {
        "instansi_id": run.instansi_id,
        "run_id": run.pk,
        "employee_id": e.pk,
        "unit_id": info.unit_id,
        "nip": e.nip,
        "name": e.full_name[:200],
        "golongan": e.grade_label if e.status == Employee.Status.PPPK else e.golongan,
        "kelas": info.kelas,
        "position_name": info.position_name[:200],
        "bank_name": e.bank_name,
        "bank_account": e.bank_account,
    }


def _payment_only_rows(
    run: Run, period: Period, have: set[int], withheld, released, adjustment
) -> list[dict]:
    """Rows for employees without a result of their own in the month (no definitif post in it:
    retired, moved away) to whom a release or an adjustment is due in it: they are paid here, with
    nothing computed (a row of zeros and a note), so no released or corrected amount is lost. In a
    unit run, only those whose last post lies in the unit's subtree. `have`: employees with a result
    this month, in this run or in a locked one (paid there, with what is due to them)."""
    due = {e for e, amount in (*released.items(), *adjustment.items()) if amount} - have
    infos = selectors.payment_only_info(run.instansi, period, run.unit, due)
    rows = []
    for emp_id, info in infos.items():
        e = info.employee
        fields = _payment_fields(emp_id, ZERO, withheld, released, adjustment)
        note = (
            f"Tidak memiliki jabatan definitif pada {period.label}: TPP bulan ini tidak "
            "dihitung; yang dibayarkan hanya "
            + " dan ".join(
                part
                for part, amount in (
                    (
                        f"pelepasan TPP yang ditahan {format_rupiah(fields['released'])}",
                        fields["released"],
                    ),
                    (f"koreksi {format_rupiah(fields['adjustment'])}", fields["adjustment"]),
                )
                if amount
            )
            + "."
        )
        rows.append(
            {
                **_row_identity(run, info),
                # Not a post held this month: the list says whose it was.
                "position_name": f"{info.position_name[:180]} (jabatan terakhir)",
                "ceiling": ZERO,
                "gross": ZERO,
                "pph21": ZERO,
                "health_insurance": ZERO,
                "net": ZERO,
                **fields,
                "detail": {
                    "payment_only": True,
                    "nip": e.nip,
                    "ceiling": 0,
                    "gross": 0,
                    "pph21": 0,
                    "health_insurance": 0,
                    "net": 0,
                    "notes": [note],
                    "lines": [],
                    "position": info.position_name,
                    "kelas": info.kelas,
                },
            }
        )
    return rows


def _list_changed(run: Run) -> None:
    """A run's list changed after it was computed: totals refreshed and saved; a verified list goes
    back to computed (it must be verified again)."""
    if run.state == S.VERIFIED:
        _transition(run, S.COMPUTED)
        run.verified_by = None
        run.verified_at = None
    _refresh_totals(run)
    run.save()


def _claim_from_other_unit_runs(actor, run: Run, employee_ids: list[int]) -> set[int]:
    """An employee is paid by one run a month. A transfer recorded after another unit's run can put
    them in this unit's list while that run still holds them: a locked run has paid them (they stay
    there and are left out here: returned); an unlocked one gives them up (its result is removed,
    its totals refreshed, and a verified list goes back to computed). Inside the compute's
    transaction; a constant number of queries plus a few per other run affected."""
    held = list(
        Result.objects.filter(
            instansi_id=run.instansi_id,
            run__period=run.period,
            employee_id__in=employee_ids,
        )
        .exclude(run=run)
        .values_list("run_id", "employee_id")
    )
    if not held:
        return set()
    by_run: dict[int, list[int]] = defaultdict(list)
    for run_id, emp in held:
        by_run[run_id].append(emp)
    paid_elsewhere: set[int] = set()
    for other in Run.objects.select_for_update().filter(pk__in=list(by_run)).order_by("pk"):
        if other.state in LOCKED_STATES:
            paid_elsewhere.update(by_run[other.pk])
            continue
        before = snapshot(other)
        Result.objects.filter(run=other, employee_id__in=by_run[other.pk]).delete()
        _list_changed(other)
        audit_record(
            action="tpp.run.transfer",
            actor=actor,
            instansi=other.instansi,
            obj=other,
            before=before,
            after=snapshot(other),
            reason=f"{len(by_run[other.pk])} pegawai kini dihitung pada TPP "
            f"{Period.parse(run.period).label} {run.unit.name}",
        )
    return paid_elsewhere


@transaction.atomic
def _store(
    actor,
    run: Run,
    gathered: selectors.Gathered,
    computed,
    digest: Future[tuple[str, dict]],
    job: str | None = None,
) -> Run:
    run = Run.objects.select_for_update().get(pk=run.pk)
    if job is not None and run.job_id != job:
        # Another delivery of this job stored its result first (or a newer request replaced it):
        # what has been done since (a verification, a lock) stays.
        return run
    # Checked again under the lock: another account may have locked the month meanwhile.
    _transition(run, S.COMPUTED)
    before = snapshot(run)
    withheld, released, adjustment = _payments(run.instansi_id, gathered.period)
    Result.objects.filter(run=run).delete()
    have = {e for e, _ in computed}
    if run.unit_id is not None:
        paid_elsewhere = _claim_from_other_unit_runs(actor, run, [e for e, _ in computed])
        computed = [(e, res) for e, res in computed if e not in paid_elsewhere]
    rows = []
    for emp_id, res in computed:
        info = gathered.info[emp_id]
        rows.append(
            {
                **_row_identity(run, info),
                "ceiling": res.ceiling,
                "gross": res.gross,
                "pph21": res.pph21,
                "health_insurance": res.health_insurance,
                "net": res.net,
                **_payment_fields(emp_id, res.net, withheld, released, adjustment),
                "detail": _detail(res, info),
            }
        )
    rows.extend(_payment_only_rows(run, gathered.period, have, withheld, released, adjustment))
    for i in range(0, len(rows), BATCH):
        _insert_batch(rows[i : i + BATCH])
    run.policy = gathered.policy_row
    run.policy_data = gathered.policy_row.data
    run.input_digest, each = digest.result()
    # Each listed employee's own digest, for the staleness check of verify and lock.
    listed = {str(emp) for emp, _res in computed}
    RunInputs.objects.filter(run=run).delete()
    RunInputs.objects.create(
        run=run,
        instansi_id=run.instansi_id,
        digests={emp: d for emp, d in each.items() if emp in listed},
    )
    run.unfinished_days = gathered.unfinished_days
    run.without_attendance = sum(
        1
        for _e, res in computed
        if res.days_in_post and res.attendance.absent_without_notice >= res.days_in_post
    )
    run.computed_by = actor if actor and actor.pk else None
    run.computed_at = timezone.now()
    # A "Verifikasi" waiting in the queue was asked on the figures just replaced: it is dropped
    # (run_check_job finds no job of its own), and the page says why, so nobody is recorded as
    # having verified figures they never saw.
    waiting = (
        Run.objects.filter(pk=run.pk).exclude(check_job="").values_list("check_action", flat=True)
    ).first()
    if waiting:
        run.check_job, run.check_progress, run.check_queued_at = "", 0, None
        run.check_error = (
            "Daftar TPP dihitung ulang sebelum pemeriksaan yang diminta berjalan, sehingga "
            "pemeriksaan itu dibatalkan: periksa angka yang baru, lalu ulangi."
        )
    run.verified_by = None
    run.verified_at = None
    run.progress = 100
    run.job_id = ""
    run.job_queued_at = None
    run.error = ""
    _refresh_totals(run)
    run.save()
    audit_record(
        action="tpp.run.compute",
        actor=actor,
        instansi=run.instansi,
        obj=run,
        before=before,
        after=snapshot(run),
    )
    return run


def _refuse_before_inputs(actor: User | None, run: Run, action: str) -> None:
    """Every refusal of verify (`action` "verify") or lock ("lock") but the input check, in the
    order the officer meets them: who may, the state, a compute on its way, the month not over,
    someone missing, another policy, changed predicates. A few queries; `run.state` is set to
    the target when they pass."""
    doing = CHECK_ACTIONS[action]
    if action == "lock":
        if actor is None:
            raise PermissionDenied("Penguncian harus dilakukan oleh akun BKPSDM.")
        _require(actor, Role.BKPSDM, instansi=run.instansi_id)
        refusal = first_hand_refusal(run, actor)
        if refusal:
            raise PermissionDenied(refusal)
        if actor.pk in _list_changers(run):
            raise PermissionDenied(
                "Yang menahan, melepas atau mengoreksi TPP dalam daftar ini tidak boleh mengunci: "
                "penguncian harus oleh akun BKPSDM lain."
            )
    else:
        _require(actor, Role.BKPSDM, instansi=run.instansi_id)
    _transition(run, S.VERIFIED if action == "verify" else S.LOCKED)
    _refuse_while_computing(run, doing)
    _refuse_unfinished(run, doing)
    _refuse_incomplete(run, doing)
    _refuse_stale_policy(run, doing)
    _refuse_stale_predicates(run, doing)


@transaction.atomic
def run_verify(
    *, actor: User, run: Run, note: str = "", inputs: InputsChecked | None = None
) -> Run:
    """BKPSDM checks the computed list and marks it verified, once its month has ended. `inputs`:
    the input check the background job made just before (run_check_job)."""
    _require(actor, Role.BKPSDM, instansi=run.instansi_id)
    run = Run.objects.select_for_update().select_related("instansi").get(pk=run.pk)
    before = snapshot(run)
    _refuse_before_inputs(actor, run, "verify")
    _refuse_stale_inputs(run, "diverifikasi", inputs)
    run.verified_by = actor
    run.verified_at = timezone.now()
    run.save(update_fields=["state", "verified_by", "verified_at"])
    audit_record(
        action="tpp.run.verify",
        actor=actor,
        instansi=run.instansi,
        obj=run,
        before=before,
        after=snapshot(run),
        reason=note,
    )
    return run


#: What a background check does when the inputs did not change, and its word in refusals.
CHECK_ACTIONS = {"verify": "diverifikasi", "lock": "dikunci"}


def run_check_start(*, actor: User, run: Run, action: str) -> str:
    """Ask for "Verifikasi" (`action` "verify") or "Setujui dan kunci" ("lock") of a list as a
    background job, and return its token (for tasks.run_check_task). Everything quick is refused
    here at once, as run_verify and run_lock would (the officer need not wait for a job to hear
    that the month is not over); the input check, which gathers the month again (6 s at 20,000
    employees), is the job's, with progress on the page. A check already on its way is not asked
    twice (unless it stalled: Run.check_stalled)."""
    if action not in CHECK_ACTIONS:
        raise ValueError(action)
    probe = Run.objects.select_related("instansi").get(pk=run.pk)
    _refuse_before_inputs(actor, probe, action)
    with transaction.atomic():
        row = Run.objects.select_for_update().get(pk=run.pk)
        if row.check_job and not row.check_stalled:
            raise ValidationError(
                {
                    "period": f"Daftar TPP {Period.parse(row.period).label} sedang diperiksa ulang "
                    "sebelum diverifikasi atau dikunci; tunggu sampai pemeriksaan selesai."
                }
            )
        token = uuid.uuid4().hex
        Run.objects.filter(pk=run.pk).update(
            check_job=token,
            check_action=action,
            check_progress=0,
            check_queued_at=timezone.now(),
            check_error="",
        )
    return token


def run_check_unqueued(run: Run, job: str) -> None:
    """The queue refused the check run_check_start asked for: the run no longer waits for it (the
    button comes back at once rather than after the stalled-check delay)."""
    Run.objects.filter(pk=run.pk, check_job=job).update(
        check_job="", check_progress=0, check_queued_at=None
    )


def run_check_job(
    *, actor: User | None, run_id: int, action: str, job: str, note: str = ""
) -> Run | None:
    """The background job of run_check_start: the input check with progress in Run.check_progress,
    then run_verify or run_lock with its answer (every other refusal checked again under the row
    lock; a list computed again meanwhile is refused). A refusal is kept in Run.check_error for
    the page; the verified or locked run is returned (None when refused, or when the run no longer
    waits for `job`: a duplicate delivery does nothing)."""
    rows = Run.objects.filter(pk=run_id, check_job=job)
    run = rows.select_related("instansi", "unit", "policy").first()
    if run is None:
        return None

    def say(pct: int) -> None:
        rows.update(check_progress=max(1, min(pct, 99)))

    try:
        if actor is None:
            raise PermissionDenied(
                "Akun yang meminta pemeriksaan ini sudah tidak ada; ulangi dari akun BKPSDM."
            )
        say(1)
        checked = InputsChecked(
            run.computed_at, selectors.inputs_changed(run, limit=3, progress=say)
        )
        with transaction.atomic():
            if action == "verify":
                run = run_verify(actor=actor, run=run, note=note, inputs=checked)
            else:
                run = run_lock(actor=actor, run=run, inputs=checked)
            rows.update(check_job="", check_progress=0, check_queued_at=None, check_error="")
        return run
    except (ValidationError, PermissionDenied) as exc:
        reason = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        rows.update(check_job="", check_progress=0, check_queued_at=None, check_error=reason)
        return None
    except Exception as exc:
        log.exception("Pemeriksaan daftar TPP %s gagal", run.period)
        rows.update(
            check_job="",
            check_progress=0,
            check_queued_at=None,
            check_error=f"Pemeriksaan gagal karena kesalahan sistem ({type(exc).__name__}); "
            "hubungi Diskominfo.",
        )
        raise


def _list_changers(run: Run) -> set[int]:
    """Who changed what the run's list pays besides computing it: withheld, released or adjusted TPP
    of one of its employees for its month (three queries). Like whoever computed, none of them may
    lock it: a change and its approval are two people's work."""
    period = run.period
    in_run = Result.objects.filter(run=run).values("employee_id")
    scope = {"instansi_id": run.instansi_id, "employee_id__in": in_run}
    changers = set(
        Withholding.objects.filter(period=period, **scope).values_list("created_by_id", flat=True)
    )
    changers |= set(
        Withholding.objects.filter(released_period=period, **scope).values_list(
            "released_by_id", flat=True
        )
    )
    changers |= set(
        Adjustment.objects.filter(target_period=period, carried=False, **scope).values_list(
            "created_by_id", flat=True
        )
    )
    return changers - {None}


def first_hand_refusal(run: Run, user: User) -> str:
    """Why `user` may not lock the list as the second pair of eyes ("" when they may): they
    computed it, or, for a list the system computed (a job without an officer, the demo), they
    verified it, being then its first person. The page hides the lock form on the same rule."""
    if run.computed_by_id is not None and run.computed_by_id == user.pk:
        return "Yang menghitung tidak boleh mengunci: penguncian harus oleh akun BKPSDM lain."
    if run.computed_by_id is None and run.verified_by_id == user.pk:
        return (
            "Daftar ini dihitung oleh sistem dan Anda yang memverifikasinya: penguncian harus oleh "
            "akun BKPSDM lain."
        )
    return ""


@transaction.atomic
def run_lock(*, actor: User, run: Run, inputs: InputsChecked | None = None) -> Run:
    """A second BKPSDM account approves the verified list; from then on the month never changes.
    Whoever computed the list cannot lock it (four-eyes principle; for a list the system computed,
    whoever verified it), and a month is locked only once
    it has ended (in the instansi's own zone). `inputs`: the input check the background job made
    just before (run_check_job)."""
    if actor is None:
        raise PermissionDenied("Penguncian harus dilakukan oleh akun BKPSDM.")
    _require(actor, Role.BKPSDM, instansi=run.instansi_id)
    run = Run.objects.select_for_update().select_related("instansi").get(pk=run.pk)
    before = snapshot(run)
    _refuse_before_inputs(actor, run, "lock")
    _refuse_stale_inputs(run, "dikunci", inputs)
    run.locked_by = actor
    run.locked_at = timezone.now()
    run.save(update_fields=["state", "locked_by", "locked_at"])
    audit_record(
        action="tpp.run.lock",
        actor=actor,
        instansi=run.instansi,
        obj=run,
        before=before,
        after=snapshot(run),
    )
    _carry_unrecovered(actor, run)
    return run


def _carry_unrecovered(actor: User, run: Run) -> list[Adjustment]:
    """A recovery (negative adjustment) larger than what its month pays is not lost: when the month
    is locked, what is left (net + released + adjustment, below zero) is recorded as an adjustment
    of the first unlocked month after it, marked `carried` and audited, until it is recovered. Not
    for rows of someone without a post in the month (payment only): TPP can no longer recover from
    them, BPKAD does it outside TPP. One query, plus a few per employee concerned (a rare case)."""
    period = Period.parse(run.period)
    short = (
        Result.objects.filter(run=run)
        .alias(total=_month_total_sql())
        .filter(total__lt=0)
        .select_related("employee", "employee__instansi")
        .order_by("employee_id")
    )
    carried = []
    for result in short:
        rest = carried_rest(result)
        if not rest:
            continue
        remainder = -rest
        target = _first_unlocked_after(run.instansi_id, period, result.employee)
        adj = Adjustment.objects.create(
            instansi_id=run.instansi_id,
            employee=result.employee,
            source_period=run.period,
            target_period=str(target),
            amount=remainder,
            reason=(
                f"Sisa potongan koreksi yang tidak tertutup TPP {period.label} "
                f"({format_rupiah(-remainder)})"
            ),
            carried=True,
            created_by=actor,
        )
        _refresh_result(actor, result.employee, target)
        audit_record(
            action="tpp.adjustment.carry",
            actor=actor,
            instansi=run.instansi,
            obj=adj,
            after=snapshot(adj),
            reason=f"{format_rupiah(remainder)} dari {period.label} ke {target.label}",
        )
        carried.append(adj)
    return carried


@transaction.atomic
def run_mark_exported(*, actor: User | None, run: Run, what: str = "") -> Run:
    """A payroll document of a locked run was produced (BPKAD/BKPSDM). The first export moves the
    run to exported; every export is recorded."""
    _require(actor, Role.BKPSDM, Role.BPKAD, instansi=run.instansi_id)
    run = Run.objects.select_for_update().get(pk=run.pk)
    before = snapshot(run)
    _transition(run, S.EXPORTED)
    if run.exported_at is None:
        run.exported_at = timezone.now()
    run.save(update_fields=["state", "exported_at"])
    audit_record(
        action="tpp.run.export",
        actor=actor,
        instansi=run.instansi,
        obj=run,
        before=before,
        after=snapshot(run),
        reason=what,
    )
    return run


# --------------------------------------------------------------------------------------------------
# Withholding and release


def _run_holding(employee: Employee, period: Period) -> tuple[Run | None, Result | None]:
    result = (
        Result.objects.select_related("run")
        .filter(instansi_id=employee.instansi_id, employee=employee, run__period=str(period))
        .first()
    )
    if result is not None:
        return result.run, result
    return None, None


def _period_locked(instansi_id: int, period: Period, employee: Employee) -> bool:
    run, _ = _run_holding(employee, period)
    if run is not None:
        return run.state in LOCKED_STATES
    # No result for the employee (a hire or transfer recorded after the run): the month is locked if
    # a whole-instansi run is, or the locked unit run whose subtree holds their last post in it.
    locked = list(
        Run.objects.filter(instansi_id=instansi_id, period=str(period), state__in=LOCKED_STATES)
    )
    return _paying_run(employee, period, locked) is not None


def _paying_run(employee: Employee, period: Period, runs: list[Run]) -> Run | None:
    """Of the month's `runs`, the one whose list holds the employee: the whole-instansi run, or the
    unit run whose subtree holds their post in the month or, for someone who has left, their last
    one (the unit that pays what is still due to them: selectors.payment_only_info). Two queries."""
    whole = next((r for r in runs if r.unit_id is None), None)
    if whole is not None or not runs:
        return whole
    post_unit = (
        Assignment.objects.filter(
            employee=employee, kind=Assignment.Kind.DEFINITIF, start__lte=period.last_day
        )
        .order_by("-start", "-id")
        .values_list("position__unit_id", flat=True)
        .first()
    )
    if post_unit is None:
        return None
    tree = selectors.UnitTree.load(employee.instansi_id)
    return next((r for r in runs if post_unit in tree.subtree(r.unit_id)), None)


def _refresh_result(actor, employee: Employee, period: Period) -> None:
    """Re-apply withholdings, releases and adjustments to the employee's stored result of an unlocked
    month (if any) and the run's totals. A verified run goes back to computed: its list changed."""
    run, result = _run_holding(employee, period)
    if run is None:
        _add_payment_only_row(actor, employee, period)
        return
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.state in LOCKED_STATES:
        raise ValidationError(
            {"period": f"TPP {period.label} sudah dikunci dan tidak dapat diubah."}
        )
    withheld, released, adjustment = _payments(run.instansi_id, period, [employee.id])
    _apply_payments(result, withheld, released, adjustment)
    result.save(update_fields=["withheld", "withheld_reason", "released", "adjustment", "payable"])
    _changed_by_payment(actor, run)


def _add_payment_only_row(actor, employee: Employee, period: Period) -> None:
    """Someone with no definitif post in the month (retired, moved away) has no row in its computed
    list. A release or adjustment due to them in it gets a payment-only row in the unlocked run
    that pays their last post (the whole-instansi run, or the unit run whose subtree holds it), so
    locking that list does not drop it. Nothing when the month is not computed yet (its compute
    adds the row) or when they have a post in the month (a hire after the run: recomputing adds
    them with their own TPP)."""
    has_post = (
        Assignment.objects.filter(
            employee=employee, kind=Assignment.Kind.DEFINITIF, start__lte=period.last_day
        )
        .filter(Q(end__isnull=True) | Q(end__gte=period.first_day))
        .exists()
    )
    if has_post:
        return
    runs = list(
        Run.objects.select_for_update()
        .filter(instansi_id=employee.instansi_id, period=str(period))
        .exclude(state__in=[S.OPEN, *LOCKED_STATES])
    )
    run = _paying_run(employee, period, runs)
    if run is None:
        return
    withheld, released, adjustment = _payments(run.instansi_id, period, [employee.id])
    rows = _payment_only_rows(run, period, set(), withheld, released, adjustment)
    if rows:
        _insert_batch(rows)
        _changed_by_payment(actor, run)


def _changed_by_payment(actor, run: Run) -> None:
    """A withholding, release or adjustment changed the run's list: totals refreshed, and a verified
    list back to computed (audited)."""
    before = snapshot(run)
    _list_changed(run)
    if before["state"] != run.state:
        audit_record(
            action="tpp.run.unverify",
            actor=actor,
            instansi=run.instansi,
            obj=run,
            before=before,
            after=snapshot(run),
            reason="Daftar berubah karena penahanan/pelepasan/koreksi; perlu diverifikasi ulang.",
        )


#: The longest reason of a withholding (its column; shown in the list's remarks).
REASON_MAX = 255


@transaction.atomic
def withholding_create(
    *, actor: User, employee: Employee, period: Period, reason: str
) -> Withholding:
    """BKPSDM holds an employee's TPP for a month pending a required document (monthly SKP, LHKPN).
    The month's list shows it as withheld with payable 0; it is paid in the month it is released.
    A locked month cannot be withheld any more."""
    _require(actor, Role.BKPSDM)
    if employee.instansi_id != actor.instansi_id:
        raise PermissionDenied("Pegawai instansi lain.")
    if not reason.strip():
        raise ValidationError({"reason": "Alasan penahanan wajib diisi."})
    if len(reason.strip()) > REASON_MAX:
        raise ValidationError(
            {"reason": f"Alasan paling banyak {REASON_MAX} karakter (kini {len(reason.strip())})."}
        )
    if _period_locked(employee.instansi_id, period, employee):
        raise ValidationError({"period": f"TPP {period.label} sudah dikunci; tidak dapat ditahan."})
    if Withholding.objects.filter(employee=employee, period=str(period)).exists():
        raise ValidationError({"period": f"TPP {period.label} pegawai ini sudah ditahan."})
    w = Withholding.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        period=str(period),
        reason=reason.strip(),
        created_by=actor,
    )
    _refresh_result(actor, employee, period)
    audit_record(
        action="tpp.withhold",
        actor=actor,
        instansi=employee.instansi,
        obj=w,
        after=snapshot(w),
        reason=reason,
    )
    return w


@transaction.atomic
def withholding_release(
    *, actor: User, withholding: Withholding, period: Period | None = None, note: str = ""
) -> Withholding:
    """Release a withholding. While the held month is not locked, it is simply paid in that month.
    Once it is locked, the held amount (that month's net plus its releases and adjustments) is paid
    in `period`, an unlocked later month (default: the first unlocked month after the held one)."""
    _require(actor, Role.BKPSDM)
    w = Withholding.objects.select_for_update().select_related("employee").get(pk=withholding.pk)
    if w.instansi_id != actor.instansi_id:
        raise PermissionDenied("Data instansi lain.")
    _refuse_own(actor, w.employee, "released_period")
    if w.released_period:
        raise ValidationError({"released_period": "Penahanan ini sudah dilepas."})
    held = Period.parse(w.period)
    before = snapshot(w)
    if not _period_locked(w.instansi_id, held, w.employee):
        w.released_period = w.period
        w.amount = None
        target = held
    else:
        _run, held_result = _run_holding(w.employee, held)
        w.amount = due_amount(held_result) if held_result is not None else ZERO
        target = period or _first_unlocked_after(w.instansi_id, held, w.employee)
        if target <= held:
            raise ValidationError(
                {"released_period": "Bulan pembayaran harus sesudah bulan yang ditahan."}
            )
        if _period_locked(w.instansi_id, target, w.employee):
            raise ValidationError(
                {"released_period": f"TPP {target.label} sudah dikunci; pilih bulan lain."}
            )
        w.released_period = str(target)
    w.released_by = actor
    w.released_at = timezone.now()
    w.save()
    _refresh_result(actor, w.employee, target)
    audit_record(
        action="tpp.withhold.release",
        actor=actor,
        instansi=w.employee.instansi,
        obj=w,
        before=before,
        after=snapshot(w),
        reason=note,
    )
    return w


def _first_unlocked_after(instansi_id: int, period: Period, employee: Employee) -> Period:
    p = period.next()
    for _ in range(36):
        if not _period_locked(instansi_id, p, employee):
            return p
        p = p.next()
    raise ValidationError({"released_period": "Tidak ada bulan terbuka untuk pembayaran."})


# --------------------------------------------------------------------------------------------------
# Adjustments to locked months

#: No correction is larger than this (Rp1.000.000.000), whoever it is for: an amount like it is a
#: typing error (and one of more than 16 digits would not even fit the column).
ADJUSTMENT_MAX = Decimal(1_000_000_000)
#: A correction to one month is at most this many months' full TPP ceiling of the employee.
ADJUSTMENT_CEILING_MONTHS = 12


def adjustment_limit(employee: Employee, source_period: Period) -> Decimal:
    """The largest amount (positive or negative) a correction of the employee's TPP of the locked
    month may have: 12 times their full-month ceiling in that month's list (a ceiling prorated for
    part of the month counted for the whole month), never more than ADJUSTMENT_MAX. Someone with no
    ceiling in the list (not in it, a payment-only row) has ADJUSTMENT_MAX."""
    _run, result = _run_holding(employee, source_period)
    ceiling = result.ceiling if result is not None else ZERO
    detail = (result.detail or {}) if result is not None else {}
    days, working = detail.get("days_in_post") or 0, detail.get("working_days") or 0
    if ceiling > 0 and 0 < days < working:
        ceiling = ceiling * working / days
    if ceiling <= 0:
        return ADJUSTMENT_MAX
    return min(ADJUSTMENT_MAX, (ceiling * ADJUSTMENT_CEILING_MONTHS).to_integral_value())


@transaction.atomic
def adjustment_record(
    *,
    actor: User,
    employee: Employee,
    source_period: Period,
    amount: Decimal,
    reason: str,
) -> Adjustment:
    """A correction to a locked month: the locked month never changes; the difference (positive:
    paid more, negative: recovered) is paid in the first unlocked month after it. Never by the
    employee themselves (_refuse_own)."""
    _require(actor, Role.BKPSDM)
    if employee.instansi_id != actor.instansi_id:
        raise PermissionDenied("Pegawai instansi lain.")
    _refuse_own(actor, employee, "nip")
    if not isinstance(amount, Decimal) or amount != amount.to_integral_value():
        raise ValidationError({"amount": "Jumlah koreksi harus rupiah bulat."})
    if amount == 0:
        raise ValidationError({"amount": "Jumlah koreksi tidak boleh nol."})
    if abs(amount) > ADJUSTMENT_MAX:
        raise ValidationError(
            {
                "amount": f"Jumlah koreksi {format_rupiah(amount)} tidak wajar: paling banyak "
                f"{format_rupiah(ADJUSTMENT_MAX)} (positif atau negatif)."
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "Alasan koreksi wajib diisi."})
    if not _period_locked(employee.instansi_id, source_period, employee):
        raise ValidationError(
            {
                "source_period": f"TPP {source_period.label} belum dikunci: hitung ulang bulan itu, "
                "tidak perlu koreksi."
            }
        )
    limit = adjustment_limit(employee, source_period)
    if abs(amount) > limit:
        why = (
            f", {ADJUSTMENT_CEILING_MONTHS} kali pagu TPP sebulan {employee.name} pada "
            f"{source_period.label}"
            if limit < ADJUSTMENT_MAX
            else ""
        )
        raise ValidationError(
            {
                "amount": f"Jumlah koreksi {format_rupiah(amount)} tidak wajar: paling banyak "
                f"{format_rupiah(limit)} (positif atau negatif){why}."
            }
        )
    target = _first_unlocked_after(employee.instansi_id, source_period, employee)
    adj = Adjustment.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        source_period=str(source_period),
        target_period=str(target),
        amount=amount,
        reason=reason.strip(),
        created_by=actor,
    )
    _refresh_result(actor, employee, target)
    audit_record(
        action="tpp.adjustment.record",
        actor=actor,
        instansi=employee.instansi,
        obj=adj,
        after=snapshot(adj),
        reason=f"{reason} ({format_rupiah(amount)} ke {target.label})",
    )
    return adj
