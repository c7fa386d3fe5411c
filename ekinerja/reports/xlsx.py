"""Spreadsheets of the leaders' pages (the same figures as the screen)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse

from ekinerja.core import spreadsheets
from ekinerja.core.money import round_rupiah
from ekinerja.core.periods import tanggal

from . import indicators
from .selectors import OpdMonth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _response(buf: io.BytesIO, name: str) -> HttpResponse:
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _rupiah(value: Decimal | None) -> int | None:
    """Whole rupiah, exact in the cell (a float would do up to 2^53, an int says so)."""
    return None if value is None else int(round_rupiah(value))


def _num(value):
    return None if value is None else float(value) if isinstance(value, Decimal) else value


def _sheet(
    title: str,
    heading: list[str],
    lines: list[str],
    header: list[str],
    body: list[list],
    notes: list[str] = (),
):
    buf = io.BytesIO()
    wb = spreadsheets.workbook(buf)  # names in the headings stay text, never formulas
    ws = wb.add_worksheet(title)
    bold = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    total = wb.add_format({"bold": True, "top": 1})
    for i, text in enumerate(heading):
        ws.write(i, 0, text, bold)
    row = len(heading)
    for text in lines:
        ws.write(row, 0, text)
        row += 1
    row += 1
    ws.write_row(row, 0, header, head)
    top = row + 1
    for i, values in enumerate(body):
        fmt = total if i == len(body) - 1 else None
        for j, v in enumerate(values):
            v = _num(v)
            if v is None:
                ws.write_blank(top + i, j, None, fmt)
            elif isinstance(v, str):
                ws.write_string(top + i, j, v, fmt)
            else:
                ws.write_number(top + i, j, v, fmt)
    # What each column means, under the table: a spreadsheet forwarded to a leader explains itself.
    row = top + len(body) + 1
    if notes:
        ws.write(row, 0, "Keterangan:", bold)
        for i, text in enumerate(notes, start=1):
            ws.write_string(row + i, 0, text)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 40)
    ws.set_column(2, len(header), 13)
    ws.freeze_panes(top, 2)
    wb.close()
    return buf


def _lines(month: OpdMonth) -> list[str]:
    upto = (
        f"Kehadiran dan aktivitas sampai {tanggal(month.data_end)}"
        if month.data_end
        else "Belum ada hari yang selesai pada bulan ini"
    )
    waiting = (
        [
            f"Kehadiran sejak {tanggal(month.awaiting_derivation)} belum direkap oleh proses "
            "malam, jadi belum dihitung"
        ]
        if month.awaiting_derivation
        else []
    )
    return [upto, *waiting, f"Pegawai dan jabatan per {tanggal(month.staff_day)}"]


def _notes(legend, month: OpdMonth) -> list[str]:
    return legend(indicators.ribuan(int(month.target)), month.target_source)


def dashboard_workbook(
    instansi, month: OpdMonth, rows, whole, order: str, tpp_partial: tuple[int, int] | None = None
) -> HttpResponse:
    header = [
        "Peringkat",
        "OPD",
        "Pegawai",
        "Jabatan",
        "Jabatan kosong",
        "Plt/Plh",
        "Kehadiran (%)",
        "Tepat waktu (%)",
        "Tanpa keterangan (hari)",
        "Terlambat (kali)",
        "Terlambat (menit)",
        "Menit aktivitas disetujui",
        "Entri menunggu verifikasi",
        "Capaian aktivitas (%)",
        "Capaian TPP (%)",
        "TPP kotor (Rp)",
        "Pagu TPP (Rp)",
        "SKP Sangat Baik",
        "SKP Baik",
        "SKP Butuh Perbaikan",
        "SKP Kurang",
        "SKP Sangat Kurang",
        "SKP belum dinilai",
        "SKP baik ke atas (%)",
        "Nilai",
    ]

    def line(r: indicators.OpdIndicators, rank):
        c = r.counts
        return [
            rank,
            c.name,
            c.employees,
            c.positions,
            c.vacant,
            c.acting,
            r.attendance_pct,
            r.on_time_pct,
            c.absent_days,
            c.late_days,
            c.late_minutes,
            c.approved_minutes,
            c.pending_entries,
            r.activity_pct,
            r.tpp_pct,
            _rupiah(c.gross),
            _rupiah(c.ceiling),
            c.skp_sangat_baik,
            c.skp_baik,
            c.skp_butuh_perbaikan,
            c.skp_kurang,
            c.skp_sangat_kurang,
            c.skp_unrated,
            r.skp_good_pct,
            r.score,
        ]

    body = [line(r, r.rank) for r in rows] + [line(whole, "Jumlah")]
    label = indicators.ORDERS[order][1]
    buf = _sheet(
        "Peringkat OPD",
        [
            f"Peringkat OPD {instansi.name}",
            f"Periode {month.period.label}, diurutkan menurut {label}",
        ],
        _lines(month)
        + (
            [f"Capaian TPP: baru {tpp_partial[0]} dari {tpp_partial[1]} OPD dihitung"]
            if tpp_partial
            else []
        ),
        header,
        body,
        _notes(indicators.dashboard_legend, month),
    )
    return _response(buf, f"peringkat-opd-{month.period}.xlsx")


def workload_workbook(
    instansi, month: OpdMonth, rows, whole, left_out=(), pending: int = 0
) -> HttpResponse:
    header = [
        "No",
        "OPD",
        "Pegawai",
        "Pegawai tersedia (setara penuh)",
        "Beban kerja (menit)",
        "Waktu efektif per pegawai (menit)",
        "Kebutuhan pegawai",
        "Kebutuhan (dibulatkan)",
        "Selisih",
        "Efisiensi jabatan",
        "Prestasi jabatan",
        "Keterangan",
    ]

    def line(w: indicators.Workload, no):
        return [
            no,
            w.counts.name,
            w.counts.employees,
            w.staff_equivalent,
            w.workload_minutes,
            w.effective_minutes,
            w.need,
            w.need_whole,
            w.difference,
            w.ej,
            f"{w.grade} ({w.grade_label})" if w.grade else None,
            w.verdict,
        ]

    body = [line(w, i) for i, w in enumerate(rows, start=1)] + [line(whole, "Jumlah")]
    buf = _sheet(
        "Beban kerja",
        [f"Analisis beban kerja {instansi.name}", f"Periode {month.period.label}"],
        _lines(month)
        + [f"Waktu efektif: {month.target_source}"]
        + (
            [
                f"Sementara: {indicators.ribuan(pending)} aktivitas masih menunggu verifikasi atasan"
                if pending
                else "Sementara: bulan belum berakhir"
            ]
            if pending or not month.complete
            else []
        )
        + (
            [f"Tidak dihitung dalam jumlah (tanpa aktivitas disetujui): {', '.join(left_out)}"]
            if left_out
            else []
        ),
        header,
        body,
        _notes(indicators.workload_legend, month),
    )
    return _response(buf, f"beban-kerja-{month.period}.xlsx")
