"""Simulating a draft policy on a past month, before it is adopted (issue 6).

`simulate_policy(instansi, policy_row, period)` computes the month with the draft through the same
path as `services.run_compute` (`selectors.gather` with the draft as the policy, then
`calculator.calculate` for each employee) and compares each employee with the baseline:

- the stored results of the month's run(s) when the month has been computed (any state from
  computed to exported; a locked month's figures are what was paid), or
- a computation of the month with the policy in force on its first day (`selectors.policy_for`),
  for every employee when nothing is stored (or when asked: `baseline="policy"`), and for the
  employees a stored run does not hold (unit runs that do not cover every unit).

It reads only: no Run, Result or audit row is written, and the number of queries does not depend on
the number of employees (two gathers at most, one read of the stored results, one of the units).

Around it, `simulation_start` (BKPSDM) records a `Simulation` to be computed by the Celery task
`tasks.simulate_policy_task` (inline without Redis, as the monthly run), which calls
`simulation_compute`: it writes the progress (at most about ten small updates) and then the rows and
totals in one transaction, so the page can filter and page through 20,000 employees without
computing again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import Period
from ekinerja.org.models import Role

from . import selectors
from .calculator import TppResult, calculate
from .models import Adjustment, Result, Run, Simulation, SimulationRow, Withholding
from .models import Policy as PolicyRow
from .policy import PolicyError, policy_from_dict

log = logging.getLogger(__name__)
ZERO = Decimal(0)

#: What is compared for "which components changed", with the page's labels. Money first.
MONEY_KEYS = {
    "ceiling": "Pagu",
    "attendance": "Kehadiran",
    "activity": "Aktivitas",
    "skp": "SKP",
    "pph21": "PPh 21",
    "health_insurance": "Iuran BPJS",
}
PCT_KEYS = {
    "floor_pct": "Faktor kehadiran minimum",
    "sentence_pct": "Potongan hukuman disiplin",
}
CHANGE_LABELS = {**MONEY_KEYS, **PCT_KEYS}

#: Up to this many employees without a stored result are gathered by id (a shorter gather); more
#: than that, the whole month is gathered for the baseline.
FEW_MISSING = 500
#: Keep at most this many simulations per instansi (the oldest go first).
KEEP_PER_INSTANSI = 30
BATCH = 2000


# --------------------------------------------------------------------------------------------------
# The comparison (reads only)


@dataclass(frozen=True)
class Figures:
    """What is compared of one employee's month. Money in whole rupiah, percentages as Decimal."""

    gross: Decimal
    net: Decimal
    values: dict[str, Decimal]  # MONEY_KEYS and PCT_KEYS

    @classmethod
    def of_result(cls, res: TppResult) -> Figures:
        values = {
            "ceiling": res.ceiling,
            "attendance": res.amount("attendance"),
            "activity": res.amount("activity"),
            "skp": res.amount("skp"),
            "pph21": res.pph21,
            "health_insurance": res.health_insurance,
            "floor_pct": _pct(res.floor_pct),
            "sentence_pct": _pct(res.sentence_pct),
        }
        return cls(res.gross, res.net, values)


def _pct(value) -> Decimal:
    """A percentage compared at 4 decimals (stored explanations keep them as JSON numbers)."""
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.0001"))


def _money(value) -> Decimal:
    return Decimal(str(value if value is not None else 0))


@dataclass
class EmployeeDiff:
    employee_id: int
    nip: str
    name: str
    unit_id: int | None
    old: Figures | None  # None: the baseline has no figure for the employee
    new: Figures | None  # None: not in the month's data any more (a stored result only)

    @property
    def old_gross(self) -> Decimal | None:
        return self.old.gross if self.old else None

    @property
    def old_net(self) -> Decimal | None:
        return self.old.net if self.old else None

    @property
    def new_gross(self) -> Decimal | None:
        return self.new.gross if self.new else None

    @property
    def new_net(self) -> Decimal | None:
        return self.new.net if self.new else None

    @property
    def difference(self) -> Decimal:
        """Net, new minus old; a missing side counts as 0."""
        return (self.new_net or ZERO) - (self.old_net or ZERO)

    @property
    def gross_difference(self) -> Decimal:
        return (self.new_gross or ZERO) - (self.old_gross or ZERO)

    @property
    def changes(self) -> dict[str, tuple[Decimal, Decimal]]:
        """The compared figures that differ, in MONEY_KEYS/PCT_KEYS order (empty when a side is
        missing)."""
        if self.old is None or self.new is None:
            return {}
        return {
            key: (self.old.values[key], self.new.values[key])
            for key in CHANGE_LABELS
            if self.old.values[key] != self.new.values[key]
        }


@dataclass
class UnitDiff:
    unit_id: int | None
    code: str
    name: str
    employees: int = 0
    old_gross: Decimal = ZERO
    new_gross: Decimal = ZERO
    old_net: Decimal = ZERO
    new_net: Decimal = ZERO
    up: int = 0
    down: int = 0
    same: int = 0

    @property
    def difference(self) -> Decimal:
        return self.new_net - self.old_net

    @property
    def gross_difference(self) -> Decimal:
        return self.new_gross - self.old_gross

    def add(self, row: EmployeeDiff) -> None:
        self.employees += 1
        self.old_gross += row.old_gross or ZERO
        self.new_gross += row.new_gross or ZERO
        self.old_net += row.old_net or ZERO
        self.new_net += row.new_net or ZERO
        d = row.difference
        if d > 0:
            self.up += 1
        elif d < 0:
            self.down += 1
        else:
            self.same += 1


@dataclass
class Simulated:
    period: Period
    policy_name: str
    baseline: dict  # kind ("run", "policy", "mixed", "none"), label, and the counts behind it
    rows: list[EmployeeDiff] = field(default_factory=list)
    units: list[UnitDiff] = field(default_factory=list)  # by absolute net difference, largest first
    total: UnitDiff = field(default_factory=lambda: UnitDiff(None, "", "Jumlah"))


def _draft(policy_row: PolicyRow):
    try:
        return policy_from_dict(policy_row.data)
    except PolicyError as exc:
        raise ValidationError(
            {"policy": "Draf kebijakan belum valid; perbaiki dan simpan dulu."}
        ) from exc


def _stored(instansi: Instansi, period: Period) -> tuple[dict[int, tuple], list[Run]]:
    """The month's stored results (one query, the explanation's component amounts read by key, not
    the whole JSON) and its runs (one query)."""
    runs = list(
        Run.objects.filter(instansi=instansi, period=str(period))
        .exclude(state=Run.State.OPEN)
        .select_related("unit")
        .order_by("unit__code")
    )
    if not runs:
        return {}, runs
    rows = Result.objects.filter(instansi=instansi, run__in=[r.pk for r in runs]).values_list(
        "employee_id",
        "nip",
        "name",
        "unit_id",
        "gross",
        "net",
        "ceiling",
        "pph21",
        "health_insurance",
        "detail__attendance__amount",
        "detail__activity__amount",
        "detail__skp__amount",
        "detail__floor_pct",
        "detail__sentence_pct",
        "detail__payment_only",
    )
    out = {}
    for row in rows:
        emp, nip, name, unit_id, gross, net, ceiling, pph, health, att, act, skp, fl, sen, only = (
            row
        )
        if only:
            continue  # a release or adjustment paid to someone with nothing computed: not compared
        values = {
            "ceiling": ceiling,
            "attendance": _money(att),
            "activity": _money(act),
            "skp": _money(skp),
            "pph21": pph,
            "health_insurance": health,
            "floor_pct": _pct(fl if fl is not None else 100),
            "sentence_pct": _pct(sen),
        }
        out[emp] = (nip, name, unit_id, Figures(gross, net, values))
    return out, runs


def _run_label(runs: list[Run], period: Period) -> str:
    if len(runs) == 1 and runs[0].unit_id is None:
        return f"hasil perhitungan TPP {period.label} (status: {runs[0].get_state_display()})"
    states = sorted({r.get_state_display() for r in runs})
    return (
        f"hasil {len(runs)} perhitungan per unit TPP {period.label} (status: {', '.join(states)})"
    )


def simulate_policy(
    instansi: Instansi,
    policy_row: PolicyRow,
    period: Period,
    *,
    baseline: str = Simulation.Baseline.AUTO,
    progress: Callable[[int], None] | None = None,
    only_run: Run | None = None,
) -> Simulated:
    """The month computed with `policy_row` (whatever its effective date) beside the baseline, per
    employee and per paying unit (OPD). Writes nothing. See the module docstring. With `only_run`
    (a locked list's recheck) only that list's employees, and those of its unit no list of the
    month holds, are compared, beside its own stored results (another unit's employees belong to
    that unit's list), and one without a stored result has no baseline (Rp0): nothing was paid
    to them."""
    say = progress or (lambda _pct: None)
    draft = _draft(policy_row)
    say(5)
    gathered = selectors.gather(
        instansi,
        period,
        only_run.unit if only_run is not None else None,
        policy=draft,
        policy_row=policy_row,
    )
    say(30)
    new: dict[int, Figures] = {}
    total = len(gathered.months) or 1
    ticks = {-(-total * k // 4) for k in range(1, 5)}
    for i, (emp_id, month) in enumerate(gathered.months.items(), start=1):
        new[emp_id] = Figures.of_result(calculate(draft, month))
        if i in ticks:
            say(30 + int(35 * i / total))

    stored, runs = ({}, []) if baseline == Simulation.Baseline.POLICY else _stored(instansi, period)
    if only_run is not None:
        mine = set(Result.objects.filter(run=only_run).values_list("employee_id", flat=True))
        new = {emp: f for emp, f in new.items() if emp in mine or emp not in stored}
        stored = {emp: v for emp, v in stored.items() if emp in mine}
        runs = [r for r in runs if r.pk == only_run.pk]
    old: dict[int, Figures] = {emp: v[3] for emp, v in stored.items()}
    missing = [emp for emp in new if emp not in old] if only_run is None else []
    computed_old = 0
    in_force = None
    if missing:
        in_force = selectors.policy_for(instansi, period)
        if in_force is not None:
            # Only the missing employees when they are few (a shorter gather), all of them otherwise.
            ids = missing if len(missing) <= FEW_MISSING else None
            base = selectors.gather(
                instansi,
                period,
                policy=policy_from_dict(in_force.data),
                policy_row=in_force,
                employee_ids=ids,
            )
            wanted = set(missing)
            for emp_id, month in base.months.items():
                if emp_id in wanted:
                    old[emp_id] = Figures.of_result(calculate(base.policy, month))
                    computed_old += 1
    say(85)

    stored_used = len(stored)
    if stored_used and not computed_old:
        kind, label = "run", _run_label(runs, period)
    elif computed_old and not stored_used:
        kind = "policy"
        label = f"perhitungan ulang dengan kebijakan yang berlaku: {in_force.name}"
    elif computed_old:
        kind = "mixed"
        label = (
            f"{_run_label(runs, period)}; pegawai tanpa hasil tersimpan dihitung dengan "
            f"kebijakan yang berlaku ({in_force.name})"
        )
    else:
        kind = "none"
        label = f"tidak ada pembanding: TPP {period.label} belum dihitung dan belum ada kebijakan berlaku"
    no_baseline = sum(1 for emp in new if emp not in old)
    result = Simulated(
        period=period,
        policy_name=draft.name,
        baseline={
            "kind": kind,
            "label": label,
            "stored": stored_used,
            "computed": computed_old,
            "without_baseline": no_baseline,
            "policy_in_force": in_force.name if in_force is not None else "",
            "runs": [
                {"id": r.pk, "unit": r.unit.name if r.unit else "", "state": r.state} for r in runs
            ],
        },
    )

    tree = selectors.UnitTree.load(instansi)
    units: dict[int | None, UnitDiff] = {}
    for emp_id in [*new, *(e for e in stored if e not in new)]:
        info = gathered.info.get(emp_id)
        if info is not None:
            e = info.employee
            nip, name, unit_id = e.nip, e.full_name[:200], info.unit_id
        else:
            nip, name, unit_id, _ = stored[emp_id]
        row = EmployeeDiff(emp_id, nip, name, unit_id, old.get(emp_id), new.get(emp_id))
        result.rows.append(row)
        if unit_id not in units:
            units[unit_id] = UnitDiff(
                unit_id,
                tree.code.get(unit_id, ""),
                tree.name.get(unit_id, "Tanpa unit"),
            )
        units[unit_id].add(row)
        result.total.add(row)
    result.units = sorted(
        units.values(), key=lambda u: (-abs(u.difference), -abs(u.gross_difference), u.code)
    )
    say(90)
    return result


# --------------------------------------------------------------------------------------------------
# Stored simulations (the page's data)


def policy_digest(policy_row: PolicyRow) -> str:
    return hashlib.sha256(
        json.dumps(policy_row.data, sort_keys=True, default=str).encode()
    ).hexdigest()


def _require_bkpsdm(actor: User | None) -> None:
    from ekinerja.org.selectors import user_roles

    if actor is not None and Role.BKPSDM not in user_roles(actor):
        raise PermissionDenied("Anda tidak berwenang melakukan tindakan ini.")


@transaction.atomic
def simulation_start(
    *,
    actor: User | None,
    policy: PolicyRow,
    period: Period,
    baseline: str = Simulation.Baseline.AUTO,
) -> Simulation:
    """Record a simulation of a draft on a month, to be computed by `simulation_compute` (the view
    queues `tasks.simulate_policy_task`). An earlier simulation of the same draft and month is
    replaced once this one is on its way (simulation_replace_earlier, called by whoever queued it:
    a new one that cannot be queued must not take the last good result with it); an instansi keeps
    its latest KEEP_PER_INSTANSI simulations. No audit record: nothing that pays or grants access
    changes."""
    _require_bkpsdm(actor)
    if actor is not None and actor.instansi_id != policy.instansi_id:
        raise PermissionDenied("Kebijakan instansi lain.")
    policy = PolicyRow.objects.select_for_update().select_related("instansi").get(pk=policy.pk)
    if policy.status != PolicyRow.Status.DRAFT:
        raise ValidationError({"status": "Hanya draf kebijakan yang dapat disimulasikan."})
    if baseline not in Simulation.Baseline.values:
        raise ValidationError({"baseline": "Pilihan pembanding tidak dikenal."})
    if period >= Period.of(local_today(policy.instansi)):
        raise ValidationError(
            {"period": "Bulan simulasi: pilih bulan yang sudah lewat (sebelum bulan berjalan)."}
        )
    _draft(policy)
    sim = Simulation.objects.create(
        instansi_id=policy.instansi_id,
        policy=policy,
        period=str(period),
        baseline_mode=baseline,
        policy_digest=policy_digest(policy),
        created_by=actor if actor is not None and actor.pk else None,
    )
    _keep_latest(policy.instansi_id)
    return sim


def _keep_latest(instansi_id: int) -> None:
    """An instansi keeps its latest KEEP_PER_INSTANSI simulations and rechecks."""
    old = Simulation.objects.filter(instansi_id=instansi_id).values_list("pk", flat=True)[
        KEEP_PER_INSTANSI:
    ]
    Simulation.objects.filter(pk__in=list(old)).delete()


@transaction.atomic
def recheck_start(*, actor: User | None, run: Run) -> Simulation:
    """Record a recheck of a locked (or exported) list, to be computed like a simulation: the month
    computed again with the policy the list used and today's data, beside what the list paid
    (`Simulation.Kind.RECHECK`). An entry approved, a leave decided or a hire recorded after the
    lock shows as a difference, which BKPSDM pays or recovers by a correction (the locked list never
    changes). Someone the list did not hold is compared with Rp0. BKPSDM of the run's instansi."""
    _require_bkpsdm(actor)
    if actor is not None and actor.instansi_id != run.instansi_id:
        raise PermissionDenied("Perhitungan instansi lain.")
    run = Run.objects.select_related("policy").get(pk=run.pk)
    if run.state not in (Run.State.LOCKED, Run.State.EXPORTED):
        raise ValidationError(
            {
                "period": "Selisih sejak dikunci hanya dapat diperiksa untuk daftar yang sudah dikunci."
            }
        )
    if run.policy is None:
        raise ValidationError({"policy": "Daftar ini tidak menyimpan kebijakan yang dipakainya."})
    sim = Simulation.objects.create(
        instansi_id=run.instansi_id,
        kind=Simulation.Kind.RECHECK,
        run=run,
        policy=run.policy,
        period=run.period,
        baseline_mode=Simulation.Baseline.AUTO,
        policy_digest=policy_digest(run.policy),
        created_by=actor if actor is not None and actor.pk else None,
    )
    _keep_latest(run.instansi_id)
    return sim


def rechecks_of(run: Run, limit: int = 3) -> list[Simulation]:
    """The latest rechecks of the run (one query)."""
    return list(
        Simulation.objects.filter(run=run, kind=Simulation.Kind.RECHECK).order_by(
            "-created_at", "-id"
        )[:limit]
    )


def recorded_corrections(sim: Simulation, employee_ids) -> dict[int, Decimal]:
    """employee id -> the corrections already recorded against the simulation's month (one
    query): what a recheck's difference still calls for is the difference less these."""
    return dict(
        Adjustment.objects.filter(
            instansi_id=sim.instansi_id,
            source_period=sim.period,
            employee_id__in=list(employee_ids),
            # A recovery carried forward at the lock (services._carry_unrecovered) is an earlier
            # correction moving on, not one of this month's.
            carried=False,
        )
        .values("employee_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("employee_id", "total")
    )


def withheld_in(sim: Simulation, employee_ids) -> set[int]:
    """Of `employee_ids`, those whose TPP of the simulation's month is withheld and not released
    yet (one query): a correction recorded for them is paid in its target month all the same, so
    the recheck says so beside the form."""
    return set(
        Withholding.objects.filter(
            instansi_id=sim.instansi_id,
            period=sim.period,
            released_period="",
            employee_id__in=list(employee_ids),
        ).values_list("employee_id", flat=True)
    )


def recheck_rows(sim: Simulation, rows) -> None:
    """Sets on each of a recheck's rows (a page of them; two queries) `recorded`, the corrections
    already recorded against its month, `due`, what its difference still calls for (the
    difference less those), and `withheld`, whether the month's TPP is still withheld."""
    ids = [r.employee_id for r in rows]
    recorded = recorded_corrections(sim, ids)
    withheld = withheld_in(sim, ids)
    for r in rows:
        r.recorded = recorded.get(r.employee_id, 0)
        r.due = r.difference - r.recorded
        r.withheld = r.employee_id in withheld


def simulation_replace_earlier(sim: Simulation) -> None:
    """Drop the earlier simulations of the same draft (or recheck) and month: `sim` replaces them."""
    Simulation.objects.filter(
        instansi_id=sim.instansi_id,
        policy_id=sim.policy_id,
        period=sim.period,
        kind=sim.kind,
        run_id=sim.run_id,
        pk__lt=sim.pk,
    ).delete()


def _set_progress(sim: Simulation, pct: int) -> None:
    sim.progress = pct
    Simulation.objects.filter(pk=sim.pk).update(progress=pct)


def simulation_failed(simulation: Simulation, reason: str) -> None:
    """Record that the simulation did not run (e.g. its job could not be queued), with the reason."""
    Simulation.objects.filter(pk=simulation.pk).update(
        status=Simulation.Status.FAILED, error=reason, finished_at=timezone.now()
    )


def simulation_compute(simulation: Simulation) -> Simulation:
    """Compute a recorded simulation and store its rows and totals (one transaction for the rows).
    A failure is recorded on the simulation with its reason, never raised to the worker: the page
    shows it. Computing again gives the same rows (a redelivered task is harmless)."""
    sim = Simulation.objects.select_related("policy", "instansi", "run__unit").get(pk=simulation.pk)
    Simulation.objects.filter(pk=sim.pk).update(
        status=Simulation.Status.RUNNING, progress=1, error=""
    )
    try:
        simulated = simulate_policy(
            sim.instansi,
            sim.policy,
            Period.parse(sim.period),
            baseline=sim.baseline_mode,
            progress=lambda pct: _set_progress(sim, pct),
            only_run=sim.run if sim.kind == Simulation.Kind.RECHECK else None,
        )
        _store(sim, simulated)
    except (ValidationError, selectors.NoPolicy) as exc:
        simulation_failed(sim, "; ".join(getattr(exc, "messages", None) or [str(exc)]))
    except Exception as exc:  # noqa: BLE001 - the page says it failed; the log has the details
        log.exception("Simulasi kebijakan %s gagal", sim.pk)
        Simulation.objects.filter(pk=sim.pk).update(
            status=Simulation.Status.FAILED,
            error=f"Simulasi gagal karena kesalahan sistem ({type(exc).__name__}).",
            finished_at=timezone.now(),
        )
    sim.refresh_from_db()
    return sim


def _as_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


@transaction.atomic
def _store(sim: Simulation, simulated: Simulated) -> None:
    if not Simulation.objects.select_for_update().filter(pk=sim.pk).exists():
        return  # replaced by a newer simulation meanwhile
    SimulationRow.objects.filter(simulation=sim).delete()
    rows = [
        SimulationRow(
            instansi_id=sim.instansi_id,
            simulation=sim,
            employee_id=r.employee_id,
            unit_id=r.unit_id,
            nip=r.nip,
            name=r.name,
            old_gross=r.old_gross,
            old_net=r.old_net,
            new_gross=r.new_gross,
            new_net=r.new_net,
            gross_difference=r.gross_difference,
            difference=r.difference,
            abs_difference=abs(r.difference),
            changes={k: [_as_text(a), _as_text(b)] for k, (a, b) in r.changes.items()},
        )
        for r in simulated.rows
    ]
    SimulationRow.objects.bulk_create(rows, batch_size=BATCH)
    t = simulated.total
    Simulation.objects.filter(pk=sim.pk).update(
        status=Simulation.Status.DONE,
        progress=100,
        error="",
        baseline=simulated.baseline,
        employees=t.employees,
        old_gross=t.old_gross,
        new_gross=t.new_gross,
        old_net=t.old_net,
        new_net=t.new_net,
        up=t.up,
        down=t.down,
        same=t.same,
        finished_at=timezone.now(),
    )


# --------------------------------------------------------------------------------------------------
# Reading a stored simulation (the page and the download)


def simulation_rows(
    sim: Simulation,
    *,
    unit_id: int | None = None,
    changed: bool = False,
    q: str = "",
    no_unit: bool = False,
) -> QuerySet[SimulationRow]:
    """The rows, largest absolute net difference first, filtered by paying unit (`no_unit`: those
    with none, the page's "Tanpa unit" row), by "changed only" (a net or gross difference, or a
    changed figure) and by NIP (prefix) or name (part)."""
    rows = SimulationRow.objects.filter(simulation=sim).select_related("unit")
    if no_unit:
        rows = rows.filter(unit__isnull=True)
    elif unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    if changed:
        rows = rows.filter(
            ~Q(difference=0)
            | ~Q(gross_difference=0)
            | Q(old_net__isnull=True)
            | Q(new_net__isnull=True)
            | ~Q(changes={})
        )
    q = q.strip()
    if q:
        rows = rows.filter(Q(nip__startswith=q) | Q(name__icontains=q))
    return rows.order_by("-abs_difference", "unit__code", "name", "nip")


def simulation_units(sim: Simulation) -> list[dict]:
    """Per paying unit: employees, old and new totals (net and gross), difference, how many gain,
    lose or stay the same (one query), largest absolute net difference first."""
    sums = ("old_gross", "new_gross", "old_net", "new_net", "difference", "gross_difference")
    rows = list(
        SimulationRow.objects.filter(simulation=sim)
        .values("unit_id", "unit__code", "unit__name")
        .annotate(
            employees=Count("id"),
            up=Count("id", filter=Q(difference__gt=0)),
            down=Count("id", filter=Q(difference__lt=0)),
            same=Count("id", filter=Q(difference=0)),
            **{f"sum_{key}": Sum(key) for key in sums},
        )
    )
    for r in rows:
        for key in sums:
            value = r.pop(f"sum_{key}")
            r[key] = value if value is not None else ZERO
    rows.sort(
        key=lambda r: (-abs(r["difference"]), -abs(r["gross_difference"]), r["unit__code"] or "")
    )
    return rows


def recent_simulations(policy: PolicyRow, limit: int = 6) -> list[Simulation]:
    return list(Simulation.objects.filter(policy=policy).order_by("-created_at", "-id")[:limit])


def change_items(changes: dict) -> list[dict]:
    """A stored row's `changes` for display: label, old, new, and whether it is money."""
    out = []
    for key in CHANGE_LABELS:
        if key in changes:
            old, new = changes[key]
            out.append(
                {
                    "key": key,
                    "label": CHANGE_LABELS[key],
                    "old": Decimal(old),
                    "new": Decimal(new),
                    "money": key in MONEY_KEYS,
                }
            )
    return out


def simulation_xlsx(sim: Simulation, rows: QuerySet[SimulationRow]) -> bytes:
    """The per-employee differences as xlsx (xlsxwriter, as the payroll documents)."""
    import io

    from ekinerja.core.spreadsheets import workbook

    out = io.BytesIO()
    wb = workbook(out)  # names stay text, never formulas
    head = wb.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "#,##0"})
    diff = wb.add_format({"border": 1, "num_format": "+#,##0;-#,##0;0"})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("Selisih per pegawai")
    period = Period.parse(sim.period)
    if sim.kind == Simulation.Kind.RECHECK:
        ws.write(0, 0, f"Selisih TPP {period.label} sejak dikunci", bold)
        ws.write(
            1,
            0,
            f"Dibayar: daftar yang dikunci; data sekarang: dihitung ulang dengan kebijakan "
            f"{sim.policy.name}",
        )
        old, new = "dibayar", "data sekarang"
    else:
        ws.write(0, 0, f"Simulasi kebijakan TPP: {sim.policy.name}", bold)
        label = sim.baseline.get("label") or "-"
        # "tidak ada pembanding: ..." is a sentence of its own, not "pembanding: tidak ada ...".
        ws.write(
            1,
            0,
            f"Bulan {period.label}; "
            + (label if sim.baseline.get("kind") == "none" else f"pembanding: {label}"),
        )
        old, new = "lama", "baru"
    header = [
        "NIP",
        "Nama",
        "Unit",
        f"Kotor {old}",
        f"Bersih {old}",
        f"Kotor {new}",
        f"Bersih {new}",
        "Selisih kotor",
        "Selisih bersih",
        "Yang berubah",
    ]
    widths = [20, 32, 30, 14, 14, 14, 14, 14, 14, 50]
    for col, (text, width) in enumerate(zip(header, widths, strict=True)):
        ws.set_column(col, col, width)
        ws.write(3, col, text, head)
    # The totals of the rows below (one query), on the line above the header, where a summary
    # stays in sight (the panes are frozen under the header) and the rows from line 5 on stay
    # one employee each: for the whole simulation the page's totals to the rupiah (an employee
    # without a baseline counts Rp0 there and adds nothing here).
    sums = rows.order_by().aggregate(
        n=Count("id"),
        **{k: Sum(k) for k in ("old_gross", "old_net", "new_gross", "new_net")},
        gross_difference=Sum("gross_difference"),
        difference=Sum("difference"),
    )
    total = wb.add_format({"bold": True, "border": 1, "bg_color": "#F4F4F4"})
    total_money = wb.add_format(
        {"bold": True, "border": 1, "bg_color": "#F4F4F4", "num_format": "#,##0"}
    )
    total_diff = wb.add_format(
        {"bold": True, "border": 1, "bg_color": "#F4F4F4", "num_format": "+#,##0;-#,##0;0"}
    )
    ws.write_string(2, 0, "Jumlah", total)
    ws.write_string(2, 1, f"{sums['n']} pegawai", total)
    ws.write_blank(2, 2, None, total)
    for col, key in enumerate(("old_gross", "old_net", "new_gross", "new_net"), start=3):
        ws.write_number(2, col, int(sums[key] or 0), total_money)
    ws.write_number(2, 7, int(sums["gross_difference"] or 0), total_diff)
    ws.write_number(2, 8, int(sums["difference"] or 0), total_diff)
    ws.write_blank(2, 9, None, total)
    ws.freeze_panes(4, 0)
    row_no = 4
    for r in rows.iterator(chunk_size=BATCH):
        ws.write_string(row_no, 0, r.nip, cell)
        ws.write_string(row_no, 1, r.name, cell)
        ws.write_string(row_no, 2, r.unit.name if r.unit else "", cell)
        for col, value in enumerate((r.old_gross, r.old_net, r.new_gross, r.new_net), start=3):
            if value is None:
                ws.write_blank(row_no, col, None, cell)
            else:
                ws.write_number(row_no, col, int(value), money)
        ws.write_number(row_no, 7, int(r.gross_difference), diff)
        ws.write_number(row_no, 8, int(r.difference), diff)
        ws.write_string(row_no, 9, change_text(r.changes), cell)
        row_no += 1
    wb.close()
    return out.getvalue()


def change_text(changes: dict) -> str:
    from ekinerja.core.money import format_rupiah

    parts = []
    for item in change_items(changes):
        if item["money"]:
            parts.append(
                f"{item['label']} {format_rupiah(item['old'])} → {format_rupiah(item['new'])}"
            )
        else:
            a = f"{item['old'].normalize():f}".replace(".", ",")
            b = f"{item['new'].normalize():f}".replace(".", ",")
            parts.append(f"{item['label']} {a}% → {b}%")
    return "; ".join(parts)
