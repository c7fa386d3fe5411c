"""H1: superiors see their own subordinates' data, and no one else's (review, 7 December 2026).

A transfer mid-month (the old superior keeps the days they supervised, the new one gets the days
from the move), a Plh standing in while the definitif holder is away (the Plh keeps the days of
the term, the holder back has the rest), and the SKP pages that open a period's activities or a
plan waiting for agreement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ekinerja.activities import selectors, services
from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.org.models import Assignment, Position
from ekinerja.performance.models import PerformanceSettings, SkpEvaluation, SkpPlan
from tests.factories import AssignmentFactory, PositionFactory, UnitFactory, employee_with_login
from tests.performance.factories import agreed_plan

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


def _second_office(office):
    """Dinas Dua: a kabid with a staff post under them, where Ani moves to."""
    inst = office["inst"]
    unit = UnitFactory(instansi=inst, name="Dinas Dua")
    head = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=11, name="Kabid Dua")
    staff = PositionFactory(unit=unit, parent=head, name="Staf Dinas Dua")
    return employee_with_login(inst, head, name="Kabid Dua"), staff


def _move_ani(office, staff_post, first_day):
    ani = office["p"]["ani"]
    Assignment.objects.filter(employee=ani).update(end=first_day - (D(2026, 1, 2) - D(2026, 1, 1)))
    AssignmentFactory(employee=ani, position=staff_post, start=first_day)
    return ani


def _inbox_dates(who):
    inbox = selectors.superior_inbox(who)
    return sorted(e.date for g in inbox.groups for d in g.days for e in d.entries)


def test_a_transfer_mid_month_splits_the_days_between_the_old_and_the_new_superior(
    office, client, at
):
    """Ani moves from the kasubag's section to Dinas Dua on 6 October. Each superior finds, opens
    and decides (one by one or "Setujui semua") only the days Ani worked under them."""
    at("2026-10-09 17:00")
    kabid2, staff2 = _second_office(office)
    before = make_entry(office, day=D(2026, 10, 2), submit=True)
    ani = _move_ani(office, staff2, D(2026, 10, 6))
    after = make_entry(office, day=D(2026, 10, 7), submit=True)
    kasubag = office["p"]["kasubag"]

    assert _inbox_dates(kasubag) == [D(2026, 10, 2)]
    assert _inbox_dates(kabid2) == [D(2026, 10, 7)]
    for who, mine, theirs in ((kasubag, before, after), (kabid2, after, before)):
        client.force_login(who.user)
        assert client.get(reverse("activities:entry", args=[mine.pk])).status_code == 200
        assert client.get(reverse("activities:entry", args=[theirs.pk])).status_code == 404
        # Other people's ids in the inbox filter find nothing.
        page = client.get(reverse("activities:inbox") + f"?pegawai={ani.pk}").content.decode()
        assert f"/aktivitas/entri/{theirs.pk}/" not in page
    # The whole month of Ani asked by the old superior decides only his own day.
    n = services.entries_verify_bulk(
        actor=kasubag.user, employee=ani, start=D(2026, 10, 1), end=D(2026, 10, 31)
    )
    assert n.count == 1
    after.refresh_from_db()
    assert after.status == EntryStatus.SUBMITTED
    assert services.entries_verify_bulk(actor=kabid2.user, employee=ani).count == 1


def test_a_plh_keeps_the_days_of_the_term_and_the_holder_back_has_the_rest(office, client, at):
    """The kasubag is away 5-9 October with a Plh recorded; he comes back on the 8th and BKPSDM
    ends the Plh's term on the 7th. The Plh decides the entries of 5-7 October (the days they
    stood in), also after the term; the kasubag those of the 8th on, and never the Plh's days;
    the kepala none of them."""
    at("2026-10-12 10:00")
    plh = employee_with_login(office["inst"], None, name="Plh Kasubag")
    term = AssignmentFactory(
        employee=plh,
        position=office["pos"]["kasubag"],
        kind=Assignment.Kind.PLH,
        start=D(2026, 10, 5),
        end=D(2026, 10, 9),
    )
    days = [D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7), D(2026, 10, 8), D(2026, 10, 9)]
    entries = {d: make_entry(office, day=d, submit=True) for d in days}
    kasubag, kepala = office["p"]["kasubag"], office["p"]["kepala"]
    assert _inbox_dates(plh) == days
    assert _inbox_dates(kasubag) == []

    term.end = D(2026, 10, 7)
    term.save()
    assert _inbox_dates(plh) == days[:3]
    assert _inbox_dates(kasubag) == days[3:]
    assert _inbox_dates(kepala) == []
    assert selectors.inbox_count(plh)[0] == 3 and selectors.inbox_count(kasubag)[0] == 2
    client.force_login(kasubag.user)
    assert client.get(reverse("activities:entry", args=[entries[days[0]].pk])).status_code == 404
    assert client.get(reverse("activities:entry", args=[entries[days[4]].pk])).status_code == 200
    assert services.entries_verify_bulk(actor=kasubag.user, employee=office["p"]["ani"]).count == 2
    assert services.entries_verify_bulk(actor=plh.user, employee=office["p"]["ani"]).count == 3


def _linked_entry(office, employee, result, day):
    return ActivityEntry.objects.create(
        instansi=office["inst"],
        employee=employee,
        date=day,
        start_time=T(8),
        end_time=T(9),
        item=office["surat"],
        volume=Decimal(1),
        minutes_per_unit=30,
        credited_minutes=30,
        skp_result=result,
        status=EntryStatus.APPROVED,
        description="Laporan Maret di Dinas Dua",
    )


def test_a_former_superior_does_not_open_the_months_after_the_move_through_an_old_rating(
    office, client, at
):
    """The kasubag rated Ani's January when the Pemda still rated monthly. From February it rates
    quarterly, and Ani moved to Dinas Dua on 10 February. Her first quarter (January to March)
    is rated by the kabid of Dinas Dua; the kasubag's January rating starts on the same day, but
    does not rate the quarter. Before, "lihat" of the quarter's activities found that January row
    and showed the kasubag the entries of February and March in Dinas Dua."""
    at("2026-04-02 10:00")
    kabid2, staff2 = _second_office(office)
    kasubag = office["p"]["kasubag"]
    ani = _move_ani(office, staff2, D(2026, 2, 10))
    plan = agreed_plan(ani, 2026, appraiser=kasubag)
    result = plan.results.first()
    SkpEvaluation.objects.create(
        instansi=office["inst"],
        employee=ani,
        plan=plan,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 1, 31),
        results_rating="as_expected",
        behaviour_rating="as_expected",
        predicate="baik",
        rated_by=kasubag,
    )
    PerformanceSettings.objects.create(instansi=office["inst"], evaluation_period_months=3)
    _linked_entry(office, ani, result, D(2026, 3, 10))
    url = reverse("activities:skp-result", args=[result.pk]) + "?periode=2026-01"

    client.force_login(kasubag.user)
    assert client.get(url).status_code == 404
    client.force_login(kabid2.user)
    page = client.get(url)
    assert page.status_code == 200 and "Laporan Maret di Dinas Dua" in page.content.decode()


def test_a_plan_for_next_year_waits_for_the_superior_of_that_year(office, client, at):
    """Ani moves to Dinas Dua on 1 January 2027 (recorded in December) and submits her 2027 SKP
    on 15 December. Its appraiser is the superior of 1 January (services._require_appraiser):
    the kabid of Dinas Dua finds it under "Persetujuan SKP", the kasubag, who may not decide it,
    no longer. Before, the list went by today's subordinates: the kasubag saw it and was refused,
    the kabid never saw it until January."""
    at("2026-12-15 10:00")
    kabid2, staff2 = _second_office(office)
    kasubag = office["p"]["kasubag"]
    ani = _move_ani(office, staff2, D(2027, 1, 1))
    plan = agreed_plan(ani, 2027, status=SkpPlan.Status.SUBMITTED)
    this_year = agreed_plan(office["p"]["budi"], 2026, status=SkpPlan.Status.SUBMITTED)

    client.force_login(kasubag.user)
    page = client.get(reverse("performance:approvals")).content.decode()
    assert reverse("performance:plan-detail", args=[plan.pk]) not in page
    assert reverse("performance:plan-detail", args=[this_year.pk]) in page
    client.force_login(kabid2.user)
    page = client.get(reverse("performance:approvals")).content.decode()
    assert reverse("performance:plan-detail", args=[plan.pk]) in page
    assert reverse("performance:plan-detail", args=[this_year.pk]) not in page
