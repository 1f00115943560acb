"""Crosswalk suggestions on real standards (``alignment.align.crosswalk``).

Standard-to-standard matching with the engine's encoder, checked where the true
counterpart is known from the codes themselves: each grade 11-12 CCSS ELA standard
(Reading Literature, Reading Informational Text, Writing, Speaking and Listening,
Language) restates its College and Career Readiness anchor (RL.11-12.1 -> CCRA.R.1,
W.11-12.4 -> CCRA.W.4, ...). Loads the sentence model (about 30 s).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from alignment.align.crosswalk import CROSSWALK_COLUMNS, CrosswalkSuggester, candidate_mask, queries
from alignment.data.standards import load_standards

GRADE = re.compile(r"CCSS\.ELA-Literacy\.(RL|RI|W|SL|L)\.11-12\.(\d+)$")


def anchor_of(code: str) -> str:
    """The CCR anchor a grade 11-12 standard's code names (RL and RI -> R)."""
    strand, number = GRADE.match(code).groups()
    return f"CCSS.ELA-Literacy.CCRA.{'R' if strand in ('RL', 'RI') else strand}.{number}"


@pytest.fixture(scope="module")
def standards() -> pd.DataFrame:
    return load_standards()


@pytest.fixture(scope="module")
def ela(standards):
    ela = standards[standards["framework"] == "ccss_ela"]
    grade = ela[ela["code"].str.match(GRADE.pattern) & (ela["kind"] == "standard")]
    anchors = ela[ela["code"].str.contains(".CCRA.", regex=False)]  # with their headings: never candidates
    return grade, anchors


@pytest.fixture(scope="module")
def crosswalk(ela):
    grade, anchors = ela
    suggester = CrosswalkSuggester(top_k=3).fit(anchors, to_edition="CCR anchors")
    return suggester, suggester.transform(grade, from_edition="grade 11-12")


def test_grade_standards_find_their_anchor(ela, crosswalk):
    grade, anchors = ela
    _, table = crosswalk
    assert len(grade) == 41 and list(table.columns) == CROSSWALK_COLUMNS
    assert (table.groupby("from_id")["rank"].apply(list) == pd.Series([[1, 2, 3]] * 41, index=sorted(grade["standard_id"]))).all()
    assert set(table["to_id"]) <= set(anchors.loc[anchors["kind"] != "heading", "standard_id"])
    table = table.assign(gold=table["from_id"].map(anchor_of))
    found = table[table["to_id"] == table["gold"]]
    top1 = (found["rank"] == 1).sum() / len(grade)
    top3 = found["from_id"].nunique() / len(grade)
    # measured 0.90 and 0.98 (benchmarks/evaluation.py's dev task reaches MRR 0.90 on 6-12)
    assert top1 >= 0.85 and top3 >= 0.95, (top1, top3)
    # scores fall with rank, bands follow the shared thresholds
    assert (table.groupby("from_id")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    assert set(table.loc[table["score"] >= 0.55, "band"]) == {"strong"}


def test_evidence_names_the_words_both_texts_share(crosswalk):
    _, table = crosswalk
    row = table[(table["from_id"] == "CCSS.ELA-Literacy.L.11-12.1") & (table["rank"] == 1)].iloc[0]
    assert row["to_id"] == "CCSS.ELA-Literacy.CCRA.L.1"
    # both texts: "Demonstrate command of the conventions of standard English grammar and usage ..."
    assert {"grammar", "usage"} <= set(row["matched_terms"])
    assert "standard english grammar" in row["matched_phrases"]
    assert row["evidence"].startswith("shared terms: ") and "best sentence" not in row["evidence"]
    assert row["from_edition"] == "grade 11-12" and row["to_edition"] == "CCR anchors"


def test_reusing_a_fitted_aligner_gives_the_same_candidates(ela, crosswalk):
    grade, anchors = ela
    suggester, table = crosswalk
    again = CrosswalkSuggester(top_k=3, aligner=suggester.aligner_).fit(anchors, to_edition="CCR anchors")
    assert again.aligner_ is suggester.aligner_
    other = again.transform(grade.head(5), from_edition="grade 11-12")
    first = table[table["from_id"].isin(grade.head(5)["standard_id"])]
    assert other[["from_id", "to_id", "rank"]].values.tolist() == first[["from_id", "to_id", "rank"]].values.tolist()


def test_candidates_stay_in_the_sector_and_framework_family():
    import numpy as np

    frameworks = np.array(["cte_anchor", "cte_pathway", "cte_pathway", "ccss_ela", "cte_anchor"])
    sectors = np.array(["Arts, Media, and Entertainment", "Arts, Media, and Entertainment", "Business and Finance", "",
                        "ALL"])
    assert candidate_mask("cte_pathway", "Arts, Media, and Entertainment", frameworks, sectors).tolist() == [
        True, True, False, False, True]
    assert candidate_mask("ccss_ela", "", frameworks, sectors).tolist() == [False, False, False, True, False]


def test_editions_must_be_named_and_headings_are_never_queries(standards):
    ame = standards[standards["sector"] == "Arts, Media, and Entertainment"]
    assert len(queries(ame)) == len(ame[ame["kind"] != "heading"])
    with pytest.raises(ValueError, match="no edition column"):
        CrosswalkSuggester().fit(ame.drop(columns=["edition"], errors="ignore"))
    with pytest.raises(RuntimeError, match="not fitted"):
        CrosswalkSuggester().transform(ame, from_edition="2013")
