"""`ekinerja exchange export --instansi CODE --parts policy,catalog,schedules [--out FILE]`
`ekinerja exchange import FILE --instansi CODE`"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi


class Command(BaseCommand):
    help = "Ekspor/impor kebijakan TPP, katalog aktivitas, jadwal kerja dan libur daerah (format ekinerja/1)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export")
        exp.add_argument("--instansi", required=True)
        exp.add_argument("--parts", default="policy,catalog,schedules")
        exp.add_argument("--out", default="-")
        imp = sub.add_parser("import")
        imp.add_argument("file")
        imp.add_argument("--instansi", required=True, help="kode instansi penerima")

    def _instansi(self, code: str) -> Instansi:
        try:
            return Instansi.objects.get(code=code)
        except Instansi.DoesNotExist as exc:
            raise CommandError(f"Instansi '{code}' tidak ada.") from exc

    def handle(self, *args, **opts):
        from ekinerja.exchange.services import exchange_export, exchange_import

        instansi = self._instansi(opts["instansi"])
        if opts["action"] == "export":
            parts = tuple(p.strip() for p in opts["parts"].split(",") if p.strip())
            try:
                doc = exchange_export(instansi=instansi, parts=parts)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            text = json.dumps(doc, ensure_ascii=False, indent=2)
            if opts["out"] == "-":
                self.stdout.write(text)
            else:
                Path(opts["out"]).write_text(text, encoding="utf-8")
            return
        from ekinerja.exchange.management.commands.scenario import read_or_fail

        doc = read_or_fail(opts["file"], for_import=True)
        summary = exchange_import(
            actor=None, instansi=instansi, doc=doc, today=local_today(instansi)
        )
        self.stdout.write(
            f"Kebijakan (draf): {summary.policies}; katalog baru {summary.catalog_added}, diubah "
            f"{summary.catalog_updated}; jadwal baru {summary.schedules_added}; libur baru {summary.holidays_added}"
        )
        for note in summary.skipped:
            self.stdout.write(f"  dilewati: {note}")
