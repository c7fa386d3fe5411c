"""`ekinerja instansi-create`: the documented spelling of `instansi_create`."""

from ekinerja.exchange.management.commands.instansi_create import Command  # noqa: F401
