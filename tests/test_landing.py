"""The front door's summary and HTML (alignment.present.landing), on the bundled data and on
hostile text; tests/browser/test_landing.py opens the served page in Chromium."""

from __future__ import annotations

import io

import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

from alignment.data.catalog import default_catalog
from alignment.data.standards import SECTORS, load_standards
from alignment.present import landing, serve


class _Page(HTMLParser):
    """Visible text, links and elements of a page."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self.tags, self._skip = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def bundled():
    """What the server loads by default: the adopted editions (the 2023 draft is listed, not used)."""
    from alignment.data.editions import select_edition

    return select_edition(load_standards(), "adopted"), default_catalog()


@pytest.fixture(scope="module")
def cli_standards(tmp_path_factory):
    """What ``pathway-align standards`` lists, read back from its CSV."""
    out = tmp_path_factory.mktemp("cli") / "standards.csv"
    done = subprocess.run([sys.executable, "-m", "alignment.present.cli", "standards", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def test_sector_groups_match_what_pathway_align_standards_lists(bundled, cli_standards):
    summary = landing.data_summary(*bundled, catalog_name="Westview")
    pathway = cli_standards[cli_standards["framework"] == "cte_pathway"]
    by_sector = pathway.groupby("sector")["completeness"].agg(set)
    complete = {s for s, values in by_sector.items() if values == {"complete"}}
    partial = set(by_sector.index) - complete
    assert set(summary.sectors_complete) == complete == {"Business and Finance",
                                                          "Information and Communication Technologies"}
    assert set(summary.sectors_partial) == partial == {"Arts, Media, and Entertainment",
                                                        "Health Science and Medical Technology"}
    assert set(summary.sectors_missing) == set(SECTORS) - complete - partial
    assert len(summary.sectors_missing) == 11
    # every official sector is in exactly one group, in the official order
    groups = summary.sectors_complete + summary.sectors_partial + summary.sectors_missing
    assert sorted(groups, key=list(SECTORS).index) == list(SECTORS) and len(set(groups)) == 15


def test_framework_lines_and_catalog_match_the_data(bundled, cli_standards):
    standards, catalog = bundled
    summary = landing.data_summary(standards, catalog, catalog_name="Westview")
    not_headings = cli_standards[cli_standards["kind"] != "heading"]
    titles = standards.drop_duplicates("framework").set_index("framework")["framework_title"]
    expected = {titles[fw]: len(rows) for fw, rows in not_headings.groupby("framework")}
    assert {f.title: f.standards for f in summary.frameworks} == expected
    assert expected["CCSS Mathematics"] == 517 and expected["CA CTE Pathway Standards"] == 410
    status = {f.title: f.completeness for f in summary.frameworks}
    assert status["CCSS Mathematics"] == status["CCSS ELA/Literacy"] == "complete"
    assert status["CA CTE Pathway Standards"] == status["CA CTE Standards for Career Ready Practice"] == "partial"
    assert summary.catalog_courses == len(catalog) == 197


def test_the_page_lists_the_editions_and_which_one_the_apps_use(tmp_path):
    for edition, used in (("adopted", {"2010", "2013"}), ("2023-draft", {"2010", "2013", "2023-draft"})):
        cfg = serve.load_config({}, env={"PATHWAY_ALIGN_EDITION": edition,
                                         "PATHWAY_ALIGN_STANDARDS_LIBRARY": str(tmp_path / "lib")})
        html = serve.landing_page(cfg)(None)
        table = next(t for t in pd.read_html(io.StringIO(html)) if "apps" in t.columns).set_index("edition")
        draft = table.loc["CA CTE Model Curriculum Standards, 2023 draft"]
        assert draft[["status", "sectors", "standards"]].tolist() == ["DRAFT", "Arts, Media, and Entertainment", 367]
        assert draft["apps"] == ("in use" if "2023-draft" in used
                                 else "not in use (choose it with --edition 2023-draft)")
        adopted = table.loc["CA CTE Model Curriculum Standards, 2013"]
        assert adopted[["status", "apps"]].tolist() == ["adopted", "in use"]


def test_the_served_page_names_the_apps_and_no_notebook(tmp_path):
    cfg = serve.load_config({}, env={})
    html = serve.landing_page(cfg)(None)
    page = parse(html)
    text = " ".join("".join(page.text).split())
    assert ".ipynb" not in html and "ipynb" not in html
    for title in ("Teacher coverage", "Specialist review", "Pathway gap dashboard"):
        assert title in text
    assert "Which standards does my course teach, and what does my pathway still miss?" in text
    assert page.links == ["/apps/teacher-coverage", "/apps/specialist-review", "/apps/pathway-gaps"]
    assert "Westview High School 2025-26 (bundled), 197 courses" in text
    assert "complete 2" in text and "partial 2" in text and "not loaded 11" in text
    assert "Engineering and Architecture" in text and "Local server" in text


def test_everything_on_the_page_is_escaped():
    hostile = "<script>alert(1)</script>"
    apps = [landing.AppLink(title=f"A {hostile}", url='/apps/x" onmouseover="alert(1)',
                            audience="<b>x</b>", question="Q & <i>A</i>")]
    standards = pd.DataFrame({
        "framework": ["cte_pathway", "cte_pathway"], "framework_title": [f"T {hostile}", f"T {hostile}"],
        "sector": ["Business and Finance", "<img src=x onerror=alert(1)>"], "pathway": ["P", "P"],
        "kind": ["standard", "standard"], "completeness": ["complete", "unknown"],
        "completeness_note": ["", ""]})
    summary = landing.data_summary(standards, pd.DataFrame({"course_id": ["1", "2"]}),
                                   catalog_name="<img src=x onerror=alert(1)>.csv")
    assert summary.sectors_partial == ("<img src=x onerror=alert(1)>",)  # an imported sector, not complete
    html = landing.landing_html(apps, summary, signed_in_as="<svg onload=alert(1)>", team=True)
    page = parse(html)
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "header", "div", "h1", "p", "main",
                              "h2", "nav", "a", "h3", "span", "section", "table", "thead", "tr", "th", "tbody",
                              "td", "strong", "br", "footer"}
    assert page.links == ['/apps/x" onmouseover="alert(1)']  # one attribute, quotes escaped
    text = "".join(page.text)
    assert hostile in text and "<img src=x onerror=alert(1)>.csv" in text and "Signed in as <svg" in text
    assert "Q & <i>A</i>" in text and "Team server" in text
