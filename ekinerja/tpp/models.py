"""TPP: versioned policies, monthly runs, per-employee results with their explanation, withholdings,
discipline sentences and carried adjustments. Data and constraints only; the rules are in
calculator.py (pure) and services.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ekinerja.core.audit_labels import period_label, related_name
from ekinerja.core.models import TenantModel
from ekinerja.core.money import format_rupiah
from ekinerja.core.periods import rentang_tanggal, tanggal

MONEY = {"max_digits": 16, "decimal_places": 0}


class Policy(TenantModel):
    """A version of the Pemda's TPP rules (Perbup), as the `ekinerja/1` policy object.

    A month is computed with the adopted policy whose effective_from is the latest on or before the
    month's first day; the run keeps its own copy of the data it used."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draf"
        ADOPTED = "adopted", "Berlaku"
        RETIRED = "retired", "Dicabut"

    name = models.CharField("nama", max_length=200)
    effective_from = models.DateField("berlaku mulai")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField("isi kebijakan")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "kebijakan TPP"
        verbose_name_plural = "kebijakan TPP"
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "effective_from"],
                condition=Q(status="adopted"),
                name="one_adopted_policy_per_effective_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (mulai {tanggal(self.effective_from)})"


class Sentence(TenantModel):
    """A discipline sentence (hukuman disiplin, PP 94/2021) in force over a date range; its level is a
    key of the policy's `sentences` table."""

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("tingkat/jenis", max_length=40)
    start = models.DateField("mulai")
    end = models.DateField("sampai")
    decree = models.CharField("nomor SK", max_length=100, blank=True)

    class Meta:
        verbose_name = "hukuman disiplin"
        verbose_name_plural = "hukuman disiplin"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="sentence_end_after_start"
            )
        ]

    def __str__(self) -> str:
        employee = related_name(self, "employee")
        return f"Hukuman disiplin {employee} {rentang_tanggal(self.start, self.end)}"


class Run(TenantModel):
    """One month's TPP computation for an instansi (or one unit of it).

    States: open -> computed -> verified -> locked -> exported (see services.RUN_TRANSITIONS)."""

    class State(models.TextChoices):
        OPEN = "open", "Terbuka"
        COMPUTED = "computed", "Dihitung"
        VERIFIED = "verified", "Diverifikasi BKPSDM"
        LOCKED = "locked", "Dikunci"
        EXPORTED = "exported", "Diekspor"

    period = models.CharField("periode", max_length=7)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField("status", max_length=10, choices=State.choices, default=State.OPEN)
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    policy_data = models.JSONField("salinan kebijakan", null=True, blank=True)
    input_digest = models.CharField(max_length=64, blank=True)
    employees = models.PositiveIntegerField(default=0)
    total_ceiling = models.DecimalField(default=0, **MONEY)
    total_gross = models.DecimalField(default=0, **MONEY)
    total_pph21 = models.DecimalField(default=0, **MONEY)
    total_health = models.DecimalField(default=0, **MONEY)
    total_net = models.DecimalField(default=0, **MONEY)
    total_withheld = models.DecimalField(default=0, **MONEY)
    total_released = models.DecimalField(default=0, **MONEY)
    total_adjustment = models.DecimalField(default=0, **MONEY)
    total_payable = models.DecimalField(default=0, **MONEY)
    progress = models.PositiveSmallIntegerField("kemajuan (%)", default=0)
    # Employee working days whose attendance was not final when the list was computed (a night
    # shift not over, a fingerprint machine behind): such a list is not verified or locked.
    unfinished_days = models.PositiveIntegerField("hari kerja belum final", default=0)
    #: Employees of the list with days in post every one of which had no punch and no leave (all
    #: "tanpa keterangan"): a month whose machines' data never arrived pays them nothing.
    without_attendance = models.PositiveIntegerField("pegawai tanpa catatan kehadiran", default=0)
    job_id = models.CharField(max_length=64, blank=True)
    job_queued_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # "Verifikasi" and "Setujui dan kunci" gather the month again to compare its inputs (seconds at
    # a Pemda's size), so they run as a background job (services.run_check_start,
    # tasks.run_check_task): its token, what it does, its progress, when it was queued, and the
    # last refusal it gave (kept on the page until the next check or compute).
    check_job = models.CharField(max_length=64, blank=True)
    check_action = models.CharField(max_length=10, blank=True)
    check_progress = models.PositiveSmallIntegerField(default=0)
    check_queued_at = models.DateTimeField(null=True, blank=True)
    check_error = models.TextField(blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)

    #: A queued computation that has not started after this long: no worker takes the queue.
    STALLED_AFTER = dt.timedelta(minutes=5)

    # A month of 20,000 employees computes in well under a minute; a job still running this long
    # after it was queued has stopped (a worker killed half-way, a request that timed out while
    # computing inline) and its progress will not move again.
    STOPPED_AFTER = dt.timedelta(minutes=30)

    @property
    def job_stalled(self) -> bool:
        """Queued long ago and not started (progress 0): the page says so instead of waiting on."""
        return bool(
            self.job_id
            and self.progress == 0
            and self.job_queued_at is not None
            and timezone.now() - self.job_queued_at > self.STALLED_AFTER
        )

    @property
    def job_stopped(self) -> bool:
        """Started (progress above 0) but still not done STOPPED_AFTER after it was queued: the page
        says the computation stopped and offers "Hitung ulang" instead of "55%" for ever."""
        return bool(
            self.job_id
            and self.progress > 0
            and self.job_queued_at is not None
            and timezone.now() - self.job_queued_at > self.STOPPED_AFTER
        )

    @property
    def check_stalled(self) -> bool:
        """A verify or lock check queued long ago and not started, or started and not done long
        after: no worker takes it (or it was killed); the page says so and offers the button again."""
        if not self.check_job or self.check_queued_at is None:
            return False
        waited = timezone.now() - self.check_queued_at
        return waited > (self.STALLED_AFTER if self.check_progress == 0 else self.STOPPED_AFTER)

    class Meta:
        verbose_name = "perhitungan TPP"
        verbose_name_plural = "perhitungan TPP"
        ordering = ["-period", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "period"],
                condition=Q(unit__isnull=True),
                name="one_instansi_run_per_period",
            ),
            models.UniqueConstraint(
                fields=["instansi", "period", "unit"],
                condition=Q(unit__isnull=False),
                name="one_unit_run_per_period",
            ),
        ]

    def __str__(self) -> str:
        unit = f" {related_name(self, 'unit')}" if self.unit_id else ""
        return f"TPP {period_label(self.period)}{unit}"


class RunInputs(TenantModel):
    """The input digest of each employee computed by a run (employee id -> 16 hex digits of the
    SHA-256 of their calculator inputs, `selectors.input_digests`), written with the run's results.
    Verifying or locking gathers the month again and compares (`selectors.inputs_changed`): an entry
    verified, a leave approved or a punch imported after the compute makes the list stale. One row
    per run, apart from the run so that reading a run never loads 20,000 digests."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="inputs")
    digests = models.JSONField(default=dict)

    class Meta:
        verbose_name = "masukan perhitungan TPP"
        verbose_name_plural = "masukan perhitungan TPP"

    def __str__(self) -> str:
        return f"Masukan perhitungan TPP #{self.run_id}"


class Result(TenantModel):
    """One employee's TPP for a run, with every intermediate figure in `detail` (the explanation)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    nip = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    golongan = models.CharField(max_length=12, blank=True)
    kelas = models.PositiveSmallIntegerField(null=True, blank=True)
    position_name = models.CharField(max_length=200, blank=True)
    bank_name = models.CharField(max_length=60, blank=True)
    bank_account = models.CharField(max_length=30, blank=True)
    ceiling = models.DecimalField(**MONEY)
    gross = models.DecimalField(**MONEY)
    pph21 = models.DecimalField(**MONEY)
    health_insurance = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    adjustment = models.DecimalField(default=0, **MONEY)
    withheld = models.BooleanField(default=False)
    withheld_reason = models.CharField(max_length=255, blank=True)
    released = models.DecimalField("dibayarkan dari penahanan sebelumnya", default=0, **MONEY)
    payable = models.DecimalField("dibayarkan bulan ini", default=0, **MONEY)
    detail = models.JSONField()

    class Meta:
        verbose_name = "hasil TPP"
        verbose_name_plural = "hasil TPP"
        ordering = ["unit_id", "-kelas", "name"]
        indexes = [models.Index(fields=["instansi", "employee"])]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "employee"], name="one_result_per_employee_per_run"
            ),
            models.CheckConstraint(
                condition=Q(net__gte=0)
                & Q(gross__gte=models.F("net"))
                & Q(ceiling__gte=models.F("gross")),
                name="result_bounds_0_net_gross_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"Hasil TPP {self.name} ({self.nip})"


class Withholding(TenantModel):
    """BKPSDM holds an employee's TPP for a month pending a required document (monthly SKP, LHKPN).
    The held amount is paid in the month it is released."""

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("periode ditahan", max_length=7)
    reason = models.CharField("alasan", max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_period = models.CharField("dibayar pada periode", max_length=7, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(
        "jumlah yang ditahan (Rp, saat dilepas)", null=True, blank=True, **MONEY
    )

    class Meta:
        verbose_name = "penahanan TPP"
        verbose_name_plural = "penahanan TPP"
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period"], name="one_withholding_per_employee_period"
            )
        ]

    def __str__(self) -> str:
        employee = related_name(self, "employee")
        return f"Penahanan TPP {employee} {period_label(self.period)}"


class Adjustment(TenantModel):
    """A correction to a locked month, paid (or recovered) in a later month. Locked months never change."""

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    source_period = models.CharField("periode yang dikoreksi", max_length=7)
    target_period = models.CharField("dibayar pada periode", max_length=7)
    amount = models.DecimalField("jumlah (Rp, negatif = potongan)", **MONEY)
    reason = models.TextField("alasan")
    # Recorded by the lock of `source_period`: the part of a recovery that month's pay could not
    # cover, carried on (not a new decision, so it does not bar anyone from locking the target).
    carried = models.BooleanField("sisa potongan yang dibawa", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "koreksi TPP"
        verbose_name_plural = "koreksi TPP"
        indexes = [models.Index(fields=["instansi", "target_period"])]

    def __str__(self) -> str:
        employee = related_name(self, "employee")
        return (
            f"Koreksi TPP {employee} {period_label(self.source_period)}, "
            f"dibayar {period_label(self.target_period)}: {format_rupiah(self.amount)}"
        )


class Simulation(TenantModel):
    """BKPSDM's what-if: a draft policy computed on a past month and compared with what that month
    paid (or would pay under the policy in force). Computed by a background job; writes no Run or
    Result. The rows are kept so the page can filter and page through them; a new simulation of the
    same policy and month replaces the previous one."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Menunggu"
        RUNNING = "running", "Berjalan"
        DONE = "done", "Selesai"
        FAILED = "failed", "Gagal"

    class Baseline(models.TextChoices):
        AUTO = "auto", "Hasil perhitungan tersimpan bila ada"
        POLICY = "policy", "Dihitung ulang dengan kebijakan yang berlaku"

    class Kind(models.TextChoices):
        DRAFT = "draft", "Simulasi draf kebijakan"
        # A locked month computed again with its own policy and today's data, beside what it
        # paid: what changed after the lock, to be paid or recovered by corrections.
        RECHECK = "recheck", "Selisih sejak dikunci"

    kind = models.CharField("jenis", max_length=10, choices=Kind.choices, default=Kind.DRAFT)
    # A recheck's list: its unit's employees (or the whole instansi's), beside what it paid.
    run = models.ForeignKey(
        Run, on_delete=models.CASCADE, null=True, blank=True, related_name="rechecks"
    )
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="simulations")
    period = models.CharField("periode", max_length=7)
    baseline_mode = models.CharField(
        "pembanding", max_length=10, choices=Baseline.choices, default=Baseline.AUTO
    )
    policy_digest = models.CharField(max_length=64)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("kemajuan (%)", default=0)
    error = models.TextField(blank=True)
    baseline = models.JSONField("keterangan pembanding", default=dict)
    employees = models.PositiveIntegerField(default=0)
    old_gross = models.DecimalField(default=0, **MONEY)
    new_gross = models.DecimalField(default=0, **MONEY)
    old_net = models.DecimalField(default=0, **MONEY)
    new_net = models.DecimalField(default=0, **MONEY)
    up = models.PositiveIntegerField("naik", default=0)
    down = models.PositiveIntegerField("turun", default=0)
    same = models.PositiveIntegerField("tetap", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # As a run's (Run.STALLED_AFTER, STOPPED_AFTER): a simulation is queued when it is recorded.
    STALLED_AFTER = dt.timedelta(minutes=5)
    STOPPED_AFTER = dt.timedelta(minutes=30)

    @property
    def job_stalled(self) -> bool:
        """Still waiting in the queue long after it was recorded: no worker takes the queue. The
        page said "Menunggu giliran dihitung… 0%" for ever."""
        return bool(
            self.status == self.Status.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > self.STALLED_AFTER
        )

    @property
    def job_stopped(self) -> bool:
        """Started but not done long after it was recorded: the worker stopped half-way."""
        return bool(
            self.status == self.Status.RUNNING
            and self.created_at is not None
            and timezone.now() - self.created_at > self.STOPPED_AFTER
        )

    class Meta:
        verbose_name = "simulasi kebijakan TPP"
        verbose_name_plural = "simulasi kebijakan TPP"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if self.kind == self.Kind.RECHECK:
            return f"Selisih TPP {period_label(self.period)} sejak dikunci"
        return f"Simulasi {related_name(self, 'policy')} {period_label(self.period)}"

    @property
    def net_difference(self):
        return self.new_net - self.old_net

    @property
    def gross_difference(self):
        return self.new_gross - self.old_gross


class SimulationRow(TenantModel):
    """One employee's figures in a simulation: before (None when the baseline has no figure for the
    employee) and with the draft (None when the employee is no longer in the month's data)."""

    simulation = models.ForeignKey(Simulation, on_delete=models.CASCADE, related_name="rows")
    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nip = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    old_gross = models.DecimalField(null=True, blank=True, **MONEY)
    old_net = models.DecimalField(null=True, blank=True, **MONEY)
    new_gross = models.DecimalField(null=True, blank=True, **MONEY)
    new_net = models.DecimalField(null=True, blank=True, **MONEY)
    gross_difference = models.DecimalField(**MONEY)
    difference = models.DecimalField("selisih bersih", **MONEY)
    abs_difference = models.DecimalField(**MONEY)
    changes = models.JSONField(default=dict)  # key -> [old, new] (Decimal strings)

    class Meta:
        verbose_name = "baris simulasi TPP"
        verbose_name_plural = "baris simulasi TPP"
        indexes = [
            models.Index(fields=["simulation", "unit"]),
            models.Index(fields=["simulation", "-abs_difference"]),
        ]

    def __str__(self) -> str:
        return f"Baris simulasi TPP {self.name} ({self.nip})"
