"""Browser tests: real headless Chromium (Debian's ``chromium`` + ``chromium-driver``)
against a real ``pathway-align serve`` the session starts and stops.

* ``server``: one Voila server for the session on a free 127.0.0.1 port, with a temp
  review database and a temp cache folder pre-seeded from ``.cache/``.
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
#: Seconds to wait for an app to be ready (kernel start + models from the seeded cache;
#: about a minute more if the cache was empty).
READY_TIMEOUT = 240


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
    srv = voila_server.start(server_workdir)
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


def wait_ready(driver, timeout: float = READY_TIMEOUT):
    """Wait until the app says it is ready; fail with what the page shows if it errors or times out."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def state(d):
        if d.find_elements(By.CSS_SELECTOR, ".pa-status-ready"):
            return "ready"
        if d.find_elements(By.CSS_SELECTOR, ".pa-status-error") or "error when executing cell" in d.page_source:
            return "error"
        return False

    try:
        outcome = WebDriverWait(driver, timeout, poll_frequency=0.5,
                                ignored_exceptions=(StaleElementReferenceException,)).until(state)
    except TimeoutException:
        outcome = "timeout"
    if outcome != "ready":
        body = driver.find_elements(By.TAG_NAME, "body")
        pytest.fail(f"the app is not ready ({outcome}) at {driver.current_url}:\n"
                    + (body[0].text[:3000] if body else driver.page_source[:3000]))


def wait_for(driver, condition, timeout: float = 240, message: str = ""):
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
