"""A sector that was not loaded, imported in the review app, used by the other apps.

This module starts its own ``pathway-align serve`` whose bundled data lacks the
Information and Communication Technologies sector (a copy of ``standards_data/``
without its rows, set with ``PATHWAY_ALIGN_STANDARDS_DIR``) and whose standards
library is an empty temp folder (``PATHWAY_ALIGN_STANDARDS_LIBRARY``). Then, in real
Chromium: the teacher app says the sector's pathway standards are not loaded; the
specialist uploads the sector's standards (a PDF in the CDE layout written from the
real bundled rows) in the review app; a new teacher page suggests the sector's pathway
standards for an ICT course, and the gap dashboard lists the sector's pathways.
"""

from __future__ import annotations

import shutil

import pytest
import voila_server
from cde_documents import cde_blocks, write_pdf
from conftest import require_chromium, screenshot, wait_for, wait_ready
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from alignment import settings as config
from alignment.data.library import list_imports
from alignment.data.standards import add_hierarchy_columns, coerce_tidy, load_standards

ICT = "Information and Communication Technologies"
COURSE = "AP COMPUTER SCIENCE A 1-2 (001056-001057)"
SCHOOL_PATHWAY = "Information & Communication Technology Pathway"
ICT_PATHWAYS = {"Information Support and Services", "Networking", "Software and Systems Development",
                "Games and Simulation"}


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    require_chromium()
    workdir = tmp_path_factory.mktemp("standards-library-server")
    bundle_dir = workdir / "standards_data"
    shutil.copytree(config.STANDARDS_DATA_DIR / "catalogs", bundle_dir / "catalogs")
    bundle = load_standards()
    without = coerce_tidy(add_hierarchy_columns(bundle[bundle["sector"] != ICT].reset_index(drop=True)))
    without.to_csv(bundle_dir / "standards.csv", index=False, lineterminator="\n", encoding="utf-8")
    ict = bundle[(bundle["sector"] == ICT) & bundle["framework"].isin(["cte_anchor", "cte_pathway"])]
    document = write_pdf(cde_blocks(ict, ICT), workdir / "ict_model_curriculum_standards.pdf", ICT)
    library = workdir / "library"
    server = voila_server.start(workdir, env={"PATHWAY_ALIGN_STANDARDS_DIR": str(bundle_dir),
                                              "PATHWAY_ALIGN_STANDARDS_LIBRARY": str(library)})
    server.document, server.library = document, library
    yield server
    server.stop()


def pick(browser, label: str):
    box = browser.find_element(By.CSS_SELECTOR, ".pa-course-picker input")
    box.clear()
    box.send_keys(label)
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: label.split(" (")[0] in d.find_element(By.CSS_SELECTOR, ".pa-results").text
             and d.find_elements(By.CSS_SELECTOR, ".pa-results .pa-group"), message=f"no results for {label}")
    return browser.find_element(By.CSS_SELECTOR, ".pa-results .pa-group-cte_pathway")


def test_import_in_the_review_app_loads_the_sector_in_the_teacher_app_and_the_dashboard(browser, library_server):
    # 1. the teacher app: the sector is not loaded, and the page says which import fixes it
    browser.get(library_server.app_url("course_coverage.ipynb"))
    wait_ready(browser)
    group = pick(browser, COURSE)
    assert f"No pathway standards loaded for this sector ({ICT})" in group.text
    assert f'pathway-align standards import FILE --sector "{ICT}"' in group.text
    assert not group.find_elements(By.CSS_SELECTOR, ".pa-card")

    # 2. the review app: the specialist uploads the sector's standards document
    browser.get(library_server.app_url("review.ipynb"))
    upload = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-standards-upload input[type=file]"),
                      message="no standards upload in the review app")[0]
    upload.send_keys(str(library_server.document))
    browser.find_element(By.CSS_SELECTOR, ".pa-standards-import").click()
    message = wait_for(browser, lambda d: "imported" in d.find_element(By.CSS_SELECTOR, ".pa-standards-message").text
                       and d.find_element(By.CSS_SELECTOR, ".pa-standards-message"), timeout=120,
                       message="the import did not finish")
    assert "ict-model-curriculum-standards: imported 322 rows from ict_model_curriculum_standards.pdf (pdf)" in \
        message.text
    screenshot(browser, "standards_library_import")
    entries = list_imports(library_server.library)
    assert [e.name for e in entries] == ["ict-model-curriculum-standards"]
    assert {s["sector"] for s in entries[0].provenance["supplies"]} == {ICT}

    # 3. a new teacher page: the ICT course gets the sector's pathway standards
    browser.get(library_server.app_url("course_coverage.ipynb"))
    wait_ready(browser)
    group = pick(browser, COURSE)
    cards = group.find_elements(By.CSS_SELECTOR, ".pa-card")
    assert len(cards) == 5
    assert all(c.find_element(By.CSS_SELECTOR, ".pa-code").text.startswith("ICT ") for c in cards)
    assert "No pathway standards loaded" not in group.text

    # 4. the gap dashboard: the school's ICT pathway is measured against the sector's pathways
    browser.get(library_server.app_url("pathway_gaps.ipynb"))
    wait_ready(browser)
    select = Select(browser.find_element(By.CSS_SELECTOR, ".pa-gd-pathway select"))
    select.select_by_visible_text(next(o.text for o in select.options if o.text.startswith(SCHOOL_PATHWAY)))
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-gd-status").text.startswith(
        f"Ready: {SCHOOL_PATHWAY}"), timeout=240, message="the ICT pathway was not shown")
    options = {o.text for o in Select(browser.find_element(By.CSS_SELECTOR, ".pa-gd-ca-pathway select")).options}
    assert all(any(name in o for o in options) for name in ICT_PATHWAYS), options
    tiles = browser.find_element(By.CSS_SELECTOR, ".pa-gd-tiles").text
    assert "Pathway standards covered" in tiles and "not loaded" not in tiles.split("Pathway standards covered")[1][:40]
    screenshot(browser, "standards_library_gap_dashboard")
