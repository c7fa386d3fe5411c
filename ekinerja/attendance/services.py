"""Writes to attendance: punches (set-based, repeat-safe), imports, device pushes, phone check-in,
leave and permits, corrections, reviews, and the recomputation of the stored daily status.

Raw punches are never changed or deleted; a correction adds a manual punch carrying its reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import math
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from ekinerja.core import locked_months
from ekinerja.core.audit import audit_record, snapshot
from ekinerja.core.clock import local_today
from ekinerja.core.gcpause import gc_paused
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import DATE_OUT_OF_RANGE, Period, date_in_range, rentang_tanggal, tanggal
from ekinerja.org import selectors as org

# The leave checks (overlap, cuti tahunan balance, sick-leave run) read the employee's other
# requests: every leave write locks the employee first, then the request.
from ekinerja.org.locks import lock_employee, lock_employees
from ekinerja.org.models import Assignment, Employee, Role, Unit
from ekinerja.org.nip import NipError, parse_nip
from ekinerja.workcal import selectors as workcal

from . import selectors
from .derivation import STORED_COLUMNS, stored_values
from .models import (
    CorrectionRequest,
    DailyAttendance,
    Device,
    DeviceDump,
    LeaveRequest,
    LeaveType,
    Office,
    PinMapping,
    Punch,
    PunchImport,
    PunchReview,
    UnmappedPunch,
)
from .parsing import DAY_FIRST, MONTH_FIRST, Parsed, cell_text, parse_dat, parse_file

log = logging.getLogger(__name__)


def _snap(obj) -> dict:
    """snapshot() with file fields recorded by their stored name."""
    from django.db.models import FileField

    files = [f.attname for f in obj._meta.concrete_fields if isinstance(f, FileField)]
    data = snapshot(obj, [f.attname for f in obj._meta.concrete_fields if f.attname not in files])
    data.update({name: getattr(obj, name).name or "" for name in files})
    return data


# ---------------------------------------------------------------- set-based punch insert

_PUNCH_COLUMNS = [
    "instansi_id",
    "employee_id",
    "at",
    "source",
    "source_key",
    "device_id",
    "import_batch_id",
    "mock_location",
    "needs_review",
    "reason",
    "photo",
    "created_at",
]


@dataclass(frozen=True)
class PunchRow:
    employee_id: int
    at: dt.datetime  # aware
    source: str
    source_key: str
    device_id: int | None = None
    import_batch_id: int | None = None


def _copy_value(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, dt.datetime):
        return v.isoformat()
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


#: A fingerprint punch of the employee at the same instant from another fingerprint source (the
#: machine's push and its USB file imported without choosing the machine, or under another
#: machine): the same finger on the same machine, not a second punch.
_SAME_INSTANT_SQL = (
    "NOT EXISTS (SELECT 1 FROM {table} p WHERE p.employee_id = t.employee_id AND p.at = t.at "
    "AND p.source = 'fingerprint')"
)


def _same_instant_stored(instansi_id: int, rows: list[PunchRow]) -> set[tuple[int, dt.datetime]]:
    """(employee id, UTC time) of the rows' instants already held by a fingerprint punch of any
    source key (one query; SQLite's path of punches_insert(same_instant_once=True))."""
    ids = {r.employee_id for r in rows}
    qs = Punch.objects.filter(
        instansi_id=instansi_id,
        source=Punch.Source.FINGERPRINT,
        at__gte=min(r.at for r in rows),
        at__lte=max(r.at for r in rows),
    )
    if len(ids) <= 500:
        qs = qs.filter(employee_id__in=list(ids))
    return {(e, a.astimezone(dt.UTC)) for e, a in qs.order_by().values_list("employee_id", "at")}


def punches_insert(
    instansi: Instansi | int, rows: Iterable[PunchRow], *, same_instant_once: bool = False
) -> int:
    """Insert punches, skipping any that already exist (same source key, employee and time). Returns the
    number inserted. On PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT DO
    NOTHING; elsewhere bulk_create(ignore_conflicts=True). Its own transaction (a savepoint inside
    the caller's): the temporary table empties at every commit, so in autocommit mode the COPY
    would be committed, and emptied, before the INSERT read it, and nothing would be inserted.

    `same_instant_once` (fingerprint rows: pushes, pulls, files): a row is also skipped when a
    fingerprint punch of the employee at the same instant is stored under another source key
    (the machine's push, then its USB file imported without choosing the machine, stored it a
    second time under "file")."""
    instansi_id = instansi if isinstance(instansi, int) else instansi.id
    rows = list(rows)
    if not rows:
        return 0
    now = timezone.now()
    table = Punch._meta.db_table
    if connection.vendor == "postgresql":
        cols = ", ".join(_PUNCH_COLUMNS)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tmp_punch_load ON COMMIT DELETE ROWS AS "  # noqa: S608
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            cur.execute("TRUNCATE tmp_punch_load")
            buf = io.StringIO()
            now_s = now.isoformat()
            for r in rows:
                buf.write(
                    f"{instansi_id}\t{r.employee_id}\t{r.at.isoformat()}\t{r.source}\t"
                    f"{_copy_value(r.source_key)}\t{_copy_value(r.device_id)}\t"
                    f"{_copy_value(r.import_batch_id)}\tf\tf\t\t\t{now_s}\n"
                )
            buf.seek(0)
            with cur.cursor.copy(f"COPY tmp_punch_load ({cols}) FROM STDIN") as copy:
                while chunk := buf.read(1 << 20):
                    copy.write(chunk)
            where = f" WHERE {_SAME_INSTANT_SQL.format(table=table)}" if same_instant_once else ""
            t_cols = ", ".join(f"t.{c}" for c in _PUNCH_COLUMNS)
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {t_cols} FROM tmp_punch_load t"  # noqa: S608
                f"{where} ON CONFLICT DO NOTHING"
            )
            inserted = cur.rowcount
            cur.execute("TRUNCATE tmp_punch_load")
        return inserted
    if same_instant_once:
        held = _same_instant_stored(instansi_id, rows)
        if held:
            rows = [r for r in rows if (r.employee_id, r.at.astimezone(dt.UTC)) not in held]
            if not rows:
                return 0
    before = Punch.objects.filter(instansi_id=instansi_id).count()
    Punch.objects.bulk_create(
        (
            Punch(
                instansi_id=instansi_id,
                employee_id=r.employee_id,
                at=r.at,
                source=r.source,
                source_key=r.source_key,
                device_id=r.device_id,
                import_batch_id=r.import_batch_id,
            )
            for r in rows
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return Punch.objects.filter(instansi_id=instansi_id).count() - before


# ---------------------------------------------------------------- daily status recomputation


def daily_recompute(
    *,
    instansi: Instansi,
    start: dt.date,
    end: dt.date,
    employees: list[Employee] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Recompute the stored daily status of the employees (default: `with_days`, every active
    employee of the instansi and those who left during [start, end]) over [start, end] from the raw
    inputs. Only final days are stored: a day is final once its window (end + 6 h) has passed and
    every active device's watermark has passed it. Returns the number of rows written. Set-based:
    a fixed number of queries plus batched writes."""
    if employees is None:
        employees = list(with_days(instansi, start, end))
    if not employees or start > end:
        return 0
    facts = selectors.attendance_days(employees, start, end, now=now)
    computed = timezone.now()
    rows = []
    for emp_id, days in facts.items():
        for f in days:
            values = stored_values(f)
            if values is not None:
                rows.append((instansi.id, emp_id, *values, computed))
    with transaction.atomic():
        stale = DailyAttendance.objects.filter(instansi=instansi, date__gte=start, date__lte=end)
        ids = {e.id for e in employees}
        if len(ids) <= 500:
            stale = stale.filter(employee_id__in=list(ids))
        elif len(ids) < with_days(instansi, start, end).count():
            stale = stale.filter(employee_id__in=list(ids))
        stale._raw_delete(stale.db)
        _bulk_insert(DailyAttendance, _DAILY_COLUMNS, rows)
    return len(rows)


_DAILY_COLUMNS = ["instansi_id", "employee_id", *STORED_COLUMNS, "computed_at"]


def with_days(instansi: Instansi, start: dt.date, end: dt.date):
    """The employees whose stored days over [start, end] the nightly job and a recomputation
    derive: every active employee, and an inactive one whose definitif post ended inside or after
    the period (retired, moved or dismissed during it). Before, only the active ones: a retirement
    recorded on the 15th left the 14th and 15th never stored (the nightly job finalises a day the
    night after), and a recomputation of the month (a holiday added, `attendance-recompute`)
    deleted the days they had worked without storing them again, so the month's recap and the
    leaders' figures lost them. An inactive employee whose post was left open (not ended) stays
    out, as in the reports: the flag has no date to stop at."""
    left = Assignment.objects.filter(
        instansi=instansi,
        kind=Assignment.Kind.DEFINITIF,
        start__lte=end,
        end__isnull=False,
        end__gte=start,
    ).values("employee_id")
    return Employee.objects.filter(instansi=instansi).filter(Q(is_active=True) | Q(pk__in=left))


def _bulk_insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples: COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
            with cur.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, r, strict=True))) for r in rows), batch_size=2000
    )


#: stored_days_refresh derives a long range this many days at a time, so memory stays that of a
#: month (a TPP run) whatever the range.
REFRESH_CHUNK_DAYS = 31


def recent_floor(instansi: Instansi) -> dt.date:
    """The first day of the previous month (the instansi's local date): where a refresh run inline
    (no broker, in the request that made the change: tasks.dispatch) starts. The months before are
    left to `ekinerja attendance-recompute --from/--to` (logged with the dates to pass)."""
    first_of_month = local_today(instansi).replace(day=1)
    return (first_of_month - dt.timedelta(days=1)).replace(day=1)


def stored_days_refresh(
    *,
    instansi: Instansi,
    start: dt.date | None,
    end: dt.date | None,
    employee_ids: Iterable[int] | None = None,
    since: dt.date | None = None,
    inactive: bool = False,
) -> int:
    """Derive and store again the days of [start, end] (None: unbounded on that side) of these
    employees (None: every active employee of the instansi; of the listed ones the inactive too
    with `inactive`) after a change of their inputs made outside this app: the work calendar (a
    holiday, a roster, a schedule), their definitif posts or a device's watermark catching up.
    Bounded: never before the first day the instansi has stored rows for (history
    the nightly job never stored is not made up), never after today (later days are not final),
    and with `since` (a run inline, recent_floor) never before it: the stored days before it that
    the change touches are only logged, with the command that derives them. REFRESH_CHUNK_DAYS at
    a time, each set-based (daily_recompute). Returns the rows written."""
    today = local_today(instansi)
    end = today if end is None else min(end, today)
    if start is not None and start > end:
        return 0
    first = DailyAttendance.objects.filter(instansi=instansi).aggregate(m=Min("date"))["m"]
    if first is None:
        return 0
    start = first if start is None else max(start, first)
    if start > end:
        return 0
    if since is not None and start < since:
        older_end = min(end, since - dt.timedelta(days=1))
        log.warning(
            "Kehadiran tersimpan %s tanggal %s s.d. %s belum dihitung ulang setelah perubahan "
            "kalender kerja, jabatan atau data mesin (tanpa Celery hanya sejak %s); jalankan: "
            "ekinerja attendance-recompute --instansi %s --from %s --to %s",
            instansi.code,
            start,
            older_end,
            since,
            instansi.code,
            start,
            older_end,
        )
        start = since
        if start > end:
            return 0
    employees = None
    if employee_ids is not None:
        employees = Employee.objects.filter(instansi=instansi, id__in=list(employee_ids))
        employees = list(employees if inactive else employees.filter(is_active=True))
        if not employees:
            return 0
    written = 0
    day = start
    while day <= end:
        last = min(end, day + dt.timedelta(days=REFRESH_CHUNK_DAYS - 1))
        written += daily_recompute(instansi=instansi, start=day, end=last, employees=employees)
        day = last + dt.timedelta(days=1)
    return written


@transaction.atomic
def leave_days_recount(
    *,
    instansi: Instansi,
    start: dt.date | None,
    end: dt.date | None,
    employee_ids: Iterable[int] | None = None,
) -> int:
    """Count again the working days of the pending and approved leave requests overlapping
    [start, end] (None: unbounded) of these employees (None: everyone), after the work calendar
    changed: a holiday added inside an approved cuti tahunan gives the day back to the balance, a
    roster drawn up under a pending request charges what it now covers (selectors.leave_day_counts,
    set-based). The changed counts are written and audited in one event. Returns how many changed.

    Under the leave writes' lock (org.locks) of every employee concerned, taken first, in one
    statement in id order: a decision or a request being filed checks the cuti tahunan balance
    against the stored counts of the employee's other requests, and running meanwhile it read
    the counts this recount was replacing. Atomic: the job runs after the calendar change has
    committed, outside any transaction."""
    qs = LeaveRequest.objects.filter(instansi=instansi, status__in=ACTIVE_LEAVE)
    if start is not None:
        qs = qs.filter(date_to__gte=start)
    if end is not None:
        qs = qs.filter(date_from__lte=end)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    lock_employees(qs.values("employee_id"))
    requests = list(qs.select_related("employee").order_by("pk"))
    counts = selectors.leave_day_counts(requests)
    changed = [r for r in requests if counts[r.pk] != r.working_days]
    if not changed:
        return 0
    audit_after = {}
    for r in changed:
        audit_after[str(r.pk)] = {"dari": r.working_days, "menjadi": counts[r.pk]}
        r.working_days = counts[r.pk]
    LeaveRequest.objects.bulk_update(changed, ["working_days"], batch_size=500)
    audit_record(
        action="attendance.leave.recount",
        actor=None,
        instansi=instansi,
        after={"hari_kerja": audit_after},
        reason="Kalender kerja berubah (hari libur, jadwal, atau roster).",
    )
    return len(changed)


def calendar_refresh(
    *,
    instansi: Instansi,
    start: dt.date | None,
    end: dt.date | None,
    employee_ids: Iterable[int] | None = None,
    since: dt.date | None = None,
    stored: bool = True,
) -> int:
    """What follows a change of the work calendar (workcal.signals.calendar_changed): the working
    days of the leave requests it touches, then the stored daily attendance of the days it touches
    (from `since` on, when given: stored_days_refresh; not at all when `stored` is false: nothing
    was stored when the calendar changed, so whatever was stored since follows it already).
    Returns the stored rows written."""
    ids = None if employee_ids is None else list(employee_ids)
    leave_days_recount(instansi=instansi, start=start, end=end, employee_ids=ids)
    if not stored:
        return 0
    start, end = with_neighbours(start, end)
    # Listed employees are derived again whether or not still active: a roster cell of a leaver's
    # last days (their post's end recorded) changes those stored days as anyone's.
    return stored_days_refresh(
        instansi=instansi,
        start=start,
        end=end,
        employee_ids=ids,
        since=since,
        inactive=ids is not None,
    )


def with_neighbours(
    start: dt.date | None, end: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """[start, end] and a day either side (None: unbounded, kept). A working day's punch window
    reaches into the day beside it (a night shift's check-out the next morning), so whether that
    day's own punches make an off day depends on its neighbour being a working day
    (selectors.derive_employee): a change of the calendar or of posts derives the neighbours too
    (the morning after a night shift rostered late stayed "Libur" with the shift's check-out)."""
    one = dt.timedelta(days=1)
    if start is not None and start > dt.date.min:
        start -= one
    if end is not None and end < dt.date.max:
        end += one
    return start, end


def posts_refresh(
    *,
    instansi: Instansi,
    start: dt.date | None,
    end: dt.date | None,
    employee_ids: Iterable[int],
    since: dt.date | None = None,
) -> int:
    """What follows a change of these employees' definitif posts (org.signals.posts_changed): their
    stored days of [start, end] derived again (stored_days_refresh, with its bounds), since only
    the days in post are working days (a CPNS's first post recorded late: the days before it were
    stored as tanpa keterangan). Inactive employees too: a retirement is often recorded after the
    employee was set inactive, and the nightly job no longer derives their days. Returns the
    stored rows written."""
    return stored_days_refresh(
        instansi=instansi,
        start=start,
        end=end,
        employee_ids=list(employee_ids),
        since=since,
        inactive=True,
    )


def _recompute_days(employee: Employee, start: dt.date, end: dt.date) -> None:
    daily_recompute(instansi=employee.instansi, start=start, end=end, employees=[employee])


def _punch_range_recompute(instansi: Instansi, first: dt.datetime, last: dt.datetime, ids) -> None:
    tz = zoneinfo.ZoneInfo(instansi.timezone)
    # A punch can belong to the previous day's window (night shift, end + 6 h).
    start = first.astimezone(tz).date() - dt.timedelta(days=1)
    end = last.astimezone(tz).date() + dt.timedelta(days=1)
    emps = list(Employee.objects.filter(instansi=instansi, id__in=list(ids)))
    daily_recompute(instansi=instansi, start=start, end=end, employees=emps)


# ---------------------------------------------------------------- PIN resolution


def pin_resolver(instansi: Instansi, device: Device | None):
    """A function ident -> employee id (or None): the device's PIN mapping, then the instansi-wide
    mapping, then an employee whose NIP equals the identifier (three queries, once)."""
    by_device: dict[str, int] = {}
    if device is not None:
        by_device = dict(PinMapping.objects.filter(device=device).values_list("pin", "employee_id"))
    wide = dict(
        PinMapping.objects.filter(instansi=instansi, device__isnull=True).values_list(
            "pin", "employee_id"
        )
    )
    by_nip = dict(Employee.objects.filter(instansi=instansi).values_list("nip", "id"))
    return _resolver(by_device, wide, by_nip)


def pin_resolvers(instansi: Instansi, device_ids) -> dict[int, object]:
    """pin_resolver for each of several machines of the instansi, in three queries."""
    per_device: dict[int, dict[str, int]] = {d: {} for d in device_ids}
    for dev, pin, emp in PinMapping.objects.filter(
        instansi=instansi, device_id__in=list(per_device)
    ).values_list("device_id", "pin", "employee_id"):
        per_device[dev][pin] = emp
    wide = dict(
        PinMapping.objects.filter(instansi=instansi, device__isnull=True).values_list(
            "pin", "employee_id"
        )
    )
    by_nip = dict(Employee.objects.filter(instansi=instansi).values_list("nip", "id"))
    return {d: _resolver(pins, wide, by_nip) for d, pins in per_device.items()}


def _resolver(by_device: dict[str, int], wide: dict[str, int], by_nip: dict[str, int]):
    # A mapping typed with leading zeros ("007", as the GLG export and some machines' screens show
    # it) for a machine that sends "7" (ADMS, pull): its punches were skipped as an unknown PIN.
    # By the digits without leading zeros, unless two mappings would then name different employees.
    device_digits, wide_digits = _by_digits(by_device), _by_digits(wide)

    def resolve(ident: str) -> int | None:
        key = ident.strip()
        found = by_device.get(key) or wide.get(key) or by_nip.get(key)
        if found is None and key.isdigit():
            stripped = key.lstrip("0")
            found = by_device.get(stripped) or wide.get(stripped)
            if found is None:
                found = device_digits.get(stripped) or wide_digits.get(stripped)
        return found

    return resolve


def _by_digits(pins: dict[str, int]) -> dict[str, int]:
    """PIN mappings keyed by their digits without leading zeros; a key two mappings of different
    employees share is left out (ambiguous)."""
    out: dict[str, int] = {}
    clash: set[str] = set()
    for pin, emp in pins.items():
        if pin.isdigit():
            key = pin.lstrip("0")
            if out.setdefault(key, emp) != emp:
                clash.add(key)
    for key in clash:
        del out[key]
    return out


# ---------------------------------------------------------------- file import

MAX_LISTED = 200


def _offsets(tz: zoneinfo.ZoneInfo):
    cache: dict[dt.date, dt.tzinfo] = {}

    def aware(naive: dt.datetime) -> dt.datetime:
        d = naive.date()
        fixed = cache.get(d)
        if fixed is None:
            fixed = dt.timezone(tz.utcoffset(dt.datetime(d.year, d.month, d.day, 12)))
            cache[d] = fixed
        return naive.replace(tzinfo=fixed)

    return aware


#: The warning for a PIN/NIP nobody holds.
UNKNOWN_SKIPPED = "PIN/NIP {} tidak terdaftar"
#: An admin OPD's warning for both a PIN/NIP nobody holds and one of another unit's employee: two
#: wordings would tell them which PINs and NIPs exist outside their units (_within_admin_units).
NOT_YOURS_SKIPPED = "PIN/NIP {} tidak terdaftar sebagai pegawai unit Anda"


def _unknown(parsed: Parsed, resolve) -> tuple[list[tuple[int, int, dt.datetime]], dict]:
    """The file's lines with their employee, and the PIN/NIP nobody holds -> their lines."""
    good: list[tuple[int, int, dt.datetime]] = []
    unknown: dict[str, list[int]] = {}
    for line_no, ident, when in parsed.rows:
        emp = resolve(ident)
        if emp is None:
            unknown.setdefault(ident, []).append(line_no)
        else:
            good.append((line_no, emp, when))
    return good, unknown


def _skipped(lines_by_key: dict, what: str) -> list[list]:
    """One warning per skipped PIN/NIP, at its first line: `what` (with the key) and the lines."""
    return [
        [
            lines[0],
            f"{what.format(key)} ({len(lines)} baris dilewati, baris "
            f"{', '.join(map(str, lines[:5]))}{'...' if len(lines) > 5 else ''}).",
        ]
        for key, lines in sorted(lines_by_key.items(), key=lambda kv: kv[1][0])
    ]


def _import_actor_check(actor: User | None) -> None:
    """Punch files are imported by BKPSDM (the whole instansi) or an admin OPD (their units' staff),
    or by the system (commands, the machines' own pushes). Not by Kominfo: a file it wrote would put
    fingerprint punches on anyone's attendance, and so on their TPP; it installs the machines, whose
    data arrive by themselves."""
    if actor is None:
        return
    if not org.user_roles(actor) & {Role.BKPSDM, Role.ADMIN_OPD}:
        raise PermissionDenied("Impor data mesin absensi hanya oleh BKPSDM atau admin OPD.")


def _admin_opd_only(actor: User | None) -> bool:
    """An admin OPD who is not BKPSDM: imports for their own units only."""
    if actor is None:
        return False
    roles = org.user_roles(actor)
    return Role.ADMIN_OPD in roles and Role.BKPSDM not in roles


def _within_admin_units(
    actor: User, instansi: Instansi, good: list, idents: dict[int, str]
) -> tuple[list, dict]:
    """An admin OPD (`_admin_opd_only`) imports punches for the employees of their own units only (a
    post there on some day of the file); lines of anyone else are skipped, returned as the PIN/NIP
    written in the file (`idents`: line -> PIN/NIP) -> their lines: naming the employee's NIP would
    turn any PIN of another unit into that employee's NIP. BKPSDM imports for the whole instansi.
    One query."""
    if not good:
        return good, {}
    units = org.admin_unit_ids(actor)
    first = min(w for _l, _e, w in good).date()
    last = max(w for _l, _e, w in good).date()
    mine = set(
        Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=first - dt.timedelta(days=1)),
            instansi=instansi,
            position__unit_id__in=units,
            start__lte=last + dt.timedelta(days=1),  # a night shift's check-out the next morning
        ).values_list("employee_id", flat=True)
    )
    kept, skipped = [], {}
    for row in good:
        if row[1] in mine:
            kept.append(row)
        else:
            skipped.setdefault(idents[row[0]], []).append(row[0])
    return kept, skipped


#: The warning for the importer's own lines (_without_own).
OWN_PUNCHES_SKIPPED = (
    "NIP {} adalah data Anda sendiri: absensi Anda diimpor oleh petugas lain (atau masuk langsung "
    "dari mesin)"
)


def _without_own(actor: User | None, good: list) -> tuple[list, list]:
    """Nobody imports their own punches, BKPSDM included: a file is whatever its uploader typed,
    and punches of one's own decide one's attendance deductions, so one's TPP. The importer's own
    lines are skipped with a warning; another officer imports the same file (repeat-safe), or the
    machine pushes them (ADMS). One query (the importer's employee record)."""
    if actor is None or not good:
        return good, []
    me = org.employee_for_user(actor)
    if me is None:
        return good, []
    own = [line for line, emp, _when in good if emp == me.id]
    if not own:
        return good, []
    return [row for row in good if row[1] != me.id], _skipped({me.nip: own}, OWN_PUNCHES_SKIPPED)


def _normalized_text(good, tz: zoneinfo.ZoneInfo) -> str:
    """'employee id<TAB>local ISO time with offset' lines (duplicates are left to the insert, which
    skips them). Built from text parts, without making a datetime per line."""
    offsets: dict[int, str] = {}
    parts = []
    append = parts.append
    for _l, emp, when in good:
        off = offsets.get(when.year)
        if off is None:
            delta = tz.utcoffset(dt.datetime(when.year, 7, 1))
            minutes = int(delta.total_seconds() // 60)
            off = offsets[when.year] = (
                f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            )
        append(f"{emp}\t{when.isoformat(' ')}{off}\n")
    return "".join(parts)


#: How far back an imported punch may lie (a year: older months are long paid) and ahead of today
#: (a day: the machine's clock a little ahead of the server's).
IMPORT_DAYS_BACK = 366
IMPORT_DAYS_AHEAD = 1


def latest_plausible(today: dt.date) -> dt.datetime:
    """The latest machine time (naive, local) a line may carry: the end of tomorrow."""
    return dt.datetime.combine(today + dt.timedelta(days=IMPORT_DAYS_AHEAD), dt.time.max)


def _refuse_implausible_dates(parsed, today: dt.date) -> None:
    """Lines dated in the future or more than a year back are errors (the file is refused as a
    whole, as for an unreadable line): a machine whose clock was reset (2000-01-01) or ran ahead
    (2066) would otherwise fabricate years of absences, or set its watermark decades ahead so that
    its missing data never held a day back; year 0001 ended in a server error."""
    first = dt.datetime.combine(today - dt.timedelta(days=IMPORT_DAYS_BACK), dt.time.min)
    last = latest_plausible(today)
    kept = []
    for row in parsed.rows:
        when = row[2]
        if first <= when <= last:
            kept.append(row)
        else:
            parsed.errors.append(
                (
                    row[0],
                    f"Tanggal {tanggal(when.date())} di luar rentang yang diterima "
                    f"({tanggal(first.date())} sampai {tanggal(last.date())}); periksa jam mesin.",
                )
            )
    if len(kept) != len(parsed.rows):
        parsed.errors.sort()
        parsed.rows = kept


class DateOrderUnclear(ValidationError):
    """An uploaded file whose dates read both day first and month first (import_preview with
    date_order None): a field error on `date_order`, with the likelier reading as `guess`."""

    def __init__(self, message: str, guess: str):
        super().__init__({"date_order": [message]})
        self.guess = guess


_READING = {DAY_FIRST: "tanggal/bulan/tahun", MONTH_FIRST: "bulan/tanggal/tahun"}


def _date_order_message(question) -> str:
    def span(reading):
        found = question.spans.get(reading)
        return rentang_tanggal(*found) if found else "sebagian tanggal tidak ada"

    return (
        "Tanggal di berkas ini dapat dibaca dua cara: sebagai tanggal/bulan/tahun "
        f"({span(DAY_FIRST)}) atau bulan/tanggal/tahun ({span(MONTH_FIRST)}). Pilih format "
        f"tanggalnya, lalu pilih berkasnya lagi; perkiraan kami: {_READING[question.guess]}."
    )


@transaction.atomic
def import_preview(
    *,
    actor: User | None,
    instansi: Instansi,
    name: str,
    data: bytes,
    device: Device | None = None,
    date_order: str | None = DAY_FIRST,
) -> PunchImport:
    """Store an uploaded export and check it: every line must hold a PIN/NIP and a readable date-time.
    A file with any such error is refused as a whole (status refused, line numbers listed) and can
    never be imported. Unknown PINs are warnings: those lines are skipped. The checked lines are kept
    in normalized form for the import.

    `date_order`: how dates written nn/nn/yyyy are read (DAY_FIRST, MONTH_FIRST). None (the import
    form's "Otomatis") refuses to guess: a file whose every such date reads both ways (a US export
    of days 1-12) raises DateOrderUnclear, a field error naming both readings' dates and the
    likelier one, and nothing is stored; a file that shows its order (a day above 12) or where it
    makes no difference (ISO dates, 05/05) is read as before."""
    if device is not None and device.instansi_id != instansi.id:
        raise ValidationError({"device": "Mesin milik instansi lain."})
    _import_actor_check(actor)
    parsed = parse_file(name, data, date_order)
    if parsed.date_question is not None:
        raise DateOrderUnclear(
            _date_order_message(parsed.date_question), parsed.date_question.guess
        )
    _refuse_implausible_dates(parsed, local_today(instansi))
    resolve = pin_resolver(instansi, device)
    good, unknown = _unknown(parsed, resolve)
    outside: dict[str, list[int]] = {}
    if _admin_opd_only(actor):
        idents = {line: ident for line, ident, _when in parsed.rows}
        good, outside = _within_admin_units(actor, instansi, good, idents)
        # One wording for both: an admin OPD learns nothing about who exists outside their units.
        for ident, lines in outside.items():
            unknown.setdefault(ident, []).extend(lines)
        warnings = _skipped({k: sorted(v) for k, v in unknown.items()}, NOT_YOURS_SKIPPED)
    else:
        warnings = _skipped(unknown, UNKNOWN_SKIPPED)
    good, own = _without_own(actor, good)
    warnings += own
    others_skipped = bool(outside or own)
    tz = zoneinfo.ZoneInfo(device.zone if device else instansi.timezone)
    batch = PunchImport(
        instansi=instansi,
        file_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        device=device,
        uploaded_by=actor if actor and actor.pk else None,
        total_lines=parsed.total_lines,
        valid_lines=len(good),
        errors=[list(e) for e in parsed.errors[:MAX_LISTED]],
        warnings=warnings[:MAX_LISTED],
        status=PunchImport.Status.REFUSED if parsed.errors else PunchImport.Status.PREVIEW,
        others_skipped=others_skipped,
    )
    if parsed.errors and len(parsed.errors) > MAX_LISTED:
        batch.errors.append([0, f"... dan {len(parsed.errors) - MAX_LISTED} galat lain."])
    if good:
        aware = _offsets(tz)
        batch.first_at = aware(min(w for _l, _e, w in good))
        batch.last_at = aware(max(w for _l, _e, w in good))
    if not parsed.errors and not good:
        batch.status = PunchImport.Status.REFUSED
        batch.errors = [[0, "Tidak ada baris yang dapat diimpor."]]
    batch.file.save(name, ContentFile(data), save=False)
    if batch.status == PunchImport.Status.PREVIEW:
        with gc_paused():
            text = _normalized_text(good, tz)
        batch.normalized.save(f"{name}.tsv", ContentFile(text.encode()), save=False)
    batch.save()
    audit_record(
        action="attendance.import.preview",
        actor=actor,
        instansi=instansi,
        obj=batch,
        after={
            "lines": batch.total_lines,
            "valid": batch.valid_lines,
            "errors": len(parsed.errors),
            "status": batch.status,
            "sha256": batch.sha256,
            "date_order": parsed.date_order,
        },
    )
    return batch


def _load_normalized(instansi_id: int, batch: PunchImport, lines: list[str]) -> int:
    """Insert normalized lines of a batch, skipping existing punches; returns rows inserted."""
    key = batch.device.serial if batch.device_id else "file"
    if connection.vendor == "postgresql":
        table = Punch._meta.db_table
        # Its own transaction, as in punches_insert: the temporary table empties at every commit.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tmp_punch_norm "
                "(employee_id bigint, at timestamptz) ON COMMIT DELETE ROWS"
            )
            cur.execute("TRUNCATE tmp_punch_norm")
            with cur.cursor.copy("COPY tmp_punch_norm (employee_id, at) FROM STDIN") as copy:
                copy.write("".join(lines))
            cur.execute(
                f"INSERT INTO {table} (instansi_id, employee_id, at, source, source_key, device_id, "  # noqa: S608
                "import_batch_id, mock_location, needs_review, reason, photo, created_at) "
                "SELECT %s, t.employee_id, t.at, %s, %s, %s, %s, false, false, '', '', now() "
                f"FROM tmp_punch_norm t WHERE {_SAME_INSTANT_SQL.format(table=table)} "
                "ON CONFLICT DO NOTHING",
                [instansi_id, Punch.Source.FINGERPRINT, key, batch.device_id, batch.id],
            )
            inserted = cur.rowcount
            cur.execute("TRUNCATE tmp_punch_norm")
        return inserted
    rows = []
    for line in lines:
        emp, when = line.rstrip("\n").split("\t")
        rows.append(
            PunchRow(
                int(emp),
                dt.datetime.fromisoformat(when),
                Punch.Source.FINGERPRINT,
                key,
                batch.device_id,
                batch.id,
            )
        )
    return punches_insert(instansi_id, rows, same_instant_once=True)


def import_run(
    *, actor: User | None, batch: PunchImport, chunk: int = 250_000, recompute: bool = True
) -> PunchImport:
    """Import a previewed batch: bulk loads of the checked lines in chunks (progress kept on the
    batch), repeat-safe (existing punches are skipped), all or nothing. Moves the device watermark and
    recomputes the affected days.

    The batch is marked running (committed, so that its page shows it) and then loaded in one
    transaction that holds the batch's row lock to the end. A run killed half-way (a worker lost,
    a request that timed out) rolls its load back and releases the lock, leaving the batch marked
    running: such a batch may be run again (a redelivered job continues it;
    selectors.import_stopped tells the page). A second run while one is loading waits for the lock
    and then does nothing."""
    _import_actor_check(actor)
    with transaction.atomic():
        batch = (
            PunchImport.objects.select_for_update(of=("self",))
            .select_related("device")
            .get(pk=batch.pk)
        )
        # RUNNING here is a run that stopped: a live one holds this row's lock until it is done.
        runnable = (PunchImport.Status.PREVIEW, PunchImport.Status.RUNNING)
        if batch.status not in runnable or not batch.normalized:
            raise ValidationError("Impor ini sudah dijalankan atau ditolak.")
        if actor is not None and not selectors.visible_imports(actor).filter(pk=batch.pk).exists():
            # An admin OPD runs only the batches they uploaded (selectors.visible_imports).
            raise PermissionDenied("Impor ini diunggah petugas lain; unggah berkasnya sendiri.")
        batch.status = PunchImport.Status.RUNNING
        batch.processed = 0
        batch.save(update_fields=["status", "processed"])
        batch.normalized.open("rb")
        try:
            lines = batch.normalized.read().decode().splitlines(keepends=True)
        finally:
            batch.normalized.close()
    instansi = batch.instansi
    device = batch.device
    inserted = 0
    emp_ids: set[int] = set()
    try:
        with transaction.atomic():
            current = PunchImport.objects.select_for_update().filter(pk=batch.pk).first()
            if current is None or current.status != PunchImport.Status.RUNNING:
                # Another run of this batch (a second delivery of its job) finished it, or failed
                # and put it back to preview, while this one waited for the lock.
                return current or batch
            for i in range(0, len(lines), chunk):
                part = lines[i : i + chunk]
                inserted += _load_normalized(instansi.id, batch, part)
                PunchImport.objects.filter(pk=batch.pk).update(processed=i + len(part))
            PunchImport.objects.filter(pk=batch.pk).update(
                status=PunchImport.Status.DONE,
                inserted=inserted,
                duplicates=batch.valid_lines - inserted,
                processed=batch.valid_lines,
                finished_at=timezone.now(),
            )
            # Not for a file whose lines of other employees were left out (a shared machine's
            # export imported by one unit's admin): their data has not arrived, and moving the
            # mark made their days final as absent without notice.
            if (
                device is not None
                and batch.last_at
                and not batch.others_skipped
                and (device.watermark is None or device.watermark < batch.last_at)
            ):
                Device.objects.filter(pk=device.pk).update(watermark=batch.last_at)
                watermark_moved(device, device.watermark, batch.last_at)
            audit_record(
                action="attendance.import.run",
                actor=actor,
                instansi=instansi,
                obj=batch,
                after={"inserted": inserted, "duplicates": batch.valid_lines - inserted},
            )
    except Exception:
        # Nothing was added (one transaction); the batch can be run again.
        PunchImport.objects.filter(pk=batch.pk).update(
            status=PunchImport.Status.PREVIEW, processed=0
        )
        raise
    batch.refresh_from_db()
    if recompute and inserted and batch.first_at:
        emp_ids = {int(line.split("\t", 1)[0]) for line in lines}
        _punch_range_recompute(instansi, batch.first_at, batch.last_at, emp_ids)
    return batch


# ---------------------------------------------------------------- devices (ADMS push / pull)

#: What decides whose punches a machine delivers: its serial, the only thing the ADMS protocol
#: identifies a machine by (adms._device), and whether it is active (only active serials are
#: served), and once it is registered its clock zone (which shifts every punch it sends: an hour
#: made a whole office late or on time). BKPSDM's; Kominfo keeps the technical fields (name, IP,
#: port, unit) and sets the clock zone when it registers a machine (inactive until BKPSDM checks it).
DEVICE_BKPSDM_FIELDS = ("serial", "is_active", "timezone")
_DEVICE_BKPSDM_ONLY = (
    "Hanya BKPSDM yang dapat mengubah nomor seri, zona waktu jam mesin, atau mengaktifkan/"
    "menonaktifkan mesin (menentukan data absensi siapa yang diterima dan jamnya)."
)


def decides_attendance_sources(actor: User | None) -> bool:
    """BKPSDM, the installation's superuser, or the system (actor None): who decides which machines'
    punches count and whose they are (DEVICE_BKPSDM_FIELDS, PIN mappings)."""
    return actor is None or actor.is_superuser or Role.BKPSDM in org.user_roles(actor)


def device_actor_check(actor: User | None, device: Device) -> None:
    """Refuses an account without BKPSDM a change of an existing machine's serial or active flag
    (a field error on each). A machine is identified by its serial alone and pin_resolver maps
    its PINs and any NIP instance-wide: whoever could activate a machine of their own, or give an
    active machine's serial to one they control, could push punches for anyone."""
    if decides_attendance_sources(actor) or device.pk is None:
        return
    old = Device.objects.filter(pk=device.pk).values(*DEVICE_BKPSDM_FIELDS).first() or {}
    changed = [f for f in DEVICE_BKPSDM_FIELDS if f in old and old[f] != getattr(device, f)]
    if changed:
        raise ValidationError({f: _DEVICE_BKPSDM_ONLY for f in changed})


@transaction.atomic
def device_save(*, actor: User | None, device: Device) -> Device:
    """Register or update a fingerprint machine (audited). A machine registered by anyone but
    BKPSDM (Kominfo, who installs them) starts inactive: ADMS refuses it (403) until BKPSDM has
    checked it and activated it. Its serial and active flag are BKPSDM's (device_actor_check)."""
    creating = device.pk is None
    before = None
    if not creating:
        current = Device.objects.select_for_update().get(pk=device.pk)
        before = snapshot(current)
    device_actor_check(actor, device)
    if creating and not decides_attendance_sources(actor):
        device.is_active = False
    device.save()
    audit_record(
        action=f"attendance.device.{'create' if creating else 'update'}",
        actor=actor,
        instansi=device.instansi,
        obj=device,
        before=before,
        after=snapshot(device),
        reason=(
            "Mesin didaftarkan dalam keadaan nonaktif; BKPSDM yang mengaktifkannya."
            if creating and not device.is_active
            else ""
        ),
    )
    return device


def pin_mapping_actor_check(actor: User | None) -> None:
    """Only BKPSDM maps machine PINs to employees (adds, changes or removes a mapping):
    pin_resolver turns a PIN into an employee for every push and file of the machine (an
    instance-wide mapping for every machine), so a PIN remapped to another employee puts one
    person's fingers on another's attendance, and TPP."""
    if not decides_attendance_sources(actor):
        raise PermissionDenied("Pemetaan PIN mesin ke pegawai hanya oleh BKPSDM.")


@dataclass
class Recovered:
    """What mapping a PIN recovered from the machines' kept lines (unmapped_recover)."""

    lines: int = 0  # lines of the PIN now resolved to an employee
    inserted: int = 0  # punches stored (the rest were already there, e.g. from a file)
    first: dt.date | None = None  # local dates of the recovered lines
    last: dt.date | None = None
    employee_ids: set[int] = field(default_factory=set)
    locked: list[str] = field(default_factory=list)  # "Oktober 2026": TPP already locked

    def message(self, pin: str) -> str:
        """The officer's summary, in Indonesian."""
        if not self.lines:
            return ""
        text = (
            f"{self.lines} absen PIN {pin} yang sudah dikirim mesin dipulihkan dari data mentah "
            f"mesin ({rentang_tanggal(self.first, self.last)})"
        )
        if self.inserted < self.lines:
            text += f"; {self.lines - self.inserted} di antaranya sudah ada"
        text += "; kehadiran hari-hari itu dihitung ulang."
        if self.locked:
            text += (
                f" TPP {', '.join(self.locked)} sudah dikunci: absen ini memperbaiki catatan "
                "kehadiran, bukan TPP yang sudah dibayar; selisihnya dikoreksi BKPSDM pada bulan "
                "berikutnya."
            )
        return text


def _pin_q(pins: Iterable[str]) -> Q:
    """The PINs a machine may have sent for these mapped PINs: the same text, or the same digits
    with or without leading zeros (pin_resolver reads "007" and "7" alike)."""
    q = Q()
    for pin in pins:
        q |= Q(pin=pin)
        digits = pin.lstrip("0")
        if pin.isdigit() and digits:
            q |= Q(pin__endswith=digits)  # narrowed by the resolver below
    return q


def unmapped_recover(
    *,
    actor: User | None,
    instansi: Instansi,
    device_ids: list[int] | None = None,
    pins: list[str] | None = None,
    recompute: bool = True,
) -> Recovered:
    """Stores the punches of machine lines skipped because their PIN was mapped to nobody
    (UnmappedPunch, kept from the raw dump by device_receive) whose PIN now resolves to an employee
    (pin_resolver of their machine), of the instansi only, optionally of some machines and PINs.
    Repeat-safe: a line is marked recovered, and its punch is skipped when already stored (the same
    instant from another fingerprint source too). The days concerned are derived again; a month
    whose TPP is locked is recorded all the same and named in the result (the record should be
    true; BKPSDM corrects the pay later). A fixed number of queries whatever the number of lines.
    Audited as `attendance.punch.recover`."""
    result = Recovered()
    open_rows = UnmappedPunch.objects.filter(instansi=instansi, recovered_at__isnull=True)
    if device_ids is not None:
        open_rows = open_rows.filter(device_id__in=device_ids)
    if pins is not None:
        open_rows = open_rows.filter(_pin_q(pins))
    found = list(open_rows.values_list("id", "device_id", "device__serial", "pin", "at"))
    if not found:
        return result
    resolvers = pin_resolvers(instansi, {r[1] for r in found})
    ids, rows, recovered = [], [], set()
    for pk, dev, serial, pin, when in found:
        emp = resolvers[dev](pin)
        if emp is not None:
            ids.append(pk)
            recovered.add(pin)
            rows.append(PunchRow(emp, when, Punch.Source.FINGERPRINT, serial, dev))
    if not rows:
        return result
    tz = zoneinfo.ZoneInfo(instansi.timezone)
    days = {(r.employee_id, r.at.astimezone(tz).date()) for r in rows}
    with transaction.atomic():
        result.inserted = punches_insert(instansi, rows, same_instant_once=True)
        now = timezone.now()
        for i in range(0, len(ids), 5000):
            UnmappedPunch.objects.filter(pk__in=ids[i : i + 5000]).update(recovered_at=now)
        result.lines = len(rows)
        result.first = min(d for _e, d in days)
        result.last = max(d for _e, d in days)
        result.employee_ids = {e for e, _d in days}
        pairs = {(e, str(Period.of(d))) for e, d in days}
        result.locked = [
            Period.parse(m).label
            for m in sorted({m for _e, m in locked_months.locked(instansi.id, pairs)})
        ]
        audit_record(
            action="attendance.punch.recover",
            actor=actor,
            instansi=instansi,
            after={
                "pins": sorted(recovered),
                "lines": result.lines,
                "inserted": result.inserted,
                "employees": sorted(result.employee_ids),
                "from": result.first.isoformat(),
                "to": result.last.isoformat(),
                "locked": result.locked,
            },
        )
    if recompute and result.inserted:
        _punch_range_recompute(
            instansi, min(r.at for r in rows), max(r.at for r in rows), result.employee_ids
        )
    return result


#: How long a machine line of a PIN mapped to nobody waits for its mapping (UnmappedPunch): a
#: year and a month. A month's attendance is paid with the next month's TPP and corrected at the
#: latest in the yearly review (the SKP year, the year-end TPP corrections); a line older than that
#: changes no pay or rating any more. The raw dump (DeviceDump) keeps its text all the same.
UNMAPPED_KEEP_DAYS = 400


def unmapped_prune(
    *, now: dt.datetime | None = None, batch: int = 5000, limit: int = 100_000
) -> int:
    """Deletes the waiting lines of PINs mapped to nobody (UnmappedPunch not recovered) sent more
    than UNMAPPED_KEEP_DAYS ago, of every instansi (the nightly job, tasks.nightly_recompute):
    without it the index of a machine's unknown PINs (a test finger, a departed employee never
    mapped) grows for ever and the PIN list on admin → PIN mesin keeps them. Bounded: at most
    `limit` rows a run, in batches of `batch` (two statements each); the rest the next night.
    Recovered lines are kept (they mark what was recovered). Returns the rows deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=UNMAPPED_KEEP_DAYS)
    deleted = 0
    while deleted < limit:
        ids = list(
            UnmappedPunch.objects.filter(recovered_at__isnull=True, at__lt=cutoff).values_list(
                "id", flat=True
            )[: min(batch, limit - deleted)]
        )
        if not ids:
            break
        UnmappedPunch.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


@transaction.atomic
def pin_mapping_save(*, actor: User | None, mapping: PinMapping) -> Recovered:
    """Maps a machine PIN to an employee (BKPSDM's: pin_mapping_actor_check), audited, then
    recovers the punches that the machine (or, for an instansi-wide mapping, any machine of the
    instansi) already sent for that PIN and that were skipped while it was mapped to nobody
    (unmapped_recover): a new employee enrolled on the machine before the mapping no longer loses
    those days as tanpa keterangan."""
    pin_mapping_actor_check(actor)
    creating = mapping.pk is None
    before = None if creating else snapshot(PinMapping.objects.get(pk=mapping.pk))
    mapping.save()
    audit_record(
        action=f"attendance.pinmapping.{'create' if creating else 'update'}",
        actor=actor,
        instansi=mapping.instansi,
        obj=mapping,
        before=before,
        after=snapshot(mapping),
    )
    return unmapped_recover(
        actor=actor,
        instansi=mapping.instansi,
        device_ids=[mapping.device_id] if mapping.device_id else None,
        pins=[mapping.pin.strip()],
    )


def watermark_moved(device: Device, old: dt.datetime | None, new: dt.datetime) -> None:
    """A device's data is now complete up to `new` instead of `old`. If it had stalled
    (selectors.STALLED_AFTER), the days it held back for its users (selectors.data_cutoffs: the
    absences of whoever did not punch) are derived and stored, from the day before its old
    watermark (a night shift), rather than left to the nightly job, which looks back a week only.
    Once the move is committed (tasks.dispatch): a background job where Celery runs; otherwise in
    this process, the current and previous month only (recent_floor; older days are logged for
    `ekinerja attendance-recompute`)."""
    if old is None or new - old < selectors.STALLED_AFTER:
        return
    tz = zoneinfo.ZoneInfo(device.instansi.timezone)
    start = old.astimezone(tz).date() - dt.timedelta(days=1)
    end = new.astimezone(tz).date()
    users = selectors.device_users(
        [(device.id, device.instansi_id, device.unit_id, old)], start, end
    )[device.id]
    from .tasks import dispatch, stored_days_task

    # Nobody known to use it: it held back everyone (data_cutoffs), so everyone is derived again.
    dispatch(
        stored_days_task,
        device.instansi_id,
        start.isoformat(),
        end.isoformat(),
        sorted(users) or None,
        recent_only=True,
    )


def device_touch(
    device: Device, *, watermark: bool = False, now: dt.datetime | None = None
) -> None:
    """A device reported in. With `watermark` (an ADMS command poll, which a device makes when it has
    no punches left to push, or the end of a successful pull), its data is complete up to now; a
    device that had stalled has its users' held-back days stored (watermark_moved) after the move
    is committed, so the machine's row is not locked while they are derived."""
    now = now or timezone.now()
    if not watermark:
        Device.objects.filter(pk=device.pk).update(last_seen=now)
        return
    with transaction.atomic():
        old = (
            Device.objects.select_for_update()
            .filter(pk=device.pk)
            .values_list("watermark", flat=True)
            .first()
        )
        Device.objects.filter(pk=device.pk).update(last_seen=now, watermark=now)
    watermark_moved(device, old, now)


def device_receive(
    *, device: Device, raw: str, channel: str = "push", table: str = "ATTLOG", recompute=True
) -> DeviceDump:
    """Take an ATTLOG batch from a device: the raw text is saved first (its own transaction), then the
    lines are parsed in the device's clock zone and inserted (repeat-safe). Lines with an unknown PIN
    or an unreadable time are kept in the dump and reported, not lost."""
    dump = DeviceDump.objects.create(
        instansi_id=device.instansi_id, device=device, channel=channel, table=table, raw=raw
    )
    parsed = parse_dat(raw)
    instansi = device.instansi
    # A machine whose clock was reset (2000) or ran ahead (2099): those lines are reported in the
    # dump, never stored (a push stored them and derived years of absences from 2000 on).
    _refuse_implausible_dates(parsed, local_today(instansi))
    good, unknown = _unknown(parsed, pin_resolver(instansi, device))
    warnings = _skipped(unknown, UNKNOWN_SKIPPED)
    aware = _offsets(zoneinfo.ZoneInfo(device.zone))
    rows = [
        PunchRow(emp, aware(when), Punch.Source.FINGERPRINT, device.serial, device.id)
        for _l, emp, when in good
    ]
    # The lines of a PIN mapped to nobody are indexed, so that mapping it recovers them
    # (unmapped_recover) and BKPSDM sees the PIN (selectors.unmapped_pins).
    unmapped = [
        UnmappedPunch(
            instansi_id=device.instansi_id,
            device_id=device.id,
            dump_id=dump.pk,
            pin=ident.strip()[:30],
            at=aware(when),
        )
        for _l, ident, when in parsed.rows
        if ident in unknown
    ]
    with transaction.atomic():
        inserted = punches_insert(instansi, rows, same_instant_once=True)
        if unmapped:
            UnmappedPunch.objects.bulk_create(unmapped, batch_size=2000, ignore_conflicts=True)
        problems = [f"baris {n}: {m}" for n, m in parsed.errors] + [w[1] for w in warnings]
        DeviceDump.objects.filter(pk=dump.pk).update(
            lines=parsed.total_lines, inserted=inserted, error="\n".join(problems)[:10000]
        )
    dump.refresh_from_db()
    if recompute and rows:
        _punch_range_recompute(
            instansi,
            min(r.at for r in rows),
            max(r.at for r in rows),
            {r.employee_id for r in rows},
        )
    return dump


# ---------------------------------------------------------------- phone check-in


CHECKIN_DUPLICATE = "Absen Anda pada saat yang sama sudah tercatat; tidak perlu dikirim lagi."


class CheckinRefused(Exception):
    def __init__(self, code: str, message: str, status: int = 422):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


EARTH_RADIUS_M = 6_371_000
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
POOR_ACCURACY_M = 100


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def offices_for(employee: Employee, on: dt.date) -> list[Office]:
    """Offices of the units of the employee's posts on `on` and the units above them (a bidang's
    staff may check in at the dinas office). Every post held that day counts, a Plt or Plh one
    too: a kepala puskesmas acting as kepala bidang at the dinas works there, and was refused
    outside the geofence of his own puskesmas. Three queries."""
    units = set(
        Assignment.objects.filter(org.active_on(on), employee=employee).values_list(
            "position__unit_id", flat=True
        )
    )
    if not units:
        return []
    parent = dict(
        Unit.objects.filter(instansi_id=employee.instansi_id).values_list("id", "parent_id")
    )
    chain: set[int] = set()
    for unit in units:
        while unit is not None and unit not in chain:
            chain.add(unit)
            unit = parent.get(unit)
    return list(
        Office.objects.filter(instansi_id=employee.instansi_id, unit_id__in=chain).order_by("pk")
    )


@transaction.atomic
def mobile_checkin(
    *,
    actor: User,
    employee: Employee,
    latitude: float,
    longitude: float,
    accuracy_m: float | None,
    mock_location: bool,
    nonce: str,
    client_time: dt.datetime,
    photo: bytes | None = None,
    now: dt.datetime | None = None,
) -> Punch:
    """A punch from the phone app. Accepted inside an office geofence of the employee's unit (or a unit
    above), or anywhere during approved leave that allows remote check-in (WFH, dinas luar). The time
    is the server's. A nonce may be used once and the phone's clock must be within 5 minutes, so a
    captured request cannot be replayed. A mock-location flag or an accuracy worse than 100 m flags the
    punch for the superior's review. An office may require a selfie."""
    now = now or timezone.now()
    if employee.user_id != actor.id:
        raise CheckinRefused("forbidden", "Hanya pegawai yang bersangkutan yang dapat absen.", 403)
    nonce = (nonce or "").strip()
    if not 16 <= len(nonce) <= 64:
        raise CheckinRefused(
            "nonce",
            "Nonce wajib diisi (16-64 karakter)."
            if not nonce
            else f"Nonce harus 16-64 karakter (terkirim {len(nonce)} karakter).",
            400,
        )
    if Punch.objects.filter(nonce=nonce).exists():
        raise CheckinRefused("replay", "Permintaan ini sudah pernah dikirim (nonce terpakai).", 409)
    if client_time.tzinfo is None or abs(client_time - now) > MAX_CLOCK_SKEW:
        raise CheckinRefused(
            "clock",
            "Jam ponsel berbeda lebih dari 5 menit dari jam server; periksa pengaturan waktu.",
            400,
        )
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise CheckinRefused("coordinates", "Koordinat tidak valid.", 400)
    if accuracy_m is not None and accuracy_m < 0:
        raise CheckinRefused("accuracy", "Akurasi tidak valid.", 400)
    tz = zoneinfo.ZoneInfo(employee.instansi.timezone)
    today = now.astimezone(tz).date()
    inside = None
    for office in offices_for(employee, today):
        if distance_m(latitude, longitude, office.latitude, office.longitude) <= office.radius_m:
            inside = office
            break
    if inside is None:
        remote = LeaveRequest.objects.filter(
            employee=employee,
            status=LeaveRequest.Status.APPROVED,
            leave_type__allows_remote_checkin=True,
            date_from__lte=today,
            date_to__gte=today,
        ).exists()
        if not remote:
            raise CheckinRefused(
                "geofence", "Anda berada di luar area kantor dan tidak sedang WFH/dinas luar."
            )
    if inside is not None and inside.selfie_required and not photo:
        raise CheckinRefused("selfie", "Kantor ini mewajibkan swafoto saat absen.", 400)
    # No accuracy at all is no better than a poor one: reviewed (a client leaving the field out
    # escaped review, as "nan" once did).
    flagged = bool(mock_location) or accuracy_m is None or accuracy_m > POOR_ACCURACY_M
    punch = Punch(
        instansi_id=employee.instansi_id,
        employee=employee,
        at=now.replace(microsecond=(now.microsecond // 1000) * 1000),
        source=Punch.Source.MOBILE,
        source_key="mobile",
        latitude=Decimal(str(round(latitude, 6))),
        longitude=Decimal(str(round(longitude, 6))),
        accuracy_m=accuracy_m,
        mock_location=bool(mock_location),
        office=inside,
        needs_review=flagged,
        nonce=nonce,
        created_by=actor,
    )
    if photo:
        punch.photo.save(f"{employee.nip}-{now:%Y%m%d%H%M%S}.jpg", ContentFile(photo), save=False)
    try:
        with transaction.atomic():
            punch.save()
    except IntegrityError:
        # Two requests at once (a double tap): two nonces within the same millisecond, or the same
        # nonce racing past the check above. The constraints keep one punch; the other is refused
        # like a replay, not a server error.
        if punch.photo:
            punch.photo.delete(save=False)
        raise CheckinRefused("duplicate", CHECKIN_DUPLICATE, 409) from None
    if not flagged:
        _recompute_days(employee, today - dt.timedelta(days=1), today)
    return punch


@transaction.atomic
def punch_review(*, actor: User, punch: Punch, accepted: bool, note: str = "") -> PunchReview:
    """The direct superior accepts or rejects a flagged phone punch."""
    me = org.employee_for_user(actor)
    day = punch.at.astimezone(zoneinfo.ZoneInfo(punch.employee.instansi.timezone)).date()
    if not punch.needs_review:
        raise ValidationError("Data absensi ini tidak perlu ditinjau.")
    if hasattr(punch, "review"):
        raise ValidationError("Data absensi ini sudah ditinjau.")
    if me is None or not org.is_direct_superior_of(me, punch.employee, on=day):
        raise ValidationError("Hanya atasan langsung yang dapat meninjau absensi ini.")
    review = PunchReview.objects.create(
        instansi_id=punch.instansi_id, punch=punch, accepted=accepted, reviewer=me, note=note
    )
    audit_record(
        action="attendance.punch.review",
        actor=actor,
        instansi=punch.employee.instansi,
        obj=punch,
        after={"accepted": accepted, "note": note},
    )
    _recompute_days(punch.employee, day - dt.timedelta(days=1), day)
    return review


# ---------------------------------------------------------------- leave and permits

DEFAULT_LEAVE_TYPES = [
    # code, name, attachment, bkpsdm, annual quota, remote check-in
    ("sakit", "Sakit", True, False, False, False),
    ("izin", "Izin", False, False, False, False),
    ("cuti_tahunan", "Cuti tahunan", False, False, True, False),
    ("cuti_besar", "Cuti besar", True, True, False, False),
    ("cuti_melahirkan", "Cuti melahirkan", True, True, False, False),
    ("cuti_alasan_penting", "Cuti karena alasan penting", True, False, False, False),
    ("cltn", "Cuti di luar tanggungan negara (CLTN)", True, True, False, False),
    ("dinas_luar", "Dinas luar", True, False, False, True),
    ("wfh", "Bekerja dari rumah (WFH)", False, False, False, True),
    ("tugas_belajar", "Tugas belajar", True, True, False, False),
]


def leave_types_ensure(instansi: Instansi) -> int:
    """Create the standard leave types the instansi does not have yet. Returns how many were added."""
    have = set(LeaveType.objects.filter(instansi=instansi).values_list("code", flat=True))
    rows = [
        LeaveType(
            instansi=instansi,
            code=code,
            name=name,
            needs_attachment=att,
            needs_bkpsdm=bk,
            annual_quota=quota,
            allows_remote_checkin=remote,
        )
        for code, name, att, bk, quota, remote in DEFAULT_LEAVE_TYPES
        if code not in have
    ]
    LeaveType.objects.bulk_create(rows)
    return len(rows)


def leave_type_get_or_create(instansi: Instansi, code: str, name: str | None = None) -> LeaveType:
    """The leave type with this code (a TPP policy key), created when missing (for imports)."""
    leave_types_ensure(instansi)
    lt = LeaveType.objects.filter(instansi=instansi, code=code).first()
    if lt is None:
        lt = LeaveType.objects.create(instansi=instansi, code=code, name=name or code)
    return lt


S = LeaveRequest.Status
# (state, action) -> next state. Superior approval goes to BKPSDM for types that need it. An
# approved leave is cancelled only before its first day (leave_request_cancel).
LEAVE_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SUBMITTED, "approve"): S.APPROVED,  # or AWAITING_BKPSDM when the type needs BKPSDM
    (S.SUBMITTED, "reject"): S.REJECTED,
    (S.SUBMITTED, "cancel"): S.CANCELLED,
    (S.AWAITING_BKPSDM, "approve"): S.APPROVED,
    (S.AWAITING_BKPSDM, "reject"): S.REJECTED,
    (S.AWAITING_BKPSDM, "cancel"): S.CANCELLED,
    (S.APPROVED, "cancel"): S.CANCELLED,
}
ACTIVE_LEAVE = [S.SUBMITTED, S.AWAITING_BKPSDM, S.APPROVED]
_ACTION_DONE = {"approve": "disetujui", "reject": "ditolak", "cancel": "dibatalkan"}


def _transition(req: LeaveRequest, action: str) -> str:
    nxt = LEAVE_TRANSITIONS.get((req.status, action))
    if nxt is None:
        raise ValidationError(
            f"Permohonan berstatus '{req.get_status_display()}' tidak dapat "
            f"{_ACTION_DONE.get(action, action)}."
        )
    return nxt


#: Leave codes (DEFAULT_LEAVE_TYPES, the TPP policy's keys) the regulation limits by who asks.
CUTI_BESAR = selectors.CUTI_BESAR
MATERNITY = "cuti_melahirkan"
IMPORTANT_REASON = "cuti_alasan_penting"
CLTN = "cltn"
#: The code of sick leave (DEFAULT_LEAVE_TYPES, the TPP policy's key).
SICK = "sakit"
# PPPK have cuti tahunan, sakit, melahirkan and bersama only (PP 49/2018; Peraturan BKN 7/2022
# Pasal 4); cuti besar and CLTN are for a PNS (not a CPNS) of 5 years' service (PP 11/2017).
NOT_FOR_PPPK = (CUTI_BESAR, IMPORTANT_REASON, CLTN)
PNS_ONLY = (CUTI_BESAR, CLTN)
# The longest a leave of the type may run, in calendar months from its first day, and the rule.
MAX_MONTHS = {
    CUTI_BESAR: (3, "Cuti besar paling lama 3 bulan (PP 11/2017 Pasal 316)"),
    MATERNITY: (3, "Cuti melahirkan paling lama 3 bulan (PP 11/2017 Pasal 325; PPPK: PP 49/2018)"),
    IMPORTANT_REASON: (1, "Cuti karena alasan penting paling lama 1 bulan (PP 11/2017 Pasal 330)"),
    CLTN: (
        36,
        "Cuti di luar tanggungan negara paling lama 3 tahun (PP 11/2017); perpanjangannya "
        "diajukan sebagai permohonan tersendiri",
    ),
}


def months_last_day(start: dt.date, months: int) -> dt.date:
    """The last day of a span of `months` calendar months beginning on `start` (1 March + 3: 31 May;
    30 November + 3: the end of February)."""
    y, m = divmod(start.month - 1 + months, 12)
    try:
        nxt = start.replace(year=start.year + y, month=m + 1)
    except ValueError:  # 31 January + 1 month: the span ends with February
        y2, m2 = divmod(m + 1, 12)
        nxt = dt.date(start.year + y + y2, m2 + 1, 1)
    return nxt - dt.timedelta(days=1)


# The longest single sick leave, in calendar months from its first day, and the rule. A PNS: 1 year,
# extendable by 6 months on the health team's letter (PP 11/2017 Pasal 320 ayat (3), (4) as amended
# by PP 17/2020), filed as a request of its own with that letter. A PPPK: 1 month; a miscarriage
# (1 1/2 months) or a work accident (until the contract ends) is decided on paper and recorded by
# BKPSDM (leave_record_approved), since the request does not say why one is ill.
SICK_MAX_MONTHS = {
    "PNS": (
        12,
        "Cuti sakit paling lama 1 tahun (PP 11/2017 Pasal 320 ayat (3) sebagaimana diubah PP "
        "17/2020); perpanjangannya paling lama 6 bulan berdasarkan surat keterangan tim penguji "
        "kesehatan (ayat (4)) diajukan sebagai permohonan tersendiri",
    ),
    "PPPK": (
        1,
        "Cuti sakit PPPK paling lama 1 bulan (PP 49/2018 Pasal 83; Peraturan BKN 7/2022 Pasal "
        "15); cuti sakit karena gugur kandungan (paling lama 1,5 bulan) atau kecelakaan kerja "
        "dicatat BKPSDM berdasarkan keputusan cutinya",
    ),
}


# A run of sick leave with no working day of the employee between its requests is one sick leave
# for the cap (PP 11/2017 Pasal 320 ayat (3), (4) as amended by PP 17/2020): a PNS or CPNS at
# most 1 year plus an extension of at most 6 months on the tim penguji kesehatan's letter, a PPPK
# the PPPK cap. Without it, 12 months then 12 more from the next day both passed.
SICK_RUN_MONTHS = {"PNS": 18, "PPPK": SICK_MAX_MONTHS["PPPK"][0]}
# Neighbours are read this far either side: a run reaching past it is longer than any cap anyway.
_SICK_RUN_REACH = dt.timedelta(days=600)


def _sick_run(employee: Employee, date_from: dt.date, date_to: dt.date, exclude) -> list:
    """The employee's pending and approved sick leave requests (but `exclude`) forming one
    continuous run with [date_from, date_to]: each next to the other or with only days between
    that are no working day of the employee (weekends, holidays, a shift worker's days off:
    workcal.leave_days, as a leave is charged). One query for the neighbours, one calendar read
    for the gaps between them (none when they adjoin). Sorted by first day."""
    # The dates are in the sane range (_check_leave), so the reach never leaves the calendar.
    lo, hi = date_from - _SICK_RUN_REACH, date_to + _SICK_RUN_REACH
    near = list(
        LeaveRequest.objects.filter(
            employee=employee,
            leave_type__code=SICK,
            status__in=ACTIVE_LEAVE,
            date_from__lte=hi,
            date_to__gte=lo,
        )
        .exclude(pk=exclude)
        .order_by("date_from", "date_to", "pk")
    )
    if not near:
        return []
    spans = sorted(
        [(r.date_from, r.date_to, r) for r in near] + [(date_from, date_to, None)],
        key=lambda t: (t[0], t[1]),
    )
    # The days between consecutive requests that are not next to each other.
    gaps, reach = [], spans[0][1]
    for start, end, _ in spans[1:]:
        if start > reach + dt.timedelta(days=1):
            gaps.append((reach + dt.timedelta(days=1), start - dt.timedelta(days=1)))
        reach = max(reach, end)
    working: list[dt.date] = []
    if gaps:
        working = workcal.leave_days([employee], gaps[0][0], gaps[-1][1])[employee.id]
    # Split into runs wherever a gap holds a working day; keep the one holding the new request.
    run: list = []
    found = False
    reach = None
    for start, end, req in spans:
        if reach is not None and start > reach + dt.timedelta(days=1):
            first, last = reach + dt.timedelta(days=1), start - dt.timedelta(days=1)
            if any(first <= d <= last for d in working):
                if found:
                    break
                run = []
        run.append(req)
        found = found or req is None
        reach = end if reach is None else max(reach, end)
    return [r for r in run if r is not None]


def _check_sick_run(employee: Employee, date_from: dt.date, date_to: dt.date, exclude) -> None:
    """Refuse a sick leave whose continuous run (_sick_run) would pass the cap: counted in
    calendar months from the run's first day, 18 for a PNS or CPNS (1 year and the 6-month
    extension, PP 11/2017 Pasal 320 ayat (3), (4) as amended by PP 17/2020), 1 for a PPPK (PP
    49/2018 Pasal 83; Peraturan BKN 7/2022 Pasal 15). Pending requests count as approved ones;
    refused and cancelled ones free their days. Checked when filed and at the final approval."""
    others = _sick_run(employee, date_from, date_to, exclude)
    if not others:
        return
    pppk = employee.status == Employee.Status.PPPK
    months = SICK_RUN_MONTHS["PPPK" if pppk else "PNS"]
    start = min(date_from, others[0].date_from)
    end = max(date_to, max(r.date_to for r in others))
    last = months_last_day(start, months)
    if end <= last:
        return
    o_start, o_end = others[0].date_from, max(r.date_to for r in others)
    left = max(0, (months_last_day(o_start, months) - o_end).days)
    listed = ", ".join(
        f"{rentang_tanggal(r.date_from, r.date_to)} ({r.get_status_display().lower()})"
        for r in others
    )
    lead = (
        f"Cuti sakit ini bersambung (tanpa hari kerja di antaranya) dengan cuti sakit {listed}, "
        f"jadi dihitung sebagai satu cuti sakit mulai {tanggal(start)}"
    )
    if pppk:
        rule = (
            "cuti sakit PPPK paling lama 1 bulan (PP 49/2018 Pasal 83; Peraturan BKN 7/2022 "
            f"Pasal 15), yaitu sampai {tanggal(last)}"
        )
        tail = (
            " Cuti sakit karena gugur kandungan atau kecelakaan kerja dicatat BKPSDM berdasarkan "
            "keputusan cutinya."
        )
    else:
        rule = (
            "paling lama 1 tahun ditambah perpanjangan paling lama 6 bulan, yaitu sampai "
            f"{tanggal(last)} (PP 11/2017 Pasal 320 ayat (3) dan (4) sebagaimana diubah PP "
            "17/2020)"
        )
        tail = (
            f" Bagian setelah {tanggal(months_last_day(start, 12))} adalah perpanjangan, yang "
            "hanya diberikan bila masih diperlukan berdasarkan surat keterangan dokter dari tim "
            "penguji kesehatan."
        )
    remaining = (
        f"Sisa {left} hari kalender." if left else "Tidak ada sisa cuti sakit yang dapat diajukan."
    )
    field_name = "date_to" if date_to >= o_end else "date_from"
    raise ValidationError({field_name: f"{lead}: {rule}. {remaining}{tail}"})


def nip_is_male(employee: Employee) -> bool:
    """Whether the employee's NIP records a man (digit 15 is 1). False when the NIP is not a valid
    18-digit NIP (org.nip.parse_nip), so nothing is refused on a number that says nothing."""
    try:
        return parse_nip(employee.nip).sex == "L"
    except NipError:
        return False


def leave_codes_not_for(employee: Employee) -> tuple[str, ...]:
    """The leave codes the employee's status (and, for cuti melahirkan, the sex in the NIP) gives
    no right to (the leave form leaves them out)."""
    codes: tuple[str, ...] = ()
    if employee.status == Employee.Status.PPPK:
        codes = NOT_FOR_PPPK
    elif employee.status == Employee.Status.CPNS:
        codes = PNS_ONLY
    if nip_is_male(employee):
        codes += (MATERNITY,)
    return codes


def _maternity_refused_to_a_man(employee: Employee) -> str:
    if employee.status == Employee.Status.PPPK:
        return (
            "Cuti melahirkan hanya untuk PPPK perempuan yang melahirkan (PP 49/2018; Peraturan "
            "BKN 7/2022 Pasal 18), sedangkan NIP Anda (digit ke-15) tercatat laki-laki. PPPK tidak "
            "berhak atas cuti karena alasan penting: untuk mendampingi istri yang melahirkan, "
            "ajukan cuti tahunan."
        )
    return (
        "Cuti melahirkan hanya untuk PNS perempuan yang melahirkan (PP 11/2017 Pasal 325), "
        "sedangkan NIP Anda (digit ke-15) tercatat laki-laki. Untuk mendampingi istri yang "
        "melahirkan atau menjalani operasi caesar, ajukan cuti karena alasan penting dengan "
        "surat keterangan rawat inap dari unit pelayanan kesehatan (Peraturan BKN 24/2017)."
    )


def _check_entitled(employee: Employee, leave_type: LeaveType, date_from, date_to, exclude) -> None:
    """Who may take which leave, and for how long (PP 11/2017 as amended by PP 17/2020, Peraturan
    BKN 24/2017; PPPK: PP 49/2018, Peraturan BKN 7/2022): PPPK have no cuti besar, cuti karena
    alasan penting or CLTN; a CPNS no cuti besar or CLTN; CLTN after 5 years of continuous service;
    cuti besar, cuti melahirkan and cuti karena alasan penting up to 3, 3 and 1 months, CLTN up to
    3 years; cuti melahirkan for the first to third birth (the fourth: cuti besar), and never for
    a man (digit 15 of a valid NIP); no cuti besar while a cuti tahunan of its year is still to be
    taken (art. 316), the cuti besar shortened by the cuti tahunan taken that year (Peraturan BKN
    24/2017) and refused while cuti tahunan filed for the next two years needs what that year
    would have carried over; a sick leave up to 1 year (PNS, PP 17/2020 Pasal 320) or 1 month
    (PPPK, PP 49/2018)."""
    code = leave_type.code
    if code in leave_codes_not_for(employee):
        if code == MATERNITY and nip_is_male(employee):
            message = _maternity_refused_to_a_man(employee)
        elif employee.status == Employee.Status.PPPK:
            message = (
                f"PPPK tidak berhak atas {leave_type.name}: cuti PPPK terdiri atas cuti tahunan, "
                "cuti sakit, cuti melahirkan, dan cuti bersama (PP 49/2018; Peraturan BKN 7/2022 "
                "Pasal 4)."
            )
            if code == IMPORTANT_REASON:
                message += (
                    " Untuk keluarga yang sakit keras atau meninggal dunia, atau perkawinan "
                    "pertama, ajukan cuti tahunan."
                )
        else:
            message = (
                f"{leave_type.name} hanya untuk PNS yang telah bekerja paling singkat 5 tahun "
                "secara terus-menerus (PP 11/2017); CPNS belum berhak."
            )
        raise ValidationError({"leave_type": message})
    limit = MAX_MONTHS.get(code)
    if code == SICK:
        limit = SICK_MAX_MONTHS["PPPK" if employee.status == Employee.Status.PPPK else "PNS"]
    if limit is not None:
        last = months_last_day(date_from, limit[0])
        if date_to > last:
            raise ValidationError({"date_to": f"{limit[1]}: paling lambat sampai {tanggal(last)}."})
    if code == CLTN:
        appointed = selectors.appointment_date(employee)
        if appointed is not None:
            five = selectors.years_after(appointed, 5)
            if date_from < five:
                raise ValidationError(
                    {
                        "date_from": "Cuti di luar tanggungan negara hanya dapat diberikan kepada "
                        "PNS yang telah bekerja paling singkat 5 tahun secara terus-menerus "
                        f"(PP 11/2017): masa kerja 5 tahun tercapai {tanggal(five)}."
                    }
                )
    active = LeaveRequest.objects.filter(employee=employee, status__in=ACTIVE_LEAVE).exclude(
        pk=exclude
    )
    if code == MATERNITY and active.filter(leave_type__code=MATERNITY).count() >= 3:
        if employee.status == Employee.Status.PPPK:
            message = (
                "Cuti melahirkan PPPK hanya untuk kelahiran anak pertama sampai ketiga selama "
                "menjadi PPPK (PP 49/2018; Peraturan BKN 7/2022 Pasal 18); sudah tercatat 3 cuti "
                "melahirkan."
            )
        else:
            message = (
                "Cuti melahirkan hanya untuk kelahiran anak pertama sampai ketiga selama menjadi "
                "PNS (PP 11/2017 Pasal 325); sudah tercatat 3 cuti melahirkan. Untuk kelahiran "
                "anak keempat dan seterusnya ajukan cuti besar."
            )
        raise ValidationError({"leave_type": message})
    if code == CUTI_BESAR:
        # Annual leave already taken that year stays taken; one still to come is no longer due.
        later = (
            active.filter(
                leave_type__annual_quota=True,
                date_from__year=date_from.year,
                date_from__gt=local_today(employee.instansi),
            )
            .order_by("date_from")
            .first()
        )
        if later is not None:
            raise ValidationError(
                {
                    "date_from": "PNS yang menggunakan cuti besar tidak berhak atas cuti tahunan "
                    f"dalam tahun yang sama (PP 11/2017 Pasal 316), sedangkan cuti tahunan "
                    f"{rentang_tanggal(later.date_from, later.date_to)} "
                    f"({later.get_status_display().lower()}) belum dijalani. Batalkan cuti "
                    "tahunan itu lebih dulu."
                }
            )
        _check_cuti_besar_length(employee, active, date_from, date_to)
        # The year of the cuti besar carries nothing over (selectors.annual_leave): cuti tahunan
        # already filed for the next two years on what it would have carried must go first.
        _check_later_years(employee, date_from.year, exclude, cuti_besar=True)


def _check_cuti_besar_length(employee: Employee, active, date_from, date_to) -> None:
    """Cuti besar is 3 months less the cuti tahunan already taken in the year it starts (Peraturan
    BKN 24/2017, cuti besar: granted 'dengan memperhitungkan hak atas cuti tahunan yang telah
    digunakan'): those working days come off the end of the 3 months, counted as the leave is
    (workcal.leave_days). `active`: the employee's pending and approved requests but the one
    being checked; any cuti tahunan still to come that year was refused before this."""
    taken = (
        active.filter(leave_type__annual_quota=True, date_from__year=date_from.year).aggregate(
            n=Sum("working_days")
        )["n"]
        or 0
    )
    if not taken:
        return
    span = workcal.leave_days([employee], date_from, months_last_day(date_from, 3))[employee.id]
    allowed = len(span) - taken
    wanted = sum(1 for d in span if d <= date_to)
    if wanted <= allowed:
        return
    lead = (
        f"Cuti besar paling lama 3 bulan dikurangi cuti tahunan yang telah digunakan pada tahun "
        f"{date_from.year} ({taken} hari kerja) (Peraturan BKN 24/2017)"
    )
    if allowed <= 0:
        raise ValidationError(
            {"date_to": f"{lead}: tidak ada lagi sisa cuti besar yang dapat diberikan."}
        )
    raise ValidationError(
        {
            "date_to": f"{lead}: paling lama {allowed} hari kerja, paling lambat sampai "
            f"{tanggal(span[allowed - 1])}."
        }
    )


def _check_leave(
    employee: Employee, leave_type: LeaveType, date_from, date_to, exclude=None
) -> int:
    errors: dict[str, str] = {}
    if leave_type.instansi_id != employee.instansi_id:
        errors["leave_type"] = "Jenis cuti milik instansi lain."
    if not leave_type.is_active:
        errors["leave_type"] = "Jenis cuti ini tidak aktif."
    if date_from is None or date_to is None:
        errors["date_from"] = "Tanggal mulai dan sampai wajib diisi."
    elif not date_in_range(date_from):
        errors["date_from"] = DATE_OUT_OF_RANGE
    elif not date_in_range(date_to):
        errors["date_to"] = DATE_OUT_OF_RANGE
    elif date_to < date_from:
        errors["date_to"] = "Tanggal sampai tidak boleh sebelum tanggal mulai."
    elif (date_to - date_from).days > 3 * 366:
        errors["date_to"] = "Rentang cuti terlalu panjang (lebih dari 3 tahun)."
    if errors:
        raise ValidationError(errors)
    _check_entitled(employee, leave_type, date_from, date_to, exclude)
    clash = (
        LeaveRequest.objects.filter(
            employee=employee,
            status__in=ACTIVE_LEAVE,
            date_from__lte=date_to,
            date_to__gte=date_from,
        )
        .exclude(pk=exclude)
        .select_related("leave_type")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "date_from": f"Bertumpang tindih dengan {clash.leave_type.name} "
                f"{tanggal(clash.date_from)} s.d. {tanggal(clash.date_to)} "
                f"({clash.get_status_display().lower()})."
            }
        )
    if leave_type.code == SICK:
        _check_sick_run(employee, date_from, date_to, exclude)
    # Working days as the calendar has them; on a shift schedule, dates without a roster entry
    # count by the instansi's base pattern (workcal.leave_days, docs/attendance.md).
    days = len(workcal.leave_days([employee], date_from, date_to)[employee.id])
    if days == 0:
        raise ValidationError(
            {
                "date_from": "Tidak ada hari kerja pada rentang tanggal ini (semuanya hari libur "
                "atau di luar jadwal kerja), jadi tidak ada yang perlu dicutikan."
            }
        )
    if leave_type.annual_quota:
        if date_from.year != date_to.year:
            raise ValidationError(
                {"date_to": "Cuti tahunan diajukan per tahun; pisahkan permohonan di akhir tahun."}
            )
        # The request being decided is not 'pending' against itself.
        bal = selectors.annual_leave(employee, date_from.year, exclude=exclude)
        if bal.cuti_besar:
            raise ValidationError(
                {
                    "leave_type": f"Tahun {date_from.year} Anda menggunakan cuti besar; PNS yang "
                    "menggunakan cuti besar tidak berhak atas cuti tahunan dalam tahun yang sama "
                    "(PP 11/2017 Pasal 316)."
                }
            )
        if bal.eligible_from is not None and date_from < bal.eligible_from:
            raise ValidationError(
                {
                    "date_from": "Cuti tahunan baru dapat diambil setelah bekerja paling sedikit "
                    "1 tahun secara terus-menerus sejak pengangkatan (TMT CPNS) (PP 11/2017 "
                    f"Pasal 311 ayat (1)): hak ini berlaku mulai {tanggal(bal.eligible_from)}."
                }
            )
        if days > bal.available:
            raise ValidationError(
                {
                    "date_to": f"Sisa cuti tahunan {date_from.year} hanya {bal.available} hari kerja "
                    f"(hak {bal.entitlement}, terpakai {bal.used}, menunggu {bal.pending}); "
                    f"permohonan ini {days} hari kerja."
                }
            )
        _check_later_years(employee, date_from.year, exclude, days=days)
    return days


def _check_later_years(
    employee: Employee, year: int, exclude, *, days: int = 0, cuti_besar: bool = False
) -> None:
    """A cuti tahunan in `year` lowers what it carries into the next two years (PP 11/2017 art.
    312), and a cuti besar starting in `year` carries nothing at all (art. 316, see
    selectors.annual_leave): refused when cuti tahunan already filed or approved there would no
    longer fit (filed in November for January, then a December leave, or a cuti besar, taking back
    the carried days)."""
    adding = {"adding_cuti_besar": year} if cuti_besar else {"adding": (year, days)}
    for later in (year + 1, year + 2):
        after = selectors.annual_leave(employee, later, exclude=exclude, **adding)
        charged = after.used + after.pending
        if charged <= after.entitlement:
            continue
        before = selectors.annual_leave(employee, later, exclude=exclude)
        if after.entitlement < before.entitlement:
            if cuti_besar:
                lead = (
                    f"PNS yang menggunakan cuti besar tidak berhak atas cuti tahunan {year} (PP "
                    f"11/2017 Pasal 316), jadi tidak ada sisa cuti tahunan {year} yang terbawa ke "
                    f"{later}"
                )
                field_name = "date_from"
            else:
                lead = f"Permohonan ini memakai hak cuti tahunan yang sudah terbawa ke {later}"
                field_name = "date_to"
            raise ValidationError(
                {
                    field_name: f"{lead}: cuti tahunan {later} yang sudah diajukan atau disetujui "
                    f"{charged} hari kerja, sedangkan hak {later} menjadi {after.entitlement} "
                    "hari kerja. Batalkan atau kurangi cuti tahunan tersebut lebih dulu."
                }
            )


def _attachment_missing(leave_type: LeaveType) -> str:
    if leave_type.code == SICK:
        # Every sick leave, one day too (PP 17/2020 changing PP 11/2017 Pasal 320; Peraturan BKN
        # 7/2021, III.C: one day is reported to the direct superior with the doctor's letter).
        return (
            "Cuti sakit wajib melampirkan surat keterangan dokter, juga untuk sakit 1 hari "
            "(PP 17/2020 Pasal 320)."
        )
    return f"{leave_type.name} wajib melampirkan dokumen."


@transaction.atomic
def leave_request_submit(
    *,
    actor: User,
    employee: Employee,
    leave_type: LeaveType,
    date_from: dt.date,
    date_to: dt.date,
    reason: str = "",
    attachment=None,
) -> LeaveRequest:
    """An employee asks for leave. Refused if it overlaps another pending or approved request, if it
    covers no working day, if the type needs an attachment and none is given, if cuti tahunan
    exceeds the balance, or if a sick leave with the sick leave it adjoins passes the cap
    (_check_sick_run; checked again at the final approval). Goes to the direct superior on the first day, or today's; when there is
    neither (the top of the tree, every post above vacant) it waits at the superior's step with no
    approver and BKPSDM decides it there (selectors.without_superior), never its own; a type that
    needs BKPSDM then goes straight to BKPSDM's step."""
    if employee.user_id != actor.id:
        raise ValidationError(
            "Permohonan cuti hanya dapat diajukan oleh pegawai yang bersangkutan."
        )
    lock_employee(employee.pk)
    missing = (
        {"attachment": [_attachment_missing(leave_type)]}
        if leave_type.needs_attachment and not attachment
        else {}
    )
    try:
        days = _check_leave(employee, leave_type, date_from, date_to)
    except ValidationError as exc:
        # Every problem at once: told only of the missing sick note first, the employee attached
        # it, was then told of the dates, and had to choose the file a second time.
        if not missing or not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({**exc.message_dict, **missing}) from None
    if missing:
        raise ValidationError(missing)
    superior = org.direct_superior(employee, on=date_from) or org.direct_superior(
        employee, on=local_today(employee.instansi)
    )
    req = LeaveRequest(
        instansi_id=employee.instansi_id,
        employee=employee,
        leave_type=leave_type,
        date_from=date_from,
        date_to=date_to,
        working_days=days,
        reason=reason,
        # With no superior, a type BKPSDM approves anyway goes straight to it (one step, not two).
        status=S.AWAITING_BKPSDM if superior is None and leave_type.needs_bkpsdm else S.SUBMITTED,
        approver=superior,
    )
    if attachment:
        req.attachment = attachment
    req.save()
    audit_record(
        action="attendance.leave.submit",
        actor=actor,
        instansi=employee.instansi,
        obj=req,
        after=_snap(req),
    )
    return req


def _decider_name(actor: User, me: Employee | None) -> str:
    """How a decision names who took it: the employee's name, or for an officer's account without an
    employee record (a BKPSDM login standing in) its full name or login."""
    if me is not None:
        return me.name
    return actor.get_full_name() or actor.username


def _superior_step_decider(actor: User, me: Employee | None, req) -> bool:
    """Who decides a leave or correction at the superior's step (selectors.may_decide_as_superior);
    BKPSDM stands in when the employee has no direct superior today, never for their own request."""
    if selectors.may_decide_as_superior(me, req):
        return True
    return (
        req.employee.user_id != actor.id
        and "bkpsdm" in org.user_roles(actor)
        and bool(selectors.without_superior(req.instansi_id, [req]))
    )


@transaction.atomic
def leave_request_decide(
    *, actor: User, request: LeaveRequest, approve: bool, note: str = ""
) -> LeaveRequest:
    """The direct superior decides a submitted request; BKPSDM decides one awaiting BKPSDM. Approval
    of a type that needs BKPSDM goes on to BKPSDM. A final approval checks the request again
    (_check_leave) under the employee's lock (org.locks) and recomputes the covered days."""
    lock_employee(request.employee_id)
    req = (
        # OF self: without it PostgreSQL locked the joined rows too, the leave type's (every
        # approval of that type in the instansi waited for this one) and the employee's FOR UPDATE.
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("leave_type", "employee")
        .get(pk=request.pk)
    )
    if req.instansi_id != actor.instansi_id:
        raise ValidationError("Permohonan milik instansi lain.")
    if req.employee.user_id is not None and req.employee.user_id == actor.id:
        # A BKPSDM officer's own leave is decided by another officer.
        raise ValidationError("Permohonan Anda sendiri harus diputuskan oleh pejabat lain.")
    before = _snap(req)
    action = "approve" if approve else "reject"
    nxt = _transition(req, action)
    if req.status == S.SUBMITTED:
        if not _superior_step_decider(actor, org.employee_for_user(actor), req):
            raise ValidationError("Hanya atasan langsung yang dapat memutuskan permohonan ini.")
        if approve and req.leave_type.needs_bkpsdm:
            nxt = S.AWAITING_BKPSDM
    else:
        if "bkpsdm" not in org.user_roles(actor):
            raise ValidationError("Permohonan ini menunggu keputusan BKPSDM.")
    if not approve and not note.strip():
        raise ValidationError({"note": "Alasan penolakan wajib diisi."})
    if nxt == S.APPROVED:
        # The balance may have changed since submission, and so may the working days the request
        # covers (a roster drawn up or a holiday set since, whose recount may not have run): the
        # approval keeps the count it checked the balance with (the audit shows both).
        req.working_days = _check_leave(
            req.employee, req.leave_type, req.date_from, req.date_to, exclude=req.pk
        )
    req.status = nxt
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.save()
    audit_record(
        action=f"attendance.leave.{action}",
        actor=actor,
        instansi=req.employee.instansi,
        obj=req,
        before=before,
        after=_snap(req),
        reason=note,
    )
    if nxt == S.APPROVED:
        _recompute_days(req.employee, req.date_from, req.date_to)
    return req


@transaction.atomic
def leave_request_cancel(*, actor: User, request: LeaveRequest, reason: str = "") -> LeaveRequest:
    """Withdraw a leave request. A pending one: by the employee. An approved one, only before its
    first day (local date): by the employee, or, with a reason, by BKPSDM or the official who gave
    the final approval (a decision withdrawn). A leave already begun is history and stays. The
    cuti tahunan balance no longer counts a cancelled request, and its days are derived again."""
    lock_employee(request.employee_id)  # the leave writes' one order: employee, then request
    req = (
        # OF self: without it PostgreSQL locked the joined instansi row FOR UPDATE too, and every
        # insert of the instansi's rows (a key-share lock on it) waited for this cancel.
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("employee__instansi", "leave_type")
        .get(pk=request.pk)
    )
    own = req.employee.user_id is not None and req.employee.user_id == actor.id
    reason = (reason or "").strip()
    was_approved = req.status == S.APPROVED
    if was_approved:
        official = not own and selectors.may_revoke_leave(actor, req)
        if not (own or official):
            raise ValidationError(
                "Cuti yang sudah disetujui hanya dapat dibatalkan oleh pemohon, pejabat yang "
                "menyetujuinya, atau BKPSDM."
            )
        if req.date_from <= local_today(req.employee.instansi):
            raise ValidationError(
                f"Cuti ini sudah dimulai ({tanggal(req.date_from)}); cuti yang sudah berjalan "
                "tidak dapat dibatalkan."
            )
        if official and not reason:
            raise ValidationError({"reason": "Alasan pembatalan wajib diisi."})
    elif not own:
        raise ValidationError("Hanya pemohon yang dapat membatalkan permohonan.")
    before = _snap(req)
    req.status = _transition(req, "cancel")
    fields = ["status"]
    if was_approved and not own:
        req.decision_note = f"Dibatalkan: {reason}"
        fields.append("decision_note")
    req.save(update_fields=fields)
    audit_record(
        action="attendance.leave.cancel",
        actor=actor,
        instansi=req.employee.instansi,
        obj=req,
        before=before,
        after=_snap(req),
        reason=reason,
    )
    if was_approved:
        _recompute_days(req.employee, req.date_from, req.date_to)
    return req


@transaction.atomic
def leave_record_approved(
    *,
    actor: User | None,
    employee: Employee,
    leave_type: LeaveType,
    date_from: dt.date,
    date_to: dt.date,
    reason: str = "",
    check_balance: bool = False,
    recompute: bool = True,
) -> LeaveRequest:
    """Record leave that was approved outside the app (imports, scenario files, admin entry of a
    paper decision). Still refuses overlaps; the cuti tahunan balance only with check_balance."""
    if leave_type.instansi_id != employee.instansi_id:
        raise ValidationError({"leave_type": "Jenis cuti milik instansi lain."})
    if not date_in_range(date_from):
        raise ValidationError({"date_from": DATE_OUT_OF_RANGE})
    if not date_in_range(date_to):
        raise ValidationError({"date_to": DATE_OUT_OF_RANGE})
    if date_to < date_from:
        raise ValidationError({"date_to": "Tanggal sampai tidak boleh sebelum tanggal mulai."})
    lock_employee(employee.pk)
    clash = LeaveRequest.objects.filter(
        employee=employee, status__in=ACTIVE_LEAVE, date_from__lte=date_to, date_to__gte=date_from
    ).exists()
    if clash:
        raise ValidationError({"date_from": "Bertumpang tindih dengan cuti/izin lain."})
    days = len(workcal.leave_days([employee], date_from, date_to)[employee.id])
    if check_balance and leave_type.annual_quota:
        bal = selectors.annual_leave(employee, date_from.year)
        if days > bal.available:
            raise ValidationError(
                {"date_to": f"Sisa cuti tahunan hanya {bal.available} hari kerja."}
            )
    req = LeaveRequest.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        leave_type=leave_type,
        date_from=date_from,
        date_to=date_to,
        working_days=days,
        reason=reason,
        status=S.APPROVED,
        decided_by=actor if actor and actor.pk else None,
        decided_at=timezone.now(),
    )
    audit_record(
        action="attendance.leave.record",
        actor=actor,
        instansi=employee.instansi,
        obj=req,
        after=_snap(req),
        reason=reason,
    )
    if recompute:
        _recompute_days(employee, date_from, date_to)
    return req


# ---------------------------------------------------------------- corrections


@transaction.atomic
def correction_submit(
    *, actor: User, employee: Employee, at: dt.datetime, reason: str, attachment=None
) -> CorrectionRequest:
    """Ask for a missing punch to be added (e.g. the machine was broken). Goes to the direct superior
    on that day; with none then, it waits with no approver for today's superior, or for BKPSDM when
    there is none today either (selectors.may_decide_as_superior, without_superior)."""
    if employee.user_id != actor.id:
        raise ValidationError("Koreksi hanya dapat diajukan oleh pegawai yang bersangkutan.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Alasan koreksi wajib diisi."})
    if at.tzinfo is None:
        raise ValidationError({"at": "Waktu harus lengkap dengan zona waktu."})
    if not date_in_range(at.date()):
        raise ValidationError({"at": DATE_OUT_OF_RANGE})
    if at > timezone.now():
        raise ValidationError({"at": "Koreksi tidak boleh untuk waktu yang akan datang."})
    day = at.astimezone(zoneinfo.ZoneInfo(employee.instansi.timezone)).date()
    superior = org.direct_superior(employee, on=day)
    earlier = (
        CorrectionRequest.objects.filter(
            employee=employee,
            at=at,
            status__in=[CorrectionRequest.Status.SUBMITTED, CorrectionRequest.Status.APPROVED],
        )
        .values_list("status", flat=True)
        .first()
    )
    if earlier == CorrectionRequest.Status.SUBMITTED:
        raise ValidationError({"at": "Koreksi untuk waktu ini sudah diajukan."})
    if earlier is not None:
        # Approving it again would link the same manual punch to a second request (one-to-one):
        # the superior's approval failed with a server error.
        raise ValidationError(
            {"at": "Koreksi untuk waktu ini sudah disetujui; absennya sudah tercatat."}
        )
    req = CorrectionRequest(
        instansi_id=employee.instansi_id,
        employee=employee,
        at=at,
        reason=reason.strip(),
        approver=superior,
    )
    if attachment:
        req.attachment = attachment
    req.save()
    audit_record(
        action="attendance.correction.submit",
        actor=actor,
        instansi=employee.instansi,
        obj=req,
        after=_snap(req),
    )
    return req


@transaction.atomic
def correction_decide(
    *, actor: User, correction: CorrectionRequest, approve: bool, note: str = ""
) -> CorrectionRequest:
    """The direct superior decides. Approval adds a manual punch with the reason (the raw punches are
    never edited) and recomputes the day."""
    req = (
        CorrectionRequest.objects.select_for_update()
        .select_related("employee")
        .get(pk=correction.pk)
    )
    if req.instansi_id != actor.instansi_id:
        # The page looks it up in the user's instansi; the service does not rely on that (a BKPSDM
        # officer of another Pemda passed _superior_step_decider for an employee with no superior).
        raise PermissionDenied("Koreksi milik instansi lain.")
    if req.status != CorrectionRequest.Status.SUBMITTED:
        raise ValidationError("Koreksi ini sudah diputuskan.")
    me = org.employee_for_user(actor)
    if not _superior_step_decider(actor, me, req):
        raise ValidationError("Hanya atasan langsung yang dapat memutuskan koreksi ini.")
    day = selectors.request_day(req)
    if not approve and not note.strip():
        raise ValidationError({"note": "Alasan penolakan wajib diisi."})
    before = _snap(req)
    if approve:
        punch = Punch(
            instansi_id=req.instansi_id,
            employee=req.employee,
            at=req.at,
            source=Punch.Source.MANUAL,
            source_key="manual",
            reason=f"Koreksi #{req.pk} disetujui {_decider_name(actor, me)}: {req.reason}",
            created_by=actor,
        )
        existing = (
            Punch.objects.filter(source_key="manual", employee=req.employee, at=req.at)
            .select_related("correction")
            .first()
        )
        if existing is None:
            punch.save()
            req.punch = punch
        elif not hasattr(existing, "correction"):
            req.punch = existing
        # Otherwise the moment is already recorded by another approved correction (a duplicate
        # filed before submission refused it): approved without a punch of its own.
    req.status = CorrectionRequest.Status.APPROVED if approve else CorrectionRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.save()
    audit_record(
        action=f"attendance.correction.{'approve' if approve else 'reject'}",
        actor=actor,
        instansi=req.employee.instansi,
        obj=req,
        before=before,
        after=_snap(req),
        reason=note or req.reason,
    )
    if approve:
        _recompute_days(req.employee, day - dt.timedelta(days=1), day)
    return req


# ---------------------------------------------------------------- roster import (xlsx)

#: The largest roster sheet accepted (a month of a few hundred staff is well under 200 KB).
ROSTER_MAX_BYTES = 2 * 1024 * 1024
ROSTER_MAX_ROWS = 3000
#: What a roster cell may hold for "no shift": the sheet's blank, a dash, or the sheet's "·" (the
#: employee follows no shift schedule that day: the cell is left as it is).
ROSTER_OFF = {"", "-", "–"}
ROSTER_KEEP = "·"
#: The sheet's mark of a leaver's day after their post's end (not theirs to roster).
ROSTER_GONE = "×"


def _roster_rows(upload) -> list[tuple]:
    import openpyxl

    from ekinerja.core.spreadsheets import XlsxRejected, xlsx_check

    size = getattr(upload, "size", None)
    if size is not None and size > ROSTER_MAX_BYTES:
        raise ValidationError({"file": ["Berkas terlalu besar (paling besar 2 MB)."]})
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        raise ValidationError({"file": ["Berkas bukan spreadsheet Excel (.xlsx)."]})
    upload.seek(0)
    try:
        xlsx_check(upload)
    except XlsxRejected as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        wb = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationError({"file": ["Berkas .xlsx tidak dapat dibaca (rusak?)."]}) from exc
    ws = wb["Roster"] if "Roster" in wb.sheetnames else wb.worksheets[0]
    rows = []
    for row in ws.iter_rows(values_only=True, max_col=40):
        rows.append(row)
        if len(rows) > ROSTER_MAX_ROWS:
            wb.close()
            raise ValidationError({"file": [f"Paling banyak {ROSTER_MAX_ROWS} baris."]})
    wb.close()
    return rows


def roster_import(*, actor: User, instansi: Instansi, period, month, employees, upload) -> int:
    """The roster page's own xlsx (views._roster_xlsx), filled in and uploaded back: a row per
    employee ("Nama (NIP)" in column B), a column per day of the month under the header row
    ("No", "Nama / NIP", "1 Kam", ...), a shift code or blank (day off) in each cell; "·" leaves the
    day as it is (the sheet's mark of a day on no shift schedule), and so does "×" (or a blank) on
    a leaver's day after their post's end (ROSTER_GONE): a code there is refused, naming the
    person and the day. The "Bulan ..." line must name
    `period`; the coverage rows ("Jumlah shift P") are ignored. Every problem is listed at once by
    row or cell (B7, D8) and nothing is saved if there is any: an unknown or repeated NIP, a code
    not in the employee's schedule that day, a code on a day without a shift schedule, a changed
    cell the actor may not roster (their own, another unit's day). What passes is saved by
    workcal.services.roster_month_save, the page's own save (overlapping shifts refused there too).
    `employees`: the page's rows (the unit's shift workers the actor sees). Returns the number of
    days changed. A fixed number of queries for any number of rows."""
    from openpyxl.utils import get_column_letter

    from ekinerja.workcal import services as workcal_services

    rows = _roster_rows(upload)
    problems: list[str] = []
    label = f"Bulan {period.label}"
    titles = [cell_text(r[0]) for r in rows[:12] if r]
    month_line = next((t for t in titles if t.startswith("Bulan ")), None)
    if month_line is None:
        problems.append(f"Baris '{label}' tidak ada di atas tabel; unggah lembar roster unduhan.")
    elif month_line != label:
        problems.append(
            f"Berkas ini untuk {month_line[6:]}, bukan {period.label}: buka roster "
            f"{month_line[6:]} untuk mengunggahnya, atau unduh lembar {period.label}."
        )
    top = next(
        (
            i
            for i, r in enumerate(rows[:60])
            if len(r) > 1 and cell_text(r[0]) == "No" and cell_text(r[1]).startswith("Nama")
        ),
        None,
    )
    if top is None:
        problems.append("Baris judul kolom ('No', 'Nama / NIP', tanggal) tidak ditemukan.")
        raise ValidationError({"file": problems})
    header = rows[top]
    for j, day in enumerate(month.days):
        got = cell_text(header[2 + j]) if 2 + j < len(header) else ""
        if got.split()[0:1] != [str(day.day)]:
            problems.append(
                f"Sel {get_column_letter(3 + j)}{top + 1}: harus tanggal {day.day}, "
                f"tertulis '{got}'. Jangan menyisipkan atau menghapus kolom."
            )
    if problems:
        raise ValidationError({"file": problems})
    by_nip = {e.nip: e for e in employees}
    codes = {sched: {o.code.upper(): o.code for o in opts} for sched, opts in month.shifts.items()}
    seen: dict[int, int] = {}
    cells: dict[tuple[int, dt.date], str | None] = {}
    where: dict[tuple[int, dt.date], str] = {}
    for i in range(top + 1, len(rows)):
        row, n = rows[i], i + 1
        name = cell_text(row[1]) if len(row) > 1 else ""
        if name.startswith("Jumlah shift") or not any(cell_text(v) for v in row):
            continue
        nip = name.rsplit("(", 1)[-1].rstrip(")").replace(" ", "") if "(" in name else name
        emp = by_nip.get(nip)
        if emp is None:
            problems.append(
                f"Baris {n}: '{name}' bukan pegawai shift unit ini pada {period.label} "
                "(kolom B: Nama (NIP), seperti pada lembar unduhan)."
            )
            continue
        if emp.id in seen:
            problems.append(f"Baris {n}: {emp.name} sudah ada di baris {seen[emp.id]}.")
            continue
        seen[emp.id] = n
        on = month.schedule_on.get(emp.id, {})
        for j, day in enumerate(month.days):
            ref = f"{get_column_letter(3 + j)}{n}"
            value = cell_text(row[2 + j]) if 2 + j < len(row) else ""
            if value == ROSTER_KEEP:
                continue
            if month.gone_on(emp.id, day):
                # A leaver's day after their post's end: nothing may be written there.
                if value not in ROSTER_OFF and value != ROSTER_GONE:
                    problems.append(
                        f"Sel {ref} ({emp.name}, {tanggal(day)}): {emp.name} tidak menjabat lagi "
                        f"sejak {tanggal(month.in_post_until[emp.id] + dt.timedelta(days=1))} "
                        f"(berhenti); roster hari itu tidak dapat diisi, biarkan '{ROSTER_GONE}' "
                        f"(tertulis '{value}')."
                    )
                continue
            sched = on.get(day)
            if sched is None:
                if value not in ROSTER_OFF:
                    problems.append(
                        f"Sel {ref} ({emp.name}, {tanggal(day)}): tidak mengikuti jadwal shift "
                        f"pada hari itu; kosongkan sel (tertulis '{value}')."
                    )
                continue
            if value in ROSTER_OFF:
                code = None
            else:
                code = codes.get(sched, {}).get(value.upper())
                if code is None:
                    known = ", ".join(sorted(codes.get(sched, {}).values()))
                    problems.append(
                        f"Sel {ref} ({emp.name}, {tanggal(day)}): shift '{value}' tidak ada di "
                        f"jadwal {month.schedules[sched][0]} ({known}); kosongkan untuk libur."
                    )
                    continue
            cells[(emp.id, day)] = code
            where[(emp.id, day)] = ref
    changed = {c for c, code in cells.items() if code != month.rostered.get(c[0], {}).get(c[1])}
    allowed = workcal_services.roster_cells_allowed(actor, instansi, changed)
    me = org.employee_for_user(actor)
    refused: dict[int, list[str]] = {}
    for c in sorted(changed - allowed):
        refused.setdefault(c[0], []).append(where[c])
    names = {e.id: e.name for e in employees}
    for emp_id, refs in refused.items():
        who = names[emp_id]
        if me is not None and emp_id == me.id:
            problems.append(f"Baris {seen[emp_id]} ({who}): {workcal_services.ROSTER_OWN_REFUSED}")
        else:
            problems.append(
                f"Sel {', '.join(refs[:6])}{' …' if len(refs) > 6 else ''} ({who}): pada hari itu "
                "pegawai ini tidak di bawah kewenangan Anda; biarkan sel seperti semula."
            )
    if problems:
        raise ValidationError({"file": problems})
    try:
        return workcal_services.roster_month_save(
            actor=actor,
            instansi=instansi,
            month=month,
            cells=cells,
            names={e.id: f"Baris {seen.get(e.id, '?')} ({e.name})" for e in employees},
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
