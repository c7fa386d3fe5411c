"""`ekinerja demo-data`: the documented spelling of `demo_data` (Django takes command names from file
names, so this module only re-exports the command)."""

from ekinerja.demo.management.commands.demo_data import Command  # noqa: F401
