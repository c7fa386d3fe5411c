"""SKP (Sasaran Kinerja Pegawai): yearly plans with results, indicators and expected behaviours, the
periodic evaluations with the employee's realisation and evidence, the superior's ratings, and the
per-instansi settings and month locks. Data and constraints only; rules live in services and selectors.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from ekinerja.core.models import TenantModel
from ekinerja.org.models import Employee

from .predicate import PREDICATE_LABELS, RATING_LABELS, Predicate, Rating


class PerformanceSettings(TenantModel):
    """How an instansi evaluates: the period length and the superior's rating deadline."""

    PERIOD_CHOICES = [(1, "Bulanan"), (3, "Triwulanan"), (6, "Semesteran"), (12, "Tahunan")]

    evaluation_period_months = models.PositiveSmallIntegerField(
        "periode penilaian", choices=PERIOD_CHOICES, default=1
    )
    rating_deadline_day = models.PositiveSmallIntegerField(
        "batas penilaian (tanggal pada bulan berikutnya)",
        default=5,
        help_text="Atasan menilai paling lambat tanggal ini pada bulan setelah periode berakhir.",
    )
    reminder_days = models.PositiveSmallIntegerField("pengingat (hari sebelum batas)", default=3)

    class Meta:
        verbose_name = "pengaturan kinerja"
        verbose_name_plural = "pengaturan kinerja"
        constraints = [
            models.UniqueConstraint(fields=["instansi"], name="perfsettings_one_per_instansi"),
            models.CheckConstraint(
                condition=Q(evaluation_period_months__in=[1, 3, 6, 12]),
                name="perfsettings_period_months_allowed",
            ),
            models.CheckConstraint(
                condition=Q(rating_deadline_day__gte=1, rating_deadline_day__lte=28),
                name="perfsettings_deadline_day_1_28",
            ),
            models.CheckConstraint(
                condition=Q(reminder_days__lte=27), name="perfsettings_reminder_days_max_27"
            ),
        ]

    def __str__(self) -> str:
        return f"Pengaturan kinerja {self.instansi}"


class CoreValue(models.TextChoices):
    """The ASN core values BerAKHLAK (SE MenPANRB 20/2021), the work behaviours of every SKP."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan", "Berorientasi Pelayanan"
    AKUNTABEL = "akuntabel", "Akuntabel"
    KOMPETEN = "kompeten", "Kompeten"
    HARMONIS = "harmonis", "Harmonis"
    LOYAL = "loyal", "Loyal"
    ADAPTIF = "adaptif", "Adaptif"
    KOLABORATIF = "kolaboratif", "Kolaboratif"


CORE_VALUE_GUIDE = {
    CoreValue.BERORIENTASI_PELAYANAN: [
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ],
    CoreValue.AKUNTABEL: [
        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
        "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
        "Tidak menyalahgunakan kewenangan jabatan",
    ],
    CoreValue.KOMPETEN: [
        "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
        "Membantu orang lain belajar",
        "Melaksanakan tugas dengan kualitas terbaik",
    ],
    CoreValue.HARMONIS: [
        "Menghargai setiap orang apa pun latar belakangnya",
        "Suka menolong orang lain",
        "Membangun lingkungan kerja yang kondusif",
    ],
    CoreValue.LOYAL: [
        "Memegang teguh ideologi Pancasila, UUD 1945, setia kepada NKRI serta pemerintahan yang sah",
        "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
        "Menjaga rahasia jabatan dan negara",
    ],
    CoreValue.ADAPTIF: [
        "Cepat menyesuaikan diri menghadapi perubahan",
        "Terus berinovasi dan mengembangkan kreativitas",
        "Bertindak proaktif",
    ],
    CoreValue.KOLABORATIF: [
        "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
        "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
        "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
    ],
}


class SkpPlan(TenantModel):
    """One version of an employee's SKP for a year. A change after agreement makes a new version;
    the agreed one stays (and becomes superseded when the new one is agreed)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Konsep"
        SUBMITTED = "submitted", "Diajukan"
        RETURNED = "returned", "Dikembalikan"
        AGREED = "agreed", "Disetujui"
        SUPERSEDED = "superseded", "Diganti versi baru"

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="skp_plans", verbose_name="pegawai"
    )
    year = models.PositiveSmallIntegerField("tahun")
    version = models.PositiveSmallIntegerField("versi", default=1)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name="versi sebelumnya",
    )
    revision_reason = models.TextField("alasan perubahan", blank=True)
    return_note = models.TextField("catatan pengembalian", blank=True)
    # Who appraises, and the positions at submission/agreement: the document keeps them as they were.
    appraiser = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pejabat penilai",
    )
    employee_position = models.CharField("jabatan pegawai", max_length=200, blank=True)
    employee_unit = models.CharField("unit kerja pegawai", max_length=200, blank=True)
    appraiser_position = models.CharField("jabatan pejabat penilai", max_length=200, blank=True)
    appraiser_unit = models.CharField("unit kerja pejabat penilai", max_length=200, blank=True)
    submitted_at = models.DateTimeField("diajukan", null=True, blank=True)
    agreed_at = models.DateTimeField("disetujui", null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="disetujui oleh",
    )
    effective_from = models.DateField("berlaku mulai", null=True, blank=True)
    created_at = models.DateTimeField("dibuat", auto_now_add=True)

    class Meta:
        verbose_name = "SKP"
        verbose_name_plural = "SKP"
        ordering = ["employee", "year", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "year", "version"], name="skpplan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["employee", "year"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="skpplan_one_open_version",
            ),
            models.UniqueConstraint(
                fields=["employee", "year"],
                condition=Q(status="agreed"),
                name="skpplan_one_agreed_version",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="skpplan_year_range"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="skpplan_version_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["agreed", "superseded"]) | Q(effective_from__isnull=False),
                name="skpplan_agreed_has_effective_from",
            ),
        ]
        indexes = [models.Index(fields=["instansi", "year", "status"])]

    def __str__(self) -> str:
        return f"SKP {self.year} v{self.version} {self.employee.name}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class SkpResult(TenantModel):
    """A planned work result (rencana hasil kerja), cascaded from a result of the direct superior."""

    plan = models.ForeignKey(
        SkpPlan, on_delete=models.CASCADE, related_name="results", verbose_name="SKP"
    )
    order = models.PositiveSmallIntegerField("urutan", default=0)
    text = models.TextField("rencana hasil kerja")
    parent_result = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supporting_results",
        verbose_name="hasil kerja atasan yang diintervensi",
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="salinan dari (versi sebelumnya)",
    )

    class Meta:
        verbose_name = "rencana hasil kerja"
        verbose_name_plural = "rencana hasil kerja"
        ordering = ["plan", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent_result=models.F("id")), name="skpresult_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:120]


class SkpIndicator(TenantModel):
    """An indicator of a result with its targets: quantity (with unit), quality and time."""

    result = models.ForeignKey(
        SkpResult, on_delete=models.CASCADE, related_name="indicators", verbose_name="hasil kerja"
    )
    order = models.PositiveSmallIntegerField("urutan", default=0)
    text = models.TextField("indikator kinerja individu")
    target_quantity = models.DecimalField("target kuantitas", max_digits=12, decimal_places=2)
    target_unit = models.CharField("satuan", max_length=40)
    target_quality = models.DecimalField(
        "target kualitas (%)", max_digits=5, decimal_places=2, default=100
    )
    target_months = models.PositiveSmallIntegerField("target waktu (bulan)", default=12)

    class Meta:
        verbose_name = "indikator kinerja"
        verbose_name_plural = "indikator kinerja"
        ordering = ["result", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_quantity__gt=0), name="skpindicator_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(target_quality__gt=0, target_quality__lte=100),
                name="skpindicator_quality_pct",
            ),
            models.CheckConstraint(
                condition=Q(target_months__gte=1, target_months__lte=12),
                name="skpindicator_months_1_12",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:120]


class SkpBehaviour(TenantModel):
    """One BerAKHLAK core value of a plan, with the superior's specific expectation (if any)."""

    plan = models.ForeignKey(
        SkpPlan, on_delete=models.CASCADE, related_name="behaviours", verbose_name="SKP"
    )
    value = models.CharField("perilaku kerja", max_length=30, choices=CoreValue.choices)
    expectation = models.TextField("ekspektasi khusus pimpinan", blank=True)

    class Meta:
        verbose_name = "perilaku kerja"
        verbose_name_plural = "perilaku kerja"
        constraints = [
            models.UniqueConstraint(fields=["plan", "value"], name="skpbehaviour_unique_value"),
        ]

    def __str__(self) -> str:
        return self.get_value_display()

    @property
    def guide(self) -> list[str]:
        return CORE_VALUE_GUIDE[CoreValue(self.value)]

    @property
    def sort_key(self) -> int:
        return list(CoreValue).index(CoreValue(self.value))


class SkpEvaluation(TenantModel):
    """One employee's evaluation for one period: realisation reported, then the superior's rating.

    The predicate is stored with the ratings (computed by predicate.predicate when rated); blank
    means not rated."""

    RATING_CHOICES = [(r.value, RATING_LABELS[r]) for r in Rating]
    PREDICATE_CHOICES = [(p.value, PREDICATE_LABELS[p]) for p in Predicate]

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="skp_evaluations", verbose_name="pegawai"
    )
    plan = models.ForeignKey(
        SkpPlan, on_delete=models.PROTECT, related_name="evaluations", verbose_name="SKP"
    )
    period_start = models.DateField("awal periode")
    period_end = models.DateField("akhir periode")
    results_rating = models.CharField(
        "penilaian hasil kerja", max_length=12, choices=RATING_CHOICES, blank=True
    )
    behaviour_rating = models.CharField(
        "penilaian perilaku kerja", max_length=12, choices=RATING_CHOICES, blank=True
    )
    predicate = models.CharField(
        "predikat kinerja", max_length=16, choices=PREDICATE_CHOICES, blank=True
    )
    note = models.TextField("umpan balik atasan", blank=True)
    rated_by = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dinilai oleh",
    )
    rated_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="akun penilai",
    )
    rated_at = models.DateTimeField("waktu penilaian", null=True, blank=True)

    class Meta:
        verbose_name = "evaluasi kinerja"
        verbose_name_plural = "evaluasi kinerja"
        ordering = ["employee", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period_start"], name="skpevaluation_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="skpevaluation_end_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(results_rating="") & Q(behaviour_rating="") & Q(predicate=""))
                | (~Q(results_rating="") & ~Q(behaviour_rating="") & ~Q(predicate="")),
                name="skpevaluation_rated_consistently",
            ),
        ]
        indexes = [models.Index(fields=["instansi", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"Evaluasi {self.employee.name} {self.period_start:%Y-%m}"

    @property
    def is_rated(self) -> bool:
        return bool(self.predicate)

    @property
    def period_label(self) -> str:
        """ "November 2026", "Triwulan IV 2026"... for the months this evaluation covers."""
        from ekinerja.core.periods import Period

        from .evalperiods import eval_period

        months = self.period_end.month - self.period_start.month + 1
        return eval_period(Period.of(self.period_start), period_months=months).label


class SkpRealisation(TenantModel):
    """The employee's realisation of one indicator in one evaluation period."""

    evaluation = models.ForeignKey(
        SkpEvaluation,
        on_delete=models.CASCADE,
        related_name="realisations",
        verbose_name="evaluasi",
    )
    indicator = models.ForeignKey(
        SkpIndicator,
        on_delete=models.PROTECT,
        related_name="realisations",
        verbose_name="indikator",
    )
    quantity = models.DecimalField(
        "realisasi kuantitas", max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.TextField("uraian realisasi")
    updated_at = models.DateTimeField("diperbarui", auto_now=True)

    class Meta:
        verbose_name = "realisasi"
        verbose_name_plural = "realisasi"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="skprealisation_one_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="skprealisation_quantity_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"Realisasi {self.indicator}"


def _evidence_path(instance: SkpEvidence, filename: str) -> str:
    # The stored name is random: the original name is kept in a field, never used as a path.
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.content_type, "bin"
    )
    return f"kinerja/bukti/{instance.instansi_id}/{uuid.uuid4().hex}.{ext}"


class SkpEvidence(TenantModel):
    """A file (pdf, jpg, png) backing a realisation. Served only through the permission-checked view."""

    realisation = models.ForeignKey(
        SkpRealisation, on_delete=models.CASCADE, related_name="evidence", verbose_name="realisasi"
    )
    file = models.FileField("berkas", upload_to=_evidence_path, max_length=200)
    original_name = models.CharField("nama berkas asli", max_length=200)
    content_type = models.CharField("jenis", max_length=30)
    size = models.PositiveIntegerField("ukuran (bita)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("diunggah", auto_now_add=True)

    class Meta:
        verbose_name = "bukti dukung"
        verbose_name_plural = "bukti dukung"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="skpevidence_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class PerformancePeriodLock(TenantModel):
    """A month BKPSDM has locked: no rating or realisation touching it may change any more.

    A lock is never deleted. BKPSDM may lift it (services.period_reopen) with a reason; the row then
    records who lifted it, when, why and until when ratings of the period are accepted again
    (`reopened_until`), and stops counting as a lock. Locking the month again makes a new row, so the
    rows of a month are its whole lock history. At most one row per month is in force (not lifted)."""

    year = models.PositiveSmallIntegerField("tahun")
    month = models.PositiveSmallIntegerField("bulan")
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dikunci oleh",
    )
    locked_at = models.DateTimeField("dikunci", auto_now_add=True)
    lifted_at = models.DateTimeField("dibuka kembali", null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dibuka kembali oleh",
    )
    lift_reason = models.TextField("alasan membuka kembali", blank=True)
    reopened_until = models.DateField("penilaian dibuka sampai", null=True, blank=True)

    class Meta:
        verbose_name = "kunci periode kinerja"
        verbose_name_plural = "kunci periode kinerja"
        ordering = ["year", "month", "locked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "year", "month"],
                condition=Q(lifted_at__isnull=True),
                name="perflock_one_in_force_per_month",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="perflock_month_1_12"
            ),
            models.CheckConstraint(
                condition=(
                    Q(lifted_at__isnull=True)
                    & Q(lifted_by__isnull=True)
                    & Q(lift_reason="")
                    & Q(reopened_until__isnull=True)
                )
                | (
                    Q(lifted_at__isnull=False)
                    & Q(lifted_by__isnull=False)
                    & ~Q(lift_reason="")
                    & Q(reopened_until__isnull=False)
                ),
                name="perflock_lifted_consistently",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None

    @property
    def month_period(self):
        from ekinerja.core.periods import Period

        return Period(self.year, self.month)
