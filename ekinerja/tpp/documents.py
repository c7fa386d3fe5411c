"""The daftar nominatif pdf of many employees, rendered by a background job and kept.

WeasyPrint needs about 40 ms of one core per employee (a 600-employee instansi 20-27 s on a loaded
2-core machine, 3000 about two minutes): inside the download request that passes a proxy's 60 s and
holds a gunicorn worker. Above `BACKGROUND_EMPLOYEES` rows the pdf is rendered by
`tasks.nominatif_pdf_task` (inline when there is no broker: the request then waits as before and is
answered with the file), and the run page shows its progress (htmx, `views.documents_progress`).

A locked run never changes, so the rendered file is kept and served again: under
MEDIA_ROOT/tpp-dokumen/<instansi id>/, named by an HMAC of what makes the document (run, lock time,
input digest, total paid, unit, print date) with the site's secret key. A run of another instansi is
404 before a name is ever made, the name cannot be guessed from a run id, and only an account with
tpp.export reaches it (`views.download`). Any change that could reach a locked run's document (a new
lock, other figures) gives another name; the print date is part of it, so the "dicetak" line is
always the day's; so are what the organisation prints on it (`signers`: the signature blocks, the
units' and the instansi's names), so a head of unit or treasurer corrected after the pdf was made
shows in the next download the same day (the place of signing, `Instansi.place`, likewise); and
the layout's own files (`LAYOUT`: the pdf templates and the code that fills them), so an upgrade
of the installation never serves a file laid out by the previous version. Files of other days are removed when a new one is written. A run that is not
locked has no document at all.

The job's state is a small JSON file beside the pdf (queued, running with the page being laid out,
done, failed with the reason): no table, and nothing left in the database when the files are
removed."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from ekinerja.org.models import Unit

from . import services
from .models import Result, Run

#: Above this many rows in scope the nominatif pdf is rendered in the background (about 8-12 s on
#: a loaded 2-core machine; a 210-employee unit took 11 s before fixed column widths).
BACKGROUND_EMPLOYEES = 300
#: The rows of a page of the list (for the progress bar only: WeasyPrint reports pages laid out).
ROWS_PER_PAGE = 12
#: A queued job not started within this many seconds: the worker is not running.
STALLED_AFTER = 120
#: A running job not heard from for this many seconds died (its progress is written every 2 s
#: while pages are laid out; parsing and writing the pdf of 3000 employees take well under this).
RUNNING_SILENT = 600
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUS_LABELS = {
    QUEUED: "Menunggu giliran",
    RUNNING: "Sedang disiapkan",
    DONE: "Siap diunduh",
    FAILED: "Gagal",
}
KIND = "nominatif-pdf"
#: A claim lock (Document.claim) older than this many seconds was left by a request that died.
CLAIM_STALE = 30


def rows_in_scope(run: Run, unit: Unit | None) -> int:
    if unit is None:
        return run.employees or Result.objects.filter(run=run).count()
    return Result.objects.filter(run=run, unit=unit).count()


def in_background(run: Run, kind: str, unit: Unit | None) -> bool:
    """The whole instansi's or a large unit's nominatif pdf of a locked run."""
    return (
        kind == KIND
        and run.state in services.LOCKED_STATES
        and rows_in_scope(run, unit) > BACKGROUND_EMPLOYEES
    )


def store(instansi_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "tpp-dokumen" / str(int(instansi_id))


@functools.cache
def layout() -> str:
    """A digest of the files that lay the nominatif pdf out (its templates, the code filling them):
    part of every kept file's name, so a new version of them never serves an older file."""
    here = Path(__file__).resolve().parent
    files = sorted((here / "templates" / "tpp" / "pdf").glob("*.html"))
    files += [here / "exports.py", here / "documents.py", here / "templatetags" / "tpp.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def signers(run: Run) -> dict[int | None, str]:
    """What the organisation prints on each of the run's nominatif pdfs, by scope (a paying unit's
    id; None for the whole instansi): the signature blocks on the document's date
    (exports.signatories), the units' names and the instansi's name and place of signing, as a
    digest. Read in a fixed number of queries (the run's paying units, then signatories' five), whatever the units."""
    from ekinerja.core.periods import Period

    from . import exports

    unit_ids = set(Result.objects.filter(run=run).values_list("unit_id", flat=True).distinct())
    units = sorted(
        Unit.objects.filter(pk__in=[u for u in unit_ids if u is not None]), key=lambda u: u.pk
    )
    sections = [exports.Section(u) for u in units]
    if None in unit_ids:
        sections.append(exports.Section(None))
    data = exports.Payroll(run, Period.parse(run.period), [], sections, {})
    exports.signatories(data)
    common = (run.instansi.name, run.instansi.place, data.bkpsdm)
    per_unit = {
        s.unit.pk: repr((common, s.unit.code, s.unit.name, s.signer, s.treasurer))
        for s in sections
        if s.unit is not None
    }
    whole = repr((common, data.treasurer, [(s.title, s.signer, s.treasurer) for s in sections]))
    out: dict[int | None, str] = {
        uid: hashlib.sha256(text.encode()).hexdigest()[:16] for uid, text in per_unit.items()
    }
    out[None] = hashlib.sha256(whole.encode()).hexdigest()[:16]
    return out


@dataclass(frozen=True)
class Document:
    """One kept nominatif pdf: a locked run, a unit or the whole instansi, a print date, what the
    organisation prints on it (`signers`)."""

    run: Run
    unit_id: int | None
    day: dt.date
    signed: str = ""

    @property
    def key(self) -> str:
        r = self.run
        locked = r.locked_at.isoformat() if r.locked_at else ""
        return (
            f"{r.pk}|{r.instansi_id}|{r.period}|{locked}|{r.input_digest}|{r.total_payable}|"
            f"{KIND}|{self.unit_id or 'semua'}|{self.day.isoformat()}|{self.signed}|{layout()}"
        )

    @property
    def name(self) -> str:
        mac = hmac.new(settings.SECRET_KEY.encode(), self.key.encode(), hashlib.sha256)
        return f"{self.run.pk}-{self.unit_id or 0}-{mac.hexdigest()[:40]}"

    @property
    def pdf(self) -> Path:
        return store(self.run.instansi_id) / f"{self.name}.pdf"

    @property
    def status_file(self) -> Path:
        return store(self.run.instansi_id) / f"{self.name}.json"

    def status(self) -> dict:
        try:
            return json.loads(self.status_file.read_text())
        except (OSError, ValueError):
            return {}

    def ready(self) -> bool:
        return self.status().get("state") == DONE and self.pdf.is_file()

    def busy(self) -> bool:
        """Queued less than STALLED_AFTER ago, or running and heard from within RUNNING_SILENT (a
        worker killed half-way must not block asking again for the rest of the day)."""
        s = self.status()
        age = time.time() - s.get("at", 0)
        if s.get("state") == RUNNING:
            return age < RUNNING_SILENT
        return s.get("state") == QUEUED and age < STALLED_AFTER

    def claim(self) -> bool:
        """Atomically become the request that queues the job: True once the status says queued by
        this call; False when the file is ready, a job is busy, or another request is deciding at
        this very moment. A lock file made with O_EXCL guards the check-and-write, so two officers
        pressing in the same second start one job; a lock left by a request killed in between is
        ignored after CLAIM_STALE seconds."""
        store(self.run.instansi_id).mkdir(parents=True, exist_ok=True)
        lock = self.status_file.with_suffix(".lock")
        for _attempt in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                break
            except FileExistsError:
                try:
                    stale = time.time() - lock.stat().st_mtime >= CLAIM_STALE
                except FileNotFoundError:  # released meanwhile: try again
                    continue
                if not stale:
                    return False
                lock.unlink(missing_ok=True)
        else:
            return False
        os.close(fd)
        try:
            if self.ready() or self.busy():
                return False
            self.write_status(QUEUED, progress=0)
            return True
        finally:
            lock.unlink(missing_ok=True)

    def write_status(self, state: str, **extra) -> None:
        folder = store(self.run.instansi_id)
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "state": state,
            "run": self.run.pk,
            "unit": self.unit_id,
            "day": self.day.isoformat(),
            "at": time.time(),
            **extra,
        }
        tmp = self.status_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.status_file)  # a reader sees the old state or the new, never half


def document(run: Run, unit: Unit | None, day: dt.date) -> Document:
    unit_id = unit.pk if unit is not None else None
    return Document(run, unit_id, day, signers(run).get(unit_id, ""))


_NAME = re.compile(r"^(\d+)-(\d+)-[0-9a-f]{40}\.json$")


def of_run(run: Run, day: dt.date) -> list[dict]:
    """The run's documents of the day (their states, for the run page), whole instansi first. Only
    the current name of each counts: a file of an earlier lock or of other figures is ignored."""
    folder = store(run.instansi_id)
    if not folder.is_dir():
        return []
    found = []
    signed: dict[int | None, str] | None = None
    for path in folder.iterdir():
        m = _NAME.match(path.name)
        if not m or int(m.group(1)) != run.pk:
            continue
        if signed is None:  # once, for every document of the run
            signed = signers(run)
        unit_id = int(m.group(2)) or None
        doc = Document(run, unit_id, day, signed.get(unit_id, ""))
        if doc.status_file != path:
            continue
        s = doc.status()
        if not s:
            continue
        if s.get("state") in (QUEUED, RUNNING) and not doc.busy():
            s["stalled"] = s["state"]  # the worker does not run / died half-way
        s["label"] = STATUS_LABELS.get(s.get("state"), "")
        found.append(s)
    names = dict(
        Unit.objects.filter(pk__in=[s["unit"] for s in found if s["unit"]]).values_list(
            "pk", "name"
        )
    )
    for s in found:
        s["unit_name"] = names.get(s["unit"], "") if s["unit"] else "Seluruh instansi"
    return sorted(found, key=lambda s: (s["unit"] is not None, s["unit_name"]))


class _PageProgress(logging.Handler):
    """WeasyPrint logs each page it lays out ('Step 5 - Creating layout - Page %d') and the pdf's
    writing ('Step 6'): the job's progress, written at most every two seconds."""

    def __init__(self, doc: Document, pages: int):
        super().__init__(logging.INFO)
        self.doc, self.pages, self.last = doc, max(pages, 1), 0.0

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.msg if isinstance(record.msg, str) else ""
        if msg.startswith("Step 5") and record.args:
            progress = min(90, 10 + int(80 * int(record.args[0]) / self.pages))
        elif msg.startswith("Step 6"):
            progress = 95
        else:
            return
        now = time.monotonic()
        if now - self.last >= 2 or progress == 95:
            self.last = now
            self.doc.write_status(RUNNING, progress=progress)


def render(run: Run, unit: Unit | None, day: dt.date) -> Document:
    """Renders and keeps the nominatif pdf (the job's body): status running with progress, the pdf
    written under a temporary name and moved in place, then done; failed with the reason otherwise.
    Earlier days' files of the run are removed."""
    from . import exports

    doc = document(run, unit, day)
    doc.write_status(RUNNING, progress=5)
    handler = _PageProgress(doc, rows_in_scope(run, unit) // ROWS_PER_PAGE + 1)
    logger = logging.getLogger("weasyprint.progress")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        content = exports.nominatif_pdf(run, unit, printed_on=day)
        tmp = doc.pdf.with_suffix(".pdf.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, doc.pdf)
    except Exception:
        doc.write_status(
            FAILED,
            error="Dokumen gagal dibuat karena kesalahan sistem; coba lagi atau hubungi Diskominfo.",
        )
        raise
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    doc.write_status(DONE, progress=100, size=len(content))
    _prune(run, keep=doc)
    return doc


def _prune(run: Run, keep: Document) -> None:
    """Removes the run's files of other days, locks or figures, for this scope."""
    prefix = f"{run.pk}-{keep.unit_id or 0}-"
    for path in store(run.instansi_id).iterdir():
        if path.name.startswith(prefix) and path.stem.split(".")[0] != keep.name:
            path.unlink(missing_ok=True)
