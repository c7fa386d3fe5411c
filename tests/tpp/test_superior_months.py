"""Whose TPP months a superior opens: those whose last day had them as the employee's superior,
whether or not they are the superior today (review of 7 December 2026). Ani moves from the
kasubag's section to Dinas Dua on 16 October 2026. Before, today's superior (the kabid of Dinas
Dua) opened every month of hers, September included, while the code's own comment said "nor a new
subordinate's earlier one"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import employee_with_login, grant, moved_mid_october

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC), tick=False)
    return moved_mid_october()


def _status(client, who, ani, month: str) -> int:
    client.force_login(who.user)
    url = reverse("tpp:employee", args=[ani.pk]) + f"?periode={month}"
    return client.get(url).status_code


def test_todays_superior_does_not_open_the_months_before_the_move(moved, client):
    ani, kabid = moved["ani"], moved["kabid"]
    assert _status(client, kabid, ani, "2026-09") == 404
    assert _status(client, kabid, ani, "2026-10") == 200
    assert _status(client, kabid, ani, "2026-11") == 200


def test_the_former_superior_keeps_the_months_that_ended_under_them(moved, client):
    ani, kasubag = moved["ani"], moved["kasubag"]
    assert _status(client, kasubag, ani, "2026-09") == 200
    assert _status(client, kasubag, ani, "2026-10") == 404
    assert _status(client, kasubag, ani, "2026-11") == 404


def test_the_employee_bkpsdm_and_bpkad_open_every_month(moved, client):
    ani = moved["ani"]
    bkpsdm = employee_with_login(moved["inst"], None, name="Petugas BKPSDM")
    grant(bkpsdm.user, "bkpsdm")
    bpkad = employee_with_login(moved["inst"], None, name="Petugas BPKAD")
    grant(bpkad.user, "bpkad")
    for who in (ani, bkpsdm, bpkad):
        for month in ("2026-09", "2026-11"):
            assert _status(client, who, ani, month) == 200, (who.name, month)
