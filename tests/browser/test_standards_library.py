"""A sector that was not loaded, imported in the review app, used by the other apps.

This module starts its own ``pathway-align serve`` whose bundled data lacks the
pathway standards of Information and Communication Technologies (a copy of
``standards_data/`` without those rows, set with ``PATHWAY_ALIGN_STANDARDS_DIR``) and
whose standards library is an empty temp folder (``PATHWAY_ALIGN_STANDARDS_LIBRARY``).
In real Chromium: the review app's Standards library panel lists the sector among those
without pathway standards; the specialist uploads the sector's pathway standards there
(a PDF in the CDE layout written from the real bundled rows); a new teacher page then
suggests the sector's pathway standards for an ICT course, and the gap dashboard lists
the sector's pathways.

Why these rows: the ICT pathway rows are the last rows of the bundle, so bundle-without
+ import is the whole bundle in its own order, and the apps find its vectors in the
seeded cache in one read (other tables are encoded only for the texts never seen:
``alignment.nlp.cache.RowCache``). The "not loaded" message of the teacher app for a
missing sector is tested in ``test_coverage_app.py`` and ``tests/test_ui.py``.
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

from alignment.settings import get_settings
from alignment.data.editions import select_edition
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
    shutil.copytree(get_settings().standards_data_dir / "catalogs", bundle_dir / "catalogs")
    bundle = select_edition(load_standards(), "adopted")  # the 2023 AME draft's rows come after these
    ict = (bundle["sector"] == ICT) & (bundle["framework"] == "cte_pathway")
    assert ict[ict].index.tolist() == list(range(len(bundle) - int(ict.sum()), len(bundle)))  # the last rows
    without = coerce_tidy(add_hierarchy_columns(bundle[~ict].reset_index(drop=True)))
    without.to_csv(bundle_dir / "standards.csv", index=False, lineterminator="\n", encoding="utf-8")
    blocks = [b for b in cde_blocks(bundle[ict], ICT) if b != "Knowledge and Performance Anchor Standards"]
    document = write_pdf(blocks, workdir / "ict_model_curriculum_standards.pdf", ICT)
    library = workdir / "library"
    server = voila_server.start(workdir, env={"PATHWAY_ALIGN_STANDARDS_DIR": str(bundle_dir),
                                              "PATHWAY_ALIGN_STANDARDS_LIBRARY": str(library)})
    server.document, server.library = document, library
    yield server
    server.stop()


#: The upload button clicks a file input that is not in the page (it would open the
#: system's file dialog); here it is put into the page so chromedriver can give it a
#: file (as in test_review_app.py).
_EXPOSE_FILE_INPUT = """
const original = HTMLInputElement.prototype.click;
HTMLInputElement.prototype.click = function () {
  if (this.type !== 'file') { return original.call(this); }
  this.style.display = 'block';
  this.classList.add('pa-test-file-input');
  document.body.appendChild(this);
};
"""


def pick(browser, label: str):
    box = browser.find_element(By.CSS_SELECTOR, ".pa-course-picker input")
    box.clear()
    box.send_keys(label)
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: label.split(" (")[0] in d.find_element(By.CSS_SELECTOR, ".pa-results").text
             and d.find_elements(By.CSS_SELECTOR, ".pa-results .pa-group"), message=f"no results for {label}")
    return browser.find_element(By.CSS_SELECTOR, ".pa-results .pa-group-cte_pathway")


def test_import_in_the_review_app_loads_the_sector_in_the_teacher_app_and_the_dashboard(browser, library_server):
    # 1. the review app: the sector is not loaded; the specialist uploads its standards document
    browser.get(library_server.app_url("review.ipynb"))
    summary = wait_for(browser, lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".pa-standards-summary")
                                           if e.text], message="no standards library panel in the review app")[0]
    assert "No imports yet" in summary and "Sectors without pathway standards: " in summary and ICT in summary
    browser.execute_script(_EXPOSE_FILE_INPUT)
    browser.find_element(By.CSS_SELECTOR, ".pa-standards-upload").click()
    field = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-test-file-input"))[0]
    field.send_keys(str(library_server.document))
    wait_for(browser, lambda d: "(1)" in d.find_element(By.CSS_SELECTOR, ".pa-standards-upload").text,
             message="the file was not taken")
    browser.find_element(By.CSS_SELECTOR, ".pa-standards-import").click()
    # the review kernel fits its models in the background meanwhile (the table without the
    # sector is not in the cache), so the click may wait for the interpreter
    try:
        message = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-standards-message").text
                           and d.find_element(By.CSS_SELECTOR, ".pa-standards-message"), timeout=300,
                           message="the import did not finish")
    except BaseException:
        print(library_server.log_text()[-5000:])
        raise
    text = message.text
    wait_for(browser, lambda d: "ict-model-curriculum-standards" in d.find_element(
        By.CSS_SELECTOR, ".pa-standards-summary").text, message="the library summary does not list the import")
    screenshot(browser, "standards_library_import")
    browser.get("about:blank")  # end the review kernel (and its background fit)
    assert "ict-model-curriculum-standards: imported 223 rows from ict_model_curriculum_standards.pdf (pdf)" in text
    entries = list_imports(library_server.library)
    assert [e.name for e in entries] == ["ict-model-curriculum-standards"]
    assert {s["sector"] for s in entries[0].provenance["supplies"]} == {ICT}

    # 2. a new teacher page: the ICT course gets the sector's pathway standards
    browser.get(library_server.app_url("course_coverage.ipynb"))
    wait_ready(browser)
    group = pick(browser, COURSE)
    cards = group.find_elements(By.CSS_SELECTOR, ".pa-card")
    assert len(cards) == 5
    assert all(c.find_element(By.CSS_SELECTOR, ".pa-code").text.startswith("ICT ") for c in cards)
    assert "No pathway standards loaded" not in group.text
    screenshot(browser, "standards_library_teacher_app")

    # 3. the gap dashboard: the school's ICT pathway is measured against the sector's pathways
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
