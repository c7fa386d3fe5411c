"""Uploaded files people prove things with (activity evidence, SKP evidence, leave and correction
attachments): the type decided by the file's first bytes, never by its name or the browser's claim,
and served only through a view that has checked who may see it, never from a public media URL."""

from __future__ import annotations

from django.http import FileResponse, Http404

# (first bytes, content type, file name suffixes that go with it)
SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
SUFFIXES = tuple(s for _m, _t, suffixes in SIGNATURES for s in suffixes)


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when it is not pdf, jpg or png."""
    for magic, content_type, _suffixes in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def suffix_fits(content_type: str, name: str) -> bool:
    """The file name's suffix is one that goes with the sniffed type (a.pdf holding a PDF)."""
    lower = (name or "").lower()
    return any(
        lower.endswith(suffixes) for _m, ctype, suffixes in SIGNATURES if ctype == content_type
    )


def content_type_for(name: str) -> str | None:
    """The type a stored file's name stands for (its content was checked against it on upload)."""
    lower = (name or "").lower()
    for _m, content_type, suffixes in SIGNATURES:
        if lower.endswith(suffixes):
            return content_type
    return None


def read_head(upload, size: int = 16) -> bytes:
    """The first bytes of an upload, leaving it rewound for saving."""
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def private_file_response(field, content_type: str, filename: str, fallback: str) -> FileResponse:
    """A stored file shown inline, for the eyes of the one request only: not cached, not sniffed
    into another type, sandboxed (a PDF cannot run script on our origin). 404 when it is gone."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Berkas tidak ditemukan.") from exc
    resp = FileResponse(handle, content_type=content_type)
    safe = "".join(c for c in filename if c.isalnum() or c in "._- ")[:100] or fallback
    resp["Content-Disposition"] = f'inline; filename="{safe}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp["Cache-Control"] = "private, no-store"
    return resp
