"""API routes of the activity app (mounted at /api/v1/activities/ by ekinerja.api.v1). Handlers call
the same services and selectors as the pages; errors come back as 422 with field messages."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from ekinerja.core.clock import local_today
from ekinerja.core.http import MAX_ID, Date, Text, Year
from ekinerja.core.idempotency import idempotent
from ekinerja.core.periods import Period
from ekinerja.core.scoping import get_scoped_or_404, scoped
from ekinerja.org.models import Employee, Role
from ekinerja.org.selectors import user_roles
from ekinerja.performance.selectors import results_for_employee

from . import selectors, services
from .models import DESCRIPTION_MAX_LENGTH, ActivityCatalogItem, ActivityEntry

router = Router(tags=["aktivitas"])


class CatalogItemOut(Schema):
    id: int
    code: str
    name: str
    output_unit: str
    standard_minutes: int


#: A row id sent by a client: a positive 64-bit integer (a larger one is a 422 with its field, not
#: an error of the database driver).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _naive(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        # The type names the message in api.errors.PREDICATES.
        raise PydanticCustomError("timezone_naive", "Input should not have timezone info")
    return value


#: A wall-clock time of the entry's day in the instansi's zone, "08:00" or "08:00:00". A time with
#: an offset ("08:00Z", "08:00+08:00") has no meaning there and is a field error; it crashed the
#: comparison with the day's other times (a server error). Documented as what it is: JSON
#: Schema's `format: time` would demand an offset.
LocalTime = Annotated[
    dt.time,
    AfterValidator(_naive),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["08:00"],
        }
    ),
]


#: The end of an entry in the document: LocalTime's example is a start ("08:00"); an example request
#: with the same end was refused ("Jam selesai harus setelah jam mulai.").
END_TIME_EXAMPLE = "09:00"


class EntryIn(Schema):
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime = Field(..., examples=[END_TIME_EXAMPLE])
    item_id: Id
    volume: Decimal = Field(..., gt=0, max_digits=7, decimal_places=2)
    description: Text = Field("", max_length=DESCRIPTION_MAX_LENGTH)
    submit: bool = False
    skp_result_id: Id | None = None  # a result of the caller's agreed SKP of the entry's year


class EntryUpdateIn(Schema):
    date: dt.date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    item_id: Id | None = None
    volume: Decimal | None = Field(None, gt=0, max_digits=7, decimal_places=2)
    description: Text | None = Field(None, max_length=DESCRIPTION_MAX_LENGTH)
    skp_result_id: Id | None = None  # left out: unchanged; null: the link is removed


class EntryOut(Schema):
    id: int
    employee_id: int
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime = Field(..., examples=[END_TIME_EXAMPLE])
    item_id: int
    item_name: str
    output_unit: str
    volume: Decimal
    approved_volume: Decimal | None
    minutes_per_unit: int
    credited_minutes: int
    status: str
    status_label: str
    description: str
    skp_result_id: int | None
    reason: str
    submitted_at: dt.datetime | None
    verify_by: dt.date | None
    verified_at: dt.datetime | None

    @staticmethod
    def resolve_item_name(obj):
        return obj.item.name

    @staticmethod
    def resolve_output_unit(obj):
        return obj.item.output_unit

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


def entry_out(entry: ActivityEntry) -> EntryOut:
    """EntryOut of an entry this code has just written, without validation: every field read as
    EntryOut would (its resolve_* method, else the attribute)."""
    values = {}
    for name in EntryOut.model_fields:
        resolver = _RESOLVERS.get(name)
        values[name] = resolver(entry) if resolver else getattr(entry, name)
    return EntryOut.model_construct(**values)


_RESOLVERS = {
    name: getattr(EntryOut, f"resolve_{name}")
    for name in EntryOut.model_fields
    if hasattr(EntryOut, f"resolve_{name}")
}


class SkpResultOut(Schema):
    id: int
    text: str


class EntrySaved(Schema):
    entry: EntryOut
    warnings: list[str]


class InboxDayOut(Schema):
    date: dt.date
    verify_by: dt.date | None
    entries: list[EntryOut]


class InboxGroupOut(Schema):
    employee_id: int
    name: str
    nip: str
    days: list[InboxDayOut]


#: GET /inbox answers its entries a page at a time: `limit` entries (by default, and at most),
#: from `offset` (the position, counted from 0, of the page's first entry in the whole list).
INBOX_LIMIT = 100
INBOX_LIMIT_MAX = 500
Limit = Annotated[int, Field(ge=1, le=INBOX_LIMIT_MAX)]
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]


class InboxOut(Schema):
    # Every entry waiting (the whole inbox, or the subordinate's with `employee_id`), not the page's.
    total: int
    earliest_deadline: dt.date | None
    # The page's entries, grouped by subordinate and day, oldest first: a group or a day cut by the
    # page's end goes on at the start of the next page (same employee_id and date).
    groups: list[InboxGroupOut]
    # The server's time before the entries were read: sent back as `seen_at` with a decision.
    seen_at: dt.datetime
    limit: int
    offset: int
    # The `offset` of the next page; null when this page is the last.
    next_offset: int | None


class VerifyIn(Schema):
    decision: str = Field(..., pattern="^(approve|reject|return)$")
    reason: Text = Field("", max_length=2000)
    approved_volume: Decimal | None = Field(None, gt=0, max_digits=7, decimal_places=2)
    # When the client's list showing the entry was fetched: an entry changed since is refused.
    seen_at: dt.datetime | None = None


class BulkVerifyIn(Schema):
    decision: str = Field("approve", pattern="^(approve|reject|return)$")
    reason: Text = Field("", max_length=2000)
    entry_ids: list[Id] | None = Field(None, max_length=2000)
    employee_id: Id | None = None
    start: Date | None = None
    end: Date | None = None
    # When the client's list was fetched: entries changed since are left undecided (a day or
    # month; counted in `changed`) or refuse the whole list (entry_ids).
    seen_at: dt.datetime | None = None


class BulkCount(Schema):
    count: int
    # Entries of the day or month left undecided because their verification deadline had passed.
    late: int = 0
    # Entries of the day or month left undecided because they changed after seen_at.
    changed: int = 0
    # Entries of the day or month not approved because the employee was on approved full-day
    # leave that day (reject them with a reason).
    on_leave: int = 0


class MonthOut(Schema):
    period: str
    credited_minutes: int
    target_minutes: int
    approved: int
    rejected: int
    expired: int
    pending: int
    minutes_by_day: dict[str, int]


#: An account without an employee record (an officer's account) on a route about the caller's own
#: activities: 403 in the words of the check-in (attendance.api) and of the services. It answered
#: 404 "Data tidak ditemukan.", which named no data.
NOT_AN_EMPLOYEE = "Akun ini tidak terhubung ke data pegawai."


def _me(request) -> Employee:
    user = request.auth
    try:
        me = user.employee  # loaded together with a bearer token (ekinerja.api.auth)
    except Employee.DoesNotExist:
        me = None
    if me is None:
        raise PermissionDenied(NOT_AN_EMPLOYEE)
    if me.instansi_id != user.instansi_id:
        raise Http404  # an employee row of another instansi: not the caller's to see
    return me


def _own(request, pk: int) -> ActivityEntry:
    entry = get_scoped_or_404(
        ActivityEntry.objects.select_related("employee", "item"), request.auth, pk=pk
    )
    if entry.employee.user_id != request.auth.id:
        raise Http404
    return entry


#: The service's names of an entry's fields (the model's, as the pages' forms name them) -> the
#: request's (EntryIn, EntryUpdateIn): a 422's `errors` names the field the client sent.
REQUEST_FIELDS = {"item": "item_id", "skp_result": "skp_result_id"}


@contextmanager
def _request_fields():
    """A service's ValidationError with its fields renamed to the request's (REQUEST_FIELDS)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {REQUEST_FIELDS.get(f, f): errs for f, errs in exc.error_dict.items()}
        raise ValidationError(renamed) from exc


def _item(request, pk: int) -> ActivityCatalogItem:
    """A catalog item of the caller's instansi (another instansi's answers 404), knowing whether it
    is limited to some units (selectors.catalog_item: one query)."""
    instansi_id = request.auth.instansi_id
    item = selectors.catalog_item(instansi_id, pk) if instansi_id else None
    if item is None:
        raise Http404
    return item


@router.get("/catalog", response=list[CatalogItemOut])
def catalog_search(request, q: Text = "", date: Date | None = None):
    """Catalog items the caller may use on the date (default today), every word of q matching."""
    me = _me(request)
    today = local_today(me.instansi)
    on = min(date or today, today)
    return selectors.catalog_search(me, on, q, limit=50)


@router.get("/skp-results", response=list[SkpResultOut])
def skp_results(request, year: Year | None = None):
    """The SKP results the caller's entries of a year (default this year) may name: those of the
    agreed SKP (`skp_result_id` of an entry)."""
    me = _me(request)
    return list(
        results_for_employee(me, year if year is not None else local_today(me.instansi).year)
    )


@router.get("/entries", response=list[EntryOut])
def entries_list(request, date_from: Date | None = None, date_to: Date | None = None):
    """The caller's own entries in a date range (default: this month)."""
    me = _me(request)
    today = local_today(me.instansi)
    period = Period.of(today)
    start = date_from or period.first_day
    end = date_to or today
    if date_to is not None and end < start:
        raise ValidationError({"date_to": "Tanggal akhir tidak boleh sebelum tanggal awal."})
    if end < start:
        # A date_from after today without a date_to: the range ends today, before it begins.
        raise ValidationError({"date_from": "Tanggal awal tidak boleh sesudah hari ini."})
    if (end - start).days > 92:
        raise ValidationError({"date_to": "Rentang paling panjang 92 hari."})
    return list(
        ActivityEntry.objects.filter(employee=me, date__gte=start, date__lte=end)
        .select_related("item")
        .order_by("date", "start_time", "id")
    )


@router.post("/entries", response={201: EntrySaved})
@idempotent  # Idempotency-Key: a resent request gets the first answer
def entry_create(request, data: EntryIn):
    """Record an activity (as a draft, or submitted at once with `submit: true`)."""
    me = _me(request)
    item = _item(request, data.item_id)
    with _request_fields():
        res = services.entry_create(
            actor=request.auth,
            employee=me,
            date=data.date,
            start_time=data.start_time,
            end_time=data.end_time,
            item=item,
            volume=data.volume,
            description=data.description,
            submit=data.submit,
            skp_result=data.skp_result_id,
        )
    # Built from the saved entry without validating it again (the busiest route; ninja serialises a
    # schema instance as it is). The same fields and resolvers as EntryOut (tests compare both).
    return Status(
        201, EntrySaved.model_construct(entry=entry_out(res.entry), warnings=res.warnings)
    )


@router.patch("/entries/{entry_id}", response=EntrySaved)
def entry_update(request, entry_id: int, data: EntryUpdateIn):
    """Change an own entry; a verified entry that changes goes back to waiting for verification."""
    entry = _own(request, entry_id)
    item = _item(request, data.item_id) if data.item_id else None
    with _request_fields():
        res = services.entry_update(
            actor=request.auth,
            entry=entry,
            date=data.date,
            start_time=data.start_time,
            end_time=data.end_time,
            item=item,
            volume=data.volume,
            description=data.description,
            skp_result=(
                data.skp_result_id
                if "skp_result_id" in data.model_fields_set
                else services.UNCHANGED
            ),
        )
    return {"entry": res.entry, "warnings": res.warnings}


@router.post("/entries/{entry_id}/submit", response=EntryOut)
@idempotent  # Idempotency-Key: a resent request gets the first answer
def entry_submit(request, entry_id: int):
    entry = _own(request, entry_id)
    with _request_fields():
        return services.entry_submit(actor=request.auth, entry=entry)


@router.delete("/entries/{entry_id}", response={204: None})
def entry_delete(request, entry_id: int):
    services.entry_delete(actor=request.auth, entry=_own(request, entry_id))
    return Status(204, None)


@router.get("/month", response=MonthOut)
def my_month(request, period: str | None = None):
    """The caller's monthly recap (the figures the TPP run uses)."""
    me = _me(request)
    try:
        p = Period.parse(period) if period else Period.of(local_today(me.instansi))
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    m = selectors.activity_month([me], p)[me.pk]
    return {
        "period": str(p),
        "credited_minutes": m.credited_minutes,
        "target_minutes": m.target_minutes,
        "approved": m.approved,
        "rejected": m.rejected,
        "expired": m.expired,
        "pending": m.pending,
        "minutes_by_day": {d.isoformat(): v for d, v in m.minutes_by_day.items()},
    }


@router.get("/inbox", response=InboxOut)
def inbox(
    request,
    employee_id: Id | None = None,
    limit: Limit = INBOX_LIMIT,
    offset: Offset = 0,
):
    """Entries waiting for the caller's verification, grouped by subordinate and day, a page of
    `limit` entries (default 100, at most 500) from `offset`; `next_offset` is the next page's (null
    on the last). With `employee_id`, one subordinate's only (`total` is then theirs): a month of
    many subordinates is thousands of entries, so a client lists GET /inbox/summary and opens one
    subordinate at a time. An id outside the caller's inbox finds nothing."""
    me = _me(request)
    seen_at = timezone.now()
    # Only the page's entries are read (LIMIT/OFFSET); `total` counts every waiting entry.
    data = selectors.superior_inbox(
        me,
        bkpsdm=Role.BKPSDM in user_roles(request.auth),
        employee_id=employee_id,
        limit=limit,
        offset=offset,
    )
    end = offset + limit
    groups = [
        {
            "employee_id": g.employee.pk,
            "name": g.employee.full_name,
            "nip": g.employee.nip,
            "days": [
                {"date": d.day, "verify_by": d.verify_by, "entries": d.entries} for d in g.days
            ],
        }
        for g in data.groups
    ]
    return {
        "seen_at": seen_at,
        "total": data.total,
        "earliest_deadline": data.earliest_deadline,
        "groups": groups,
        "limit": limit,
        "offset": offset,
        "next_offset": end if end < data.total else None,
    }


class InboxSummaryRowOut(Schema):
    employee_id: int
    name: str
    nip: str
    count: int
    days: int
    first: dt.date
    last: dt.date
    verify_by: dt.date | None
    # Entries of a day without a direct superior, verified by BKPSDM (docs/activities.md).
    as_bkpsdm: bool


class InboxSummaryOut(Schema):
    total: int
    earliest_deadline: dt.date | None
    subordinates: list[InboxSummaryRowOut]


@router.get("/inbox/summary", response=InboxSummaryOut)
def inbox_summary(request):
    """Who waits for the caller's verification, one row per subordinate (entries, days, first and
    last date, nearest deadline) without the entries themselves: the inbox page's list, for a
    client to open one subordinate at a time (GET /inbox?employee_id=). A constant number of
    queries."""
    me = _me(request)
    data = selectors.superior_inbox(
        me, bkpsdm=Role.BKPSDM in user_roles(request.auth), summarise_over=0
    )
    return {
        "total": data.total,
        "earliest_deadline": data.earliest_deadline,
        "subordinates": [
            {
                "employee_id": r.employee.pk,
                "name": r.employee.full_name,
                "nip": r.employee.nip,
                "count": r.count,
                "days": r.days,
                "first": r.first,
                "last": r.last,
                "verify_by": r.verify_by,
                "as_bkpsdm": r.as_bkpsdm,
            }
            for r in data.summary
        ],
    }


@router.post("/entries/{entry_id}/verify", response=EntryOut)
@idempotent  # Idempotency-Key: a resent request gets the first answer
def entry_verify(request, entry_id: int, data: VerifyIn):
    """Approve (optionally with a lower volume and a reason), reject or return an entry of a direct
    subordinate on the entry's date."""
    entry = get_scoped_or_404(ActivityEntry, request.auth, pk=entry_id)
    try:
        return services.entry_verify(
            actor=request.auth,
            entry=entry,
            decision=data.decision,
            reason=data.reason,
            approved_volume=data.approved_volume,
            seen_at=_aware(data.seen_at),
        )
    except PermissionDenied:
        # Someone else's subordinate: answer as if it did not exist.
        raise Http404 from None


#: POST /verify-bulk naming neither `entry_ids` nor `employee_id`.
NOTHING_PICKED = "Pilih aktivitas yang akan diverifikasi: isi entry_ids atau employee_id."


@router.post("/verify-bulk", response=BulkCount)
@idempotent  # Idempotency-Key: a resent request gets the first answer
def verify_bulk(request, data: BulkVerifyIn):
    """Verify many entries at once: a list of ids, or a subordinate's entries between start and end."""
    if data.entry_ids is None and data.employee_id is None:
        # The service names the page's field (`decision`); a client shows it at `entry_ids`.
        raise ValidationError({"entry_ids": NOTHING_PICKED})
    if data.start is not None and data.end is not None and data.end < data.start:
        # As GET /entries answers it: no entry lies in such a range, so nothing would be decided.
        raise ValidationError({"end": "Tanggal akhir tidak boleh sebelum tanggal awal."})
    employee = (
        get_scoped_or_404(scoped(Employee, request.auth), request.auth, pk=data.employee_id)
        if data.employee_id
        else None
    )
    if data.entry_ids:
        # A listed id that is no entry of the caller's instansi (another Pemda's, or none at all):
        # 404 and nothing decided, as POST /entries/{id}/verify answers it. The service reads only
        # this instansi's entries, so such an id was dropped: 200 `count: 0`, or the rest of the
        # list decided. One query.
        wanted = set(data.entry_ids)
        if scoped(ActivityEntry, request.auth).filter(pk__in=wanted).count() != len(wanted):
            raise Http404
    try:
        n = services.entries_verify_bulk(
            actor=request.auth,
            employee=employee,
            start=data.start,
            end=data.end,
            entry_ids=data.entry_ids,
            decision=data.decision,
            reason=data.reason,
            seen_at=_aware(data.seen_at),
        )
    except PermissionDenied:
        # Listed entries of someone else's subordinate: 404, as POST /entries/{id}/verify answers
        # one, not a 403 telling that they exist.
        raise Http404 from None
    return {"count": n.count, "late": n.late, "changed": n.changed, "on_leave": n.on_leave}


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    """A client's time without an offset is read as UTC (the API's own times carry one)."""
    if at is not None and at.tzinfo is None:
        return at.replace(tzinfo=dt.UTC)
    return at
