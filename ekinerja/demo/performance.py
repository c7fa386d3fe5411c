"""Demo SKP data: agreed plans cascading down the hierarchy, realisation for recent months and
monthly ratings with a realistic spread of predicates.

Called by the demo runner with the same keyword arguments as every generator (see runner.py). Writes
with bulk_create (a few dozen queries for 600 employees). Deterministic for a given rng.

The spread: most ASN are rated Baik; about one in seven Sangat Baik; a few Butuh Perbaikan, Kurang
(misconduct) or Sangat Kurang; a few are never rated by the deadline (so the TPP's not-rated value
shows up). Each employee keeps a tendency from month to month. Months whose deadline has passed are
fully rated (except the not-rated ones); an ended month still open for rating is rated for about
two thirds of the employees, and not at all for the subordinates of the demo "atasan" account, so
that its rating screen has work to do; the running month has realisation but no rating yet.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import active_on, hierarchy
from ekinerja.performance.evalperiods import eval_period
from ekinerja.performance.models import (
    CoreValue,
    PerformanceSettings,
    SkpBehaviour,
    SkpEvaluation,
    SkpIndicator,
    SkpPlan,
    SkpRealisation,
    SkpResult,
)
from ekinerja.performance.predicate import predicate

BATCH = 2000

# (results, behaviour) pairs with weights; together they give the spread described above.
RATING_WEIGHTS: list[tuple[tuple[str, str] | None, float]] = [
    (("as_expected", "as_expected"), 52),
    (("above", "as_expected"), 10),
    (("as_expected", "above"), 8),
    (("above", "above"), 15),
    (("below", "as_expected"), 6),
    (("below", "above"), 1.5),
    (("as_expected", "below"), 2),
    (("above", "below"), 0.5),
    (("below", "below"), 1),
    (None, 4),  # not rated by the deadline
]

# Work themes by words in the position's name: (result templates, indicator templates, unit).
_THEMES: list[tuple[tuple[str, ...], list[str], list[tuple[str, str]]]] = [
    (
        ("guru",),
        [
            "Terlaksananya pembelajaran {mapel} yang bermutu",
            "Meningkatnya hasil belajar peserta didik",
        ],
        [
            ("Jumlah rencana pelaksanaan pembelajaran yang disusun", "dokumen"),
            ("Jumlah peserta didik yang dinilai hasil belajarnya", "siswa"),
            ("Jumlah pertemuan pembelajaran yang dilaksanakan", "pertemuan"),
        ],
    ),
    (
        ("perawat", "bidan", "dokter", "nutrisionis", "sanitarian", "kesehatan", "apoteker"),
        [
            "Terlaksananya pelayanan kesehatan yang sesuai standar",
            "Meningkatnya cakupan pelayanan kesehatan masyarakat",
        ],
        [
            ("Jumlah pasien yang dilayani sesuai standar", "pasien"),
            ("Jumlah laporan pelayanan kesehatan", "laporan"),
            ("Jumlah kegiatan penyuluhan kesehatan", "kegiatan"),
        ],
    ),
    (
        ("auditor", "inspektur", "pengawas"),
        [
            "Terlaksananya pengawasan internal yang efektif",
            "Meningkatnya tindak lanjut hasil pemeriksaan",
        ],
        [
            ("Jumlah laporan hasil pemeriksaan", "laporan"),
            ("Jumlah rekomendasi yang ditindaklanjuti", "rekomendasi"),
        ],
    ),
    (
        ("penyuluh",),
        ["Meningkatnya kapasitas kelompok sasaran penyuluhan"],
        [
            ("Jumlah kegiatan penyuluhan yang dilaksanakan", "kegiatan"),
            ("Jumlah kelompok binaan", "kelompok"),
        ],
    ),
    (
        ("keuangan", "bendahara", "anggaran", "akuntan"),
        ["Tersusunnya laporan keuangan yang akuntabel", "Tertibnya penatausahaan keuangan"],
        [
            ("Jumlah laporan keuangan yang disusun", "laporan"),
            ("Jumlah dokumen pertanggungjawaban yang diverifikasi", "dokumen"),
        ],
    ),
]
_DEFAULT_RESULTS = [
    "Tersusunnya dokumen administrasi {unit} yang tertib",
    "Terlaksananya pengelolaan data dan informasi {unit}",
    "Meningkatnya kualitas layanan administrasi {unit}",
]
_DEFAULT_INDICATORS = [
    ("Jumlah dokumen yang diselesaikan", "dokumen"),
    ("Jumlah laporan yang disampaikan tepat waktu", "laporan"),
    ("Jumlah data yang dimutakhirkan", "data"),
]
_HEAD_RESULTS = [
    "Meningkatnya kinerja {unit}",
    "Terwujudnya tata kelola {unit} yang akuntabel",
    "Meningkatnya kualitas pelayanan publik pada {unit}",
]
_HEAD_INDICATORS = [
    ("Persentase capaian target program {unit}", "persen"),
    ("Indeks kepuasan masyarakat terhadap layanan {unit}", "indeks"),
    ("Jumlah rekomendasi pengawasan yang ditindaklanjuti", "rekomendasi"),
]
_MAPEL = ["Matematika", "Bahasa Indonesia", "IPA", "IPS", "tematik kelas rendah", "PJOK"]
_EXPECTATIONS = {
    CoreValue.BERORIENTASI_PELAYANAN: "Menanggapi permintaan layanan paling lambat satu hari kerja",
    CoreValue.AKUNTABEL: "Melaporkan hasil kerja tepat waktu setiap akhir bulan",
    CoreValue.KOLABORATIF: "Aktif berbagi data dengan bidang lain",
}


@dataclass
class PerformanceSummary:
    plans: int = 0
    agreed: int = 0
    submitted: int = 0
    results: int = 0
    evaluations: int = 0
    realisations: int = 0
    by_predicate: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _theme(position: Position):
    name = position.name.lower()
    for words, results, indicators in _THEMES:
        if any(w in name for w in words):
            return results, indicators
    if position.kind == Position.Kind.STRUKTURAL:
        return _HEAD_RESULTS, _HEAD_INDICATORS
    return _DEFAULT_RESULTS, _DEFAULT_INDICATORS


def _target(rng: random.Random, unit: str) -> Decimal:
    if unit == "persen":
        return Decimal(rng.choice([85, 90, 95, 100]))
    if unit == "indeks":
        return Decimal(rng.choice([80, 82, 85]))
    return Decimal(rng.choice([12, 12, 24, 24, 36, 48, 60, 120]))


def _pick_rating(rng: random.Random) -> tuple[str, str] | None:
    pairs = [p for p, _w in RATING_WEIGHTS]
    weights = [w for _p, w in RATING_WEIGHTS]
    return rng.choices(pairs, weights=weights)[0]


def generate_performance(
    *,
    instansi: Instansi,
    rng: random.Random,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    previous: dict | None = None,
    **_context,
) -> PerformanceSummary:
    """SKP plans for the current year and ratings for its months up to the one open for rating."""
    today = today or local_today(instansi)
    say = progress or (lambda _msg: None)
    year = today.year
    summary = PerformanceSummary()
    cfg, _ = PerformanceSettings.objects.get_or_create(instansi=instansi)

    h = hierarchy(instansi, today)
    posts = {
        a.employee_id: a
        for a in Assignment.objects.filter(
            active_on(today), instansi=instansi, kind=Assignment.Kind.DEFINITIF
        ).select_related("position", "position__unit")
    }
    employees = Employee.objects.in_bulk(list(posts))
    superior = {e: h.superior_id(e) for e in posts}

    # Superiors first, so every subordinate's result can point at one of theirs.
    def depth(e: int) -> int:
        d, seen = 0, set()
        while superior.get(e) is not None and e not in seen:
            seen.add(e)
            e = superior[e]
            d += 1
        return d

    order = sorted(posts, key=lambda e: (depth(e), employees[e].nip))
    now = timezone.now()
    plans: dict[int, SkpPlan] = {}
    for emp_id in order:
        sup = superior.get(emp_id)
        status = SkpPlan.Status.AGREED
        roll = rng.random()
        if roll < 0.03:
            status = SkpPlan.Status.SUBMITTED
        elif roll < 0.045:
            status = SkpPlan.Status.DRAFT
        post = posts[emp_id]
        sup_post = posts.get(sup) if sup else None
        plans[emp_id] = SkpPlan(
            instansi=instansi,
            employee_id=emp_id,
            year=year,
            status=status,
            appraiser_id=sup,
            employee_position=post.position.name,
            employee_unit=post.position.unit.name,
            appraiser_position=sup_post.position.name if sup_post else "",
            appraiser_unit=sup_post.position.unit.name if sup_post else "",
            submitted_at=now if status != SkpPlan.Status.DRAFT else None,
            agreed_at=now if status == SkpPlan.Status.AGREED else None,
            agreed_by_id=employees[sup].user_id if sup and status == "agreed" else None,
            effective_from=dt.date(year, 1, 1) if status == SkpPlan.Status.AGREED else None,
        )
    SkpPlan.objects.bulk_create(list(plans.values()), batch_size=BATCH)
    summary.plans = len(plans)
    summary.agreed = sum(1 for p in plans.values() if p.status == "agreed")
    summary.submitted = sum(1 for p in plans.values() if p.status == "submitted")

    # Results level by level (a result's parent must have its primary key first).
    results_of: dict[int, list[SkpResult]] = {}
    indicators: list[SkpIndicator] = []
    by_depth: dict[int, list[int]] = {}
    for emp_id in order:
        by_depth.setdefault(depth(emp_id), []).append(emp_id)
    for level in sorted(by_depth):
        batch: list[SkpResult] = []
        pending_ind: list[tuple[SkpResult, list[tuple[str, str]]]] = []
        for emp_id in by_depth[level]:
            post = posts[emp_id]
            result_texts, indicator_texts = _theme(post.position)
            parents = results_of.get(superior.get(emp_id) or -1, [])
            n = rng.choice([2, 2, 3])
            mine = []
            for k in range(n):
                text = result_texts[k % len(result_texts)].format(
                    unit=post.position.unit.name, mapel=rng.choice(_MAPEL)
                )
                r = SkpResult(
                    instansi=instansi,
                    plan=plans[emp_id],
                    order=k + 1,
                    text=text,
                    parent_result=parents[k % len(parents)] if parents else None,
                )
                mine.append(r)
                picks = rng.sample(indicator_texts, k=min(len(indicator_texts), rng.choice([1, 2])))
                pending_ind.append((r, picks))
            results_of[emp_id] = mine
            batch.extend(mine)
        SkpResult.objects.bulk_create(batch, batch_size=BATCH)
        for r, picks in pending_ind:
            for k, (text, unit) in enumerate(picks, start=1):
                indicators.append(
                    SkpIndicator(
                        instansi=instansi,
                        result=r,
                        order=k,
                        text=text.format(unit=r.plan.employee_unit),
                        target_quantity=_target(rng, unit),
                        target_unit=unit,
                        target_quality=Decimal(100),
                        target_months=12,
                    )
                )
        summary.results += len(batch)
    SkpIndicator.objects.bulk_create(indicators, batch_size=BATCH)
    SkpBehaviour.objects.bulk_create(
        [
            SkpBehaviour(
                instansi=instansi,
                plan=plan,
                value=value,
                expectation=_EXPECTATIONS.get(value, "") if rng.random() < 0.3 else "",
            )
            for plan in plans.values()
            for value in CoreValue
        ],
        batch_size=BATCH,
    )
    say(f"  {summary.plans} SKP ({summary.agreed} disetujui), {summary.results} hasil kerja")

    # Ratings, month by month, up to the period open for rating.
    demo_atasan = _demo_atasan(previous)
    protected = {e for e, s in superior.items() if s is not None and s == demo_atasan}
    tendency = {e: _pick_rating(rng) for e in posts}
    ind_by_plan: dict[int, list[SkpIndicator]] = {}
    for ind in indicators:
        ind_by_plan.setdefault(ind.result.plan_id, []).append(ind)
    evaluations: list[SkpEvaluation] = []
    real_pending: list[tuple[SkpEvaluation, list[SkpIndicator]]] = []
    month = Period(year, 1)
    tz = timezone.get_current_timezone()
    while month.first_day <= today:
        p = eval_period(
            month,
            period_months=cfg.evaluation_period_months,
            deadline_day=cfg.rating_deadline_day,
        )
        month = Period.of(p.end).next()
        if p.rating_opens > today:
            break
        closed = today > p.deadline
        running = today <= p.end  # nobody rates a period that has not ended
        recent = (today - p.end).days < 62
        for emp_id in order:
            plan = plans[emp_id]
            if plan.status != SkpPlan.Status.AGREED:
                continue
            pair = tendency[emp_id] if rng.random() < 0.7 else _pick_rating(rng)
            if running or (not closed and (emp_id in protected or rng.random() < 0.35)):
                pair = None
            sup = superior.get(emp_id)
            if pair is None and not recent:
                continue
            rated_day = min(p.deadline, today, p.end + dt.timedelta(days=rng.randint(0, 4)))
            ev = SkpEvaluation(
                instansi=instansi,
                employee_id=emp_id,
                plan=plan,
                period_start=p.start,
                period_end=p.end,
            )
            if pair is not None:
                ev.results_rating, ev.behaviour_rating = pair
                ev.predicate = predicate(*pair).value
                ev.rated_by_id = sup
                ev.rated_by_user_id = employees[sup].user_id if sup else None
                ev.rated_at = datetime.combine(rated_day, time(10, rng.randint(0, 59)), tz)
            evaluations.append(ev)
            if recent:
                real_pending.append((ev, ind_by_plan.get(plan.pk, [])))
    SkpEvaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    realisations = [
        SkpRealisation(
            instansi=instansi,
            evaluation=ev,
            indicator=ind,
            quantity=(ind.target_quantity / 12).quantize(Decimal("1"))
            + rng.choice([-1, 0, 0, 1, 2]),
            description=rng.choice(
                [
                    "Diselesaikan sesuai rencana bulan ini",
                    "Tercapai; rincian pada lampiran",
                    "Sebagian tertunda menunggu data dari unit lain",
                    "Selesai dan sudah dilaporkan kepada atasan",
                ]
            ),
        )
        for ev, inds in real_pending
        for ind in inds
    ]
    for r in realisations:
        r.quantity = max(r.quantity, Decimal(0))
    SkpRealisation.objects.bulk_create(realisations, batch_size=BATCH)
    summary.evaluations = len(evaluations)
    summary.realisations = len(realisations)
    summary.by_predicate = dict(
        sorted(Counter(ev.predicate or "tidak_dinilai" for ev in evaluations).items())
    )
    say(f"  {summary.evaluations} evaluasi bulanan, predikat: {summary.by_predicate}")
    return summary


def _demo_atasan(previous: dict | None) -> int | None:
    """The employee id behind the demo "atasan" account, if the org generator made one."""
    org = (previous or {}).get("org")
    for account in getattr(org, "accounts", []) or []:
        if account.role == "atasan":
            user = User.objects.filter(username=account.username).first()
            emp = Employee.objects.filter(user=user).first() if user else None
            return emp.pk if emp else None
    return None
