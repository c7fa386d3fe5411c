"""S11: a gunicorn web worker and a Celery worker process import WeasyPrint as they start
(core.pdf.warm), so the first SKP or payroll pdf does not wait about 0.7 s for it; a process that
is neither (tests, runserver, management commands) does not."""

from __future__ import annotations

import importlib
import sys
import types

import pytest

from ekinerja.core import pdf


@pytest.fixture
def warmed(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(pdf, "warm", lambda: calls.append(1))
    return calls


def _load_wsgi(monkeypatch):
    """ekinerja.wsgi executed afresh (the module already imported is put back afterwards)."""
    monkeypatch.delitem(sys.modules, "ekinerja.wsgi", raising=False)
    return importlib.import_module("ekinerja.wsgi")


def test_a_gunicorn_worker_warms_weasyprint_when_it_loads_the_app(monkeypatch, warmed):
    monkeypatch.setitem(sys.modules, "gunicorn", types.ModuleType("gunicorn"))
    assert _load_wsgi(monkeypatch).application is not None
    assert warmed == [1]


def test_importing_the_app_outside_gunicorn_does_not(monkeypatch, warmed):
    monkeypatch.delitem(sys.modules, "gunicorn", raising=False)
    _load_wsgi(monkeypatch)
    assert warmed == []


def test_a_celery_worker_process_warms_weasyprint_as_it_starts(warmed):
    from celery.signals import worker_process_init

    import ekinerja.celery  # noqa: F401  (connects the handler)

    worker_process_init.send(sender=None)
    assert warmed == [1]


def test_html_to_pdf_renders_a_pdf():
    out = pdf.html_to_pdf("<p>Rp1.234.567</p>")
    assert out.startswith(b"%PDF")
