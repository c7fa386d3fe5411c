"""The SKP and realisation pages on a phone: every target figure says what it is (quantity,
quality, time), and the superior's expectations column is shown only when there is one to read."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.performance.models import SkpBehaviour

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_targets_name_their_quality_and_time(client, org, cascaded, at):
    at("2026-10-20 09:00")
    client.force_login(org["staf1"].user)
    skp = _text(
        client.get(reverse("performance:plan-detail", args=[cascaded["staf1"].pk])).content.decode()
    )
    assert "Target: 12 dokumen · kualitas 100% · waktu 12 bulan" in skp
    real = _text(
        client.get(reverse("performance:realisation") + "?periode=2026-10").content.decode()
    )
    assert "Target: 12 dokumen · kualitas 100% · waktu 12 bulan" in real


def _behaviours(client, plan) -> str:
    page = client.get(reverse("performance:plan-detail", args=[plan.pk])).content.decode()
    start = page.index('data-testid="behaviours"')
    return page[start : page.index("</table>", start)], page


def test_the_expectations_column_only_when_a_superior_wrote_one(
    client, org, cascaded, at, django_assert_max_num_queries
):
    at("2026-10-20 09:00")
    plan = cascaded["staf1"]
    client.force_login(org["staf1"].user)
    table, page = _behaviours(client, plan)
    # None written: the guide has the width; one line says there is none.
    assert "Ekspektasi khusus pimpinan" not in table and "<td>-</td>" not in table
    assert table.count("<th>") == 1 and 'data-testid="no-expectations"' in page
    with CaptureQueriesContext(connection) as none_written:
        client.get(reverse("performance:plan-detail", args=[plan.pk]))
    queries = len(none_written.captured_queries)

    # One written (not the first value): the column, with "-" for the others.
    last = sorted(plan.behaviours.all(), key=lambda b: b.sort_key)[-1]
    SkpBehaviour.objects.filter(pk=last.pk).update(expectation="Laporan tepat waktu")
    table, page = _behaviours(client, plan)
    assert "Ekspektasi khusus pimpinan" in table and "<td>Laporan tepat waktu</td>" in table
    assert table.count("<td>-</td>") == 6 and 'data-testid="no-expectations"' not in page
    # Deciding costs no query.
    with django_assert_max_num_queries(queries):
        client.get(reverse("performance:plan-detail", args=[plan.pk]))

    # Only the first written.
    first = sorted(plan.behaviours.all(), key=lambda b: b.sort_key)[0]
    SkpBehaviour.objects.filter(plan=plan).update(expectation="")
    SkpBehaviour.objects.filter(pk=first.pk).update(expectation="Jujur dalam laporan")
    table, _page = _behaviours(client, plan)
    assert "Ekspektasi khusus pimpinan" in table and table.count("<td>-</td>") == 6
