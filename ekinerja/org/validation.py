"""Domain validation of organisation data, apart from the writes.

Services call these before saving; the admin's forms call the same functions in `clean()` so a rule
broken in the admin (a cycle, an overlapping definitif assignment, an implausible NIP) shows as a field
error instead of failing at save time. Each raises `ValidationError` with a dict of Indonesian messages
keyed by model field name.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from ekinerja.core.periods import tanggal

from .models import Assignment, Employee, Position, Unit
from .nip import NipError, parse_nip


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _related(obj, name: str):
    """The related object if it is set (saved or only assigned in memory), without a query for an
    empty foreign key."""
    field = obj._meta.get_field(name)
    if getattr(obj, field.attname) is None and not field.is_cached(obj):
        return None
    return getattr(obj, name)


def _same_instansi_errors(instansi_id: int | None, **related) -> dict[str, str]:
    return {
        name: "Data ini milik instansi lain."
        for name, obj in related.items()
        if obj is not None and obj.instansi_id != instansi_id
    }


def _cycle_error(
    model, obj_id: int | None, parent_id: int | None, instansi_id: int, label: str
) -> str | None:
    """A parent that is the object itself or one of its descendants makes a cycle (one query)."""
    if obj_id is None or parent_id is None:
        return None
    parent = dict(model.objects.filter(instansi_id=instansi_id).values_list("id", "parent_id"))
    seen = set()
    node = parent_id
    while node is not None and node not in seen:
        if node == obj_id:
            return f"{label} tidak boleh menjadi bawahan dirinya sendiri (siklus)."
        seen.add(node)
        node = parent.get(node)
    return None


def _code_taken(model, obj, label: str) -> str | None:
    if not obj.code or obj.instansi_id is None:
        return None
    clash = model.objects.filter(instansi_id=obj.instansi_id, code=obj.code).exclude(pk=obj.pk)
    return f"Kode {label} '{obj.code}' sudah dipakai." if clash.exists() else None


def unit_validate(unit: Unit) -> None:
    """A unit's code is unique in its instansi; its parent is of the same instansi and not below it."""
    errors = _same_instansi_errors(unit.instansi_id, parent=_related(unit, "parent"))
    if msg := _code_taken(Unit, unit, "unit"):
        errors["code"] = msg
    if "parent" not in errors and (
        msg := _cycle_error(Unit, unit.pk, unit.parent_id, unit.instansi_id, "Unit")
    ):
        errors["parent"] = msg
    _raise(errors)


def position_validate(position: Position) -> None:
    """A position (jabatan): unique code, kelas jabatan 1-17, unit and superior position of the same
    instansi, and no cycle in the position tree."""
    errors = _same_instansi_errors(
        position.instansi_id,
        parent=_related(position, "parent"),
        unit=_related(position, "unit"),
    )
    if msg := _code_taken(Position, position, "jabatan"):
        errors["code"] = msg
    if position.kelas is not None and not 1 <= position.kelas <= 17:
        errors["kelas"] = "Kelas jabatan harus antara 1 dan 17."
    if position.tpp_base is not None and position.tpp_base < 0:
        # Else only the database constraint's name, as an error of the whole form.
        errors["tpp_base"] = "Basis TPP khusus tidak boleh negatif; kosongkan bila tidak ada."
    if "parent" not in errors and (
        msg := _cycle_error(
            Position, position.pk, position.parent_id, position.instansi_id, "Jabatan"
        )
    ):
        errors["parent"] = msg
    _raise(errors)


def validate_employee(employee: Employee, today: dt.date | None = None) -> None:
    """The rules on one employee's own fields (no database access): a plausible NIP that matches the
    status (see org.nip), golongan/ruang for PNS and CPNS, a PPPK grade for PPPK, an NPWP of 15 or
    16 digits, an account number of digits (spaces, dots and dashes between them are dropped by
    bank_account_normalize before saving) and a salary not below zero."""
    errors: dict[str, str] = {}
    try:
        parse_nip(employee.nip, status=employee.status, today=today)
    except NipError as exc:
        errors["nip"] = str(exc)
    if employee.status in (Employee.Status.PNS, Employee.Status.CPNS):
        if not employee.golongan:
            errors["golongan"] = "Golongan/ruang wajib diisi untuk PNS dan CPNS."
        if employee.pppk_grade:
            errors["pppk_grade"] = "Golongan PPPK hanya untuk pegawai berstatus PPPK."
    elif employee.status == Employee.Status.PPPK:
        if employee.golongan:
            errors["golongan"] = (
                "Pegawai PPPK tidak memiliki golongan/ruang PNS; isi golongan PPPK."
            )
        if not employee.pppk_grade:
            errors["pppk_grade"] = "Golongan PPPK wajib diisi untuk pegawai PPPK."
    # ASCII digits only: "١٢٣" or "²" pass str.isdigit() and would reach the bank's file.
    npwp_digits = (employee.npwp or "").replace(".", "").replace("-", "")
    if employee.npwp and not _ascii_digits(npwp_digits):
        errors["npwp"] = "NPWP hanya boleh berisi angka, titik dan tanda hubung."
    elif employee.npwp and len(npwp_digits) not in (15, 16):
        # 15 digits (99.999.999.9-999.999), or 16 (the NIK-based NPWP): a shorter one is a typo
        # that would reach the tax and payroll files.
        errors["npwp"] = (
            f"NPWP harus 15 atau 16 angka (tertulis {len(npwp_digits)} angka), "
            "mis. 12.345.678.9-123.000."
        )
    if employee.bank_account and not _ascii_digits(
        _ACCOUNT_SEPARATORS.sub("", employee.bank_account)
    ):
        errors["bank_account"] = BANK_ACCOUNT_INVALID
    # The import's rows carry no salary (a SimpleNamespace without it).
    salary = getattr(employee, "salary", None)
    if salary is not None and salary < 0:
        # The TPP run refuses a negative salary (health-insurance cap): refused here, where it is typed.
        errors["salary"] = "Gaji tidak boleh negatif."
    _raise(errors)


def employee_validate(employee: Employee, today: dt.date | None = None) -> None:
    """validate_employee plus the NIP being unique within the instansi (one query)."""
    errors: dict[str, list[str]] = {}
    try:
        validate_employee(employee, today=today)
    except ValidationError as exc:
        errors = exc.message_dict
    if (
        "nip" not in errors
        and employee.instansi_id is not None
        and Employee.objects.filter(instansi_id=employee.instansi_id, nip=employee.nip)
        .exclude(pk=employee.pk)
        .exists()
    ):
        errors["nip"] = [f"NIP {employee.nip} sudah terdaftar."]
    old = None
    if employee.pk:
        old = (
            Employee.objects.filter(pk=employee.pk)
            .values_list("status", "status_since", "salary", "salary_since")
            .first()
        )
    # A change of status or salary needs its TMT. Changed again with the same TMT, it corrects that
    # change (a mistyped amount or status): the value before the change stays as it was.
    if old is not None and "status" not in errors:
        if old[0] != employee.status and employee.status_since is None:
            # The TPP pays each working day at its status's factor: the change needs its date.
            errors["status_since"] = [
                "Isi TMT status baru (tanggal mulai berlaku) saat status diubah."
            ]
    if old is not None and "salary" not in errors:
        changed = old[2] is not None and employee.salary != old[2]
        if changed and employee.salary_since is None:
            # Months before the change keep the salary they were paid with (health-insurance cap).
            errors["salary_since"] = ["Isi TMT gaji baru (tanggal mulai berlaku) saat gaji diubah."]
    if errors:
        raise ValidationError(errors)


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Two inclusive date ranges (an empty end = open-ended) share at least one day."""
    far = dt.date.max
    return a_start <= (b_end or far) and b_start <= (a_end or far)


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


#: What people type between an account number's digits ("0012-34-5678", "0012 3456 78",
#: "0012.345.678"; a no-break space pasted from a spreadsheet): not part of the number.
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-]+")
BANK_ACCOUNT_INVALID = (
    "Nomor rekening hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan)."
)


def bank_account_normalize(text: str | None) -> str:
    """The account number as the bank's bulk-transfer file wants it, digits only: spaces, dots and
    dashes dropped ("0012-34-5678" -> "0012345678"). Anything else (a letter, a "/", separators
    alone) is returned as typed, only trimmed, so validate_employee names it as a field error."""
    text = text or ""
    digits = _ACCOUNT_SEPARATORS.sub("", text)
    return digits if _ascii_digits(digits) else text.strip()


def assignment_validate(assignment: Assignment) -> None:
    """An assignment: employee and position of the same instansi, end not before start; two definitif
    assignments of one employee may not overlap, nor two acting (Plt/Plh) assignments of one employee
    to the same position, nor an acting and a definitif one to the same position (one query over
    the employee's other assignments); a struktural post has one definitif holder at a time (one
    more query, for a definitif post only)."""
    errors = _same_instansi_errors(
        assignment.instansi_id,
        employee=_related(assignment, "employee"),
        position=_related(assignment, "position"),
    )
    if assignment.start and assignment.end and assignment.end < assignment.start:
        errors["end"] = "Tanggal selesai tidak boleh sebelum tanggal mulai."
    _raise(errors)
    if not assignment.employee_id or not assignment.start:
        return
    _struktural_holder_check(assignment)
    others = (
        Assignment.objects.filter(employee_id=assignment.employee_id)
        .exclude(pk=assignment.pk)
        .select_related("position")
    )
    for other in others:
        if not overlaps(assignment.start, assignment.end, other.start, other.end):
            continue
        if assignment.kind == Assignment.Kind.DEFINITIF and other.kind == Assignment.Kind.DEFINITIF:
            until = f"s.d. {tanggal(other.end)}" if other.end else "yang belum berakhir"
            raise ValidationError(
                {
                    "start": f"Tumpang tindih dengan jabatan definitif {other.position.name} "
                    f"mulai {tanggal(other.start)} {until}."
                }
            )
        if other.kind == assignment.kind and other.position_id == assignment.position_id:
            raise ValidationError(
                {"start": "Penugasan yang sama sudah ada pada rentang tanggal ini."}
            )
        if other.position_id == assignment.position_id and Assignment.Kind.DEFINITIF in (
            assignment.kind,
            other.kind,
        ):
            # Plt/Plh is of another position (tpp-rules.md): acting in one's own definitif post
            # would add the Plt share of one's own base.
            raise ValidationError(
                {
                    "position": "Plt/Plh tidak dapat pada jabatan definitif pegawai itu sendiri "
                    f"({other.position.name}) pada rentang tanggal ini."
                }
            )


def _struktural_holder_check(assignment: Assignment) -> None:
    """A struktural post has one definitif holder at a time (as the employee import says): a
    successor recorded while the predecessor's post is still open would leave two holders, and the
    hierarchy would take the one with the lower NIP as their subordinates' superior, perhaps the
    one who left. One query, only for a definitif post of a struktural position."""
    if assignment.kind != Assignment.Kind.DEFINITIF or not assignment.position_id:
        return
    clash = (
        Assignment.objects.filter(
            position_id=assignment.position_id,
            position__kind=Position.Kind.STRUKTURAL,
            kind=Assignment.Kind.DEFINITIF,
            start__lte=assignment.end or dt.date.max,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=assignment.start))
        .exclude(pk=assignment.pk)
        .exclude(employee_id=assignment.employee_id)
        .select_related("employee", "position")
        .order_by("start")
        .first()
    )
    if clash is None:
        return
    until = f"s.d. {tanggal(clash.end)}" if clash.end else "yang belum berakhir"
    raise ValidationError(
        {
            "start": f"Jabatan struktural {clash.position.name} dipegang secara definitif oleh "
            f"{clash.employee.full_name} ({clash.employee.nip}) mulai {tanggal(clash.start)} "
            f"{until}; satu jabatan struktural hanya untuk satu pejabat definitif. Isi dulu "
            "tanggal selesai penempatan pejabat sebelumnya."
        }
    )
