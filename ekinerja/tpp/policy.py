"""TPP policy: the Pemda's rules (Perbup/Perkada) as typed, immutable data.

The shape is exactly the policy object of the `ekinerja/1` exchange format
(/work/shared/spec/scenario-format.md, docs/tpp-calculation.md). `policy_from_dict` validates strictly
and reports every problem at once as (JSON path, reason); `policy_to_dict` writes the same shape back,
so `policy_from_dict(policy_to_dict(p)) == p`.

Numbers are Decimal throughout (a JSON float goes through `str()` first, so 0.5 becomes
Decimal("0.5")); money is whole rupiah; percentages are numbers where 3 means 3%.
No ORM and no clock: the model layer stores the dict, this module gives it meaning.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ekinerja.core.money import format_rupiah
from ekinerja.core.periods import DATE_OUT_OF_RANGE, date_in_range

COMPONENT_KEYS = ("attendance", "activity", "skp")
STATUSES = ("PNS", "CPNS", "PPPK")
PREDICATES = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
SKP_KEYS = (*PREDICATES, "not_rated")
DEDUCT_FROM = ("pot", "ceiling")
PPH21_MODES = ("flat_by_golongan", "none")
CLASSES = range(1, 18)
HUNDRED = Decimal(100)

_KEY_RE = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_CLASS_RE = re.compile(r"[1-9][0-9]?", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# tpp.models.Policy.name's max_length (a policy is stored under its name).
POLICY_NAME_MAX = 200

# Sane upper bounds (the editor's messages name them). Money is per month: a class base or the BPJS
# income cap above Rp1.000.000.000 is a typo, and would overflow the stored amounts (16 digits) once
# multiplied out over a run. Minutes and working days are bounded by the calendar itself, so a
# policy that reads cleanly also computes (dates far ahead overflow) and fits the activity settings;
# the minute bounds are the editor's only (see spec_tables), the money and window bounds always apply.
MAX_MONEY = Decimal(1_000_000_000)
MINUTES_PER_DAY = 1440
MAX_MONTHLY_MINUTES = 31 * MINUTES_PER_DAY
MAX_ENTRY_WINDOW = 250

# Read as the exchange format's spec, not the BKPSDM editor: bands and floors may have gaps (and
# floors need not start at 0); a figure in no band/floor matches nothing; activity minutes have no
# calendar maximum. Set only by `scenario run` (ekinerja/exchange, docs/exchange-format.md) through
# `spec_tables()`.
_SPEC_TABLES: contextvars.ContextVar[bool] = contextvars.ContextVar("spec_tables", default=False)
# The BKPSDM editor's form view, where figures are typed as Indonesians write them (0,75): its
# messages quote decimals with a comma; the JSON view and the exchange format keep JSON's 0.75.
_DECIMAL_COMMA: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "decimal_comma", default=False
)


def band_gap_warnings(data) -> list[str]:
    """The editor's warnings (not errors: a Perbup may mean it) when the first late or early band
    starts after the grace: the minutes between deduct nothing, which is a grace written another
    way, or a typo (31 for 1). Read from the raw document; anything malformed says nothing here
    (the reader reports it)."""
    att = data.get("attendance") if isinstance(data, dict) else None
    if not isinstance(att, dict):
        return []
    grace = att.get("grace_minutes", 0)
    if not isinstance(grace, int) or isinstance(grace, bool):
        return []
    out = []
    for key, what in (("late_bands", "terlambat masuk"), ("early_bands", "pulang cepat")):
        bands = att.get(key)
        if not (isinstance(bands, list) and bands and isinstance(bands[0], list) and bands[0]):
            continue
        first = bands[0][0]
        if isinstance(first, int) and not isinstance(first, bool) and first > grace + 1:
            out.append(
                f"Pita potongan {what} pertama dimulai dari menit {first}, sedangkan toleransinya "
                f"{grace} menit: {what} {grace + 1}–{first - 1} menit tidak dipotong. Bila memang "
                f"begitu, tuliskan sebagai toleransi {first - 1} menit; bila tidak, perbaiki "
                "pitanya."
            )
    return out


def in_spec_tables() -> bool:
    """Whether the format's spec reads the policy here (a scenario run: `spec_tables()`)."""
    return _SPEC_TABLES.get()


@contextlib.contextmanager
def decimal_comma() -> Iterator[None]:
    """Messages quote decimals as the editor's form shows them: 0,75 instead of 0.75."""
    token = _DECIMAL_COMMA.set(True)
    try:
        yield
    finally:
        _DECIMAL_COMMA.reset(token)


@contextlib.contextmanager
def spec_tables() -> Iterator[None]:
    token = _SPEC_TABLES.set(True)
    try:
        yield
    finally:
        _SPEC_TABLES.reset(token)


class FrozenMap(Mapping):
    """A read-only, hashable, picklable mapping (policies are shared by every employee of a run)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self):
        return (FrozenMap, (self._data,))


# --------------------------------------------------------------------------------------------------
# The typed policy
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A lateness/early-leave band: from `lower` to `upper` minutes inclusive (`upper` None = open),
    deducting `pct` percent per occurrence."""

    lower: int
    upper: int | None
    pct: Decimal

    def contains(self, minutes: int) -> bool:
        return minutes >= self.lower and (self.upper is None or minutes <= self.upper)

    def label(self) -> str:
        if self.upper is None:
            return f"> {self.lower - 1} menit" if self.lower > 0 else "≥ 0 menit"
        return f"{self.lower}-{self.upper} menit"


@dataclass(frozen=True)
class Component:
    key: str
    weight: Decimal


@dataclass(frozen=True)
class AttendanceRules:
    deduct_from: str
    grace_minutes: int
    late_bands: tuple[Band, ...]
    early_bands: tuple[Band, ...]
    missing_check_in: Decimal
    missing_check_out: Decimal
    absent_without_notice: Decimal


@dataclass(frozen=True)
class LeaveType:
    deduction: Decimal = Decimal(0)
    reduces_activity_target: bool = False
    counts_as_present: bool = False
    excludes_tpp: bool = False


@dataclass(frozen=True)
class Floor:
    """Presence rate in [lower, upper) percent pays `pct` percent of the components' sum."""

    lower: Decimal
    upper: Decimal
    pct: Decimal


@dataclass(frozen=True)
class ActivityRules:
    monthly_target_minutes: Decimal | None
    daily_target_minutes: Decimal | None
    daily_cap_minutes: Decimal
    entry_window_working_days: int
    score_cap: Decimal


@dataclass(frozen=True)
class SkpRules:
    sangat_baik: Decimal
    baik: Decimal
    butuh_perbaikan: Decimal
    kurang: Decimal
    sangat_kurang: Decimal
    not_rated: Decimal

    def pct(self, predicate: str | None) -> Decimal:
        return getattr(self, predicate or "not_rated")


@dataclass(frozen=True)
class Pph21Rules:
    mode: str
    rates: FrozenMap | None  # golongan key ("I".."IV", or "PPPK") -> percent
    # The app's policies: a rate keyed "PPPK" applies to every PPPK employee (their grades I-IV
    # would meet the PNS golongan keys; tpp-calculation.md). A scenario file's policy is read as
    # the spec defines the key, the golongan's part before "/" (spec_tables()). Not in the repr:
    # the input digests of the app's runs stay what they were.
    pppk_key: bool = field(default=True, repr=False)


@dataclass(frozen=True)
class HealthInsurance:
    employee_pct: Decimal
    income_cap: Decimal | None = None


@dataclass(frozen=True)
class Allowance:
    key: str
    name: str
    base_by_class: FrozenMap  # kelas (int 1-17) -> whole rupiah
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Policy:
    name: str
    effective_from: dt.date
    status_factor: FrozenMap  # "PNS"/"CPNS"/"PPPK" -> percent
    attendance: AttendanceRules
    leave_types: FrozenMap  # key -> LeaveType
    activity: ActivityRules
    skp: SkpRules
    sentences: FrozenMap  # sentence kind -> percent cut
    pph21: Pph21Rules
    base_by_class: FrozenMap | None = None  # single-allowance form
    components: tuple[Component, ...] | None = None  # single-allowance form
    allowances: tuple[Allowance, ...] | None = None  # several-allowance form
    plt_pct: Decimal | None = None  # absent: acting positions add nothing
    attendance_floors: tuple[Floor, ...] | None = None
    health_insurance: HealthInsurance | None = None

    @property
    def uses_allowances(self) -> bool:
        return self.allowances is not None

    def allowance_list(self) -> tuple[Allowance, ...]:
        """The allowances to compute; a single-allowance policy is one allowance keyed "tpp" (so a
        position's tpp_base overrides its base, as for the TPP allowance of a multi-allowance one)."""
        if self.allowances is not None:
            return self.allowances
        return (Allowance("tpp", "TPP", self.base_by_class, self.components),)

    def component_keys(self) -> frozenset[str]:
        return frozenset(c.key for a in self.allowance_list() for c in a.components)


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


class PolicyError(ValueError):
    """A policy that breaks the format; `problems` lists every (path, reason) at once."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p}: {r}" for p, r in self.problems))


_MISSING = object()


class _Reader:
    """Collects problems while reading a dict; each reader returns None when the value is bad."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def bad(self, path: str, reason: str) -> None:
        self.problems.append((path, reason))

    # -- structure ---------------------------------------------------------------------------------
    def obj(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict | None:
        if not isinstance(value, Mapping):
            self.bad(path, "harus berupa objek {…}")
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.bad(f"{path}.{key}", "kunci tidak dikenal")
        for key in required:
            if key not in value:
                self.bad(f"{path}.{key}", "wajib diisi")
        return dict(value)

    def array(self, value: Any, path: str, *, non_empty: bool = False) -> list | None:
        if not isinstance(value, list | tuple):
            self.bad(path, "harus berupa daftar […]")
            return None
        if non_empty and not value:
            self.bad(path, "tidak boleh kosong")
            return None
        return list(value)

    # -- scalars -----------------------------------------------------------------------------------
    def number(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.bad(path, "harus berupa angka")
            return None
        try:
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:  # pragma: no cover - Decimal(int) and Decimal(str(float)) parse
            self.bad(path, "harus berupa angka")
            return None
        if not number.is_finite():
            self.bad(path, "harus berupa angka biasa, bukan NaN atau Infinity")
            return None
        return number

    def pct(self, value: Any, path: str) -> Decimal | None:
        number = self.number(value, path)
        if number is not None and not 0 <= number <= 100:
            self.bad(path, f"persentase {_fmt(number)} di luar rentang, harus 0-100")
            return None
        return number

    def whole(
        self,
        value: Any,
        path: str,
        *,
        minimum: int = 0,
        maximum: int | None = None,
        what: str = "",
    ) -> int | None:
        """A whole number; `what` names its unit ("menit", "hari kerja"; the exchange reader's
        English names are translated)."""
        number = self.number(value, path)
        if number is None:
            return None
        if number != number.to_integral_value():
            unit = _UNITS.get(what, what)
            self.bad(path, f"harus bilangan bulat ({unit})" if unit else "harus bilangan bulat")
            return None
        if number < minimum:
            self.bad(path, f"tidak boleh kurang dari {minimum}")
            return None
        if maximum is not None and number > maximum:
            self.bad(path, f"tidak boleh lebih dari {_int(maximum)}")
            return None
        return int(number)

    def money(self, value: Any, path: str, *, maximum: Decimal | None = None) -> Decimal | None:
        number = self.number(value, path)
        if number is None:
            return None
        if number != number.to_integral_value() or number < 0:
            self.bad(path, "uang harus rupiah bulat, tidak negatif (tanpa sen)")
            return None
        if maximum is not None and number > maximum:
            self.bad(path, f"terlalu besar, paling banyak {format_rupiah(maximum)} sebulan")
            return None
        return Decimal(int(number))

    def positive(
        self, value: Any, path: str, *, maximum: int | None = None, unit: str = ""
    ) -> Decimal | None:
        number = self.number(value, path)
        if number is not None and number <= 0:
            self.bad(path, "harus lebih dari 0")
            return None
        if number is not None and maximum is not None and number > maximum:
            self.bad(path, f"tidak boleh lebih dari {_int(maximum)}{f' {unit}' if unit else ''}")
            return None
        return number

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.bad(path, "harus true atau false")
            return None
        return value

    def text(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.bad(path, "harus berupa teks yang tidak kosong")
            return None
        return value

    def key(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not _KEY_RE.fullmatch(value):
            self.bad(path, "kunci harus berupa huruf kecil, angka dan '_', diawali huruf")
            return None
        return value

    def date(self, value: Any, path: str) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and _DATE_RE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.bad(path, "harus berupa tanggal TTTT-BB-HH")
        return None

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | None:
        if value not in choices:
            expected = ", ".join(f"'{c}'" for c in choices)
            self.bad(path, f"harus salah satu dari {expected}")
            return None
        return value


_UNITS = {"number of minutes": "menit", "number of working days": "hari kerja", "class": "kelas"}


def _fmt(number: Decimal) -> str:
    """A Decimal as the JSON number a person wrote: 90, 2.5 (an absurdly large one shortened: 1E+30,
    so a typo does not print hundreds of digits)."""
    number = number.normalize()
    if number and not -15 <= number.adjusted() <= 15:
        text = format(number, "E")
    else:
        text = format(number, "f")
    return text.replace(".", ",") if _DECIMAL_COMMA.get() else text


def _int(number: int) -> str:
    """A bound as Indonesians write it: 44.640."""
    return f"{number:,}".replace(",", ".")


def _plain_text(r: _Reader, value: Any, path: str, max_length: int | None = None) -> str | None:
    """A non-empty one-line text without control characters (a NUL would not even be stored), at
    most `max_length` characters when given (the column it is stored in)."""
    text = r.text(value, path)
    if text is not None and _CONTROL_RE.search(text):
        r.bad(path, "tidak boleh berisi karakter kontrol (tab, baris baru, ...)")
        return None
    if text is not None and max_length is not None and len(text) > max_length:
        r.bad(path, f"paling panjang {max_length} karakter (ada {len(text)})")
        return None
    return text


def _policy_name(r: _Reader, value: Any, path: str) -> str | None:
    return _plain_text(r, value, path, max_length=POLICY_NAME_MAX)


def _read_base_by_class(r: _Reader, value: Any, path: str) -> FrozenMap | None:
    if not isinstance(value, Mapping):
        r.bad(path, "harus berupa objek yang memetakan kelas jabatan (1-17) ke rupiah bulat")
        return None
    if not value:
        r.bad(path, "harus memuat paling sedikit satu kelas jabatan")
        return None
    table: dict[int, Decimal] = {}
    ok = True
    for raw_key, raw_amount in value.items():
        key_path = f"{path}.{raw_key}"
        if not (
            isinstance(raw_key, str) and _CLASS_RE.fullmatch(raw_key) and int(raw_key) in CLASSES
        ):
            r.bad(key_path, "kelas jabatan harus 1-17")
            ok = False
            continue
        amount = r.money(raw_amount, key_path, maximum=MAX_MONEY)
        if amount is None:
            ok = False
            continue
        table[int(raw_key)] = amount
    return FrozenMap(dict(sorted(table.items()))) if ok else None


def _read_components(r: _Reader, value: Any, path: str) -> tuple[Component, ...] | None:
    items = r.array(value, path, non_empty=True)
    if items is None:
        return None
    components: list[Component] = []
    seen: set[str] = set()
    ok = True
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        data = r.obj(item, item_path, ("key", "weight"))
        if data is None:
            ok = False
            continue
        key = (
            r.choice(data.get("key"), f"{item_path}.key", COMPONENT_KEYS) if "key" in data else None
        )
        if key is not None and key in seen:
            r.bad(f"{item_path}.key", f"komponen '{key}' tercantum dua kali")
            key = None
        weight = None
        if "weight" in data:
            weight = r.number(data["weight"], f"{item_path}.weight")
            if weight is not None and not 0 < weight <= 100:
                r.bad(f"{item_path}.weight", "bobot harus lebih dari 0 dan paling besar 100")
                weight = None
        if key is None or weight is None:
            ok = False
            continue
        seen.add(key)
        components.append(Component(key, weight))
    if not ok:
        return None
    total = sum((c.weight for c in components), Decimal(0))
    if total != 100:
        r.bad(path, f"jumlah bobot {_fmt(total)}, harus 100")
        return None
    return tuple(components)


def _read_bands(r: _Reader, value: Any, path: str) -> tuple[Band, ...] | None:
    items = r.array(value, path)
    if items is None:
        return None
    bands: list[Band] = []
    ok = True
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        if not isinstance(item, list | tuple) or len(item) != 3:
            r.bad(item_path, "rentang harus [dari_menit, sampai_menit atau null, persen]")
            ok = False
            continue
        lower = r.whole(item[0], f"{item_path}[0]", what="menit")
        upper = None
        if item[1] is not None:
            upper = r.whole(item[1], f"{item_path}[1]", what="menit")
            if upper is None:
                ok = False
        pct = r.pct(item[2], f"{item_path}[2]")
        if lower is None or pct is None or (item[1] is not None and upper is None):
            ok = False
            continue
        if upper is not None and upper < lower:
            r.bad(item_path, f"rentang berakhir ({upper}) sebelum dimulai ({lower})")
            ok = False
            continue
        bands.append(Band(lower, upper, pct))
    if not ok:
        return None
    for i in range(1, len(bands)):
        prev, band = bands[i - 1], bands[i]
        item_path = f"{path}[{i}]"
        if prev.upper is None:
            r.bad(f"{path}[{i - 1}]", "hanya rentang terakhir yang boleh terbuka (null)")
            ok = False
        elif band.lower <= prev.upper:
            r.bad(
                item_path,
                f"tumpang tindih dengan rentang sebelumnya, yang berakhir di {prev.upper}",
            )
            ok = False
        elif band.lower != prev.upper + 1 and not _SPEC_TABLES.get():
            r.bad(
                item_path,
                f"rentang harus bersambung: dimulai di {band.lower}, "
                f"rentang sebelumnya berakhir di {prev.upper}",
            )
            ok = False
        if band.pct < prev.pct:
            r.bad(
                f"{item_path}[2]",
                f"persentase {_fmt(band.pct)} lebih kecil dari rentang sebelumnya "
                f"({_fmt(prev.pct)}); menit yang lebih lama tidak boleh dipotong lebih sedikit",
            )
            ok = False
    return tuple(bands) if ok else None


def _read_attendance(r: _Reader, value: Any, path: str) -> AttendanceRules | None:
    fields = (
        "deduct_from",
        "grace_minutes",
        "late_bands",
        "early_bands",
        "missing_check_in",
        "missing_check_out",
        "absent_without_notice",
    )
    data = r.obj(value, path, fields)
    if data is None:
        return None
    got = {
        "deduct_from": r.choice(data["deduct_from"], f"{path}.deduct_from", DEDUCT_FROM)
        if "deduct_from" in data
        else None,
        "grace_minutes": r.whole(data["grace_minutes"], f"{path}.grace_minutes", what="menit")
        if "grace_minutes" in data
        else None,
        "late_bands": _read_bands(r, data["late_bands"], f"{path}.late_bands")
        if "late_bands" in data
        else None,
        "early_bands": _read_bands(r, data["early_bands"], f"{path}.early_bands")
        if "early_bands" in data
        else None,
    }
    for name in ("missing_check_in", "missing_check_out", "absent_without_notice"):
        got[name] = r.pct(data[name], f"{path}.{name}") if name in data else None
    if any(v is None for v in got.values()):
        return None
    return AttendanceRules(**got)


def _read_leave_types(r: _Reader, value: Any, path: str) -> FrozenMap | None:
    if not isinstance(value, Mapping):
        r.bad(path, "harus berupa objek yang memetakan jenis izin/cuti ke aturannya")
        return None
    types: dict[str, LeaveType] = {}
    ok = True
    for raw_key, raw in value.items():
        item_path = f"{path}.{raw_key}"
        key = r.key(raw_key, item_path)
        data = r.obj(
            raw,
            item_path,
            (),
            ("deduction", "reduces_activity_target", "counts_as_present", "excludes_tpp"),
        )
        if key is None or data is None:
            ok = False
            continue
        kwargs: dict[str, Any] = {}
        if "deduction" in data:
            kwargs["deduction"] = r.pct(data["deduction"], f"{item_path}.deduction")
        for flag in ("reduces_activity_target", "counts_as_present", "excludes_tpp"):
            if flag in data:
                kwargs[flag] = r.boolean(data[flag], f"{item_path}.{flag}")
        if any(v is None for v in kwargs.values()):
            ok = False
            continue
        types[key] = LeaveType(**kwargs)
    return FrozenMap(types) if ok else None


def _read_floors(r: _Reader, value: Any, path: str) -> tuple[Floor, ...] | None:
    items = r.array(value, path)
    if items is None:
        return None
    floors: list[Floor] = []
    ok = True
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        if not isinstance(item, list | tuple) or len(item) != 3:
            r.bad(item_path, "batas harus [dari_persen, sampai_persen, persen_dibayar]")
            ok = False
            continue
        lower = r.pct(item[0], f"{item_path}[0]")
        upper = r.pct(item[1], f"{item_path}[1]")
        pct = r.pct(item[2], f"{item_path}[2]")
        if lower is None or upper is None or pct is None:
            ok = False
            continue
        if upper <= lower:
            r.bad(
                item_path,
                f"batas berakhir ({_fmt(upper)}) pada atau sebelum awalnya ({_fmt(lower)})",
            )
            ok = False
            continue
        floors.append(Floor(lower, upper, pct))
    if not ok:
        return None
    spec = _SPEC_TABLES.get()
    if floors and floors[0].lower != 0 and not spec:
        r.bad(f"{path}[0][0]", "batas pertama harus dimulai dari 0")
        ok = False
    for i in range(1, len(floors)):
        prev, floor = floors[i - 1], floors[i]
        if floor.lower < prev.upper if spec else floor.lower != prev.upper:
            r.bad(
                f"{path}[{i}]",
                f"batas harus bersambung dan naik: dimulai di {_fmt(floor.lower)}, "
                f"batas sebelumnya berakhir di {_fmt(prev.upper)}",
            )
            ok = False
        if floor.pct < prev.pct:
            r.bad(
                f"{path}[{i}][2]",
                f"persentase bayar {_fmt(floor.pct)} lebih kecil dari batas sebelumnya "
                f"({_fmt(prev.pct)}); kehadiran yang lebih tinggi tidak boleh dibayar lebih sedikit",
            )
            ok = False
    return tuple(floors) if ok else None


def _read_activity(r: _Reader, value: Any, path: str) -> ActivityRules | None:
    data = r.obj(
        value,
        path,
        ("daily_cap_minutes", "entry_window_working_days", "score_cap"),
        ("monthly_target_minutes", "daily_target_minutes"),
    )
    if data is None:
        return None
    # Minutes beyond the calendar are a typo in the editor; the exchange format sets no maximum and
    # they compute (exactly) anyway. The entry window is bounded always: far deadlines overflow.
    editor = not _SPEC_TABLES.get()
    ok = True
    monthly = daily = None
    has_monthly = data.get("monthly_target_minutes") is not None
    has_daily = data.get("daily_target_minutes") is not None
    if has_monthly and has_daily:
        r.bad(path, "isi monthly_target_minutes atau daily_target_minutes, tidak keduanya")
        ok = False
    elif not has_monthly and not has_daily:
        r.bad(f"{path}.monthly_target_minutes", "wajib diisi (atau daily_target_minutes)")
        ok = False
    if has_monthly:
        monthly = r.positive(
            data["monthly_target_minutes"],
            f"{path}.monthly_target_minutes",
            maximum=MAX_MONTHLY_MINUTES if editor else None,
            unit="menit (31 hari × 24 jam)",
        )
        ok = ok and monthly is not None
    if has_daily:
        daily = r.positive(
            data["daily_target_minutes"],
            f"{path}.daily_target_minutes",
            maximum=MINUTES_PER_DAY if editor else None,
            unit="menit (24 jam)",
        )
        ok = ok and daily is not None
    cap = (
        r.positive(
            data["daily_cap_minutes"],
            f"{path}.daily_cap_minutes",
            maximum=MINUTES_PER_DAY if editor else None,
            unit="menit (24 jam)",
        )
        if "daily_cap_minutes" in data
        else None
    )
    window = (
        r.whole(
            data["entry_window_working_days"],
            f"{path}.entry_window_working_days",
            maximum=MAX_ENTRY_WINDOW,
            what="hari kerja",
        )
        if "entry_window_working_days" in data
        else None
    )
    score_cap = None
    if "score_cap" in data:
        score_cap = r.number(data["score_cap"], f"{path}.score_cap")
        if score_cap is not None and not 0 < score_cap <= 1:
            r.bad(
                f"{path}.score_cap",
                "harus lebih dari 0 dan paling besar 1 (komponen tidak pernah melebihi porsinya)",
            )
            score_cap = None
    if not ok or cap is None or window is None or score_cap is None:
        return None
    return ActivityRules(monthly, daily, cap, window, score_cap)


def _read_skp(r: _Reader, value: Any, path: str) -> SkpRules | None:
    data = r.obj(value, path, SKP_KEYS)
    if data is None:
        return None
    got = {k: r.pct(data[k], f"{path}.{k}") for k in SKP_KEYS if k in data}
    if len(got) != len(SKP_KEYS) or any(v is None for v in got.values()):
        return None
    return SkpRules(**got)


def _read_pct_table(r: _Reader, value: Any, path: str, *, what: str) -> FrozenMap | None:
    if not isinstance(value, Mapping):
        r.bad(path, f"harus berupa objek yang memetakan {what} ke persentase")
        return None
    table: dict[str, Decimal] = {}
    ok = True
    for raw_key, raw in value.items():
        key = r.key(raw_key, f"{path}.{raw_key}")
        pct = r.pct(raw, f"{path}.{raw_key}")
        if key is None or pct is None:
            ok = False
            continue
        table[key] = pct
    return FrozenMap(table) if ok else None


def _read_status_factor(r: _Reader, value: Any, path: str) -> FrozenMap | None:
    if not isinstance(value, Mapping):
        r.bad(path, "harus berupa objek yang memetakan PNS, CPNS dan PPPK ke persentase")
        return None
    table: dict[str, Decimal] = {}
    ok = True
    for raw_key, raw in value.items():
        if raw_key not in STATUSES:
            r.bad(f"{path}.{raw_key}", "status tidak dikenal, harus PNS, CPNS atau PPPK")
            ok = False
            continue
        pct = r.pct(raw, f"{path}.{raw_key}")
        if pct is None:
            ok = False
            continue
        table[raw_key] = pct
    for status in STATUSES:
        if status not in value:
            r.bad(f"{path}.{status}", "wajib diisi")
            ok = False
    return FrozenMap({s: table[s] for s in STATUSES}) if ok else None


def _read_pph21(r: _Reader, value: Any, path: str) -> Pph21Rules | None:
    data = r.obj(value, path, ("mode",), ("rates",))
    if data is None:
        return None
    mode = r.choice(data["mode"], f"{path}.mode", PPH21_MODES) if "mode" in data else None
    rates = None
    rates_ok = True
    if data.get("rates") is not None:
        raw = data["rates"]
        if not isinstance(raw, Mapping):
            r.bad(
                f"{path}.rates",
                "harus berupa objek yang memetakan golongan (I, II, III, IV) ke persentase",
            )
            rates_ok = False
        else:
            table: dict[str, Decimal] = {}
            for raw_key, raw_rate in raw.items():
                item_path = f"{path}.rates.{raw_key}"
                if (
                    not isinstance(raw_key, str)
                    or not raw_key.strip()
                    or _CONTROL_RE.search(raw_key)
                ):
                    r.bad(item_path, "kunci golongan harus berupa teks yang tidak kosong")
                    rates_ok = False
                    continue
                if "/" in raw_key:
                    r.bad(
                        item_path,
                        "kunci golongan adalah bagian sebelum '/' (tulis 'IV', bukan 'IV/c')",
                    )
                    rates_ok = False
                    continue
                rate = r.pct(raw_rate, item_path)
                if rate is None:
                    rates_ok = False
                    continue
                table[raw_key] = rate
            rates = FrozenMap(table)
    elif mode == "flat_by_golongan":
        r.bad(f"{path}.rates", "wajib diisi bila mode 'flat_by_golongan'")
        rates_ok = False
    if mode is None or not rates_ok:
        return None
    return Pph21Rules(mode, rates, pppk_key=not _SPEC_TABLES.get())


def _read_health(r: _Reader, value: Any, path: str) -> HealthInsurance | None:
    data = r.obj(value, path, ("employee_pct",), ("income_cap",))
    if data is None:
        return None
    pct = r.pct(data["employee_pct"], f"{path}.employee_pct") if "employee_pct" in data else None
    cap = None
    cap_ok = True
    if data.get("income_cap") is not None:
        cap = r.money(data["income_cap"], f"{path}.income_cap", maximum=MAX_MONEY)
        cap_ok = cap is not None
    if pct is None or not cap_ok:
        return None
    return HealthInsurance(pct, cap)


def _read_allowances(r: _Reader, value: Any, path: str) -> tuple[Allowance, ...] | None:
    items = r.array(value, path, non_empty=True)
    if items is None:
        return None
    allowances: list[Allowance] = []
    seen: set[str] = set()
    ok = True
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        data = r.obj(item, item_path, ("key", "name", "base_by_class", "components"))
        if data is None:
            ok = False
            continue
        key = r.key(data["key"], f"{item_path}.key") if "key" in data else None
        if key is not None and key in seen:
            r.bad(f"{item_path}.key", f"tunjangan '{key}' tercantum dua kali")
            key = None
        name = _plain_text(r, data["name"], f"{item_path}.name") if "name" in data else None
        base = (
            _read_base_by_class(r, data["base_by_class"], f"{item_path}.base_by_class")
            if "base_by_class" in data
            else None
        )
        components = (
            _read_components(r, data["components"], f"{item_path}.components")
            if "components" in data
            else None
        )
        if key is None or name is None or base is None or components is None:
            ok = False
            continue
        seen.add(key)
        allowances.append(Allowance(key, name, base, components))
    return tuple(allowances) if ok else None


def _read_effective_from(r: _Reader, value: Any, path: str) -> dt.date | None:
    day = r.date(value, path)
    if day is not None and not date_in_range(day):
        r.bad(path, DATE_OUT_OF_RANGE[0].lower() + DATE_OUT_OF_RANGE[1:].rstrip("."))
        return None
    return day


_POLICY_REQUIRED = (
    "name",
    "effective_from",
    "status_factor",
    "attendance",
    "leave_types",
    "activity",
    "skp",
    "sentences",
    "pph21",
)
_POLICY_OPTIONAL = (
    "base_by_class",
    "components",
    "allowances",
    "plt_pct",
    "attendance_floors",
    "health_insurance",
)


def policy_from_dict(data: Any, path: str = "$") -> Policy:
    """Read and validate a policy object of the `ekinerja/1` format.

    Raises PolicyError listing every problem as (path, reason); `path` prefixes the paths (the
    scenario loader passes "$.policies[0]")."""
    r = _Reader()
    raw = r.obj(data, path, _POLICY_REQUIRED, _POLICY_OPTIONAL)
    if raw is None:
        raise PolicyError(r.problems)

    def read(field: str, reader):
        if field not in raw:
            return None
        return reader(r, raw[field], f"{path}.{field}")

    name = read("name", _policy_name)
    effective_from = read("effective_from", _read_effective_from)

    base_by_class = components = allowances = None
    if "allowances" in raw:
        for field in ("base_by_class", "components"):
            if field in raw:
                r.bad(f"{path}.{field}", "tidak dapat digabung dengan allowances")
        allowances = read("allowances", _read_allowances)
    else:
        if "base_by_class" not in raw:
            r.bad(f"{path}.base_by_class", "wajib diisi (atau allowances)")
        if "components" not in raw:
            r.bad(f"{path}.components", "wajib diisi (atau allowances)")
        base_by_class = read("base_by_class", _read_base_by_class)
        components = read("components", _read_components)

    status_factor = read("status_factor", _read_status_factor)
    plt_pct = None
    if raw.get("plt_pct") is not None:
        plt_pct = r.pct(raw["plt_pct"], f"{path}.plt_pct")
    attendance = read("attendance", _read_attendance)
    leave_types = read("leave_types", _read_leave_types)
    floors = None
    if raw.get("attendance_floors") is not None:
        floors = read("attendance_floors", _read_floors)
    activity = read("activity", _read_activity)
    skp = read("skp", _read_skp)
    sentences = read(
        "sentences", lambda r, v, p: _read_pct_table(r, v, p, what="tingkat hukuman disiplin")
    )
    pph21 = read("pph21", _read_pph21)
    health = None
    if raw.get("health_insurance") is not None:
        health = read("health_insurance", _read_health)

    if r.problems:
        raise PolicyError(r.problems)
    return Policy(
        name=name,
        effective_from=effective_from,
        status_factor=status_factor,
        attendance=attendance,
        leave_types=leave_types,
        activity=activity,
        skp=skp,
        sentences=sentences,
        pph21=pph21,
        base_by_class=base_by_class,
        components=components,
        allowances=allowances,
        plt_pct=plt_pct,
        attendance_floors=floors,
        health_insurance=health,
    )


# --------------------------------------------------------------------------------------------------
# Writing back
# --------------------------------------------------------------------------------------------------


def json_number(value: Decimal | int) -> int | float:
    """A Decimal as a JSON number: integral values as int, others as the float whose repr is the
    same decimal (so reading it back through str() gives the same Decimal)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _base_to_dict(table: Mapping[int, Decimal]) -> dict[str, int]:
    return {str(k): int(v) for k, v in table.items()}


def _components_to_list(components: tuple[Component, ...]) -> list[dict]:
    return [{"key": c.key, "weight": json_number(c.weight)} for c in components]


def _bands_to_list(bands: tuple[Band, ...]) -> list[list]:
    return [[b.lower, b.upper, json_number(b.pct)] for b in bands]


def policy_to_dict(policy: Policy) -> dict:
    """The policy as an `ekinerja/1` policy object (JSON-ready: str, int, float, bool, None).

    Leave-type flags are written out in full; optional top-level fields that were absent stay
    absent."""
    out: dict[str, Any] = {
        "name": policy.name,
        "effective_from": policy.effective_from.isoformat(),
    }
    if policy.allowances is not None:
        out["allowances"] = [
            {
                "key": a.key,
                "name": a.name,
                "base_by_class": _base_to_dict(a.base_by_class),
                "components": _components_to_list(a.components),
            }
            for a in policy.allowances
        ]
    else:
        out["base_by_class"] = _base_to_dict(policy.base_by_class)
    out["status_factor"] = {k: json_number(v) for k, v in policy.status_factor.items()}
    if policy.plt_pct is not None:
        out["plt_pct"] = json_number(policy.plt_pct)
    if policy.allowances is None:
        out["components"] = _components_to_list(policy.components)
    att = policy.attendance
    out["attendance"] = {
        "deduct_from": att.deduct_from,
        "grace_minutes": att.grace_minutes,
        "late_bands": _bands_to_list(att.late_bands),
        "early_bands": _bands_to_list(att.early_bands),
        "missing_check_in": json_number(att.missing_check_in),
        "missing_check_out": json_number(att.missing_check_out),
        "absent_without_notice": json_number(att.absent_without_notice),
    }
    out["leave_types"] = {
        key: {
            "deduction": json_number(lt.deduction),
            "reduces_activity_target": lt.reduces_activity_target,
            "counts_as_present": lt.counts_as_present,
            "excludes_tpp": lt.excludes_tpp,
        }
        for key, lt in policy.leave_types.items()
    }
    if policy.attendance_floors is not None:
        out["attendance_floors"] = [
            [json_number(f.lower), json_number(f.upper), json_number(f.pct)]
            for f in policy.attendance_floors
        ]
    act = policy.activity
    activity: dict[str, Any] = {}
    if act.monthly_target_minutes is not None:
        activity["monthly_target_minutes"] = json_number(act.monthly_target_minutes)
    if act.daily_target_minutes is not None:
        activity["daily_target_minutes"] = json_number(act.daily_target_minutes)
    activity["daily_cap_minutes"] = json_number(act.daily_cap_minutes)
    activity["entry_window_working_days"] = act.entry_window_working_days
    activity["score_cap"] = json_number(act.score_cap)
    out["activity"] = activity
    out["skp"] = {k: json_number(getattr(policy.skp, k)) for k in SKP_KEYS}
    out["sentences"] = {k: json_number(v) for k, v in policy.sentences.items()}
    pph: dict[str, Any] = {"mode": policy.pph21.mode}
    if policy.pph21.rates is not None:
        pph["rates"] = {k: json_number(v) for k, v in policy.pph21.rates.items()}
    out["pph21"] = pph
    if policy.health_insurance is not None:
        health: dict[str, Any] = {"employee_pct": json_number(policy.health_insurance.employee_pct)}
        if policy.health_insurance.income_cap is not None:
            health["income_cap"] = int(policy.health_insurance.income_cap)
        out["health_insurance"] = health
    return out


# --------------------------------------------------------------------------------------------------
# Ready-made templates (tpp-rules.md, "Examples of real policies"); BKPSDM starts from one and edits.
# --------------------------------------------------------------------------------------------------

# Illustrative TPP bases per kelas jabatan (whole rupiah). A Pemda replaces them with the amounts its
# Perkada sets after the Kemendagri approval; they only need to be plausible and rising with kelas.
_BASE_KABUPATEN = {
    1: 1_500_000,
    2: 1_650_000,
    3: 1_800_000,
    4: 2_000_000,
    5: 2_250_000,
    6: 2_500_000,
    7: 2_850_000,
    8: 3_250_000,
    9: 3_750_000,
    10: 4_500_000,
    11: 5_500_000,
    12: 7_000_000,
    13: 9_000_000,
    14: 12_000_000,
    15: 16_000_000,
    16: 20_000_000,
    17: 25_000_000,
}
_BASE_KOTA = {
    1: 1_750_000,
    2: 1_900_000,
    3: 2_100_000,
    4: 2_350_000,
    5: 2_600_000,
    6: 2_950_000,
    7: 3_300_000,
    8: 3_800_000,
    9: 4_400_000,
    10: 5_250_000,
    11: 6_400_000,
    12: 8_000_000,
    13: 10_500_000,
    14: 14_000_000,
    15: 18_500_000,
    16: 23_000_000,
    17: 28_000_000,
}
_NATIONAL_BANDS = [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, None, 1.5]]
_STANDARD_LEAVES = {
    "sakit": {"deduction": 0, "reduces_activity_target": True},
    "izin": {"deduction": 1, "reduces_activity_target": True},
    "cuti_tahunan": {"deduction": 0, "reduces_activity_target": True},
    "cuti_besar": {"deduction": 0, "reduces_activity_target": True},
    "cuti_melahirkan": {"deduction": 0, "reduces_activity_target": True},
    "cuti_alasan_penting": {"deduction": 0, "reduces_activity_target": True},
    "dinas_luar": {"deduction": 0, "reduces_activity_target": False, "counts_as_present": True},
    "tugas_belajar": {"excludes_tpp": True},
    # The codes of attendance.services.DEFAULT_LEAVE_TYPES, which leave records carry.
    "cltn": {"excludes_tpp": True},
    "wfh": {"deduction": 0, "reduces_activity_target": False, "counts_as_present": True},
}


def _base(table: dict[int, int]) -> dict[str, int]:
    return {str(k): v for k, v in table.items()}


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def national_template(effective_from: str = "2026-01-01") -> dict:
    """The common national pattern: discipline (attendance) 40%, productivity (activity) 60%; late
    and early leave in 30-minute bands 0.5/1/1.25/1.5% per occurrence; 6,750 minutes a month."""
    return {
        "name": "Pola nasional 40/60",
        "effective_from": effective_from,
        "base_by_class": _base(_BASE_KABUPATEN),
        "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
        "plt_pct": 20,
        "components": [{"key": "attendance", "weight": 40}, {"key": "activity", "weight": 60}],
        "attendance": {
            "deduct_from": "pot",
            "grace_minutes": 0,
            "late_bands": _copy(_NATIONAL_BANDS),
            "early_bands": _copy(_NATIONAL_BANDS),
            "missing_check_in": 1.5,
            "missing_check_out": 1.5,
            "absent_without_notice": 3,
        },
        "leave_types": _copy(_STANDARD_LEAVES),
        "activity": {
            "monthly_target_minutes": 6750,
            "daily_cap_minutes": 450,
            "entry_window_working_days": 5,
            "score_cap": 1,
        },
        "skp": {
            "sangat_baik": 100,
            "baik": 100,
            "butuh_perbaikan": 80,
            "kurang": 60,
            "sangat_kurang": 40,
            "not_rated": 0,
        },
        "sentences": {"ringan": 25, "sedang": 50, "berat": 100},
        "pph21": {
            "mode": "flat_by_golongan",
            # PPPK grades I-IV would otherwise meet the PNS golongan keys I-IV (tpp-calculation.md).
            "rates": {"I": 0, "II": 0, "III": 5, "IV": 15, "PPPK": 0},
        },
        "health_insurance": {"employee_pct": 1},
    }


def hss_template(effective_from: str = "2026-01-01") -> dict:
    """Hulu Sungai Selatan (Perbup 39/2018): attendance 30, activity 50, SKP 20; an unexcused absence
    costs 4.5%, the largest single deduction; activities expire after 7 working days."""
    return {
        "name": "Pola HSS 30/50/20 (Perbup 39/2018)",
        "effective_from": effective_from,
        "base_by_class": _base(_BASE_KABUPATEN),
        "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
        "plt_pct": 20,
        "components": [
            {"key": "attendance", "weight": 30},
            {"key": "activity", "weight": 50},
            {"key": "skp", "weight": 20},
        ],
        "attendance": {
            "deduct_from": "ceiling",
            "grace_minutes": 0,
            "late_bands": _copy(_NATIONAL_BANDS),
            "early_bands": _copy(_NATIONAL_BANDS),
            "missing_check_in": 1.5,
            "missing_check_out": 1.5,
            "absent_without_notice": 4.5,
        },
        "leave_types": _copy(_STANDARD_LEAVES),
        "attendance_floors": [[0, 25, 0], [25, 50, 50]],
        "activity": {
            "monthly_target_minutes": 6750,
            "daily_cap_minutes": 450,
            "entry_window_working_days": 7,
            "score_cap": 1,
        },
        "skp": {
            "sangat_baik": 100,
            "baik": 100,
            "butuh_perbaikan": 75,
            "kurang": 50,
            "sangat_kurang": 25,
            "not_rated": 0,
        },
        "sentences": {"ringan": 25, "sedang": 50, "berat": 100},
        "pph21": {
            "mode": "flat_by_golongan",
            # PPPK grades I-IV would otherwise meet the PNS golongan keys I-IV (tpp-calculation.md).
            "rates": {"I": 0, "II": 0, "III": 5, "IV": 15, "PPPK": 0},
        },
        "health_insurance": {"employee_pct": 1, "income_cap": 12_000_000},
    }


def manado_template(effective_from: str = "2026-01-01") -> dict:
    """Kota Manado: productivity (activity) 60, discipline (attendance) 40; late/early 1, 2, 3% per
    occurrence in 30-minute bands; presence below 25% pays nothing, below 50% half; BPJS 1% of TPP
    only on the part of salary + TPP under Rp12.000.000."""
    bands = [[1, 30, 1], [31, 60, 2], [61, None, 3]]
    return {
        "name": "Pola Manado 60/40",
        "effective_from": effective_from,
        "base_by_class": _base(_BASE_KOTA),
        "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
        "plt_pct": 20,
        "components": [{"key": "activity", "weight": 60}, {"key": "attendance", "weight": 40}],
        "attendance": {
            "deduct_from": "pot",
            "grace_minutes": 0,
            "late_bands": _copy(bands),
            "early_bands": _copy(bands),
            "missing_check_in": 3,
            "missing_check_out": 3,
            "absent_without_notice": 6,
        },
        "leave_types": _copy(_STANDARD_LEAVES),
        "attendance_floors": [[0, 25, 0], [25, 50, 50]],
        "activity": {
            "monthly_target_minutes": 6750,
            "daily_cap_minutes": 450,
            "entry_window_working_days": 5,
            "score_cap": 1,
        },
        "skp": {
            "sangat_baik": 100,
            "baik": 100,
            "butuh_perbaikan": 80,
            "kurang": 60,
            "sangat_kurang": 40,
            "not_rated": 0,
        },
        "sentences": {"ringan": 25, "sedang": 50, "berat": 100},
        "pph21": {
            "mode": "flat_by_golongan",
            # PPPK grades I-IV would otherwise meet the PNS golongan keys I-IV (tpp-calculation.md).
            "rates": {"I": 0, "II": 0, "III": 5, "IV": 15, "PPPK": 0},
        },
        "health_insurance": {"employee_pct": 1, "income_cap": 12_000_000},
    }


def madiun_template(effective_from: str = "2026-01-01") -> dict:
    """Kota Madiun style: two allowances, TPP (attendance 40 / activity 60) and UKK (SKP), each with
    its own standard; everything else shared."""
    data = national_template(effective_from)
    data["name"] = "Pola Madiun TPP + UKK"
    del data["base_by_class"], data["components"]
    data["allowances"] = [
        {
            "key": "tpp",
            "name": "Tambahan Penghasilan Pegawai",
            "base_by_class": _base(_BASE_KOTA),
            "components": [{"key": "attendance", "weight": 40}, {"key": "activity", "weight": 60}],
        },
        {
            "key": "ukk",
            "name": "Uang Kinerja",
            "base_by_class": {str(k): v // 5 for k, v in _BASE_KOTA.items()},
            "components": [{"key": "skp", "weight": 100}],
        },
    ]
    return data


TEMPLATES = {
    "national": ("Pola nasional 40/60", national_template),
    "hss": ("Pola HSS 30/50/20", hss_template),
    "manado": ("Pola Manado 60/40", manado_template),
    "madiun": ("Pola Madiun TPP + UKK", madiun_template),
}
