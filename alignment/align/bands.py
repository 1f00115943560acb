"""Scoring weights and confidence bands, with where each number comes from.

Every number here was chosen on the development data in ``../shared/eval`` by
``benchmarks/quality.py`` (which prints the tables that justify them; the README
quotes them). Change them only together with a new benchmark run.
"""

from __future__ import annotations

#: Columns of the standards table that are embedded, with their weights. The
#: standard's own ``text`` was best on the two ranking tasks (indicator -> standard,
#: ELA standard -> anchor); ``match_text`` (with the ancestors' headings: sector,
#: pathway, domain, cluster) was best at placing whole courses in their pathway.
#: Their mean keeps the ranking tasks at their best and lifts the catalog task
#: (benchmarks/quality.py --ablation).
TEXT_COLUMNS = {"text": 0.5, "match_text": 0.5}

#: Weight of the semantic score against TF-IDF over lemmas, per framework.
#: CTE indicator task: semantic alone was best (any TF-IDF share lowered MRR);
#: CCSS ELA anchor task: 0.8 semantic + 0.2 TF-IDF was best.
SEMANTIC_WEIGHT = {
    "cte_pathway": 1.0,
    "cte_anchor": 1.0,
    "cte_crp": 1.0,
    "ccss_ela": 0.8,
    "ccss_math": 0.8,
}

#: Weight of the whole-description cosine against the best single sentence's
#: cosine (passage score), chosen on the catalog task.
WHOLE_WEIGHT = 0.5

#: Score thresholds of the bands: ``strong`` at or above the first, ``possible``
#: at or above the second, else ``weak``. Chosen on the dev tasks so that a
#: top-ranked suggestion is right about 3 times in 4 or more when strong (0.74-0.96
#: by score bin) and about half the time when possible (0.49-0.69), and 1 time in 3
#: or less below (see the calibration table of benchmarks/quality.py and the README).
BAND_THRESHOLDS = {"strong": 0.55, "possible": 0.45}

BANDS = ("strong", "possible", "weak")


def band_for(score: float) -> str:
    """The confidence band of a score (the same thresholds for every framework)."""
    if score >= BAND_THRESHOLDS["strong"]:
        return "strong"
    if score >= BAND_THRESHOLDS["possible"]:
        return "possible"
    return "weak"
