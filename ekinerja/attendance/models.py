"""Attendance: raw punches (never altered), devices and their PIN mappings, imports, offices with
geofences, leave and permits, correction requests, and the derived daily attendance.

Data and constraints only. The daily status is derived by the pure function derivation.derive_day;
writes go through services.py."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from ekinerja.core.audit_labels import moment_label, related_name
from ekinerja.core.models import Instansi, TenantModel
from ekinerja.core.periods import rentang_tanggal, tanggal
from ekinerja.org.models import Employee, Unit


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D102
        raise PermissionError("Data absensi mentah tidak dapat diubah.")

    def delete(self):  # noqa: D102
        raise PermissionError("Data absensi mentah tidak dapat dihapus.")


class Device(TenantModel):
    """A fingerprint / face machine. Registered by serial number: only registered serials may push
    (ADMS). Its clock runs in `timezone`; its watermark is the time up to which its punches are known
    to be in the database, and no day is derived as final before every active device has passed it."""

    serial = models.CharField("nomor seri", max_length=40, unique=True)
    name = models.CharField("nama", max_length=120, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="unit"
    )
    timezone = models.CharField(
        "zona waktu jam mesin", max_length=40, choices=Instansi.Zone.choices, blank=True
    )
    ip_address = models.CharField("alamat IP (tarik data)", max_length=60, blank=True)
    port = models.PositiveIntegerField("port", default=4370)
    # The machine's "Comm Key" (Menu → Komunikasi → Koneksi PC), a number of up to six digits that
    # a pull (pyzk's `password`) must send when the machine asks for it; 0 is the machines' default.
    comm_key = models.PositiveIntegerField(
        "Comm Key", default=0, validators=[MaxValueValidator(999999)]
    )
    is_active = models.BooleanField("aktif", default=True)
    last_seen = models.DateTimeField("terakhir terhubung", null=True, blank=True)
    watermark = models.DateTimeField("data lengkap sampai", null=True, blank=True)
    # Pull (pyzk): the device-clock time of the newest punch already taken, so a pull can resume.
    pulled_until = models.DateTimeField("ditarik sampai", null=True, blank=True)

    # The Comm Key is the machine's password: the audit log records it as "••••" (core.audit).
    audit_secret_fields = ("comm_key",)

    class Meta:
        verbose_name = "mesin absensi"
        verbose_name_plural = "mesin absensi"
        ordering = ["serial"]

    def __str__(self) -> str:
        return f"{self.serial}{' - ' + self.name if self.name else ''}"

    @property
    def zone(self) -> str:
        return self.timezone or self.instansi.timezone


class RefusedDevice(models.Model):
    """A machine whose ADMS push was refused (adms.refusal_record), so Kominfo sees it on the home
    page instead of only in the server's log: one row per serial, updated at every refusal, pruned
    after REFUSED_KEEP_DAYS and capped at REFUSED_MAX_ROWS (the serial is whatever a caller sends).

    `instansi` is known when the serial is registered (inactive, or in another letter case);
    an unknown serial belongs to nobody yet (shown where the installation serves one instansi;
    with several, only the server's log names it). Not in the Django admin."""

    class Reason(models.TextChoices):
        UNKNOWN = "unknown", "nomor seri tidak terdaftar di Mesin absensi"
        CASE = "case", "nomor seri terdaftar dengan huruf besar/kecil berbeda"
        INACTIVE = "inactive", "mesin belum diaktifkan BKPSDM"

    serial = models.CharField("nomor seri", max_length=40, unique=True)
    instansi = models.ForeignKey(
        Instansi, on_delete=models.CASCADE, null=True, blank=True, verbose_name="instansi"
    )
    reason = models.CharField("alasan", max_length=10, choices=Reason.choices)
    ip_address = models.CharField("alamat IP", max_length=45, blank=True)
    first_seen = models.DateTimeField("pertama ditolak")
    last_seen = models.DateTimeField("terakhir ditolak")
    attempts = models.PositiveIntegerField("percobaan", default=1)

    class Meta:
        verbose_name = "mesin ditolak (ADMS)"
        verbose_name_plural = "mesin ditolak (ADMS)"
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["last_seen"], name="refuseddevice_last_seen")]

    def __str__(self) -> str:
        return self.serial


class PinMapping(TenantModel):
    """Maps a device user PIN to an employee: for one device, or (device empty) for every device of
    the instansi. Without a mapping, a PIN equal to an employee's NIP maps to that employee."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, null=True, blank=True, related_name="pins"
    )
    pin = models.CharField("PIN", max_length=30)
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="device_pins", verbose_name="pegawai"
    )

    class Meta:
        verbose_name = "PIN mesin"
        verbose_name_plural = "PIN mesin"
        constraints = [
            models.UniqueConstraint(
                fields=["device", "pin"], condition=Q(device__isnull=False), name="pin_per_device"
            ),
            models.UniqueConstraint(
                fields=["instansi", "pin"],
                condition=Q(device__isnull=True),
                name="pin_per_instansi",
            ),
        ]

    def __str__(self) -> str:
        return f"PIN {self.pin} -> {self.employee_id}"


class Office(TenantModel):
    """An office location of a unit with its geofence for phone check-in."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="offices", verbose_name="unit"
    )
    name = models.CharField("nama", max_length=200)
    latitude = models.DecimalField("lintang", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("bujur", max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField("radius (m)", default=100)
    selfie_required = models.BooleanField("wajib swafoto", default=False)

    class Meta:
        verbose_name = "kantor (geofence)"
        verbose_name_plural = "kantor (geofence)"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="office_coordinates_valid",
            ),
            models.CheckConstraint(condition=Q(radius_m__gte=10), name="office_radius_min_10m"),
        ]

    def __str__(self) -> str:
        return self.name


class PunchImport(TenantModel):
    """One uploaded fingerprint export: parsed, previewed, then imported."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Pratinjau"
        RUNNING = "running", "Sedang diimpor"
        DONE = "done", "Selesai"
        REFUSED = "refused", "Ditolak"

    file = models.FileField("berkas", upload_to="impor-absensi/%Y/%m/")
    # The checked lines as "employee id<TAB>aware ISO time", written by the preview so the import
    # itself is a bulk load (COPY on PostgreSQL) without parsing the upload again.
    normalized = models.FileField(upload_to="impor-absensi/%Y/%m/", blank=True)
    file_name = models.CharField("nama berkas", max_length=255)
    sha256 = models.CharField(max_length=64)
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, verbose_name="mesin"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    total_lines = models.PositiveIntegerField(default=0)
    valid_lines = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField("baris diproses", default=0)
    inserted = models.PositiveIntegerField("ditambahkan", default=0)
    duplicates = models.PositiveIntegerField("sudah ada", default=0)
    errors = models.JSONField("galat", default=list, blank=True)
    warnings = models.JSONField("peringatan", default=list, blank=True)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # Lines of known employees left out (another unit's, the uploader's own): the file is not the
    # machine's whole data, so importing it does not move the machine's watermark.
    others_skipped = models.BooleanField(default=False)

    class Meta:
        verbose_name = "impor absensi"
        verbose_name_plural = "impor absensi"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress_pct(self) -> int:
        if not self.valid_lines:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed / self.valid_lines))


class DeviceDump(TenantModel):
    """The raw text a device sent (ADMS push) or that was pulled from it, saved before parsing so
    nothing is lost if parsing fails and everything can be replayed."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="dumps")
    received_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=10)  # push | pull
    table = models.CharField(max_length=20, blank=True)
    raw = models.TextField()
    lines = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "data mentah mesin"
        verbose_name_plural = "data mentah mesin"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        device = related_name(self, "device", "serial")
        return f"Data mentah mesin {device} {moment_label(self.received_at)}"


class UnmappedPunch(TenantModel):
    """A line a machine sent (ADMS push or pull) that was not stored because its PIN was mapped to
    nobody: a finger enrolled on the machine before BKPSDM mapped its PIN. An index into the raw
    dump (which keeps the text), so that mapping the PIN later recovers its punches
    (services.unmapped_recover) and BKPSDM sees which PINs a machine sends
    (selectors.unmapped_pins). `at` is the line's time read in the machine's clock zone;
    `recovered_at` is set once its punch is stored. One row per machine, PIN and time: a machine
    resending its log adds nothing."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    dump = models.ForeignKey(DeviceDump, on_delete=models.CASCADE, related_name="unmapped")
    pin = models.CharField("PIN", max_length=30)
    at = models.DateTimeField("waktu")
    recovered_at = models.DateTimeField("dipulihkan", null=True, blank=True)

    class Meta:
        verbose_name = "absen PIN belum dipetakan"
        verbose_name_plural = "absen PIN belum dipetakan"
        constraints = [
            models.UniqueConstraint(fields=["device", "pin", "at"], name="unmapped_once"),
        ]
        indexes = [
            models.Index(
                fields=["instansi", "device"],
                condition=Q(recovered_at__isnull=True),
                name="unmapped_open",
            )
        ]

    def __str__(self) -> str:
        return f"PIN {self.pin} {moment_label(self.at)}"


class Punch(TenantModel):
    """One raw punch. Never changed or deleted: corrections add a manual punch with a reason.
    Unique on (source key, employee, time), so repeating an import or a device push adds nothing."""

    class Source(models.TextChoices):
        FINGERPRINT = "fingerprint", "Mesin sidik jari"
        MOBILE = "mobile", "Aplikasi ponsel"
        MANUAL = "manual", "Koreksi manual"

    # Bulk loads of millions of punches pay for every index and foreign-key check, so the table keeps
    # only the indexes its reads use: the uniqueness key (employee, at, source) and (instansi, at). The
    # instansi follows from the employee and is not checked again by the database.
    instansi = models.ForeignKey(
        Instansi,
        on_delete=models.PROTECT,
        verbose_name="instansi",
        db_index=False,
        db_constraint=False,
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="punches",
        verbose_name="pegawai",
        db_index=False,
    )
    at = models.DateTimeField("waktu")
    source = models.CharField("sumber", max_length=12, choices=Source.choices)
    # The device serial for fingerprint punches (or "file" for an import without a device),
    # "mobile" or "manual": the first part of the uniqueness key.
    source_key = models.CharField(max_length=40)
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="punches",
        db_index=False,
    )
    import_batch = models.ForeignKey(
        PunchImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="punches",
        db_index=False,
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.FloatField("akurasi (m)", null=True, blank=True)
    mock_location = models.BooleanField("lokasi palsu terdeteksi", default=False)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    needs_review = models.BooleanField("perlu ditinjau atasan", default=False)
    nonce = models.CharField(max_length=64, null=True, blank=True)
    photo = models.FileField("swafoto", upload_to="swafoto/%Y/%m/", blank=True)
    reason = models.TextField("alasan", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "data absensi"
        verbose_name_plural = "data absensi"
        ordering = ["at"]
        constraints = [
            # Employee first: the same index serves every per-employee time-range read.
            models.UniqueConstraint(
                fields=["employee", "at", "source_key"], name="punch_unique_employee_time_source"
            ),
            models.CheckConstraint(
                condition=~Q(source="manual") | ~Q(reason=""), name="manual_punch_has_reason"
            ),
            models.UniqueConstraint(
                fields=["nonce"], condition=Q(nonce__isnull=False), name="punch_nonce_once"
            ),
        ]
        indexes = [models.Index(fields=["instansi", "at"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.at:%Y-%m-%d %H:%M:%S} {self.source}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Data absensi mentah tidak dapat diubah.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Data absensi mentah tidak dapat dihapus.")


class PunchReview(TenantModel):
    """The superior's decision on a flagged phone punch (mock location, poor accuracy). A flagged punch
    counts only once accepted."""

    punch = models.OneToOneField(Punch, on_delete=models.PROTECT, related_name="review")
    accepted = models.BooleanField("diterima")
    reviewer = models.ForeignKey(
        Employee, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="peninjau"
    )
    note = models.TextField("catatan", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        verdict = "diterima" if self.accepted else "ditolak"
        return f"Pemeriksaan absen ponsel #{self.punch_id}: {verdict}"


class LeaveType(TenantModel):
    """A kind of leave or permit. The code is the key the TPP policy's `leave_types` uses."""

    code = models.CharField("kode", max_length=30)
    name = models.CharField("nama", max_length=120)
    needs_attachment = models.BooleanField("wajib lampiran", default=False)
    needs_bkpsdm = models.BooleanField("perlu persetujuan BKPSDM", default=False)
    annual_quota = models.BooleanField("memotong hak cuti tahunan", default=False)
    allows_remote_checkin = models.BooleanField("boleh absen di luar kantor", default=False)
    is_active = models.BooleanField("aktif", default=True)

    class Meta:
        verbose_name = "jenis cuti/izin"
        verbose_name_plural = "jenis cuti/izin"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "code"], name="leavetype_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LeaveRequest(TenantModel):
    """A leave or permit request, approved by the direct superior (and BKPSDM for types that need it).
    Transitions are listed in services.LEAVE_TRANSITIONS."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Menunggu atasan"
        AWAITING_BKPSDM = "awaiting_bkpsdm", "Menunggu BKPSDM"
        APPROVED = "approved", "Disetujui"
        REJECTED = "rejected", "Ditolak"
        CANCELLED = "cancelled", "Dibatalkan"

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="leave_requests", verbose_name="pegawai"
    )
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, verbose_name="jenis")
    date_from = models.DateField("mulai")
    date_to = models.DateField("sampai")
    working_days = models.PositiveSmallIntegerField("hari kerja", default=0)
    reason = models.TextField("keterangan", blank=True)
    attachment = models.FileField("lampiran", upload_to="lampiran-cuti/%Y/%m/", blank=True)
    status = models.CharField(
        "status", max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    approver = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leave_to_approve",
        verbose_name="atasan penyetuju",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("catatan keputusan", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cuti/izin"
        verbose_name_plural = "cuti/izin"
        ordering = ["-date_from"]
        indexes = [models.Index(fields=["instansi", "employee", "date_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="leave_to_after_from"
            ),
        ]

    def __str__(self) -> str:
        employee = related_name(self, "employee")
        dates = rentang_tanggal(self.date_from, self.date_to)
        return f"{self.leave_type.name} {employee} {dates}"


class CorrectionRequest(TenantModel):
    """A request to add a missing check-in or check-out. Approved by the direct superior, it becomes a
    manual punch carrying the reason; no punch is ever edited."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Menunggu atasan"
        APPROVED = "approved", "Disetujui"
        REJECTED = "rejected", "Ditolak"

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="corrections", verbose_name="pegawai"
    )
    at = models.DateTimeField("waktu yang diajukan")
    reason = models.TextField("alasan")
    attachment = models.FileField("lampiran", upload_to="lampiran-koreksi/%Y/%m/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    approver = models.ForeignKey(
        Employee, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    punch = models.OneToOneField(
        Punch, on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "koreksi absensi"
        verbose_name_plural = "koreksi absensi"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Koreksi absensi {related_name(self, 'employee')} {moment_label(self.at)}"


class DailyAttendance(TenantModel):
    """The derived status of one employee on one day (a working day, a leave day, or an off day with
    punches). Recomputed from the raw inputs; never edited by hand."""

    class Status(models.TextChoices):
        PRESENT = "present", "Hadir"
        LATE = "late", "Terlambat"
        EARLY = "early", "Pulang cepat"
        LATE_EARLY = "late_early", "Terlambat dan pulang cepat"
        MISSING_IN = "missing_in", "Tidak absen masuk"
        MISSING_OUT = "missing_out", "Tidak absen pulang"
        ABSENT = "absent", "Tanpa keterangan"
        LEAVE = "leave", "Cuti/izin"
        OFF = "off", "Libur"

    instansi = models.ForeignKey(
        Instansi, on_delete=models.PROTECT, verbose_name="instansi", db_index=False
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="daily_attendance", db_index=False
    )
    date = models.DateField("tanggal")
    status = models.CharField(max_length=12, choices=Status.choices)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    shift = models.CharField(max_length=10, blank=True)
    check_in = models.DateTimeField(null=True, blank=True)
    check_out = models.DateTimeField(null=True, blank=True)
    late_minutes = models.PositiveIntegerField(default=0)
    early_minutes = models.PositiveIntegerField(default=0)
    missing_in = models.BooleanField(default=False)
    missing_out = models.BooleanField(default=False)
    absent = models.BooleanField(default=False)
    leave_type = models.CharField(max_length=30, blank=True)
    has_any_punch = models.BooleanField(default=False)
    # A scheduled working day. A leave day on a weekend, a holiday or a shift worker's unrostered
    # date is stored (status leave, for the pages) but is not one: the counts of scheduled days and
    # leave days (selectors.attendance_counts) leave it out, as the TPP run does.
    working = models.BooleanField("hari kerja", default=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "kehadiran harian"
        verbose_name_plural = "kehadiran harian"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="daily_unique_employee_date"),
        ]
        indexes = [models.Index(fields=["instansi", "date"])]

    def __str__(self) -> str:
        return f"Kehadiran {related_name(self, 'employee')} {tanggal(self.date)}"
