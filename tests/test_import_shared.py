"""standards_data/import_shared.py: reproducible, and its outputs match PROVENANCE.json."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alignment.settings import get_settings

DATA = Path(__file__).resolve().parent.parent / "standards_data"
SCRIPT = DATA / "import_shared.py"
SHARED = get_settings().shared_dir
needs_shared = pytest.mark.skipif(not (SHARED / "standards").is_dir(),
                                  reason=f"raw sources not available at {SHARED}")
OUTPUTS = ["standards.csv", "catalogs/westview_2025_26_courses.csv", "catalogs/westview_2025_26_pathways.csv",
           "SOURCES_standards.md", "SOURCES_catalogs.md", "PROVENANCE.json"] + sorted(
    f"excerpts/{p.name}" for p in (DATA / "excerpts").iterdir()) + sorted(
    f"documents/{p.name}" for p in (DATA / "documents").iterdir())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def provenance() -> dict:
    return json.loads((DATA / "PROVENANCE.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rerun(tmp_path_factory) -> Path:
    if not (SHARED / "standards").is_dir():
        pytest.skip(f"raw sources not available at {SHARED}")
    out = tmp_path_factory.mktemp("import")
    done = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(SHARED), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


@needs_shared
@pytest.mark.parametrize("rel", OUTPUTS)
def test_rerun_reproduces_committed_files_byte_for_byte(rerun, rel):
    assert (rerun / rel).read_bytes() == (DATA / rel).read_bytes(), \
        f"{rel} differs: run `python standards_data/import_shared.py` and commit its outputs"


def test_committed_outputs_match_provenance(provenance):
    recorded = {entry["path"]: entry for entry in provenance["outputs"]}
    assert set(recorded) == set(OUTPUTS) - {"PROVENANCE.json"}
    for rel, entry in recorded.items():
        assert sha256(DATA / rel) == entry["sha256"], rel
        if rel.endswith(".csv"):
            assert len(pd.read_csv(DATA / rel, dtype=str, keep_default_na=False)) == entry["rows"], rel


@needs_shared
def test_inputs_match_provenance(provenance):
    for entry in provenance["inputs"]:
        path = SHARED / entry["path"]
        assert sha256(path) == entry["sha256"], entry["path"]
        assert path.stat().st_size == entry["bytes"]
        if entry["rows"] is not None:
            assert len(pd.read_csv(path, dtype=str, keep_default_na=False)) == entry["rows"]


def test_provenance_content(provenance):
    text = (DATA / "PROVENANCE.json").read_text(encoding="utf-8")
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d", text)  # no import date: re-runs are byte-identical
    assert not any("date" in key.lower() for key in provenance)
    inputs = {e["path"]: e["rows"] for e in provenance["inputs"]}
    assert inputs["standards/ccss_math.csv"] == 517 and inputs["standards/ccss_ela.csv"] == 1019
    assert inputs["standards/ca_cte_pathway.csv"] == 410 and inputs["standards/ca_cte_anchor.csv"] == 208
    frameworks = {(f["framework"], f["sector"]): f for f in provenance["frameworks"]}
    assert frameworks[("ccss_math", "")]["source_rows"] == 517
    assert frameworks[("cte_anchor", "Business and Finance")]["completeness"] == "partial"
    assert frameworks[("cte_pathway", "Business and Finance")]["by_kind"] == {"indicator": 138, "standard": 26}
    assert len(provenance["sector_abbreviations"]) == 15
    assert provenance["pathway_abbreviations"]["Information and Communication Technologies"]["Networking"] == "NET"
    assert any("printed_course_id" in t for t in provenance["transformations"])
    document = {d["edition"]: d for d in provenance["documents"]}["2023-draft"]
    assert document["path"] == "standards/documents/ame_mcs_2023_draft.md" and document["status"] == "draft"
    # the sha256 the shared README gives for the document
    readme = (SHARED / "standards" / "documents" / "README.md").read_text(encoding="utf-8")
    assert f"sha256 of this file: {document['sha256']}" in readme
    assert [(s["line"], s["text"][:7]) for s in document["skipped"]] == [(808, "DC.20.2"), (1161, "Apply o")]


@needs_shared
def test_documents_are_verbatim_copies():
    for name in ("ame_mcs_2023_draft.md", "README.md"):
        assert (DATA / "documents" / name).read_bytes() == (SHARED / "standards" / "documents" / name).read_bytes()


@needs_shared
def test_sources_md_are_verbatim_copies():
    assert (DATA / "SOURCES_standards.md").read_bytes() == (SHARED / "standards" / "SOURCES.md").read_bytes()
    assert (DATA / "SOURCES_catalogs.md").read_bytes() == (SHARED / "catalogs" / "SOURCES.md").read_bytes()


def test_catalog_course_ids_are_unique_and_joinable():
    courses = pd.read_csv(DATA / "catalogs/westview_2025_26_courses.csv", dtype=str, keep_default_na=False)
    pathways = pd.read_csv(DATA / "catalogs/westview_2025_26_pathways.csv", dtype=str, keep_default_na=False)
    assert len(courses) == 197 and len(pathways) == 45
    assert courses["course_id"].is_unique
    changed = courses[courses["course_id"] != courses["printed_course_id"]]
    assert set(changed["printed_course_id"]) == {"000150"}
    assert (changed["course_id"] == changed["printed_course_id"] + " " + changed["title"]).all()
    assert set(pathways["course_id"]) <= set(courses["course_id"])
    studio = pathways[pathways["printed_course_id"] == "000150"]
    assert sorted(studio["course_id"]) == ["000150 STUDIO ART 1-2: DIGITAL PHOTOGRAPHY",
                                           "000150 STUDIO ART 1-2: GRAPHIC DESIGN"]
    for cid, notes in zip(studio["course_id"], studio["notes"]):
        assert f"course-description title: {cid.removeprefix('000150 ')}" in notes


@needs_shared
def test_catalog_columns_are_copied_as_they_are():
    for name in ["courses", "pathways"]:
        raw = pd.read_csv(SHARED / f"catalogs/westview_2025_26_{name}.csv", dtype=str, keep_default_na=False)
        ours = pd.read_csv(DATA / f"catalogs/westview_2025_26_{name}.csv", dtype=str, keep_default_na=False)
        assert [c for c in ours.columns if c != "printed_course_id"] == list(raw.columns)
        others = [c for c in raw.columns if c != "course_id"]
        pd.testing.assert_frame_equal(ours[others], raw[others])
        assert ours["printed_course_id"].tolist() == raw["course_id"].tolist()


def test_script_fails_clearly_without_shared(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(tmp_path / "nowhere"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "lacks standards/ccss_math.csv" in done.stderr


# ------------------------------------------------------------------ texts are the official ones
# (moved from test_standards.py: they compare the import's output with ../shared)

@pytest.fixture(scope="module")
def std() -> pd.DataFrame:
    """The rows made from the CSVs (the 2023 draft's rows come from a document: tests/test_editions.py)."""
    from alignment.data.editions import select_edition
    from alignment.data.standards import load_standards

    return select_edition(load_standards(), "adopted")


@needs_shared
@pytest.mark.parametrize("framework,rel", [
    ("ccss_math", "standards/ccss_math.csv"), ("ccss_ela", "standards/ccss_ela.csv"),
    ("cte_anchor", "standards/ca_cte_anchor.csv"), ("cte_crp", "standards/ca_cte_career_ready_practice.csv"),
    ("cte_pathway", "standards/ca_cte_pathway.csv"),
])
def test_every_text_is_the_raw_text(std, framework, rel):
    raw = pd.read_csv(SHARED / rel, dtype=str, keep_default_na=False)
    ours = std[(std["framework"] == framework) & std["source_row"].notna()].sort_values("source_row")
    assert (ours["source_file"] == rel).all()
    assert ours["source_row"].tolist() == list(range(1, len(raw) + 1))
    assert ours["text"].tolist() == raw["text"].str.strip().tolist()
    assert ours["code"].tolist() == raw["code"].str.strip().tolist()
    if "title" in raw:
        assert ours["title"].tolist() == raw["title"].str.strip().tolist()
    if framework.startswith("ccss"):
        assert ours["standard_id"].tolist() == raw["code"].tolist()
        assert ours["domain"].tolist() == raw["domain"].tolist()
        assert ours["cluster"].tolist() == raw["cluster"].tolist()
        assert ours["grade"].tolist() == raw["grade"].tolist()


@needs_shared
def test_heading_labels_come_from_the_source_columns(std):
    for framework, rel in [("ccss_math", "standards/ccss_math.csv"), ("ccss_ela", "standards/ccss_ela.csv")]:
        raw = pd.read_csv(SHARED / rel, dtype=str, keep_default_na=False)
        labels = set(raw["domain"]) | set(raw["cluster"])
        headings = std[(std["framework"] == framework) & (std["kind"] == "heading")]
        assert set(headings["text"]) <= labels
        assert (headings["text"] == headings["title"]).all()
        assert (headings["source_file"] == rel).all()


@needs_shared
@pytest.mark.parametrize("kind", ["courses", "pathways"])
def test_printed_id_files_rebuilt_from_the_vendored_ones_equal_the_raw_files(printed_catalogs, kind):
    """tests/conftest.py rebuilds the files as printed from standards_data, so that the tests
    of repeated printed ids need no ../shared; here, the rebuild equals the raw file."""
    raw = SHARED / "catalogs" / f"westview_2025_26_{kind}.csv"
    assert printed_catalogs[kind].read_bytes() == raw.read_bytes()


# The pasted CDE excerpts (real importer input, vendored in standards_data/excerpts/) parse
# into exactly the rows the shared CSVs hold for them.
@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "excerpts").glob("*.txt")))
def test_real_pasted_excerpts_parse_into_the_rows_the_shared_csvs_hold(name):
    from alignment.data.cde_text import parse_cde_lines
    from alignment.data.library import _anchor_titles
    from alignment.io.documents import text_lines

    from alignment.data.standards import load_standards

    path = SHARED / "standards" / "excerpts" / name
    parsed = parse_cde_lines(text_lines(path.read_bytes(), name), name, anchor_titles=_anchor_titles(load_standards()))
    shared = SHARED / "standards"
    for got, csv, keys in [(parsed.anchors, "ca_cte_anchor.csv", ["sector", "code"]),
                           (parsed.pathways, "ca_cte_pathway.csv", ["sector", "pathway", "code"])]:
        if got.empty:
            continue
        expected = pd.read_csv(shared / csv, dtype=str, keep_default_na=False)
        expected = got[keys].merge(expected, on=keys, how="left")[got.columns]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    assert len(parsed.anchors) + len(parsed.pathways) > 0
