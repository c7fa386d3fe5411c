"""The demo's payroll list is signed by a treasurer: every OPD has a Bendahara Pengeluaran post with a
holder (demo.structure.add_treasurers), so the list's and the SP2D recap's treasurer blocks print a
name and NIP instead of the dots left for a post nobody holds."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from ekinerja.demo.org import generate_org
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate
from ekinerja.demo.structure import TREASURER, build_core
from ekinerja.org.models import Assignment, Employee, Position, Unit
from ekinerja.tpp import exports
from ekinerja.tpp.models import Run

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("employees", [100, 600])
def test_every_opd_has_one_treasurer_post_under_its_finance_post(employees):
    s = build_core(employees)
    opds = [u for u in s.units if u.parent is None]
    posts = [p for p in s.positions if p.name == TREASURER]
    assert sorted(p.unit.opd.code for p in posts) == sorted(u.code for u in opds)
    for p in posts:
        assert p.head and p.kind == "pelaksana" and p.kelas == 7 and not p.tag
        # In its superior's unit: never the top position of a unit (the head's signature block).
        assert p.parent is not None and p.parent.unit is p.unit
    finance = {p.unit.opd.code: p.parent.name for p in posts}
    if employees >= 600:
        assert finance["05.BKPSDM"] == "Kepala Subbagian Perencanaan dan Keuangan"
        assert finance["01.SETDA"] == "Kepala Bagian Umum"
    assert finance["03.INSPEKTORAT"] == "Kepala Subbagian Umum dan Keuangan"
    assert finance["02.SETWAN"] == "Kepala Bagian Umum dan Keuangan"


def test_the_demo_org_fills_every_treasurer_post_and_keeps_its_size():
    result = demo_generate(
        code="6306",
        employees=150,
        seed=7,
        password=DEMO_PASSWORD,
        today=TODAY,
        generators=[("org", generate_org)],
    )
    inst = result.instansi
    assert Employee.objects.filter(instansi=inst).count() == 150
    posts = Position.objects.filter(instansi=inst, name=TREASURER)
    opds = Unit.objects.filter(instansi=inst, parent__isnull=True).count()
    assert posts.count() == opds
    held = Assignment.objects.filter(
        position__in=posts, kind=Assignment.Kind.DEFINITIF, end__isnull=True
    )
    assert held.values("position").distinct().count() == opds


def _pdf_text(content: bytes) -> str:
    return re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    )


def test_the_demo_payroll_list_names_each_units_treasurer():
    result = demo_generate(code="6306", employees=100, seed=7, password=DEMO_PASSWORD, today=TODAY)
    run = Run.objects.get(instansi=result.instansi, state=Run.State.LOCKED)
    data = exports.payroll(run, signed=True)
    assert data.sections
    for section in data.sections:
        t = section.treasurer
        assert t.title == TREASURER and t.name and len(t.nip) == 18, (section.unit, t)
    assert data.treasurer.name and data.treasurer.nip  # the SP2D recap's (BKPSDM's treasurer)

    text = _pdf_text(exports.nominatif_pdf(run))
    for section in data.sections:
        assert f"NIP {section.treasurer.nip}" in text or section.treasurer.nip in text
        assert section.treasurer.name in text
