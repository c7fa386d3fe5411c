"""Evidence files: the type is decided by the file's first bytes, never by its name or the browser's
claim, so a renamed executable or HTML page is refused."""

from __future__ import annotations

from django.conf import settings

from ekinerja.core.files import read_head, sniff  # noqa: F401  (sniff: callers find it here)

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_REALISATION = 5


def max_bytes() -> int:
    return int(getattr(settings, "PERFORMANCE_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_upload(upload) -> tuple[str | None, str | None]:
    """(content type, None) for an acceptable upload, or (None, Indonesian error)."""
    limit = max_bytes()
    if upload.size is None or upload.size == 0:
        return None, f"Berkas {upload.name} kosong."
    if upload.size > limit:
        return None, (
            f"Berkas {upload.name} terlalu besar ({upload.size / 1048576:.1f} MB); "
            f"batasnya {limit / 1048576:.0f} MB."
        )
    content_type = sniff(read_head(upload))
    if content_type is None:
        return None, f"Berkas {upload.name} bukan PDF, JPG atau PNG (diperiksa dari isinya)."
    return content_type, None
