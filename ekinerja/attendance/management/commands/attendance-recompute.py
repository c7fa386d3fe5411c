"""`ekinerja attendance-recompute`: the documented spelling of `attendance_recompute`."""

from ekinerja.attendance.management.commands.attendance_recompute import Command  # noqa: F401
