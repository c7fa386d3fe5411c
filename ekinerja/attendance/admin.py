"""Django admin for attendance master data, scoped to the user's instansi. Raw punches are read-only;
leave and corrections are handled on their pages, where the approval rules apply."""

from django.contrib import admin, messages
from django.db import transaction

from ekinerja.core.admin import InstansiScopedAdmin
from ekinerja.core.audit import audit_record, snapshot

from . import services
from .models import Device, DeviceDump, LeaveRequest, LeaveType, Office, PinMapping, Punch


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

    # One audit event per deleted row, with this app's action name (InstansiScopedAdmin's own
    # "admin.delete" event is not written as well), from the form and the changelist's bulk action.
    def _delete_audited(self, request, objs) -> None:
        with transaction.atomic():
            for obj in objs:
                audit_record(
                    action=f"attendance.{obj._meta.model_name}.delete",
                    actor=request.user,
                    instansi=obj.instansi,
                    obj=obj,
                    before=snapshot(obj),
                )
                obj.delete()

    def delete_model(self, request, obj):
        self._delete_audited(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete_audited(request, list(queryset))


@admin.register(Device)
class DeviceAdmin(AuditedAdmin):
    """Kominfo registers machines and keeps their technical fields; the serial (once registered)
    and the active flag are BKPSDM's, read-only for anyone else, and a machine registered by
    anyone else starts inactive (services.device_save, which also refuses the change itself)."""

    list_display = ["serial", "name", "unit", "timezone", "is_active", "last_seen", "watermark"]
    search_fields = ["serial", "name"]
    readonly_fields = ["last_seen", "watermark", "pulled_until"]

    def _decides(self, request) -> bool:
        return self._platform(request) or services.decides_attendance_sources(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self._decides(request):
            fields += [f for f in services.DEVICE_BKPSDM_FIELDS if f not in fields]
        return fields

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if obj is None and not self._decides(request):
            excluded.append("is_active")  # a new machine starts inactive; BKPSDM activates it
        return excluded

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        services.device_save(actor=request.user, device=obj)
        if not change and not obj.is_active:
            messages.warning(
                request,
                f"Mesin {obj.serial} terdaftar dalam keadaan nonaktif: datanya belum diterima "
                "sampai BKPSDM mengaktifkannya.",
            )


@admin.register(PinMapping)
class PinMappingAdmin(AuditedAdmin):
    """Only BKPSDM maps PINs (rules.py; services.pin_mapping_actor_check, checked again here)."""

    list_display = ["pin", "employee", "device"]
    search_fields = ["pin", "employee__nip", "employee__name"]
    autocomplete_fields = ["employee"]

    def save_model(self, request, obj, form, change):
        services.pin_mapping_actor_check(request.user)
        super().save_model(request, obj, form, change)

    def _delete_audited(self, request, objs) -> None:
        services.pin_mapping_actor_check(request.user)
        super()._delete_audited(request, objs)


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

    def get_readonly_fields(self, request, obj=None):
        # The code is the key of the TPP policy's leave_types, read through every request of the
        # type, past ones too: renamed, their days would fall out of the policy (CLTN or tugas
        # belajar paid in full at the next computation). Fixed once the type is in use.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and LeaveRequest.objects.filter(leave_type=obj).exists():
            fields.append("code")
        return fields


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


class ChannelFilter(admin.SimpleListFilter):
    title = "cara kirim"
    parameter_name = "cara"

    def lookups(self, request, model_admin):
        return [("push", "Dikirim mesin (ADMS)"), ("pull", "Ditarik server")]

    def queryset(self, request, queryset):
        return queryset.filter(channel=self.value()) if self.value() else queryset


@admin.register(DeviceDump)
class DeviceDumpAdmin(InstansiScopedAdmin):
    """What each machine sent and what became of it: Kominfo sees here the lines a machine sent
    that were not stored (a PIN mapped to nobody, an unreadable time), which the machine itself was
    told were received (the ADMS protocol has no other answer)."""

    list_display = ["device", "received_at", "sent_how", "lines", "inserted", "problems"]
    list_filter = [ProblemFilter, ChannelFilter, "device"]
    search_fields = ["device__serial", "device__name", "error"]
    list_select_related = ["device"]

    @admin.display(description="cara kirim")
    def sent_how(self, obj) -> str:
        return {"push": "dikirim mesin", "pull": "ditarik server"}.get(obj.channel, obj.channel)

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
