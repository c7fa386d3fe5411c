"""The SKP pages cost the same number of queries with 2 results as with 8, and the superior's
approvals list the same with one submitted subordinate as with three."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.performance.models import SkpPlan
from tests.performance.factories import agreed_plan


def _count(client, url) -> int:
    client.get(url)  # caches and session warmed up: only the page's own queries differ
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_skp_pages_do_not_grow_with_the_results(client, org, cascaded, at):
    at("2026-03-05 09:00")
    parents = list(cascaded["kabid"].results.all())
    small = cascaded["staf1"]
    big = agreed_plan(org["staf2"], 2027, parents=parents, n_results=8, appraiser=org["kabid"])
    SkpPlan.objects.filter(pk=big.pk).update(year=2026, version=2, status="draft")
    client.force_login(org["kabid"].user)
    assert _count(client, reverse("performance:plan-detail", args=[small.pk])) == _count(
        client, reverse("performance:plan-detail", args=[big.pk])
    )
    client.force_login(org["staf1"].user)
    few = _count(client, reverse("performance:my-skp") + "?tahun=2026")
    client.force_login(org["staf2"].user)
    assert _count(client, reverse("performance:my-skp") + "?tahun=2026") == few
    few = _count(client, reverse("performance:realisation") + "?periode=2026-02")
    client.force_login(org["staf1"].user)
    assert _count(client, reverse("performance:realisation") + "?periode=2026-02") == few


def test_approvals_do_not_grow_with_the_subordinates(client, org, cascaded, at):
    at("2026-03-05 09:00")
    SkpPlan.objects.filter(pk=cascaded["staf1"].pk).update(status="submitted")
    client.force_login(org["kabid"].user)
    one = _count(client, reverse("performance:approvals"))
    SkpPlan.objects.filter(pk__in=[cascaded["staf2"].pk, cascaded["staf3"].pk]).update(
        status="submitted"
    )
    response = client.get(reverse("performance:approvals"))
    assert response.content.decode().count("list-group-item-action") == 3
    assert _count(client, reverse("performance:approvals")) == one
