"""A salary raise (a KGB) is recorded with its TMT, so a month recomputed after the raise still takes
the salary it was paid with for the health-insurance income cap (tpp-rules.md: pct x min(gross,
max(0, cap - salary))); a month's salary is the one in effect on its first day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ekinerja.core.periods import Period
from ekinerja.org import services as org_services
from ekinerja.org.models import Employee
from ekinerja.tpp import services
from ekinerja.tpp.models import Result
from ekinerja.tpp.policy import national_template

from .data import OCT, admin_employee_change, make_pemda

pytestmark = pytest.mark.django_db
NOV = Period(2026, 11)


def _capped(effective_from: str) -> dict:
    return {
        **national_template(effective_from),
        "health_insurance": {"employee_pct": 1, "income_cap": 12_000_000},
    }


def _result(pemda, employee, period) -> Result:
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=period)
    return Result.objects.get(run=run, employee=employee)


def _health(gross, salary) -> int:
    room = max(Decimal(0), Decimal(12_000_000) - salary)
    return int((min(gross, room) / 100).quantize(Decimal(1)))


def test_a_raise_applies_from_its_tmt_and_earlier_months_keep_the_old_salary():
    pemda = make_pemda(_capped)
    kadis = pemda.people["kadis"]
    Employee.objects.filter(pk=kadis.pk).update(salary=Decimal(11_000_000))
    kadis.refresh_from_db()
    before = _result(pemda, kadis, OCT)
    assert before.gross > 1_000_000  # so the cap binds: 1% of the 1,000,000 left under it
    assert before.health_insurance == 10_000

    kadis.salary = Decimal(11_500_000)
    with pytest.raises(ValidationError) as err:
        org_services.employee_save(actor=pemda.bkpsdm1, employee=kadis)
    assert err.value.message_dict["salary_since"] == [
        "Isi TMT gaji baru (tanggal mulai berlaku) saat gaji diubah."
    ]
    kadis.salary_since = dt.date(2026, 11, 1)
    org_services.employee_save(actor=pemda.bkpsdm1, employee=kadis)
    kadis.refresh_from_db()
    assert (kadis.salary, kadis.previous_salary, kadis.salary_since) == (
        11_500_000,
        11_000_000,
        dt.date(2026, 11, 1),
    )
    # October recomputed after the raise: still the 11,000,000 it was paid with.
    october = _result(pemda, kadis, OCT)
    assert october.health_insurance == 10_000
    assert "gaji Rp11.000.000" in str(october.detail["lines"])
    # November, from the TMT on: 1% of the 500,000 left.
    november = _result(pemda, kadis, NOV)
    assert november.gross > 500_000
    assert november.health_insurance == _health(november.gross, Decimal(11_500_000))
    assert november.health_insurance < _health(november.gross, Decimal(11_000_000))


def test_a_raise_from_mid_month_starts_with_the_next_month():
    pemda = make_pemda(_capped)
    kadis = pemda.people["kadis"]
    Employee.objects.filter(pk=kadis.pk).update(salary=Decimal(11_000_000))
    kadis.refresh_from_db()
    kadis.salary = Decimal(11_500_000)
    kadis.salary_since = dt.date(2026, 10, 15)
    org_services.employee_save(actor=pemda.bkpsdm1, employee=kadis)
    assert _result(pemda, kadis, OCT).health_insurance == 10_000  # 11,000,000 on 1 October
    november = _result(pemda, kadis, NOV)
    assert november.health_insurance == _health(november.gross, Decimal(11_500_000))


def test_the_first_salary_needs_no_tmt_and_the_admin_form_asks_for_it_on_a_change(client):
    pemda = make_pemda(_capped)
    guru = pemda.people["guru"]
    Employee.objects.filter(pk=guru.pk).update(salary=None)
    guru.refresh_from_db()
    guru.salary = Decimal(4_000_000)
    org_services.employee_save(actor=pemda.bkpsdm1, employee=guru)  # first salary: no TMT asked
    guru.refresh_from_db()
    assert (guru.salary, guru.previous_salary, guru.salary_since) == (4_000_000, None, None)

    errors = admin_employee_change(client, pemda, guru, {"salary": "4500000"})
    assert errors["salary_since"] == ["Isi TMT gaji baru (tanggal mulai berlaku) saat gaji diubah."]
    assert Employee.objects.get(pk=guru.pk).salary == 4_000_000


def test_a_mistyped_raise_is_corrected_with_the_same_tmt_and_the_earlier_salary_is_kept():
    pemda = make_pemda(_capped)
    kadis = pemda.people["kadis"]
    Employee.objects.filter(pk=kadis.pk).update(salary=Decimal(11_000_000))
    kadis.refresh_from_db()
    kadis.salary, kadis.salary_since = Decimal(11_600_000), dt.date(2026, 11, 1)  # a typo
    org_services.employee_save(actor=pemda.bkpsdm1, employee=kadis)
    kadis.refresh_from_db()
    kadis.salary = Decimal(11_500_000)  # corrected, the same TMT: no new change
    org_services.employee_save(actor=pemda.bkpsdm1, employee=kadis)
    kadis.refresh_from_db()
    assert (kadis.salary, kadis.previous_salary, kadis.salary_since) == (
        11_500_000,
        11_000_000,
        dt.date(2026, 11, 1),
    )
    assert _result(pemda, kadis, OCT).health_insurance == 10_000  # October: still 11,000,000
    # A later raise with its own TMT is a new change: the corrected amount becomes the earlier one.
    kadis.salary, kadis.salary_since = Decimal(11_800_000), dt.date(2027, 1, 1)
    org_services.employee_save(actor=pemda.bkpsdm1, employee=kadis)
    kadis.refresh_from_db()
    assert (kadis.previous_salary, kadis.salary_since) == (11_500_000, dt.date(2027, 1, 1))
