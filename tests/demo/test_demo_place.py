"""The demo Pemda signs its payroll documents in Kandangan, the capital of Hulu Sungai Selatan
(`Instansi.place`): "Kandangan, 5 November 2026"."""

from __future__ import annotations

import datetime as dt

import pytest

from ekinerja.demo.org import MIN_EMPLOYEES, generate_org
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate

pytestmark = pytest.mark.django_db


def test_the_demo_instansi_has_its_place_of_signing():
    result = demo_generate(
        code="6306",
        employees=MIN_EMPLOYEES,
        seed=2026,
        password=DEMO_PASSWORD,
        today=dt.date(2026, 11, 23),
        generators=[("org", generate_org)],
    )
    result.instansi.refresh_from_db()
    assert result.instansi.place == "Kandangan"
