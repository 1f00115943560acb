"""Team mode in real headless Chromium: a request without credentials gets the login
page, a per-user token signs a reviewer in, and the review app records that name
(read-only) instead of a typed one; with the shared token reviewers type their name.
The front door is behind the same sign-in, and a token in a URL leaves the address bar."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import voila_server
from conftest import require_chromium, wait_for, wait_ready
from selenium.webdriver.common.by import By

SHARED = "team-shared-" + "0123456789abcdef"
MARIA = "maria-token-" + "fedcba9876543210"


@pytest.fixture(scope="module")
def team_server():
    require_chromium()
    workdir = Path(tempfile.mkdtemp(prefix="pathway-align-team-"))
    toml = workdir / "pathway-align.toml"
    toml.write_text(
        f'[server]\nteam = true\nhost = "127.0.0.1"\n\n[team.users]\n"{MARIA}" = "Maria Lopez"\n', encoding="utf-8")
    toml.chmod(0o600)  # it holds tokens; a file in the current folder is never read unless named
    server = voila_server.start(workdir, "--config", str(toml), env={"PATHWAY_ALIGN_TOKEN": SHARED}, create_review_db=True)
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def test_login_with_a_personal_token_records_that_reviewer(browser, team_server):
    browser.get(team_server.app_url("review.ipynb"))
    password = wait_for(browser, lambda d: d.find_elements(By.NAME, "password"), message="no login page")[0]
    assert "/login" in browser.current_url
    assert not browser.find_elements(By.CSS_SELECTOR, ".pa-app")
    password.send_keys(MARIA)
    password.submit()
    wait_ready(browser)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-row"))
    assert "Signed in as Maria Lopez" in browser.find_element(By.CSS_SELECTOR, ".pa-who").text
    name = browser.find_element(By.CSS_SELECTOR, ".pa-reviewer input")
    assert name.get_attribute("value") == "Maria Lopez" and not name.is_enabled()
    browser.find_elements(By.CSS_SELECTOR, ".pa-row")[0].find_element(By.CSS_SELECTOR, ".pa-accept").click()
    wait_for(browser, lambda d: "accepted" in d.find_elements(By.CSS_SELECTOR, ".pa-row")[0].text)
    con = sqlite3.connect(f"file:{team_server.review_db}?mode=ro", uri=True)
    try:
        decisions = pd.read_sql_query("SELECT reviewer FROM decisions", con)
        audit = pd.read_sql_query("SELECT reviewer FROM audit", con)
    finally:
        con.close()
    assert list(decisions["reviewer"]) == ["Maria Lopez"] and list(audit["reviewer"]) == ["Maria Lopez"]


def test_shared_token_cannot_tell_reviewers_apart_so_they_type_a_name(browser, team_server):
    browser.get(team_server.app_url("review.ipynb", token=SHARED))
    wait_ready(browser)
    # signed in by the URL's token, then sent to the same page without it
    assert browser.current_url == team_server.app_url("review.ipynb") and SHARED not in browser.page_source
    assert "shared password or token" in browser.find_element(By.CSS_SELECTOR, ".pa-who").text
    assert browser.find_element(By.CSS_SELECTOR, ".pa-reviewer input").is_enabled()


def test_front_door_comes_after_the_sign_in(browser, team_server):
    browser.get(team_server.url)
    password = wait_for(browser, lambda d: d.find_elements(By.NAME, "password"), message="no login page")[0]
    assert "/login" in browser.current_url and not browser.find_elements(By.CSS_SELECTOR, "a.app")
    password.send_keys(MARIA)
    password.submit()
    cards = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "a.app"), message="no front door")
    assert browser.current_url == team_server.url
    assert [c.find_element(By.TAG_NAME, "h3").text for c in cards] == [
        "Teacher coverage", "Specialist review", "Pathway gap dashboard"]
    assert browser.find_element(By.CSS_SELECTOR, ".who").text == "Signed in as Maria Lopez"
    assert ".ipynb" not in browser.page_source and MARIA not in browser.page_source
