"""Registrations of the TPP app for tests/test_tenancy.py (merged in there): the progress of a
verify or lock check (review H6) answers 404 for another instansi's run, as the compute's does."""

from __future__ import annotations


def _run(t):
    from ekinerja.tpp.models import Run

    # The same key as test_tenancy's own _tpp_run: one run per tenant.
    return t.make("tpp.run", lambda t: Run.objects.create(instansi=t.instansi, period="2026-10"))


ROUTE_OBJECTS = {
    "tpp:run-check-progress": {"pk": _run},
}
