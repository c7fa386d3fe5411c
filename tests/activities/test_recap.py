"""activity_month: the numbers the TPP run uses, equal to a hand count; constant query count."""

import datetime as dt

import pytest
from django.utils import timezone

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry, ActivitySettings, EntryStatus
from ekinerja.activities.selectors import activity_month, unit_activity_month
from ekinerja.core.periods import Period
from tests.factories import employee_with_login

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


def test_recap_equals_a_hand_count(office, at):
    ActivitySettings.objects.create(instansi=office["inst"], daily_cap_minutes=150)
    boss = office["p"]["kasubag"].user
    at("2026-10-09 18:00")
    # 1 Oct: 120 + 60 approved -> capped at 150.
    a1 = make_entry(
        office, day=D(2026, 10, 1), start=T(7), end=T(9), item="rapat", volume=1, submit=True
    )
    a2 = make_entry(office, day=D(2026, 10, 1), start=T(9), end=T(10), volume=2, submit=True)
    # 2 Oct: 30 approved after a cut (2 -> 1), one rejected, one returned (pending).
    b1 = make_entry(office, day=D(2026, 10, 2), start=T(8), end=T(9), volume=2, submit=True)
    b2 = make_entry(office, day=D(2026, 10, 2), start=T(9), end=T(10), volume=1, submit=True)
    b3 = make_entry(office, day=D(2026, 10, 2), start=T(10), end=T(11), volume=1, submit=True)
    # 5 Oct: submitted, not yet verified; 6 Oct: draft.
    make_entry(office, day=D(2026, 10, 5), submit=True)
    make_entry(office, day=D(2026, 10, 6))
    # 30 September belongs to another month.
    make_entry(office, day=D(2026, 9, 30), submit=True)
    services.entries_verify_bulk(actor=boss, entry_ids=[a1.pk, a2.pk])
    services.entry_verify(
        actor=boss, entry=b1, decision="approve", approved_volume=1, reason="Satu saja"
    )
    services.entry_verify(actor=boss, entry=b2, decision="reject", reason="Tidak ada")
    services.entry_verify(actor=boss, entry=b3, decision="return", reason="Perbaiki")
    # 7 Oct: approved, then expired (never verified) for 8 Oct.
    c1 = make_entry(office, day=D(2026, 10, 7), submit=True)
    services.entry_verify(actor=boss, entry=c1, decision="approve")
    c2 = make_entry(office, day=D(2026, 10, 8), submit=True)
    ActivityEntry.objects.filter(pk=c2.pk).update(status=EntryStatus.EXPIRED)
    # An approved entry submitted after its window without unlock does not count (data from an import
    # or a bug must not pay).
    late = make_entry(office, day=D(2026, 10, 9), start=T(8), end=T(9), submit=True)
    services.entry_verify(actor=boss, entry=late, decision="approve")
    ActivityEntry.objects.filter(pk=late.pk).update(
        submitted_at=timezone.make_aware(dt.datetime(2026, 10, 30, 9))
    )

    ani, budi = office["p"]["ani"], office["p"]["budi"]
    m = activity_month([ani, budi], Period(2026, 10))
    assert m[ani.pk].minutes_by_day == {D(2026, 10, 1): 150, D(2026, 10, 2): 30, D(2026, 10, 7): 60}
    assert m[ani.pk].credited_minutes == 240
    assert (m[ani.pk].approved, m[ani.pk].rejected, m[ani.pk].expired) == (4, 1, 1)
    assert m[ani.pk].pending == 3  # returned, submitted, draft
    assert m[ani.pk].late == 1
    assert m[ani.pk].target_minutes == 6750
    assert m[budi.pk].credited_minutes == 0 and m[budi.pk].approved == 0


def test_unlocked_late_submission_counts(office, at):
    at("2026-10-20 10:00")
    ani = office["p"]["ani"]
    unlock = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 10, 1),
        date_to=D(2026, 10, 1),
        reason="Dinas luar tanpa jaringan",
    )
    bk = employee_with_login(office["inst"], None).user
    from tests.factories import grant

    grant(bk, "bkpsdm")
    services.unlock_request_decide(
        actor=type(bk).objects.get(pk=bk.pk), unlock=unlock, approve=True, deadline=D(2026, 10, 21)
    )
    e = make_entry(office, day=D(2026, 10, 1), submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    m = activity_month([ani], Period(2026, 10))[ani.pk]
    assert m.credited_minutes == 60 and m.late == 0


def test_recap_query_count_does_not_grow(office, at, django_assert_max_num_queries):
    at("2026-10-09 18:00")
    inst = office["inst"]
    few = [office["p"]["budi"]]
    with django_assert_max_num_queries(20) as q_few:
        activity_month(few, Period(2026, 10))
    many = [employee_with_login(inst, office["pos"]["staf"]) for _ in range(20)]
    entries = []
    for emp in many:
        for day in (1, 2, 5, 6):
            entries.append(
                ActivityEntry(
                    instansi=inst,
                    employee=emp,
                    date=D(2026, 10, day),
                    start_time=T(8),
                    end_time=T(9),
                    item=office["surat"],
                    volume=1,
                    minutes_per_unit=30,
                    status=EntryStatus.APPROVED,
                    credited_minutes=30,
                    submitted_at=timezone.make_aware(dt.datetime(2026, 10, 7, 9)),
                )
            )
    ActivityEntry.objects.bulk_create(entries)
    with django_assert_max_num_queries(len(q_few.captured_queries)):
        months = activity_month(many, Period(2026, 10))
    assert all(m.credited_minutes == 120 for m in months.values())
    rows = unit_activity_month(office["unit"], Period(2026, 10))
    assert len(rows) == 4 + 20


def test_the_recap_page_shows_a_page_of_a_big_unit(client, office, at, monkeypatch):
    """A Dinas Pendidikan of 8,000 was one 3.5 MB page; the rows now come 100 at a time (here 2),
    worked out for the page only, the unit and month kept by the pager."""
    import re

    from django.urls import reverse

    from ekinerja.activities import views
    from tests.factories import grant

    at("2026-11-03 09:00")
    monkeypatch.setattr(views, "RECAP_PAGE_ROWS", 2)
    bkpsdm = employee_with_login(office["inst"], None, name="Petugas BKPSDM")
    grant(bkpsdm.user, "bkpsdm")
    client.force_login(bkpsdm.user)
    url = reverse("activities:recap") + f"?unit={office['unit'].pk}&periode=2026-10"
    first = client.get(url).content.decode()

    def names(html):
        table = html.split('data-testid="recap"')[1].split("</table>")[0]
        return re.findall(r"<td>([^<]+)<div", table)

    assert names(first) == ["Ani", "Budi"] and "1–2 dari 4 pegawai" in first
    nxt = re.search(r'href="(\?[^"]*hal=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "periode=2026-10" in nxt and f"unit={office['unit'].pk}" in nxt
    second = client.get(reverse("activities:recap") + nxt).content.decode()
    assert names(second) == ["Kasubag Umum", "Kepala Dinas"]
