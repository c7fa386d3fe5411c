"""The shape of the demo kabupaten: units (OPD and sub-units) and positions (jabatan), as plain specs.

Nothing here touches the database; org.py turns the specs into rows. The structure follows a
Kalimantan Selatan kabupaten after the 2021 simplification of bureaucracy (many eselon IV posts became
fungsional): Sekretariat Daerah with asisten and bagian, Sekretariat DPRD, Inspektorat, the badan and
dinas, schools under Dinas Pendidikan, an RSUD and puskesmas under Dinas Kesehatan, and kecamatan with
kelurahan. The Bupati is political, not ASN, so the top ASN position is the Sekda; heads of OPD and camat
report to the Sekda.

Positions are either "heads" (one holder: struktural posts, kepala sekolah, kepala puskesmas) or
"pools" (fungsional and pelaksana posts held by several people; their share of the staff budget is a
weight). The number of employees drives how many kecamatan, schools and puskesmas there are and how
large the pools get.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

STRUKTURAL = "struktural"
FUNGSIONAL = "fungsional"
PELAKSANA = "pelaksana"
OPD = "opd"
SUB = "sub"

STRUKTURAL_KELAS = {
    "sekda": 15,
    "eselon2": 14,
    "eselon3a": 12,
    "eselon3b": 11,
    "eselon4": 9,
    "eselon4b": 8,
}
FUNGSIONAL_KELAS = {"madya": 12, "muda": 10, "pertama": 8, "penyelia": 9, "mahir": 8, "terampil": 7}
_JF_SUFFIX = {
    "madya": "Ahli Madya",
    "muda": "Ahli Muda",
    "pertama": "Ahli Pertama",
    "penyelia": "Penyelia",
    "mahir": "Mahir",
    "terampil": "Terampil",
}
# Pelaksana nomenclature of KepmenPANRB 11/2024: name, kelas, level.
PELAKSANA_POSTS = [
    ("Penata Layanan Operasional", 7, "pelaksana7"),
    ("Pengelola Layanan Operasional", 6, "pelaksana6"),
    ("Operator Layanan Operasional", 5, "pelaksana5"),
    ("Pengadministrasi Perkantoran", 5, "pelaksana5"),
]

# Staff budget shares of the pools (after the heads are filled); the rest goes to the OPD's bidang.
EDU_SHARE = 0.46  # schools
PUSKESMAS_SHARE = 0.13
RSUD_SHARE = 0.09

KECAMATAN = [
    # Kabupaten Hulu Sungai Selatan first; neighbours' names for very large demos.
    "Kandangan",
    "Sungai Raya",
    "Padang Batung",
    "Loksado",
    "Telaga Langsat",
    "Angkinang",
    "Simpur",
    "Kalumpang",
    "Daha Selatan",
    "Daha Utara",
    "Daha Barat",
    "Barabai",
    "Haruyan",
    "Batu Benawa",
    "Hantakan",
    "Pandawan",
    "Limpasu",
    "Labuan Amas Selatan",
    "Labuan Amas Utara",
    "Batang Alai Selatan",
    "Batang Alai Utara",
    "Batang Alai Timur",
    "Tapin Utara",
    "Tapin Tengah",
    "Tapin Selatan",
    "Candi Laras Utara",
    "Candi Laras Selatan",
    "Binuang",
    "Bakarangan",
    "Lokpaikat",
    "Salam Babaris",
    "Piani",
    "Hatungun",
    "Bungur",
    "Amuntai Tengah",
    "Amuntai Selatan",
    "Amuntai Utara",
    "Babirik",
    "Sungai Pandan",
    "Danau Panggang",
    "Paminggir",
    "Haur Gading",
    "Sungai Tabukan",
    "Banjang",
    "Paringin",
    "Halong",
    "Juai",
    "Awayan",
    "Batumandi",
    "Lampihong",
    "Tebing Tinggi",
]
KELURAHAN = ["Kandangan Kota", "Kandangan Barat", "Kandangan Utara", "Jambu Hilir"]
_ROMAN = ["", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X"]


@dataclass(eq=False)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: UnitSpec | None = None
    opd: UnitSpec | None = None  # the OPD this unit belongs to (itself for an OPD)
    obj: object = None


@dataclass(eq=False)
class PosSpec:
    code: str
    name: str
    unit: UnitSpec
    kind: str
    kelas: int
    level: str  # key of people.LEVELS
    profile: str  # drives titles and sex ratio
    parent: PosSpec | None
    head: bool
    weight: float = 0.0  # share of its staff budget (pools only)
    budget: str = "general"  # "general", "edu", "puskesmas" or "rsud"
    minimum: int = 0
    tag: str = ""  # "opd_head", "sekretaris", "kabid", "eselon4", or a demo account role
    holders: int = 0
    vacant: bool = False
    obj: object = None
    depth: int = 0


@dataclass
class Structure:
    units: list[UnitSpec] = field(default_factory=list)
    positions: list[PosSpec] = field(default_factory=list)
    tagged: dict[str, PosSpec] = field(default_factory=dict)
    opd_heads: dict[str, PosSpec] = field(default_factory=dict)  # OPD code -> kepala
    sekretaris: dict[str, PosSpec] = field(default_factory=dict)  # OPD code -> sekretaris
    kabid: dict[str, list[PosSpec]] = field(default_factory=dict)  # OPD code -> kepala bidang
    _pos_seq: dict[str, int] = field(default_factory=dict)

    def prune_empty_pools(self) -> None:
        """Drop pool posts that got nobody (pools are leaves) and number the codes without gaps."""
        self.positions = [p for p in self.positions if p.head or p.holders > 0]
        seq: dict[str, int] = {}
        for p in self.positions:
            seq[p.unit.code] = seq.get(p.unit.code, 0) + 1
            p.code = f"{p.unit.code}.{seq[p.unit.code]:03d}"

    # -- building blocks ---------------------------------------------------------------------------
    def unit(self, code: str, name: str, parent: UnitSpec | None = None) -> UnitSpec:
        u = UnitSpec(code, name, SUB if parent else OPD, parent)
        u.opd = parent.opd if parent else u
        self.units.append(u)
        return u

    def _pos(
        self,
        unit: UnitSpec,
        name: str,
        kind: str,
        kelas: int,
        level: str,
        profile: str,
        parent: PosSpec | None,
        head: bool,
        **kw,
    ) -> PosSpec:
        n = self._pos_seq.get(unit.code, 0) + 1
        self._pos_seq[unit.code] = n
        p = PosSpec(
            f"{unit.code}.{n:03d}", name, unit, kind, kelas, level, profile, parent, head, **kw
        )
        p.depth = parent.depth + 1 if parent else 0
        self.positions.append(p)
        if p.tag and p.tag not in ("opd_head", "sekretaris", "kabid", "eselon4"):
            self.tagged[p.tag] = p
        return p

    def head(self, unit, name, level, profile, parent, *, kelas=None, kind=STRUKTURAL, tag=""):
        kelas = kelas or STRUKTURAL_KELAS.get(level) or FUNGSIONAL_KELAS[level]
        return self._pos(unit, name, kind, kelas, level, profile, parent, True, tag=tag)

    def jf(
        self, unit, base, level, profile, parent, weight, *, budget="general", minimum=0, tag=""
    ):
        return self._pos(
            unit,
            f"{base} {_JF_SUFFIX[level]}",
            FUNGSIONAL,
            FUNGSIONAL_KELAS[level],
            level,
            profile,
            parent,
            False,
            weight=weight,
            budget=budget,
            minimum=minimum,
            tag=tag,
        )

    def pelaksana(
        self, unit, which, profile, parent, weight, *, budget="general", minimum=0, tag=""
    ):
        name, kelas, level = PELAKSANA_POSTS[which]
        return self._pos(
            unit,
            name,
            PELAKSANA,
            kelas,
            level,
            profile,
            parent,
            False,
            weight=weight,
            budget=budget,
            minimum=minimum,
            tag=tag,
        )

    def staff_under(self, unit, parent, profile, jfs, *, scale=1.0, admin_weight=1.0):
        """The usual staff of a bidang/bagian/seksi: its fungsional and three pelaksana pools."""
        for base, jf_profile, levels in jfs:
            for level, w in levels:
                self.jf(unit, base, level, jf_profile, parent, w * scale)
        self.pelaksana(unit, 0, profile, parent, 1.0 * scale * admin_weight)
        self.pelaksana(unit, 1, profile, parent, 1.2 * scale * admin_weight)
        self.pelaksana(unit, 2, profile, parent, 0.6 * scale * admin_weight)


AHLI = [("muda", 1.0), ("pertama", 1.6)]
AHLI3 = [("madya", 0.4), ("muda", 1.0), ("pertama", 1.6)]

# OPD: code, name, head title, head profile, [(bidang, profile, fungsional)], extra (only N >= 600).
# The first bidang of each OPD are kept on small demos, so the demo accounts' posts come first.
OPDS: list[tuple] = [
    (
        "05.BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "sdm",
        [
            (
                "Penilaian Kinerja Aparatur dan Penghargaan",
                "sdm",
                [("Analis Sumber Daya Manusia Aparatur", "sdm", AHLI)],
            ),
            ("Mutasi dan Promosi", "sdm", [("Analis Sumber Daya Manusia Aparatur", "sdm", AHLI)]),
            (
                "Pengembangan Kompetensi Aparatur",
                "sdm",
                [
                    ("Widyaiswara", "sdm", [("madya", 0.3), ("muda", 0.6)]),
                    ("Analis Sumber Daya Manusia Aparatur", "sdm", AHLI),
                ],
            ),
            (
                "Pengadaan, Pemberhentian dan Informasi Kepegawaian",
                "it",
                [
                    ("Pranata Komputer", "it", AHLI),
                    ("Analis Sumber Daya Manusia Aparatur", "sdm", AHLI),
                ],
            ),
        ],
        False,
    ),  # fmt: skip
    (
        "06.BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "Kepala Badan Pengelolaan Keuangan dan Aset Daerah",
        "keuangan",
        [
            (
                "Perbendaharaan",
                "keuangan",
                [("Analis Keuangan Pusat dan Daerah", "keuangan", AHLI)],
            ),
            ("Anggaran", "keuangan", [("Analis Keuangan Pusat dan Daerah", "keuangan", AHLI)]),
            (
                "Akuntansi dan Pelaporan",
                "keuangan",
                [("Analis Keuangan Pusat dan Daerah", "keuangan", AHLI)],
            ),
            (
                "Pengelolaan Barang Milik Daerah",
                "keuangan",
                [("Penata Kelola Barang Milik Negara", "keuangan", AHLI)],
            ),
        ],
        False,
    ),  # fmt: skip
    (
        "04.BAPPERIDA",
        "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        "perencana",
        [
            (
                "Perencanaan, Pengendalian dan Evaluasi Pembangunan Daerah",
                "perencana",
                [("Perencana", "perencana", AHLI3)],
            ),
            ("Perekonomian dan Sumber Daya Alam", "perencana", [("Perencana", "perencana", AHLI)]),
            ("Infrastruktur dan Kewilayahan", "teknik", [("Perencana", "perencana", AHLI)]),
            (
                "Pemerintahan dan Pembangunan Manusia",
                "perencana",
                [("Perencana", "perencana", AHLI)],
            ),
            (
                "Riset dan Inovasi Daerah",
                "perencana",
                [("Peneliti", "perencana", [("muda", 0.5), ("pertama", 0.8)])],
            ),
        ],
        False,
    ),  # fmt: skip
    (
        "08.DISKOMINFO",
        "Dinas Komunikasi dan Informatika",
        "Kepala Dinas Komunikasi dan Informatika",
        "it",
        [
            ("Aplikasi Informatika", "it", [("Pranata Komputer", "it", AHLI)]),
            (
                "Informasi dan Komunikasi Publik",
                "humas",
                [("Pranata Hubungan Masyarakat", "humas", AHLI)],
            ),
            ("Persandian dan Keamanan Informasi", "it", [("Sandiman", "it", AHLI)]),
            ("Statistik Sektoral", "statistik", [("Statistisi", "statistik", AHLI)]),
        ],
        False,
    ),  # fmt: skip
    (
        "09.DISDIKBUD",
        "Dinas Pendidikan dan Kebudayaan",
        "Kepala Dinas Pendidikan dan Kebudayaan",
        "guru",
        [
            (
                "Pembinaan Sekolah Dasar",
                "guru",
                [("Pengawas Sekolah", "guru", [("madya", 0.6), ("muda", 0.8)])],
            ),
            (
                "Pembinaan Sekolah Menengah Pertama",
                "guru",
                [("Pengawas Sekolah", "guru", [("madya", 0.6), ("muda", 0.8)])],
            ),
            (
                "Pendidik dan Tenaga Kependidikan",
                "sdm",
                [("Analis Sumber Daya Manusia Aparatur", "sdm", AHLI)],
            ),
            (
                "Pembinaan Pendidikan Anak Usia Dini dan Pendidikan Nonformal",
                "guru",
                [("Pamong Belajar", "guru", AHLI)],
            ),
            ("Kebudayaan", "umum", [("Pamong Budaya", "umum", AHLI)]),
        ],
        False,
    ),  # fmt: skip
    (
        "10.DINKES",
        "Dinas Kesehatan",
        "Kepala Dinas Kesehatan",
        "dokter",
        [
            ("Pelayanan Kesehatan", "kesmas", [("Administrator Kesehatan", "kesmas", AHLI)]),
            (
                "Kesehatan Masyarakat",
                "kesmas",
                [
                    ("Penyuluh Kesehatan Masyarakat", "kesmas", AHLI),
                    ("Nutrisionis", "gizi", [("pertama", 0.8)]),
                ],
            ),
            (
                "Pencegahan dan Pengendalian Penyakit",
                "kesmas",
                [
                    ("Epidemiolog Kesehatan", "kesmas", AHLI),
                    ("Sanitarian", "sanitarian", [("pertama", 0.6), ("terampil", 0.8)]),
                ],
            ),
            (
                "Sumber Daya Kesehatan",
                "kesmas",
                [
                    ("Apoteker", "apoteker", [("pertama", 0.8)]),
                    ("Administrator Kesehatan", "kesmas", AHLI),
                ],
            ),
        ],
        False,
    ),  # fmt: skip
    (
        "11.DPUPR",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Kepala Dinas Pekerjaan Umum dan Penataan Ruang",
        "teknik",
        [
            (
                "Bina Marga",
                "teknik",
                [("Teknik Jalan dan Jembatan", "teknik", AHLI + [("terampil", 0.8)])],
            ),
            (
                "Sumber Daya Air",
                "teknik",
                [("Teknik Pengairan", "teknik", AHLI + [("terampil", 0.8)])],
            ),
            ("Cipta Karya", "teknik", [("Teknik Tata Bangunan dan Perumahan", "teknik", AHLI)]),
            ("Penataan Ruang", "teknik", [("Penata Ruang", "teknik", AHLI)]),
        ],
        False,
    ),  # fmt: skip
    (
        "12.DINSOS",
        "Dinas Sosial",
        "Kepala Dinas Sosial",
        "sosial",
        [
            ("Perlindungan dan Jaminan Sosial", "sosial", [("Pekerja Sosial", "sosial", AHLI)]),
            ("Rehabilitasi Sosial", "sosial", [("Pekerja Sosial", "sosial", AHLI)]),
            (
                "Pemberdayaan Sosial dan Penanganan Fakir Miskin",
                "sosial",
                [("Penyuluh Sosial", "sosial", AHLI)],
            ),
        ],
        False,
    ),  # fmt: skip
    (
        "13.SATPOLPP",
        "Satuan Polisi Pamong Praja dan Pemadam Kebakaran",
        "Kepala Satuan Polisi Pamong Praja dan Pemadam Kebakaran",
        "satpol",
        [
            (
                "Ketenteraman dan Ketertiban Umum",
                "satpol",
                [
                    (
                        "Polisi Pamong Praja",
                        "satpol",
                        [("penyelia", 0.6), ("mahir", 1.0), ("terampil", 1.6)],
                    )
                ],
            ),
            (
                "Penegakan Peraturan Daerah",
                "hukum",
                [("Polisi Pamong Praja", "satpol", [("mahir", 0.8), ("terampil", 1.0)])],
            ),
            (
                "Perlindungan Masyarakat",
                "satpol",
                [("Polisi Pamong Praja", "satpol", [("terampil", 1.0)])],
            ),
            (
                "Pemadam Kebakaran dan Penyelamatan",
                "satpol",
                [
                    (
                        "Pemadam Kebakaran",
                        "satpol",
                        [("penyelia", 0.4), ("mahir", 0.8), ("terampil", 1.6)],
                    )
                ],
            ),
        ],
        False,
    ),  # fmt: skip
    (
        "07.BAPENDA",
        "Badan Pendapatan Daerah",
        "Kepala Badan Pendapatan Daerah",
        "keuangan",
        [
            (
                "Pendataan dan Penetapan",
                "keuangan",
                [("Analis Keuangan Pusat dan Daerah", "keuangan", AHLI)],
            ),
            (
                "Penagihan dan Pengendalian",
                "keuangan",
                [("Analis Keuangan Pusat dan Daerah", "keuangan", AHLI)],
            ),
        ],
        True,
    ),  # fmt: skip
    (
        "14.DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Kepala Dinas Kependudukan dan Pencatatan Sipil",
        "umum",
        [
            (
                "Pelayanan Pendaftaran Penduduk",
                "umum",
                [("Administrator Database Kependudukan", "it", AHLI)],
            ),
            (
                "Pelayanan Pencatatan Sipil",
                "umum",
                [("Administrator Database Kependudukan", "it", AHLI)],
            ),
            (
                "Pengelolaan Informasi Administrasi Kependudukan",
                "it",
                [("Pranata Komputer", "it", AHLI)],
            ),
        ],
        True,
    ),  # fmt: skip
    (
        "15.DISTAN",
        "Dinas Pertanian",
        "Kepala Dinas Pertanian",
        "pertanian",
        [
            (
                "Tanaman Pangan dan Hortikultura",
                "pertanian",
                [("Penyuluh Pertanian", "pertanian", AHLI + [("terampil", 1.2)])],
            ),
            (
                "Peternakan dan Kesehatan Hewan",
                "pertanian",
                [
                    ("Medik Veteriner", "pertanian", [("pertama", 0.6)]),
                    ("Paramedik Veteriner", "pertanian", [("terampil", 0.8)]),
                ],
            ),
            (
                "Penyuluhan Pertanian",
                "pertanian",
                [("Penyuluh Pertanian", "pertanian", AHLI + [("terampil", 1.6)])],
            ),
        ],
        True,
    ),  # fmt: skip
]
# The OPD of the demo atasan, pegawai and admin OPD accounts (schools hang under its first two bidang).
DEMO_OPD = "09.DISDIKBUD"

SETDA_BAGIAN = [
    # (asisten index, bagian, profile, fungsional)
    (0, "Tata Pemerintahan", "umum", [("Analis Kebijakan", "umum", AHLI)]),
    (1, "Perekonomian dan Sumber Daya Alam", "perencana", [("Analis Kebijakan", "umum", AHLI)]),
    (2, "Organisasi", "sdm", [("Analis Kebijakan", "umum", AHLI)]),
    (0, "Hukum", "hukum", [("Perancang Peraturan Perundang-undangan", "hukum", AHLI)]),
    (1, "Pengadaan Barang dan Jasa", "keuangan",
     [("Pengelola Pengadaan Barang/Jasa", "keuangan", AHLI)]),
    (2, "Umum", "umum", [("Arsiparis", "umum", [("pertama", 0.6), ("terampil", 0.8)])]),
    (0, "Kesejahteraan Rakyat", "umum", [("Analis Kebijakan", "umum", AHLI)]),
    (1, "Administrasi Pembangunan", "perencana", [("Analis Kebijakan", "umum", AHLI)]),
    (2, "Protokol dan Komunikasi Pimpinan", "humas",
     [("Pranata Hubungan Masyarakat", "humas", AHLI)]),
]  # fmt: skip
ASISTEN = [
    "Asisten Pemerintahan dan Kesejahteraan Rakyat",
    "Asisten Perekonomian dan Pembangunan",
    "Asisten Administrasi Umum",
]
STAF_AHLI = [
    "Staf Ahli Bupati Bidang Hukum, Politik dan Pemerintahan",
    "Staf Ahli Bupati Bidang Ekonomi, Keuangan dan Pembangunan",
    "Staf Ahli Bupati Bidang Kemasyarakatan dan Sumber Daya Manusia",
]
SETWAN_BAGIAN = [
    ("Umum dan Keuangan", "keuangan", [("Analis Keuangan Pusat dan Daerah", "keuangan", AHLI)]),
    ("Persidangan dan Perundang-undangan", "hukum",
     [("Perancang Peraturan Perundang-undangan", "hukum", AHLI)]),
    ("Fasilitasi Penganggaran dan Pengawasan", "keuangan",
     [("Analis Kebijakan", "umum", AHLI)]),
]  # fmt: skip
KECAMATAN_SEKSI = [
    "Pemerintahan",
    "Pemberdayaan Masyarakat dan Desa",
    "Ketenteraman dan Ketertiban Umum",
    "Kesejahteraan Sosial",
]


def scale_for(employees: int) -> float:
    """1.0 from 600 employees: every OPD and bidang exists. Below, fewer bidang and kecamatan."""
    return min(1.0, employees / 600)


def kecamatan_count(employees: int) -> int:
    if employees < 600:
        return max(2, round(11 * employees / 600))
    return min(len(KECAMATAN), 11 + (employees - 600) // 450)


def _take(items: list, scale: float, minimum: int) -> list:
    return items[: max(minimum, math.ceil(len(items) * scale))]


def build_core(employees: int) -> Structure:
    """Every OPD with its heads and general staff pools; schools and puskesmas come later
    (add_schools, add_puskesmas) once the staff budget is known."""
    s = Structure()
    scale = scale_for(employees)

    # Sekretariat Daerah
    setda = s.unit("01.SETDA", "Sekretariat Daerah")
    sekda = s.head(setda, "Sekretaris Daerah", "sekda", "umum", None, tag="pimpinan")
    s.opd_heads[setda.code] = sekda
    asisten = [s.head(setda, name, "eselon2", "umum", sekda) for name in ASISTEN]
    for name in _take(STAF_AHLI, scale, 1):
        s.head(setda, name, "eselon2", "umum", sekda)
    for i, (a, bagian, profile, jfs) in enumerate(_take(SETDA_BAGIAN, scale, 3), start=1):
        unit = s.unit(f"01.SETDA.{i:02d}", f"Bagian {bagian}", setda)
        kabag = s.head(unit, f"Kepala Bagian {bagian}", "eselon3a", profile, asisten[a])
        s.kabid.setdefault(setda.code, []).append(kabag)
        s.staff_under(unit, kabag, profile, jfs)

    # Sekretariat DPRD
    setwan = s.unit("02.SETWAN", "Sekretariat Dewan Perwakilan Rakyat Daerah")
    sekwan = s.head(setwan, "Sekretaris DPRD", "eselon2", "umum", sekda, tag="opd_head")
    for bagian, profile, jfs in _take(SETWAN_BAGIAN, scale, 2):
        kabag = s.head(setwan, f"Kepala Bagian {bagian}", "eselon3a", profile, sekwan)
        s.kabid.setdefault(setwan.code, []).append(kabag)
        s.staff_under(setwan, kabag, profile, jfs)

    # Inspektorat
    insp = s.unit("03.INSPEKTORAT", "Inspektorat Daerah")
    inspektur = s.head(insp, "Inspektur", "eselon2", "auditor", sekda, tag="opd_head")
    s.opd_heads[insp.code] = inspektur
    sek = s.head(insp, "Sekretaris Inspektorat", "eselon3a", "umum", inspektur, tag="sekretaris")
    s.sekretaris[insp.code] = sek
    kasubag = s.head(
        insp, "Kepala Subbagian Umum dan Keuangan", "eselon4", "umum", sek, tag="eselon4"
    )
    s.staff_under(insp, kasubag, "umum", [])
    for n, roman in enumerate(_take(["I", "II", "III", "IV"], scale, 2)):
        irban = s.head(
            insp, f"Inspektur Pembantu Wilayah {roman}", "eselon3a", "auditor", inspektur
        )
        s.kabid.setdefault(insp.code, []).append(irban)
        s.jf(
            insp,
            "Auditor",
            "madya",
            "auditor",
            irban,
            0.5,
            minimum=1 if n == 0 else 0,
            tag="tim_penilai" if n == 0 else "",
        )
        s.jf(insp, "Auditor", "muda", "auditor", irban, 1.0)
        s.jf(insp, "Auditor", "pertama", "auditor", irban, 1.2)
        s.jf(
            insp,
            "Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah",
            "muda",
            "auditor",
            irban,
            0.8,
        )
        s.jf(
            insp,
            "Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah",
            "pertama",
            "auditor",
            irban,
            0.8,
        )

    # Badan and dinas
    for code, name, head_title, profile, bidang, extra in sorted(OPDS):
        if extra and scale < 1.0:
            continue
        opd = s.unit(code, name)
        kepala = s.head(opd, head_title, "eselon2", profile, sekda, tag="opd_head")
        s.opd_heads[code] = kepala
        sek = s.head(opd, "Sekretaris", "eselon3a", "umum", kepala, tag="sekretaris")
        s.sekretaris[code] = sek
        subbags = ["Umum dan Kepegawaian", "Perencanaan dan Keuangan"]
        for i, sb in enumerate(_take(subbags, scale, 1)):
            kasubag = s.head(opd, f"Kepala Subbagian {sb}", "eselon4", "umum", sek, tag="eselon4")
            if code == DEMO_OPD and i == 0:
                s.jf(
                    opd,
                    "Analis Sumber Daya Manusia Aparatur",
                    "pertama",
                    "sdm",
                    kasubag,
                    0.8,
                    minimum=1,
                    tag="admin_opd",
                )
            s.staff_under(opd, kasubag, "umum" if i == 0 else "keuangan", [])
        for i, (bname, bprofile, jfs) in enumerate(_take(bidang, scale, 2)):
            first = i == 0
            # The demo atasan is the first kepala bidang of Dinas Pendidikan (Pembinaan SD); it is
            # never left vacant nor given a Plh, unlike the other kepala bidang.
            kabid = s.head(
                opd,
                f"Kepala Bidang {bname}",
                "eselon3b",
                bprofile,
                kepala,
                tag="atasan" if first and code == DEMO_OPD else "kabid",
            )
            s.kabid.setdefault(code, []).append(kabid)
            if first and code == "05.BKPSDM":
                s.jf(
                    opd,
                    "Analis Sumber Daya Manusia Aparatur",
                    "muda",
                    "sdm",
                    kabid,
                    0.5,
                    minimum=1,
                    tag="bkpsdm",
                )
            if first and code == "06.BPKAD":
                s.jf(
                    opd,
                    "Analis Keuangan Pusat dan Daerah",
                    "muda",
                    "keuangan",
                    kabid,
                    0.5,
                    minimum=1,
                    tag="bpkad",
                )
            if first and code == DEMO_OPD:
                s.pelaksana(opd, 1, "umum", kabid, 0.5, minimum=1, tag="pegawai")
            s.staff_under(opd, kabid, bprofile, jfs)
        if code == "10.DINKES":
            _rsud(s, opd, kepala, scale)

    # Kecamatan
    for n, kec in enumerate(KECAMATAN[: kecamatan_count(employees)], start=1):
        unit = s.unit(f"{20 + n:02d}.KEC", f"Kecamatan {kec}")
        camat = s.head(unit, f"Camat {kec}", "eselon3a", "umum", sekda, tag="opd_head")
        s.opd_heads[unit.code] = camat
        sekcam = s.head(
            unit, "Sekretaris Kecamatan", "eselon3b", "umum", camat, kelas=10, tag="sekretaris"
        )
        s.sekretaris[unit.code] = sekcam
        kasubag = s.head(
            unit, "Kepala Subbagian Umum dan Kepegawaian", "eselon4", "umum", sekcam, tag="eselon4"
        )
        s.staff_under(unit, kasubag, "umum", [], scale=0.6)
        for seksi in _take(KECAMATAN_SEKSI, scale, 2):
            kasi = s.head(unit, f"Kepala Seksi {seksi}", "eselon4", "umum", camat, tag="eselon4")
            s.staff_under(unit, kasi, "umum", [], scale=0.5)
        if kec == "Kandangan":
            for k, kel in enumerate(_take(KELURAHAN, scale, 1), start=1):
                kel_unit = s.unit(f"{unit.code}.KEL{k:02d}", f"Kelurahan {kel}", unit)
                lurah = s.head(kel_unit, f"Lurah {kel}", "eselon4", "umum", camat, tag="eselon4")
                seklur = s.head(kel_unit, "Sekretaris Kelurahan", "eselon4b", "umum", lurah)
                s.staff_under(kel_unit, seklur, "umum", [], scale=0.4)
    add_treasurers(s)
    return s


#: Who the Bendahara Pengeluaran of an OPD answers to, by the post's name: the (sub)bagian that keeps
#: its finances first, then the general one; else the first kepala bagian/bidang, else the head.
_TREASURER_SUPERIORS = (
    "Kepala Subbagian Perencanaan dan Keuangan",
    "Kepala Subbagian Umum dan Keuangan",
    "Kepala Bagian Umum dan Keuangan",
    "Kepala Subbagian Umum",
    "Kepala Bagian Umum",
    "Kepala Bagian ",
    "Kepala Bidang ",
)
TREASURER = "Bendahara Pengeluaran"


def add_treasurers(s: Structure) -> None:
    """One Bendahara Pengeluaran per OPD, a pelaksana post (kelas 7) with one holder, never vacant:
    the payroll lists (tpp.exports.treasurers) print its holder's name and NIP in the treasurer's
    signature block. In the unit of the post it answers to (_TREASURER_SUPERIORS), so it is never
    taken for the top of a unit (the Sekretariat Daerah's is in one of its bagian)."""
    heads: dict[str, list[PosSpec]] = {}
    for p in s.positions:
        if p.head and p.unit.opd is not None:
            heads.setdefault(p.unit.opd.code, []).append(p)
    for opd in [u for u in s.units if u.parent is None]:
        posts = heads.get(opd.code, [])
        superior = next(
            (p for prefix in _TREASURER_SUPERIORS for p in posts if p.name.startswith(prefix)),
            s.opd_heads.get(opd.code) or (posts[0] if posts else None),
        )
        if superior is None:
            continue
        s.head(
            superior.unit, TREASURER, "pelaksana7", "keuangan", superior, kelas=7, kind=PELAKSANA
        )


def _rsud(s: Structure, dinkes: UnitSpec, kadinkes: PosSpec, scale: float) -> None:
    unit = s.unit(f"{dinkes.code}.RSUD", "RSUD Brigjend H. Hasan Basry", dinkes)
    direktur = s.head(unit, "Direktur RSUD Brigjend H. Hasan Basry", "eselon3a", "dokter", kadinkes)
    kabag = s.head(unit, "Kepala Bagian Tata Usaha", "eselon3b", "umum", direktur, tag="kabid")
    for which, w in ((0, 1.2), (1, 2.0), (2, 2.0), (3, 1.0)):
        s.pelaksana(unit, which, "umum", kabag, w, budget="rsud")
    s.jf(unit, "Administrator Kesehatan", "pertama", "kesmas", kabag, 0.8, budget="rsud")
    yanmed = s.head(
        unit,
        "Kepala Bidang Pelayanan Medik dan Penunjang",
        "eselon3b",
        "dokter",
        direktur,
        tag="kabid",
    )
    medik = [
        ("Dokter", "spesialis", "madya", 2.5),
        ("Dokter", "dokter", "muda", 1.5),
        ("Dokter", "dokter", "pertama", 2.0),
        ("Dokter Gigi", "dokter_gigi", "pertama", 0.4),
        ("Apoteker", "apoteker", "pertama", 1.0),
        ("Asisten Apoteker", "apoteker", "terampil", 1.2),
        ("Pranata Laboratorium Kesehatan", "analis", "terampil", 1.5),
        ("Radiografer", "analis", "terampil", 0.8),
        ("Nutrisionis", "gizi", "pertama", 0.8),
        ("Fisioterapis", "kesmas", "terampil", 0.5),
    ]
    for base, profile, level, w in medik:
        s.jf(unit, base, level, profile, yanmed, w, budget="rsud")
    if scale >= 0.5:
        kep = s.head(
            unit, "Kepala Bidang Keperawatan", "eselon3b", "perawat", direktur, tag="kabid"
        )
    else:
        kep = yanmed
    for base, profile, level, w in [
        ("Perawat", "perawat", "muda", 2.0),
        ("Perawat", "perawat", "pertama", 5.0),
        ("Perawat", "perawat", "mahir", 2.0),
        ("Perawat", "perawat", "terampil", 5.0),
        ("Bidan", "bidan", "pertama", 1.5),
        ("Bidan", "bidan", "terampil", 2.0),
    ]:
        s.jf(unit, base, level, profile, kep, w, budget="rsud")


def add_schools(s: Structure, budget: int) -> None:
    """SD and SMP under Dinas Pendidikan; each needs a kepala sekolah, about 9 (SD) or 22 (SMP)
    people in all."""
    if budget <= 0:
        return
    disdik = next(u for u in s.units if u.code == DEMO_OPD)
    kabid = s.kabid[DEMO_OPD]
    geo = KECAMATAN[: max(11, len([u for u in s.units if u.code.endswith(".KEC")]))]
    n_sd = max(1, round(budget * 0.62 / 9))
    n_smp = max(1, round(budget * 0.38 / 22))
    for kind, count, parent, guru_w, admin_w in (
        ("SD", n_sd, kabid[0], (0.6, 2.6, 4.5), 0.8),
        ("SMP", n_smp, kabid[1], (2.5, 7.0, 10.0), 3.0),
    ):
        per_place: dict[str, int] = {}
        for k in range(count):
            place = geo[k % len(geo)]
            per_place[place] = per_place.get(place, 0) + 1
            name = f"{kind} Negeri {per_place[place]} {place}"
            unit = s.unit(f"{disdik.code}.{kind}{k + 1:03d}", name, disdik)
            kepsek = s.head(
                unit, f"Kepala {name}", "kepsek", "guru", parent, kelas=10, kind=FUNGSIONAL
            )
            for level, w in zip(("madya", "muda", "pertama"), guru_w, strict=True):
                s.jf(unit, "Guru", level, "guru", kepsek, w, budget="edu")
            s.pelaksana(unit, 2, "umum", kepsek, admin_w * 0.6, budget="edu")
            if kind == "SMP":
                s.pelaksana(unit, 1, "umum", kepsek, admin_w * 0.4, budget="edu")


def add_puskesmas(s: Structure, budget: int) -> None:
    """Puskesmas under Dinas Kesehatan, about 25 people each."""
    if budget <= 0:
        return
    dinkes = next(u for u in s.units if u.code == "10.DINKES")
    kadinkes = s.opd_heads["10.DINKES"]
    count = max(1, round(budget / 25))
    for k in range(count):
        place = KECAMATAN[k % len(KECAMATAN)]
        name = f"Puskesmas {place}{_ROMAN[min(k // len(KECAMATAN), len(_ROMAN) - 1)]}"
        unit = s.unit(f"{dinkes.code}.PKM{k + 1:03d}", name, dinkes)
        kapus = s.head(unit, f"Kepala {name}", "eselon4", "kesmas" if k % 3 else "dokter", kadinkes)
        for base, profile, level, w in [
            ("Dokter", "dokter", "pertama", 1.5),
            ("Dokter Gigi", "dokter_gigi", "pertama", 0.5),
            ("Perawat", "perawat", "pertama", 2.0),
            ("Perawat", "perawat", "terampil", 3.5),
            ("Bidan", "bidan", "pertama", 1.5),
            ("Bidan", "bidan", "terampil", 4.0),
            ("Sanitarian", "sanitarian", "terampil", 0.8),
            ("Nutrisionis", "gizi", "terampil", 0.8),
            ("Pranata Laboratorium Kesehatan", "analis", "terampil", 0.8),
            ("Asisten Apoteker", "apoteker", "terampil", 0.8),
            ("Penyuluh Kesehatan Masyarakat", "kesmas", "pertama", 0.8),
        ]:
            s.jf(unit, base, level, profile, kapus, w, budget="puskesmas")
        s.pelaksana(unit, 1, "umum", kapus, 1.2, budget="puskesmas")
        s.pelaksana(unit, 2, "umum", kapus, 1.0, budget="puskesmas")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder; deterministic)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights)
    if wsum <= 0:
        return [0] * len(weights)
    exact = [total * w / wsum for w in weights]
    out = [math.floor(x) for x in exact]
    rest = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out
