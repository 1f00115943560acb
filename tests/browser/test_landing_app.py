"""The front door (``/``) in real headless Chromium: the three apps named and linked, no
notebook file name anywhere, the data summary as ``alignment.data.standards`` reports it,
and a link that opens its app."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, wait_for, wait_ready
from selenium.webdriver.common.by import By

from alignment.data.catalog import default_catalog
from alignment.data.editions import select_edition
from alignment.data.standards import SECTORS, load_standards, sector_coverage

APPS = {"Teacher coverage": "/apps/teacher-coverage", "Specialist review": "/apps/specialist-review",
        "Pathway gap dashboard": "/apps/pathway-gaps"}


@pytest.fixture(scope="module")
def expected_sectors():
    """Each CA CTE sector's pathway-standards status, as the standards module reports it."""
    coverage = sector_coverage(select_edition(load_standards(), "adopted"))  # what the server uses by default
    pathway = coverage[coverage["framework"] == "cte_pathway"]
    status = {}
    for sector, completeness in zip(pathway["sector"], pathway["completeness"]):
        status.setdefault(sector, set()).add(completeness)
    groups = {"complete": [], "partial": [], "missing": []}
    for sector in SECTORS:
        values = status[sector]
        groups["complete" if values == {"complete"} else "missing" if values == {"missing"} else "partial"].append(sector)
    return groups


def test_front_door_names_and_links_the_apps_and_the_data(browser, server, expected_sectors):
    browser.get(server.url)
    assert browser.title == "Pathway Align"
    cards = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "a.app"), message="no app cards")
    shown = {card.find_element(By.TAG_NAME, "h3").text: card.get_attribute("href") for card in cards}
    assert shown == {title: server.url.rstrip("/") + path for title, path in APPS.items()}
    teacher = cards[0].text
    assert "Which standards does my course teach, and what does my pathway still miss?" in teacher
    assert all(card.find_element(By.CSS_SELECTOR, ".audience").text for card in cards)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert ".ipynb" not in body and ".ipynb" not in browser.page_source
    # the data loaded, as alignment.data.standards reports it
    for css, key in (("complete-group", "complete"), ("partial-group", "partial"), ("missing-group", "missing")):
        group = browser.find_element(By.CSS_SELECTOR, f".{css}")
        assert int(group.find_element(By.CSS_SELECTOR, ".count").text) == len(expected_sectors[key])
        assert group.find_element(By.CSS_SELECTOR, ".names").text == (", ".join(expected_sectors[key]) or "none")
    assert [len(expected_sectors[k]) for k in ("complete", "partial", "missing")] == [2, 2, 11]
    standards = select_edition(load_standards(), "adopted")
    rows = browser.find_elements(By.CSS_SELECTOR, ".frameworks tbody tr")
    table = {r.find_elements(By.TAG_NAME, "td")[0].text: int(r.find_elements(By.TAG_NAME, "td")[1].text.replace(",", ""))
             for r in rows}
    expected = standards[standards["kind"] != "heading"].groupby("framework_title").size().to_dict()
    assert table == expected
    assert browser.find_element(By.CSS_SELECTOR, ".catalog-courses").text == str(len(default_catalog()))
    assert "Westview" in browser.find_element(By.CSS_SELECTOR, ".catalog-name").text
    # the page at its own height, for docs/images/landing.png
    height, chrome = browser.execute_script(
        "return [Math.ceil(document.querySelector('main').getBoundingClientRect().bottom),"
        " window.outerHeight - window.innerHeight]")
    browser.set_window_size(1280, int(height) + int(chrome))
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "landing.png"))
    browser.set_window_size(1280, 1500)
    # a link opens its app
    cards[0].click()
    wait_ready(browser)
    assert browser.current_url == server.url.rstrip("/") + "/apps/teacher-coverage"
    assert browser.find_elements(By.CSS_SELECTOR, ".pa-course-picker input")
    # the app's tab title is its human name, never the notebook's file name
    assert browser.title == "Teacher coverage - Pathway Align"
    assert "course_coverage" not in browser.title
