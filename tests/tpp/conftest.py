"""Fixtures of the TPP tests. The activity tests' small office and frozen clock are reused for the
activity inputs."""

from tests.activities.conftest import at, office  # noqa: F401
