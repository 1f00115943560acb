"""Reviewing a crosswalk between editions in the review app, in real headless Chromium
against a real Voila server: ``pathway-align crosswalk suggest`` registers the 2013 AME
-> 2023 draft suggestions in the server's review store, the reviewer switches the app to
its Crosswalk mode, decides pairs (each click one audited decision in the SQLite file),
undoes one, and downloads the reviewed crosswalk as CASE JSON."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys

from conftest import screenshot, wait_for, wait_ready
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import voila_server
from alignment.ui.html import css_class

APP = "review.ipynb"
SAFETY, SAFETY_NEW = "CA-CTE.PATHWAY.AME.PMA.C1.0", "CA-CTE.2023-DRAFT.AME.ANCHOR.6.2"
THEATER = "CA-CTE.PATHWAY.AME.PA.B1.0"


def suggest_into(review_db) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alignment.present.cli", "crosswalk", "suggest", "--from", "2013", "--to", "2023-draft",
         "--sector", "Arts, Media, and Entertainment", "--review-db", str(review_db)],
        capture_output=True, text=True, cwd=voila_server.REPO,
        env=dict(os.environ, PYTHONPATH=str(voila_server.REPO)), timeout=900)
    assert result.returncode == 0, result.stderr


def query(path, sql: str, params: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def crosswalk_rows(path) -> list[tuple]:
    return query(path, "SELECT from_id, to_id, decision, reviewer FROM crosswalk_decisions ORDER BY from_id, to_id")


def pair(browser, from_id: str, to_id: str):
    return browser.find_element(By.CSS_SELECTOR, f".pa-xw-row-{css_class(from_id)}--{css_class(to_id)}")


def pair_status(browser, from_id: str, to_id: str) -> str:
    return pair(browser, from_id, to_id).find_element(By.CSS_SELECTOR, ".pa-xw-status").text


def test_review_a_crosswalk_in_the_app(browser, server):
    suggest_into(server.review_db)
    browser.get(server.app_url(APP))
    wait_ready(browser)
    # as the course review's tests: the first course is drawn once the app is ready
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-row"), message="no suggestions shown")
    box = browser.find_element(By.CSS_SELECTOR, ".pa-reviewer input")
    box.clear()
    box.send_keys("Cy Reviewer")
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-reviewer input").get_attribute("value")
             == "Cy Reviewer", message="the name is not in its field")

    def crosswalk_mode_shown(d):
        if not d.find_element(By.CSS_SELECTOR, ".pa-xw-panel").is_displayed():
            # choosing the mode is idempotent: choose it (again) until the page shows it
            [b for b in d.find_elements(By.CSS_SELECTOR, ".pa-mode button") if "Crosswalk" in b.text][0].click()
            return False
        return len([r for r in d.find_elements(By.CSS_SELECTOR, ".pa-xw-row") if r.is_displayed()]) == 30

    wait_for(browser, crosswalk_mode_shown, message="the 30 suggested pairs (10 standards x 3) are not shown")
    panel = browser.find_element(By.CSS_SELECTOR, ".pa-xw-panel").text
    assert "2013 (adopted) -> 2023-draft (draft)" in panel and "2023-draft (draft)" in panel
    assert "Demonstrate knowledge of industry safety standards" in panel
    assert "Practice workplace safety as defined by industry standards" in panel
    # the course review is hidden meanwhile
    assert not browser.find_element(By.CSS_SELECTOR, ".pa-review-course-card").is_displayed()

    pair(browser, SAFETY, SAFETY_NEW).find_element(By.CSS_SELECTOR, ".pa-xw-exact").click()

    def shown_or_refused(d):
        refused = d.find_element(By.CSS_SELECTOR, ".pa-xw-message").text
        assert not refused, f"the decision was refused: {refused}"
        return pair_status(d, SAFETY, SAFETY_NEW).startswith("exact match by Cy Reviewer")

    wait_for(browser, shown_or_refused, message="exact match not shown")
    theater = [to for (to,) in query(server.review_db, "SELECT to_id FROM crosswalk_suggestions WHERE from_id = ? "
                                                      "ORDER BY rank", (THEATER,))]
    assert len(theater) == 3 and len(browser.find_elements(
        By.CSS_SELECTOR, f".pa-xw-item-{css_class(THEATER)} .pa-xw-row")) == 3
    pair(browser, THEATER, theater[0]).find_element(By.CSS_SELECTOR, ".pa-xw-related").click()
    wait_for(browser, lambda d: pair_status(d, THEATER, theater[0]).startswith("related"), message="related not shown")
    pair(browser, THEATER, theater[1]).find_element(By.CSS_SELECTOR, ".pa-xw-none").click()
    wait_for(browser, lambda d: len(crosswalk_rows(server.review_db)) == 3, message="three decisions not saved")
    wait_for(browser, lambda d: "3 of 30 suggested pairs reviewed" in
             d.find_element(By.CSS_SELECTOR, ".pa-xw-progress").text, message="progress not updated")
    # undo the last one (not a counterpart): back to two decisions
    browser.find_element(By.CSS_SELECTOR, ".pa-xw-undo-last").click()
    wait_for(browser, lambda d: len(crosswalk_rows(server.review_db)) == 2, message="undo not saved")
    stored = crosswalk_rows(server.review_db)
    assert (SAFETY, SAFETY_NEW, "exact", "Cy Reviewer") in stored
    assert [r[2] for r in stored if r[0] == THEATER] == ["related"]

    browser.find_element(By.CSS_SELECTOR, ".pa-xw-export").click()
    name, href = wait_for(browser, lambda d: [(a.get_attribute("download"), a.get_attribute("href")) for a in
                                              d.find_elements(By.CSS_SELECTOR, ".pa-xw-export-links a.pa-download")],
                          message="no CASE download")[0]
    assert name == "crosswalk-2013-to-2023-draft-case.json"
    package = json.loads(base64.b64decode(href.split("base64,", 1)[1]))
    assert sorted(a["associationType"] for a in package["CFAssociations"]) == ["exactMatchOf", "isRelatedTo"]
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "app_review_crosswalk", full=False)
