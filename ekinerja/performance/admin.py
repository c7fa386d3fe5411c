"""Django admin for the performance app, scoped by instansi (core.admin.InstansiScopedAdmin).

Who may do what is answered by django-rules (see rules.py): the settings are edited by BKPSDM (Kominfo
only sees them), saved through services.settings_save (validated, audited). Plans, results, evaluations and
month locks are shown read-only to BKPSDM: they change only through the pages and their services
(agreement, ratings, locks and reopening are audited there). Nothing is deleted through the admin,
not even by a superuser."""

from __future__ import annotations

from django.contrib import admin

from ekinerja.core.admin import InstansiScopedAdmin

from . import services
from .forms import SettingsForm
from .models import (
    PerformancePeriodLock,
    PerformanceSettings,
    SkpEvaluation,
    SkpIndicator,
    SkpPlan,
    SkpRealisation,
    SkpResult,
)
from .rules import edits_settings


class _NoWrites:
    """View only: no add, change or delete, whatever the user's permissions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_NoWrites, InstansiScopedAdmin):
    pass


class ReadOnlyInline(_NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(PerformanceSettings)
class PerformanceSettingsAdmin(InstansiScopedAdmin):
    form = SettingsForm
    list_display = ["instansi", "evaluation_period_months", "rating_deadline_day", "reminder_days"]

    def _may_edit(self, request) -> bool:
        # The service writes for a user of the instansi with the role; a platform superuser (no
        # instansi) or an instansi superuser without the role only looks.
        return not self._platform(request) and edits_settings(request.user)

    def has_add_permission(self, request):
        if not (self._may_edit(request) and super().has_add_permission(request)):
            return False
        # One row per instansi: once it exists it is changed, not added again.
        return not PerformanceSettings.objects.filter(instansi_id=request.user.instansi_id).exists()

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.instansi_id = request.user.instansi_id
        services.settings_save(actor=request.user, settings_obj=obj)


class ResultInline(ReadOnlyInline):
    model = SkpResult
    fields = ["order", "text", "parent_result"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent_result")


@admin.register(SkpPlan)
class SkpPlanAdmin(ReadOnlyAdmin):
    list_display = ["employee", "year", "version", "status", "appraiser", "agreed_at"]
    list_filter = ["status", "year"]
    search_fields = ["employee__nip", "employee__name"]
    list_select_related = ["employee", "appraiser"]
    inlines = [ResultInline]


class IndicatorInline(ReadOnlyInline):
    model = SkpIndicator
    fields = ["order", "text", "target_quantity", "target_unit", "target_quality", "target_months"]
    readonly_fields = fields


@admin.register(SkpResult)
class SkpResultAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "plan"]
    search_fields = ["text", "plan__employee__nip", "plan__employee__name"]
    list_filter = ["plan__year"]
    list_select_related = ["plan__employee"]
    inlines = [IndicatorInline]


class RealisationInline(ReadOnlyInline):
    model = SkpRealisation
    fields = ["indicator", "quantity", "description", "updated_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


@admin.register(SkpEvaluation)
class SkpEvaluationAdmin(ReadOnlyAdmin):
    list_display = [
        "employee",
        "period_start",
        "period_end",
        "results_rating",
        "behaviour_rating",
        "predicate",
        "rated_by",
        "rated_at",
    ]
    list_filter = ["predicate", "period_start"]
    search_fields = ["employee__nip", "employee__name"]
    list_select_related = ["employee", "rated_by"]
    inlines = [RealisationInline]


@admin.register(PerformancePeriodLock)
class PerformancePeriodLockAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "locked_by",
        "locked_at",
        "lifted_by",
        "lifted_at",
        "reopened_until",
        "lift_reason",
    ]
    list_filter = ["year"]
    list_select_related = ["locked_by", "lifted_by"]
