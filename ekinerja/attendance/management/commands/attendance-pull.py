"""ekinerja attendance-pull [--device SERIAL] [--instansi CODE]: pull punches from ZKTeco-compatible
devices (pyzk), resuming from each device's last pull."""

from django.core.management.base import BaseCommand, CommandError

from ekinerja.attendance.models import Device
from ekinerja.attendance.pull import pull_device
from ekinerja.attendance.selectors import pullable_devices


class Command(BaseCommand):
    help = "Tarik data absensi dari mesin ZKTeco (pyzk); melanjutkan dari tarikan terakhir."

    def add_arguments(self, parser):
        parser.add_argument(
            "--device", help="nomor seri mesin; tanpa ini: semua mesin aktif ber-IP"
        )
        parser.add_argument("--instansi", help="kode instansi")

    def handle(self, *args, device=None, instansi=None, **options):
        qs = pullable_devices()
        if device:
            qs = qs.filter(serial=device)
        if instansi:
            qs = qs.filter(instansi__code=instansi)
        devices = list(qs)
        if not devices and device:
            found = Device.objects.filter(serial=device).first()
            if found is None:
                raise CommandError(f"Mesin dengan nomor seri {device} belum terdaftar.")
            if not found.is_active:
                raise CommandError(f"Mesin {device} tidak aktif.")
            if not found.ip_address:
                raise CommandError(
                    f"Mesin {device} belum diisi alamat IP-nya (admin > Mesin absensi); mesin "
                    "yang mengirim sendiri (ADMS) tidak perlu ditarik."
                )
        if not devices:
            raise CommandError("Tidak ada mesin aktif dengan alamat IP yang cocok.")
        failed = 0
        for d in devices:
            r = pull_device(d)
            if r.error:
                failed += 1
                self.stderr.write(f"{r.device}: {r.error}")
            else:
                self.stdout.write(
                    f"{r.device}: {r.read} dibaca, {r.new} baru sejak tarikan terakhir, "
                    f"{r.inserted} ditambahkan."
                )
        if failed:
            raise CommandError(f"{failed} mesin gagal ditarik.")
