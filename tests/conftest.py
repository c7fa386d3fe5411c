import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the shared one and the values activities keeps in the
    process): a test's rolled-back rows fire no invalidation signal, so values cached from them
    (entry windows, instansi calendars, policy values) must not reach the next test, which may
    reuse the same ids."""
    from django.core.cache import cache

    from ekinerja.activities.selectors import clear_local_caches

    cache.clear()
    clear_local_caches()
