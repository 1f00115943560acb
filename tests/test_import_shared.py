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
    # the sha256 the document's README (vendored verbatim) gives for it
    readme = (DATA / "documents" / "README.md").read_text(encoding="utf-8")
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


# ------------------------------------------------------------------ the AME 2023 draft, read from CDE's document
# The expected counts and texts are derived here from the markdown with this test's own
# regular expressions, independently of the parser (alignment/data/cde_2023.py).
from collections import Counter  # noqa: E402

from alignment.data.cde_2023 import is_2023_layout, parse_2023_lines  # noqa: E402
from alignment.io.documents import text_lines  # noqa: E402

AME = "Arts, Media, and Entertainment"
DOC_REL = "standards/documents/ame_mcs_2023_draft.md"
DOCUMENT = SHARED / DOC_REL
DRAFT = "2023-draft"
needs_document = pytest.mark.skipif(not DOCUMENT.is_file(), reason=f"the AME document is not at {DOCUMENT}")


@pytest.fixture(scope="module")
def draft_rows() -> pd.DataFrame:
    from alignment.data.standards import load_standards

    table = load_standards()
    return table[table["edition"] == DRAFT]


def _doc_lines() -> list[str]:
    return DOCUMENT.read_text(encoding="utf-8").splitlines()


def _independent_counts() -> dict[str, int]:
    """Counts per kind, from the markdown with this test's own patterns."""
    heads = Counter()
    anchors = Counter()
    pathway_codes = []
    for line in _doc_lines():
        m = re.match(r"#### \*\*(\d+)\.0:? ", line)
        if m:
            n = int(m[1])
            heads["anchor" if n <= 12 else "interdisciplinary" if n <= 16 else "pathway"] += 1
        m = re.match(r"(\d+)\.(\d+)\.? ", line)  # indicators of anchors / interdisciplinary standards
        if m:
            anchors["anchor" if int(m[1]) <= 12 else "interdisciplinary"] += 1
        m = re.match(r"([A-Z]+)[. ](\d+)\.(\d+)\.? ", line)  # focus-area indicators, AVG.17.1 / AVG 18.3
        if m:
            pathway_codes.append(f"{m[1]}.{m[2]}.{m[3]}")
    repeated = sum(n - 1 for n in Counter(pathway_codes).values())
    return {"anchor standards": heads["anchor"], "interdisciplinary standards": heads["interdisciplinary"],
            "pathway standards": heads["pathway"], "anchor indicators": anchors["anchor"],
            "interdisciplinary indicators": anchors["interdisciplinary"],
            "pathway indicators": len(pathway_codes) - repeated, "repeated pathway codes": repeated}


def _counts(rows: pd.DataFrame) -> dict[str, int]:
    anchor = rows[rows["framework"] == "cte_anchor"]
    group = anchor["domain"].map({"Anchor standards": "anchor", "Interdisciplinary standards": "interdisciplinary"})
    pathway = rows[rows["framework"] == "cte_pathway"]
    return {"anchor standards": int(((group == "anchor") & (anchor["kind"] == "standard")).sum()),
            "interdisciplinary standards": int(((group == "interdisciplinary") & (anchor["kind"] == "standard")).sum()),
            "pathway standards": int((pathway["kind"] == "standard").sum()),
            "anchor indicators": int(((group == "anchor") & (anchor["kind"] == "indicator")).sum()),
            "interdisciplinary indicators": int(((group == "interdisciplinary")
                                                 & (anchor["kind"] == "indicator")).sum()),
            "pathway indicators": int((pathway["kind"] == "indicator").sum())}


@needs_document
def test_counts_per_kind_match_the_document(draft_rows):
    expected = _independent_counts()
    assert expected["repeated pathway codes"] == 1  # DC.20.2 is printed twice
    expected.pop("repeated pathway codes")
    assert expected == {"anchor standards": 12, "interdisciplinary standards": 4, "pathway standards": 32,
                        "anchor indicators": 73, "interdisciplinary indicators": 30, "pathway indicators": 216}
    assert _counts(draft_rows) == expected
    parsed = parse_2023_lines(text_lines(DOCUMENT.read_bytes(), DOC_REL), DOC_REL)
    assert len(parsed.anchors) == 12 + 4 + 73 + 30 and len(parsed.pathways) == 32 + 216


@needs_document
def test_the_skipped_list_is_exact():
    parsed = parse_2023_lines(text_lines(DOCUMENT.read_bytes(), DOC_REL), DOC_REL)
    lines = _doc_lines()
    assert [(s.line, s.text, s.reason) for s in parsed.skipped] == [
        (808, lines[807], "code DC.20.2 appears twice (first at line 806); the second is not imported"),
        (1161, lines[1160], "a paragraph without a code in the section of MRA.17.0 (Music and Recording Arts); "
                            "not joined to the indicator above it"),
    ]
    assert lines[807].startswith("DC.20.2 Explore possibilities") and lines[805].startswith("DC.20.2 Examine")
    assert parsed.sector == AME and parsed.draft and is_2023_layout(text_lines(DOCUMENT.read_bytes(), DOC_REL))


@needs_document
def test_a_sample_of_texts_is_the_documents(draft_rows):
    """Every 7th coded line of the document, its text cut at the code and the footnote
    markers removed, is the text of the row with that code."""
    by_code = {}
    for sid, code, text in zip(draft_rows["standard_id"], draft_rows["code"], draft_rows["text"]):
        by_code.setdefault(code, text)
    sample = []
    for n, line in enumerate(_doc_lines(), start=1):
        m = re.match(r"(?:([A-Z]+)[. ])?(\d+)\.(\d+)\.? (.*)$", line)
        if m and n != 808:
            code = f"{m[1]}.{m[2]}.{m[3]}" if m[1] else f"{m[2]}.{m[3]}"
            sample.append((n, code, re.sub(r"\s*\[\^\d+\]", "", m[4]).strip()))
    assert len(sample) == 103 + 216
    for n, code, text in sample[::7]:
        assert by_code[code] == text, (n, code)
    # footnote markers are gone and the footnotes' own text is not glued in
    assert by_code["FT.17.2"].endswith("roles and responsibilities for each department")
    assert by_code["16.4"].startswith("Analyze and breakdown creative plans to identify")
    assert not draft_rows["text"].str.contains(r"\[\^|\*\*|casting, camera, grip", regex=True).any()
    # codes normalised: "AVG 18.3", "AVG.17.6.", "DT 18.7", "7.3."
    assert {"AVG.18.3", "AVG.17.6", "DT.18.7", "7.3", "8.3"} <= set(by_code)
    statement = draft_rows[draft_rows["standard_id"] == "CA-CTE.2023-DRAFT.AME.ANCHOR.1.0"].iloc[0]
    assert (statement["title"], statement["text"]) == ("Academics",
                                                       "Apply appropriate technical skills and academic knowledge.")


@needs_document
def test_the_library_imports_the_document_as_the_draft(tmp_path):
    """The standards library's CDE importer reads the 2023 layout (it used to refuse it)."""
    from alignment.data.library import import_standards

    result = import_standards(DOCUMENT, name="ame-2023-draft", path=tmp_path)
    table = result.entry.table()
    assert set(table["edition"]) == {DRAFT} and set(table["edition_status"]) == {"draft"}
    assert _counts(table)["pathway indicators"] == 216
    assert any("DC.20.2" in note for note in result.notes)


