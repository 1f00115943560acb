"""Quality metrics and the dev tasks' construction (no models)."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.evaluation import (
    calibration_table, catalog_accuracy, load_catalog_task, load_cte_task, load_ela_task,
    normalize_pathway, rank_metrics, rank_of_gold,
)
from alignment.settings import get_settings

needs_shared = pytest.mark.skipif(not (get_settings().shared_dir / "eval").exists(), reason="../shared/eval not present")


def test_rank_metrics_by_hand():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.3], [0.5, 0.5, 0.1]])
    gold = np.array([0, 2, 1])
    assert list(rank_of_gold(scores, gold)) == [1, 2, 2]  # a tie counts against the gold
    m = rank_metrics(scores, gold)
    assert m["recall@1"] == pytest.approx(1 / 3)
    assert m["recall@5"] == 1.0
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0.5) / 3)


def test_normalize_pathway():
    assert normalize_pathway("Production & Managerial Arts Pathway") == "production and managerial arts"
    assert normalize_pathway("Design, Visual, and Media Arts") == "design visual and media arts"


def test_catalog_accuracy_sector_level_and_pathway_level():
    courses = pd.DataFrame({
        "sectors": [["Business and Finance"], ["Arts, Media, and Entertainment"]],
        "pathways": [["Business & Finance Pathway"], ["Performing Arts Pathway"]],
    })
    rankings = [
        [("Business and Finance", "Financial Services"), ("X", "Y")],  # sector-only label: right
        [("Arts, Media, and Entertainment", "Design, Visual, and Media Arts"),
         ("Arts, Media, and Entertainment", "Performing Arts")],         # wrong pathway first
    ]
    acc = catalog_accuracy(rankings, courses)
    assert acc["accuracy@1"] == 0.5 and acc["accuracy@3"] == 1.0


def test_calibration_table_bins():
    table = calibration_table(np.array([0.32, 0.33, 0.8]), np.array([False, True, True]))
    row = table[table["score_from"] == 0.3].iloc[0]
    assert row["queries"] == 2 and row["top1_correct"] == 0.5


@needs_shared
def test_dev_tasks_on_real_data(standards, catalog):
    cte = load_cte_task(standards)
    assert len(cte.queries) == 138 and len(cte.candidates) == 67
    assert set(cte.candidates["kind"]) == {"standard"}
    gold_codes = cte.candidates.iloc[cte.gold]["code"]
    assert gold_codes.str.endswith(".0").all()
    ela = load_ela_task(standards)
    assert len(ela.candidates) == 32 and len(ela.queries) == 292
    assert not set(ela.query_ids) & set(ela.candidates["code"])
    labelled, outside, cands = load_catalog_task(catalog, standards)
    assert len(outside) == 5  # Engineering and Architecture: no standards loaded
    assert set(cands["framework"]) == {"cte_pathway"}
