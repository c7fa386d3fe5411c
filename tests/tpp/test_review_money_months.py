"""Review: the money of TPP months as BKPSDM and BPKAD use them over several months. Withholding and
release, corrections of locked months, re-runs, unit runs and transfers, a recovery larger than the
next month: the run page, the employee's page, the daftar nominatif, the bank file and the SP2D
recap agree to the rupiah, nothing is paid twice or dropped, and the audit trail says who did what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.core.money import format_rupiah
from ekinerja.core.periods import Period
from ekinerja.tpp import services
from ekinerja.tpp.models import Result, Run, Withholding

from .data import OCT, full_attendance, make_pemda, monthly_minutes, workdays

pytestmark = pytest.mark.django_db
NOV = Period(2026, 11)
DEC = Period(2026, 12)


@pytest.fixture
def pemda():
    return make_pemda()


def _work(pemda, employee, periods):
    for period in periods:
        full_attendance(employee, days=workdays(period))
        monthly_minutes(pemda, employee, 15, days=workdays(period))


def _compute(pemda, period, unit=None):
    return services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=period, unit=unit)


def _lock(pemda, run):
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    return services.run_lock(actor=pemda.bkpsdm2, run=run)


def _download(client, pemda, run, kind) -> bytes:
    client.force_login(pemda.bpkad)
    resp = client.post(reverse("tpp:download", args=[run.pk, kind]))
    assert resp.status_code == 200, resp.content[:300]
    return resp.content


def _paid_by_documents(client, pemda, run) -> dict:
    """What each payroll document pays, per NIP and in total, downloaded as BPKAD does."""
    bank = list(csv.DictReader(io.StringIO(_download(client, pemda, run, "bank-csv").decode())))
    wb = openpyxl.load_workbook(io.BytesIO(_download(client, pemda, run, "nominatif-xlsx")))
    listed, list_total = {}, Decimal(0)
    for ws in wb.worksheets:
        if ws.title == "Rekap":
            continue
        rows = list(ws.iter_rows(values_only=True))
        header = rows[4]
        for line in rows[5:]:
            if line[0] == "JUMLAH":
                list_total += Decimal(line[header.index("Dibayarkan")])
                break
            listed[line[1]] = Decimal(line[header.index("Dibayarkan")])
    recap = openpyxl.load_workbook(io.BytesIO(_download(client, pemda, run, "rekap-xlsx")))
    recap_rows = list(recap.active.iter_rows(values_only=True))
    header = next(r for r in recap_rows if r and r[0] == "No")
    total = dict(zip(header, next(r for r in recap_rows if r and r[0] == "JUMLAH"), strict=False))
    return {
        "bank": {r["nip"]: Decimal(r["jumlah"]) for r in bank},
        "bank_total": sum((Decimal(r["jumlah"]) for r in bank), Decimal(0)),
        "list": listed,
        "list_total": list_total,
        "recap_total": Decimal(total["Dibayarkan"]),
        "recap_withheld": Decimal(total["Ditahan"]),
    }


def _agree(client, pemda, run) -> dict:
    """The documents, the run's totals and its rows agree to the rupiah; returns what is paid."""
    run.refresh_from_db()
    rows = {r.nip: r.payable for r in Result.objects.filter(run=run)}
    docs = _paid_by_documents(client, pemda, run)
    assert sum(rows.values()) == run.total_payable
    assert docs["list"] == rows
    assert docs["bank"] == {nip: v for nip, v in rows.items() if v > 0}
    assert docs["bank_total"] == docs["list_total"] == docs["recap_total"] == run.total_payable
    assert docs["recap_withheld"] == run.total_withheld
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert format_rupiah(run.total_payable) in html
    return rows


def test_withhold_release_correct_across_three_months_pays_each_rupiah_once(pemda, client, at):
    """October: the guru's TPP is withheld (LHKPN), the list locked and exported. November: the
    guru's October is released into it and a Rp150.000 correction of the staff member's October
    paid in it. December pays neither again. Every document agrees with the run and the rows,
    and the audit trail names who withheld, released, corrected, locked and exported."""
    at("2027-01-15 10:00")
    guru, staf = pemda.people["guru"], pemda.people["staf"]
    for e in (guru, staf):
        _work(pemda, e, (OCT, NOV, DEC))
    services.withholding_create(
        actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN belum dilaporkan"
    )
    oct_run = _lock(pemda, _compute(pemda, OCT))
    oct_paid = _agree(client, pemda, oct_run)
    g_oct = Result.objects.get(run=oct_run, employee=guru)
    assert g_oct.withheld and oct_paid[guru.nip] == 0 and g_oct.net > 0

    adj = services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=staf,
        source_period=OCT,
        amount=Decimal(150_000),
        reason="Kurang bayar",
    )
    assert adj.target_period == "2026-11"
    nov_run = _compute(pemda, NOV)
    w = services.withholding_release(
        actor=pemda.bkpsdm1, withholding=Withholding.objects.get(employee=guru, period="2026-10")
    )
    assert w.released_period == "2026-11" and w.amount == g_oct.net
    nov_run = _lock(pemda, Run.objects.get(pk=nov_run.pk))
    nov_paid = _agree(client, pemda, nov_run)
    g_nov = Result.objects.get(run=nov_run, employee=guru)
    s_nov = Result.objects.get(run=nov_run, employee=staf)
    assert nov_paid[guru.nip] == g_nov.net + g_oct.net
    assert nov_paid[staf.nip] == s_nov.net + 150_000

    # The employee's own page says the same.
    client.force_login(guru.user)
    html = client.get("/tpp/saya/?periode=2026-11").content.decode()
    assert format_rupiah(g_nov.payable) in html and format_rupiah(g_oct.net) in html

    dec_run = _lock(pemda, _compute(pemda, DEC))
    dec_paid = _agree(client, pemda, dec_run)
    for e in (guru, staf):
        r = Result.objects.get(run=dec_run, employee=e)
        assert r.released == r.adjustment == 0 and dec_paid[e.nip] == r.net
    # Over the three months each is paid their own nets, the release and the correction once.
    nets = {
        e.nip: sum(Result.objects.filter(employee=e).values_list("net", flat=True))
        for e in (guru, staf)
    }
    assert oct_paid[guru.nip] + nov_paid[guru.nip] + dec_paid[guru.nip] == nets[guru.nip]
    assert oct_paid[staf.nip] + nov_paid[staf.nip] + dec_paid[staf.nip] == nets[staf.nip] + 150_000

    who = {
        a: set(AuditEvent.objects.filter(action=a).values_list("actor__username", flat=True))
        for a in (
            "tpp.withhold",
            "tpp.withhold.release",
            "tpp.adjustment.record",
            "tpp.run.lock",
            "tpp.run.export",
        )
    }
    assert who == {
        "tpp.withhold": {"bkpsdm1"},
        "tpp.withhold.release": {"bkpsdm1"},
        "tpp.adjustment.record": {"bkpsdm1"},
        "tpp.run.lock": {"bkpsdm2"},
        "tpp.run.export": {"bpkad1"},
    }


def _transfer_staf_to_opd_a(pemda, start):
    from ekinerja.org.models import Assignment
    from tests.factories import AssignmentFactory, PositionFactory

    staf = pemda.people["staf"]
    Assignment.objects.filter(employee=staf).update(end=start - dt.timedelta(days=1))
    pos = PositionFactory(instansi=pemda.inst, unit=pemda.opd_a, kelas=7, parent=pemda.pos["kadis"])
    AssignmentFactory(position=pos, employee=staf, start=start)
    return staf


def test_a_transfer_into_a_locked_unit_run_is_said_where_its_month_is_paid(pemda, client):
    """Dinas Kesehatan's October is computed with the staff member in it; Dinas Pendidikan's October
    is locked. The staff member's transfer to Dinas Pendidikan from 19 October is recorded after.
    Computing Dinas Kesehatan again leaves them out (their last post is Dinas Pendidikan's), and
    the locked list cannot take them: the month's page and the locked list's page say that their
    October is in no list and is paid by a correction, and the locked list's recheck finds it."""
    from ekinerja.tpp import selectors
    from ekinerja.tpp.models import SimulationRow

    staf = pemda.people["staf"]
    _work(pemda, staf, (OCT,))
    run_b = _compute(pemda, OCT, unit=pemda.opd_b)
    assert Result.objects.filter(run=run_b, employee=staf).exists()
    run_a = _lock(pemda, _compute(pemda, OCT, unit=pemda.opd_a))
    assert selectors.unpaid_after_lock(pemda.inst, OCT) == (0, [])
    _transfer_staf_to_opd_a(pemda, OCT.first_day.replace(day=19))
    run_b = _compute(pemda, OCT, unit=pemda.opd_b)
    assert not Result.objects.filter(employee=staf, run__period="2026-10").exists()

    assert selectors.unpaid_after_lock(pemda.inst, OCT) == (1, [staf])
    client.force_login(pemda.bkpsdm1)
    month = client.get(reverse("tpp:runs"), {"periode": "2026-10"}).content.decode()
    assert 'data-testid="unpaid-after-lock"' in month and staf.nip in month
    locked = client.get(reverse("tpp:run", args=[run_a.pk])).content.decode()
    assert 'data-testid="unpaid-after-lock"' in locked and staf.nip in locked
    # The unit left behind is not told to pay them: they are not its employee any more.
    left = client.get(reverse("tpp:run", args=[run_b.pk])).content.decode()
    assert 'data-testid="unpaid-after-lock"' not in left

    # Paid by a correction: the recheck of the locked list finds the month, compared with Rp0.
    assert client.post(reverse("tpp:run-recheck", args=[run_a.pk])).status_code == 302
    row = SimulationRow.objects.get(simulation__run=run_a, employee=staf)
    assert not row.old_net and row.new_net > 0 and row.difference == row.new_net


def test_a_recovery_beyond_next_months_pay_while_that_month_is_withheld(pemda, client, at):
    """Rp10.000.000 recovered from October into a withheld November: November pays 0 and holds 0;
    locked, the rest goes to December; the documents agree with the rows each month."""
    at("2027-01-15 10:00")
    staf = pemda.people["staf"]
    _work(pemda, staf, (OCT, NOV, DEC))
    _lock(pemda, _compute(pemda, OCT))
    services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=staf,
        source_period=OCT,
        amount=Decimal(-10_000_000),
        reason="Lebih bayar",
    )
    services.withholding_create(actor=pemda.bkpsdm1, employee=staf, period=NOV, reason="SKP")
    nov = _lock(pemda, _compute(pemda, NOV))
    paid = _agree(client, pemda, nov)
    n = Result.objects.get(run=nov, employee=staf)
    assert paid[staf.nip] == 0 and nov.total_withheld == 0
    rest = n.net - 10_000_000
    w = services.withholding_release(
        actor=pemda.bkpsdm1, withholding=Withholding.objects.get(employee=staf, period="2026-11")
    )
    assert w.amount == 0 and w.released_period == "2026-12"
    dec = _compute(pemda, DEC)
    d = Result.objects.get(run=dec, employee=staf)
    assert d.adjustment == rest and d.released == 0
    dec = _lock(pemda, Run.objects.get(pk=dec.pk))
    _agree(client, pemda, dec)


def test_releasing_an_unlocked_months_withholding_from_a_later_page_says_where_it_is_paid(
    pemda, client
):
    """October is computed but not locked, the guru's October withheld; on November's page the
    withholding was offered as "lepas dan bayar bulan ini", yet the release pays it in October's
    list (the month is still open), and the message said only "Penahanan dilepas.". The page and
    the message now name the month whose list pays it; the money is paid once, in October."""
    guru = pemda.people["guru"]
    _work(pemda, guru, (OCT, NOV))
    w = services.withholding_create(actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN")
    oct_run = _compute(pemda, OCT)
    nov_run = _compute(pemda, NOV)
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("tpp:run", args=[nov_run.pk])).content.decode()
    assert "lepas (dibayar pada daftar Oktober 2026)" in html
    assert "lepas dan bayar bulan ini" not in html
    resp = client.post(reverse("tpp:release", args=[nov_run.pk, w.pk]), follow=True)
    text = " ".join(str(m) for m in resp.context["messages"])
    assert "dibayarkan pada daftar TPP Oktober 2026" in text
    w.refresh_from_db()
    assert w.released_period == "2026-10"
    o = Result.objects.get(run=oct_run, employee=guru)
    n = Result.objects.get(run=nov_run, employee=guru)
    assert not o.withheld and o.payable == o.net > 0
    assert n.released == 0 and n.payable == n.net


def test_a_locked_months_withholding_is_offered_for_payment_in_a_later_month(pemda, client):
    guru = pemda.people["guru"]
    _work(pemda, guru, (OCT, NOV))
    w = services.withholding_create(actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN")
    oct_run = _lock(pemda, _compute(pemda, OCT))
    nov_run = _compute(pemda, NOV)
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("tpp:run", args=[nov_run.pk])).content.decode()
    assert "lepas dan bayar bulan ini" in html
    resp = client.post(reverse("tpp:release", args=[nov_run.pk, w.pk]), follow=True)
    text = " ".join(str(m) for m in resp.context["messages"])
    assert "dibayarkan pada daftar TPP November 2026" in text
    held = Result.objects.get(run=oct_run, employee=guru).net
    assert Result.objects.get(run=nov_run, employee=guru).released == held


def test_unit_runs_with_a_mid_month_transfer_pay_once_and_agree(pemda, client, at):
    """The staff member moves from Dinas Kesehatan to Dinas Pendidikan on 19 October, recorded
    before the unit runs: paid once, by Dinas Pendidikan's list, with the ceiling of both posts;
    a correction of October goes into Dinas Pendidikan's November; each unit's documents agree
    with its rows. A re-run of the open November keeps the correction, once."""
    at("2026-12-10 10:00")
    staf = pemda.people["staf"]
    _work(pemda, staf, (OCT, NOV))
    _transfer_staf_to_opd_a(pemda, OCT.first_day.replace(day=19))
    run_a = _lock(pemda, _compute(pemda, OCT, unit=pemda.opd_a))
    run_b = _lock(pemda, _compute(pemda, OCT, unit=pemda.opd_b))
    assert Result.objects.filter(employee=staf, run__period="2026-10").count() == 1
    assert Result.objects.get(run=run_a, employee=staf).unit == pemda.opd_a
    _agree(client, pemda, run_a)
    _agree(client, pemda, run_b)
    services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=staf,
        source_period=OCT,
        amount=Decimal(75_000),
        reason="Kurang bayar",
    )
    nov_a = _compute(pemda, NOV, unit=pemda.opd_a)
    nov_a = _compute(pemda, NOV, unit=pemda.opd_a)  # re-run of the open month
    nov_b = _compute(pemda, NOV, unit=pemda.opd_b)
    assert Result.objects.get(run=nov_a, employee=staf).adjustment == 75_000
    assert not Result.objects.filter(run=nov_b, employee=staf).exists()
    nov_a = _lock(pemda, Run.objects.get(pk=nov_a.pk))
    paid = _agree(client, pemda, nov_a)
    assert paid[staf.nip] == Result.objects.get(run=nov_a, employee=staf).net + 75_000


def test_the_run_page_does_not_say_a_recovery_from_someone_who_left_is_carried_on(pemda, client):
    """The guru leaves on 31 October; Rp1.000.000 is recovered from their locked October into
    November, where they have no post (a payment-only row of Rp0). Locking November carries nothing
    (TPP cannot recover from someone who has left: BPKAD does it outside TPP), yet the run page
    said the Rp1.000.000 was "dibawa ke bulan berikutnya"."""
    from ekinerja.org.models import Assignment
    from ekinerja.tpp.models import Adjustment

    guru = pemda.people["guru"]
    _work(pemda, guru, (OCT,))
    Assignment.objects.filter(employee=guru).update(end=OCT.last_day)
    _lock(pemda, _compute(pemda, OCT))
    services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=guru,
        source_period=OCT,
        amount=Decimal(-1_000_000),
        reason="Lebih bayar",
    )
    nov = _lock(pemda, _compute(pemda, NOV))
    row = Result.objects.get(run=nov, employee=guru)
    assert row.detail["payment_only"] and row.payable == 0
    assert not Adjustment.objects.filter(carried=True).exists()
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("tpp:run", args=[nov.pk])).content.decode()
    assert 'data-testid="carried-total"' not in html
    assert 'data-testid="not-recovered-total"' in html
    assert "tidak dapat dipotong dari TPP" in html and "Rp1.000.000" in html
    _agree(client, pemda, nov)


def test_a_months_page_names_the_corrections_of_it_paid_in_a_later_month(pemda, client, at):
    """October locked and paid; a Rp150.000 over-payment recovered in November and a Rp40.000
    under-payment paid then. October's page said what it paid and nothing of either."""
    at("2026-12-10 10:00")
    staf = pemda.people["staf"]
    _work(pemda, staf, (OCT, NOV))
    _lock(pemda, _compute(pemda, OCT))
    for amount, reason in ((-150_000, "Lebih bayar"), (40_000, "Kurang bayar")):
        services.adjustment_record(
            actor=pemda.bkpsdm1,
            employee=staf,
            source_period=OCT,
            amount=Decimal(amount),
            reason=reason,
        )
    client.force_login(staf.user)
    html = client.get(reverse("tpp:mine"), {"periode": "2026-10"}).content.decode()
    assert 'data-testid="corrections-of-month"' in html
    assert "Kelebihan bayar Rp150.000, dipotong dari TPP November 2026: Lebih bayar" in html
    assert "Kekurangan bayar Rp40.000, dibayarkan pada TPP November 2026: Kurang bayar" in html
    november = client.get(reverse("tpp:mine"), {"periode": "2026-11"}).content.decode()
    assert 'data-testid="corrections-of-month"' not in november
