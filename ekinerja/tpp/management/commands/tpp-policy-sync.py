"""`ekinerja tpp-policy-sync`: the documented spelling of `tpp_policy_sync`."""

from ekinerja.tpp.management.commands.tpp_policy_sync import Command  # noqa: F401
