"""Content standards and practice standards: two families, ranked apart.

Three groups of standards are worded so generally that they sit close to almost
every course description: the Standards for Mathematical Practice (MP1-MP8), the
ELA College and Career Readiness anchor standards (CCRA.*) and the CTE Standards for
Career Ready Practice. Ranked together with content standards they take the top
places of nearly every course (on the bundled catalog, 9 of 15 math courses had a
Mathematical Practice first), and a specialist asking "which Common Core does this
course teach" wants the content standards. So each standard belongs to a *family*:
``content`` or ``practice``; suggestions are ranked within (framework, family), and
presenters show practices as their own group. A practice never takes a content
standard's place in a course's top-k.
"""

from __future__ import annotations

import pandas as pd

CONTENT = "content"
PRACTICE = "practice"
FAMILIES = (CONTENT, PRACTICE)

#: What the practice family of each framework is called in apps and reports.
PRACTICE_TITLES = {
    "ccss_math": "Standards for Mathematical Practice",
    "ccss_ela": "College and Career Readiness anchor standards",
    "cte_crp": "Standards for Career Ready Practice",
}

#: Code markers of the practice standards inside a content framework.
_PRACTICE_MARKERS = {"ccss_math": ".Math.Practice.", "ccss_ela": ".CCRA."}


def family_of(framework: str, code: str) -> str:
    """``practice`` for Mathematical Practices, CCR anchors and Career Ready Practices; else ``content``."""
    if framework == "cte_crp":
        return PRACTICE
    marker = _PRACTICE_MARKERS.get(framework)
    if marker and (marker in str(code) or str(code).endswith(marker.rstrip("."))):
        return PRACTICE
    return CONTENT


def families(standards: pd.DataFrame) -> pd.Series:
    """The family of every row of a standards table (columns ``framework`` and ``code``)."""
    missing = [c for c in ("framework", "code") if c not in standards.columns]
    if missing:
        raise ValueError(f"standards table is missing columns: {', '.join(missing)}")
    return pd.Series(
        [family_of(f, c) for f, c in zip(standards["framework"].astype(str), standards["code"].astype(str))],
        index=standards.index, name="family", dtype=object,
    )


def group_title(framework: str, family: str, framework_title: str = "") -> str:
    """The heading a presenter shows for one (framework, family) group."""
    if family == PRACTICE and framework in PRACTICE_TITLES:
        return PRACTICE_TITLES[framework]
    return framework_title or framework
