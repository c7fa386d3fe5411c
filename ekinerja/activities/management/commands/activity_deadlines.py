"""`ekinerja activity-deadlines [--instansi KODE] [--date TTTT-BB-HH]`: apply the entry window and the
verification deadline (expire or auto-approve by policy). Run daily and before a TPP run. A date
after today (in an instansi's own zone) is refused."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ekinerja.activities import services
from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi


class Command(BaseCommand):
    help = "Menerapkan batas pengisian dan batas verifikasi aktivitas harian."

    def add_arguments(self, parser):
        parser.add_argument("--instansi", help="kode instansi (bawaan: semua)")
        parser.add_argument("--date", help="tanggal acuan TTTT-BB-HH (bawaan: hari ini)")

    def handle(self, *args, **opts):
        qs = Instansi.objects.all()
        if opts["instansi"]:
            qs = qs.filter(code=opts["instansi"])
            if not qs.exists():
                raise CommandError(f"Instansi {opts['instansi']} tidak ditemukan.")
        try:
            day = dt.date.fromisoformat(opts["date"]) if opts["date"] else None
        except ValueError as exc:
            raise CommandError("Tanggal tidak valid; gunakan TTTT-BB-HH.") from exc
        if day is not None:
            # A date ahead would expire (or, under auto_approve, approve) entries before their
            # deadlines: whoever runs the command would decide pay instead of the superiors.
            ahead = [i.code for i in qs if day > local_today(i)]
            if ahead:
                raise CommandError(
                    f"Tanggal acuan {day.isoformat()} belum tiba di instansi "
                    f"{', '.join(ahead)}; batas tidak diterapkan lebih awal."
                )
        for inst in qs:
            result = services.activity_deadlines_process(instansi=inst, today=day)
            parts = ", ".join(f"{k}={v}" for k, v in result.items())
            self.stdout.write(f"{inst.code} {inst.name}: {parts}")
