"""What the `ekinerja` commands share."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import QuerySet

from .models import Instansi


def instansi_option(code: str | None) -> QuerySet[Instansi]:
    """The instansi an `--instansi KODE` option names (every instansi without one), by code; an
    unknown code is a CommandError in Indonesian."""
    qs = Instansi.objects.all().order_by("code")
    if code:
        qs = qs.filter(code=code)
        if not qs.exists():
            raise CommandError(f"Instansi {code} tidak ditemukan.")
    return qs
