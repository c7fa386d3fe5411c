"""Django admin for master data. Saves go through the org services, so admin edits get the same
validation (NIP, cycles, overlapping assignments) and the same audit events as every other path."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from ekinerja.core.admin import InstansiScopedAdmin

from . import services
from .models import Assignment, Employee, Position, RoleGrant, Unit


class ServiceSavingAdmin(InstansiScopedAdmin):
    service = None

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        try:
            type(self).service(actor=request.user, **{self.model._meta.model_name: obj})
        except ValidationError as exc:
            # The form already passed model validation; this is a domain rule (cycle, overlap, NIP).
            messages.error(request, "; ".join(exc.messages))
            raise


@admin.register(Unit)
class UnitAdmin(ServiceSavingAdmin):
    service = services.unit_save
    list_display = ["code", "name", "kind", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(Position)
class PositionAdmin(ServiceSavingAdmin):
    service = services.position_save
    list_display = ["code", "name", "unit", "kind", "kelas", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["kind", "kelas"]
    autocomplete_fields = ["parent", "unit"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["position", "kind", "start", "end", "decree"]
    autocomplete_fields = ["position"]

    def has_change_permission(self, request, obj=None):
        return False  # assignments change through their own admin page, which validates overlaps

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Employee)
class EmployeeAdmin(ServiceSavingAdmin):
    service = services.employee_save
    list_display = ["nip", "name", "status", "golongan", "pppk_grade", "is_active"]
    search_fields = ["nip", "name"]
    list_filter = ["status", "is_active"]
    inlines = [AssignmentInline]
    raw_id_fields = ["user"]


@admin.register(Assignment)
class AssignmentAdmin(ServiceSavingAdmin):
    service = services.assignment_save
    list_display = ["employee", "position", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["employee__nip", "employee__name", "position__name"]
    autocomplete_fields = ["employee", "position"]


@admin.register(RoleGrant)
class RoleGrantAdmin(InstansiScopedAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        services.role_grant(actor=request.user, user=obj.user, role=obj.role, unit=obj.unit)

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, grant=obj)

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("user", "instansi"):
            services.role_revoke(actor=request.user, grant=grant)
