"""`ekinerja bkpsdm-create --kode 6302 --akun bkpsdm2.kotabaru`: another BKPSDM account of an
existing Pemda (exchange.services.bkpsdm_account_create), printing its temporary password once:
the second officer the four-eyes TPP lock needs, which BKPSDM cannot make itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Membuat akun BKPSDM tambahan untuk instansi yang sudah ada (mis. akun kedua untuk "
        "mengunci daftar TPP: yang mengunci harus akun BKPSDM lain dari yang menghitung)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kode", required=True, help="kode instansi, mis. 6302")
        parser.add_argument("--akun", required=True, help="nama akun BKPSDM baru")

    def handle(self, *args, **opts):
        from ekinerja.exchange.services import bkpsdm_account_create

        try:
            user, password = bkpsdm_account_create(code=opts["kode"], username=opts["akun"])
        except ValidationError as exc:
            raise CommandError(
                "\n".join(
                    f"--{_OPTION.get(f, f)}: {m}" for f, ms in exc.message_dict.items() for m in ms
                )
            ) from exc
        self.stdout.write(
            f"Akun BKPSDM: {user.username} ({user.instansi.name})  kata sandi sementara: {password}\n"
            "Kata sandi ini hanya ditampilkan sekali; pemiliknya wajib menggantinya saat pertama "
            "masuk."
        )


_OPTION = {"code": "kode", "username": "akun"}
