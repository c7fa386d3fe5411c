"""Daily activities: the catalog of standard activities, the entries employees make for a date, their
evidence, unlocks of an expired window, objections against a verification and the tim penilai's review.

Data and constraints only; the rules (window, overlap, cap, who verifies) live in services and
selectors. The allowed status transitions are the table `TRANSITIONS`, checked in one place
(`services._transition`).
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ekinerja.core.audit_labels import period_label, related_name
from ekinerja.core.models import Instansi, TenantModel
from ekinerja.core.periods import rentang_tanggal, tanggal
from ekinerja.org.models import Employee, Unit


class ActivitySettings(TenantModel):
    """The activity policy values of one instansi, with the defaults of the common pattern (Perbup
    HSS 39/2018: 7 working days; 6,750 effective minutes a month).

    While an adopted TPP policy is in force for the current month, the entry window, the daily cap
    and the monthly target follow it (tpp.services.activity_settings_sync, on adoption, retirement
    and nightly): `policy_name` names it and those three cannot be changed here, so the app refuses
    exactly the entries the TPP run would count as expired. The other values are the app's own."""

    class DeadlineBehaviour(models.TextChoices):
        EXPIRE = "expire", "Kedaluwarsa (tidak dihitung)"
        AUTO_APPROVE = "auto_approve", "Dianggap disetujui"

    window_working_days = models.PositiveSmallIntegerField(
        "batas pengisian (hari kerja setelah tanggal aktivitas)", default=7
    )
    daily_cap_minutes = models.PositiveIntegerField("batas menit efektif per hari", default=420)
    monthly_target_minutes = models.PositiveIntegerField(
        "target menit efektif sebulan", default=6750
    )
    objection_days = models.PositiveSmallIntegerField(
        "batas pengajuan keberatan (hari kalender setelah verifikasi)", default=5
    )
    verification_working_days = models.PositiveSmallIntegerField(
        "batas verifikasi atasan (hari kerja setelah batas pengisian)", default=5
    )
    deadline_behaviour = models.CharField(
        "bila atasan tidak memverifikasi sampai batas",
        max_length=12,
        choices=DeadlineBehaviour.choices,
        default=DeadlineBehaviour.EXPIRE,
    )
    review_sample_size = models.PositiveSmallIntegerField(
        "ukuran sampel tim penilai per bulan", default=20
    )
    policy_name = models.CharField(
        "mengikuti kebijakan TPP",
        max_length=200,
        blank=True,
        editable=False,
        help_text="Batas pengisian, batas menit per hari dan target bulanan mengikuti kebijakan TPP "
        "yang berlaku bulan ini; ubah kebijakannya untuk mengubah nilai itu.",
    )

    #: The values a TPP policy in force governs.
    POLICY_FIELDS = ("window_working_days", "daily_cap_minutes", "monthly_target_minutes")

    class Meta:
        verbose_name = "pengaturan aktivitas"
        verbose_name_plural = "pengaturan aktivitas"
        constraints = [
            models.UniqueConstraint(fields=["instansi"], name="activitysettings_one_per_instansi"),
        ]

    def __str__(self) -> str:
        return f"Pengaturan aktivitas {self.instansi}"


class CatalogQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(
            Q(active_from__lte=day), Q(active_to__isnull=True) | Q(active_to__gte=day)
        )

    def search(self, text: str):
        """Every word of `text` must appear in the code, name or output unit (case-insensitive).
        A root word also finds its me-/pe- form, whose first s, k, p or t melts into the prefix
        (`word_forms`): "susun" finds "Menyusun", "periksa" "Memeriksa", "ketik" "Mengetik"."""
        qs = self
        for word in (text or "").split()[:8]:
            q = Q(code__icontains=word) | Q(output_unit__icontains=word)
            for form in word_forms(word):
                q |= Q(name__icontains=form)
            qs = qs.filter(q)
        return qs


# Indonesian meN-/peN- before a root starting with these letters drops the letter: me+nyusun (susun),
# me+ngirim (kirim), me+meriksa (periksa), me+nulis (tulis).
_MELTED = {"s": "ny", "k": "ng", "p": "m", "t": "n"}


def word_forms(word: str) -> list[str]:
    """The word and, for a root of 4 letters or more starting with s, k, p or t, the form it takes
    after the meN-/peN- prefix."""
    lower = word.lower()
    forms = [word]
    if len(lower) >= 4 and lower[0] in _MELTED and lower[1] in "aeiou":
        forms.append(_MELTED[lower[0]] + lower[1:])
    return forms


class ActivityCatalogItem(TenantModel):
    """A standard activity with its effective minutes per unit of output.

    Changing `standard_minutes` affects new entries only: each entry keeps the minutes per unit it was
    made with (`ActivityEntry.minutes_per_unit`)."""

    code = models.CharField("kode", max_length=30)
    name = models.CharField("nama aktivitas", max_length=255)
    output_unit = models.CharField("satuan hasil", max_length=40)
    standard_minutes = models.PositiveIntegerField("menit efektif per satuan")
    for_struktural = models.BooleanField("untuk jabatan struktural", default=True)
    for_fungsional = models.BooleanField("untuk jabatan fungsional", default=True)
    for_pelaksana = models.BooleanField("untuk jabatan pelaksana", default=True)
    kelas_min = models.PositiveSmallIntegerField("kelas jabatan minimal", default=1)
    kelas_max = models.PositiveSmallIntegerField("kelas jabatan maksimal", default=17)
    units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="+",
        verbose_name="hanya untuk unit (beserta sub-unit; kosong = semua)",
    )
    active_from = models.DateField("berlaku mulai")
    active_to = models.DateField("berlaku sampai", null=True, blank=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = "butir katalog aktivitas"
        verbose_name_plural = "katalog aktivitas"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "code"], name="catalog_code_unique"),
            models.CheckConstraint(
                condition=Q(standard_minutes__gte=1, standard_minutes__lte=1440),
                name="catalog_minutes_1_1440",
            ),
            models.CheckConstraint(
                condition=Q(kelas_min__gte=1, kelas_max__lte=17, kelas_min__lte=F("kelas_max")),
                name="catalog_kelas_range",
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="catalog_active_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def kind_allowed(self, kind: str) -> bool:
        return bool(getattr(self, f"for_{kind}", False))


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "Draf"
    SUBMITTED = "submitted", "Menunggu verifikasi"
    APPROVED = "approved", "Disetujui"
    REJECTED = "rejected", "Ditolak"
    RETURNED = "returned", "Dikembalikan untuk perbaikan"
    EXPIRED = "expired", "Kedaluwarsa"


S = EntryStatus
#: The allowed status changes, checked by services._transition and nowhere else.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.EXPIRED}),
    # submitted -> submitted: the employee edits a pending entry (it stays unverified).
    S.SUBMITTED: frozenset({S.SUBMITTED, S.APPROVED, S.REJECTED, S.RETURNED, S.EXPIRED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.EXPIRED}),
    # approved -> submitted: changed after verification, so unverified again;
    # approved -> approved: volume restored by an objection; -> rejected: tim penilai overturn.
    S.APPROVED: frozenset({S.SUBMITTED, S.APPROVED, S.REJECTED}),
    # rejected -> approved: objection granted or tim penilai overturn.
    S.REJECTED: frozenset({S.APPROVED}),
    # expired -> submitted: only while an approved unlock covers the date (checked by the service).
    S.EXPIRED: frozenset({S.SUBMITTED}),
}
VERIFIED = frozenset({S.APPROVED, S.REJECTED})
#: Statuses an entry may be submitted from (an expired one only under an open unlock, see services).
SUBMITTABLE = frozenset({S.DRAFT, S.RETURNED, S.EXPIRED})
#: The longest description (uraian) of an entry, held by the form, the API and the services.
DESCRIPTION_MAX_LENGTH = 2000
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.EXPIRED})


class ActivityEntry(TenantModel):
    """What an employee did on a date, in a time range, counted in the catalog's standard minutes.

    The busiest table (a 20,000-employee Pemda writes ~80,000 rows a working day), so it carries only
    the indexes its queries use: the single-column indexes Django would add for `instansi` and
    `employee` are covered by the composite ones below, `verified_by` is never searched, and
    `skp_result` is indexed only where it is set."""

    instansi = models.ForeignKey(
        Instansi, on_delete=models.PROTECT, verbose_name="instansi", db_index=False
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="activity_entries",
        verbose_name="pegawai",
        db_index=False,
    )
    date = models.DateField("tanggal")
    start_time = models.TimeField("mulai")
    end_time = models.TimeField("selesai")
    item = models.ForeignKey(
        ActivityCatalogItem,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name="aktivitas",
    )
    volume = models.DecimalField("volume", max_digits=7, decimal_places=2)
    description = models.TextField("uraian", blank=True)
    # The SKP result (rencana hasil kerja) the activity serves, optional. Indexed only where set
    # (`entry_skp_result_linked`): the link is read per employee and date range, and the index is
    # there for the delete check of a result.
    skp_result = models.ForeignKey(
        "performance.SkpResult",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="hasil kerja SKP",
        db_index=False,
    )
    minutes_per_unit = models.PositiveIntegerField("menit efektif per satuan (saat diisi)")
    status = models.CharField(
        "status", max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    submitted_at = models.DateTimeField("diajukan", null=True, blank=True)
    verify_by = models.DateField("batas verifikasi", null=True, blank=True)
    approved_volume = models.DecimalField(
        "volume disetujui", max_digits=7, decimal_places=2, null=True, blank=True
    )
    credited_minutes = models.PositiveIntegerField("menit diakui", default=0)
    verified_by = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="diverifikasi oleh",
        db_index=False,
    )
    verified_at = models.DateTimeField("diverifikasi", null=True, blank=True)
    auto_verified = models.BooleanField("disetujui otomatis (lewat batas)", default=False)
    reason = models.TextField("alasan verifikasi", blank=True)
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    updated_at = models.DateTimeField("diubah", auto_now=True)

    class Meta:
        verbose_name = "aktivitas harian"
        verbose_name_plural = "aktivitas harian"
        ordering = ["date", "start_time", "id"]
        indexes = [
            models.Index(fields=["employee", "date"]),
            models.Index(fields=["instansi", "status", "date"]),
            models.Index(
                fields=["skp_result"],
                name="entry_skp_result_linked",
                condition=Q(skp_result__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="entry_end_after_start"
            ),
            models.CheckConstraint(condition=Q(volume__gt=0), name="entry_volume_positive"),
            models.CheckConstraint(
                condition=Q(approved_volume__isnull=True)
                | (Q(approved_volume__gte=0) & Q(approved_volume__lte=F("volume"))),
                name="entry_approved_volume_within_volume",
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        employee = related_name(self, "employee")
        return f"{employee} {tanggal(self.date)} {hours} {self.item.name}"

    @property
    def raw_minutes(self) -> int:
        """Minutes of the entry as claimed: minutes per unit x volume, rounded half up."""
        return minutes_for(self.minutes_per_unit, self.volume)

    @property
    def effective_volume(self):
        return self.approved_volume if self.approved_volume is not None else self.volume

    @property
    def approved_minutes(self) -> int:
        """Minutes of the volume approved (before the daily cap): minutes per unit x that volume."""
        return minutes_for(self.minutes_per_unit, self.effective_volume)

    @property
    def capped_minutes(self) -> int:
        """Of an approved entry, the approved minutes the daily cap left out (0 when none)."""
        if self.status != EntryStatus.APPROVED:
            return 0
        return max(0, self.approved_minutes - (self.credited_minutes or 0))

    @property
    def volume_cut(self) -> bool:
        return self.approved_volume is not None and self.approved_volume < self.volume

    @property
    def duration_minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (
            self.start_time.hour * 60 + self.start_time.minute
        )


def minutes_for(minutes_per_unit: int, volume) -> int:
    """Effective minutes of `volume` units (half up to whole minutes). A whole volume, by far the
    most common, is an integer product: no Decimal arithmetic (this runs for every other entry of
    the day on every entry written)."""
    whole = int(volume)
    if whole == volume:
        return minutes_per_unit * whole
    return int((Decimal(minutes_per_unit) * Decimal(volume)).quantize(Decimal(1), ROUND_HALF_UP))


def evidence_path(instance: Evidence, filename: str) -> str:
    # Never the uploaded name on disk: a random name under the instansi and month.
    ext = PurePosixPath(filename).suffix.lower()[:5]
    return f"aktivitas/{instance.instansi_id}/{instance.entry.date:%Y/%m}/{uuid.uuid4().hex}{ext}"


class Evidence(TenantModel):
    """A file proving an entry (pdf/jpg/png). Stored under MEDIA_ROOT and served only through the
    permission-checked view `activities:evidence`, never as a public media URL."""

    entry = models.ForeignKey(
        ActivityEntry, on_delete=models.CASCADE, related_name="evidence", verbose_name="aktivitas"
    )
    file = models.FileField("berkas", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("nama berkas asli", max_length=200)
    content_type = models.CharField("jenis", max_length=40)
    size = models.PositiveIntegerField("ukuran (byte)")
    sha256 = models.CharField("sha256", max_length=64)
    uploaded_at = models.DateTimeField("diunggah", auto_now_add=True)

    class Meta:
        verbose_name = "bukti aktivitas"
        verbose_name_plural = "bukti aktivitas"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Favourite(TenantModel):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ActivityCatalogItem, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "aktivitas favorit"
        verbose_name_plural = "aktivitas favorit"
        constraints = [
            models.UniqueConstraint(fields=["employee", "item"], name="favourite_unique"),
        ]

    def __str__(self) -> str:
        return f"Favorit {related_name(self, 'employee')}: {related_name(self, 'item')}"


class UnlockStatus(models.TextChoices):
    PENDING = "pending", "Menunggu BKPSDM"
    APPROVED = "approved", "Disetujui"
    REJECTED = "rejected", "Ditolak"


class UnlockRequest(TenantModel):
    """A request to reopen a date range past the entry window. Only BKPSDM approves, with a deadline
    until which the employee may enter and submit entries for those dates."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="unlock_requests", verbose_name="pegawai"
    )
    date_from = models.DateField("dari tanggal")
    date_to = models.DateField("sampai tanggal")
    reason = models.TextField("alasan")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="diajukan oleh",
    )
    requested_at = models.DateTimeField("diajukan", auto_now_add=True)
    status = models.CharField(
        "status", max_length=10, choices=UnlockStatus.choices, default=UnlockStatus.PENDING
    )
    deadline = models.DateField("dibuka sampai", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="diputuskan oleh",
    )
    decided_at = models.DateTimeField("diputuskan", null=True, blank=True)
    decision_reason = models.TextField("catatan keputusan", blank=True)

    class Meta:
        verbose_name = "permohonan buka kunci"
        verbose_name_plural = "permohonan buka kunci"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["employee", "status", "date_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="unlock_range_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(deadline__isnull=False),
                name="unlock_approved_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"Buka kunci {self.employee.name} {rentang_tanggal(self.date_from, self.date_to)}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "Menunggu keputusan"
    GRANTED = "granted", "Dikabulkan"
    DENIED = "denied", "Ditolak"


class Objection(TenantModel):
    """Keberatan against a rejection or a cut volume, decided (finally) by the superior's superior."""

    class Kind(models.TextChoices):
        REJECTION = "rejection", "Penolakan"
        VOLUME_CUT = "volume_cut", "Pemotongan volume"

    entry = models.OneToOneField(
        ActivityEntry, on_delete=models.PROTECT, related_name="objection", verbose_name="aktivitas"
    )
    kind = models.CharField("terhadap", max_length=12, choices=Kind.choices)
    reason = models.TextField("alasan keberatan")
    filed_at = models.DateTimeField("diajukan", auto_now_add=True)
    verifier = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="atasan yang memverifikasi",
    )
    decider = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="objections_to_decide",
        verbose_name="atasan dari atasan",
    )
    status = models.CharField(
        "status", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decided_at = models.DateTimeField("diputuskan", null=True, blank=True)
    decision_reason = models.TextField("alasan keputusan", blank=True)

    class Meta:
        verbose_name = "keberatan"
        verbose_name_plural = "keberatan"
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        kind = self.get_kind_display().lower()
        return f"Keberatan atas {kind} aktivitas #{self.entry_id}"


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", "Belum diperiksa"
    OK = "ok", "Sesuai"
    FLAGGED = "flagged", "Ditandai"
    OVERTURNED = "overturned", "Dibatalkan"


class ReviewSample(TenantModel):
    """One month's random sample of verified entries for a tim penilai scope (a unit or the whole
    instansi). Drawn once; the draw is audited so it cannot be redrawn quietly."""

    period = models.CharField("periode", max_length=7)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="unit"
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveSmallIntegerField("ukuran sampel")

    class Meta:
        verbose_name = "sampel tim penilai"
        verbose_name_plural = "sampel tim penilai"
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "period", "unit"], name="reviewsample_unique"
            ),
            models.UniqueConstraint(
                fields=["instansi", "period"],
                condition=Q(unit__isnull=True),
                name="reviewsample_unique_instansi",
            ),
        ]

    def __str__(self) -> str:
        scope = related_name(self, "unit") if self.unit_id else "seluruh instansi"
        return f"Sampel tim penilai {period_label(self.period)} ({scope})"


class ReviewItem(TenantModel):
    sample = models.ForeignKey(ReviewSample, on_delete=models.PROTECT, related_name="items")
    entry = models.ForeignKey(
        ActivityEntry, on_delete=models.PROTECT, related_name="reviews", verbose_name="aktivitas"
    )
    outcome = models.CharField(
        "hasil", max_length=10, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    reason = models.TextField("alasan", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pemeriksaan tim penilai"
        verbose_name_plural = "pemeriksaan tim penilai"
        ordering = ["entry__date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "entry"], name="reviewitem_unique"),
        ]

    def __str__(self) -> str:
        return f"Pemeriksaan tim penilai aktivitas #{self.entry_id}: {self.get_outcome_display()}"


class ApiToken(TenantModel):
    """A bearer token for the mobile app. Only the SHA-256 of the token is stored; the token itself is
    shown once when issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nama perangkat", max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("berlaku sampai")
    revoked = models.BooleanField(default=False)
    # When the phone last used it (first: when it was issued), to tell a lost phone's token from the
    # one in use. Written at most every TOUCH_EVERY (services.api_token_touch), not per request.
    last_used_at = models.DateTimeField("terakhir dipakai", null=True, blank=True)

    # The token's hash is what a stolen copy of the audit log would be matched against: masked.
    audit_secret_fields = ("key_hash",)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"

    def __str__(self) -> str:
        return f"{self.prefix}… {self.user}"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
