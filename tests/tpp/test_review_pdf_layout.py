"""The daftar nominatif pdf of a large unit with long position names, as BPKAD prints and signs it.

Found by printing a unit of 127 employees: the Jabatan column was 15-18 mm wide (eleven figure
columns sized for nine-digit totals, a Keterangan column of at least 26 mm and Gol. and Kelas each
a column), so "Pengelola Data Pendidikan dan Tenaga Kependidikan pada Bidang ..." went over seven
lines and the list took 11-12 pages. Gol. and Kelas now share a column, a row's Keterangan is a
line under it across the page, and NIP / Nama and Jabatan share the room so that a row takes as
few lines as possible (exports.nominatif_columns)."""

from __future__ import annotations

import copy
import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah, terbilang
from ekinerja.tpp import exports, services

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate

pytestmark = pytest.mark.django_db

N = 130
#: The page bound: 12 pages before (Jabatan 15-18 mm, the automatic layout), 8 after.
MAX_PAGES = 10
POSTS = [
    "Pengelola Data Pendidikan dan Tenaga Kependidikan pada Bidang Pembinaan Guru dan Tenaga "
    "Kependidikan",
    "Analis Perencanaan, Evaluasi dan Pelaporan pada Sub Bagian Perencanaan dan Keuangan",
    "Kepala Seksi Kurikulum dan Penilaian Sekolah Menengah Pertama pada Bidang Pembinaan SMP",
    "Pengadministrasi Umum pada Sub Bagian Umum dan Kepegawaian",
    "Verifikator Keuangan",
]
NAMES = [
    "Dr. Hj. Siti Nurhaliza Rahmawati, S.Pd., M.Pd.",
    "Muhammad Rizky Pratama Saputra, S.Kom.",
    "Ahmad Fauzi",
    "Rina Kartika Dewi Anggraini, S.E., M.Si.",
]
NIP = re.compile(r"\b\d{18}\b")


@pytest.fixture
def locked_run():
    p = make_pemda()
    add_staff(p, 3, unit=p.opd_a)
    for i, e in enumerate([*p.people.values(), *p.extra]):
        full_attendance(e)
        monthly_minutes(p, e, 12)
        if i % 2:
            rate(e, "baik")  # the others: "Predikat SKP belum ada" in their Keterangan
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return p, services.run_lock(actor=p.bkpsdm2, run=run)


def _big_unit(run, unit, monkeypatch) -> list:
    """The unit's list as N rows made from its real ones: each its own NIP, a long name and a long
    position name, the account of the bank as it is; the totals summed from those rows."""
    real = exports.payroll
    made = []

    def payroll(run, unit=None, signed=False):
        data = real(run, unit, signed=signed)
        s = data.sections[0]
        rows = []
        for i in range(N):
            row = copy.copy(s.rows[i % len(s.rows)])
            row.nip = f"19850517201003{1000 + i:04d}"
            row.name = NAMES[i % len(NAMES)]
            row.position_name = POSTS[i % len(POSTS)]
            row.bank_account = f"0{i:03d}123456789"
            rows.append(row)
        data.sections = [
            replace(s, rows=rows, totals=exports._sum(rows, data.keys, data.allowances))
        ]
        made[:] = [data.sections[0]]
        return data

    monkeypatch.setattr(exports, "payroll", payroll)
    return made


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_a_unit_of_130_with_long_position_names_is_compact_and_whole(locked_run, monkeypatch):
    p, run = locked_run
    made = _big_unit(run, p.opd_a, monkeypatch)
    pages = _pages(exports.nominatif_pdf(run, p.opd_a))
    section = made[0]
    assert len(pages) <= MAX_PAGES, f"{len(pages)} halaman untuk {N} pegawai"
    # No NIP is split over two lines: each row's NIP is read whole, once.
    text = "\n".join(pages)
    found = NIP.findall(text.split("Mengetahui")[0])
    assert sorted(found) == sorted(r.nip for r in section.rows)
    # Every page repeats the table's header and says which page of how many it is.
    for i, page in enumerate(pages, start=1):
        assert "NIP / Nama" in page and "Jabatan" in page and "Dibayarkan" in page
        assert f"Halaman {i} dari {len(pages)}" in page
    # The figures are those of the rows: the JUMLAH, the amount in words, each row's Keterangan.
    flat = re.sub(r"\s+", " ", text)
    paid = format_rupiah(section.totals["payable"])
    assert f"Jumlah dibayarkan: {paid}" in flat and terbilang(section.totals["payable"]) in flat
    assert f"JUMLAH ({N} pegawai)" in flat
    assert flat.count("Predikat SKP belum ada") == sum(
        "Predikat SKP belum ada" in exports.remark(r) for r in section.rows
    )
    # The signatures stand with the total and rows of the list, on the last page only.
    assert "Mengetahui" in pages[-1] and "JUMLAH" in pages[-1] and NIP.search(pages[-1])
    assert not any("Mengetahui" in page for page in pages[:-1])


def test_the_position_and_the_name_get_the_room(locked_run, monkeypatch):
    """The widths: the NIP never narrower than itself, the figures as wide as their widest text,
    and Jabatan wide enough for the longest position name in three lines."""
    p, run = locked_run
    _big_unit(run, p.opd_a, monkeypatch)
    data = exports.payroll(run, p.opd_a, signed=True)
    section = data.sections[0]
    widths = exports.nominatif_columns(data, section)
    number, nip, grade, position, *figures, account = widths
    assert sum(widths) == pytest.approx(exports.PAGE_MM, abs=0.5)
    assert nip >= exports._text_mm(section.rows[0].nip) + exports.CELL_PAD_MM
    assert account >= exports._text_mm(section.rows[0].bank_account) + exports.CELL_PAD_MM
    paid = format_rupiah(section.totals["payable"])
    assert figures[-1] >= exports._text_mm(paid, exports.TOTAL_PT, bold=True)
    longest = max(POSTS, key=exports._text_mm)
    assert exports._lines(longest, position - exports.CELL_PAD_MM) <= 3
    assert position >= 40
