from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from .models import AuditEvent, Instansi, User


class _ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id field that names the row beside the id only when the user may choose it: Django's
    looks the id up in the whole table, so an id put in the address (?user=123) printed another
    instansi's account, its username a NIP."""

    def __init__(self, rel, admin_site, queryset, attrs=None, using=None):
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.scoped_queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            allowed = self.scoped_queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            allowed = False
        if not allowed:
            return "", ""
        return super().label_and_url_for_value(value)


class _TenantChecksForm(forms.ModelForm):
    """An admin form of a tenant-owned row whose instansi is not a field: a new row is given the
    user's instansi (`tenant_id`) before the model's checks, and the unique checks that involve the
    instansi are run too (InstansiScopedAdmin.get_form)."""

    tenant_id: int | None = None

    def _post_clean(self):
        if self.instance.instansi_id is None and self.tenant_id:
            self.instance.instansi_id = self.tenant_id
        super()._post_clean()

    def _get_validation_exclusions(self):
        excluded = super()._get_validation_exclusions()
        if self.instance.instansi_id is not None:
            excluded.discard("instansi")
        return excluded

    def _update_errors(self, errors):
        # Django's own words for such a clash say, in its Indonesian translation, that the row
        # "does not exist" ("... ini tidak ada"): say what is wrong, on the field the user typed.
        if hasattr(errors, "error_dict"):
            kept = []
            for error in errors.error_dict.get(NON_FIELD_ERRORS, []):
                check = (error.params or {}).get("unique_check") or ()
                others = [f for f in check if f != "instansi"]
                if error.code != "unique_together" or "instansi" not in check or not others:
                    kept.append(error)
                    continue
                meta = self.instance._meta
                labels = " dan ".join(str(meta.get_field(f).verbose_name) for f in others)
                message = f"{labels[:1].upper()}{labels[1:]} ini sudah dipakai di instansi Anda."
                target = others[0] if others[0] in self.fields else NON_FIELD_ERRORS
                errors.error_dict.setdefault(target, []).append(
                    ValidationError(message, code="unique")
                )
            if kept:
                errors.error_dict[NON_FIELD_ERRORS] = kept
            else:
                errors.error_dict.pop(NON_FIELD_ERRORS, None)
        super()._update_errors(errors)


class InstansiScopedAdmin(admin.ModelAdmin):
    """Admin for tenant-owned models: a user sees and edits only their own instansi's rows; foreign-key
    choices are limited the same way; new rows get the user's instansi. A platform superuser without an
    instansi sees every instansi."""

    def _platform(self, request) -> bool:
        return request.user.is_superuser and request.user.instansi_id is None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._platform(request):
            return qs
        from ekinerja.core.scoping import scoped

        return scoped(qs, request.user)

    def get_list_filter(self, request):
        # A filter on a foreign key lists its choices from the whole related table: another
        # instansi's machines (their serials) and schedules appeared in the sidebar. Only the
        # related rows of the user's own (scoped) rows are offered.
        filters = list(super().get_list_filter(request))
        if self._platform(request):
            return filters
        return [_related_only(self.model, f) for f in filters]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not self._platform(request) and "instansi" in [f.name for f in self.model._meta.fields]:
            excluded.append("instansi")
        return excluded

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        related = db_field.related_model
        if (
            field is not None
            and not self._platform(request)
            and any(f.name == "instansi" for f in related._meta.fields)
        ):
            field.queryset = field.queryset.filter(instansi_id=request.user.instansi_id)
            if type(field.widget) is ForeignKeyRawIdWidget:
                old = field.widget
                field.widget = _ScopedRawIdWidget(
                    old.rel, old.admin_site, field.queryset, attrs=old.attrs, using=old.db
                )
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if self._platform(request) or not any(
            f.name == "instansi" for f in self.model._meta.fields
        ):
            return form
        # The instansi is not a field of this form, so Django skipped the unique checks that
        # involve it (a second leave type with the same code): the clash reached the database, an
        # IntegrityError and a server error page. The new row gets its instansi before the checks,
        # which then answer with a field error.
        return type(
            form.__name__, (_TenantChecksForm, form), {"tenant_id": request.user.instansi_id}
        )

    def save_model(self, request, obj, form, change):
        if not self._platform(request) and hasattr(obj, "instansi_id") and not change:
            obj.instansi_id = request.user.instansi_id
        super().save_model(request, obj, form, change)

    # Deletes through the admin (a platform superuser's included) leave an audit event per row, with
    # the row as it was, in the same transaction. Models with their own audited services override these.
    def delete_model(self, request, obj):
        from ekinerja.core.audit import audit_deleted

        with transaction.atomic():
            audit_deleted(actor=request.user, objs=[obj], reason="dihapus melalui admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from ekinerja.core.audit import audit_deleted

        with transaction.atomic():
            audit_deleted(actor=request.user, objs=list(queryset), reason="dihapus melalui admin")
            super().delete_queryset(request, queryset)


def _related_only(model, list_filter):
    """A list_filter entry as given, or, for a plain foreign-key field name, the same field with
    Django's RelatedOnlyFieldListFilter (choices: the related rows of the listed rows only)."""
    from django.core.exceptions import FieldDoesNotExist

    if not isinstance(list_filter, str) or "__" in list_filter:
        return list_filter
    try:
        field = model._meta.get_field(list_filter)
    except FieldDoesNotExist:
        return list_filter
    if field.is_relation and field.many_to_one:
        return (list_filter, admin.RelatedOnlyFieldListFilter)
    return list_filter


#: The account fields whose change through the admin is audited (who may do what, and where).
ACCOUNT_FIELDS = ("username", "instansi_id", "is_active", "is_staff", "is_superuser")


def _values(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _access(user: User) -> dict:
    """An account's groups and permissions by name ("org.change_employee"), sorted: what the
    audit log shows of them."""
    return {
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


@admin.register(Instansi)
class InstansiAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone", "place"]
    fields = ["code", "name", "timezone", "place"]

    def save_model(self, request, obj, form, change):
        from ekinerja.core.audit import audit_record

        fields = ("code", "name", "timezone", "place")
        before = _values(Instansi.objects.get(pk=obj.pk), fields) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                action="core.instansi.change" if change else "core.instansi.create",
                actor=request.user,
                instansi=obj,
                obj=obj,
                before=before,
                after=_values(obj, fields),
                reason="melalui admin",
            )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser and request.user.instansi_id is None:
            return qs
        return qs.filter(pk=request.user.instansi_id)

    def has_add_permission(self, request):
        return request.user.is_superuser and request.user.instansi_id is None

    def has_delete_permission(self, request, obj=None):
        # A Pemda's whole history (attendance, TPP lists paid) is never deleted from a web page;
        # the page itself took minutes collecting every related row.
        return False


@admin.register(User)
class UserAdmin(InstansiScopedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "instansi", "is_active", "is_staff", "locked_until"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("e-Kinerja", {"fields": ("instansi", "failed_login_count", "locked_until")}),
    )

    def save_model(self, request, obj, form, change):
        """Accounts created or changed in the admin are audited (username, instansi, active, staff,
        superuser; groups and permissions by name), in save_related, once the groups and
        permissions are saved too. A password typed in by the admin is known to them: the owner
        must replace it at the first login, as a temporary one."""
        if change:
            old = User.objects.get(pk=obj.pk)
            obj._admin_audit_before = {**_values(old, ACCOUNT_FIELDS), **_access(old)}
        else:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Groups and permissions are saved here, after save_model: a permission given to an account
        # (a Kominfo staff account given "can change user", say) left no trace in the audit log.
        from ekinerja.core.audit import audit_record

        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_admin_audit_before", None) if change else None
        after = {**_values(obj, ACCOUNT_FIELDS), **_access(obj)}
        if change and before == after:
            return
        audit_record(
            action="auth.account.admin_change" if change else "auth.account.admin_create",
            actor=request.user,
            instansi=obj.instansi,
            obj=obj,
            before=before,
            after=after,
            reason="melalui admin",
        )

    def user_change_password(self, request, id, form_url=""):
        """The admin's "change password" form: audited, the owner must choose their own at the next
        login, and the phones' API tokens are revoked (as after any password issued by an officer)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            from ekinerja.core.audit import audit_record
            from ekinerja.core.passwords import password_set

            user = User.objects.get(pk=id)
            if user.pk != request.user.pk:  # one's own password is one's own choice
                User.objects.filter(pk=user.pk).update(must_change_password=True)
            audit_record(
                action="auth.password.admin_set",
                actor=request.user,
                instansi=user.instansi,
                obj=user,
                reason="kata sandi diatur melalui admin; wajib diganti pemiliknya",
            )
            password_set.send(sender=User, user=user, by_owner=False)
        return response

    def get_fieldsets(self, request, obj=None):
        sets = super().get_fieldsets(request, obj)
        if not self._platform(request):
            # Only a platform superuser hands out superuser status or moves accounts between Pemda.
            cleaned = []
            for name, opts in sets:
                fields = [
                    f for f in opts.get("fields", ()) if f not in ("is_superuser", "instansi")
                ]
                cleaned.append((name, {**opts, "fields": fields}))
            return cleaned
        return sets


@admin.register(AuditEvent)
class AuditEventAdmin(InstansiScopedAdmin):
    list_display = ["at", "actor_label", "action", "object_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _own_password_change(request, extra_context=None):
    """The admin's "Ubah kata sandi" (its own password) is the app's page (org's password-change):
    Django's form changed the password with no audit event, left the phones' API tokens of the old
    password valid and a temporary password's state set."""
    from django.shortcuts import redirect

    return redirect("password-change")


admin.site.password_change = _own_password_change
