"""Reviewed decisions on suggestions: the table every part of the product shares.

A decision says a reviewer accepted or rejected that a course teaches a standard
(or added one the machine missed: ``accepted`` with ``origin = "reviewer"``). The
review store (``alignment.review.store``) keeps them durably; a plain CSV with the same
columns is accepted wherever decisions are read (gap analysis, exports).

Columns:
``course_id, standard_id, decision`` (``accepted`` | ``rejected``),
``association_type`` (``exactMatchOf`` | ``isRelatedTo``; CASE association type used
when an accepted decision is exported), ``origin`` (``suggestion`` | ``reviewer``),
``reviewer``, ``note``, ``decided_at`` (ISO 8601 UTC).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from alignment.io.errors import InputError, row_problem
from alignment.io.files import as_utf8, read_input_file
from alignment.io.writers import unsafe_frame

DECISION_COLUMNS = [
    "course_id", "standard_id", "decision", "association_type", "origin", "reviewer", "note", "decided_at",
]
DECISIONS = ("accepted", "rejected")
ASSOCIATION_TYPES = ("exactMatchOf", "isRelatedTo")
ORIGINS = ("suggestion", "reviewer")


def validate_decisions(df: pd.DataFrame, source: str = "<decisions>") -> pd.DataFrame:
    """Check a decisions table; fill optional columns; raise InputError naming rows.

    Required: course_id, standard_id, decision. The last decision for a
    (course_id, standard_id) pair wins (a reviewer may change their mind), so
    duplicates are allowed and resolved by order.
    """
    missing = [c for c in ("course_id", "standard_id", "decision") if c not in df.columns]
    if missing:
        raise InputError(source, row_problem(source, 1, f"missing column(s) {', '.join(missing)}; found: {', '.join(map(str, df.columns))}"))
    out = df.copy()
    for col in DECISION_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    out = out[DECISION_COLUMNS].fillna("").astype(str)
    out["decision"] = out["decision"].str.strip().str.lower()
    out.loc[out["association_type"] == "", "association_type"] = "exactMatchOf"
    out.loc[out["origin"] == "", "origin"] = "suggestion"
    problems = []
    for i, row in enumerate(out.itertuples(index=False), start=2):
        if not row.course_id.strip():
            problems.append(row_problem(source, i, "course_id is empty"))
        if not row.standard_id.strip():
            problems.append(row_problem(source, i, "standard_id is empty"))
        if row.decision not in DECISIONS:
            problems.append(row_problem(source, i, f"decision {row.decision!r} is not one of {', '.join(DECISIONS)}"))
        if row.association_type not in ASSOCIATION_TYPES:
            problems.append(row_problem(source, i, f"association_type {row.association_type!r} is not one of {', '.join(ASSOCIATION_TYPES)}"))
        if row.origin not in ORIGINS:
            problems.append(row_problem(source, i, f"origin {row.origin!r} is not one of {', '.join(ORIGINS)}"))
    if problems:
        raise InputError(source, problems)
    return out.reset_index(drop=True)


def read_decisions_csv(path: str | Path) -> pd.DataFrame:
    """Decisions from a CSV file (UTF-8), validated."""
    data, source = read_input_file(path)
    data = as_utf8(data, source)  # UTF-16/32 text read as such
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise InputError(source, row_problem(source, row, f"not valid UTF-8 (byte offset {exc.start}); save it as UTF-8")) from None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(source, row_problem(source, None, f"not a readable CSV file: {' '.join(str(exc).split())}")) from None
    return validate_decisions(unsafe_frame(df), source)  # our exports' formula guard undone


def latest_decisions(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (course_id, standard_id): the last decision made."""
    return df.drop_duplicates(["course_id", "standard_id"], keep="last").reset_index(drop=True)
