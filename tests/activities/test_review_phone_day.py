"""Review of 7 December 2026: an employee logging a routine day on a cheap phone (360 px, slow
network). What a refused form lost or did not say, what the form offered that it then refused, and
a day of leave that looked like any other day."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.activities.models import DESCRIPTION_MAX_LENGTH, ActivityEntry, Favourite
from ekinerja.attendance.services import leave_record_approved, leave_type_get_or_create
from tests.factories import employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db

DAY = D(2026, 10, 29)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-30 17:00")


def day_url(d=DAY):
    return reverse("activities:day", kwargs={"day": d.isoformat()})


def _form(office, **kw):
    data = {
        "date": DAY.isoformat(),
        "start_time": "08:00",
        "end_time": "09:00",
        "item": office["surat"].pk,
        "volume": "2",
        "description": "Surat undangan",
        "action": "submit",
    }
    data.update(kw)
    return data


def _errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-testid="error-{field}">(.*?)</div>', html)


def test_a_too_long_description_says_so_beside_the_field(client, office):
    """The form refused a description over the limit (400) but the page showed no message at all:
    the description's errors were not on the page."""
    client.force_login(office["p"]["ani"].user)
    resp = client.post(day_url(), _form(office, description="B" * (DESCRIPTION_MAX_LENGTH + 1)))
    assert resp.status_code == 400
    html = resp.content.decode()
    assert _errors(html, "description") == [
        "Pastikan nilai ini mengandung paling banyak 2000 karakter (sekarang 2001 karakter)."
    ]
    assert 'id="id_description_error"' in html
    assert not ActivityEntry.objects.exists()


def test_line_breaks_count_once_as_the_phone_counts_them(client, office):
    """The textarea's maxlength counts a line break as one character, the browser sends it as CR LF:
    a description the phone accepted (2000 characters with line breaks) was refused."""
    client.force_login(office["p"]["ani"].user)
    text = "\r\n".join(["A" * 99] * 20) + "A"  # 2,000 characters as the browser counts them
    assert len(text) == 2019  # as it sends them
    assert len(text.replace("\r\n", "\n")) == DESCRIPTION_MAX_LENGTH
    resp = client.post(day_url(), _form(office, description=text))
    assert resp.status_code == 302, _errors(resp.content.decode(), "description")
    e = ActivityEntry.objects.get()
    assert len(e.description) == DESCRIPTION_MAX_LENGTH and "\r" not in e.description


def test_each_error_is_named_by_the_field_that_points_to_it(client, office):
    """Django marks a field in error with aria-describedby="id_<field>_error"; no element had that
    id, so a screen reader read the field without its message."""
    client.force_login(office["p"]["ani"].user)
    html = client.post(
        day_url(), _form(office, start_time="", end_time="", volume="")
    ).content.decode()
    for field in ("start_time", "end_time", "volume"):
        assert f'aria-describedby="id_{field}_error"' in html
        assert f'id="id_{field}_error"' in html


def test_a_volume_with_a_decimal_comma_is_taken(client, office):
    """'1,5' is how an Indonesian writes one and a half: it was refused with 'Format tidak valid.'"""
    client.force_login(office["p"]["ani"].user)
    resp = client.post(day_url(), _form(office, volume="1,5"))
    assert resp.status_code == 302
    assert str(ActivityEntry.objects.get().volume) == "1.50"


def test_a_volume_that_is_no_number_gets_a_message_that_says_what_to_type(client, office):
    client.force_login(office["p"]["ani"].user)
    html = client.post(day_url(), _form(office, volume="dua")).content.decode()
    assert _errors(html, "volume") == ["Isi volume dengan angka, mis. 1 atau 1,5."]


def test_a_refused_form_also_says_that_no_activity_was_chosen(client, office):
    """A form refused for its volume did not say the activity was missing too: the employee fixed
    the volume, sent it again over a slow connection, and only then learned of the activity."""
    client.force_login(office["p"]["ani"].user)
    html = client.post(day_url(), _form(office, item="", volume="dua")).content.decode()
    assert _errors(html, "volume")
    assert _errors(html, "item") == ["Pilih aktivitas dari katalog."]


def test_a_refused_form_says_its_evidence_must_be_chosen_again(client, office):
    """A browser never refills a file field: after a refusal the evidence was silently gone and the
    entry was then saved without it."""
    make_entry(office, day=DAY, start=T(8), end=T(9), volume=2)
    client.force_login(office["p"]["ani"].user)
    data = _form(office, start_time="08:30", end_time="09:30", volume="1")
    data["files"] = SimpleUploadedFile("undangan.pdf", PDF, content_type="application/pdf")
    resp = client.post(day_url(), data)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "bertumpang tindih" in html
    assert 'data-testid="files-again"' in html
    # Without a file, no such note.
    html = client.post(
        day_url(), _form(office, start_time="08:30", end_time="09:30", volume="1")
    ).content.decode()
    assert 'data-testid="files-again"' not in html


def test_the_edit_form_keeps_the_activity_picked_when_it_is_refused(client, office):
    """Changing an entry's activity and mistyping the volume: the refused page showed the entry's
    old activity ticked again, so the next save silently kept the old one."""
    e = make_entry(office, day=D(2026, 10, 28), start=T(8), end=T(9), volume=2)
    make_entry(office, day=D(2026, 10, 27), start=T(8), end=T(10), volume=1, item="rapat")
    client.force_login(office["p"]["ani"].user)
    url = reverse("activities:entry-edit", args=[e.pk])
    data = _form(office, date="2026-10-28", item=office["rapat"].pk, volume="dua")
    resp = client.post(url, data)
    assert resp.status_code == 400
    html = resp.content.decode()
    checked = re.findall(r'name="item" id="[^"]+" value="(\d+)"[^>]*checked', html)
    assert checked == [str(office["rapat"].pk)]


def test_the_form_offers_no_withdrawn_item_and_none_of_another_post(client, office):
    """Favourites and recent items were offered whatever the date: an item withdrawn from the
    catalog, or one of a post the employee no longer holds, was picked and then refused."""
    ani = office["p"]["ani"]
    make_entry(office, day=D(2026, 10, 27), start=T(8), end=T(9), volume=2)
    make_entry(office, day=D(2026, 10, 27), start=T(9), end=T(11), volume=1, item="rapat")
    surat = office["surat"]
    surat.active_to = D(2026, 10, 28)
    surat.save()
    # An item of a kasubag's post (kelas 9, struktural), favourite from an earlier post.
    Favourite.objects.create(instansi=office["inst"], employee=ani, item=office["pimpin"])
    client.force_login(ani.user)
    html = client.get(day_url()).content.decode()
    offered = re.findall(r'name="item" id="[^"]+" value="(\d+)"', html)
    assert offered == [str(office["rapat"].pk)]
    # The day before the withdrawal still offers it.
    html = client.get(day_url(D(2026, 10, 28))).content.decode()
    offered = re.findall(r'name="item" id="[^"]+" value="(\d+)"', html)
    assert sorted(offered) == sorted([str(office["rapat"].pk), str(surat.pk)])


def test_a_day_of_leave_says_so_and_offers_no_form(client, office):
    """On a day of approved leave the page offered the form and 'Ulangi', both refused on saving."""
    ani = office["p"]["ani"]
    make_entry(office, day=D(2026, 10, 28), start=T(8), end=T(9), volume=2)
    lt = leave_type_get_or_create(office["inst"], "sakit")
    leave_record_approved(
        actor=None, employee=ani, leave_type=lt, date_from=DAY, date_to=DAY, recompute=False
    )
    client.force_login(ani.user)
    html = client.get(day_url()).content.decode()
    assert 'data-testid="leave-day"' in html
    assert "Tanggal ini Anda cuti (Sakit)" in html
    assert 'data-testid="entry-form"' not in html
    assert 'data-testid="repeat"' not in html
    # The day before is an ordinary day.
    html = client.get(day_url(D(2026, 10, 28))).content.decode()
    assert 'data-testid="leave-day"' not in html and 'data-testid="entry-form"' in html


def test_a_kominfo_superuser_is_not_shown_the_unlock_decisions(client, office):
    """Only BKPSDM decides an unlock. A Kominfo technical admin who is a superuser passed the page's
    permission check (Django grants a superuser every permission) and saw 'Setujui' buttons."""
    ani = office["p"]["ani"]
    client.force_login(ani.user)
    client.post(
        reverse("activities:unlocks"),
        {"date_from": "2026-09-01", "date_to": "2026-09-02", "reason": "Dinas luar tanpa sinyal"},
    )
    tech = employee_with_login(office["inst"], None, name="Admin teknis").user
    grant(tech, "kominfo")
    tech.is_staff = tech.is_superuser = True
    tech.save()
    client.force_login(tech)
    assert client.get(reverse("activities:unlocks-manage")).status_code == 403
    boss = employee_with_login(office["inst"], None, name="Kabid BKPSDM").user
    grant(boss, "bkpsdm")
    client.force_login(boss)
    html = client.get(reverse("activities:unlocks-manage")).content.decode()
    assert 'data-testid="unlock-approve"' in html


def test_enter_in_the_catalog_search_searches_instead_of_sending_the_form(client, office):
    """A phone keyboard's Enter ("Go") in the catalog search sent the half-filled entry form (the
    browser's implicit submission): refused for want of an activity, or saved as a draft with an
    activity ticked before. The box is marked, and the site's script turns Enter there into a
    search (checked in Chromium on a copy of the form: without it the form was posted)."""
    from pathlib import Path

    import ekinerja

    client.force_login(office["p"]["ani"].user)
    html = client.get(day_url()).content.decode()
    box = html.split('id="catalog-q"')[1].split(">")[0]
    assert "data-enter-searches" in box and 'enterkeyhint="search"' in box
    js = (Path(ekinerja.__file__).parent / "static/js/ekinerja.js").read_text()
    handler = js.split("input[data-enter-searches]")[1].split("});")[0]
    assert "ev.preventDefault()" in handler and 'htmx.trigger(t, "search")' in handler


def test_an_activity_picked_from_the_search_stays_picked_after_another_search(client, office):
    """The radio picked among the search results lived in the results: typing another word
    replaced them and the choice was gone (the form then refused for want of an activity). The
    form's script moves a picked result among the choices above (checked in Chromium on a copy of
    the form: without it nothing was ticked after the second search)."""
    e = make_entry(office, day=D(2026, 10, 28), start=T(8), end=T(9), volume=2)
    client.force_login(office["p"]["ani"].user)
    for url in (day_url(), reverse("activities:entry-edit", args=[e.pk])):
        html = client.get(url).content.decode()
        script = html.split('getElementById("catalog-results")')[1].split("</script>")[0]
        assert "choices.insertBefore(r, choices.firstChild)" in script
