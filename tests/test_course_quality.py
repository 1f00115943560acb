"""The course-level Common Core evaluation: its held-out split and the calibration's spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.course_labels import HELDOUT_EVERY, assign_split, load_labels
from benchmarks.course_quality import (
    bootstrap_counted, bootstrap_thresholds, isotonic_precision, thresholds_from_pairs,
)


# ------------------------------------------------------------------ the held-out split

def test_the_label_file_holds_the_split_its_rule_gives():
    labels = load_labels()
    assert set(labels["split"]) == {"dev", "heldout"}
    assert labels["split"].tolist() == assign_split(labels).tolist()
    for subject, group in labels.groupby("subject"):
        held = (group["split"] == "heldout").sum()
        assert held == -(-len(group) // HELDOUT_EVERY), subject  # every third, rounded up
        assert 0 < held < len(group), subject


def test_the_split_depends_on_the_course_id_only():
    labels = load_labels()
    shuffled = labels.sample(frac=1.0, random_state=3).reset_index(drop=True)
    # another label or title (what a tuned idea might change) moves nothing
    shuffled["label"] = "HSA"
    shuffled["title"] = "renamed"
    again = dict(zip(shuffled["course_id"], assign_split(shuffled)))
    assert again == dict(zip(labels["course_id"], labels["split"]))


# ------------------------------------------------------------------ calibration spread

def _pairs(n_courses: int, boundary: float, noise: float, seed: int = 0) -> pd.DataFrame:
    """``n_courses`` courses of 10 pairs each; right when the score is over ``boundary``,
    flipped with probability ``noise``."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_courses):
        for score in rng.uniform(0.1, 0.6, size=10):
            right = (score >= boundary) != (rng.random() < noise)
            rows.append(("ccss_math", f"c{c}", "X", round(float(score), 4), bool(right)))
    return pd.DataFrame(rows, columns=["framework", "course_id", "code", "score", "right"])


def test_bootstrap_thresholds_are_tight_on_clean_data_and_wide_on_few_noisy_pairs():
    clean = bootstrap_thresholds(_pairs(60, 0.40, 0.0), n=50).set_index("band")
    assert clean.loc["possible", "from all pairs"] == pytest.approx(thresholds_from_pairs(_pairs(60, 0.40, 0.0))["ccss_math"]["possible"])
    assert 0.35 <= clean.loc["possible", "p5"] <= clean.loc["possible", "p95"] <= 0.41
    noisy = bootstrap_thresholds(_pairs(8, 0.40, 0.25), n=50).set_index("band")
    spread = lambda t: t.loc["possible", "p95"] - t.loc["possible", "p5"]  # noqa: E731
    assert spread(noisy) > spread(clean)


def test_bootstrap_counted_and_isotonic_precision_read_the_pairs():
    pairs = _pairs(60, 0.40, 0.0)
    assert bootstrap_counted(pairs, 0.55, n=30) == 1.0
    assert bootstrap_counted(pairs, 0.20, n=30) == 0.0
    assert isotonic_precision(pairs, "ccss_math", 0.55) == pytest.approx(1.0)
    assert isotonic_precision(pairs, "ccss_math", 0.20) == pytest.approx(0.0)
    low, high = (isotonic_precision(_pairs(60, 0.40, 0.2), "ccss_math", s) for s in (0.3, 0.5))
    assert low < 0.5 < high


def test_compare_calibrations_reads_courses_left_out():
    from benchmarks.course_quality import compare_calibrations

    clean = compare_calibrations(_pairs(40, 0.40, 0.0), folds=4, repeats=2).set_index("method")
    assert set(clean.index) == {"isotonic (shipped)", "5-point windows (before)"}
    assert (clean["agreement"] > 0.95).all()
    # labels that say nothing about the score: no method can agree with held-out courses
    coin = compare_calibrations(_pairs(40, 0.40, 0.5, seed=1), folds=4, repeats=2)
    assert (coin["agreement"] < 0.7).all()

