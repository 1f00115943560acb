"""The teacher coverage app in real headless Chromium against a real Voila server."""

from __future__ import annotations

import base64
import hashlib
import io

import pandas as pd
import pytest
from conftest import screenshot, wait_for, wait_ready
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

APP = "course_coverage.ipynb"
FINANCE = "INTRODUCTION TO FINANCE 1-2 (000217-000218)"
ENGINEERING = "INTRODUCTION TO ENGINEERING DESIGN 1-2 (PLTW) (000854-000855)"
MEDICAL = "HONORS MEDICAL INTERVENTIONS 1-2 (PLTW) (001275-001276)"
HOSTILE = ("Students learn <script>alert(1)</script> budgeting and "
           "<img src=x onerror=\"window.__pwned=1;alert(1)\"> financial planning for a small business.")


def open_app(browser, server):
    browser.get(server.app_url(APP))
    wait_ready(browser)


def pick(browser, label: str):
    """Choose a catalog course in the searchable list (type, then Enter)."""
    box = browser.find_element(By.CSS_SELECTOR, ".pa-course-picker input")
    box.clear()
    box.send_keys(label)
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: label.split(" (")[0] in d.find_element(By.CSS_SELECTOR, ".pa-results").text
             and d.find_elements(By.CSS_SELECTOR, ".pa-results .pa-group"), message=f"no results for {label}")


def results(browser):
    return browser.find_element(By.CSS_SELECTOR, ".pa-results")


def test_pick_a_catalog_course_shows_grouped_standards_with_evidence(browser, server):
    open_app(browser, server)
    pick(browser, FINANCE)
    box = results(browser)
    titles = [e.text for e in box.find_elements(By.CSS_SELECTOR, ".pa-group h3")]
    # each Common Core framework's practice standards are a group of their own, after its content
    assert titles == ["CTE pathway standards", "CTE anchor standards", "CTE Standards for Career Ready Practice",
                      "Common Core ELA / Literacy", "College and Career Readiness anchor standards",
                      "Common Core Mathematics", "Standards for Mathematical Practice"]
    cards = box.find_elements(By.CSS_SELECTOR, ".pa-group-cte_pathway .pa-card")
    assert len(cards) == 5
    top = cards[0]
    code = top.find_element(By.CSS_SELECTOR, ".pa-code").text
    assert code.startswith("BF ")  # a Business and Finance pathway standard
    assert top.find_element(By.CSS_SELECTOR, ".pa-badge").text.lower() in ("strong", "possible", "weak")
    # evidence highlighted in both texts: the standard's and the course's sentence
    in_standard = {m.text.lower() for m in top.find_elements(By.CSS_SELECTOR, ".pa-std-text mark")}
    in_course = {m.text.lower() for m in top.find_elements(By.CSS_SELECTOR, ".pa-evidence mark")}
    assert in_standard and in_course
    assert any(word.startswith("financ") for word in in_standard | in_course)
    assert box.find_elements(By.CSS_SELECTOR, ".pa-course .pa-desc mark")
    # the anchor standards of Business and Finance are partial data, and say so
    assert "partial data" in box.find_element(By.CSS_SELECTOR, ".pa-group-cte_anchor").text
    # the files are made when asked (a button), then travel in the page as data: links
    assert not browser.find_elements(By.CSS_SELECTOR, "a.pa-download")
    browser.find_element(By.CSS_SELECTOR, ".pa-prepare-downloads").click()
    links = wait_for(browser, lambda d: {a.get_attribute("download"): a.get_attribute("href")
                                         for a in d.find_elements(By.CSS_SELECTOR, "a.pa-download")},
                     message="no downloads")
    assert set(links) == {"standards-000217-000218.csv", "standards-000217-000218.xlsx"}
    csv = base64.b64decode(links["standards-000217-000218.csv"].split("base64,", 1)[1])
    table = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(table["course_id"]) == {"000217-000218"} and code in set(table["display_code"])
    assert links["standards-000217-000218.xlsx"].startswith(
        "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,UEsD")  # a zip: xlsx
    # the course's pathway is chosen for the gap panel, which says what the pathway misses
    wait_for(browser, lambda d: "still misses" in d.find_element(By.CSS_SELECTOR, ".pa-gaps").text
             and d.find_elements(By.CSS_SELECTOR, ".pa-gaps table"), timeout=180, message="no gap panel")
    assert "Pathway standards no course covers" in browser.find_element(By.CSS_SELECTOR, ".pa-gaps").text
    screenshot(browser, "app_course_coverage_full")
    screenshot(browser, "app_course_coverage", full=False)  # the top of the page: docs/images/


def test_missing_and_partial_sectors_are_labelled(browser, server):
    open_app(browser, server)
    pick(browser, ENGINEERING)
    pathway_group = results(browser).find_element(By.CSS_SELECTOR, ".pa-group-cte_pathway")
    assert "No pathway standards loaded for this sector (Engineering and Architecture)." in pathway_group.text
    assert not pathway_group.find_elements(By.CSS_SELECTOR, ".pa-card")
    pick(browser, MEDICAL)
    pathway_group = results(browser).find_element(By.CSS_SELECTOR, ".pa-group-cte_pathway")
    assert "partial data" in pathway_group.text and "Patient Care" in pathway_group.text
    assert pathway_group.find_elements(By.CSS_SELECTOR, ".pa-card")


def _store_state(path):
    files = [path, path.with_name(path.name + "-wal")]
    return [hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None for f in files]


def test_hostile_description_is_shown_as_text_and_nothing_is_written(browser, server):
    before = _store_state(server.review_db)
    open_app(browser, server)
    browser.find_elements(By.CSS_SELECTOR, ".pa-mode button")[1].click()  # "Paste a description"
    area = wait_for(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".pa-paste textarea")
                                        if e.is_displayed()])[0]
    area.send_keys(HOSTILE)
    browser.find_element(By.CSS_SELECTOR, ".pa-paste-title input").send_keys("<b>My</b> course")
    browser.find_element(By.CSS_SELECTOR, ".pa-run").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-results .pa-card"), message="no results")
    box = results(browser)
    assert "<script>alert(1)</script>" in box.text
    assert '<img src=x onerror="window.__pwned=1;alert(1)">' in box.text
    assert "<b>My</b> course" in box.text
    assert box.find_elements(By.CSS_SELECTOR, "script, img, b") == []
    assert browser.find_elements(By.CSS_SELECTOR, ".pa-app script, .pa-app img") == []
    assert browser.execute_script("return window.__pwned === undefined")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    screenshot(browser, "app_course_coverage_hostile")
    # the teacher app only reads: the review store is as it was (absent, or unchanged)
    assert _store_state(server.review_db) == before
