"""Admin for the catalog and the activity policy values. Saves go through the services, so admin
edits are validated and audited like every other path."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from ekinerja.core.admin import InstansiScopedAdmin

from . import services
from .models import ActivityCatalogItem, ActivitySettings


@admin.register(ActivityCatalogItem)
class CatalogAdmin(InstansiScopedAdmin):
    list_display = ["code", "name", "output_unit", "standard_minutes", "active_from", "active_to"]
    search_fields = ["code", "name", "output_unit"]
    list_filter = ["for_struktural", "for_fungsional", "for_pelaksana"]
    filter_horizontal = ["units"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "units" and not self._platform(request):
            field.queryset = field.queryset.filter(instansi_id=request.user.instansi_id)
        return field

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        try:
            services.catalog_item_save(actor=request.user, item=obj)
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

    def get_readonly_fields(self, request, obj=None):
        # Governed by the TPP policy in force: shown, not editable (services refuse a change too).
        if obj is not None and obj.policy_name:
            return ["policy_name", *ActivitySettings.POLICY_FIELDS]
        return ["policy_name"]

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        services.activity_settings_save(actor=request.user, settings=obj)
