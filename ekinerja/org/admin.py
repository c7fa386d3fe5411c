"""Django admin for master data, scoped by instansi (see core.admin.InstansiScopedAdmin).

Domain rules (plausible NIP, no cycle in the unit or position tree, no overlapping definitif
assignments, kelas 1-17, unique codes) are checked in the form's clean() with the same validators the
services use, so a broken rule shows as a field error on the form; save_model then calls the service,
which validates again under its lock and writes the audit event."""

from __future__ import annotations

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.forms.models import construct_instance

from ekinerja.core.admin import InstansiScopedAdmin

from . import services, validation
from .models import Assignment, Employee, Position, RoleGrant, Unit


class DomainValidatedForm(forms.ModelForm):
    """A ModelForm that runs a domain validator on the object as it would be saved."""

    domain_validator = None  # set per admin by ServiceSavingAdmin.get_form
    default_instansi_id: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and self.default_instansi_id and not self.instance.instansi_id:
            # New rows belong to the user's instansi; the validators need it (codes, same-instansi
            # parents) before save_model would set it.
            self.instance.instansi_id = self.default_instansi_id

    def clean(self):
        cleaned = super().clean()
        validator = type(self).domain_validator
        if validator is None or self.errors:
            return cleaned
        candidate = copy.copy(self.instance)
        construct_instance(self, candidate, self._meta.fields, self._meta.exclude)
        try:
            validator(candidate)
        except ValidationError as exc:
            self._add_domain_errors(exc)
        return cleaned

    def _add_domain_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            target = name if name in self.fields and name != NON_FIELD_ERRORS else None
            self.add_error(target, errors)


class ServiceSavingAdmin(InstansiScopedAdmin):
    form = DomainValidatedForm
    service = None
    validator = None
    actor_check = None  # the service's check of who may save the object, given the request's user

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        validator, actor_check, actor = type(self).validator, type(self).actor_check, request.user

        def validate(candidate):
            if actor_check is not None:
                actor_check(actor, candidate)
            if validator is not None:
                validator(candidate)

        return type(
            form.__name__,
            (form,),
            {
                "domain_validator": staticmethod(validate),
                "default_instansi_id": None
                if self._platform(request)
                else request.user.instansi_id,
            },
        )

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and not change:
            obj.instansi_id = request.user.instansi_id
        type(self).service(actor=request.user, **{self.model._meta.model_name: obj})


class BkpsdmFieldsAdmin(ServiceSavingAdmin):
    """Fields only BKPSDM changes (`bkpsdm_fields`, the service's list) are read-only for anyone
    else; the service refuses them too (`actor_check`)."""

    bkpsdm_fields: tuple[str, ...] = ()

    def _decides(self, request) -> bool:
        return self._platform(request) or services.decides_pay_and_posts(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self._decides(request):
            fields += [f for f in self.bkpsdm_fields if f not in fields]
        return fields


@admin.register(Unit)
class UnitAdmin(BkpsdmFieldsAdmin):
    service = services.unit_save
    validator = validation.unit_validate
    actor_check = services.unit_actor_check
    bkpsdm_fields = services.UNIT_BKPSDM_FIELDS
    list_display = ["code", "name", "kind", "parent"]
    # The parent may be empty, so the changelist's own select_related skips it: a query per row.
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(Position)
class PositionAdmin(BkpsdmFieldsAdmin):
    service = services.position_save
    validator = validation.position_validate
    actor_check = services.position_actor_check
    bkpsdm_fields = services.POSITION_BKPSDM_FIELDS
    list_display = ["code", "name", "unit", "kind", "kelas", "parent"]
    list_select_related = ["unit", "parent"]  # the parent may be empty: else a query per row
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

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Employee)
class EmployeeAdmin(ServiceSavingAdmin):
    service = services.employee_save
    validator = validation.employee_validate
    list_display = ["nip", "name", "status", "golongan", "pppk_grade", "is_active"]
    search_fields = ["nip", "name"]
    list_filter = ["status", "is_active"]
    inlines = [AssignmentInline]
    # The login is created and reset on the "Akun pegawai" page (org.services.accounts_create,
    # password_reset), never re-linked here: linking a record to an account one controls would let
    # its holder act as that employee (verify their subordinates' work, decide their leave).
    readonly_fields = ["user"]
    actor_check = services.employee_pay_check

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and obj.user_id:
            self._login_message(request, obj)
        if not obj.is_active and obj.pk:
            open_posts = list(
                Assignment.objects.filter(employee=obj, end__isnull=True).values_list(
                    "position__name", flat=True
                )
            )
            if open_posts:
                # The flag has no date: the reports count such a post in no month, past ones too.
                messages.warning(
                    request,
                    "Pegawai ini nonaktif, tetapi jabatannya belum diakhiri ("
                    + ", ".join(open_posts)
                    + "). Bila ia pensiun, pindah atau berhenti, isi tanggal selesai jabatannya di "
                    "Penempatan jabatan agar bulan-bulan sebelumnya tetap menghitungnya.",
                )

    def _login_message(self, request, obj):
        """What the (de)activation did to the employee's login (services.employee_save)."""
        login = (
            type(obj.user)
            .objects.filter(pk=obj.user_id)
            .values("username", "is_active", "is_superuser")
            .first()
        )
        if login is None:
            return
        name = login["username"]
        if not obj.is_active and login["is_superuser"]:
            messages.warning(
                request,
                f"Akun masuk {name} adalah akun superuser dan tidak ikut dinonaktifkan; "
                "administrator sistem menonaktifkannya lewat server.",
            )
        elif not obj.is_active and not login["is_active"]:
            messages.warning(
                request,
                f"Akun masuk pegawai ini ({name}) ikut dinonaktifkan: ia tidak dapat masuk lagi. "
                "Bila ia kembali bertugas, aktifkan data pegawainya lalu aktifkan akunnya dengan "
                "tombol Aktifkan kembali di halaman Akun pegawai (BKPSDM).",
            )
        elif obj.is_active and not login["is_active"]:
            messages.warning(
                request,
                f"Data pegawai aktif kembali, tetapi akun masuknya ({name}) tetap nonaktif. "
                "BKPSDM mengaktifkannya dengan tombol Aktifkan kembali di halaman Akun pegawai "
                "(sekaligus memberi kata sandi sementara baru).",
            )

    def get_readonly_fields(self, request, obj=None):
        # What TPP is paid on and where it goes, whether the employee counts in the hierarchy, and
        # the NIP machines and imports know them by: BKPSDM's (services.PAY_FIELDS,
        # EMPLOYEE_HIERARCHY_FIELDS, EMPLOYEE_IDENTITY_FIELDS).
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not (
            self._platform(request) or services.decides_pay_and_posts(request.user)
        ):
            wanted = (
                *services.PAY_FIELDS,
                *services.EMPLOYEE_HIERARCHY_FIELDS,
                *services.EMPLOYEE_IDENTITY_FIELDS,
            )
            fields += [f for f in wanted if f not in fields]
        return fields


@admin.register(Assignment)
class AssignmentAdmin(ServiceSavingAdmin):
    service = services.assignment_save
    validator = validation.assignment_validate
    actor_check = services.assignment_actor_check
    list_display = ["employee", "position", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["employee__nip", "employee__name", "position__name"]
    autocomplete_fields = ["employee", "position"]

    # Deleting is not offered to BKPSDM (org.rules: a post is ended, not deleted); a superuser's
    # delete, from the form or the changelist's bulk action, goes through the service, which audits
    # each row and announces the days in post it changes, so the stored attendance follows.
    def delete_model(self, request, obj):
        services.assignments_delete(
            actor=request.user, assignments=[obj], reason="dihapus melalui admin"
        )

    def delete_queryset(self, request, queryset):
        services.assignments_delete(
            actor=request.user, assignments=list(queryset), reason="dihapus melalui admin"
        )


@admin.register(RoleGrant)
class RoleGrantAdmin(InstansiScopedAdmin):
    form = DomainValidatedForm
    list_display = ["user", "role", "unit"]
    list_select_related = ["user", "unit"]  # the unit may be empty: else a query per row
    list_filter = ["role"]
    raw_id_fields = ["user"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # What role_grant would refuse (a role to oneself; BKPSDM-only roles), as field errors.
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        def check(grant):
            services.role_grant_refusals(actor, grant.user, grant.role, grant.unit)

        return type(form.__name__, (form,), {"domain_validator": staticmethod(check)})

    def has_change_permission(self, request, obj=None):
        # role_grant creates a grant; editing one in place would bypass it. Revoke and grant instead.
        return False

    def save_model(self, request, obj, form, change):
        services.role_grant(actor=request.user, user=obj.user, role=obj.role, unit=obj.unit)

    def has_delete_permission(self, request, obj=None):
        # A grant the account may not take back (services.role_revoke_refusal) has no delete button.
        if obj is not None and services.role_revoke_refusal(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, grant=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # All or none: a selection holding a grant the account may not take back revokes nothing.
        for grant in queryset.select_related("user", "instansi"):
            services.role_revoke(actor=request.user, grant=grant)
