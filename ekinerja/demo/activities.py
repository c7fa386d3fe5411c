"""Demo daily activities: a catalog of ~150 realistic activities with standard minutes, and about a
month of entries for every demo employee in every state the app knows.

Called by the demo runner with the same keyword arguments as every generator (see runner.py).
Deterministic for a given rng, employees and `today`. Rows are written with bulk.insert_rows in chunks
(one executemany/COPY per chunk of employees), so 20,000 employees stay within memory and a few minutes.

What the month looks like (the rules are the activity app's: 7-working-day window, verification by the
superior on the entry's date, daily cap, deadlines):
- each working day in post has 3-5 entries between 07:30 and 17:00 (in a demo of more than 3,000
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
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

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
)
from ekinerja.activities.selectors import HierarchyTimeline
from ekinerja.core.models import Instansi, User
from ekinerja.org.models import Assignment, Employee, Position, Unit
from ekinerja.workcal.selectors import working_days

from .bulk import insert_rows

S = EntryStatus
DAYS_BACK = 30
FULL_DETAIL_LIMIT = 3000
CHUNK = 1500  # employees per insert

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

    start = today - dt.timedelta(days=DAYS_BACK)
    end = today - dt.timedelta(days=1)
    people = list(
        Employee.objects.filter(instansi=instansi, is_active=True)
        .select_related("instansi", "user")
        .order_by("id")
    )
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

    by_status: Counter = Counter()
    objection_keys: list[tuple] = []
    now = timezone.now()
    accounts = (previous or {}).get("org")
    pegawai_username = next(
        (a.username for a in getattr(accounts, "accounts", []) if a.role == "pegawai"), None
    )

    def aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)

    # Full detail (3-5 entries a day) for everyone in a demo of up to FULL_DETAIL_LIMIT employees;
    # in a bigger one for the units of the demo accounts (what a visitor clicks through), one entry
    # a working day for the rest, which keeps every state and the month's recap but holds the
    # 20,000-employee demo to a few hundred thousand rows.
    detailed_units = _account_units(accounts, people, definitif, positions, end)
    full_detail = len(people) <= FULL_DETAIL_LIMIT

    rows: list[dict] = []

    def flush():
        _insert_entries(rows)
        summary.entries += len(rows)
        rows.clear()

    for idx, emp in enumerate(people):
        days = calendars.get(emp.id, [])
        detailed = full_detail or _unit_of(emp.id, definitif, positions, end) in detailed_units
        for day in days[: bisect.bisect_right(days, end)]:
            if day < start:
                continue
            pos_id = next(
                (
                    p
                    for a, b, p in definitif.get(emp.id, ())
                    if a <= day and (b is None or b >= day)
                ),
                None,
            )
            if pos_id is None:
                continue
            own, every = allowed_for(pos_id)
            if not every:
                continue
            window_end = _nth_after(days, day, n_window) or day + dt.timedelta(days=10)
            superior = timeline.on(day).superior_id(emp.id)
            recent = bisect.bisect_left(days, today) - bisect.bisect_right(
                days, day
            )  # working days since
            clock = 7 * 60 + 30 + rng.choice((0, 0, 15, 30))
            used = 0
            for _k in range(rng.choice((3, 4, 4, 5)) if detailed else 1):
                pool = own if own and rng.random() < 0.7 else every
                item = rng.choice(pool)
                vol = max(1, min(rng.choice((1, 1, 2, 3, 4)), 240 // item.standard_minutes or 1))
                minutes = item.standard_minutes * vol
                span = max(15, -(-minutes // 15) * 15)
                if clock + span > 17 * 60:
                    break
                s_time = dt.time(clock // 60, clock % 60)
                clock += span
                e_time = dt.time(clock // 60, clock % 60)
                clock += rng.choice((0, 0, 10, 15, 30))
                row = {
                    "instansi_id": instansi.pk,
                    "employee_id": emp.id,
                    "date": day,
                    "start_time": s_time,
                    "end_time": e_time,
                    "item_id": item.pk,
                    "volume": Decimal(vol),
                    "description": rng.choice(_DESCRIPTIONS),
                    "minutes_per_unit": item.standard_minutes,
                    "status": S.DRAFT,
                    "submitted_at": None,
                    "verify_by": None,
                    "approved_volume": None,
                    "credited_minutes": 0,
                    "verified_by_id": None,
                    "verified_at": None,
                    "auto_verified": False,
                    "reason": "",
                    "created_at": now,
                    "updated_at": now,
                }
                # Submission: same day mostly; the last two working days partly still drafts.
                lag = rng.choices((0, 1, 2, 3), weights=(60, 25, 10, 5))[0]
                submit_day = _nth_after(days, day, lag) if lag else day
                late_draft = rng.random() < 0.02
                if (recent < 2 and rng.random() < 0.35) or submit_day is None or submit_day > today:
                    by_status[S.DRAFT] += 1
                    rows.append(row)
                    continue
                if late_draft and window_end < today:
                    row.update(
                        status=S.EXPIRED,
                        reason="Kedaluwarsa: tidak diajukan dalam batas pengisian.",
                    )
                    by_status[S.EXPIRED] += 1
                    rows.append(row)
                    continue
                submit_day = min(submit_day, window_end)
                verify_by = _nth_after(days, max(window_end, submit_day), n_verify) or (
                    window_end + dt.timedelta(days=7)
                )
                row.update(
                    status=S.SUBMITTED,
                    submitted_at=aware(submit_day, 15 + rng.randint(0, 1), rng.randint(0, 59)),
                    verify_by=verify_by,
                )
                verify_lag = rng.choice((1, 1, 2, 3, 5, 8))
                verify_day = _nth_after(days, submit_day, verify_lag)
                if (
                    superior is not None
                    and verify_day is not None
                    and verify_day <= min(verify_by, today - dt.timedelta(days=1))
                ):
                    row.update(
                        verified_by_id=superior,
                        verified_at=aware(verify_day, 9, rng.randint(0, 59)),
                    )
                    roll = rng.random()
                    if roll < 0.03:
                        row.update(status=S.REJECTED, reason=rng.choice(_REJECT_REASONS))
                    elif roll < 0.05 and window_end >= today:
                        row.update(status=S.RETURNED, reason=rng.choice(_RETURN_REASONS))
                    elif roll < 0.05:
                        row.update(
                            status=S.EXPIRED,
                            reason="Kedaluwarsa: dikembalikan untuk perbaikan, tidak diajukan ulang.",
                        )
                    else:
                        row["status"] = S.APPROVED
                        if roll < 0.08 and vol > 1:
                            row.update(
                                approved_volume=Decimal(vol - 1), reason=rng.choice(_CUT_REASONS)
                            )
                    if row["status"] == S.REJECTED or row["approved_volume"] is not None:
                        decider = timeline.on(day).superior_id(superior)
                        if rng.random() < 0.25 and decider not in (None, emp.id):
                            fresh = (today - verify_day).days <= 3
                            decision = None if fresh else rng.choice(("granted", "denied"))
                            objection_keys.append(
                                (
                                    emp.id,
                                    day,
                                    s_time,
                                    superior,
                                    decider,
                                    row["status"],
                                    decision,
                                    row["verified_at"],
                                )
                            )
                            if decision == "granted":
                                # Granted: approved at the full volume (credited below).
                                row.update(status=S.APPROVED, approved_volume=None)
                elif verify_by < today:
                    row.update(
                        status=S.APPROVED,
                        auto_verified=True,
                        verified_at=aware(verify_by + dt.timedelta(days=1), 0, 5),
                        reason="Disetujui otomatis: atasan tidak memverifikasi sampai batas.",
                    )
                if row["status"] == S.APPROVED:
                    effective = row["approved_volume"] or row["volume"]
                    credited = min(item.standard_minutes * int(effective), max(0, cap - used))
                    row["credited_minutes"] = credited
                    used += credited
                by_status[row["status"]] += 1
                rows.append(row)
        if (idx + 1) % CHUNK == 0:
            flush()
            say(f"  aktivitas: {idx + 1} pegawai, {summary.entries} entri")
    flush()
    summary.by_status = dict(sorted(by_status.items()))
    say(f"  aktivitas: {summary.entries} entri ({summary.by_status})")

    summary.objections = _objections(instansi, objection_keys)
    summary.unlock_requests = _unlocks(instansi, people, today, rng)
    if pegawai_username:
        me = next((e for e in people if e.user and e.user.username == pegawai_username), None)
        pos = me and next((p for a, b, p in definitif.get(me.id, ()) if b is None), None)
        if me is not None and pos is not None:
            own, every = allowed(positions[pos])
            Favourite.objects.bulk_create(
                [
                    Favourite(instansi=instansi, employee=me, item=it)
                    for it in list(dict.fromkeys((own or every)[:3]))
                ]
            )
    return summary


def _insert_entries(rows: list[dict]) -> None:
    """Entries are by far the most rows of the demo. On PostgreSQL they go in with one COPY of plain
    Python values, which psycopg adapts natively (dates, times, decimals, aware datetimes), instead of
    bulk.insert_rows' per-value field conversion that costs more than the COPY itself at this size;
    elsewhere through insert_rows."""
    from django.db import connections, router

    if not rows:
        return
    conn = connections[router.db_for_write(ActivityEntry)]
    if conn.vendor != "postgresql":
        insert_rows(ActivityEntry, rows)
        return
    fields = {f.attname: f.column for f in ActivityEntry._meta.concrete_fields}
    names = list(rows[0])
    columns = ", ".join(conn.ops.quote_name(fields[n]) for n in names)
    table = conn.ops.quote_name(ActivityEntry._meta.db_table)
    with (
        conn.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(tuple(row[n] for n in names))


def _unit_of(emp_id, definitif, positions, on) -> int | None:
    for a, b, pos in definitif.get(emp_id, ()):
        if a <= on and (b is None or b >= on):
            return positions[pos].unit_id
    return None


def _account_units(accounts, people, definitif, positions, on) -> set[int]:
    """Units of the demo accounts that are employees (atasan, pegawai, ...)."""
    names = {a.username for a in getattr(accounts, "accounts", [])}
    return {
        _unit_of(e.id, definitif, positions, on)
        for e in people
        if e.user is not None and e.user.username in names
    } - {None}


def _objections(instansi, keys) -> int:
    """The objections decided at generation (see the row loop): pending for the last days, granted
    or denied (final) for older ones; each decided by the verifier's own superior on the entry's date.
    One query for the entry ids and one insert."""
    if not keys:
        return 0
    wanted = {(k[0], k[1], k[2]): k for k in keys}
    found = ActivityEntry.objects.filter(
        instansi=instansi,
        employee_id__in={k[0] for k in keys},
        date__in={k[1] for k in keys},
    ).values_list("id", "employee_id", "date", "start_time")
    rows = []
    for entry_id, emp, day, start in found:
        key = wanted.get((emp, day, start))
        if key is None:
            continue
        _e, _d, _t, verifier, decider, status, decision, verified_at = key
        rows.append(
            {
                "instansi_id": instansi.pk,
                "entry_id": entry_id,
                "kind": Objection.Kind.REJECTION
                if status == S.REJECTED
                else Objection.Kind.VOLUME_CUT,
                "reason": "Pekerjaan ini benar saya selesaikan; hasilnya ada pada arsip unit.",
                "filed_at": verified_at + dt.timedelta(hours=20),
                "verifier_id": verifier,
                "decider_id": decider,
                "status": decision or ObjectionStatus.PENDING,
                "decided_at": verified_at + dt.timedelta(days=2) if decision else None,
                "decision_reason": (
                    "Hasil kerja dapat dibuktikan."
                    if decision == "granted"
                    else "Keputusan atasan langsung sudah tepat."
                    if decision
                    else ""
                ),
            }
        )
    insert_rows(Objection, rows)
    return len(rows)


def _unlocks(instansi, people, today, rng) -> int:
    """A few requests waiting for BKPSDM and one approved, for employees with a login."""
    with_login = [e for e in people if e.user_id]
    if not with_login:
        return 0
    bkpsdm = User.objects.filter(instansi=instansi, role_grants__role="bkpsdm").first()
    chosen = rng.sample(with_login, min(len(with_login), max(3, len(people) // 300)))
    rows = []
    for i, emp in enumerate(chosen):
        first = today - dt.timedelta(days=rng.randint(14, 28))
        approved = i == 0 and bkpsdm is not None
        rows.append(
            UnlockRequest(
                instansi=instansi,
                employee=emp,
                date_from=first,
                date_to=first + dt.timedelta(days=rng.randint(0, 2)),
                reason=rng.choice(
                    (
                        "Sakit dan dirawat inap, tidak dapat mengisi aktivitas.",
                        "Tugas luar daerah tanpa jaringan internet.",
                        "Aplikasi gangguan saat batas pengisian.",
                    )
                ),
                requested_by=emp.user,
                status=UnlockStatus.APPROVED if approved else UnlockStatus.PENDING,
                deadline=today + dt.timedelta(days=3) if approved else None,
                decided_by=bkpsdm if approved else None,
                decided_at=timezone.now() if approved else None,
                decision_reason="Surat keterangan dokter terlampir." if approved else "",
            )
        )
    UnlockRequest.objects.bulk_create(rows)
    return len(rows)
