"""Demo SKP data: agreed plans cascading down the hierarchy, realisation for recent months and
monthly ratings with a realistic spread of predicates.

Called by the demo runner with the same keyword arguments as every generator (see runner.py). Writes
with bulk.insert_tuples: about twenty queries whatever the number of employees. Deterministic for a
given rng and `today`.

The spread: most ASN are rated Baik; about one in seven Sangat Baik; a few Butuh Perbaikan, Kurang
(misconduct) or Sangat Kurang; a few are never rated by the deadline (so the TPP's not-rated value
shows up). Each employee keeps a tendency from month to month. Months whose deadline has passed are
fully rated (except the not-rated ones); an ended month still open for rating is rated for about
two thirds of the employees, and not at all for the subordinates of the demo "atasan" account, so
that its rating screen has work to do; the running month has realisation but no rating yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi
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

from .bulk import insert_tuples

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


def _theme(name: str, kind: str):
    name = name.lower()
    for words, results, indicators in _THEMES:
        if any(w in name for w in words):
            return results, indicators
    if kind == Position.Kind.STRUKTURAL:
        return _HEAD_RESULTS, _HEAD_INDICATORS
    return _DEFAULT_RESULTS, _DEFAULT_INDICATORS


def _target(rng: random.Random, unit: str) -> int:
    if unit == "persen":
        return rng.choice([85, 90, 95, 100])
    if unit == "indeks":
        return rng.choice([80, 82, 85])
    return rng.choice([12, 12, 24, 24, 36, 48, 60, 120])


_PAIRS = [p for p, _w in RATING_WEIGHTS]
_CUM_WEIGHTS = list(itertools.accumulate(w for _p, w in RATING_WEIGHTS))


def _pick_rating(rng: random.Random) -> tuple[str, str] | None:
    return rng.choices(_PAIRS, cum_weights=_CUM_WEIGHTS)[0]


_REALISED = [
    "Diselesaikan sesuai rencana bulan ini",
    "Tercapai; rincian pada lampiran",
    "Sebagian tertunda menunggu data dari unit lain",
    "Selesai dan sudah dilaporkan kepada atasan",
]


def generate_performance(
    *,
    instansi: Instansi,
    rng: random.Random,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    previous: dict | None = None,
    **_context,
) -> PerformanceSummary:
    """SKP plans for the current year and ratings for its months up to the one open for rating.

    Rows are built in memory as tuples and go in with bulk.insert_tuples (one executemany/COPY per
    table); new ids are read back once per table, so the number of queries does not depend on the
    number of employees."""
    today = today or local_today(instansi)
    say = progress or (lambda _msg: None)
    year = today.year
    summary = PerformanceSummary()
    # The runner always makes a new instansi: its settings row does not exist yet.
    cfg = PerformanceSettings.objects.create(instansi=instansi)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    inst = {"instansi_id": instansi.pk}

    h = hierarchy(instansi, today)
    # employee id -> (position name, unit name, position kind) of the definitif post today.
    posts = {
        emp: (name, unit, kind)
        for emp, name, unit, kind in Assignment.objects.filter(
            active_on(today), instansi=instansi, kind=Assignment.Kind.DEFINITIF
        ).values_list("employee_id", "position__name", "position__unit__name", "position__kind")
    }
    users = dict(Employee.objects.filter(instansi=instansi).values_list("id", "user_id"))
    superior = {e: h.superior_id(e) for e in posts}
    depth: dict[int, int] = {}
    for e in posts:
        d, node, seen = 0, e, set()
        while superior.get(node) is not None and node not in seen:
            seen.add(node)
            node = superior[node]
            d += 1
        depth[e] = d
    order = sorted(posts, key=lambda e: (depth[e], e))

    # Plans: mostly agreed, a few submitted (the superiors' approval lists) or still drafts.
    status_of: dict[int, str] = {}
    plan_rows = []
    jan1 = dt.date(year, 1, 1)
    for emp_id in order:
        roll = rng.random()
        status = "submitted" if roll < 0.03 else "draft" if roll < 0.045 else "agreed"
        status_of[emp_id] = status
        sup = superior.get(emp_id)
        pos_name, unit_name, _kind = posts[emp_id]
        sup_post = posts.get(sup) if sup else None
        agreed = status == "agreed"
        plan_rows.append(
            (
                emp_id,
                status,
                sup,
                pos_name,
                unit_name,
                sup_post[0] if sup_post else "",
                sup_post[1] if sup_post else "",
                now if status != "draft" else None,
                now if agreed else None,
                users.get(sup) if sup and agreed else None,
                jan1 if agreed else None,
            )
        )
    insert_tuples(
        SkpPlan,
        (
            "employee_id",
            "status",
            "appraiser_id",
            "employee_position",
            "employee_unit",
            "appraiser_position",
            "appraiser_unit",
            "submitted_at",
            "agreed_at",
            "agreed_by_id",
            "effective_from",
        ),
        plan_rows,
        constants={
            **inst,
            "year": year,
            "version": 1,
            "revision_reason": "",
            "return_note": "",
            "created_at": now,
        },
    )
    plan_id = dict(
        SkpPlan.objects.filter(instansi=instansi, year=year, version=1).values_list(
            "employee_id", "id"
        )
    )
    summary.plans = len(plan_rows)
    summary.agreed = sum(1 for s in status_of.values() if s == "agreed")
    summary.submitted = sum(1 for s in status_of.values() if s == "submitted")

    # Results, level by level from the top of the hierarchy, so that each one's parent (a result of
    # the superior's plan) already has an id when it is written; then indicators.
    result_rows, picks_of, n_results = [], {}, {}
    result_id: dict[tuple[int, int], int] = {}
    emp_of_plan = {pid: e for e, pid in plan_id.items()}
    newest = 0
    for _level, members in itertools.groupby(order, key=lambda e: depth[e]):
        level_rows = []
        for emp_id in members:
            pos_name, unit_name, kind = posts[emp_id]
            result_texts, indicator_texts = _theme(pos_name, kind)
            n = n_results[emp_id] = rng.choice([2, 2, 3])
            pid = plan_id[emp_id]
            sup = superior.get(emp_id)
            for k in range(n):
                text = result_texts[k % len(result_texts)].format(
                    unit=unit_name, mapel=rng.choice(_MAPEL)
                )
                parent = None
                if sup is not None and sup in n_results:
                    parent = result_id.get((sup, k % n_results[sup] + 1))
                level_rows.append((pid, k + 1, text, parent))
                picks_of[(emp_id, k + 1)] = rng.sample(
                    indicator_texts, k=min(len(indicator_texts), rng.choice([1, 2]))
                )
        insert_tuples(
            SkpResult, ("plan_id", "order", "text", "parent_result_id"), level_rows, constants=inst
        )
        result_rows += level_rows
        # The new rows' ids: every id of this instansi's results above the last one read.
        for rid, pid, n in SkpResult.objects.filter(instansi=instansi, id__gt=newest).values_list(
            "id", "plan_id", "order"
        ):
            if pid in emp_of_plan:
                result_id[(emp_of_plan[pid], n)] = rid
                newest = max(newest, rid)
    summary.results = len(result_rows)
    indicator_rows = []
    for (emp_id, k), picks in picks_of.items():
        rid = result_id[(emp_id, k)]
        unit_name = posts[emp_id][1]
        for n, (text, unit) in enumerate(picks, start=1):
            indicator_rows.append((rid, n, text.format(unit=unit_name), _target(rng, unit), unit))
    insert_tuples(
        SkpIndicator,
        ("result_id", "order", "text", "target_quantity", "target_unit"),
        indicator_rows,
        constants={**inst, "target_quality": Decimal(100), "target_months": 12},
    )
    emp_of_result = {rid: emp for (emp, _k), rid in result_id.items()}
    # Per employee: (indicator id, a month's share of the yearly target, whole units).
    indicators_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ind_id, rid, target in (
        SkpIndicator.objects.filter(instansi=instansi)
        .order_by("result_id", "order")
        .values_list("id", "result_id", "target_quantity")
    ):
        monthly = int((target / 12).quantize(Decimal("1"), rounding=ROUND_HALF_EVEN))
        indicators_of[emp_of_result[rid]].append((ind_id, monthly))
    expect = {v.value: _EXPECTATIONS.get(v, "") for v in CoreValue}
    insert_tuples(
        SkpBehaviour,
        ("plan_id", "value", "expectation"),
        [
            (plan_id[emp_id], value, expect[value] if rng.random() < 0.3 else "")
            for emp_id in order
            for value in expect
        ],
        constants=inst,
    )
    say(f"  {summary.plans} SKP ({summary.agreed} disetujui), {summary.results} hasil kerja")

    # Ratings, period by period, up to the one open for rating.
    demo_atasan = _demo_atasan(previous)
    protected = {e for e, s in superior.items() if s is not None and s == demo_atasan}
    tendency = {e: _pick_rating(rng) for e in order}
    # The demo "pegawai" account is the employee a trial looks at first: an ordinary ASN rated Baik
    # most months, not whatever the draw gave (at 600 employees: Sangat Kurang, 25% of the SKP
    # share, six months out of ten). Set after the draw, so every other employee keeps theirs.
    demo_pegawai = _demo_account_employee(previous, "pegawai")
    if demo_pegawai in tendency:
        tendency[demo_pegawai] = ("as_expected", "as_expected")
    predicates = {p: predicate(*p).value for p in _PAIRS if p is not None}
    agreed_order = [e for e in order if status_of[e] == "agreed"]
    evaluation_rows = []
    by_predicate: Counter = Counter()
    reported: list[tuple[int, dt.date]] = []
    month = Period(year, 1)
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
        for emp_id in agreed_order:
            pair = tendency[emp_id] if rng.random() < 0.7 else _pick_rating(rng)
            if running or (not closed and (emp_id in protected or rng.random() < 0.35)):
                pair = None
            if pair is None and not recent:
                continue
            if pair is None:
                evaluation_rows.append(
                    (emp_id, plan_id[emp_id], p.start, p.end, "", "", "", None, None, None)
                )
                by_predicate["tidak_dinilai"] += 1
            else:
                sup = superior.get(emp_id)
                rated_day = min(p.deadline, today, p.end + dt.timedelta(days=rng.randint(0, 4)))
                pred = predicates[pair]
                evaluation_rows.append(
                    (
                        emp_id,
                        plan_id[emp_id],
                        p.start,
                        p.end,
                        pair[0],
                        pair[1],
                        pred,
                        sup,
                        users.get(sup) if sup else None,
                        datetime.combine(rated_day, time(10, rng.randint(0, 59)), tz),
                    )
                )
                by_predicate[pred] += 1
            if recent:
                reported.append((emp_id, p.start))
    insert_tuples(
        SkpEvaluation,
        (
            "employee_id",
            "plan_id",
            "period_start",
            "period_end",
            "results_rating",
            "behaviour_rating",
            "predicate",
            "rated_by_id",
            "rated_by_user_id",
            "rated_at",
        ),
        evaluation_rows,
        constants={**inst, "note": ""},
    )
    starts = {s for _e, s in reported}
    evaluation_id = {
        (e, start): eid
        for eid, e, start in SkpEvaluation.objects.filter(
            instansi=instansi, period_start__in=starts
        ).values_list("id", "employee_id", "period_start")
    }
    choice = rng.choice
    steps = [-1, 0, 0, 1, 2]
    realisation_rows = [
        (
            evaluation_id[(emp_id, start)],
            ind_id,
            max(0, monthly + choice(steps)),
            choice(_REALISED),
        )
        for emp_id, start in reported
        for ind_id, monthly in indicators_of[emp_id]
    ]
    insert_tuples(
        SkpRealisation,
        ("evaluation_id", "indicator_id", "quantity", "description"),
        realisation_rows,
        constants={**inst, "updated_at": now},
    )
    summary.evaluations = len(evaluation_rows)
    summary.realisations = len(realisation_rows)
    summary.by_predicate = dict(sorted(by_predicate.items()))
    say(f"  {summary.evaluations} evaluasi, predikat: {summary.by_predicate}")
    return summary


def _demo_atasan(previous: dict | None) -> int | None:
    """The employee id behind the demo "atasan" account, if the org generator made one."""
    return _demo_account_employee(previous, "atasan")


def _demo_account_employee(previous: dict | None, role: str) -> int | None:
    """The employee id behind the demo account of `role`, if the org generator made one."""
    org = (previous or {}).get("org")
    for account in getattr(org, "accounts", []) or []:
        if account.role == role:
            return (
                Employee.objects.filter(user__username=account.username)
                .values_list("id", flat=True)
                .first()
            )
    return None
