"""Grade fit inside a grade band: a grade-9 course gets the 9-10 standards, not the 11-12 ones.

The Common Core's high-school ELA/Literacy standards come in two grade levels,
9-10 and 11-12, as twins (RL.9-10.1 and RL.11-12.1 differ by a clause), so their
scores for a course differ by little and a course's top 3 mixed the levels (9-10 of
13 English courses of the catalog). The course's grades decide: inside the band the
aligner already keeps, a standard written for grades the course does not teach is
not a candidate; its twin for the course's grades is. Measured against a softer
rule (subtracting a penalty): 0.02-0.03 left 5-6 of 13 English courses with an
other-grade twin in the top 3, 0.05-0.1 left 3 (RI.9-10.6, on rhetoric, outscores every 11-12
standard but its own twin for AP English Language by more than 0.1), so the twin
is dropped outright (docs/ccss_courses.md). Standards for a whole band (``HS``,
``K-12``) and courses whose grades are unknown or span both levels keep everything.
"""

from __future__ import annotations

import re

import numpy as np


def grade_levels(grades) -> frozenset[int] | None:
    """The grades (0 for K) a ``grades`` field names: ``9-12`` -> {9, 10, 11, 12}; None when unknown."""
    text = str(grades or "").strip().upper()
    numbers = [0 if g == "K" else int(g) for g in re.findall(r"K|\d+", text)]
    numbers = [n for n in numbers if 0 <= n <= 12]
    if not numbers:
        return None
    return frozenset(range(min(numbers), max(numbers) + 1))


def other_grades(standard_grades, course_grades) -> np.ndarray:
    """For each standard's ``grade`` (``9-10``, ``11-12``, ``HS``, ``K-12``, ``3``...), True when
    it names grades and none of them is one of the course's (``course_grades`` from ``grade_levels``)."""
    values = np.asarray(standard_grades, dtype=object)
    if not course_grades:
        return np.zeros(len(values), dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    memo: dict[str, bool] = {}
    for i, value in enumerate(values):
        key = str(value)
        if key not in memo:
            levels = grade_levels(key) if re.fullmatch(r"\s*(K|\d+)(\s*-\s*(K|\d+))?\s*", key) else None
            memo[key] = bool(levels) and not (levels & course_grades)
        out[i] = memo[key]
    return out
