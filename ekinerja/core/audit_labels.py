"""How the audit log reads to people: an Indonesian label for every action code the code base writes
(`audit_record(action=...)` and the bulk writers), a readable object for rows whose `object_repr`
was Django's default ("Adjustment object (6)"), and the small helper models' `__str__` use to name a
related record without a query.

tests/org/test_audit_log_labels.py greps the source for every code written and fails when one has
no label here."""

from __future__ import annotations

import datetime as dt
import re

from django.apps import apps
from django.db import models
from django.utils import timezone

from .periods import Period, tanggal

_CREATED, _CHANGED, _DELETED = "ditambahkan", "diubah", "dihapus"


def _crud(prefix: str, thing: str) -> dict[str, str]:
    return {
        f"{prefix}.create": f"{thing} {_CREATED}",
        f"{prefix}.update": f"{thing} {_CHANGED}",
        f"{prefix}.delete": f"{thing} {_DELETED}",
    }


ACTION_LABELS: dict[str, str] = {
    # Accounts and sign-in
    "auth.login": "Masuk",
    "auth.login_failed": "Gagal masuk",
    "auth.logout": "Keluar",
    "auth.account.create": "Akun dibuat",
    "auth.password.change": "Kata sandi diganti",
    "auth.password.reset": "Kata sandi diatur ulang",
    "auth.account.deactivate": "Akun dinonaktifkan (pegawai nonaktif)",
    "auth.account.reactivate": "Akun diaktifkan kembali",
    "auth.account.admin_create": "Akun dibuat melalui admin",
    "auth.account.admin_change": "Akun diubah melalui admin",
    "auth.password.admin_set": "Kata sandi diatur melalui admin",
    "core.instansi.create": "Instansi dibuat",
    "core.instansi.change": "Instansi diubah",
    "auth.api_token.issue": "Token aplikasi seluler diterbitkan",
    "auth.api_token.revoke": "Token aplikasi seluler dicabut",
    "auth.api_token.revoke_officer": "Token aplikasi seluler pegawai dicabut petugas",
    "admin.delete": "Data dihapus lewat admin",
    # Organisation
    "org.unit.create": "Unit kerja ditambahkan",
    "org.unit.update": "Unit kerja diubah",
    "org.position.create": "Jabatan ditambahkan",
    "org.position.update": "Jabatan diubah",
    "org.employee.create": "Pegawai ditambahkan",
    "org.employee.update": "Data pegawai diubah",
    "org.assignment.create": "Penempatan jabatan ditambahkan",
    "org.assignment.update": "Penempatan jabatan diubah",
    "org.import.apply": "Impor data pegawai diterapkan",
    "org.role.grant": "Peran diberikan",
    "org.role.revoke": "Peran dicabut",
    # Work calendar
    "workcal.holiday.create": "Hari libur ditambahkan",
    "workcal.holiday.update": "Hari libur diubah",
    "workcal.holiday.delete": "Hari libur dihapus",
    "workcal.holiday.seed": "Hari libur nasional dan cuti bersama diisi",
    "workcal.schedule.create": "Jadwal kerja dibuat",
    "workcal.schedule.update": "Jadwal kerja diubah",
    "workcal.variant.create": "Variasi jadwal dibuat",
    "workcal.employee_schedule.create": "Jadwal pegawai ditetapkan",
    "workcal.employee_schedule.update": "Jadwal pegawai diubah",
    "workcal.roster.set": "Roster shift diatur",
    # ... and the workcal models edited in the Django admin (workcal/admin.py AuditedAdmin)
    **_crud("workcal.workschedule", "Jadwal kerja"),
    **_crud("workcal.schedulevariant", "Variasi jadwal"),
    **_crud("workcal.employeeschedule", "Jadwal pegawai"),
    **_crud("workcal.shiftroster", "Roster shift"),
    # Attendance
    "attendance.import.preview": "Berkas absensi diunggah untuk diperiksa",
    "attendance.import.run": "Impor data absensi dijalankan",
    "attendance.punch.review": "Absen lewat ponsel diperiksa atasan",
    "attendance.punch.recover": "Absen PIN yang belum dipetakan dipulihkan",
    "attendance.leave.submit": "Cuti/izin diajukan",
    "attendance.leave.approve": "Cuti/izin disetujui",
    "attendance.leave.reject": "Cuti/izin ditolak",
    "attendance.leave.cancel": "Cuti/izin dibatalkan",
    "attendance.leave.record": "Cuti/izin dicatat",
    "attendance.leave.recount": "Hari kerja cuti/izin dihitung ulang",
    "attendance.correction.submit": "Koreksi absensi diajukan",
    "attendance.correction.approve": "Koreksi absensi disetujui",
    "attendance.correction.reject": "Koreksi absensi ditolak",
    # ... and the attendance models edited in the Django admin (attendance/admin.py AuditedAdmin)
    **_crud("attendance.device", "Mesin absensi"),
    **_crud("attendance.pinmapping", "PIN mesin"),
    **_crud("attendance.office", "Kantor (geofence)"),
    **_crud("attendance.leavetype", "Jenis cuti/izin"),
    # Activities
    "activities.settings.save": "Pengaturan aktivitas disimpan",
    "activities.settings.policy": "Pengaturan aktivitas diselaraskan dengan kebijakan TPP",
    "activities.catalog.create": "Butir katalog aktivitas ditambahkan",
    "activities.catalog.update": "Butir katalog aktivitas diubah",
    "activities.entry.approve": "Aktivitas disetujui",
    "activities.entry.reject": "Aktivitas ditolak",
    "activities.entry.return": "Aktivitas dikembalikan untuk diperbaiki",
    "activities.entry.auto_approve": "Aktivitas disetujui otomatis",
    "activities.entry.expire": "Aktivitas kedaluwarsa",
    "activities.entry.unverified": "Aktivitas terverifikasi diubah, menunggu verifikasi lagi",
    "activities.entry.resubmit_unlocked": "Aktivitas diajukan lagi dalam masa buka kunci",
    "activities.entry.change_unlocked": "Aktivitas kedaluwarsa diubah dalam masa buka kunci",
    "activities.unlock.request": "Buka kunci aktivitas diminta",
    "activities.unlock.approve": "Buka kunci aktivitas disetujui",
    "activities.unlock.reject": "Buka kunci aktivitas ditolak",
    "activities.objection.file": "Keberatan diajukan",
    "activities.objection.grant": "Keberatan dikabulkan",
    "activities.objection.deny": "Keberatan ditolak",
    "activities.review.draw": "Sampel tim penilai diambil",
    "activities.review.ok": "Tim penilai: aktivitas sesuai",
    "activities.review.flagged": "Tim penilai: aktivitas ditandai",
    "activities.review.overturned": "Tim penilai membatalkan verifikasi",
    # Performance (SKP)
    "performance.settings.save": "Pengaturan kinerja disimpan",
    "performance.period.lock": "Periode kinerja dikunci",
    "performance.period.reopen": "Periode kinerja dibuka kembali",
    "performance.plan.create": "SKP dibuat",
    "performance.plan.submit": "SKP diajukan",
    "performance.plan.agree": "SKP disetujui",
    "performance.plan.supersede": "SKP digantikan versi baru",
    "performance.plan.return": "SKP dikembalikan untuk diperbaiki",
    "performance.plan.revise": "Perubahan SKP dimulai",
    "performance.evaluation.rate": "Penilaian kinerja disimpan",
    # TPP
    "tpp.policy.save": "Kebijakan TPP disimpan",
    "tpp.policy.adopt": "Kebijakan TPP diberlakukan",
    "tpp.policy.retire": "Kebijakan TPP dihentikan",
    "tpp.run.open": "Perhitungan TPP dibuka",
    "tpp.run.compute": "TPP dihitung",
    "tpp.run.transfer": "Pegawai pindahan dilepas dari perhitungan TPP unit lain",
    "tpp.run.verify": "Daftar TPP diverifikasi",
    "tpp.run.unverify": "Verifikasi TPP dibatalkan karena daftar berubah",
    "tpp.run.lock": "Daftar TPP dikunci",
    "tpp.run.export": "Dokumen pembayaran TPP dibuat",
    "tpp.withhold": "TPP ditahan",
    "tpp.withhold.release": "Penahanan TPP dilepas",
    "tpp.adjustment.record": "Koreksi TPP dicatat",
    "tpp.adjustment.carry": "Sisa potongan TPP dibawa ke bulan berikutnya",
    # Data exchange and demo
    "exchange.load": "Instansi dimuat dari berkas pertukaran data",
    "exchange.import": "Berkas pertukaran data diimpor",
    "demo.generate": "Data demo dibuat",
}

_ADMIN_CRUD = re.compile(r"^(?P<app>[a-z_]+)\.(?P<model>[a-z_]+)\.(?P<verb>create|update|delete)$")
_VERBS = {"create": _CREATED, "update": _CHANGED, "delete": _DELETED}


def action_label(code: str) -> str | None:
    """The Indonesian label of an action code; for an admin edit of a model not listed
    ("<app>.<model>.create|update|delete") its verbose name; None when unknown (show the code)."""
    label = ACTION_LABELS.get(code)
    if label is not None:
        return label
    match = _ADMIN_CRUD.match(code or "")
    if match:
        model = _model(f"{match['app']}.{match['model']}")
        if model is not None:
            name = str(model._meta.verbose_name)
            return f"{name[:1].upper()}{name[1:]} {_VERBS[match['verb']]}"
    return None


# verbose names that are not Indonesian and cannot change without a migration
_TYPE_NAMES = {"attendance.PunchReview": "pemeriksaan absen ponsel"}
_DEFAULT_REPR = re.compile(r"^\w+ object \((?P<pk>[^)]*)\)$")
_BULK_ENTRY_REPR = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2}) \d+ \d+$")


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_type_name(object_type: str) -> str:
    """ "tpp.Adjustment" -> "koreksi TPP" (the model's verbose name), no query."""
    if object_type in _TYPE_NAMES:
        return _TYPE_NAMES[object_type]
    model = _model(object_type) if object_type else None
    return str(model._meta.verbose_name) if model is not None else object_type


def object_label(object_type: str, object_id: str, object_repr: str) -> str:
    """What the log shows as the object: its stored text, except Django's default one (rows written
    before the model had a __str__) or none, which become "koreksi TPP #6", and the bulk
    verification's ids, which become "aktivitas harian #9, 8 Oktober 2026"."""
    bulk = _BULK_ENTRY_REPR.match(object_repr or "")
    if bulk and object_type == "activities.ActivityEntry":
        # activities.services._bulk_audit writes "<date> <employee id> <item id>"
        try:
            day = tanggal(dt.date.fromisoformat(bulk["date"]))
        except ValueError:
            day = bulk["date"]
        return f"{object_type_name(object_type)} #{object_id}, {day}"
    if object_repr and not _DEFAULT_REPR.match(object_repr):
        return object_repr
    if not object_type:
        return object_repr
    name = object_type_name(object_type)
    return f"{name} #{object_id}" if object_id else name


def related_name(obj: models.Model, field: str, attr: str = "name") -> str:
    """For a model's __str__: `attr` of a related record when it is already loaded, else
    "<its verbose name> #<id>" ("pegawai #12"), so str() never costs a query (audit writes in bulk,
    admin lists, select options)."""
    descriptor = obj._meta.get_field(field)
    if descriptor.is_cached(obj):
        related = descriptor.get_cached_value(obj)
        return str(getattr(related, attr)) if related is not None else "-"
    value = getattr(obj, descriptor.attname)
    if value is None:
        return "-"
    return f"{descriptor.related_model._meta.verbose_name} #{value}"


def period_label(period: str) -> str:
    """For a model's __str__: "2026-10" -> "Oktober 2026" (the text itself when it is no period)."""
    try:
        return Period.parse(period).label
    except (TypeError, ValueError):
        return str(period)


def moment_label(value) -> str:
    """For a model's __str__: an aware datetime in the current (the instansi's) time zone,
    "3 Desember 2026 22.18"."""
    if value is None:
        return "-"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{tanggal(value)} {value:%H.%M}"
