"""Django admin for attendance master data, scoped to the user's instansi. Raw punches are read-only;
leave and corrections are handled on their pages, where the approval rules apply."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction

from ekinerja.core.admin import InstansiScopedAdmin
from ekinerja.core.audit import audit_record, snapshot

from . import selectors, services
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


_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


class DeviceForm(forms.ModelForm):
    """The machine's fields with what to read or type on the machine's own menu, and checks that
    answer a mistyped serial, IP address or port in Indonesian on the field (a wrong IP or port was
    stored and every pull failed; a serial of another instansi got Django's bare "telah ada")."""

    adms_host = ""  # the site's host, set per request by DeviceAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        host = (self.adms_host or "alamat situs e-Kinerja").split(":")[0]
        helps = {
            "serial": (
                "Persis seperti di mesin (Menu → Info Sistem → Info Perangkat → Nomor Seri), "
                "huruf besar/kecil sama: mesin dikenali hanya dari nomor ini. Kirim otomatis "
                "(ADMS): di mesin, Menu → Komunikasi → Pengaturan Server Cloud: Alamat Server "
                f"{host}, Port Server 80, Aktifkan Nama Domain Ya, HTTPS Tidak, Proxy Tidak."
            ),
            "timezone": (
                "Zona jam yang dipakai mesin. Kosongkan bila sama dengan zona instansi; zona yang "
                "salah menggeser setiap absen mesin ini (satu jam membuat satu kantor terlambat)."
            ),
            "ip_address": (
                "Hanya untuk mesin yang ditarik server lewat jaringan (tanpa ADMS): alamat IP mesin "
                "(Menu → Komunikasi → Ethernet), mis. 192.168.1.201. Comm Key mesin harus 0 "
                "(Menu → Komunikasi → Koneksi PC) atau sama dengan kolom Comm Key di bawah. "
                "Kosongkan untuk mesin yang mengirim sendiri."
            ),
            "port": "Port tarik data mesin (Menu → Komunikasi → Ethernet); bawaan 4370.",
            "comm_key": (
                "Hanya untuk tarik data lewat jaringan: sama dengan Comm Key di mesin (Menu → "
                "Komunikasi → Koneksi PC), angka 0-999999; bawaan mesin 0."
            ),
        }
        for name, text in helps.items():
            if name in self.fields:
                self.fields[name].help_text = text
        if "comm_key" in self.fields:
            self.fields["comm_key"].required = False

    def clean_serial(self):
        serial = self.cleaned_data["serial"]
        if any(c.isspace() for c in serial):
            raise ValidationError("Nomor seri tidak boleh mengandung spasi.", code="invalid")
        clash = (
            Device.objects.filter(serial__iexact=serial)
            .exclude(pk=self.instance.pk)
            .values_list("instansi_id", flat=True)
            .first()
        )
        if clash is None:
            return serial
        own = self.instance.instansi_id or getattr(self, "tenant_id", None)
        if own is not None and clash != own:
            raise ValidationError(
                "Nomor seri ini sudah terdaftar pada instansi lain. Periksa lagi nomor seri di "
                "mesin (Menu → Info Sistem → Info Perangkat); bila sudah benar, hubungi pengelola "
                "aplikasi.",
                code="unique",
            )
        raise ValidationError(
            "Nomor seri ini sudah terdaftar sebagai mesin lain di daftar Mesin absensi.",
            code="unique",
        )

    def clean_ip_address(self):
        value = (self.cleaned_data.get("ip_address") or "").strip()
        if not value:
            return value
        if ":" in value and value.count(":") == 1:
            raise ValidationError(
                "Tulis alamat IP saja (mis. 192.168.1.201); port diisi pada kolom Port.",
                code="invalid",
            )
        try:
            validate_ipv46_address(value)
            return value
        except ValidationError:
            pass
        looks_numeric = all(part.isdigit() for part in value.split("."))
        if looks_numeric or not _HOSTNAME.match(value):
            raise ValidationError(
                "Alamat IP tidak valid: tulis empat angka 0-255 dipisah titik, mis. "
                "192.168.1.201 (atau nama host mesin).",
                code="invalid",
            )
        return value

    def clean_comm_key(self):
        # Left empty: the machines' default, 0 (the field is optional on the form).
        value = self.cleaned_data.get("comm_key")
        return 0 if value is None else value

    def clean_port(self):
        port = self.cleaned_data.get("port")
        if port is not None and not 1 <= port <= 65535:
            raise ValidationError(
                "Port harus antara 1 dan 65535 (bawaan mesin: 4370).", code="invalid"
            )
        return port


@admin.register(Device)
class DeviceAdmin(AuditedAdmin):
    """Kominfo registers machines and keeps their technical fields; the serial (once registered)
    and the active flag are BKPSDM's, read-only for anyone else, and a machine registered by
    anyone else starts inactive (services.device_save, which also refuses the change itself)."""

    form = DeviceForm
    list_display = ["serial", "name", "unit", "timezone", "is_active", "last_seen", "watermark"]
    # Named: Django's automatic select_related() skips nullable keys (a query per row with a unit).
    list_select_related = ["unit"]
    search_fields = ["serial", "name"]
    readonly_fields = ["last_seen", "watermark", "pulled_until"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.adms_host = request.get_host()
        return form

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
        zone = obj.instansi.timezone
        if obj.timezone and obj.timezone != zone:
            labels = dict(Device._meta.get_field("timezone").choices)
            messages.warning(
                request,
                f"Jam mesin {obj.serial} diatur {labels.get(obj.timezone, obj.timezone)}, "
                f"sedangkan instansi memakai {labels.get(zone, zone)}: setiap absen mesin ini "
                "dibaca dalam zona itu. Pastikan jam mesin memang menunjukkan zona tersebut.",
            )


@admin.register(PinMapping)
class PinMappingAdmin(AuditedAdmin):
    """Only BKPSDM maps PINs (rules.py; services.pin_mapping_actor_check, checked again here)."""

    list_display = ["pin", "employee", "device"]
    # Named: Django's automatic select_related() skips the nullable device (a query per row).
    list_select_related = ["employee", "device"]
    search_fields = ["pin", "employee__nip", "employee__name"]
    autocomplete_fields = ["employee"]

    # Above the list: the PINs the machines sent that nobody is mapped to yet (selectors.unmapped_pins),
    # each with a link that opens a new mapping for it (?pin=555&device=3: the admin's initial data).
    change_list_template = "admin/attendance/pinmapping/change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if request.user.instansi_id:
            rows = selectors.unmapped_pins(request.user.instansi_id)
            if rows:
                # Mapped since (outside this page, or lines indexed from older dumps by migration
                # 0007): saving the mapping again recovers them.
                resolvers = services.pin_resolvers(
                    request.user.instansi, {r["device_id"] for r in rows}
                )
                for r in rows:
                    r["mapped"] = resolvers[r["device_id"]](r["pin"]) is not None
            extra_context["unmapped_pins"] = rows
        return super().changelist_view(request, extra_context=extra_context)

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        # Saving recovers the punches the machines already sent for this PIN (kept from their raw
        # data while it was mapped to nobody) and derives those days again.
        recovered = services.pin_mapping_save(actor=request.user, mapping=obj)
        if recovered.lines:
            level = messages.WARNING if recovered.locked else messages.SUCCESS
            messages.add_message(request, level, recovered.message(obj.pin))

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
