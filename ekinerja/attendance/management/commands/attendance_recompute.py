"""`ekinerja attendance-recompute [--instansi KODE] [--days N | --from TTTT-BB-HH --to TTTT-BB-HH]`:
derive and store the daily attendance again from the raw inputs (what the nightly job does). For an
installation without Celery beat (a trial on SQLite), run it daily from cron; after a bulk change
(schedules, holidays) run it over the days concerned. The leaders' reports read these rows."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ekinerja.attendance import services
from ekinerja.core.clock import local_today
from ekinerja.core.commands import instansi_option

MAX_DAYS = 400


class Command(BaseCommand):
    help = "Menghitung ulang kehadiran harian tersimpan dari data mentah (tugas malam)."

    def add_arguments(self, parser):
        parser.add_argument("--instansi", help="kode instansi (bawaan: semua)")
        parser.add_argument("--days", type=int, default=7, help="hari ke belakang (bawaan: 7)")
        parser.add_argument("--from", dest="date_from", help="tanggal awal TTTT-BB-HH")
        parser.add_argument("--to", dest="date_to", help="tanggal akhir TTTT-BB-HH")

    def handle(self, *args, **opts):
        qs = instansi_option(opts["instansi"])
        if bool(opts["date_from"]) != bool(opts["date_to"]):
            raise CommandError("Isi --from dan --to bersama-sama.")
        fixed = None
        if opts["date_from"]:
            try:
                fixed = (
                    dt.date.fromisoformat(opts["date_from"]),
                    dt.date.fromisoformat(opts["date_to"]),
                )
            except ValueError as exc:
                raise CommandError("Tanggal tidak valid; gunakan TTTT-BB-HH.") from exc
            if fixed[0] > fixed[1]:
                raise CommandError("Tanggal awal sesudah tanggal akhir.")
            if (fixed[1] - fixed[0]).days >= MAX_DAYS:
                raise CommandError(f"Paling banyak {MAX_DAYS} hari sekali jalan.")
        elif not 0 <= opts["days"] < MAX_DAYS:
            raise CommandError(f"--days harus 0 sampai {MAX_DAYS - 1}.")
        for inst in qs:
            if fixed:
                start, end = fixed
            else:
                end = local_today(inst)
                start = end - dt.timedelta(days=opts["days"])
            rows = services.daily_recompute(instansi=inst, start=start, end=end)
            self.stdout.write(
                f"{inst.code} {inst.name}: {rows} hari tersimpan ({start} s.d. {end})"
            )
