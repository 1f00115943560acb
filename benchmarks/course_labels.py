"""Course-level Common Core labels for the bundled catalog, by a written rule.

    python benchmarks/course_labels.py        # rewrites benchmarks/data/course_ccss_labels.csv

The labels are what a course's *title* names, never what the aligner suggests, and
each is checked against the course's own description (the words that confirm it are
written beside it; a course whose text confirms nothing is left out). The rule:

Math (CCSS high-school conceptual categories: HSN number and quantity, HSA algebra,
HSF functions, HSG geometry, HSS statistics and probability):

* "STATISTICS", "DATA SCIENCE"            -> HSS
* "ALGEBRA"                               -> HSA
* "GEOMETRY"                              -> HSG
* "FUNCTIONS", "PRE-CALCULUS", "CALCULUS" -> HSF (calculus is beyond the CCSS; its
  CCSS groundwork, and the College Board's AP Precalculus framework, is functions)
* "INTEGRATED MATHEMATICS I / II / III"   -> the categories of the units the CCSS
  integrated pathway (Appendix A, "Mathematics I/II/III") gives that course:
  I: HSA, HSF, HSG, HSS (equations, linear and exponential functions, descriptive
  statistics, congruence and coordinate geometry); II: HSN, HSA, HSF, HSG, HSS
  (real and complex numbers, quadratics, similarity and trigonometry, conditional
  probability); III: HSA, HSF, HSG, HSS (polynomial, rational, radical functions,
  general triangles, inference).
* "MATH ACCELERATION": its description says it is taught with Integrated Math 1 & 2,
  so the union of I and II.
* Left out: "BASIC MATH" (whole numbers, fractions, percents: grade-school content,
  no high-school category) and "ACADEMIC SUCCESS - MATH ... SUPPORT" (study skills;
  its text names no mathematics).

ELA: courses of the English department whose ``grades`` fall in one CCSS band get
that band (9 or 10 -> 9-10; 11, 12 or 11-12 -> 11-12); the check is that the text
speaks of reading, writing or literature. English Language Development courses (9-12,
both bands) are left out.

A check word is a word of the description that names the category's subject (for
HSA: algebra, equation, expression, linear, quadratic, polynomial; see ``CHECK_WORDS``).

Held-out split (``split`` column, ``dev`` / ``heldout``): the issue asks for a held-out
measure of the course-level ranking and ``../shared/eval`` defines none for it, so the
labelled courses are split *by course*, before any scoring idea is tried, by a rule
that looks at nothing but the course id: within each subject, courses ordered by the
SHA-256 of their ``course_id``; every third one (the 1st, 4th, 7th...) is held out.
Ideas are tuned on ``dev`` only; ``heldout`` is measured once, at the end, and reported
beside it (``benchmarks/course_quality.py --split``).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment.data.catalog import default_catalog  # noqa: E402

LABELS_PATH = Path(__file__).resolve().parent / "data" / "course_ccss_labels.csv"
COLUMNS = ["course_id", "title", "subject", "grades", "label", "rule", "check_words", "split"]
SPLITS = ("dev", "heldout")
#: Every ``HELDOUT_EVERY``-th course of a subject (in hash order) is held out.
HELDOUT_EVERY = 3

INTEGRATED = {
    "I": ["HSA", "HSF", "HSG", "HSS"],
    "II": ["HSN", "HSA", "HSF", "HSG", "HSS"],
    "III": ["HSA", "HSF", "HSG", "HSS"],
}
CHECK_WORDS = {
    "HSN": ["number", "numbers", "complex", "vector", "matrix", "matrices", "quantities"],
    "HSA": ["algebra", "algebraic", "equation", "equations", "expression", "expressions", "linear",
            "quadratic", "quadratics", "polynomial"],
    "HSF": ["function", "functions", "calculus", "derivatives", "limits", "exponential", "trigonometry"],
    "HSG": ["geometry", "geometric", "congruent", "similarity", "triangle", "triangles", "trigonometry", "circles"],
    "HSS": ["statistics", "statistical", "data", "probability", "sampling", "correlation", "inferences"],
    "ELA": ["reading", "read", "writing", "write", "literature", "literary", "texts", "essays", "novels"],
}


def math_rule(title: str, description: str) -> tuple[list[str], str] | None:
    """(categories, the rule that gave them) for a math course title, or None."""
    t = title.upper()
    if "SUPPORT" in t or "BASIC MATH" in t:
        return None
    m = re.search(r"INTEGRATED MATHEMATICS\s+(III|II|I)", t)
    if m:
        return INTEGRATED[m.group(1)], f"Integrated Mathematics {m.group(1)} (CCSS Appendix A)"
    if "MATH ACCELERATION" in t and re.search(r"Integrated\.? Math 1 & 2", description):
        return sorted(set(INTEGRATED["I"]) | set(INTEGRATED["II"])), "taught with Integrated Math 1 & 2"
    for words, category in [(("STATISTIC", "DATA SCIENCE"), "HSS"), (("ALGEBRA",), "HSA"),
                            (("GEOMETRY",), "HSG"), (("FUNCTIONS", "CALCULUS"), "HSF")]:
        for word in words:
            if word in t:
                return [category], f'title names "{word.lower()}"'
    return None


def ela_band(grades: str) -> str | None:
    numbers = [int(g) for g in re.findall(r"\d+", str(grades))]
    if not numbers:
        return None
    if all(n in (9, 10) for n in numbers):
        return "9-10"
    if all(n in (11, 12) for n in numbers):
        return "11-12"
    return None


def check_words(description: str, categories: list[str]) -> list[str]:
    words = set(re.findall(r"[a-z]+", description.lower()))
    found = []
    for category in categories:
        found += [w for w in CHECK_WORDS[category] if w in words and w not in found]
    return found


def assign_split(table: pd.DataFrame, every: int = HELDOUT_EVERY) -> pd.Series:
    """``dev`` / ``heldout`` for each labelled course (module docstring): within a subject,
    in the order of the SHA-256 of ``course_id``, every ``every``-th course is held out."""
    split = pd.Series("dev", index=table.index, dtype=object)
    for _, group in table.groupby("subject"):
        order = sorted(group.index, key=lambda i: hashlib.sha256(str(table.at[i, "course_id"]).encode()).hexdigest())
        split.loc[order[::every]] = "heldout"
    return split


def build(courses: pd.DataFrame) -> pd.DataFrame:
    """The label table (``COLUMNS``) for a catalog, by the module's rule."""
    rows = []
    for r in courses.itertuples():
        description = str(r.description)
        ruled = math_rule(r.title, description)
        if ruled:
            categories, rule = ruled
            words = check_words(description, categories)
            if "taught with" in rule:
                words = ["Integrated. Math 1 & 2"]
            if words:
                rows.append([r.course_id, r.title, "math", r.grades, " ".join(categories), rule, " ".join(words), ""])
            continue
        if str(r.department).strip() == "English":
            band = ela_band(r.grades)
            words = check_words(description, ["ELA"])
            if band and words:
                rows.append([r.course_id, r.title, "ela", r.grades, band, f"grades {r.grades}", " ".join(words), ""])
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["split"] = assign_split(table)
    return table


def load_labels(path: Path = LABELS_PATH) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str).fillna("")


def main() -> int:
    table = build(default_catalog())
    LABELS_PATH.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(LABELS_PATH, index=False)
    print(table.to_string(index=False))
    print(f"\n{len(table)} labelled courses -> {LABELS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
