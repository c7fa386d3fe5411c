"""Django admin for the work calendar, scoped to the user's instansi. Holiday and employee-schedule
writes go through the services (validation + audit); other edits are audited here and announced
like the services' (signals.calendar_changed), so what was derived from the calendar follows."""

from collections import defaultdict

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from ekinerja.core.admin import InstansiScopedAdmin
from ekinerja.core.audit import audit_record, snapshot
from ekinerja.core.periods import tanggal
from ekinerja.org.selectors import employee_for_user

from . import services, signals
from .models import (
    WEEKDAY_CHOICES,
    EmployeeSchedule,
    Holiday,
    ScheduleDay,
    ScheduleVariant,
    Shift,
    ShiftRoster,
    WorkSchedule,
)

#: The refusal of an end before the start (a schedule period, a variant), on the end's field: the
#: database constraint alone answered with its name ("Batasan ... dilanggar").
TO_BEFORE_FROM = "Tanggal selesai tidak boleh sebelum tanggal mulai."
WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)


class ScopedForm(forms.ModelForm):
    """An admin form that knows the instansi of the row before it is saved: the field of a
    platform superuser's form, the row's own, or the officer's (`tenant_id`, set on the form by
    core.admin.InstansiScopedAdmin.get_form), for the checks of a clean() that look at the
    instansi's other rows."""

    def instansi_id(self) -> int | None:
        chosen = self.cleaned_data.get("instansi")  # a platform superuser's form has the field
        return (
            getattr(chosen, "pk", None)
            or self.instance.instansi_id
            or getattr(self, "tenant_id", None)
        )


def _announce(obj, old=None) -> None:
    """signals.notify for an edit made here: the dates and employees the row touched before and
    after the edit."""
    inst = obj.instansi_id
    if isinstance(obj, WorkSchedule):
        was_default = old is not None and old.is_default
        signals.notify(
            inst, None, None, None if was_default else services.affected_by_schedule(obj)
        )
    elif isinstance(obj, ScheduleVariant):
        rows = [r for r in (obj, old) if r is not None]
        signals.notify(
            inst,
            min(r.date_from for r in rows),
            max(r.date_to for r in rows),
            services.affected_by_schedule(obj.schedule),
        )
    elif isinstance(obj, EmployeeSchedule):
        rows = [r for r in (obj, old) if r is not None]
        ends = [r.date_to for r in rows]
        signals.notify(
            inst,
            min(r.date_from for r in rows),
            None if None in ends else max(ends),
            [r.employee_id for r in rows],
        )
    elif isinstance(obj, ShiftRoster):
        for r in {(r.employee_id, r.date) for r in (obj, old) if r is not None}:
            signals.notify(inst, r[1], r[1], [r[0]])


def _announce_deleted(rows) -> None:
    """signals.notify for rows deleted here, read before they went: one announcement per
    instansi for rosters and schedule periods (the span of their dates, their employees), one per
    schedule or variant (its members, or everyone for the default schedule)."""
    groups: dict[tuple[type, int], list] = defaultdict(list)
    for obj, affected in rows:
        if isinstance(obj, WorkSchedule | ScheduleVariant):
            dates = (
                (obj.date_from, obj.date_to) if isinstance(obj, ScheduleVariant) else (None, None)
            )
            signals.notify(obj.instansi_id, *dates, affected)
        else:
            groups[(type(obj), obj.instansi_id)].append(obj)
    for (model, inst), objs in groups.items():
        if model is ShiftRoster:
            days = [r.date for r in objs]
            signals.notify(inst, min(days), max(days), [r.employee_id for r in objs])
        else:  # EmployeeSchedule
            ends = [r.date_to for r in objs]
            signals.notify(
                inst,
                min(r.date_from for r in objs),
                None if None in ends else max(ends),
                [r.employee_id for r in objs],
            )


class AuditedAdmin(InstansiScopedAdmin):
    def save_model(self, request, obj, form, change):
        old = type(obj).objects.get(pk=obj.pk) if change else None
        before = snapshot(old) if old is not None else None
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"workcal.{obj._meta.model_name}.{'update' if change else 'create'}",
            actor=request.user,
            instansi=obj.instansi,
            obj=obj,
            before=before,
            after=snapshot(obj),
        )
        request._workcal_old = old

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines (a schedule's days and shifts, a variant's days) are saved.
        _announce(form.instance, getattr(request, "_workcal_old", None))

    def _delete_announced(self, request, objs) -> None:
        """Delete rows from the form or the changelist's bulk action: one audit event each (this
        app's action name; InstansiScopedAdmin's own "admin.delete" event is not written as
        well), then the calendar change announced, so the stored attendance and the leave
        requests' working days follow it (a bulk delete of rosters did not announce anything)."""
        with transaction.atomic():
            deleted = []
            for obj in objs:
                # A schedule's members are read before the row (and its days) go.
                affected = None
                if isinstance(obj, ScheduleVariant | WorkSchedule):
                    variant = isinstance(obj, ScheduleVariant)
                    affected = services.affected_by_schedule(obj.schedule if variant else obj)
                audit_record(
                    action=f"workcal.{obj._meta.model_name}.delete",
                    actor=request.user,
                    instansi=obj.instansi,
                    obj=obj,
                    before=snapshot(obj),
                )
                obj.delete()
                deleted.append((obj, affected))
            _announce_deleted(deleted)

    def delete_model(self, request, obj):
        self._delete_announced(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete_announced(request, list(queryset))


class ScopedInline(admin.TabularInline):
    extra = 0
    exclude = ["instansi"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        instansi_id = obj.instansi_id if obj is not None else request.user.instansi_id

        class Scoped(formset):
            def save_new(self, form, commit=True):
                form.instance.instansi_id = instansi_id
                return super().save_new(form, commit=commit)

        return Scoped


def _kept(formset):
    """The valid forms of an inline that are not marked for deletion (an empty extra row has no
    data)."""
    return [
        f
        for f in formset.forms
        if f.is_valid() and not (formset.can_delete and formset._should_delete_form(f))
    ]


class DaysFormSet(BaseInlineFormSet):
    """A schedule's (or a variant's) weekdays: one row per weekday, a start unlike the end (the
    rules of services.schedule_define). The database's unique weekday is conditional, so Django
    did not check it: a second Monday was a server error."""

    def clean(self):
        super().clean()
        seen: set[int] = set()
        for form in _kept(self):
            wd, start, end = (form.cleaned_data.get(k) for k in ("weekday", "start", "end"))
            if wd is None:
                continue
            name = WEEKDAY_NAMES.get(wd, wd)
            if wd in seen:
                form.add_error("weekday", f"Hari {name} sudah diisi di baris lain.")
            seen.add(wd)
            if start is not None and start == end:
                form.add_error("end", f"{name}: jam masuk dan pulang tidak boleh sama.")


class ShiftsFormSet(BaseInlineFormSet):
    """A schedule's shifts: a start unlike the end (services.schedule_define's rule; an end before
    the start crosses midnight), each code once (said on the row, in Indonesian; Django's own
    message named the field "code")."""

    def clean(self):
        seen: set[str] = set()
        for form in _kept(self):
            code = form.cleaned_data.get("code") or ""
            start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
            if start is not None and start == end:
                form.add_error("end", f"Shift {code}: jam mulai dan selesai tidak boleh sama.")
            if code in seen:
                form.add_error("code", f"Kode shift {code} sudah dipakai di baris lain.")
            seen.add(code)
        super().clean()


class ScheduleDayInline(ScopedInline):
    model = ScheduleDay
    formset = DaysFormSet
    fields = ["weekday", "start", "end"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(variant__isnull=True)


class ShiftInline(ScopedInline):
    model = Shift
    formset = ShiftsFormSet
    fields = ["code", "name", "start", "end"]


class WorkScheduleForm(ScopedForm):
    def clean(self):
        data = super().clean()
        others = WorkSchedule.objects.filter(instansi_id=self.instansi_id()).exclude(
            pk=self.instance.pk
        )
        code = (data.get("code") or "").strip()
        if code:
            data["code"] = code
            if others.filter(code=code).exists():
                self.add_error("code", f"Kode jadwal {code} sudah dipakai jadwal lain.")
        if data.get("is_default"):
            default = others.filter(is_default=True).first()
            if default is not None:
                self.add_error(
                    "is_default",
                    f"Jadwal bawaan instansi sudah {default}: hapus dahulu tanda bawaan di sana.",
                )
        return data


@admin.register(WorkSchedule)
class WorkScheduleAdmin(AuditedAdmin):
    form = WorkScheduleForm
    list_display = ["code", "name", "kind", "grace_minutes", "use_national_holidays", "is_default"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    inlines = [ScheduleDayInline, ShiftInline]


class VariantDayInline(ScopedInline):
    model = ScheduleDay
    formset = DaysFormSet
    fk_name = "variant"
    fields = ["weekday", "start", "end"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class WithSchedule(formset):
            def save_new(self, form, commit=True):
                form.instance.schedule_id = self.instance.schedule_id
                return super().save_new(form, commit=commit)

        return WithSchedule


class ScheduleVariantForm(ScopedForm):
    """services.variant_problems on the form: a fixed schedule, the end not before the start, no
    overlap with another variant of the schedule, each a field error."""

    def clean(self):
        data = super().clean()
        schedule, start, end = data.get("schedule"), data.get("date_from"), data.get("date_to")
        if schedule is not None:
            for field, message in services.variant_problems(
                schedule, start, end, exclude_pk=self.instance.pk
            ).items():
                self.add_error(field, message)
        elif start and end and end < start:
            self.add_error("date_to", TO_BEFORE_FROM)
        return data


@admin.register(ScheduleVariant)
class ScheduleVariantAdmin(AuditedAdmin):
    form = ScheduleVariantForm
    list_display = ["schedule", "name", "date_from", "date_to"]
    inlines = [VariantDayInline]


class HolidayForm(ScopedForm):
    """The service's rules checked on the form, so a clash is a field error: a second active
    holiday of the same date and name was refused by services.holiday_create inside save_model,
    a server error page."""

    class Meta:
        model = Holiday
        fields = ["date", "name", "kind"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        candidate = Holiday(
            instansi_id=self.instansi_id(),
            date=data.get("date"),
            name=data.get("name"),
            kind=data.get("kind"),
        )
        services.holiday_tidy(candidate)
        problems = services.holiday_errors(candidate)
        if not problems:
            try:
                services._check_duplicate(candidate, exclude_pk=self.instance.pk)
            except ValidationError as exc:
                problems = {k: v[0] for k, v in exc.message_dict.items()}
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Holiday)
class HolidayAdmin(InstansiScopedAdmin):
    form = HolidayForm
    list_display = ["date", "name", "kind", "source", "is_active"]
    list_filter = ["kind", "source", "is_active"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        if change:
            original = Holiday.objects.get(pk=obj.pk)
            services.holiday_update(
                actor=request.user, holiday=original, date=obj.date, name=obj.name, kind=obj.kind
            )
        else:
            services.holiday_create(
                actor=request.user,
                instansi=request.user.instansi,
                date=obj.date,
                name=obj.name,
                kind=obj.kind,
            )

    def delete_model(self, request, obj):
        services.holiday_delete(actor=request.user, holiday=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.holiday_delete(actor=request.user, holiday=obj)


class EmployeeScheduleForm(forms.ModelForm):
    class Meta:
        model = EmployeeSchedule
        fields = ["employee", "schedule", "date_from", "date_to"]

    def clean(self):
        data = super().clean()
        emp, start, end = data.get("employee"), data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", TO_BEFORE_FROM)
            return data
        if emp and start:
            others = EmployeeSchedule.objects.filter(employee=emp).exclude(pk=self.instance.pk)
            for o in others.select_related("schedule"):
                if services._overlaps(start, end, o.date_from, o.date_to):
                    until = f"s.d. {tanggal(o.date_to)}" if o.date_to else "yang belum berakhir"
                    raise ValidationError(
                        f"Tumpang tindih dengan jadwal lain pegawai ini: {o.schedule.code} "
                        f"mulai {tanggal(o.date_from)} {until}."
                    )
        return data


class NotOwnRowsAdmin(AuditedAdmin):
    """Rows of one employee that decide their working days (a roster day, a schedule period): the
    officer's own are another officer's to add, change or delete (`own_refusal` on the form; the
    delete refused), as services.roster_actor_check refuses them on the roster page."""

    own_refusal = ""

    def _me_id(self, request) -> int | None:
        if not hasattr(request, "_workcal_me"):
            me = employee_for_user(request.user)
            request._workcal_me = me.pk if me is not None else None
        return request._workcal_me

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        me_id, refusal = self._me_id(request), self.own_refusal

        class NotOwn(form):
            def clean(self):
                data = super().clean()
                chosen = data.get("employee")
                ids = {getattr(chosen, "pk", None), self.instance.employee_id}
                if me_id is not None and me_id in ids:
                    raise ValidationError(refusal)
                return data

        return NotOwn

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.employee_id == self._me_id(request):
            return False
        return super().has_delete_permission(request, obj)

    def _delete_announced(self, request, objs) -> None:
        me_id = self._me_id(request)
        if me_id is not None and any(o.employee_id == me_id for o in objs):
            raise PermissionDenied(self.own_refusal)
        super()._delete_announced(request, objs)


@admin.register(EmployeeSchedule)
class EmployeeScheduleAdmin(NotOwnRowsAdmin):
    form = EmployeeScheduleForm
    own_refusal = (
        "Jadwal kerja Anda sendiri tidak dapat Anda ubah: jadwal menentukan hari kerja dan "
        "kehadiran Anda, jadi diatur petugas BKPSDM lain."
    )
    list_display = ["employee", "schedule", "date_from", "date_to"]
    autocomplete_fields = ["employee"]
    list_filter = ["schedule"]


class ShiftRosterForm(forms.ModelForm):
    """One shift per employee and day: Django's own message for the clash said the opposite
    ("... ini tidak ada", its Indonesian translation of "already exists")."""

    def clean(self):
        data = super().clean()
        emp, day = data.get("employee"), data.get("date")
        if emp and day:
            other = (
                ShiftRoster.objects.filter(employee=emp, date=day)
                .exclude(pk=self.instance.pk)
                .select_related("shift")
                .first()
            )
            if other is not None:
                self.add_error(
                    "date",
                    f"{emp.name} sudah terjadwal shift {other.shift.code} pada {tanggal(day)}; "
                    "ubah baris roster itu.",
                )
            shift = data.get("shift")
            if shift is not None and not emp.is_active:
                # roster_set's rule: no shift on a leaver's day after their post's end.
                for message in services.shifts_after_post_end(
                    emp.instansi, {emp.id: (emp.name, emp.nip, False)}, [(emp.id, day, shift.code)]
                ):
                    self.add_error("date", message)
            if other is None and shift is not None:
                # The roster page's rule (services.roster_overlaps): no overlap with the day
                # before or after.
                clashes = services.roster_overlaps(
                    emp.instansi,
                    {(emp.id, day): (shift.code, shift.start, shift.end)},
                    names={emp.id: emp.name},
                    exclude=[self.instance.pk] if self.instance.pk else [],
                )
                for _cells, message in clashes:
                    self.add_error("shift", message)
        return data


@admin.register(ShiftRoster)
class ShiftRosterAdmin(NotOwnRowsAdmin):
    form = ShiftRosterForm
    own_refusal = services.ROSTER_OWN_REFUSED
    list_display = ["employee", "date", "shift"]
    autocomplete_fields = ["employee"]
    date_hierarchy = "date"
