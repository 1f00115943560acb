"""Grade fit inside a grade band: a grade-9 course prefers the 9-10 standards.

The Common Core's high-school ELA/Literacy standards come in two grade levels,
9-10 and 11-12, often as near twins (RL.9-10.1 and RL.11-12.1 differ by a clause),
so their scores for a course differ by noise. The course's grades decide: a
standard written for grades the course does not teach is pushed down by
``OTHER_GRADES_PENALTY``. Standards for a whole band (``HS``, ``K-12``) and courses
whose grades are unknown or span both levels are never pushed down.
"""

from __future__ import annotations

import re

import numpy as np

#: Subtracted from the score of a standard written for other grades than the course's
#: (inside the band the course already keeps). 0.1 is more than twin standards ever
#: differ by for a course and less than a different strand; chosen on the ELA courses
#: of the catalog (docs/ccss_courses.md: 0.03 left 4 of 13 with an other-grade twin in
#: the top 3, 0.05 and 0.08 left 3, 0.1 none).
OTHER_GRADES_PENALTY = 0.1


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


def grade_penalty(standard_grades, course_grades, penalty: float = OTHER_GRADES_PENALTY) -> np.ndarray:
    """The amount subtracted from each standard's score for one course's grades."""
    return other_grades(standard_grades, course_grades).astype(np.float32) * np.float32(penalty)
