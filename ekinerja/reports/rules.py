"""Permissions of the leaders' reports: pimpinan and BKPSDM see every OPD of their instansi."""

from __future__ import annotations

import rules

from ekinerja.org.rules import is_bkpsdm, is_pimpinan

rules.add_perm("reports.view_dashboard", is_pimpinan | is_bkpsdm)
