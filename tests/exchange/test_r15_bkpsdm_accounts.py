"""A new Pemda gets the two BKPSDM accounts its first TPP lock needs (R15 walk-through). The lock is
by a BKPSDM account other than the one that computed the list, and BKPSDM cannot make an account
whose password it issued a BKPSDM: with the single account `instansi-create` made, the first month
could be computed and verified but never locked, and the only way out was three admin screens of
the installation's superuser (add the account, link it to the instansi, grant the role)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from ekinerja.core.models import Instansi, User
from ekinerja.org.models import Role, RoleGrant

pytestmark = pytest.mark.django_db


def _run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


BASE = ("--kode", "6302", "--nama", "Pemerintah Kabupaten Kotabaru", "--zona", "WITA")


def _passwords(text: str) -> dict[str, str]:
    return {
        line.split()[2]: line.split("kata sandi sementara: ")[1].split()[0]
        for line in text.splitlines()
        if line.startswith("Akun BKPSDM: ")
    }


def test_instansi_create_makes_every_bkpsdm_account_asked_for(client):
    text = _run("instansi-create", *BASE, "--akun-bkpsdm", "bkpsdm.kotabaru",
                "--akun-bkpsdm", "bkpsdm2.kotabaru")  # fmt: skip
    inst = Instansi.objects.get(code="6302")
    passwords = _passwords(text)
    assert set(passwords) == {"bkpsdm.kotabaru", "bkpsdm2.kotabaru"}
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.instansi == inst and user.must_change_password and user.is_staff
        assert RoleGrant.objects.filter(user=user, role=Role.BKPSDM, instansi=inst).exists()
        assert client.login(username=username, password=password)
    assert "bkpsdm-create" not in text
    # The next steps name the menus BKPSDM actually sees.
    assert "TPP › Kebijakan TPP" in text and "Aktivitas › Katalog aktivitas" in text


def test_one_account_only_is_told_how_to_make_the_second():
    text = _run("instansi-create", *BASE, "--akun-bkpsdm", "bkpsdm.kotabaru")
    assert "ekinerja bkpsdm-create --kode 6302 --akun NAMA" in text


def test_a_name_given_twice_or_taken_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError) as err:
        _run("instansi-create", *BASE, "--akun-bkpsdm", "bkpsdm.kotabaru",
             "--akun-bkpsdm", "bkpsdm.kotabaru")  # fmt: skip
    assert "--akun-bkpsdm: Nama akun bkpsdm.kotabaru disebut lebih dari sekali." in str(err.value)
    assert not Instansi.objects.filter(code="6302").exists()
    User.objects.create(username="dipakai")
    with pytest.raises(CommandError) as err:
        _run("instansi-create", *BASE, "--akun-bkpsdm", "bkpsdm.kotabaru",
             "--akun-bkpsdm", "dipakai")  # fmt: skip
    assert "--akun-bkpsdm: Nama akun dipakai sudah dipakai." in str(err.value)
    assert not Instansi.objects.filter(code="6302").exists()
    assert not User.objects.filter(username="bkpsdm.kotabaru").exists()


def test_bkpsdm_create_adds_an_account_to_an_existing_pemda(client):
    _run("instansi-create", *BASE, "--akun-bkpsdm", "bkpsdm.kotabaru")
    text = _run("bkpsdm-create", "--kode", "6302", "--akun", "bkpsdm2.kotabaru")
    password = text.split("kata sandi sementara: ")[1].split()[0]
    user = User.objects.get(username="bkpsdm2.kotabaru")
    assert user.instansi.code == "6302" and user.must_change_password
    assert RoleGrant.objects.filter(user=user, role=Role.BKPSDM).exists()
    assert client.login(username="bkpsdm2.kotabaru", password=password)
    with pytest.raises(CommandError) as err:
        _run("bkpsdm-create", "--kode", "9999", "--akun", "x.y")
    assert "--kode: Instansi dengan kode 9999 tidak ada." in str(err.value)
    assert not User.objects.filter(username="x.y").exists()
