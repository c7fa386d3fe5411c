"""`ekinerja bkpsdm-create`: the documented spelling of `bkpsdm_create`."""

from ekinerja.exchange.management.commands.bkpsdm_create import Command  # noqa: F401
