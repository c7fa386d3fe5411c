"""Reads of the activity app. All set-based: a fixed number of queries whatever the number of entries,
employees or days.

The numbers the TPP run uses come from `activity_month` and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncDate
from django.http import Http404
from django.utils import timezone

from ekinerja.core import generations, locked_months
from ekinerja.core.clock import local_today
from ekinerja.core.periods import Period, days_after, tanggal
from ekinerja.core.prepared import Param, Prepared, as_model, model_fields
from ekinerja.org.models import Assignment, Employee, Position, Role, Unit
from ekinerja.org.selectors import (
    SuperiorsOver,
    active_on,
    admin_unit_ids,
    held_superior_post,
    user_roles,
)
from ekinerja.performance.models import SkpResult
from ekinerja.performance.selectors import LinkedActivities
from ekinerja.workcal.selectors import (
    InstansiCalendars,
    instansi_calendars,
    nth_working_day_after,
    working_days,
)

from .models import (
    ActivityCatalogItem,
    ActivityEntry,
    ActivitySettings,
    ApiToken,
    EntryStatus,
    Favourite,
    Objection,
    ObjectionStatus,
    ReviewItem,
    UnlockRequest,
    UnlockStatus,
)

# --------------------------------------------------------------------------------------------------
# Policy values


CALENDAR_TTL = 300  # seconds a cached value may outlive a change made in another process

# The values every entry write needs (policy values, the entry window, the instansi's calendars) are
# kept in this process's memory under the instansi's generation, a counter in the shared cache
# (Redis in production) bumped after every committed change to its calendar or policy values
# (signals.py). So a write costs one cache read (the generation), whatever the cache backend; with
# Redis every process sees a change at once, with the per-process fallback cache another process
# may use an old value until it expires (CALENDAR_TTL).
log = logging.getLogger(__name__)

_LOCAL: dict = {}
_LOCAL_MAX = 100_000


def _local_get(key):
    found = _LOCAL.get(key)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    return None


def _local_set(key, value) -> None:
    if len(_LOCAL) >= _LOCAL_MAX:
        _LOCAL.clear()
    _LOCAL[key] = (time.monotonic() + CALENDAR_TTL, value)


def clear_local_caches() -> None:
    """Forget every value kept in this process (tests; a rolled-back change sends no signal)."""
    _LOCAL.clear()


def activity_settings(instansi_id: int) -> ActivitySettings:
    """The instansi's activity policy values; the defaults when none were saved (no write here)."""
    found = ActivitySettings.objects.filter(instansi_id=instansi_id).first()
    return found or ActivitySettings(instansi_id=instansi_id)


def cached_settings(instansi, generation: int | None = None) -> ActivitySettings:
    """activity_settings for the busy write paths (every entry saved), kept under the generation:
    a saved or deleted ActivitySettings bumps it (signals.py)."""
    generation = calendar_generation(instansi.pk) if generation is None else generation
    # The code is in the key with the id, so a kept value never outlives its instansi row.
    key = ("settings", instansi.pk, instansi.code, generation)
    found = _local_get(key)
    if found is None:
        found = activity_settings(instansi.pk)
        _local_set(key, found)
    return found


def settings_changed(instansi) -> None:
    calendar_changed(instansi.pk)


def _generation_key(instansi_id: int) -> str:
    return f"activities:calendar-generation:{instansi_id}"


def calendar_generation(instansi_id: int) -> int:
    """The instansi's current generation (calendar and policy values): part of every kept value's
    key. One read of the shared cache (core.generations: a never-used one when it does not answer,
    so every value is computed afresh and the employees' pages keep working)."""
    return generations.current(_generation_key(instansi_id), what="nilai kalender")


def calendar_changed(instansi_id: int) -> None:
    """The instansi's work calendar or policy values changed: every value kept for it is stale
    (signals.py). Without the shared cache this process at least forgets what it kept; the other
    processes meanwhile compute afresh (calendar_generation), as the cache does not answer them
    either."""
    key = _generation_key(instansi_id)
    try:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, generations.fresh(), None)
    except Exception:
        log.warning(
            "Cache tidak dapat diperbarui; nilai kalender proses ini dibuang", exc_info=True
        )
        _LOCAL.clear()


def is_verifier_of(superior: Employee | None, entry: ActivityEntry) -> bool:
    """The direct superior on the entry's date (Plt/Plh, vacancies: org's rule; an employee made
    inactive since: superior_of_on); never oneself."""
    if superior is None or superior.id == entry.employee_id:
        return False
    if superior.instansi_id != entry.instansi_id:
        return False
    return superior_of_on(entry.employee_id, entry.instansi_id, entry.date) == superior.id


# Someone made inactive (retired, moved to another Pemda, dismissed) drops out of org's hierarchy
# altogether, as a holder (their subordinates go to the next holder up) and as a subordinate. But
# their entries of the days they still held a post keep waiting, and the TPP run pays those days:
# before, nobody but BKPSDM (blindly: in no inbox) could verify them, their superior was told
# "Anda bukan atasan langsung", and they expired. For verification such an employee answers, on
# each day, to the superior of the definitif post they held that day (org's rule from that post).
InactivePosts = dict[int, list[tuple[int, int | None, dt.date, dt.date | None]]]


def inactive_posts(
    instansi_id: int, start: dt.date, end: dt.date, *, employee_ids=None, waiting: bool = False
) -> InactivePosts:
    """Inactive employee id -> their definitif posts over [start, end] as (position, its parent,
    start, end), by start: those of `employee_ids`, or (`waiting`) of every inactive employee with
    an entry waiting for verification dated in the range. One query."""
    rows = Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start),
        instansi_id=instansi_id,
        start__lte=end,
        kind=Assignment.Kind.DEFINITIF,
        employee__is_active=False,
    )
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=sorted(employee_ids))
    if waiting:
        rows = rows.filter(
            Exists(
                ActivityEntry.objects.filter(
                    employee_id=OuterRef("employee_id"),
                    status=EntryStatus.SUBMITTED,
                    date__gte=start,
                    date__lte=end,
                )
            )
        )
    out: InactivePosts = defaultdict(list)
    for emp, pos, par, a_start, a_end in rows.order_by("start", "id").values_list(
        "employee_id", "position_id", "position__parent_id", "start", "end"
    ):
        out[emp].append((pos, par, a_start, a_end))
    return dict(out)


def _post_on(posts: InactivePosts, employee_id: int, day: dt.date) -> int | None:
    found = None
    for pos, _par, a_start, a_end in posts.get(employee_id, ()):
        if a_start <= day and (a_end is None or a_end >= day):
            found = pos  # the latest-starting definitif wins, as in org's hierarchy
    return found


def superior_in(h, employee_id: int, day: dt.date, posts: InactivePosts) -> int | None:
    """h.superior_id (h: org's Hierarchy of `day`), also for an inactive employee of `posts`: the
    superior of the post they held that day, by the same rule."""
    post = None if employee_id in h.definitif else _post_on(posts, employee_id, day)
    if post is None:
        return h.superior_id(employee_id)
    h.definitif[employee_id] = post
    try:
        return h.superior_id(employee_id)
    finally:
        del h.definitif[employee_id]


def superior_of_on(employee_id: int, instansi_id: int, day: dt.date) -> int | None:
    """The verifier of the employee's entries of `day`: their direct superior that day (org's
    rule), also once they are inactive (superior_in). Climbed from the employee's own post
    (org.superior_walk: two queries, whatever the instansi's size; it built the instansi's whole
    hierarchy, 0.3-0.5 s at 20,000 employees, on every verification); one more when there is no
    superior, and only for an inactive employee's post of that day the whole hierarchy."""
    from ekinerja.org.selectors import hierarchy, superior_walk

    found = superior_walk(instansi_id, employee_id, on=day)
    if found is not None:
        return found
    # None: no superior, or no post (an active employee's is superior_walk's answer, as in
    # superior_in); an inactive employee answers to the superior of their post that day.
    posts = inactive_posts(instansi_id, day, day, employee_ids=[employee_id])
    if _post_on(posts, employee_id, day) is None:
        return None
    return superior_in(hierarchy(instansi_id, day), employee_id, day, posts)


def objection_decider(entry: ActivityEntry) -> int | None:
    """Who decides an objection to the entry's verification (the superior's superior): on the
    entry's date, the holder of the first post above the one in which its verifier stood as the
    employee's direct superior (org's rule: Plh, Plt, definitif; vacant posts passed; neither the
    employee nor the verifier). For a verifier holding that post as definitif, their own direct
    superior, as before; for a Plt or Plh, the superior of the post they acted in, not of their own
    definitif post: a kasi of another OPD acting as kasubag here had the objections decided by their
    own kabid there, and a staff member standing in (Plh) for their kasubag by that kasubag. A
    verifier who was not the direct superior (BKPSDM for an employee without one): their own
    direct superior that day. Two to five queries."""
    from ekinerja.org.selectors import hierarchy

    h = hierarchy(entry.instansi_id, entry.date)
    employee, verifier = entry.employee_id, entry.verified_by_id
    post = h.definitif.get(employee)
    if post is None:
        gone = inactive_posts(entry.instansi_id, entry.date, entry.date, employee_ids=[employee])
        post = _post_on(gone, employee, entry.date)

    def next_held(pos: int, skip: set[int]) -> tuple[int | None, int | None]:
        """The first post above `pos` with a holder not in `skip`, and that holder."""
        seen = {pos}
        pos = h.parent.get(pos)
        while pos is not None and pos not in seen:
            seen.add(pos)
            for _rank, _nip, holder in h.holders.get(pos, ()):
                if holder not in skip:
                    return pos, holder
            pos = h.parent.get(pos)
        return None, None

    if post is not None:
        stood_in, superior = next_held(post, {employee})
        if stood_in is not None and superior == verifier:
            return next_held(stood_in, {employee, verifier})[1]
    return superior_of_on(verifier, entry.instansi_id, entry.date)


def may_verify(me: Employee | None, entry: ActivityEntry, *, bkpsdm: bool = False) -> bool:
    """Whether `me` verifies the entry: its employee's direct superior on the entry's date (also once
    the employee is inactive: superior_of_on), or, when the employee has no direct superior that day
    (the top of the position tree, or every post above vacant), a BKPSDM officer (`bkpsdm`), as for
    SKP ratings and leave. Never one's own entry (two queries)."""
    if me is None or me.id == entry.employee_id or me.instansi_id != entry.instansi_id:
        return False
    superior = superior_of_on(entry.employee_id, entry.instansi_id, entry.date)
    return superior == me.id or (superior is None and bkpsdm)


# --------------------------------------------------------------------------------------------------
# Positions held and the catalog items allowed for them


_ON = DateField()
_ID = IntegerField()
# Compiled once per process (core.prepared): these run on every entry written.
_POSITIONS = Prepared(
    lambda: (
        Assignment.objects.filter(active_on(Param("on", _ON)), employee_id=Param("employee", _ID))
        .order_by("kind", "start")
        .values_list("kind", *model_fields(Position, "position__"))
    )
)
_POSITION_ORDER = {Assignment.Kind.DEFINITIF: 0, Assignment.Kind.PLT: 1, Assignment.Kind.PLH: 2}


def positions_held(employee: Employee, on: dt.date) -> list[Position]:
    """Positions the employee holds on a date: definitif first, then Plt/Plh (one query)."""
    rows = _POSITIONS(on=on, employee=employee.pk)
    return [as_model(Position, r[1:]) for r in sorted(rows, key=lambda r: _POSITION_ORDER[r[0]])]


_ITEM = Prepared(
    lambda: (
        ActivityCatalogItem.objects.filter(instansi_id=Param("instansi", _ID), pk=Param("pk", _ID))
        .annotate(
            limited=Exists(
                ActivityCatalogItem.units.through.objects.filter(
                    activitycatalogitem_id=OuterRef("pk")
                )
            )
        )
        .order_by()
        .values_list(*model_fields(ActivityCatalogItem), "limited")
    )
)


def catalog_item(instansi_id: int, pk: int) -> ActivityCatalogItem | None:
    """One catalog item of the instansi (None when there is none), knowing in the same query whether
    it is limited to some units: item_allowed then needs no query for an unlimited item."""
    rows = _ITEM(instansi=instansi_id, pk=pk)
    if not rows:
        return None
    item = as_model(ActivityCatalogItem, rows[0][:-1])
    if not rows[0][-1]:
        item._unit_ids = frozenset()
    return item


def _unit_ancestors(instansi_id: int, unit_ids: set[int]) -> dict[int, set[int]]:
    parent = dict(Unit.objects.filter(instansi_id=instansi_id).values_list("id", "parent_id"))
    out = {}
    for uid in unit_ids:
        chain, node = set(), uid
        while node is not None and node not in chain:
            chain.add(node)
            node = parent.get(node)
        out[uid] = chain
    return out


def allowed_items_q(instansi_id: int, positions: list[Position]) -> Q | None:
    """A filter for catalog items usable in any of `positions` (kind, kelas range, unit or an
    ancestor unit); None when the employee holds no position."""
    if not positions:
        return None
    ancestors = _unit_ancestors(instansi_id, {p.unit_id for p in positions})
    q = Q(pk__in=[])
    for p in positions:
        q |= Q(
            **{f"for_{p.kind}": True},
            kelas_min__lte=p.kelas,
            kelas_max__gte=p.kelas,
        ) & (Q(units__isnull=True) | Q(units__in=ancestors[p.unit_id]))
    return q


def item_allowed(item: ActivityCatalogItem, positions: list[Position]) -> bool:
    """The same rule as allowed_items_q for one item, checked in memory: one query for the item's
    units (none when catalog_item loaded it), and one for the unit tree only when the item is limited
    to some units."""
    fits = [
        p
        for p in positions
        if item.kind_allowed(p.kind) and item.kelas_min <= p.kelas <= item.kelas_max
    ]
    if not fits:
        return False
    units = getattr(item, "_unit_ids", None)  # known already when loaded by catalog_item()
    if units is None:
        units = set(item.units.values_list("id", flat=True))
    if not units:
        return True
    ancestors = _unit_ancestors(item.instansi_id, {p.unit_id for p in fits})
    return any(ancestors[p.unit_id] & units for p in fits)


def allowed_items(employee: Employee, on: dt.date, positions: list[Position] | None = None):
    """Catalog items the employee may use on a date (active then, allowed for a position held)."""
    positions = positions_held(employee, on) if positions is None else positions
    q = allowed_items_q(employee.instansi_id, positions)
    base = ActivityCatalogItem.objects.filter(instansi_id=employee.instansi_id).active_on(on)
    if q is None:
        return base.none()
    ids = base.filter(q).values("id")
    return ActivityCatalogItem.objects.filter(id__in=ids).order_by("name")


def catalog_search(employee: Employee, on: dt.date, text: str, limit: int = 20):
    return list(allowed_items(employee, on).search(text)[:limit])


def recent_items(employee: Employee, limit: int = 6) -> list[ActivityCatalogItem]:
    """The items the employee used most recently (two queries)."""
    ids = list(
        ActivityEntry.objects.filter(employee=employee)
        .values("item_id")
        .annotate(last=Max("date"))
        .order_by("-last")
        .values_list("item_id", flat=True)[:limit]
    )
    by_id = ActivityCatalogItem.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def favourite_items(employee: Employee) -> list[ActivityCatalogItem]:
    return [
        f.item
        for f in Favourite.objects.filter(employee=employee)
        .select_related("item")
        .order_by("item__name")
    ]


def offered_items(
    employee: Employee, day: dt.date, today: dt.date | None = None
) -> tuple[list[ActivityCatalogItem], list[ActivityCatalogItem]]:
    """(favourites, recent items) the entry form offers for `day`: only those the employee may
    use that day (valid on the date, allowed for a post held), as the catalog search does. An item
    withdrawn from the catalog, or one of a post left behind, was offered, picked, and the form
    refused ("tidak berlaku", "tidak tersedia untuk jabatan Anda"). Four queries at most."""
    favs, recent = favourite_items(employee), recent_items(employee)
    ids = {i.pk for i in favs} | {i.pk for i in recent}
    if not ids:
        return favs, recent
    on = min(day, today or local_today(employee.instansi))
    ok = set(allowed_items(employee, on).filter(id__in=ids).values_list("id", flat=True))
    return [i for i in favs if i.pk in ok], [i for i in recent if i.pk in ok]


# --------------------------------------------------------------------------------------------------
# The entry window


def window_end(employee: Employee, day: dt.date, n: int) -> dt.date:
    """The last date on which an entry for `day` may be created or submitted: the n-th working day
    after it, in the employee's own calendar (policy field window_working_days); with n 0, the day
    itself."""
    return nth_working_day_after(employee, day, n) if n else day


def open_unlock(employee: Employee, day: dt.date, today: dt.date) -> UnlockRequest | None:
    """An approved unlock covering `day` whose deadline has not passed."""
    return (
        UnlockRequest.objects.filter(
            employee=employee,
            status=UnlockStatus.APPROVED,
            date_from__lte=day,
            date_to__gte=day,
            deadline__gte=today,
        )
        .order_by("-deadline")
        .first()
    )


@dataclass
class WindowState:
    open: bool
    window_end: dt.date
    unlock: UnlockRequest | None = None
    # The verification deadline of an entry submitted `today` (computed from the same calendar read).
    verify_by: dt.date | None = None

    @property
    def until(self) -> dt.date:
        if self.unlock is not None and self.unlock.deadline > self.window_end:
            return self.unlock.deadline
        return self.window_end


def _instansi_calendars(
    instansi_id: int, generation: int, start: dt.date, end: dt.date
) -> InstansiCalendars:
    """The instansi's schedules, zone and holidays for a date range, shared by every employee's
    window (workcal.instansi_calendars: six queries), kept under the generation: a window not kept
    yet then costs only the employee's own schedule periods and roster (two queries)."""
    key = ("calendars", instansi_id, generation, start, end)
    found = _local_get(key)
    if found is None:
        found = instansi_calendars([instansi_id], start, end)
        _local_set(key, found)
    return found


def window_state(
    employee: Employee,
    day: dt.date,
    today: dt.date,
    settings: ActivitySettings | None = None,
    generation: int | None = None,
) -> WindowState:
    """Whether entries for `day` may be created or submitted `today`: on or before the N-th working day
    after it (policy window_working_days), or under an open unlock. Also the verification deadline of
    an entry submitted today: the V-th working day (policy verification_working_days) after the later
    of the window's end and today. One read of the employee's calendar for both."""
    settings = settings or activity_settings(employee.instansi_id)
    n, v = settings.window_working_days, settings.verification_working_days
    if generation is None:
        generation = calendar_generation(employee.instansi_id)
    # The NIP is in the key too, so a key never outlives the employee row it was computed for.
    key = ("window", employee.instansi_id, generation, employee.id, employee.nip, day, today, n, v)
    cached = _local_get(key)
    if cached is not None:
        end, verify_by = cached
    else:
        span = max(31, 3 * (n + v) + 14)
        start, stop = day + dt.timedelta(days=1), day + dt.timedelta(days=span)
        shared = _instansi_calendars(employee.instansi_id, generation, start, stop)
        days = working_days([employee], start, stop, shared).get(employee.id, [])
        if n == 0:
            end = day
        else:
            end = days[n - 1] if len(days) >= n else window_end(employee, day, n)
        base = max(end, today)
        verify_by = _nth_after(days, base, v) if days and base <= days[-1] else None
        if verify_by is None:
            verify_by = nth_working_day_after(employee, base, v)
        _local_set(key, (end, verify_by))
    if today <= end:
        return WindowState(True, end, None, verify_by)
    unlock = open_unlock(employee, day, today)
    return WindowState(unlock is not None, end, unlock, verify_by)


# A returned entry (dikembalikan untuk perbaikan) may be revised and submitted again for this many
# working days after the day it was returned, in the employee's own calendar, even when the entry
# window of its date has closed meanwhile: the superior may return an entry up to its verification
# deadline, long after the window, and the employee must be able to act on it. Three working days:
# the time to correct an entry, shorter than the window (the TPP run waits for it) and the same for
# every instansi, whatever its verification days.
REVISION_WORKING_DAYS = 3


def returned_on(entry: ActivityEntry, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    """The local day a returned entry was returned (its verification time), None if unknown."""
    if entry.status != EntryStatus.RETURNED or entry.verified_at is None:
        return None
    return timezone.localtime(entry.verified_at, zone).date()


def revision_ends(entries: list[ActivityEntry]) -> dict[int, dt.date]:
    """Entry id -> the last day each returned entry may be revised and submitted again: the
    REVISION_WORKING_DAYS-th working day after the day it was returned, in its employee's calendar.
    Entries of any other status are left out. Entries of one instansi; one calendar read for all."""
    returned = [e for e in entries if e.status == EntryStatus.RETURNED and e.verified_at]
    if not returned:
        return {}
    zone = zoneinfo.ZoneInfo(returned[0].employee.instansi.timezone)
    days = {e.pk: returned_on(e, zone) for e in returned}
    employees = {e.employee_id: e.employee for e in returned}
    span = max(31, 3 * REVISION_WORKING_DAYS + 14)
    start, stop = min(days.values()) + dt.timedelta(days=1), max(days.values())
    calendars = working_days(list(employees.values()), start, stop + dt.timedelta(days=span))
    out = {}
    for e in returned:
        found = _nth_after(calendars.get(e.employee_id, []), days[e.pk], REVISION_WORKING_DAYS)
        # A calendar too short (no schedule ahead): the single-employee rule, rare.
        out[e.pk] = found or nth_working_day_after(e.employee, days[e.pk], REVISION_WORKING_DAYS)
    return out


def revision_until(entry: ActivityEntry) -> dt.date | None:
    """The last day a returned entry may be revised and submitted again (revision_ends), None for
    an entry that is not returned."""
    return revision_ends([entry]).get(entry.pk)


# --------------------------------------------------------------------------------------------------
# Approved leave: no activities on a day of leave


# Attendance holds leave, and sits beside activities in the layer contract (neither imports the
# other), so an app above both registers the read at start-up, as tpp does for the locked months.
# Takes (employee id, date) pairs; returns, for the pairs that have one, the name of the employee's
# approved full-day leave covering that date that rules activities out ("Cuti tahunan"). Without a
# registered read nothing is refused.
LeaveSource = Callable[[Iterable[tuple[int, dt.date]]], dict[tuple[int, dt.date], str]]
_leave_source: list[LeaveSource] = []


def set_leave_source(source: LeaveSource | None) -> None:
    _leave_source[:] = [source] if source is not None else []


def leaves_on(days: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """The approved full-day leave (its name) of each (employee id, date) pair that has one: no
    entry is made, submitted or approved on such a day (one query for any number of pairs)."""
    days = list(days)
    return _leave_source[0](days) if _leave_source and days else {}


def leave_on(employee_id: int, day: dt.date) -> str | None:
    """The employee's approved full-day leave on `day` (its name), None without one."""
    return leaves_on([(employee_id, day)]).get((employee_id, day))


# --------------------------------------------------------------------------------------------------
# Employee day view


@dataclass
class DayView:
    employee: Employee
    day: dt.date
    entries: list[ActivityEntry]
    claimed_minutes: int  # minutes of the day's entries that still count (not rejected/expired)
    approved_minutes: int
    daily_cap: int
    month_minutes: int  # approved credited minutes this month (capped per day)
    month_target: int
    window: WindowState
    favourites: list[ActivityCatalogItem] = field(default_factory=list)
    recent: list[ActivityCatalogItem] = field(default_factory=list)
    # The employee's approved full-day leave on the day (its name): no entry can be made then.
    leave: str | None = None

    @property
    def over_cap(self) -> bool:
        return self.claimed_minutes > self.daily_cap

    @property
    def cap_pct(self) -> int:
        return min(100, round(100 * self.claimed_minutes / self.daily_cap)) if self.daily_cap else 0

    @property
    def month_pct(self) -> int:
        return (
            min(100, round(100 * self.month_minutes / self.month_target))
            if self.month_target
            else 0
        )


def entries_of_day(employee: Employee, day: dt.date) -> list[ActivityEntry]:
    rows = list(
        ActivityEntry.objects.filter(employee=employee, date=day)
        .select_related("item", "verified_by", "objection", "skp_result")
        .annotate(n_evidence=Count("evidence"))
        .order_by("start_time", "id")
    )
    for e in rows:  # the employee (and their instansi) the caller has: no query per entry
        e.employee = employee
    return rows


def month_credited(employee: Employee, period: Period, cap: int) -> int:
    """Approved credited minutes of a month, capped per day (one query)."""
    per_day = (
        ActivityEntry.objects.filter(
            employee=employee,
            status=EntryStatus.APPROVED,
            date__gte=period.first_day,
            date__lte=period.last_day,
        )
        .values("date")
        .annotate(m=Sum("credited_minutes"))
        .values_list("m", flat=True)
    )
    return sum(min(m or 0, cap) for m in per_day)


def claimed_minutes(entries: list[ActivityEntry]) -> int:
    """Minutes of a day's entries that still count: credited for approved ones, as claimed for the
    others, rejected and expired ones left out."""
    return sum(
        e.credited_minutes if e.status == EntryStatus.APPROVED else e.raw_minutes
        for e in entries
        if e.status not in (EntryStatus.REJECTED, EntryStatus.EXPIRED)
    )


def item_outside_message(item: ActivityCatalogItem, day: dt.date, *, stored: bool) -> str | None:
    """The employee's message when `item` is not in the catalog on `day` (None when it is): since
    when it is gone (BKPSDM ended it) or from when it applies, and what to do. `stored`: the entry
    already exists (a draft or returned entry made while the item applied), so it is changed, not
    made again. Before, "Aktivitas 'X' tidak berlaku pada <date>." left a draft made before BKPSDM
    ended the item unexplained: it had been accepted on that very date."""
    what = (
        "Ubah aktivitas ini: pilih butir lain dari katalog yang sesuai, lalu ajukan lagi."
        if stored
        else "Pilih butir lain dari katalog yang sesuai."
    )
    if item.active_to is not None and day > item.active_to:
        return (
            f"Aktivitas '{item.name}' tidak berlaku lagi di katalog sejak "
            f"{tanggal(item.active_to + dt.timedelta(days=1))} (BKPSDM mengakhiri masa "
            f"berlakunya pada {tanggal(item.active_to)}), jadi tidak dapat dipakai untuk "
            f"{tanggal(day)}. {what}"
        )
    if day < item.active_from:
        return (
            f"Aktivitas '{item.name}' baru berlaku di katalog mulai {tanggal(item.active_from)}, "
            f"jadi tidak berlaku untuk {tanggal(day)}. {what}"
        )
    return None


def day_view(employee: Employee, day: dt.date, today: dt.date | None = None) -> DayView:
    today = today or local_today(employee.instansi)
    settings = activity_settings(employee.instansi_id)
    entries = entries_of_day(employee, day)
    # A returned entry may be corrected and submitted again for a while after the return, even
    # once the window has closed: the page offers it (`revise_until`) until then.
    revisions = revision_ends(entries)
    for e in entries:
        e.revise_until = revisions.get(e.pk)
        if e.revise_until is not None and e.revise_until < today:
            e.revise_until = None
        # To be submitted, and its item no longer in the catalog on its date (BKPSDM ended it
        # after the entry was made): said on the entry, which cannot be submitted as it is. (One
        # waiting for verification may still be decided as it is: nothing to say.)
        e.not_in_catalog = (
            item_outside_message(e.item, e.date, stored=True)
            if e.status in (EntryStatus.DRAFT, EntryStatus.RETURNED)
            else None
        )
    favs, recent = offered_items(employee, day, today)
    return DayView(
        employee=employee,
        day=day,
        entries=entries,
        claimed_minutes=claimed_minutes(entries),
        approved_minutes=min(
            settings.daily_cap_minutes,
            sum(e.credited_minutes for e in entries if e.status == EntryStatus.APPROVED),
        ),
        daily_cap=settings.daily_cap_minutes,
        month_minutes=month_credited(employee, Period.of(day), settings.daily_cap_minutes),
        month_target=settings.monthly_target_minutes,
        window=window_state(employee, day, today, settings),
        favourites=favs,
        recent=recent,
        leave=leave_on(employee.pk, day) if day <= today else None,
    )


@dataclass
class HomeSummary:
    """What an employee's home page shows of their activities: today's entries and the month."""

    today: dt.date
    entries: int
    minutes: int  # claimed today (not rejected/expired), as the day page counts them
    drafts: int  # today's entries not yet submitted (draft or returned)
    daily_cap: int
    month_minutes: int
    month_target: int


def home_summary(employee: Employee, today: dt.date) -> HomeSummary:
    """Today's entries and the month's approved minutes (three queries)."""
    settings = activity_settings(employee.instansi_id)
    entries = list(
        ActivityEntry.objects.filter(employee=employee, date=today).only(
            "status", "credited_minutes", "minutes_per_unit", "volume"
        )
    )
    return HomeSummary(
        today=today,
        entries=len(entries),
        minutes=claimed_minutes(entries),
        drafts=sum(e.status in (EntryStatus.DRAFT, EntryStatus.RETURNED) for e in entries),
        daily_cap=settings.daily_cap_minutes,
        month_minutes=month_credited(employee, Period.of(today), settings.daily_cap_minutes),
        month_target=settings.monthly_target_minutes,
    )


def month_days(employee: Employee, period: Period) -> dict[dt.date, dict]:
    """Per day of the month: number of entries by status and claimed minutes (one query)."""
    out: dict[dt.date, dict] = {d: {"n": 0, "minutes": 0, "pending": 0} for d in period.days()}
    rows = (
        ActivityEntry.objects.filter(
            employee=employee, date__gte=period.first_day, date__lte=period.last_day
        )
        .values("date", "status")
        .annotate(n=Count("id"), m=Sum("credited_minutes"))
    )
    for r in rows:
        d = out[r["date"]]
        d["n"] += r["n"]
        if r["status"] == EntryStatus.APPROVED:
            d["minutes"] += r["m"] or 0
        if r["status"] in (EntryStatus.SUBMITTED, EntryStatus.DRAFT, EntryStatus.RETURNED):
            d["pending"] += r["n"]
    return out


# --------------------------------------------------------------------------------------------------
# Superior inbox


@dataclass
class InboxDay:
    day: dt.date
    entries: list[ActivityEntry]
    verify_by: dt.date | None

    @property
    def minutes(self) -> int:
        return sum(e.raw_minutes for e in self.entries)


@dataclass
class InboxGroup:
    employee: Employee
    days: list[InboxDay]
    # BKPSDM verifies these entries: the employee had no direct superior on their dates.
    as_bkpsdm: bool = False
    # Months of these dates whose TPP is locked for the employee (mark_locked_inbox).
    locked_months: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(d.entries) for d in self.days)


@dataclass
class InboxSummary:
    """One subordinate's waiting entries in figures (the inbox's list of who waits)."""

    employee: Employee
    count: int
    days: int
    first: dt.date
    last: dt.date
    verify_by: dt.date | None
    as_bkpsdm: bool = False
    locked_months: list[str] = field(default_factory=list)


@dataclass
class Inbox:
    groups: list[InboxGroup]
    total: int
    earliest_deadline: dt.date | None
    today: dt.date
    # Everyone with entries waiting (the whole inbox, whatever `groups` holds).
    summary: list[InboxSummary] = field(default_factory=list)
    # `groups` holds one subordinate only (the inbox's filter), or nobody: the inbox was summarised.
    employee_id: int | None = None
    summarised: bool = False

    @property
    def days_left(self) -> int | None:
        if self.earliest_deadline is None:
            return None
        return (self.earliest_deadline - self.today).days


INBOX_LOOKBACK_DAYS = 75


def lookback_start(instansi_id: int, today: dt.date) -> dt.date:
    """The first date the inbox looks at: INBOX_LOOKBACK_DAYS back, or the date of an older entry
    still waiting within its verification deadline. Such entries come from an unlock: BKPSDM may
    reopen any past dates (two months at a time), and an entry submitted under it waits until its
    own deadline; before, one dated more than 75 days back was in nobody's inbox and expired. One
    query (the (instansi, status, date) index)."""
    start = today - dt.timedelta(days=INBOX_LOOKBACK_DAYS)
    older = (
        ActivityEntry.objects.filter(
            instansi_id=instansi_id,
            status=EntryStatus.SUBMITTED,
            date__lt=start,
            verify_by__gte=today,
        )
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return older or start


# (employee id, date) -> (entries waiting, their nearest verification deadline)
WaitingDays = dict[tuple[int, dt.date], tuple[int, dt.date | None]]


def waiting_days(
    superior: Employee, today: dt.date, bkpsdm: bool = False
) -> tuple[WaitingDays, WaitingDays]:
    """The days with submitted entries waiting for `superior` over the look-back, per subordinate:
    those whose direct superior on the entry's date was `superior` (org.selectors' rule), and for a
    BKPSDM officer also, apart, those of employees without a direct superior on the date.

    Set-based the other way round from a hierarchy per day: only the employees who may answer to
    `superior` (org.selectors.SuperiorsOver) are looked at, only on the days they have entries
    waiting. Nobody else's superior in the look-back (nearly everyone): one query. Otherwise five,
    whatever the number of employees, days or entries (at 20,000 a sekda's count took 10 s); one
    more for the employees made inactive since, who answer on each day to the superior of the post
    they held (inactive_posts), and one for entries older than the look-back still waiting
    (lookback_start)."""
    start = today - dt.timedelta(days=INBOX_LOOKBACK_DAYS)
    if not bkpsdm and not held_superior_post(superior, start, today):
        return {}, {}
    start = lookback_start(superior.instansi_id, today)
    over = SuperiorsOver(superior.instansi_id, start, today, superior_id=superior.id, top=bkpsdm)
    # SuperiorsOver leaves inactive employees out, as org's hierarchy does; those with entries
    # waiting are added with their posts, and its rule (superior_id, in_hierarchy) applies to them.
    for emp_id, posts in inactive_posts(superior.instansi_id, start, today, waiting=True).items():
        over.add_candidate(emp_id, posts)
    over.candidates.discard(superior.id)
    if not over.candidates:
        return {}, {}
    rows = (
        ActivityEntry.objects.filter(
            instansi_id=superior.instansi_id,
            status=EntryStatus.SUBMITTED,
            date__gte=start,
            date__lte=today,
            employee_id__in=sorted(over.candidates),
        )
        .order_by()
        .values_list("employee_id", "date")
        .annotate(n=Count("id"), due=Min("verify_by"))
    )
    mine: WaitingDays = {}
    fallback: WaitingDays = {}
    for emp_id, day, n, due in rows:
        boss = over.superior_id(emp_id, day)
        if boss == superior.id:
            mine[emp_id, day] = (n, due)
        elif bkpsdm and boss is None and over.in_hierarchy(emp_id, day):
            fallback[emp_id, day] = (n, due)
    return mine, fallback


def _inbox_q(
    superior: Employee, today: dt.date, bkpsdm: bool
) -> tuple[Q | None, list[tuple[dt.date, dt.date, set[int]]], WaitingDays]:
    """The filter of the entries waiting for `superior` over the look-back (waiting_days), the
    days of those BKPSDM verifies as (day, day, employee ids), to tell the groups apart, and the
    waiting days with their counts and nearest deadlines (both kinds). One term per date, not per
    employee (SQLite limits an expression's depth to 1,000)."""
    mine, fallback = waiting_days(superior, today, bkpsdm)
    if not mine and not fallback:
        return None, [], {}
    by_day: dict[dt.date, set[int]] = defaultdict(set)
    for emp_id, day in (*mine, *fallback):
        by_day[day].add(emp_id)
    q = Q(pk__in=[])
    for day, ids in sorted(by_day.items()):
        q |= Q(date=day, employee_id__in=sorted(ids))
    fallback_days: dict[dt.date, set[int]] = defaultdict(set)
    for emp_id, day in fallback:
        fallback_days[day].add(emp_id)
    return q, [(day, day, ids) for day, ids in sorted(fallback_days.items())], {**mine, **fallback}


def superior_inbox(
    superior: Employee,
    today: dt.date | None = None,
    *,
    bkpsdm: bool = False,
    employee_id: int | None = None,
    summarise_over: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Inbox:
    """Submitted entries the superior must verify (they were the direct superior on each entry's date),
    grouped by subordinate and day, oldest first. For a BKPSDM officer (`bkpsdm`) also the entries of
    employees who had no direct superior on the entry's date (services.entry_verify lets BKPSDM
    verify those), in groups marked `as_bkpsdm`. Constant query count.

    For the page (`summarise_over` set): also `summary`, one row per subordinate; the entries of
    one subordinate only (`employee_id`, never outside the superior's own inbox), and none at all
    (`summarised`) when more than `summarise_over` wait: a month of ten subordinates is a thousand
    entries, about 2 MB of HTML that a cheap phone took 44 s to show.

    For the API (`limit` set, without `summarise_over`): only the `limit` entries from `offset` in
    the inbox's order are read (LIMIT/OFFSET in the query, so a sekda's or BKPSDM's inbox of
    thousands costs a page per page); `total`, `earliest_deadline` and each day's `verify_by` are
    still those of every waiting entry (of `employee_id`'s, if given), from waiting_days' counts,
    with no further query. A day or group cut by the page goes on in the next."""
    today = today or local_today(superior.instansi)
    q, fallback, days_waiting = _inbox_q(superior, today, bkpsdm)
    if q is None:
        return Inbox([], 0, None, today, employee_id=employee_id)
    waiting = ActivityEntry.objects.filter(
        q, instansi_id=superior.instansi_id, status=EntryStatus.SUBMITTED
    ).exclude(employee_id=superior.id)
    summary = (
        _inbox_summary(waiting, fallback, superior.instansi_id)
        if summarise_over is not None
        else []
    )
    total = sum(s.count for s in summary)
    if employee_id is not None:
        # Within the superior's own inbox: any other id simply finds nothing.
        waiting = waiting.filter(employee_id=employee_id)
    elif summarise_over is not None and total > summarise_over:
        deadlines = [s.verify_by for s in summary if s.verify_by]
        return Inbox(
            [], total, min(deadlines) if deadlines else None, today, summary, summarised=True
        )
    rows = (
        waiting.select_related("item", "employee", "skp_result")
        .annotate(n_evidence=Count("evidence"))
        .order_by("employee__name", "employee_id", "date", "start_time", "id")
    )
    paged = limit is not None and summarise_over is None
    if paged:
        rows = rows[offset : offset + limit]
    entries = list(rows)
    groups: list[InboxGroup] = []
    for e in entries:
        if not groups or groups[-1].employee.id != e.employee_id:
            groups.append(InboxGroup(e.employee, []))
            groups[-1].as_bkpsdm = any(
                a <= e.date <= b and e.employee_id in ids for a, b, ids in fallback
            )
        days = groups[-1].days
        if not days or days[-1].day != e.date:
            days.append(InboxDay(e.date, [], e.verify_by))
        days[-1].entries.append(e)
        if e.verify_by and (days[-1].verify_by is None or e.verify_by < days[-1].verify_by):
            days[-1].verify_by = e.verify_by
    if paged:
        # The page holds part of the inbox: the figures are the whole inbox's (or subordinate's).
        counted = {
            key: value
            for key, value in days_waiting.items()
            if employee_id is None or key[0] == employee_id
        }
        for g in groups:
            for d in g.days:
                # A day cut by the page keeps the nearest deadline of all its entries.
                d.verify_by = counted.get((g.employee.pk, d.day), (0, d.verify_by))[1]
        deadlines = [due for _n, due in counted.values() if due]
        return Inbox(
            groups,
            sum(n for n, _due in counted.values()),
            min(deadlines) if deadlines else None,
            today,
            employee_id=employee_id,
        )
    if summarise_over is None:
        deadlines = [e.verify_by for e in entries if e.verify_by]
        return Inbox(groups, len(entries), min(deadlines) if deadlines else None, today)
    deadlines = [s.verify_by for s in summary if s.verify_by]
    return Inbox(
        groups,
        total,
        min(deadlines) if deadlines else None,
        today,
        summary,
        employee_id=employee_id,
    )


def _inbox_summary(waiting, fallback, instansi_id: int) -> list[InboxSummary]:
    """Per subordinate: entries and days waiting, first and last date, nearest deadline (two
    queries: the counts per employee and day, then the employees)."""
    rows = list(
        waiting.order_by()
        .values_list("employee_id", "date")
        .annotate(n=Count("id"), due=Min("verify_by"))
    )
    people = Employee.objects.filter(instansi_id=instansi_id).in_bulk({r[0] for r in rows})
    out: dict[int, InboxSummary] = {}
    for emp_id, day, n, due in rows:
        s = out.get(emp_id)
        if s is None:
            s = out[emp_id] = InboxSummary(people[emp_id], 0, 0, day, day, due)
        s.count += n
        s.days += 1
        s.first, s.last = min(s.first, day), max(s.last, day)
        if due and (s.verify_by is None or due < s.verify_by):
            s.verify_by = due
        s.as_bkpsdm = s.as_bkpsdm or any(a <= day <= b and emp_id in ids for a, b, ids in fallback)
    return sorted(out.values(), key=lambda s: (s.employee.name, s.employee.pk))


# The orders of the inbox's list of who waits (the page's `urut`), the first the default: the
# nearest verification deadline first, since what is not decided by then expires (or is approved
# unread under `auto_approve`) whatever the superior meant to do.
INBOX_PEOPLE_ORDERS = {
    "batas": "Batas terdekat",
    "jumlah": "Terbanyak menunggu",
    "nama": "Nama",
}


def inbox_people(
    summary: list[InboxSummary], *, search: str = "", order: str = "batas"
) -> list[InboxSummary]:
    """The inbox's list of who waits (superior_inbox's `summary`), found and ordered for the page:
    `search` keeps those whose name (with titles) holds the words typed, or whose NIP holds the
    digits typed (spaces ignored, as NIPs are often written in groups); `order` is a key of
    INBOX_PEOPLE_ORDERS (an unknown one orders by deadline). No query: a Kabid of 650
    subordinates finds one among them without another read."""
    words = search.casefold().split()
    digits = "".join(words)
    if words:
        summary = [
            s
            for s in summary
            if all(w in s.employee.full_name.casefold() for w in words)
            or (digits.isdigit() and digits in (s.employee.nip or "").replace(" ", ""))
        ]

    def name(s: InboxSummary) -> tuple[str, int]:
        return s.employee.name.casefold(), s.employee.pk

    def due(s: InboxSummary) -> tuple[bool, dt.date]:
        return s.verify_by is None, s.verify_by or dt.date.max

    if order == "nama":
        return sorted(summary, key=name)
    if order == "jumlah":
        return sorted(summary, key=lambda s: (-s.count, *due(s), *name(s)))
    return sorted(summary, key=lambda s: (*due(s), *name(s)))


def inbox_count(
    superior: Employee, today: dt.date | None = None, *, bkpsdm: bool = False
) -> tuple[int, dt.date | None]:
    """How many entries wait for the superior (and, for BKPSDM, those of employees without a direct
    superior: superior_inbox) and the nearest verification deadline. waiting_days: one query for
    whoever held no post with posts under it in the look-back, seven otherwise."""
    today = today or local_today(superior.instansi)
    mine, fallback = waiting_days(superior, today, bkpsdm)
    counts = [*mine.values(), *fallback.values()]
    dues = [due for _n, due in counts if due]
    return sum(n for n, _due in counts), min(dues) if dues else None


def former_superior_waiting(
    employee: Employee, today: dt.date | None = None
) -> tuple[int, dt.date | None]:
    """Entries still waiting for someone who is nobody's superior today but was within the inbox's
    look-back (moved to a post without subordinates, or their subordinates moved away): they verify
    the days they supervised. As inbox_count: how many, and the nearest verification deadline. One
    query for everybody else (no post with positions under it in the look-back)."""
    return inbox_count(employee, today)


def mark_locked_inbox(
    instansi_id: int, inbox: Inbox, summary: list[InboxSummary] | None = None
) -> None:
    """Sets `locked_months` on the inbox's groups and summary rows (`summary`: only those, e.g.
    the page's rows of a long list): the months of their dates whose TPP is already locked for the
    employee ("Oktober 2026"). A decision there changes the entry, not what was paid (the run's
    figures of a locked month never change; a difference goes through a TPP correction), so the
    superior is told before deciding, as attendance's deciders are. One query for the page."""

    def span(item) -> tuple[int, dt.date, dt.date]:
        if isinstance(item, InboxGroup):
            return item.employee.pk, item.days[0].day, item.days[-1].day
        return item.employee.pk, item.first, item.last

    rows = inbox.summary if summary is None else summary
    locked_months.mark(instansi_id, [*inbox.groups, *rows], span)


def month_tpp_locked(employee: Employee, period: Period) -> bool:
    """Whether the employee's TPP of the month is locked: it stays as computed, so what is verified
    or changed in the month since is in the record (the month page) but not in that pay. One
    query."""
    return bool(locked_months.locked(employee.instansi_id, {(employee.pk, str(period))}))


def locked_months_of_unlocks(instansi_id: int, unlocks: list[UnlockRequest]) -> None:
    """Sets `locked_months` on each unlock: the months of its range whose TPP is already locked for
    its employee ("Oktober 2026"), so BKPSDM knows approving cannot change that pay (one query)."""
    locked_months.mark(instansi_id, unlocks, lambda u: (u.employee_id, u.date_from, u.date_to))


# --------------------------------------------------------------------------------------------------
# Visibility


def entry_visible_to(user, entry: ActivityEntry) -> bool:
    """The owner, the verifier on the entry's date, the objection's decider, BKPSDM and pimpinan,
    a tim penilai of the entry's unit (or the whole instansi), an admin OPD of the entry's unit."""
    if not user.is_authenticated or user.instansi_id != entry.instansi_id:
        return False
    if entry.employee.user_id == user.id:
        return True
    roles = user_roles(user)
    if roles & {Role.BKPSDM, Role.PIMPINAN}:
        return True
    me = Employee.objects.filter(user=user, instansi_id=user.instansi_id).first()
    if me is not None:
        if is_verifier_of(me, entry):
            return True
        if Objection.objects.filter(entry=entry, decider=me).exists():
            return True
    if Role.TIM_PENILAI in roles and tim_penilai_covers(user, entry):
        return True
    if Role.ADMIN_OPD in roles:
        units = admin_unit_ids(user)
        return Assignment.objects.filter(
            active_on(entry.date), employee_id=entry.employee_id, position__unit_id__in=units
        ).exists()
    return False


def tim_penilai_unit_ids(user) -> set[int] | None:
    """Units a tim penilai account reviews (with sub-units); None = the whole instansi."""
    from ekinerja.org.models import RoleGrant

    grants = list(
        RoleGrant.objects.filter(
            user=user, instansi_id=user.instansi_id, role=Role.TIM_PENILAI
        ).values_list("unit_id", flat=True)
    )
    if not grants:
        return set()
    if any(g is None for g in grants):
        return None
    parent = dict(Unit.objects.filter(instansi_id=user.instansi_id).values_list("id", "parent_id"))
    kids = defaultdict(list)
    for u, p in parent.items():
        kids[p].append(u)
    out, stack = set(), list(grants)
    while stack:
        u = stack.pop()
        if u not in out:
            out.add(u)
            stack.extend(kids.get(u, ()))
    return out


def recap_unit_ids(user) -> set[int] | None:
    """Units whose activity recap an account may see (None: every unit of its instansi): BKPSDM
    and pimpinan all; an admin OPD their units; a tim penilai its units (all when instansi-wide)."""
    roles = user_roles(user)
    if roles & {Role.BKPSDM, Role.PIMPINAN}:
        return None
    allowed = set(admin_unit_ids(user)) if Role.ADMIN_OPD in roles else set()
    if Role.TIM_PENILAI in roles:
        team = tim_penilai_unit_ids(user)
        return None if team is None else allowed | team
    return allowed


def tim_penilai_covers(user, entry: ActivityEntry) -> bool:
    return tim_penilai_covers_employee(user, entry.employee_id, entry.date)


def tim_penilai_covers_employee(user, employee_id: int, on: dt.date) -> bool:
    """The tim penilai account reviews the units of the employee's definitif post on the date."""
    units = tim_penilai_unit_ids(user)
    if units is None:
        return True
    return Assignment.objects.filter(
        active_on(on),
        employee_id=employee_id,
        kind=Assignment.Kind.DEFINITIF,
        position__unit_id__in=units,
    ).exists()


def objections_to_decide(decider: Employee, *, bkpsdm: bool = False):
    """Pending objections `decider` decides: their own, and for a BKPSDM officer (`bkpsdm`) also
    those of their instansi whose decider is no longer active (retired, moved out, dismissed), which
    would otherwise wait for ever (`orphaned_objection`), but never one against their own entry or
    their own verification."""
    who = Q(decider=decider)
    if bkpsdm:
        who |= (
            Q(instansi_id=decider.instansi_id, decider__is_active=False)
            & ~Q(entry__employee=decider)
            & ~Q(verifier=decider)
        )
    return (
        Objection.objects.filter(who, status=ObjectionStatus.PENDING)
        .select_related("entry", "entry__item", "entry__employee", "verifier", "decider")
        .order_by("filed_at")
    )


def orphaned_objection(objection: Objection) -> bool:
    """Whether the objection's decider has left (inactive): BKPSDM decides it instead."""
    return not objection.decider.is_active


def review_items(sample) -> list[ReviewItem]:
    return list(
        ReviewItem.objects.filter(sample=sample)
        .select_related("entry", "entry__item", "entry__employee", "entry__verified_by")
        .order_by("entry__date", "id")
    )


# --------------------------------------------------------------------------------------------------
# Monthly recap: THE numbers the TPP run uses


@dataclass
class ActivityMonth:
    employee_id: int
    period: Period
    # Credited minutes per day, after the daily cap: whole minutes. With daily_cap=NO_CAP (the TPP
    # run) each entry's exact standard minutes x volume: an int, or a Decimal for a fractional sum.
    minutes_by_day: dict[dt.date, int | Decimal]
    credited_minutes: int | Decimal
    target_minutes: int
    approved: int
    rejected: int
    expired: int
    pending: int  # submitted and not yet verified, plus drafts and returned entries
    late: int  # approved but outside the window and any unlock: not counted
    daily_cap: int
    # Submitted or approved entries submitted after the window and not covered by an approved
    # unlock: they never count (tpp-rules.md "Entry window": expired entries).
    window_expired: int = 0

    @property
    def score(self):
        """min(1, credited / target) as a Decimal fraction (the TPP calculator applies its own cap)."""
        if not self.target_minutes:
            return Decimal(0)
        return min(Decimal(1), Decimal(self.credited_minutes) / Decimal(self.target_minutes))


def _nth_after(days: list[dt.date], day: dt.date, n: int) -> dt.date | None:
    """The n-th date in the sorted list strictly after `day`, or None when the list is too short."""
    import bisect

    i = bisect.bisect_right(days, day)
    j = i + n - 1
    return days[j] if j < len(days) else None


NO_CAP = 0


def activity_month(
    employees: list[Employee],
    period: Period,
    *,
    window_working_days: int | None = None,
    daily_cap: int | None = None,
    days_of: dict[int, list[tuple[dt.date, dt.date]]] | None = None,
) -> dict[int, ActivityMonth]:
    """Per employee, the month's credited minutes and counts.

    `days_of` (a unit's recap): employee id -> the (first, last) days they held a post in the unit;
    only their entries dated within those count, in every figure. An employee not in it keeps
    every day of the month.

    `window_working_days` and `daily_cap` default (None) to ActivitySettings. The TPP run passes the
    policy's entry window and `daily_cap=NO_CAP` (0): minutes are then each approved entry's full
    standard minutes x approved volume, before the cap applied at verification, and no daily cap is
    applied (the TPP calculator applies the policy's own).

    Rule (tpp-rules.md, "Activity" and "Entry window"): an entry counts when it is approved and was
    submitted on or before the N-th working day after its date (the employee's own calendar), or its
    date lies in an approved unlock and it was submitted by the unlock's deadline. An entry the
    superior returned for revision and the employee submitted again keeps its first submission time
    (services._submit_fields), so it counts as the timely submission it was. Credited minutes per
    day are capped at the policy's daily cap. Target = the monthly target minutes (the TPP run reduces it
    for days out of post and target-reducing leave).

    Queries: settings, entries, unlocks, plus the work calendar's own constant count; whatever the
    number of employees and entries. Assumes employees of one instansi.
    """
    if not employees:
        return {}
    instansi_id = employees[0].instansi_id
    settings = activity_settings(instansi_id)
    n = settings.window_working_days if window_working_days is None else window_working_days
    cap = settings.daily_cap_minutes if daily_cap is None else daily_cap
    ids = [e.id for e in employees]
    tz = employees[0].instansi.timezone if hasattr(employees[0], "instansi") else None
    zone = zoneinfo.ZoneInfo(tz) if tz else timezone.get_current_timezone()

    # Aggregated in SQL per (employee, day, status, local submission date): every rule below is
    # decided per such group, so the counts and sums are those of the entries one by one, and a month
    # of 20,000 employees is a third of the rows, without parsing a timestamp per entry.
    who = Q(employee_id__in=ids) if len(ids) <= 500 else Q(instansi_id=instansi_id)
    # Each entry's exact standard minutes x approved volume (tpp-rules.md: no rounding of minutes),
    # in hundredths of a minute: volumes have two decimals, so integers stay exact and cheap.
    hundredths = Cast(
        Round(Coalesce("approved_volume", "volume") * Value(100)), output_field=IntegerField()
    )
    full = ExpressionWrapper(F("minutes_per_unit") * hundredths, output_field=IntegerField())
    grouped = (
        ActivityEntry.objects.filter(who, date__gte=period.first_day, date__lte=period.last_day)
        .values("employee_id", "date", "status")
        .annotate(
            submitted_on=TruncDate("submitted_at", tzinfo=zone),
            n=Count("id"),
            credited=Sum("credited_minutes"),
            full=Sum(full),
        )
        .order_by()
        .values_list("employee_id", "date", "status", "submitted_on", "n", "credited", "full")
    )
    if connection.vendor == "postgresql":
        # A plain cursor: psycopg already gives ints and dates, Django's per-row converters (a
        # million calls for a month of 20,000 employees) add nothing.
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
    else:
        rows = list(grouped)
    unlocks: dict[int, list[tuple[dt.date, dt.date, dt.date]]] = defaultdict(list)
    for emp, a, b, deadline in UnlockRequest.objects.filter(
        Q(employee_id__in=ids) if len(ids) <= 500 else Q(instansi_id=instansi_id),
        status=UnlockStatus.APPROVED,
        date_from__lte=period.last_day,
        date_to__gte=period.first_day,
    ).values_list("employee_id", "date_from", "date_to", "deadline"):
        unlocks[emp].append((a, b, deadline))

    # Working days from the month's first day far enough past its end to reach every window's end
    # (N working days plus a long holiday such as Idul Fitri with cuti bersama).
    horizon = days_after(period.last_day, 2 * n + 30)
    calendars = working_days(list(employees), period.first_day, horizon)
    by_id = {e.id: e for e in employees}
    ends: dict[tuple[int, dt.date], dt.date] = {}

    def end_of(emp_id: int, day: dt.date) -> dt.date:
        key = (emp_id, day)
        if key not in ends:
            if n == 0:
                ends[key] = day
                return day
            found = _nth_after(calendars.get(emp_id, []), day, n)
            # A calendar too short (no working days left in the horizon) falls back to the
            # single-employee rule: rare, so the extra query does not grow with entries.
            ends[key] = found or window_end(by_id[emp_id], day, n)
        return ends[key]

    def counts(emp: int, day: dt.date, submitted_on: dt.date | None) -> bool:
        if submitted_on is None:
            return False
        if submitted_on <= day:  # a window ends on or after the entry's own date
            return True
        end = ends.get((emp, day)) or end_of(emp, day)
        if submitted_on <= end:
            return True
        return emp in unlocks and any(
            a <= day <= b and submitted_on <= deadline for a, b, deadline in unlocks[emp]
        )

    result = {
        e.id: ActivityMonth(
            employee_id=e.id,
            period=period,
            minutes_by_day={},
            credited_minutes=0,
            target_minutes=settings.monthly_target_minutes,
            approved=0,
            rejected=0,
            expired=0,
            pending=0,
            late=0,
            daily_cap=cap,
        )
        for e in employees
    }
    raw_by_day: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    # NO_CAP (the TPP run): the day's exact minutes, summed in hundredths, become whole minutes or
    # an exact Decimal (12.5 for 25 minutes x 0.5) below. Otherwise: the entries' credited minutes.
    approved, submitted = str(EntryStatus.APPROVED), str(EntryStatus.SUBMITTED)
    rejected, expired = str(EntryStatus.REJECTED), str(EntryStatus.EXPIRED)
    for emp, day, status, submitted_on, n_entries, credited, full_minutes in rows:
        m = result.get(emp)
        if m is None:
            continue
        if days_of and emp in days_of and not any(a <= day <= b for a, b in days_of[emp]):
            continue  # a day out of the unit (before a move into it, after leaving it)
        if status == approved or status == submitted:
            ok = counts(emp, day, submitted_on)
            if not ok and submitted_on is not None:
                m.window_expired += n_entries
        if status == approved:
            if ok:
                m.approved += n_entries
                raw_by_day[emp][day] += (full_minutes if cap == NO_CAP else credited) or 0
            else:
                m.late += n_entries
        elif status == rejected:
            m.rejected += n_entries
        elif status == expired:
            m.expired += n_entries
        else:
            m.pending += n_entries
    for emp, days in raw_by_day.items():
        m = result[emp]
        m.minutes_by_day = {
            d: (_from_hundredths(v) if cap == NO_CAP else min(v, cap))
            for d, v in sorted(days.items())
        }
        m.credited_minutes = sum(m.minutes_by_day.values())
    return result


def _from_hundredths(h: int) -> int | Decimal:
    """Minutes counted in hundredths, exactly: an int when whole (nearly always), else a Decimal."""
    whole, part = divmod(h, 100)
    return whole if not part else Decimal(h) / 100


@dataclass
class UnitMonthRow:
    employee: Employee
    month: ActivityMonth
    # The days in the unit when not the whole month ("16 Oktober 2026 – 31 Oktober 2026"): a
    # mover's or a leaver's row counts only those.
    days_in_unit: str = ""


def _unit_posts(unit: Unit, period: Period):
    """The definitif assignments in the unit (or a sub-unit) overlapping the month; an inactive
    employee's (a leaver's) only when its end is recorded, as the reports' (the flag has no date
    to stop at)."""
    from ekinerja.org.selectors import unit_descendant_ids

    return Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=period.first_day),
        Q(employee__is_active=True) | Q(end__isnull=False),
        instansi_id=unit.instansi_id,
        kind=Assignment.Kind.DEFINITIF,
        position__unit_id__in=unit_descendant_ids(unit),
        start__lte=period.last_day,
    )


def unit_recap_employees(unit: Unit, period: Period) -> list[Employee]:
    """Everyone who held a definitif position in the unit (or a sub-unit) on some day of the
    month, by name: the same people as the unit's attendance recap, a mover and a leaver (inactive
    now, retired on the 15th) included, so the unit's rows add up to its OPD's figures in the
    reports (two queries)."""
    emp_ids = _unit_posts(unit, period).values("employee_id")
    return list(
        Employee.objects.filter(id__in=emp_ids).select_related("instansi").order_by("name", "id")
    )


def unit_days(
    unit: Unit, employees: list[Employee], period: Period
) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """Employee id -> the (first, last) days of the month they held a definitif post in the unit
    (or a sub-unit), merged and in order; only for those not in it the whole month (one query)."""
    first, last = period.first_day, period.last_day
    spans: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for emp, start, end in (
        _unit_posts(unit, period)
        .filter(employee_id__in=[e.id for e in employees])
        .order_by("start")
        .values_list("employee_id", "start", "end")
    ):
        a, b = max(start, first), min(end or last, last)
        merged = spans[emp]
        if merged and a <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return {emp: s for emp, s in spans.items() if s != [(first, last)]}


def activity_rows(
    employees: list[Employee], period: Period, *, unit: Unit | None = None
) -> list[UnitMonthRow]:
    """The recap rows of these employees (a page of a unit's: activity_month's fixed queries).
    With `unit`, each counts only the days they held a post in it (one query more)."""
    days_of = unit_days(unit, employees, period) if unit is not None and employees else {}
    months = activity_month(employees, period, days_of=days_of)
    return [
        UnitMonthRow(
            e,
            months[e.id],
            "; ".join(
                tanggal(a) if a == b else f"{tanggal(a)} – {tanggal(b)}" for a, b in days_of[e.id]
            )
            if e.id in days_of
            else "",
        )
        for e in employees
    ]


def unit_activity_month(unit: Unit, period: Period) -> list[UnitMonthRow]:
    """The recap for every employee of the unit (unit_recap_employees), each counting only the
    days in the unit."""
    return activity_rows(unit_recap_employees(unit, period), period, unit=unit)


# --------------------------------------------------------------------------------------------------
# Activities behind an SKP result
#
# An entry names a result of the agreed SKP version when it is made. A revision agreed inside an
# evaluation period copies every result (SkpResult.copied_from), and the period keeps being evaluated
# against the version it started with, so an entry naming the copy counts for the original too. One
# revision deep: two revisions agreed inside one period are not followed further.


def _linked_to(result_ids: list[int]) -> Q:
    return Q(skp_result_id__in=result_ids) | Q(skp_result__copied_from_id__in=result_ids)


def _linked_entries(result_ids: list[int], start: dt.date, end: dt.date):
    # Through the owners' (employee, date) index: an entry names results of its own employee only.
    owners = SkpResult.objects.filter(pk__in=result_ids).values("plan__employee_id")
    return ActivityEntry.objects.filter(
        _linked_to(result_ids), employee_id__in=owners, date__gte=start, date__lte=end
    )


def verified_minutes_by_skp_result(
    result_ids, start: dt.date, end: dt.date
) -> dict[int, LinkedActivities]:
    """result id -> number and credited minutes of the approved entries naming it (or its copy in
    the next SKP version) dated from start to end. Results without any are left out. One query."""
    ids = sorted(set(result_ids))
    if not ids:
        return {}
    rows = (
        _linked_entries(ids, start, end)
        .filter(status=EntryStatus.APPROVED)
        .annotate(
            target=Case(
                When(skp_result_id__in=ids, then=F("skp_result_id")),
                default=F("skp_result__copied_from_id"),
            )
        )
        .values("target")
        .annotate(n=Count("id"), m=Sum("credited_minutes"))
        .values_list("target", "n", "m")
    )
    return {target: LinkedActivities(count=n, minutes=m or 0) for target, n, m in rows}


@dataclass
class SkpResultActivities:
    result: SkpResult
    start: dt.date
    end: dt.date
    counted: list[ActivityEntry]  # approved: what the totals add up
    others: list[ActivityEntry]  # submitted, returned, rejected, expired: shown, not counted

    @property
    def minutes(self) -> int:
        return sum(e.credited_minutes for e in self.counted)

    @property
    def count(self) -> int:
        return len(self.counted)


def entries_for_skp_result(result: SkpResult, start: dt.date, end: dt.date) -> SkpResultActivities:
    """The entries naming the result (or its copy in the next SKP version) dated from start to end,
    drafts left out: approved ones counted, the rest listed apart. One query."""
    entries = list(
        _linked_entries([result.pk], start, end)
        .exclude(status=EntryStatus.DRAFT)
        .select_related("item")
        .order_by("date", "start_time", "id")
    )
    return SkpResultActivities(
        result=result,
        start=start,
        end=end,
        counted=[e for e in entries if e.status == EntryStatus.APPROVED],
        others=[e for e in entries if e.status != EntryStatus.APPROVED],
    )


# --------------------------------------------------------------------------------------------------
# Counts for the leaders' reports


def minutes_by_employee(
    instansi,
    start: dt.date,
    end: dt.date,
    *,
    employee_ids: Iterable[int] | None = None,
    per_day: bool = False,
) -> dict:
    """Employee id -> (credited minutes of their approved entries dated in [start, end], not
    capped per day; how many entries of those days wait for verification) (one query); only
    `employee_ids` when given. `per_day`: keyed by (employee id, date) instead, with the same
    figures for that day alone (the OPD reports count a mover's days for the OPD of each day)."""
    found = ActivityEntry.objects.filter(instansi=instansi, date__gte=start, date__lte=end)
    if employee_ids is not None:
        found = found.filter(employee_id__in=list(employee_ids))
    keys = ("employee_id", "date") if per_day else ("employee_id",)
    rows = (
        found.values(*keys)
        .annotate(
            approved=Sum("credited_minutes", filter=Q(status=EntryStatus.APPROVED)),
            pending=Count("id", filter=Q(status=EntryStatus.SUBMITTED)),
        )
        .order_by()
        .values_list(*keys, "approved", "pending")
    )
    n = len(keys)
    return {(row[:n] if per_day else row[0]): (row[n] or 0, row[n + 1]) for row in rows}


# ---------------------------------------------------------------- an admin OPD's employees

#: Up to this many employees an admin OPD picks from a list; above it (a Dinas Pendidikan: 9,600
#: options, 630 KB on a phone) they type a NIP or a name.
ADMIN_PICK_LIMIT = 200


def _admin_opd_scope(user):
    """The employees an admin OPD may request an unlock for (posted in their units today), as a
    queryset of the user's instansi."""
    from ekinerja.core.scoping import scoped
    from ekinerja.org.selectors import active_on, admin_unit_ids

    units = admin_unit_ids(user)
    if not units:
        return Employee.objects.none()
    today = local_today(user.instansi)
    ids = Assignment.objects.filter(
        active_on(today), instansi_id=user.instansi_id, position__unit_id__in=units
    ).values("employee_id")
    return scoped(Employee, user).filter(id__in=ids)


def admin_opd_employees(user, *, limit: int) -> list[Employee]:
    """The first `limit` employees of the admin OPD's units by name (one query)."""
    return list(_admin_opd_scope(user).order_by("name")[:limit])


def admin_opd_employee_typed(user, typed: str) -> Employee:
    """The employee of the admin OPD's units whose NIP is `typed` (spaces ignored), or whose name
    holds it when only one does; a field error ("pegawai") naming the candidates otherwise (one
    query, two when a typed number is no NIP)."""
    from django.core.exceptions import ValidationError

    scope = _admin_opd_scope(user)
    nip = typed.replace(" ", "")
    found = list(scope.filter(nip=nip)[:1]) if nip.isdigit() else []
    if not found:
        found = list(scope.filter(name__icontains=typed.strip()).order_by("name")[:6])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError({"pegawai": "Tidak ada pegawai unit Anda dengan NIP atau nama itu."})
    shown = ", ".join(f"{e.name} ({e.nip})" for e in found[:5])
    more = " dan lainnya" if len(found) > 5 else ""
    raise ValidationError(
        {"pegawai": f"Lebih dari satu pegawai cocok: {shown}{more}. Ketik NIP-nya."}
    )


# ---------------------------------------------------------------- the mobile app's tokens

TOKEN_NOT_FOUND = "Perangkat tidak ditemukan, atau tokennya sudah dicabut atau kedaluwarsa."


def api_tokens_live(
    instansi_id: int, user_ids: Iterable[int], *, now: dt.datetime | None = None
) -> dict[int, list[ApiToken]]:
    """The live tokens (neither revoked nor expired) of these accounts of the instansi, by user id,
    the most recently used first: the devices the account page lists. One query for any number of
    accounts."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    out: dict[int, list[ApiToken]] = {}
    rows = ApiToken.objects.filter(
        instansi_id=instansi_id,
        user_id__in=ids,
        revoked=False,
        expires_at__gt=now or timezone.now(),
    ).order_by("user_id", F("last_used_at").desc(nulls_last=True), "-created_at", "-pk")
    for token in rows:
        out.setdefault(token.user_id, []).append(token)
    return out


def api_token_live(user, token_id: int) -> ApiToken:
    """A live token of the account (of its instansi): Http404 for another's, another instansi's, a
    revoked or an expired one, which the account's list does not show either."""
    token = ApiToken.objects.filter(
        pk=token_id,
        user_id=user.pk,
        instansi_id=user.instansi_id,
        revoked=False,
        expires_at__gt=timezone.now(),
    ).first()
    if token is None:
        raise Http404(TOKEN_NOT_FOUND)
    return token
