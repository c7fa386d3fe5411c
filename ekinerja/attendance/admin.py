"""Django admin for attendance master data, scoped to the user's instansi. Raw punches are read-only;
leave and corrections are handled on their pages, where the approval rules apply."""

from django.contrib import admin

from ekinerja.core.admin import InstansiScopedAdmin
from ekinerja.core.audit import audit_record, snapshot

from .models import Device, DeviceDump, LeaveType, Office, PinMapping, Punch


class AuditedAdmin(InstansiScopedAdmin):
    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"attendance.{obj._meta.model_name}.{'update' if change else 'create'}",
            actor=request.user,
            instansi=obj.instansi,
            obj=obj,
            before=before,
            after=snapshot(obj),
        )

    def delete_model(self, request, obj):
        audit_record(
            action=f"attendance.{obj._meta.model_name}.delete",
            actor=request.user,
            instansi=obj.instansi,
            obj=obj,
            before=snapshot(obj),
        )
        super().delete_model(request, obj)


@admin.register(Device)
class DeviceAdmin(AuditedAdmin):
    list_display = ["serial", "name", "unit", "timezone", "is_active", "last_seen", "watermark"]
    search_fields = ["serial", "name"]
    readonly_fields = ["last_seen", "watermark", "pulled_until"]


@admin.register(PinMapping)
class PinMappingAdmin(AuditedAdmin):
    list_display = ["pin", "employee", "device"]
    search_fields = ["pin", "employee__nip", "employee__name"]
    autocomplete_fields = ["employee"]


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    list_display = ["name", "unit", "latitude", "longitude", "radius_m", "selfie_required"]
    search_fields = ["name"]


@admin.register(LeaveType)
class LeaveTypeAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "needs_attachment",
        "needs_bkpsdm",
        "annual_quota",
        "allows_remote_checkin",
        "is_active",
    ]


@admin.register(Punch)
class PunchAdmin(InstansiScopedAdmin):
    list_display = ["employee", "at", "source", "source_key", "needs_review", "reason"]
    list_filter = ["source", "needs_review"]
    search_fields = ["employee__nip", "employee__name"]
    date_hierarchy = "at"
    list_select_related = ["employee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProblemFilter(admin.SimpleListFilter):
    title = "baris bermasalah"
    parameter_name = "masalah"

    def lookups(self, request, model_admin):
        return [("ya", "Ada (PIN tidak dikenal, waktu tidak terbaca)"), ("tidak", "Tidak ada")]

    def queryset(self, request, queryset):
        if self.value() == "ya":
            return queryset.exclude(error="")
        if self.value() == "tidak":
            return queryset.filter(error="")
        return queryset


@admin.register(DeviceDump)
class DeviceDumpAdmin(InstansiScopedAdmin):
    """What each machine sent and what became of it: Kominfo sees here the lines a machine sent
    that were not stored (a PIN mapped to nobody, an unreadable time), which the machine itself was
    told were received (the ADMS protocol has no other answer)."""

    list_display = ["device", "received_at", "channel", "lines", "inserted", "problems"]
    list_filter = [ProblemFilter, "channel", "device"]
    search_fields = ["device__serial", "device__name", "error"]
    list_select_related = ["device"]

    @admin.display(description="tidak disimpan")
    def problems(self, obj) -> str:
        if not obj.error:
            return ""
        lines = obj.error.splitlines()
        more = f" (+{len(lines) - 1} lainnya)" if len(lines) > 1 else ""
        return lines[0][:120] + more

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
