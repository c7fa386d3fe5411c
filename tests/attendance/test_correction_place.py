"""A correction says which working day it counts for. An audit's night nurse asked for "17
November 07:00", meaning the end of the 17th's night shift; that moment ends the 16th's, the
approved correction changed nothing on the 17th, and nothing said so."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ekinerja.attendance import selectors
from ekinerja.workcal.services import roster_set

from .conftest import at

pytestmark = pytest.mark.django_db
D = dt.date


def _messages(resp) -> list[str]:
    return [str(m) for m in get_messages(resp.wsgi_request)]


def test_a_morning_correction_on_a_night_shift_day_names_the_shift_it_ends(client, office):
    roster_set(
        actor=None,
        instansi=office.instansi,
        entries=[(office.nurse, D(2026, 11, 16), "M"), (office.nurse, D(2026, 11, 17), "M")],
        schedule=office.shifts,
    )
    place = selectors.punch_place(office.nurse, at(D(2026, 11, 17), 7))
    assert place.day.date == D(2026, 11, 16) and place.check_out
    assert place.night_after.date == D(2026, 11, 17)
    client.force_login(office.nurse.user)
    resp = client.post(
        reverse("attendance:corrections"),
        {"date": "2026-11-17", "time": "07:00", "reason": "Mesin mati saat pulang"},
    )
    said = " ".join(_messages(resp))
    assert "dihitung sebagai absen pulang hari kerja 16 November 2026 (21.00–07.00)" in said
    assert "ajukan koreksi bertanggal 18 November 2026 pukul 07.00" in said


def test_an_office_correction_says_its_day_and_one_outside_any_day_says_so(client, office):
    client.force_login(office.ani.user)
    resp = client.post(
        reverse("attendance:corrections"),
        {"date": "2026-11-17", "time": "07:25", "reason": "Sidik jari tidak terbaca"},
    )
    assert any("absen masuk hari kerja 17 November 2026" in m for m in _messages(resp))
    resp = client.post(
        reverse("attendance:corrections"),
        {"date": "2026-11-15", "time": "10:00", "reason": "Minggu"},  # a Sunday
    )
    assert any("tidak berada dalam jadwal kerja mana pun" in m for m in _messages(resp))
