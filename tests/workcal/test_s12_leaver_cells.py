"""S12 (H4): the roster's leaver cells (workcal.services._leaver_cells_below) with one climber.

_leaver_cells_below asks org.is_below once per leaver, post and stretch, all with the same
HierarchyTimeline; each call built a climber over the timeline's rows again (every assignment of
the instansi). The timeline now keeps the climber it builds (HierarchyTimeline.climber): one per
timeline, the same answers.

October 2026 in a Dinas: the Kepala Dinas at the top, Kasubag Sari and Kasubag Budi under him, a
staf post under each. Forty-nine leavers (inactive, definitif posts 1 September - 31 October
recorded) held the staf posts, alternately Sari's and Budi's; one more moved from Sari's staf post
to Budi's on the 10th. A Plh holds Sari's post from the 15th to the 21st (the leavers' superior
then, not Sari), and someone starts elsewhere on the 8th: four stretches (1-7, 8-14, 15-21,
22-31)."""

from __future__ import annotations

import datetime as dt

import pytest

from ekinerja.org import selectors as org
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.workcal.services import _leaver_cells_below
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    make_nip,
)

pytestmark = pytest.mark.django_db

D = dt.date
OCT = [D(2026, 10, d) for d in range(1, 32)]
SEP_1, OCT_9, OCT_10, OCT_31 = D(2026, 9, 1), D(2026, 10, 9), D(2026, 10, 10), D(2026, 10, 31)
PLH = (D(2026, 10, 15), D(2026, 10, 21))


def build_office(leavers: int = 50, filler: int = 10) -> dict:
    """The office above; `filler` active employees more, each in a post of their own under the
    Kepala Dinas (the rows every climber reads)."""
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    kepala = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    sub_a = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, parent=kepala)
    sub_b = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, parent=kepala)
    staf_a = PositionFactory(unit=unit, parent=sub_a)
    staf_b = PositionFactory(unit=unit, parent=sub_b)
    people = {
        name: AssignmentFactory(
            position=pos, employee=EmployeeFactory(instansi=inst, name=name)
        ).employee
        for name, pos in (("kepala", kepala), ("sari", sub_a), ("budi", sub_b))
    }
    # The Plh of the 15th-21st, a pelaksana under the Kepala Dinas.
    plh = AssignmentFactory(position=PositionFactory(unit=unit, parent=kepala)).employee
    AssignmentFactory(
        position=sub_a, employee=plh, kind=Assignment.Kind.PLH, start=PLH[0], end=PLH[1]
    )
    AssignmentFactory(position=PositionFactory(unit=unit, parent=kepala), start=D(2026, 10, 8))
    posts = Position.objects.bulk_create(
        Position(
            instansi=inst,
            unit=unit,
            code=f"F{i:05d}",
            name=f"Pelaksana {i}",
            kelas=7,
            parent=kepala,
        )
        for i in range(filler)
    )
    fill = Employee.objects.bulk_create(
        Employee(
            instansi=inst,
            nip=make_nip(
                D(1980, 1, 1) + dt.timedelta(days=i // 999), (2012, 1), serial=i % 999 + 1
            ),
            name=f"Pegawai {i}",
            golongan="III/a",
        )
        for i in range(filler)
    )
    Assignment.objects.bulk_create(
        Assignment(instansi=inst, employee=e, position=p, start=D(2020, 1, 1))
        for e, p in zip(fill, posts, strict=True)
    )
    gone = Employee.objects.bulk_create(
        Employee(
            instansi=inst, nip=make_nip(), name=f"Pensiun {i}", golongan="III/a", is_active=False
        )
        for i in range(leavers)
    )
    rows = [
        Assignment(
            instansi=inst,
            employee=e,
            position=staf_a if i % 2 == 0 else staf_b,
            start=SEP_1,
            end=OCT_31,
        )
        for i, e in enumerate(gone[:-1])
    ]
    moved = gone[-1]  # Sari's staf until the 9th, Budi's from the 10th
    rows += [
        Assignment(instansi=inst, employee=moved, position=staf_a, start=SEP_1, end=OCT_9),
        Assignment(instansi=inst, employee=moved, position=staf_b, start=OCT_10, end=OCT_31),
    ]
    Assignment.objects.bulk_create(rows)
    return {"inst": inst, **people, "leavers": gone, "moved": moved}


def _cells(office) -> set[tuple[int, dt.date]]:
    return {(e.id, d) for e in office["leavers"] for d in OCT}


def test_the_cells_below_each_superior_are_those_of_each_day(db):
    """For each of Sari, Budi and the Kepala Dinas, the leaver cells allowed are exactly those whose
    leaver is below them that day (employees_below of the single day, walked on its own)."""
    office = build_office(leavers=50)
    cells = _cells(office)
    ids = {e.id for e in office["leavers"]}
    for who in ("sari", "budi", "kepala"):
        me = office[who]
        got = _leaver_cells_below(me, office["inst"], cells)
        want = {(e, d) for d in OCT for e in org.employees_below(me, d, d) & ids}
        assert got == want, who
    # What that is: Sari's leavers and the one who moved (until the 9th) are below her except
    # while the Plh holds her post; Budi's below him every day; all below the Kepala Dinas.
    sari = _leaver_cells_below(office["sari"], office["inst"], cells)
    first = office["leavers"][0]
    assert {d for e, d in sari if e == first.id} == {d for d in OCT if not PLH[0] <= d <= PLH[1]}
    assert {d for e, d in sari if e == office["moved"].id} == {d for d in OCT if d <= OCT_9}
    assert not {d for e, d in sari if e == office["leavers"][1].id}
    assert _leaver_cells_below(office["kepala"], office["inst"], cells) == cells


def test_one_climber_for_all_the_stretches(db, monkeypatch):
    """50 leavers over 4 stretches ask is_below some 150 times with one timeline: it builds one
    climber, not one per call (each read all the instansi's assignments again)."""
    office = build_office(leavers=50)
    built = []
    init = org._Climber.__init__

    def counting(self, timeline):
        built.append(timeline)
        init(self, timeline)

    monkeypatch.setattr(org._Climber, "__init__", counting)
    got = _leaver_cells_below(office["sari"], office["inst"], _cells(office))
    assert len(got) == 25 * (31 - 7) + 9
    assert len(built) == 1


def test_is_below_with_a_shared_timeline_answers_as_with_its_own(db):
    """Asked in any order with one timeline (and so one climber, its per-day holders kept), is_below
    answers each question as it does with a timeline of its own."""
    office = build_office(leavers=6)
    timeline = org.HierarchyTimeline(office["inst"].id, OCT[0], OCT[-1])
    assert timeline.climber() is timeline.climber()
    people = [office["kepala"], office["sari"], office["budi"]]
    asked = [
        (me, e.id, lo, hi)
        for me in people
        for e in [*office["leavers"], *people]
        for lo, hi in ((OCT[0], OCT[6]), PLH, (OCT[21], OCT[-1]), (OCT_10, OCT_10))
    ]
    shared = [org.is_below(me, e, lo, hi, timeline=timeline) for me, e, lo, hi in asked]
    alone = [org.is_below(me, e, lo, hi) for me, e, lo, hi in reversed(asked)][::-1]
    assert shared == alone
    assert any(shared) and not all(shared)
