"""Leaders' indicators per OPD, pure (no ORM, no clock): from the counts reports.selectors gathers
to percentages, a score, a ranking and the workload analysis (analisis beban kerja, ABK).

The rules (docs/reports.md):
- Kehadiran = days present / (scheduled working days - leave days); tepat waktu = days present
  with neither lateness nor early leaving and both punches / the same denominator.
- Capaian aktivitas = the sum over employees of min(approved minutes, target) / (employees x
  target): nobody's surplus hides a colleague's shortfall.
- Capaian TPP = gross / ceiling of the month's computed results (when the month was computed).
- SKP baik ke atas = employees rated Sangat Baik or Baik / employees rated, for the evaluation
  period containing the month (shown with how many are not rated yet).
- Nilai (the default ranking) = the mean of tepat waktu and capaian aktivitas, both known for every
  month; an OPD without either has no value and is ranked last.
- ABK (after Permendagri 12/2008): workload = the approved activity minutes (uncapped); the need
  = workload / the effective minutes of one employee in the same days (none for an OPD with
  employees but no approved minute: no evidence is not no work); efisiensi jabatan (EJ) =
  workload / (employees x effective minutes), graded A (> 1,00), B (0,90-1,00), C (0,70-0,89),
  D (0,50-0,69), E (< 0,50).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class OpdCounts:
    """What one OPD holds in one month, up to the reference day."""

    unit_id: int
    code: str
    name: str
    employees: int = 0  # definitif holders on the reference day
    positions: int = 0
    vacant: int = 0  # positions without a definitif holder on the reference day (a Plt's too)
    acting: int = 0  # Plt/Plh assignments in force on the reference day
    scheduled_days: int = 0  # employee working days (stored daily attendance, not off)
    leave_days: int = 0
    present_days: int = 0
    on_time_days: int = 0
    late_days: int = 0
    late_minutes: int = 0
    absent_days: int = 0  # tanpa keterangan
    approved_minutes: int = 0  # credited minutes of approved entries, not capped
    achieved_minutes: Decimal = Decimal(0)  # sum over employees of min(minutes, target)
    target_minutes: Decimal = Decimal(0)  # sum of each employee's target for the days in post
    pending_entries: int = 0  # submitted, waiting for the superior
    ceiling: Decimal | None = None  # of the month's computed TPP results, when there are some
    gross: Decimal | None = None
    # SKP predicates of the evaluation period containing the month (employees rated)
    skp_sangat_baik: int = 0
    skp_baik: int = 0
    skp_butuh_perbaikan: int = 0
    skp_kurang: int = 0
    skp_sangat_kurang: int = 0

    @property
    def skp_rated(self) -> int:
        return (
            self.skp_sangat_baik
            + self.skp_baik
            + self.skp_butuh_perbaikan
            + self.skp_kurang
            + self.skp_sangat_kurang
        )

    @property
    def skp_unrated(self) -> int:
        return max(0, self.employees - self.skp_rated)

    @property
    def has_record(self) -> bool:
        """Anything recorded in the days counted: stored attendance or an activity entry. Without
        it (an OPD not on e-Kinerja yet, a month before the data start) the activity achievement
        is unknown, not 0%."""
        return bool(
            self.scheduled_days
            or self.approved_minutes
            or self.achieved_minutes
            or self.pending_entries
        )


def ribuan(n: int) -> str:
    """A whole number as Indonesians write it: 6.763."""
    return f"{n:,}".replace(",", ".")


def percent(part, whole) -> Decimal | None:
    """part / whole as a percentage with one decimal (half up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class OpdIndicators:
    counts: OpdCounts
    attendance_pct: Decimal | None
    on_time_pct: Decimal | None
    activity_pct: Decimal | None
    tpp_pct: Decimal | None
    skp_good_pct: Decimal | None
    score: Decimal | None
    rank: int | None = None


def indicators(c: OpdCounts) -> OpdIndicators:
    due = c.scheduled_days - c.leave_days
    on_time = percent(c.on_time_days, due)
    activity = percent(c.achieved_minutes, c.target_minutes)
    if not c.has_record:
        # A month with no record at all (before the Pemda's data starts): unknown, not 0,0% in red.
        activity = None
    score = None
    if on_time is not None and activity is not None:
        score = ((on_time + activity) / 2).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    return OpdIndicators(
        counts=c,
        attendance_pct=percent(c.present_days, due),
        on_time_pct=on_time,
        activity_pct=activity,
        tpp_pct=percent(c.gross, c.ceiling) if c.gross is not None else None,
        skp_good_pct=percent(c.skp_sangat_baik + c.skp_baik, c.skp_rated),
        score=score,
    )


# Summed over the OPDs with a record only: an OPD shown "–" (nothing recorded) would otherwise
# weigh in the instansi's capaian aktivitas as 0%, below every OPD shown.
_RECORDED_ONLY = ("achieved_minutes", "target_minutes")


def total(counts: list[OpdCounts], name: str) -> OpdCounts:
    """Every OPD summed into one row (the instansi's own figures). The activity achievement's
    minutes and targets come from the OPDs that have a record, as on their rows."""
    sums: dict[str, object] = {}
    recorded = [c for c in counts if c.has_record]
    for f in fields(OpdCounts):
        if f.name in ("unit_id", "code", "name"):
            continue
        source = recorded if f.name in _RECORDED_ONLY else counts
        values = [v for c in source if (v := getattr(c, f.name)) is not None]
        if f.default is None:  # ceiling, gross: unknown everywhere (not computed) stays unknown
            sums[f.name] = sum(values, Decimal(0)) if values else None
        else:
            sums[f.name] = sum(values, f.default)
    return OpdCounts(unit_id=0, code="", name=name, **sums)


ORDERS = {
    "nilai": ("score", "Nilai"),
    "kehadiran": ("on_time_pct", "Tepat waktu"),
    "aktivitas": ("activity_pct", "Capaian aktivitas"),
    "tpp": ("tpp_pct", "Capaian TPP"),
    "skp": ("skp_good_pct", "Predikat SKP baik ke atas"),
}


# How the ranking treats ties and missing values, on the page and in the spreadsheet.
RANKING_NOTE = (
    "Peringkat: OPD dengan angka yang sama mendapat peringkat yang sama (misalnya 1, 2, 2, 4) dan "
    "diurutkan menurut nama. OPD yang angkanya belum ada (–) tidak diberi peringkat dan ditaruh "
    "di akhir."
)


def ranked(counts: list[OpdCounts], order: str = "nilai") -> list[OpdIndicators]:
    """Every OPD with its indicators, best first by `order` (a key of ORDERS; unknown means
    "nilai"). Equal values share a rank (1, 2, 2, 4) and are listed by name, whatever its case
    ("Badan ..." before "DINAS ..." before "Dinas Sosial"); an OPD without the value has no rank
    and comes last. RANKING_NOTE says so to the leader."""
    field = ORDERS.get(order, ORDERS["nilai"])[0]
    rows = [indicators(c) for c in counts]
    rows.sort(
        key=lambda r: (
            getattr(r, field) is None,
            -(getattr(r, field) or 0),
            r.counts.name.casefold(),
            r.counts.code,
        )
    )
    out: list[OpdIndicators] = []
    previous, rank = None, 0
    for i, r in enumerate(rows, start=1):
        value = getattr(r, field)
        if value is None:
            out.append(r)
            continue
        if value != previous:
            rank, previous = i, value
        out.append(replace(r, rank=rank))
    return out


# --------------------------------------------------------------------------------------------------
# Workload analysis (ABK)

GRADES = (
    # (lowest EJ of the grade, grade, label), Permendagri 12/2008; A is any EJ above 1,00
    (Decimal("0.90"), "B", "Baik"),
    (Decimal("0.70"), "C", "Cukup"),
    (Decimal("0.50"), "D", "Sedang"),
)


def grade(ej: Decimal) -> tuple[str, str]:
    if ej > 1:
        return "A", "Sangat baik"
    for lowest, letter, label in GRADES:
        if ej >= lowest:
            return letter, label
    return "E", "Kurang"


@dataclass(frozen=True)
class Workload:
    counts: OpdCounts
    workload_minutes: int
    effective_minutes: Decimal  # of one employee over the same days
    need: Decimal | None  # employees the workload needs, two decimals
    need_whole: int | None  # rounded half up
    difference: int | None  # need_whole - employees: > 0 short, < 0 over-staffed
    ej: Decimal | None
    grade: str
    grade_label: str
    verdict: str
    staff_equivalent: Decimal | None = None  # the OPD's available time in whole employees
    provisional: bool = False  # the month is not over, or entries still wait for verification

    @property
    def counted(self) -> bool:
        """The row has a need to compare: it enters the instansi's total."""
        return self.need is not None and self.difference is not None

    @property
    def without_approved_activity(self) -> bool:
        """Staff and counted days, but not one approved minute (not on e-Kinerja yet): left out of
        the instansi's total and named. Not a row before any working day is counted (the 1st of a
        month), which every OPD was listed as."""
        return (
            not self.counted
            and bool(self.counts.employees)
            and not self.counts.approved_minutes
            and self.effective_minutes > 0
        )


def workload(c: OpdCounts, effective_minutes: Decimal, *, final: bool = True) -> Workload:
    """The ABK row of one OPD; `effective_minutes` is one employee's effective working minutes in
    the days counted (the activity target of the policy for those days). `final`: the month is
    over and none of the OPD's entries waits for verification; otherwise the verdict is said to be
    provisional ("Sementara: ..."), since waiting entries will still add to the workload.

    The need is compared with the staff the OPD had in those days (its available time in whole
    employees: a joiner on the 16th counts as half an employee), as EJ is, so that the verdict
    and the grade agree (EJ > 1 is never "Kelebihan")."""
    minutes = c.approved_minutes
    if not c.employees and not minutes:
        vacant = f"; {ribuan(c.vacant)} jabatan kosong" if c.vacant else ""
        return Workload(
            c, 0, effective_minutes, None, None, None, None, "", "", f"Belum ada pegawai{vacant}"
        )
    if effective_minutes <= 0:
        return Workload(
            c, minutes, effective_minutes, None, None, None, None, "", "", "Belum ada hari kerja"
        )
    if not minutes and c.employees:
        # Nothing recorded is no evidence of no work (an OPD not using e-Kinerja yet, or whose
        # superiors have not verified): "Kelebihan 255 pegawai" would mislead a staffing decision.
        return Workload(
            c,
            minutes,
            effective_minutes,
            None,
            None,
            None,
            None,
            "",
            "",
            "Belum ada aktivitas yang disetujui",
        )
    need = (Decimal(minutes) / effective_minutes).quantize(TWO_DECIMALS, ROUND_HALF_UP)
    whole = int(need.quantize(Decimal(1), ROUND_HALF_UP))
    ej = None
    letter, label = "", ""
    # The OPD's own targets (a joiner on the 26th carries the days since then), or a whole target
    # for each employee when the counts do not have them.
    available = c.target_minutes or c.employees * effective_minutes
    staff = (Decimal(available) / effective_minutes).quantize(TWO_DECIMALS, ROUND_HALF_UP)
    diff = whole - int(staff.quantize(Decimal(1), ROUND_HALF_UP))
    if c.employees and available:
        ej = (Decimal(minutes) / available).quantize(TWO_DECIMALS, ROUND_HALF_UP)
        letter, label = grade(ej)
    if diff > 0:
        verdict = f"Kekurangan {ribuan(diff)} pegawai"
    elif diff < 0:
        verdict = f"Kelebihan {ribuan(-diff)} pegawai"
    else:
        verdict = "Sesuai"
    if not final:
        verdict = f"Sementara: {verdict[0].lower()}{verdict[1:]}"
    return Workload(
        c,
        minutes,
        effective_minutes,
        need,
        whole,
        diff,
        ej,
        letter,
        label,
        verdict,
        staff,
        not final,
    )


# --------------------------------------------------------------------------------------------------
# What each figure means, in the leader's words: the pages' legends and the spreadsheets' notes
# (a spreadsheet forwarded to a Bupati carries its own explanation).

VACANT_NOTE = (
    "Jabatan kosong: jabatan tanpa pejabat definitif, termasuk yang sementara diisi Plt/Plh."
)


# Activities are counted day by day like attendance (reports.selectors.opd_month); the headcount
# is a point-in-time figure and stays the posts on the day shown.
ACTIVITY_BY_DAY_NOTE = (
    "Menit aktivitas dan target aktivitas juga dihitung per hari pada OPD tempat pegawai menjabat "
    "pada tanggal aktivitas itu: pegawai yang pindah di tengah bulan membawa ke tiap OPD menit dan "
    "target hari-hari kerjanya di sana, pegawai yang pensiun atau keluar tetap tercatat di OPD "
    "lamanya untuk hari-hari sebelum ia keluar. Jumlah pegawai tetap dihitung pada tanggal jabatan."
)


def dashboard_legend(target: str, source: str) -> list[str]:
    """The ranking page's definitions; `target` is one employee's activity target already
    written (6.750) and `source` where it comes from."""
    return [
        "Kehadiran: hari kerja dengan absensi masuk atau pulang, dibagi hari kerja di luar cuti.",
        "Tepat waktu: hari hadir tanpa terlambat, pulang cepat atau absen yang terlewat, dibagi "
        "hari kerja di luar cuti.",
        "Capaian aktivitas: menit aktivitas yang disetujui, paling banyak sebesar target setiap "
        f"pegawai ({target} menit, {source}), dibagi jumlah target.",
        "Capaian TPP: TPP kotor dibagi pagu pada perhitungan TPP bulan ini.",
        "SKP baik ke atas: pegawai berpredikat Sangat Baik atau Baik dibagi pegawai yang sudah "
        "dinilai pada periode penilaian bulan ini.",
        "Nilai: rata-rata tepat waktu dan capaian aktivitas.",
        "Pegawai dihitung pada OPD jabatan definitifnya per tanggal jabatan di atas; "
        "kehadiran dihitung per hari pada OPD tempat pegawai menjabat hari itu, sehingga hari kerja "
        "pegawai yang pindah atau pensiun di tengah bulan tetap tercatat di OPD lamanya.",
        ACTIVITY_BY_DAY_NOTE,
        VACANT_NOTE,
        RANKING_NOTE,
    ]


def workload_legend(target: str, source: str) -> list[str]:
    """The workload page's definitions (as dashboard_legend)."""
    return [
        "Beban kerja: menit efektif aktivitas harian yang disetujui atasan pada hari-hari yang "
        "sudah lewat.",
        ACTIVITY_BY_DAY_NOTE,
        "Kebutuhan pegawai = beban kerja / waktu efektif seorang pegawai pada hari yang sama "
        f"({target} menit, {source}), dibandingkan dengan pegawai yang tersedia pada hari-hari itu "
        "(pegawai yang baru bergabung di tengah bulan dihitung sebagian).",
        "Kekurangan atau kelebihan pegawai = kebutuhan dibandingkan dengan pegawai tersedia itu, "
        "keduanya dibulatkan.",
        "Efisiensi jabatan (EJ) = beban kerja / (pegawai tersedia × waktu efektif); prestasi "
        "jabatan menurut Permendagri 12/2008: A di atas 1,00; B 0,90–1,00; C 0,70–0,89; "
        "D 0,50–0,69; E di bawah 0,50.",
        "Aktivitas yang belum diverifikasi atau ditolak tidak dihitung, dan pegawai hanya dapat "
        "mengisi sampai batas harian, sehingga kekurangan pegawai dapat lebih besar daripada yang "
        "tampak.",
    ]
