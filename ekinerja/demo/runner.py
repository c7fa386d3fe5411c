"""Runs the demo generators in order, in one transaction, and records one audit event.

Each generator is a function called with the same keyword arguments:
`instansi`, `employees`, `rng` (its own `random.Random`, seeded from the seed, the instansi code and the
generator's name, so adding a generator never changes what the earlier ones produce), `password`,
`today`, `progress` (a callable taking one line of text) and `previous` (the summaries of the
generators before it, by name). It returns a summary; a summary with an `accounts` list contributes
to the printed table of demo accounts. Later apps add theirs to GENERATORS after "org".
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from ekinerja.core.audit import audit_record
from ekinerja.core.clock import local_today
from ekinerja.core.models import AuditEvent, Instansi, User

from .activities import generate_activities
from .attendance import generate_attendance
from .bulk import bulk_load
from .org import DemoAccount, generate_org
from .performance import generate_performance
from .tpp import generate_tpp

DEMO_PASSWORD = "Demo-eKinerja-2026"
DEFAULT_CODE = "6306"
KNOWN_NAMES = {"6306": "Pemerintah Kabupaten Hulu Sungai Selatan"}
#: Where the payroll documents are signed (Instansi.place). Every demo is laid out as Hulu Sungai
#: Selatan (its kecamatan, Kandangan first: structure.py), whose capital is Kandangan.
DEMO_PLACE = "Kandangan"
AUDIT_ACTION = "demo.generate"

GENERATORS: list[tuple[str, Callable[..., Any]]] = [
    ("org", generate_org),
    ("performance", generate_performance),
    # Attendance before activities: entries follow the rosters and holidays and skip leave days.
    ("attendance", generate_attendance),
    ("activities", generate_activities),
    # TPP last: it computes the months from the other generators' data.
    ("tpp", generate_tpp),
]


@dataclass
class DemoResult:
    instansi: Instansi
    summaries: dict[str, Any] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    seconds: float = 0.0


def instansi_name_for(code: str) -> str:
    return KNOWN_NAMES.get(code, f"Pemerintah Kabupaten Contoh {code}")


def check_password(password: str) -> None:
    """The demo password must pass the installation's own password rules (ASVS L2)."""
    validate_password(password, User(username="demo"))


@transaction.atomic
def demo_generate(
    *,
    code: str,
    employees: int,
    seed: int,
    password: str,
    name: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    generators: list[tuple[str, Callable[..., Any]]] | None = None,
) -> DemoResult:
    """Create a new instansi and fill it with every generator's data.

    Raises ValidationError for a password the validators refuse, ValueError (Indonesian message) for
    an instansi code already in use or a size a generator cannot honour; nothing is written then.
    """
    check_password(password)
    if Instansi.objects.filter(code=code).exists():
        raise ValueError(f"Instansi dengan kode {code} sudah ada.")
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    instansi = Instansi.objects.create(
        code=code,
        name=name or instansi_name_for(code),
        timezone=Instansi.Zone.WITA,
        place=DEMO_PLACE,
    )
    today = today or local_today(instansi)
    result = DemoResult(instansi=instansi)
    with bulk_load():
        for gen_name, func in generators or GENERATORS:
            say(f"{gen_name}:")
            t1 = time.perf_counter()
            summary = func(
                instansi=instansi,
                employees=employees,
                rng=random.Random(f"{seed}:{code}:{gen_name}"),
                password=password,
                today=today,
                progress=say,
                previous=dict(result.summaries),
            )
            result.summaries[gen_name] = summary
            result.accounts.extend(getattr(summary, "accounts", []) or [])
            say(f"{gen_name} selesai dalam {time.perf_counter() - t1:.1f} dtk")
    result.seconds = time.perf_counter() - t0
    audit_record(
        action=AUDIT_ACTION,
        actor=None,
        actor_label="demo-data",
        instansi=instansi,
        obj=instansi,
        after={
            "employees": employees,
            "seed": seed,
            "today": today,
            "summaries": {
                k: (v.as_dict() if hasattr(v, "as_dict") else str(v))
                for k, v in result.summaries.items()
            },
            # Never the password: only who the demo accounts are.
            "accounts": [a.__dict__ for a in result.accounts],
        },
        reason="Data contoh dibuat dengan perintah demo-data",
    )
    return result


def stored_accounts(instansi: Instansi) -> list[DemoAccount]:
    """The demo accounts recorded when the instansi's demo data was generated (empty if it never was)."""
    event = (
        AuditEvent.objects.filter(instansi=instansi, action=AUDIT_ACTION).order_by("-at").first()
    )
    if event is None or not isinstance(event.after, dict):
        return []
    return [DemoAccount(**a) for a in event.after.get("accounts", [])]


def password_works(accounts: list[DemoAccount], password: str) -> bool:
    """Whether `password` opens the first demo account (one hash check)."""
    for account in accounts:
        user = User.objects.filter(username=account.username).first()
        if user is not None:
            return user.check_password(password)
    return False
