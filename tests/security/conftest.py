from tests.activities.conftest import at, office  # noqa: F401
