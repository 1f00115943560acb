"""Editions: the AME 2023 draft's rows in the bundle, the edition columns, choosing an edition.

On the bundled ``standards_data/standards.csv`` (where the import script put the draft's
rows). The comparisons with CDE's document itself (counts per kind, texts, the skipped
lines) are import-script tests: tests/test_import_shared.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alignment.data import case
from alignment.data.editions import (
    covered_pairs, edition_choices, editions_of, select_edition, with_editions,
)
from alignment.data.standards import TIDY_COLUMNS, load_standards, standards_from_csv
from alignment.settings import SettingsError, load_settings

REPO = Path(__file__).resolve().parent.parent
AME = "Arts, Media, and Entertainment"
DRAFT = "2023-draft"


@pytest.fixture(scope="module")
def std() -> pd.DataFrame:
    return load_standards()


@pytest.fixture(scope="module")
def draft_rows(std) -> pd.DataFrame:
    return std[std["edition"] == DRAFT]


# ------------------------------------------------------------------ the bundled draft rows

def test_draft_rows_are_appended_with_stable_unique_ids(std, draft_rows):
    assert len(draft_rows) == 367
    group = draft_rows["domain"].where(draft_rows["framework"] == "cte_anchor", "")
    kinds = draft_rows.groupby([draft_rows["framework"], group, draft_rows["kind"]]).size().to_dict()
    assert kinds == {
        ("cte_anchor", "Anchor standards", "standard"): 12, ("cte_anchor", "Anchor standards", "indicator"): 73,
        ("cte_anchor", "Interdisciplinary standards", "standard"): 4,
        ("cte_anchor", "Interdisciplinary standards", "indicator"): 30,
        ("cte_pathway", "", "standard"): 32, ("cte_pathway", "", "indicator"): 216}
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
