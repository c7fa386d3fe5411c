"""The shared cache (Redis) is an optimisation of the activity pages, not a dependency: when it does
not answer, an employee still opens and fills their day, with values computed afresh."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from ekinerja.activities import selectors

from .conftest import make_entry

# A Redis nobody listens on: every cache call raises ConnectionError at once.
DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def cache_down():
    from django.core.cache import caches

    with override_settings(CACHES=DOWN):
        caches._settings = None  # noqa: SLF001 - read the overridden CACHES
        try:
            del caches._connections.default  # noqa: SLF001
        except AttributeError:
            pass
        yield
    try:
        del caches._connections.default  # noqa: SLF001
    except AttributeError:
        pass


def test_the_day_page_and_an_entry_work_while_the_cache_is_down(client, office, at, cache_down):
    at("2026-10-02 10:00")
    ani = office["p"]["ani"]
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisDown

    with pytest.raises(RedisDown):  # the cache really is down
        cache.get("x")
    client.force_login(ani.user)
    response = client.get(reverse("activities:day", kwargs={"day": "2026-10-02"}))
    assert response.status_code == 200
    entry = make_entry(office)
    assert entry.pk and entry.date.isoformat() == "2026-10-02"


def test_a_calendar_change_without_the_cache_forgets_what_this_process_kept(office, cache_down):
    selectors._LOCAL[("probe",)] = (0, 1)  # noqa: SLF001
    selectors.calendar_changed(office["inst"].pk)
    assert ("probe",) not in selectors._LOCAL  # noqa: SLF001
    a = selectors.calendar_generation(office["inst"].pk)
    b = selectors.calendar_generation(office["inst"].pk)
    assert a != b  # nothing kept is reused while the cache is down
