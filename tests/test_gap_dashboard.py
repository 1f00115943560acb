"""The pathway gap dashboard without a browser: REAL standards, hand-made courses,
suggestions and decisions, widgets driven as a user would (pick a pathway in the
dropdown; the callback runs), assertions on the HTML the page shows.

No language model is loaded: ``suggest`` returns hand-written suggestions and part (g)
comes from a stand-in with ``FixFinder.best_courses``' columns.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pandas as pd
import pytest

from alignment.data.pathways import make_pathway
from alignment.review.store import ReviewStore
from alignment.ui import gap_dashboard as gd
from alignment.ui.gap_dashboard import GapDashboard, read_review_decisions

SSD = "CA-CTE.PATHWAY.ICT.SSD."
ICT = "Information and Communication Technologies"
EVIL = '<script>alert("pwned")</script>'
CATALOG_NAME = "dashboard_test_catalog.csv"


@pytest.fixture(scope="module")
def standards():
    from alignment.data.standards import load_standards

    return load_standards()


@pytest.fixture(scope="module")
def catalog():
    return pd.DataFrame({
        "course_id": ["INTRO", "CONC", "CAP", "ENG1", "ENG2", "FIXER"],
        "title": ["Intro to Programming", f"Web Apps {EVIL}", "Capstone Project", "Intro to Engineering Design",
                  "Principles of Engineering", f"Robotics {EVIL}"],
        "description": ["Programming basics.", f"Build web apps. {EVIL}", "A project.", "Design.", "Mechanics.",
                        "Program a robot."],
        "grades": ["9", "10", "11-12", "9", "10", "9-12"],
        "department": ["CTE", "CTE", "CTE", "CTE", "CTE", f"Dept {EVIL}"],
    })


@pytest.fixture(scope="module")
def pathways(catalog, standards):
    software = make_pathway("Software <b>pathway</b>", ICT, [
        {"course_id": "INTRO", "level": "introductory"},
        {"course_id": "CONC", "level": "concentrator"},
        {"course_id": "CAP", "level": "capstone"},
    ], cte_pathway="Software and Systems Development", catalog=catalog, standards=standards)
    sector_only = make_pathway("ICT sector pathway", ICT, [
        {"course_id": "INTRO", "level": "introductory"},
        {"course_id": "CONC", "level": "concentrator"},
    ], catalog=catalog, standards=standards)
    engineering = make_pathway("Engineering pathway", "Engineering and Architecture", [
        {"course_id": "ENG1", "level": "introductory"},
        {"course_id": "ENG2", "level": "concentrator"},
    ], catalog=catalog, standards=standards)
    return [software, sector_only, engineering]


SUGGESTIONS = pd.DataFrame([
    ("INTRO", SSD + "C4.1", "strong", 0.61),
    ("INTRO", SSD + "C4.0", "possible", 0.45),
    ("INTRO", "CA-CTE.CRP.CRP2", "strong", 0.58),
    ("CONC", SSD + "C4.6", "strong", 0.60),
    ("CONC", SSD + "C8.5", "strong", 0.59),        # applied indicator, C8.0 never introduced -> (e)
    ("CONC", "CA-CTE.ANCHOR.ICT.5.1", "strong", 0.56),
    ("CAP", SSD + "C5.4", "strong", 0.62),          # first met in the capstone -> (e)
    ("CAP", SSD + "C7.0", "strong", 0.70),          # a reviewer rejects it in one test
    ("ENG1", "CA-CTE.CRP.CRP1", "possible", 0.44),
], columns=["course_id", "standard_id", "band", "score"])


class FakeFixes:
    """Stands in for a fitted FixFinder: the same columns, one hostile catalog course."""

    def best_courses(self, standard_ids, n=None):
        rows = [(sid, 1, "FIXER", f"Robotics {EVIL}", f"Dept {EVIL}", "Engineering", 0.51, "possible")
                for sid in dict.fromkeys(standard_ids)]
        return pd.DataFrame(rows, columns=["standard_id", "rank", "course_id", "title", "department",
                                           "catalog_pathway", "score", "band"])


def make_dashboard(pathways, standards, **kwargs):
    calls = []

    def suggest(pathway):
        calls.append(pathway.name)
        return SUGGESTIONS[SUGGESTIONS["course_id"].isin(pathway.course_ids)].reset_index(drop=True)

    options = dict(suggest=suggest, fixes=FakeFixes())
    options.update(kwargs)
    dash = GapDashboard(pathways, standards, **options)
    return dash, calls


def page_html(dash) -> str:
    """Everything the page shows (every HTML widget's value)."""
    return "\n".join(w.value for w in (dash.header, dash.status, dash.message, dash.tiles, dash.notes,
                                       dash.downloads, dash.heatmap, dash.coverage, dash.gaps, dash.fixes))


def pick(dash, name):
    """Choose a pathway in the dropdown, as a user does (the observer runs the callback)."""
    label, index = next((label, i) for label, i in dash.picker.options if i is not None and name in label)
    dash.picker.value = index
    return dash.current


@pytest.fixture(scope="module")
def software(pathways, standards):
    """A dashboard on which a user picked the software pathway (shared: drawing the
    charts and the downloads takes a second or two)."""
    dash, calls = make_dashboard(pathways, standards)
    assert dash.current is None and "Choose a pathway" in dash.status.value
    assert dash.tabs.layout.display == "none"
    # ready at first paint: the pathways are listed before any model is needed
    assert 'class="pa-ready"' in dash.ready_marker.value and calls == []
    pick(dash, "Software")
    return dash, calls


def assert_no_live_markup(text: str):
    assert "<script" not in text.lower()
    assert "<b>pathway</b>" not in text


# --------------------------------------------------------------------------- the gap list


def test_picking_a_pathway_shows_its_gaps_escaped(software):
    dash, calls = software
    assert calls == ["Software <b>pathway</b>"]
    assert "pa-status-ready" in dash.status.value and "Ready" in dash.status.value
    assert dash.tabs.layout.display is None
    gaps = dash.gaps.value
    # (a) pathway standards no course covers, with real codes and texts
    assert "(a) Pathway gaps" in gaps
    assert "ICT C1.0" in gaps and "standard not covered" in gaps
    # (b) anchors and practices; (e) sequencing: first met in capstone, unintroduced standard
    assert "anchor family not covered" in gaps and "Career Ready Practice not covered" in gaps
    assert "first met in capstone" in gaps and "ICT C5.0" in gaps
    assert "relies on unintroduced standard" in gaps and "ICT C8.0" in gaps
    # the hostile course title is shown as text in the sequencing rows and the fixes
    assert "Web Apps &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in gaps
    fixes = dash.fixes.value
    assert "(g) Suggested fixes" in fixes and "ICT C1.0" in fixes
    assert "Robotics &lt;script&gt;" in fixes and "Dept &lt;script&gt;" in fixes
    # the pathway name (with markup in it) is escaped wherever it appears
    assert "Software &lt;b&gt;pathway&lt;/b&gt;" in dash.status.value
    assert_no_live_markup(page_html(dash))


def test_headlines_charts_and_coverage_tables(software):
    dash, _ = software
    view = dash.current
    tiles = dash.tiles.value
    summary = dict(zip(view.report.summary["metric"], view.report.summary["value"]))
    assert f'>{summary["pathway standards covered"]}<' in tiles
    assert "Career Ready Practices covered" in tiles and "partial data" in tiles  # CRP are titles only
    assert 'data-metric="sequencing"' in tiles
    assert dash.heatmap.value.count("data:image/png;base64,") == 1 and "pa-heatmap" in dash.heatmap.value
    assert "pa-family-chart" in dash.coverage.value and "Coverage by level" in dash.coverage.value
    assert "Intro to Programming (INTRO)" in dash.coverage.value
    png = base64.b64decode(re.search(r'data:image/png;base64,([^"]+)"', dash.heatmap.value).group(1))
    assert png.startswith(b"\x89PNG")


def test_not_loaded_is_said_not_scored(pathways, standards):
    dash, _ = make_dashboard(pathways, standards)
    pick(dash, "Engineering")
    tiles = dash.tiles.value
    assert "not loaded" in tiles and "n/a" in tiles and "0%" not in tiles.split('data-metric="anchor')[0]
    assert "not loaded: no pathway standards loaded for this sector (Engineering and Architecture)" in dash.gaps.value
    assert "not loaded: no anchor standards loaded for this sector (Engineering and Architecture)" in dash.gaps.value
    assert "Career Ready Practice not covered" in dash.gaps.value  # the practices are loaded: real gaps
    assert "no pathway standards loaded for this sector" in dash.notes.value


def test_sector_only_pathway_filters_by_ca_pathway(pathways, standards):
    dash, _ = make_dashboard(pathways, standards)
    view = pick(dash, "ICT sector")
    assert dash.ca_filter.layout.display is None
    assert dash.ca_filter.value == view.report.best_pathway == "Software and Systems Development"
    best_only = dash.gaps.value
    assert "Networking" not in best_only.split("(b)")[0]
    dash.ca_filter.value = gd.ALL_PATHWAYS
    everything = dash.gaps.value
    assert "Networking" in everything and len(everything) > len(best_only)
    dash.ca_filter.value = "Networking"
    assert "Software and Systems Development" not in dash.gaps.value.split("(b)")[0]
    assert "Networking" in dash.heatmap.value  # the caption names the pathway shown


# --------------------------------------------------------------------------- caching and status


def test_suggestions_once_per_pathway(pathways, standards):
    dash, calls = make_dashboard(pathways, standards)
    pick(dash, "Software")
    pick(dash, "Engineering")
    pick(dash, "Software")
    dash.show(dash.picker.value, reload=True)
    assert calls == ["Software <b>pathway</b>", "Engineering pathway"]


def test_shared_cache_is_used(pathways, standards):
    store = {}

    def cached(key, make):
        if key not in store:
            store[key] = make()
        return store[key]

    first, calls = make_dashboard(pathways, standards, cache=cached)
    pick(first, "Software")
    second = GapDashboard(pathways, standards, suggest=lambda p: pytest.fail("recomputed"), cache=cached)
    pick(second, "Software")
    assert len(calls) == 1 and second.current is not None


def test_computing_status_is_shown_while_working(pathways, standards):
    seen = []
    dash, _ = make_dashboard(pathways, standards)
    dash.status.observe(lambda change: seen.append(change["new"]), names="value")
    pick(dash, "Software")
    assert any("Computing…" in s and "pa-status-busy" in s for s in seen)
    assert "pa-status-ready" in seen[-1]


def test_model_loading_states(pathways, standards):
    dash, _ = make_dashboard(pathways, standards)
    dash.loading()
    assert "pa-status-busy" in dash.status.value and "choose one of the 3 pathways now" in dash.status.value
    dash.models_ready(None)
    assert "pa-status-ready" in dash.status.value and "Ready: 3 pathways" in dash.status.value
    dash.models_ready(RuntimeError(f"no model {EVIL}"))
    assert "pa-status-error" in dash.status.value and "no model &lt;script&gt;" in dash.message.value


def test_errors_are_shown_escaped(pathways, standards):
    def broken(pathway):
        raise ValueError(f"model exploded {EVIL}")

    dash = GapDashboard(pathways, standards, suggest=broken)
    pick(dash, "Software")
    assert "pa-status-error" in dash.status.value
    assert "model exploded &lt;script&gt;" in dash.message.value
    assert dash.tabs.layout.display == "none" and not dash.picker.disabled
    assert_no_live_markup(page_html(dash))


# --------------------------------------------------------------------------- downloads


def test_downloads_are_in_page_excel_and_html(software):
    from openpyxl import load_workbook

    dash, _ = software
    links = dict(re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', dash.downloads.value))
    assert set(links) == {"gaps-software-b-pathway-b.xlsx", "gaps-software-b-pathway-b.html"}
    book = load_workbook(io.BytesIO(base64.b64decode(links["gaps-software-b-pathway-b.xlsx"])))
    assert "(a) Pathway gaps" in book.sheetnames and "Charts" in book.sheetnames
    codes = [c.value for c in book["(a) Pathway gaps"]["C"]]
    assert "ICT C1.0" in codes
    page = base64.b64decode(links["gaps-software-b-pathway-b.html"]).decode("utf-8")
    assert "ICT C1.0" in page and "&lt;script&gt;" in page
    assert "<script" not in page.lower()


# --------------------------------------------------------------------------- the review store, read-only


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reviewed_decisions_override_and_the_store_is_never_written(tmp_path, pathways, standards):
    db = tmp_path / "reviews.sqlite3"
    with ReviewStore(db, create=True) as store:
        store.record(CATALOG_NAME, "CAP", SSD + "C7.0", "rejected", "ana")            # a strong suggestion
        store.record(CATALOG_NAME, "CONC", SSD + "C1.0", "accepted", "ana", origin="reviewer")
        store.record("another_catalog.csv", "CAP", SSD + "C2.0", "accepted", "bo")   # other catalog: ignored
    before = _digest(db)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    dash, _ = make_dashboard(pathways, standards, decisions=lambda: read_review_decisions(db, CATALOG_NAME))
    view = pick(dash, "Software")
    gaps = dash.gaps.value.split("(b)")[0]
    assert "ICT C7.0" in gaps and "CAP (rejected)" in gaps                  # rejected: now a gap
    assert "ICT C1.0" not in gaps                                          # accepted: no longer a gap
    assert "ICT C2.0" in gaps                                              # other catalog's decision ignored
    assert 'data-metric="decisions"' in dash.tiles.value and ">2<" in dash.tiles.value
    assert "2 reviewed decision(s)" in dash.status.value and "read-only" in dash.status.value
    assert view.decisions_applied == 2
    # reload, switch, come back: still only reads
    dash.reload.click()
    pick(dash, "Engineering")
    pick(dash, "Software")
    assert _digest(db) == before
    assert ReviewStore  # the store's own reader agrees nothing changed
    with ReviewStore(db) as store:
        assert len(store.audit()) == 3 and len(store.decisions()) == 3
    assert {p for p in files_before} <= {p.name for p in tmp_path.iterdir()}


def test_reload_shows_decisions_recorded_meanwhile(pathways, standards):
    recorded = []

    def decisions():
        table = pd.DataFrame(recorded, columns=["course_id", "standard_id", "decision"])
        return table, f"Read {len(table)} reviewed decision(s)"

    dash, calls = make_dashboard(pathways, standards, decisions=decisions)
    pick(dash, "Software")
    assert "ICT C7.0" not in dash.gaps.value.split("(b)")[0]
    recorded.append(("CAP", SSD + "C7.0", "rejected"))  # a reviewer, in the review app
    dash.reload.click()
    assert "ICT C7.0" in dash.gaps.value.split("(b)")[0] and "Read 1 reviewed decision(s)" in dash.status.value
    assert len(calls) == 1  # the suggestions were not computed again


def test_a_missing_store_is_not_created(tmp_path):
    db = tmp_path / "nowhere" / "reviews.sqlite3"
    decisions, label = read_review_decisions(db, CATALOG_NAME)
    assert decisions is None and "no review store" in label.lower()
    assert not db.exists() and not db.parent.exists()


def test_decisions_seen_while_another_writer_holds_the_store(tmp_path):
    db = tmp_path / "reviews.sqlite3"
    writer = ReviewStore(db, create=True)
    try:
        writer.record(CATALOG_NAME, "CAP", SSD + "C7.0", "rejected", "ana")
        writer.record(CATALOG_NAME, "CAP", SSD + "C5.0", "accepted", "ana")   # still in the WAL
        decisions, _ = read_review_decisions(db, CATALOG_NAME)
        assert set(decisions["standard_id"]) == {SSD + "C7.0", SSD + "C5.0"}
    finally:
        writer.close()


def test_a_read_only_store_is_read_and_a_damaged_one_is_named_on_the_page(tmp_path, pathways, standards):
    from test_review_store_open import _damage, read_only

    db = tmp_path / "reviews" / "reviews.sqlite3"
    with ReviewStore(db, create=True) as store:
        store.record(CATALOG_NAME, "CAP", SSD + "C7.0", "rejected", "ana")
    with read_only(db.parent):
        decisions, label = read_review_decisions(db, CATALOG_NAME)
    assert decisions["standard_id"].tolist() == [SSD + "C7.0"] and "read-only" in label
    _damage(db)
    dash, _ = make_dashboard(pathways, standards, decisions=lambda: read_review_decisions(db, CATALOG_NAME))
    assert pick(dash, "Software") is None
    assert "damaged" in dash.message.value and str(db) in dash.message.value


# --------------------------------------------------------------------------- the app's configuration


def test_configured_pathways_file_errors_are_shown(tmp_path, monkeypatch):
    bad = tmp_path / "pathways.csv"
    bad.write_text("course_id,level,sector\nNOPE,introductory,Busines and Finanse\n", encoding="utf-8")
    monkeypatch.setenv("PATHWAY_ALIGN_PATHWAYS", str(bad))
    dash = gd.build_gap_dashboard(background=False)
    assert dash.picker.disabled and dash.pathways == [] and dash.ready_marker.value == ""
    assert "pathways.csv row 2" in dash.message.value and "Business and Finance" in dash.message.value
    assert "pa-status-error" in dash.status.value


def test_configured_default_is_the_bundled_westview_file(monkeypatch, tmp_path):
    monkeypatch.delenv("PATHWAY_ALIGN_PATHWAYS", raising=False)
    monkeypatch.setenv("PATHWAY_ALIGN_REVIEW_DB", str(tmp_path / "reviews.sqlite3"))
    dash = gd.build_gap_dashboard(background=False, suggest=lambda p: SUGGESTIONS.iloc[:0], fixes=None)
    names = [label for label, _ in dash.picker.options]
    assert any(n.startswith("Information & Communication Technology Pathway") for n in names)
    assert len(dash.pathways) == 7 and "westview_2025_26_pathways.csv" in dash.header.value
    _, label = dash.read_decisions()
    assert "no review store" in label.lower() and not (tmp_path / "reviews.sqlite3").exists()


# --------------------------------------------------------------------------- the edition chooser

def test_the_edition_chooser_switches_an_ame_pathway_to_the_draft(standards):
    """The bundled DVMA pathway (a 2013 name) on the adopted standards, then switched to the
    2023 draft with the Standards chooser: draft standards, best fit across focus areas, the
    DRAFT banner; and back. Suggestions are hand-written per edition (no model)."""
    from alignment.data.catalog import default_catalog
    from alignment.data.editions import select_edition
    from alignment.data.pathways import default_pathways_path, load_pathways

    adopted = select_edition(standards, "adopted")
    loaded = load_pathways(default_pathways_path(), catalog=default_catalog(), standards=adopted)
    dvma = [p for p in loaded if p.cte_pathway == "Design, Visual, and Media Arts"]
    first = dvma[0].course_ids[0]
    by_edition = {
        "adopted": [(first, "CA-CTE.PATHWAY.AME.DVMA.A1.3", "strong", 0.6)],
        "2023-draft": [(first, "CA-CTE.2023-DRAFT.AME.PATHWAY.SA.17.1", "strong", 0.7),
                       (first, "CA-CTE.2023-DRAFT.AME.PATHWAY.SA.18.2", "possible", 0.5)],
    }
    calls = []

    def suggest(pathway, edition):
        calls.append(edition)
        return pd.DataFrame(by_edition[edition], columns=["course_id", "standard_id", "band", "score"])

    dash = GapDashboard(dvma, adopted, suggest=suggest, editions=["adopted", "2023-draft"],
                        standards_for=lambda e: select_edition(standards, e))
    assert dash.edition_picker.layout.display is None  # shown: two editions to choose from
    assert [label for label, _ in dash.edition_picker.options] == [
        "adopted editions", "CA CTE Model Curriculum Standards, 2023 draft (DRAFT)"]
    view = dash.select(dvma[0].name)
    assert view.report.edition_label == "" and "pa-draft-banner" not in dash.tiles.value
    assert set(view.report.scope.loc[view.report.scope["framework"] == "cte_pathway", "edition"]) == {"2013"}

    dash.edition_picker.value = "2023-draft"  # as a user picks it
    draft = dash.current.report
    assert calls == ["adopted", "2023-draft"]
    assert draft.edition_label.startswith("DRAFT standards: CA CTE Model Curriculum Standards, 2023 draft")
    assert (draft.best_pathway, draft.best_focus_area) == ("Design, Visual, and Graphic Arts", "Studio Arts")
    scope = draft.scope[draft.scope["framework"].isin(["cte_pathway", "cte_anchor"])]
    assert set(scope["edition"]) == {"2023-draft"} and len(scope) == 367
    assert 'class="pa-draft-banner"' in dash.tiles.value and "Studio Arts" in dash.tiles.value
    assert "DRAFT" in dash.tiles.value and dash.fix_finder() is None  # part (g): first edition only

    dash.edition_picker.value = "adopted"
    assert dash.current.report.edition_label == "" and calls == ["adopted", "2023-draft"]  # kept per edition
