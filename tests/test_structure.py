"""Structure pairs for adapting the sentence model: what they hold, and that they
never contain the evaluation's own relation (the issue's "a test asserts the training
pairs exclude them")."""

import pandas as pd
import pytest

from alignment.settings import get_settings
from benchmarks.structure import assert_disjoint, sibling_negatives, structure_pairs

needs_shared = pytest.mark.skipif(not (get_settings().shared_dir / "eval").exists(), reason="../shared/eval not present")


def _dev():
    read = lambda name: pd.read_csv(get_settings().shared_dir / "eval" / name, dtype=str, keep_default_na=False)  # noqa: E731
    return read("cte_indicator_to_standard_dev.csv"), read("ccss_ela_to_anchor_dev.csv")


def test_pairs_follow_the_frameworks_hierarchy(standards):
    pairs = structure_pairs(standards)
    by_id = standards.set_index("standard_id")
    # every pair is a real child -> parent link with both texts verbatim from the table
    assert (by_id.loc[pairs["child_id"], "parent_id"].to_numpy() == pairs["parent_id"].to_numpy()).all()
    assert (by_id.loc[pairs["child_id"], "text"].str.strip().to_numpy() == pairs["child"].to_numpy()).all()
    relations = set(pairs["relation"])
    assert {"sub-standard -> standard", "standard -> heading", "indicator -> standard"} <= relations
    assert set(pairs["framework"]) == {"ccss_math", "cte_anchor", "cte_pathway"}  # no ELA by default
    ict = pairs[(pairs["framework"] == "cte_pathway") & (pairs["sector"] == "Information and Communication Technologies")]
    assert len(ict) > 100  # the other complete sector is kept by default


def test_held_out_relations_are_absent(standards):
    pairs = structure_pairs(standards)
    assert not ((pairs["framework"] == "cte_pathway") & (pairs["sector"] == "Business and Finance")).any()
    codes = standards.set_index("standard_id")["code"]
    touched = pd.concat([codes.loc[pairs["child_id"]], codes.loc[pairs["parent_id"]]])
    assert not touched.str.contains("CCRA").any()
    strict = structure_pairs(standards, pathway_pairs=False)
    assert not (strict["framework"] == "cte_pathway").any() and len(strict) < len(pairs)


@needs_shared
def test_training_pairs_exclude_the_evaluation_queries(standards):
    cte, ela = _dev()
    assert_disjoint(structure_pairs(standards), cte, ela, standards)
    assert_disjoint(structure_pairs(standards, pathway_pairs=False), cte, ela, standards)


@needs_shared
def test_the_check_catches_a_leak(standards):
    cte, ela = _dev()
    leaky = structure_pairs(standards, held_out_sectors=())  # Business and Finance pairs kept
    with pytest.raises(AssertionError, match="evaluation query"):
        assert_disjoint(leaky, cte, ela, standards)
    # ELA pairs use the ELA queries' own texts (as children of their cluster headings)
    with pytest.raises(AssertionError, match="query's text"):
        assert_disjoint(structure_pairs(standards, frameworks=["ccss_ela"]), cte, ela, standards)
    # an ELA query paired with its anchor is caught too
    row = ela.iloc[0]
    anchor = standards[standards["code"].str.endswith(row["gold_code"])].iloc[0]
    planted = pd.DataFrame([{"child_id": "x", "parent_id": anchor["standard_id"], "child": "some other text",
                             "parent": row["query_text"], "relation": "", "framework": "ccss_ela", "sector": ""}])
    with pytest.raises(AssertionError, match="query's text"):
        assert_disjoint(planted, cte, ela, standards)


def test_missing_columns_are_refused(standards):
    with pytest.raises(ValueError, match="parent_id"):
        structure_pairs(standards.drop(columns=["parent_id"]))


def test_sibling_negatives_are_other_standards_of_the_same_family(standards):
    pairs = structure_pairs(standards)
    negatives = sibling_negatives(pairs, standards)
    assert len(negatives) == len(pairs)
    by_id = standards.set_index("standard_id")
    ict = pairs.index[(pairs["framework"] == "cte_pathway") & (pairs["sector"] == "Information and Communication Technologies")][0]
    parent = by_id.loc[pairs.at[ict, "parent_id"]]
    same_pathway = standards[(standards["framework"] == "cte_pathway") & (standards["kind"] == "standard")
                             & (standards["sector"] == parent["sector"]) & (standards["pathway"] == parent["pathway"])]
    assert set(negatives[ict]) == set(same_pathway["text"].str.strip()) - {parent["text"].strip()}
    # a Common Core Math standard's negatives are the other clusters of its cluster's domain
    math = pairs.index[pairs["relation"] == "standard -> heading"][0]
    cluster = by_id.loc[pairs.at[math, "parent_id"]]
    assert set(negatives[math]) <= set(standards.loc[standards["parent_id"] == cluster["parent_id"], "text"].str.strip())
    assert all(pairs.at[i, "parent"] not in negatives[i] for i in pairs.index)
    assert negatives.map(len).gt(0).mean() > 0.8  # nearly every pair has hard negatives
