"""Fixes from the December tester's report on the demo: a month that has not started (or not ended)
cannot be computed (verified, locked); corrections have a sane bound and never give HTTP 500; the
explanation names leave types; months and officers are written as people write them; locking asks
for a confirmation, checked on the server; the run page fits a phone (no number wraps)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.tpp import services
from ekinerja.tpp.models import Adjustment, Result, Run
from tests.factories import employee_with_login, grant

from .data import OCT, full_attendance, leave, make_pemda, monthly_minutes, workdays

pytestmark = pytest.mark.django_db

NOV = Period(2026, 11)
DEC = Period(2026, 12)
JAN = Period(2027, 1)


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
    return p


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _locked_october(p) -> Run:
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return services.run_lock(actor=p.bkpsdm2, run=run)


# --------------------------------------------------------------------------------------------------
# 1. A month not started cannot be computed; a month not ended cannot be verified or locked


def test_a_month_that_has_not_started_is_not_computed(client, pemda, at):
    at("2026-12-03 10:00")
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:run-start"), {"periode": "2027-01"})
    assert response.status_code == 302
    assert not Run.objects.exists()
    assert any(
        "TPP Januari 2027 belum dapat dihitung" in m and "1 Januari 2027" in m
        for m in _messages(response)
    )
    with pytest.raises(ValidationError, match="belum dapat dihitung"):
        services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=JAN)
    assert not Run.objects.exists()


def test_the_first_day_of_a_month_is_local_to_the_instansi(pemda, at):
    # 1 January 2027 00:30 in WITA is still 31 December in UTC: January has started here.
    at("2027-01-01 00:30")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=JAN)
    assert run.state == Run.State.COMPUTED


def test_the_current_month_is_a_preview_verified_and_locked_only_after_it_ends(pemda, at):
    for e in pemda.people.values():
        full_attendance(e, days=workdays(DEC)[:2])
    at("2026-12-15 10:00")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=DEC)
    assert run.state == Run.State.COMPUTED  # computing the current month stays allowed
    with pytest.raises(ValidationError) as exc:
        services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert exc.value.messages == [
        "TPP Desember 2026 baru dapat diverifikasi setelah bulan berakhir (31 Desember 2026)."
    ]
    # A list verified anyhow (an old row, before this rule) is not locked either.
    Run.objects.filter(pk=run.pk).update(state=Run.State.VERIFIED)
    at("2026-12-31 23:59")
    with pytest.raises(ValidationError) as exc:
        services.run_lock(actor=pemda.bkpsdm2, run=run)
    assert exc.value.messages == [
        "TPP Desember 2026 baru dapat dikunci setelah bulan berakhir (31 Desember 2026)."
    ]
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED and run.locked_by is None
    # Recomputed after the month, then verified and locked by two officers.
    at("2027-01-02 08:00")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=DEC)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert services.run_lock(actor=pemda.bkpsdm2, run=run).state == Run.State.LOCKED


def test_the_run_page_offers_no_future_month_and_no_early_verification(client, pemda, at):
    at("2026-12-03 10:00")
    client.force_login(pemda.bkpsdm1)
    page = client.get(reverse("tpp:runs")).content.decode()
    months = re.findall(r'<option value="(\d{4}-\d{2})"', page)
    assert months and max(months) == "2026-12"
    future = client.get(reverse("tpp:runs") + "?periode=2027-01").content.decode()
    assert 'data-testid="compute-form"' not in future and 'data-testid="future-month"' in future
    assert "Januari 2027 belum dimulai" in future
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=DEC)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="verify"' not in page and 'data-testid="month-open-hint"' in page
    assert "setelah bulan berakhir (31 Desember 2026)" in page


# --------------------------------------------------------------------------------------------------
# 2. Corrections have a sane bound


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("-5000000000000", "tidak wajar"),
        ("99999999999999999999999", "terlalu besar"),
        ("1" * 400, "terlalu besar"),
        ("sejuta", "rupiah bulat"),
        ("1e9", "rupiah bulat"),
        ("NaN", "rupiah bulat"),
    ],
)
def test_an_absurd_correction_is_refused_with_a_message_not_a_500(client, pemda, amount, words):
    run = _locked_october(pemda)
    staf = pemda.people["staf"]
    client.force_login(pemda.bkpsdm1)
    response = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": staf.nip, "amount": amount, "reason": "Salah ketik"},
    )
    # Refused under the amount field, the form kept (tests/tpp/test_run_forms.py); an amount of
    # more digits than any correction is not echoed back.
    assert response.status_code == 400
    assert not Adjustment.objects.exists()
    assert words in response.context["adjust_form"]["errors"]["amount"][0]
    if sum(c.isdigit() for c in amount) > 13:
        assert amount not in response.content.decode()


def test_a_correction_is_at_most_twelve_times_the_employees_ceiling(client, pemda):
    run = _locked_october(pemda)
    staf = pemda.people["staf"]
    ceiling = Result.objects.get(run=run, employee=staf).ceiling
    limit = services.adjustment_limit(staf, OCT)
    assert limit == ceiling * 12 and limit < services.ADJUSTMENT_MAX
    with pytest.raises(ValidationError) as exc:
        services.adjustment_record(
            actor=pemda.bkpsdm1,
            employee=staf,
            source_period=OCT,
            amount=-(limit + 1),
            reason="Lebih bayar",
        )
    assert list(exc.value.message_dict) == ["amount"]
    assert "12 kali pagu TPP sebulan Staf Satu pada Oktober 2026" in exc.value.messages[0]
    adj = services.adjustment_record(
        actor=pemda.bkpsdm1, employee=staf, source_period=OCT, amount=-limit, reason="Lebih bayar"
    )
    assert adj.amount == -limit
    # Through the page: a sane amount is recorded and its month is written out (item 4).
    client.force_login(pemda.bkpsdm1)
    response = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": staf.nip, "amount": "150.000", "reason": "Kurang bayar"},
    )
    assert any(
        m == "Koreksi untuk Staf Satu dicatat dan dibayarkan pada November 2026."
        for m in _messages(response)
    )
    # A recovery is said as one (it said "dibayarkan" for a negative amount too).
    response = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": staf.nip, "amount": "-50.000", "reason": "Lebih bayar"},
    )
    assert "Koreksi untuk Staf Satu dicatat dan dipotong pada November 2026." in _messages(response)


def test_a_prorated_ceiling_counts_for_the_whole_month(pemda):
    run = _locked_october(pemda)
    staf = pemda.people["staf"]
    row = Result.objects.get(run=run, employee=staf)
    full = row.ceiling
    detail = {**row.detail, "days_in_post": 11, "working_days": 22}
    Result.objects.filter(pk=row.pk).update(ceiling=full / 2, gross=0, net=0, detail=detail)
    assert services.adjustment_limit(staf, OCT) == full * 12


def test_someone_without_a_ceiling_in_the_month_has_the_fixed_bound(pemda):
    _locked_october(pemda)
    staf = pemda.people["staf"]
    Result.objects.filter(employee=staf).update(ceiling=0, gross=0, net=0)
    assert services.adjustment_limit(staf, OCT) == Decimal(1_000_000_000)
    with pytest.raises(ValidationError, match="tidak wajar"):
        services.adjustment_record(
            actor=pemda.bkpsdm1,
            employee=staf,
            source_period=OCT,
            amount=Decimal(1_000_000_001),
            reason="x",
        )


# --------------------------------------------------------------------------------------------------
# 3. Leave types by name in the explanation


def test_the_explanation_names_leave_types_in_one_query(client, pemda):
    guru = pemda.people["guru"]
    days = workdays()
    leave(guru, "cuti_tahunan", days[3], days[3])
    leave(guru, "dinas_luar", days[5], days[6])
    _locked_october(pemda)
    assert Result.objects.get(employee=guru).detail["attendance"]["leave_days"] == {
        "cuti_tahunan": 1,
        "dinas_luar": 2,
    }
    client.force_login(guru.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("tpp:mine") + "?periode=2026-10").content.decode()
    items = re.findall(r'data-testid="leave-days">([^<]*)</li>', page)
    assert items == ["Cuti tahunan: 1 hari", "Dinas luar: 2 hari"]
    assert "cuti_tahunan" not in page and "dinas_luar" not in page
    leave_type_reads = [q for q in queries.captured_queries if "leavetype" in q["sql"].lower()]
    assert len(leave_type_reads) == 1


# --------------------------------------------------------------------------------------------------
# 4. Months and officers as people write them


def test_messages_and_the_run_page_write_months_and_officers_names(client, pemda):
    officer = employee_with_login(pemda.inst, name="Rina Pengunci", front_title="Dra.")
    grant(officer.user, "bkpsdm")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    client.force_login(officer.user)
    client.post(reverse("tpp:run-lock", args=[run.pk]), {"konfirmasi": "1"})
    run.refresh_from_db()
    assert run.state == Run.State.LOCKED and run.locked_by == officer.user
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="locked-by">Dra. Rina Pengunci<' in page
    assert officer.nip not in page
    assert 'data-testid="verified-by">bkpsdm1<' in page  # no employee record: the username
    # Computing a locked month again: the month in words.
    response = client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
    assert "Perhitungan TPP Oktober 2026 sudah dikunci." in _messages(response)
    with pytest.raises(ValidationError) as exc:
        services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    assert "TPP Oktober 2026 sudah dikunci" in exc.value.messages[0]
    assert "2026-10" not in exc.value.messages[0]


def test_withholding_message_names_the_month(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    staf = pemda.people["staf"]
    response = client.post(
        reverse("tpp:withhold", args=[run.pk]), {"nip": staf.nip, "reason": "SKP bulanan"}
    )
    assert "TPP Staf Satu bulan Oktober 2026 ditahan." in _messages(response)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert "Staf Satu (Oktober 2026): SKP bulanan" in page


# --------------------------------------------------------------------------------------------------
# 5. Locking asks for a confirmation, checked on the server


def test_locking_needs_the_confirmation_ticked(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    client.force_login(pemda.bkpsdm2)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    checkbox = re.search(r'<input[^>]*name="konfirmasi"[^>]*>', page)
    assert checkbox and "required" in checkbox.group(0) and 'type="checkbox"' in checkbox.group(0)
    assert "Saya sudah memeriksa daftar ini; setelah dikunci daftar tidak dapat diubah." in page
    for data in ({}, {"konfirmasi": ""}, {"konfirmasi": "on"}):
        response = client.post(reverse("tpp:run-lock", args=[run.pk]), data)
        assert response.status_code == 302
        run.refresh_from_db()
        assert run.state == Run.State.VERIFIED
        assert any("Centang pernyataan" in m for m in _messages(response))
    client.post(reverse("tpp:run-lock", args=[run.pk]), {"konfirmasi": "1"})
    run.refresh_from_db()
    assert run.state == Run.State.LOCKED and run.locked_by == pemda.bkpsdm2


# --------------------------------------------------------------------------------------------------
# 6. The run page on a phone: amounts never wrap, the per-unit select never widens the page


def test_run_page_money_does_not_wrap_and_the_unit_select_can_shrink(client, pemda):
    run = _locked_october(pemda)
    client.force_login(pemda.bpkad)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    for testid in ("total-gross", "total-net", "total-payable"):
        tag = re.search(rf'<div [^>]*data-testid="{testid}"[^>]*>', page).group(0)
        assert "text-nowrap" in tag
    select = re.search(r'<select [^>]*id="dl-unit"[^>]*>', page).group(0)
    # A block as wide as the card on a line of its own, not a flex item sized by its longest name.
    assert "w-auto" not in select and "flex" not in select
    assert "d-flex" not in re.search(r'<form [^>]*id="unit-dl"[^>]*>', page).group(0)
    recap = page[
        page.index('data-testid="unit-recap"') : page.index("</table>", page.index("unit-recap"))
    ]
    # Every amount cell of the recap keeps its number on one line.
    assert all("text-nowrap" in cell for cell in re.findall(r"<td[^>]*>Rp[^<]*</td>", recap))
    # The folded figures under a name: each "label amount" on one line, never split mid-number.
    folded = re.findall(r"(?:pagu|kotor|bersih) Rp[\d.]+", page)
    wrapped = re.findall(r'<span class="text-nowrap">((?:pagu|kotor|bersih) Rp[\d.]+)</span>', page)
    assert folded and wrapped == folded


def test_the_two_sets_of_payment_documents_say_whose_they_are(client, pemda):
    """The whole instansi's documents and one unit's: each under its own heading, as buttons that
    do not look disabled (outline-primary, not pale grey)."""
    run = _locked_october(pemda)
    client.force_login(pemda.bpkad)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    box = page[page.index('data-testid="downloads"') : page.index('id="dokumen"')]
    whole, unit = box.index("Seluruh instansi"), box.index("Unit terpilih")
    assert whole < box.index('data-testid="dl-all"') < unit < box.index('id="unit-dl"')
    assert box.index('<label class="form-label small mb-1" for="dl-unit">Pilih unit</label>') > unit
    buttons = re.findall(r'<button class="([^"]*)"', box)
    assert len(buttons) == 10 and all("btn-outline-primary" in b for b in buttons)
    assert "btn-outline-secondary" not in box


def test_verify_and_lock_use_the_instansi_local_date(pemda, at):
    for e in pemda.people.values():
        full_attendance(e, days=workdays(NOV))
    at("2026-11-30 23:00")  # the last evening of November in WITA
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=NOV)
    with pytest.raises(ValidationError, match="baru dapat diverifikasi"):
        services.run_verify(actor=pemda.bkpsdm1, run=run)
    # 1 December 01:00 in WITA is still 30 November (17:00) in UTC: November has ended here.
    at("2026-12-01 01:00")
    assert dt.datetime.now(dt.UTC).date() == dt.date(2026, 11, 30)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert services.run_lock(actor=pemda.bkpsdm2, run=run).state == Run.State.LOCKED
