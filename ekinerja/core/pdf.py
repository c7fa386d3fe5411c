"""PDF documents from HTML (WeasyPrint), and the one-time set-up a process pays for them.

The first pdf a process renders costs about 0.7 s of CPU more than the next ones: importing
WeasyPrint declares the C interfaces of Pango, HarfBuzz and fontconfig (cffi), loads fontconfig's
list of the system's fonts and parses the user-agent stylesheets. A render after that, with its own
FontConfiguration as WeasyPrint makes by default, costs the same as one reusing a shared
FontConfiguration (measured on the SKP pdf: 0.55 s either way, the same bytes), so none is shared:
a FontConfiguration holds a Pango font map, which threads (gunicorn's gthread workers) must not
share. `warm()` pays the import up front, once as a process starts, instead of the first officer who
prints an SKP: a gunicorn worker as it loads ekinerja.wsgi, a Celery worker process on
worker_process_init (ekinerja.celery); tests, runserver and management commands never call it.
"""

from __future__ import annotations


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The pdf of `html` (resources such as images resolved against `base_url`)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def warm() -> None:
    """Imports WeasyPrint now (about 0.7 s of CPU) so that the first pdf does not wait for it."""
    import weasyprint  # noqa: F401
