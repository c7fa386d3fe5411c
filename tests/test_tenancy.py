"""Tenancy over every URL: a user of instansi A asking for instansi B's object gets 404, never 200/403.

The routes are not listed by hand. Every URL pattern of the project is walked (includes recursed,
the Django admin and static files left to their own tests below), and every pattern that takes an
argument is requested by A's most powerful user with B's objects in the arguments: all of B's at
once and, for routes with several objects, B's object in one place and A's in the others (the
"parent is mine, child is not" hole). Every HTTP method must answer 404 (405 = method not served;
422 = body refused before any lookup). A positive control then asks for A's own object with the same
route and must NOT get 404, so a wrongly registered object cannot make the check pass vacuously.
Nothing of B's may change along the way.

How a URL argument becomes an object: ROUTE_OBJECTS (by route name, for generic names such as `pk`)
first, then KWARG_OBJECTS (by argument name, e.g. `employee_id`). A value is a function of a Tenant
(see `Tenant` below) returning a model instance (its pk is used) or a plain value; `NotObject(value)`
marks an argument that names no tenant-owned object (a period such as "2026-11"). A route with an
argument found in neither registry FAILS with a message asking for its registration, so nobody adds
an unscoped route silently. An app may also keep its registrations in
tests/<app>/tenancy_objects.py, with dicts of the same names (ROUTE_OBJECTS, KWARG_OBJECTS,
MODEL_OBJECTS, REQUEST_DATA, AUTH_HEADERS); they are merged in.

The Django admin: A's staff must not see B's rows in any changelist, add-form choice or autocomplete,
and B's change/history/delete pages send them away. MODEL_OBJECTS says how to build B's row of a
model when the Tenant does not already hold one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.forms import ModelChoiceField
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from ekinerja.core.audit import audit_record
from ekinerja.core.models import Instansi, TenantModel, User
from ekinerja.org.models import Assignment, Position, Role, RoleGrant, Unit
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete"]
NOT_SERVED = {405, 422}  # method not served / body refused before the object is looked up
SKIP_PREFIXES = ("admin/", "static/", "media/", "__debug__/")


@dataclass(frozen=True)
class NotObject:
    """A URL argument that names no tenant-owned object; `value` is used for both instansi."""

    value: Any


@dataclass
class Tenant:
    """One Pemda with a small organisation, for the tenancy checks. `user` (the head's account) holds
    every role, is staff and is an instansi superuser, so no permission check can hide a leak.

    opd > sub (units); head_position > staff_position (positions, the staff's in `sub`);
    head and staff (employees with logins, staff reports to head); their assignments; a role grant;
    an audit event. `make(key, fn)` builds and remembers extra objects per tenant."""

    instansi: Instansi
    opd: Unit
    sub: Unit
    head_position: Position
    staff_position: Position
    head: Any
    staff: Any
    head_assignment: Assignment
    staff_assignment: Assignment
    grant: RoleGrant
    user: User
    cache: dict = field(default_factory=dict)

    def make(self, key: str, fn):
        if key not in self.cache:
            self.cache[key] = fn(self)
        return self.cache[key]


def build_tenant(code: str, name: str, people: tuple[str, str]) -> Tenant:
    inst = InstansiFactory(code=code, name=name)
    opd = UnitFactory(instansi=inst, code=f"{code}.1", name=f"Dinas {name}")
    sub = UnitFactory(
        instansi=inst, code=f"{code}.1.1", name=f"Bidang {name}", kind=Unit.Kind.SUB, parent=opd
    )
    head_pos = PositionFactory(
        unit=opd, name=f"Kepala Dinas {name}", kind=Position.Kind.STRUKTURAL, kelas=14
    )
    staff_pos = PositionFactory(unit=sub, name=f"Analis {name}", kelas=7, parent=head_pos)
    head = employee_with_login(inst, head_pos, name=people[0])
    staff = employee_with_login(inst, staff_pos, name=people[1])
    user = head.user
    user.is_staff = True
    user.is_superuser = True  # an instansi superuser: every permission, still scoped to its Pemda
    user.save()
    grants = [grant(user, role) for role in (Role.BKPSDM, Role.BPKAD, Role.KOMINFO, Role.PIMPINAN)]
    grants.append(grant(user, Role.TIM_PENILAI))
    grants.append(grant(user, Role.ADMIN_OPD, unit=opd))
    audit_record(action="test.seed", actor=user, instansi=inst, obj=staff, reason=name)
    return Tenant(
        instansi=inst,
        opd=opd,
        sub=sub,
        head_position=head_pos,
        staff_position=staff_pos,
        head=head,
        staff=staff,
        head_assignment=head.assignments.get(),
        staff_assignment=staff.assignments.get(),
        grant=grants[-1],
        user=user,
    )


@pytest.fixture
def tenants() -> tuple[Tenant, Tenant]:
    a = build_tenant("6301", "Tanah Laut", ("Ahmad Kepala", "Aminah Staf"))
    b = build_tenant("9471", "Kotabocor", ("Bocorius Kepala", "Bocorina Staf"))
    return a, b


# ---------------------------------------------------------------------------------------------
# Registries. Keep them small and honest: each entry builds the object the route really looks up.
# ---------------------------------------------------------------------------------------------


def _holiday(active: bool):
    def build(t: Tenant):
        holiday_model = apps.get_model("workcal", "Holiday")
        return holiday_model.objects.create(
            instansi=t.instansi,
            date=dt.date(2026, 8, 20),
            name=f"Hari Jadi {t.instansi.name}",
            kind="regional",
            is_active=active,
        )

    return build


def _import_batch(t: Tenant):
    """An uploaded spreadsheet kept for preview/apply (the lookup is by its UUID token)."""
    import hashlib

    from django.core.files.base import ContentFile

    data = b"NIP;Nama\n"
    return apps.get_model("org", "ImportBatch").objects.create(
        instansi=t.instansi,
        file=ContentFile(data, name="impor.csv"),
        original_name="impor.csv",
        file_kind="csv",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=t.user,
    )


def _schedule(t: Tenant):
    model = apps.get_model("workcal", "WorkSchedule")
    return t.make(
        "workcal.schedule",
        lambda t: model.objects.create(
            instansi=t.instansi, code="SHIFT", name=f"Jadwal shift {t.instansi.name}", kind="shift"
        ),
    )


def _shift(t: Tenant):
    model = apps.get_model("workcal", "Shift")
    return t.make(
        "workcal.shift",
        lambda t: model.objects.create(
            instansi=t.instansi,
            schedule=_schedule(t),
            code="P",
            name="Pagi",
            start=dt.time(7, 0),
            end=dt.time(14, 0),
        ),
    )


def _workcal(model_name: str, **fields):
    def build(t: Tenant):
        values = {k: (v(t) if callable(v) else v) for k, v in fields.items()}
        return apps.get_model("workcal", model_name).objects.create(instansi=t.instansi, **values)

    return build


# --- activities -----------------------------------------------------------------------------
DAY = dt.date(2026, 11, 2)


def _act(model_name: str):
    return apps.get_model("activities", model_name)


def _catalog_item(t: Tenant):
    return t.make(
        "act.item",
        lambda t: _act("ActivityCatalogItem").objects.create(
            instansi=t.instansi,
            code="T01",
            name=f"Menyusun laporan {t.instansi.name}",
            output_unit="laporan",
            standard_minutes=30,
            active_from=dt.date(2020, 1, 1),
        ),
    )


def _entry(owner: str, status: str, hour: int = 8):
    """An activity entry of `owner` ("head" = the requesting user, "staff" = their subordinate)."""

    def build(t: Tenant):
        return _act("ActivityEntry").objects.create(
            instansi=t.instansi,
            employee=getattr(t, owner),
            date=DAY,
            start_time=dt.time(hour, 0),
            end_time=dt.time(hour + 1, 0),
            item=_catalog_item(t),
            volume=1,
            minutes_per_unit=30,
            status=status,
        )

    return build


def _activity_evidence(t: Tenant):
    from django.core.files.base import ContentFile

    data = b"%PDF-1.4 bukti"
    return _act("Evidence").objects.create(
        instansi=t.instansi,
        entry=_entry("staff", "submitted", hour=10)(t),
        file=ContentFile(data, name="bukti.pdf"),
        original_name="bukti.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256="0" * 64,
    )


def _unlock_request(t: Tenant):
    return _act("UnlockRequest").objects.create(
        instansi=t.instansi,
        employee=t.staff,
        date_from=dt.date(2026, 10, 1),
        date_to=dt.date(2026, 10, 2),
        reason="Sakit, tidak sempat mengisi",
        requested_by=t.staff.user,
    )


def _objection(t: Tenant):
    """A pending objection whose decider is the requesting user (so A's own decision is allowed)."""
    return _act("Objection").objects.create(
        instansi=t.instansi,
        entry=_entry("staff", "rejected", hour=11)(t),
        kind="rejection",
        reason="Pekerjaan ini benar dilakukan",
        verifier=t.head,
        decider=t.head,
    )


def _review_item(t: Tenant):
    sample = _act("ReviewSample").objects.create(
        instansi=t.instansi, period="2026-11", unit=None, drawn_by=t.user, size=1
    )
    return _act("ReviewItem").objects.create(
        instansi=t.instansi, sample=sample, entry=_entry("staff", "approved", hour=12)(t)
    )


# --- attendance -----------------------------------------------------------------------------


def _att(model_name: str):
    return apps.get_model("attendance", model_name)


def _leave_with_attachment(t: Tenant):
    from django.core.files.base import ContentFile

    req = _leave_request(t)
    req.attachment.save("surat.pdf", ContentFile(b"%PDF-1.4 surat"), save=True)
    return req


def _leave_request(t: Tenant):
    leave_type = _att("LeaveType").objects.create(
        instansi=t.instansi, code="CT", name="Cuti tahunan", annual_quota=True
    )
    return _att("LeaveRequest").objects.create(
        instansi=t.instansi,
        employee=t.staff,
        leave_type=leave_type,
        date_from=dt.date(2026, 12, 7),
        date_to=dt.date(2026, 12, 8),
        working_days=2,
        reason="Keperluan keluarga",
        approver=t.head,
    )


def _correction_request(t: Tenant):
    from django.utils import timezone

    return _att("CorrectionRequest").objects.create(
        instansi=t.instansi,
        employee=t.staff,
        at=timezone.make_aware(dt.datetime(2026, 11, 2, 7, 30)),
        reason="Mesin sidik jari mati",
        approver=t.head,
    )


def _flagged_punch(t: Tenant):
    from django.utils import timezone

    return _att("Punch").objects.create(
        instansi=t.instansi,
        employee=t.staff,
        at=timezone.make_aware(dt.datetime(2026, 11, 2, 7, 25)),
        source="mobile",
        source_key="mobile",
        mock_location=True,
        needs_review=True,
    )


def _punch_import(t: Tenant):
    from django.core.files.base import ContentFile

    return _att("PunchImport").objects.create(
        instansi=t.instansi,
        file=ContentFile(b"", name="absensi.dat"),
        file_name="absensi.dat",
        sha256="0" * 64,
        uploaded_by=t.user,
        status="done",  # already run: running it again is refused with a message, not a 404
    )


def _device(t: Tenant):
    return t.make(
        "att.device",
        lambda t: _att("Device").objects.create(
            instansi=t.instansi, serial=f"SN{t.instansi.code}", name="Mesin lobi", unit=t.opd
        ),
    )


# --- performance ----------------------------------------------------------------------------


def _plan(owner: str, status: str):
    def build(t: Tenant):
        from tests.performance.factories import agreed_plan

        return agreed_plan(getattr(t, owner), 2026, status=status, appraiser=t.head)

    return build


def _skp_result(t: Tenant):
    return _plan("head", "draft")(t).results.first()


def _evaluation(t: Tenant):
    plan = _plan("staff", "agreed")(t)
    return apps.get_model("performance", "SkpEvaluation").objects.create(
        instansi=t.instansi,
        employee=t.staff,
        plan=plan,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
    )


def _skp_evidence(t: Tenant):
    from django.core.files.base import ContentFile

    evaluation = _evaluation(t)
    indicator = apps.get_model("performance", "SkpIndicator").objects.filter(
        result__plan=evaluation.plan
    )[0]
    realisation = apps.get_model("performance", "SkpRealisation").objects.create(
        instansi=t.instansi, evaluation=evaluation, indicator=indicator, description="Selesai"
    )
    data = b"%PDF-1.4 bukti"
    return apps.get_model("performance", "SkpEvidence").objects.create(
        instansi=t.instansi,
        realisation=realisation,
        file=ContentFile(data, name="bukti.pdf"),
        original_name="bukti.pdf",
        content_type="application/pdf",
        size=len(data),
        uploaded_by=t.staff.user,
    )


# --- tpp ------------------------------------------------------------------------------------


def _tpp(model_name: str):
    return apps.get_model("tpp", model_name)


def _tpp_run(t: Tenant):
    return t.make(
        "tpp.run", lambda t: _tpp("Run").objects.create(instansi=t.instansi, period="2026-10")
    )


def _tpp_policy(t: Tenant):
    from ekinerja.tpp.policy import TEMPLATES

    return _tpp("Policy").objects.create(
        instansi=t.instansi,
        name=f"Perbup TPP {t.instansi.name}",
        effective_from=dt.date(2026, 1, 1),
        data=TEMPLATES["national"][1]("2026-01-01"),
        created_by=t.user,
    )


def _tpp_simulation(t: Tenant):
    """A finished simulation of the tenant's draft policy (the page lists its rows)."""
    return _tpp("Simulation").objects.create(
        instansi=t.instansi,
        policy=t.make("tpp.policy", _tpp_policy),
        period="2026-10",
        policy_digest="0" * 64,
        status="done",
        progress=100,
        created_by=t.user,
    )


def _tpp_recheck(t: Tenant):
    """A finished recheck of the tenant's list (corrections are recorded from its rows)."""
    return _tpp("Simulation").objects.create(
        instansi=t.instansi,
        kind="recheck",
        run=_tpp_run(t),
        policy=t.make("tpp.policy", _tpp_policy),
        period="2026-10",
        policy_digest="0" * 64,
        status="done",
        progress=100,
        created_by=t.user,
    )


def _withholding(t: Tenant):
    return _tpp("Withholding").objects.create(
        instansi=t.instansi,
        employee=t.staff,
        period="2026-09",
        reason="LHKPN belum dilaporkan",
        created_by=t.user,
    )


# route name (with namespace) -> {argument: builder}
ROUTE_OBJECTS: dict[str, dict[str, Any]] = {
    "employee-profile": {"pk": lambda t: t.staff},
    "account-reset": {"pk": lambda t: t.staff},
    "unit-chart": {"pk": lambda t: t.opd},
    "employee-import-preview": {"token": _import_batch},
    "employee-import-apply": {"token": _import_batch},
    "workcal:holiday-edit": {"pk": _holiday(active=True)},
    "workcal:holiday-delete": {"pk": _holiday(active=True)},
    "workcal:holiday-restore": {"pk": _holiday(active=False)},
    # activities: the employee's own entries, and the subordinate's for the superior's actions
    "activities:entry": {"pk": _entry("staff", "submitted")},
    "activities:entry-edit": {"pk": _entry("head", "draft")},
    "activities:entry-submit": {"pk": _entry("head", "draft")},
    "activities:entry-delete": {"pk": _entry("head", "draft")},
    "activities:evidence-add": {"pk": _entry("head", "draft")},
    "activities:objection-file": {"pk": _entry("head", "rejected")},
    "activities:evidence": {"pk": _activity_evidence},
    "activities:favourite": {"pk": _catalog_item},
    "activities:verify": {"pk": _entry("staff", "submitted")},
    "activities:unlock-decide": {"pk": _unlock_request},
    "activities:objection-decide": {"pk": _objection},
    "activities:review-decide": {"pk": _review_item},
    "activities:skp-result": {"pk": _skp_result},
    "api-v1:entry_update": {"entry_id": _entry("head", "draft")},
    "api-v1:entry_delete": {"entry_id": _entry("head", "draft")},
    "api-v1:entry_submit": {"entry_id": _entry("head", "draft")},
    "api-v1:entry_verify": {"entry_id": _entry("staff", "submitted")},
    # attendance
    "attendance:employee-month": {"pk": lambda t: t.staff},
    "attendance:leave-cancel": {"pk": _leave_request},
    "attendance:leave-decide": {"pk": _leave_request},
    "attendance:attachment": {"kind": NotObject("cuti"), "pk": _leave_with_attachment},
    "attendance:correction-decide": {"pk": _correction_request},
    "attendance:punch-review": {"pk": _flagged_punch},
    "attendance:import-detail": {"pk": _punch_import},
    "attendance:import-run": {"pk": _punch_import},
    # performance: the requesting user's own draft SKP for editing, the subordinate's otherwise
    "performance:plan-detail": {"pk": _plan("staff", "submitted")},
    "performance:plan-pdf": {"pk": _plan("staff", "agreed")},
    "performance:result-create": {"pk": _plan("head", "draft")},
    "performance:plan-behaviours": {"pk": _plan("head", "draft")},
    "performance:plan-submit": {"pk": _plan("head", "draft")},
    "performance:plan-agree": {"pk": _plan("staff", "submitted")},
    "performance:plan-return": {"pk": _plan("staff", "submitted")},
    "performance:plan-revise": {"pk": _plan("staff", "agreed")},
    "performance:result-edit": {"pk": _skp_result},
    "performance:result-delete": {"pk": _skp_result},
    "performance:evidence": {"pk": _skp_evidence},
    "performance:evidence-delete": {"pk": _skp_evidence},
    "performance:evaluation-detail": {"pk": _evaluation},
    # tpp
    "tpp:employee": {"pk": lambda t: t.staff},
    "tpp:employee-estimate": {"pk": lambda t: t.staff},
    "tpp:run": {"pk": _tpp_run},
    "tpp:run-progress": {"pk": _tpp_run},
    "tpp:run-verify": {"pk": _tpp_run},
    "tpp:run-lock": {"pk": _tpp_run},
    "tpp:withhold": {"pk": _tpp_run},
    "tpp:release": {"pk": _tpp_run, "wid": _withholding},
    "tpp:adjust": {"pk": _tpp_run},
    "tpp:run-recheck": {"pk": _tpp_run},
    "tpp:download": {"pk": _tpp_run, "kind": NotObject("nominatif-xlsx")},
    "tpp:documents": {"pk": _tpp_run},
    "tpp:policy": {"pk": _tpp_policy},
    "tpp:policy-adopt": {"pk": _tpp_policy},
    "tpp:policy-retire": {"pk": _tpp_policy},
    "tpp:policy-simulate": {"pk": _tpp_policy},
    "tpp:simulation": {"pk": _tpp_simulation},
    "tpp:simulation-progress": {"pk": _tpp_simulation},
    "tpp:simulation-download": {"pk": _tpp_simulation},
    "tpp:simulation-correct": {"pk": _tpp_recheck},
}

# argument name -> builder, for arguments whose name says what they are
KWARG_OBJECTS: dict[str, Any] = {
    "employee_id": lambda t: t.staff,
    "employee_pk": lambda t: t.staff,
    "unit_id": lambda t: t.opd,
    "unit_pk": lambda t: t.opd,
    "position_id": lambda t: t.staff_position,
    "assignment_id": lambda t: t.staff_assignment,
    "user_id": lambda t: t.staff.user,
    "grant_id": lambda t: t.grant,
    "nip": lambda t: t.staff.nip,
    "period": NotObject("2026-11"),
    "year": NotObject(2026),
    "month": NotObject(11),
    "day": NotObject("2026-11-02"),
    "date": NotObject("2026-11-02"),
}

# "app_label.ModelName" -> builder of one row of that model for a tenant (admin checks)
MODEL_OBJECTS: dict[str, Any] = {
    "core.User": lambda t: t.staff.user,
    "core.AuditEvent": lambda t: t.instansi.auditevent_set.first(),
    "core.Instansi": lambda t: t.instansi,
    "org.Unit": lambda t: t.sub,
    "org.Position": lambda t: t.staff_position,
    "org.Employee": lambda t: t.staff,
    "org.Assignment": lambda t: t.staff_assignment,
    "org.RoleGrant": lambda t: t.grant,
    "workcal.Holiday": _holiday(active=True),
    "workcal.WorkSchedule": _schedule,
    "workcal.Shift": _shift,
    "workcal.ScheduleVariant": _workcal(
        "ScheduleVariant",
        schedule=_schedule,
        name="Ramadan",
        date_from=dt.date(2026, 2, 18),
        date_to=dt.date(2026, 3, 19),
    ),
    "workcal.EmployeeSchedule": _workcal(
        "EmployeeSchedule",
        employee=lambda t: t.staff,
        schedule=_schedule,
        date_from=dt.date(2026, 1, 1),
    ),
    "activities.ActivityCatalogItem": _catalog_item,
    "activities.ActivitySettings": lambda t: _act("ActivitySettings").objects.create(
        instansi=t.instansi
    ),
    "attendance.Device": _device,
    "attendance.DeviceDump": lambda t: _att("DeviceDump").objects.create(
        instansi=t.instansi, device=_device(t), channel="push", table="ATTLOG", raw=""
    ),
    "attendance.LeaveType": lambda t: _att("LeaveType").objects.create(
        instansi=t.instansi, code="IZ", name="Izin"
    ),
    "attendance.Office": lambda t: _att("Office").objects.create(
        instansi=t.instansi, unit=t.opd, name="Kantor dinas", latitude=-3.8, longitude=114.8
    ),
    "attendance.PinMapping": lambda t: _att("PinMapping").objects.create(
        instansi=t.instansi, device=_device(t), pin="101", employee=t.staff
    ),
    "attendance.Punch": _flagged_punch,
    "workcal.ShiftRoster": _workcal(
        "ShiftRoster", employee=lambda t: t.staff, date=dt.date(2026, 11, 2), shift=_shift
    ),
}

# route name -> {method: data} for routes that refuse an empty body (JSON for /api/ routes)
REQUEST_DATA: dict[str, dict[str, dict]] = {
    "api-v1:entry_verify": {"post": {"decision": "return", "reason": "Lengkapi uraian"}},
    "api-v1:entry_submit": {"post": {}},  # no body needed: a 422 is the service's refusal
}

# path prefix -> function(user) -> extra headers (e.g. token authentication for the API)
AUTH_HEADERS: dict[str, Any] = {}


def _merge_app_registries() -> None:
    """tests/<app>/tenancy_objects.py may hold an app's own registrations."""
    tests_dir = Path(__file__).resolve().parent
    for info in pkgutil.iter_modules([str(tests_dir)]):
        if not info.ispkg or not (tests_dir / info.name / "tenancy_objects.py").exists():
            continue
        module = importlib.import_module(f"tests.{info.name}.tenancy_objects")
        for name in ("ROUTE_OBJECTS", "KWARG_OBJECTS", "MODEL_OBJECTS", "REQUEST_DATA"):
            for key, value in getattr(module, name, {}).items():
                registry = globals()[name]
                if key in registry and registry[key] is not value:
                    raise AssertionError(f"{name}[{key!r}] registered twice ({module.__name__})")
                registry[key] = value
        AUTH_HEADERS.update(getattr(module, "AUTH_HEADERS", {}))


_merge_app_registries()


# ---------------------------------------------------------------------------------------------
# Walking the URL patterns
# ---------------------------------------------------------------------------------------------


@dataclass
class Route:
    path: str  # the full route, e.g. "pegawai/<int:pk>/"
    name: str | None  # with namespaces, e.g. "workcal:holiday-edit"
    patterns: list  # the pattern objects from the root down (for building a URL)
    kwargs: list[str]

    def __str__(self) -> str:
        return f"/{self.path} ({self.name or 'tanpa nama'})"


def _pattern_kwargs(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(entries, prefix: str, chain: list, namespaces: list[str]):
        for entry in entries:
            here = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = namespaces + ([entry.namespace] if entry.namespace else [])
                walk(entry.url_patterns, here, chain + [entry.pattern], ns)
            elif isinstance(entry, URLPattern):
                full_chain = chain + [entry.pattern]
                name = ":".join(namespaces + [entry.name]) if entry.name else None
                kwargs = [k for p in full_chain for k in _pattern_kwargs(p)]
                routes.append(Route(here.lstrip("^"), name, full_chain, kwargs))

    walk(get_resolver().url_patterns, "", [], [])
    return routes


ROUTES = [r for r in all_routes() if not r.path.startswith(SKIP_PREFIXES)]
OBJECT_ROUTES = [r for r in ROUTES if r.kwargs]


def test_the_walk_finds_the_known_object_routes():
    names = {r.name for r in OBJECT_ROUTES}
    assert {"employee-profile", "unit-chart"} <= names
    assert not any(r.path.startswith("admin/") for r in OBJECT_ROUTES)


def _builder(route: Route, kwarg: str):
    per_route = ROUTE_OBJECTS.get(route.name or route.path, {})
    if kwarg in per_route:
        return per_route[kwarg]
    if kwarg in KWARG_OBJECTS:
        return KWARG_OBJECTS[kwarg]
    pytest.fail(
        f"Rute {route} menerima argumen {kwarg!r} yang belum terdaftar di uji tenancy.\n"
        f"Daftarkan objek instansi yang dicari rute ini: ROUTE_OBJECTS[{route.name!r}] = "
        f"{{{kwarg!r}: lambda t: <objek milik t.instansi>}} di tests/test_tenancy.py atau "
        f"tests/<app>/tenancy_objects.py (atau KWARG_OBJECTS / NotObject(nilai) bila argumen ini "
        f"bukan objek milik instansi).",
        pytrace=False,
    )


def _value(builder, tenant: Tenant, key: str):
    if isinstance(builder, NotObject):
        return builder.value
    obj = tenant.make(key, builder)
    if isinstance(obj, models.Model):
        return getattr(obj, "token", None) if key.endswith(":token") else obj.pk
    return obj


def _url(route: Route, values: dict[str, Any]) -> str:
    """Build the path from the route pieces, so unnamed routes work too."""
    parts = []
    for pattern in route.patterns:
        if isinstance(pattern, RoutePattern):
            text = str(pattern)
            for kwarg, converter in pattern.converters.items():
                text = re.sub(
                    rf"<(?:\w+:)?{kwarg}>", str(converter.to_url(values[kwarg])), text, count=1
                )
            parts.append(text)
        else:
            if not route.name:
                pytest.fail(f"Rute regex {route} tanpa nama tidak dapat dibentuk; beri nama.")
            return reverse(route.name, kwargs=values)
    return "/" + "".join(parts)


def _request(client, method: str, url: str, route: Route, user: User):
    data = REQUEST_DATA.get(route.name or route.path, {}).get(method)
    headers = {}
    for prefix, fn in AUTH_HEADERS.items():
        if url.startswith(prefix):
            headers.update(fn(user))
    if url.startswith("/api/"):
        body = json.dumps(data or {}) if method != "get" else None
        kwargs = {"content_type": "application/json"} if body is not None else {}
        return getattr(client, method)(url, body, headers=headers, **kwargs)
    return getattr(client, method)(url, data or {}, headers=headers)


def _tenant_rows(instansi: Instansi) -> dict[str, int]:
    tables = set(connection.introspection.table_names())
    return {
        m._meta.label: m._default_manager.filter(instansi=instansi).count()
        for m in apps.get_models()
        if issubclass(m, TenantModel) and m._meta.db_table in tables
    }


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_another_instansis_object_answers_404(route, client, tenants):
    a, b = tenants
    object_kwargs = []
    values_a, values_b = {}, {}
    for kwarg in route.kwargs:
        builder = _builder(route, kwarg)
        key = f"{route.name or route.path}:{kwarg}"
        values_a[kwarg] = _value(builder, a, key)
        values_b[kwarg] = _value(builder, b, key)
        if not isinstance(builder, NotObject):
            object_kwargs.append(kwarg)
            assert values_a[kwarg] != values_b[kwarg], (
                f"{route}: the builder for {kwarg!r} gives both instansi the same value"
            )
    if not object_kwargs:
        pytest.skip(f"{route} names no tenant-owned object")

    # All of B's objects; then, with several objects, B's in one place and A's in the others.
    attempts = [values_b]
    if len(object_kwargs) > 1:
        attempts += [{**values_a, k: values_b[k]} for k in object_kwargs]

    client.force_login(a.user)
    before = _tenant_rows(b.instansi)
    for values in attempts:
        url = _url(route, values)
        statuses = {m: _request(client, m, url, route, a.user).status_code for m in METHODS}
        leaked = {m: s for m, s in statuses.items() if s not in NOT_SERVED | {404}}
        assert not leaked, f"{url} as a user of another instansi: {statuses}; expected 404"
        assert 404 in statuses.values(), (
            f"{url}: no method reached the object lookup ({statuses}); "
            f"register a request body in REQUEST_DATA[{route.name!r}]"
        )
    assert _tenant_rows(b.instansi) == before, f"{route} changed another instansi's rows"

    # Positive control: the same route with A's own objects finds them.
    own_url = _url(route, values_a)
    bodies = REQUEST_DATA.get(route.name or route.path, {})
    for method in METHODS:
        status = _request(client, method, own_url, route, a.user).status_code
        # 422 after a valid body comes from the service, i.e. after the object was found.
        if status == 405 or (status == 422 and method not in bodies):
            continue
        assert status != 404, (
            f"{own_url} answers 404 for the user's own object too: the registry builds the wrong "
            f"object for {route}, so the 404 above proves nothing"
        )
        break
    else:
        pytest.fail(f"{own_url}: no method served for the user's own object")


# ---------------------------------------------------------------------------------------------
# Pages without object arguments must not show B's data either
# ---------------------------------------------------------------------------------------------


def _markers(t: Tenant) -> list[str]:
    return [
        t.instansi.name,
        t.opd.name,
        t.sub.name,
        t.head.name,
        t.staff.name,
        t.staff.nip,
        t.head.nip,
        t.staff_position.name,
    ]


LIST_ROUTES = [
    r
    for r in ROUTES
    if not r.kwargs or all(isinstance(KWARG_OBJECTS.get(k), NotObject) for k in r.kwargs)
]


@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_pages_without_object_show_nothing_of_another_instansi(route, client, tenants):
    a, b = tenants
    client.force_login(a.user)
    url = _url(route, {k: KWARG_OBJECTS[k].value for k in route.kwargs})
    response = _request(client, "get", url, route, a.user)
    if response.status_code != 200 or getattr(response, "streaming", False):
        return
    content = response.content.decode(errors="replace")
    leaked = [m for m in _markers(b) if m in content]
    assert not leaked, f"{url} shows another instansi's data: {leaked}"
    if "text/html" in response.get("Content-Type", "") and url == "/":
        assert a.instansi.name in content  # the check above looks at a real page


# ---------------------------------------------------------------------------------------------
# The Django admin
# ---------------------------------------------------------------------------------------------

ADMIN_MODELS = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)


def _instansi_field(model) -> str | None:
    if model is Instansi:
        return "pk"
    names = {f.name for f in model._meta.fields}
    return "instansi" if "instansi" in names else None


def _b_row(model, b: Tenant):
    label = model._meta.label
    if label not in MODEL_OBJECTS:
        pytest.fail(
            f"Model {label} ada di Django admin tetapi uji tenancy belum tahu cara membuat barisnya "
            f"untuk instansi lain: daftarkan MODEL_OBJECTS[{label!r}] = lambda t: <baris milik "
            f"t.instansi> di tests/test_tenancy.py atau tests/<app>/tenancy_objects.py.",
            pytrace=False,
        )
    return b.make(f"admin:{label}", MODEL_OBJECTS[label])


@pytest.mark.parametrize("model", [m for m, _ in ADMIN_MODELS], ids=lambda m: m._meta.label)
def test_admin_hides_another_instansis_rows(model, client, tenants):
    a, b = tenants
    scope = _instansi_field(model)
    if scope is None:
        pytest.skip(f"{model._meta.label} is not tenant-owned")
    row = _b_row(model, b)
    assert row is not None and (row.pk if scope == "pk" else row.instansi_id) == b.instansi.pk
    client.force_login(a.user)
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"

    response = client.get(reverse(f"{base}_changelist"))
    assert response.status_code == 200
    shown = response.context["cl"].queryset
    other = {"pk": b.instansi.pk} if scope == "pk" else {"instansi": b.instansi}
    assert not shown.filter(**other).exists(), f"{opts.label} changelist shows instansi B's rows"
    assert row.pk not in set(shown.values_list("pk", flat=True))

    own = a.make(f"admin:{opts.label}", MODEL_OBJECTS[opts.label])
    for view in ("change", "history", "delete"):
        url = reverse(f"{base}_{view}", args=[row.pk])
        response = client.get(url)
        own_status = client.get(reverse(f"{base}_{view}", args=[own.pk])).status_code
        if own_status == 403:
            # The view is refused for every row (e.g. deleting audit events): nothing to learn.
            assert response.status_code == 403, f"{url}: {response.status_code}"
            continue
        assert own_status == 200, f"{view} of the user's own {opts.label}: {own_status}"
        # Django's admin answers a row outside get_queryset() with a redirect to the index.
        assert response.status_code in (302, 404), f"{url}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"] == reverse("admin:index")
    assert type(row)._default_manager.filter(pk=row.pk).exists()

    # Choices offered in the add form (foreign keys, raw-id fields) are A's only.
    response = client.get(reverse(f"{base}_add"))
    if response.status_code == 200 and response.context.get("adminform"):
        form = response.context["adminform"].form
        for name, form_field in form.fields.items():
            if not isinstance(form_field, ModelChoiceField):
                continue
            related = form_field.queryset.model
            rel_scope = _instansi_field(related)
            if rel_scope is None:
                continue
            lookup = {"pk": b.instansi.pk} if rel_scope == "pk" else {"instansi": b.instansi}
            assert not form_field.queryset.filter(**lookup).exists(), (
                f"{opts.label} add form offers instansi B's {related._meta.label} in {name!r}"
            )


@pytest.mark.parametrize(
    ("model", "field_name"),
    [
        (m, f)
        for m, model_admin in ADMIN_MODELS
        for f in getattr(model_admin, "autocomplete_fields", ())
    ],
    ids=lambda v: v if isinstance(v, str) else v._meta.label,
)
def test_admin_autocomplete_offers_no_rows_of_another_instansi(model, field_name, client, tenants):
    a, b = tenants
    related = model._meta.get_field(field_name).related_model
    b_row = _b_row(related, b)
    a_row = a.make(f"admin:{related._meta.label}", MODEL_OBJECTS[related._meta.label])
    client.force_login(a.user)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field_name,
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {r["id"] for r in response.json()["results"]}
    assert str(b_row.pk) not in ids
    assert str(a_row.pk) in ids  # the endpoint does list the user's own rows
