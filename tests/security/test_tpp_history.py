"""A former superior sees the months they were the superior of, not the employee's later pay."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.tpp import services
from ekinerja.tpp.models import Result, Run
from tests.factories import AssignmentFactory, employee_with_login
from tests.tpp.data import make_pemda

pytestmark = pytest.mark.django_db


def test_former_superior_sees_only_the_months_they_were_superior(client, at):
    pemda = make_pemda()
    at("2027-01-10 10:00")
    staf = pemda.people["staf"]
    old_boss = pemda.people["kadis_b"]
    Assignment.objects.filter(employee=old_boss).update(end=dt.date(2026, 10, 31))
    new_boss = employee_with_login(pemda.inst, None, name="Kadis B baru")
    AssignmentFactory(position=pemda.pos["kadis_b"], employee=new_boss, start=dt.date(2026, 11, 1))
    real = services.run_compute(actor=None, instansi=pemda.inst, period=Period(2026, 9))
    detail = Result.objects.get(run=real, employee=staf).detail
    for period, net in (("2026-10", 1_111_111), ("2026-11", 2_222_222), ("2026-12", 3_333_333)):
        run = Run.objects.create(instansi=pemda.inst, period=period, state=Run.State.LOCKED)
        Result.objects.create(
            instansi=run.instansi,
            run=run,
            employee=staf,
            nip=staf.nip,
            name=staf.name,
            ceiling=net,
            gross=net,
            pph21=0,
            health_insurance=0,
            net=Decimal(net),
            payable=Decimal(net),
            detail=detail,
        )
    url = reverse("tpp:employee", kwargs={"pk": staf.pk})
    client.force_login(old_boss.user)
    assert client.get(url + "?periode=2026-12").status_code == 404
    page = client.get(url + "?periode=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1.111.111" in html  # October: old_boss was the superior on 31 October
    assert "2.222.222" not in html and "3.333.333" not in html  # later months are not theirs
    # The month's days link to the attendance month the former superior may open (it went by
    # today's hierarchy, so the link was missing).
    import re

    link = re.search(r'href="([^"]+)" data-testid="attendance-days"', html)
    assert link is not None and client.get(link.group(1)).status_code == 200
    # The superior today sees the months since the employee came under them, not the earlier
    # ones (7 December 2026; before, tpp.view_employee_tpp let today's superior into all of them).
    client.force_login(new_boss.user)
    html = client.get(url + "?periode=2026-12").content.decode()
    assert "2.222.222" in html and "3.333.333" in html
    assert "1.111.111" not in html
    assert client.get(url + "?periode=2026-10").status_code == 404
