"""The specialist review app in real headless Chromium against a real Voila server:
decisions are written one per click, survive a reload (and are in the SQLite file),
resume where the reviewer left off; refusals, uploads and exports show in the page."""

from __future__ import annotations

import base64
import re
import sqlite3

import pandas as pd
from conftest import screenshot, wait_for, wait_ready
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

APP = "review.ipynb"
FINANCE = "INTRODUCTION TO FINANCE 1-2 (000217-000218)"
CATALOG = "westview_2025_26_courses.csv"


def open_app(browser, server, token=None):
    browser.get(server.app_url(APP, token))
    wait_ready(browser)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-row"), message="no suggestions shown")


def type_name(browser, name: str):
    box = browser.find_element(By.CSS_SELECTOR, ".pa-reviewer input")
    box.clear()
    box.send_keys(name)
    box.send_keys(Keys.ENTER)


def course_class(label: str) -> str:
    return "pa-row-course-" + re.sub(r"[^A-Za-z0-9_-]+", "_", label.rsplit(" (", 1)[1].rstrip(")")).strip("_")


def choose_course(browser, label: str):
    Select(browser.find_element(By.CSS_SELECTOR, ".pa-review-course select")).select_by_visible_text(label)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f".pa-row.{course_class(label)}")
             and not d.find_elements(By.CSS_SELECTOR, f".pa-row:not(.{course_class(label)})"),
             message=f"{label} not shown")


def rows(browser):
    return browser.find_elements(By.CSS_SELECTOR, ".pa-row")


def row_status(browser, i: int) -> str:
    return rows(browser)[i].find_element(By.CSS_SELECTOR, ".pa-status-line").text


def message(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".pa-message").text


#: The upload button clicks a file input that is not in the page (it would open the
#: system's file dialog); in the test it is put into the page instead, so that
#: chromedriver can give it a file the way a user's dialog would.
_EXPOSE_FILE_INPUT = """
const original = HTMLInputElement.prototype.click;
HTMLInputElement.prototype.click = function () {
  if (this.type !== 'file') { return original.call(this); }
  this.style.display = 'block';
  this.classList.add('pa-test-file-input');
  document.body.appendChild(this);
};
"""


def upload(browser, path):
    browser.execute_script(_EXPOSE_FILE_INPUT)
    for old in browser.find_elements(By.CSS_SELECTOR, ".pa-test-file-input"):
        browser.execute_script("arguments[0].classList.remove('pa-test-file-input')", old)
    browser.find_element(By.CSS_SELECTOR, ".pa-upload").click()
    field = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-test-file-input"))[0]
    field.send_keys(str(path))


def decisions_in_file(path, reviewer: str) -> pd.DataFrame:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return pd.read_sql_query("SELECT * FROM decisions WHERE reviewer = ? ORDER BY decided_at", con,
                                 params=(reviewer,))
    finally:
        con.close()


def count_decisions(path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
    finally:
        con.close()


def test_accept_and_reject_persist_across_a_reload(browser, server):
    reviewer = "Ana Lopez"  # a fresh review database per session
    open_app(browser, server)
    type_name(browser, reviewer)
    choose_course(browser, FINANCE)
    first = rows(browser)[0]
    Select(first.find_element(By.CSS_SELECTOR, ".pa-assoc select")).select_by_visible_text("related (isRelatedTo)")
    first.find_element(By.CSS_SELECTOR, ".pa-note input").send_keys("taught in unit 3")
    first.find_element(By.CSS_SELECTOR, ".pa-accept").click()
    wait_for(browser, lambda d: row_status(d, 0).startswith("accepted (related)"), message="accept not shown")
    rows(browser)[1].find_element(By.CSS_SELECTOR, ".pa-reject").click()
    wait_for(browser, lambda d: row_status(d, 1).startswith("rejected"), message="reject not shown")
    assert reviewer in row_status(browser, 0) and "taught in unit 3" in row_status(browser, 0)
    # every suggestion shown is one to review: the progress counts them all
    assert f"this course: 2 of {len(rows(browser))} reviewed" in browser.find_element(By.CSS_SELECTOR, ".pa-progress-box").text

    stored = decisions_in_file(server.review_db, reviewer)
    assert list(stored["decision"]) == ["accepted", "rejected"]
    assert set(stored["course_id"]) == {"000217-000218"} and set(stored["catalog"]) == {CATALOG}
    assert stored.loc[0, "association_type"] == "isRelatedTo" and stored.loc[0, "note"] == "taught in unit 3"

    browser.refresh()
    open_app(browser, server)
    type_name(browser, reviewer)
    wait_for(browser, lambda d: "Welcome back" in message(d), message="did not resume")
    assert "INTRODUCTION TO FINANCE 1-2" in browser.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f".pa-row.{course_class(FINANCE)}")
             and not d.find_elements(By.CSS_SELECTOR, f".pa-row:not(.{course_class(FINANCE)})"))
    wait_for(browser, lambda d: row_status(d, 0).startswith("accepted (related)") and row_status(d, 1).startswith(
        "rejected"), message="decisions not shown after the reload")
    assert len(decisions_in_file(server.review_db, reviewer)) == 2
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "app_review", full=False)


def test_refusal_missed_standard_export_and_upload(browser, server, tmp_path):
    open_app(browser, server)
    # no name: the decision is refused, shown as text, nothing written
    before = count_decisions(server.review_db)
    rows(browser)[0].find_element(By.CSS_SELECTOR, ".pa-accept").click()
    wait_for(browser, lambda d: "Type your name" in message(d), message="no refusal shown")
    assert count_decisions(server.review_db) == before

    reviewer = "Ben Okafor"
    type_name(browser, reviewer)
    # add a standard the machine missed
    search = browser.find_element(By.CSS_SELECTOR, ".pa-search input")
    search.send_keys("HSA.SSE.A.1")
    search.send_keys(Keys.ENTER)
    found = wait_for(browser, lambda d: [o.text for o in
                                         Select(d.find_element(By.CSS_SELECTOR, ".pa-search-results select")).options])
    assert found[0].startswith("HSA.SSE.A.1 ")
    Select(browser.find_element(By.CSS_SELECTOR, ".pa-search-results select")).select_by_index(0)
    browser.find_element(By.CSS_SELECTOR, ".pa-add").click()
    wait_for(browser, lambda d: "Saved: accepted HSA.SSE.A.1" in message(d), message="missed standard not saved")
    wait_for(browser, lambda d: "HSA.SSE.A.1" in d.find_element(By.CSS_SELECTOR, ".pa-added").text,
             message="the added standard is not listed")
    assert "Added by reviewers" in browser.find_element(By.CSS_SELECTOR, ".pa-added").text
    stored = decisions_in_file(server.review_db, reviewer)
    assert list(stored["origin"]) == ["reviewer"] and list(stored["decision"]) == ["accepted"]

    # export: CSV in the page, with the decision in it
    browser.find_element(By.CSS_SELECTOR, ".pa-export-csv").click()
    # read the link inside the wait: the widget may re-render it between two calls
    name, href = wait_for(browser, lambda d: [(a.get_attribute("download"), a.get_attribute("href")) for a in
                                              d.find_elements(By.CSS_SELECTOR, ".pa-export-links a.pa-download")])[0]
    assert name == "westview_2025_26_courses-decisions.csv"
    csv = base64.b64decode(href.split("base64,", 1)[1]).decode()
    assert stored.loc[0, "standard_id"] in csv and reviewer in csv
    browser.find_element(By.CSS_SELECTOR, ".pa-export-case").click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-export-links a").get_attribute("download")
             .endswith("-case.json"))

    # uploads: a bad file is refused with the CLI's message, shown as text; a good one loads
    bad = tmp_path / "bad<b>.csv"
    bad.write_text("course_id,title\nX1,<img src=x onerror=alert(1)>\n", encoding="utf-8")
    upload(browser, bad)
    wait_for(browser, lambda d: "was not loaded" in message(d), message="bad upload not reported")
    assert "missing required column description" in message(browser)
    assert browser.find_elements(By.CSS_SELECTOR, ".pa-message img, .pa-message b") == []
    good = tmp_path / "my_catalog.csv"
    good.write_text("course_id,title,description\nM1,Money Skills,Students make budgets and track spending.\n",
                    encoding="utf-8")
    upload(browser, good)
    wait_for(browser, lambda d: "Loaded my_catalog.csv: 1 courses" in message(d), message="good upload not loaded")
    wait_for(browser, lambda d: "Money Skills" in d.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text)
