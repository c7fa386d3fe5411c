"""Nobody changes what their own TPP is paid on, BKPSDM included: the pay fields of their own
employee record (bank account, NPWP, status, salary...) and the kelas, kind, unit, superior's post
and special TPP base of a post they hold. Before, a BKPSDM officer could point their own TPP to
another bank account or raise their own post's kelas in the admin; another officer does it now."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.org import services as org_services
from ekinerja.org.models import Employee, Position, Role
from tests.factories import (
    AssignmentFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db
OWN_PAY = "Data pembayaran akun sendiri harus diubah oleh petugas BKPSDM lain."
OWN_POST = (
    "Jabatan yang Anda duduki sendiri: kelas, jenis, unit dan atasannya harus diubah oleh "
    "petugas BKPSDM lain."
)


@pytest.fixture
def officers(office):
    """Two BKPSDM officers with posts in BKPSDM, both staff (the admin), and the second with no
    employee record."""
    unit = UnitFactory(instansi=office["inst"], code="BKPSDM", name="BKPSDM")
    post = PositionFactory(
        unit=unit, code="KABID-MUT", name="Kepala Bidang Mutasi", kind="struktural", kelas=11
    )
    me = employee_with_login(office["inst"], post, name="Rahmadi")
    Employee.objects.filter(pk=me.pk).update(bank_name="Bank Kalsel", bank_account="0011223344")
    me.refresh_from_db()
    grant(me.user, Role.BKPSDM)
    other = UserFactory(instansi=office["inst"], username="bk-lain", is_staff=True)
    grant(other, Role.BKPSDM)
    me.user.is_staff = True
    me.user.save(update_fields=["is_staff"])
    return {"me": me, "post": post, "other": other}


def test_bkpsdm_cannot_change_their_own_bank_account_or_status(officers):
    me = officers["me"]
    for field, value in (
        ("bank_account", "9999999999"),
        ("npwp", "12.345.678.9-012.345"),
        ("status", Employee.Status.PPPK if me.status != Employee.Status.PPPK else "pns"),
        ("is_active", False),
    ):
        changed = Employee.objects.get(pk=me.pk)
        setattr(changed, field, value)
        with pytest.raises(ValidationError) as err:
            org_services.employee_save(actor=me.user, employee=changed)
        assert err.value.message_dict[field] == [OWN_PAY], field
    assert Employee.objects.get(pk=me.pk).bank_account == "0011223344"
    # The rest of their own record stays theirs to correct.
    changed = Employee.objects.get(pk=me.pk)
    changed.phone = "081234567890"
    org_services.employee_save(actor=me.user, employee=changed)
    # Another officer changes the bank account.
    changed.bank_account = "5555000011"
    org_services.employee_save(actor=officers["other"], employee=changed)
    assert Employee.objects.get(pk=me.pk).bank_account == "5555000011"


def test_the_admin_form_shows_the_own_pay_refusal(client, officers):
    me = officers["me"]
    client.force_login(me.user)
    url = reverse("admin:org_employee_change", args=[me.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {
        k: v
        for k, v in form.context["adminform"].form.initial.items()
        if v is not None and k not in ("user",)
    }
    data["bank_account"] = "9999999999"
    resp = client.post(url, data)
    assert resp.status_code == 200
    assert OWN_PAY in resp.content.decode()
    assert Employee.objects.get(pk=me.pk).bank_account == "0011223344"


def test_bkpsdm_cannot_raise_the_kelas_of_their_own_post(officers):
    me, post = officers["me"], officers["post"]
    for field, value in (
        ("kelas", 15),
        ("tpp_base", 9_000_000),
        ("kind", "fungsional"),
        ("parent", PositionFactory(unit=post.unit, name="Pos lain")),
    ):
        changed = Position.objects.get(pk=post.pk)
        setattr(changed, field, value)
        with pytest.raises(ValidationError) as err:
            org_services.position_save(actor=me.user, position=changed)
        assert err.value.message_dict[field] == [OWN_POST], field
    assert Position.objects.get(pk=post.pk).kelas == 11
    # The name is corrected by the holder; the kelas by another officer.
    changed = Position.objects.get(pk=post.pk)
    changed.name = "Kepala Bidang Mutasi dan Promosi"
    org_services.position_save(actor=me.user, position=changed)
    changed.kelas = 12
    org_services.position_save(actor=officers["other"], position=changed)
    assert Position.objects.get(pk=post.pk).kelas == 12


def test_a_post_held_only_in_the_past_or_by_others_is_not_own(office, officers, at):
    at("2026-10-05 09:00")
    me = officers["me"]
    old = PositionFactory(unit=officers["post"].unit, name="Analis lama", kelas=8)
    AssignmentFactory(
        position=old, employee=me, start=dt.date(2020, 1, 1), end=dt.date(2024, 12, 31)
    )
    changed = Position.objects.get(pk=old.pk)
    changed.kelas = 9
    org_services.position_save(actor=me.user, position=changed)
    assert Position.objects.get(pk=old.pk).kelas == 9
    # A post they take from a later date is already theirs.
    soon = PositionFactory(unit=officers["post"].unit, name="Sekretaris", kelas=12)
    AssignmentFactory(position=soon, employee=me, kind="plt", start=dt.date(2026, 11, 1))
    changed = Position.objects.get(pk=soon.pk)
    changed.kelas = 14
    with pytest.raises(ValidationError):
        org_services.position_save(actor=me.user, position=changed)


def test_the_import_guards_the_same_fields_as_the_manual_path():
    """The import's lists name the file's columns among the services' fields (the importer cannot
    import the services: they import it)."""
    from ekinerja.org import importer

    assert importer.PAY_COLUMNS <= set(org_services.PAY_FIELDS)
    assert {"npwp", "bank_name", "bank_account", "status", "golongan"} <= importer.PAY_COLUMNS
    assert importer.POSITION_PAY_ATTRS <= set(org_services.POSITION_BKPSDM_FIELDS)
    assert {"kelas", "kind", "unit", "parent"} == importer.POSITION_PAY_ATTRS
