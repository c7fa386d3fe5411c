"""Permissions of the TPP app (django-rules), backed by selectors.

- Policies and the monthly run are BKPSDM's; BPKAD and pimpinan see the runs, BPKAD and BKPSDM
  download the payroll documents of a locked month.
- An employee's TPP explanation is seen by the employee, their direct superior (today or on the last
  day of the month shown), BKPSDM, BPKAD and pimpinan.
- A withholding's reason (it may be personal: a missing LHKPN, a disciplinary case) is read by the
  employee, BKPSDM (who records it) and BPKAD (who pays); not by a superior (of the withheld month
  or of the release month) nor by pimpinan, who see that the month is withheld and when it is paid.
"""

from __future__ import annotations

import rules

from ekinerja.org.rules import (
    is_bkpsdm,
    is_bpkad,
    is_pimpinan,
    is_self,
    same_instansi,
)

rules.add_perm("tpp.manage_policy", is_bkpsdm)
rules.add_perm("tpp.view_policy", is_bkpsdm | is_pimpinan | is_bpkad)
rules.add_perm("tpp.compute", is_bkpsdm)
rules.add_perm("tpp.view_runs", is_bkpsdm | is_bpkad | is_pimpinan)
rules.add_perm("tpp.export", is_bkpsdm | is_bpkad)
rules.add_perm("tpp.view_withholding_reason", same_instansi & (is_self | is_bkpsdm | is_bpkad))
# Every month of the employee's TPP. A superior is not here: views._may_view_employee lets them
# into the months whose last day had them as the superior (today's superior does not open the
# months before the employee came under them, nor a former one the months after).
rules.add_perm(
    "tpp.view_employee_tpp",
    same_instansi & (is_self | is_bkpsdm | is_bpkad | is_pimpinan),
)
