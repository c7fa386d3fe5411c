"""Every write of a definitif post tells the apps above org which employees' days in post changed,
and over which dates (org.signals.posts_changed): the post service, the employee import (one
announcement for the whole file) and the admin's delete. An acting (Plt/Plh) post announces
nothing; nor does a write that changes no day in post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.core.models import AuditEvent, User
from ekinerja.org import services
from ekinerja.org.models import Assignment, Employee, Role
from ekinerja.org.signals import changed_days, posts_changed
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
    make_nip,
)
from tests.org.test_import import base_rows, to_csv

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def sent():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(
            (kwargs["instansi_id"], kwargs["employee_ids"], kwargs["start"], kwargs["end"])
        )

    posts_changed.connect(receiver, dispatch_uid="test-posts-changed")
    yield calls
    posts_changed.disconnect(dispatch_uid="test-posts-changed")


@pytest.fixture
def world():
    inst = InstansiFactory(code="6301")
    unit = UnitFactory(instansi=inst, code="DINKES")
    head = PositionFactory(unit=unit, code="KADIS", kind="struktural", kelas=14)
    staff = PositionFactory(unit=unit, code="STAF", parent=head)
    officer = employee_with_login(inst, staff, name="Rina BKPSDM")
    grant(officer.user, Role.BKPSDM)
    return inst, head, staff, officer.user


# ---------------------------------------------------------------- which days changed


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # The first post recorded: the days before it were working days (no post on record).
        ([], [(D(2026, 10, 15), None)], (None, D(2026, 10, 14))),
        # A post ended in the past: every day after its end.
        ([(D(2020, 1, 1), None)], [(D(2020, 1, 1), D(2026, 10, 14))], (D(2026, 10, 15), None)),
        # A start corrected: the days between the two starts.
        ([(D(2026, 9, 1), None)], [(D(2026, 9, 15), None)], (D(2026, 9, 1), D(2026, 9, 14))),
        # A transfer: the old post ends the day before the new one starts: no day changes.
        (
            [(D(2020, 1, 1), None)],
            [(D(2020, 1, 1), D(2026, 10, 14)), (D(2026, 10, 15), None)],
            None,
        ),
        # A gap between two posts closed.
        (
            [(D(2020, 1, 1), D(2026, 9, 30)), (D(2026, 10, 19), None)],
            [(D(2020, 1, 1), D(2026, 10, 18)), (D(2026, 10, 19), None)],
            (D(2026, 10, 1), D(2026, 10, 18)),
        ),
        # The only post deleted: every day outside it.
        ([(D(2026, 10, 15), D(2026, 10, 20))], [], (None, None)),
        ([], [], None),
    ],
)
def test_changed_days(before, after, expected):
    assert changed_days(before, after) == expected


# ---------------------------------------------------------------- the post service


def test_a_first_post_announces_the_days_before_it(world, sent):
    inst, _head, staff, bkpsdm = world
    citra = EmployeeFactory(instansi=inst, name="Citra CPNS")
    services.assignment_save(
        actor=bkpsdm,
        assignment=Assignment(instansi=inst, employee=citra, position=staff, start=D(2026, 10, 15)),
    )
    assert sent == [(inst.id, [citra.id], None, D(2026, 10, 14))]


def test_ending_a_post_in_the_past_announces_the_days_after_it(world, sent):
    inst, _head, staff, bkpsdm = world
    dedi = EmployeeFactory(instansi=inst, name="Dedi Purna")
    post = AssignmentFactory(employee=dedi, position=staff, start=D(2020, 1, 1))
    post.end = D(2026, 10, 14)
    services.assignment_save(actor=bkpsdm, assignment=post)
    assert sent == [(inst.id, [dedi.id], D(2026, 10, 15), None)]
    # Saved again unchanged (the admin form submitted twice): no day changes, nothing sent.
    services.assignment_save(actor=bkpsdm, assignment=post)
    assert len(sent) == 1


def test_a_post_made_acting_or_moved_to_another_employee_announces_both_sides(world, sent):
    inst, _head, staff, bkpsdm = world
    eko = EmployeeFactory(instansi=inst, name="Eko")
    fani = EmployeeFactory(instansi=inst, name="Fani")
    AssignmentFactory(employee=eko, position=staff, start=D(2020, 1, 1), end=D(2026, 9, 30))
    later = AssignmentFactory(employee=eko, position=staff, start=D(2026, 10, 1))
    later.employee = fani  # recorded for the wrong person, corrected
    services.assignment_save(actor=bkpsdm, assignment=later)
    # Eko: out of post from 1 October; Fani (no post before): in post only from then.
    assert sent == [(inst.id, [eko.id, fani.id], None, None)]


def test_an_acting_post_announces_nothing(world, sent):
    inst, head, _staff, bkpsdm = world
    gita = EmployeeFactory(instansi=inst, name="Gita")
    AssignmentFactory(employee=gita, position=PositionFactory(unit=head.unit), start=D(2020, 1, 1))
    plt = services.assignment_save(
        actor=bkpsdm,
        assignment=Assignment(
            instansi=inst,
            employee=gita,
            position=head,
            kind=Assignment.Kind.PLT,
            start=D(2026, 10, 5),
        ),
    )
    plt.end = D(2026, 10, 20)
    services.assignment_save(actor=bkpsdm, assignment=plt)
    assert sent == []


def test_a_definitif_post_made_acting_announces_its_days(world, sent):
    inst, _head, staff, bkpsdm = world
    hadi = EmployeeFactory(instansi=inst, name="Hadi")
    AssignmentFactory(employee=hadi, position=staff, start=D(2020, 1, 1), end=D(2026, 9, 30))
    wrong = AssignmentFactory(employee=hadi, position=staff, start=D(2026, 10, 5))
    wrong.kind = Assignment.Kind.PLH
    services.assignment_save(actor=bkpsdm, assignment=wrong)
    assert sent == [(inst.id, [hadi.id], D(2026, 10, 5), None)]


def test_a_refused_post_announces_nothing(world, sent):
    inst, _head, staff, bkpsdm = world
    ika = EmployeeFactory(instansi=inst, name="Ika")
    AssignmentFactory(employee=ika, position=staff, start=D(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.assignment_save(
            actor=bkpsdm,
            assignment=Assignment(
                instansi=inst, employee=ika, position=staff, start=D(2026, 10, 1)
            ),
        )
    assert sent == []


# ---------------------------------------------------------------- the import


def test_the_import_announces_once_for_the_whole_file(sent):
    inst = InstansiFactory(code="6302")
    services.import_apply(actor=None, instansi=inst, file=to_csv(base_rows()), name="a.csv")
    assert sent == []  # every employee is new: nothing stored for them to follow
    citra_nip = make_nip(appointed=(2026, 10))
    citra = EmployeeFactory(instansi=inst, nip=citra_nip, name="Citra CPNS", golongan="III/a")
    rows = base_rows()
    analis = dict(rows[2])
    assert analis["Nama"] == "Dewi Lestari"
    rows[2] = {**analis, "TMT Jabatan": "2024-04-01"}  # was 15 March 2024
    rows.append(
        {
            **analis,
            "NIP": citra_nip,
            "Nama": "Citra CPNS",
            "Status": "PNS",
            "Golongan": "III/a",
            "TMT Jabatan": "2026-10-15",
        }
    )
    rows.append({**analis, "NIP": make_nip(), "Nama": "Joko Baru"})
    result = services.import_apply(actor=None, instansi=inst, file=to_csv(rows), name="b.csv")
    assert result.counts["assignments_created"] == 2 and result.counts["assignments_updated"] == 1
    dewi = Employee.objects.get(instansi=inst, name="Dewi Lestari")
    # One announcement: Dewi (15-31 March 2024 no longer in post) and Citra (no day before her
    # first post is hers); Joko, created by the file, is not in it.
    assert sent == [(inst.id, sorted([dewi.id, citra.id]), None, D(2026, 10, 14))]


# ---------------------------------------------------------------- the admin's delete


@pytest.fixture
def superuser_client(client, world):
    user = User.objects.create_superuser(username="root", password="Rahasia-Kuat-2026!")
    client.force_login(user)
    return client


def test_the_admin_s_deletes_announce_the_days_the_posts_leave(world, sent, superuser_client):
    inst, _head, staff, _bkpsdm = world
    eko = EmployeeFactory(instansi=inst, name="Eko")
    AssignmentFactory(employee=eko, position=staff, start=D(2020, 1, 1), end=D(2026, 9, 30))
    later = AssignmentFactory(employee=eko, position=staff, start=D(2026, 10, 1))
    r = superuser_client.post(
        reverse("admin:org_assignment_delete", args=[later.pk]), {"post": "yes"}
    )
    assert r.status_code == 302
    assert not Assignment.objects.filter(pk=later.pk).exists()
    assert sent == [(inst.id, [eko.id], D(2026, 10, 1), None)]
    assert AuditEvent.objects.filter(action="admin.delete", object_id=str(later.pk)).exists()

    # The changelist's bulk action: one announcement for the selection.
    fani = EmployeeFactory(instansi=inst, name="Fani")
    a = AssignmentFactory(employee=fani, position=staff, start=D(2026, 10, 15))
    first = Assignment.objects.get(employee=eko)
    acting = AssignmentFactory(
        employee=fani, position=staff, kind=Assignment.Kind.PLT, start=D(2026, 10, 20)
    )
    sent.clear()
    r = superuser_client.post(
        reverse("admin:org_assignment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [a.pk, first.pk, acting.pk],
            "post": "yes",
        },
    )
    assert r.status_code == 302
    assert not Assignment.objects.filter(pk__in=[a.pk, first.pk, acting.pk]).exists()
    # Both are left without any post: every day outside the ones they held.
    assert sent == [(inst.id, sorted([eko.id, fani.id]), None, None)]
    assert AuditEvent.objects.filter(action="admin.delete").count() == 4


def test_acting_in_ones_own_definitif_post_is_refused(world):
    """Plt/Plh is of another position (tpp-rules.md step 1): a Plt of one's own post would add the
    Plt share of one's own base to the ceiling. Refused whichever of the two is recorded first."""
    inst, head, staff, bkpsdm = world
    ika = EmployeeFactory(instansi=inst, name="Ika")
    AssignmentFactory(employee=ika, position=head, start=D(2020, 1, 1), end=D(2026, 10, 31))
    acting = Assignment(
        instansi=inst, employee=ika, position=head, kind=Assignment.Kind.PLT, start=D(2026, 10, 1)
    )
    with pytest.raises(ValidationError) as err:
        services.assignment_save(actor=bkpsdm, assignment=acting)
    assert "jabatan definitif pegawai itu sendiri" in str(err.value)
    # After the definitif post ended: a Plt of it is fine.
    acting.start = D(2026, 11, 1)
    services.assignment_save(actor=bkpsdm, assignment=acting)
    # And a definitif post over one's own Plt is refused the other way round.
    joko = EmployeeFactory(instansi=inst, name="Joko")
    AssignmentFactory(employee=joko, position=staff, kind=Assignment.Kind.PLH, start=D(2026, 10, 1))
    with pytest.raises(ValidationError, match="jabatan definitif pegawai itu sendiri"):
        services.assignment_save(
            actor=bkpsdm,
            assignment=Assignment(
                instansi=inst, employee=joko, position=staff, start=D(2026, 10, 10)
            ),
        )


def test_a_plh_during_ones_own_plt_of_the_same_post_is_not_refused_as_ones_own_post(world):
    """The own-post rule is about acting in one's definitif post; a Plh of a post one is already
    Plt of was refused with "jabatan definitif pegawai itu sendiri", naming a post not theirs."""
    inst, head, staff, bkpsdm = world
    ika = EmployeeFactory(instansi=inst, name="Ika")
    AssignmentFactory(employee=ika, position=staff, start=D(2020, 1, 1))
    AssignmentFactory(
        employee=ika,
        position=head,
        kind=Assignment.Kind.PLT,
        start=D(2026, 10, 1),
        end=D(2026, 12, 31),
    )
    services.assignment_save(
        actor=bkpsdm,
        assignment=Assignment(
            instansi=inst,
            employee=ika,
            position=head,
            kind=Assignment.Kind.PLH,
            start=D(2026, 11, 1),
            end=D(2026, 11, 5),
        ),
    )
    assert Assignment.objects.filter(employee=ika, position=head).count() == 2
