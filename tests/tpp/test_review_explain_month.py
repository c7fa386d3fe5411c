"""Review: an employee sees why their TPP is what it is. A realistic October 2026 (late days in
several bands, an absence without notice, sick leave, cuti, dinas luar, an izin that deducts 1%, an
entry expired and one rejected), rendered with the test client as the employee, their superior and
on the live estimate: every figure on the page is the stored result's, the attendance card's
percentages add up to the deduction in words, a policy of several allowances names each
component's own ceiling, the page leads to the days behind the figures, and the estimate says what
it does not count yet."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ekinerja.activities.models import EntryStatus
from ekinerja.core.money import format_rupiah
from ekinerja.tpp import services
from ekinerja.tpp.models import Result
from ekinerja.tpp.policy import madiun_template

from .data import OCT, D, activity, full_attendance, leave, make_pemda, punch, rate, workdays

pytestmark = pytest.mark.django_db


def _october(p):
    """The staff member's October: late 10, 45, 75 and 100 minutes, an absence without notice, two
    days sick, two days cuti, a dinas luar, an izin, a day without a check-out; 12 entries of 30
    minutes on each day at work, one entry approved but expired, one rejected; rated Baik."""
    staf = p.people["staf"]
    days = workdays()
    late = {days[0]: 10, days[1]: 45, days[2]: 75, days[3]: 100}
    absent, sick, cuti, dl, izin, half = days[4], days[5:7], days[7:9], days[9], days[10], days[11]
    away = {absent, *sick, *cuti, dl, izin, half}
    full_attendance(staf, late=late, skip=away)
    punch(staf, half, 7, 20)
    leave(staf, "sakit", *sick)
    leave(staf, "cuti_tahunan", *cuti)
    leave(staf, "dinas_luar", dl, dl)
    leave(staf, "izin", izin, izin)
    for d in days:
        if d not in away or d == dl:
            activity(p, staf, d, 12)
    activity(p, staf, days[12], 3, status=EntryStatus.REJECTED)
    activity(p, staf, days[13], 4, submitted=days[-1])  # 8 working days late: expired
    rate(staf, "baik")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    return staf, Result.objects.get(run=run, employee=staf)


def _card(html: str, name: str) -> str:
    return html.split(f'data-testid="card-{name}"')[1].split("</div></div></div>")[0]


def _page(client, user, url) -> str:
    client.force_login(user)
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.content.decode()


def test_the_attendance_card_lists_every_percentage_of_the_deduction(client, at):
    """The izin's 1% a day was part of "Potongan: 11,25%" but the card listed only "Izin: 1 hari":
    its percentages added up to 10,25%, and the employee could not see where the rest came from."""
    at("2026-11-03 10:00")
    p = make_pemda()
    staf, result = _october(p)
    att = result.detail["attendance"]
    assert att["leave_days"] == {"cuti_tahunan": 2, "dinas_luar": 1, "izin": 1, "sakit": 2}
    assert Decimal(str(att["deduction_pct"])) == Decimal("11.25")
    card = _card(_page(client, staf.user, reverse("tpp:mine") + "?periode=2026-10"), "attendance")
    text = re.sub(r"<[^>]+>", " ", card)
    listed = Decimal(0)
    for n, pct in re.findall(r"(\d+)× \(([\d,]+)%\)", text):  # late and early by band
        listed += int(n) * Decimal(pct.replace(",", "."))
    for n, pct in re.findall(r"(\d+) hari \(([\d,]+)% per hari\)", text):
        listed += int(n) * Decimal(pct.replace(",", "."))
    assert listed == Decimal("11.25")
    assert "Potongan karena izin: 1 hari (1% per hari)" in text
    assert "<strong>11,25%</strong>" in card
    # 855.000 − 11,25% × pagu 2.850.000 = 534.375, as stored.
    assert f"× pagu {format_rupiah(result.ceiling)}" in card
    assert format_rupiah(result.detail["attendance"]["amount"]) == "Rp534.375" in card
    # What an absence without notice is, beside its count.
    assert 'data-testid="absent-meaning"' in card


def test_every_figure_on_the_page_is_the_stored_results_and_adds_up(client, at):
    at("2026-11-03 10:00")
    p = make_pemda()
    staf, result = _october(p)
    d = result.detail
    html = _page(client, staf.user, reverse("tpp:mine") + "?periode=2026-10")
    for testid, value in (
        ("ceiling", result.ceiling),
        ("gross", result.gross),
        ("net", result.net),
    ):
        assert f'data-testid="{testid}">{format_rupiah(value)}<' in html
    assert d["gross"] - d["pph21"] - d["health_insurance"] == d["net"] == int(result.net)
    assert sum(d[k]["amount"] for k in ("attendance", "activity", "skp")) == d["subtotal"]
    for key in ("attendance", "activity", "skp"):
        assert format_rupiah(d[key]["amount"]) in _card(html, key)
    # Lines as stored, their money as Rp with thousand separators.
    lines = dict((label, figure) for label, figure, _f in d["lines"])
    assert lines["TPP bersih"] == format_rupiah(result.net)
    assert d["activity"]["expired_entries"] == 1
    assert "Entri kedaluwarsa (tidak dihitung)" in _card(html, "activity")
    body = re.sub(r"<[^>]+>", " ", html.split("<main")[1])
    # No raw number of five digits or more (money without Rp and separators); years aside.
    assert not re.search(r"(?<![\d.,])\d{5,}(?![\d.,])", body.replace(staf.nip, ""))


def test_the_explanation_leads_to_the_days_behind_its_figures(client, at):
    """Which day counted as an absence without notice, which one was late, which entries were
    approved: the employee's attendance and activity months, and the superior's view of the
    subordinate's attendance month, each for the month shown."""
    at("2026-11-03 10:00")
    p = make_pemda()
    staf, _result = _october(p)
    own = _page(client, staf.user, reverse("tpp:mine") + "?periode=2026-10")
    att = re.search(r'href="([^"]+)" data-testid="attendance-days"', own).group(1)
    act = re.search(r'href="([^"]+)" data-testid="activity-days"', own).group(1)
    assert att == reverse("attendance:month") + "?periode=2026-10"
    assert act == reverse("activities:month") + "?periode=2026-10"
    assert client.get(att).status_code == 200 and client.get(act).status_code == 200

    superior = p.people["kadis_b"]
    theirs = _page(
        client, superior.user, reverse("tpp:employee", args=[staf.pk]) + "?periode=2026-10"
    )
    link = re.search(r'href="([^"]+)" data-testid="attendance-days"', theirs).group(1)
    assert link == reverse("attendance:employee-month", args=[staf.pk]) + "?periode=2026-10"
    assert client.get(link).status_code == 200
    assert 'data-testid="activity-days"' not in theirs  # the entries' month is the employee's page


def test_the_estimate_says_what_it_does_not_count_yet(client, at):
    """Mid-November: an entry still waiting for the superior counts nothing, and the page says so,
    as it says that SKP, withholdings and corrections are not in it."""
    at("2026-11-13 10:00")
    p = make_pemda()
    staf = p.people["staf"]
    nov = [d for d in workdays(OCT.next()) if d < D(2026, 11, 13)]
    full_attendance(staf, days=nov)
    for d in nov[:5]:
        activity(p, staf, d, 10)
    activity(p, staf, nov[5], 10, status=EntryStatus.SUBMITTED)
    html = _page(client, staf.user, reverse("tpp:estimate"))
    assert "<strong>1.500</strong> menit" in _card(html, "activity")  # 5 x 300; not the pending 300
    note = re.search(r'data-testid="estimate-not-counted">([^<]*)<', html).group(1)
    for words in ("menunggu verifikasi atasan", "predikat SKP yang belum dinilai", "penahanan"):
        assert words in note
    assert 'data-testid="attendance-days"' in html and 'data-testid="activity-days"' in html


def _madiun_from_ceiling(effective_from):
    data = madiun_template(effective_from)
    data["attendance"]["deduct_from"] = "ceiling"
    return data


def test_several_allowances_name_each_components_own_ceiling(client, at):
    """Kota Madiun pays TPP (attendance 40, activity 60) and Uang Kinerja (SKP 100). The cards said
    "bobot 100%, porsi Rp540.000" under "Pagu TPP Rp3.240.000", weights adding up to 200%, and an
    attendance deduction "× pagu Rp3.240.000" that was taken of the TPP allowance's Rp2.700.000."""
    at("2026-11-03 10:00")
    p = make_pemda(_madiun_from_ceiling)
    staf = p.people["staf"]
    full_attendance(staf, skip={workdays()[4]})  # one absence without notice: 3%
    rate(staf, "baik")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    result = Result.objects.get(run=run, employee=staf)
    parts = result.detail["allowances"]
    tpp, ukk = parts["tpp"]["ceiling"], parts["ukk"]["ceiling"]
    assert tpp + ukk == result.ceiling
    html = _page(client, staf.user, reverse("tpp:mine") + "?periode=2026-10")
    ceiling_parts = html.split('data-testid="ceiling-parts"')[1].split("</ul>")[0]
    assert f"Pagu Tambahan Penghasilan Pegawai: {format_rupiah(tpp)}" in ceiling_parts
    assert f"Pagu Uang Kinerja: {format_rupiah(ukk)}" in ceiling_parts
    skp = _card(html, "skp")
    assert f"bobot 100% dari pagu Uang Kinerja {format_rupiah(ukk)}" in skp
    attendance = _card(html, "attendance")
    assert f"bobot 40% dari pagu Tambahan Penghasilan Pegawai {format_rupiah(tpp)}" in attendance
    assert f"× pagu Tambahan Penghasilan Pegawai {format_rupiah(tpp)}" in attendance
    # porsi − 3% × the TPP allowance's ceiling is the stored amount.
    pot = result.detail["pots"]["attendance"]
    assert pot - tpp * Decimal("0.03") == result.detail["attendance"]["amount"]


def test_a_deducting_leave_is_named_as_the_notes_name_it():
    """The attendance card's leave lines read as the calculator's notes do (calculator.leave_name):
    a Perbup that deducts for CLTN days says so in words, not by its key."""
    from decimal import Decimal

    from ekinerja.tpp.templatetags.tpp import leave_deductions

    detail = {"attendance": {"leave_days": {"cltn": 2, "izin": 1, "sakit": 3}}}
    policy_data = {
        "leave_types": {
            "cltn": {"deduction": 2},
            "izin": {"deduction": 1},
            "sakit": {"deduction": 0},
        }
    }
    assert leave_deductions(detail, policy_data) == [
        ("cuti di luar tanggungan negara (CLTN)", 2, Decimal(2)),
        ("izin", 1, Decimal(1)),
    ]
