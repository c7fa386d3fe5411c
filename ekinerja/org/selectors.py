"""Reads that carry meaning: who holds which position on a date, who is whose superior.

All of them are set-based: a fixed number of queries whatever the number of employees. The hierarchy
is loaded once per call (positions: id -> parent; assignments active on the date) and walked in memory.

Superior rule: the direct superior of an employee on a date is found by climbing from the employee's
definitif position to its parent position, and on up while a position is vacant. A position's effective
holder on a date is, in order: an active Plh (acting while the holder is away), an active Plt
(acting in a vacancy), the definitif holder. Among several holders of the same kind the lowest NIP is
taken, so the answer is deterministic. Nobody is their own superior: a position the employee holds
themself (e.g. as Plt of their own superior's post) is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from ekinerja.core.models import Instansi

from .models import Assignment, Employee, Position, Role, RoleGrant, Unit

_KIND_RANK = {Assignment.Kind.PLH: 0, Assignment.Kind.PLT: 1, Assignment.Kind.DEFINITIF: 2}


def active_on(on: dt.date) -> Q:
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


@dataclass
class Hierarchy:
    """The position tree and who holds what on one date, for one instansi."""

    on: dt.date
    parent: dict[int, int | None]
    # position id -> [(rank, nip, employee id)], sorted
    holders: dict[int, list[tuple[int, str, int]]]
    definitif: dict[int, int]  # employee id -> definitif position id
    children: dict[int | None, list[int]] = field(default_factory=dict)
    # employee id -> positions they hold (any kind), built on first use by positions_held
    _held_by: dict[int, list[int]] | None = field(default=None, repr=False)

    def holder(self, position_id: int, exclude: int | None = None) -> int | None:
        for _rank, _nip, emp_id in self.holders.get(position_id, ()):
            if emp_id != exclude:
                return emp_id
        return None

    def superior_id(self, employee_id: int) -> int | None:
        pos = self.definitif.get(employee_id)
        if pos is None:
            return None
        seen = {pos}
        pos = self.parent.get(pos)
        while pos is not None and pos not in seen:
            seen.add(pos)
            holder = self.holder(pos, exclude=employee_id)
            if holder is not None:
                return holder
            pos = self.parent.get(pos)
        return None

    def without_superior(self) -> set[int]:
        """The employees with no direct superior (superior_id is None), all at once: those
        whose every post above is vacant or held only by themselves, and those holding no definitif
        post. Linear in the tree: each position's nearest held post above is found once."""
        nearest: dict[int, int | None] = {}  # position -> its nearest strict ancestor with a holder

        def held_above(pos: int) -> int | None:
            chain, seen, found = [pos], {pos}, None
            cur = self.parent.get(pos)
            while cur is not None and cur not in seen:
                if self.holders.get(cur):
                    found = cur
                    break
                if cur in nearest:
                    found = nearest[cur]
                    break
                seen.add(cur)
                chain.append(cur)
                cur = self.parent.get(cur)
            for p in chain:
                nearest[p] = found
            return found

        out = {
            emp
            for holders in self.holders.values()
            for _r, _n, emp in holders
            if emp not in self.definitif
        }
        for emp, pos in self.definitif.items():
            above = nearest[pos] if pos in nearest else held_above(pos)
            if above is None:
                out.add(emp)
            elif all(holder == emp for _r, _n, holder in self.holders[above]):
                # Only themselves above (a Plt of their own superior's post): the walk goes on.
                if self.superior_id(emp) is None:
                    out.add(emp)
        return out

    def positions_led_by(self, employee_id: int) -> list[int]:
        """Positions whose effective holder is this employee."""
        return [p for p in self.holders if self.holder(p) == employee_id]

    def subordinate_ids(self, employee_id: int) -> list[int]:
        """Employees whose direct superior is this employee: definitif holders found below the positions
        they lead, descending through vacant positions."""
        if not self.children:
            kids: dict[int | None, list[int]] = defaultdict(list)
            for pos, par in self.parent.items():
                kids[par].append(pos)
            self.children = kids
        candidates: set[int] = set()
        stack = list(self.positions_led_by(employee_id))
        seen: set[int] = set()
        while stack:
            pos = stack.pop()
            for child in self.children.get(pos, ()):
                if child in seen:
                    continue
                seen.add(child)
                for _r, _n, emp in self.holders.get(child, ()):
                    if self.definitif.get(emp) == child:
                        candidates.add(emp)
                stack.append(child)
        return sorted(
            e for e in candidates if e != employee_id and self.superior_id(e) == employee_id
        )

    def positions_held(self, employee_id: int) -> list[int]:
        """Positions the employee holds on the day, of any kind (built once per hierarchy)."""
        if self._held_by is None:
            held_by: dict[int, list[int]] = defaultdict(list)
            for pos, lst in self.holders.items():
                for _r, _n, emp in lst:
                    held_by[emp].append(pos)  # twice for two posts of one person: walked once
            self._held_by = held_by
        return self._held_by.get(employee_id, [])

    def reporting_to(self, employee_id: int, read: set[int] | None = None) -> set[int]:
        """{e : superior_id(e) == employee_id}, walked down from the employee's own posts instead of
        climbing from everyone's: a climb that ends at a post s answers s's first holder other than
        the climber, so it ends at one of the employee's posts, coming up from a definitif post
        through posts that are vacant or held by the climber alone. From each such s the walk goes
        down through vacant posts (for anyone) and posts held by one person only (for that person
        only); a definitif holder met on the way is a subordinate when s's first holder other than
        them is the employee. `read` collects the positions looked at."""
        if not self.children:
            kids: dict[int | None, list[int]] = {}
            for pos, par in self.parent.items():
                kids.setdefault(par, []).append(pos)
            self.children = kids
        out: set[int] = set()
        for top in set(self.positions_held(employee_id)):
            if top not in self.children:
                continue  # nobody below this post (most posts): nothing to look at
            if read is not None:
                read.add(top)
            first = self.holders[top][0][2]
            if first == employee_id:
                only = None  # anyone below but the employee
            elif self.holder(top, exclude=first) == employee_id:
                only = first  # the one who outranks them here, from a post below
            else:
                continue
            seen = {top}
            stack: list[tuple[int, int | None]] = [(top, only)]
            while stack:
                pos, only = stack.pop()
                for child in self.children.get(pos, ()):
                    if child in seen:
                        continue
                    seen.add(child)
                    if read is not None:
                        read.add(child)
                    held = {e for _r, _n, e in self.holders.get(child, ())}
                    for emp in held:
                        if (
                            emp != employee_id
                            and only in (None, emp)
                            and self.definitif.get(emp) == child
                        ):
                            out.add(emp)
                    if not held:
                        stack.append((child, only))
                    elif len(held) == 1:
                        (alone,) = held
                        if alone != employee_id and only in (None, alone):
                            stack.append((child, alone))
        return out


def hierarchy(instansi: Instansi | int, on: dt.date) -> Hierarchy:
    """Two queries: the position tree and the assignments active on `on`."""
    parent = dict(Position.objects.filter(instansi=instansi).values_list("id", "parent_id"))
    holders: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    definitif: dict[int, int] = {}
    rows = (
        Assignment.objects.filter(active_on(on), instansi=instansi, employee__is_active=True)
        .values_list("position_id", "kind", "employee_id", "employee__nip", "start")
        .order_by("start")
    )
    for pos, kind, emp, nip, _start in rows:
        holders[pos].append((_KIND_RANK[kind], nip, emp))
        if kind == Assignment.Kind.DEFINITIF:
            definitif[emp] = pos  # the latest-starting definitif wins if data is inconsistent
    for lst in holders.values():
        lst.sort()
    return Hierarchy(on=on, parent=parent, holders=dict(holders), definitif=definitif)


# Hierarchy over a date range: who is whose superior on each date.


class HierarchyTimeline:
    """Hierarchy for every date of a range, from two queries.

    Assignments change rarely, so the range is cut at the dates where one starts or ends and one
    Hierarchy is built per piece (lazily). The rule is Hierarchy.superior_id's;
    only the loading is shared across dates."""

    def __init__(self, instansi_id: int, start: dt.date, end: dt.date):
        self.instansi_id = instansi_id
        self.start, self.end = start, end
        self.parent = dict(
            Position.objects.filter(instansi_id=instansi_id).values_list("id", "parent_id")
        )
        # Active employees' assignments make the hierarchy. A leaver's (inactive: retired, dismissed,
        # moved to another Pemda) definitif posts with a recorded end come in the same query, kept
        # apart in `leaver_rows`: on a day they still held one they are below their superior of that
        # day (is_below, employees_below), never anyone's superior nor a holder (docs/architecture.md,
        # "A leaver in the hierarchy"). An open-ended post of an inactive employee never counts.
        rows = list(
            Assignment.objects.filter(
                Q(employee__is_active=True) | Q(end__isnull=False, kind=Assignment.Kind.DEFINITIF),
                Q(end__isnull=True) | Q(end__gte=start),
                instansi_id=instansi_id,
                start__lte=end,
            )
            .order_by("start")
            .values_list(
                "position_id",
                "kind",
                "employee_id",
                "employee__nip",
                "start",
                "end",
                "employee__is_active",
            )
        )
        self.rows = [row[:6] for row in rows if row[6]]
        #: employee id -> their (position, start, end) definitif posts, by start: leavers only
        leavers: dict[int, list[tuple[int, dt.date, dt.date]]] = defaultdict(list)
        for pos, _k, emp, _n, a_start, a_end, is_active in rows:
            if not is_active:
                leavers[emp].append((pos, a_start, a_end))
        self.leaver_rows = dict(leavers)
        cuts = {start}
        for _p, _k, _e, _n, a_start, a_end in self.rows:
            if start < a_start <= end:
                cuts.add(a_start)
            if a_end is not None and start <= a_end < end:
                cuts.add(a_end + dt.timedelta(days=1))
        self.cuts = sorted(cuts)
        self._built: dict[dt.date, Hierarchy] = {}
        self._latest: tuple[dt.date, Hierarchy] | None = None
        self._by_position: dict[int, list] | None = None
        self._by_employee: dict[int, list] = {}
        # cut -> (position, employee) of each assignment starting or ending there (changed_since)
        self._changes: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
        for pos, _k, emp, _n, a_start, a_end in self.rows:
            if start < a_start <= end:
                self._changes[a_start].append((pos, emp))
            if a_end is not None and start <= a_end < end:
                self._changes[a_end + dt.timedelta(days=1)].append((pos, emp))
        self._children: dict[int | None, list[int]] = {}
        for pos, par in self.parent.items():
            self._children.setdefault(par, []).append(pos)
        self._climber: _Climber | None = None

    def climber(self) -> _Climber:
        """The climber over this timeline's rows (is_below's), built on first use and kept: every
        is_below asked with the timeline shares it (its holders per post and day included), as the
        rows it reads never change after __init__."""
        if self._climber is None:
            self._climber = _Climber(self)
        return self._climber

    def changed_between(self, first: dt.date, last: dt.date) -> list[tuple[int, int]]:
        """(position, employee) of the assignments that start or end between two cuts: the
        hierarchy of `last` is that of `first` but for those posts and people."""
        return [pair for cut in self.cuts if first < cut <= last for pair in self._changes[cut]]

    def on(self, day: dt.date) -> Hierarchy:
        if not self.start <= day <= self.end:
            raise ValueError("Tanggal di luar rentang hierarki.")
        # The last cut on or before `day` starts the piece that holds it.
        lo, hi = 0, len(self.cuts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.cuts[mid] <= day:
                lo = mid
            else:
                hi = mid - 1
        key = self.cuts[lo]
        if key not in self._built:
            self._built[key] = self._build(key)
            self._latest = (key, self._built[key])
        return self._built[key]

    def _build(self, key: dt.date) -> Hierarchy:
        """The hierarchy on a cut: from the rows, or, after an earlier cut's, from that one with
        only the posts and people of the assignments changed in between done again (a month's
        pieces in order cost one full build, not one each)."""
        if self._latest is not None and self._latest[0] < key:
            return self._build_from(self._latest[1], key)
        holders: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        held_by: dict[int, list[int]] = defaultdict(list)
        definitif: dict[int, int] = {}
        for pos, kind, emp, nip, a_start, a_end in self.rows:
            if a_start <= key and (a_end is None or a_end >= key):
                holders[pos].append((_KIND_RANK[kind], nip, emp))
                held_by[emp].append(pos)
                if kind == Assignment.Kind.DEFINITIF:
                    definitif[emp] = pos
        for lst in holders.values():
            lst.sort()
        return Hierarchy(
            on=key,
            parent=self.parent,
            holders=dict(holders),
            definitif=definitif,
            children=self._children,
            _held_by=dict(held_by),
        )

    def _build_from(self, earlier: Hierarchy, key: dt.date) -> Hierarchy:
        if self._by_position is None:
            self._by_position, self._by_employee = defaultdict(list), defaultdict(list)
            for row in self.rows:  # in the rows' order: the latest-starting definitif last
                self._by_position[row[0]].append(row)
                self._by_employee[row[2]].append(row)
        holders, definitif = dict(earlier.holders), dict(earlier.definitif)
        held_by = dict(earlier._held_by or {})
        changed = self.changed_between(earlier.on, key)
        for pos in {p for p, _e in changed}:
            lst = sorted(
                (_KIND_RANK[kind], nip, emp)
                for _p, kind, emp, nip, a_start, a_end in self._by_position[pos]
                if a_start <= key and (a_end is None or a_end >= key)
            )
            if lst:
                holders[pos] = lst
            else:
                holders.pop(pos, None)
        for emp in {e for _p, e in changed}:
            held, posted = [], None
            for pos, kind, _e, _n, a_start, a_end in self._by_employee[emp]:
                if a_start <= key and (a_end is None or a_end >= key):
                    held.append(pos)
                    if kind == Assignment.Kind.DEFINITIF:
                        posted = pos
            if held:
                held_by[emp] = held
            else:
                held_by.pop(emp, None)
            if posted is not None:
                definitif[emp] = posted
            else:
                definitif.pop(emp, None)
        return Hierarchy(
            on=key,
            parent=self.parent,
            holders=holders,
            definitif=definitif,
            children=self._children,
            _held_by=held_by,
        )

    def pieces(self) -> list[tuple[dt.date, dt.date]]:
        out = []
        for i, cut in enumerate(self.cuts):
            nxt = self.cuts[i + 1] - dt.timedelta(days=1) if i + 1 < len(self.cuts) else self.end
            out.append((cut, nxt))
        return out


def _employees_by_id(ids) -> dict[int, Employee]:
    return {e.id: e for e in Employee.objects.filter(id__in=list(ids)).select_related("instansi")}


def direct_superior(employee: Employee, *, on: dt.date) -> Employee | None:
    """The employee's direct superior on a date (see the module docstring for the rule), climbed
    from their own definitif post (superior_walk: three queries with the superior's record,
    whatever the instansi's size)."""
    sup = superior_walk(employee.instansi_id, employee.id, on=on)
    return _employees_by_id([sup]).get(sup) if sup else None


def direct_superiors(employees: list[Employee], *, on: dt.date) -> dict[int, Employee | None]:
    """direct_superior for many employees of one instansi at once (constant query count)."""
    if not employees:
        return {}
    h = hierarchy(employees[0].instansi_id, on)
    sup_ids = {e.id: h.superior_id(e.id) for e in employees}
    by_id = _employees_by_id({s for s in sup_ids.values() if s})
    return {eid: by_id.get(sid) if sid else None for eid, sid in sup_ids.items()}


def subordinates(employee: Employee, *, on: dt.date) -> list[Employee]:
    """Employees whose direct superior on `on` is `employee`, ordered by name. (No page asks any
    more: the attendance inbox takes subordinates_walk's ids.)"""
    h = hierarchy(employee.instansi_id, on)
    ids = h.subordinate_ids(employee.id)
    if not ids:
        return []
    return list(
        Employee.objects.filter(id__in=ids)
        .order_by("name")
        .prefetch_related(_current_assignments_prefetch(on))
    )


def is_direct_superior_of(superior: Employee, employee: Employee, *, on: dt.date) -> bool:
    if superior.instansi_id != employee.instansi_id or superior.id == employee.id:
        return False
    return superior_walk(employee.instansi_id, employee.id, on=on) == superior.id


def _current_assignments_prefetch(on: dt.date):
    from django.db.models import Prefetch

    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(active_on(on)).select_related(
            "position", "position__unit"
        ),
        to_attr="current_assignments",
    )


def employees_with_current_assignments(qs: QuerySet, *, on: dt.date) -> QuerySet:
    return qs.prefetch_related(_current_assignments_prefetch(on))


def definitif_assignment(employee: Employee, *, on: dt.date) -> Assignment | None:
    return (
        Assignment.objects.filter(active_on(on), employee=employee, kind=Assignment.Kind.DEFINITIF)
        .select_related("position", "position__unit", "position__parent")
        .order_by("-start")
        .first()
    )


def _descendants(parent: dict[int, int | None], roots: list[int]) -> set[int]:
    kids: dict[int | None, list[int]] = defaultdict(list)
    for uid, par in parent.items():
        kids[par].append(uid)
    out: set[int] = set()
    stack = list(roots)
    while stack:
        u = stack.pop()
        if u in out:
            continue
        out.add(u)
        stack.extend(kids.get(u, ()))
    return out


def unit_descendant_ids(unit: Unit) -> set[int]:
    """The unit and every sub-unit below it (one query)."""
    parent = dict(Unit.objects.filter(instansi_id=unit.instansi_id).values_list("id", "parent_id"))
    return _descendants(parent, [unit.id])


def unit_tree(instansi: Instansi, root: Unit | None = None) -> list[dict]:
    """Units as nested dicts {unit, children} (one query)."""
    units = list(Unit.objects.filter(instansi=instansi).order_by("code"))
    kids: dict[int | None, list[Unit]] = defaultdict(list)
    for u in units:
        kids[u.parent_id].append(u)

    def build(u: Unit) -> dict:
        return {"unit": u, "children": [build(c) for c in kids.get(u.id, [])]}

    roots = [root] if root else kids.get(None, [])
    return [build(u) for u in roots]


#: Above this many positions in a unit's subtree, the chart stops at each sub-unit's top positions
#: (a Dinas Pendidikan with 775 schools was 1.5 MB of tree); each says how many positions lie below
#: it there and links to that sub-unit's own chart.
CHART_FULL_LIMIT = 300


def org_chart(unit: Unit, *, on: dt.date) -> list[dict]:
    """The positions of a unit and its sub-units as a tree, each with its holders on `on`. A big
    subtree (more than CHART_FULL_LIMIT positions) is cut at the sub-units: a position of a sub-unit
    keeps its holders, and its children become `hidden` (how many positions below it).

    Three queries whatever the size of the unit."""
    unit_ids = unit_descendant_ids(unit)
    positions = list(
        Position.objects.filter(instansi_id=unit.instansi_id, unit_id__in=unit_ids).select_related(
            "unit"
        )
    )
    by_id = {p.id: p for p in positions}
    kids: dict[int | None, list[Position]] = defaultdict(list)
    for p in positions:
        kids[p.parent_id if p.parent_id in by_id else None].append(p)
    for lst in kids.values():
        lst.sort(key=lambda p: (-p.kelas, p.name))

    cut = len(positions) > CHART_FULL_LIMIT

    def below(p: Position) -> int:
        return sum(1 + below(c) for c in kids.get(p.id, []))

    shown: list[dict] = []

    def build(p: Position) -> dict:
        if cut and p.unit_id != unit.id:
            node = {"position": p, "holders": [], "children": [], "hidden": below(p)}
        else:
            node = {
                "position": p,
                "holders": [],
                "children": [build(c) for c in kids.get(p.id, [])],
                "hidden": 0,
            }
        shown.append(node)
        return node

    chart = [build(p) for p in kids.get(None, [])]
    # The holders of the positions shown only: a cut chart of the Dinas Pendidikan shows about a
    # thousand of its 6,000 positions, and loaded the 26,000 holders of all of them.
    nodes = {node["position"].id: node for node in shown}
    for a in (
        Assignment.objects.filter(active_on(on), position_id__in=list(nodes))
        .select_related("employee")
        .order_by("kind", "employee__name")
    ):
        nodes[a.position_id]["holders"].append(a)
    return chart


def chart_rows(chart: list[dict]) -> list[dict]:
    """The chart's nodes in page order, each with how many levels end after it (`ends`): the page
    draws the nested lists in one loop instead of including a template per node (half the time of
    a chart of a thousand posts)."""
    rows: list[dict] = []

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            rows.append({"node": node, "ends": 0})
            if node["children"]:
                walk(node["children"])
                rows[-1]["ends"] += 1

    walk(chart)
    for row in rows:
        row["closing"] = range(row["ends"])
    return rows


def user_roles(user) -> frozenset[str]:
    """The roles of an account: granted ones, plus pegawai (has an employee record) and atasan (has
    subordinates today, derived from the hierarchy). An account whose employee record in its
    instansi is inactive (retired, dismissed, moved out) holds none, its grants included: its
    owner has left, even when the login was kept (employee_save keeps a superuser's). An account
    with no employee record (an administrator, a BKPSDM or Kominfo officer's account) keeps its
    grants. Two queries at most; cached on the user object for the request."""
    cached = getattr(user, "_ekinerja_roles", None)
    if cached is not None:
        return cached
    roles: set[str] = set()
    if user.is_authenticated and user.instansi_id:
        from ekinerja.core.clock import local_today

        today = local_today(user.instansi)
        # Whether they hold a post with posts under it comes with the record (no query of its own).
        employee = (
            Employee.objects.filter(user=user, instansi_id=user.instansi_id)
            .annotate(holds_post_above=Exists(_posts_above_others(today, OuterRef("pk"))))
            .first()
        )
        if employee is None or employee.is_active:
            roles.update(
                RoleGrant.objects.filter(user=user, instansi_id=user.instansi_id).values_list(
                    "role", flat=True
                )
            )
        if employee is not None and employee.is_active:
            roles.add(Role.PEGAWAI)
            if leads_anyone(employee, on=today, holds_post_above=employee.holds_post_above):
                roles.add(Role.ATASAN)
    result = frozenset(roles)
    user._ekinerja_roles = result
    return result


def subordinate_count(employee: Employee, *, on: dt.date) -> int:
    return len(subordinates_walk(employee.instansi_id, employee.id, on=on))


def _posts_above_others(on: dt.date, employee) -> QuerySet:
    """The employee's assignments on `on` to a post with posts under it (`employee`: an id or an
    OuterRef)."""
    return Assignment.objects.filter(
        active_on(on), employee_id=employee, position__children__isnull=False
    )


def leads_anyone(employee: Employee, *, on: dt.date, holds_post_above: bool | None = None) -> bool:
    """Whether the employee is anyone's direct superior on `on` (subordinate_count > 0), as
    user_roles asks on every page. Only the holder of a post with posts under it can be one
    (`holds_post_above`, when the caller read it with the employee; otherwise one small query), so
    for nearly everybody that answers; for such a holder, subordinates_walk from their own posts
    (two queries when a post they lead has a definitif holder right below it). Building the
    instansi's whole hierarchy here cost every page of every superior 0.35 s in a Pemda of 20,000."""
    if holds_post_above is None:
        holds_post_above = _posts_above_others(on, employee.pk).exists()
    return holds_post_above and bool(
        subordinates_walk(employee.instansi_id, employee.pk, on=on, first=True)
    )


def subordinates_walk(
    instansi_id: int, employee_id: int, *, on: dt.date, first: bool = False
) -> set[int]:
    """Hierarchy.subordinate_ids of the employee on `on` (with `first`: one of them, or none),
    read from the database down from the employee's own posts instead of the whole instansi's
    hierarchy: a fixed number of queries per level of posts walked, whatever the instansi's size.

    Hierarchy.subordinate_ids takes the definitif holders below the posts the employee leads (is
    the first holder of) whose climb up ends at the employee. A climb ends at the first post with a
    holder other than the climber and answers that holder, so it ends at one of the employee's own
    posts s, coming up through posts vacant or held by the climber alone. So: from each post s the
    employee leads, down through vacant posts (for anyone) and posts one person holds alone (for
    that person only); from a post s whose first holder t outranks the employee there (a Plh over
    them), only t, when the employee comes right after t and s lies below a post they lead."""
    active = Assignment.objects.filter(
        active_on(on), instansi_id=instansi_id, employee__is_active=True
    )
    # Hierarchy.definitif: an employee's latest-starting definitif post in force.
    latest = ~Exists(
        active.filter(employee_id=OuterRef("employee_id"), kind=Assignment.Kind.DEFINITIF).filter(
            Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), id__gt=OuterRef("id"))
        )
    )
    posted = active.filter(latest, kind=Assignment.Kind.DEFINITIF).exclude(employee_id=employee_id)
    holders: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for pos, kind, emp, nip in active.filter(
        position_id__in=active.filter(employee_id=employee_id).values("position_id")
    ).values_list("position_id", "kind", "employee_id", "employee__nip"):
        holders[pos].append((_KIND_RANK[kind], nip, emp))
    for lst in holders.values():
        lst.sort()
    led = {pos for pos, lst in holders.items() if lst[0][2] == employee_id}
    if not led:
        return set()
    if first:
        # Nearly always answered here: a definitif holder right below a post the employee leads.
        # Any one will do: unordered, the database stops at the first. first() sorted every
        # holder below by name (Assignment's ordering) for one row, 0.1-0.2 s for a kepala bidang
        # over 600 posts, on every page (user_roles).
        found = posted.filter(position__parent_id__in=led).order_by()
        hit = list(found.values_list("employee_id", flat=True)[:1])
        if hit:
            return set(hit)
    frontier: dict[int, int | None] = dict.fromkeys(led)
    for pos, lst in holders.items():
        outranking = lst[0][2]
        after = next((e for _r, _n, e in lst if e != outranking), None)
        if pos not in led and after == employee_id and _below_any(instansi_id, pos, led):
            frontier[pos] = outranking
    out: set[int] = set()
    seen: set[int] = set()
    while frontier:
        kids = [
            (child, parent)
            for child, parent in Position.objects.filter(
                instansi_id=instansi_id, parent_id__in=list(frontier)
            ).values_list("id", "parent_id")
            if child not in seen
        ]
        if not kids:
            break
        seen.update(child for child, _p in kids)
        held: dict[int, set[int]] = defaultdict(set)
        definitif: dict[int, set[int]] = defaultdict(set)
        for pos, kind, emp, is_latest in active.filter(
            position_id__in=[child for child, _p in kids]
        ).values_list("position_id", "kind", "employee_id", latest):
            held[pos].add(emp)
            if kind == Assignment.Kind.DEFINITIF and is_latest and emp != employee_id:
                definitif[pos].add(emp)
        deeper: dict[int, int | None] = {}
        for child, parent in kids:
            only = frontier[parent]
            for emp in definitif[child]:
                if only in (None, emp):
                    out.add(emp)
                    if first:
                        return out
            people = held[child]
            if not people:
                deeper[child] = only
            elif len(people) == 1:
                (alone,) = people
                if alone != employee_id and only in (None, alone):
                    deeper[child] = alone
        frontier = deeper
    return out


#: Posts above a post read per query when climbing (a Pemda's chain is rarely deeper: one query).
_CLIMB_LEVELS = 8


def _climb_fields(prefix: str) -> list[str]:
    """(instansi_id, parent_id) of a post and of _CLIMB_LEVELS - 1 posts above it, nearest first."""
    return [
        f"{prefix}{'parent__' * n}{name}"
        for n in range(_CLIMB_LEVELS)
        for name in ("instansi_id", "parent_id")
    ]


def superior_walk(
    instansi_id: int, employee_id: int, *, on: dt.date, leaver: bool = False
) -> int | None:
    """Hierarchy.superior_id of the employee on `on`, read from the database up from their own
    definitif post instead of the instansi's whole hierarchy: the post with the chain of posts above
    it (eight levels a query), then the holders of that chain. Two queries for any chain of up to
    eight posts, whatever the instansi's size; the whole hierarchy is 24,500 rows at 20,000
    employees.

    As in Hierarchy: only the assignments of active employees count (with `leaver`, an inactive
    employee also climbs from a post with a recorded end they held that day, as in is_below), an
    employee's definitif post is their latest-starting one in force, the parent of a post of
    another instansi is not followed, and the first holder (Plh, Plt, definitif; lowest NIP) other than the employee of
    the first post above with one is the superior."""
    active = Assignment.objects.filter(
        active_on(on), instansi_id=instansi_id, employee__is_active=True
    )
    # With `leaver`, the employee's own post may be a leaver's (inactive) whose end is recorded, on a
    # day they still held it (HierarchyTimeline.leaver_rows); a leaver is nobody's superior (`active`
    # above them).
    own = (
        Assignment.objects.filter(
            Q(employee__is_active=True) | Q(end__isnull=False),
            active_on(on),
            instansi_id=instansi_id,
        )
        if leaver
        else active
    )
    row = (
        own.filter(employee_id=employee_id, kind=Assignment.Kind.DEFINITIF)
        .order_by("-start", "-id")
        .values_list("position_id", *_climb_fields("position__"))
        .first()
    )
    if row is None:
        return None
    seen, chain = {row[0]}, []
    levels = row[1:]
    while levels:
        more = None
        for i in range(0, len(levels), 2):
            post_instansi, parent = levels[i], levels[i + 1]
            if post_instansi != instansi_id or parent is None or parent in seen:
                break
            seen.add(parent)
            chain.append(parent)
        else:  # eight posts up and still climbing: the next eight
            more = chain[-1]
        levels = (
            Position.objects.filter(id=more).values_list(*_climb_fields("")).first()
            if more is not None
            else None
        )
    if not chain:
        return None
    holders: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for pos, kind, emp, nip in active.filter(position_id__in=chain).values_list(
        "position_id", "kind", "employee_id", "employee__nip"
    ):
        holders[pos].append((_KIND_RANK[kind], nip, emp))
    for pos in chain:
        for _rank, _nip, emp in sorted(holders.get(pos, ())):
            if emp != employee_id:
                return emp
    return None


def superior_of_month(employee: Employee, start: dt.date, on: dt.date) -> int | None:
    """Whose month [start, on] of the employee it was: their direct superior on `on`
    (superior_walk); for a leaver (inactive) the one on their last day in a definitif post whose
    end is recorded within the month, as departed_raters rates that month (none: None). Two
    queries, three for a leaver."""
    day = on
    if not employee.is_active:
        last = Assignment.objects.filter(
            instansi_id=employee.instansi_id,
            employee_id=employee.pk,
            kind=Assignment.Kind.DEFINITIF,
            end__isnull=False,
            end__gte=start,
            start__lte=on,
        ).aggregate(last=Max("end"))["last"]
        if last is None:
            return None
        day = min(last, on)
    return superior_walk(employee.instansi_id, employee.pk, on=day, leaver=True)


def holds_post(instansi_id: int, employee_id: int, *, on: dt.date) -> bool:
    """Whether the employee is in the instansi's hierarchy of `on` as a holder of any post (any
    kind, active employees only, as in Hierarchy.holders). One query."""
    return Assignment.objects.filter(
        active_on(on), instansi_id=instansi_id, employee_id=employee_id, employee__is_active=True
    ).exists()


def superior_and_subordinates(
    employee: Employee, *, on: dt.date, with_subordinates: bool = True
) -> tuple[int | None, set[int]]:
    """The employee's direct superior and direct subordinates on `on` (Hierarchy.superior_id and
    subordinate_ids), walked from their own posts: a fixed number of queries per level of the
    chain above and of vacant or singly-held posts below, whatever the instansi's size."""
    sup = superior_walk(employee.instansi_id, employee.pk, on=on)
    subs = (
        subordinates_walk(employee.instansi_id, employee.pk, on=on) if with_subordinates else set()
    )
    return sup, subs


def _below_any(instansi_id: int, position_id: int, tops: set[int]) -> bool:
    """Whether the position lies strictly below one of `tops` (its chain up, eight posts a
    query)."""
    up = ["parent_id", *("__".join(["parent"] * n) + "__parent_id" for n in range(1, 8))]
    cur, seen = position_id, {position_id}
    while cur is not None:
        chain = (
            Position.objects.filter(instansi_id=instansi_id, id=cur).values_list(*up).first() or ()
        )
        cur = None
        for pos in chain:
            if pos is None or pos in seen:
                return False
            if pos in tops:
                return True
            seen.add(pos)
            cur = pos
    return False


def admin_unit_ids(user) -> set[int]:
    """Units (with their sub-units) an admin OPD account may manage (two queries)."""
    roots = list(
        RoleGrant.objects.filter(
            user=user, instansi_id=user.instansi_id, role=Role.ADMIN_OPD
        ).values_list("unit_id", flat=True)
    )
    if not roots:
        return set()
    parent = dict(Unit.objects.filter(instansi_id=user.instansi_id).values_list("id", "parent_id"))
    return _descendants(parent, roots)


def openable_profile_ids(user, *, on: dt.date) -> set[int] | None:
    """Employees whose profile this account may open on `on` (None: everyone of its instansi).

    The same rule as the `org.view_employee_profile` permission (self, leaders and BKPSDM/BPKAD/
    Kominfo see all, a superior their direct subordinates, an admin OPD the employees of their units),
    answered for a whole page at once so the org chart links only what would open (a fixed number
    of queries whatever the instansi's size: subordinates_walk).
    """
    roles = user_roles(user)
    if roles & {Role.BKPSDM, Role.PIMPINAN, Role.BPKAD, Role.KOMINFO}:
        return None
    ids: set[int] = set()
    me = employee_for_user(user)
    if me is not None:
        ids.add(me.id)
        # Walked down from their own posts: the whole hierarchy (24,500 rows, 0.3-0.5 s at 20,000
        # employees) was built on every org chart anyone opened.
        ids.update(subordinates_walk(me.instansi_id, me.id, on=on))
    units = admin_unit_ids(user) if Role.ADMIN_OPD in roles else set()
    if units:
        ids.update(
            Assignment.objects.filter(
                active_on(on),
                instansi_id=user.instansi_id,
                kind=Assignment.Kind.DEFINITIF,
                position__unit_id__in=units,
            ).values_list("employee_id", flat=True)
        )
    return ids


def below_in_hierarchy(h: Hierarchy, employee_id: int) -> set[int]:
    """Everyone below the employee in one hierarchy: their direct subordinates (Hierarchy's superior
    rule) and, transitively, those subordinates' subordinates. Never the employee, their own
    superiors (even where an acting post makes the chain loop back) or their peers. In memory,
    walked down from the employee's posts (Hierarchy.reporting_to): the superior of everyone in the
    instansi, once per day of a month, was 624,000 climbs for a kepala bidang (bench/pages.py)."""
    return _below_and_reads(h, employee_id)[0]


def _below_and_reads(h: Hierarchy, employee_id: int) -> tuple[set[int], set[int], set[int]]:
    """below_in_hierarchy, and the positions and employees whose holders, posts or definitif post
    it looked at (a superset): another day whose assignments differ only elsewhere has the same
    answer."""
    positions: set[int] = set()
    people: set[int] = {employee_id}

    def climbed(emp: int) -> None:  # the posts superior_id(emp) may look at
        pos = h.definitif.get(emp)
        while pos is not None and pos not in positions:
            positions.add(pos)
            pos = h.parent.get(pos)

    above: set[int] = set()
    climbed(employee_id)
    sup = h.superior_id(employee_id)
    while sup is not None and sup != employee_id and sup not in above:
        above.add(sup)
        climbed(sup)
        sup = h.superior_id(sup)
    out: set[int] = set()
    stack = [employee_id]
    while stack:
        for emp in h.reporting_to(stack.pop(), positions):
            if emp == employee_id or emp in above or emp in out:
                continue
            out.add(emp)
            stack.append(emp)
    people |= above | out
    for pos in positions:
        people.update(e for _r, _n, e in h.holders.get(pos, ()))
    return out, positions, people


def employees_below(employee: Employee, start: dt.date, end: dt.date) -> set[int]:
    """Employees below `employee` in the hierarchy on some day of [start, end] (below_in_hierarchy of
    each day's hierarchy; two queries whatever the range and the number of employees)."""
    out: set[int] = set()
    timeline = HierarchyTimeline(employee.instansi_id, start, end)
    for _piece_start, _piece_end, below in _below_by_piece(timeline, employee):
        out |= below
    # A leaver (inactive, post ended on the 15th) is below them on the days they still held it.
    climber = timeline.climber()
    out |= {
        emp
        for emp in timeline.leaver_rows
        if emp not in out and _leaver_below(timeline, climber, employee.pk, emp)
    }
    return out


def employees_below_by_piece(
    employee: Employee, start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date, set[int]]]:
    """(first day, last day, employees below `employee`) for each stretch of [start, end] over which
    no assignment changes, in date order: who is below them on a given day (two queries).

    Each stretch's answer is the previous one mended where its changes are (_BelowWalk): in a
    Pemda of 20,000 a month has some 30 stretches, each changing a handful of posts, nearly always
    somewhere below a kepala bidang's 5,800 people; walking them all down again on every stretch
    was 0.6 s of each roster page."""
    return _below_by_piece(HierarchyTimeline(employee.instansi_id, start, end), employee)


def _below_by_piece(
    timeline: HierarchyTimeline, employee: Employee
) -> list[tuple[dt.date, dt.date, set[int]]]:
    pieces = timeline.pieces()
    walk = _BelowWalk(employee.id, mended=len(pieces) > 1)
    out: list[tuple[dt.date, dt.date, set[int]]] = []
    previous: dt.date | None = None
    for piece_start, piece_end in pieces:
        changes = None if previous is None else timeline.changed_between(previous, piece_start)
        out.append((piece_start, piece_end, set(walk.on(timeline, piece_start, changes))))
        previous = piece_start
    return out


class _BelowWalk:
    """below_in_hierarchy of one employee s on the pieces of a timeline in date order, each piece
    mended from the one before instead of walked down again from s.

    below_in_hierarchy walks down from s through Hierarchy.reporting_to (R), never entering s nor
    `above` (s's chain of superiors). R(x) is {e : superior_id(e) == x}, so the walk is a tree:
    each employee is reached from their superior only. R(x) reads only x's own posts, the posts it
    walks (`read`), their holders and those holders' definitif posts; an assignment starting or
    ending changes its post's holders and its employee's posts and nothing else. So on the next
    piece R(x) stands unless a change has its post in read(x) or its employee among x and those
    holders, i.e. is x or held a post of read(x) on the piece before (then x is `dropped`, with its
    former R; only posts are noted per walker), and `above` stands unless a change touches
    the posts and people of s's climbs. With `above` the same, the tree changes only under the
    dropped walkers: the employees a dropped walker no longer reaches leave with everything below
    them, and the walk goes on down from each dropped walker still in the tree (an employee who
    left and is now reached from another walker comes back this way: their new superior's R changed,
    so it was dropped). With `above` changed, the piece is walked from s again (R still reused).
    Without `mended` (a single piece), nothing is noted for the next."""

    def __init__(self, employee_id: int, *, mended: bool = True):
        self.s = employee_id
        self.mended = mended
        self.out: set[int] = set()
        self.above: set[int] = set()
        self._above_positions: set[int] = set()
        self._above_people: set[int] = set()
        self._reports: dict[int, set[int]] = {}  # walker -> R(walker), while it stands
        self._by_position: dict[int, set[int]] = defaultdict(set)  # post -> walkers reading it
        self._dropped: dict[int, set[int]] = {}  # walker -> its R on the last piece walked
        self._day: dt.date | None = None  # the piece before
        # employee -> (post, start, end) of their assignments in the timeline, on first change
        self._posts: dict[int, list[tuple[int, dt.date, dt.date | None]]] | None = None

    def _reporting_to(self, h: Hierarchy, walker: int) -> set[int]:
        found = self._reports.get(walker)
        if found is None and not self.mended:
            found = self._reports[walker] = h.reporting_to(walker)
        elif found is None:
            read: set[int] = set()
            found = self._reports[walker] = h.reporting_to(walker, read)
            for pos in read:
                self._by_position[pos].add(walker)
        return found

    def _drop(self, walker: int) -> None:
        if walker in self._reports:
            self._dropped.setdefault(walker, self._reports.pop(walker))

    def _climb(self, h: Hierarchy) -> set[int]:
        """s's chain of superiors (below_in_hierarchy's `above`), noting what the climbs read."""
        positions: set[int] = set()

        def climbed(emp: int) -> None:  # the posts superior_id(emp) may look at
            pos = h.definitif.get(emp)
            while pos is not None and pos not in positions:
                positions.add(pos)
                pos = h.parent.get(pos)

        above: set[int] = set()
        climbed(self.s)
        sup = h.superior_id(self.s)
        while sup is not None and sup != self.s and sup not in above:
            above.add(sup)
            climbed(sup)
            sup = h.superior_id(sup)
        people = {self.s} | above
        for pos in positions:
            people.update(e for _r, _n, e in h.holders.get(pos, ()))
        self._above_positions, self._above_people = positions, people
        return above

    def _walk_from(self, h: Hierarchy, stack: list[int]) -> None:
        while stack:
            for emp in self._reporting_to(h, stack.pop()):
                if emp == self.s or emp in self.above or emp in self.out:
                    continue
                self.out.add(emp)
                stack.append(emp)

    def on(
        self, timeline: HierarchyTimeline, day: dt.date, changes: list[tuple[int, int]] | None
    ) -> set[int]:
        """The employees below s on `day`; `changes`: the (position, employee) of the assignments
        starting or ending since the piece before (None on the first piece)."""
        above_touched = changes is None
        if changes and self._posts is None:
            self._posts = defaultdict(list)
            for pos, _k, emp, _n, a_start, a_end in timeline.rows:
                self._posts[emp].append((pos, a_start, a_end))
        before, self._day = self._day or day, day
        for pos, emp in changes or ():
            if pos in self._above_positions or emp in self._above_people:
                above_touched = True
            self._drop(emp)
            held = [  # the posts the employee held on the piece before
                p
                for p, a_start, a_end in (self._posts or {}).get(emp, ())
                if a_start <= before and (a_end is None or a_end >= before)
            ]
            for post in (pos, *held):
                for walker in self._by_position.pop(post, ()):
                    self._drop(walker)
        dropped, self._dropped = self._dropped, {}
        touched = [x for x in dropped if x == self.s or x in self.out]
        if not above_touched and not touched:
            return self.out  # nothing the answer rests on changed
        h = timeline.on(day)
        if above_touched:
            above = self._climb(h)
            if above != self.above or changes is None:
                self.above, self.out = above, set()
                self._walk_from(h, [self.s])
                return self.out
        # The same `above`: mend the tree under the dropped walkers.
        gone = [e for x in touched for e in dropped[x] - self._reporting_to(h, x) if e in self.out]
        while gone:  # leaving with everything below them (in the last piece's tree)
            emp = gone.pop()
            if emp not in self.out:
                continue
            self.out.discard(emp)
            gone.extend(dropped[emp] if emp in dropped else self._reports.get(emp, ()))
        self._walk_from(h, [x for x in touched if x == self.s or x in self.out])
        return self.out


def is_below(
    superior: Employee,
    employee_id: int,
    start: dt.date,
    end: dt.date,
    *,
    timeline: HierarchyTimeline | None = None,
) -> bool:
    """`employee_id in employees_below(superior, start, end)`, climbed up from the employee on each
    piece of the range instead of walked down to everyone below the superior (a kepala bidang has
    5,800 people below them: 1.5 s for one permission check). Two queries (HierarchyTimeline's).

    With f = Hierarchy.superior_id on a day, _below_and_reads takes `above` (f(s), f(f(s)), ...,
    stopping at None, at s or at a repeat: an acting post can loop the chain back) and walks down
    from s through f's inverse, never entering s nor a node of `above`. A walk down reaches e
    through e's own climb read backwards, as f is a function; so e is below s iff e is not s and
    the climb e, f(e), f(f(e)), ... reaches s with no node before s in `above`.

    A piece whose changes touch none of the posts and people the previous piece's climbs read has
    that piece's answer, so most pieces cost nothing.

    `timeline`: one the caller already built for the superior's instansi over a range holding
    [start, end] (no query then): a superior's TPP page builds one for the months it lists and the
    explanation's link to the attendance month asks this with it (tpp.views._employee_page); a
    wider range has the same days' hierarchy, its pieces are cut to [start, end]. The timeline's
    climber (HierarchyTimeline.climber) is built by the first question and shared by the next ones
    (workcal.services._leaver_cells_below asks one per leaver and stretch)."""
    if employee_id == superior.pk:
        return False
    if timeline is None:
        timeline = HierarchyTimeline(superior.instansi_id, start, end)
    elif timeline.instansi_id != superior.instansi_id or not (
        timeline.start <= start <= end <= timeline.end
    ):
        raise ValueError("Rentang hierarki tidak memuat periode yang diperiksa.")
    climber = timeline.climber()  # built once per timeline, however many questions ask it
    pieces = [(max(a, start), min(b, end)) for a, b in timeline.pieces() if a <= end and b >= start]
    if employee_id in timeline.leaver_rows:
        return _leaver_below(timeline, climber, superior.pk, employee_id, pieces, start, end)
    last: tuple[dt.date, set[int], set[int]] | None = None
    for piece_start, _piece_end in pieces:
        if last is not None and not any(
            pos in last[1] or emp in last[2]
            for pos, emp in timeline.changed_between(last[0], piece_start)
        ):
            continue  # the same answer as the last piece climbed: False, or it had returned
        found, positions, people = climber.is_below_on(superior.pk, employee_id, piece_start)
        if found:
            return True
        last = (piece_start, positions, people)
    return False


def _leaver_below(
    timeline: HierarchyTimeline,
    climber: _Climber,
    superior_id: int,
    employee_id: int,
    pieces: list[tuple[dt.date, dt.date]] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> bool:
    """is_below for a leaver (timeline.leaver_rows): climbed from their post on each day of
    [start, end] (default: the timeline's range, cut in `pieces`) the hierarchy or their posts
    change while they held one (a leaver is rare: no piece skipped)."""
    pieces = timeline.pieces() if pieces is None else pieces
    start = timeline.start if start is None else start
    end = timeline.end if end is None else end
    days = {piece_start for piece_start, _e in pieces}
    days |= {
        max(a_start, start)
        for _p, a_start, _e in timeline.leaver_rows[employee_id]
        if a_start <= end
    }
    for day in sorted(days):
        if (
            any(a_start <= day <= a_end for _p, a_start, a_end in timeline.leaver_rows[employee_id])
            and climber.is_below_on(superior_id, employee_id, day)[0]
        ):
            return True
    return False


class _Climber:
    """Hierarchy.superior_id on a day of a HierarchyTimeline, from its rows for the posts and
    people climbed only (no whole-instansi Hierarchy is built): the same holders (active
    employees, Plh, Plt, definitif, lowest NIP) and the same definitif post (the last in the rows'
    order in force)."""

    def __init__(self, timeline: HierarchyTimeline):
        self.parent = timeline.parent
        self._by_position: dict[int, list] = defaultdict(list)
        self._definitif: dict[int, list] = defaultdict(list)
        definitif = str(Assignment.Kind.DEFINITIF)  # a plain str compares faster, row by row
        for row in timeline.rows:
            self._by_position[row[0]].append(row)
            if row[1] == definitif:
                self._definitif[row[2]].append(row)
        # A leaver climbs from the post they held that day; they hold nothing for anyone else.
        for emp, posts in timeline.leaver_rows.items():
            for pos, a_start, a_end in posts:
                self._definitif[emp].append((pos, definitif, emp, "", a_start, a_end))
        self._holders: dict[tuple[int, dt.date], list[tuple[int, str, int]]] = {}

    def _holders_on(self, pos: int, day: dt.date) -> list[tuple[int, str, int]]:
        key = (pos, day)
        if key not in self._holders:
            self._holders[key] = sorted(
                (_KIND_RANK[kind], nip, emp)
                for _p, kind, emp, nip, a_start, a_end in self._by_position.get(pos, ())
                if a_start <= day and (a_end is None or a_end >= day)
            )
        return self._holders[key]

    def is_below_on(
        self, superior_id: int, employee_id: int, day: dt.date
    ) -> tuple[bool, set[int], set[int]]:
        """Whether the employee is below the superior on `day` (is_below's climb), and the posts
        and people whose assignments it looked at."""
        positions: set[int] = set()
        people: set[int] = set()

        def f(emp: int) -> int | None:
            people.add(emp)
            return self.superior_id(emp, day, positions)

        above: set[int] = set()
        sup = f(superior_id)
        while sup is not None and sup != superior_id and sup not in above:
            above.add(sup)
            sup = f(sup)
        cur, seen = employee_id, {employee_id}
        while cur not in above:
            nxt = f(cur)
            if nxt == superior_id:
                return True, positions, people
            if nxt is None or nxt in seen:
                break
            seen.add(nxt)
            cur = nxt
        return False, positions, people

    def superior_id(self, employee_id: int, day: dt.date, read: set[int]) -> int | None:
        """Hierarchy.superior_id(employee_id) on `day`; `read` collects the posts looked at."""
        pos = None
        for p, _k, _e, _n, a_start, a_end in self._definitif.get(employee_id, ()):
            if a_start <= day and (a_end is None or a_end >= day):
                pos = p
        if pos is None:
            return None
        read.add(pos)
        seen = {pos}
        pos = self.parent.get(pos)
        while pos is not None and pos not in seen:
            seen.add(pos)
            read.add(pos)
            for _r, _n, emp in self._holders_on(pos, day):
                if emp != employee_id:
                    return emp
            pos = self.parent.get(pos)
        return None


def held_superior_post(employee: Employee, start: dt.date, end: dt.date) -> bool:
    """Whether the employee held, on some day of [start, end], a position with positions under it
    (one query): only such a holder can have been anyone's direct superior then."""
    return Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start),
        employee=employee,
        start__lte=end,
        position__children__isnull=False,
    ).exists()


class SuperiorsOver:
    """Hierarchy.superior_id on any day of [start, end], loaded only for the employees who may
    answer to `superior_id` on one of those days (and, with `top`, for those who may have nobody
    above them: BKPSDM verifies their entries). Three queries whatever the size of the instansi;
    for a few (employee, day) pairs, where a HierarchyTimeline builds the whole instansi once per
    change of assignment (about 47 hierarchies of 20,000 over an inbox's look-back, 10 s for a
    sekda's inbox badge).

    Why the candidates are enough: only a post with posts under it stands above anyone, so only
    those posts and their holders are loaded. An employee's walk up stops at the first post with a
    holder other than themself. Going down from the superior's posts, a post can be walked past on
    a day it is vacant (then by everyone below) or held by one person only (then by that person
    only). The candidates are the definitif holders of the posts right below the posts so reached,
    and those lone holders; the rule itself is then applied to them exactly as Hierarchy does, on
    each asked day (the assignments in force on a day are those of the timeline's piece holding it).
    """

    def __init__(
        self,
        instansi_id: int,
        start: dt.date,
        end: dt.date,
        *,
        superior_id: int | None = None,
        top: bool = False,
    ):
        self.start, self.end = start, end
        in_range = Q(start__lte=end) & (Q(end__isnull=True) | Q(end__gte=start))
        above_others = Position.objects.filter(
            instansi_id=instansi_id, children__isnull=False
        ).order_by()
        self.parent: dict[int, int | None] = dict(
            above_others.values_list("id", "parent_id").distinct()
        )
        # The holders of the posts above others, and every Plt/Plh (someone acting without a
        # definitif post is in the hierarchy with nobody above them).
        self._rows: dict[int, list[tuple[int, str, int, dt.date, dt.date | None]]] = defaultdict(
            list
        )
        # employee id -> the (start, end) of each of those assignments of theirs
        self._held: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        acting: set[int] = set()
        reached: set[int | None] = {None} if top else set()
        for pos, kind, emp, nip, a_start, a_end in (
            Assignment.objects.filter(in_range, instansi_id=instansi_id, employee__is_active=True)
            .filter(
                Q(position_id__in=above_others.values("id")) | ~Q(kind=Assignment.Kind.DEFINITIF)
            )
            .order_by()
            .values_list("position_id", "kind", "employee_id", "employee__nip", "start", "end")
        ):
            self._rows[pos].append((_KIND_RANK[kind], nip, emp, a_start, a_end))
            self._held[emp].append((a_start, a_end))
            if kind != Assignment.Kind.DEFINITIF:
                acting.add(emp)
            if emp == superior_id and pos in self.parent:
                reached.add(pos)
        kids: dict[int | None, list[int]] = defaultdict(list)
        for pos, par in self.parent.items():
            kids[par].append(pos)
        extra: set[int] = set()
        stack = list(reached)
        while stack:
            for child in kids.get(stack.pop(), ()):
                vacant, alone = self._passable(child)
                extra |= alone
                if vacant and child not in reached:
                    reached.add(child)
                    stack.append(child)
        if top:
            extra |= acting  # without a definitif post on some day, perhaps
        # employee id -> [(position, its parent, start, end)] of their definitif posts, by start.
        self._definitif: dict[int, list[tuple[int, int | None, dt.date, dt.date | None]]] = (
            defaultdict(list)
        )
        below = Q(parent_id__in=[p for p in reached if p is not None])
        if None in reached:
            below |= Q(parent_id__isnull=True)
        if reached or extra:
            definitif = Assignment.objects.filter(
                in_range,
                instansi_id=instansi_id,
                kind=Assignment.Kind.DEFINITIF,
                employee__is_active=True,
            )
            for emp, pos, par, a_start, a_end in (
                definitif.filter(
                    Q(
                        employee_id__in=definitif.filter(
                            position_id__in=Position.objects.filter(
                                below, instansi_id=instansi_id
                            ).values("id")
                        ).values("employee_id")
                    )
                    | Q(employee_id__in=sorted(extra))
                )
                .order_by("start", "id")
                .values_list("employee_id", "position_id", "position__parent_id", "start", "end")
            ):
                self._definitif[emp].append((pos, par, a_start, a_end))
        self.candidates: set[int] = set(self._definitif) | extra
        self._holders: dict[tuple[int, dt.date], list[tuple[int, str, int]]] = {}

    def _passable(self, pos: int) -> tuple[bool, set[int]]:
        """Whether the post is vacant on some day of the range, and who holds it alone on some day."""
        rows = self._rows.get(pos, ())
        days = {self.start}
        for _r, _n, _e, a_start, a_end in rows:
            if self.start < a_start <= self.end:
                days.add(a_start)
            if a_end is not None and self.start <= a_end < self.end:
                days.add(a_end + dt.timedelta(days=1))
        vacant, alone = False, set()
        for day in days:
            held = {e for _r, _n, e, s, x in rows if s <= day and (x is None or x >= day)}
            if not held:
                vacant = True
            elif len(held) == 1:
                alone |= held
        return vacant, alone

    def _holder(self, pos: int, day: dt.date, exclude: int) -> int | None:
        key = (pos, day)
        if key not in self._holders:
            self._holders[key] = sorted(
                (r, n, e)
                for r, n, e, s, x in self._rows.get(pos, ())
                if s <= day and (x is None or x >= day)
            )
        for _r, _n, emp in self._holders[key]:
            if emp != exclude:
                return emp
        return None

    def _definitif_on(self, employee_id: int, day: dt.date) -> tuple[int, int | None] | None:
        found = None
        for pos, par, s, x in self._definitif.get(employee_id, ()):
            if s <= day and (x is None or x >= day):
                found = (pos, par)  # the latest-starting definitif wins, as in Hierarchy
        return found

    def add_candidate(
        self, employee_id: int, posts: list[tuple[int, int | None, dt.date, dt.date | None]]
    ) -> None:
        """Judge also an employee the hierarchy leaves out (an inactive one, whose waiting
        entries still need a verifier) by the same rule, from their definitif posts
        [(position, its parent, start, end)] by start."""
        self._definitif[employee_id] = list(posts)
        self.candidates.add(employee_id)

    def superior_id(self, employee_id: int, day: dt.date) -> int | None:
        """Hierarchy.superior_id on `day`, for a candidate (anyone else: None)."""
        post = self._definitif_on(employee_id, day)
        if post is None:
            return None
        seen, pos = {post[0]}, post[1]
        while pos is not None and pos not in seen:
            seen.add(pos)
            holder = self._holder(pos, day, exclude=employee_id)
            if holder is not None:
                return holder
            pos = self.parent.get(pos)
        return None

    def in_hierarchy(self, employee_id: int, day: dt.date) -> bool:
        """Whether a candidate holds some post on `day` (only then is having no superior that day
        BKPSDM's business: Hierarchy.without_superior)."""
        return self._definitif_on(employee_id, day) is not None or any(
            s <= day and (x is None or x >= day) for s, x in self._held.get(employee_id, ())
        )


@dataclass
class AccountRow:
    employee: Employee
    position: str
    unit: str
    #: the roles granted to the account (services.account_reset_refusal decides on them)
    granted: frozenset[str] = frozenset()

    @property
    def state(self) -> str:
        """none, temporary (waiting for the owner's own password), locked, inactive or active."""
        from django.utils import timezone

        user = self.employee.user
        if user is None:
            return "none"
        if not user.is_active:
            return "inactive"
        if user.is_locked(timezone.now()):
            return "locked"
        if user.must_change_password:
            return "temporary"
        return "active"


@dataclass(frozen=True)
class AccountIndexRow:
    employee_id: int
    position: str
    unit: str
    has_account: bool


def account_index(
    instansi: Instansi | int, unit_ids: set[int], *, on: dt.date, q: str = ""
) -> list[AccountIndexRow]:
    """The employees posted (definitif) on `on` in the units, by unit and name, as plain values
    (one query, no model instances: the accounts page of a whole 20,000-employee instansi shows
    50 of them); `q` narrows to a NIP or a name."""
    rows = Assignment.objects.filter(
        active_on(on),
        instansi=instansi,
        kind=Assignment.Kind.DEFINITIF,
        position__unit_id__in=unit_ids,
        employee__is_active=True,
    ).order_by("position__unit__code", "employee__name", "employee_id", "-start")
    q = q.strip()
    if q:
        rows = rows.filter(Q(employee__nip__startswith=q) | Q(employee__name__icontains=q))
    seen: set[int] = set()
    out = []
    for emp, position, unit, user_id in rows.values_list(
        "employee_id", "position__name", "position__unit__name", "employee__user_id"
    ):
        if emp in seen:  # two overlapping definitif posts: the latest start
            continue
        seen.add(emp)
        out.append(AccountIndexRow(emp, position, unit, user_id is not None))
    return out


def account_rows_of(index: Iterable[AccountIndexRow]) -> list[AccountRow]:
    """The rows of `index` with their employee, account and the account's granted roles, in its
    order (two queries)."""
    index = list(index)
    employees = Employee.objects.select_related("user").in_bulk([r.employee_id for r in index])
    granted: dict[int, set[str]] = defaultdict(set)
    user_ids = [e.user_id for e in employees.values() if e.user_id is not None]
    if user_ids:
        for user_id, role in RoleGrant.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "role"
        ):
            granted[user_id].add(role)
    return [
        AccountRow(
            employees[r.employee_id],
            r.position,
            r.unit,
            frozenset(granted.get(employees[r.employee_id].user_id, ())),
        )
        for r in index
    ]


def temporary_password_event(user):
    """The audit event of the officer who last issued the account a temporary password (a new
    account or a reset), shown to the owner so an unexpected one is reported (one query)."""
    from ekinerja.core.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            object_type="core.User",
            object_id=str(user.pk),
            action__in=["auth.password.reset", "auth.account.create"],
        )
        .select_related("actor__employee")
        .order_by("-at")
        .first()
    )


def deciders_of(user, on: dt.date) -> frozenset[int]:
    """The employees who decide on the account's own employee record on `on`: its direct superior
    (verifies its activities, decides its leave, rates its SKP) and that superior's (decides its
    objections). Empty for an account without an employee record. Three queries."""
    me = (
        Employee.objects.filter(user=user, instansi_id=user.instansi_id)
        .values_list("id", "instansi_id")
        .first()
        if user.is_authenticated and user.instansi_id
        else None
    )
    if me is None:
        return frozenset()
    tree = hierarchy(me[1], on)
    first = tree.superior_id(me[0])
    if first is None:
        return frozenset()
    second = tree.superior_id(first)
    return frozenset(x for x in (first, second) if x is not None and x != me[0])


def employee_for_user(user) -> Employee | None:
    if not user.is_authenticated or not user.instansi_id:
        return None
    return (
        Employee.objects.filter(user=user, instansi_id=user.instansi_id)
        .select_related("instansi")
        .first()
    )


def instansi_stats(instansi: Instansi, *, on: dt.date) -> dict:
    """Headcounts for the home page of BKPSDM, leaders and finance (a fixed number of queries)."""
    from django.db.models import Count

    employees = Employee.objects.filter(instansi=instansi, is_active=True)
    by_status = dict(
        employees.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    # A post held only by a Plt/Plh is vacant (that is why it has one), as the leaders' staffing
    # report counts it (`staffing`): the home page said 6 vacant posts where the report said 9.
    filled = set(
        Assignment.objects.filter(
            active_on(on), instansi=instansi, kind=Assignment.Kind.DEFINITIF
        ).values_list("position_id", flat=True)
    )
    positions = Position.objects.filter(instansi=instansi).count()
    return {
        "employees": sum(by_status.values()),
        "by_status": by_status,
        "opd": Unit.objects.filter(instansi=instansi, kind=Unit.Kind.OPD).count(),
        "positions": positions,
        "vacant_positions": positions - len(filled),
    }


@dataclass(frozen=True)
class Staffing:
    """Who holds which post of an instansi on one day (two queries)."""

    definitif: dict[int, int]  # employee id -> unit id of their definitif post
    acting_units: list[int]  # unit id of each Plt/Plh assignment in force
    position_units: dict[int, int]  # position id -> unit id, every position
    # Positions with a definitif holder. A post held only by a Plt/Plh is vacant (that is why it
    # has one): leaders deciding on staffing counted 6 vacant posts where 9 had no holder.
    held: set[int]
    # employee id -> the first day from `since` on which they held a definitif post here (their
    # earliest definitif assignment reaching into [since, on]); `since` itself when they held one
    # all along. Only for the employees of `definitif`.
    in_post_from: dict[int, dt.date] = field(default_factory=dict)


def staffing(instansi: Instansi, *, on: dt.date, since: dt.date | None = None) -> Staffing:
    """Who holds which post on `on`; with `since` (the month's first day), also when each definitif
    holder's service here began within [since, on] (a joiner on the 26th: the 26th). Someone who
    moved between posts of the instansi keeps their first day. Still two queries."""
    first = on if since is None else min(since, on)
    definitif: dict[int, int] = {}
    acting: list[int] = []
    held: set[int] = set()
    earliest: dict[int, dt.date] = {}
    # An inactive employee's post counts while its dates say it lasted (a retirement recorded with
    # its last day: the months before it keep them); an open-ended one of an inactive employee
    # never does, as the flag has no date.
    for emp, kind, pos, unit, start, end in Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=first),
        Q(employee__is_active=True) | Q(end__isnull=False),
        start__lte=on,
        instansi=instansi,
    ).values_list("employee_id", "kind", "position_id", "position__unit_id", "start", "end"):
        if kind == Assignment.Kind.DEFINITIF and (emp not in earliest or start < earliest[emp]):
            earliest[emp] = start
        if end is not None and end < on:
            continue  # ended before the day: only its start counts
        if kind == Assignment.Kind.DEFINITIF:
            held.add(pos)
            definitif[emp] = unit
        else:
            acting.append(unit)
    positions = dict(Position.objects.filter(instansi=instansi).values_list("id", "unit_id"))
    in_post_from = {emp: max(first, earliest[emp]) for emp in definitif}
    return Staffing(definitif, acting, positions, held, in_post_from)


# --------------------------------------------------------------------------------------------------
# The audit log as people read it

_ACCOUNT = "core.User"
_EMPLOYEE_REPR = re.compile(r"^(?P<name>.+) \((?P<nip>\d{18})\)$")  # Employee.__str__


def audit_log_events(user, limit: int = 200) -> list:
    """The instansi's latest audit events, each with what the log shows: the action's label, the
    actor's and the object's names with the NIP to print small under a person (an account is its
    employee, an employee "Name (NIP)" is split). Two queries, whatever the events."""
    from ekinerja.core.audit_labels import action_label
    from ekinerja.core.models import AuditEvent
    from ekinerja.core.scoping import scoped

    events = list(scoped(AuditEvent, user).select_related("actor__employee")[:limit])
    account_ids = {
        e.object_id for e in events if e.object_type == _ACCOUNT and e.object_id.isdigit()
    }
    people = (
        {str(p.user_id): p for p in scoped(Employee, user).filter(user_id__in=account_ids)}
        if account_ids
        else {}
    )
    for event in events:  # labels from the code and the model registry: no query per row
        event.action_label = action_label(event.action)
        employee = getattr(event.actor, "employee", None) if event.actor_id else None
        if employee is not None:
            event.actor_name, event.actor_nip = employee.full_name, employee.nip
        else:  # an account without an employee (Kominfo, "sistem"), or a failed login's text
            event.actor_name, event.actor_nip = event.actor_label, ""
        event.object_label, event.object_nip = _audit_object(event, people)
    return events


def _audit_object(event, people: dict[str, Employee]) -> tuple[str, str]:
    """What the audit log shows as an event's object, and the NIP to print small under it when the
    object is a person: an account is its employee's name, an employee "Name (NIP)" is split."""
    from ekinerja.core.audit_labels import object_label

    if event.object_type == _ACCOUNT and event.object_id in people:
        person = people[event.object_id]
        return person.full_name, person.nip
    if event.object_type == "org.Employee":
        match = _EMPLOYEE_REPR.match(event.object_repr or "")
        if match:
            return match["name"], match["nip"]
    return object_label(event.object_type, event.object_id, event.object_repr), ""
