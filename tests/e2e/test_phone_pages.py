"""Every page a role reaches by its links fits a 360-px phone: nothing scrolls sideways and no table
hides columns behind a sideways scroll. Walked on the demo Pemda (100 employees) as the demo's
pegawai, atasan and BKPSDM, following the links of each page (at most two pages of a kind, at
most 70 pages a role). Found in December 2026: the holiday list, the TPP runs, the rating overview,
the import list, the audit log, the attendance board and recap each hid their last columns."""

from __future__ import annotations

import re
from collections import Counter, deque

import pytest
from django.core.management import call_command

from ekinerja.core.models import User
from ekinerja.demo.runner import DEMO_PASSWORD
from ekinerja.org.models import Role

from .conftest import PHONE_WIDTH, clipped_tables, login

pytestmark = pytest.mark.e2e
SKIP = ("/static/", "/media/", "/admin/", "/keluar", "/api/", ".xlsx", ".pdf", ".csv", "format=")


@pytest.fixture
def demo(transactional_db):
    call_command("demo-data", "--employees", "100", verbosity=0)
    atasan = (
        User.objects.filter(employee__isnull=False, role_grants__isnull=True)
        .exclude(username__in=["bkpsdm", "bpkad", "kominfo", "pimpinan", "adminopd", "timpenilai"])
        .order_by("id")
    )
    from ekinerja.org.selectors import user_roles

    superior = next(u.username for u in atasan if Role.ATASAN in user_roles(u))
    return {"bkpsdm": "bkpsdm", "atasan": superior}


def _walk(page, base: str, limit: int = 70) -> list[tuple[str, object]]:
    problems, seen, queue, kinds = [], set(), deque(["/"]), Counter()
    while queue and len(seen) < limit:
        url = queue.popleft()
        kind = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or kinds[kind] >= 2:
            continue
        kinds[kind] += 1
        seen.add(url)
        response = page.goto(base + url)
        if response is None or "html" not in (response.headers.get("content-type") or ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        clipped = clipped_tables(page)
        if width > PHONE_WIDTH or clipped:
            problems.append((url, width, clipped))
        for href in page.eval_on_selector_all(
            "a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
        ):
            if href not in seen and not any(s in href for s in SKIP):
                queue.append(href)
    assert len(seen) > 10, seen  # the walk really went somewhere
    return problems


@pytest.mark.parametrize("who", ["bkpsdm", "atasan"])
def test_every_page_a_role_reaches_fits_a_phone(phone_page, live_server, demo, who):
    login(phone_page, live_server, demo[who], DEMO_PASSWORD)
    assert _walk(phone_page, live_server.url) == []
