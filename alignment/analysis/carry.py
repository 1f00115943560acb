"""Carry reviewed course alignments from one edition of the standards to the next.

A county has reviewed which standards of edition A (the 2013 CTE standards) its
courses teach. When edition B is adopted, the reviewed crosswalk A -> B
(:mod:`alignment.review.crosswalk_store`) says which new standard each old one became.
:func:`carry_decisions` projects every course decision on an edition-A standard
through the crosswalk, by these rules:

==================  ===================================================================
crosswalk decision  what happens to a course decision on the edition-A standard
==================  ===================================================================
``exact``           ``carried``: the same decision (accepted or rejected, same
                    association type) on the edition-B standard
``related``         ``needs review``: the pair is put before a reviewer; the source
                    decision is shown, nothing is decided for them
``none``            nothing carries (the edition-A standard has no counterpart there)
not reviewed        nothing carries yet: listed in the report (review the crosswalk first)
==================  ===================================================================

When several edition-A standards lead one course to the same edition-B standard with
different decisions (one accepted, one rejected), every one of those rows becomes
``needs review`` (reason "conflicting source decisions"): no rule can guess.

Every carried row names its source decision (standard, decision, reviewer, time, audit
id when the store's audit is given) and the crosswalk decision it went through
(decision, reviewer, time). :func:`carry_report` turns this into the report's parts;
:func:`write_carry_report` writes them through the one writer (:mod:`alignment.io.writers`).
Writing carried decisions into the review store is
``alignment.review.crosswalk_store.CrosswalkReviews.record_carried``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignment.io import writers

#: Columns of :func:`carry_decisions`.
CARRY_COLUMNS = [
    "catalog", "course_id", "standard_id", "to_code", "to_framework", "status", "decision", "association_type",
    "reason", "source_standard_id", "source_decision", "source_association_type", "source_reviewer",
    "source_decided_at", "source_audit_id", "crosswalk_decision", "crosswalk_reviewer", "crosswalk_decided_at",
    "from_edition", "to_edition",
]
#: Columns of the report's "not carried" part.
NOT_CARRIED_COLUMNS = ["catalog", "course_id", "source_standard_id", "source_decision", "source_reviewer",
                       "source_decided_at", "reason"]
#: Columns of the report's "uncovered" part.
UNCOVERED_COLUMNS = ["standard_id", "code", "framework", "pathway", "text", "pending_review"]
#: The report's parts, in order (Excel sheet names).
REPORT_PARTS = ["summary", "carried", "needs review", "not carried", "uncovered"]
STATUSES = ("carried", "needs review")


def _text(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    df = df.copy()
    for column in columns:
        df[column] = df[column].fillna("").astype(str).str.strip() if column in df.columns else ""
    return df


def _source_audit_ids(audit: pd.DataFrame | None) -> dict[tuple[str, str, str], int]:
    """(catalog, course, standard) -> the audit id of the change that made its current decision."""
    if audit is None or audit.empty:
        return {}
    rows = audit[audit["action"].isin(["record", "undo"])].sort_values("id")
    return {(r.catalog, r.course_id, r.standard_id): int(r.id) for r in rows.itertuples()}


def carry_decisions(decisions: pd.DataFrame, crosswalk: pd.DataFrame, *, audit: pd.DataFrame | None = None,
                    standards_b: pd.DataFrame | None = None, catalog: str | None = None) -> pd.DataFrame:
    """Course decisions on edition-A standards, projected through the reviewed crosswalk
    (module docstring). ``decisions``: ``ReviewStore.decisions()`` (or a decisions table
    with ``catalog``, or pass ``catalog=``); ``crosswalk``: ``CrosswalkReviews.decisions``
    of one pair of editions; ``audit``: ``ReviewStore.audit()`` for the source audit ids;
    ``standards_b``: edition B, for the carried rows' codes. One row per (course,
    edition-B standard, source standard), :data:`CARRY_COLUMNS`."""
    dec = _text(decisions, ["catalog", "course_id", "standard_id", "decision", "association_type", "reviewer",
                            "decided_at"])
    if catalog is not None:
        dec = dec[dec["catalog"].isin([catalog, ""])].assign(catalog=catalog)
    xw = _text(crosswalk, ["from_edition", "to_edition", "from_id", "to_id", "decision", "reviewer", "decided_at"])
    xw = xw[xw["decision"].isin(["exact", "related"])]
    joined = dec.merge(xw, left_on="standard_id", right_on="from_id", suffixes=("", "_xw"))
    audit_ids = _source_audit_ids(audit)
    codes = {}
    if standards_b is not None:
        b = _text(standards_b, ["standard_id", "display_code", "code", "framework"])
        codes = {r.standard_id: (r.display_code or r.code, r.framework) for r in b.itertuples()}
    rows = []
    for r in joined.to_dict("records"):
        exact = r["decision_xw"] == "exact"
        code, framework = codes.get(r["to_id"], ("", ""))
        audit_id = audit_ids.get((r["catalog"], r["course_id"], r["standard_id"]))
        rows.append({
            "catalog": r["catalog"], "course_id": r["course_id"], "standard_id": r["to_id"], "to_code": code,
            "to_framework": framework, "status": "carried" if exact else "needs review",
            "decision": r["decision"] if exact else "", "association_type": r["association_type"] if exact else "",
            "reason": "crosswalk: exact match" if exact else "crosswalk: related (review the new standard)",
            "source_standard_id": r["standard_id"], "source_decision": r["decision"],
            "source_association_type": r["association_type"], "source_reviewer": r["reviewer"],
            "source_decided_at": r["decided_at"], "source_audit_id": audit_id,
            "crosswalk_decision": r["decision_xw"], "crosswalk_reviewer": r["reviewer_xw"],
            "crosswalk_decided_at": r["decided_at_xw"], "from_edition": r["from_edition"],
            "to_edition": r["to_edition"],
        })
    out = pd.DataFrame(rows, columns=CARRY_COLUMNS)
    if out.empty:
        out["source_audit_id"] = out["source_audit_id"].astype("Int64")
        return out
    carried = out["status"] == "carried"
    pair = ["catalog", "course_id", "standard_id"]
    kinds = out[carried].groupby(pair)["decision"].nunique()
    conflicting = set(kinds[kinds > 1].index)
    clash = carried & pd.Series([tuple(k) in conflicting for k in out[pair].itertuples(index=False)], index=out.index)
    out.loc[clash, ["status", "decision", "association_type"]] = ["needs review", "", ""]
    out.loc[clash, "reason"] = "conflicting source decisions (accepted and rejected lead here)"
    out["source_audit_id"] = out["source_audit_id"].astype("Int64")
    return out.sort_values(pair + ["source_standard_id"], kind="stable").reset_index(drop=True)


def carry_report(carried: pd.DataFrame, decisions: pd.DataFrame, crosswalk: pd.DataFrame,
                 standards_b: pd.DataFrame, *, from_ids: list[str] | None = None,
                 decisions_b: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The carry-over report, one DataFrame per part (:data:`REPORT_PARTS`):

    * ``carried`` / ``needs review``: the rows of ``carried`` (:func:`carry_decisions`)
      by status;
    * ``not carried``: course decisions on edition-A standards (``from_ids``; default
      every edition-A standard of the crosswalk) that carry nowhere, with why (no
      counterpart; the crosswalk of that standard not reviewed yet);
    * ``uncovered``: edition-B standards (with text, no headings) no course is aligned to
      (no accepted carried decision, no accepted decision in ``decisions_b``), with how many
      pairs still wait for a review (``pending_review``);
    * ``summary``: the counts, one row per measure.
    """
    dec = _text(decisions, ["catalog", "course_id", "standard_id", "decision", "reviewer", "decided_at"])
    xw = _text(crosswalk, ["from_id", "to_id", "decision"])
    ids = list(dict.fromkeys(from_ids if from_ids is not None else xw["from_id"]))
    source = dec[dec["standard_id"].isin(ids)]
    reviewed = set(xw["from_id"])
    counterpart = set(xw.loc[xw["decision"].isin(["exact", "related"]), "from_id"])
    gone = source[~source["standard_id"].isin(counterpart)]
    not_carried = pd.DataFrame({
        "catalog": gone["catalog"], "course_id": gone["course_id"], "source_standard_id": gone["standard_id"],
        "source_decision": gone["decision"], "source_reviewer": gone["reviewer"],
        "source_decided_at": gone["decided_at"],
        "reason": ["no counterpart in the new edition (crosswalk: none)" if s in reviewed
                   else "crosswalk not reviewed for this standard yet" for s in gone["standard_id"]],
    }, columns=NOT_CARRIED_COLUMNS).reset_index(drop=True)

    b = _text(standards_b, ["standard_id", "display_code", "code", "framework", "pathway", "text", "kind"])
    b = b[(b["kind"] != "heading") & (b["text"] != "")]
    covered = set(carried.loc[(carried["status"] == "carried") & (carried["decision"] == "accepted"), "standard_id"])
    if decisions_b is not None and len(decisions_b):
        db = _text(decisions_b, ["standard_id", "decision"])
        covered |= set(db.loc[db["decision"] == "accepted", "standard_id"])
    pending = carried[carried["status"] == "needs review"].groupby("standard_id").size()
    left = b[~b["standard_id"].isin(covered)]
    uncovered = pd.DataFrame({
        "standard_id": left["standard_id"], "code": [d or c for d, c in zip(left["display_code"], left["code"])],
        "framework": left["framework"], "pathway": left["pathway"], "text": left["text"],
        "pending_review": [int(pending.get(s, 0)) for s in left["standard_id"]],
    }, columns=UNCOVERED_COLUMNS).reset_index(drop=True)

    is_carried = carried["status"] == "carried"
    summary = pd.DataFrame([
        ("course decisions on edition-A standards", len(source)),
        ("carried (exact counterpart)", int(is_carried.sum())),
        ("  of which accepted", int((is_carried & (carried["decision"] == "accepted")).sum())),
        ("need a new review (related or conflicting)", int((~is_carried).sum())),
        ("not carried", len(not_carried)),
        ("edition-B standards", len(b)),
        ("edition-B standards no course covers yet", len(uncovered)),
    ], columns=["measure", "count"])
    return {"summary": summary, "carried": carried[is_carried].reset_index(drop=True),
            "needs review": carried[~is_carried].reset_index(drop=True), "not carried": not_carried,
            "uncovered": uncovered}


def report_table(report: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The report's course-level parts as one table for CSV: a ``part`` column, then the
    carry columns (``not carried`` rows fill the columns they have)."""
    parts = []
    for part in ("carried", "needs review", "not carried"):
        frame = report[part].copy()
        frame.insert(0, "part", part)
        parts.append(frame)
    columns = ["part"] + CARRY_COLUMNS
    table = pd.concat([p.reindex(columns=columns).astype(object) for p in parts], ignore_index=True)
    return table.where(table.notna(), "")


def write_carry_report(report: dict[str, pd.DataFrame], path: str | Path, fmt: str | None = None) -> Path:
    """The report as Excel (one sheet per part) or CSV (:func:`report_table`), through the
    one writer (formula-safe cells, atomic write)."""
    fmt = writers.output_format(path, ["xlsx", "csv"], fmt, what="a carry-over report")
    if fmt == "xlsx":
        return writers.write_excel({part: report[part] for part in REPORT_PARTS}, path)
    return writers.write_csv(report_table(report), path)
