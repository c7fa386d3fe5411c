"""Shared kernel: the tenant (Instansi), user accounts and the append-only audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Instansi(models.Model):
    """A Pemda (kabupaten, kota, provinsi): the tenant every other row belongs to."""

    class Zone(models.TextChoices):
        WIB = "Asia/Jakarta", "WIB (Asia/Jakarta)"
        WITA = "Asia/Makassar", "WITA (Asia/Makassar)"
        WIT = "Asia/Jayapura", "WIT (Asia/Jayapura)"

    code = models.CharField("kode", max_length=20, unique=True)
    name = models.CharField("nama", max_length=200)
    timezone = models.CharField("zona waktu", max_length=40, choices=Zone.choices, default=Zone.WIB)
    # Printed before the date of the payroll documents' signatures ("Kandangan, 5 November 2026"):
    # usually the capital of the kabupaten or kota. Blank: the date alone.
    place = models.CharField(
        "tempat penandatanganan",
        max_length=100,
        blank=True,
        default="",
        help_text="Dicetak sebelum tanggal tanda tangan dokumen pembayaran TPP, misalnya "
        "ibu kota kabupaten: Kandangan.",
    )

    class Meta:
        verbose_name = "instansi"
        verbose_name_plural = "instansi"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone_label(self) -> str:
        return {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}[
            self.timezone
        ]


class TenantModel(models.Model):
    """Base for every tenant-owned table: the row belongs to exactly one instansi."""

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, verbose_name="instansi")

    class Meta:
        abstract = True


class User(AbstractUser):
    """A login. Employees log in with their NIP as username; technical admins with a name.

    Roles other than the derived "atasan" are granted through org.RoleGrant.
    """

    instansi = models.ForeignKey(
        Instansi, on_delete=models.PROTECT, null=True, blank=True, verbose_name="instansi"
    )
    failed_login_count = models.PositiveIntegerField("gagal masuk berturut-turut", default=0)
    locked_until = models.DateTimeField("terkunci sampai", null=True, blank=True)
    # Set when an officer issues a temporary password (a new account or a reset): until the owner
    # chooses their own, every page leads to the password page and the API issues no token.
    must_change_password = models.BooleanField("wajib ganti kata sandi", default=False)

    class Meta:
        verbose_name = "akun"
        verbose_name_plural = "akun"

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D102
        raise PermissionError("Log audit hanya dapat ditambah, tidak dapat diubah.")

    def delete(self):  # noqa: D102
        raise PermissionError("Log audit hanya dapat ditambah, tidak dapat dihapus.")


class AuditEvent(models.Model):
    """Append-only record of who changed what pay- or access-relevant data, when and why.

    Written by services inside the same transaction as the change itself. Updates and deletes are
    refused here and, on PostgreSQL, by a trigger (migration 0002).
    """

    at = models.DateTimeField("waktu (UTC)", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pelaku",
    )
    actor_label = models.CharField("pelaku (teks)", max_length=150, blank=True)
    instansi = models.ForeignKey(
        Instansi, on_delete=models.PROTECT, null=True, blank=True, verbose_name="instansi"
    )
    action = models.CharField("aksi", max_length=80, db_index=True)
    object_type = models.CharField("jenis objek", max_length=80, blank=True)
    object_id = models.CharField("id objek", max_length=64, blank=True)
    object_repr = models.CharField("objek", max_length=255, blank=True)
    before = models.JSONField("sebelum", null=True, blank=True)
    after = models.JSONField("sesudah", null=True, blank=True)
    reason = models.TextField("alasan", blank=True)
    ip_address = models.GenericIPAddressField("alamat IP", null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "peristiwa audit"
        verbose_name_plural = "log audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["instansi", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Log audit hanya dapat ditambah, tidak dapat diubah.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Log audit hanya dapat ditambah, tidak dapat dihapus.")


class IdempotentRequest(TenantModel):
    """An API request sent with an `Idempotency-Key` header (core.idempotency): the answer of its
    first run, replayed to a repeat of the same request (same caller, method, path, key and body)
    within 24 hours. A row without `status_code` is a request still running. Never a secret: the
    routes covered answer no token or password, and the body is kept as its fingerprint only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name="akun")
    key = models.CharField("kunci", max_length=255)
    method = models.CharField("metode", max_length=10)
    path = models.CharField("alamat", max_length=255)
    # SHA-256 of the method and the whole path: what the key is scoped to (`path` may be cut).
    target = models.CharField("sasaran (SHA-256)", max_length=64)
    fingerprint = models.CharField("sidik isi (SHA-256)", max_length=64)
    status_code = models.PositiveSmallIntegerField("status jawaban", null=True, blank=True)
    response_body = models.TextField("isi jawaban", blank=True, default="")
    created_at = models.DateTimeField("waktu", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "permintaan idempoten"
        verbose_name_plural = "permintaan idempoten"
        constraints = [
            # The lookup of every request with the header, and what makes a concurrent repeat
            # fail to insert its own row (409 idempotency_in_progress).
            models.UniqueConstraint(
                fields=["instansi", "user", "target", "key"], name="core_idempotent_request_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
