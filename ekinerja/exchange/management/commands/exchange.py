"""`ekinerja exchange export --instansi CODE --parts policy,catalog,schedules [--out FILE]`
`ekinerja exchange import FILE [--instansi CODE]` (the spec's command line: without --instansi, the
installation's only instansi; with several, --instansi says which)"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi
from ekinerja.exchange.management.commands.scenario import write_out


class Command(BaseCommand):
    help = "Ekspor/impor kebijakan TPP, katalog aktivitas, jadwal kerja dan libur daerah (format ekinerja/1)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser(
            "export", help="tulis kebijakan, katalog dan jadwal instansi ke berkas"
        )
        exp.add_argument("--instansi", required=True, help="kode instansi sumber")
        exp.add_argument(
            "--parts",
            default="policy,catalog,schedules",
            help="bagian yang diekspor, dipisah koma (bawaan: policy,catalog,schedules)",
        )
        exp.add_argument("--out", default="-", help="berkas hasil (bawaan: - untuk layar)")
        imp = sub.add_parser("import", help="baca berkas ekspor Pemda lain ke instansi ini")
        imp.add_argument("file", help="berkas ekinerja/1 (JSON)")
        imp.add_argument(
            "--instansi",
            help="kode instansi penerima (boleh dihilangkan bila instalasi hanya punya satu instansi)",
        )

    def _instansi(self, code: str | None) -> Instansi:
        if code is None:
            only = list(Instansi.objects.order_by("code")[:2])
            if len(only) == 1:
                return only[0]
            if not only:
                raise CommandError(
                    "Belum ada instansi; buat dulu dengan `ekinerja instansi-create`."
                )
            codes = ", ".join(Instansi.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                f"Instalasi ini punya beberapa instansi ({codes}); pilih dengan --instansi."
            )
        try:
            return Instansi.objects.get(code=code)
        except Instansi.DoesNotExist as exc:
            raise CommandError(f"Instansi '{code}' tidak ada.") from exc

    def handle(self, *args, **opts):
        from ekinerja.exchange.services import (
            exchange_export,
            exchange_export_notes,
            exchange_import,
        )

        instansi = self._instansi(opts["instansi"])
        if opts["action"] == "export":
            parts = tuple(p.strip() for p in opts["parts"].split(",") if p.strip())
            try:
                doc = exchange_export(instansi=instansi, parts=parts)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            for note in exchange_export_notes(instansi=instansi, parts=parts):
                self.stderr.write(f"catatan: {note}")
            text = json.dumps(doc, ensure_ascii=False, indent=2)
            if opts["out"] == "-":
                self.stdout.write(text)
            else:
                write_out(opts["out"], text)
            return
        from ekinerja.exchange.management.commands.scenario import read_or_fail

        doc = read_or_fail(opts["file"], for_import=True)
        try:
            summary = exchange_import(
                actor=None, instansi=instansi, doc=doc, today=local_today(instansi)
            )
        except ValidationError as exc:
            # A well-formed file this instansi's catalog refuses: listed as the reader lists its
            # problems (`path: reason`), nothing imported.
            lines = [f"{p}: {m}" for p, ms in exc.message_dict.items() for m in ms]
            raise CommandError(
                f"{opts['file']} tidak dapat diimpor ke instansi {instansi.code}, tidak ada yang "
                f"disimpan ({len(lines)} masalah):\n" + "\n".join(lines)
            ) from exc
        self.stdout.write(
            f"Kebijakan (draf): {summary.policies}; katalog baru {summary.catalog_added}, diubah "
            f"{summary.catalog_updated}; jadwal baru {summary.schedules_added}; libur baru {summary.holidays_added}"
        )
        for note in summary.skipped:
            self.stdout.write(f"  dilewati: {note}")
