"""Who verifies whose entries (audit, December 2026): the direct superior on the entry's date, also
for an employee made inactive since, entries older than the inbox's look-back, objections to a tim
penilai overturn, and months whose TPP is locked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekinerja.activities import selectors, services
from ekinerja.activities.models import ActivityEntry, EntryStatus, Objection
from ekinerja.org.models import Assignment, Employee
from tests.factories import employee_with_login, grant

from .conftest import D, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def _leave(office, who: str, last_day) -> Employee:
    """BKPSDM records the post's last day and marks the employee inactive (retired, moved out)."""
    person = office["p"][who]
    Assignment.objects.filter(employee=person).update(end=last_day)
    Employee.objects.filter(pk=person.pk).update(is_active=False)
    person.refresh_from_db()
    return person


def test_a_retired_employees_waiting_entries_go_to_their_superior_of_the_date(office, client):
    """Ani retires after 8 October with two entries waiting: the kasubag, her superior on those
    days, still finds them in the inbox and verifies them (one by one or her whole month). Before,
    the hierarchy left her out: the entries were in nobody's inbox, the kasubag was refused ("bukan
    atasan langsung") and they expired, though the TPP run pays her October."""
    first = make_entry(office, day=D(2026, 10, 7), submit=True)
    second = make_entry(office, day=D(2026, 10, 8), submit=True)
    _leave(office, "ani", D(2026, 10, 8))
    kasubag, kepala = office["p"]["kasubag"], office["p"]["kepala"]
    officer = employee_with_login(office["inst"], None, name="Petugas BKPSDM")
    grant(officer.user, "bkpsdm")

    assert selectors.inbox_count(kasubag) == (2, first.verify_by)
    inbox = selectors.superior_inbox(kasubag)
    assert [g.employee.name for g in inbox.groups] == ["Ani"] and inbox.total == 2
    assert selectors.inbox_count(kepala)[0] == 0
    assert selectors.inbox_count(officer, bkpsdm=True)[0] == 0  # she had a superior
    # Her superior sees the entry; the others who are not do not.
    assert selectors.entry_visible_to(kasubag.user, first)
    assert not selectors.entry_visible_to(office["p"]["budi"].user, first)
    client.force_login(kasubag.user)
    assert client.get(reverse("activities:entry", args=[first.pk])).status_code == 200

    for who in (kepala, officer):
        with pytest.raises(PermissionDenied, match="bukan atasan langsung"):
            services.entry_verify(actor=who.user, entry=first, decision="approve")
    services.entry_verify(actor=kasubag.user, entry=first, decision="approve")
    n = services.entries_verify_bulk(
        actor=kasubag.user, employee=first.employee, start=D(2026, 10, 1), end=D(2026, 10, 31)
    )
    assert n.count == 1
    assert set(
        ActivityEntry.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "status", "verified_by"
        )
    ) == {(EntryStatus.APPROVED, kasubag.pk)}


def test_a_retired_employee_under_a_vacant_post_goes_to_the_next_one_up(office):
    """The same rule as for anyone: the kasubag post vacant that day, the kepala verifies; the
    kasubag's entries, once they are inactive, go to the kepala too (ticked in the inbox)."""
    make_entry(office, who="kasubag", day=D(2026, 10, 8), submit=True)
    ani_entry = make_entry(office, day=D(2026, 10, 8), submit=True)
    boss = _leave(office, "kasubag", D(2026, 10, 8))
    _leave(office, "ani", D(2026, 10, 8))
    kepala = office["p"]["kepala"]
    assert selectors.inbox_count(kepala)[0] == 2
    ids = list(
        ActivityEntry.objects.filter(status=EntryStatus.SUBMITTED).values_list("pk", flat=True)
    )
    assert services.entries_verify_bulk(actor=kepala.user, entry_ids=ids).count == 2
    assert not selectors.may_verify(boss, ani_entry)


def test_an_objection_to_a_verifier_who_has_left_goes_to_their_superior_of_the_date(office):
    """The kasubag rejected Ani's entry and retired the next day. Before, her objection was refused
    ("Atasan dari atasan Anda tidak ditemukan"): the kasubag had dropped out of the hierarchy."""
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Tanpa bukti"
    )
    _leave(office, "kasubag", D(2026, 10, 8))
    o = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Buktinya sudah saya lampirkan"
    )
    assert o.decider == office["p"]["kepala"]


def test_an_objection_whose_decider_has_left_is_decided_by_bkpsdm(office, client):
    """The kasubag rejected Ani's entry, she objected, and the kepala who was to decide retired
    before deciding. Before, the objection waited for ever in an inactive employee's list; now
    BKPSDM finds it on the objections page, told why, and decides it (never one of their own)."""
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Tanpa bukti"
    )
    o = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Buktinya sudah saya lampirkan"
    )
    officer = employee_with_login(office["inst"], None, name="Petugas BKPSDM")
    grant(officer.user, "bkpsdm")
    # While the kepala is active, the objection is theirs alone.
    assert list(selectors.objections_to_decide(officer, bkpsdm=True)) == []
    with pytest.raises(PermissionDenied):
        services.objection_decide(actor=officer.user, objection=o, grant=True, reason="Benar")
    kepala = _leave(office, "kepala", D(2026, 10, 9))
    assert list(selectors.objections_to_decide(officer, bkpsdm=True)) == [o]
    assert list(selectors.objections_to_decide(officer)) == []  # only BKPSDM takes them over
    # Someone without the role, and a BKPSDM officer whose own entry it is, do not.
    with pytest.raises(PermissionDenied):
        services.objection_decide(
            actor=office["p"]["budi"].user, objection=o, grant=True, reason="Benar"
        )
    grant(office["p"]["ani"].user, "bkpsdm")
    assert list(selectors.objections_to_decide(office["p"]["ani"], bkpsdm=True)) == []
    with pytest.raises(PermissionDenied):
        services.objection_decide(
            actor=office["p"]["ani"].user, objection=o, grant=True, reason="Benar"
        )
    client.force_login(officer.user)
    page = client.get(reverse("activities:objections")).content.decode()
    assert 'data-testid="objection-pending"' in page
    assert f"Atasan yang seharusnya memutuskan ({kepala.full_name}) sudah tidak aktif" in page
    r = client.post(
        reverse("activities:objection-decide", args=[o.pk]),
        {"decision": "grant", "reason": "Bukti lengkap"},
    )
    assert r.status_code == 302
    o.refresh_from_db()
    e.refresh_from_db()
    assert o.status == "granted" and o.decision_reason == "Bukti lengkap"
    assert e.status == EntryStatus.APPROVED and e.verified_by_id == officer.pk


def test_a_bkpsdm_officer_does_not_take_over_the_objection_to_their_own_rejection(office):
    """The kasubag, also a BKPSDM officer, rejected Ani's entry; the kepala who was to decide her
    objection retired. Another BKPSDM officer decides it, not the kasubag."""
    kasubag = office["p"]["kasubag"]
    grant(kasubag.user, "bkpsdm")
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=kasubag.user, entry=e, decision="reject", reason="Tanpa bukti")
    o = services.objection_file(actor=office["p"]["ani"].user, entry=e, reason="Ada buktinya")
    _leave(office, "kepala", D(2026, 10, 9))
    assert list(selectors.objections_to_decide(kasubag, bkpsdm=True)) == []
    with pytest.raises(PermissionDenied):
        services.objection_decide(actor=kasubag.user, objection=o, grant=False, reason="Tetap")
    officer = employee_with_login(office["inst"], None, name="Petugas BKPSDM")
    grant(officer.user, "bkpsdm")
    assert list(selectors.objections_to_decide(officer, bkpsdm=True)) == [o]


def test_an_objection_to_a_plt_goes_above_the_post_they_acted_in(office):
    """The kasubag post is vacant from 5 October and a kasi of another OPD is its Plt: he rejects
    Ani's entry. Her objection goes to the kepala (above the kasubag post). Before, it went to his
    own kabid in the other OPD, who had nothing to do with Ani and then saw her entry."""
    from ekinerja.org.models import Position
    from tests.factories import AssignmentFactory, PositionFactory, UnitFactory

    other = UnitFactory(instansi=office["inst"], name="Dinas Lain")
    kabid_p = PositionFactory(unit=other, kind=Position.Kind.STRUKTURAL, kelas=12, name="Kabid")
    kasi_p = PositionFactory(
        unit=other, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kasi", parent=kabid_p
    )
    kabid = employee_with_login(office["inst"], kabid_p, name="Kabid Dinas Lain")
    plt = employee_with_login(office["inst"], kasi_p, name="Kasi Dinas Lain")
    Assignment.objects.filter(employee=office["p"]["kasubag"]).update(end=D(2026, 10, 4))
    AssignmentFactory(
        employee=plt, position=office["pos"]["kasubag"], kind="plt", start=D(2026, 10, 5)
    )
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=plt.user, entry=e, decision="reject", reason="Tanpa bukti")
    o = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Buktinya sudah saya lampirkan"
    )
    assert o.decider == office["p"]["kepala"]
    assert not selectors.entry_visible_to(kabid.user, e)
    with pytest.raises(PermissionDenied):
        services.objection_decide(actor=kabid.user, objection=o, grant=True, reason="Benar")


def test_an_objection_to_a_plh_goes_above_the_post_they_stood_in_for(office):
    """Budi stands in (Plh) for the kasubag during her leave and returns Ani's entry volume cut.
    The objection goes to the kepala; before, to the kasubag Budi had stood in for."""
    from tests.factories import AssignmentFactory

    AssignmentFactory(
        employee=office["p"]["budi"],
        position=office["pos"]["kasubag"],
        kind="plh",
        start=D(2026, 10, 5),
        end=D(2026, 10, 9),
    )
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(
        actor=office["p"]["budi"].user,
        entry=e,
        decision="approve",
        approved_volume="1",
        reason="Satu surat saja",
    )
    o = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Dua surat, terlampir keduanya"
    )
    assert o.verifier == office["p"]["budi"] and o.decider == office["p"]["kepala"]


def test_no_objection_to_a_tim_penilai_overturn(office, client):
    """The kasubag approved; the tim penilai overturned it to rejected (final). Before, Ani could
    object "to the rejection": the objection named the kasubag, who had approved, and the kepala
    granting it approved the entry again, undoing the team's final decision."""
    from ekinerja.activities.models import ReviewItem
    from ekinerja.core.periods import Period

    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    team = employee_with_login(office["inst"], None, name="Tim Penilai")
    grant(team.user, "tim_penilai")
    sample = services.review_sample_draw(actor=team.user, period=Period(2026, 10), seed=1)
    item = ReviewItem.objects.get(sample=sample, entry=e)
    services.review_decide(actor=team.user, item=item, outcome="overturned", reason="Tidak wajar")
    ani = office["p"]["ani"].user
    with pytest.raises(ValidationError) as err:
        services.objection_file(actor=ani, entry=e, reason="Buktinya sudah saya lampirkan")
    assert "tim penilai" in err.value.message_dict["reason"][0]
    assert not Objection.objects.exists()
    client.force_login(ani)
    page = client.get(reverse("activities:entry", args=[e.pk])).content.decode()
    assert 'data-testid="objection-submit"' not in page
    e.refresh_from_db()
    assert e.status == EntryStatus.REJECTED


def test_an_objection_to_the_superiors_own_rejection_still_goes_up(office, client):
    """Only the team's overturn is final: a rejection by the superior, sampled and found fine by
    the tim penilai, is objected to as before."""
    from ekinerja.activities.models import ReviewItem
    from ekinerja.core.periods import Period

    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Tanpa bukti"
    )
    team = employee_with_login(office["inst"], None, name="Tim Penilai")
    grant(team.user, "tim_penilai")
    sample = services.review_sample_draw(actor=team.user, period=Period(2026, 10), seed=1)
    item = ReviewItem.objects.get(sample=sample, entry=e)
    services.review_decide(actor=team.user, item=item, outcome="ok")
    ani = office["p"]["ani"].user
    client.force_login(ani)
    page = client.get(reverse("activities:entry", args=[e.pk])).content.decode()
    assert 'data-testid="objection-submit"' in page
    o = services.objection_file(actor=ani, entry=e, reason="Buktinya sudah saya lampirkan")
    assert o.decider == office["p"]["kepala"]


def test_an_entry_older_than_the_inbox_look_back_submitted_under_an_unlock_is_in_the_inbox(
    office,
):
    """BKPSDM reopened July (an unlock may reach any past dates); Ani submits a July entry on 9
    October. It waits for the kasubag until its own deadline, but it lies more than 75 days back:
    before, it was in nobody's inbox or count and expired unseen."""
    Assignment.objects.filter(instansi=office["inst"]).update(start=D(2026, 1, 1))
    ani = office["p"]["ani"]
    officer = employee_with_login(office["inst"], None, name="Petugas BKPSDM")
    grant(officer.user, "bkpsdm")
    unlock = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 7, 1),
        date_to=D(2026, 7, 31),
        reason="SK penempatan baru diterima",
    )
    services.unlock_request_decide(
        actor=officer.user, unlock=unlock, approve=True, deadline=D(2026, 10, 20)
    )
    old = make_entry(office, day=D(2026, 7, 15), submit=True)
    assert old.verify_by >= D(2026, 10, 9)
    kasubag = office["p"]["kasubag"]
    assert selectors.inbox_count(kasubag) == (1, old.verify_by)
    assert [d.day for g in selectors.superior_inbox(kasubag).groups for d in g.days] == [
        D(2026, 7, 15)
    ]
    assert selectors.inbox_count(office["p"]["kepala"])[0] == 0
    services.entry_verify(actor=kasubag.user, entry=old, decision="approve")
    assert selectors.inbox_count(kasubag)[0] == 0


def test_a_units_sample_holds_only_the_days_spent_in_the_unit(office):
    """Ani moved from Dinas Kominfo to another OPD on 5 October. That OPD's tim penilai sample holds
    her entries from 5 October only; before, it drew her 1 October entry too (verified in Kominfo):
    the team saw it and could not review it ("di luar cakupan")."""
    from ekinerja.activities.models import ReviewItem
    from ekinerja.core.periods import Period
    from ekinerja.org.models import Position
    from tests.factories import AssignmentFactory, PositionFactory, UnitFactory

    other = UnitFactory(instansi=office["inst"], name="Dinas Lain")
    head_p = PositionFactory(unit=other, kind=Position.Kind.STRUKTURAL, kelas=12)
    staff_p = PositionFactory(unit=other, kind=Position.Kind.PELAKSANA, kelas=7, parent=head_p)
    head = employee_with_login(office["inst"], head_p, name="Kepala Dinas Lain")
    ani = office["p"]["ani"]
    before = make_entry(office, day=D(2026, 10, 1), submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=before, decision="approve")
    Assignment.objects.filter(employee=ani).update(end=D(2026, 10, 4))
    AssignmentFactory(employee=ani, position=staff_p, start=D(2026, 10, 5))
    after = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=head.user, entry=after, decision="approve")

    def sampled(unit) -> set[int]:
        team = employee_with_login(office["inst"], None)
        grant(team.user, "tim_penilai", unit=unit)
        sample = services.review_sample_draw(
            actor=team.user, period=Period(2026, 10), unit=unit, seed=1
        )
        return set(ReviewItem.objects.filter(sample=sample).values_list("entry_id", flat=True))

    assert sampled(other) == {after.pk}
    assert sampled(office["unit"]) == {before.pk}


def _lock_october_for(monkeypatch, employee_id: int) -> None:
    from ekinerja.core import locked_months

    monkeypatch.setattr(
        locked_months,
        "_source",
        [lambda _inst, pairs: {p for p in pairs if p == (employee_id, "2026-10")}],
    )


def _notes(page: str) -> list[str]:
    import html
    import re

    return re.findall(r'data-testid="locked-note">([^<]+)<', html.unescape(page))


def test_the_inbox_and_the_month_page_say_when_the_months_tpp_is_locked(
    office, client, monkeypatch
):
    """October's TPP is locked for Ani while an October entry still waits (its deadline lies in
    November). Approving it changes the record, not the pay: the run's locked figures stay. Before,
    neither the superior deciding nor Ani, whose month page then counted minutes her TPP never
    paid, was told."""
    make_entry(office, day=D(2026, 10, 8), submit=True)
    make_entry(office, who="budi", day=D(2026, 10, 8), submit=True)
    _lock_october_for(monkeypatch, office["p"]["ani"].pk)
    client.force_login(office["p"]["kasubag"].user)
    notes = _notes(client.get(reverse("activities:inbox")).content.decode())
    # Ani's row in the list of who waits and her group of entries; nothing on Budi's two.
    assert len(notes) == 2
    assert all(n.startswith("TPP Oktober 2026 pegawai ini sudah dikunci") for n in notes)
    client.force_login(office["p"]["ani"].user)
    month = client.get(reverse("activities:month") + "?periode=2026-10").content.decode()
    assert _notes(month)[0].startswith("TPP Oktober 2026 Anda sudah dikunci")
    client.force_login(office["p"]["budi"].user)
    assert (
        _notes(client.get(reverse("activities:month") + "?periode=2026-10").content.decode()) == []
    )
