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

#: Common Core for whole courses: course descriptions score lower against CCSS
#: standards than standards do against each other (the tasks the thresholds above come
#: from), so the CCSS frameworks have their own thresholds, calibrated at the course
#: level on the labelled catalog courses (``benchmarks/course_quality.py`` writes the
#: pairs to ``benchmarks/data/course_band_calibration.csv`` and derives the thresholds
#: from them with ``thresholds_from_pairs``: an isotonic fit of right ~ score, ``strong``
#: from the lowest score where a suggestion of that score is right at least 3 times in 4,
#: ``possible`` at least half the time; ``tests/test_families.py`` checks these numbers
#: against that file). The isotonic fit replaced five-point score windows (0.35 / 0.28 for
#: math, 0.34 / 0.30 for ELA): on courses left out of the calibration it agrees with the
#: labels as often or more, and its ``possible`` band is right more than half the time
#: (the windows' ELA band was not); docs/ccss_courses.md has the comparison.
#: Practice standards (Mathematical Practices, CCR anchors) keep the shared thresholds:
#: the course-level labels say nothing about them, they score high against everything
#: (with these thresholds MP1 would be "possible" for Introduction to Finance), and the
#: shared bands were calibrated partly on the ELA standard -> CCR anchor task.
FRAMEWORK_BAND_THRESHOLDS = {
    "ccss_math": {"strong": 0.3509, "possible": 0.2422},
    "ccss_ela": {"strong": 0.3348, "possible": 0.3198},
}

#: Hub demotion of Common Core content standards (``alignment.align.hubs``): the share
#: of a standard's excess mean score against the catalog's descriptions that is
#: subtracted. Measured on the labelled math courses (docs/ccss_courses.md): 0 -> 12 of
#: 15 with a right-category first suggestion, 0.5 -> 13, 1.0 -> 11, 1.5 -> 13.
HUB_STRENGTH = 0.5

BANDS = ("strong", "possible", "weak")


def thresholds_for(framework: str | None = None, family: str | None = None) -> dict[str, float]:
    """The band thresholds of a framework's family (the shared ones unless it has its own)."""
    if family == "practice":
        return BAND_THRESHOLDS
    return FRAMEWORK_BAND_THRESHOLDS.get(framework or "", BAND_THRESHOLDS)


def band_for(score: float, framework: str | None = None, family: str | None = None) -> str:
    """The confidence band of a score (of a suggestion from ``framework``, ``family``)."""
    thresholds = thresholds_for(framework, family)
    if score >= thresholds["strong"]:
        return "strong"
    if score >= thresholds["possible"]:
        return "possible"
    return "weak"
