"""Demo daily activities: a catalog of ~150 realistic activities with standard minutes, and at least a
month of entries for every demo employee, in every state the app knows.

Called by the demo runner with the same keyword arguments as every generator (see runner.py), after
the attendance generator (entries follow the employee's calendar, rosters and holidays included, and
none is made on a day of approved leave). Deterministic for a given rng, employees and `today`.

How much (see scope.py): in a demo of up to 1,000 employees everyone has entries from the first day
of the month two months back (the months the TPP demo computes are complete); in a larger one the
demo accounts' units have that, everybody else the last 30 days at one entry a working day.

How it stays fast (600,000 entries for 20,000 employees): every row is built in memory as a tuple
and written with one bulk.insert_tuples call (executemany on SQLite, COPY on PostgreSQL); the
superior of each employee is looked up once per hierarchy period, deadlines are indexes into the
employee's working-day list, local times are built once per minute, and credited minutes come from
`activities.models.minutes_for` once per (standard minutes, volume) pair, capped per day as the
verification service caps them.

What the month looks like (the rules are the activity app's: 7-working-day window, verification by the
superior on the entry's date, daily cap, deadlines):
- each working day in post has 3-5 entries between 07:30 and 17:00 (in a demo of more than 1,000
  employees: only in the demo accounts' units, one entry a day elsewhere), from the items allowed for the
  employee's position (kind, kelas, unit) and preferring those of their trade (teachers, health
  workers, auditors, finance...);
- older days are verified by the superior of that date: mostly approved, a few with a cut volume,
  rejected or returned (a returned entry nobody fixed in time has expired), some auto-approved because
  the verification deadline passed (the demo policy: deadline_behaviour = auto_approve); a few drafts
  never submitted in time have expired;
- the last days are still waiting in the superiors' inboxes, the last two partly drafts;
- some rejections and cuts carry an objection (pending for the superior's superior, or decided);
- a few unlock requests wait for BKPSDM, one is approved.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from ekinerja.activities.models import (
    ActivityCatalogItem,
    ActivityEntry,
    ActivitySettings,
    EntryStatus,
    Favourite,
    Objection,
    ObjectionStatus,
    UnlockRequest,
    UnlockStatus,
    minutes_for,
)
from ekinerja.attendance.models import LeaveRequest
from ekinerja.core.models import Instansi, User
from ekinerja.org.models import Assignment, Employee, Position, Unit
from ekinerja.org.selectors import HierarchyTimeline
from ekinerja.workcal.selectors import working_days

from .attendance import ensure_calendar
from .bulk import insert_tuples
from .scope import demo_scope

S = EntryStatus
# Plain strings in the rows (what the column holds).
DRAFT, SUBMITTED, APPROVED, REJECTED, RETURNED, EXPIRED = (
    S.DRAFT.value,
    S.SUBMITTED.value,
    S.APPROVED.value,
    S.REJECTED.value,
    S.RETURNED.value,
    S.EXPIRED.value,
)

# (code prefix, theme, kinds "sfp" = struktural/fungsional/pelaksana, kelas range, unit code or None,
#  [(name, output unit, minutes)])
_CATALOG: list[tuple[str, str, str, tuple[int, int], str | None, list[tuple[str, str, int]]]] = [
    (
        "UM",
        "umum",
        "sfp",
        (1, 17),
        None,
        [
            ("Mengikuti apel pagi", "kegiatan", 15),
            ("Mengikuti rapat koordinasi internal", "kegiatan", 90),
            ("Mengikuti rapat koordinasi lintas OPD", "kegiatan", 120),
            ("Menyusun laporan kegiatan harian", "laporan", 20),
            ("Menyusun laporan kinerja bulanan", "laporan", 120),
            ("Menyusun notulen rapat", "notulen", 45),
            ("Menyusun konsep surat dinas", "surat", 30),
            ("Mengoreksi konsep surat dinas", "surat", 15),
            ("Mengikuti bimbingan teknis", "jam pelajaran", 45),
            ("Mengikuti sosialisasi peraturan", "kegiatan", 90),
            ("Menjadi narasumber kegiatan", "kegiatan", 120),
            ("Melaksanakan kunjungan lapangan", "kegiatan", 180),
            ("Menyusun bahan paparan pimpinan", "bahan", 90),
            ("Mengisi dan memutakhirkan data pada aplikasi", "data", 30),
            ("Menyusun telaahan staf", "telaahan", 90),
            ("Melaksanakan tugas piket kantor", "kegiatan", 120),
            ("Menerima dan melayani tamu dinas", "tamu", 20),
            ("Melaksanakan senam kesegaran jasmani", "kegiatan", 60),
            ("Mengikuti upacara hari besar nasional", "kegiatan", 60),
            ("Menyusun rencana kerja mingguan", "dokumen", 30),
            ("Menyusun dokumen SKP", "dokumen", 60),
            ("Mengikuti pelatihan daring", "jam pelajaran", 45),
            ("Melaksanakan perjalanan dinas dalam daerah", "hari", 240),
            ("Menyusun laporan perjalanan dinas", "laporan", 45),
            ("Memperbarui informasi pada laman resmi", "konten", 30),
            ("Menjawab pengaduan masyarakat", "pengaduan", 30),
            ("Mendokumentasikan kegiatan", "kegiatan", 30),
            ("Mengikuti zoom meeting dengan kementerian", "kegiatan", 90),
        ],
    ),
    (
        "ST",
        "pimpinan",
        "s",
        (8, 17),
        None,
        [
            ("Memimpin rapat koordinasi", "kegiatan", 120),
            ("Memimpin apel pagi", "kegiatan", 20),
            ("Memberikan disposisi surat masuk", "surat", 5),
            ("Menandatangani naskah dinas", "naskah", 5),
            ("Memeriksa dan memparaf konsep naskah dinas", "naskah", 10),
            ("Memverifikasi aktivitas harian bawahan", "pegawai", 10),
            ("Menilai kinerja bawahan", "pegawai", 30),
            ("Memberikan pembinaan kepada bawahan", "kegiatan", 60),
            ("Melakukan monitoring dan evaluasi program", "kegiatan", 150),
            ("Menyusun kebijakan teknis bidang", "dokumen", 180),
            ("Menerima audiensi masyarakat", "kegiatan", 60),
            ("Mewakili pimpinan dalam acara resmi", "kegiatan", 120),
            ("Mengendalikan pelaksanaan anggaran bidang", "kegiatan", 90),
            ("Menyusun laporan kepada kepala daerah", "laporan", 120),
            ("Memimpin pelaksanaan rapat evaluasi kinerja", "kegiatan", 120),
            ("Menyampaikan arahan pada kegiatan", "kegiatan", 30),
            ("Melaksanakan koordinasi dengan DPRD", "kegiatan", 120),
            ("Meninjau pelaksanaan kegiatan di lapangan", "kegiatan", 180),
        ],
    ),
    (
        "AD",
        "administrasi",
        "p",
        (1, 9),
        None,
        [
            ("Mengagendakan surat masuk", "surat", 5),
            ("Mengagendakan surat keluar", "surat", 5),
            ("Mengarsipkan dokumen", "berkas", 10),
            ("Mengetik naskah dinas", "naskah", 20),
            ("Menggandakan dokumen", "berkas", 10),
            ("Mendistribusikan surat", "surat", 5),
            ("Menyiapkan ruang dan perlengkapan rapat", "kegiatan", 30),
            ("Menginventarisasi barang milik daerah", "barang", 10),
            ("Menyusun daftar hadir kegiatan", "daftar", 15),
            ("Mengelola persediaan alat tulis kantor", "kegiatan", 45),
            ("Melayani permintaan data", "permintaan", 20),
            ("Memindai dokumen untuk arsip digital", "halaman", 2),
            ("Mengantar dokumen dinas", "dokumen", 30),
            ("Merekap data kepegawaian unit", "rekap", 45),
            ("Mengentri data pada sistem informasi", "data", 10),
            ("Memelihara kebersihan dan kerapian ruang kerja", "ruang", 30),
            ("Mencatat pemakaian kendaraan dinas", "catatan", 10),
            ("Menyiapkan konsumsi rapat", "kegiatan", 30),
            ("Menerima telepon dan meneruskan pesan", "panggilan", 5),
            ("Menyusun buku agenda kegiatan pimpinan", "dokumen", 30),
            ("Mengelola surat elektronik dinas", "surel", 5),
            ("Memelihara peralatan kantor", "unit", 20),
        ],
    ),
    (
        "KU",
        "keuangan",
        "fp",
        (5, 12),
        None,
        [
            ("Memverifikasi surat pertanggungjawaban", "berkas", 30),
            ("Menyusun surat permintaan pembayaran", "dokumen", 45),
            ("Mencatat transaksi pada buku kas umum", "transaksi", 10),
            ("Merekonsiliasi data keuangan", "kegiatan", 120),
            ("Menyusun laporan realisasi anggaran", "laporan", 180),
            ("Menghitung dan menyetorkan pajak", "transaksi", 20),
            ("Menyusun rencana kebutuhan anggaran", "dokumen", 120),
            ("Mengelola gaji dan tunjangan pegawai", "daftar", 90),
            ("Menginput data pada aplikasi SIPD", "data", 15),
            ("Menyusun laporan keuangan semesteran", "laporan", 240),
            ("Memeriksa kelengkapan dokumen pencairan", "berkas", 20),
            ("Menyusun neraca dan catatan atas laporan keuangan", "dokumen", 240),
        ],
    ),
    (
        "KP",
        "kepegawaian",
        "fp",
        (5, 12),
        None,
        [
            ("Memproses usulan kenaikan pangkat", "berkas", 45),
            ("Memproses usulan kenaikan gaji berkala", "berkas", 30),
            ("Memproses usulan cuti pegawai", "berkas", 15),
            ("Memutakhirkan data SIASN", "pegawai", 15),
            ("Menyusun rekap kehadiran pegawai", "rekap", 60),
            ("Menyusun analisis jabatan", "jabatan", 120),
            ("Menyusun analisis beban kerja", "jabatan", 120),
            ("Memproses usulan pensiun", "berkas", 60),
            ("Memfasilitasi penilaian kinerja pegawai", "kegiatan", 90),
            ("Menyusun rencana pengembangan kompetensi", "dokumen", 120),
        ],
    ),
    (
        "PR",
        "perencanaan",
        "fp",
        (7, 13),
        None,
        [
            ("Menyusun rencana kerja perangkat daerah", "dokumen", 240),
            ("Menyusun dokumen pelaksanaan anggaran", "dokumen", 180),
            ("Menyusun indikator kinerja utama", "dokumen", 120),
            ("Mengolah data capaian kinerja", "data", 30),
            ("Menyusun laporan akuntabilitas kinerja", "laporan", 240),
            ("Memfasilitasi musrenbang", "kegiatan", 240),
            ("Menganalisis usulan program dan kegiatan", "usulan", 30),
            ("Menyusun bahan evaluasi rencana strategis", "bahan", 180),
        ],
    ),
    (
        "GR",
        "guru",
        "f",
        (7, 12),
        "09.DISDIKBUD",
        [
            ("Melaksanakan pembelajaran tatap muka", "jam pelajaran", 35),
            ("Menyusun modul ajar", "modul", 120),
            ("Menyusun alur tujuan pembelajaran", "dokumen", 90),
            ("Mengoreksi hasil ulangan peserta didik", "lembar", 5),
            ("Menyusun soal penilaian", "paket", 90),
            ("Mengisi rapor peserta didik", "siswa", 10),
            ("Melaksanakan bimbingan dan konseling", "siswa", 30),
            ("Membimbing kegiatan ekstrakurikuler", "kegiatan", 90),
            ("Melaksanakan remedial dan pengayaan", "kegiatan", 45),
            ("Mengikuti kelompok kerja guru", "kegiatan", 180),
            ("Menyiapkan media pembelajaran", "media", 60),
            ("Melaksanakan kunjungan rumah peserta didik", "siswa", 60),
            ("Mengawasi ujian sekolah", "sesi", 120),
            ("Melaksanakan supervisi akademik", "guru", 60),
            ("Menginput nilai pada aplikasi rapor", "siswa", 5),
        ],
    ),
    (
        "KS",
        "kesehatan",
        "f",
        (6, 13),
        "10.DINKES",
        [
            ("Melakukan pemeriksaan pasien rawat jalan", "pasien", 15),
            ("Melakukan asuhan keperawatan", "pasien", 30),
            ("Melakukan pertolongan persalinan normal", "persalinan", 180),
            ("Melakukan pemeriksaan kehamilan", "ibu hamil", 20),
            ("Melakukan imunisasi", "sasaran", 10),
            ("Melaksanakan posyandu", "kegiatan", 180),
            ("Melakukan penyuluhan kesehatan masyarakat", "kegiatan", 90),
            ("Melakukan pemeriksaan laboratorium", "sampel", 15),
            ("Menyiapkan dan menyerahkan obat", "resep", 10),
            ("Melakukan kunjungan rumah pasien", "keluarga", 60),
            ("Melakukan surveilans penyakit", "laporan", 60),
            ("Melakukan inspeksi sanitasi tempat umum", "lokasi", 60),
            ("Melakukan konseling gizi", "klien", 30),
            ("Melakukan visite pasien rawat inap", "pasien", 15),
            ("Melakukan tindakan medis", "tindakan", 30),
            ("Mengisi rekam medis elektronik", "pasien", 5),
            ("Melaksanakan jaga IGD", "sif", 420),
            ("Menyusun laporan program puskesmas", "laporan", 90),
        ],
    ),
    (
        "AU",
        "pengawasan",
        "f",
        (8, 13),
        None,
        [
            ("Melaksanakan audit kinerja", "hari", 360),
            ("Menyusun kertas kerja pemeriksaan", "dokumen", 120),
            ("Melakukan reviu laporan keuangan", "dokumen", 180),
            ("Menyusun laporan hasil pemeriksaan", "laporan", 240),
            ("Melakukan pemantauan tindak lanjut hasil pemeriksaan", "temuan", 30),
            ("Melakukan evaluasi SAKIP perangkat daerah", "OPD", 240),
            ("Melakukan pendampingan penyusunan laporan", "kegiatan", 120),
        ],
    ),
    (
        "TI",
        "teknologi",
        "fp",
        (5, 12),
        None,
        [
            ("Memelihara jaringan komputer kantor", "kegiatan", 60),
            ("Memperbaiki perangkat komputer", "unit", 45),
            ("Mengembangkan fitur aplikasi", "fitur", 240),
            ("Mencadangkan basis data", "kegiatan", 30),
            ("Menangani gangguan layanan aplikasi", "tiket", 30),
            ("Menyusun dokumentasi sistem", "dokumen", 90),
            ("Mengelola akun pengguna aplikasi", "akun", 5),
            ("Memantau keamanan server", "kegiatan", 45),
        ],
    ),
    (
        "LP",
        "lapangan",
        "fp",
        (5, 11),
        None,
        [
            ("Melaksanakan patroli ketertiban umum", "kegiatan", 180),
            ("Melaksanakan penertiban pedagang kaki lima", "kegiatan", 120),
            ("Melaksanakan penyuluhan pertanian", "kelompok tani", 120),
            ("Mendampingi kelompok tani", "kelompok", 90),
            ("Melakukan pendataan penduduk rentan", "keluarga", 20),
            ("Melakukan pengukuran dan pemetaan lokasi", "lokasi", 120),
            ("Mengawasi pelaksanaan pekerjaan konstruksi", "paket", 180),
            ("Melayani penerbitan dokumen kependudukan", "dokumen", 10),
            ("Melayani perizinan berusaha", "permohonan", 30),
            ("Memverifikasi data penerima bantuan sosial", "keluarga", 15),
            ("Memeriksa kendaraan bermotor uji berkala", "kendaraan", 20),
            ("Memantau harga bahan pokok di pasar", "pasar", 60),
        ],
    ),
]

# Position-name words -> preferred themes.
_PREFER = [
    (("guru", "kepala sekolah", "pengawas sekolah"), "guru"),
    (
        (
            "perawat",
            "bidan",
            "dokter",
            "apoteker",
            "nutrisionis",
            "sanitarian",
            "kesehatan",
            "laboratorium",
            "epidemiolog",
            "puskesmas",
        ),
        "kesehatan",
    ),
    (("auditor", "inspektur", "pengawas penyelenggaraan"), "pengawasan"),
    (("keuangan", "bendahara", "akuntan", "anggaran", "gaji"), "keuangan"),
    (("kepegawaian", "sdm", "analis sumber daya"), "kepegawaian"),
    (("perencana", "perencanaan", "program"), "perencanaan"),
    (("pranata komputer", "informatika", "sandiman", "statistisi"), "teknologi"),
    (
        ("pol pp", "satpol", "penyuluh", "teknik", "pengawas", "kependudukan", "perizinan"),
        "lapangan",
    ),
]

_DESCRIPTIONS = [
    "",
    "",
    "Sesuai disposisi atasan.",
    "Lanjutan pekerjaan kemarin.",
    "Selesai dan sudah dilaporkan.",
    "Bersama tim.",
    "Dokumen terlampir di arsip unit.",
]
_REJECT_REASONS = [
    "Tidak sesuai dengan tugas jabatan.",
    "Kegiatan yang sama sudah dicatat pada hari lain.",
    "Tidak ada bukti pelaksanaan.",
]
_CUT_REASONS = ["Sebagian belum selesai.", "Volume tidak sesuai hasil yang diserahkan."]
_RETURN_REASONS = ["Lengkapi uraian kegiatan.", "Periksa kembali volume dan jam."]


@dataclass
class ActivitiesSummary:
    catalog_items: int = 0
    entries: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    objections: int = 0
    unlock_requests: int = 0
    accounts: list = field(default_factory=list)  # none of its own

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("accounts")
        return d


def _catalog(
    instansi: Instansi, today: dt.date
) -> list[tuple[ActivityCatalogItem, str, set | None]]:
    units = {u.code: u for u in Unit.objects.filter(instansi=instansi)}
    parent = dict(Unit.objects.filter(instansi=instansi).values_list("id", "parent_id"))
    items, restrictions = [], []
    for prefix, theme, kinds, (kmin, kmax), unit_code, rows in _CATALOG:
        for n, (name, output, minutes) in enumerate(rows, start=1):
            items.append(
                ActivityCatalogItem(
                    instansi=instansi,
                    code=f"{prefix}-{n:03d}",
                    name=name,
                    output_unit=output,
                    standard_minutes=minutes,
                    for_struktural="s" in kinds,
                    for_fungsional="f" in kinds,
                    for_pelaksana="p" in kinds,
                    kelas_min=kmin,
                    kelas_max=kmax,
                    active_from=dt.date(today.year - 1, 1, 1),
                )
            )
            restrictions.append((theme, units.get(unit_code) if unit_code else None))
    ActivityCatalogItem.objects.bulk_create(items)
    through = ActivityCatalogItem.units.through
    links = [
        through(activitycatalogitem_id=it.pk, unit_id=unit.pk)
        for it, (_theme, unit) in zip(items, restrictions, strict=True)
        if unit is not None
    ]
    through.objects.bulk_create(links)

    def subtree(root_id: int) -> set[int]:
        kids = defaultdict(list)
        for u, p in parent.items():
            kids[p].append(u)
        out, stack = set(), [root_id]
        while stack:
            u = stack.pop()
            if u not in out:
                out.add(u)
                stack.extend(kids.get(u, ()))
        return out

    return [
        (it, theme, subtree(unit.pk) if unit is not None else None)
        for it, (theme, unit) in zip(items, restrictions, strict=True)
    ]


def _theme_of(position_name: str) -> str | None:
    low = position_name.lower()
    for words, theme in _PREFER:
        if any(w in low for w in words):
            return theme
    return None


def _nth_after(days: list[dt.date], day: dt.date, n: int) -> dt.date | None:
    i = bisect.bisect_right(days, day) + n - 1
    return days[i] if i < len(days) else None


@dataclass(frozen=True)
class _Emp:
    """What the calendar selector reads of an employee."""

    id: int
    instansi_id: int


# Submission lag in working days, weighted 60/25/10/5.
_LAGS = (0,) * 12 + (1,) * 5 + (2,) * 2 + (3,)
_VERIFY_LAGS = (1, 1, 2, 3, 5, 8)
_START_SHIFT = (0, 0, 15, 30)  # minutes after 07:30 of the first entry
_PER_DAY = (3, 4, 4, 5)  # entries a day in full detail
_PAUSES = (0, 0, 10, 15, 30)  # minutes between entries
_ENTRY_COLUMNS = (
    "employee_id",
    "date",
    "start_time",
    "end_time",
    "item_id",
    "volume",
    "description",
    "minutes_per_unit",
    "status",
    "submitted_at",
    "verify_by",
    "approved_volume",
    "credited_minutes",
    "verified_by_id",
    "verified_at",
    "auto_verified",
    "reason",
)


def generate_activities(
    *,
    instansi: Instansi,
    employees: int,
    rng: random.Random,
    password: str,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
    previous: dict | None = None,
) -> ActivitiesSummary:
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    summary = ActivitiesSummary()
    settings = ActivitySettings.objects.create(
        instansi=instansi, deadline_behaviour=ActivitySettings.DeadlineBehaviour.AUTO_APPROVE
    )
    n_window, n_verify, cap = (
        settings.window_working_days,
        settings.verification_working_days,
        settings.daily_cap_minutes,
    )
    catalog = _catalog(instansi, today)
    summary.catalog_items = len(catalog)
    say(f"  katalog: {len(catalog)} aktivitas")
    ensure_calendar(instansi, today)  # holidays and schedules, when attendance did not run

    scope = demo_scope(instansi, employees, today, previous)
    start = scope.history_start
    end = today - dt.timedelta(days=1)
    people = [
        _Emp(pk, instansi.pk)
        for pk in Employee.objects.filter(instansi=instansi, is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
    ]
    positions = {
        p.id: p
        for p in Position.objects.filter(instansi=instansi).only(
            "id", "kind", "kelas", "name", "unit_id"
        )
    }
    definitif: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for emp, pos, a_start, a_end in Assignment.objects.filter(
        instansi=instansi, kind=Assignment.Kind.DEFINITIF, start__lte=end
    ).values_list("employee_id", "position_id", "start", "end"):
        definitif[emp].append((a_start, a_end, pos))
    calendars = working_days(people, start, today + dt.timedelta(days=60))
    say(f"  kalender kerja dan hierarki ({time.perf_counter() - t0:.1f} dtk)")
    on_leave = _leave_days(instansi, start, end)
    timeline = HierarchyTimeline(instansi.pk, start, end)
    zone = zoneinfo.ZoneInfo(instansi.timezone)

    # Allowed items per position, the trade's own first.
    allowed_cache: dict[tuple, tuple[list, list]] = {}

    def allowed(pos: Position):
        theme = _theme_of(pos.name)
        key = (pos.kind, pos.kelas, pos.unit_id, theme)
        if key not in allowed_cache:
            ok = [
                (it, th)
                for it, th, units in catalog
                if it.kind_allowed(pos.kind)
                and it.kelas_min <= pos.kelas <= it.kelas_max
                and (units is None or pos.unit_id in units)
            ]
            own = [it for it, th in ok if th == theme] if theme else []
            allowed_cache[key] = (own, [it for it, _th in ok])
        return allowed_cache[key]

    by_position: dict[int, tuple[list, list]] = {}

    def allowed_for(pos_id: int):
        if pos_id not in by_position:
            by_position[pos_id] = allowed(positions[pos_id])
        return by_position[pos_id]

    # The hierarchy of each date, and each employee's superior in it, computed once.
    day_count = (end - start).days + 1
    hierarchy_of = {
        start + dt.timedelta(days=i): timeline.on(start + dt.timedelta(days=i))
        for i in range(max(0, day_count))
    }
    superiors: dict[tuple[int, int], int | None] = {}

    def superior_of(day: dt.date, emp_id: int) -> int | None:
        h = hierarchy_of[day]
        key = (id(h), emp_id)
        if key not in superiors:
            superiors[key] = h.superior_id(emp_id)
        return superiors[key]

    moments: dict[tuple, dt.datetime] = {}

    def aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
        """A local time of the instansi on `day`, as an aware UTC datetime (built once)."""
        key = (day, hour, minute)
        moment = moments.get(key)
        if moment is None:
            local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
            moment = moments[key] = local.astimezone(dt.UTC)
        return moment

    clock_times = [dt.time(m // 60, m % 60) for m in range(24 * 60)]
    credit_of: dict[tuple[int, int], int] = {}

    def credit(minutes_per_unit: int, volume: int) -> int:
        key = (minutes_per_unit, volume)
        if key not in credit_of:
            credit_of[key] = minutes_for(minutes_per_unit, volume)
        return credit_of[key]

    # Per catalog item: id, standard minutes and, for each drawn volume, (volume, slot minutes): at
    # most four hours of work, in slots of a quarter of an hour.
    def info(item) -> tuple:
        mpu = item.standard_minutes
        vols = [max(1, min(v, 240 // mpu or 1)) for v in (1, 1, 2, 3, 4)]
        return (item.pk, mpu, [(v, max(15, -(-(mpu * v) // 15) * 15)) for v in vols])

    infos: dict[int, tuple] = {}

    def infos_for(pos_id: int) -> tuple[list, list]:
        own, every = allowed_for(pos_id)
        for it in every:
            if it.pk not in infos:
                infos[it.pk] = info(it)
        return [infos[it.pk] for it in own], [infos[it.pk] for it in every]

    pools: dict[int, tuple[list, list]] = {}
    by_status: Counter = Counter()
    objection_keys: list[tuple] = []
    accounts = (previous or {}).get("org")
    yesterday = today - dt.timedelta(days=1)
    ten_days, week = dt.timedelta(days=10), dt.timedelta(days=7)
    expired_draft = "Kedaluwarsa: tidak diajukan dalam batas pengisian."
    expired_return = "Kedaluwarsa: dikembalikan untuk perbaikan, tidak diajukan ulang."
    auto_reason = "Disetujui otomatis: atasan tidak memverifikasi sampai batas."
    random_ = rng.random
    rows: list[tuple] = []
    for emp in people:
        emp_id = emp.id
        days = calendars.get(emp_id, [])
        n_days = len(days)
        leave = on_leave.get(emp_id, ())
        # Full detail (3-5 entries a day) in a small demo and in the focus units of a large one
        # (see scope.py); one entry a working day for the rest.
        detailed = scope.in_focus(emp_id)
        posts = definitif.get(emp_id, ())
        first = bisect.bisect_left(days, scope.start_for(emp_id))
        stop = bisect.bisect_right(days, end)
        today_idx = bisect.bisect_left(days, today)
        for idx in range(first, stop):
            day = days[idx]
            if day in leave:
                continue
            pos_id = next((p for a, b, p in posts if a <= day and (b is None or b >= day)), None)
            if pos_id is None:
                continue
            if pos_id not in pools:
                pools[pos_id] = infos_for(pos_id)
            own, every = pools[pos_id]
            if not every:
                continue
            # The n-th working day after `day` is days[idx + n] (the calendar reaches 60 days on).
            win_i = idx + n_window
            window_end = days[win_i] if win_i < n_days else day + ten_days
            if win_i + n_verify < n_days:
                verify_by_day = days[win_i + n_verify]
            else:
                verify_by_day = _nth_after(days, window_end, n_verify) or window_end + week
            superior = superior_of(day, emp_id)
            recent = today_idx - idx - 1  # working days since
            clock = 450 + _START_SHIFT[int(random_() * 4)]  # 07:30 at the earliest
            used = 0
            for _k in range(_PER_DAY[int(random_() * 4)] if detailed else 1):
                pool = own if own and random_() < 0.7 else every
                item_id, mpu, vols = pool[int(random_() * len(pool))]
                vol, span = vols[int(random_() * 5)]
                if clock + span > 17 * 60:
                    break
                s_time = clock_times[clock]
                clock += span
                e_time = clock_times[clock]
                clock += _PAUSES[int(random_() * 5)]
                description = _DESCRIPTIONS[int(random_() * len(_DESCRIPTIONS))]
                status = DRAFT
                submitted_at = verify_by = approved = verified_by = verified_at = None
                credited, auto, reason = 0, False, ""
                # Submission: same day mostly; the last two working days partly still drafts.
                s_i = idx + _LAGS[int(random_() * 20)]
                submit_day = days[s_i] if s_i < n_days else None
                late_draft = random_() < 0.02
                if (recent < 2 and random_() < 0.35) or submit_day is None or submit_day > today:
                    pass  # still a draft
                elif late_draft and window_end < today:
                    status, reason = EXPIRED, expired_draft
                else:
                    if submit_day > window_end:  # only with a calendar that ends early
                        submit_day = window_end
                        s_i = bisect.bisect_right(days, submit_day) - 1
                    verify_by = verify_by_day
                    status = SUBMITTED
                    submitted_at = aware(submit_day, 15 + int(random_() * 2), int(random_() * 60))
                    v_i = s_i + _VERIFY_LAGS[int(random_() * 6)]
                    verify_day = days[v_i] if v_i < n_days else None
                    if (
                        superior is not None
                        and verify_day is not None
                        and verify_day <= verify_by
                        and verify_day <= yesterday
                    ):
                        verified_by = superior
                        verified_at = aware(verify_day, 9, int(random_() * 60))
                        roll = random_()
                        if roll < 0.03:
                            status = REJECTED
                            reason = _REJECT_REASONS[int(random_() * len(_REJECT_REASONS))]
                        elif roll < 0.05 and window_end >= today:
                            status = RETURNED
                            reason = _RETURN_REASONS[int(random_() * len(_RETURN_REASONS))]
                        elif roll < 0.05:
                            status, reason = EXPIRED, expired_return
                        else:
                            status = APPROVED
                            if roll < 0.08 and vol > 1:
                                approved = vol - 1
                                reason = _CUT_REASONS[int(random_() * len(_CUT_REASONS))]
                        if status == REJECTED or approved is not None:
                            decider = superior_of(day, superior)
                            if random_() < 0.25 and decider not in (None, emp_id):
                                fresh = (today - verify_day).days <= 3
                                decision = (
                                    None if fresh else ("granted", "denied")[int(random_() * 2)]
                                )
                                objection_keys.append(
                                    (
                                        emp_id,
                                        day,
                                        s_time,
                                        superior,
                                        decider,
                                        status,
                                        decision,
                                        verified_at,
                                    )
                                )
                                if decision == "granted":
                                    # Granted: approved at the full volume (credited below).
                                    status, approved = APPROVED, None
                    elif verify_by < today:
                        status, auto = APPROVED, True
                        verified_at = aware(verify_by + dt.timedelta(days=1), 0, 5)
                        reason = auto_reason
                    if status == APPROVED:
                        # The verification rule: standard minutes x volume, capped per day.
                        credited = max(0, min(credit(mpu, approved or vol), cap - used))
                        used += credited
                by_status[status] += 1
                rows.append(
                    (
                        emp_id,
                        day,
                        s_time,
                        e_time,
                        item_id,
                        vol,
                        description,
                        mpu,
                        status,
                        submitted_at,
                        verify_by,
                        approved,
                        credited,
                        verified_by,
                        verified_at,
                        auto,
                        reason,
                    )
                )
    say(f"  {len(rows)} entri disusun ({time.perf_counter() - t0:.1f} dtk)")
    now = timezone.now()
    summary.entries = insert_tuples(
        ActivityEntry,
        _ENTRY_COLUMNS,
        rows,
        constants={"instansi_id": instansi.pk, "created_at": now, "updated_at": now},
    )
    del rows
    summary.by_status = {str(k): v for k, v in sorted(by_status.items())}
    say(
        f"  aktivitas: {summary.entries} entri ({summary.by_status}) "
        f"({time.perf_counter() - t0:.1f} dtk)"
    )

    summary.objections = _objections(instansi, objection_keys)
    summary.unlock_requests = _unlocks(instansi, people, today, rng)
    pegawai = _account_employees(instansi, accounts, role="pegawai")
    if pegawai:
        me = pegawai[0]
        pos = next((p for a, b, p in definitif.get(me, ()) if b is None), None)
        if pos is not None:
            own, every = allowed(positions[pos])
            insert_tuples(
                Favourite,
                ("employee_id", "item_id"),
                [(me, it.pk) for it in dict.fromkeys((own or every)[:3])],
                constants={"instansi_id": instansi.pk},
            )
    return summary


def _leave_days(instansi: Instansi, start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
    """Approved leave per employee (the attendance demo's): nobody records work on those days."""
    out: dict[int, set[dt.date]] = defaultdict(set)
    for emp, d_from, d_to in LeaveRequest.objects.filter(
        instansi=instansi,
        status=LeaveRequest.Status.APPROVED,
        date_from__lte=end,
        date_to__gte=start,
    ).values_list("employee_id", "date_from", "date_to"):
        day = max(d_from, start)
        while day <= min(d_to, end):
            out[emp].add(day)
            day += dt.timedelta(days=1)
    return out


def _account_employees(instansi: Instansi, accounts, role: str | None = None) -> list[int]:
    """Employee ids of the demo accounts (of one role) that are employees (one query)."""
    names = [
        a.username
        for a in getattr(accounts, "accounts", []) or []
        if role is None or a.role == role
    ]
    if not names:
        return []
    return list(
        Employee.objects.filter(instansi=instansi, user__username__in=names)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _objections(instansi, keys) -> int:
    """The objections decided at generation (see the row loop): pending for the last days, granted
    or denied (final) for older ones; each decided by the verifier's own superior on the entry's date.
    One query for the entry ids and one insert."""
    if not keys:
        return 0
    wanted = {(k[0], k[1], k[2]): k for k in keys}
    # Every entry with an objection carries a rejection or cut reason (a granted one too).
    found = ActivityEntry.objects.filter(
        instansi=instansi, reason__in=[*_REJECT_REASONS, *_CUT_REASONS]
    ).values_list("id", "employee_id", "date", "start_time")
    rows = []
    for entry_id, emp, day, start in found:
        key = wanted.get((emp, day, start))
        if key is None:
            continue
        _e, _d, _t, verifier, decider, status, decision, verified_at = key
        rows.append(
            (
                entry_id,
                (
                    Objection.Kind.REJECTION if status == REJECTED else Objection.Kind.VOLUME_CUT
                ).value,
                verified_at + dt.timedelta(hours=20),
                verifier,
                decider,
                decision or ObjectionStatus.PENDING.value,
                verified_at + dt.timedelta(days=2) if decision else None,
                (
                    "Hasil kerja dapat dibuktikan."
                    if decision == "granted"
                    else "Keputusan atasan langsung sudah tepat."
                    if decision
                    else ""
                ),
            )
        )
    return insert_tuples(
        Objection,
        (
            "entry_id",
            "kind",
            "filed_at",
            "verifier_id",
            "decider_id",
            "status",
            "decided_at",
            "decision_reason",
        ),
        rows,
        constants={
            "instansi_id": instansi.pk,
            "reason": "Pekerjaan ini benar saya selesaikan; hasilnya ada pada arsip unit.",
        },
    )


def _unlocks(instansi, people, today, rng) -> int:
    """A few requests waiting for BKPSDM and one approved, for employees with a login."""
    users = dict(
        Employee.objects.filter(instansi=instansi, user__isnull=False)
        .order_by("id")
        .values_list("id", "user_id")
    )
    with_login = [e.id for e in people if e.id in users]
    if not with_login:
        return 0
    bkpsdm = User.objects.filter(instansi=instansi, role_grants__role="bkpsdm").first()
    chosen = rng.sample(with_login, min(len(with_login), max(3, len(people) // 300)))
    now = timezone.now()
    rows = []
    for i, emp in enumerate(chosen):
        first = today - dt.timedelta(days=rng.randint(14, 28))
        approved = i == 0 and bkpsdm is not None
        rows.append(
            (
                emp,
                first,
                first + dt.timedelta(days=rng.randint(0, 2)),
                rng.choice(
                    (
                        "Sakit dan dirawat inap, tidak dapat mengisi aktivitas.",
                        "Tugas luar daerah tanpa jaringan internet.",
                        "Aplikasi gangguan saat batas pengisian.",
                    )
                ),
                users[emp],
                (UnlockStatus.APPROVED if approved else UnlockStatus.PENDING).value,
                today + dt.timedelta(days=3) if approved else None,
                bkpsdm.pk if approved else None,
                now if approved else None,
                "Surat keterangan dokter terlampir." if approved else "",
            )
        )
    return insert_tuples(
        UnlockRequest,
        (
            "employee_id",
            "date_from",
            "date_to",
            "reason",
            "requested_by_id",
            "status",
            "deadline",
            "decided_by_id",
            "decided_at",
            "decision_reason",
        ),
        rows,
        constants={"instansi_id": instansi.pk, "requested_at": now},
    )
