import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a test's rolled-back rows fire no invalidation signal,
    so values cached from them (entry windows, instansi calendars, policy values) must not reach the
    next test, which may reuse the same ids."""
    from django.core.cache import cache

    cache.clear()
