"""The `ekinerja/1` exchange document (../shared/spec/scenario-format.md): strict reading.

`read_document(data)` returns a `Document` of plain records or raises `DocumentError` listing every
problem at once as (JSON path, reason). Unknown fields are errors; dates are YYYY-MM-DD, times HH:MM
local to the instansi, money whole rupiah, percentages plain numbers. Cross references (a position's
unit, an employee's schedule, an activity's catalog code, a leave type the policy names...) are
checked too, so a file that reads cleanly also loads cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ekinerja.core.periods import DATE_OUT_OF_RANGE, date_in_range
from ekinerja.tpp.policy import MAX_MONEY, Policy, PolicyError, policy_from_dict, spec_tables
from ekinerja.tpp.policy import _Reader as _PolicyReader

FORMAT = "ekinerja/1"
TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("PNS", "CPNS", "PPPK")
ASSIGNMENT_KINDS = ("definitif", "plt", "plh")
ACTIVITY_STATUSES = ("draft", "submitted", "approved", "rejected")
PREDICATES = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
# The spec names no values for a position's `kind`, a holiday's `kind` or a punch's `source`: any
# non-empty string is accepted and mapped to the app's own value (docs/exchange-format.md). None of
# them changes a figure.
POSITION_KINDS = {
    "struktural": "struktural",
    "jpt": "struktural",
    "administrator": "struktural",
    "pengawas": "struktural",
    "fungsional": "fungsional",
    "jft": "fungsional",
    "fungsional_tertentu": "fungsional",
    "pelaksana": "pelaksana",
    "jfu": "pelaksana",
    "fungsional_umum": "pelaksana",
}
OTHER_POSITION_KIND = "pelaksana"
HOLIDAY_KINDS = ("national", "cuti_bersama", "regional")
OTHER_HOLIDAY_KIND = "regional"  # a listed holiday: it always applies, whatever its kind
PUNCH_SOURCES = ("fingerprint", "mobile", "manual")
OTHER_PUNCH_SOURCE = "fingerprint"  # a device punch; the file's own name is kept as its source key
# Identifiers and labels are free strings in the format; these bounds only keep out garbage.
MAX_NIP = 64
MAX_GOLONGAN = 40
MAX_SOURCE = 40
SHIFT_CODE_EMPTY = "kode shift tidak boleh kosong atau hanya berisi spasi"
FIXED_WITHOUT_DAYS = "jadwal 'fixed' membutuhkan paling sedikit satu hari kerja"
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d", re.ASCII)
_AT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d", re.ASCII)
_PERIOD_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# tpp/policy.py says "uang harus rupiah bulat, tidak negatif (tanpa sen)" of a fraction; the format
# also wants the integer written as one (9000000, not 9000000.0).
MONEY_AS_INTEGER = (
    "uang harus rupiah bulat yang ditulis sebagai bilangan bulat (tanpa titik desimal)"
)
# Every date and time of the file lies in the years the app takes (1900-9998, as a policy's
# `effective_from`): a leave to 9999-12-31 or a punch in year 1 once passed the reader and failed
# in the loading with a traceback (a day after 9999-12-31, a time zone shift before year 1).
DATE_NOT_IN_RANGE = DATE_OUT_OF_RANGE[0].lower() + DATE_OUT_OF_RANGE[1:].rstrip(".")


def _printable(text: str) -> str:
    """A path or reason that quotes the file's own text, with any lone surrogate written as its
    escape (\\ud800), so that the list of problems can always be printed and saved."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class DocumentError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = [(_printable(p), _printable(r)) for p, r in problems]
        super().__init__(
            f"{len(self.problems)} masalah: " + "; ".join(f"{p}: {r}" for p, r in self.problems[:5])
        )


class Reader(_PolicyReader):
    def bad(self, path: str, reason: str) -> None:
        # One problem per path: a missing field ("wajib diisi") is not also reported as having the
        # wrong type.
        if not any(existing == path for existing, _ in self.problems):
            super().bad(path, reason)

    def date(self, value: Any, path: str) -> dt.date | None:
        day = super().date(value, path)
        if day is not None and not date_in_range(day):
            self.bad(path, DATE_NOT_IN_RANGE)
            return None
        return day

    def text(self, value: Any, path: str) -> str | None:
        # Every text of the document is a code or a one-line name: a control character (a NUL,
        # which PostgreSQL cannot even store, a tab, a line break) is a damaged file.
        text = super().text(value, path)
        if text is not None and _CONTROL_RE.search(text):
            self.bad(path, "tidak boleh berisi karakter kontrol (NUL, tab, baris baru, ...)")
            return None
        return text

    def time(self, value: Any, path: str) -> dt.time | None:
        if isinstance(value, str) and _TIME_RE.fullmatch(value):
            return dt.time.fromisoformat(value)
        self.bad(path, "harus berupa jam JJ:MM")
        return None

    def local_datetime(self, value: Any, path: str) -> dt.datetime | None:
        if isinstance(value, str) and _AT_RE.fullmatch(value):
            try:
                at = dt.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if date_in_range(at.date()):
                    return at
                self.bad(path, DATE_NOT_IN_RANGE)
                return None
        self.bad(path, "harus berupa tanggal dan jam setempat TTTT-BB-HHTJJ:MM")
        return None

    def period(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and _PERIOD_RE.fullmatch(value):
            return value
        self.bad(path, "harus berupa periode TTTT-BB")
        return None

    def nip(self, value: Any, path: str) -> str | None:
        # An identifier of the file: the plausibility rules of org/nip.py (18 digits, birth date,
        # TMT, sex) apply to data entering a live installation, not to a simulation.
        if (
            isinstance(value, str)
            and value.strip() == value
            and 0 < len(value) <= MAX_NIP
            and not _CONTROL_RE.search(value)
        ):
            return value
        self.bad(
            path,
            f"harus berupa NIP: teks yang tidak kosong, paling banyak {MAX_NIP} karakter, tanpa "
            "spasi di awal atau akhir dan tanpa karakter kontrol",
        )
        return None

    def label(self, value: Any, path: str, limit: int) -> str | None:
        """A free, non-empty one-line string of at most `limit` characters."""
        if (
            isinstance(value, str)
            and value.strip()
            and len(value) <= limit
            and not _CONTROL_RE.search(value)
        ):
            return value
        self.bad(path, f"harus berupa teks yang tidak kosong, paling banyak {limit} karakter")
        return None

    def whole_money(self, value: Any, path: str) -> Decimal | None:
        """Money as the format writes it: whole rupiah as a JSON integer (9000000, not 9000000.0),
        a month's amount at most MAX_MONEY as in the policy (10^20 once reached the computation and
        failed there with a traceback instead of its path)."""
        if isinstance(value, float):
            self.bad(path, MONEY_AS_INTEGER)
            return None
        return self.money(value, path, maximum=MAX_MONEY)

    def optional_date(self, value: Any, path: str) -> dt.date | None:
        return None if value is None else self.date(value, path)

    def hours(self, value: Any, path: str) -> tuple[dt.time, dt.time] | None:
        pair = self.array(value, path)
        if pair is None:
            return None
        if len(pair) != 2:
            self.bad(path, "harus berupa [mulai, selesai] dengan jam JJ:MM")
            return None
        start, end = self.time(pair[0], f"{path}[0]"), self.time(pair[1], f"{path}[1]")
        if start is None or end is None:
            return None
        if start == end:
            self.bad(path, "jam mulai dan selesai harus berbeda")
            return None
        return start, end


@dataclass(frozen=True)
class InstansiRec:
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class HolidayRec:
    date: dt.date
    name: str
    kind: str


@dataclass(frozen=True)
class ScheduleRec:
    code: str
    kind: str  # fixed | shift
    days: dict[int, tuple[dt.time, dt.time]] = field(default_factory=dict)  # weekday 0=Mon
    shifts: dict[str, tuple[dt.time, dt.time]] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitRec:
    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class PositionRec:
    code: str
    name: str
    unit: str
    kind: str
    kelas: int
    parent: str | None
    tpp_base: Decimal | None


@dataclass(frozen=True)
class AssignmentRec:
    position: str
    start: dt.date
    end: dt.date | None
    kind: str


@dataclass(frozen=True)
class EmployeeRec:
    nip: str
    name: str
    status: str
    golongan: str | None
    schedule: str | None
    salary: Decimal | None
    assignments: tuple[AssignmentRec, ...]


@dataclass(frozen=True)
class RosterRec:
    nip: str
    date: dt.date
    shift: str


@dataclass(frozen=True)
class PunchRec:
    nip: str
    at: dt.datetime  # naive local time of the instansi
    source: str


@dataclass(frozen=True)
class LeaveRec:
    nip: str
    type: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class CatalogRec:
    code: str
    name: str
    output: str
    minutes: int


@dataclass(frozen=True)
class ActivityRec:
    nip: str
    date: dt.date
    start: dt.time
    end: dt.time
    catalog: str
    volume: Decimal
    submitted_on: dt.date | None
    status: str


@dataclass(frozen=True)
class UnlockRec:
    nip: str
    start: dt.date
    end: dt.date
    approved_on: dt.date


@dataclass(frozen=True)
class RatingRec:
    nip: str
    period: str
    predicate: str


@dataclass(frozen=True)
class SentenceRec:
    nip: str
    level: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Document:
    instansi: InstansiRec
    use_national_holidays: bool
    holidays: tuple[HolidayRec, ...]
    schedules: tuple[ScheduleRec, ...]
    units: tuple[UnitRec, ...]
    positions: tuple[PositionRec, ...]
    employees: tuple[EmployeeRec, ...]
    shift_roster: tuple[RosterRec, ...]
    punches: tuple[PunchRec, ...]
    leaves: tuple[LeaveRec, ...]
    activity_catalog: tuple[CatalogRec, ...]
    activities: tuple[ActivityRec, ...]
    unlocks: tuple[UnlockRec, ...]
    skp_ratings: tuple[RatingRec, ...]
    sentences: tuple[SentenceRec, ...]
    policies: tuple[tuple[Policy, dict], ...]  # parsed policy and its source object


# Every field of the format's example is required, except those the spec lists as optional
# (docs/exchange-format.md): an absent field is a problem, never a silent default.
TOP_REQUIRED = (
    "format",
    "instansi",
    "holidays",
    "use_national_holidays",
    "schedules",
    "units",
    "positions",
    "employees",
    "shift_roster",
    "punches",
    "leaves",
    "activity_catalog",
    "activities",
    "unlocks",
    "skp_ratings",
    "sentences",
    "policies",
)
TOP_OPTIONAL: tuple[str, ...] = ()
# Policy fields the spec's example shows and does not list as optional, but which the BKPSDM
# editor's reader (tpp/policy.py) lets a policy omit.
POLICY_REQUIRED_HERE = ("health_insurance",)


def _items(r: Reader, doc: dict, key: str):
    value = doc.get(key, [])
    items = r.array(value, f"$.{key}")
    return list(enumerate(items or []))


def _unique(r: Reader, seen: dict, value, path: str, what: str, at: str | None = None) -> None:
    """A key (a code, or a pair such as NIP and date) listed twice is a problem at its second place
    (`at`, else `path`), written as the file writes it ('198501012010011001 2026-10', not a Python
    tuple). `seen` keeps each key's first `path`."""
    if value is None:
        return
    if value in seen:
        shown = " ".join(str(v) for v in value) if isinstance(value, tuple) else value
        r.bad(at or path, f"{what} '{shown}' tercantum dua kali (pertama di {seen[value]})")
    else:
        seen[value] = path


def read_document(  # noqa: C901 - one pass over a flat format
    data: Any, *, for_import: bool = False
) -> Document:
    """`for_import`: the policies go into a live installation as drafts (`exchange import`), so they
    must also meet the BKPSDM editor's rules for bands and floors (contiguous, floors from 0); a
    simulation reads them as the spec does (tpp.policy.spec_tables)."""
    r = Reader()
    _scan(r, data)
    doc = r.obj(data, "$", TOP_REQUIRED, TOP_OPTIONAL)
    if doc is None:
        raise DocumentError(r.problems)
    if "format" in doc and doc["format"] != FORMAT:
        r.bad("$.format", f"harus bernilai '{FORMAT}'")

    inst = None
    o = (
        r.obj(doc.get("instansi"), "$.instansi", ("code", "name", "timezone"))
        if "instansi" in doc
        else None
    )
    if o is not None:
        code, name = (
            r.text(o.get("code"), "$.instansi.code"),
            r.text(o.get("name"), "$.instansi.name"),
        )
        tz = (
            r.choice(o.get("timezone"), "$.instansi.timezone", TIMEZONES)
            if "timezone" in o
            else None
        )
        if code and name and tz:
            inst = InstansiRec(code, name, tz)

    use_national = True
    if "use_national_holidays" in doc:
        use_national = bool(r.boolean(doc["use_national_holidays"], "$.use_national_holidays"))

    holidays = []
    for i, h in _items(r, doc, "holidays"):
        p = f"$.holidays[{i}]"
        o = r.obj(h, p, ("date", "name", "kind"))
        if o is None:
            continue
        d, n = r.date(o.get("date"), f"{p}.date"), r.text(o.get("name"), f"{p}.name")
        kind = r.label(o.get("kind"), f"{p}.kind", 40) if "kind" in o else None
        if d and n and kind:
            kind = kind if kind in HOLIDAY_KINDS else OTHER_HOLIDAY_KIND
            holidays.append(HolidayRec(d, n, kind))

    schedules, schedule_codes = [], {}
    declared: dict[str, set[str]] = {}  # shift schedule -> the shift codes it names
    for i, s in _items(r, doc, "schedules"):
        p = f"$.schedules[{i}]"
        o = r.obj(s, p, ("code", "kind"), ("days", "shifts"))
        if o is None:
            continue
        code = r.text(o.get("code"), f"{p}.code")
        _unique(r, schedule_codes, code, f"{p}.code", "kode jadwal")
        kind = r.choice(o.get("kind"), f"{p}.kind", ("fixed", "shift"))
        days, shifts = {}, {}
        if kind == "fixed":
            if "shifts" in o:
                r.bad(f"{p}.shifts", "jadwal 'fixed' memakai 'days', bukan 'shifts'")
            dv = r.obj(o.get("days"), f"{p}.days", (), WEEKDAYS) if "days" in o else None
            if "days" not in o:
                r.bad(f"{p}.days", "wajib diisi")
            elif dv is not None and not dv and not for_import:
                # As a shift schedule needs a shift: everyone on it would silently have no
                # working day and a TPP of 0. (`exchange import` says it in schedule_define's
                # words, with the catalog's and holidays' problems: workcal.schedule_problems.)
                r.bad(f"{p}.days", FIXED_WITHOUT_DAYS)
            for wd, hours in (dv or {}).items():
                if wd in WEEKDAYS:
                    parsed = r.hours(hours, f"{p}.days.{wd}")
                    if parsed:
                        days[WEEKDAYS.index(wd)] = parsed
        elif kind == "shift":
            if "days" in o:
                r.bad(f"{p}.days", "jadwal 'shift' memakai 'shifts', bukan 'days'")
            sv = o.get("shifts")
            if not isinstance(sv, dict) or not sv:
                r.bad(
                    f"{p}.shifts",
                    "harus berupa objek tidak kosong yang memetakan kode shift ke [mulai, selesai]",
                )
            else:
                if code:  # named, even when its hours are refused: the roster may use it
                    declared[code] = set(sv)
                for sc, hours in sv.items():
                    if not sc.strip() and not for_import:
                        # A shift code is a code, as the roster's `shift` naming it: not empty.
                        # (`exchange import` says it in schedule_define's words, with the
                        # catalog's and holidays' problems: workcal.schedule_problems.)
                        r.bad(f"{p}.shifts[{json.dumps(sc)}]", SHIFT_CODE_EMPTY)
                        continue
                    parsed = r.hours(hours, f"{p}.shifts.{sc}")
                    if parsed:
                        shifts[sc] = parsed
        if code and kind:
            schedules.append(ScheduleRec(code, kind, days, shifts))
    # A roster day naming a shift whose hours were refused is not a second problem ("tidak
    # dikenal"): the shift's own path already says what is wrong with it.
    shift_codes = {
        s.code: set(s.shifts) | declared.get(s.code, set()) for s in schedules if s.kind == "shift"
    }

    units, unit_codes = [], {}
    for i, u in _items(r, doc, "units"):
        p = f"$.units[{i}]"
        o = r.obj(u, p, ("code", "name", "parent"))
        if o is None:
            continue
        code, name = r.text(o.get("code"), f"{p}.code"), r.text(o.get("name"), f"{p}.name")
        _unique(r, unit_codes, code, p, "kode unit", at=f"{p}.code")
        parent = o.get("parent")
        if parent is not None and not isinstance(parent, str):
            r.bad(f"{p}.parent", "harus berupa kode unit atau null")
            parent = None
        if code and name:
            units.append(UnitRec(code, name, parent))
    for u in units:
        if u.parent is not None and u.parent not in unit_codes:
            r.bad(f"{unit_codes[u.code]}.parent", f"unit '{u.parent}' tidak dikenal")
    _check_cycles(r, {u.code: u.parent for u in units}, unit_codes, "unit")

    positions, position_codes = [], {}
    for i, x in _items(r, doc, "positions"):
        p = f"$.positions[{i}]"
        o = r.obj(x, p, ("code", "name", "unit", "kind", "class", "parent"), ("tpp_base",))
        if o is None:
            continue
        code, name = r.text(o.get("code"), f"{p}.code"), r.text(o.get("name"), f"{p}.name")
        _unique(r, position_codes, code, p, "kode jabatan", at=f"{p}.code")
        unit = r.text(o.get("unit"), f"{p}.unit")
        if unit and unit not in unit_codes:
            r.bad(f"{p}.unit", f"unit '{unit}' tidak dikenal")
        kind = r.label(o.get("kind"), f"{p}.kind", 40) if "kind" in o else None
        if kind:
            key = kind.strip().lower().replace(" ", "_").replace("-", "_")
            kind = POSITION_KINDS.get(key, OTHER_POSITION_KIND)
        kelas = r.whole(o.get("class"), f"{p}.class", minimum=1, what="kelas")
        if kelas is not None and kelas > 17:
            r.bad(f"{p}.class", "kelas jabatan harus 1-17")
            kelas = None
        parent = o.get("parent")
        if parent is not None and not isinstance(parent, str):
            r.bad(f"{p}.parent", "harus berupa kode jabatan atau null")
            parent = None
        base = (
            r.whole_money(o["tpp_base"], f"{p}.tpp_base") if o.get("tpp_base") is not None else None
        )
        if code and name and unit and kind and kelas:
            positions.append(PositionRec(code, name, unit, kind, kelas, parent, base))
    for x in positions:
        if x.parent is not None and x.parent not in position_codes:
            r.bad(f"{position_codes[x.code]}.parent", f"jabatan '{x.parent}' tidak dikenal")
    _check_cycles(r, {x.code: x.parent for x in positions}, position_codes, "jabatan")

    employees, nips = [], {}
    emp_schedule: dict[str, str] = {}
    for i, e in _items(r, doc, "employees"):
        p = f"$.employees[{i}]"
        o = r.obj(
            e, p, ("nip", "name", "status", "golongan", "schedule", "assignments"), ("salary",)
        )
        if o is None:
            continue
        nip = r.nip(o.get("nip"), f"{p}.nip")
        _unique(r, nips, nip, f"{p}.nip", "NIP")
        name = r.text(o.get("name"), f"{p}.name")
        status = r.choice(o.get("status"), f"{p}.status", STATUSES)
        # `golongan`: any label (III/a, a PPPK grade IX or III/b, IV/c-PU); its PPh 21 key is the
        # part before "/" (tpp-rules.md). null: no golongan (a key the policy cannot list: 0%).
        gol = o.get("golongan")
        if gol is not None:
            gol = r.label(gol, f"{p}.golongan", MAX_GOLONGAN)
        schedule = None
        if "schedule" in o:
            schedule = r.text(o["schedule"], f"{p}.schedule")
            if schedule is not None and schedule not in schedule_codes:
                r.bad(f"{p}.schedule", f"jadwal '{schedule}' tidak dikenal")
        salary = r.whole_money(o["salary"], f"{p}.salary") if o.get("salary") is not None else None
        assignments = []
        raw_assignments = o.get("assignments", [])
        for j, a in enumerate(r.array(raw_assignments, f"{p}.assignments") or []):
            ap = f"{p}.assignments[{j}]"
            ao = r.obj(a, ap, ("position", "from", "to", "kind"))
            if ao is None:
                continue
            pos = r.text(ao.get("position"), f"{ap}.position")
            if pos and pos not in position_codes:
                r.bad(f"{ap}.position", f"jabatan '{pos}' tidak dikenal")
            start = r.date(ao.get("from"), f"{ap}.from")
            end = r.optional_date(ao.get("to"), f"{ap}.to") if "to" in ao else None
            kind = (
                r.choice(ao.get("kind"), f"{ap}.kind", ASSIGNMENT_KINDS) if "kind" in ao else None
            )
            if start and end and end < start:
                r.bad(f"{ap}.to", "tidak boleh sebelum 'from'")
            elif pos and start and kind:
                assignments.append(AssignmentRec(pos, start, end, kind))
        definitif = sorted((a for a in assignments if a.kind == "definitif"), key=lambda a: a.start)
        # Both problems of the assignments are said at one path, so in one reason (Reader.bad
        # keeps one problem per path: the second used to be left out of the list).
        wrong = []
        if any(
            prev.end is None or prev.end >= nxt.start
            for prev, nxt in zip(definitif, definitif[1:], strict=False)
        ):
            wrong.append("penugasan definitif saling tumpang tindih")
        own = [
            a.position
            for a in assignments
            if a.kind != "definitif"
            and any(
                d.position == a.position
                and d.start <= (a.end or dt.date.max)
                and a.start <= (d.end or dt.date.max)
                for d in definitif
            )
        ]
        if own:  # tpp-rules.md step 1: Plt/Plh "of another position"
            wrong.append(
                f"plt/plh pada jabatan definitifnya sendiri ({own[0]}) pada tanggal yang sama"
            )
        if wrong:
            r.bad(f"{p}.assignments", "; ".join(wrong))
        if nip and schedule:
            # Known even when another field of the employee is wrong: their roster is checked
            # against their own schedule, not refused for a problem that is already listed.
            emp_schedule[nip] = schedule
        if nip and name and status and schedule:
            employees.append(
                EmployeeRec(nip, name, status, gol, schedule, salary, tuple(assignments))
            )

    def nip_ref(value, path):
        nip = r.nip(value, path)
        if nip and nip not in nips:
            r.bad(path, f"NIP pegawai '{nip}' tidak dikenal")
            return None
        return nip

    roster, roster_keys = [], {}
    for i, x in _items(r, doc, "shift_roster"):
        p = f"$.shift_roster[{i}]"
        o = r.obj(x, p, ("nip", "date", "shift"))
        if o is None:
            continue
        nip, day = nip_ref(o.get("nip"), f"{p}.nip"), r.date(o.get("date"), f"{p}.date")
        shift = o.get("shift")
        if isinstance(shift, str) and not shift.strip():
            r.bad(f"{p}.shift", SHIFT_CODE_EMPTY)
            shift = None
        else:
            shift = r.text(shift, f"{p}.shift")
        if nip and shift:
            sched = emp_schedule.get(nip)
            if sched not in shift_codes:
                r.bad(f"{p}.nip", "pegawai tidak memiliki jadwal shift")
            elif shift not in shift_codes[sched]:
                r.bad(f"{p}.shift", f"shift '{shift}' tidak dikenal dalam jadwal '{sched}'")
        _unique(r, roster_keys, (nip, day) if nip and day else None, p, "hari roster")
        if nip and day and shift:
            roster.append(RosterRec(nip, day, shift))

    punches = []
    for i, x in _items(r, doc, "punches"):
        p = f"$.punches[{i}]"
        o = r.obj(x, p, ("nip", "at", "source"))
        if o is None:
            continue
        nip, at = nip_ref(o.get("nip"), f"{p}.nip"), r.local_datetime(o.get("at"), f"{p}.at")
        source = r.label(o.get("source"), f"{p}.source", MAX_SOURCE) if "source" in o else None
        if nip and at and source:
            punches.append(PunchRec(nip, at, source))

    policies = []
    effective: list[tuple[int, dt.date | None]] = []  # (place in the file, effective_from)
    leave_types: set[str] = set()
    sentence_kinds: set[str] = set()
    # Which of the two some policy names (a policy with problems too): only then are the leaves'
    # types and the sentences' levels checked against them.
    named: set[str] = set()
    for i, x in _items(r, doc, "policies"):
        p = f"$.policies[{i}]"
        before = len(r.problems)
        _check_policy_here(r, x, p)
        try:
            if for_import:
                pol = policy_from_dict(x, path=p)
            else:
                with spec_tables():
                    pol = policy_from_dict(x, path=p)
            if len(r.problems) > before:
                raise PolicyError([])
        except PolicyError as exc:
            r.problems.extend(exc.problems)
            # Its date still counts for the check below that no two policies share one.
            raw = x.get("effective_from") if isinstance(x, dict) else None
            try:
                effective.append((i, dt.date.fromisoformat(raw) if isinstance(raw, str) else None))
            except ValueError:
                pass
            # Its own keys still name leave types and sentence kinds, so that the leaves and
            # sentences are checked too and every problem of the file is listed at once.
            for part, found in (("leave_types", leave_types), ("sentences", sentence_kinds)):
                keys = x.get(part) if isinstance(x, dict) else None
                if isinstance(keys, dict):
                    found |= {k for k in keys if isinstance(k, str)}
                    named.add(part)
            continue
        named |= {"leave_types", "sentences"}
        policies.append((pol, x))
        effective.append((i, pol.effective_from))
        leave_types |= set(pol.leave_types)
        sentence_kinds |= set(pol.sentences)
    # Every policy of the file, named by its place in the file (also those with problems).
    dates = {}
    for i, day in effective:
        _unique(r, dates, day, f"$.policies[{i}].effective_from", "effective_from")

    # Leaves of one NIP may overlap: on a shared day the leave listed first rules, as in the app
    # (the earliest request wins; the loader writes them in the file's order).
    leaves = []
    for i, x in _items(r, doc, "leaves"):
        p = f"$.leaves[{i}]"
        o = r.obj(x, p, ("nip", "type", "from", "to"))
        if o is None:
            continue
        nip = nip_ref(o.get("nip"), f"{p}.nip")
        typ = r.text(o.get("type"), f"{p}.type")
        if typ and "leave_types" in named and typ not in leave_types:
            r.bad(f"{p}.type", f"jenis izin/cuti '{typ}' tidak disebut oleh kebijakan mana pun")
        start, end = r.date(o.get("from"), f"{p}.from"), r.date(o.get("to"), f"{p}.to")
        if start and end and end < start:
            r.bad(f"{p}.to", "tidak boleh sebelum 'from'")
        elif nip and typ and start and end:
            leaves.append(LeaveRec(nip, typ, start, end))

    catalog, catalog_codes = [], {}
    for i, x in _items(r, doc, "activity_catalog"):
        p = f"$.activity_catalog[{i}]"
        o = r.obj(x, p, ("code", "name", "output", "minutes"))
        if o is None:
            continue
        code, name = r.text(o.get("code"), f"{p}.code"), r.text(o.get("name"), f"{p}.name")
        _unique(r, catalog_codes, code, f"{p}.code", "kode katalog")
        output = r.text(o.get("output"), f"{p}.output") if "output" in o else None
        # A standard time of one output, at most a day (the app's catalog holds 1-1440 minutes).
        minutes = r.whole(
            o.get("minutes"), f"{p}.minutes", minimum=1, maximum=MAX_ITEM_MINUTES, what="menit"
        )
        if code and name and output and minutes:
            catalog.append(CatalogRec(code, name, output, minutes))
    catalog_minutes = {c.code: c.minutes for c in catalog}

    activities = []
    for i, x in _items(r, doc, "activities"):
        p = f"$.activities[{i}]"
        o = r.obj(
            x,
            p,
            ("nip", "date", "start", "end", "catalog", "volume", "submitted_on", "status"),
        )
        if o is None:
            continue
        nip, day = nip_ref(o.get("nip"), f"{p}.nip"), r.date(o.get("date"), f"{p}.date")
        start, end = r.time(o.get("start"), f"{p}.start"), r.time(o.get("end"), f"{p}.end")
        if start and end and end == start:
            r.bad(f"{p}.end", "harus berbeda dari 'start'")
            end = None
        cat = r.text(o.get("catalog"), f"{p}.catalog")
        if cat and cat not in catalog_codes:
            r.bad(f"{p}.catalog", f"kode katalog '{cat}' tidak dikenal")
        volume = r.positive(o.get("volume"), f"{p}.volume")
        if volume is not None and volume >= 100000:
            r.bad(f"{p}.volume", "harus kurang dari 100.000")
            volume = None
        minutes = catalog_minutes.get(cat) if cat else None
        if volume is not None and minutes is not None:
            if stored_minutes(minutes, volume) is None:
                # The app keeps an entry's minutes in hundredths of a minute; never round them.
                hundredths = minutes * volume * 100
                why = (
                    "hasilnya harus kelipatan seperseratus menit"
                    if hundredths != hundredths.to_integral_value()
                    # A whole number of hundredths with no volume of two decimals under 100.000
                    # for it (1440 x 99999.995): it was refused as "not a hundredth" too.
                    else "volume dengan lebih dari dua desimal ini terlalu besar untuk disimpan "
                    "tepat"
                )
                r.bad(
                    f"{p}.volume",
                    f"{minutes} menit x {_fmt(volume)} = {_fmt(minutes * volume)} menit "
                    f"tidak dapat diakui tepat: {why}",
                )
                volume = None
            elif start and end and end < start:
                # Across midnight: from `start` on its date to `end` the next day.
                span = _minutes_of(end) + 24 * 60 - _minutes_of(start)
                if minutes * volume > span:
                    r.bad(
                        f"{p}.end",
                        f"aktivitas yang melewati tengah malam ({o['start']} sampai {o['end']} "
                        f"keesokan harinya) berlangsung {span} menit, kurang dari "
                        f"{_fmt(minutes * volume)} menit yang diakui",
                    )
                    end = None
        status = r.choice(o.get("status"), f"{p}.status", ACTIVITY_STATUSES)
        submitted = r.optional_date(o.get("submitted_on"), f"{p}.submitted_on")
        if status in ("submitted", "approved", "rejected") and o.get("submitted_on") is None:
            r.bad(f"{p}.submitted_on", f"harus berupa tanggal TTTT-BB-HH bila status '{status}'")
        if nip and day and start and end and cat and volume and status:
            activities.append(ActivityRec(nip, day, start, end, cat, volume, submitted, status))

    unlocks = []
    for i, x in _items(r, doc, "unlocks"):
        p = f"$.unlocks[{i}]"
        o = r.obj(x, p, ("nip", "from", "to", "approved_on"))
        if o is None:
            continue
        nip = nip_ref(o.get("nip"), f"{p}.nip")
        start, end = r.date(o.get("from"), f"{p}.from"), r.date(o.get("to"), f"{p}.to")
        approved = r.date(o.get("approved_on"), f"{p}.approved_on")
        if start and end and end < start:
            r.bad(f"{p}.to", "tidak boleh sebelum 'from'")
        elif nip and start and end and approved:
            unlocks.append(UnlockRec(nip, start, end, approved))

    ratings, rating_keys = [], {}
    for i, x in _items(r, doc, "skp_ratings"):
        p = f"$.skp_ratings[{i}]"
        o = r.obj(x, p, ("nip", "period", "predicate"))
        if o is None:
            continue
        nip, period = nip_ref(o.get("nip"), f"{p}.nip"), r.period(o.get("period"), f"{p}.period")
        if period and not MIN_YEAR <= int(period[:4]) <= MAX_YEAR:
            r.bad(f"{p}.period", f"tahun harus antara {MIN_YEAR} dan {MAX_YEAR}")
            period = None
        pred = r.choice(o.get("predicate"), f"{p}.predicate", PREDICATES)
        _unique(
            r,
            rating_keys,
            (nip, period) if nip and period else None,
            p,
            "penilaian SKP untuk NIP dan periode",
        )
        if nip and period and pred:
            ratings.append(RatingRec(nip, period, pred))

    sentences = []
    for i, x in _items(r, doc, "sentences"):
        p = f"$.sentences[{i}]"
        o = r.obj(x, p, ("nip", "level", "from", "to"))
        if o is None:
            continue
        nip = nip_ref(o.get("nip"), f"{p}.nip")
        level = r.text(o.get("level"), f"{p}.level")
        if level and "sentences" in named and level not in sentence_kinds:
            r.bad(
                f"{p}.level",
                f"tingkat hukuman disiplin '{level}' tidak disebut oleh kebijakan mana pun",
            )
        start, end = r.date(o.get("from"), f"{p}.from"), r.date(o.get("to"), f"{p}.to")
        if start and end and end < start:
            r.bad(f"{p}.to", "tidak boleh sebelum 'from'")
        elif nip and level and start and end:
            sentences.append(SentenceRec(nip, level, start, end))

    if r.problems or inst is None:
        if not r.problems:
            r.bad("$.instansi", "wajib diisi")
        raise DocumentError(r.problems)
    return Document(
        instansi=inst,
        use_national_holidays=use_national,
        holidays=tuple(holidays),
        schedules=tuple(schedules),
        units=tuple(units),
        positions=tuple(positions),
        employees=tuple(employees),
        shift_roster=tuple(roster),
        punches=tuple(punches),
        leaves=tuple(leaves),
        activity_catalog=tuple(catalog),
        activities=tuple(activities),
        unlocks=tuple(unlocks),
        skp_ratings=tuple(ratings),
        sentences=tuple(sentences),
        policies=tuple(policies),
    )


def _fmt(number) -> str:
    return format(Decimal(number).normalize(), "f")


def _minutes_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


# An entry's volume is kept with two decimals and its minutes per unit as a whole number (the app's
# columns); the month sums standard minutes x volume exactly, in hundredths of a minute.
_MAX_HUNDREDTHS = 9_999_999


def stored_minutes(minutes: int, volume: Decimal) -> tuple[int, Decimal] | None:
    """(minutes per unit, volume) as the app keeps them, with exactly the credited minutes
    `minutes` x `volume` (tpp-rules.md: no rounding): the entry's own figures when the volume has
    at most two decimals, else equivalent ones (30 x 0.125 is kept as 1 x 3.75). None when the
    product is not a whole number of hundredths of a minute (7 x 0.125 = 0.875)."""
    if volume == volume.quantize(Decimal("0.01")):
        return minutes, volume
    hundredths = minutes * volume * 100
    if hundredths != hundredths.to_integral_value():
        return None
    total = int(hundredths)
    for per_unit in range(1, minutes + 1):
        if total % per_unit == 0 and total // per_unit <= _MAX_HUNDREDTHS:
            return per_unit, Decimal(total // per_unit) / 100
    return None


def _check_policy_here(r: Reader, raw: Any, path: str) -> None:
    """What the format asks of a policy beyond tpp/policy.py's reader (which the BKPSDM editor also
    uses): the fields of the spec's example it lets a policy omit, and money as JSON integers."""
    if not isinstance(raw, dict):
        return
    for name in POLICY_REQUIRED_HERE:
        if name not in raw:
            r.bad(f"{path}.{name}", "wajib diisi")
        elif raw[name] is None:
            # Not a field the example shows as null: tpp/policy.py reads null as "no share",
            # which would let a required field be left out after all.
            r.bad(
                f"{path}.{name}",
                'harus berupa objek {…}, bukan null (tanpa iuran: {"employee_pct": 0})',
            )
    tables = [(f"{path}.base_by_class", raw.get("base_by_class"))]
    allowances = raw.get("allowances")
    if isinstance(allowances, list):
        tables += [
            (f"{path}.allowances[{i}].base_by_class", a.get("base_by_class"))
            for i, a in enumerate(allowances)
            if isinstance(a, dict)
        ]
    money = [
        (f"{table_path}.{key}", amount)
        for table_path, table in tables
        if isinstance(table, dict)
        for key, amount in table.items()
    ]
    health = raw.get("health_insurance")
    if isinstance(health, dict):
        money.append((f"{path}.health_insurance.income_cap", health.get("income_cap")))
    for money_path, amount in money:
        # 9000000.0: tpp/policy.py reads it as 9000000 (a fraction it reports itself).
        if isinstance(amount, float) and amount.is_integer():
            r.bad(money_path, MONEY_AS_INTEGER)


def _check_cycles(r: Reader, parent: dict[str, str | None], paths: dict, what: str) -> None:
    reported: set[str] = set()
    for start in parent:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        if node is not None and node in seen and node not in reported:
            cycle = seen[seen.index(node) :]
            reported.update(cycle)
            r.bad(
                f"{paths[node]}.parent",
                f"hierarki {what} membentuk siklus: {' -> '.join(cycle + [node])}",
            )


#: A catalog item's standard minutes: one output takes at most a day.
MAX_ITEM_MINUTES = 1440
#: The years an SKP rating may name (the app's SKP plans).
MIN_YEAR, MAX_YEAR = 2000, 2100

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class _Object(dict):
    """A JSON object as read by read_file, remembering the keys written more than once (JSON
    leaves their meaning open; Python's reader would keep the last silently)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
    return obj


def _scan(r: Reader, data: Any) -> None:
    """Problems no field check sees, anywhere in the document (iteratively: a deep document must
    not exhaust the stack): a key written twice in one object, and text holding a lone surrogate
    ("\ud800" is valid JSON but no character: it cannot be stored or written as UTF-8)."""
    stack = [(data, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE_RE.search(value):
                r.bad(path, "berisi karakter yang tidak sah (surrogate UTF-16 tanpa pasangan)")
            elif "\x00" in value:  # PostgreSQL stores no NUL, in text or in jsonb
                r.bad(path, "tidak boleh berisi karakter kontrol (NUL, tab, baris baru, ...)")
        elif isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                r.bad(f"{path}.{key}", "kunci ditulis lebih dari sekali dalam satu objek")
            for key, item in value.items():
                if _SURROGATE_RE.search(key):
                    r.bad(path, "nama kunci berisi karakter yang tidak sah")
                    continue
                if _CONTROL_RE.search(key):  # a shift code "P\u0000", a class "9\t"
                    r.bad(path, f"nama kunci {json.dumps(key)} berisi karakter kontrol")
                    continue
                stack.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))


_READ_ERRORS = {
    FileNotFoundError: "berkas tidak ditemukan",
    PermissionError: "tidak ada izin untuk membacanya",
    IsADirectoryError: "itu sebuah direktori, bukan berkas",
}


def read_file(path: str, *, for_import: bool = False) -> Document:
    """Read and check a document file; unreadable files and bad JSON are DocumentErrors too."""

    try:
        # "utf-8-sig": a byte order mark at the start (Windows Notepad's "UTF-8" writes one) is
        # skipped, as RFC 8259 lets a reader do; it once made the whole file "not valid JSON".
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh, object_pairs_hook=_object)
    except RecursionError as exc:
        raise DocumentError([("$", "bukan JSON yang sah: bersarang terlalu dalam")]) from exc
    except OSError as exc:
        reason = _READ_ERRORS.get(type(exc), exc.strerror)
        raise DocumentError([("$", f"tidak dapat membaca {path}: {reason}")]) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f" (baris {exc.lineno}, kolom {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise DocumentError([("$", f"bukan JSON UTF-8 yang sah{where}")]) from exc
    except ValueError as exc:
        # Python refuses an integer literal of more than 4,300 digits (int_max_str_digits).
        raise DocumentError(
            [("$", "bukan JSON yang dapat dibaca: ada angka yang lebih dari 4.300 digit")]
        ) from exc
    return read_document(data, for_import=for_import)
