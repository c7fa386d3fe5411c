"""Demo TPP data: the HSS-like policy (30/50/20) adopted from 1 January of the demo year, a few
discipline sentences, and, where the demo has attendance data for them, the two months before the
current one computed by the system: the earlier one verified and locked by the demo BKPSDM account
(allowed: whoever computed cannot lock, and here the system computed), so employees see their TPP and
BPKAD downloads the list; the last one computed and waiting for verification. No extra account is
created: to try the four-eyes lock on a month the demo BKPSDM account computes itself, that account
grants BKPSDM to a second one (only BKPSDM gives BKPSDM: org.services.role_grant_check).

Called by the demo runner with the same keyword arguments as every generator (see runner.py); it
must come after the generators of attendance, activities and performance. Deterministic for a given
rng. Months without any punch are not computed: without attendance data the HSS attendance floors
would pay nothing, which is right by the rules but useless as a demo.

Size: a demo of up to scope.FULL_HISTORY_LIMIT employees computes each month for the whole instansi
(`run_compute` for 20,000 employees takes minutes). A larger one computes unit runs, through the
same service, for the OPDs of the demo accounts whose whole staff has the full history (see
scope.py; BKPSDM, BPKAD and the Inspektorat at 20,000), the earlier month locked and the last one
waiting for verification, and prints that BKPSDM can compute the other units in the app (per unit:
a whole-instansi run of a month is refused once unit runs of it exist).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db.models import F

from ekinerja.core.models import Instansi, User
from ekinerja.core.money import format_rupiah
from ekinerja.core.periods import Period
from ekinerja.org.models import Employee, Role, Unit
from ekinerja.tpp import services
from ekinerja.tpp.models import Run, Sentence
from ekinerja.tpp.policy import hss_template

from .scope import demo_scope


@dataclass
class TppSummary:
    policy: str = ""
    sentences: int = 0
    computed: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # a large demo: the units computed

    def as_dict(self) -> dict:
        return asdict(self)


def _has_punches(instansi: Instansi, period: Period) -> bool:
    from ekinerja.attendance.models import Punch

    start = dt.datetime.combine(period.first_day, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(period.last_day, dt.time.max, tzinfo=dt.UTC)
    return Punch.objects.filter(instansi=instansi, at__gte=start, at__lte=end).exists()


def _on_demo_day(instansi: Instansi, runs: list[Run], today: dt.date) -> None:
    """Move the demo's runs' computed, verified and locked times to the demo's own day: the services
    stamp the real clock (as they must for a real user), so a demo made for another day (`today`
    given to demo_generate; or the real day ended while a large demo was being made) printed
    that other day as the lock date on the payroll pdf's signature line (exports.signed_on) and on
    the run page. Shifted by whole days, so their order and hours stay the services' own; nothing
    moves when the demo's day is the day they were stamped (the demo-data command). One query."""
    if not runs or runs[0].computed_at is None:
        return
    zone = zoneinfo.ZoneInfo(instansi.timezone)
    shift = today - runs[0].computed_at.astimezone(zone).date()
    if not shift:
        return
    Run.objects.filter(instansi=instansi, pk__in=[r.pk for r in runs]).update(
        computed_at=F("computed_at") + shift,
        verified_at=F("verified_at") + shift,
        locked_at=F("locked_at") + shift,
    )


def generate_tpp(
    *,
    instansi: Instansi,
    employees: int,
    rng: random.Random,
    password: str,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
    previous: dict | None = None,
) -> TppSummary:
    say = progress or (lambda _m: None)
    summary = TppSummary()
    policy = services.policy_save(
        actor=None, instansi=instansi, data=hss_template(f"{today.year}-01-01")
    )
    services.policy_adopt(actor=None, policy=policy)
    summary.policy = policy.name
    say(f"  kebijakan: {policy.name}, berlaku 1 Januari {today.year}")

    # About one in three hundred ASN under a light sentence over the last two months.
    ids = list(
        Employee.objects.filter(instansi=instansi, is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    current = Period.of(today)
    last, earlier = current.previous(), current.previous().previous()
    chosen = rng.sample(ids, k=max(1, len(ids) // 300)) if ids else []
    Sentence.objects.bulk_create(
        [
            Sentence(
                instansi=instansi,
                employee_id=emp,
                level=rng.choice(["ringan", "ringan", "sedang"]),
                start=earlier.first_day,
                end=last.last_day,
                decree=f"800/{rng.randint(1, 999):03d}/BKPSDM/{today.year}",
            )
            for emp in chosen
        ]
    )
    summary.sentences = len(chosen)

    scope = demo_scope(instansi, employees, today, previous)
    units: list[Unit | None] = [None]  # the whole instansi
    if not scope.full:
        # A large demo: unit runs for the OPDs whose whole staff has the full history (see
        # scope.py); BKPSDM computes the other units in the app.
        units = list(Unit.objects.filter(id__in=scope.focus_opds).order_by("name"))
        summary.units = [u.name for u in units]
    bkpsdm = (
        User.objects.filter(
            instansi=instansi, role_grants__role=Role.BKPSDM, employee__isnull=False
        )
        .order_by("id")
        .first()
    )
    runs: list[Run] = []
    for period in (earlier, last):
        if period.first_day < policy.effective_from or not _has_punches(instansi, period):
            summary.skipped.append(str(period))
            continue
        payable, people = 0, 0
        for unit in units:
            run = services.run_compute(actor=None, instansi=instansi, period=period, unit=unit)
            if period == earlier and bkpsdm is not None:
                # The generator verifies (as the system), the demo's BKPSDM account locks.
                run = services.run_verify(actor=None, run=run)
                run = services.run_lock(actor=bkpsdm, run=run)
            runs.append(run)
            payable += run.total_payable
            people += run.employees
        summary.computed.append(str(period))
        if period == earlier and bkpsdm is not None:
            summary.locked.append(str(period))
        where = "" if scope.full else f" di {len(units)} unit"
        say(f"  TPP {period.label}: {people} pegawai{where}, dibayarkan {format_rupiah(payable)}")
    _on_demo_day(instansi, runs, today)
    if not scope.full:
        say(
            f"  {employees} pegawai: TPP dihitung per unit untuk {', '.join(summary.units)}; "
            "unit lain dapat dihitung BKPSDM di menu TPP (Hitung per unit)."
        )
    return summary
