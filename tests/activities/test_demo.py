"""Demo activities: ~150 catalog items, a month of entries for every employee in every state,
consistent with the activity rules."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db.models import Count, Sum

from ekinerja.activities.models import (
    ActivityCatalogItem,
    ActivityEntry,
    Objection,
    UnlockRequest,
)
from ekinerja.activities.selectors import activity_month, superior_inbox
from ekinerja.core.periods import Period
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate
from ekinerja.org.models import Employee
from ekinerja.org.selectors import hierarchy

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def test_demo_month_is_complete_and_follows_the_activity_rules():
    """One generation (it takes a while), every property checked on it."""
    demo = demo_generate(code="6399", employees=200, seed=7, password=DEMO_PASSWORD, today=TODAY)
    check_catalog_has_about_150_items_with_standard_minutes(demo)
    check_every_employee_in_post_has_entries_in_every_state(demo)
    check_entries_follow_the_rules(demo)
    check_recap_and_inbox_work_on_the_demo(demo)


def check_catalog_has_about_150_items_with_standard_minutes(demo):
    items = ActivityCatalogItem.objects.filter(instansi=demo.instansi)
    assert 140 <= items.count() <= 170
    assert not items.filter(standard_minutes__lte=0).exists()
    assert items.filter(units__isnull=False).exists()  # trade items limited to their OPD


def check_every_employee_in_post_has_entries_in_every_state(demo):
    entries = ActivityEntry.objects.filter(instansi=demo.instansi)
    with_entries = set(entries.values_list("employee_id", flat=True).distinct())
    employees = set(Employee.objects.filter(instansi=demo.instansi).values_list("id", flat=True))
    assert len(with_entries) >= 0.97 * len(employees)
    states = set(entries.values_list("status", flat=True).distinct())
    assert states == {"draft", "submitted", "approved", "rejected", "returned", "expired"}
    assert entries.filter(auto_verified=True).exists()
    assert entries.filter(approved_volume__isnull=False).exists()
    assert Objection.objects.filter(instansi=demo.instansi, status="pending").exists()
    assert Objection.objects.filter(instansi=demo.instansi).exclude(status="pending").exists()
    assert UnlockRequest.objects.filter(instansi=demo.instansi, status="pending").exists()


def check_entries_follow_the_rules(demo):
    rows = list(
        ActivityEntry.objects.filter(instansi=demo.instansi).values_list(
            "employee_id",
            "date",
            "start_time",
            "end_time",
            "status",
            "verified_by_id",
            "auto_verified",
        )
    )
    by_day = defaultdict(list)
    for emp, day, start, end, *_ in rows:
        by_day[(emp, day)].append((start, end))
    for spans in by_day.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            assert e1 <= s2  # no overlap
    assert all(day < TODAY for _e, day, *_ in rows)
    # Verified by the direct superior of the entry's date.
    checked = 0
    hier = {}
    for emp, day, _s, _e, status, verifier, auto in rows:
        if status in ("approved", "rejected") and not auto and checked < 300:
            h = hier.setdefault(day, hierarchy(demo.instansi.pk, day))
            assert h.superior_id(emp) == verifier
            checked += 1
    assert checked == 300
    cap = 420
    over = (
        ActivityEntry.objects.filter(instansi=demo.instansi, status="approved")
        .values("employee_id", "date")
        .annotate(t=Sum("credited_minutes"))
        .filter(t__gt=cap)
    )
    assert not over.exists()


def check_recap_and_inbox_work_on_the_demo(demo):
    employees = list(Employee.objects.filter(instansi=demo.instansi).select_related("instansi"))
    months = activity_month(employees, Period(2026, 11))
    assert sum(m.credited_minutes for m in months.values()) > 0
    atasan = next(a for a in demo.accounts if a.role == "atasan")
    boss = Employee.objects.get(user__username=atasan.username)
    inbox = superior_inbox(boss, TODAY)
    assert inbox.total > 0
    counts = ActivityEntry.objects.filter(instansi=demo.instansi).aggregate(n=Count("id"))
    assert counts["n"] > 200 * 15
