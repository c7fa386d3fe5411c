"""`ekinerja instansi-create --kode 6302 --nama "Pemerintah Kabupaten Kotabaru" --zona WITA
--akun-bkpsdm bkpsdm.kotabaru --akun-bkpsdm bkpsdm2.kotabaru`: a real Pemda ready for its BKPSDM
(exchange.services.instansi_create), printing each BKPSDM account's temporary password once. Two
accounts: a TPP list is locked by a BKPSDM account other than the one that computed it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.models import Instansi

ZONES = {"WIB": Instansi.Zone.WIB, "WITA": Instansi.Zone.WITA, "WIT": Instansi.Zone.WIT}

#: What BKPSDM does next, by the menus it sees (README, "Starting a real Pemda").
NEXT_STEPS = (
    "Langkah berikutnya (oleh BKPSDM, setelah masuk): Kelola › Impor pegawai (unduh templatnya di "
    "halaman itu); menu Hari libur (libur daerah); TPP › Kebijakan TPP (pakai templat, "
    "sesuaikan dengan Perbup, tetapkan); Aktivitas › Katalog aktivitas (impor .xlsx); Kelola › Akun "
    "pegawai."
)


class Command(BaseCommand):
    help = (
        "Membuat instansi (Pemda) baru siap pakai: jenis cuti standar, hari libur nasional tahun "
        "ini dan tahun depan, jadwal lima hari kerja, dan akun BKPSDM. Sebutkan --akun-bkpsdm dua "
        "kali: daftar TPP dikunci oleh akun BKPSDM yang lain dari yang menghitungnya."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kode", required=True, help="kode instansi, mis. kode wilayah 6302")
        parser.add_argument("--nama", required=True, help='nama, mis. "Pemerintah Kabupaten X"')
        parser.add_argument("--zona", required=True, choices=sorted(ZONES), help="zona waktu")
        parser.add_argument(
            "--akun-bkpsdm",
            dest="akun",
            action="append",
            required=True,
            help="nama akun BKPSDM; ulangi untuk akun kedua (penguncian TPP empat mata)",
        )

    def handle(self, *args, **opts):
        from ekinerja.exchange.services import instansi_create

        first, *more = opts["akun"]
        try:
            made = instansi_create(
                code=opts["kode"],
                name=opts["nama"],
                timezone=ZONES[opts["zona"]],
                username=first,
                more_usernames=more,
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
        for user, password in [(made.user, made.password), *made.others]:
            self.stdout.write(f"Akun BKPSDM: {user.username}  kata sandi sementara: {password}")
        self.stdout.write(
            "Kata sandi ini hanya ditampilkan sekali; pemiliknya wajib menggantinya saat pertama "
            "masuk."
        )
        if not made.others:
            self.stdout.write(
                "Perhatian: daftar TPP dikunci oleh akun BKPSDM yang lain dari yang menghitungnya. "
                f"Buat akun BKPSDM kedua: ekinerja bkpsdm-create --kode {inst.code} --akun NAMA"
            )
        self.stdout.write(NEXT_STEPS)


_OPTION = {"code": "kode", "name": "nama", "timezone": "zona", "username": "akun-bkpsdm"}
