"""A Diskominfo trial of `make demo`: what the demo accounts see first must not be an artefact of the
demo itself (a review of the README's trial)."""

import datetime as dt

import pytest
import time_machine

from ekinerja.demo.attendance import generate_attendance
from ekinerja.demo.org import generate_org
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate
from ekinerja.workcal.models import Holiday

pytestmark = pytest.mark.django_db


def test_a_demo_made_in_december_has_next_years_holidays_and_bkpsdm_is_not_warned(client):
    """`instansi-create` seeds this year's and next year's national holidays; the demo seeded only
    this year's, so a demo made from November on opened BKPSDM's home page with "Kalender 2027
    belum berisi hari libur nasional ... semua pegawai tercatat tidak hadir dan TPP-nya
    terpotong" about a calendar nobody had to fill in."""
    today = dt.date(2026, 12, 7)
    result = demo_generate(
        code="6306",
        employees=100,
        seed=7,
        password=DEMO_PASSWORD,
        today=today,
        generators=[("org", generate_org), ("attendance", generate_attendance)],
    )
    next_year = Holiday.objects.filter(instansi=result.instansi, date__year=2027)
    assert next_year.filter(date=dt.date(2027, 1, 1), kind=Holiday.Kind.NATIONAL).exists()
    assert next_year.filter(kind=Holiday.Kind.NATIONAL).count() >= 10
    with time_machine.travel(dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC), tick=False):
        assert client.login(username="bkpsdm", password=DEMO_PASSWORD)
        page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Selamat datang" in text
    assert "belum berisi hari libur nasional" not in text


def test_the_demo_pegawai_is_an_ordinary_employee_rated_baik_most_months():
    """`make demo` (600 employees, seed 2026) drew the rarest tendency for the demo "pegawai"
    account, the one README points to: Sangat Kurang in six of the ten rated months, so the
    trial's first TPP page read "Predikat: Sangat Kurang → 25%"."""
    from ekinerja.demo.performance import generate_performance
    from ekinerja.org.models import Employee
    from ekinerja.performance.models import SkpEvaluation

    result = demo_generate(
        code="6306",
        employees=600,
        seed=2026,
        password=DEMO_PASSWORD,
        today=dt.date(2026, 12, 7),
        generators=[("org", generate_org), ("performance", generate_performance)],
    )
    account = next(a for a in result.accounts if a.role == "pegawai")
    pegawai = Employee.objects.get(user__username=account.username)
    rated = list(
        SkpEvaluation.objects.filter(employee=pegawai)
        .exclude(predicate="")
        .order_by("period_start")
        .values_list("predicate", flat=True)
    )
    assert len(rated) >= 9, rated
    good = [p for p in rated if p in ("baik", "sangat_baik")]
    assert len(good) >= len(rated) - 2, rated
    assert "sangat_kurang" not in rated, rated


def test_the_readme_says_how_to_serve_the_demo_on_another_port_and_make_demo_does_it():
    """The README promised port 8000 and named no way round a taken one (the Makefile had PORT)."""
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "`make demo PORT=8001`" in (root / "README.md").read_text()
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry_run = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "-o", "pdflibs", "demo", "PORT=8001"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runserver 127.0.0.1:8001" in dry_run
