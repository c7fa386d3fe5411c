"""`ekinerja tpp-policy-sync [--instansi KODE]`: the activity app's entry window, daily cap and
target follow the TPP policy in force this month (what the nightly Celery beat job does). For an
installation without Celery beat (a trial on SQLite), run it daily from cron, so a policy version
that takes effect on the 1st applies from that night."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ekinerja.core.commands import instansi_option
from ekinerja.tpp import services


class Command(BaseCommand):
    help = (
        "Menyelaraskan batas pengisian, batas harian dan target aktivitas dengan kebijakan TPP "
        "yang berlaku bulan ini (tugas malam)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instansi", help="kode instansi (bawaan: semua)")

    def handle(self, *args, **opts):
        qs = instansi_option(opts["instansi"])
        for inst in qs:
            changed = services.activity_settings_sync(actor=None, instansi=inst)
            state = "diperbarui" if changed else "sudah sesuai"
            self.stdout.write(f"{inst.code} {inst.name}: pengaturan aktivitas {state}")
