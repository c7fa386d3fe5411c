"""Work calendars: holidays, schedules (fixed weekly with date-ranged variants, or shifts with a
roster), and which schedule each employee follows over time. Data and constraints only; the rules
that turn these into working days live in calendar.py (pure) and selectors.py (set-based reads)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ekinerja.core.models import TenantModel
from ekinerja.org.models import Employee

WEEKDAY_CHOICES = [
    (0, "Senin"),
    (1, "Selasa"),
    (2, "Rabu"),
    (3, "Kamis"),
    (4, "Jumat"),
    (5, "Sabtu"),
    (6, "Minggu"),
]


class Holiday(TenantModel):
    """A day off for the instansi's fixed schedules.

    The kind decides which schedules it applies to: national holidays and cuti bersama only to
    schedules with `use_national_holidays`, regional holidays to every fixed schedule, whether the
    row was seeded from the `holidays` package or added by BKPSDM (an SKB correction of a cuti
    bersama stays a cuti bersama). A seeded row that BKPSDM removes is kept inactive, so seeding the
    year again does not bring it back.
    """

    class Kind(models.TextChoices):
        NATIONAL = "national", "Libur nasional"
        CUTI_BERSAMA = "cuti_bersama", "Cuti bersama"
        REGIONAL = "regional", "Libur daerah"

    class Source(models.TextChoices):
        SEEDED = "seeded", "Kalender nasional"
        MANUAL = "manual", "Manual"

    date = models.DateField("tanggal")
    name = models.CharField("nama", max_length=200)
    kind = models.CharField("jenis", max_length=15, choices=Kind.choices)
    source = models.CharField(
        "sumber", max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    is_active = models.BooleanField("berlaku", default=True)

    class Meta:
        verbose_name = "hari libur"
        verbose_name_plural = "hari libur"
        ordering = ["date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "date", "name"], name="holiday_unique_per_instansi_date_name"
            ),
        ]
        indexes = [models.Index(fields=["instansi", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class WorkSchedule(TenantModel):
    """A working-time schedule: fixed weekly hours (with optional date-ranged variants such as Ramadan
    hours), or shifts assigned day by day through the roster."""

    class Kind(models.TextChoices):
        FIXED = "fixed", "Tetap mingguan"
        SHIFT = "shift", "Shift (roster)"

    code = models.CharField("kode", max_length=20)
    name = models.CharField("nama", max_length=200)
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices, default=Kind.FIXED)
    grace_minutes = models.PositiveSmallIntegerField("toleransi keterlambatan (menit)", default=0)
    use_national_holidays = models.BooleanField("ikut libur nasional", default=True)
    is_default = models.BooleanField("jadwal bawaan instansi", default=False)

    class Meta:
        verbose_name = "jadwal kerja"
        verbose_name_plural = "jadwal kerja"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "code"], name="workschedule_code_unique_per_instansi"
            ),
            models.UniqueConstraint(
                fields=["instansi"],
                condition=Q(is_default=True),
                name="workschedule_one_default_per_instansi",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class ScheduleVariant(TenantModel):
    """Hours that replace a fixed schedule's week between two dates (inclusive), e.g. Ramadan.
    Within the range only the variant's days are working days."""

    schedule = models.ForeignKey(
        WorkSchedule, on_delete=models.CASCADE, related_name="variants", verbose_name="jadwal"
    )
    name = models.CharField("nama", max_length=200)
    date_from = models.DateField("mulai")
    date_to = models.DateField("sampai")

    class Meta:
        verbose_name = "variasi jadwal"
        verbose_name_plural = "variasi jadwal"
        ordering = ["schedule", "date_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="variant_to_after_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule.code}: {self.name}"


class ScheduleDay(TenantModel):
    """Hours of one weekday in a fixed schedule (or in one of its variants). An end at or before the
    start means the day ends on the next calendar day."""

    schedule = models.ForeignKey(
        WorkSchedule, on_delete=models.CASCADE, related_name="days", verbose_name="jadwal"
    )
    variant = models.ForeignKey(
        ScheduleVariant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="days",
        verbose_name="variasi",
    )
    weekday = models.PositiveSmallIntegerField("hari", choices=WEEKDAY_CHOICES)
    start = models.TimeField("masuk")
    end = models.TimeField("pulang")

    class Meta:
        verbose_name = "hari kerja"
        verbose_name_plural = "hari kerja"
        ordering = ["schedule", "variant", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "weekday"],
                condition=Q(variant__isnull=True),
                name="scheduleday_unique_weekday",
            ),
            models.UniqueConstraint(
                fields=["variant", "weekday"],
                condition=Q(variant__isnull=False),
                name="scheduleday_unique_variant_weekday",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="scheduleday_weekday_0_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Shift(TenantModel):
    """One shift of a shift schedule (P pagi, S siang, M malam...). An end at or before the start
    crosses midnight: the shift belongs to the date it starts on."""

    schedule = models.ForeignKey(
        WorkSchedule, on_delete=models.CASCADE, related_name="shifts", verbose_name="jadwal"
    )
    code = models.CharField("kode", max_length=10)
    name = models.CharField("nama", max_length=100, blank=True)
    start = models.TimeField("mulai")
    end = models.TimeField("selesai")

    class Meta:
        verbose_name = "shift"
        verbose_name_plural = "shift"
        ordering = ["schedule", "start"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "code"], name="shift_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


class EmployeeSchedule(TenantModel):
    """The schedule an employee follows from a date to a date (inclusive; open-ended without `date_to`).
    Periods of one employee never overlap (services.employee_schedule_assign)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="schedules", verbose_name="pegawai"
    )
    schedule = models.ForeignKey(
        WorkSchedule, on_delete=models.PROTECT, related_name="members", verbose_name="jadwal"
    )
    date_from = models.DateField("mulai")
    date_to = models.DateField("sampai", null=True, blank=True)

    class Meta:
        verbose_name = "jadwal pegawai"
        verbose_name_plural = "jadwal pegawai"
        ordering = ["employee", "date_from"]
        indexes = [models.Index(fields=["instansi", "employee", "date_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="employeeschedule_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.schedule.code} {self.date_from}"


class ShiftRoster(TenantModel):
    """The shift an employee works on a date (the date the shift starts)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="roster", verbose_name="pegawai"
    )
    date = models.DateField("tanggal")
    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="roster", verbose_name="shift"
    )

    class Meta:
        verbose_name = "roster shift"
        verbose_name_plural = "roster shift"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "date"], name="roster_unique_employee_date"
            ),
        ]
        indexes = [models.Index(fields=["instansi", "date"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.shift.code}"
