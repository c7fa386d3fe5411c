"""Plausible people for the demo Pemda: names, titles, NIPs, golongan, salaries, contact details.

Everything is drawn from the `random.Random` passed in, so the same seed gives the same people. Nothing
here touches the database.

Names mix the communities of a Kalimantan Selatan kabupaten: Banjar (most), Javanese, Sundanese and
common Muslim names. Titles follow the position's profession (S.Pd. for teachers, dr. for doctors,
S.Kep./Ns. for nurses, ...). Golongan and ages follow the level of the position. Salaries approximate
PP 15/2019 as amended in 2024 (gaji pokok by golongan and years of service) plus family, rice and
position allowances; PPPK salaries approximate Perpres 11/2024.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

# --- names -----------------------------------------------------------------------------------------

_NAMES: dict[tuple[str, str], tuple[list[str], list[str], float]] = {
    # (community, sex): (first names, second names, probability of a single name)
    ("banjar", "L"): (
        [
            "Muhammad",
            "Ahmad",
            "Akhmad",
            "Rahmat",
            "Gusti",
            "Anang",
            "Rusdi",
            "Hairul",
            "Fahri",
            "Mahyudin",
            "Jumberi",
            "Masrani",
            "Husaini",
            "Fathurrahman",
            "Rahmadi",
            "Supiani",
            "Zainal",
            "Saberani",
            "Noor",
            "Abdul",
            "Syahrani",
            "Arbain",
            "Jailani",
            "Khairil",
        ],
        [
            "Rusdi",
            "Fauzan",
            "Syahrani",
            "Riduan",
            "Yamani",
            "Arsyad",
            "Hairani",
            "Anshari",
            "Fahriannor",
            "Rifani",
            "Mahlan",
            "Sarbini",
            "Jamhari",
            "Rizali",
            "Ilmi",
            "Baihaqi",
            "Rahman",
            "Hidayat",
            "Ramadhani",
            "Yusran",
            "Irfansyah",
            "Hamdani",
            "Mawardi",
            "Juhriansyah",
        ],
        0.25,
    ),
    ("banjar", "P"): (
        [
            "Noor",
            "Siti",
            "Rusmilawati",
            "Hairani",
            "Nurul",
            "Fitriani",
            "Norhayati",
            "Mahyuni",
            "Rahmiati",
            "Normiliyani",
            "Aulia",
            "Salasiah",
            "Mariatul",
            "Hamidah",
            "Raudah",
            "Syarifah",
            "Galuh",
            "Noorlaila",
            "Rusdiana",
            "Herliani",
            "Masitah",
            "Jumiati",
        ],
        [
            "Aida",
            "Hidayah",
            "Jannah",
            "Fitriah",
            "Maulida",
            "Rahmah",
            "Khairunnisa",
            "Hayati",
            "Nadia",
            "Anisa",
            "Mardiana",
            "Wahidah",
            "Husna",
            "Apriani",
            "Safitri",
            "Rahmawati",
            "Aminah",
            "Zahra",
            "Kiptiah",
            "Qibtiah",
        ],
        0.3,
    ),
    ("jawa", "L"): (
        [
            "Budi",
            "Agus",
            "Eko",
            "Joko",
            "Bambang",
            "Slamet",
            "Heru",
            "Dwi",
            "Tri",
            "Wahyu",
            "Hadi",
            "Sugeng",
            "Teguh",
            "Bayu",
            "Yudi",
            "Rudi",
            "Didik",
            "Sutrisno",
            "Purwanto",
            "Suyanto",
            "Gatot",
            "Hendro",
            "Andri",
            "Arif",
        ],
        [
            "Santoso",
            "Setiawan",
            "Prasetyo",
            "Wibowo",
            "Susanto",
            "Nugroho",
            "Purnomo",
            "Hartono",
            "Kurniawan",
            "Saputro",
            "Wicaksono",
            "Hidayat",
            "Utomo",
            "Sulistyo",
            "Wijaya",
            "Pranoto",
            "Cahyono",
            "Raharjo",
            "Santosa",
            "Haryanto",
        ],
        0.15,
    ),
    ("jawa", "P"): (
        [
            "Sri",
            "Endang",
            "Dwi",
            "Tri",
            "Rina",
            "Wulan",
            "Ratna",
            "Sari",
            "Yuni",
            "Dewi",
            "Retno",
            "Siti",
            "Tutik",
            "Eka",
            "Indah",
            "Nanik",
            "Puji",
            "Ambar",
            "Listyo",
        ],
        [
            "Wahyuni",
            "Lestari",
            "Rahayu",
            "Handayani",
            "Susanti",
            "Wulandari",
            "Pertiwi",
            "Kusumawati",
            "Setyaningsih",
            "Purwaningsih",
            "Rahmawati",
            "Astuti",
            "Utami",
            "Sulistyowati",
            "Ningsih",
            "Hastuti",
            "Widayati",
        ],
        0.05,
    ),
    ("sunda", "L"): (
        [
            "Asep",
            "Dede",
            "Ujang",
            "Cecep",
            "Dadang",
            "Yayan",
            "Iwan",
            "Dedi",
            "Ade",
            "Aep",
            "Jajang",
            "Dadan",
            "Encep",
        ],
        [
            "Saepudin",
            "Kurniawan",
            "Hermawan",
            "Sudrajat",
            "Supriatna",
            "Ruhiyat",
            "Suryana",
            "Permana",
            "Gunawan",
            "Setiadi",
            "Mulyana",
            "Rustandi",
            "Hidayat",
        ],
        0.05,
    ),
    ("sunda", "P"): (
        [
            "Neneng",
            "Euis",
            "Iis",
            "Yanti",
            "Imas",
            "Lilis",
            "Cucu",
            "Nining",
            "Tati",
            "Elis",
            "Wiwin",
            "Popon",
        ],
        [
            "Rosmiati",
            "Kurniasih",
            "Nurhayati",
            "Rohayati",
            "Suryani",
            "Herawati",
            "Komalasari",
            "Sumiati",
            "Maryati",
            "Sondari",
            "Nurjanah",
        ],
        0.05,
    ),
    ("muslim", "L"): (
        [
            "Muhammad",
            "Ahmad",
            "Abdul",
            "Rizky",
            "Fajar",
            "Ilham",
            "Hafiz",
            "Rizal",
            "Faisal",
            "Yusuf",
            "Ridwan",
            "Hasan",
            "Hendra",
            "Irfan",
            "Imam",
            "Luthfi",
        ],
        [
            "Iqbal",
            "Rahman",
            "Hakim",
            "Ramadhan",
            "Fauzi",
            "Hidayatullah",
            "Maulana",
            "Firdaus",
            "Syahputra",
            "Hamzah",
            "Habibi",
            "Aziz",
            "Akbar",
            "Nugraha",
        ],
        0.05,
    ),
    ("muslim", "P"): (
        [
            "Siti",
            "Nur",
            "Fitri",
            "Aisyah",
            "Khadijah",
            "Zahra",
            "Annisa",
            "Putri",
            "Nabila",
            "Rahma",
            "Dian",
            "Laila",
            "Maryam",
            "Fatimah",
        ],
        [
            "Aminah",
            "Hidayah",
            "Handayani",
            "Rahmawati",
            "Azizah",
            "Fauziah",
            "Kamilah",
            "Nurjanah",
            "Amalia",
            "Salsabila",
            "Permata",
            "Maharani",
            "Fadilah",
        ],
        0.05,
    ),
}
_COMMUNITIES = [("banjar", 0.50), ("jawa", 0.28), ("muslim", 0.15), ("sunda", 0.07)]


def person_name(rng: random.Random, sex: str) -> str:
    community = rng.choices([c for c, _ in _COMMUNITIES], [w for _, w in _COMMUNITIES])[0]
    firsts, seconds, single = _NAMES[(community, sex)]
    first = rng.choice(firsts)
    if rng.random() < single and first not in ("Muhammad", "Ahmad", "Abdul", "Siti", "Noor", "Nur"):
        return first
    second = rng.choice(seconds)
    while second == first:
        second = rng.choice(seconds)
    if community in ("banjar", "muslim") and rng.random() < 0.12:
        third = rng.choice(seconds)
        if third not in (first, second):
            return f"{first} {second} {third}"
    return f"{first} {second}"


# --- levels: golongan, age, PPPK grade ------------------------------------------------------------

GOLONGAN = [
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
]


@dataclass(frozen=True)
class Level:
    """What a position level implies for its holder."""

    golongan: tuple[str, str]  # PNS range, inclusive
    age: tuple[int, int]  # age today, inclusive
    cpns_golongan: str = ""  # entry golongan; empty: no CPNS at this level
    pppk_grade: int = 0  # 0: no PPPK at this level
    allowance: int = 0  # tunjangan jabatan (struktural) or fungsional, Rp per month
    degree: str = "s1"  # "sma", "d3", "s1", "s2" (most likely highest degree)


LEVELS: dict[str, Level] = {
    "sekda": Level(("IV/c", "IV/d"), (50, 58), allowance=3_250_000, degree="s2"),
    "eselon2": Level(("IV/b", "IV/c"), (45, 58), allowance=2_025_000, degree="s2"),
    "eselon3a": Level(("IV/a", "IV/b"), (42, 57), allowance=1_260_000, degree="s2"),
    "eselon3b": Level(("III/d", "IV/a"), (38, 56), allowance=980_000, degree="s2"),
    "eselon4": Level(("III/b", "III/d"), (32, 56), allowance=540_000),
    "eselon4b": Level(("III/a", "III/c"), (30, 55), allowance=490_000),
    "kepsek": Level(("III/d", "IV/b"), (42, 58), allowance=1_000_000),
    "madya": Level(("IV/a", "IV/c"), (45, 59), pppk_grade=11, allowance=1_100_000, degree="s2"),
    "muda": Level(("III/c", "III/d"), (35, 57), pppk_grade=10, allowance=780_000),
    "pertama": Level(("III/a", "III/b"), (24, 45), "III/a", 9, allowance=540_000),
    "penyelia": Level(("III/b", "III/d"), (40, 57), pppk_grade=8, allowance=500_000, degree="d3"),
    "mahir": Level(("III/a", "III/b"), (30, 50), pppk_grade=7, allowance=400_000, degree="d3"),
    "terampil": Level(("II/b", "II/d"), (24, 45), "II/c", 7, allowance=350_000, degree="d3"),
    "pelaksana7": Level(("III/a", "III/b"), (25, 57), "III/a", 7, allowance=185_000),
    "pelaksana6": Level(("II/c", "III/a"), (24, 57), "II/c", 6, allowance=180_000, degree="d3"),
    "pelaksana5": Level(("II/a", "II/d"), (23, 57), "II/a", 5, allowance=175_000, degree="sma"),
}


def golongan_for(rng: random.Random, level: str) -> str:
    lo, hi = LEVELS[level].golongan
    return GOLONGAN[rng.randint(GOLONGAN.index(lo), GOLONGAN.index(hi))]


# --- titles ----------------------------------------------------------------------------------------

# profile -> (bachelor titles, master titles, diploma titles)
_DEGREES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "umum": (
        ["S.Sos.", "S.AP.", "S.IP.", "S.H.", "S.E.", "S.Adm."],
        ["M.Si.", "M.AP.", "M.M."],
        ["A.Md."],
    ),
    "hukum": (["S.H."], ["M.H."], ["A.Md."]),
    "keuangan": (["S.E.", "S.Ak.", "S.E."], ["M.Si.", "M.M.", "M.Ak."], ["A.Md.Ak."]),
    "perencana": (["S.E.", "S.T.", "S.P.", "S.Si."], ["M.Si.", "M.T.", "M.P."], ["A.Md."]),
    "teknik": (["S.T."], ["M.T.", "M.Eng."], ["A.Md.T."]),
    "it": (["S.Kom.", "S.T.", "S.Kom."], ["M.Kom.", "M.T."], ["A.Md.Kom."]),
    "humas": (["S.I.Kom.", "S.Sos."], ["M.I.Kom.", "M.Si."], ["A.Md."]),
    "statistik": (["S.Si.", "S.Stat."], ["M.Si."], ["A.Md."]),
    "sdm": (["S.Psi.", "S.Sos.", "S.AP.", "S.H."], ["M.Si.", "M.AP.", "M.Psi."], ["A.Md."]),
    "auditor": (["S.E.", "S.Ak.", "S.H."], ["M.Ak.", "M.Si."], ["A.Md.Ak."]),
    "sosial": (["S.Sos.", "S.Tr.Sos."], ["M.Si.", "M.Kesos."], ["A.Md."]),
    "satpol": (["S.H.", "S.Sos."], ["M.H.", "M.Si."], ["A.Md."]),
    "pertanian": (["S.P.", "S.Pt."], ["M.P.", "M.Si."], ["A.Md.P."]),
    "guru": (
        ["S.Pd.", "S.Pd.", "S.Pd.", "S.Pd.I.", "S.Pd.SD."],
        ["M.Pd.", "M.Pd.I."],
        ["A.Ma.Pd."],
    ),
    "kesmas": (["S.K.M.", "S.KM."], ["M.Kes.", "M.K.M."], ["A.Md.Kes."]),
    "perawat": (["S.Kep."], ["M.Kep."], ["A.Md.Kep."]),
    "bidan": (["S.Tr.Keb.", "S.Keb."], ["M.Keb."], ["A.Md.Keb."]),
    "apoteker": (["S.Farm."], ["M.Farm."], ["A.Md.Farm."]),
    "sanitarian": (["S.KL.", "S.Tr.KL."], ["M.Kes."], ["A.Md.KL."]),
    "gizi": (["S.Gz."], ["M.Gz."], ["A.Md.Gz."]),
    "analis": (["S.Tr.AK.", "S.Si."], ["M.Si."], ["A.Md.AK."]),
    "dokter": ([""], ["M.Kes."], [""]),
    "dokter_gigi": ([""], ["M.Kes."], [""]),
    "spesialis": ([""], [""], [""]),
}
_SPESIALIS = [
    "Sp.PD",
    "Sp.A",
    "Sp.OG",
    "Sp.B",
    "Sp.An",
    "Sp.Rad",
    "Sp.P",
    "Sp.JP",
    "Sp.M",
    "Sp.THT",
]


def titles_for(rng: random.Random, profile: str, level: str, age: int, sex: str) -> tuple[str, str]:
    """(front title, back title) for a holder of a position of this profile and level."""
    degree = LEVELS[level].degree
    roll = rng.random()
    if degree == "sma":
        degree = "sma" if roll < 0.6 else ("d3" if roll < 0.85 else "s1")
    elif degree == "d3":
        degree = "d3" if roll < 0.7 else "s1"
    elif degree == "s1":
        degree = "s1" if roll < 0.82 else "s2"
    elif degree == "s2":
        degree = "s2" if roll < 0.65 else "s1"
    bachelors, masters, diplomas = _DEGREES.get(profile, _DEGREES["umum"])
    front: list[str] = []
    back: list[str] = []
    if profile in ("dokter", "spesialis"):
        front.append("dr.")
        if profile == "spesialis":
            back.append(rng.choice(_SPESIALIS))
        elif degree == "s2":
            back.append(rng.choice(masters))
    elif profile == "dokter_gigi":
        front.append("drg.")
    elif degree == "sma":
        pass
    elif degree == "d3":
        back.append(rng.choice(diplomas))
    else:
        bachelor = rng.choice(bachelors)
        if profile == "perawat":
            front.append("Ns.")
        elif profile == "apoteker":
            front.append("apt.")
        elif profile == "bidan" and rng.random() < 0.5:
            front.append("Bd.")
        if profile == "teknik" and age >= 50 and rng.random() < 0.4:
            front.append("Ir.")
        else:
            back.append(bachelor)
        if degree == "s2":
            back.append(rng.choice(masters))
    # The hajj title is customary in Kalimantan Selatan for older officials.
    if age >= 45 and rng.random() < 0.18:
        front.append("H." if sex == "L" else "Hj.")
    return " ".join(front), ", ".join(b for b in back if b)


# --- NIP -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    nip: str
    birth: dt.date
    appointed: dt.date  # TMT CPNS (PNS, CPNS) or TMT PPPK


def new_identity(
    rng: random.Random,
    *,
    status: str,
    level: str,
    sex: str,
    today: dt.date,
    taken: set[str],
) -> Identity:
    """A NIP that org.nip.parse_nip accepts for `status` on `today`, unique against `taken` (added)."""
    year = today.year
    if status == "CPNS":
        age = rng.randint(22, 34)
    elif status == "PPPK":
        age = rng.randint(26, 56)
    else:
        lo, hi = LEVELS[level].age
        age = rng.randint(lo, hi)
    birth_year = year - age - 1
    birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    if status == "CPNS":
        appointed = dt.date(year - 1, rng.randint(1, 12), 1)
    elif status == "PPPK":
        first = max(2019, birth.year + 20)
        appointed = dt.date(rng.randint(first, year - 1), 3, 1)
    else:
        # CPNS are appointed between 21 and 35, most of them young; seniors have decades of service.
        latest = year - 2
        hi_age = max(18, min(35, latest - birth.year))
        lo_age = min(21, hi_age)
        age_in = int(rng.triangular(lo_age, hi_age, lo_age + (hi_age - lo_age) * 0.2))
        appointed = dt.date(birth.year + age_in, rng.randint(1, 12), 1)
    month = "21" if status == "PPPK" else f"{appointed.month:02d}"
    sex_digit = "1" if sex == "L" else "2"
    while True:
        nip = f"{birth:%Y%m%d}{appointed.year:04d}{month}{sex_digit}{rng.randint(1, 999):03d}"
        if nip not in taken:
            taken.add(nip)
            return Identity(nip, birth, appointed)


# --- money -----------------------------------------------------------------------------------------

# Gaji pokok PNS (PP 15/2019 as amended 2024): (lowest, highest) by golongan.
_GAPOK = {
    "I/a": (1_685_700, 2_522_600),
    "I/b": (1_840_800, 2_670_700),
    "I/c": (1_918_700, 2_783_700),
    "I/d": (1_999_900, 2_901_400),
    "II/a": (2_184_000, 3_643_400),
    "II/b": (2_385_000, 3_797_500),
    "II/c": (2_485_900, 3_958_200),
    "II/d": (2_591_100, 4_125_600),
    "III/a": (2_785_700, 4_575_200),
    "III/b": (2_903_600, 4_768_800),
    "III/c": (3_026_400, 4_970_500),
    "III/d": (3_154_400, 5_180_700),
    "IV/a": (3_287_800, 5_399_900),
    "IV/b": (3_426_900, 5_628_300),
    "IV/c": (3_571_900, 5_866_400),
    "IV/d": (3_723_000, 6_114_500),
    "IV/e": (3_880_400, 6_373_200),
}
_RICE = 289_680  # tunjangan beras for four people (Rp 72.420 each)


def salary_for(
    rng: random.Random, *, golongan: str, pppk_grade: int, years: int, allowance: int
) -> Decimal:
    """Monthly salary with fixed allowances (gaji pokok + keluarga + beras + jabatan/umum)."""
    if pppk_grade:
        # Perpres 11/2024 grows from about Rp1,94 juta (grade I) by roughly 7% a grade.
        lo = 1_938_500 * 1.07 ** (pppk_grade - 1)
        hi = lo * 1.6
    else:
        lo, hi = _GAPOK[golongan]
    base = lo + (hi - lo) * min(years, 32) / 32
    family = base * (0.10 + 0.02 * rng.randint(0, 2)) if rng.random() < 0.8 else 0
    return Decimal(round(base + family + _RICE * rng.choice((0.25, 0.5, 0.75, 1)) + allowance))


_BANKS = [
    ("Bank Kalsel", 10, 0.72),
    ("BRI", 15, 0.10),
    ("Bank Syariah Indonesia", 10, 0.09),
    ("BNI", 10, 0.05),
    ("Bank Mandiri", 13, 0.04),
]
_BANK_WEIGHTS = [w for *_x, w in _BANKS]
_PHONE_PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896"]


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def contact_for(rng: random.Random) -> dict[str, str]:
    bank, length, _w = rng.choices(_BANKS, _BANK_WEIGHTS)[0]
    npwp = _digits(rng, 9)
    kpp = rng.choice(("731", "732", "733", "734"))
    return {
        "bank_name": bank,
        "bank_account": _digits(rng, length),
        "npwp": f"{npwp[:2]}.{npwp[2:5]}.{npwp[5:8]}.{npwp[8]}-{kpp}.000",
        "phone": rng.choice(_PHONE_PREFIXES) + _digits(rng, rng.choice((7, 8))),
    }


def email_for(name: str, nip: str) -> str:
    parts = [p.lower() for p in name.split() if p.isalpha()]
    local = ".".join(parts[:2]) or "pegawai"
    return f"{local}.{nip[-4:]}@demo.ekinerja.test"
