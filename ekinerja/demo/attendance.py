"""Demo attendance: last month and this month so far, for every employee (lateness, missing punches,
leave), with the RSUD's medical staff on a rotating three-shift roster."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from ekinerja.attendance.demo import demo_attendance
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import active_on


def generate_attendance(
    *,
    instansi: Instansi,
    rng: random.Random,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
    **_ignored,
) -> Counter:
    say = progress or (lambda _m: None)
    nurses = list(
        Employee.objects.filter(
            id__in=Assignment.objects.filter(
                active_on(today),
                instansi=instansi,
                kind=Assignment.Kind.DEFINITIF,
                position__unit__code__contains="RSUD",
                position__kind=Position.Kind.FUNGSIONAL,
            ).values("employee_id")
        )
    )
    stats: Counter = Counter()
    yesterday = today - dt.timedelta(days=1)
    for period in (Period.of(today).previous(), Period.of(today)):
        if period.first_day > yesterday:
            continue
        stats += demo_attendance(
            instansi, period, shift_employees=nurses, seed=rng.randrange(1 << 30), until=yesterday
        )
        say(f"  kehadiran {period.label}: {sum(stats.values())} baris")
    return stats
