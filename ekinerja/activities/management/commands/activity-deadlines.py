"""`ekinerja activity-deadlines`: the documented spelling of `activity_deadlines`."""

from ekinerja.activities.management.commands.activity_deadlines import Command  # noqa: F401
