"""Kaji tiru: handing a Pemda's rules (policy, activity catalog, schedules, regional holidays) to another.

`exchange_export` writes the chosen parts of an instansi as an `ekinerja/1` document;
`exchange_import` takes such a document into a (usually different) instansi: policies arrive as
drafts for BKPSDM to review and adopt, catalog items are added or updated by code under the
catalog's own rules (entries keep the minutes they were made with), schedules and holidays are
added when their code/date is new (the stored attendance of a new holiday's date derived again).
Nothing is half-imported: the document is read strictly first, then checked and written in one
transaction and audited.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from ekinerja.activities.models import ActivityCatalogItem
from ekinerja.activities.selectors import calendar_changed
from ekinerja.activities.services import catalog_item_tidy, catalog_items_errors
from ekinerja.core.audit import audit_record, audit_records, snapshot
from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import tanggal
from ekinerja.org.models import Role
from ekinerja.org.selectors import user_roles
from ekinerja.tpp.models import Policy
from ekinerja.tpp.policy import PolicyError, policy_from_dict, policy_to_dict
from ekinerja.workcal import signals
from ekinerja.workcal.models import Holiday, ScheduleDay, Shift, WorkSchedule
from ekinerja.workcal.services import holiday_errors, holiday_tidy, schedule_problems

from .document import FORMAT, TOP_REQUIRED, WEEKDAYS, Document

PARTS = ("policy", "catalog", "schedules", "holidays")


def _hm(t: dt.time) -> str:
    return t.strftime("%H:%M")


def _policy_out(data: dict) -> dict:
    """An adopted policy as the format writes it: normalised (money as integers, leave-type flags in
    full) and with every field the format requires; a policy without a health-insurance share says
    so as 0%."""
    out = policy_to_dict(policy_from_dict(data))
    out.setdefault("health_insurance", {"employee_pct": 0})
    return out


def _national_flags(instansi: Instansi) -> dict[str, bool]:
    """Each schedule's choice of following the national calendar, by code (one query)."""
    return dict(
        WorkSchedule.objects.filter(instansi=instansi).values_list("code", "use_national_holidays")
    )


def _national_choice(flags: dict[str, bool]) -> bool:
    """The document's one `use_national_holidays`: the instansi's schedules follow the national
    calendar unless every one of them opts out."""
    return any(flags.values()) if flags else True


def exchange_export(*, instansi: Instansi, parts: tuple[str, ...] = PARTS) -> dict:
    """A complete `ekinerja/1` document (it reads back under `scenario run`'s strict reader): the
    chosen parts filled in, every other part of the format present and empty."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(
            f"Bagian tidak dikenal: {', '.join(sorted(unknown))}; pilih dari {', '.join(PARTS)}."
        )
    doc: dict = {key: [] for key in TOP_REQUIRED}
    doc["format"] = FORMAT
    doc["instansi"] = {
        "code": instansi.code,
        "name": instansi.name,
        "timezone": instansi.timezone,
    }
    doc["use_national_holidays"] = _national_choice(_national_flags(instansi))
    if "policy" in parts:
        doc["policies"] = [
            _policy_out(p.data)
            for p in Policy.objects.filter(
                instansi=instansi, status=Policy.Status.ADOPTED
            ).order_by("effective_from")
        ]
    if "catalog" in parts:
        # The items still in use: open-ended, or ending today or later (a programme's activity
        # valid to the end of 2027 was left out). The format has no end date: the receiver gets
        # them open-ended and ends them itself (docs/exchange-format.md).
        today = local_today(instansi)
        doc["activity_catalog"] = [
            {"code": c.code, "name": c.name, "output": c.output_unit, "minutes": c.standard_minutes}
            for c in ActivityCatalogItem.objects.filter(instansi=instansi)
            .filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
            .order_by("code")
        ]
    if "schedules" in parts:
        schedules = list(WorkSchedule.objects.filter(instansi=instansi).order_by("code"))
        days = ScheduleDay.objects.filter(instansi=instansi, variant__isnull=True).order_by(
            "weekday"
        )
        shifts = Shift.objects.filter(instansi=instansi).order_by("code")
        by_sched_days: dict[int, dict] = {}
        for d in days:
            by_sched_days.setdefault(d.schedule_id, {})[WEEKDAYS[d.weekday]] = [
                _hm(d.start),
                _hm(d.end),
            ]
        by_sched_shifts: dict[int, dict] = {}
        for s in shifts:
            by_sched_shifts.setdefault(s.schedule_id, {})[s.code] = [_hm(s.start), _hm(s.end)]
        doc["schedules"] = [
            {"code": s.code, "kind": "fixed", "days": by_sched_days.get(s.id, {})}
            if s.kind == WorkSchedule.Kind.FIXED
            else {"code": s.code, "kind": "shift", "shifts": by_sched_shifts.get(s.id, {})}
            for s in schedules
        ]
    if "holidays" in parts:
        doc["holidays"] = [
            {"date": h.date.isoformat(), "name": h.name, "kind": h.kind}
            for h in Holiday.objects.filter(
                instansi=instansi, source=Holiday.Source.MANUAL, is_active=True
            ).order_by("date")
        ]
    return doc


def exchange_export_notes(*, instansi: Instansi, parts: tuple[str, ...] = PARTS) -> list[str]:
    """What an export cannot carry, said to whoever exports (the command writes it to stderr): the
    format keeps one `use_national_holidays` for all its schedules, so the schedules that choose
    otherwise are named; and it has no end date, so the catalog items that end are named (the
    receiver gets them open-ended). Two queries at most."""
    notes: list[str] = []
    if "schedules" in parts:
        flags = _national_flags(instansi)
        chosen = _national_choice(flags)
        odd = sorted(code for code, flag in flags.items() if flag != chosen)
        if odd:
            notes.append(
                "format ekinerja/1 menyimpan satu pilihan libur nasional untuk semua jadwal "
                f"(di berkas: {'ikut' if chosen else 'tidak ikut'} libur nasional); jadwal "
                f"{', '.join(odd)} memilih sebaliknya: atur lagi di instansi penerima"
            )
    if "catalog" in parts:
        ending = ActivityCatalogItem.objects.filter(
            instansi=instansi, active_to__gte=local_today(instansi)
        ).order_by("code")
        for item in ending:
            notes.append(
                f"butir {item.code} berlaku sampai {tanggal(item.active_to)}; format tidak "
                "menyimpan tanggal akhir: di instansi penerima butir ini berlaku tanpa batas"
            )
    return notes


@dataclass
class ImportSummary:
    policies: int = 0
    catalog_added: int = 0
    catalog_updated: int = 0
    schedules_added: int = 0
    holidays_added: int = 0
    skipped: list[str] = field(default_factory=list)


#: The catalog fields as the format names them (the rest cannot come from a file).
CATALOG_FIELDS = {
    "code": "code",
    "name": "name",
    "output_unit": "output",
    "standard_minutes": "minutes",
}


def _import_actor_check(actor: User | None, instansi: Instansi) -> None:
    """Who may import: the services whose rows the import writes admit BKPSDM of the instansi
    (tpp.services.policy_save, activities.services.catalog_item_save, the holiday services) or the
    system (actor None: `ekinerja exchange import`); the installation's superuser, whom the holiday
    services also admit, may write neither policies nor catalog items."""
    if actor is None:
        return
    if actor.instansi_id != instansi.id or Role.BKPSDM not in user_roles(actor):
        raise PermissionDenied("Hanya BKPSDM instansi ini yang dapat mengimpor aturan Pemda lain.")


#: Problems of a document the receiving instansi refuses: {"$.path": [messages]}.
Refused = dict[str, list[str]]


def _catalog_changes(
    instansi: Instansi, doc: Document, today: dt.date, refused: Refused
) -> tuple[list[ActivityCatalogItem], list[ActivityCatalogItem], dict[int, dict]]:
    """The catalog items the document adds (new codes, valid from `today`) and the stored ones it
    changes (name, output, minutes), checked by the catalog's own rules
    (activities.services.catalog_items_errors: minutes 1-1440, a code not taken, no other item of
    the same name on the same days). Each refusal goes into `refused` under the item's path in the
    document, its message naming the item's code."""
    existing = {c.code: c for c in ActivityCatalogItem.objects.filter(instansi=instansi)}
    new_items, changed, where = [], [], []
    befores: dict[int, dict] = {}
    for i, c in enumerate(doc.activity_catalog):
        wanted = ActivityCatalogItem(
            instansi=instansi,
            code=c.code,
            name=c.name,
            output_unit=c.output,
            standard_minutes=c.minutes,
            active_from=today,
        )
        catalog_item_tidy(wanted)
        item = existing.get(wanted.code)
        if item is None:
            new_items.append(wanted)
            where.append((i, wanted))
            continue
        if item.active_to is not None and item.active_to < today:
            # The code is the receiver's record of what its entries meant while the item was in
            # use: another Pemda's activity under it would rewrite that history, and an ended
            # item stays unusable anyway (it used to be rewritten and counted as changed).
            refused.setdefault(f"$.activity_catalog[{i}].code", []).append(
                f"butir {item.code}: kode ini dipakai butir '{item.name}' yang sudah berakhir "
                f"{tanggal(item.active_to)} di instansi ini; ganti kodenya di berkas, atau "
                "berlakukan lagi butir itu di katalog lalu impor ulang"
            )
            continue
        values = (wanted.name, wanted.output_unit, wanted.standard_minutes)
        if (item.name, item.output_unit, item.standard_minutes) != values:
            befores[item.pk] = snapshot(item)
            item.name, item.output_unit, item.standard_minutes = values
            changed.append(item)
            where.append((i, item))
    for (i, item), errors in zip(
        where, catalog_items_errors([item for _i, item in where]), strict=True
    ):
        for name, message in errors.items():
            path = f"$.activity_catalog[{i}]"
            if name in CATALOG_FIELDS:
                path += f".{CATALOG_FIELDS[name]}"
            refused.setdefault(path, []).append(f"butir {item.code or '(tanpa kode)'}: {message}")
    return new_items, changed, befores


def _schedule_rows(
    instansi: Instansi, doc: Document, refused: Refused, skipped: list[str]
) -> tuple[list[WorkSchedule], list[ScheduleDay], list[Shift]]:
    """The schedules the document adds (codes the instansi does not have; one query), their days
    and shifts, checked by schedule_define's own rules (workcal.services.schedule_problems: a fixed
    schedule with a working day, code lengths, shift codes...), the code without surrounding spaces
    as it stores it. What the reader already refuses (hours, a start equal to the end, a code
    listed twice as written) is not checked again; two codes that are one once trimmed are. Each
    refusal goes into `refused` under its path in the document."""
    have = set(WorkSchedule.objects.filter(instansi=instansi).values_list("code", flat=True))
    schedules: list[WorkSchedule] = []
    days: list[ScheduleDay] = []
    shifts: list[Shift] = []
    first: dict[str, str] = {}
    for i, s in enumerate(doc.schedules):
        p, code = f"$.schedules[{i}]", s.code.strip()
        problems = schedule_problems(
            code=code, name=code, kind=s.kind, days=s.days, shifts=s.shifts
        )
        for name, key, message in problems:
            # The name is the code (schedule_problems then reports the code's limit only).
            path = f"{p}.code" if name == "name" else f"{p}.{name}"
            if name == "days" and key in range(7):
                path += f".{WEEKDAYS[key]}"
            elif name == "shifts" and key is not None:
                path += f".{key}"
            refused.setdefault(path, []).append(f"jadwal {code}: {message}")
        if code in first:
            refused.setdefault(f"{p}.code", []).append(
                f"kode jadwal '{code}' tercantum dua kali (pertama di {first[code]})"
            )
            continue
        first[code] = f"{p}.code"
        if problems:
            continue
        if code in have:
            skipped.append(f"jadwal {code} sudah ada")
            continue
        # The format keeps one choice for all its schedules (`use_national_holidays`): an imported
        # schedule follows it (it used to take the model's default, so a puskesmas schedule that
        # works on national holidays arrived with them off).
        schedule = WorkSchedule(
            instansi=instansi,
            code=code,
            name=code,
            kind=s.kind,
            use_national_holidays=doc.use_national_holidays,
        )
        schedules.append(schedule)
        days += [
            ScheduleDay(instansi=instansi, schedule=schedule, weekday=wd, start=a, end=b)
            for wd, (a, b) in s.days.items()
        ]
        shifts += [
            Shift(instansi=instansi, schedule=schedule, code=sc, name=sc, start=a, end=b)
            for sc, (a, b) in s.shifts.items()
        ]
    return schedules, days, shifts


def _holiday_rows(
    instansi: Instansi, doc: Document, refused: Refused, skipped: list[str]
) -> list[Holiday]:
    """The holidays the document adds (a date and name the instansi does not have, removed ones
    included; one query), checked by the holiday services' own rules
    (workcal.services.holiday_errors: a name that fits its column...), the name trimmed as they
    store it. The reader already refuses a date out of range or an empty name and maps the kind;
    a (date, name) listed twice, which the services refuse and the table's unique key would, is
    refused here. One the instansi has is listed in `skipped`, saying when BKPSDM had removed it
    (an import never brings back a holiday they removed)."""
    known = {
        (day, name): active
        for day, name, active in Holiday.objects.filter(instansi=instansi).values_list(
            "date", "name", "is_active"
        )
    }
    rows: list[Holiday] = []
    first: dict[tuple[dt.date, str], str] = {}
    for i, h in enumerate(doc.holidays):
        p = f"$.holidays[{i}]"
        holiday = Holiday(
            instansi=instansi, date=h.date, name=h.name, kind=h.kind, source=Holiday.Source.MANUAL
        )
        holiday_tidy(holiday)
        errors = holiday_errors(holiday)
        for name, message in errors.items():
            refused.setdefault(f"{p}.{name}", []).append(f"libur {h.date.isoformat()}: {message}")
        key = (holiday.date, holiday.name)
        if key in first:
            refused.setdefault(f"{p}.name", []).append(
                f"libur {h.date.isoformat()}: hari libur '{holiday.name}' pada "
                f"{tanggal(holiday.date)} tercantum dua kali (pertama di {first[key]})"
            )
            continue
        first[key] = p
        if errors:
            continue
        if key not in known:
            rows.append(holiday)
        elif known[key]:
            skipped.append(f"libur {h.date.isoformat()} '{holiday.name}' sudah ada")
        else:
            skipped.append(
                f"libur {h.date.isoformat()} '{holiday.name}' pernah dihapus di instansi ini; "
                "tidak ditambahkan lagi (tambahkan lewat halaman hari libur bila memang berlaku)"
            )
    return rows


def _policy_key(data) -> str | None:
    """A policy as its normalised document (what policy_save stores), to know one already held;
    None for stored data that no longer reads (an old draft)."""
    try:
        return json.dumps(policy_to_dict(policy_from_dict(data)), sort_keys=True)
    except PolicyError:
        return None


def _new_policies(instansi: Instansi, doc: Document, skipped: list[str]) -> list[tuple]:
    """The document's policies the instansi does not hold yet as a draft or an adopted version
    (same figures, name and date; one query): importing the same file twice makes no second set of
    identical drafts. Each one left out is listed in `skipped`."""
    held = {}
    for row in Policy.objects.filter(
        instansi=instansi, status__in=[Policy.Status.DRAFT, Policy.Status.ADOPTED]
    ).order_by("pk"):
        held.setdefault(_policy_key(row.data), row)
    out = []
    for pol, src in doc.policies:
        row = held.get(json.dumps(policy_to_dict(pol), sort_keys=True))
        if row is None:
            out.append((pol, src))
            continue
        state = "draf" if row.status == Policy.Status.DRAFT else "kebijakan yang berlaku"
        skipped.append(
            f"kebijakan '{pol.name}' berlaku mulai {tanggal(pol.effective_from)} sudah ada "
            f"sebagai {state} dengan isi yang sama"
        )
    return out


@transaction.atomic
def exchange_import(
    *, actor: User | None, instansi: Instansi, doc: Document, today: dt.date
) -> ImportSummary:
    """Policies arrive as drafts (one the instansi already holds as a draft or an adopted version,
    same content, is skipped); catalog items are added or changed by code under the catalog's
    own rules; schedules and holidays new by code or (date, name) are added under the work
    calendar services' own rules (schedule_problems, holiday_errors). A file with any refused
    catalog item, schedule or holiday is refused as a whole, every problem listed by its path
    (ValidationError), nothing written; a fixed number of queries whatever the file holds. The
    stored attendance of the holidays' dates is derived again (workcal.signals.notify_dates, as
    the holiday services do). Imported schedules are nobody's and not the default, so they change
    no one's working days (workcal.services.schedule_define announces nothing for such a
    schedule)."""
    _import_actor_check(actor, instansi)
    # Every check before any write: a refused file lists all its problems and writes nothing.
    out, refused = ImportSummary(), {}
    new_items, changed, catalog_befores = _catalog_changes(instansi, doc, today, refused)
    schedules, days, shifts = _schedule_rows(instansi, doc, refused, out.skipped)
    holidays = _holiday_rows(instansi, doc, refused, out.skipped)
    if refused:
        raise ValidationError(refused)
    new_policies = _new_policies(instansi, doc, out.skipped)
    policies = Policy.objects.bulk_create(
        [
            Policy(
                instansi=instansi,
                name=pol.name,
                effective_from=pol.effective_from,
                status=Policy.Status.DRAFT,
                data=src,
                created_by=actor if actor is not None and actor.pk else None,
            )
            for pol, src in new_policies
        ]
    )
    out.policies = len(policies)

    ActivityCatalogItem.objects.bulk_create(new_items)
    ActivityCatalogItem.objects.bulk_update(changed, ["name", "output_unit", "standard_minutes"])
    out.catalog_added, out.catalog_updated = len(new_items), len(changed)

    WorkSchedule.objects.bulk_create(schedules)
    ScheduleDay.objects.bulk_create(days)
    Shift.objects.bulk_create(shifts)
    out.schedules_added = len(schedules)

    Holiday.objects.bulk_create(holidays)
    # Holidays decide working days: the stored daily attendance of their dates is derived again.
    signals.notify_dates(instansi.id, [h.date for h in holidays])
    out.holidays_added = len(holidays)
    if holidays or schedules:
        # Bulk writes send no post_save: the entry windows cached from the calendar
        # (activities.signals) are dropped here, now and after the commit.
        calendar_changed(instansi.id)
        transaction.on_commit(lambda: calendar_changed(instansi.id))

    # Each row written is audited as the service it stands in for audits it (the old standard of a
    # changed catalog item included), one statement per kind, besides the import's summary.
    reason = f"Impor dari {doc.instansi.code} {doc.instansi.name}"[:255]
    for action, objs, befores in (
        ("tpp.policy.save", policies, None),
        ("activities.catalog.create", new_items, None),
        ("activities.catalog.update", changed, catalog_befores),
        ("workcal.schedule.create", schedules, None),
        ("workcal.holiday.create", holidays, None),
    ):
        if objs:
            audit_records(
                action=action,
                actor=actor,
                instansi=instansi,
                objs=objs,
                befores=befores,
                reason=reason,
            )
    audit_record(
        action="exchange.import",
        actor=actor,
        instansi=instansi,
        after={**out.__dict__, "from": doc.instansi.code},
    )
    return out


# ---------------------------------------------------------------------------- a new Pemda

FIVE_DAY_WEEK = {
    **{d: (dt.time(7, 30), dt.time(16, 0)) for d in range(4)},
    4: (dt.time(7, 30), dt.time(16, 30)),
}


@dataclass
class NewInstansi:
    instansi: Instansi
    user: User
    password: str  # temporary: to be replaced at the first login
    holidays: int
    #: Further BKPSDM accounts asked for at creation: (account, temporary password).
    others: list[tuple[User, str]] = field(default_factory=list)


def _bkpsdm_username_error(username: str, taken: set[str]) -> str | None:
    """Why `username` cannot be a new BKPSDM account (None when it can): `taken` holds the names
    already asked for in the same request. One query."""
    if not username:
        return "Nama akun BKPSDM wajib diisi."
    if len(username) > User._meta.get_field("username").max_length:
        return f"Nama akun paling panjang {User._meta.get_field('username').max_length} karakter."
    if username in taken:
        return f"Nama akun {username} disebut lebih dari sekali."
    if User.objects.filter(username=username).exists():
        return f"Nama akun {username} sudah dipakai."
    return None


def _bkpsdm_account_make(instansi: Instansi, username: str, reason: str) -> tuple[User, str]:
    """A BKPSDM account of `instansi` with a temporary password (returned in clear, once) its owner
    must replace at the first login; the role is granted by the system, as the installation's
    superuser would (docs/architecture.md, separation of duties: BKPSDM itself cannot make an
    account whose password it issued a BKPSDM)."""
    from ekinerja.core.passwords import temporary_hash, temporary_password
    from ekinerja.org.services import role_grant

    raw = temporary_password()
    user = User.objects.create(
        username=username,
        instansi=instansi,
        password=temporary_hash(raw),
        must_change_password=True,
        is_staff=True,  # BKPSDM keeps units and positions in the admin (Data induk)
    )
    role_grant(actor=None, user=user, role=Role.BKPSDM, reason=reason)
    return user, raw


@transaction.atomic
def instansi_create(
    *,
    code: str,
    name: str,
    timezone: str,
    username: str,
    more_usernames: tuple[str, ...] | list[str] = (),
    today: dt.date | None = None,
) -> NewInstansi:
    """A real (not demo) Pemda ready for BKPSDM: the instansi; the standard leave types; national
    holidays and cuti bersama of this year and the next (the instansi's own year); a default five-day schedule (Monday to
    Thursday 07:30-16:00, Friday 07:30-16:30, which BKPSDM adjusts to its Perbup); and the first
    BKPSDM account with a temporary password it must replace at the first login, plus one for
    each of `more_usernames`. A TPP list is locked by a BKPSDM account other than the one that
    computed it (four eyes), and BKPSDM cannot make a second BKPSDM of an account whose password it
    issued: without a second account asked for here (or `bkpsdm-create` later) the first month
    could not be locked. The organisation,
    employees and the TPP policy then come from BKPSDM's own pages (Impor pegawai, Kebijakan TPP) or
    `exchange import`. One transaction: a refusal writes nothing. Run by the installation's
    operator on the server (no acting account: the audit shows the system)."""
    from ekinerja.attendance.services import leave_types_ensure
    from ekinerja.workcal.services import holidays_seed, schedule_define

    code, name, username = code.strip(), " ".join(name.split()), username.strip()
    more = [u.strip() for u in more_usernames]
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Kode instansi wajib diisi (mis. kode wilayah Kemendagri 6302)."
    elif len(code) > 20:
        errors["code"] = "Kode instansi paling panjang 20 karakter."
    elif Instansi.objects.filter(code=code).exists():
        errors["code"] = f"Instansi dengan kode {code} sudah ada."
    if not name:
        errors["name"] = "Nama instansi wajib diisi (mis. Pemerintah Kabupaten Kotabaru)."
    elif len(name) > Instansi._meta.get_field("name").max_length:
        errors["name"] = (
            f"Nama instansi paling panjang {Instansi._meta.get_field('name').max_length} karakter."
        )
    if timezone not in Instansi.Zone.values:
        errors["timezone"] = "Zona waktu harus WIB, WITA atau WIT."
    taken: set[str] = set()
    for one in [username, *more]:
        problem = _bkpsdm_username_error(one, taken)
        taken.add(one)
        if problem and "username" not in errors:
            errors["username"] = problem
    if errors:
        raise ValidationError(errors)
    instansi = Instansi.objects.create(code=code, name=name, timezone=timezone)
    today = today or local_today(instansi)
    leave_types_ensure(instansi)
    added = sum(
        holidays_seed(actor=None, instansi=instansi, year=year)
        for year in (today.year, today.year + 1)
    )
    schedule_define(
        actor=None,
        instansi=instansi,
        code="5HK",
        name="Lima hari kerja",
        days=FIVE_DAY_WEEK,
        is_default=True,
    )
    user, raw = _bkpsdm_account_make(instansi, username, "Akun BKPSDM pertama instansi baru")
    others = [
        _bkpsdm_account_make(instansi, one, "Akun BKPSDM instansi baru (penguncian empat mata)")
        for one in more
    ]
    return NewInstansi(instansi, user, raw, added, others)


@transaction.atomic
def bkpsdm_account_create(*, code: str, username: str) -> tuple[User, str]:
    """Another BKPSDM account of an existing Pemda (`ekinerja bkpsdm-create`), with a temporary
    password shown once: the second officer a four-eyes TPP lock needs, or a successor. BKPSDM
    cannot give its own role to an account whose password it issued (org.services
    .role_grant_check), so, as `instansi-create`, this is the installation's operator's, on the
    server (no acting account: the audit shows the system)."""
    code, username = code.strip(), username.strip()
    instansi = Instansi.objects.filter(code=code).first()
    errors: dict[str, str] = {}
    if instansi is None:
        errors["code"] = f"Instansi dengan kode {code} tidak ada."
    problem = _bkpsdm_username_error(username, set())
    if problem:
        errors["username"] = problem
    if errors:
        raise ValidationError(errors)
    return _bkpsdm_account_make(instansi, username, "Akun BKPSDM tambahan (oleh operator server)")
