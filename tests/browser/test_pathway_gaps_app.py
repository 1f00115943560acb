"""The pathway gap dashboard in real headless Chromium against a real Voila server.

This module starts its own ``pathway-align serve`` (with ``voila_server``, as the
session's ``server``) because it needs its own data: a review store holding two
reviewer decisions on the Westview ICT pathway (the dashboard must apply them and must
not change the file), and a pathways file that is the bundled Westview file plus one
pathway whose names carry markup (it must show as text).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import time

import pytest
import voila_server
from conftest import require_chromium, screenshot, wait_for, wait_ready
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from alignment.data.pathways import default_pathways_path
from alignment.review.store import ReviewStore

APP = "pathway_gaps.ipynb"
ICT = "Information & Communication Technology Pathway"
CATALOG = "westview_2025_26_courses.csv"  # the name the review app records the bundled catalog under
CIS = "000966-000960"  # Computer Information Systems 1-2, the ICT concentrator
SSD = "CA-CTE.PATHWAY.ICT.SSD."
HOSTILE_NAME = 'Hostile <img src=x onerror="window.__pwned=1"> pathway'
HOSTILE_TITLE = "<script>window.__pwned=1</script>Web <b>Design</b>"
DOC_IMAGE = voila_server.REPO / "docs" / "images" / "app_pathway_gaps.png"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def gaps_server(tmp_path_factory):
    require_chromium()
    workdir = tmp_path_factory.mktemp("gap-dashboard-server")
    pathways = workdir / "westview_2025_26_pathways.csv"  # the bundled file plus one hostile pathway
    bundled = default_pathways_path().read_text(encoding="utf-8").rstrip("\n")
    hostile = [f'"{HOSTILE_NAME.replace(chr(34), chr(34) * 2)}",Information and Communication Technologies,,1,'
               f"{CIS},{CIS},Computer Information Systems 1-2,concentrator,",
               f'"{HOSTILE_NAME.replace(chr(34), chr(34) * 2)}",Information and Communication Technologies,,2,'
               f"001076-001077,001076-001077,{HOSTILE_TITLE},capstone,"]
    pathways.write_text(bundled + "\n" + "\n".join(hostile) + "\n", encoding="utf-8")
    review_db = workdir / "reviews" / "reviews.sqlite3"
    with ReviewStore(review_db, create=True) as store:  # what reviewers did in the review app
        store.record(CATALOG, CIS, SSD + "C1.0", "accepted", "ana", origin="reviewer")
        store.record(CATALOG, CIS, "CA-CTE.ANCHOR.ICT.11.1", "rejected", "ana")
    server = voila_server.start(workdir, "--pathways", str(pathways))
    assert server.review_db == review_db
    yield server
    server.stop()


def open_app(browser, server):
    browser.get(server.app_url(APP))
    wait_ready(browser)  # the pathways are listed; the models may still be loading


def choose(browser, name: str) -> list[str]:
    """Pick a pathway in the dropdown; return the statuses seen until it is shown."""
    select = Select(browser.find_element(By.CSS_SELECTOR, ".pa-gd-pathway select"))
    label = next(o.text for o in select.options if o.text.startswith(name))
    select.select_by_visible_text(label)
    seen: list[str] = []

    def shown(d):
        text = d.find_element(By.CSS_SELECTOR, ".pa-gd-status").text
        if not seen or seen[-1] != text:
            seen.append(text)
        if d.find_elements(By.CSS_SELECTOR, ".pa-gd-status .pa-status-error"):
            pytest.fail("the dashboard failed:\n" + d.find_element(By.TAG_NAME, "body").text[:3000])
        return text.startswith(f"Ready: {name}")

    wait_for(browser, shown, message=f"{name} was not shown")  # includes the models' loading
    return seen


def heatmap_loaded(d):
    images = d.find_elements(By.CSS_SELECTOR, ".pa-gd-heatmap img.pa-heatmap")
    if images and d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 600", images[0]):
        return images[0]
    return None


def tab(browser, title: str):
    tabs = browser.find_elements(By.CSS_SELECTOR, ".pa-gd-tabs .lm-TabBar-tab")
    next(t for t in tabs if t.text.startswith(title)).click()


def test_pick_a_pathway_see_heatmap_gaps_fixes_and_download(browser, gaps_server):
    before = _digest(gaps_server.review_db)
    open_app(browser, gaps_server)
    statuses = choose(browser, ICT)
    assert any(s.startswith("Computing…") for s in statuses), statuses
    status = statuses[-1]
    assert "Read 2 reviewed decision(s)" in status and "read-only" in status

    # the heatmap is a real image, drawn for the pathway
    image = wait_for(browser, heatmap_loaded, timeout=60, message="no heatmap image")
    assert "Coverage heatmap" in image.get_attribute("alt") and ICT in image.get_attribute("alt")
    # headline numbers, with honest labels; the two reviewed decisions are applied
    tiles = browser.find_element(By.CSS_SELECTOR, ".pa-gd-tiles").text
    assert re.search(r"Pathway standards covered\s+\d+\.\d%", tiles), tiles
    assert "partial data" in tiles  # Career Ready Practices are titles only
    decisions_tile = browser.find_element(By.CSS_SELECTOR, '.pa-tile[data-metric="decisions"] .pa-tile-value')
    assert decisions_tile.text == "2"
    # sector-only pathway: the best-fitting CA pathway is chosen for the heatmap and the gap list
    ca = Select(browser.find_element(By.CSS_SELECTOR, ".pa-gd-ca-pathway select"))
    assert "best fit" in ca.first_selected_option.text
    browser.execute_script("window.scrollTo(0, 0)")
    shot = screenshot(browser, "app_pathway_gaps")
    DOC_IMAGE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, DOC_IMAGE)

    # the gap list: real CA CTE codes, parts (a), (b), (e)
    tab(browser, "Gaps")
    gaps = wait_for(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".pa-gd-gaps .pa-gaps-a")
                                        if e.is_displayed()], message="no gap list")[0]
    codes = [e.text for e in gaps.find_elements(By.CSS_SELECTOR, "td .pa-code")]
    assert codes and all(re.fullmatch(r"ICT [A-F]\d+\.\d+", c) for c in codes), codes[:10]
    assert "ICT C3.0" in codes  # interfaces: no Westview ICT course covers it
    assert "ICT C1.0" not in codes  # a reviewer accepted it for Computer Information Systems
    assert "ICT C1.1" in codes  # ... its indicators are still gaps
    anchors = browser.find_element(By.CSS_SELECTOR, ".pa-gd-gaps .pa-gaps-b").text
    assert "anchor 6" in anchors.lower() and "Career Ready Practice not covered" in anchors
    assert "Sequencing" in browser.find_element(By.CSS_SELECTOR, ".pa-gd-gaps .pa-gaps-e").text
    screenshot(browser, "app_pathway_gaps_list")

    # suggested fixes: catalog courses per gap
    tab(browser, "Suggested fixes")
    fixes = wait_for(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".pa-gd-fixes .pa-fixes")
                                         if e.is_displayed()], message="no fixes")[0]
    assert fixes.find_elements(By.CSS_SELECTOR, ".pa-fixlist li") and "in this pathway" in fixes.text

    # the report downloads travel in the page
    links = {a.get_attribute("download"): a.get_attribute("href")
             for a in browser.find_elements(By.CSS_SELECTOR, ".pa-gd-downloads a.pa-download")}
    name = "gaps-information-communication-technology-pathway"
    assert set(links) == {f"{name}.xlsx", f"{name}.html"}
    assert links[f"{name}.xlsx"].startswith(
        "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,UEsD")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(base64.b64decode(links[f"{name}.xlsx"].split("base64,", 1)[1])))
    assert {"Summary", "(a) Pathway gaps", "(g) Suggested fixes", "Charts"} <= set(book.sheetnames)
    page = base64.b64decode(links[f"{name}.html"].split("base64,", 1)[1]).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "ICT C3.0" in page

    # the dashboard only read the review store
    assert _digest(gaps_server.review_db) == before
    with ReviewStore(gaps_server.review_db) as store:
        assert len(store.decisions()) == 2 and len(store.audit()) == 2


def test_not_loaded_sector_and_hostile_names_are_text(browser, gaps_server):
    open_app(browser, gaps_server)
    choose(browser, "Engineering & Architecture Pathway")
    tiles = browser.find_element(By.CSS_SELECTOR, ".pa-gd-tiles").text
    assert "not loaded" in tiles and "n/a" in tiles
    assert "no pathway standards loaded for this sector (Engineering and Architecture)" in browser.find_element(
        By.CSS_SELECTOR, ".pa-gd-notes").text

    choose(browser, "Hostile")
    wait_for(browser, heatmap_loaded, timeout=60, message="no heatmap image")
    tab(browser, "Gaps")
    time.sleep(0.5)
    page = browser.find_element(By.CSS_SELECTOR, ".pa-gap-dashboard")
    assert HOSTILE_NAME in browser.find_element(By.CSS_SELECTOR, ".pa-gd-status").text
    sequencing = browser.find_element(By.CSS_SELECTOR, ".pa-gd-gaps").text
    tab(browser, "Coverage summary")
    time.sleep(0.5)
    by_course = browser.find_element(By.CSS_SELECTOR, ".pa-gd-coverage .pa-by-course").text
    assert HOSTILE_TITLE in by_course, by_course
    assert page.find_elements(By.CSS_SELECTOR, "script, b") == []
    assert page.find_elements(By.CSS_SELECTOR, "img:not(.pa-chart)") == []
    assert browser.execute_script("return window.__pwned === undefined")
    assert sequencing  # the gap list rendered
    screenshot(browser, "app_pathway_gaps_hostile")
