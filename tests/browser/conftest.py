"""Browser tests: real headless Chromium (Debian's ``chromium`` + ``chromium-driver``)
against a real ``pathway-align serve`` the session starts and stops.

* ``server``: one Voila server for the session on a free 127.0.0.1 port, with a new,
  empty review database and a temp cache folder pre-seeded from ``.cache/``.
* ``wait_ready``: waits for the condition every app signals once its data is loaded and
  its first view drawn (the hidden ``.pa-ready`` element, ``alignment.ui.html.READY_MARKER``),
  up to a generous bound; it returns as soon as the app is ready, so the bound costs
  nothing on a quiet machine and only stops a hung run on a loaded one.
* ``browser``: a fresh Chromium (fresh profile) per test; on teardown it leaves the page
  (so Voila shuts the page's kernel down) and saves a screenshot to ``test-artifacts/``.
* Without Chromium the tests FAIL when ``CI`` is set (CI must install it) and are
  skipped locally, saying what to install.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

import voila_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = voila_server.REPO / "test-artifacts"
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1500",
]
#: Upper bound (seconds) on waiting for an app's ready signal or for a computation it
#: runs (kernel start, models from the seeded cache, a pathway's report): a bound for a
#: hung run on a loaded machine (two cores shared by many runs), not an expected time.
READY_TIMEOUT = 600


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def require_chromium():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = (f"browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} missing): "
               "apt-get install -y chromium chromium-driver")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def server_workdir():
    path = Path(tempfile.mkdtemp(prefix="pathway-align-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def server(server_workdir):
    require_chromium()
    srv = voila_server.start(server_workdir, create_review_db=True)
    yield srv
    srv.stop()


def _make_driver(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.fixture
def browser(request, tmp_path):
    require_chromium()
    driver = _make_driver(tmp_path / "profile")
    driver.set_page_load_timeout(READY_TIMEOUT)
    yield driver
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        driver.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))
        driver.get("about:blank")  # Voila's unload handler shuts the page's kernel down
        time.sleep(0.5)
    finally:
        driver.quit()


def screenshot(driver, name: str, full: bool = True) -> Path:
    """Save a screenshot of the page (full height unless ``full`` is False) under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    if not full:
        path = ARTIFACTS / f"{name}.png"
        driver.save_screenshot(str(path))
        return path
    height = driver.execute_script(
        "return Math.max(...Array.from(document.querySelectorAll('*'), e => e.scrollHeight))")
    driver.set_window_size(1280, min(max(int(height) + 120, 900), 8000))
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1500)
    return path


def wait_ready(driver, timeout: float = READY_TIMEOUT) -> float:
    """Wait until the app signals it is ready (``.pa-ready``); fail with what the page shows
    if it errors or times out. Returns the seconds waited."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def state(d):
        if d.find_elements(By.CSS_SELECTOR, ".pa-ready"):
            return "ready"
        if d.find_elements(By.CSS_SELECTOR, ".pa-status-error") or "error when executing cell" in d.page_source:
            return "error"
        return False

    start = time.monotonic()
    try:
        outcome = WebDriverWait(driver, timeout, poll_frequency=0.25,
                                ignored_exceptions=(StaleElementReferenceException,)).until(state)
    except TimeoutException:
        outcome = "timeout"
    waited = time.monotonic() - start
    if outcome != "ready":
        body = driver.find_elements(By.TAG_NAME, "body")
        pytest.fail(f"the app is not ready ({outcome}) after {waited:.0f} s at {driver.current_url}:\n"
                    + (body[0].text[:3000] if body else driver.page_source[:3000]))
    print(f"ready after {waited:.1f} s: {driver.current_url}")
    return waited


def wait_for(driver, condition, timeout: float = READY_TIMEOUT, message: str = ""):
    """Wait for ``condition(driver)`` to be truthy; on timeout fail with the page's text."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # widgets re-render their DOM when the kernel updates them: an element found in one poll
    # may be gone in the next, so a stale reference means "not yet", not failure
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        body = driver.find_elements(By.TAG_NAME, "body")
        pytest.fail(f"timed out after {timeout} s: {message}\npage:\n" + (body[0].text[:3000] if body else ""))
