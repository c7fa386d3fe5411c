"""The daftar nominatif pdf of many employees: fixed column widths (WeasyPrint measured every cell
of every row), a background job with its progress on the run page, and the kept file of a locked
run served again, to its own instansi and to an account that may export only.

The whole instansi's pdf of 600 employees took 42 s inside the download request (3000: about two
minutes, past a proxy's 60 s, holding a gunicorn worker)."""

from __future__ import annotations

import io
import logging

import pytest
from celery import Task
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from ekinerja.core.clock import local_today
from ekinerja.tpp import documents, exports, services
from ekinerja.tpp.models import Run
from ekinerja.tpp.tasks import nominatif_pdf_task

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate


def _today(run: Run):
    """The day the download view names its kept files by: the instansi's local date (in the
    evening UTC it is already tomorrow in WITA and WIT, and a test reading UTC's date found no file)."""
    return local_today(run.instansi)


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def locked_run():
    p = make_pemda()
    add_staff(p, 2)
    for e in [*p.people.values(), *p.extra]:
        full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return p, services.run_lock(actor=p.bkpsdm2, run=run)


@pytest.fixture
def big(monkeypatch):
    """Every nominatif pdf counts as large (the test Pemda has a dozen employees)."""
    monkeypatch.setattr(documents, "BACKGROUND_EMPLOYEES", 0)


@pytest.fixture
def renders(monkeypatch):
    """How many times the nominatif pdf was rendered."""
    calls = []
    real = exports.nominatif_pdf

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "nominatif_pdf", counted)
    return calls


@pytest.fixture
def broker(monkeypatch):
    """A configured broker (not inline) that takes every job without running it."""
    queued = []

    def take(self, args=None, kwargs=None, **options):
        queued.append((self.name, args))

    monkeypatch.setattr(Task, "apply_async", take)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        yield queued


def _download(client, run, unit=None):
    data = {"unit": unit.pk} if unit is not None else {}
    return client.post(reverse("tpp:download", args=[run.pk, "nominatif-pdf"]), data)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_list_table_is_laid_out_with_fixed_widths_not_by_measuring_every_cell(
    locked_run, monkeypatch
):
    import weasyprint.layout.table as table

    p, run = locked_run
    measured = []
    real = table.auto_table_layout

    def auto(context, box, containing_block):
        measured.append(box)
        return real(context, box, containing_block)

    monkeypatch.setattr(table, "auto_table_layout", auto)
    content = exports.nominatif_pdf(run, p.opd_a)  # a unit's list: no recap table
    assert PdfReader(io.BytesIO(content)).pages
    assert measured == []


def test_fixed_widths_fit_the_widest_figure_and_fill_the_page(locked_run):
    p, run = locked_run
    data = exports.payroll(run, signed=True)
    section = data.sections[0]
    widths = exports.nominatif_columns(data, section)
    # No, NIP / Nama, Gol. / Kelas, Jabatan, pagu, the components, kotor, PPh, BPJS, bersih,
    # dibayarkan, Rekening (the Keterangan is a line under its row: test_review_pdf_layout).
    assert len(widths) == 11 + len(data.keys)
    assert sum(widths) == pytest.approx(exports.PAGE_MM, abs=0.5)
    # The money column fits a nine-digit total in bold 5.5 pt; Rekening fits an account number.
    section.totals["payable"] = exports.Decimal(987_654_321)
    widths = exports.nominatif_columns(data, section)
    paid = widths[9 + len(data.keys)]
    assert paid >= exports._text_mm("Rp987.654.321", 5.5, bold=True)
    assert widths[-1] >= max(exports._text_mm(r.bank_account or "-") for r in section.rows)
    # A long position name gets more room than the short ones around it.
    short = widths[3]
    section.rows[0].position_name = "Pengelola Layanan Operasional Sekretariat Daerah Bagian Umum"
    assert exports.nominatif_columns(data, section)[3] > short


def test_a_list_too_wide_for_fixed_widths_keeps_the_automatic_layout(locked_run):
    """Thirteen-digit figures in every column do not fit the page by the estimated widths: that
    section is laid out by WeasyPrint's real widths, as before (test_exports_dec: it fits the
    page). Nine-digit ones fit since the Keterangan became a line under its row."""
    p, run = locked_run
    data = exports.payroll(run, signed=True)
    section = data.sections[0]
    for f in ("ceiling", "gross", "net", "payable", "pph21", "health_insurance"):
        section.totals[f] = exports.Decimal(9_876_543_210_000)
    for k in data.keys:
        section.totals[k] = exports.Decimal(9_876_543_210_000)
    assert exports.nominatif_columns(data, section) == []


def test_inline_without_a_broker_the_big_pdf_is_answered_at_once_and_kept(
    client, locked_run, big, renders, media
):
    p, run = locked_run
    client.force_login(p.bpkad)
    first = _download(client, run)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    content = _body(first)
    assert "JUMLAH" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert Run.objects.get(pk=run.pk).state == Run.State.EXPORTED
    kept = list((media / "tpp-dokumen" / str(p.inst.pk)).glob("*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    # Asked again: the kept file, not a second render.
    again = _download(client, run)
    assert again.status_code == 200 and _body(again) == content
    assert len(renders) == 1


def test_with_a_broker_the_run_page_shows_the_progress_then_the_download(
    client, locked_run, big, broker
):
    p, run = locked_run
    client.force_login(p.bpkad)
    response = _download(client, run)
    assert response.status_code == 302 and response["Location"].endswith("#dokumen")
    assert [name for name, _args in broker] == ["ekinerja.tpp.tasks.nominatif_pdf_task"]
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert "sedang disiapkan di latar belakang" in page
    assert "Menunggu giliran" in page and 'hx-trigger="every 2s"' in page
    # Asked again while it waits: no second job.
    _download(client, run)
    assert len(broker) == 1
    # The worker renders it; the fragment stops polling and offers the file.
    nominatif_pdf_task(*broker[0][1])
    fragment = client.get(reverse("tpp:documents", args=[run.pk])).content.decode()
    assert "Siap diunduh" in fragment and 'data-testid="doc-download"' in fragment
    assert "hx-trigger" not in fragment
    done = _download(client, run)
    assert done.status_code == 200 and _body(done).startswith(b"%PDF-")
    assert Run.objects.get(pk=run.pk).state == Run.State.EXPORTED


def test_progress_follows_the_pages_weasyprint_lays_out(locked_run, monkeypatch):
    p, run = locked_run
    seen = []
    real_write = documents.Document.write_status

    def write(self, state, **extra):
        seen.append((state, extra.get("progress")))
        real_write(self, state, **extra)

    def fake_pdf(run, unit=None, printed_on=None):
        log = logging.getLogger("weasyprint.progress")
        for page in (1, 2):
            log.info("Step 5 - Creating layout - Page %d", page)
        log.info("Step 6 - Creating PDF")
        return b"%PDF-1.7 uji"

    monkeypatch.setattr(documents.Document, "write_status", write)
    monkeypatch.setattr(documents, "ROWS_PER_PAGE", 1)
    monkeypatch.setattr(exports, "nominatif_pdf", fake_pdf)
    doc = documents.render(run, None, OCT.last_day)
    assert seen[0] == (documents.RUNNING, 5)
    assert (documents.RUNNING, 95) in seen and seen[-1] == (documents.DONE, 100)
    assert [p for s, p in seen if s == documents.RUNNING] == sorted(
        p for s, p in seen if s == documents.RUNNING
    )
    assert doc.pdf.read_bytes() == b"%PDF-1.7 uji"


def test_a_broker_that_is_down_is_said_and_nothing_polls(client, locked_run, big, monkeypatch):
    from kombu.exceptions import OperationalError

    def refuse(self, args=None, kwargs=None, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    p, run = locked_run
    client.force_login(p.bpkad)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        page = client.post(
            reverse("tpp:download", args=[run.pk, "nominatif-pdf"]), follow=True
        ).content.decode()
    assert "Redis" in page and "tidak dapat dihubungi" in page
    assert 'data-state="failed"' in page and 'hx-trigger="every 2s"' not in page
    assert Run.objects.get(pk=run.pk).state == Run.State.LOCKED  # nothing was exported


def test_a_failed_render_says_so_and_can_be_asked_again(client, locked_run, big, monkeypatch):
    p, run = locked_run

    def broken(*args, **kwargs):
        raise RuntimeError("font hilang")

    monkeypatch.setattr(exports, "nominatif_pdf", broken)
    with pytest.raises(RuntimeError):
        nominatif_pdf_task(run.pk, None, OCT.last_day.isoformat())
    doc = documents.document(run, None, OCT.last_day)
    assert doc.status()["state"] == documents.FAILED and not doc.ready()
    assert "kesalahan sistem" in doc.status()["error"]


def test_another_lock_or_other_figures_never_get_the_kept_file(client, locked_run, big, renders):
    p, run = locked_run
    client.force_login(p.bpkad)
    assert _download(client, run).status_code == 200
    # The same run with other figures (a stored file made for the old ones must not be served).
    Run.objects.filter(pk=run.pk).update(total_payable=run.total_payable + 1)
    assert _download(client, run).status_code == 200
    assert len(renders) == 2
    # Only the current file is kept.
    assert len(list(documents.store(p.inst.pk).glob("*.pdf"))) == 1


def test_a_unit_that_is_not_locked_has_no_background_document(locked_run, big):
    p, run = locked_run
    Run.objects.filter(pk=run.pk).update(state=Run.State.VERIFIED)
    run.refresh_from_db()
    assert not documents.in_background(run, "nominatif-pdf", None)
    assert nominatif_pdf_task(run.pk, None, OCT.last_day.isoformat()) == run.pk
    assert not documents.store(p.inst.pk).exists()


def test_the_kept_file_name_cannot_be_guessed_and_is_per_instansi(locked_run):
    p, run = locked_run
    doc = documents.document(run, None, OCT.last_day)
    assert doc.pdf.parent == documents.store(p.inst.pk)
    name = doc.pdf.stem
    assert name.startswith(f"{run.pk}-0-") and len(name.split("-")[-1]) == 40
    with override_settings(SECRET_KEY="lain" * 16):
        assert documents.document(run, None, OCT.last_day).pdf.stem != name


def test_the_progress_fragment_needs_the_export_right(client, locked_run):
    p, run = locked_run
    client.force_login(p.people["staf"].user)
    assert client.get(reverse("tpp:documents", args=[run.pk])).status_code in (403, 404)
    client.force_login(p.bpkad)
    assert client.get(reverse("tpp:documents", args=[run.pk])).status_code == 200


def test_a_job_that_died_half_way_does_not_block_asking_again(client, locked_run, big, broker):
    import json
    import time

    p, run = locked_run
    client.force_login(p.bpkad)
    _download(client, run)
    doc = documents.document(run, None, documents.dt.date.fromisoformat(broker[0][1][2]))
    # The worker took it and was killed: nothing heard for longer than RUNNING_SILENT.
    status = {**doc.status(), "state": documents.RUNNING, "progress": 40}
    status["at"] = time.time() - documents.RUNNING_SILENT - 1
    doc.status_file.write_text(json.dumps(status))
    fragment = client.get(reverse("tpp:documents", args=[run.pk])).content.decode()
    assert 'data-testid="doc-stalled"' in fragment and "terhenti" in fragment
    assert 'hx-trigger="every 10s"' in fragment
    _download(client, run)
    assert len(broker) == 2  # started again
    fragment = client.get(reverse("tpp:documents", args=[run.pk])).content.decode()
    assert "Menunggu giliran" in fragment and 'hx-trigger="every 2s"' in fragment


def test_a_job_no_worker_takes_says_the_worker_does_not_run(client, locked_run, big, broker):
    import json
    import time

    p, run = locked_run
    client.force_login(p.bpkad)
    _download(client, run)
    doc = documents.document(run, None, documents.dt.date.fromisoformat(broker[0][1][2]))
    status = {**doc.status(), "at": time.time() - documents.STALLED_AFTER - 1}
    doc.status_file.write_text(json.dumps(status))
    fragment = client.get(reverse("tpp:documents", args=[run.pk])).content.decode()
    assert "pekerja latar belakang (Celery) tampaknya tidak berjalan" in fragment


def test_two_presses_at_the_same_moment_start_one_job(client, locked_run, big, broker, monkeypatch):
    """The second request arrives while the first is between checking and queuing (it holds the
    claim lock): it is told the pdf is being prepared and starts nothing; once the first has queued
    it, asking again still starts nothing."""
    import os
    import threading

    p, run = locked_run
    client.force_login(p.bpkad)
    held = threading.Event()
    real_busy = documents.Document.busy
    answers = []

    def slow_busy(self):
        # The first request, inside its claim: the second one comes now.
        if not held.is_set():
            held.set()
            assert os.path.exists(self.status_file.with_suffix(".lock"))
            answers.append(self.claim())
        return real_busy(self)

    monkeypatch.setattr(documents.Document, "busy", slow_busy)
    response = _download(client, run)
    monkeypatch.setattr(documents.Document, "busy", real_busy)
    assert answers == [False]  # the second press was refused while the first decided
    assert response.status_code == 302 and len(broker) == 1
    doc = documents.document(run, None, documents.dt.date.fromisoformat(broker[0][1][2]))
    assert doc.status()["state"] == documents.QUEUED
    assert not doc.status_file.with_suffix(".lock").exists()
    _download(client, run)
    assert len(broker) == 1


def test_a_claim_lock_left_by_a_dead_request_does_not_block_for_long(locked_run, big):
    import os
    import time

    _p, run = locked_run
    doc = documents.document(run, None, _today(run))
    lock = doc.status_file.with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("")
    assert doc.claim() is False  # someone is deciding right now
    old = time.time() - documents.CLAIM_STALE - 1
    os.utime(lock, (old, old))
    assert doc.claim() is True and doc.status()["state"] == documents.QUEUED
    assert not lock.exists()
    assert doc.claim() is False  # queued: busy


def _pdf_text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_a_head_of_unit_recorded_after_the_pdf_was_made_signs_the_next_download_the_same_day(
    client, locked_run, big, renders
):
    """The signature blocks are read from the organisation: a head of unit corrected after the kept
    file was made (a new Kepala Dinas recorded late) must sign the very next download, not the next
    day's."""
    from ekinerja.org.models import Employee

    p, run = locked_run
    client.force_login(p.bpkad)
    assert _download(client, run).status_code == 200
    first = documents.document(run, None, _today(run))
    assert first.ready() and "Kepala Dinas A" in _pdf_text(first.pdf)
    # The head's name corrected in the organisation (a typo in the record, fixed by BKPSDM).
    Employee.objects.filter(pk=p.people["kadis"].pk).update(name="Dr. Kepala Dinas Baru")
    again = documents.document(run, None, _today(run))
    assert again.pdf != first.pdf and not again.ready()
    assert _download(client, run).status_code == 200
    assert len(renders) == 2 and again.ready()
    assert "Dr. Kepala Dinas Baru" in _pdf_text(again.pdf)
    # A unit's own file too, and only that unit's: the other unit keeps its name.
    unit_a = documents.document(run, p.opd_a, _today(run))
    unit_b = documents.document(run, p.opd_b, _today(run))
    Employee.objects.filter(pk=p.people["kadis"].pk).update(name="Dr. Kepala Dinas Lain")
    assert documents.document(run, p.opd_a, _today(run)).pdf != unit_a.pdf
    assert documents.document(run, p.opd_b, _today(run)).pdf == unit_b.pdf


def test_a_new_version_of_the_layout_never_serves_a_file_of_the_previous_one(
    locked_run, monkeypatch
):
    p, run = locked_run
    before = documents.document(run, None, OCT.last_day).pdf
    assert documents.layout() == documents.layout()  # read once, the same for every file
    monkeypatch.setattr(documents, "layout", lambda: "versi-baru")
    assert documents.document(run, None, OCT.last_day).pdf != before


def test_the_documents_list_reads_the_signers_once_whatever_the_files(
    client, locked_run, big, django_assert_max_num_queries
):
    p, run = locked_run
    client.force_login(p.bpkad)
    for unit in (None, p.opd_a, p.opd_b):
        assert _download(client, run, unit).status_code == 200
    with django_assert_max_num_queries(8):
        jobs = documents.of_run(run, _today(run))
    assert len(jobs) == 3 and all(j["state"] == documents.DONE for j in jobs)
