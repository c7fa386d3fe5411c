"""Pages of the activity app (phone first, Bahasa Indonesia). Views parse input, call services and
selectors, and render; they hold no rules."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ekinerja.core.clock import local_today
from ekinerja.core.files import private_file_response
from ekinerja.core.http import id_param, safe_next
from ekinerja.core.money import format_number
from ekinerja.core.periods import parse_iso_date, tanggal
from ekinerja.core.scoping import get_scoped_or_404, scoped
from ekinerja.org.models import Employee, Role, Unit
from ekinerja.org.selectors import employee_for_user, user_roles
from ekinerja.org.views import register_home_card
from ekinerja.performance import selectors as performance
from ekinerja.performance.models import SkpResult
from ekinerja.performance.selectors import results_for_employee

from . import selectors, services
from .forms import (
    EntryForm,
    ReasonForm,
    UnlockDecisionForm,
    UnlockForm,
    VerifyForm,
    parse_date,
    parse_period,
)
from .models import (
    ActivityCatalogItem,
    ActivityEntry,
    EntryStatus,
    Evidence,
    Favourite,
    Objection,
    ReviewItem,
    ReviewOutcome,
    ReviewSample,
    UnlockRequest,
    UnlockStatus,
)


def _me(request) -> Employee:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Akun ini tidak terhubung ke data pegawai.")
    return me


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _own_entry(request, pk: int) -> ActivityEntry:
    entry = get_scoped_or_404(
        ActivityEntry.objects.select_related("employee", "item"), request.user, pk=pk
    )
    if entry.employee.user_id != request.user.id:
        raise Http404("Data tidak ditemukan.")
    return entry


# --------------------------------------------------------------------------------------------------
# Employee: day view and entries


@login_required
def today(request):
    me = _me(request)
    the_day = parse_date(request.GET.get("tanggal"), local_today(me.instansi))
    return redirect("activities:day", day=the_day.isoformat())


def _previous_entry_day(me: Employee, day: dt.date) -> dt.date | None:
    return (
        ActivityEntry.objects.filter(
            employee=me, date__lt=day, date__gte=day - dt.timedelta(days=14)
        )
        .exclude(status__in=[EntryStatus.REJECTED, EntryStatus.EXPIRED])
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def _url_day(request, text: str) -> dt.date | None:
    """The date of a day URL (/aktivitas/hari/<day>/...), or None with an error message when it is
    no date of the sane range (core.periods: years 1900-9998)."""
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        messages.error(request, str(exc))
        return None


@login_required
def day(request, day: str):
    me = _me(request)
    today_ = local_today(me.instansi)
    the_day = _url_day(request, day)
    if the_day is None:
        return redirect("activities:day", day=today_.isoformat())
    skp_results = list(results_for_employee(me, the_day.year))
    form = EntryForm(initial={"date": the_day, "volume": 1}, skp_results=skp_results)
    selected = None
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, skp_results=skp_results)
        if form.is_valid():
            cd = form.cleaned_data
            item = scoped(ActivityCatalogItem, request.user).filter(pk=cd["item"] or 0).first()
            selected = item
            if item is None:
                form.add_error("item", "Pilih aktivitas dari katalog.")
            else:
                try:
                    res = services.entry_create(
                        actor=request.user,
                        date=cd["date"],
                        start_time=cd["start_time"],
                        end_time=cd["end_time"],
                        item=item,
                        volume=cd["volume"],
                        description=cd["description"],
                        files=cd["files"],
                        submit=request.POST.get("action") == "submit",
                        skp_result=cd["skp_result"],
                    )
                except ValidationError as exc:
                    if _already_saved(me, cd, item):
                        # The same form sent twice (a second tap before the page's script was
                        # loaded, or sent again after the answer was lost on a weak connection):
                        # the first one was saved, so this is no error for the employee.
                        messages.info(
                            request,
                            "Aktivitas ini sudah tersimpan sebelumnya; tidak disimpan dua kali.",
                        )
                        return redirect("activities:day", day=cd["date"].isoformat())
                    _apply_errors(form, exc)
                else:
                    for w in res.warnings:
                        messages.warning(request, w)
                    messages.success(request, "Aktivitas tersimpan.")
                    return redirect("activities:day", day=cd["date"].isoformat())
        else:
            selected = (
                scoped(ActivityCatalogItem, request.user)
                .filter(pk=id_param(request.POST.get("item")) or 0)
                .first()
            )
            _no_item_too(form, selected)
    view = selectors.day_view(me, the_day, today_)
    if request.method != "POST":
        # The next activity usually starts when the last one ended: one field less to type.
        ends = [
            e.end_time
            for e in view.entries
            if e.status not in (EntryStatus.REJECTED, EntryStatus.EXPIRED)
        ]
        if ends:
            form.initial["start_time"] = max(ends)
    _focus_first_error(form)
    _files_dropped(form, request)
    roles = user_roles(request.user)
    ctx = {
        "v": view,
        "form": form,
        "selected": selected,
        "today": today_,
        "prev_day": the_day - dt.timedelta(days=1),
        "next_day": the_day + dt.timedelta(days=1) if the_day < today_ else None,
        "repeat_from": _previous_entry_day(me, the_day),
        "has_drafts": any(
            e.status in (EntryStatus.DRAFT, EntryStatus.RETURNED)
            or (e.status == EntryStatus.EXPIRED and view.window.unlock is not None)
            for e in view.entries
        ),
        "favourite_ids": {i.pk for i in view.favourites},
    }
    if Role.ATASAN in roles or Role.BKPSDM in roles:
        ctx["waiting"], ctx["waiting_due"] = selectors.inbox_count(
            me, today_, bkpsdm=Role.BKPSDM in roles
        )
    else:  # moved away from their subordinates, still verifying the days they supervised
        ctx["waiting"], ctx["waiting_due"] = selectors.former_superior_waiting(me, today_)
    return render(request, "activities/day.html", ctx, status=400 if form.errors else 200)


def _already_saved(me: Employee, cd: dict, item: ActivityCatalogItem) -> bool:
    """An entry exactly as this form describes it, saved in the last minutes (one query, on the
    refusal path only)."""
    return ActivityEntry.objects.filter(
        instansi_id=me.instansi_id,
        employee=me,
        date=cd["date"],
        start_time=cd["start_time"],
        end_time=cd["end_time"],
        item=item,
        volume=cd["volume"],
        description=(cd["description"] or "").strip(),
        created_at__gte=timezone.now() - dt.timedelta(minutes=RESEND_MINUTES),
    ).exists()


def _no_item_too(form, selected) -> None:
    """A form refused for its own fields (a time, the volume) without an activity chosen says that
    too, at once: else the employee corrects the time, sends it again over a slow connection and
    only then learns the activity is missing."""
    if selected is None and "item" not in form.errors:
        form.add_error("item", "Pilih aktivitas dari katalog.")


def _files_dropped(form, request) -> None:
    """A refused form cannot give its files back (a browser never refills a file field): the page
    says so beside the field (`form.files_dropped`), else the entry is saved without its evidence."""
    form.files_dropped = bool(form.errors) and bool(request.FILES.getlist("files"))


# How long after saving an entry the same form sent again is taken for a repeat, not a mistake.
RESEND_MINUTES = 30


def _focus_first_error(form) -> None:
    """The first field in error gets the focus, so a phone shows it (and its message) at once
    instead of the top of a long page. The catalog choice has no widget of its own: its search box
    takes the focus (`form.focus_search`)."""
    form.focus_search = False
    for name in form.fields:
        if name in form.errors:
            if name == "item":
                form.focus_search = True
            else:
                form.fields[name].widget.attrs["autofocus"] = True
            return


@register_home_card("activities")
def home_card(request, roles, page) -> dict:
    """The employee's home page (org/home.html includes activities/_home.html): today's entries with
    a button to log them, the month's approved minutes, and for whoever verifies, what waits."""
    if Role.PEGAWAI not in roles:
        return {}
    me = employee_for_user(request.user)
    if me is None:
        return {}
    today_ = local_today(me.instansi)
    if Role.ATASAN in roles or Role.BKPSDM in roles:
        waiting, due = selectors.inbox_count(me, today_, bkpsdm=Role.BKPSDM in roles)
    else:
        waiting, due = selectors.former_superior_waiting(me, today_)
    return {
        "activity_home": selectors.home_summary(me, today_),
        "activity_waiting": waiting,
        "activity_waiting_due": due,
    }


@login_required
def catalog_search(request):
    """htmx: catalog items allowed on the date, every word of q matching (radio choices)."""
    me = _me(request)
    today_ = local_today(me.instansi)
    the_day = min(parse_date(request.GET.get("date"), today_), today_)
    q = (request.GET.get("q") or "").strip()
    items = selectors.catalog_search(me, the_day, q, limit=25) if q else []
    return render(
        request,
        "activities/_catalog_results.html",
        {"items": items, "q": q, "selected_id": request.GET.get("selected")},
    )


@login_required
@require_POST
def favourite_toggle(request, pk: int):
    item = get_scoped_or_404(ActivityCatalogItem, request.user, pk=pk)
    on = services.favourite_toggle(actor=request.user, item=item)
    if _is_htmx(request):
        return render(request, "activities/_fav_button.html", {"item": item, "on": on})
    return redirect(safe_next(request, reverse("activities:today")))


@login_required
@require_POST
def repeat_previous(request, day: str):
    me = _me(request)
    target = _url_day(request, day)
    if target is None:
        return redirect("activities:today")
    source = _previous_entry_day(me, target)
    if source is None:
        messages.error(request, "Tidak ada aktivitas sebelumnya untuk diulang.")
    else:
        try:
            res = services.repeat_day(actor=request.user, source=source, target=target)
        except ValidationError as exc:
            messages.error(request, "Tidak ada yang disalin. " + _error_text(exc))
        else:
            for w in res.warnings:
                messages.warning(request, w)
            messages.success(
                request, f"Aktivitas {tanggal(source)} disalin sebagai draf; periksa lalu ajukan."
            )
    return redirect("activities:day", day=target.isoformat())


@login_required
@require_POST
def submit_day(request, day: str):
    me = _me(request)
    the_day = _url_day(request, day)
    if the_day is None:
        return redirect("activities:today")
    try:
        n = services.entries_submit_day(actor=request.user, employee=me, day=the_day)
    except ValidationError as exc:
        messages.error(request, "Tidak ada yang diajukan. " + _error_text(exc))
    else:
        messages.success(request, f"{n} aktivitas diajukan ke atasan.")
    return redirect("activities:day", day=the_day.isoformat())


@login_required
def month(request):
    me = _me(request)
    today_ = local_today(me.instansi)
    period = parse_period(request.GET.get("periode"), today_)
    days = selectors.month_days(me, period)
    recap = selectors.activity_month([me], period)[me.pk]
    locked = selectors.month_tpp_locked(me, period)
    return render(
        request,
        "activities/month.html",
        {
            "period": period,
            "locked": locked,
            "days": sorted(days.items()),
            "recap": recap,
            "today": today_,
            "prev": period.previous(),
            "next": period.next() if period.next().first_day <= today_ else None,
        },
    )


@login_required
def entry_detail(request, pk: int):
    entry = get_scoped_or_404(
        ActivityEntry.objects.select_related("employee", "item", "verified_by", "skp_result"),
        request.user,
        pk=pk,
    )
    if not request.user.has_perm("activities.view_entry", entry):
        raise Http404("Data tidak ditemukan.")
    objection = Objection.objects.filter(entry=entry).select_related("decider").first()
    reviews = list(
        ReviewItem.objects.filter(entry=entry).exclude(outcome="pending").order_by("reviewed_at")
    )
    is_owner = entry.employee.user_id == request.user.id
    settings = selectors.activity_settings(entry.instansi_id)
    can_object = (
        is_owner
        and objection is None
        and entry.verified_at is not None
        and (entry.status == EntryStatus.REJECTED or entry.volume_cut)
        # services.objection_file refuses it: the tim penilai's overturn is final.
        and not any(r.outcome == ReviewOutcome.OVERTURNED for r in reviews)
    )
    return render(
        request,
        "activities/entry_detail.html",
        {
            "e": entry,
            "evidence": list(entry.evidence.all()),
            "objection": objection,
            "reviews": reviews,
            "is_owner": is_owner,
            "can_object": can_object,
            "objection_days": settings.objection_days,
            "is_fav": is_owner
            and Favourite.objects.filter(employee=entry.employee, item=entry.item).exists(),
        },
    )


@login_required
def entry_edit(request, pk: int):
    entry = _own_entry(request, pk)
    me = entry.employee
    initial = {
        "date": entry.date,
        "start_time": entry.start_time,
        "end_time": entry.end_time,
        "item": entry.item_id,
        "volume": entry.volume,
        "description": entry.description,
        "skp_result": entry.skp_result_id,
    }
    skp_results = performance.results_offered_for_entry(
        me, entry.date.year, keep_id=entry.skp_result_id
    )
    form = EntryForm(initial=initial, skp_results=skp_results)
    selected = entry.item
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, skp_results=skp_results)
        if form.is_valid():
            cd = form.cleaned_data
            item = scoped(ActivityCatalogItem, request.user).filter(pk=cd["item"] or 0).first()
            if item is None:
                form.add_error("item", "Pilih aktivitas dari katalog.")
            else:
                selected = item
                try:
                    was = entry.status
                    res = services.entry_update(
                        actor=request.user,
                        entry=entry,
                        date=cd["date"],
                        start_time=cd["start_time"],
                        end_time=cd["end_time"],
                        item=item,
                        volume=cd["volume"],
                        description=cd["description"],
                        files=cd["files"],
                        skp_result=cd["skp_result"],
                    )
                    if request.POST.get("action") == "submit" and res.entry.status in (
                        EntryStatus.DRAFT,
                        EntryStatus.RETURNED,
                        EntryStatus.EXPIRED,  # under an unlock (entry_submit checks it)
                    ):
                        services.entry_submit(actor=request.user, entry=res.entry)
                except ValidationError as exc:
                    _apply_errors(form, exc)
                else:
                    for w in res.warnings:
                        messages.warning(request, w)
                    if was == EntryStatus.APPROVED and res.entry.status != was:
                        messages.info(
                            request,
                            "Aktivitas yang sudah disetujui diubah, sehingga perlu diverifikasi "
                            "ulang oleh atasan.",
                        )
                    messages.success(request, "Perubahan tersimpan.")
                    return redirect("activities:day", day=res.entry.date.isoformat())
        else:
            picked = (
                scoped(ActivityCatalogItem, request.user)
                .filter(pk=id_param(request.POST.get("item")) or 0)
                .first()
            )
            selected = picked  # what was sent, as the day page does: never the old one back
            _no_item_too(form, picked)
    _files_dropped(form, request)
    favs, recent = selectors.offered_items(me, entry.date)
    return render(
        request,
        "activities/entry_edit.html",
        {"e": entry, "form": form, "selected": selected, "favourites": favs, "recent": recent},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def entry_submit(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        was = entry.status
        services.entry_submit(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if was == EntryStatus.SUBMITTED:  # a second click or a stale page: nothing changed
            messages.info(request, "Aktivitas ini sudah diajukan dan menunggu verifikasi atasan.")
        else:
            messages.success(request, "Aktivitas diajukan ke atasan.")
    return redirect("activities:day", day=entry.date.isoformat())


@login_required
@require_POST
def entry_delete(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        services.entry_delete(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Aktivitas dihapus.")
    return redirect("activities:day", day=entry.date.isoformat())


@login_required
@require_POST
def evidence_add(request, pk: int):
    entry = _own_entry(request, pk)
    form = EntryForm(files=request.FILES)
    files = form.fields["files"].clean(request.FILES.getlist("files"))
    if not files:
        messages.error(request, "Pilih berkas bukti.")
    else:
        try:
            services.evidence_add(actor=request.user, entry=entry, files=files)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Bukti ditambahkan.")
    return redirect("activities:entry", pk=entry.pk)


@login_required
def evidence_file(request, pk: int):
    """Evidence only through here: the file is served to those allowed to see the entry (same rule as
    the entry page), never from a public media URL."""
    ev = get_scoped_or_404(
        Evidence.objects.select_related("entry", "entry__employee"), request.user, pk=pk
    )
    if not request.user.has_perm("activities.view_entry", ev.entry):
        raise Http404("Data tidak ditemukan.")
    return private_file_response(ev.file, ev.content_type, ev.original_name, "bukti")


@login_required
@require_POST
def objection_file(request, pk: int):
    entry = _own_entry(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.objection_file(
            actor=request.user, entry=entry, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Keberatan diajukan ke atasan dari atasan Anda.")
    return redirect("activities:entry", pk=entry.pk)


# --------------------------------------------------------------------------------------------------
# Superior: inbox and verification


# Above this many waiting entries the inbox lists who waits, and shows one subordinate at a time.
INBOX_PAGE_LIMIT = 60
# Subordinates a page of the inbox's list of who waits (each with its "Setujui n" form).
INBOX_PEOPLE_PAGE = 25


@login_required
def inbox(request):
    me = _me(request)
    # Taken before the entries are read: an entry changed after it was not seen on this page, and
    # the decisions sent from it leave such entries alone (services.entry_verify's seen_at).
    seen = timezone.now()
    wanted = request.GET.get("pegawai") or ""
    employee_id = id_param(wanted)
    # BKPSDM also verifies the entries of employees without a direct superior on their dates.
    data = selectors.superior_inbox(
        me,
        bkpsdm=Role.BKPSDM in user_roles(request.user),
        employee_id=employee_id,
        summarise_over=INBOX_PAGE_LIMIT,
    )
    # The list of who waits, a page at a time: a Kabid of 650 subordinates was sent all of them,
    # each with its own form (800 KB, even beside one subordinate's month), which a cheap phone
    # could not use. Found by name or NIP, the nearest deadline first.
    search = (request.GET.get("q") or "").strip()[:60]
    order = request.GET.get("urut") or ""
    if order not in selectors.INBOX_PEOPLE_ORDERS:
        order = next(iter(selectors.INBOX_PEOPLE_ORDERS))
    people = selectors.inbox_people(data.summary, search=search, order=order)
    if search and not data.summarised and employee_id is None:
        # A small inbox shows everyone's entries under the list: only those found.
        found = {s.employee.pk for s in people}
        data.groups = [g for g in data.groups if g.employee.pk in found]
    paginator = Paginator(people, INBOX_PEOPLE_PAGE)
    number = request.GET.get("hal")
    if not number and employee_id is not None:
        # One subordinate's entries: the list (folded above them) opens at that subordinate.
        at = next((i for i, s in enumerate(people) if s.employee.pk == employee_id), 0)
        number = at // INBOX_PEOPLE_PAGE + 1
    page = paginator.get_page(number)
    selectors.mark_locked_inbox(me.instansi_id, data, list(page.object_list))
    settings = selectors.activity_settings(me.instansi_id)
    # "Semua bawahan" goes back to the list as it was: the same search, order and page.
    back = request.GET.copy()
    back.pop("pegawai", None)
    back.pop("hal", None)
    if page.number > 1:
        back["hal"] = str(page.number)
    return render(
        request,
        "activities/inbox.html",
        {
            "inbox": data,
            "page": page,
            "people_count": len(data.summary),
            "search": search,
            "order": order,
            "orders": selectors.INBOX_PEOPLE_ORDERS.items(),
            # The search and the order are offered once the list no longer fits one page.
            "findable": len(data.summary) > INBOX_PEOPLE_PAGE or bool(search),
            "back": reverse("activities:inbox") + (f"?{back.urlencode()}" if back else ""),
            "cap": settings.daily_cap_minutes,
            "today": data.today,
            "here": request.get_full_path(),
            "seen": seen.isoformat(),
        },
    )


def _inbox_redirect(request):
    return redirect(safe_next(request, reverse("activities:inbox")))


# What a superior's decision did, as the message after it says it.
DECIDED = {"approve": "Disetujui", "reject": "Ditolak", "return": "Dikembalikan"}


def _seen_at(request) -> dt.datetime | None:
    """When the inbox page the decision comes from was made (its hidden `seen` field); None when
    the form has none. A value that is not an aware ISO time raises ValueError."""
    text = request.POST.get("seen", "")
    if not text:
        return None
    at = dt.datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(text)
    return at


@login_required
@require_POST
def verify_one(request, pk: int):
    entry = get_scoped_or_404(
        ActivityEntry.objects.select_related("employee", "item"), request.user, pk=pk
    )
    form = VerifyForm(request.POST)
    if not form.is_valid():
        # Say what was wrong (a volume the superior typed), not only that something was.
        errors = form.errors.get("approved_volume") or ["Keputusan tidak valid."]
        messages.error(request, f"{entry.employee.name}, {tanggal(entry.date)}: {' '.join(errors)}")
        return _inbox_redirect(request)
    cd = form.cleaned_data
    try:
        seen_at = _seen_at(request)
    except ValueError:
        messages.error(request, "Permintaan tidak valid.")
        return _inbox_redirect(request)
    try:
        decided = services.entry_verify(
            actor=request.user,
            entry=entry,
            decision=cd["decision"],
            reason=cd["reason"],
            approved_volume=cd["approved_volume"],
            seen_at=seen_at,
        )
    except PermissionDenied:
        raise Http404("Data tidak ditemukan.") from None
    except ValidationError as exc:
        messages.error(request, f"{entry.employee.name}, {tanggal(entry.date)}: {_error_text(exc)}")
    else:
        label = DECIDED[cd["decision"]]
        if decided.approved_volume is not None and decided.approved_volume < decided.volume:
            label += f" (volume {format_number(decided.volume)} → {format_number(decided.approved_volume)})"
        messages.success(request, f"{label}: {entry.item.name} ({entry.employee.name}).")
    return _inbox_redirect(request)


@login_required
@require_POST
def verify_bulk(request):
    """Bulk decisions: the ticked entries, or a subordinate's whole day or month."""
    decision = request.POST.get("decision", "approve")
    reason = request.POST.get("reason", "")
    ids = [v for x in request.POST.getlist("entries") if (v := id_param(x)) is not None]
    emp_id = request.POST.get("employee")
    try:
        seen_at = _seen_at(request)
        if emp_id:
            employee = get_scoped_or_404(Employee, request.user, pk=emp_id)
            start = parse_iso_date(request.POST["start"])
            end = parse_iso_date(request.POST.get("end") or request.POST["start"])
            n = services.entries_verify_bulk(
                actor=request.user,
                employee=employee,
                start=start,
                end=end,
                decision=decision,
                reason=reason,
                seen_at=seen_at,
            )
        elif ids:
            n = services.entries_verify_bulk(
                actor=request.user,
                entry_ids=ids,
                decision=decision,
                reason=reason,
                seen_at=seen_at,
            )
        else:
            messages.error(request, "Centang aktivitas yang akan diverifikasi.")
            return _inbox_redirect(request)
    except (KeyError, ValueError):
        messages.error(request, "Permintaan tidak valid.")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "Tidak diizinkan.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        word = {"approve": "disetujui", "reject": "ditolak", "return": "dikembalikan"}.get(
            decision, ""
        )
        if n.count or not (n.changed or n.on_leave):
            messages.success(request, f"{n.count} aktivitas {word}.")
        if n.late:
            messages.warning(request, n.late_note)
        if n.changed:
            messages.warning(request, n.changed_note)
        if n.on_leave:
            messages.warning(request, n.on_leave_note)
    return _inbox_redirect(request)


# --------------------------------------------------------------------------------------------------
# Unlocks


def _admin_employees(request) -> tuple[list[Employee], bool]:
    """(the employees to pick from, whether to type instead): the list up to
    selectors.ADMIN_PICK_LIMIT; one query."""
    people = selectors.admin_opd_employees(request.user, limit=selectors.ADMIN_PICK_LIMIT + 1)
    if len(people) > selectors.ADMIN_PICK_LIMIT:
        return [], True
    return people, False


def _admin_picker(request, roles) -> dict:
    if Role.ADMIN_OPD not in roles:
        return {"admin_employees": [], "admin_typed": False}
    people, typed = _admin_employees(request)
    return {"admin_employees": people, "admin_typed": typed}


@login_required
def unlocks(request):
    me = employee_for_user(request.user)
    roles = user_roles(request.user)
    if me is None and Role.ADMIN_OPD not in roles:
        raise Http404
    start = parse_date(request.GET.get("dari"), None) if request.GET.get("dari") else None
    form = UnlockForm(initial={"date_from": start, "date_to": start})
    if request.method == "POST":
        form = UnlockForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            employee = me
            if cd.get("employee") and (me is None or cd["employee"] != me.pk):
                employee = get_scoped_or_404(Employee, request.user, pk=cd["employee"])
            try:
                if cd.get("pegawai") and Role.ADMIN_OPD in roles:
                    employee = selectors.admin_opd_employee_typed(request.user, cd["pegawai"])
                if employee is None:
                    raise ValidationError({"employee": "Pilih pegawai."})
                services.unlock_request_create(
                    actor=request.user,
                    employee=employee,
                    date_from=cd["date_from"],
                    date_to=cd["date_to"],
                    reason=cd["reason"],
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Permohonan buka kunci dikirim ke BKPSDM.")
                return redirect("activities:unlocks")
    q = Q(requested_by=request.user)
    if me is not None:
        q |= Q(employee=me)
    mine = (
        scoped(UnlockRequest, request.user)
        .filter(q)
        .select_related("employee", "requested_by")
        .order_by("-requested_at")[:50]
    )
    return render(
        request,
        "activities/unlocks.html",
        {
            "form": form,
            "requests": mine,
            "me": me,
            **_admin_picker(request, roles),
        },
        status=400 if form.errors else 200,
    )


@login_required
def unlocks_manage(request):
    # The role itself, not has_perm alone: Django grants every permission to a superuser, and a
    # Kominfo technical admin who is one was shown the requests with "Setujui" buttons that
    # services.unlock_request_decide then refuses (only BKPSDM decides an unlock).
    if not request.user.has_perm("activities.decide_unlock") or Role.BKPSDM not in user_roles(
        request.user
    ):
        raise PermissionDenied
    pending = list(
        scoped(UnlockRequest, request.user)
        .filter(status=UnlockStatus.PENDING)
        .select_related("employee", "requested_by__employee")
        .order_by("requested_at")
    )
    selectors.locked_months_of_unlocks(request.user.instansi_id, pending)
    decided = (
        scoped(UnlockRequest, request.user)
        .exclude(status=UnlockStatus.PENDING)
        .select_related("employee", "decided_by__employee")
        .order_by("-decided_at")[:30]
    )
    today_ = local_today(request.user.instansi)
    return render(
        request,
        "activities/unlocks_manage.html",
        {
            "pending": pending,
            "decided": decided,
            "default_deadline": today_ + dt.timedelta(days=3),
            "today": today_,
        },
    )


@login_required
@require_POST
def unlock_decide(request, pk: int):
    unlock = get_scoped_or_404(
        UnlockRequest.objects.select_related("employee"), request.user, pk=pk
    )
    form = UnlockDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isian tidak valid.")
        return redirect("activities:unlocks-manage")
    cd = form.cleaned_data
    try:
        services.unlock_request_decide(
            actor=request.user,
            unlock=unlock,
            approve=cd["decision"] == "approve",
            deadline=cd["deadline"],
            reason=cd["reason"],
        )
    except ValidationError as exc:
        messages.error(request, f"{unlock.employee.name}: {_error_text(exc)}")
    else:
        messages.success(request, f"Permohonan {unlock.employee.name} diputuskan.")
    return redirect("activities:unlocks-manage")


# --------------------------------------------------------------------------------------------------
# Objections


@login_required
def objections(request):
    me = _me(request)
    bkpsdm = Role.BKPSDM in user_roles(request.user)
    to_decide = list(selectors.objections_to_decide(me, bkpsdm=bkpsdm))
    mine = list(
        Objection.objects.filter(entry__employee=me)
        .select_related("entry", "entry__item", "decider")
        .order_by("-filed_at")[:30]
    )
    return render(request, "activities/objections.html", {"to_decide": to_decide, "mine": mine})


@login_required
@require_POST
def objection_decide(request, pk: int):
    objection = get_scoped_or_404(Objection, request.user, pk=pk)
    try:
        services.objection_decide(
            actor=request.user,
            objection=objection,
            grant=request.POST.get("decision") == "grant",
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Keputusan keberatan tersimpan (final).")
    return redirect("activities:objections")


# --------------------------------------------------------------------------------------------------
# Tim penilai


@login_required
def review(request):
    if not request.user.has_perm("activities.review_sample"):
        raise PermissionDenied
    today_ = local_today(request.user.instansi)
    period = parse_period(
        request.GET.get("periode") or request.POST.get("periode"),
        today_.replace(day=1) - dt.timedelta(days=1),
    )
    scope = selectors.tim_penilai_unit_ids(request.user)
    units = scoped(Unit, request.user).order_by("code")
    if scope is not None:
        units = units.filter(id__in=scope)
    unit_id = id_param(request.GET.get("unit") or request.POST.get("unit"))
    unit = units.filter(pk=unit_id).first() if unit_id else None
    if scope is not None and unit is None:
        # A team limited to some units never sees the instansi-wide sample: one of its units.
        unit = units.first()
    if request.method == "POST":
        try:
            size = _sample_size(request.POST.get("size"))
            services.review_sample_draw(actor=request.user, period=period, unit=unit, size=size)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(
                request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
            )
        else:
            messages.success(request, "Sampel diambil.")
        url = reverse("activities:review") + f"?periode={period}"
        return redirect(url + (f"&unit={unit.pk}" if unit else ""))
    sample = (
        ReviewSample.objects.select_related("drawn_by__employee")
        .filter(instansi_id=request.user.instansi_id, period=str(period), unit=unit)
        .first()
        if unit is not None or scope is None
        else None
    )
    items = selectors.review_items(sample) if sample else []
    me = employee_for_user(request.user) if items else None
    for r in items:
        # Shown without the buttons: the service would refuse the decision (review_conflict).
        r.conflict = services.review_conflict(request.user, me, r.entry)
    return render(
        request,
        "activities/review.html",
        {
            "period": period,
            "units": units,
            "unit": unit,
            "scope_all": scope is None,
            "sample": sample,
            "items": items,
            "default_size": selectors.activity_settings(
                request.user.instansi_id
            ).review_sample_size,
        },
    )


def _sample_size(text: str | None) -> int | None:
    """The sample size typed on the form (None: the instansi's default); anything but a whole number
    is refused in Indonesian (int() said "invalid literal for int() with base 10")."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 500):
        raise ValidationError(
            {"size": f"Ukuran sampel harus bilangan bulat 1 sampai 500; diisi {text[:20]}."}
        )
    return int(text)


@login_required
@require_POST
def review_decide(request, pk: int):
    item = get_scoped_or_404(ReviewItem.objects.select_related("sample"), request.user, pk=pk)
    try:
        services.review_decide(
            actor=request.user,
            item=item,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Hasil pemeriksaan tersimpan.")
    url = reverse("activities:review") + f"?periode={item.sample.period}"
    return redirect(url + (f"&unit={item.sample.unit_id}" if item.sample.unit_id else ""))


# --------------------------------------------------------------------------------------------------
# Recap per unit (superiors, BKPSDM, pimpinan)


@login_required
def recap(request):
    today_ = local_today(request.user.instansi)
    period = parse_period(request.GET.get("periode"), today_)
    units = scoped(Unit, request.user).order_by("code")
    if not request.user.has_perm("activities.view_recap"):
        raise PermissionDenied
    allowed = selectors.recap_unit_ids(request.user)
    if allowed is not None:
        units = units.filter(id__in=allowed)
    unit = units.filter(pk=id_param(request.GET.get("unit")) or 0).first() or units.first()
    employees = selectors.unit_recap_employees(unit, period) if unit else []
    # 100 rows a page, worked out for the page only (a Dinas Pendidikan of 8,000 was 3.5 MB).
    page = Paginator(employees, RECAP_PAGE_ROWS).get_page(request.GET.get("hal"))
    # Each counts only the days of the month they held a post in the unit (a mover, a leaver).
    rows = selectors.activity_rows(list(page.object_list), period, unit=unit)
    return render(
        request,
        "activities/recap.html",
        {"period": period, "units": units, "unit": unit, "rows": rows, "page": page},
    )


RECAP_PAGE_ROWS = 100


# --------------------------------------------------------------------------------------------------
# Catalog (BKPSDM) and bulk entry by spreadsheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def catalog(request):
    if not request.user.has_perm("activities.manage_catalog"):
        raise PermissionDenied
    q = (request.GET.get("q") or "").strip()
    items = scoped(ActivityCatalogItem, request.user).search(q).order_by("code")
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Pilih berkas .xlsx.")
        else:
            try:
                result = services.catalog_import(
                    actor=request.user,
                    instansi=request.user.instansi,
                    upload=upload,
                    confirm=request.POST.get("tetap") == "1",
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                if result.ok:
                    messages.success(
                        request,
                        f"Katalog diimpor: {result.created} baru, {result.updated} diperbarui.",
                    )
                    return redirect("activities:catalog")
    return render(
        request,
        "activities/catalog.html",
        {
            "items": items[:300],
            "total": items.count(),
            "q": q,
            "result": result,
            # A refusal for entries a new validity would strand: the same sheet may be confirmed.
            "stranded": result is not None and result.stranded,
            "confirm_label": services.CONFIRM_LABEL,
        },
        status=400 if result is not None and not result.ok else 200,
    )


@login_required
def catalog_export(request):
    if not request.user.has_perm("activities.manage_catalog"):
        raise PermissionDenied
    from .xlsx import catalog_workbook

    items = scoped(ActivityCatalogItem, request.user).prefetch_related("units").order_by("code")
    resp = HttpResponse(catalog_workbook(items), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="katalog-aktivitas.xlsx"'
    return resp


@login_required
def bulk_entry(request):
    """Download a template for a date range, or import a filled one (all or nothing)."""
    me = _me(request)
    today_ = local_today(me.instansi)
    start = parse_date(request.GET.get("dari"), today_ - dt.timedelta(days=6))
    end = min(parse_date(request.GET.get("sampai"), today_), today_)
    if request.GET.get("unduh") and start <= end and (end - start).days <= 62:
        from ekinerja.workcal.selectors import working_days

        from .xlsx import entry_template

        days = working_days([me], start, end).get(me.pk, [])
        items = list(selectors.allowed_items(me, end).order_by("code"))
        skp = {y: list(results_for_employee(me, y)) for y in sorted({start.year, end.year})}
        resp = HttpResponse(entry_template(me.full_name, days, items, skp), content_type=XLSX)
        resp["Content-Disposition"] = (
            f'attachment; filename="aktivitas-{start.isoformat()}-{end.isoformat()}.xlsx"'
        )
        return resp
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Pilih berkas .xlsx.")
        else:
            try:
                result = services.entries_import(
                    actor=request.user, upload=upload, submit=request.POST.get("submit") == "1"
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                if result.ok:
                    for w in result.warnings[:10]:
                        messages.warning(request, w)
                    messages.success(request, f"{result.created} aktivitas diimpor.")
                    return redirect("activities:bulk")
    return render(
        request,
        "activities/bulk.html",
        {"start": start, "end": end, "result": result, "today": today_},
        status=400 if result is not None and not result.ok else 200,
    )


# --------------------------------------------------------------------------------------------------
# The activities behind an SKP result (loaded by the SKP screens with htmx)


@login_required
@require_GET
def skp_result_activities(request, pk: int):
    """The activities naming one SKP result in an evaluation period (`?periode=YYYY-MM`, the period's
    first month; default: the period containing today): approved ones with totals, the others apart.
    For the employee, the superior who rates the period, BKPSDM and the unit's tim penilai; anybody
    else gets 404. htmx gets the list alone."""
    result = get_scoped_or_404(
        SkpResult.objects.select_related("plan__employee"), request.user, pk=pk
    )
    employee = result.plan.employee
    cfg = performance.performance_settings(result.instansi_id)
    key = request.GET.get("periode")
    try:
        period = (
            performance.period_from_key(cfg, key)
            if key
            else performance.period_containing(cfg, local_today(request.user.instansi))
        )
    except ValueError as exc:
        raise Http404("Periode penilaian tidak dikenal.") from exc
    evaluation = performance.evaluation_or_blank(employee, period)
    if not request.user.has_perm("activities.view_skp_activities", evaluation):
        raise Http404("Data tidak ditemukan.")
    ctx = {
        "a": selectors.entries_for_skp_result(result, period.start, period.end),
        "employee": employee,
        "period": period,
    }
    if _is_htmx(request):
        return render(request, "activities/_skp_result_activities.html", ctx)
    return render(request, "activities/skp_result_activities.html", ctx)
