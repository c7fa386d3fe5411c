"""Browser-test fixtures shared by every e2e test: Debian's Chromium driven by Playwright's sync API
against pytest-django's live server.

Fixtures: `browser` (one Chromium for all of tests/e2e), `page` (desktop, 1280x900), `phone_page` (a
360x740 phone, touch, device scale 2). Helpers: `login(page, live_server, username, password)`,
`screenshot(page, name)` -> docs/screenshots/<name>.png (full page), `no_horizontal_scroll(page)`,
`clipped_tables(page)`.

No browser is ever downloaded: only /usr/bin/chromium (Debian package `chromium`) is used. Without
it the whole directory is skipped, unless EKINERJA_REQUIRE_BROWSER=1 (set by .ci/run), in which case
every browser test fails loudly instead, so CI cannot pass with the browser tests silently skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium-l10n: Chromium's own interface in Indonesian (date inputs dd/mm/tttt, "Pilih File").
CHROMIUM_ID_LOCALE = Path("/usr/lib/chromium/locales/id.pak")
# Headless Chromium takes its interface language from the environment, not from --lang.
CHROMIUM_ENV = {"LANGUAGE": "id", "LANG": "id_ID.UTF-8"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("EKINERJA_REQUIRE_BROWSER") == "1"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "Rahasia-Kuat-2026!"
PHONE_WIDTH = 360
E2E_DIR = Path(__file__).resolve().parent


def _browser_unavailable_reason() -> str | None:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (
            f"{CHROMIUM} tidak ada: uji peramban (e2e) dilewati. "
            "Pasang dengan `sudo apt-get install chromium` (atau jalankan `make test` sebagai root)."
        )
    if not CHROMIUM_ID_LOCALE.is_file():
        return (
            f"{CHROMIUM_ID_LOCALE} tidak ada: Chromium tanpa bahasa Indonesia, uji peramban dilewati. "
            "Pasang dengan `sudo apt-get install chromium-l10n` (atau jalankan `make test` sebagai root)."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - dev extra not installed
        return f"Playwright untuk Python tidak terpasang ({exc}); jalankan `make venv`."
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/e2e as e2e; skip them all (or, in CI, fail them all) when there is
    no Chromium to drive."""
    reason = _browser_unavailable_reason()
    for item in items:
        if E2E_DIR not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if reason and not REQUIRE_BROWSER:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop running in the test thread; Django refuses ORM
    calls from a thread with a running loop unless told it is safe. It is: the test thread serves no
    requests (the live server has its own thread). Set for the browser tests only, then restored."""
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


# Package scope: one Chromium for all of tests/e2e, stopped (with Playwright's event loop) before the
# rest of the suite runs, so no later test finds a running asyncio loop in its thread.
@pytest.fixture(scope="package")
def _playwright(_orm_beside_playwright):
    reason = _browser_unavailable_reason()
    if reason:
        # Only reached when EKINERJA_REQUIRE_BROWSER=1 (otherwise the tests were marked skipped).
        pytest.fail(f"EKINERJA_REQUIRE_BROWSER=1 tetapi {reason}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(_playwright):
    # launch() gives every run a fresh temporary profile (user-data dir) of its own.
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}
    )
    yield browser
    browser.close()


def _context(browser, **options):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Makassar", **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser):
    """A desktop browser tab (1280x900)."""
    context = _context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A cheap Android phone: 360x740 CSS pixels, touch, device scale 2."""
    context = _context(
        browser,
        viewport={"width": PHONE_WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username: str, password: str = PASSWORD):
    """Log in through the real form; returns the page after the post-login navigation."""
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as docs/screenshots/<name>.png (kept in the repository)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_scroll(page, width: int = PHONE_WIDTH) -> bool:
    """True when the page fits the viewport width (nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def clipped_tables(page) -> list[str]:
    """data-testid (or index) of tables wider than their .table-responsive box, i.e. columns hidden
    behind a sideways scroll (a table hidden on this screen, `d-none`, is not). Use it on pages whose
    tables are meant to fit a phone entirely."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.table-responsive')]
            .filter(box => box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1)
            .map((box, i) => (box.querySelector('table') || box).dataset.testid || String(i))"""
    )
