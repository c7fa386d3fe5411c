"""`ekinerja demo-data --employees N`: create a plausible demo Pemda and print its accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.models import Instansi
from ekinerja.demo.runner import (
    DEFAULT_CODE,
    DEMO_PASSWORD,
    GENERATORS,
    demo_generate,
    password_works,
    stored_accounts,
)
from ekinerja.demo.scope import FULL_HISTORY_LIMIT
from ekinerja.org.models import Role


class Command(BaseCommand):
    help = (
        "Membuat Pemda contoh (OPD, sekolah, puskesmas, kecamatan, jabatan, pegawai dengan NIP "
        "valid, akun per peran), dengan SKP dan penilaiannya, kehadiran, aktivitas harian dan "
        "TPP. Deterministik: seed dan jumlah pegawai yang sama menghasilkan data yang sama. "
        f"Sampai {FULL_HISTORY_LIMIT} pegawai: semua pegawai mendapat riwayat lengkap (kehadiran dan aktivitas sejak awal bulan "
        "dua bulan lalu) dan TPP dua bulan terakhir dihitung untuk seluruh instansi. Di atasnya: "
        "riwayat lengkap hanya di unit akun contoh, pegawai lain 30 hari terakhir (satu aktivitas "
        "per hari kerja), dan TPP dihitung per unit untuk OPD akun contoh; unit lain dapat "
        "dihitung BKPSDM di menu TPP. 20.000 pegawai: sekitar 35 detik pada mesin dua inti yang "
        "tidak sibuk (lihat bench/README.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--employees",
            type=int,
            default=600,
            help=f"jumlah pegawai (600); di atas {FULL_HISTORY_LIMIT} riwayat lengkap hanya di unit "
            "akun contoh",
        )
        parser.add_argument("--seed", type=int, default=2026, help="seed acak (2026)")
        parser.add_argument(
            "--instansi-code", default=DEFAULT_CODE, help=f"kode instansi ({DEFAULT_CODE})"
        )
        parser.add_argument("--instansi-name", default=None, help="nama instansi")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="jika instansi sudah ada, tidak membuat apa pun dan hanya mencetak akun contoh",
        )
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="kata sandi semua akun contoh"
        )
        parser.add_argument(
            "--only",
            default="",
            help="hanya generator ini, dipisah koma (org selalu dijalankan): "
            + ", ".join(name for name, _f in GENERATORS),
        )

    def handle(self, *args, **opts):
        code = opts["instansi_code"]
        password = opts["password"]
        module = getattr(settings, "SETTINGS_MODULE", None) or ""
        if password == DEMO_PASSWORD and module.endswith(".production"):
            # The demo's password is printed in the README: on a production installation these
            # accounts (BKPSDM among them) would be open to anyone who has read it.
            raise CommandError(
                "Dengan pengaturan produksi, demo-data tidak membuat akun berkata sandi contoh yang "
                "tercantum di README (siapa pun dapat masuk sebagai BKPSDM). Berikan --password "
                "sendiri, atau muat data contoh di instalasi uji coba."
            )
        existing = Instansi.objects.filter(code=code).first()
        if existing is not None:
            if not opts["if_empty"]:
                raise CommandError(
                    f"Instansi dengan kode {code} sudah ada. Pakai --if-empty untuk melewati, "
                    "atau --instansi-code lain."
                )
            self.stdout.write(
                f"{existing.name} ({code}) sudah ada; data contoh tidak dibuat ulang."
            )
            accounts = stored_accounts(existing)
            if accounts:
                shown = password if password_works(accounts, password) else None
                self._print_accounts(accounts, shown)
            return
        generators = _selected(opts["only"])
        self.stdout.write(f"Membuat Pemda contoh dengan {opts['employees']} pegawai...")
        try:
            result = demo_generate(
                code=code,
                name=opts["instansi_name"],
                employees=opts["employees"],
                seed=opts["seed"],
                password=password,
                progress=self.stdout.write,
                generators=generators,
            )
        except ValidationError as exc:
            raise CommandError("Kata sandi ditolak: " + " ".join(exc.messages)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        org = result.summaries.get("org")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.instansi.name}: {org.opd} OPD, {org.units} unit, {org.positions} jabatan, "
                f"{org.employees} pegawai ({_statuses(org.by_status)}), {org.vacant_positions} "
                f"jabatan kosong, {org.plt} Plt, {org.plh} Plh; {result.seconds:.1f} dtk."
            )
        )
        self._print_accounts(result.accounts, password)

    def _print_accounts(self, accounts, password: str | None) -> None:
        rows = [
            (Role(a.role).label, a.username, a.name, password or "(kata sandi saat dibuat)")
            for a in accounts
        ]
        header = ("Peran", "Nama pengguna/NIP", "Nama", "Kata sandi")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write("Akun contoh:")
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        self.stdout.write(line)
        for r in rows:
            self.stdout.write("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def _selected(only: str):
    """The generators named in --only, in their fixed order, "org" always first; all when empty."""
    if not only.strip():
        return None
    names = {n.strip() for n in only.split(",") if n.strip()}
    known = {name for name, _f in GENERATORS}
    if names - known:
        raise CommandError(
            f"Generator tidak dikenal: {', '.join(sorted(names - known))}. "
            f"Tersedia: {', '.join(name for name, _f in GENERATORS)}."
        )
    return [(name, f) for name, f in GENERATORS if name == "org" or name in names]


def _statuses(by_status: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in by_status.items())
