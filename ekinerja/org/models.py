"""Organisation: units (OPD tree), positions (jabatan tree), employees and their assignments over time,
and role grants. Data and constraints only; rules live in services and selectors."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ekinerja.core.audit_labels import moment_label
from ekinerja.core.models import TenantModel


class Unit(TenantModel):
    """An OPD or one of its sub-units (bidang, sekolah, puskesmas...)."""

    class Kind(models.TextChoices):
        OPD = "opd", "OPD"
        SUB = "sub", "Sub-unit"

    code = models.CharField("kode", max_length=40)
    name = models.CharField("nama", max_length=200)
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices, default=Kind.OPD)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="induk",
    )

    class Meta:
        verbose_name = "unit kerja"
        verbose_name_plural = "unit kerja"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "code"], name="unit_code_unique_per_instansi"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Position(TenantModel):
    """A jabatan. Its parent is the superior's position."""

    class Kind(models.TextChoices):
        STRUKTURAL = "struktural", "Struktural"
        FUNGSIONAL = "fungsional", "Fungsional"
        PELAKSANA = "pelaksana", "Pelaksana"

    code = models.CharField("kode", max_length=40)
    name = models.CharField("nama jabatan", max_length=200)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="positions", verbose_name="unit"
    )
    kind = models.CharField("jenis jabatan", max_length=12, choices=Kind.choices)
    kelas = models.PositiveSmallIntegerField("kelas jabatan")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="jabatan atasan",
    )
    tpp_base = models.DecimalField(
        "basis TPP khusus (Rp)", max_digits=14, decimal_places=0, null=True, blank=True
    )

    class Meta:
        verbose_name = "jabatan"
        verbose_name_plural = "jabatan"
        ordering = ["unit__code", "-kelas", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "code"], name="position_code_unique_per_instansi"
            ),
            models.CheckConstraint(
                condition=Q(kelas__gte=1, kelas__lte=17), name="position_kelas_1_17"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="position_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(tpp_base__isnull=True) | Q(tpp_base__gte=0),
                name="position_tpp_base_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Employee(TenantModel):
    """An ASN (PNS, CPNS or PPPK)."""

    class Status(models.TextChoices):
        PNS = "PNS", "PNS"
        CPNS = "CPNS", "CPNS"
        PPPK = "PPPK", "PPPK"

    GOLONGAN_CHOICES = [
        (f"{g}/{r}", f"{g}/{r}")
        for g, rs in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
        for r in rs
    ]
    PPPK_GRADE_CHOICES = [
        (str(n), roman)
        for n, roman in enumerate(
            [
                "I",
                "II",
                "III",
                "IV",
                "V",
                "VI",
                "VII",
                "VIII",
                "IX",
                "X",
                "XI",
                "XII",
                "XIII",
                "XIV",
                "XV",
                "XVI",
                "XVII",
            ],
            start=1,
        )
    ]

    nip = models.CharField("NIP", max_length=18)
    name = models.CharField("nama", max_length=200)
    front_title = models.CharField("gelar depan", max_length=40, blank=True)
    back_title = models.CharField("gelar belakang", max_length=60, blank=True)
    status = models.CharField("status kepegawaian", max_length=4, choices=Status.choices)
    # The latest change of status (a CPNS appointed PNS): the TPP of a month takes, for the working
    # days before `status_since`, the factor of `previous_status` (tpp-rules.md: the factor per day).
    status_since = models.DateField(
        "TMT status",
        null=True,
        blank=True,
        help_text="Tanggal status kepegawaian saat ini mulai berlaku (mis. TMT PNS); wajib diisi "
        "saat status diubah. Status diubah dengan TMT yang sama berarti koreksi status sejak TMT "
        "itu.",
    )
    previous_status = models.CharField(
        "status sebelumnya", max_length=4, choices=Status.choices, blank=True, editable=False
    )
    golongan = models.CharField(
        "golongan/ruang", max_length=6, choices=GOLONGAN_CHOICES, blank=True
    )
    pppk_grade = models.CharField(
        "golongan PPPK", max_length=2, choices=PPPK_GRADE_CHOICES, blank=True
    )
    npwp = models.CharField("NPWP", max_length=20, blank=True)
    bank_name = models.CharField("bank", max_length=60, blank=True)
    bank_account = models.CharField("nomor rekening", max_length=30, blank=True)
    phone = models.CharField("telepon", max_length=20, blank=True)
    email = models.EmailField("email", blank=True)
    salary = models.DecimalField(
        "gaji dan tunjangan melekat (Rp)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    # The latest change of salary (a KGB, a promotion): a month whose first day is before
    # `salary_since` takes `previous_salary` (the health-insurance income cap, tpp-rules.md), so a month
    # recomputed after the raise is figured on the salary it was paid with.
    salary_since = models.DateField(
        "TMT gaji",
        null=True,
        blank=True,
        help_text="Tanggal gaji saat ini mulai berlaku (mis. TMT kenaikan gaji berkala); wajib diisi "
        "saat gaji diubah. Kenaikan baru: isi TMT baru; gaji diubah dengan TMT yang sama berarti "
        "koreksi gaji sejak TMT itu. Gaji sebuah bulan adalah gaji yang berlaku pada tanggal 1 "
        "bulan itu.",
    )
    previous_salary = models.DecimalField(
        "gaji sebelumnya (Rp)",
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        editable=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name="akun",
    )
    is_active = models.BooleanField("aktif", default=True)

    class Meta:
        verbose_name = "pegawai"
        verbose_name_plural = "pegawai"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "nip"], name="employee_nip_unique_per_instansi"
            ),
            models.CheckConstraint(
                condition=~Q(status="PPPK") | Q(golongan=""),
                name="employee_pppk_has_no_pns_golongan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.nip})"

    @property
    def full_name(self) -> str:
        name = self.name
        if self.front_title:
            name = f"{self.front_title} {name}"
        if self.back_title:
            name = f"{name}, {self.back_title}"
        return name

    @property
    def grade_label(self) -> str:
        if self.status == self.Status.PPPK:
            return f"PPPK {self.get_pppk_grade_display()}" if self.pppk_grade else "PPPK"
        return self.golongan or "-"


class Assignment(TenantModel):
    """An employee holding a position from a date to a date (inclusive; open-ended when `end` is empty).

    Definitif assignments of one employee never overlap (enforced in services.assignment_create).
    Plt (pelaksana tugas) and Plh (pelaksana harian) are acting assignments on top of the definitif one.
    """

    class Kind(models.TextChoices):
        DEFINITIF = "definitif", "Definitif"
        PLT = "plt", "Plt"
        PLH = "plh", "Plh"

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="assignments", verbose_name="pegawai"
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="assignments", verbose_name="jabatan"
    )
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices, default=Kind.DEFINITIF)
    start = models.DateField("mulai")
    end = models.DateField("sampai", null=True, blank=True)
    decree = models.CharField("nomor SK", max_length=100, blank=True)

    class Meta:
        verbose_name = "penempatan jabatan"
        verbose_name_plural = "penempatan jabatan"
        ordering = ["employee", "start"]
        indexes = [
            models.Index(fields=["instansi", "position", "start"]),
            models.Index(fields=["instansi", "employee", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} - {self.get_kind_display()} {self.position.name}"


class Role(models.TextChoices):
    PEGAWAI = "pegawai", "Pegawai"
    ATASAN = "atasan", "Atasan"
    TIM_PENILAI = "tim_penilai", "Tim Penilai"
    ADMIN_OPD = "admin_opd", "Admin OPD"
    BKPSDM = "bkpsdm", "BKPSDM"
    BPKAD = "bpkad", "BPKAD"
    KOMINFO = "kominfo", "Kominfo (admin teknis)"
    PIMPINAN = "pimpinan", "Pimpinan"


GRANTABLE_ROLES = [r for r in Role if r not in (Role.PEGAWAI, Role.ATASAN)]

#: The roles that decide, or check another officer's decision, on pay, posts, accounts or the
#: installation: whoever could log in as their holder would be that second pair of eyes (lock the
#: TPP list they computed, decide the unlock they filed). Their holders' passwords are reset only by
#: the installation's administrator, and an officer who issued an account's temporary password does
#: not give it one of these (org.services.account_reset_refusal, role_grant_check). Pimpinan only
#: reads (what BKPSDM sees anyway); pegawai and atasan are not granted.
PRIVILEGED_ROLES = frozenset(
    {Role.BKPSDM, Role.KOMINFO, Role.ADMIN_OPD, Role.TIM_PENILAI, Role.BPKAD}
)


class RoleGrant(TenantModel):
    """A role given to an account. Pegawai and atasan are never granted: pegawai comes from having an
    employee record, atasan from the position hierarchy. Admin OPD and tim penilai may be limited to a unit
    (and its sub-units)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name="akun",
    )
    role = models.CharField(
        "peran", max_length=20, choices=[(r.value, r.label) for r in GRANTABLE_ROLES]
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="unit"
    )

    class Meta:
        verbose_name = "pemberian peran"
        verbose_name_plural = "pemberian peran"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="rolegrant_unique"),
            models.CheckConstraint(
                condition=~Q(role="admin_opd") | Q(unit__isnull=False),
                name="rolegrant_admin_opd_has_unit",
            ),
        ]

    #: The roles a unit limits (to the unit and its sub-units). The others hold for the whole
    #: instansi: a pimpinan "of one unit" would still see every OPD, so a unit is refused for them.
    UNIT_ROLES = frozenset({"admin_opd", "tim_penilai"})

    def clean(self) -> None:
        super().clean()
        if self.unit_id and self.role not in self.UNIT_ROLES:
            raise ValidationError(
                {
                    "unit": f"Peran {self.get_role_display()} berlaku untuk seluruh instansi; "
                    "kosongkan unit (hanya Admin OPD dan Tim Penilai dibatasi pada unit)."
                }
            )

    def __str__(self) -> str:
        return (
            f"{self.user} - {self.get_role_display()}{' ' + str(self.unit) if self.unit_id else ''}"
        )


def _import_upload_to(batch: ImportBatch, filename: str) -> str:
    return f"imports/{batch.instansi_id}/{filename}"


class ImportBatch(TenantModel):
    """An uploaded employee/organisation spreadsheet: kept server-side so that "apply" writes exactly the
    file that was previewed (its sha256 is checked again before applying)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Pratinjau"
        APPLIED = "applied", "Sudah diterapkan"

    token = models.UUIDField("token", default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField("berkas", upload_to=_import_upload_to, max_length=300)
    original_name = models.CharField("nama berkas asli", max_length=255)
    file_kind = models.CharField("format", max_length=4)
    size = models.PositiveIntegerField("ukuran (byte)")
    sha256 = models.CharField("sha256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="diunggah oleh",
    )
    uploaded_at = models.DateTimeField("diunggah pada", default=timezone.now)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.PREVIEWED
    )
    preview = models.JSONField("ringkasan pratinjau", default=dict)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="diterapkan oleh",
    )
    applied_at = models.DateTimeField("diterapkan pada", null=True, blank=True)
    result = models.JSONField("hasil penerapan", null=True, blank=True)

    class Meta:
        verbose_name = "impor pegawai"
        verbose_name_plural = "impor pegawai"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({moment_label(self.uploaded_at)})"
