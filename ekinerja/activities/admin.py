"""Admin (Data induk) for the catalog and the activity policy values: BKPSDM's (permissions in
rules.py). Saves go through the services, so admin edits are validated and audited like every other
path; the catalog form shows the services' field errors on their fields. Only BKPSDM of the
instansi writes, whatever an account's other rights (a Kominfo superuser included), and the settings
are never deleted: that would drop the values a TPP policy governs back to the defaults."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from ekinerja.core.admin import InstansiScopedAdmin
from ekinerja.org.models import Role
from ekinerja.org.selectors import user_roles

from . import services
from .models import ActivityCatalogItem, ActivitySettings


def _bkpsdm(request) -> bool:
    return request.user.instansi_id is not None and Role.BKPSDM in user_roles(request.user)


class CatalogForm(forms.ModelForm):
    """The numbers are plain integers here: their range is the services' check, whose message names
    the field and the allowed values (the model's constraints only name themselves)."""

    standard_minutes = forms.IntegerField(label="Menit efektif per satuan")
    kelas_min = forms.IntegerField(label="Kelas jabatan minimal", initial=1)
    kelas_max = forms.IntegerField(label="Kelas jabatan maksimal", initial=17)

    # Asked for only when the new validity strands entries not verified yet (services.
    # catalog_stranded): their employees can no longer submit them.
    confirm_stranded = forms.BooleanField(
        label=services.CONFIRM_LABEL,
        required=False,
        help_text="Centang untuk tetap menyimpan masa berlaku yang meninggalkan aktivitas pegawai "
        "yang belum diverifikasi (pegawainya diminta mengganti butirnya).",
    )

    #: The editing account's instansi, for a new item (CatalogAdmin.get_form).
    instansi_id = None

    class Meta:
        model = ActivityCatalogItem
        fields = [
            "instansi",  # left out of the form for anyone but a platform superuser
            "code",
            "name",
            "output_unit",
            "standard_minutes",
            "for_struktural",
            "for_fungsional",
            "for_pelaksana",
            "kelas_min",
            "kelas_max",
            "units",
            "active_from",
            "active_to",
        ]

    def clean(self):
        data = super().clean()
        instansi = data.get("instansi")  # a platform superuser's form has the field
        # Every column the form edits, but the instansi (given below) and the units (many-to-many).
        values = {
            f: data.get(f)
            for f in self._meta.fields
            if f not in ("instansi", "units", "confirm_stranded")
        }
        item = ActivityCatalogItem(
            pk=self.instance.pk,
            instansi_id=instansi.pk if instansi else self.instance.instansi_id or self.instansi_id,
            **values,
        )
        for name, message in services.catalog_item_errors(item).items():
            if name in self.errors:
                continue  # the field's own error (empty, not a number) says it already
            self.add_error(name if name in self.fields else None, message)
        for name in ("code", "name", "output_unit"):
            if name in data:
                data[name] = getattr(item, name)  # trimmed as the service stores it
        if self.instance.pk and not self.errors and not data.get("confirm_stranded"):
            # self.instance still holds the stored dates here (the form copies them in later).
            stored = self.instance
            found = services.catalog_stranded(
                item.instansi_id, [(item, stored.active_from, stored.active_to)]
            ).get(item.pk)
            if found is not None:
                for name, message in services.stranded_errors(item, found).items():
                    self.add_error(name, message)
        return data


@admin.register(ActivityCatalogItem)
class CatalogAdmin(InstansiScopedAdmin):
    form = CatalogForm
    list_display = ["code", "name", "output_unit", "standard_minutes", "active_from", "active_to"]
    search_fields = ["code", "name", "output_unit"]
    list_filter = ["for_struktural", "for_fungsional", "for_pelaksana"]
    filter_horizontal = ["units"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.instansi_id = request.user.instansi_id
        return form

    def has_add_permission(self, request):
        return _bkpsdm(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return _bkpsdm(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # An item used by entries is protected (the admin lists them and deletes nothing): end its
        # validity (berlaku sampai) instead.
        return _bkpsdm(request) and super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "units" and not self._platform(request):
            field.queryset = field.queryset.filter(instansi_id=request.user.instansi_id)
        return field

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        # The unit limit goes through the service too, so the audit event records it (save_related
        # then sets the same units again).
        units = list(form.cleaned_data["units"]) if "units" in form.cleaned_data else None
        try:
            services.catalog_item_save(
                actor=request.user,
                item=obj,
                units=units,
                confirm=bool(form.cleaned_data.get("confirm_stranded")),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            raise


@admin.register(ActivitySettings)
class SettingsAdmin(InstansiScopedAdmin):
    list_display = [
        "instansi",
        "window_working_days",
        "daily_cap_minutes",
        "monthly_target_minutes",
        "deadline_behaviour",
    ]

    def has_add_permission(self, request):
        if not (_bkpsdm(request) and super().has_add_permission(request)):
            return False
        # One row per instansi: once it exists it is changed, not added again.
        return not ActivitySettings.objects.filter(instansi_id=request.user.instansi_id).exists()

    def has_change_permission(self, request, obj=None):
        return _bkpsdm(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting would put the defaults (7 working days) in place of the TPP policy's values.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Governed by the TPP policy in force: shown, not editable (services refuse a change too).
        if obj is not None and obj.policy_name:
            return ["policy_name", *ActivitySettings.POLICY_FIELDS]
        return ["policy_name"]

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        services.activity_settings_save(actor=request.user, settings=obj)
