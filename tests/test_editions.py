"""Editions: the AME 2023 draft read from CDE's document, the edition columns, choosing an edition.

Document tests read ``../shared/standards/documents/ame_mcs_2023_draft.md`` and skip without
it; their expected counts and texts are derived here from the markdown with regular
expressions written for the test, independently of the parser. The other tests use the
bundled ``standards_data/standards.csv`` (where the import script put the draft's rows).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from alignment.data import case
from alignment.data.cde_2023 import is_2023_layout, parse_2023_lines
from alignment.data.editions import (
    covered_pairs, edition_choices, editions_of, select_edition, with_editions,
)
from alignment.data.standards import TIDY_COLUMNS, load_standards, standards_from_csv
from alignment.io.documents import text_lines
from alignment.settings import SettingsError, get_settings, load_settings

REPO = Path(__file__).resolve().parent.parent
AME = "Arts, Media, and Entertainment"
DOC_REL = "standards/documents/ame_mcs_2023_draft.md"
DOCUMENT = get_settings().shared_dir / DOC_REL
needs_document = pytest.mark.skipif(not DOCUMENT.is_file(), reason=f"the AME document is not at {DOCUMENT}")
DRAFT = "2023-draft"


@pytest.fixture(scope="module")
def std() -> pd.DataFrame:
    return load_standards()


@pytest.fixture(scope="module")
def draft_rows(std) -> pd.DataFrame:
    return std[std["edition"] == DRAFT]


# ------------------------------------------------------------------ the document, read independently

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


# ------------------------------------------------------------------ the bundled draft rows

def test_draft_rows_are_appended_with_stable_unique_ids(std, draft_rows):
    assert len(draft_rows) == 367
    first = std.index[std["edition"] == DRAFT].min()
    assert (std.loc[first:, "edition"] == DRAFT).all()  # after every adopted row
    assert set(draft_rows["edition_status"]) == {"draft"} and set(draft_rows["sector"]) == {AME}
    assert draft_rows["standard_id"].str.fullmatch(
        r"CA-CTE\.2023-DRAFT\.AME\.(ANCHOR\.\d+\.\d+|INTERDISCIPLINARY\.1[3-6]\.\d+|PATHWAY\.[A-Z]+\.(1[7-9]|20)\.\d+)"
    ).all()
    assert std["standard_id"].is_unique
    adopted = std[std["edition"] != DRAFT]
    assert set(adopted["edition"]) == {"2010", "2013"} and set(adopted["edition_status"]) == {"adopted"}
    assert set(adopted.loc[adopted["framework"].str.startswith("ccss"), "edition"]) == {"2010"}
    pathway_rows = draft_rows[draft_rows["framework"] == "cte_pathway"]
    assert (draft_rows.loc[draft_rows["framework"] == "cte_anchor", ["pathway", "focus_area"]] == "").all().all()
    focus = pathway_rows.groupby("pathway")["focus_area"].unique().apply(sorted).to_dict()
    assert focus == {
        "Design, Visual, and Graphic Arts": ["Design", "Studio Arts"],
        "Media Production": ["Animation, Visual Effects, and Games", "Digital Communications", "Film and Television"],
        "Performance, Music, and Live Events": ["Dance and Theatre", "Music and Recording Arts",
                                                "Stage and Event Technology"],
    }
    assert (std.loc[std["edition"] != DRAFT, "focus_area"] == "").all()
    assert set(draft_rows["completeness"]) == {"complete"}
    assert draft_rows["completeness_note"].str.startswith("DRAFT of April 2023").all()
    avg = draft_rows[draft_rows["standard_id"] == "CA-CTE.2023-DRAFT.AME.PATHWAY.AVG.17.1"].iloc[0]
    assert avg["parent_id"] == "CA-CTE.2023-DRAFT.AME.PATHWAY.AVG.17.0" and avg["kind"] == "indicator"
    assert avg["match_text"].startswith(f"{AME} > Media Production > Animation, Visual Effects, and Games > ")


def test_editions_of_lists_what_is_loaded(std):
    table = editions_of(std).set_index("edition")
    assert list(table.index) == ["2010", "2013", DRAFT]
    assert table.at[DRAFT, "status"] == "draft" and table.at[DRAFT, "sectors"] == AME
    assert table.at[DRAFT, "label"] == "CA CTE Model Curriculum Standards, 2023 draft"
    assert table.at[DRAFT, "rows"] == 367 and table.at[DRAFT, "standards"] == 48
    assert edition_choices(std) == ["adopted", DRAFT]


# ------------------------------------------------------------------ selection

def test_adopted_drops_the_draft_and_changes_nothing_else(std):
    adopted = select_edition(std, "adopted")
    expected = std[std["edition"] != DRAFT].reset_index(drop=True)
    pd.testing.assert_frame_equal(adopted, expected)
    assert select_edition(std, None) is std


def test_the_draft_replaces_only_the_sectors_it_covers(std):
    chosen = select_edition(std, DRAFT)
    assert covered_pairs(std, DRAFT) == {("ca_cte", AME)}
    ame = chosen[chosen["sector"] == AME]
    assert set(ame["edition"]) == {DRAFT} and len(ame) == 367  # the 2013 AME fragments are out
    others = chosen[chosen["sector"] != AME].reset_index(drop=True)
    adopted = select_edition(std, "adopted")
    pd.testing.assert_frame_equal(others, adopted[adopted["sector"] != AME].reset_index(drop=True))
    assert {"cte_crp", "ccss_math", "ccss_ela"} <= set(others["framework"])
    with pytest.raises(ValueError, match="edition '2030' is not loaded; loaded editions: 2010, 2013, 2023-draft"):
        select_edition(std, "2030")


def test_tables_without_edition_columns_get_the_defaults(std, tmp_path):
    old = std[std["edition"] != DRAFT].drop(columns=["edition", "edition_status", "focus_area"])
    path = tmp_path / "standards.csv"
    old.to_csv(path, index=False)
    back = load_standards(path)
    assert list(back.columns) == TIDY_COLUMNS
    assert back.groupby("framework")["edition"].unique().apply(list).to_dict() == {
        "ccss_ela": ["2010"], "ccss_math": ["2010"], "cte_anchor": ["2013"], "cte_crp": ["2013"],
        "cte_pathway": ["2013"]}
    assert set(back["edition_status"]) == {"adopted"}
    custom = tmp_path / "mine.csv"
    custom.write_text("code,text\nA1,Plan a budget.\n", encoding="utf-8")
    mine = standards_from_csv(custom, framework="district")
    assert (mine["edition"].tolist(), mine["edition_status"].tolist()) == ([""], ["adopted"])
    assert with_editions(mine).equals(mine)


def test_the_edition_setting_is_validated():
    assert load_settings(env={}).edition == "adopted"
    assert load_settings(env={"PATHWAY_ALIGN_EDITION": " 2023-Draft "}).edition == DRAFT
    with pytest.raises(SettingsError, match="PATHWAY_ALIGN_EDITION: 'draft 2023!' is not 'adopted' or an edition id"):
        load_settings(env={"PATHWAY_ALIGN_EDITION": "draft 2023!"})


# ------------------------------------------------------------------ CASE: one document per edition

def test_case_export_of_the_draft_is_its_own_document(std):
    packages = case.to_case_packages(std[std["framework"] == "cte_pathway"])
    assert set(packages) == {"cte_pathway", "cte_pathway@2023-draft"}
    adopted, draft = packages["cte_pathway"]["CFDocument"], packages["cte_pathway@2023-draft"]["CFDocument"]
    assert (adopted["version"], adopted["adoptionStatus"]) == ("CA CTE Model Curriculum Standards, 2013", "Adopted")
    assert (draft["version"], draft["adoptionStatus"]) == ("CA CTE Model Curriculum Standards, 2023 draft", "Draft")
    assert adopted["identifier"] != draft["identifier"]
    back = case.read_case(packages["cte_pathway@2023-draft"])
    mine = std[(std["framework"] == "cte_pathway") & (std["edition"] == DRAFT)].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, mine)


# ------------------------------------------------------------------ gaps on the draft, from the command line

def test_gaps_with_the_draft_edition_on_a_bundled_ame_pathway(tmp_path):
    """`pathway-align gaps --edition 2023-draft` on the catalog's Design, Visual, and Media
    Arts pathway (a 2013 name): analysed against the draft's pathways and focus areas, with
    draft standards and the DRAFT label. Suggestions are given (no model is loaded): two
    courses of the pathway, Studio Arts indicators of the draft."""
    pathways = pd.read_csv(REPO / "standards_data/catalogs/westview_2025_26_pathways.csv", dtype=str,
                           keep_default_na=False)
    dvma = pathways[pathways["cte_pathway"] == "Design, Visual, and Media Arts"]
    first, second = dvma["course_id"].iloc[0], dvma["course_id"].iloc[1]
    sa = "CA-CTE.2023-DRAFT.AME.PATHWAY.SA."
    suggestions = pd.DataFrame({
        "course_id": [first, first, second, second],
        "standard_id": [sa + "17.1", sa + "18.5", sa + "17.2", "CA-CTE.2023-DRAFT.AME.ANCHOR.10.2"],
        "band": ["strong", "strong", "possible", "strong"], "score": [0.7, 0.6, 0.5, 0.6],
    })
    suggestions.to_csv(tmp_path / "s.csv", index=False)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update(PYTHONPATH=str(REPO), PATHWAY_ALIGN_STANDARDS_LIBRARY=str(tmp_path / "library"))
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "alignment.present.cli", "gaps",
                           str(REPO / "standards_data/catalogs/westview_2025_26_pathways.csv"),
                           "--pathway", "Design, Visual, and Media Arts", "--edition", DRAFT,
                           "--suggestions", str(tmp_path / "s.csv"), "--no-charts", "-o", str(out)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "[DRAFT standards: CA CTE Model Curriculum Standards, 2023 draft" in done.stderr
    tables = pd.read_html(out)
    html = out.read_text(encoding="utf-8")
    assert "<title>Pathway gap report: Design, Visual, and Media Arts Pathway (DRAFT standards:" in html
    summary = next(t for t in tables if "metric" in t.columns).set_index("metric")["value"]
    assert summary["standards edition"] == "DRAFT"
    assert summary["best-fitting CA pathway"] == "Design, Visual, and Graphic Arts (focus area: Studio Arts)"
    assert summary["pathway standards covered"] == f"{round(100 * 2 / 32, 1)}%"  # SA 17.0 and 18.0 of 32
    fit = next(t for t in tables if "best_fit" in t.columns)
    assert len(fit) == 8 and fit.iloc[0][["focus_area", "standards_covered", "indicators_covered"]].tolist() == \
        ["Studio Arts", 2, 3]
    gaps_a = next(t for t in tables if {"standard_id", "gap"} <= set(t.columns))
    assert gaps_a["standard_id"].str.startswith("CA-CTE.2023-DRAFT.AME.PATHWAY.").all()
    assert not any("CA-CTE.PATHWAY.AME." in str(t.to_numpy().tolist()) for t in tables)


def test_a_bad_or_unloaded_edition_is_one_clear_error(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update(PYTHONPATH=str(REPO), PATHWAY_ALIGN_STANDARDS_LIBRARY=str(tmp_path / "library"))
    for value, message in (("2030", "error: edition: edition '2030' is not loaded; loaded editions: 2010, 2013, "
                                    "2023-draft (or 'adopted')"),
                           ("bad id!", "error: --edition: 'bad id!' is not 'adopted' or an edition id such as "
                                       "2023-draft (edition)")):
        done = subprocess.run([sys.executable, "-m", "alignment.present.cli", "standards", "--edition", value],
                              capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 2 and done.stderr.strip() == message and "Traceback" not in done.stderr


def test_standards_search_shows_the_edition_of_draft_rows(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update(PYTHONPATH=str(REPO), PATHWAY_ALIGN_STANDARDS_LIBRARY=str(tmp_path / "library"))
    out = tmp_path / "list.csv"
    for edition in ("adopted", DRAFT):
        done = subprocess.run([sys.executable, "-m", "alignment.present.cli", "standards", "--edition", edition,
                               "--sector", "AME", "--search", "storyboard", "-o", str(out)],
                              capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        listed = pd.read_csv(out, dtype=str, keep_default_na=False)
        if edition == "adopted":
            assert listed.empty or "edition" not in listed.columns
        else:
            assert set(listed["edition"]) == {"2023-draft (DRAFT)"}
            # FT.17.1's footnote lists storyboards too: footnotes are not in the texts
            assert listed["display_code"].tolist() == ["AME 10.3", "AME 15.4", "AME AVG.18.3", "AME AVG.19.2",
                                                       "AME FT.20.2"]
