"""A rejected entry frees its time for a corrected new one (docs/activities.md). If the rejection
is later undone (an objection granted, a tim penilai overturn) while the replacement holds that
time, both would be approved and the same hours credited twice (240 minutes for 08:00-10:00 in the
TPP run). The decision is refused with its reason until the replacement is deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry, EntryStatus, ReviewItem
from ekinerja.activities.selectors import NO_CAP, activity_month
from ekinerja.core.periods import Period
from tests.factories import employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
OCT = Period(2026, 10)


def _rejected_then_replaced(office, approve=True):
    ani, kasubag = office["p"]["ani"], office["p"]["kasubag"]
    a = make_entry(office, day=D(2026, 10, 5), start=T(8), end=T(10), volume=4, submit=True)
    services.entry_verify(actor=kasubag.user, entry=a, decision="reject", reason="Bukti tidak ada")
    b = make_entry(office, day=D(2026, 10, 5), start=T(8), end=T(10), volume=4, submit=True)
    if approve:
        services.entry_verify(actor=kasubag.user, entry=b, decision="approve")
    return ani, a, b


def _minutes(ani):
    month = activity_month([ani], OCT, window_working_days=7, daily_cap=NO_CAP)[ani.pk]
    return month.minutes_by_day[D(2026, 10, 5)]


def test_an_objection_is_not_granted_while_a_replacement_holds_the_time(office, at):
    at("2026-10-05 17:00")
    ani, a, b = _rejected_then_replaced(office)
    kepala = office["p"]["kepala"]
    obj = services.objection_file(actor=ani.user, entry=a, reason="Bukti ada di arsip")
    with pytest.raises(ValidationError) as err:
        services.objection_decide(actor=kepala.user, objection=obj, grant=True, reason="Ada")
    text = str(err.value)
    assert "kini dipakai aktivitas lain (08.00–10.00" in text and "terhitung dua kali" in text
    assert "sudah dihitung lewat aktivitas pengganti yang disetujui" in text
    a.refresh_from_db()
    assert a.status == EntryStatus.REJECTED and _minutes(ani) == 120


def test_with_the_replacement_still_waiting_it_may_be_deleted_and_the_objection_granted(office, at):
    at("2026-10-05 17:00")
    ani, a, b = _rejected_then_replaced(office, approve=False)
    kepala = office["p"]["kepala"]
    obj = services.objection_file(actor=ani.user, entry=a, reason="Bukti ada di arsip")
    with pytest.raises(ValidationError, match="dapat menghapus aktivitas pengganti"):
        services.objection_decide(actor=kepala.user, objection=obj, grant=True, reason="Ada")
    services.entry_delete(actor=ani.user, entry=b)
    services.objection_decide(actor=kepala.user, objection=obj, grant=True, reason="Ada")
    a.refresh_from_db()
    assert a.status == EntryStatus.APPROVED and _minutes(ani) == 120


def test_a_tim_penilai_overturn_is_refused_while_a_replacement_holds_the_time(office, at):
    at("2026-10-05 17:00")
    ani, a, _b = _rejected_then_replaced(office)
    tp = employee_with_login(office["inst"], None, name="Tim Penilai").user
    grant(tp, "tim_penilai")
    tp = type(tp).objects.get(pk=tp.pk)
    sample = services.review_sample_draw(actor=tp, period=OCT, size=10, seed=1)
    item = ReviewItem.objects.get(sample=sample, entry=a)
    with pytest.raises(ValidationError, match="terhitung dua kali"):
        services.review_decide(actor=tp, item=item, outcome="overturned", reason="Keliru")
    a.refresh_from_db()
    assert a.status == EntryStatus.REJECTED and _minutes(ani) == 120


def test_an_expired_replacement_does_not_hold_the_time(office, at):
    """An expired entry credits nothing (and cannot be deleted): it does not stop the objection."""
    at("2026-10-05 17:00")
    ani, a, b = _rejected_then_replaced(office, approve=False)
    ActivityEntry.objects.filter(pk=b.pk).update(status=EntryStatus.EXPIRED)
    kepala = office["p"]["kepala"]
    obj = services.objection_file(actor=ani.user, entry=a, reason="Bukti ada di arsip")
    services.objection_decide(actor=kepala.user, objection=obj, grant=True, reason="Ada")
    a.refresh_from_db()
    assert a.status == EntryStatus.APPROVED and _minutes(ani) == 120
