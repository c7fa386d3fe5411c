"""Permissions of the TPP app (django-rules), backed by selectors.

- Policies and the monthly run are BKPSDM's; BPKAD and pimpinan see the runs, BPKAD and BKPSDM
  download the payroll documents of a locked month.
- An employee's TPP explanation is seen by the employee, their direct superior (today or on the last
  day of the month shown), BKPSDM, BPKAD and pimpinan.
"""

from __future__ import annotations

import rules

from ekinerja.org.rules import (
    is_bkpsdm,
    is_bpkad,
    is_pimpinan,
    is_self,
    is_superior_of,
    same_instansi,
)

rules.add_perm("tpp.manage_policy", is_bkpsdm)
rules.add_perm("tpp.view_policy", is_bkpsdm | is_pimpinan | is_bpkad)
rules.add_perm("tpp.compute", is_bkpsdm)
rules.add_perm("tpp.view_runs", is_bkpsdm | is_bpkad | is_pimpinan)
rules.add_perm("tpp.export", is_bkpsdm | is_bpkad)
rules.add_perm(
    "tpp.view_employee_tpp",
    same_instansi & (is_self | is_bkpsdm | is_bpkad | is_pimpinan | is_superior_of),
)
