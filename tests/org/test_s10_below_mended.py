"""employees_below_by_piece mends each piece's answer from the one before (org.selectors._BelowWalk)
instead of walking down again from the superior: the answers stay those of a fresh hierarchy of
each day (generated charts with moves, Plt/Plh, loops, inactive employees), and a month whose
changes are all deep below the superior walks only where they are."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ekinerja.org.models import Assignment, Position
from ekinerja.org.selectors import (
    Hierarchy,
    below_in_hierarchy,
    employees_below,
    employees_below_by_piece,
    hierarchy,
)
from tests.factories import EmployeeFactory, InstansiFactory, PositionFactory, UnitFactory
from tests.org.test_s9_is_below import LOOP, build, charts

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2026, 10, 1), D(2026, 10, 31)


def fresh(instansi_id: int, day: dt.date, employee_id: int) -> set[int]:
    return below_in_hierarchy(hierarchy(instansi_id, day), employee_id)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(chart=charts(), span=st.sampled_from([(START, END), (D(2026, 10, 12), D(2026, 10, 18))]))
@example(chart=LOOP, span=(START, END))
def test_each_mended_piece_is_the_days_own_answer(chart, span):
    emps, _posts = build(chart)
    inst = emps[0].instansi_id
    for superior in emps:
        pieces = employees_below_by_piece(superior, *span)
        assert pieces[0][0] == span[0] and pieces[-1][1] == span[1]
        for first, last, below in pieces:
            for day in {first, last}:
                assert below == fresh(inst, day, superior.id), (superior.id, day)


def _staff(inst, unit, parent: Position, n: int, tag: str) -> list[Position]:
    return [
        PositionFactory(unit=unit, parent=parent, code=f"{tag}{i}", kind=Position.Kind.PELAKSANA)
        for i in range(n)
    ]


def test_a_move_between_two_branches_takes_the_mover_and_those_below_them_along():
    """Kepala bidang K over two seksi heads A and B. X moves from a post under A (with Y's post
    under it) to one under B on the 10th, and out of K's part of the tree on the 20th; A leaves on
    the 14th, and A's staff answer to K directly. Each piece is the day's own hierarchy."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    top = PositionFactory(unit=unit, code="TOP")
    kabid = PositionFactory(unit=unit, parent=top, code="KABID")
    seksi_a = PositionFactory(unit=unit, parent=kabid, code="SA")
    seksi_b = PositionFactory(unit=unit, parent=kabid, code="SB")
    elsewhere = PositionFactory(unit=unit, parent=top, code="ELSE")
    x_under_a, x_under_b, x_elsewhere = (
        PositionFactory(unit=unit, parent=p, code=f"X{i}")
        for i, p in enumerate((seksi_a, seksi_b, elsewhere))
    )
    staff_a = _staff(inst, unit, seksi_a, 3, "A")
    people = {n: EmployeeFactory(instansi=inst) for n in ("boss", "K", "A", "B", "X", "Y", "E")}
    people_a = [EmployeeFactory(instansi=inst) for _ in staff_a]
    long_ago = D(2020, 1, 1)

    def post(emp, position, start=long_ago, end=None, kind=Assignment.Kind.DEFINITIF):
        Assignment.objects.create(
            instansi=inst, employee=emp, position=position, kind=kind, start=start, end=end
        )

    post(people["boss"], top)
    post(people["K"], kabid)
    post(people["A"], seksi_a, end=D(2026, 10, 14))
    post(people["B"], seksi_b)
    post(people["E"], elsewhere)
    post(people["X"], x_under_a, end=D(2026, 10, 9))
    post(people["X"], x_under_b, start=D(2026, 10, 10), end=D(2026, 10, 19))
    post(people["X"], x_elsewhere, start=D(2026, 10, 20))
    post(people["Y"], PositionFactory(unit=unit, parent=x_under_a, code="Y"))
    for emp, position in zip(people_a, staff_a, strict=True):
        post(emp, position)

    pieces = employees_below_by_piece(people["K"], START, END)
    assert [p[0] for p in pieces] == [START, D(2026, 10, 10), D(2026, 10, 15), D(2026, 10, 20)]
    for first, last, below in pieces:
        for day in {first, last}:
            assert below == fresh(inst.id, day, people["K"].id), day
    ids = {k: e.id for k, e in people.items()}
    staff = {e.id for e in people_a}
    # X below K through A, then through B; Y under X, then (X's first post vacant) under A, then K.
    assert pieces[0][2] == {ids["A"], ids["B"], ids["X"], ids["Y"]} | staff
    assert pieces[1][2] == {ids["A"], ids["B"], ids["X"], ids["Y"]} | staff
    assert pieces[2][2] == {ids["B"], ids["X"], ids["Y"]} | staff  # A left; A's staff to K
    assert pieces[3][2] == {ids["B"], ids["Y"]} | staff  # X gone elsewhere
    assert (
        employees_below(people["K"], START, END)
        == {
            ids["A"],
            ids["B"],
            ids["X"],
            ids["Y"],
        }
        | staff
    )


def test_changes_deep_below_the_superior_are_mended_not_walked_again(monkeypatch):
    """A kepala bidang over 4 seksi of 10 staff each; one staff post changes holder every day
    (30 pieces). The first piece walks everyone down once; each later piece walks again only those
    whose walk read that post or person: 4 walks a piece, where walking every piece down again from
    the kepala bidang was 45."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    kabid = PositionFactory(unit=unit, code="KABID")
    boss = EmployeeFactory(instansi=inst)
    long_ago = D(2020, 1, 1)
    Assignment.objects.create(instansi=inst, employee=boss, position=kabid, start=long_ago)
    rows, first_staff = [], None
    for s in range(4):
        seksi = PositionFactory(unit=unit, parent=kabid, code=f"S{s}")
        rows.append((EmployeeFactory(instansi=inst), seksi))
        for i, staff in enumerate(_staff(inst, unit, seksi, 10, f"S{s}-")):
            if s == 0 and i == 0:
                first_staff = staff
                continue
            rows.append((EmployeeFactory(instansi=inst), staff))
    for emp, position in rows:
        Assignment.objects.create(instansi=inst, employee=emp, position=position, start=long_ago)
    # A different temporary employee on the first staff post each day of the month.
    for day in range(30):
        Assignment.objects.create(
            instansi=inst,
            employee=EmployeeFactory(instansi=inst),
            position=first_staff,
            start=START + dt.timedelta(days=day),
            end=START + dt.timedelta(days=day),
        )

    walks: list[tuple[dt.date, int]] = []
    reporting_to = Hierarchy.reporting_to

    def counted(self, employee_id, read=None):
        walks.append((self.on, employee_id))
        return reporting_to(self, employee_id, read)

    monkeypatch.setattr(Hierarchy, "reporting_to", counted)
    pieces = employees_below_by_piece(boss, START, END)
    monkeypatch.setattr(Hierarchy, "reporting_to", reporting_to)
    assert len(pieces) == 31
    for first, _last, below in pieces:
        assert below == fresh(inst.id, first, boss.id)
        assert len(below) == 4 + 39 + (first != END)  # the day's temporary employee
    first_walk = sum(1 for day, _e in walks if day == START)
    assert first_walk == 1 + 4 + 39 + 1  # the kabid, the seksi heads, every staff member
    later = len(walks) - first_walk
    # Per piece: the kabid and the seksi head (their walks read that post), who left, who came.
    assert later <= 4 * 30, later
