"""Prepares bench/activity_submit.py's accounts in the benchmark database (run by it, with the
benchmark's environment): bearer tokens for employees on the instansi's default calendar, the 5-minute
catalog item they may use, and the dates still inside their entry window. Writes them as JSON."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sys

import django

django.setup()

from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from ekinerja.activities.models import ActivityCatalogItem, ApiToken  # noqa: E402
from ekinerja.activities.selectors import allowed_items, window_state  # noqa: E402
from ekinerja.core.clock import local_today  # noqa: E402
from ekinerja.core.models import Instansi  # noqa: E402
from ekinerja.org.models import Assignment, Employee  # noqa: E402
from ekinerja.workcal.models import EmployeeSchedule  # noqa: E402

ITEM_NAME = "Menerima telepon dan meneruskan pesan"  # 5 minutes, pelaksana kelas 1-9


def main(out: str, count: int, code: str) -> int:
    inst = Instansi.objects.get(code=code)
    today = local_today(inst)
    item = ActivityCatalogItem.objects.get(instansi=inst, name=ITEM_NAME)
    earliest = today - dt.timedelta(days=16)
    on_own_schedule = EmployeeSchedule.objects.filter(instansi=inst).values("employee_id")
    candidates = list(
        Employee.objects.filter(instansi=inst, is_active=True, user__isnull=False)
        .filter(
            # One filter() call: the conditions must hold for the same (current) assignment.
            Q(assignments__end__isnull=True) | Q(assignments__end__gte=today),
            assignments__kind=Assignment.Kind.DEFINITIF,
            assignments__position__kind="pelaksana",
            assignments__position__kelas__lte=item.kelas_max,
            assignments__start__lte=earliest,
        )
        .exclude(id__in=on_own_schedule)
        # A reused database: not the employees an earlier run already wrote evening entries for.
        .exclude(activity_entries__description="Uji beban pengajuan aktivitas")
        .exclude(assignments__kind__in=["plt", "plh"])
        .select_related("instansi", "user")
        .distinct()
        .order_by("id")
    )
    if len(candidates) < count:
        print(f"Hanya {len(candidates)} pegawai yang cocok; dibutuhkan {count}.", file=sys.stderr)
        return 1
    step = len(candidates) // count
    chosen = candidates[::step][:count]
    sample = chosen[0]
    dates = [
        today - dt.timedelta(days=k)
        for k in range(15, 0, -1)
        if window_state(sample, today - dt.timedelta(days=k), today).open
    ]
    # The item must be allowed for each chosen employee (unit limits): check a few, the rule is the
    # same for all pelaksana up to kelas 9 without a unit limit.
    assert all(allowed_items(e, dates[0]).filter(pk=item.pk).exists() for e in chosen[:20])
    expires = timezone.now() + dt.timedelta(days=1)
    accounts, tokens = [], []
    for e in chosen:
        raw = "ek_" + secrets.token_urlsafe(32)
        tokens.append(
            ApiToken(
                instansi=inst,
                user=e.user,
                name="bench",
                key_hash=ApiToken.hash(raw),
                prefix=raw[:8],
                expires_at=expires,
            )
        )
        accounts.append({"token": raw, "item": item.pk, "dates": [d.isoformat() for d in dates]})
    ApiToken.objects.bulk_create(tokens)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(accounts, fh)
    print(f"{len(accounts)} akun, {len(dates)} tanggal terbuka ({dates[0]} s.d. {dates[-1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
