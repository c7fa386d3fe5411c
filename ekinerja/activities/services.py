"""Writes of the activity app. Every one validated (Indonesian, field-level messages), in one
transaction, with an audit event where pay or access depends on it.

Rules and their source (tpp-rules.md "Activity", "Entry window"; issue 3):
- an entry may be created or submitted only on or before the N-th working day after its date in the
  employee's own calendar (ActivitySettings.window_working_days), or while an approved unlock covering
  the date is open (only BKPSDM approves unlocks);
- only the direct superior on the entry's date verifies it, never the employee themself;
- credited minutes = minutes per unit (as of entry) x volume (as approved), the day's approved total
  capped at ActivitySettings.daily_cap_minutes at verification;
- an employee without a direct superior on the entry's date (the top of the position tree, or
  every post above vacant) has their entries verified by BKPSDM, as SKP ratings and leave are;
- an entry changed after verification is unverified again; whenever an approved entry stops being
  approved (changed, overturned) or an objection is granted, the day's approved entries are credited
  again in time order, so the daily cap freed by one goes to the others;
- a returned entry may be revised and submitted again for selectors.REVISION_WORKING_DAYS working
  days after the return, even when the window has closed; it keeps its first submission time;
- no entry on a day of the employee's approved full-day leave (selectors.leave_on);
- an objection (keberatan) to a rejection or cut is decided, finally, by the superior's superior;
  while it waits the entry cannot be changed, and it is granted only while the entry is still as
  objected to;
- an entry may name the SKP result it serves: a result of the employee's agreed plan for the entry's
  year (checked when the link or the date changes; one query, none without a link).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import random
import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, IntegerField, OuterRef, Q, Sum
from django.utils import timezone

from ekinerja.core.audit import audit_record, audit_row, snapshot
from ekinerja.core.clock import local_now, local_today
from ekinerja.core.files import read_head, sniff, suffix_fits
from ekinerja.core.models import AuditEvent, Instansi, User
from ekinerja.core.money import format_number
from ekinerja.core.periods import DATE_OUT_OF_RANGE, Period, date_in_range, tanggal
from ekinerja.core.prepared import Param, Prepared, insert
from ekinerja.org import selectors as org_selectors

# A write reading the employee's other entries (overlap, daily cap, a rejected entry's time slot)
# locks the employee first, then the entry; several employees in one statement, by id.
from ekinerja.org.locks import lock_employee, lock_employees
from ekinerja.org.models import Employee, Role, Unit
from ekinerja.org.selectors import employee_for_user, user_roles
from ekinerja.performance.selectors import results_for_employee

from . import selectors
from .models import (
    DESCRIPTION_MAX_LENGTH,
    EDITABLE,
    SUBMITTABLE,
    TRANSITIONS,
    ActivityCatalogItem,
    ActivityEntry,
    ActivitySettings,
    ApiToken,
    EntryStatus,
    Evidence,
    Favourite,
    Objection,
    ObjectionStatus,
    ReviewItem,
    ReviewOutcome,
    ReviewSample,
    UnlockRequest,
    UnlockStatus,
    minutes_for,
)

S = EntryStatus
MAX_EVIDENCE_BYTES = getattr(django_settings, "ACTIVITY_EVIDENCE_MAX_BYTES", 2 * 1024 * 1024)
MAX_EVIDENCE_FILES = 5


# --------------------------------------------------------------------------------------------------
# Helpers


def _transition(entry: ActivityEntry, new: str) -> None:
    """The one place status changes are checked against models.TRANSITIONS."""
    if new not in TRANSITIONS.get(entry.status, frozenset()):
        raise ValidationError(
            {
                "status": f"Status '{entry.get_status_display()}' tidak dapat diubah menjadi "
                f"'{S(new).label}'."
            }
        )
    entry.status = new


def _now_local(instansi: Instansi) -> dt.datetime:
    return local_now(instansi)


def _parse_volume(value) -> Decimal:
    # One unit of the last decimal place of ActivityEntry.volume (and approved_volume): 0.01.
    step = Decimal(1).scaleb(-ActivityEntry._meta.get_field("volume").decimal_places)
    try:
        vol = Decimal(str(value).replace(",", ".")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        vol = None
    if vol is None or not vol.is_finite():
        raise ValidationError({"volume": "Volume harus berupa angka."})
    if vol <= 0:
        raise ValidationError({"volume": "Volume harus lebih dari 0."})
    # The bound first: quantizing 1E+30 overflows the context's precision (InvalidOperation).
    if vol >= Decimal("100000") or vol != vol.quantize(step):
        raise ValidationError(
            {"volume": "Volume paling banyak 2 angka di belakang koma dan < 100.000."}
        )
    # At the column's places: "1", "1.0" and "1.00" are one volume, stored, compared and answered
    # alike (the API echoed "1" on create and "1.00" once read back).
    return vol.quantize(step)


def _employee_of(user: User) -> Employee:
    me = employee_for_user(user)
    if me is None:
        raise PermissionDenied("Akun ini tidak terhubung ke data pegawai.")
    return me


# --------------------------------------------------------------------------------------------------
# Settings and catalog


@transaction.atomic
def activity_settings_save(*, actor: User, settings: ActivitySettings) -> ActivitySettings:
    """Save the instansi's activity policy values (BKPSDM). Audited. The values a TPP policy in
    force governs (ActivitySettings.POLICY_FIELDS) cannot be changed here."""
    if Role.BKPSDM not in user_roles(actor) or actor.instansi_id != settings.instansi_id:
        raise PermissionDenied("Hanya BKPSDM yang dapat mengubah pengaturan aktivitas.")
    old = ActivitySettings.objects.filter(pk=settings.pk).first() if settings.pk else None
    governed = old.policy_name if old else ""
    if governed:
        changed = [
            f for f in ActivitySettings.POLICY_FIELDS if getattr(old, f) != getattr(settings, f)
        ]
        if changed:
            raise ValidationError(
                {
                    f: f"Mengikuti kebijakan TPP yang berlaku ({governed}); ubah kebijakannya."
                    for f in changed
                }
            )
    settings.policy_name = governed
    settings.full_clean()
    settings.save()
    audit_record(
        action="activities.settings.save",
        actor=actor,
        instansi=settings.instansi,
        obj=settings,
        before=snapshot(old) if old else None,
        after=snapshot(settings),
    )
    return settings


@transaction.atomic
def activity_settings_follow_policy(
    *,
    instansi: Instansi,
    policy_name: str,
    window_working_days: int | None = None,
    daily_cap_minutes: int | None = None,
    monthly_target_minutes: int | None = None,
    actor: User | None = None,
) -> bool:
    """Set the values a TPP policy governs (None: keep the value; policy_name "" when no policy is in
    force: the values stay and may be changed again). Called by the TPP app, which holds the policy.
    Audited when anything changes; returns whether it did. Saving bumps the calendar generation, so
    every worker applies the new window at once (signals.py)."""
    settings = ActivitySettings.objects.select_for_update().filter(instansi=instansi).first()
    if settings is None:
        settings = ActivitySettings(instansi=instansi)
    before = snapshot(settings) if settings.pk else None
    wanted = {
        # 0 is a policy's "the same day" (tpp-rules.md: on or before the N-th working day after
        # the date); it was raised to 1 here while the run counted 0, so an entry the app took the
        # next working day was one the run counted as expired.
        "window_working_days": window_working_days,
        "daily_cap_minutes": daily_cap_minutes,
        "monthly_target_minutes": monthly_target_minutes,
    }
    changed = settings.pk is None or settings.policy_name != policy_name
    for name, value in wanted.items():
        if value is not None and getattr(settings, name) != value:
            setattr(settings, name, value)
            changed = True
    if not changed:
        return False
    settings.policy_name = policy_name
    settings.full_clean()
    settings.save()
    audit_record(
        action="activities.settings.policy",
        actor=actor,
        instansi=instansi,
        obj=settings,
        before=before,
        after=snapshot(settings),
        reason=f"Mengikuti kebijakan TPP {policy_name}"
        if policy_name
        else "Tidak ada kebijakan TPP berlaku",
    )
    return True


def _check_catalog_manager(actor: User | None, instansi_id: int) -> None:
    if actor is None:
        return  # commands and demo data act for the system
    if actor.instansi_id != instansi_id or Role.BKPSDM not in user_roles(actor):
        raise PermissionDenied("Hanya BKPSDM yang dapat mengelola katalog aktivitas.")


#: The longest effective minutes of one unit of output: a whole day (the database's own bound).
CATALOG_MAX_MINUTES = 1440


def _in_range(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def catalog_item_tidy(item: ActivityCatalogItem) -> None:
    """Trim the item's text as it is stored: code and output unit without surrounding spaces, the
    name with single spaces (so that "Menyusun  konsep" and "Menyusun konsep" are one name)."""
    item.code = (item.code or "").strip()
    item.name = " ".join((item.name or "").split())
    item.output_unit = (item.output_unit or "").strip()


def _catalog_item_own_errors(item: ActivityCatalogItem) -> dict[str, str]:
    """The rules an item meets on its own (no query), after catalog_item_tidy."""
    catalog_item_tidy(item)
    errors: dict[str, str] = {}
    for name, label, empty in (
        ("code", "Kode", "Kode wajib diisi."),
        ("name", "Nama aktivitas", "Nama aktivitas wajib diisi."),
        ("output_unit", "Satuan hasil", "Satuan hasil wajib diisi."),
    ):
        value, longest = getattr(item, name), ActivityCatalogItem._meta.get_field(name).max_length
        if not value:
            errors[name] = empty
        elif len(value) > longest:
            errors[name] = f"{label} paling panjang {longest} karakter; diisi {len(value)}."
    if item.standard_minutes is None:
        errors["standard_minutes"] = "Menit efektif per satuan wajib diisi."
    elif not _in_range(item.standard_minutes, 1, CATALOG_MAX_MINUTES):
        errors["standard_minutes"] = (
            f"Menit efektif per satuan harus bilangan bulat 1 sampai "
            f"{format_number(CATALOG_MAX_MINUTES)} (24 jam); diisi {item.standard_minutes}."
        )
    if not (item.for_struktural or item.for_fungsional or item.for_pelaksana):
        errors["for_pelaksana"] = "Pilih paling sedikit satu jenis jabatan."
    for name, label in (("kelas_min", "Kelas minimal"), ("kelas_max", "Kelas maksimal")):
        if not _in_range(getattr(item, name), 1, 17):
            errors[name] = f"{label} harus 1 sampai 17."
    if "kelas_min" not in errors and "kelas_max" not in errors and item.kelas_min > item.kelas_max:
        errors["kelas_max"] = "Kelas maksimal tidak boleh lebih kecil dari kelas minimal."
    if item.active_from is None:
        errors["active_from"] = "Tanggal berlaku mulai wajib diisi."
    elif item.active_to is not None and item.active_to < item.active_from:
        errors["active_to"] = "Tanggal berlaku sampai tidak boleh sebelum tanggal berlaku mulai."
    return errors


def _catalog_name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _catalog_clash_errors(
    item: ActivityCatalogItem, others: Iterable[ActivityCatalogItem]
) -> dict[str, str]:
    """The rules an item meets against the other items of its instansi (`others`: at least every
    one with the same code or the same name; never the item itself): its code not taken, and its
    name not shared by an item valid on one of its days, since the employee would see two identical
    choices, each with its own minutes. A successor under the same name starts after the old one
    ends. No query: the one rule behind catalog_item_errors and catalog_items_errors."""
    errors: dict[str, str] = {}
    others = sorted(others, key=lambda o: o.code)
    taken = next((o for o in others if o.code == item.code), None)
    if taken is not None:
        errors["code"] = f"Kode {item.code} sudah dipakai butir '{taken.name}'."
    key = _catalog_name_key(item.name)
    twin = next(
        (
            o
            for o in others
            if _catalog_name_key(o.name) == key
            and (o.active_to is None or o.active_to >= item.active_from)
            and (item.active_to is None or o.active_from <= item.active_to)
        ),
        None,
    )
    if twin is not None:
        errors["name"] = (
            f"Nama ini sudah dipakai butir {twin.code} yang berlaku pada tanggal yang sama; bedakan "
            "namanya, atau akhiri masa berlaku butir lama sebelum butir ini mulai berlaku."
        )
    return errors


_CLASH_FIELDS = ("pk", "code", "name", "active_from", "active_to")


def catalog_item_errors(item: ActivityCatalogItem) -> dict[str, str]:
    """The field errors of a catalog item about to be saved (Indonesian, one per field; empty when
    it may be saved), checked before the model's own constraints, whose messages name a constraint
    ("Batasan “catalog_minutes_1_1440” dilanggar") or, for a taken code, say the opposite of what
    is meant. Shared by catalog_item_save (import) and the admin form; catalog_items_errors checks
    many items by the same rules. At most one query (the items of the instansi with the same code
    or name, the name compared again without case in Python)."""
    errors = _catalog_item_own_errors(item)
    if errors or item.instansi_id is None:
        return errors
    others = (
        ActivityCatalogItem.objects.filter(instansi_id=item.instansi_id)
        .exclude(pk=item.pk)
        .filter(Q(code=item.code) | Q(name__iexact=item.name))
        .only(*_CLASH_FIELDS)
    )
    return _catalog_clash_errors(item, others)


def catalog_items_errors(items: list[ActivityCatalogItem]) -> list[dict[str, str]]:
    """catalog_item_errors of many items of one instansi saved together (new ones, and stored ones
    with new values), in the order given, with one query whatever their number: each is checked
    against the catalog as it will be once all are saved (the stored items, those among `items`
    with their new values), so two items of the batch with one name clash as they would once
    saved. An item refused on its own is not held against the others."""
    errors = [_catalog_item_own_errors(item) for item in items]
    instansi_ids = {item.instansi_id for item in items}
    if not items or None in instansi_ids:
        return errors
    if len(instansi_ids) > 1:
        raise ValueError("catalog_items_errors: butir dari lebih dari satu instansi.")
    changed = {item.pk for item in items if item.pk is not None}
    catalog = [
        stored
        for stored in ActivityCatalogItem.objects.filter(instansi_id=instansi_ids.pop()).only(
            *_CLASH_FIELDS
        )
        if stored.pk not in changed
    ] + [item for item, own in zip(items, errors, strict=True) if not own]
    by_code: dict[str, list[ActivityCatalogItem]] = {}
    by_name: dict[str, list[ActivityCatalogItem]] = {}
    for other in catalog:
        by_code.setdefault(other.code, []).append(other)
        by_name.setdefault(_catalog_name_key(other.name), []).append(other)
    for item, own in zip(items, errors, strict=True):
        if own:
            continue
        near = by_code.get(item.code, []) + by_name.get(_catalog_name_key(item.name), [])
        own.update(_catalog_clash_errors(item, [o for o in near if o is not item]))
    return errors


#: Entries not verified yet: once their date is outside their item's validity they cannot be
#: submitted (drafts, returned ones) or, sent back, submitted again (those waiting).
_OPEN_STATUSES = (S.DRAFT, S.RETURNED, S.SUBMITTED)


@dataclass
class Stranded:
    """An item's entries not verified yet whose dates a new validity leaves out."""

    drafts: int  # draft or returned: the employee can no longer submit them
    waiting: int  # submitted: sent back, they could not be submitted again
    first: dt.date
    last: dt.date

    @property
    def count(self) -> int:
        return self.drafts + self.waiting


def catalog_stranded(
    instansi_id: int, changes: list[tuple[ActivityCatalogItem, dt.date, dt.date | None]]
) -> dict[int, Stranded]:
    """Per stored item (by pk) whose validity is narrowed, `changes` being (item with its new dates,
    stored active_from, stored active_to): its entries not verified yet dated within the stored
    validity and outside the new one. None narrowed: no query; otherwise one (counts per item, date
    and status; not verified entries are a few months' at most)."""
    narrowed = {
        item.pk: (item, old_from, old_to)
        for item, old_from, old_to in changes
        if item.pk is not None
        and item.active_from is not None
        and (
            item.active_from > old_from
            or (item.active_to is not None and (old_to is None or item.active_to < old_to))
        )
    }
    if not narrowed:
        return {}
    rows = (
        ActivityEntry.objects.filter(
            instansi_id=instansi_id, item_id__in=sorted(narrowed), status__in=_OPEN_STATUSES
        )
        .order_by()
        .values_list("item_id", "date", "status")
        .annotate(n=Count("id"))
    )
    out: dict[int, Stranded] = {}
    for item_id, day, status, n in rows:
        item, old_from, old_to = narrowed[item_id]
        was_in = old_from <= day and (old_to is None or day <= old_to)
        now_in = item.active_from <= day and (item.active_to is None or day <= item.active_to)
        if not was_in or now_in:
            continue
        s = out.get(item_id)
        if s is None:
            s = out[item_id] = Stranded(0, 0, day, day)
        if status == S.SUBMITTED:
            s.waiting += n
        else:
            s.drafts += n
        s.first, s.last = min(s.first, day), max(s.last, day)
    return out


#: The name of the confirmation on the catalog page and the admin form.
CONFIRM_LABEL = "Tetap simpan"


def stranded_errors(item: ActivityCatalogItem, found: Stranded) -> dict[str, str]:
    """BKPSDM's field error for a validity that would strand `found`: how many, which dates, and
    the two ways on (a date that keeps them, or confirming)."""
    parts = []
    if found.drafts:
        parts.append(f"{format_number(found.drafts)} draf/dikembalikan")
    if found.waiting:
        parts.append(f"{format_number(found.waiting)} menunggu verifikasi")
    dates = (
        tanggal(found.first)
        if found.first == found.last
        else f"{tanggal(found.first)} sampai {tanggal(found.last)}"
    )
    head = (
        f"{format_number(found.count)} aktivitas pegawai dengan butir {item.code} belum "
        f"diverifikasi ({', '.join(parts)}) bertanggal {dates}, di luar masa berlaku baru: "
        "pegawainya tidak dapat lagi mengajukan aktivitas itu dan harus mengganti butirnya."
    )
    errors = {}
    if item.active_to is not None and found.last > item.active_to:
        errors["active_to"] = (
            f"{head} Pilih berlaku sampai {tanggal(found.last)} atau sesudahnya, atau centang "
            f"'{CONFIRM_LABEL}' bila butir ini memang tidak boleh dipakai lagi."
        )
    if found.first < item.active_from:
        errors["active_from"] = (
            f"{head} Pilih berlaku mulai {tanggal(found.first)} atau sebelumnya, atau centang "
            f"'{CONFIRM_LABEL}' bila butir ini memang tidak boleh dipakai pada tanggal itu."
        )
    return errors


def _catalog_sheet_stranded(instansi_id: int, parsed: list) -> dict[int, Stranded]:
    """catalog_stranded of the catalog sheet's stored items (their dates before, from the audit
    snapshot of each row). At most one query."""
    return catalog_stranded(
        instansi_id,
        [
            (
                item,
                dt.date.fromisoformat(before["active_from"]),
                dt.date.fromisoformat(before["active_to"]) if before["active_to"] else None,
            )
            for _n, item, _u, before in parsed
            if before is not None
        ],
    )


@transaction.atomic
def catalog_item_save(
    *,
    actor: User | None,
    item: ActivityCatalogItem,
    units: list[Unit] | None = None,
    confirm: bool = False,
) -> ActivityCatalogItem:
    """Create or update a catalog item. A new standard applies to new entries only: entries keep the
    minutes per unit they were made with. A validity that leaves out the dates of the item's
    entries not verified yet is refused (the count, their dates, on `active_to`/`active_from`)
    unless BKPSDM confirms (`confirm`): those employees could no longer submit them; the day page
    then tells them the item is gone from the catalog since when, and to change the entry."""
    _check_catalog_manager(actor, item.instansi_id)
    errors = catalog_item_errors(item)
    if units and any(u.instansi_id != item.instansi_id for u in units):
        errors["units"] = "Unit milik instansi lain."
    if errors:
        raise ValidationError(errors)
    old = ActivityCatalogItem.objects.filter(pk=item.pk).first() if item.pk else None
    stranded = (
        catalog_stranded(item.instansi_id, [(item, old.active_from, old.active_to)]).get(item.pk)
        if old is not None
        else None
    )
    if stranded is not None and not confirm:
        raise ValidationError(stranded_errors(item, stranded))
    before = snapshot(old) if old else None
    after_units: dict[str, list[int]] = {}
    if units is not None:
        # Which units may use the item decides who can log it: the limit is recorded as it was and
        # as it is. Without `units` the limit is not touched and not recorded (it said [], "every
        # unit", when the admin then set units that nobody saw in the log).
        if old is not None:
            before["units"] = sorted(old.units.values_list("pk", flat=True))
        after_units = {"units": sorted(u.pk for u in units)}
    item.full_clean(exclude=["units"])
    item.save()
    if units is not None:
        item.units.set(units)
    audit_record(
        action="activities.catalog.update" if old else "activities.catalog.create",
        actor=actor,
        instansi=item.instansi,
        obj=item,
        before=before,
        after={**snapshot(item), **after_units},
        reason=(
            f"Tetap disimpan: {stranded.count} aktivitas belum diverifikasi di luar masa berlaku."
            if stranded is not None
            else ""
        ),
    )
    return item


# --------------------------------------------------------------------------------------------------
# Entries


@dataclass
class EntryResult:
    entry: ActivityEntry
    warnings: list[str] = field(default_factory=list)


def _cap_warning(entry: ActivityEntry, others: list[tuple], cap: int) -> list[str]:
    """Warn when the day's minutes (approved ones as credited, the rest as claimed; rejected and
    expired ones not counted) would pass the daily cap."""
    total = entry.raw_minutes + sum(
        credited if status == S.APPROVED else minutes_for(mpu, vol)
        for _s, _e, status, credited, mpu, vol, _n in others
        if status != S.EXPIRED
    )
    if total > cap:
        return [
            f"Jumlah menit efektif tanggal ini menjadi {total} menit, melebihi batas harian "
            f"{cap} menit; kelebihannya tidak akan diakui saat verifikasi."
        ]
    return []


# The other entries of an employee's day (rejected ones do not count), compiled once per process:
# read on every entry written (core.prepared). pk: the entry's own id, 0 for a new one.
_DAY_OTHERS = Prepared(
    lambda: (
        ActivityEntry.objects.filter(
            employee_id=Param("employee", IntegerField()), date=Param("day", DateField())
        )
        .exclude(pk=Param("pk", IntegerField()))
        .exclude(status=S.REJECTED)
        .order_by("start_time", "id")
        .values_list(
            "start_time",
            "end_time",
            "status",
            "credited_minutes",
            "minutes_per_unit",
            "volume",
            "item_id",  # its name is read only when a clash is refused
        )
    )
)


def _clash(others, start: dt.time, end: dt.time, *, counting_only: bool = False):
    """The first of a day's other entries (_DAY_OTHERS rows) whose time overlaps [start, end);
    with `counting_only`, an expired one (it credits nothing) is no clash."""
    return next(
        (
            o
            for o in others
            if o[0] < end and o[1] > start and not (counting_only and o[2] == S.EXPIRED)
        ),
        None,
    )


def _slot_taken_refusal(entry: ActivityEntry, doing: str) -> str:
    """Why a rejected entry may not become approved again ("" when it may): a rejection frees its
    time for a corrected new entry, so once another entry (not rejected) holds part of that time,
    approving this one would credit the same hours twice (an objection granted, a tim penilai
    overturn). Refused with the reason: an approved replacement already credits those hours; one
    not verified yet the employee may delete first, if this one is to count instead."""
    if entry.start_time is None or entry.end_time is None:
        return ""
    others = _DAY_OTHERS(employee=entry.employee_id, day=entry.date, pk=entry.pk)
    clash = _clash(others, entry.start_time, entry.end_time, counting_only=True)
    if clash is None:
        return ""
    then = (
        "Jam tersebut sudah dihitung lewat aktivitas pengganti yang disetujui."
        if clash[2] == S.APPROVED
        else "Pegawai dapat menghapus aktivitas pengganti itu dulu."
    )
    return (
        f"Waktu aktivitas ini ({entry.start_time:%H.%M}–{entry.end_time:%H.%M}) kini dipakai "
        f"aktivitas lain ({clash[0]:%H.%M}–{clash[1]:%H.%M} {_item_name(clash[6])}, "
        f"{S(clash[2]).label.lower()}) yang diisi setelah aktivitas ini ditolak: bila {doing}, "
        f"menitnya terhitung dua kali. {then}"
    )


def _item_name(item_id: int) -> str:
    return ActivityCatalogItem.objects.filter(pk=item_id).values_list("name", flat=True).first()


def validate_entry(
    entry: ActivityEntry,
    *,
    today: dt.date,
    now_time: dt.time | None = None,
    settings: ActivitySettings | None = None,
    check_window: bool = True,
    state: selectors.WindowState | None = None,
    check_skp: bool = False,
    revision: bool = True,
) -> list[str]:
    """Check an entry against every rule; raise ValidationError (all field errors at once) or return
    the warnings (daily cap). `check_skp`: also check the SKP result it names (when set).
    `revision`: a returned entry may use its revision period when the window has closed (False when
    its date is being changed: the new date's window applies)."""
    employee = entry.employee
    settings = settings or selectors.activity_settings(employee.instansi_id)
    errors: dict[str, list[str]] = {}

    def err(fieldname: str, message: str) -> None:
        errors.setdefault(fieldname, []).append(message)

    day = entry.date
    if day is None:
        err("date", "Tanggal wajib diisi.")
        raise ValidationError(errors)
    if not date_in_range(day):
        err("date", DATE_OUT_OF_RANGE)
        raise ValidationError(errors)
    if len(entry.description or "") > DESCRIPTION_MAX_LENGTH:
        err(
            "description",
            f"Uraian paling panjang {DESCRIPTION_MAX_LENGTH} karakter "
            f"(sekarang {len(entry.description)}).",
        )
    if day > today:
        err("date", "Tanggal aktivitas tidak boleh di masa depan.")
    if entry.start_time is None or entry.end_time is None:
        err("start_time", "Jam mulai dan jam selesai wajib diisi.")
    elif entry.end_time <= entry.start_time:
        err("end_time", "Jam selesai harus setelah jam mulai, pada hari yang sama (00:00-23:59).")
    elif day == today and now_time is not None and entry.end_time > now_time:
        err("end_time", "Jam selesai belum terlewati; isi aktivitas setelah selesai dikerjakan.")
    if entry.volume is None or entry.volume <= 0:
        err("volume", "Volume harus lebih dari 0.")

    positions = selectors.positions_held(employee, day)
    if not positions:
        err(
            "date",
            f"Anda tidak memegang jabatan pada {tanggal(day)}; aktivitas hanya dapat diisi untuk "
            "tanggal ketika Anda menjabat.",
        )
    item = entry.item if entry.item_id else None
    if item is None:
        err("item", "Pilih aktivitas dari katalog.")
    elif item.instansi_id != employee.instansi_id:
        err("item", "Aktivitas tidak ditemukan di katalog instansi Anda.")
    elif positions and day <= today:
        outside = selectors.item_outside_message(item, day, stored=entry.pk is not None)
        if outside:
            err("item", outside)
        elif not selectors.item_allowed(item, positions):
            err("item", f"Aktivitas '{item.name}' tidak tersedia untuk jabatan Anda.")

    if positions and day <= today and not errors.get("date"):
        leave = selectors.leave_on(employee.pk, day)
        if leave:
            err(
                "date",
                f"Tanggal ini Anda cuti ({leave}); aktivitas tidak dapat diisi pada hari cuti.",
            )

    # The day's other entries, read once: for the overlap rule and the cap warning.
    others = _DAY_OTHERS(employee=employee.pk, day=day, pk=entry.pk or 0)
    if entry.start_time and entry.end_time and entry.end_time > entry.start_time:
        clash = _clash(others, entry.start_time, entry.end_time)
        if clash is not None:
            err(
                "start_time",
                f"Waktu bertumpang tindih dengan aktivitas lain "
                f"({clash[0]:%H.%M}–{clash[1]:%H.%M} {_item_name(clash[6])}).",
            )
        if item is not None and entry.volume and entry.volume > 0 and not errors.get("volume"):
            claimed = minutes_for(entry.minutes_per_unit or item.standard_minutes, entry.volume)
            span = entry.duration_minutes
            if claimed > span:
                err(
                    "volume",
                    f"Menit efektif ({format_number(claimed)} menit = volume x "
                    f"{format_number(entry.minutes_per_unit or item.standard_minutes)} menit) "
                    f"melebihi rentang waktu yang diisi ({format_number(span)} menit).",
                )

    if check_window and day <= today and not errors.get("date"):
        state = state or selectors.window_state(employee, day, today, settings)
        if not state.open and not (revision and _in_revision(entry, today)):
            err(
                "date",
                f"Batas pengisian aktivitas tanggal {tanggal(day)} sudah lewat ("
                + (
                    f"hari kerja ke-{settings.window_working_days}: {tanggal(state.window_end)}"
                    if settings.window_working_days
                    else "harus diisi pada hari yang sama"
                )
                + "). Ajukan permohonan buka kunci ke BKPSDM.",
            )
    if check_skp and entry.skp_result_id is not None and not _skp_result_allowed(entry):
        err(
            "skp_result",
            f"Hasil kerja SKP tidak ditemukan pada SKP Anda yang disetujui untuk tahun {day.year}.",
        )
    if errors:
        raise ValidationError(errors)
    return _cap_warning(entry, others, settings.daily_cap_minutes)


def _skp_result_allowed(entry: ActivityEntry) -> bool:
    """The named result is one of the employee's agreed plan for the entry's year (one query)."""
    return (
        results_for_employee(entry.employee_id, entry.date.year)
        .filter(pk=entry.skp_result_id, instansi_id=entry.employee.instansi_id)
        .exists()
    )


def _pk(obj) -> int | None:
    return obj if obj is None or isinstance(obj, int) else obj.pk


#: entry_update's default for skp_result: keep the link as it is (None removes it).
UNCHANGED = object()


def _state_for(
    entry: ActivityEntry,
    today: dt.date,
    settings: ActivitySettings,
    generation: int | None = None,
) -> selectors.WindowState | None:
    """The window of the entry's date, read once per write (None for a missing or future date: those
    are refused by validate_entry before the window matters)."""
    if entry.date is None or entry.date > today or not date_in_range(entry.date):
        return None
    return selectors.window_state(entry.employee, entry.date, today, settings, generation)


def _submit_fields(
    entry: ActivityEntry,
    settings: ActivitySettings,
    today: dt.date,
    state: selectors.WindowState | None = None,
    *,
    resubmitting_returned: bool = False,
) -> None:
    """The submission time and the verification deadline of an entry submitted today. A returned
    entry submitted again keeps its first submission time: it was submitted in time, and the TPP
    recap (selectors.activity_month) decides "in the window" by that time, so a correction asked
    for by the superior after the window does not make the entry late."""
    if state is None:
        state = selectors.window_state(entry.employee, entry.date, today, settings)
    if not (resubmitting_returned and entry.submitted_at is not None):
        entry.submitted_at = timezone.now()
    entry.verify_by = state.verify_by


def _in_revision(entry: ActivityEntry, today: dt.date) -> bool:
    """A returned entry within its revision period (selectors.revision_until): it may be changed
    and submitted again although the window of its date has closed."""
    if entry.status != S.RETURNED or entry.pk is None:
        return False
    until = selectors.revision_until(entry)
    return until is not None and today <= until


def _recredit_days(keys: set[tuple[int, dt.date]], cap: int) -> dict[int, int]:
    """Credit the approved entries of these employee-days again, as verification credits them: in
    time order, each its minutes (minutes per unit x approved volume) within what the daily cap
    leaves after the entries before it. Called whenever a day's approved entries change otherwise
    than by approving one more (an approved entry changed or overturned, an objection granted), so
    the cap freed by one entry goes to the others and the month page agrees with the TPP recap.
    Returns entry id -> credited minutes. One query to read, one to write, whatever the days."""
    if not keys:
        return {}
    q = Q(pk__in=[])
    for employee_id, day in keys:
        q |= Q(employee_id=employee_id, date=day)
    entries = list(
        ActivityEntry.objects.select_for_update(of=("self",))
        .filter(q, status=S.APPROVED)
        .order_by("employee_id", "date", "start_time", "id")
    )
    used: dict[tuple[int, dt.date], int] = {}
    now = timezone.now()
    changed = []
    for e in entries:
        key = (e.employee_id, e.date)
        credited = _credit(e, used.get(key, 0), cap)
        used[key] = used.get(key, 0) + credited
        if credited != e.credited_minutes:
            e.credited_minutes = credited
            e.updated_at = now
            changed.append(e)
    if changed:
        ActivityEntry.objects.bulk_update(changed, ["credited_minutes", "updated_at"])
    return {e.pk: e.credited_minutes for e in entries}


def _reset_verification(entry: ActivityEntry) -> None:
    entry.verified_by = None
    entry.verified_at = None
    entry.approved_volume = None
    entry.credited_minutes = 0
    entry.auto_verified = False
    entry.reason = ""


@transaction.atomic
def entry_create(
    *,
    actor: User,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    item: ActivityCatalogItem,
    volume,
    description: str = "",
    submit: bool = False,
    files=(),
    employee: Employee | None = None,
    skp_result=None,
) -> EntryResult:
    """An employee records an activity for a date (as a draft, or submitted at once), optionally
    naming the SKP result it serves (a SkpResult or its id)."""
    employee = employee or _employee_of(actor)
    if employee.user_id != actor.id:
        raise PermissionDenied("Aktivitas hanya dapat diisi oleh pegawai yang bersangkutan.")
    vol = _parse_volume(volume)
    now = _now_local(employee.instansi)
    today = now.date()
    generation = selectors.calendar_generation(employee.instansi_id)
    settings = selectors.cached_settings(employee.instansi, generation)
    lock_employee(employee.pk)
    entry = ActivityEntry(
        instansi_id=employee.instansi_id,
        employee=employee,
        date=date,
        start_time=start_time,
        end_time=end_time,
        item=item,
        volume=vol,
        description=(description or "").strip(),
        minutes_per_unit=item.standard_minutes if item else 0,
        skp_result_id=_pk(skp_result),
    )
    state = _state_for(entry, today, settings, generation)
    warnings = validate_entry(
        entry, today=today, now_time=now.time(), settings=settings, state=state, check_skp=True
    )
    if submit:
        _transition(entry, S.SUBMITTED)
        _submit_fields(entry, settings, today, state)
    insert(entry)  # entry.save(), with the statement built once per process
    _store_files(entry, files)
    return EntryResult(entry, warnings)


@transaction.atomic
def entry_update(
    *,
    actor: User,
    entry: ActivityEntry,
    date: dt.date | None = None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    item: ActivityCatalogItem | None = None,
    volume=None,
    description: str | None = None,
    files=(),
    skp_result=UNCHANGED,
) -> EntryResult:
    """The employee changes their entry. A verified entry that changes (its SKP link too) goes back to
    unverified (submitted); rejected entries are settled through an objection instead."""
    lock_employee(entry.employee_id)  # first: employee, then entry (an entry's employee is fixed)
    entry = (
        # OF self: the joined rows need no lock. Without it PostgreSQL locked the catalog item's
        # row FOR UPDATE too, and every write of an entry of that item in the instansi (an insert:
        # its key-share lock on the item) waited for this one.
        ActivityEntry.objects.select_for_update(of=("self",))
        .select_related("employee", "item")
        .get(pk=entry.pk)
    )
    employee = entry.employee
    if employee.user_id != actor.id:
        raise PermissionDenied("Hanya pemilik aktivitas yang dapat mengubahnya.")
    if entry.status not in EDITABLE:
        raise ValidationError(
            {
                "status": "Aktivitas yang ditolak tidak dapat diubah; ajukan keberatan bila tidak setuju."
            }
        )
    if (
        entry.status == S.APPROVED
        and Objection.objects.filter(entry=entry, status=ObjectionStatus.PENDING).exists()
    ):
        # The objection is about the entry as verified: changed now, it would be decided on
        # something the superior never saw.
        raise ValidationError(
            {
                "status": "Keberatan atas aktivitas ini masih menunggu keputusan; aktivitas tidak "
                "dapat diubah sampai keberatan diputuskan."
            }
        )
    before = snapshot(entry)
    original_date = entry.date
    now = _now_local(employee.instansi)
    today = now.date()
    generation = selectors.calendar_generation(employee.instansi_id)
    settings = selectors.cached_settings(employee.instansi, generation)
    if date is not None:
        entry.date = date
    if start_time is not None:
        entry.start_time = start_time
    if end_time is not None:
        entry.end_time = end_time
    if item is not None and item.pk != entry.item_id:
        entry.item = item
        entry.minutes_per_unit = item.standard_minutes
    if volume is not None:
        entry.volume = _parse_volume(volume)
    if description is not None:
        entry.description = description.strip()
    if skp_result is not UNCHANGED:
        entry.skp_result_id = _pk(skp_result)
    content_fields = [
        "date",
        "start_time",
        "end_time",
        "item_id",
        "volume",
        "description",
        "skp_result_id",
    ]
    changed = [f for f in content_fields if snapshot(entry, [f])[f] != before[f]] or (
        ["evidence"] if files else []
    )
    if not changed:
        return EntryResult(entry, [])
    was_expired = entry.status == S.EXPIRED
    if was_expired:
        # BKPSDM's unlock reopens the dates asked for: an expired entry of such a date may be
        # corrected (then submitted) while it is open, on its own date. Before, it could only be
        # submitted as it was, and, since it may not be deleted and still holds its time, not
        # replaced either.
        if selectors.open_unlock(employee, original_date, today) is None:
            raise ValidationError(
                {
                    "status": "Aktivitas kedaluwarsa hanya dapat diubah selama buka kunci dari "
                    "BKPSDM untuk tanggalnya masih berlaku."
                }
            )
        if entry.date != original_date:
            raise ValidationError(
                {
                    "date": "Tanggal aktivitas kedaluwarsa tidak dapat dipindah; catat aktivitas "
                    "baru pada tanggal lain."
                }
            )
    state = _state_for(entry, today, settings, generation)
    warnings = validate_entry(
        entry,
        today=today,
        now_time=now.time(),
        settings=settings,
        state=state,
        check_skp=bool({"date", "skp_result_id"} & set(changed)),
        revision=entry.date == original_date,
    )
    was_verified = entry.status == S.APPROVED
    if was_verified:
        _transition(entry, S.SUBMITTED)
        _reset_verification(entry)
        _submit_fields(entry, settings, today, state)
    elif entry.status == S.SUBMITTED:
        _submit_fields(entry, settings, today, state)
    entry.save()
    _store_files(entry, files)
    if was_verified:
        # The day's cap this entry used goes to the day's other approved entries.
        _recredit_days({(employee.pk, original_date)}, settings.daily_cap_minutes)
        audit_record(
            action="activities.entry.unverified",
            actor=actor,
            instansi=entry.instansi,
            obj=entry,
            before=before,
            after=snapshot(entry),
            reason="Diubah setelah diverifikasi: " + ", ".join(changed),
        )
    elif was_expired:
        audit_record(
            action="activities.entry.change_unlocked",
            actor=actor,
            instansi=entry.instansi,
            obj=entry,
            before=before,
            after=snapshot(entry),
            reason="Diubah selama buka kunci: " + ", ".join(changed),
        )
    return EntryResult(entry, warnings)


@transaction.atomic
def entry_submit(*, actor: User, entry: ActivityEntry) -> ActivityEntry:
    """Submit a draft, returned or (under an open unlock) expired entry for verification. A returned
    entry may also be submitted within its revision period after the window (see _in_revision)."""
    entry = (
        # OF self: not the catalog item's row nor the employee's (see entry_update).
        ActivityEntry.objects.select_for_update(of=("self",))
        .select_related("employee", "item")
        .get(pk=entry.pk)
    )
    if entry.employee.user_id != actor.id:
        raise PermissionDenied("Hanya pemilik aktivitas yang dapat mengajukannya.")
    if entry.status == S.SUBMITTED:
        return entry  # already waiting for verification (a double click): nothing changes
    if entry.status not in SUBMITTABLE:
        # An approved or rejected entry is settled: submitting it again (a stale page) would
        # silently drop its verification. Changing it (entry_update) or an objection is the way.
        raise ValidationError(
            {
                "status": f"Aktivitas berstatus '{entry.get_status_display()}' tidak dapat "
                "diajukan lagi; hanya draf dan aktivitas yang dikembalikan yang dapat diajukan."
            }
        )
    now = _now_local(entry.instansi)
    today = now.date()
    settings = selectors.activity_settings(entry.instansi_id)
    if (
        entry.status == S.EXPIRED
        and selectors.open_unlock(entry.employee, entry.date, today) is None
    ):
        raise ValidationError(
            {"date": "Aktivitas kedaluwarsa hanya dapat diajukan selama buka kunci dari BKPSDM."}
        )
    state = _state_for(entry, today, settings)
    validate_entry(entry, today=today, now_time=now.time(), settings=settings, state=state)
    was_expired, was_returned = entry.status == S.EXPIRED, entry.status == S.RETURNED
    _transition(entry, S.SUBMITTED)
    _submit_fields(entry, settings, today, state, resubmitting_returned=was_returned)
    entry.save(update_fields=["status", "submitted_at", "verify_by", "updated_at"])
    if was_expired:
        audit_record(
            action="activities.entry.resubmit_unlocked",
            actor=actor,
            instansi=entry.instansi,
            obj=entry,
            after={"status": entry.status},
        )
    return entry


@transaction.atomic
def entries_submit_day(*, actor: User, employee: Employee, day: dt.date) -> int:
    """Submit every draft/returned entry of a day, and its expired ones while an unlock from BKPSDM
    reopens it; all or nothing."""
    statuses = [S.DRAFT, S.RETURNED]
    if selectors.open_unlock(employee, day, local_today(employee.instansi)) is not None:
        statuses.append(S.EXPIRED)
    n = 0
    for entry in ActivityEntry.objects.filter(
        employee=employee, date=day, status__in=statuses
    ).order_by("start_time"):
        entry_submit(actor=actor, entry=entry)
        n += 1
    return n


@transaction.atomic
def entry_delete(*, actor: User, entry: ActivityEntry) -> None:
    """Drafts and returned entries may be deleted by their owner; submitted ones are withdrawn to draft
    first; verified and expired entries are kept."""
    if entry.employee.user_id != actor.id:
        raise PermissionDenied("Hanya pemilik aktivitas yang dapat menghapusnya.")
    if entry.status not in (S.DRAFT, S.RETURNED, S.SUBMITTED):
        raise ValidationError(
            {"status": "Aktivitas yang sudah diverifikasi atau kedaluwarsa tidak dapat dihapus."}
        )
    for ev in entry.evidence.all():
        ev.file.delete(save=False)
    entry.delete()


@transaction.atomic
def repeat_day(*, actor: User, source: dt.date, target: dt.date) -> EntryResult:
    """'Ulangi kemarin': copy a day's entries (not rejected/expired) to another date as drafts, each
    through the same validation, with their SKP link where it is still allowed; all or nothing."""
    employee = _employee_of(actor)
    sources = list(
        ActivityEntry.objects.filter(employee=employee, date=source)
        .exclude(status__in=[S.REJECTED, S.EXPIRED])
        .select_related("item")
        .order_by("start_time")
    )
    if not sources:
        raise ValidationError(
            {"date": f"Tidak ada aktivitas pada {tanggal(source)} untuk diulang."}
        )
    # The SKP links are copied where they are still allowed on the target date (one query).
    linkable = set(results_for_employee(employee, target.year).values_list("pk", flat=True))
    warnings: list[str] = []
    last = None
    for src in sources:
        try:
            res = entry_create(
                actor=actor,
                employee=employee,
                date=target,
                start_time=src.start_time,
                end_time=src.end_time,
                item=src.item,
                volume=src.volume,
                description=src.description,
                skp_result=src.skp_result_id if src.skp_result_id in linkable else None,
            )
        except ValidationError as exc:
            raise ValidationError(
                {
                    "date": [
                        f"{src.start_time:%H.%M}–{src.end_time:%H.%M} {src.item.name}: {m}"
                        for m in exc.messages
                    ]
                }
            ) from exc
        warnings = res.warnings
        last = res.entry
    return EntryResult(last, warnings)


@transaction.atomic
def favourite_toggle(*, actor: User, item: ActivityCatalogItem) -> bool:
    employee = _employee_of(actor)
    if item.instansi_id != employee.instansi_id:
        raise PermissionDenied
    deleted, _ = Favourite.objects.filter(employee=employee, item=item).delete()
    if deleted:
        return False
    Favourite.objects.create(instansi_id=employee.instansi_id, employee=employee, item=item)
    return True


# --------------------------------------------------------------------------------------------------
# Evidence


def _sniff(head: bytes, name: str) -> str:
    ctype = sniff(head)
    if ctype is None:
        raise ValidationError(
            {"files": f"Berkas '{name}' bukan PDF, JPG atau PNG (diperiksa dari isi berkas)."}
        )
    if not suffix_fits(ctype, name):
        raise ValidationError({"files": f"Isi berkas '{name}' tidak sesuai dengan ekstensinya."})
    return ctype


def _check_upload(upload) -> str:
    """Size and content type (by magic bytes, and matching the extension); returns the type."""
    name = getattr(upload, "name", "") or "bukti"
    size = getattr(upload, "size", None)
    if size is None or size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            {
                "files": f"Berkas '{name}' terlalu besar; paling besar "
                f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MB."
            }
        )
    if size == 0:
        raise ValidationError({"files": f"Berkas '{name}' kosong."})
    return _sniff(read_head(upload), name)


def _store_files(entry: ActivityEntry, files) -> list[Evidence]:
    """Check every file first, then store them all. If anything fails after a file reached the disk,
    the files written so far are removed before the error propagates (and the transaction rolls back),
    so a failed save leaves neither rows nor orphan files."""
    files = list(files or ())
    if not files:
        return []
    types = [_check_upload(f) for f in files]
    if entry.evidence.count() + len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {"files": f"Paling banyak {MAX_EVIDENCE_FILES} berkas bukti per aktivitas."}
        )
    stored: list[Evidence] = []
    try:
        for upload, ctype in zip(files, types, strict=True):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            ev = Evidence(
                instansi_id=entry.instansi_id,
                entry=entry,
                original_name=(upload.name or "bukti")[-200:],
                content_type=ctype,
                size=upload.size,
                sha256=digest.hexdigest(),
            )
            ev.file.save(upload.name or "bukti", upload, save=False)
            stored.append(ev)
            ev.save()
    except Exception:
        for ev in stored:
            ev.file.storage.delete(ev.file.name)
        raise
    return stored


@transaction.atomic
def evidence_add(*, actor: User, entry: ActivityEntry, files) -> list[Evidence]:
    """Attach evidence to an own entry. Adding evidence to a verified entry changes it: unverified."""
    if entry.employee.user_id != actor.id:
        raise PermissionDenied("Hanya pemilik aktivitas yang dapat menambah bukti.")
    if entry.status in (S.REJECTED, S.EXPIRED):
        raise ValidationError({"files": "Bukti tidak dapat ditambahkan pada aktivitas ini."})
    if entry.status == S.APPROVED:
        entry_update(actor=actor, entry=entry, files=files)
        return list(entry.evidence.all())
    stored = _store_files(entry, files)
    _touch_if_waiting(entry)
    return stored


def _touch_if_waiting(entry: ActivityEntry) -> None:
    """Evidence added to or removed from an entry waiting for verification changes what the
    superior decides on: the entry counts as changed since a page made earlier (entry_verify's
    seen_at)."""
    if entry.status == S.SUBMITTED:
        entry.updated_at = timezone.now()
        ActivityEntry.objects.filter(pk=entry.pk).update(updated_at=entry.updated_at)


@transaction.atomic
def evidence_delete(*, actor: User, evidence: Evidence) -> None:
    entry = evidence.entry
    if entry.employee.user_id != actor.id:
        raise PermissionDenied("Hanya pemilik aktivitas yang dapat menghapus bukti.")
    if entry.status not in (S.DRAFT, S.RETURNED, S.SUBMITTED):
        raise ValidationError(
            {"files": "Bukti aktivitas yang sudah diverifikasi tidak dapat dihapus."}
        )
    path, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    _touch_if_waiting(entry)
    transaction.on_commit(lambda: storage.delete(path))


# --------------------------------------------------------------------------------------------------
# Verification


def _day_approved(employee_id: int, day: dt.date, exclude: list[int]) -> int:
    return (
        ActivityEntry.objects.filter(employee_id=employee_id, date=day, status=S.APPROVED)
        .exclude(pk__in=exclude)
        .aggregate(s=Sum("credited_minutes"))["s"]
        or 0
    )


def _credit(entry: ActivityEntry, already: int, cap: int) -> int:
    """Credited minutes of an entry given the day's already approved minutes: the daily cap is
    enforced here, at verification."""
    return max(0, min(minutes_for(entry.minutes_per_unit, entry.effective_volume), cap - already))


#: What approving an entry dated on a day of leave is answered, after who and which leave.
NOT_APPROVED_ON_LEAVE = "aktivitas pada hari cuti tidak dapat disetujui. Tolak aktivitas ini."


def _on_leave_refusal(entry: ActivityEntry, leave: str, then: str) -> str:
    return f"{entry.employee.name} cuti ({leave}) pada {tanggal(entry.date)}; {then}"


def _refuse_on_leave(entry: ActivityEntry, field: str, then: str) -> None:
    """An entry dated on a day of the employee's approved full-day leave is not approved (nor
    restored to approved): entries are refused on such a day when made, but one made or submitted
    before the leave was approved (sick leave is often approved afterwards) would otherwise be
    credited on top of the leave's lower activity target. The refusal goes on `field`, saying
    who was on which leave that day and then `then`."""
    leave = selectors.leave_on(entry.employee_id, entry.date)
    if leave:
        raise ValidationError({field: _on_leave_refusal(entry, leave, then)})


def _is_bkpsdm(actor: User) -> bool:
    return Role.BKPSDM in user_roles(actor)


def _check_verifier(me: Employee, entry: ActivityEntry, today: dt.date, *, bkpsdm: bool) -> None:
    if entry.employee_id == me.id:
        raise PermissionDenied("Anda tidak dapat memverifikasi aktivitas Anda sendiri.")
    if not selectors.may_verify(me, entry, bkpsdm=bkpsdm):
        raise PermissionDenied(
            f"Anda bukan atasan langsung {entry.employee.name} pada {tanggal(entry.date)}."
        )
    if entry.status != S.SUBMITTED:
        raise ValidationError({"status": "Aktivitas ini tidak sedang menunggu verifikasi."})
    if entry.verify_by and today > entry.verify_by:
        raise ValidationError(
            {"status": f"Batas verifikasi ({tanggal(entry.verify_by)}) sudah lewat."}
        )


@transaction.atomic
def entry_verify(
    *,
    actor: User,
    entry: ActivityEntry,
    decision: str,
    reason: str = "",
    approved_volume=None,
    seen_at: dt.datetime | None = None,
) -> ActivityEntry:
    """The direct superior on the entry's date approves (optionally with a lower volume and a reason),
    rejects (reason required) or returns it for revision (reason required). For an employee without
    a direct superior on that date, a BKPSDM officer (with an employee record) does.

    `seen_at`: when the superior's page showing the entry was made (the web inbox always sends it,
    the API may). An entry changed since (the employee edited and submitted it again, added
    evidence) is refused: the superior decides only what they saw.

    The employee is locked first (org.locks): an approval credits what the daily cap leaves
    after the day's approved minutes, and two verifications of one employee's day at once each
    read them without the other's and together credited more than the cap."""
    me = _employee_of(actor)
    lock_employee(entry.employee_id)
    entry = (
        # OF self: not the catalog item's row (every verification of that item in the instansi
        # waited for this one) nor the employee's (locked above, in the one order).
        ActivityEntry.objects.select_for_update(of=("self",))
        .select_related("employee", "item")
        .get(pk=entry.pk)
    )
    today = local_today(entry.instansi)
    _check_verifier(me, entry, today, bkpsdm=_is_bkpsdm(actor))
    if seen_at is not None and entry.updated_at > seen_at:
        raise ValidationError({"status": CHANGED_SINCE_SEEN})
    reason = (reason or "").strip()
    before = snapshot(entry)
    settings = selectors.activity_settings(entry.instansi_id)
    if decision == "approve":
        _refuse_on_leave(entry, "status", NOT_APPROVED_ON_LEAVE)
        if approved_volume not in (None, ""):
            vol = _parse_volume(approved_volume)
            if vol > entry.volume:
                raise ValidationError(
                    {"approved_volume": "Volume disetujui tidak boleh melebihi volume yang diisi."}
                )
            if vol < entry.volume:
                if not reason:
                    raise ValidationError({"reason": "Tuliskan alasan pengurangan volume."})
                entry.approved_volume = vol
        _transition(entry, S.APPROVED)
        entry.credited_minutes = _credit(
            entry,
            _day_approved(entry.employee_id, entry.date, [entry.pk]),
            settings.daily_cap_minutes,
        )
    elif decision in ("reject", "return"):
        if not reason:
            raise ValidationError({"reason": "Alasan wajib diisi."})
        _transition(entry, S.REJECTED if decision == "reject" else S.RETURNED)
        entry.credited_minutes = 0
        entry.approved_volume = None
    else:
        raise ValidationError({"decision": "Keputusan tidak dikenal."})
    entry.verified_by = me
    entry.verified_at = timezone.now()
    entry.reason = reason
    entry.auto_verified = False
    entry.save()
    audit_record(
        action=f"activities.entry.{decision}",
        actor=actor,
        instansi=entry.instansi,
        obj=entry,
        before=before,
        after=snapshot(entry),
        reason=reason,
    )
    return entry


def _bulk_audit(actor, instansi, action, entries, befores, reason="") -> None:
    """One audit event per entry, written in one statement."""
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
                actor=actor,
                actor_label=actor.get_username() if actor else "sistem",
                instansi=instansi,
                action=action,
                object_type=e._meta.label,
                object_id=str(e.pk),
                object_repr=f"{e.date} {e.employee_id} {e.item_id}"[:255],
                before=befores[e.pk],
                after=snapshot(e),
                reason=reason,
            )
            for e in entries
        ]
    )


CHANGED_SINCE_SEEN = (
    "Aktivitas ini diubah pegawai setelah halaman verifikasi dibuka; periksa lagi isinya sebelum "
    "memutuskan."
)

_VERIFY_FIELDS = [
    "status",
    "approved_volume",
    "credited_minutes",
    "verified_by",
    "verified_at",
    "reason",
    "auto_verified",
    "updated_at",
]


@dataclass
class BulkVerified:
    """What entries_verify_bulk did: how many entries it decided, and how many of a day or month
    it left because their verification deadline had passed, had changed since the page was made, or
    fell on a day of the employee's approved full-day leave."""

    count: int
    late: int = 0
    changed: int = 0  # new or changed after the superior's page was made: left for another look
    on_leave: int = 0  # dated on a day of the employee's approved full-day leave: not approved

    @property
    def late_note(self) -> str:
        if not self.late:
            return ""
        return (
            f"{self.late} aktivitas lain tidak diverifikasi karena batas verifikasinya sudah lewat."
        )

    @property
    def on_leave_note(self) -> str:
        if not self.on_leave:
            return ""
        return (
            f"{self.on_leave} aktivitas pada hari cuti pegawai tidak disetujui; tolak aktivitas "
            "itu dengan alasannya."
        )

    @property
    def changed_note(self) -> str:
        if not self.changed:
            return ""
        return (
            f"{self.changed} aktivitas baru atau diubah pegawai setelah halaman dibuka belum "
            "diputuskan; periksa dulu isinya."
        )


@transaction.atomic
def entries_verify_bulk(
    *,
    actor: User,
    employee: Employee | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    entry_ids: list[int] | None = None,
    decision: str = "approve",
    reason: str = "",
    seen_at: dt.datetime | None = None,
) -> BulkVerified:
    """Approve (or reject/return, reason required) many submitted entries in one action: a
    subordinate's day or month (employee + start..end) or a list picked in the inbox. Only entries
    whose employee had the actor as direct superior on the entry's date are touched (or, for a
    BKPSDM officer, had no direct superior then); the daily cap is applied in time order.

    Entries whose verification deadline has passed cannot be verified. A day or month is decided
    without them (counted in `late`: the superior sees how many were left); a picked list is all or
    nothing, as it names exactly what the superior meant to decide. Likewise, entries dated on a day
    of the employee's approved full-day leave are not approved (`on_leave`; leave approved after the
    entry was submitted).

    `seen_at`: when the superior's page was made (the web inbox always sends it, the API may).
    Entries submitted or changed after it were not seen: a day or month is decided without them
    (counted in `changed`), a picked list is refused. A constant number of queries.

    The employees of the entries are locked first, in one statement ordered by id
    (org.locks.lock_employees): the cap is applied after each day's approved minutes, read below,
    and a verification of the same day running meanwhile would otherwise not be seen."""
    me = _employee_of(actor)
    reason = (reason or "").strip()
    if decision not in ("approve", "reject", "return"):
        raise ValidationError({"decision": "Keputusan tidak dikenal."})
    if decision != "approve" and not reason:
        raise ValidationError({"reason": "Alasan wajib diisi."})
    if employee is None and entry_ids is None:
        raise ValidationError({"decision": "Pilih aktivitas yang akan diverifikasi."})
    # An entry's employee never changes, so the set is known before the entries are read.
    lock_employees(
        [employee.pk]
        if employee is not None
        else ActivityEntry.objects.filter(instansi_id=me.instansi_id, pk__in=entry_ids).values(
            "employee_id"
        )
    )
    # OF self: not the employees' rows (locked above, in id order; joined here they were locked
    # FOR UPDATE in the entries' order, which two bulk verifications could take crosswise).
    qs = ActivityEntry.objects.select_for_update(of=("self",)).filter(
        instansi_id=me.instansi_id, status=S.SUBMITTED
    )
    if employee is not None:
        qs = qs.filter(employee=employee)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    if entry_ids is not None:
        qs = qs.filter(pk__in=entry_ids)
    entries = list(qs.select_related("employee").order_by("date", "start_time", "id"))
    if not entries:
        return BulkVerified(0)
    today = local_today(me.instansi)
    bkpsdm = _is_bkpsdm(actor)
    lo, hi = min(e.date for e in entries), max(e.date for e in entries)
    timeline = org_selectors.HierarchyTimeline(me.instansi_id, lo, hi)
    # Employees made inactive since answer to the superior of the post they held (may_verify).
    gone = {e.employee_id for e in entries if not e.employee.is_active}
    posts = selectors.inactive_posts(me.instansi_id, lo, hi, employee_ids=gone) if gone else {}

    def verifies(e: ActivityEntry) -> bool:
        superior = selectors.superior_in(timeline.on(e.date), e.employee_id, e.date, posts)
        return superior == me.id or (superior is None and bkpsdm)

    mine = [e for e in entries if e.employee_id != me.id and verifies(e)]
    if len(mine) != len(entries) and entry_ids is not None:
        raise PermissionDenied(
            "Sebagian aktivitas bukan milik bawahan langsung Anda pada tanggalnya."
        )
    late = [e for e in mine if e.verify_by and today > e.verify_by]
    if late and (entry_ids is not None or len(late) == len(mine)):
        raise ValidationError(
            {
                "status": f"Batas verifikasi {len(late)} aktivitas sudah lewat; tidak ada yang diubah."
            }
        )
    if late:
        mine = [e for e in mine if not (e.verify_by and today > e.verify_by)]
    on_leave = (
        selectors.leaves_on((e.employee_id, e.date) for e in mine) if decision == "approve" else {}
    )
    if on_leave and entry_ids is not None:
        e = next(e for e in mine if (e.employee_id, e.date) in on_leave)
        raise ValidationError(
            {
                "status": _on_leave_refusal(
                    e, on_leave[(e.employee_id, e.date)], NOT_APPROVED_ON_LEAVE
                )
                + " Tidak ada yang diubah."
            }
        )
    # Counted in entries (several may share one day of leave), as `late` and `changed` are.
    leave_days = [e for e in mine if (e.employee_id, e.date) in on_leave]
    if leave_days:
        mine = [e for e in mine if (e.employee_id, e.date) not in on_leave]
        if not mine:
            return BulkVerified(0, len(late), 0, len(leave_days))
    changed = [] if seen_at is None else [e for e in mine if e.updated_at > seen_at]
    if changed and entry_ids is not None:
        raise ValidationError(
            {
                "status": f"{len(changed)} aktivitas yang dicentang diubah pegawai setelah halaman "
                "dibuka; tidak ada yang diubah. Periksa lagi isinya."
            }
        )
    if changed:
        mine = [e for e in mine if e.updated_at <= seen_at]
        if not mine:
            return BulkVerified(0, len(late), len(changed), len(leave_days))
    settings = selectors.activity_settings(me.instansi_id)
    befores = {e.pk: snapshot(e) for e in mine}
    used: dict[tuple[int, dt.date], int] = {}
    if decision == "approve":
        keys = {(e.employee_id, e.date) for e in mine}
        q = Q(pk__in=[])
        for emp, day in keys:
            q |= Q(employee_id=emp, date=day)
        for emp, day, total in (
            ActivityEntry.objects.filter(q, status=S.APPROVED)
            .values("employee_id", "date")
            .annotate(t=Sum("credited_minutes"))
            .values_list("employee_id", "date", "t")
        ):
            used[(emp, day)] = total or 0
    now = timezone.now()
    new_status = {"approve": S.APPROVED, "reject": S.REJECTED, "return": S.RETURNED}[decision]
    for e in mine:
        _transition(e, new_status)
        e.verified_by = me
        e.verified_at = now
        e.reason = reason
        e.auto_verified = False
        if decision == "approve":
            key = (e.employee_id, e.date)
            e.credited_minutes = _credit(e, used.get(key, 0), settings.daily_cap_minutes)
            used[key] = used.get(key, 0) + e.credited_minutes
        else:
            e.credited_minutes = 0
            e.approved_volume = None
        e.updated_at = now
    ActivityEntry.objects.bulk_update(mine, _VERIFY_FIELDS)
    _bulk_audit(actor, me.instansi, f"activities.entry.{decision}", mine, befores, reason)
    return BulkVerified(len(mine), len(late), len(changed), len(leave_days))


@transaction.atomic
def activity_deadlines_process(
    *, instansi: Instansi, today: dt.date | None = None
) -> dict[str, int]:
    """Apply the deadlines of an instansi (run daily, and before a TPP run):
    - submitted entries whose verification deadline has passed expire, or count as approved when the
      policy's deadline_behaviour is auto_approve (credited within the daily cap; those dated on a
      day of the employee's approved full-day leave expire all the same);
    - drafts and returned entries whose window has closed (and no open unlock covers them) expire;
      a returned entry not before its revision period (selectors.REVISION_WORKING_DAYS working days
      after the return) has passed too.
    Expired entries are kept and shown as such. Audited per entry, in bulk."""
    today = today or local_today(instansi)
    settings = selectors.activity_settings(instansi.pk)
    auto = settings.deadline_behaviour == ActivitySettings.DeadlineBehaviour.AUTO_APPROVE
    overdue_qs = ActivityEntry.objects.filter(
        instansi=instansi, status=S.SUBMITTED, verify_by__lt=today
    )
    if auto:
        # An auto-approval credits within the cap what the day's approved minutes leave, as a
        # verification does: their employees are locked first, as a verification locks them.
        lock_employees(overdue_qs.values("employee_id"))
    overdue = list(
        # OF self: the joined employee rows need no lock (locked above when minutes are credited).
        overdue_qs.select_for_update(of=("self",))
        .select_related("employee")
        .order_by("date", "start_time", "id")
    )
    befores = {e.pk: snapshot(e) for e in overdue}
    used: dict[tuple[int, dt.date], int] = {}
    if auto and overdue:
        q = Q(pk__in=[])
        for emp, day in {(e.employee_id, e.date) for e in overdue}:
            q |= Q(employee_id=emp, date=day)
        for emp, day, total in (
            ActivityEntry.objects.filter(q, status=S.APPROVED)
            .values("employee_id", "date")
            .annotate(t=Sum("credited_minutes"))
            .values_list("employee_id", "date", "t")
        ):
            used[(emp, day)] = total or 0
    # Auto-approval never credits a day of approved full-day leave: those entries expire.
    on_leave = selectors.leaves_on((e.employee_id, e.date) for e in overdue) if auto else {}
    now = timezone.now()
    for e in overdue:
        if (e.employee_id, e.date) in on_leave:
            _transition(e, S.EXPIRED)
            e.reason = (
                "Kedaluwarsa: atasan tidak memverifikasi sampai batas, dan pegawai cuti "
                f"({on_leave[(e.employee_id, e.date)]}) pada tanggal ini."
            )
        elif auto:
            _transition(e, S.APPROVED)
            key = (e.employee_id, e.date)
            e.credited_minutes = _credit(e, used.get(key, 0), settings.daily_cap_minutes)
            used[key] = used.get(key, 0) + e.credited_minutes
            e.auto_verified = True
            e.verified_at = now
            e.reason = "Disetujui otomatis: atasan tidak memverifikasi sampai batas."
        else:
            _transition(e, S.EXPIRED)
            e.reason = "Kedaluwarsa: atasan tidak memverifikasi sampai batas."
        e.updated_at = now
    ActivityEntry.objects.bulk_update(overdue, _VERIFY_FIELDS)
    approved = [e for e in overdue if e.status == S.APPROVED]
    if approved:
        _bulk_audit(None, instansi, "activities.entry.auto_approve", approved, befores)
    if len(approved) < len(overdue):
        expired = [e for e in overdue if e.status == S.EXPIRED]
        _bulk_audit(None, instansi, "activities.entry.expire", expired, befores)

    # Drafts/returned entries past the window. Window ends from the calendar, set-based.
    open_rows = list(
        # OF self: with the joins, PostgreSQL locked the instansi's row FOR UPDATE too, and every
        # insert of any of the instansi's rows (its key-share lock on that row) waited until the
        # job committed; and every employee with a draft.
        ActivityEntry.objects.select_for_update(of=("self",))
        .filter(instansi=instansi, status__in=[S.DRAFT, S.RETURNED], date__lt=today)
        .select_related("employee", "employee__instansi")
    )
    stale: list[ActivityEntry] = []
    if open_rows:
        employees = {e.employee_id: e.employee for e in open_rows}
        lo = min(e.date for e in open_rows)
        from ekinerja.workcal.selectors import working_days

        cal = working_days(list(employees.values()), lo + dt.timedelta(days=1), today)
        unlocks = set(
            UnlockRequest.objects.filter(
                employee_id__in=list(employees),
                status=UnlockStatus.APPROVED,
                deadline__gte=today,
            ).values_list("employee_id", "date_from", "date_to")
        )
        n = settings.window_working_days
        r = selectors.REVISION_WORKING_DAYS
        zone = zoneinfo.ZoneInfo(instansi.timezone)

        def closed(employee_id: int, day: dt.date, k: int) -> bool:
            # The k-th working day after `day` is already behind us. The calendar runs from the
            # earliest entry's next day to today, so it holds every working day that decides this.
            if k == 0:  # a window of the same day
                return day < today
            after = [d for d in cal.get(employee_id, []) if d > day]
            return len(after) >= k and after[k - 1] < today

        for e in open_rows:
            if not closed(e.employee_id, e.date, n):
                continue
            returned = selectors.returned_on(e, zone)
            if returned is not None and not closed(e.employee_id, returned, r):
                continue  # returned for revision: still within the revision period
            if any(emp == e.employee_id and a <= e.date <= b for emp, a, b in unlocks):
                continue
            stale.append(e)
    befores = {e.pk: snapshot(e) for e in stale}
    for e in stale:
        _transition(e, S.EXPIRED)
        e.reason = "Kedaluwarsa: tidak diajukan dalam batas pengisian."
        e.updated_at = now
    ActivityEntry.objects.bulk_update(stale, _VERIFY_FIELDS)
    if stale:
        _bulk_audit(None, instansi, "activities.entry.expire", stale, befores)
    counts = {"expired_unverified": len(overdue) - len(approved)}
    if auto:
        counts = {"auto_approved": len(approved), **counts}
    return {**counts, "expired_unsubmitted": len(stale)}


# --------------------------------------------------------------------------------------------------
# Unlocks


def _is_admin_opd_for(actor: User, employee: Employee, on: dt.date) -> bool:
    from ekinerja.org.models import Assignment
    from ekinerja.org.selectors import active_on, admin_unit_ids

    if Role.ADMIN_OPD not in user_roles(actor):
        return False
    return Assignment.objects.filter(
        active_on(on), employee=employee, position__unit_id__in=admin_unit_ids(actor)
    ).exists()


@transaction.atomic
def unlock_request_create(
    *, actor: User, employee: Employee, date_from: dt.date, date_to: dt.date, reason: str
) -> UnlockRequest:
    """The employee (or an admin OPD of their unit) asks BKPSDM to reopen a date range. Audited."""
    if actor.instansi_id != employee.instansi_id:
        raise PermissionDenied
    today = local_today(employee.instansi)
    if employee.user_id != actor.id and not _is_admin_opd_for(actor, employee, today):
        raise PermissionDenied(
            "Permohonan buka kunci diajukan oleh pegawai sendiri atau admin OPD unitnya."
        )
    errors = {}
    reason = (reason or "").strip()
    if len(reason) < 10:
        errors["reason"] = "Tuliskan alasan yang jelas (paling sedikit 10 karakter)."
    if date_from is None or date_to is None:
        errors["date_from"] = "Rentang tanggal wajib diisi."
    elif not date_in_range(date_from):
        errors["date_from"] = DATE_OUT_OF_RANGE
    elif not date_in_range(date_to):
        errors["date_to"] = DATE_OUT_OF_RANGE
    elif date_to < date_from:
        errors["date_to"] = "Tanggal akhir tidak boleh sebelum tanggal awal."
    elif date_to > today:
        errors["date_to"] = "Tanggal yang dibuka tidak boleh di masa depan."
    elif (date_to - date_from).days > 62:
        errors["date_to"] = "Rentang paling panjang 2 bulan."
    if errors:
        raise ValidationError(errors)
    # The same request twice (a double click, a resent form) is one request: refused while the first
    # waits. The employee's row lock serialises two concurrent sends.
    lock_employee(employee.pk)
    if UnlockRequest.objects.filter(
        employee=employee, date_from=date_from, date_to=date_to, status=UnlockStatus.PENDING
    ).exists():
        raise ValidationError(
            {
                "date_from": f"Permohonan buka kunci {tanggal(date_from)} s.d. {tanggal(date_to)} "
                "sudah diajukan dan masih menunggu keputusan BKPSDM."
            }
        )
    unlock = UnlockRequest.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        date_from=date_from,
        date_to=date_to,
        reason=reason,
        requested_by=actor,
    )
    audit_record(
        action="activities.unlock.request",
        actor=actor,
        instansi=employee.instansi,
        obj=unlock,
        after=snapshot(unlock),
        reason=reason,
    )
    return unlock


@transaction.atomic
def unlock_request_decide(
    *,
    actor: User,
    unlock: UnlockRequest,
    approve: bool,
    deadline: dt.date | None = None,
    reason: str = "",
) -> UnlockRequest:
    """Only BKPSDM decides. Kominfo and other technical admins cannot open a window, whatever their
    other rights (staff, superuser). An approval states the deadline until which the dates are open."""
    unlock = UnlockRequest.objects.select_for_update().get(pk=unlock.pk)
    if actor.instansi_id != unlock.instansi_id or Role.BKPSDM not in user_roles(actor):
        raise PermissionDenied("Hanya BKPSDM yang dapat memutuskan permohonan buka kunci.")
    if unlock.employee.user_id == actor.id or unlock.requested_by_id == actor.id:
        # Nor one filed on someone's behalf (an admin OPD who also holds BKPSDM).
        raise PermissionDenied("Anda tidak dapat memutuskan permohonan Anda sendiri.")
    if unlock.status != UnlockStatus.PENDING:
        raise ValidationError({"status": "Permohonan ini sudah diputuskan."})
    today = local_today(unlock.instansi)
    reason = (reason or "").strip()
    before = snapshot(unlock)
    if approve:
        if deadline is None:
            raise ValidationError({"deadline": "Tentukan batas waktu buka kunci."})
        if deadline < today:
            raise ValidationError({"deadline": "Batas waktu tidak boleh sebelum hari ini."})
        if (deadline - today).days > 31:
            raise ValidationError({"deadline": "Batas waktu paling lama 31 hari dari hari ini."})
        unlock.status = UnlockStatus.APPROVED
        unlock.deadline = deadline
    else:
        if not reason:
            raise ValidationError({"decision_reason": "Alasan penolakan wajib diisi."})
        unlock.status = UnlockStatus.REJECTED
    unlock.decided_by = actor
    unlock.decided_at = timezone.now()
    unlock.decision_reason = reason
    unlock.save()
    audit_record(
        action="activities.unlock.approve" if approve else "activities.unlock.reject",
        actor=actor,
        instansi=unlock.instansi,
        obj=unlock,
        before=before,
        after=snapshot(unlock),
        reason=reason,
    )
    return unlock


# --------------------------------------------------------------------------------------------------
# Objections (keberatan), decided finally by the superior's superior


#: Why an entry overturned by the tim penilai takes no objection.
OVERTURN_FINAL = (
    "Verifikasi aktivitas ini sudah dibatalkan tim penilai; keputusan tim penilai final dan tidak "
    "dapat diajukan keberatan kepada atasan."
)


@transaction.atomic
def objection_file(*, actor: User, entry: ActivityEntry, reason: str) -> Objection:
    """Object to a rejection or a cut volume within ActivitySettings.objection_days (calendar days
    after the verification). Goes to the superior's superior on the entry's date: the holder above
    the post in which the verifier verified (selectors.objection_decider; for a Plt or Plh, not the
    superior of their own post). Not to an entry whose verification the tim penilai overturned:
    the team's decision is final."""
    # OF self: not the employee's row (filing credits nothing; no other entry is read).
    entry = (
        ActivityEntry.objects.select_for_update(of=("self",))
        .select_related("employee")
        .get(pk=entry.pk)
    )
    if entry.employee.user_id != actor.id:
        raise PermissionDenied("Keberatan hanya dapat diajukan oleh pemilik aktivitas.")
    if Objection.objects.filter(entry=entry).exists():
        raise ValidationError({"reason": "Keberatan untuk aktivitas ini sudah pernah diajukan."})
    if entry.status == S.REJECTED:
        kind = Objection.Kind.REJECTION
    elif entry.status == S.APPROVED and entry.volume_cut:
        kind = Objection.Kind.VOLUME_CUT
    else:
        raise ValidationError(
            {"reason": "Keberatan hanya untuk aktivitas yang ditolak atau dikurangi volumenya."}
        )
    if entry.verified_by_id is None or entry.verified_at is None:
        raise ValidationError({"reason": "Aktivitas ini belum diverifikasi oleh atasan."})
    if ReviewItem.objects.filter(entry=entry, outcome=ReviewOutcome.OVERTURNED).exists():
        # The entry stands as the tim penilai decided, not as its verifier did: an objection names
        # the verifier and goes to their superior, who would undo the team's final decision.
        raise ValidationError({"reason": OVERTURN_FINAL})
    settings = selectors.activity_settings(entry.instansi_id)
    today = local_today(entry.instansi)
    verified_on = timezone.localtime(
        entry.verified_at, timezone=local_now(entry.instansi).tzinfo
    ).date()
    last = verified_on + dt.timedelta(days=settings.objection_days)
    if today > last:
        raise ValidationError(
            {"reason": f"Batas pengajuan keberatan ({tanggal(last)}) sudah lewat."}
        )
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Tuliskan alasan keberatan (paling sedikit 10 karakter)."})
    decider_id = selectors.objection_decider(entry)
    if decider_id is None or decider_id == entry.employee_id:
        raise ValidationError(
            {
                "reason": "Atasan dari atasan Anda tidak ditemukan pada tanggal aktivitas; hubungi BKPSDM."
            }
        )
    objection = Objection.objects.create(
        instansi_id=entry.instansi_id,
        entry=entry,
        kind=kind,
        reason=reason,
        verifier_id=entry.verified_by_id,
        decider_id=decider_id,
    )
    audit_record(
        action="activities.objection.file",
        actor=actor,
        instansi=entry.instansi,
        obj=entry,
        after=snapshot(objection),
        reason=reason,
    )
    return objection


def _as_objected(objection: Objection, entry: ActivityEntry) -> bool:
    """The entry is still in the state the objection is about: rejected, or approved with a cut."""
    if objection.kind == Objection.Kind.REJECTION:
        return entry.status == S.REJECTED
    return entry.status == S.APPROVED and entry.volume_cut


def _decides_for_absent(actor: User, me: Employee, objection: Objection) -> bool:
    """A BKPSDM officer of the objection's instansi decides it when its decider has left
    (selectors.orphaned_objection), unless it is against their own entry or their own verification
    (a kasubag who is also BKPSDM does not judge the objection to their own rejection)."""
    return (
        selectors.orphaned_objection(objection)
        and objection.instansi_id == me.instansi_id
        and objection.verifier_id != me.id
        and Role.BKPSDM in user_roles(actor)
        and ActivityEntry.objects.filter(pk=objection.entry_id).exclude(employee_id=me.id).exists()
    )


@transaction.atomic
def objection_decide(*, actor: User, objection: Objection, grant: bool, reason: str) -> Objection:
    """The superior's superior decides (a BKPSDM officer once they have left:
    `_decides_for_absent`); the decision is final. Granting a rejection objection approves
    the entry at its full volume; granting a cut restores the volume. The decider then stands as the
    entry's verifier (verified_by, verified_at) and the day's approved entries are credited again in
    time order within the daily cap, as verification credits them. An objection is granted only
    while the entry is still as objected to (rejected, or approved with a cut): the entry cannot be
    changed while the objection waits, but a tim penilai overturn may have changed it."""
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("decider", "entry")
        .get(pk=objection.pk)
    )
    me = _employee_of(actor)
    if objection.decider_id != me.id and not _decides_for_absent(actor, me, objection):
        raise PermissionDenied(
            "Keberatan ini diputuskan oleh atasan dari atasan yang memverifikasi."
        )
    if objection.status != ObjectionStatus.PENDING:
        raise ValidationError(
            {"reason": "Keberatan ini sudah diputuskan; keputusan bersifat final."}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Alasan keputusan wajib diisi."})
    # The employee first, then the entry (org.locks): a granted rejection checks that its
    # time is still free (_slot_taken_refusal) and credits the day again; an entry_create of the
    # same time running meanwhile saw the entry still rejected, and the hours counted twice.
    lock_employee(objection.entry.employee_id)
    entry = ActivityEntry.objects.select_for_update(of=("self",)).get(pk=objection.entry_id)
    before = snapshot(entry)
    if grant:
        if not _as_objected(objection, entry):
            raise ValidationError(
                {
                    "status": "Aktivitas ini sudah berubah sejak keberatan diajukan (status "
                    f"sekarang: {entry.get_status_display()}); keberatan tidak dapat dikabulkan. "
                    "Tolak keberatan ini dengan alasannya."
                }
            )
        if entry.status == S.REJECTED:
            taken = _slot_taken_refusal(entry, "keberatan dikabulkan")
            if taken:
                raise ValidationError(
                    {"status": f"{taken} Atau tolak keberatan ini dengan alasannya."}
                )
        _refuse_on_leave(
            entry,
            "status",
            "keberatan atas aktivitas pada hari cuti tidak dapat dikabulkan. Tolak keberatan ini "
            "dengan alasannya.",
        )
        settings = selectors.activity_settings(entry.instansi_id)
        _transition(entry, S.APPROVED)
        entry.approved_volume = None
        entry.verified_by = me
        entry.verified_at = timezone.now()
        entry.auto_verified = False
        entry.reason = f"Keberatan dikabulkan: {reason}"
        entry.save()
        credited = _recredit_days({(entry.employee_id, entry.date)}, settings.daily_cap_minutes)
        entry.credited_minutes = credited.get(entry.pk, entry.credited_minutes)
    objection.status = ObjectionStatus.GRANTED if grant else ObjectionStatus.DENIED
    objection.decided_at = timezone.now()
    objection.decision_reason = reason
    objection.save()
    audit_record(
        action="activities.objection.grant" if grant else "activities.objection.deny",
        actor=actor,
        instansi=entry.instansi,
        obj=entry,
        before=before,
        after=snapshot(entry),
        reason=reason,
    )
    return objection


# --------------------------------------------------------------------------------------------------
# Tim penilai


@transaction.atomic
def review_sample_draw(
    *, actor: User, period: Period, unit: Unit | None = None, size: int | None = None, seed=None
) -> ReviewSample:
    """Draw the month's random sample of verified entries for a tim penilai scope (once per scope and
    month; audited with the drawn entry ids)."""
    roles = user_roles(actor)
    if Role.TIM_PENILAI not in roles:
        raise PermissionDenied("Hanya tim penilai yang dapat mengambil sampel.")
    scope = selectors.tim_penilai_unit_ids(actor)
    if unit is not None and unit.instansi_id != actor.instansi_id:
        raise PermissionDenied
    if scope is not None and (unit is None or unit.pk not in scope):
        raise PermissionDenied("Unit ini di luar cakupan tim penilai Anda.")
    existing = ReviewSample.objects.filter(
        instansi_id=actor.instansi_id, period=str(period), unit=unit
    ).first()
    if existing is not None:
        return existing
    settings = selectors.activity_settings(actor.instansi_id)
    size = size or settings.review_sample_size
    if not 1 <= size <= 500:
        raise ValidationError({"size": "Ukuran sampel antara 1 dan 500."})
    qs = ActivityEntry.objects.filter(
        instansi_id=actor.instansi_id,
        status__in=[S.APPROVED, S.REJECTED],
        date__gte=period.first_day,
        date__lte=period.last_day,
    )
    if unit is not None:
        from ekinerja.org.models import Assignment
        from ekinerja.org.selectors import unit_descendant_ids

        # Entries of the days the employee's definitif post lay in the unit, as review_decide
        # (selectors.tim_penilai_covers) decides: someone who moved in mid-month brought the days
        # before into the sample, which the team saw but could not review.
        in_unit = Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=OuterRef("date")),
            employee_id=OuterRef("employee_id"),
            kind=Assignment.Kind.DEFINITIF,
            position__unit_id__in=unit_descendant_ids(unit),
            start__lte=OuterRef("date"),
        )
        qs = qs.filter(Exists(in_unit))
    ids = list(qs.values_list("pk", flat=True))
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    picked = sorted(rng.sample(ids, min(size, len(ids))))
    sample = ReviewSample.objects.create(
        instansi_id=actor.instansi_id, period=str(period), unit=unit, drawn_by=actor, size=size
    )
    ReviewItem.objects.bulk_create(
        [ReviewItem(instansi_id=actor.instansi_id, sample=sample, entry_id=i) for i in picked]
    )
    audit_record(
        action="activities.review.draw",
        actor=actor,
        instansi=actor.instansi,
        obj=sample,
        after={"period": str(period), "unit": unit.pk if unit else None, "entries": picked},
    )
    return sample


def review_conflict(actor: User, me: Employee | None, entry: ActivityEntry) -> str:
    """Why `actor` may not review `entry` ("" when they may): nobody judges their own entry, nor
    the verification they made themselves (a superior who also sits on the tim penilai), as nobody
    decides the objection to their own verification. Another member of the team reviews it.
    `me`: the actor's employee record (None without one). No query."""
    if entry.employee.user_id == actor.id:
        return "Anda tidak dapat menilai aktivitas Anda sendiri; diperiksa anggota tim lain."
    if me is not None and entry.verified_by_id == me.pk:
        return (
            "Anda sendiri yang memverifikasi aktivitas ini; pemeriksaannya oleh anggota tim "
            "penilai lain."
        )
    return ""


@transaction.atomic
def review_decide(*, actor: User, item: ReviewItem, outcome: str, reason: str = "") -> ReviewItem:
    """The tim penilai marks a sampled entry as fine, flags it, or overturns the verification
    (approved -> rejected, rejected -> approved). Flags and overturns need a reason; overturns are
    audited and the employee sees the reason on the entry."""
    # OF self: joined, the sample's row and the entry's were locked too (the entry before its
    # employee: against the one order below).
    item = (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("sample", "entry")
        .get(pk=item.pk)
    )
    if Role.TIM_PENILAI not in user_roles(actor) or actor.instansi_id != item.instansi_id:
        raise PermissionDenied("Hanya tim penilai yang dapat memeriksa sampel.")
    # The employee first, then the entry: an overturned rejection checks that its time is still
    # free and credits the day again (see objection_decide).
    lock_employee(item.entry.employee_id)
    entry = (
        ActivityEntry.objects.select_for_update(of=("self",))
        .select_related("employee")
        .get(pk=item.entry_id)
    )
    if not selectors.tim_penilai_covers(actor, entry):
        raise PermissionDenied("Aktivitas ini di luar cakupan tim penilai Anda.")
    # In the team's scope, so the sample shows it: said on the item, not as a missing page.
    refusal = review_conflict(actor, employee_for_user(actor), entry)
    if refusal:
        raise ValidationError({"outcome": refusal})
    if item.outcome == ReviewOutcome.OVERTURNED:
        raise ValidationError({"outcome": "Aktivitas ini sudah dibatalkan; keputusan final."})
    reason = (reason or "").strip()
    if outcome not in (ReviewOutcome.OK, ReviewOutcome.FLAGGED, ReviewOutcome.OVERTURNED):
        raise ValidationError({"outcome": "Hasil pemeriksaan tidak dikenal."})
    if outcome != ReviewOutcome.OK and not reason:
        raise ValidationError({"reason": "Alasan wajib diisi."})
    before = snapshot(entry)
    if outcome == ReviewOutcome.OVERTURNED:
        if entry.status == S.APPROVED:
            _transition(entry, S.REJECTED)
            entry.credited_minutes = 0
        elif entry.status == S.REJECTED:
            taken = _slot_taken_refusal(entry, "penolakannya dibatalkan")
            if taken:
                raise ValidationError({"outcome": taken})
            _refuse_on_leave(
                entry, "outcome", "penolakan aktivitas pada hari cuti tidak dapat dibatalkan."
            )
            _transition(entry, S.APPROVED)
        else:
            raise ValidationError({"outcome": "Aktivitas ini tidak lagi berstatus terverifikasi."})
        entry.reason = f"Dibatalkan tim penilai: {reason}"
        entry.save()
        # The day's approved entries changed: credited again in time order within the cap (the
        # overturned entry's minutes go to the others, or it takes its share).
        settings = selectors.activity_settings(entry.instansi_id)
        credited = _recredit_days({(entry.employee_id, entry.date)}, settings.daily_cap_minutes)
        entry.credited_minutes = credited.get(entry.pk, entry.credited_minutes)
    item.outcome = outcome
    item.reason = reason
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.save()
    audit_record(
        action=f"activities.review.{outcome}",
        actor=actor,
        instansi=entry.instansi,
        obj=entry,
        before=before,
        after=snapshot(entry),
        reason=reason,
    )
    return item


# --------------------------------------------------------------------------------------------------
# API tokens


TOKEN_DAYS = 90
#: How stale a token's `last_used_at` may get before a request writes it again: at most one write per
#: token in that time, not one per request of the busiest routes (api.auth.TokenAuth).
TOKEN_TOUCH_EVERY = dt.timedelta(minutes=5)


@transaction.atomic
def api_token_issue(*, actor: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for the mobile app; the raw token is returned once and never stored."""
    if not actor.is_authenticated or actor.instansi_id is None:
        raise PermissionDenied("Akun ini tidak terhubung ke instansi.")
    raw = "ek_" + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        instansi_id=actor.instansi_id,
        user=actor,
        name=(name or "")[:80],
        key_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        expires_at=now + dt.timedelta(days=TOKEN_DAYS),
        # The login is the phone's first use: its first requests write nothing (TOKEN_TOUCH_EVERY).
        last_used_at=now,
    )
    audit_record(
        action="auth.api_token.issue",
        actor=actor,
        instansi=actor.instansi,
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, raw


def api_token_touch(*, token_id: int, last_used_at: dt.datetime | None, now: dt.datetime) -> None:
    """Record that the token was used now, when its `last_used_at` is older than TOKEN_TOUCH_EVERY
    (or unknown): one UPDATE at most every five minutes per token, none on the other requests. The
    condition is repeated in the UPDATE so that concurrent requests of one phone write once. Not
    audited: it is a reading aid for the owner's device list, not a decision."""
    if last_used_at is not None and now - last_used_at < TOKEN_TOUCH_EVERY:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_TOUCH_EVERY), pk=token_id
    ).update(last_used_at=now)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """The owner ends one of their tokens (the app's logout, or a lost phone from the account page
    or the API): it answers 401 from then on; the account's other tokens stay valid."""
    if token.user_id != actor.id:
        raise PermissionDenied
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        action="auth.api_token.revoke",
        actor=actor,
        instansi=actor.instansi,
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )


@transaction.atomic
def api_token_revoke_for(*, actor: User, employee: Employee, token_ids: Iterable[int]) -> int:
    """An officer ends tokens of an employee's account (a phone lost or handed on): who may is who
    may reset that account's password (org.services.account_manage_check: BKPSDM for its instansi,
    an admin OPD for its units' accounts without a role; nobody for their own, the account page is
    for that, or across instansi). Unlike a password reset, the officer learns nothing that lets
    them act as the employee, so the privileged-role rule of account_reset_refusal does not apply.
    Only the account's live tokens are ended (another's id is ignored); one audit event per token,
    `auth.api_token.revoke_officer`. Returns how many were ended."""
    from ekinerja.org.services import account_manage_check

    if employee.instansi_id != actor.instansi_id or employee.user_id is None:
        raise PermissionDenied("Pegawai instansi lain.")
    account_manage_check(actor, [employee])
    tokens = list(
        ApiToken.objects.select_for_update().filter(
            pk__in=sorted(set(token_ids)),
            user_id=employee.user_id,
            instansi_id=actor.instansi_id,
            revoked=False,
            expires_at__gt=timezone.now(),
        )
    )
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked=True)
    AuditEvent.objects.bulk_create(
        [
            audit_row(
                action="auth.api_token.revoke_officer",
                actor=actor,
                instansi=actor.instansi,
                obj=t,
                after={"name": t.name, "prefix": t.prefix, "employee": employee.pk},
            )
            for t in tokens
        ]
    )
    return len(tokens)


# --------------------------------------------------------------------------------------------------
# Spreadsheet imports: row by row through the same validation, all or nothing


class _Refused(Exception):
    """Raised inside the import transaction to roll every row back when one was refused."""


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _catalog_kelas(value, label: str, empty: int) -> int:
    """A class cell of the catalog sheet: `empty` when blank, else a whole number (its range is
    catalog_item_errors' check). 3,5 was cut to 3 and a 0 read as blank (a kelas_max of 0 became
    17: the item open to every class)."""
    from . import xlsx

    if xlsx.cell_text(value) == "":
        return empty
    number = xlsx.cell_decimal(value, label)
    if number != number.to_integral_value():
        raise ValueError(f"{label} harus bilangan bulat; diisi {xlsx.cell_text(value)}.")
    return int(number)


def _catalog_row(
    v: dict, instansi: Instansi, units: dict, existing: dict, seen: set[str]
) -> tuple[ActivityCatalogItem, list[Unit], dict | None]:
    """One catalog sheet row read into its item (the stored one of its code, changed in memory, or a
    new one), its units and the stored item's audit snapshot before the change (None for a new
    item). ValueError with the row's message for a cell that cannot be read. No query."""
    from . import xlsx

    code = xlsx.cell_text(v["kode"])
    if not code:
        raise ValueError("Kode wajib diisi.")
    if code in seen:
        raise ValueError(f"Kode {code} muncul lebih dari sekali.")
    seen.add(code)
    unit_codes = [c.strip() for c in xlsx.cell_text(v["unit"]).split(",") if c.strip()]
    unknown = [c for c in unit_codes if c not in units]
    if unknown:
        raise ValueError("Unit tidak dikenal: " + ", ".join(unknown) + ".")
    stored = existing.get(code)
    before = None
    if stored is not None:
        before = {**snapshot(stored), "units": sorted(u.pk for u in stored.units.all())}
    # A copy: a row refused half-way leaves the stored item as it was.
    item = copy.copy(stored) if stored else ActivityCatalogItem(instansi=instansi, code=code)
    item.name = xlsx.cell_text(v["nama"])
    item.output_unit = xlsx.cell_text(v["satuan"])
    minutes = xlsx.cell_decimal(v["menit"], "Menit")
    if minutes != minutes.to_integral_value():
        raise ValueError("Menit harus bilangan bulat.")
    item.standard_minutes = int(minutes)
    item.for_struktural = xlsx.cell_bool(v["struktural"], "Struktural")
    item.for_fungsional = xlsx.cell_bool(v["fungsional"], "Fungsional")
    item.for_pelaksana = xlsx.cell_bool(v["pelaksana"], "Pelaksana")
    # An empty cell is the full range; a 0 is refused (it read as empty: 1 or 17).
    item.kelas_min = _catalog_kelas(v["kelas_min"], "Kelas minimal", 1)
    item.kelas_max = _catalog_kelas(v["kelas_max"], "Kelas maksimal", 17)
    item.active_from = xlsx.cell_date(v["berlaku_mulai"], "Berlaku mulai")
    item.active_to = (
        xlsx.cell_date(v["berlaku_sampai"], "Berlaku sampai")
        if xlsx.cell_text(v["berlaku_sampai"])
        else None
    )
    return item, [units[c] for c in unit_codes], before


#: What a catalog sheet row writes of a stored item (its instansi and code stay).
_CATALOG_SHEET_FIELDS = [
    "name",
    "output_unit",
    "standard_minutes",
    "for_struktural",
    "for_fungsional",
    "for_pelaksana",
    "kelas_min",
    "kelas_max",
    "active_from",
    "active_to",
]


def catalog_import(*, actor: User | None, instansi: Instansi, upload, confirm: bool = False):
    """Create or update catalog items from the catalog sheet (by code). Every refused row is listed and
    nothing is saved unless every row is valid.

    Every row is read and checked first, by catalog_item_save's rules (catalog_items_errors: each
    item against the catalog as it will be once the sheet is saved), then everything is written in
    bulk: a fixed number of queries whatever the number of rows (on SQLite one more per 999 bound
    parameters), one audit event per row as catalog_item_save writes it. 2,000 items took 19-24 s
    row by row (about 8 queries each); 1-3 s now, most of it reading the xlsx.

    A stored item whose new validity leaves out the dates of its entries not verified yet is
    refused on its row (catalog_stranded, stranded_errors) unless BKPSDM confirms (`confirm`), as
    catalog_item_save does; `result.stranded` tells the page to offer the confirmation."""
    from . import xlsx

    _check_catalog_manager(actor, instansi.pk)
    rows = xlsx.read_rows(upload, xlsx.CATALOG_COLUMNS)
    result = xlsx.ImportResult()
    units = {u.code: u for u in Unit.objects.filter(instansi=instansi)}
    existing = {
        i.code: i
        for i in ActivityCatalogItem.objects.filter(instansi=instansi).prefetch_related("units")
    }
    seen: set[str] = set()
    errors: dict[int, list[str]] = {}
    parsed: list[tuple[int, ActivityCatalogItem, list[Unit], dict | None]] = []
    for number, v in rows:
        try:
            parsed.append((number, *_catalog_row(v, instansi, units, existing, seen)))
        except ValueError as exc:
            errors[number] = [str(exc)]
    checked = catalog_items_errors([item for _n, item, _u, _b in parsed])
    for (number, item, _units, _before), found in zip(parsed, checked, strict=True):
        if not found:
            try:
                # The rules above cover the constraints (code, minutes, classes, dates); this adds
                # the fields' own (lengths, types) without a query per row (the instansi is the
                # importer's own: its foreign key check would read it once per row).
                item.full_clean(
                    exclude=["units", "instansi"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                found = exc.message_dict
        if found:
            errors[number] = _messages(ValidationError(found))
    stranded = {} if errors else _catalog_sheet_stranded(instansi.pk, parsed)
    if not confirm:
        # A new validity leaving out entries not verified yet: BKPSDM is told and confirms.
        for number, item, _units, _before in parsed:
            if item.pk in stranded:
                errors[number] = list(stranded_errors(item, stranded[item.pk]).values())
                # Only such a row offers "Tetap simpan" (a plain date error offered it too).
                result.stranded = True
    if errors:
        result.errors = [xlsx.RowError(n, msgs) for n, msgs in sorted(errors.items())]
        return result
    with transaction.atomic():
        _catalog_write(actor, instansi, parsed, stranded)
    result.created = sum(1 for _n, _i, _u, before in parsed if before is None)
    result.updated = len(parsed) - result.created
    return result


def _rows_update(objs: list, fields: list[str]) -> None:
    """Writes `fields` of many rows of one model: UPDATE ... FROM (VALUES (pk, value...), ...) in
    one statement (PostgreSQL) or one per 999 parameters (SQLite). Django's bulk_update builds a
    CASE per field and row: 2,000 catalog items took 6-14 s of Python to compile."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"

    def slot(field) -> str:
        # PostgreSQL types VALUES from their text; SQLite stores what it is given.
        return f"CAST(%s AS {field.cast_db_type(connection)})" if postgres else "%s"

    row = "(" + ", ".join([slot(meta.pk), *(slot(f) for f in columns)]) + ")"
    per = (connection.features.max_query_params or 60000) // (len(columns) + 1)
    assignments = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(columns, start=2))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per):
            chunk = objs[start : start + per]
            params = []
            for obj in chunk:
                params.append(meta.pk.get_db_prep_value(obj.pk, connection))
                params += [
                    f.get_db_prep_value(getattr(obj, f.attname), connection) for f in columns
                ]
            # Only quoted identifiers of the model and placeholders go into the text.
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
                f"WHERE {qn(meta.db_table)}.{qn(meta.pk.column)} = v.column1",
                params,
            )


def _catalog_write(
    actor: User | None, instansi: Instansi, parsed: list, stranded: dict[int, Stranded]
) -> None:
    """Writes checked catalog rows in bulk: new items inserted, stored ones updated, the unit
    limits of the items whose limit changed replaced, and one audit event per row (what
    catalog_item_save records: the row before and after, with its units)."""
    through = ActivityCatalogItem.units.through
    new = [item for _n, item, _u, before in parsed if before is None]
    ActivityCatalogItem.objects.bulk_create(new)
    # Only the rows that change something: a whole catalog sent back with a few changes updates a
    # few.
    _rows_update(
        [
            item
            for _n, item, _u, before in parsed
            if before is not None
            and snapshot(item, _CATALOG_SHEET_FIELDS)
            != {f: before[f] for f in _CATALOG_SHEET_FIELDS}
        ],
        _CATALOG_SHEET_FIELDS,
    )
    relimited = [
        (item, chosen)
        for _n, item, chosen, before in parsed
        if before is None or before["units"] != sorted(u.pk for u in chosen)
    ]
    created = {item.pk for item in new}
    changed_ids = [item.pk for item, _c in relimited if item.pk not in created]
    if changed_ids:
        through.objects.filter(activitycatalogitem_id__in=changed_ids).delete()
    through.objects.bulk_create(
        [
            through(activitycatalogitem_id=item.pk, unit_id=unit.pk)
            for item, chosen in relimited
            for unit in chosen
        ]
    )
    AuditEvent.objects.bulk_create(
        [
            audit_row(
                action="activities.catalog.update" if before else "activities.catalog.create",
                actor=actor,
                instansi=instansi,
                obj=item,
                before=before,
                after={**snapshot(item), "units": sorted(u.pk for u in chosen)},
                reason=(
                    f"Tetap disimpan: {stranded[item.pk].count} aktivitas belum diverifikasi di "
                    "luar masa berlaku."
                    if item.pk in stranded
                    else ""
                ),
            )
            for _n, item, chosen, before in parsed
        ]
    )


def _skp_result_by_number(
    employee: Employee, year: int, number: str, cache: dict[int, list[int]]
) -> int | None:
    """The id of result number `number` (1, 2...) of the employee's agreed SKP of the year, as the
    template's sheet 'skp' numbers them; None for an empty cell. One query per year."""
    if not number:
        return None
    if year not in cache:
        cache[year] = list(results_for_employee(employee, year).values_list("pk", flat=True))
    ids = cache[year]
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= len(ids):
        raise ValueError(
            f"Hasil kerja SKP nomor '{number}' tidak ada pada SKP {year} Anda yang disetujui "
            "(lihat lembar 'skp')."
        )
    return ids[int(number) - 1]


def entries_import(*, actor: User, upload, submit: bool = False):
    """Import the bulk-entry sheet: each row through entry_create (window, overlap with existing entries
    and with earlier rows, catalog, cap warnings). Every refused row is listed; nothing is saved
    unless every row is valid."""
    from . import xlsx

    employee = _employee_of(actor)
    rows = xlsx.read_rows(
        upload, xlsx.ENTRY_COLUMNS, sheet="aktivitas", optional=xlsx.ENTRY_OPTIONAL_COLUMNS
    )
    result = xlsx.ImportResult()
    skp_by_year: dict[int, list[int]] = {}  # year -> result ids in the order of the sheet 'skp'

    items = {
        i.code: i for i in ActivityCatalogItem.objects.filter(instansi_id=employee.instansi_id)
    }
    warnings: list[str] = []
    try:
        with transaction.atomic():
            for number, v in rows:
                try:
                    day = xlsx.cell_date(v["tanggal"], "Tanggal")
                    start = xlsx.cell_time(v["mulai"], "Jam mulai")
                    end = xlsx.cell_time(v["selesai"], "Jam selesai")
                    code = xlsx.cell_text(v["kode_aktivitas"])
                    if code not in items:
                        raise ValueError(f"Kode aktivitas '{code}' tidak ada di katalog.")
                    volume = xlsx.cell_decimal(v["volume"], "Volume")
                    skp_result = _skp_result_by_number(
                        employee, day.year, xlsx.cell_text(v["hasil_skp"]), skp_by_year
                    )
                    with transaction.atomic():
                        res = entry_create(
                            actor=actor,
                            employee=employee,
                            date=day,
                            start_time=start,
                            end_time=end,
                            item=items[code],
                            volume=volume,
                            description=xlsx.cell_text(v["uraian"]),
                            submit=submit,
                            skp_result=skp_result,
                        )
                    warnings.extend(f"Baris {number}: {w}" for w in res.warnings)
                    result.created += 1
                except ValueError as exc:
                    result.errors.append(xlsx.RowError(number, [str(exc)]))
                except ValidationError as exc:
                    result.errors.append(xlsx.RowError(number, _messages(exc)))
            if result.errors:
                raise _Refused
    except _Refused:
        result.created = 0
    result.warnings = warnings
    return result
