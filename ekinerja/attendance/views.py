"""Attendance pages: the employee's month, leave and correction requests, the superior's inbox, the
unit's daily board and monthly recap (xlsx), and the punch import screen."""

from __future__ import annotations

import calendar
import datetime as dt
import io
import zoneinfo
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError, connection
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ekinerja.core.clock import local_today
from ekinerja.core.files import content_type_for, private_file_response
from ekinerja.core.http import safe_next
from ekinerja.core.jobs import QueueUnavailable, enqueue
from ekinerja.core.periods import DAYS_ID, Period, parse_iso_date, tanggal
from ekinerja.core.scoping import get_scoped_or_404, scoped
from ekinerja.core.spreadsheets import xlsx_response
from ekinerja.org import selectors as org
from ekinerja.org.models import Employee, Role, Unit

from . import selectors, services
from .forms import CorrectionForm, ImportForm, LeaveForm
from .models import CorrectionRequest, DailyAttendance, LeaveRequest, Punch, PunchImport
from .rules import may_view_month

STATUS_LABELS = dict(DailyAttendance.Status.choices)
STATUS_COLORS = {
    "present": "success",
    "late": "warning",
    "early": "warning",
    "late_early": "warning",
    "missing_in": "danger",
    "missing_out": "danger",
    "absent": "danger",
    "leave": "info",
    "off": "secondary",
    "not_in_post": "light",
    "pending": "light",
    "scheduled": "light",
}


def _period(request, instansi) -> Period:
    try:
        return Period.parse(request.GET.get("periode", ""))
    except ValueError:
        return Period.of(local_today(instansi))


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _choose_file_again(request, form) -> None:
    """A refused form cannot give back the file that came with it (a browser never refills a file
    input): say so under the attachment, so the sick note is not left out of the second try."""
    chosen = request.FILES.get("attachment")
    if chosen is not None and form.errors and "attachment" not in form.errors:
        # The bound field (cached by the validation) carries its own copy of the help text.
        form["attachment"].help_text = _(
            "Lampiran “%(name)s” belum tersimpan: pilih berkasnya lagi sebelum mengajukan ulang."
        ) % {"name": chosen.name}


def _me_or_404(request) -> Employee:
    me = org.employee_for_user(request.user)
    if me is None:
        raise Http404("Akun ini tidak terhubung ke data pegawai.")
    return me


def _day_status(f, now: dt.datetime) -> str:
    """The status a page shows for the day's facts at `now`."""
    status = f.status
    if not f.final:
        # The day is still running (or a device has not delivered yet): no verdict on what is missing.
        if status == "missing_out":
            status = "late" if f.late_minutes else "present"
        elif status in ("absent", "missing_in"):
            status = "scheduled" if f.start and f.start > now else "pending"
    return status


def _day_view(f, leave_names, now: dt.datetime | None = None) -> dict:
    status = _day_status(f, now or timezone.now())
    label = STATUS_LABELS.get(status) or (
        _("Terjadwal") if status == "scheduled" else _("Belum absen")
    )
    if status == "leave" and f.leave_type:
        label = leave_names.get(f.leave_type, f.leave_type)
    return {
        "facts": f,
        "status": status,
        "label": label,
        "color": STATUS_COLORS.get(status, "light"),
    }


def posts_note(spans: list, period: Period) -> str:
    """What the month page says of a month the employee did not hold a definitif post all through
    ("Menjabat sejak 15 Oktober 2026"): its other days are no working days of theirs, as in the TPP
    run; "" when in post all month or without any post on record."""
    first, last = period.first_day, period.last_day
    parts = []
    for s, e in spans:
        lo, hi = max(s, first), min(e or last, last)
        if lo > hi:
            continue
        if lo == first and hi == last:
            return ""
        if lo == first:
            parts.append(f"sampai {tanggal(hi)}")
        elif hi == last:
            parts.append(f"sejak {tanggal(lo)}")
        else:
            parts.append(f"{tanggal(lo)} s.d. {tanggal(hi)}")
    if not spans:
        return ""
    if not parts:
        return _("Tidak menjabat (definitif) pada bulan ini: tidak ada hari kerja yang dihitung.")
    return _(
        "Menjabat %(when)s; hari lain bulan ini bukan hari kerja dan tidak dihitung, "
        "sama seperti pada TPP."
    ) % {"when": " dan ".join(parts)}


def month_context(employee: Employee, period: Period) -> dict:
    tz = zoneinfo.ZoneInfo(employee.instansi.timezone)
    posts = selectors.posts_held([employee])
    days = selectors.attendance_days([employee], period.first_day, period.last_day, posts=posts)[
        employee.id
    ]
    leave_names = selectors.leave_type_names(employee.instansi)
    spans = posts.get(employee.id, [])
    first_post = spans[0][0] if spans else None
    by_date = {}
    for f in days:
        view = _day_view(f, leave_names)
        if not f.in_post and not f.leave_type:
            # Not a working day of theirs: before the first post, or after (or between) posts.
            before = first_post is not None and f.date < first_post
            view["label"] = _("Belum menjabat") if before else _("Tidak menjabat")
            view["status"] = "not_in_post"
        by_date[f.date] = view
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(period.year, period.month):
        weeks.append(
            [{"date": d, "in_month": d.month == period.month, "day": by_date.get(d)} for d in week]
        )
    working = [v for v in by_date.values() if v["facts"].working]
    counts = Counter(v["status"] for v in working)
    leaves = list(
        LeaveRequest.objects.filter(
            employee=employee, date_from__lte=period.last_day, date_to__gte=period.first_day
        ).select_related("leave_type")
    )
    _mark_status_text(employee, leaves)
    return {
        "employee": employee,
        "period": period,
        "prev": period.previous(),
        "next": period.next(),
        "weeks": weeks,
        "days": [by_date[d] for d in sorted(by_date)],
        "posts_note": posts_note(spans, period),
        "weekday_names": DAYS_ID,
        "tz": tz,
        "summary": {
            "working": len(working),
            "late_minutes": sum(v["facts"].late_minutes for v in working),
            "early_minutes": sum(v["facts"].early_minutes for v in working),
            "absent": counts["absent"],
            "leave": counts["leave"],
            # Every working day with late minutes, also one stored as a missing check-out: the
            # count beside the minutes (it said "Terlambat 0 kali · 25 menit"), as the unit recap.
            "late": sum(1 for v in working if v["facts"].late_minutes > 0),
        },
        "leaves": leaves,
        "balance": selectors.annual_leave(employee, period.year),
        # The month's TPP is locked for them: what changes here now (an import, a correction)
        # no longer changes that pay; the page says so, as the roster and leave pages do.
        "tpp_locked": employee.id
        in selectors.locked_month_employees(employee.instansi_id, [employee.id], period),
    }


@login_required
def my_month(request):
    me = _me_or_404(request)
    ctx = month_context(me, _period(request, me.instansi))
    ctx["own"] = True
    return render(request, "attendance/month.html", ctx)


@login_required
def employee_month(request, pk: int):
    employee = get_scoped_or_404(Employee.objects.select_related("instansi"), request.user, pk=pk)
    period = _period(request, employee.instansi)
    # A superior opens the months in which the employee was below them (rules.may_view_month).
    if not may_view_month(request.user, employee, period.first_day, period.last_day):
        raise Http404("Data tidak ditemukan.")
    ctx = month_context(employee, period)
    ctx["own"] = employee.user_id == request.user.id
    # The official who gave the final approval, or BKPSDM, may still withdraw an approved leave
    # before its first day (penangguhan), with a reason: the form is here, under the leave.
    leaves = ctx["leaves"]
    today = local_today(employee.instansi)
    future = {
        r.pk for r in leaves if r.status == LeaveRequest.Status.APPROVED and r.date_from > today
    }
    # Whether the reader has left is asked once for the page, and only when they approved one.
    left = any(
        r.pk in future and r.decided_by_id == request.user.id for r in leaves
    ) and selectors.has_left(request.user)
    for r in leaves:
        r.employee = employee  # already read: no query per row
        r.revocable = r.pk in future and selectors.may_revoke_leave(request.user, r, left=left)
    return render(request, "attendance/month.html", ctx)


# ---------------------------------------------------------------- leave


@login_required
def leave(request):
    me = _me_or_404(request)
    not_for = services.leave_codes_not_for(me)
    form = LeaveForm(instansi=me.instansi, not_for=not_for)
    if request.method == "POST":
        form = LeaveForm(request.POST, request.FILES, instansi=me.instansi, not_for=not_for)
        if form.is_valid():
            try:
                req = services.leave_request_submit(
                    actor=request.user,
                    employee=me,
                    leave_type=form.cleaned_data["leave_type"],
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                    reason=form.cleaned_data["reason"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Permohonan %(type)s %(days)s hari kerja telah diajukan.")
                    % {"type": req.leave_type.name, "days": req.working_days},
                )
                _warn_locked(request, me, req)
                return redirect("attendance:leave")
        _choose_file_again(request, form)
    requests = list(
        LeaveRequest.objects.filter(employee=me)
        .select_related("leave_type", "approver")
        .order_by("-date_from")[:50]
    )
    _mark_own_pending(me, requests)
    today = local_today(me.instansi)
    return render(
        request,
        "attendance/leave.html",
        {
            "form": form,
            "requests": requests,
            "balance": selectors.annual_leave(me, today.year),
            "today": today,
        },
    )


@login_required
@require_POST
def leave_cancel(request, pk: int):
    req = get_scoped_or_404(LeaveRequest, request.user, pk=pk)
    try:
        services.leave_request_cancel(
            actor=request.user, request=req, reason=(request.POST.get("reason") or "")[:1000]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Permohonan dibatalkan."))
    return redirect(safe_next(request, reverse("attendance:leave")))


# A request not decided yet: a leave waits for the superior or BKPSDM, a correction for the superior.
PENDING_STATUSES = frozenset({"submitted", "awaiting_bkpsdm"})


def locked_note_for_employee(months: list[str]) -> str:
    return _(
        "TPP %(months)s Anda sudah dikunci: bila disetujui, permohonan ini memperbaiki catatan "
        "kehadiran Anda, tetapi TPP yang sudah dibayar tidak ikut berubah; selisihnya hanya dapat "
        "dikoreksi BKPSDM pada bulan berikutnya."
    ) % {"months": ", ".join(months)}


def _mark_status_text(employee: Employee, requests: list) -> None:
    """Each of the employee's own requests gets `status_text`: its status, except at the
    superior's step when the employee has no direct superior today, which BKPSDM decides
    (selectors.without_superior): "Menunggu atasan" would send the reader to nobody. Asked once
    for the list (two queries; none without such a request)."""
    to_bkpsdm = any(
        r.status == r.Status.SUBMITTED for r in requests
    ) and selectors.has_no_superior_today(employee)
    for r in requests:
        r.status_text = _status_text(r, no_superior=to_bkpsdm)


def _status_text(r, *, no_superior: bool) -> str:
    """A request's status as its pages show it: at the superior's step of an employee with no
    direct superior today (`no_superior`), BKPSDM's, which decides it there."""
    if no_superior and r.status == r.Status.SUBMITTED:
        return _("Menunggu BKPSDM (tidak ada atasan langsung)")
    return r.get_status_display()


def _mark_own_pending(me: Employee, requests: list) -> None:
    """The employee's own undecided requests get `locked_note`, naming the months among their days
    whose TPP is already locked (one query for them all; none without pending requests). Every
    request gets `status_text`: its status, except at the superior's step when the employee has
    no direct superior today, which BKPSDM decides (selectors.without_superior). All the requests
    are the employee's own, so that is asked once for the list (two queries; none without such a
    request)."""
    pending = [r for r in requests if r.status in PENDING_STATUSES]
    _mark_status_text(me, requests)
    for r in requests:
        r.locked_months = []
    if pending:
        selectors.mark_locked_months(me.instansi_id, pending)
    for r in pending:
        r.locked_note = locked_note_for_employee(r.locked_months) if r.locked_months else ""


def _warn_locked(request, me: Employee, req) -> None:
    """Told when filing: a request about a month whose TPP is already locked corrects the record,
    not that month's pay (which only BKPSDM can correct, in a later month)."""
    selectors.mark_locked_months(me.instansi_id, [req])
    if req.locked_months:
        messages.warning(request, locked_note_for_employee(req.locked_months))


# ---------------------------------------------------------------- corrections


@login_required
def corrections(request):
    me = _me_or_404(request)
    tz = zoneinfo.ZoneInfo(me.instansi.timezone)
    form = CorrectionForm()
    if request.method == "POST":
        form = CorrectionForm(request.POST, request.FILES)
        if form.is_valid():
            when = dt.datetime.combine(
                form.cleaned_data["date"], form.cleaned_data["time"], tzinfo=tz
            )
            try:
                req = services.correction_submit(
                    actor=request.user,
                    employee=me,
                    at=when,
                    reason=form.cleaned_data["reason"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "at" in exc.error_dict:
                    # The moment asked for is the form's date and time: said under the time.
                    exc.error_dict["time"] = exc.error_dict.pop("at")
                _form_errors(form, exc)
            else:
                messages.success(request, _("Permohonan koreksi telah diajukan ke atasan."))
                _say_where_it_counts(request, me, when)
                _warn_locked(request, me, req)
                return redirect("attendance:corrections")
        _choose_file_again(request, form)
    rows = list(CorrectionRequest.objects.filter(employee=me).select_related("approver")[:50])
    for r in rows:
        r.employee = me  # already read (with the instansi): no query per row for its local date
    _mark_own_pending(me, rows)
    return render(request, "attendance/corrections.html", {"form": form, "rows": rows})


def _say_where_it_counts(request, me, when: dt.datetime) -> None:
    """Which working day the corrected punch will count for, in words: an audit's night nurse asked
    for "17 November 07:00" meaning the end of the 17th's night shift; that moment is the end of
    the 16th's, and nothing said so."""
    place = selectors.punch_place(me, when)
    tz = zoneinfo.ZoneInfo(me.instansi.timezone)
    clock = f"{when.astimezone(tz):%H.%M}"
    if place.day is None:
        messages.warning(
            request,
            f"Pukul {clock} tanggal {tanggal(when.date())} tidak berada dalam jadwal kerja mana "
            "pun: koreksi ini tidak mengubah kehadiran hari kerja. Periksa tanggal dan jamnya.",
        )
        return
    what = "absen pulang" if place.check_out else "absen masuk"
    shift = f"{place.day.start.astimezone(tz):%H.%M}–{place.day.end.astimezone(tz):%H.%M}"
    text = f"Koreksi ini dihitung sebagai {what} hari kerja {tanggal(place.day.date)} ({shift})."
    if place.night_after is not None:
        end = place.night_after.end.astimezone(tz)
        text += (
            f" Bila yang dimaksud absen pulang shift malam {tanggal(place.night_after.date)}, "
            f"ajukan koreksi bertanggal {tanggal(end.date())} pukul {end:%H.%M}."
        )
        messages.warning(request, text)
    else:
        messages.info(request, text)


# ---------------------------------------------------------------- the superior's inbox


_ATTACHMENT_MODELS = {"cuti": LeaveRequest, "koreksi": CorrectionRequest}


@login_required
@require_GET
def attachment(request, kind: str, pk: int):
    """A leave or correction request's attachment (a sick note, a letter), for those
    selectors.request_visible_to allows; never from a public media URL."""
    model = _ATTACHMENT_MODELS.get(kind)
    if model is None:
        raise Http404("Data tidak ditemukan.")
    req = get_scoped_or_404(model.objects.select_related("employee"), request.user, pk=pk)
    if not req.attachment or not selectors.request_visible_to(request.user, req):
        raise Http404("Data tidak ditemukan.")
    name = req.attachment.name.rsplit("/", 1)[-1]
    content_type = content_type_for(name) or "application/octet-stream"
    return private_file_response(req.attachment, content_type, name, "lampiran")


@login_required
def inbox(request):
    me = org.employee_for_user(request.user)
    roles = org.user_roles(request.user)
    leave_qs = scoped(LeaveRequest, request.user).select_related(
        "employee", "employee__instansi", "leave_type"
    )
    awaiting_me: list[LeaveRequest] = []
    corrections: list[CorrectionRequest] = []
    subs: list[int] = []
    if me is not None:
        # Walked down from my own posts: ids only (the instansi's whole hierarchy was built here).
        subs = sorted(org.subordinates_walk(me.instansi_id, me.id, on=local_today(me.instansi)))
        # Addressed to me or about a subordinate of today; then only those I may still decide.
        mine = Q(approver=me) | Q(employee_id__in=subs)
        awaiting_me = list(leave_qs.filter(mine, status=LeaveRequest.Status.SUBMITTED))
        corrections = list(
            scoped(CorrectionRequest, request.user)
            .filter(mine, status=CorrectionRequest.Status.SUBMITTED)
            .select_related("employee", "employee__instansi")
        )
        awaiting_me = selectors.decidable_as_superior(me, awaiting_me)
        corrections = selectors.decidable_as_superior(me, corrections)
    pending_leave = awaiting_me
    # The pending leaves and corrections BKPSDM decides in the superior's place.
    no_superior: set[int] = set()
    no_superior_k: set[int] = set()
    if Role.BKPSDM in roles:
        pending_leave += list(leave_qs.filter(status=LeaveRequest.Status.AWAITING_BKPSDM))
        # BKPSDM stands in for the superior where there is none today (the top, or all posts above
        # vacant); never for the officer's own requests. Those read so, as on the employee's pages.
        seen = {r.pk for r in pending_leave}
        stand_in = selectors.without_superior(
            request.user.instansi_id,
            list(leave_qs.filter(status=LeaveRequest.Status.SUBMITTED)),
        )
        no_superior = {r.pk for r in stand_in}
        pending_leave += [
            r for r in stand_in if r.pk not in seen and r.employee.user_id != request.user.id
        ]
        seen = {r.pk for r in corrections}
        stand_in_k = selectors.without_superior(
            request.user.instansi_id,
            list(
                scoped(CorrectionRequest, request.user)
                .filter(status=CorrectionRequest.Status.SUBMITTED)
                .select_related("employee", "employee__instansi")
            ),
        )
        no_superior_k = {r.pk for r in stand_in_k}
        corrections += [
            r for r in stand_in_k if r.pk not in seen and r.employee.user_id != request.user.id
        ]
    pending_leave.sort(key=lambda r: (r.date_from, r.pk))
    for r in pending_leave:
        r.status_text = _status_text(r, no_superior=r.pk in no_superior)
    pending_corrections = sorted(corrections, key=lambda r: (r.at, r.pk))
    for r in pending_corrections:  # the same wording as the leaves' (and the employee's page)
        r.status_text = _status_text(r, no_superior=r.pk in no_superior_k)
    if request.user.instansi_id:  # months already paid under a locked TPP list: said per request
        selectors.mark_locked_months(
            request.user.instansi_id, [*pending_leave, *pending_corrections]
        )
    flagged = (
        scoped(Punch, request.user)
        .filter(needs_review=True, review__isnull=True, employee_id__in=subs)
        .select_related("employee")
        .order_by("at")
    )
    return render(
        request,
        "attendance/inbox.html",
        {
            "pending_leave": pending_leave,
            "pending_corrections": pending_corrections,
            "flagged": flagged,
        },
    )


NO_DECISION = "Pilih Setujui atau Tolak; tidak ada yang diputuskan."


def _decision(request):
    """(approve, note); approve is None when neither button was pressed (a form sent with Enter
    from the note field, which the page's disabled default button stops): before, anything but
    "approve" rejected the request, and Enter in the note approved it (the first button)."""
    approve = {"approve": True, "reject": False}.get(request.POST.get("decision") or "")
    return approve, (request.POST.get("note") or "").strip()[:1000]


@login_required
@require_POST
def leave_decide(request, pk: int):
    req = get_scoped_or_404(LeaveRequest, request.user, pk=pk)
    approve, note = _decision(request)
    if approve is None:
        messages.error(request, NO_DECISION)
        return redirect("attendance:inbox")
    try:
        req = services.leave_request_decide(
            actor=request.user, request=req, approve=approve, note=note
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Permohonan %(name)s: %(status)s.")
            % {"name": req.employee.name, "status": req.get_status_display().lower()},
        )
    return redirect("attendance:inbox")


@login_required
@require_POST
def correction_decide(request, pk: int):
    req = get_scoped_or_404(CorrectionRequest, request.user, pk=pk)
    approve, note = _decision(request)
    if approve is None:
        messages.error(request, NO_DECISION)
        return redirect("attendance:inbox")
    try:
        services.correction_decide(actor=request.user, correction=req, approve=approve, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Koreksi diputuskan."))
    return redirect("attendance:inbox")


@login_required
@require_POST
def punch_review(request, pk: int):
    punch = get_scoped_or_404(
        Punch.objects.select_related("employee__instansi"), request.user, pk=pk
    )
    approve, note = _decision(request)
    if approve is None:
        messages.error(request, NO_DECISION)
        return redirect("attendance:inbox")
    try:
        services.punch_review(actor=request.user, punch=punch, accepted=approve, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Absensi ponsel ditinjau."))
    return redirect("attendance:inbox")


# ---------------------------------------------------------------- unit views


def employees_of_unit(unit: Unit, start: dt.date, end: dt.date) -> list[Employee]:
    """The roster's people of the unit (and its sub-units) for [start, end]: the unit recap's
    (selectors.unit_recap_queryset, by name), so a leaver (inactive, their definitif post's end
    recorded) is listed for the month they left, their days after the end being not theirs
    (workcal.selectors.roster_month). Two queries: the unit's tree, the employees."""
    return list(selectors.unit_recap_queryset(unit, start, end))


def _board_employees(unit: Unit, day: dt.date):
    """The rows of the unit's board of `day`: the people of its recap of that day
    (selectors.unit_recap_queryset, in that order), a leaver on the days up to their post's end
    included, as deferred employees with only id and instansi read (two queries: the unit's tree,
    the employees)."""
    return selectors.unit_recap_queryset(unit, day, day).only("id", "instansi_id")


def visible_rows(
    request, unit: Unit, emps: list[Employee], start: dt.date, end: dt.date
) -> list[Employee]:
    """The employees of a unit's board or recap the user may see: all of them for BKPSDM, pimpinan
    and an admin OPD of the unit; for a superior, only the employees below them in the hierarchy on
    some day of [start, end] (and themself), never their own superiors or peers (two queries)."""
    allowed = _visible_ids(request, unit, start, end)
    return emps if allowed is None else [e for e in emps if e.id in allowed]


def _visible_ids(request, unit: Unit, start: dt.date, end: dt.date) -> set[int] | None:
    """The ids of the employees visible_rows keeps (None: every row of the unit)."""
    if request.user.has_perm("attendance.view_whole_unit", unit):
        return None
    me = org.employee_for_user(request.user)
    if me is None:
        return set()
    return org.employees_below(me, start, end) | {me.id}


def _units_for(request) -> list[Unit]:
    roles = org.user_roles(request.user)
    qs = scoped(Unit, request.user).order_by("code")
    if roles & {Role.BKPSDM, Role.PIMPINAN}:
        return list(qs)
    allowed = set(org.admin_unit_ids(request.user))
    me = org.employee_for_user(request.user)
    if me is not None and Role.ATASAN in roles:
        a = org.definitif_assignment(me, on=local_today(me.instansi))
        if a is not None:
            allowed |= org.unit_descendant_ids(a.position.unit)
    return [u for u in qs if u.id in allowed]


def _pick_unit(request, units: list[Unit]) -> Unit:
    if not units:
        raise PermissionDenied
    wanted = request.GET.get("unit")
    unit = next((u for u in units if str(u.id) == wanted), units[0])
    if not request.user.has_perm("attendance.view_unit_board", unit):
        raise PermissionDenied
    return unit


@login_required
def board(request):
    if not request.user.has_perm("attendance.use_unit_board"):
        raise PermissionDenied
    units = _units_for(request)
    unit = _pick_unit(request, units)
    today = local_today(unit.instansi)
    day = today
    if request.GET.get("tanggal"):
        try:
            day = parse_iso_date(request.GET["tanggal"])
        except ValueError as exc:
            messages.warning(request, str(exc))
    # Every row's day is derived (the counts are exact), from the employees' ids and instansi
    # alone; only the page's hundred are read whole and labelled (a kepala bidang of Dinas
    # Pendidikan sees 5,800 of its 10,500).
    # The recap's people of the day (a leaver up to their post's end), so the counts are the
    # recap's of that day.
    allowed = _visible_ids(request, unit, day, day)
    emps = [e for e in _board_employees(unit, day) if allowed is None or e.id in allowed]
    # The unit's people are a part of the instansi: their punches are read by id.
    facts = selectors.attendance_days(emps, day, day, by_id=True)
    now = timezone.now()
    rows = []
    for e in emps:
        f = next((x for x in facts.get(e.id, []) if x.date == day), None)
        # A leave day that is not a working day (a weekend inside a week's leave) counts as off,
        # as in the recap, the reports and the TPP run.
        group = BOARD_GROUP.get(_day_status(f, now), "other") if f and f.working else "off"
        rows.append((e.id, f, group))
    counts = Counter(r[2] for r in rows)
    # The counts link to their rows ("Tanpa keterangan 12"); the rows come a page at a time.
    status = request.GET.get("status") or ""
    if status in BOARD_FILTERS:
        rows = [r for r in rows if r[2] == status]
    else:
        status = ""
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("hal"))
    leave_names = selectors.leave_type_names(unit.instansi)
    shown = {e.id: e for e in selectors.employees_by_ids([r[0] for r in page.object_list])}
    page.object_list = [
        {"employee": shown[i], "day": _day_view(f, leave_names, now) if f else None, "group": g}
        for i, f, g in page.object_list
    ]
    return render(
        request,
        "attendance/board.html",
        {
            "units": units,
            "unit": unit,
            "day": day,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "rows": page.object_list,
            "page": page,
            "counts": counts,
            "status": status,
            "filters": [
                (key, label, colour, counts.get(key, 0))
                for key, (label, colour) in BOARD_FILTERS.items()
            ],
            "is_today": day == today,
        },
    )


WEEKDAY_SHORT = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]

#: Rows of a board or a recap on one page (a big OPD's whole staff is in the xlsx).
PAGE_ROWS = 100
#: The board's groups of a day's status, each a filter with its count.
BOARD_GROUP = {
    "present": "present",
    "late": "late",
    "late_early": "late",
    "early": "late",
    "missing_in": "missing",
    "missing_out": "missing",
    "absent": "absent",
    "pending": "pending",
    "scheduled": "pending",
    "leave": "leave",
}
BOARD_FILTERS = {  # key: (label, badge colour)
    "present": ("Hadir", "success"),
    "late": ("Terlambat/pulang cepat", "warning"),
    "missing": ("Absen tidak lengkap", "danger"),
    "absent": ("Tanpa keterangan", "danger"),
    "pending": ("Belum absen", "light"),
    "leave": ("Cuti/izin", "info"),
}


@login_required
def roster(request):
    """The shift roster of a unit for a month: a row per employee below the user who follows a
    shift schedule on some day of it, a cell per day with that schedule's shifts ("–": off). Saved
    cells go through workcal.services.roster_month_save (only the changed days, by roster_set per
    shift schedule, in one transaction, audited; the days' attendance is re-derived)."""
    from ekinerja.workcal import selectors as workcal
    from ekinerja.workcal import services as workcal_services

    if not request.user.has_perm("attendance.use_unit_board"):
        raise PermissionDenied
    units = _units_for(request)
    unit = _pick_unit(request, units)
    period = _period(request, unit.instansi)
    if request.method == "POST":
        try:
            period = Period.parse(request.POST.get("periode", ""))
        except ValueError as exc:
            raise PermissionDenied("Periode tidak dikenal.") from exc
    start, end = period.first_day, period.last_day
    # Only shift workers have rows: who of the unit follows a shift schedule is asked first (in a
    # Dinas Pendidikan nobody does), then who of them the user may see, only if there are any (for
    # a superior, everyone below them on some day of the month: 5,800 people for a kepala bidang
    # of the 20,000 demo); the grid is read again when that leaves some out.
    emps = employees_of_unit(unit, start, end)
    month = workcal.roster_month(unit.instansi, emps, start, end)
    workers = [e for e in emps if month.follows_shifts(e.id)]
    emps = visible_rows(request, unit, workers, start, end) if workers else []
    if len(emps) < len(workers):
        month = workcal.roster_month(unit.instansi, emps, start, end)
    can_edit = request.user.has_perm("attendance.edit_roster", unit)
    action = request.POST.get("aksi", "") if request.method == "POST" else ""
    here = f"{reverse('attendance:roster')}?unit={unit.id}&periode={period}"
    import_errors: list[str] = []
    bad_cells: set = set()
    if action and not can_edit:
        raise PermissionDenied
    if action == "salin":
        return _roster_copy(request, unit, period, month, emps, here)
    if action == "impor":
        upload = request.FILES.get("berkas")
        if upload is None:
            import_errors = ["Pilih berkas xlsx roster yang sudah diisi."]
        else:
            try:
                n = services.roster_import(
                    actor=request.user,
                    instansi=unit.instansi,
                    period=period,
                    month=month,
                    employees=emps,
                    upload=upload,
                )
            except ValidationError as exc:
                import_errors = exc.messages
            else:
                if n:
                    messages.success(
                        request,
                        f"Roster {period.label} diimpor dari {upload.name}: {n} hari diubah.",
                    )
                else:
                    messages.info(request, f"{upload.name}: tidak ada perubahan pada roster.")
                return redirect(here)
    elif request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        cells = {}
        for e in emps:  # the cells shown; one not posted (an older page) is left as it is
            for day in month.schedule_on[e.id]:
                key = selectors.roster_cell_name(e.id, day)
                if key in request.POST:
                    cells[(e.id, day)] = request.POST[key].strip() or None
        try:
            n = workcal_services.roster_month_save(
                actor=request.user,
                instansi=unit.instansi,
                month=month,
                cells=cells,
                names={e.id: e.name for e in emps},
            )
        except ValidationError as exc:
            bad_cells = getattr(exc, "cells", set())
            for m in exc.messages[:10]:
                messages.error(request, m)
        else:
            if n:
                messages.success(request, f"Roster {period.label} disimpan: {n} hari diubah.")
            else:
                messages.info(request, "Tidak ada perubahan pada roster.")
            return redirect(here)
    # A value posted for a cell without a shift schedule (a leaver's day after their post's end
    # among them) is not shown: roster_grid ignores it.
    posted = request.POST if request.method == "POST" and not action else None
    grid = selectors.roster_grid(unit.instansi, month, emps, posted=posted)
    # Nobody rosters themselves (workcal.services.roster_actor_check): their own row is read-only.
    me = org.employee_for_user(request.user)
    # Per day: a former superior or admin OPD cannot roster a transferred employee's days under
    # their new unit (those cells are shown, read-only).
    allowed = (
        workcal_services.roster_cells_allowed(
            request.user,
            unit.instansi,
            {(r["employee"].id, c["day"]) for r in grid.rows for c in r["cells"] if c["schedule"]},
        )
        if can_edit
        else set()
    )
    for r in grid.rows:
        r["own"] = me is not None and r["employee"].id == me.id
        for c in r["cells"]:
            c["editable"] = (r["employee"].id, c["day"]) in allowed
            c["invalid"] = (r["employee"].id, c["day"]) in bad_cells
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        return _roster_xlsx(unit, period, month.days, grid)
    locked = selectors.locked_month_employees(unit.instansi_id, [e.id for e in emps], period)
    return render(
        request,
        "attendance/roster.html",
        {
            "units": units,
            "unit": unit,
            "period": period,
            "prev": period.previous(),
            "next": period.next(),
            "days": [(d, WEEKDAY_SHORT[d.weekday()]) for d in month.days],
            "rows": grid.rows,
            "legend": grid.legend,
            "can_edit": can_edit,
            "coverage": grid.coverage,
            "locked": len(locked),
            "import_errors": import_errors,
            "copy_cycle": workcal_services.COPY_CYCLE_MAX,
            "gone_note": ROSTER_GONE_NOTE if any(r["in_post_until"] for r in grid.rows) else "",
        },
        status=400 if request.method == "POST" else 200,
    )


def _roster_copy(request, unit, period, month, emps, here):
    """ "Salin dari bulan lalu" (workcal.services.roster_copy_previous): what was copied, what was
    already filled and left, and every refusal with its reason, as messages on the page."""
    from ekinerja.workcal import services as workcal_services

    try:
        cycle = int(request.POST.get("siklus") or workcal_services.COPY_CYCLE_MAX)
    except ValueError:
        cycle = 0
    try:
        done = workcal_services.roster_copy_previous(
            actor=request.user,
            instansi=unit.instansi,
            month=month,
            employee_ids=[e.id for e in emps],
            names={e.id: e.name for e in emps},
            cycle=cycle,
            overwrite=request.POST.get("timpa") == "1",
        )
    except ValidationError as exc:
        messages.error(request, "Roster bulan lalu tidak disalin; tidak ada yang diubah.")
        for m in exc.messages[:10]:
            messages.error(request, m)
        return redirect(here)
    previous = period.previous().label
    if done.changed:
        messages.success(
            request, f"Roster {previous} disalin ke {period.label}: {done.changed} hari diisi."
        )
    else:
        messages.info(request, f"Tidak ada hari yang diisi dari roster {previous}.")
    if done.kept:
        messages.info(
            request,
            f'{done.kept} hari yang sudah terisi dibiarkan; centang "Timpa yang sudah terisi" '
            "untuk menggantinya dengan pola bulan lalu.",
        )
    for m in done.refused[:15]:
        messages.warning(request, m)
    if len(done.refused) > 15:
        messages.warning(request, f"… dan {len(done.refused) - 15} penolakan lain.")
    return redirect(here)


RECAP_COLUMNS = [
    ("working", "Hari kerja"),
    ("present", "Hadir tepat"),
    ("late", "Terlambat (kali)"),
    ("late_minutes", "Terlambat (menit)"),
    ("early", "Pulang cepat (kali)"),
    ("early_minutes", "Pulang cepat (menit)"),
    ("missing_in", "Tak absen masuk"),
    ("missing_out", "Tak absen pulang"),
    ("absent", "Tanpa keterangan"),
    ("leave", "Cuti/izin"),
]


def _days_label(spans: list[tuple[dt.date, dt.date]]) -> str:
    """ "1 Oktober 2026 – 15 Oktober 2026" (several spans joined by "; ")."""
    return "; ".join(tanggal(a) if a == b else f"{tanggal(a)} – {tanggal(b)}" for a, b in spans)


def recap_rows(emps: list[Employee], period: Period, unit: Unit | None = None) -> list[dict]:
    # Only the days each employee holds a definitif post (a joiner from the 15th has no absences
    # before it), as the TPP run judges them; with `unit` (a unit's recap), only the days of a post
    # in that unit or its sub-units: a mover's days in their other unit belong to that unit's recap
    # (one query more for everyone: the unit's tree; its posts replace every definitif post's).
    spans = selectors.unit_days(unit, emps, period.first_day, period.last_day) if unit else None
    facts = selectors.attendance_month(emps, period, in_post=True, posts=spans)
    whole = [(period.first_day, period.last_day)]
    rows = []
    for e in emps:
        days = facts.get(e.id, [])
        r = {"employee": e, "working": len(days)}
        # In the unit only part of the month (moved in or out, joined, left): which days count.
        own = spans.get(e.id) if spans is not None else None
        r["days_in_unit"] = _days_label(own) if own and own != whole else ""
        # One pass over the days: ten were ten walks over a 9,600-person unit's 210,000 days.
        present = late = late_minutes = early = early_minutes = 0
        missing_in = missing_out = absent = leave = 0
        for f in days:
            if f.status == "present":
                present += 1
            if f.late_minutes:
                late += 1
                late_minutes += f.late_minutes
            if f.early_minutes:
                early += 1
                early_minutes += f.early_minutes
            # A day not judged yet (today, the days still to come, a machine behind) is no
            # absence and no missing punch: the current month's recap counted every day to come
            # as TK.
            if f.final:
                missing_in += f.missing_check_in
                missing_out += f.missing_check_out
                absent += f.absent_without_notice
            if f.leave_type:
                leave += 1
        r["present"], r["late"], r["late_minutes"] = present, late, late_minutes
        r["early"], r["early_minutes"] = early, early_minutes
        r["missing_in"], r["missing_out"], r["absent"], r["leave"] = (
            missing_in,
            missing_out,
            absent,
            leave,
        )
        r["cells"] = [r[k] for k, _label in RECAP_COLUMNS]
        # A phone's line: the working days and every figure that is not zero.
        r["pairs"] = [(label, r[k]) for k, label in RECAP_COLUMNS if k == "working" or r[k]]
        rows.append(r)
    return rows


@login_required
def recap(request):
    if not request.user.has_perm("attendance.use_unit_board"):
        raise PermissionDenied
    units = _units_for(request)
    unit = _pick_unit(request, units)
    period = _period(request, unit.instansi)
    first, last = period.first_day, period.last_day
    # Leavers too (their days up to leaving), as the reports keep them with the OPD they left.
    allowed = _visible_ids(request, unit, first, last)
    if request.GET.get("format") == "xlsx":
        from ekinerja.core.gcpause import gc_paused

        # 200,000 days of facts that all live until the sheet is written: the collector walking
        # them again and again was a third of their derivation.
        with gc_paused():
            emps = selectors.unit_recap_employees(unit, first, last)
            if allowed is not None:
                emps = [e for e in emps if e.id in allowed]
            return _recap_xlsx(unit, period, recap_rows(emps, period, unit))
    # A page of rows, derived for its employees only; the xlsx has the whole unit (a Dinas
    # Pendidikan of 8,000 teachers was 3.8 MB of HTML). Only the page's employees are read whole:
    # the 9,600 records of a Dinas Pendidikan were half of the page's time.
    ids = selectors.unit_recap_employees(unit, first, last, ids_only=True)
    if allowed is not None:
        ids = [i for i in ids if i in allowed]
    page = Paginator(ids, PAGE_ROWS).get_page(request.GET.get("hal"))
    return render(
        request,
        "attendance/recap.html",
        {
            "units": units,
            "unit": unit,
            "period": period,
            "prev": period.previous(),
            "next": period.next(),
            "rows": recap_rows(selectors.employees_by_ids(page.object_list), period, unit),
            "page": page,
            "columns": [label for _k, label in RECAP_COLUMNS],
        },
    )


#: The roster's note on a leaver's days after their post's end (the page's and the sheet's).
ROSTER_GONE_NOTE = "tidak menjabat lagi (berhenti): hari setelah jabatannya berakhir, tidak diisi"


def _roster_xlsx(unit, period, days, grid) -> HttpResponse:
    """The roster as a landscape sheet to print and post on the ward's wall: a row per employee,
    a column per day (the shift code, blank when off, "·" without a shift schedule that day, "×"
    on a leaver's day after their post's end, with a line saying so above the table), the
    shifts' hours and the count per shift and day under it."""
    from ekinerja.core.spreadsheets import workbook

    buf = io.BytesIO()
    wb = workbook(buf)  # names stay text, never formulas
    ws = wb.add_worksheet("Roster")
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    bold = wb.add_format({"bold": True})
    head = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "text_wrap": True}
    )
    sunday = wb.add_format(
        {"bold": True, "bg_color": "#F8D7DA", "border": 1, "align": "center", "text_wrap": True}
    )
    cell = wb.add_format({"border": 1, "align": "center"})
    name = wb.add_format({"border": 1})
    ws.write(0, 0, f"ROSTER SHIFT {unit.name.upper()}", bold)
    ws.write(1, 0, f"Bulan {period.label}")
    rows, coverage, legend = grid.rows, grid.coverage, grid.legend
    for i, (code, title, shifts) in enumerate(legend):
        ws.write(
            2 + i,
            0,
            f"{title} ({code}): " + "; ".join(s.label for s in shifts) + "; kosong = libur",
        )
    top = 3 + len(legend)
    if any(r["in_post_until"] for r in rows):
        ws.write(top, 0, f"{services.ROSTER_GONE} = {ROSTER_GONE_NOTE}")
        top += 1
    ws.write_row(top, 0, ["No", "Nama / NIP"], head)
    for j, day in enumerate(days):
        ws.write_string(
            top,
            2 + j,
            f"{day.day}\n{WEEKDAY_SHORT[day.weekday()]}",
            sunday if day.weekday() == 6 else head,
        )
    ws.set_row(top, 30)
    for i, r in enumerate(rows, start=1):
        ws.write_number(top + i, 0, i, cell)
        ws.write_string(top + i, 1, f"{r['employee'].name} ({r['employee'].nip})", name)
        for j, c in enumerate(r["cells"]):
            if c["gone"]:
                ws.write_string(top + i, 2 + j, services.ROSTER_GONE, cell)
            else:
                ws.write_string(top + i, 2 + j, c["code"] if c["schedule"] else "·", cell)
    bottom = top + len(rows) + 1
    for k, (code, counts) in enumerate(coverage):
        ws.write_string(bottom + k, 1, f"Jumlah shift {code}", name)
        for j, (_day, n) in enumerate(counts):
            ws.write_number(bottom + k, 2 + j, n, cell)
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 1 + len(days), 4.5)
    ws.freeze_panes(top + 1, 2)
    wb.close()
    return xlsx_response(buf.getvalue(), f"roster-{unit.code}-{period}.xlsx")


def _recap_days_note(days: str) -> str:
    """The line under a mover's NIP in the recap, and their xlsx row's Keterangan."""
    return f"Di unit ini {days}; hanya kehadiran hari-hari itu"


def _recap_xlsx(unit: Unit, period: Period, rows: list[dict]) -> HttpResponse:
    from ekinerja.core.spreadsheets import workbook

    buf = io.BytesIO()
    wb = workbook(buf)  # names stay text, never formulas
    ws = wb.add_worksheet("Rekap")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    ws.write(0, 0, f"Rekap kehadiran {unit.name}", bold)
    ws.write(1, 0, f"Periode {period.label}")
    header = ["No", "NIP", "Nama"] + [label for _k, label in RECAP_COLUMNS] + ["Keterangan"]
    ws.write_row(3, 0, header, head)
    note = 3 + len(RECAP_COLUMNS)
    for i, r in enumerate(rows, start=1):
        ws.write_number(3 + i, 0, i)
        ws.write_string(3 + i, 1, r["employee"].nip)
        ws.write_string(3 + i, 2, r["employee"].full_name)
        for j, v in enumerate(r["cells"]):
            ws.write_number(3 + i, 3 + j, v)
        if r["days_in_unit"]:
            ws.write_string(3 + i, note, _recap_days_note(r["days_in_unit"]))
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 32)
    ws.set_column(3, note - 1, 11)
    ws.set_column(note, note, 60)
    ws.freeze_panes(4, 3)
    wb.close()
    return xlsx_response(buf.getvalue(), f"rekap-kehadiran-{unit.code}-{period}.xlsx")


# ---------------------------------------------------------------- punch import


@login_required
def imports(request):
    if not request.user.has_perm("attendance.import_punches"):
        raise PermissionDenied
    instansi = request.user.instansi
    form = ImportForm(instansi=instansi)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, instansi=instansi)
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                batch = services.import_preview(
                    actor=request.user,
                    instansi=instansi,
                    name=f.name,
                    data=f.read(),
                    device=form.cleaned_data["device"],
                    date_order=form.cleaned_data["date_order"] or None,
                )
            except ValidationError as exc:
                if isinstance(exc, services.DateOrderUnclear):
                    # The likelier reading is offered, chosen in the select.
                    form.data = form.data.copy()
                    form.data["date_order"] = exc.guess
                for field_name, errors in exc.message_dict.items():
                    target = field_name if field_name in form.fields else None
                    for error in errors:
                        form.add_error(target, error)
            else:
                return redirect("attendance:import-detail", pk=batch.pk)
    batches = selectors.visible_imports(request.user).select_related("device", "uploaded_by")[:30]
    return render(request, "attendance/imports.html", {"form": form, "batches": batches})


@login_required
def import_detail(request, pk: int):
    if not request.user.has_perm("attendance.import_punches"):
        raise PermissionDenied
    batch = get_scoped_or_404(
        selectors.visible_imports(request.user).select_related("device"), request.user, pk=pk
    )
    template = (
        "attendance/_import_progress.html"
        if request.headers.get("HX-Request")
        else "attendance/import_detail.html"
    )
    return render(request, template, {"batch": batch, "stopped": selectors.import_stopped(batch)})


@login_required
@require_POST
def import_run(request, pk: int):
    if not request.user.has_perm("attendance.import_punches"):
        raise PermissionDenied
    batch = get_scoped_or_404(selectors.visible_imports(request.user), request.user, pk=pk)
    from .tasks import import_run_task

    try:
        if batch.status == PunchImport.Status.RUNNING and not selectors.import_stopped(batch):
            raise ValidationError("Impor ini sedang berjalan; tunggu sampai selesai.")
        if batch.status not in (PunchImport.Status.PREVIEW, PunchImport.Status.RUNNING):
            raise ValidationError("Impor ini sudah dijalankan atau ditolak.")
        enqueue(import_run_task, batch.pk, request.user.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except QueueUnavailable as exc:
        messages.error(request, str(exc))
    except OperationalError as exc:
        # SQLite (a trial): the batch is being loaded inline by another request, which holds the
        # database's write lock beyond the busy timeout (import_stopped cannot tell there).
        if connection.vendor != "sqlite" or "locked" not in str(exc):
            raise
        messages.error(request, "Impor ini sedang berjalan; tunggu sampai selesai.")
    return redirect(reverse("attendance:import-detail", args=[batch.pk]))
