"""H1: a superior's inbox holds exactly the entries they may decide, and nobody else's.

Random offices (seeded, so reproducible) with everything that moves a superior within a month:
staff transferred between sections, a struktural post left vacant, a Plt in the vacancy, a Plh
standing in while the definitif holder is away (sometimes a subordinate of that holder), posts
vacant above someone. For every employee, the inbox (`superior_inbox`, `inbox_count`: the
set-based `SuperiorsOver` path) must equal the entries `may_verify` answers yes for (org's
`Hierarchy` rule on each entry's date)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from ekinerja.activities import selectors
from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.org.models import Position
from ekinerja.org.selectors import HierarchyTimeline
from tests.factories import AssignmentFactory, PositionFactory, UnitFactory, employee_with_login

from .conftest import D, T

pytestmark = pytest.mark.django_db

FIRST, LAST = D(2026, 10, 1), D(2026, 10, 20)
TODAY = "2026-10-21 10:00"


@pytest.fixture(autouse=True)
def _now(at):
    at(TODAY)


def _day(rng: random.Random, lo: dt.date = FIRST, hi: dt.date = LAST) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def _random_office(office, seed: int):
    rng = random.Random(seed)
    inst = office["inst"]
    unit = UnitFactory(instansi=inst, name=f"Dinas Acak {seed}")
    S = Position.Kind.STRUKTURAL

    def post(name, parent=None, kind=S):
        return PositionFactory(unit=unit, kind=kind, kelas=9, name=name, parent=parent)

    kepala = post("Kepala")
    kabid = [post("Kabid A", kepala), post("Kabid B", kepala)]
    kasi = [post("Kasi A1", kabid[0]), post("Kasi A2", kabid[0]), post("Kasi B1", kabid[1])]
    staff_posts = [post(f"Staf {k.name}", k, Position.Kind.PELAKSANA) for k in kasi]
    struktural = [kepala, *kabid, *kasi]
    people = [employee_with_login(inst, None, name=f"P{seed}-{i:02d}") for i in range(16)]
    leaders, staff, spare = people[:6], people[6:13], people[13:]
    # Each struktural post: a definitif holder, sometimes leaving mid-month (vacancy, a Plt in
    # it, sometimes a successor) and sometimes away with a Plh standing in.
    for p, holder in zip(struktural, leaders, strict=True):
        end = _day(rng) if rng.random() < 0.4 else None
        AssignmentFactory(employee=holder, position=p, start=D(2020, 1, 1), end=end)
        if end is not None and rng.random() < 0.7:
            plt = rng.choice(spare + staff)
            plt_end = _day(rng, end + dt.timedelta(days=1), LAST + dt.timedelta(days=5))
            AssignmentFactory(
                employee=plt, position=p, kind="plt", start=end + dt.timedelta(days=1), end=plt_end
            )
        if rng.random() < 0.5:
            plh = rng.choice(spare + staff + leaders)
            if plh != holder:
                start = _day(rng)
                AssignmentFactory(
                    employee=plh,
                    position=p,
                    kind="plh",
                    start=start,
                    end=start + dt.timedelta(days=rng.randint(0, 6)),
                )
    # Staff: a section each, some transferred to another section mid-month.
    for person in staff:
        first = rng.choice(staff_posts)
        if rng.random() < 0.5:
            moved = _day(rng)
            AssignmentFactory(employee=person, position=first, end=moved - dt.timedelta(days=1))
            AssignmentFactory(employee=person, position=rng.choice(staff_posts), start=moved)
        else:
            AssignmentFactory(employee=person, position=first)
    entries = []
    for person in people:
        for day in range(1, 21, 2):
            entries.append(
                ActivityEntry(
                    instansi=inst,
                    employee=person,
                    date=D(2026, 10, day),
                    start_time=T(8),
                    end_time=T(9),
                    item=office["surat"],
                    volume=Decimal(1),
                    minutes_per_unit=30,
                    status=EntryStatus.SUBMITTED,
                    verify_by=D(2026, 10, 30),
                )
            )
    ActivityEntry.objects.bulk_create(entries)
    return people, list(ActivityEntry.objects.filter(employee__in=people))


@pytest.mark.parametrize("seed", range(4))
def test_every_inbox_holds_exactly_the_entries_its_owner_may_decide(office, seed):
    people, entries = _random_office(office, seed)
    timeline = HierarchyTimeline(office["inst"].pk, FIRST, LAST)
    verifier = {e.pk: timeline.on(e.date).superior_id(e.employee_id) for e in entries}
    # The in-memory rule is may_verify's (a sample, it costs two queries a call).
    for e in entries[::23]:
        for me in people[::3]:
            assert selectors.may_verify(me, e) == (verifier[e.pk] == me.pk)
    for me in people:
        expected = {pk for pk, sup in verifier.items() if sup == me.pk}
        inbox = selectors.superior_inbox(me)
        got = {e.pk for g in inbox.groups for d in g.days for e in d.entries}
        assert got == expected, me.name
        assert selectors.inbox_count(me)[0] == len(expected), me.name
