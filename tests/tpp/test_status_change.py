"""A CPNS appointed PNS mid-month: each working day at its own status's factor (tpp-rules.md,
Ceiling), recorded with its TMT when the status is changed, so a month recomputed later still
pays the days before the appointment at the CPNS factor."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ekinerja.core.periods import Period
from ekinerja.org import services as org_services
from ekinerja.org.models import Employee
from ekinerja.tpp import services
from ekinerja.tpp.models import Result

from .data import OCT, admin_employee_change, make_pemda

pytestmark = pytest.mark.django_db
D = dt.date


def _ceiling(pemda, employee, period) -> int:
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=period)
    return int(Result.objects.get(run=run, employee=employee).ceiling)


def test_cpns_appointed_pns_on_the_19th_is_paid_80_percent_before_and_100_after():
    pemda = make_pemda()
    guru = pemda.people["guru"]  # kelas 9: 3,750,000 under the HSS template
    Employee.objects.filter(pk=guru.pk).update(status="CPNS")
    guru.refresh_from_db()
    assert _ceiling(pemda, guru, OCT) == 3_000_000  # CPNS the whole month: 80%
    guru.status = "PNS"
    with pytest.raises(ValidationError) as err:
        org_services.employee_save(actor=pemda.bkpsdm1, employee=guru)
    assert "status_since" in err.value.message_dict
    guru.status_since = D(2026, 10, 19)
    org_services.employee_save(actor=pemda.bkpsdm1, employee=guru)
    guru.refresh_from_db()
    assert (guru.status, guru.previous_status, guru.status_since) == (
        "PNS",
        "CPNS",
        D(2026, 10, 19),
    )
    # October 2026: 22 working days, 12 before Monday the 19th (at 80%), 10 from it (at 100%):
    # 3,750,000 x (12 x 0.8 + 10) / 22 = 3,340,909.09 -> 3,340,909.
    assert _ceiling(pemda, guru, OCT) == 3_340_909
    result = Result.objects.filter(employee=guru, run__period="2026-10").get()
    assert any("Status CPNS sampai 18 Oktober 2026" in n for n in result.detail["notes"])
    # A month wholly before the TMT stays CPNS; a month after it is PNS.
    assert _ceiling(pemda, guru, Period(2026, 9)) == 3_000_000
    assert _ceiling(pemda, guru, Period(2026, 11)) == 3_750_000


def test_the_admin_form_asks_for_the_tmt_when_the_status_changes(client):
    pemda = make_pemda()
    guru = pemda.people["guru"]
    errors = admin_employee_change(client, pemda, guru, {"status": "CPNS"})
    assert errors["status_since"] == [
        "Isi TMT status baru (tanggal mulai berlaku) saat status diubah."
    ]
    assert Employee.objects.get(pk=guru.pk).status == "PNS"


def test_a_status_corrected_with_the_same_tmt_keeps_the_status_before_the_change():
    pemda = make_pemda()
    guru = pemda.people["guru"]
    Employee.objects.filter(pk=guru.pk).update(status="CPNS")
    guru.refresh_from_db()
    guru.status, guru.status_since = "PNS", D(2026, 10, 19)  # recorded by mistake
    org_services.employee_save(actor=pemda.bkpsdm1, employee=guru)
    guru.refresh_from_db()
    guru.status = "CPNS"  # corrected with the same TMT: no new change, nothing asked
    org_services.employee_save(actor=pemda.bkpsdm1, employee=guru)
    guru.refresh_from_db()
    assert (guru.status, guru.previous_status) == ("CPNS", "CPNS")
    assert _ceiling(pemda, guru, OCT) == 3_000_000  # CPNS the whole month again
