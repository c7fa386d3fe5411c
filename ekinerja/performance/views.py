"""Pages of the performance app: the employee's SKP and realisation, the superior's agreement and
rating screens, BKPSDM's overview, settings and the SKP document as PDF."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from ekinerja.core.clock import local_today
from ekinerja.core.periods import Period, tanggal
from ekinerja.core.scoping import get_scoped_or_404
from ekinerja.org.models import Role
from ekinerja.org.selectors import (
    definitif_assignment,
    direct_superior,
    employee_for_user,
    held_superior_post,
    user_roles,
)
from ekinerja.org.views import register_home_card

from . import selectors, services
from .evalperiods import periods_of_year
from .forms import (
    BehaviourForm,
    IndicatorFormSet,
    RealisationForm,
    ReopenForm,
    ResultForm,
    ReturnForm,
    RevisionForm,
    SettingsForm,
)
from .models import (
    PerformancePeriodLock,
    SkpEvaluation,
    SkpEvidence,
    SkpIndicator,
    SkpPlan,
    SkpResult,
)
from .predicate import MATRIX, Rating, predicate
from .templatetags.kinerja import predikat_badge

# ---------------------------------------------------------------- helpers


def _me(request):
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Halaman ini untuk pegawai.")
    return me


def _today(request):
    if request.user.instansi_id is None:
        raise Http404
    return local_today(request.user.instansi)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _message_errors(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _plan_or_404(request, pk: int) -> SkpPlan:
    plan = get_scoped_or_404(selectors.plan_detail_queryset(), request.user, pk=pk)
    if not request.user.has_perm("performance.view_plan", plan):
        raise Http404("Data tidak ditemukan.")
    return plan


def _year_param(request, today) -> int:
    try:
        year = int(request.GET.get("tahun", today.year))
    except ValueError:
        return today.year
    return year if today.year - 5 <= year <= today.year + 1 else today.year


def _plan_context(request, plan: SkpPlan, today) -> dict:
    me = employee_for_user(request.user)
    is_owner = me is not None and plan.employee_id == me.pk
    superior = direct_superior(plan.employee, on=selectors.plan_reference_date(plan.year, today))
    is_superior = me is not None and superior is not None and superior.pk == me.pk
    is_bkpsdm = request.user.has_perm("performance.manage")
    results = list(plan.results.all())
    behaviours = sorted(plan.behaviours.all(), key=lambda b: b.sort_key)
    # The document shows the posts recorded at submission/agreement; a draft shows today's.
    appraiser = plan.appraiser or superior
    posts = {
        "employee_position": plan.employee_position,
        "employee_unit": plan.employee_unit,
        "appraiser_position": plan.appraiser_position,
        "appraiser_unit": plan.appraiser_unit,
    }
    on = selectors.plan_reference_date(plan.year, today)
    if not plan.employee_position:
        mine = definitif_assignment(plan.employee, on=on)
        if mine is not None:
            posts["employee_position"] = mine.position.name
            posts["employee_unit"] = mine.position.unit.name
    if not plan.appraiser_position and appraiser is not None:
        theirs = definitif_assignment(appraiser, on=on)
        if theirs is not None:
            posts["appraiser_position"] = theirs.position.name
            posts["appraiser_unit"] = theirs.position.unit.name
    return {
        "appraiser": appraiser,
        "posts": posts,
        "plan": plan,
        "results": results,
        "behaviours": behaviours,
        "is_owner": is_owner,
        "superior": superior,
        "can_edit": is_owner and plan.is_editable,
        # Never on one's own plan (services._require_appraiser): a BKPSDM officer without a
        # superior has it decided by another officer.
        "can_decide": plan.status == SkpPlan.Status.SUBMITTED
        and not is_owner
        and (is_superior or (superior is None and is_bkpsdm)),
        "can_revise": is_owner and plan.status == SkpPlan.Status.AGREED,
        "can_edit_behaviours": (is_owner and plan.is_editable)
        or (is_superior and plan.status == SkpPlan.Status.SUBMITTED),
        "versions": list(
            SkpPlan.objects.filter(employee_id=plan.employee_id, year=plan.year).order_by(
                "-version"
            )
        ),
    }


# ---------------------------------------------------------------- the employee's SKP


@login_required
@require_GET
def my_skp(request):
    me = _me(request)
    today = _today(request)
    return _my_skp_page(request, me, _year_param(request, today), today)


def _my_skp_page(request, me, year: int, today, behaviour_form=None, revision_form=None):
    """The employee's SKP page; a refused form (an expectation or a reason too long) comes back
    bound, with its error next to the field and what was typed kept."""
    latest = selectors.latest_plan(me, year)
    ctx = {
        "me": me,
        "year": year,
        "years": [today.year - 1, today.year, today.year + 1],
        "history": selectors.evaluation_history(me),
        "all_plans": list(selectors.plans_of_employee(me)),
        "today": today,
    }
    if latest is not None:
        plan = selectors.plan_detail_queryset().get(pk=latest.pk)
        ctx.update(_plan_context(request, plan, today))
        ctx["behaviour_form"] = behaviour_form or BehaviourForm(behaviours=ctx["behaviours"])
        ctx["revision_form"] = revision_form or RevisionForm()
    else:
        ctx["superior"] = direct_superior(me, on=selectors.plan_reference_date(year, today))
    return render(request, "performance/my_skp.html", ctx)


@login_required
@require_POST
def plan_create(request):
    me = _me(request)
    try:
        year = int(request.POST.get("year", ""))
        services.plan_create(actor=request.user, employee=me, year=year)
    except ValueError:
        messages.error(request, "Tahun tidak valid.")
        return redirect("performance:my-skp")
    except ValidationError as exc:
        _message_errors(request, exc)
        return redirect(f"{reverse('performance:my-skp')}?tahun={year}")
    messages.success(request, f"SKP tahun {year} dibuat sebagai konsep. Tambahkan hasil kerja.")
    return redirect(f"{reverse('performance:my-skp')}?tahun={year}")


@login_required
@require_GET
def plan_detail(request, pk: int):
    return _plan_detail_page(request, _plan_or_404(request, pk))


def _plan_detail_page(request, plan, behaviour_form=None, return_form=None, revision_form=None):
    today = _today(request)
    ctx = _plan_context(request, plan, today)
    ctx["behaviour_form"] = behaviour_form or BehaviourForm(behaviours=ctx["behaviours"])
    ctx["return_form"] = return_form or ReturnForm()
    ctx["revision_form"] = revision_form or RevisionForm()
    return render(request, "performance/plan_detail.html", ctx)


def _plan_page_with(request, plan: SkpPlan, **forms):
    """The page the form was posted from, again, with the refused form bound (nothing typed is
    lost): the owner's SKP page, anyone else's plan detail."""
    if plan.employee.user_id == request.user.pk:
        plan_forms = {k: v for k, v in forms.items() if k != "return_form"}
        return _my_skp_page(request, plan.employee, plan.year, _today(request), **plan_forms)
    return _plan_detail_page(request, plan, **forms)


def _field_error(exc: ValidationError, field: str) -> bool:
    return hasattr(exc, "error_dict") and field in exc.error_dict


def _owned_editable_plan(request, plan_pk: int) -> SkpPlan:
    plan = get_scoped_or_404(SkpPlan.objects.select_related("employee"), request.user, pk=plan_pk)
    if plan.employee.user_id != request.user.pk:
        raise Http404("Data tidak ditemukan.")
    return plan


def _result_page(request, plan: SkpPlan, result: SkpResult):
    today = _today(request)
    superior = direct_superior(plan.employee, on=selectors.plan_reference_date(plan.year, today))
    candidates = selectors.cascade_candidates(superior, plan.year)
    if request.method == "POST":
        form = ResultForm(request.POST, instance=result, candidates=candidates, superior=superior)
        formset = IndicatorFormSet(request.POST, instance=result, prefix="ind")
        if form.is_valid() and formset.is_valid():
            obj = form.save(commit=False)
            obj.plan = plan
            deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
            indicators = [
                f.save(commit=False)
                for f in formset.forms
                if f not in formset.deleted_forms and (f.instance.pk or f.has_changed())
            ]
            try:
                services.result_save(
                    actor=request.user,
                    result=obj,
                    indicators=indicators,
                    delete_indicators=deleted,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Rencana hasil kerja disimpan.")
                return redirect(f"{reverse('performance:my-skp')}?tahun={plan.year}")
    else:
        form = ResultForm(instance=result, candidates=candidates, superior=superior)
        formset = IndicatorFormSet(instance=result, prefix="ind")
    return render(
        request,
        "performance/result_form.html",
        {"plan": plan, "result": result, "form": form, "formset": formset, "superior": superior},
    )


@login_required
def result_create(request, pk: int):
    plan = _owned_editable_plan(request, pk)
    if not plan.is_editable:
        messages.error(request, "SKP ini tidak dapat diubah.")
        return redirect("performance:plan-detail", pk=plan.pk)
    return _result_page(request, plan, SkpResult(plan=plan, instansi_id=plan.instansi_id))


@login_required
def result_edit(request, pk: int):
    result = get_scoped_or_404(
        SkpResult.objects.select_related("plan__employee"), request.user, pk=pk
    )
    plan = _owned_editable_plan(request, result.plan_id)
    if not plan.is_editable:
        messages.error(request, "SKP ini tidak dapat diubah.")
        return redirect("performance:plan-detail", pk=plan.pk)
    return _result_page(request, plan, result)


@login_required
@require_POST
def result_delete(request, pk: int):
    result = get_scoped_or_404(
        SkpResult.objects.select_related("plan__employee"), request.user, pk=pk
    )
    plan = _owned_editable_plan(request, result.plan_id)
    try:
        services.result_delete(actor=request.user, result=result)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, "Rencana hasil kerja dihapus.")
    return redirect(f"{reverse('performance:my-skp')}?tahun={plan.year}")


def _back_to_plan(request, plan: SkpPlan):
    if plan.employee.user_id == request.user.pk:
        return redirect(f"{reverse('performance:my-skp')}?tahun={plan.year}")
    return redirect("performance:plan-detail", pk=plan.pk)


@login_required
@require_POST
def plan_behaviours(request, pk: int):
    plan = _plan_or_404(request, pk)
    form = BehaviourForm(request.POST, behaviours=plan.behaviours.all())
    if form.is_valid():
        try:
            services.behaviours_save(actor=request.user, plan=plan, expectations=form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                _message_errors(request, exc)
                return _back_to_plan(request, plan)
            _apply_errors(form, exc)
        else:
            messages.success(request, "Perilaku kerja disimpan.")
            return _back_to_plan(request, plan)
    # An expectation over the limit used to be answered on the next page with every text typed
    # lost; the form comes back as typed, the message next to the value concerned.
    messages.error(
        request, "Perilaku kerja belum disimpan: ekspektasi paling banyak 1.000 karakter."
    )
    return _plan_page_with(request, plan, behaviour_form=form)


@login_required
@require_POST
def plan_submit(request, pk: int):
    plan = _plan_or_404(request, pk)
    try:
        services.plan_submit(actor=request.user, plan=plan)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, "SKP diajukan kepada atasan langsung untuk disetujui.")
    return _back_to_plan(request, plan)


@login_required
@require_POST
def plan_agree(request, pk: int):
    plan = _plan_or_404(request, pk)
    try:
        services.plan_agree(actor=request.user, plan=plan)
    except ValidationError as exc:
        _message_errors(request, exc)
        return redirect("performance:plan-detail", pk=plan.pk)
    messages.success(request, f"SKP {plan.employee.full_name} disetujui.")
    return redirect("performance:approvals")


@login_required
@require_POST
def plan_return(request, pk: int):
    plan = _plan_or_404(request, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"note": form.errors["note"]})
        services.plan_return(actor=request.user, plan=plan, note=form.cleaned_data["note"])
    except ValidationError as exc:
        _message_errors(request, exc)
        if _field_error(exc, "note"):
            # The note stays in its box with the error under it (it was lost on a redirect).
            if "note" not in form.errors:
                _apply_errors(form, exc)
            return _plan_detail_page(request, plan, return_form=form)
        return redirect("performance:plan-detail", pk=plan.pk)
    messages.success(request, f"SKP {plan.employee.full_name} dikembalikan untuk diperbaiki.")
    return redirect("performance:approvals")


@login_required
@require_POST
def plan_revise(request, pk: int):
    plan = _plan_or_404(request, pk)
    form = RevisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": form.errors["reason"]})
        services.plan_revise(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _message_errors(request, exc)
        if _field_error(exc, "reason"):
            # The reason stays in its box with the error under it (it was lost on a redirect).
            if "reason" not in form.errors:
                _apply_errors(form, exc)
            return _plan_page_with(request, plan, revision_form=form)
    else:
        messages.success(
            request,
            "Versi baru SKP dibuat sebagai konsep; versi yang disetujui tetap berlaku "
            "sampai versi baru disetujui.",
        )
    return _back_to_plan(request, plan)


@login_required
@require_GET
def plan_pdf(request, pk: int):
    plan = _plan_or_404(request, pk)
    from ekinerja.core.pdf import html_to_pdf

    ctx = _plan_context(request, plan, _today(request))
    ctx["printed_on"] = _today(request)
    html = render_to_string("performance/skp_pdf.html", ctx, request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"SKP-{plan.year}-v{plan.version}-{slugify(plan.employee.name)}-{plan.employee.nip}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# ---------------------------------------------------------------- superior: agreement


@login_required
@require_GET
def approvals(request):
    """The superior's subordinates' submitted plans; for BKPSDM also those of the employees without
    a direct superior, which BKPSDM agrees in the superior's place (never the officer's own)."""
    me = employee_for_user(request.user)
    roles = user_roles(request.user)
    is_bkpsdm = Role.BKPSDM in roles
    if me is None and not is_bkpsdm:
        raise Http404("Halaman ini untuk pegawai.")
    today = _today(request)
    plans = selectors.plans_awaiting_agreement(me, on=today) if me is not None else []
    # A BKPSDM officer who leads nobody sees only BKPSDM's list.
    show_subordinates = bool(plans) or not is_bkpsdm or Role.ATASAN in roles
    without_superior = (
        selectors.plans_awaiting_bkpsdm(
            request.user.instansi_id, today=today, exclude=me.pk if me else None
        )
        if is_bkpsdm
        else None
    )
    return render(
        request,
        "performance/approvals.html",
        {
            "plans": plans,
            "without_superior": without_superior,
            "is_bkpsdm": is_bkpsdm,
            "show_subordinates": show_subordinates,
        },
    )


# ---------------------------------------------------------------- employee: realisation


def _pick_period(request, periods, param="periode"):
    """The period asked for among the open ones; the oldest open one when none is asked for.

    A POST names its period explicitly: if that period is no longer open (its deadline passed
    between showing the form and saving it), None -- never silently another period."""
    key = request.POST.get(param) or request.GET.get(param)
    for p in periods:
        if p.key == key:
            return p
    if request.method == "POST":
        return None
    return periods[0] if periods else None


def _plain(value):
    """12.00 -> 12 and 2.50 -> 2.5 for form fields (never 1E+1)."""
    if value is None:
        return None
    return value.to_integral() if value == value.to_integral() else value.normalize()


def _realisation_context(request, me, period, today, bound=None) -> dict:
    ev = (
        selectors.evaluations_with_details(
            SkpEvaluation.objects.filter(employee=me, period_start=period.start)
        )
        .select_related("plan", "rated_by")
        .first()
    )
    plan = ev.plan if ev else selectors.plan_in_force(me, period.start)
    items = []
    linked = {}
    if plan is not None:
        realisations = {r.indicator_id: r for r in ev.realisations.all()} if ev else {}
        results = list(
            SkpResult.objects.filter(plan=plan).prefetch_related(
                Prefetch("indicators", queryset=SkpIndicator.objects.all())
            )
        )
        linked = selectors.linked_activities([r.pk for r in results], period.start, period.end)
        for result in results:
            for ind in result.indicators.all():
                real = realisations.get(ind.pk)
                if bound is not None and bound[0] == ind.pk:
                    form = bound[1]
                else:
                    form = RealisationForm(
                        initial={
                            "quantity": _plain(real.quantity),
                            "description": real.description,
                        }
                        if real
                        else None,
                        prefix=f"i{ind.pk}",
                    )
                items.append({"result": result, "indicator": ind, "real": real, "form": form})
    locked = selectors.is_period_locked(me.instansi_id, period)
    return {
        "me": me,
        "period": period,
        "plan": plan,
        "evaluation": ev,
        "items": items,
        "linked": linked,
        "locked": locked,
        "is_open": not locked
        and period.start <= today <= period.deadline
        and not (ev is not None and ev.is_rated),
        "today": today,
    }


@login_required
def realisation(request):
    me = _me(request)
    today = _today(request)
    cfg = selectors.performance_settings(me.instansi_id)
    periods = selectors.reportable(cfg, today)
    period = _pick_period(request, periods)
    if period is None and request.method == "POST":
        messages.error(request, "Periode tersebut tidak lagi terbuka; realisasi tidak disimpan.")
        return redirect("performance:realisation")
    if period is None:
        return render(request, "performance/realisation.html", {"me": me, "periods": periods})
    bound = None
    if request.method == "POST":
        indicator = get_scoped_or_404(SkpIndicator, request.user, pk=request.POST.get("indicator"))
        form = RealisationForm(request.POST, request.FILES, prefix=f"i{indicator.pk}")
        if form.is_valid():
            try:
                services.realisation_save(
                    actor=request.user,
                    indicator=indicator,
                    period=period,
                    quantity=form.cleaned_data["quantity"],
                    description=form.cleaned_data["description"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Realisasi disimpan.")
                return redirect(
                    f"{reverse('performance:realisation')}?periode={period.key}#ind-{indicator.pk}"
                )
        bound = (indicator.pk, form)
    ctx = _realisation_context(request, me, period, today, bound)
    ctx["periods"] = periods
    return render(request, "performance/realisation.html", ctx)


@login_required
@require_GET
def evidence_download(request, pk: int):
    evidence = get_scoped_or_404(
        SkpEvidence.objects.select_related("realisation__evaluation__employee"),
        request.user,
        pk=pk,
    )
    if not request.user.has_perm("performance.view_evaluation", evidence.realisation.evaluation):
        raise Http404("Data tidak ditemukan.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Berkas tidak ditemukan.") from exc
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=request.GET.get("unduh") == "1",
        filename=evidence.original_name,
    )
    # As every other stored file (core.files.private_file_response): the type it was checked to
    # be and nothing else, and sandboxed, so a crafted upload runs no script on our origin.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = get_scoped_or_404(
        SkpEvidence.objects.select_related("realisation__evaluation"), request.user, pk=pk
    )
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, "Bukti dihapus.")
    key = f"{evidence.realisation.evaluation.period_start:%Y-%m}"
    return redirect(f"{reverse('performance:realisation')}?periode={key}")


@login_required
@require_GET
def evaluation_detail(request, pk: int):
    ev = get_scoped_or_404(
        selectors.evaluations_with_details(SkpEvaluation.objects.all()).select_related(
            "employee", "plan", "rated_by"
        ),
        request.user,
        pk=pk,
    )
    if not request.user.has_perm("performance.view_evaluation", ev):
        raise Http404("Data tidak ditemukan.")
    realisations = {r.indicator_id: r for r in ev.realisations.all()}
    results = list(SkpResult.objects.filter(plan=ev.plan).prefetch_related("indicators"))
    items = [
        {"result": r, "indicator": i, "real": realisations.get(i.pk)}
        for r in results
        for i in r.indicators.all()
    ]
    linked = selectors.linked_activities([r.pk for r in results], ev.period_start, ev.period_end)
    # The months this evaluation covers ("Oktober 2026"), not the period today's settings would
    # give its last month: a monthly October showed as "Triwulan IV 2026" once the Pemda went
    # quarterly.
    ctx = {"ev": ev, "items": items, "period_label": ev.period_label, "linked": linked}
    if not ev.is_rated:
        # Why "Belum dinilai": still to rate until the deadline (a reopening's included), or
        # closed for good, when the month's TPP takes the policy's "not rated" value. The page
        # said "Belum dinilai" alone, also long after nobody could rate it any more.
        cfg = selectors.performance_settings(ev.instansi_id)
        period = selectors.period_containing(cfg, ev.period_start)
        if period.start == ev.period_start:
            deadline = selectors.rating_deadline(ev.instansi_id, period)
            ctx["rating_deadline"] = deadline
            ctx["rating_locked"] = selectors.is_period_locked(ev.instansi_id, period)
            ctx["rating_closed"] = ctx["rating_locked"] or _today(request) > deadline
    return render(request, "performance/evaluation_detail.html", ctx)


# ---------------------------------------------------------------- superior: home reminder


@register_home_card("performance-rating")
def rating_home_card(request, roles, page) -> dict:
    """A superior's home page: each period open for rating whose deadline is at most the instansi's
    `reminder_days` away, with how many direct subordinates are not rated yet (an unrated month
    pays the SKP component at the policy's "not rated" value, often 0%). Nothing for anyone else;
    a few queries per open period (at most two).

    A period is rated by the superior of its rater date (its last day, or today), not today's: a
    kepala bidang who moved to a post without subordinates on 1 December still rates November
    until the 5th, and was not reminded. So without subordinates today, one query per period due
    (org.selectors.held_superior_post: only who held a post with posts under it between the
    period's first day and its rater date rates anyone for it) decides whether to count."""
    me, today = page.get("me"), page.get("today")
    if me is None:
        return {}
    leads_today = bool(page.get("subordinates"))
    cfg = selectors.performance_settings(me.instansi)
    due = []
    for period in selectors.ratable_with_reopened(cfg, today):
        left = (period.deadline - today).days
        if left > cfg.reminder_days:
            continue
        if not leads_today and not held_superior_post(
            me, period.start, selectors.rater_date(period, today)
        ):
            continue
        waiting = selectors.unrated_subordinate_count(me, period, today=today)
        if waiting:
            due.append({"period": period, "waiting": waiting, "days_left": left})
    return {"rating_due": due}


# ---------------------------------------------------------------- superior: rating screen


RATING_PAGE_ROWS = 50


def _rating_state(request, rows, errors=None, posted=None):
    """Per row: chosen values (posted or stored), errors and the predicate shown."""
    out = []
    for row in rows:
        key = str(row.employee.pk)
        ev = row.evaluation
        if posted is not None and key in posted:
            results, behaviour, note = posted[key]
        elif ev is not None and ev.is_rated:
            results, behaviour, note = ev.results_rating, ev.behaviour_rating, ev.note
        else:
            results, behaviour, note = (
                "",
                (ev.behaviour_rating if ev else ""),
                (ev.note if ev else ""),
            )
        pred = None
        if results in Rating._value2member_map_ and behaviour in Rating._value2member_map_:
            pred = predicate(results, behaviour)
        out.append(
            {
                "row": row,
                "results": results,
                "behaviour": behaviour,
                "note": note,
                "predicate": pred,
                "errors": (errors or {}).get(key, []),
            }
        )
    return out


# Short labels fit three buttons side by side on a 360-px phone; the group says "ekspektasi".
RATING_CHOICES = [
    (Rating.BELOW.value, "Di bawah"),
    (Rating.AS_EXPECTED.value, "Sesuai"),
    (Rating.ABOVE.value, "Di atas"),
]


def _predicate_matrix() -> dict[str, dict[str, str]]:
    """ "results|behaviour" -> the predicate's label and badge class, for the sheet's script: the
    badge follows the choices in the browser. Before, every click asked the server
    (predicate_preview), two to three requests per subordinate, 60 to 90 for a unit of 30."""
    out = {"": {"label": "—", "badge": predikat_badge("")}}
    for (results, behaviour), pred in MATRIX.items():
        out[f"{results.value}|{behaviour.value}"] = {
            "label": pred.label,
            "badge": predikat_badge(pred.value),
        }
    return out


#: ?untuk= value of BKPSDM's sheet: the employees without a direct superior.
WITHOUT_SUPERIOR = "tanpa-atasan"


@login_required
def rating(request):
    """The superior rates their direct subordinates; with ?untuk=tanpa-atasan BKPSDM rates the
    employees without a direct superior in the superior's place (never the officer's own SKP)."""
    # The roles the menu shows (cached for the request), not has_perm: Django's model backend
    # would read the permission tables on every sheet.
    is_bkpsdm = Role.BKPSDM in user_roles(request.user)
    for_bkpsdm = request.GET.get("untuk") == WITHOUT_SUPERIOR
    if for_bkpsdm and not is_bkpsdm:
        raise PermissionDenied
    me = employee_for_user(request.user) if for_bkpsdm else _me(request)
    today = _today(request)
    base = reverse("performance:rating") + (f"?untuk={WITHOUT_SUPERIOR}&" if for_bkpsdm else "?")
    # ?belum=1: only those still to rate (a superior of hundreds finds the last few at once).
    only_unrated = request.GET.get("belum") == "1"
    here = base + ("belum=1&" if only_unrated else "")
    cfg = selectors.performance_settings(request.user.instansi_id)
    periods = selectors.ratable_with_reopened(cfg, today)
    period = _pick_period(request, periods)
    if period is None and request.method == "POST":
        messages.error(
            request,
            "Periode tersebut tidak lagi dapat dinilai (batas waktu lewat); penilaian tidak disimpan.",
        )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = here.rstrip("?&")
            return response
        return redirect(here.rstrip("?&"))
    ctx = {
        "periods": periods,
        "period": period,
        "choices": RATING_CHOICES,
        "today": today,
        "here": here,
        "for_bkpsdm": for_bkpsdm,
        "is_bkpsdm": is_bkpsdm,
        "predicate_matrix": _predicate_matrix(),
    }
    if period is None:
        upcoming = selectors.period_containing(cfg, today)
        ctx["opens"] = upcoming.rating_opens
        return render(request, "performance/rating.html", ctx)

    # Who is on the sheet (ids, those still to rate) first; the cards are read for the page shown
    # (and, on a save, for the cards posted) only.
    def sheet():
        if for_bkpsdm:
            return selectors.rating_sheet_without_superior_index(
                request.user.instansi_id, period, today=today, exclude=me.pk if me else None
            )
        return selectors.rating_sheet_index(me, period, today=today)

    index = sheet()
    errors = posted = None
    if request.method == "POST":
        posted = {
            str(pk): (
                request.POST.get(f"hasil-{pk}", ""),
                request.POST.get(f"perilaku-{pk}", ""),
                request.POST.get(f"catatan-{pk}", ""),
            )
            for pk in index.ids
        }
        # A card left alone is skipped; one with only feedback typed is not: it gets the
        # card's "Pilih penilaian ..." errors instead of the note vanishing on the save.
        filled = [
            pk
            for pk in index.ids
            if posted[str(pk)][0] or posted[str(pk)][1] or posted[str(pk)][2].strip()
        ]
        inputs = [
            services.RatingInput(row.employee.pk, *posted[str(row.employee.pk)])
            for row in index.rows(filled)
            if row.plan is not None
        ]
        if not inputs:
            messages.warning(request, "Belum ada penilaian yang dipilih.")
        else:
            try:
                saved = services.evaluations_rate(actor=request.user, period=period, ratings=inputs)
            except services.RatingErrors as exc:
                errors = exc.message_dict
                for msg in errors.get("__all__", []):
                    messages.error(request, msg)
                messages.error(request, "Penilaian belum disimpan; periksa isian yang ditandai.")
            else:
                messages.success(
                    request, f"Penilaian {len(saved)} pegawai untuk {period.label} disimpan."
                )
                if not request.headers.get("HX-Request"):
                    return redirect(f"{here}periode={period.key}&hal={request.GET.get('hal') or 1}")
                index = sheet()
                posted = None
    # A kepala bidang over 600 school heads had one 3.7 MB sheet: 50 cards a page, the count of
    # those still to rate over all of them. A page posts its own cards only.
    page = Paginator(index.to_rate if only_unrated else index.ids, RATING_PAGE_ROWS).get_page(
        request.GET.get("hal")
    )
    ctx.update(
        {
            "sheet": _rating_state(request, index.rows(page.object_list), errors, posted),
            "page": page,
            "locked": selectors.is_period_locked(request.user.instansi_id, period),
            "pending": len(index.to_rate),
            "has_rows": bool(index.ids),
            "only_unrated": only_unrated,
            "all_url": f"{base}periode={period.key}",
            "unrated_url": f"{base}belum=1&periode={period.key}",
        }
    )
    template = (
        "performance/_rating_sheet.html"
        if request.headers.get("HX-Request")
        else "performance/rating.html"
    )
    return render(request, template, ctx)


@login_required
@require_GET
def predicate_preview(request):
    row = request.GET.get("row", "")
    results = request.GET.get(f"hasil-{row}", "")
    behaviour = request.GET.get(f"perilaku-{row}", "")
    pred = None
    if results in Rating._value2member_map_ and behaviour in Rating._value2member_map_:
        pred = predicate(results, behaviour)
    return render(request, "performance/_predicate_badge.html", {"predicate": pred})


# ---------------------------------------------------------------- BKPSDM


def _require_manage(request):
    if not request.user.has_perm("performance.manage"):
        raise PermissionDenied


#: An OPD's names of those not rated are on the page up to this many; more are in the xlsx.
INLINE_UNRATED = 50
#: Reminders on the page: the superiors with the most subordinates waiting; the xlsx has them all.
SHOWN_REMINDERS = 25


def _overview_period(request, today):
    """The evaluation periods offered (last year's and this year's, begun) and the chosen one."""
    cfg = selectors.performance_settings(request.user.instansi)
    options = [
        p
        for year in (today.year - 1, today.year)
        for p in periods_of_year(
            year,
            period_months=cfg.evaluation_period_months,
            deadline_day=cfg.rating_deadline_day,
        )
        if p.start <= today
    ]
    ratable = selectors.ratable(cfg, today)
    default = ratable[0] if ratable else selectors.period_containing(cfg, today)
    period = default
    for p in options:
        if p.key == request.GET.get("periode"):
            period = p
    return cfg, options, period


@login_required
@require_GET
def overview(request):
    _require_manage(request)
    today = _today(request)
    instansi = request.user.instansi
    cfg, options, period = _overview_period(request, today)
    rows = selectors.rating_overview(instansi, period, today=today, inline_limit=INLINE_UNRATED)
    history = selectors.lock_history(instansi, period)
    deadline = selectors.rating_deadline(instansi, period)
    in_force = {(lk.year, lk.month): lk for lk in history if lk.in_force}
    return render(
        request,
        "performance/overview.html",
        {
            "period": period,
            "options": list(reversed(options)),
            "rows": rows,
            "total": sum(r.total for r in rows),
            "rated": sum(r.rated for r in rows),
            "unrated": sum(r.not_rated for r in rows),
            "months": [(m, in_force.get((m.year, m.month))) for m in period.month_periods],
            "history": history,
            "reminders": selectors.rating_reminder_summary(
                instansi, today=today, limit=SHOWN_REMINDERS
            ),
            "inline_unrated": INLINE_UNRATED,
            "cfg": cfg,
            "today": today,
            "deadline": deadline,
            "deadline_passed": today > deadline,
        },
    )


@login_required
@require_GET
def overview_unrated_xlsx(request):
    """Everyone not yet rated in the chosen period, per OPD with their direct superior, and the
    superiors to remind (the page shows the first of each on a big Pemda)."""
    import io

    from ekinerja.core.spreadsheets import workbook, xlsx_response

    _require_manage(request)
    today = _today(request)
    instansi = request.user.instansi
    _cfg, _options, period = _overview_period(request, today)
    rows = selectors.rating_overview(instansi, period, today=today)
    buf = io.BytesIO()
    wb = workbook(buf, in_memory=True)
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("Belum dinilai")
    ws.write_string(0, 0, f"Pegawai yang belum dinilai: {period.label}", bold)
    ws.write_string(1, 0, f"{instansi.name}, per {tanggal(today)}")
    ws.write_row(3, 0, ["No", "Unit kerja", "NIP", "Nama", "NIP atasan", "Atasan"], bold)
    # A cell at a time with the typed writer: write_row's per-value type dispatch was a third of
    # the writing time for 20,000 rows. The cells are the same: write_row leaves "" out (a blank
    # cell without a format is not written), so does `if value`.
    write_string = ws.write_string
    n = 0
    for row in rows:
        unit = row.unit.name
        for emp, sup in row.unrated:
            n += 1
            r = 3 + n
            ws.write_number(r, 0, n)
            for col, value in enumerate(
                (
                    unit,
                    emp.nip,
                    emp.full_name,
                    sup.nip if sup else "",
                    sup.full_name if sup else "Tidak ada (dinilai BKPSDM)",
                ),
                start=1,
            ):
                if value:
                    write_string(r, col, value)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 2, 20)
    ws.set_column(3, 3, 36)
    ws.set_column(4, 4, 20)
    ws.set_column(5, 5, 36)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 0, 3 + n, 5)
    reminders = selectors.rating_reminders(instansi, today=today)
    ws2 = wb.add_worksheet("Pengingat atasan")
    ws2.write_row(
        0,
        0,
        ["No", "NIP atasan", "Atasan", "Periode", "Batas", "Jumlah", "Bawahan belum dinilai"],
        bold,
    )
    for i, r in enumerate(reminders, start=1):
        ws2.write_number(i, 0, i)
        ws2.write_row(
            i,
            1,
            [
                r.superior.nip,
                r.superior.full_name,
                r.period.label,
                tanggal(r.period.deadline),
            ],
        )
        ws2.write_number(i, 5, len(r.pending))
        ws2.write_string(i, 6, ", ".join(e.name for e in r.pending))
    ws2.set_column(1, 1, 20)
    ws2.set_column(2, 2, 36)
    ws2.set_column(3, 4, 18)
    ws2.set_column(6, 6, 80)
    wb.close()
    return xlsx_response(buf.getvalue(), f"belum-dinilai-{period.key}.xlsx")


@login_required
@require_POST
def overview_lock(request):
    _require_manage(request)
    try:
        month = Period.parse(request.POST.get("bulan", ""))
        services.period_lock(actor=request.user, instansi=request.user.instansi, month=month)
    except ValueError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, f"Periode {month.label} dikunci.")
    return redirect(f"{reverse('performance:overview')}?periode={request.POST.get('periode', '')}")


@login_required
def overview_reopen(request, pk: int):
    """BKPSDM reopens a locked month ("Buka kembali periode"): the lock, its consequences, a reason
    and until when ratings are accepted again."""
    _require_manage(request)
    lock = get_scoped_or_404(
        PerformancePeriodLock.objects.select_related("locked_by__employee", "lifted_by__employee"),
        request.user,
        pk=pk,
    )
    today = _today(request)
    cfg = selectors.performance_settings(request.user.instansi)
    period = selectors.period_containing(cfg, lock.month_period)
    back = f"{reverse('performance:overview')}?periode={period.key}"
    if request.method == "POST":
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.period_reopen(
                    actor=request.user,
                    lock=lock,
                    reason=form.cleaned_data["reason"],
                    until=form.cleaned_data["until"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Periode {lock.month_period.label} dibuka kembali; penilaian dapat dilakukan "
                    f"sampai {tanggal(form.cleaned_data['until'])}.",
                )
                return redirect(back)
    else:
        # The period's own rating deadline when it is still ahead, but never beyond what the
        # service accepts (early in a month the running period's deadline is weeks away).
        deadline = selectors.rating_deadline(lock.instansi_id, period)
        latest = today + dt.timedelta(days=services.REOPEN_MAX_DAYS)
        form = ReopenForm(
            initial={
                "until": min(deadline, latest)
                if deadline >= today
                else today + dt.timedelta(days=7)
            }
        )
    locked = selectors.locked_months(lock.instansi_id, period.start.year) & set(
        period.month_periods
    )
    return render(
        request,
        "performance/reopen.html",
        {
            "lock": lock,
            "period": period,
            "form": form,
            "back": back,
            "today": today,
            "other_locked": sorted(locked - {lock.month_period}),
        },
    )


@login_required
def settings_view(request):
    _require_manage(request)
    current = selectors.performance_settings(request.user.instansi)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.settings_save(actor=request.user, settings_obj=form.save(commit=False))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Pengaturan kinerja disimpan.")
                return redirect("performance:settings")
    else:
        form = SettingsForm(instance=current)
    return render(request, "performance/settings.html", {"form": form})
