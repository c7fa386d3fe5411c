"""`ekinerja instansi-create --kode 6307 --nama "Pemerintah Kabupaten Kotabaru" --zona WITA
--akun-bkpsdm bkpsdm.kotabaru`: a real Pemda ready for its BKPSDM (exchange.services.instansi_create),
printing the first BKPSDM account's temporary password once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.models import Instansi

ZONES = {"WIB": Instansi.Zone.WIB, "WITA": Instansi.Zone.WITA, "WIT": Instansi.Zone.WIT}


class Command(BaseCommand):
    help = (
        "Membuat instansi (Pemda) baru siap pakai: jenis cuti standar, hari libur nasional tahun "
        "ini dan tahun depan, jadwal lima hari kerja, dan akun BKPSDM pertama."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kode", required=True, help="kode instansi, mis. kode wilayah 6307")
        parser.add_argument("--nama", required=True, help='nama, mis. "Pemerintah Kabupaten X"')
        parser.add_argument("--zona", required=True, choices=sorted(ZONES), help="zona waktu")
        parser.add_argument(
            "--akun-bkpsdm", dest="akun", required=True, help="nama akun BKPSDM pertama"
        )

    def handle(self, *args, **opts):
        from ekinerja.exchange.services import instansi_create

        try:
            made = instansi_create(
                code=opts["kode"],
                name=opts["nama"],
                timezone=ZONES[opts["zona"]],
                username=opts["akun"],
            )
        except ValidationError as exc:
            raise CommandError(
                "\n".join(
                    f"--{_OPTION.get(f, f)}: {m}" for f, ms in exc.message_dict.items() for m in ms
                )
            ) from exc
        inst = made.instansi
        self.stdout.write(f"Instansi {inst.code} {inst.name} ({inst.zone_label}) dibuat.")
        self.stdout.write(
            f"Hari libur nasional dan cuti bersama: {made.holidays}; jadwal bawaan: 5HK "
            "(Senin-Kamis 07.30-16.00, Jumat 07.30-16.30)."
        )
        self.stdout.write(
            f"Akun BKPSDM: {made.user.username}  kata sandi sementara: {made.password}\n"
            "Kata sandi ini hanya ditampilkan sekali; pemiliknya wajib menggantinya saat pertama "
            "masuk. Langkah berikutnya (oleh BKPSDM): Kelola > Impor pegawai, Kebijakan TPP, "
            "Akun pegawai."
        )


_OPTION = {"code": "kode", "name": "nama", "timezone": "zona", "username": "akun-bkpsdm"}
