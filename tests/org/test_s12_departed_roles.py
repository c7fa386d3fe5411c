"""S12 (H2): an official who has left holds no role (org.selectors.user_roles).

Budi works at BKPSDM: an employee record, a login that is a superuser's, and the BKPSDM role
granted. He retires: BKPSDM makes his record inactive, and employee_save keeps a superuser's login
on (managed on the server). Before, that login kept every role granted to it, so the retired Budi
still opened BKPSDM's pages. Now an account whose employee record is inactive holds no role at all
(no granted one, no pegawai, no atasan). An account with no employee record at all (the
administrator's, a BKPSDM or Kominfo officer's account) keeps its grants."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.models import User
from ekinerja.org import services
from ekinerja.org.models import Employee, Position, Role
from ekinerja.org.selectors import user_roles
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db

UNLOCKS = reverse("activities:unlocks-manage")  # BKPSDM decides unlock requests
RATING_FOR_BKPSDM = reverse("performance:rating") + "?untuk=tanpa-atasan"  # BKPSDM rates the top


@pytest.fixture
def org():
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst, name="BKPSDM")
    head = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    analis = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=head)
    officer = UserFactory(instansi=inst, username="bkpsdm-officer")  # no employee record
    grant(officer, Role.BKPSDM)
    budi = employee_with_login(inst, analis, name="Budi Analis")
    grant(budi.user, Role.BKPSDM)
    User.objects.filter(pk=budi.user_id).update(is_superuser=True, is_staff=True)
    return {
        "inst": inst,
        "head": employee_with_login(inst, head, name="Kepala BKPSDM"),
        "budi": budi,
        "officer": officer,
    }


def _account(employee: Employee) -> User:
    """The account as a new request reads it (no roles cached on the object)."""
    return User.objects.select_related("instansi").get(pk=employee.user_id)


def _retire(employee: Employee, actor: User) -> None:
    employee.refresh_from_db()
    employee.is_active = False
    services.employee_save(actor=actor, employee=employee)


def test_a_departed_bkpsdm_superuser_holds_no_role_and_opens_no_bkpsdm_page(org, client):
    budi = org["budi"]
    assert user_roles(_account(budi)) == {Role.BKPSDM, Role.PEGAWAI}
    client.force_login(_account(budi))
    assert client.get(UNLOCKS).status_code == 200
    assert client.get(RATING_FOR_BKPSDM).status_code == 200
    _retire(budi, org["officer"])
    account = _account(budi)
    assert account.is_active and account.is_superuser  # the login was kept
    assert user_roles(account) == frozenset()
    client.force_login(account)
    assert client.get(UNLOCKS).status_code == 403
    assert client.get(RATING_FOR_BKPSDM).status_code == 403
    # Reactivated, his grants count again (they were never deleted).
    budi.refresh_from_db()
    budi.is_active = True
    services.employee_save(actor=org["officer"], employee=budi)
    assert user_roles(_account(budi)) == {Role.BKPSDM, Role.PEGAWAI}


def test_an_account_without_employee_record_keeps_its_grants(org, client):
    """The installation's administrator of this Pemda (a superuser, no employee record) and
    BKPSDM's officer account (no employee record) keep BKPSDM, and its pages."""
    admin = UserFactory(instansi=org["inst"], username="admin-pemda", is_superuser=True)
    grant(admin, Role.BKPSDM)
    for account in (admin, org["officer"]):
        account = User.objects.get(pk=account.pk)
        assert user_roles(account) == {Role.BKPSDM}
        client.force_login(account)
        assert client.get(UNLOCKS).status_code == 200
        assert client.get(RATING_FOR_BKPSDM).status_code == 200


def test_a_departed_leader_is_no_atasan_nor_pegawai(org):
    """The head leads Budi's post; retired (a login kept by hand), she is neither pegawai nor
    atasan any more."""
    head = org["head"]
    assert user_roles(_account(head)) == {Role.PEGAWAI, Role.ATASAN}
    User.objects.filter(pk=head.user_id).update(is_superuser=True)
    _retire(head, org["officer"])
    assert user_roles(_account(head)) == frozenset()


def test_the_query_count_stays(org):
    """Two queries at most, as before (the record and the grants); a departed account reads no
    grants at all."""
    budi, officer = org["budi"], org["officer"]
    for account in (_account(budi), User.objects.select_related("instansi").get(pk=officer.pk)):
        with CaptureQueriesContext(connection) as ctx:
            user_roles(account)
        assert len(ctx.captured_queries) == 2
    _retire(budi, officer)
    account = _account(budi)
    with CaptureQueriesContext(connection) as ctx:
        assert user_roles(account) == frozenset()
    assert len(ctx.captured_queries) == 1
