"""Times as Indonesians write them, 07.30 (not 07:30): the `jam` template filter, and no page left
writing hours with a colon (a time input's value excepted: the browser needs 07:30)."""

import datetime as dt
import pathlib
import re
import zoneinfo
from types import SimpleNamespace

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from ekinerja.core.templatetags.ekinerja import jam

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
ROOT = pathlib.Path(__file__).resolve().parents[2] / "ekinerja"


def test_a_time_is_written_with_a_dot():
    assert jam(dt.time(7, 30)) == "07.30"
    assert jam(dt.time(16, 5, 59)) == "16.05"
    assert jam(dt.time(0, 0)) == "00.00"
    assert jam(None) == ""
    assert jam("") == ""


def test_a_moment_is_written_in_the_current_time_zone():
    moment = dt.datetime(2026, 12, 3, 23, 50, tzinfo=dt.UTC)
    with timezone.override(WITA):
        assert jam(moment) == "07.50"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Jakarta")):
        assert jam(moment) == "06.50"
    assert jam(dt.datetime(2026, 12, 3, 23, 50)) == "23.50"  # naive: as written


def test_the_filter_in_a_template():
    template = Template("{% load ekinerja %}[{{ t|jam }}] [{{ m|jam }}] [{{ n|jam }}]")
    moment = dt.datetime(2026, 12, 3, 23, 50, tzinfo=dt.UTC)
    with timezone.override(WITA):
        text = template.render(Context({"t": dt.time(7, 5), "m": moment, "n": None}))
    assert text == "[07.05] [07.50] []"


def test_a_submitted_plan_says_when_in_indonesian():
    """The SKP lists read "diajukan 5/10/2026 14:30"."""
    plan = SimpleNamespace(
        pk=1,
        employee=SimpleNamespace(full_name="Ani"),
        year=2026,
        version=1,
        submitted_at=dt.datetime(2026, 10, 5, 6, 30, tzinfo=dt.UTC),
    )
    with timezone.override(WITA):
        html = render_to_string("performance/_plan_list.html", {"plans": [plan], "testid": "plans"})
    assert "diajukan 5 Oktober 2026 pukul 14.30" in html


def test_no_page_writes_hours_with_a_colon():
    offenders = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")) + sorted(
        ROOT.glob("templates/**/*.html")
    ):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"H:i|%H:%M", line) and 'type="time"' not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
