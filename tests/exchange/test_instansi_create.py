"""`ekinerja instansi-create`: a real Pemda ready for its BKPSDM, from the server's command line."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from ekinerja.attendance.models import LeaveType
from ekinerja.core.models import Instansi, User
from ekinerja.org.models import Role, RoleGrant
from ekinerja.workcal.models import Holiday, WorkSchedule

pytestmark = pytest.mark.django_db


def _create(*extra, **kw):
    out = io.StringIO()
    args = {
        "--kode": "6302",
        "--nama": "Pemerintah Kabupaten Kotabaru",
        "--zona": "WITA",
        "--akun-bkpsdm": "bkpsdm.kotabaru",
    }
    args.update(kw)
    flat = [x for kv in args.items() for x in kv]
    call_command("instansi-create", *flat, *extra, stdout=out)
    return out.getvalue()


def test_a_new_pemda_is_ready_for_its_bkpsdm(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC))
    text = _create()
    inst = Instansi.objects.get(code="6302")
    assert inst.timezone == "Asia/Makassar" and inst.name == "Pemerintah Kabupaten Kotabaru"
    codes = set(LeaveType.objects.filter(instansi=inst).values_list("code", flat=True))
    assert {"cuti_tahunan", "sakit", "cltn", "tugas_belajar"} <= codes
    assert Holiday.objects.filter(instansi=inst, date__year=2027).exists()
    default = WorkSchedule.objects.get(instansi=inst, is_default=True)
    assert default.code == "5HK"
    assert Holiday.objects.filter(instansi=inst, date=dt.date(2027, 1, 1)).exists()  # next year's
    assert sorted(default.days.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    user = User.objects.get(username="bkpsdm.kotabaru")
    assert user.instansi == inst and user.must_change_password and user.is_staff
    assert RoleGrant.objects.filter(user=user, role=Role.BKPSDM).exists()
    # The temporary password is printed once and lets the officer in, to choose their own first.
    password = text.split("kata sandi sementara: ")[1].split()[0]
    assert len(password) == 12
    assert client.login(username="bkpsdm.kotabaru", password=password)
    assert client.get("/tpp/perhitungan/")["Location"].startswith("/profil/kata-sandi/")


def test_mistakes_are_named_per_option_and_nothing_is_written():
    _create()
    with pytest.raises(CommandError) as err:
        _create(**{"--nama": "  ", "--akun-bkpsdm": "bkpsdm.kotabaru"})
    text = str(err.value)
    assert "--kode: Instansi dengan kode 6302 sudah ada." in text
    assert "--nama: Nama instansi wajib diisi" in text
    assert "--akun-bkpsdm: Nama akun bkpsdm.kotabaru sudah dipakai." in text
    assert Instansi.objects.count() == 1 and User.objects.count() == 1


def test_a_name_longer_than_stored_is_named_not_a_database_error():
    """On PostgreSQL a 201-character name ended in a DataError traceback."""
    with pytest.raises(CommandError) as err:
        _create(**{"--nama": "N" * 201, "--akun-bkpsdm": "a" * 151})
    text = str(err.value)
    assert "--nama: Nama instansi paling panjang 200 karakter." in text
    assert "--akun-bkpsdm: Nama akun paling panjang 150 karakter." in text
    assert Instansi.objects.count() == 0 and User.objects.count() == 0
