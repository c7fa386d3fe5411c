"""S10 (H5): Ani retires on Thursday 15 October (post ended that day, made inactive) with entries of
her last days waiting. Her kasubag, her superior on those days, finds them in the inbox and
verifies them (one, or the whole month); at the deadline the policy's auto-approval credits them
like anyone's; nobody else verifies them. These already worked (activities.selectors.superior_in,
superior_of_on: a leaver answers to the superior of the post she held that day) and are kept here
with the hierarchy's rule for leavers (org.selectors.superior_walk climbs from a leaver's post with
a recorded end; docs/architecture.md, "A leaver in the hierarchy")."""

import pytest
from django.core.exceptions import PermissionDenied

from ekinerja.activities import selectors, services
from ekinerja.activities.models import ActivityEntry, ActivitySettings, EntryStatus
from ekinerja.org.models import Assignment, Employee

from .conftest import D, make_entry

pytestmark = pytest.mark.django_db

LAST_DAY = D(2026, 10, 15)


@pytest.fixture
def waiting(office, at):
    """Two entries of Ani's last days submitted on the 15th; then BKPSDM records her retirement."""
    at("2026-10-15 17:00")
    entries = [
        make_entry(office, day=D(2026, 10, 14), submit=True),
        make_entry(office, day=LAST_DAY, submit=True),
    ]
    ani = office["p"]["ani"]
    Assignment.objects.filter(employee=ani).update(end=LAST_DAY)
    Employee.objects.filter(pk=ani.pk).update(is_active=False)
    at("2026-10-19 09:00")
    return entries


def test_her_superior_of_those_days_verifies_them_from_the_inbox(office, waiting):
    first, second = waiting
    kasubag, kepala, budi = (office["p"][k] for k in ("kasubag", "kepala", "budi"))
    assert selectors.inbox_count(kasubag)[0] == 2
    assert [g.employee.name for g in selectors.superior_inbox(kasubag).groups] == ["Ani"]
    assert selectors.inbox_count(kepala)[0] == 0
    assert selectors.superior_of_on(first.employee_id, first.instansi_id, first.date) == kasubag.pk
    for who in (kepala, budi):
        assert not selectors.may_verify(who, first)
        with pytest.raises(PermissionDenied):
            services.entry_verify(actor=who.user, entry=first, decision="approve")
    services.entry_verify(actor=kasubag.user, entry=first, decision="approve")
    n = services.entries_verify_bulk(
        actor=kasubag.user, employee=second.employee, start=D(2026, 10, 1), end=D(2026, 10, 31)
    )
    assert n.count == 1
    assert set(
        ActivityEntry.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "status", "verified_by"
        )
    ) == {(EntryStatus.APPROVED, kasubag.pk)}
    assert selectors.inbox_count(kasubag)[0] == 0


def test_the_deadline_job_auto_approves_them_like_anyones(office, waiting):
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"],
        defaults={"deadline_behaviour": ActivitySettings.DeadlineBehaviour.AUTO_APPROVE},
    )
    counts = services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 12, 1))
    assert counts["auto_approved"] == 2
    assert set(
        ActivityEntry.objects.filter(pk__in=[e.pk for e in waiting]).values_list(
            "status", "credited_minutes"
        )
    ) == {(EntryStatus.APPROVED, 60)}
