"""ekinerja holidays-seed --year 2026 [--instansi CODE]: national holidays and cuti bersama from the
`holidays` package into each instansi's holiday table (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.models import Instansi
from ekinerja.workcal.services import holidays_seed


class Command(BaseCommand):
    help = "Isi hari libur nasional dan cuti bersama satu tahun dari paket holidays (aman diulang)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="tahun, mis. 2026")
        parser.add_argument("--instansi", help="kode instansi; tanpa ini: semua instansi")

    def handle(self, *args, year: int, instansi: str | None = None, **options):
        if not 1946 <= year <= 2100:
            raise CommandError(f"Tahun {year} di luar jangkauan (1946-2100).")
        qs = Instansi.objects.all()
        if instansi:
            qs = qs.filter(code=instansi)
            if not qs.exists():
                raise CommandError(f"Instansi dengan kode '{instansi}' tidak ditemukan.")
        for inst in qs.order_by("code"):
            added = holidays_seed(actor=None, instansi=inst, year=year)
            self.stdout.write(f"{inst.code}: {added} hari libur ditambahkan untuk {year}.")
