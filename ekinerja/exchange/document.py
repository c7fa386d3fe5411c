"""The `ekinerja/1` exchange document (../shared/spec/scenario-format.md): strict reading.

`read_document(data)` returns a `Document` of plain records or raises `DocumentError` listing every
problem at once as (JSON path, reason). Unknown fields are errors; dates are YYYY-MM-DD, times HH:MM
local to the instansi, money whole rupiah, percentages plain numbers. Cross references (a position's
unit, an employee's schedule, an activity's catalog code, a leave type the policy names...) are
checked too, so a file that reads cleanly also loads cleanly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ekinerja.tpp.policy import Policy, PolicyError, policy_from_dict
from ekinerja.tpp.policy import _Reader as _PolicyReader

FORMAT = "ekinerja/1"
TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("PNS", "CPNS", "PPPK")
# A PPPK employee's `golongan` is their grade (PP 49/2018: I-XVII), as org.Employee.pppk_grade shows it.
PPPK_GRADES = tuple("I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split())
POSITION_KINDS = ("struktural", "fungsional", "pelaksana")
ASSIGNMENT_KINDS = ("definitif", "plt", "plh")
ACTIVITY_STATUSES = ("draft", "submitted", "approved", "rejected")
PREDICATES = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
HOLIDAY_KINDS = ("national", "cuti_bersama", "regional")
PUNCH_SOURCES = ("fingerprint", "mobile", "manual")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d", re.ASCII)
_AT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d", re.ASCII)
_PERIOD_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])", re.ASCII)
_NIP_RE = re.compile(r"\d{18}", re.ASCII)


class DocumentError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s): " + "; ".join(f"{p}: {r}" for p, r in problems[:5])
        )


class Reader(_PolicyReader):
    def bad(self, path: str, reason: str) -> None:
        # One problem per path: a missing field is not also reported as "must be a string".
        if not any(existing == path for existing, _ in self.problems):
            super().bad(path, reason)

    def time(self, value: Any, path: str) -> dt.time | None:
        if isinstance(value, str) and _TIME_RE.fullmatch(value):
            return dt.time.fromisoformat(value)
        self.bad(path, "must be a time HH:MM")
        return None

    def local_datetime(self, value: Any, path: str) -> dt.datetime | None:
        if isinstance(value, str) and _AT_RE.fullmatch(value):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                pass
        self.bad(path, "must be a local date-time YYYY-MM-DDTHH:MM")
        return None

    def period(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and _PERIOD_RE.fullmatch(value):
            return value
        self.bad(path, "must be a period YYYY-MM")
        return None

    def nip(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and _NIP_RE.fullmatch(value):
            return value
        self.bad(path, "must be an 18-digit NIP string")
        return None

    def optional_date(self, value: Any, path: str) -> dt.date | None:
        return None if value is None else self.date(value, path)

    def hours(self, value: Any, path: str) -> tuple[dt.time, dt.time] | None:
        pair = self.array(value, path)
        if pair is None:
            return None
        if len(pair) != 2:
            self.bad(path, "must be [start, end] times HH:MM")
            return None
        start, end = self.time(pair[0], f"{path}[0]"), self.time(pair[1], f"{path}[1]")
        if start is None or end is None:
            return None
        if start == end:
            self.bad(path, "start and end must differ")
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


TOP_REQUIRED = ("format", "instansi")
TOP_OPTIONAL = (
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


def _items(r: Reader, doc: dict, key: str):
    value = doc.get(key, [])
    items = r.array(value, f"$.{key}")
    return list(enumerate(items or []))


def _unique(r: Reader, seen: dict, value, path: str, what: str) -> None:
    if value is None:
        return
    if value in seen:
        r.bad(path, f"duplicate {what} '{value}' (first at {seen[value]})")
    else:
        seen[value] = path


def read_document(data: Any) -> Document:  # noqa: C901 - one pass over a flat format
    r = Reader()
    doc = r.obj(data, "$", TOP_REQUIRED, TOP_OPTIONAL)
    if doc is None:
        raise DocumentError(r.problems)
    if "format" in doc and doc["format"] != FORMAT:
        r.bad("$.format", f"must be '{FORMAT}'")

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
        o = r.obj(h, p, ("date", "name"), ("kind",))
        if o is None:
            continue
        d, n = r.date(o.get("date"), f"{p}.date"), r.text(o.get("name"), f"{p}.name")
        kind = r.choice(o["kind"], f"{p}.kind", HOLIDAY_KINDS) if "kind" in o else "regional"
        if d and n and kind:
            holidays.append(HolidayRec(d, n, kind))

    schedules, schedule_codes = [], {}
    for i, s in _items(r, doc, "schedules"):
        p = f"$.schedules[{i}]"
        o = r.obj(s, p, ("code", "kind"), ("days", "shifts"))
        if o is None:
            continue
        code = r.text(o.get("code"), f"{p}.code")
        _unique(r, schedule_codes, code, f"{p}.code", "schedule code")
        kind = r.choice(o.get("kind"), f"{p}.kind", ("fixed", "shift"))
        days, shifts = {}, {}
        if kind == "fixed":
            if "shifts" in o:
                r.bad(f"{p}.shifts", "a fixed schedule has 'days', not 'shifts'")
            dv = r.obj(o.get("days"), f"{p}.days", (), WEEKDAYS) if "days" in o else None
            if "days" not in o:
                r.bad(f"{p}.days", "required field missing")
            for wd, hours in (dv or {}).items():
                if wd in WEEKDAYS:
                    parsed = r.hours(hours, f"{p}.days.{wd}")
                    if parsed:
                        days[WEEKDAYS.index(wd)] = parsed
        elif kind == "shift":
            if "days" in o:
                r.bad(f"{p}.days", "a shift schedule has 'shifts', not 'days'")
            sv = o.get("shifts")
            if not isinstance(sv, dict) or not sv:
                r.bad(f"{p}.shifts", "must be a non-empty object of shift code -> [start, end]")
            else:
                for sc, hours in sv.items():
                    parsed = r.hours(hours, f"{p}.shifts.{sc}")
                    if parsed:
                        shifts[sc] = parsed
        if code and kind:
            schedules.append(ScheduleRec(code, kind, days, shifts))
    shift_codes = {s.code: set(s.shifts) for s in schedules if s.kind == "shift"}

    units, unit_codes = [], {}
    for i, u in _items(r, doc, "units"):
        p = f"$.units[{i}]"
        o = r.obj(u, p, ("code", "name"), ("parent",))
        if o is None:
            continue
        code, name = r.text(o.get("code"), f"{p}.code"), r.text(o.get("name"), f"{p}.name")
        _unique(r, unit_codes, code, p, "unit code")
        parent = o.get("parent")
        if parent is not None and not isinstance(parent, str):
            r.bad(f"{p}.parent", "must be a unit code or null")
            parent = None
        if code and name:
            units.append(UnitRec(code, name, parent))
    for u in units:
        if u.parent is not None and u.parent not in unit_codes:
            r.bad(f"{unit_codes[u.code]}.parent", f"unknown unit '{u.parent}'")
    _check_cycles(r, {u.code: u.parent for u in units}, unit_codes, "unit")

    positions, position_codes = [], {}
    for i, x in _items(r, doc, "positions"):
        p = f"$.positions[{i}]"
        o = r.obj(x, p, ("code", "name", "unit", "kind", "class"), ("parent", "tpp_base"))
        if o is None:
            continue
        code, name = r.text(o.get("code"), f"{p}.code"), r.text(o.get("name"), f"{p}.name")
        _unique(r, position_codes, code, p, "position code")
        unit = r.text(o.get("unit"), f"{p}.unit")
        if unit and unit not in unit_codes:
            r.bad(f"{p}.unit", f"unknown unit '{unit}'")
        kind = r.choice(o.get("kind"), f"{p}.kind", POSITION_KINDS)
        kelas = r.whole(o.get("class"), f"{p}.class", minimum=1, what="class")
        if kelas is not None and kelas > 17:
            r.bad(f"{p}.class", "kelas jabatan must be 1-17")
            kelas = None
        parent = o.get("parent")
        if parent is not None and not isinstance(parent, str):
            r.bad(f"{p}.parent", "must be a position code or null")
            parent = None
        base = r.money(o["tpp_base"], f"{p}.tpp_base") if o.get("tpp_base") is not None else None
        if code and name and unit and kind and kelas:
            positions.append(PositionRec(code, name, unit, kind, kelas, parent, base))
    for x in positions:
        if x.parent is not None and x.parent not in position_codes:
            r.bad(f"{position_codes[x.code]}.parent", f"unknown position '{x.parent}'")
    _check_cycles(r, {x.code: x.parent for x in positions}, position_codes, "position")

    employees, nips = [], {}
    for i, e in _items(r, doc, "employees"):
        p = f"$.employees[{i}]"
        o = r.obj(
            e, p, ("nip", "name", "status"), ("golongan", "schedule", "salary", "assignments")
        )
        if o is None:
            continue
        nip = r.nip(o.get("nip"), f"{p}.nip")
        _unique(r, nips, nip, f"{p}.nip", "NIP")
        name = r.text(o.get("name"), f"{p}.name")
        status = r.choice(o.get("status"), f"{p}.status", STATUSES)
        gol = o.get("golongan")
        if gol is not None and not (isinstance(gol, str) and gol.strip()):
            r.bad(f"{p}.golongan", "must be a string such as 'III/a' or null")
            gol = None
        elif gol is not None and status == "PPPK" and gol not in PPPK_GRADES:
            r.bad(f"{p}.golongan", "a PPPK employee's golongan is their grade, one of I-XVII")
            gol = None
        elif gol is not None and len(gol) > 6:
            r.bad(f"{p}.golongan", "must be at most 6 characters, such as 'III/a'")
            gol = None
        schedule = o.get("schedule")
        if schedule is not None and schedule not in schedule_codes:
            r.bad(f"{p}.schedule", f"unknown schedule '{schedule}'")
        salary = r.money(o["salary"], f"{p}.salary") if o.get("salary") is not None else None
        assignments = []
        for j, a in enumerate(r.array(o.get("assignments", []), f"{p}.assignments") or []):
            ap = f"{p}.assignments[{j}]"
            ao = r.obj(a, ap, ("position", "from"), ("to", "kind"))
            if ao is None:
                continue
            pos = r.text(ao.get("position"), f"{ap}.position")
            if pos and pos not in position_codes:
                r.bad(f"{ap}.position", f"unknown position '{pos}'")
            start = r.date(ao.get("from"), f"{ap}.from")
            end = r.optional_date(ao.get("to"), f"{ap}.to")
            kind = r.choice(ao.get("kind", "definitif"), f"{ap}.kind", ASSIGNMENT_KINDS)
            if start and end and end < start:
                r.bad(f"{ap}.to", "must not be before 'from'")
            elif pos and start and kind:
                assignments.append(AssignmentRec(pos, start, end, kind))
        definitif = sorted((a for a in assignments if a.kind == "definitif"), key=lambda a: a.start)
        for prev, nxt in zip(definitif, definitif[1:], strict=False):
            if prev.end is None or prev.end >= nxt.start:
                r.bad(f"{p}.assignments", "definitif assignments overlap")
                break
        if nip and name and status:
            employees.append(
                EmployeeRec(nip, name, status, gol, schedule, salary, tuple(assignments))
            )
    emp_schedule = {e.nip: e.schedule for e in employees}

    def nip_ref(value, path):
        nip = r.nip(value, path)
        if nip and nip not in nips:
            r.bad(path, f"unknown employee NIP '{nip}'")
            return None
        return nip

    roster, roster_keys = [], {}
    for i, x in _items(r, doc, "shift_roster"):
        p = f"$.shift_roster[{i}]"
        o = r.obj(x, p, ("nip", "date", "shift"))
        if o is None:
            continue
        nip, day = nip_ref(o.get("nip"), f"{p}.nip"), r.date(o.get("date"), f"{p}.date")
        shift = r.text(o.get("shift"), f"{p}.shift")
        if nip and shift:
            sched = emp_schedule.get(nip)
            if sched not in shift_codes:
                r.bad(f"{p}.nip", "employee has no shift schedule")
            elif shift not in shift_codes[sched]:
                r.bad(f"{p}.shift", f"unknown shift '{shift}' in schedule '{sched}'")
        _unique(r, roster_keys, (nip, day) if nip and day else None, p, "roster day")
        if nip and day and shift:
            roster.append(RosterRec(nip, day, shift))

    punches = []
    for i, x in _items(r, doc, "punches"):
        p = f"$.punches[{i}]"
        o = r.obj(x, p, ("nip", "at"), ("source",))
        if o is None:
            continue
        nip, at = nip_ref(o.get("nip"), f"{p}.nip"), r.local_datetime(o.get("at"), f"{p}.at")
        source = r.choice(o.get("source", "fingerprint"), f"{p}.source", PUNCH_SOURCES)
        if nip and at and source:
            punches.append(PunchRec(nip, at, source))

    policies = []
    leave_types: set[str] = set()
    sentence_kinds: set[str] = set()
    # Which of the two some policy names (a policy with problems too): only then are the leaves'
    # types and the sentences' levels checked against them.
    named: set[str] = set()
    for i, x in _items(r, doc, "policies"):
        p = f"$.policies[{i}]"
        try:
            pol = policy_from_dict(x, path=p)
        except PolicyError as exc:
            r.problems.extend(exc.problems)
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
        leave_types |= set(pol.leave_types)
        sentence_kinds |= set(pol.sentences)
    dates = {}
    for i, (pol, _src) in enumerate(policies):
        _unique(r, dates, pol.effective_from, f"$.policies[{i}].effective_from", "effective_from")

    leaves = []
    leave_spans: dict[str, list[tuple[int, LeaveRec]]] = {}
    for i, x in _items(r, doc, "leaves"):
        p = f"$.leaves[{i}]"
        o = r.obj(x, p, ("nip", "type", "from", "to"))
        if o is None:
            continue
        nip = nip_ref(o.get("nip"), f"{p}.nip")
        typ = r.text(o.get("type"), f"{p}.type")
        if typ and "leave_types" in named and typ not in leave_types:
            r.bad(f"{p}.type", f"leave type '{typ}' is not named by any policy")
        start, end = r.date(o.get("from"), f"{p}.from"), r.date(o.get("to"), f"{p}.to")
        if start and end and end < start:
            r.bad(f"{p}.to", "must not be before 'from'")
        elif nip and typ and start and end:
            # One leave a day, as the app allows (it refuses overlapping requests): otherwise
            # which type rules the day would depend on the order of the file.
            clash = next(
                (
                    j
                    for j, other in leave_spans.get(nip, ())
                    if other.start <= end and start <= other.end
                ),
                None,
            )
            rec = LeaveRec(nip, typ, start, end)
            leave_spans.setdefault(nip, []).append((i, rec))
            if clash is not None:
                r.bad(f"{p}.from", f"overlaps $.leaves[{clash}] of the same NIP")
            else:
                leaves.append(rec)

    catalog, catalog_codes = [], {}
    for i, x in _items(r, doc, "activity_catalog"):
        p = f"$.activity_catalog[{i}]"
        o = r.obj(x, p, ("code", "name", "minutes"), ("output",))
        if o is None:
            continue
        code, name = r.text(o.get("code"), f"{p}.code"), r.text(o.get("name"), f"{p}.name")
        _unique(r, catalog_codes, code, f"{p}.code", "catalog code")
        output = o.get("output", "kegiatan")
        if not isinstance(output, str) or not output.strip():
            r.bad(f"{p}.output", "must be a non-empty string")
            output = None
        minutes = r.whole(o.get("minutes"), f"{p}.minutes", minimum=1, what="number of minutes")
        if code and name and output and minutes:
            catalog.append(CatalogRec(code, name, output, minutes))

    activities = []
    for i, x in _items(r, doc, "activities"):
        p = f"$.activities[{i}]"
        o = r.obj(
            x, p, ("nip", "date", "start", "end", "catalog", "volume", "status"), ("submitted_on",)
        )
        if o is None:
            continue
        nip, day = nip_ref(o.get("nip"), f"{p}.nip"), r.date(o.get("date"), f"{p}.date")
        start, end = r.time(o.get("start"), f"{p}.start"), r.time(o.get("end"), f"{p}.end")
        if start and end and end <= start:
            r.bad(f"{p}.end", "must be after 'start'")
        cat = r.text(o.get("catalog"), f"{p}.catalog")
        if cat and cat not in catalog_codes:
            r.bad(f"{p}.catalog", f"unknown catalog code '{cat}'")
        volume = r.positive(o.get("volume"), f"{p}.volume")
        if volume is not None and (volume != volume.quantize(Decimal("0.01")) or volume >= 100000):
            # The entry keeps its volume in hundredths, as the app does: never round it silently.
            r.bad(f"{p}.volume", "must have at most 2 decimal places and be less than 100000")
            volume = None
        status = r.choice(o.get("status"), f"{p}.status", ACTIVITY_STATUSES)
        submitted = r.optional_date(o.get("submitted_on"), f"{p}.submitted_on")
        if status in ("submitted", "approved", "rejected") and o.get("submitted_on") is None:
            r.bad(f"{p}.submitted_on", f"required when status is '{status}'")
        if submitted and day and submitted < day:
            r.bad(f"{p}.submitted_on", "must not be before the activity's date")
        if nip and day and start and end and end > start and cat and volume and status:
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
            r.bad(f"{p}.to", "must not be before 'from'")
        elif nip and start and end and approved:
            unlocks.append(UnlockRec(nip, start, end, approved))

    ratings, rating_keys = [], {}
    for i, x in _items(r, doc, "skp_ratings"):
        p = f"$.skp_ratings[{i}]"
        o = r.obj(x, p, ("nip", "period", "predicate"))
        if o is None:
            continue
        nip, period = nip_ref(o.get("nip"), f"{p}.nip"), r.period(o.get("period"), f"{p}.period")
        pred = r.choice(o.get("predicate"), f"{p}.predicate", PREDICATES)
        _unique(
            r,
            rating_keys,
            (nip, period) if nip and period else None,
            p,
            "rating for NIP and period",
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
            r.bad(f"{p}.level", f"sentence kind '{level}' is not named by any policy")
        start, end = r.date(o.get("from"), f"{p}.from"), r.date(o.get("to"), f"{p}.to")
        if start and end and end < start:
            r.bad(f"{p}.to", "must not be before 'from'")
        elif nip and level and start and end:
            sentences.append(SentenceRec(nip, level, start, end))

    if r.problems or inst is None:
        if not r.problems:
            r.bad("$.instansi", "required")
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
                f"{what} hierarchy has a cycle: {' -> '.join(cycle + [node])}",
            )


def read_file(path: str) -> Document:
    """Read and check a document file; unreadable files and bad JSON are DocumentErrors too."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise DocumentError([("$", f"cannot read {path}: {exc.strerror}")]) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise DocumentError([("$", f"not valid UTF-8 JSON{where}")]) from exc
    return read_document(data)
