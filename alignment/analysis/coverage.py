"""What a course sequence covers: cell status per (course, standard), and a pathway's scope.

``coverage_table(suggestions, decisions, pathway)``  one row per (course, standard) pair
``coverage_matrix(suggestions, decisions, pathway)`` standards x courses, cell = status
``pathway_scope(pathway, standards)``                 the standards a pathway should teach

**Cell status** (``STATUSES``). A reviewed decision ALWAYS overrides the machine: a
pair with a decision is ``accepted`` or ``rejected`` whatever was suggested; a pair
with only a suggestion is ``suggested:<band>`` (strong, possible, weak); anything
else is ``none``. A cell *covers* its standard when it is ``accepted``, or a
suggestion whose band is in ``count_bands`` (default strong and possible: weak
suggestions do not count).

**Scope.** The pathway's CA CTE pathway standards (``X.0``) and their performance
indicators (``X.n``) - for a file that names only a sector, those of every pathway of
the sector; the sector's anchor standards and indicators; the 12 Standards for Career
Ready Practice. Headings are left out.

Pure functions over tables; ``alignment.analysis.gaps`` builds the report on them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from alignment.align.bands import band_for
from alignment.data.decisions import DECISION_COLUMNS, latest_decisions, validate_decisions
from alignment.data.pathways import Pathway

#: Bands whose suggestions count as coverage by default.
COUNT_BANDS: tuple[str, ...] = ("strong", "possible")
#: Cell statuses, strongest first.
STATUSES: tuple[str, ...] = (
    "accepted", "suggested:strong", "suggested:possible", "suggested:weak", "rejected", "none",
)
COVERAGE_COLUMNS = ["course_id", "standard_id", "status", "source", "band", "score", "covers"]


def _decisions_table(decisions: pd.DataFrame | None) -> pd.DataFrame:
    if decisions is None or len(decisions) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
    return latest_decisions(validate_decisions(decisions, decisions.attrs.get("source", "<decisions>")))


def coverage_table(
    suggestions: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    pathway: Pathway | None = None,
    *,
    count_bands: tuple[str, ...] | list[str] = COUNT_BANDS,
) -> pd.DataFrame:
    """One row per (course, standard) pair that was suggested or decided.

    Columns: ``course_id, standard_id, status, source`` (``decision`` | ``suggestion``),
    ``band`` (the suggestion's band, "" if none), ``score`` (NaN if none), ``covers``.
    With a pathway, only its courses are kept. A decision overrides a suggestion.
    """
    sugg = suggestions if suggestions is not None else pd.DataFrame(columns=["course_id", "standard_id"])
    cols = {c for c in ("course_id", "standard_id", "band", "score") if c in sugg.columns}
    if not {"course_id", "standard_id"} <= cols:
        raise ValueError("suggestions need the columns course_id and standard_id (and band, score)")
    s = pd.DataFrame({
        "course_id": sugg["course_id"].astype(str).to_numpy(),
        "standard_id": sugg["standard_id"].fillna("").astype(str).to_numpy(),
        "band": (sugg["band"].fillna("").astype(str) if "band" in cols else pd.Series([""] * len(sugg))).to_numpy(),
        "score": pd.to_numeric(sugg["score"], errors="coerce").to_numpy(dtype=float) if "score" in cols
        else np.full(len(sugg), np.nan),
    })
    s = s[s["standard_id"] != ""]  # "no pathway standards loaded" note rows
    if "score" in cols:
        missing_band = s["band"] == ""
        s.loc[missing_band, "band"] = [band_for(v) if v == v else "" for v in s.loc[missing_band, "score"]]
    s = s.sort_values("score", ascending=False, na_position="last").drop_duplicates(["course_id", "standard_id"])
    d = _decisions_table(decisions)[["course_id", "standard_id", "decision"]]
    if pathway is not None:
        keep = set(pathway.course_ids)
        s = s[s["course_id"].isin(keep)]
        d = d[d["course_id"].isin(keep)]
    merged = s.merge(d, on=["course_id", "standard_id"], how="outer")
    merged["band"] = merged["band"].fillna("").astype(str)
    merged["decision"] = merged["decision"].fillna("").astype(str)
    decided = merged["decision"] != ""
    merged["status"] = np.where(decided, merged["decision"],
                                np.where(merged["band"] != "", "suggested:" + merged["band"], "none"))
    merged["source"] = np.where(decided, "decision", "suggestion")
    merged["covers"] = (merged["status"] == "accepted") | (
        ~decided & merged["band"].isin(list(count_bands)))
    out = merged[COVERAGE_COLUMNS].reset_index(drop=True)
    out["covers"] = out["covers"].astype(bool)
    out["score"] = out["score"].astype(float)
    return out


def coverage_matrix(
    suggestions: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    pathway: Pathway | None = None,
    *,
    standards: pd.DataFrame | None = None,
    count_bands: tuple[str, ...] | list[str] = COUNT_BANDS,
) -> pd.DataFrame:
    """Standards x courses; each cell one of :data:`STATUSES`.

    Columns: the pathway's courses in sequence order (without a pathway: every course
    in the suggestions/decisions). Rows (index ``standard_id``): with ``standards`` and a
    pathway, the pathway's scope (:func:`pathway_scope`) in the standards' order, then
    any other standard a course is suggested or decided for; otherwise every standard
    that appears.
    """
    cov = coverage_table(suggestions, decisions, pathway, count_bands=count_bands)
    courses = pathway.course_ids if pathway is not None else list(dict.fromkeys(cov["course_id"]))
    seen = list(dict.fromkeys(cov["standard_id"]))
    if standards is not None:
        order = {sid: i for i, sid in enumerate(standards["standard_id"])}
        scope = pathway_scope(pathway, standards)["standard_id"].tolist() if pathway is not None else []
        extra = sorted((s for s in seen if s not in set(scope)), key=lambda s: order.get(s, len(order)))
        rows = scope + extra
    else:
        rows = seen
    matrix = cov.pivot(index="standard_id", columns="course_id", values="status") if len(cov) else pd.DataFrame()
    matrix = matrix.reindex(index=rows, columns=courses).astype(object)
    matrix = matrix.where(matrix.notna(), "none")
    matrix.index.name = "standard_id"
    matrix.columns.name = "course_id"
    return matrix


def _anchor_number(code: str) -> str:
    m = re.match(r"\s*(\d+)", str(code))
    return m.group(1) if m else ""


def sector_pathways(standards: pd.DataFrame, sector: str) -> list[str]:
    """The CA pathways of a sector that have pathway standards loaded."""
    rows = standards[(standards["framework"] == "cte_pathway") & (standards["sector"] == sector)]
    return [p for p in dict.fromkeys(rows["pathway"]) if p]


def pathway_scope(pathway: Pathway, standards: pd.DataFrame) -> pd.DataFrame:
    """The standards a pathway should teach, with their family.

    Columns: the standards' columns plus ``family_type`` (``pathway standard``,
    ``anchor``, ``career ready practice``), ``family`` (``BF A1.0``, ``anchor 2``,
    ``CRP``) and ``family_title``. Headings are left out (a heading has no text to teach).
    """
    st = standards
    is_sector = st["sector"] == pathway.sector
    pw = st[(st["framework"] == "cte_pathway") & is_sector & (st["kind"] != "heading")]
    if pathway.cte_pathway:
        pw = pw[pw["pathway"] == pathway.cte_pathway]
    anchors = st[(st["framework"] == "cte_anchor") & is_sector & (st["kind"] != "heading")]
    crp = st[(st["framework"] == "cte_crp") & (st["kind"] != "heading")]
    by_id = dict(zip(st["standard_id"], st["display_code"]))
    titles = {}
    for _, row in st[(st["framework"] == "cte_anchor") & (st["sector"] == "ALL")].iterrows():
        titles[_anchor_number(row["code"])] = row["title"]
    # the sector's own anchor titles by edition first (the 2023 draft has 16 anchors, titled its way)
    heads = anchors[anchors["code"].str.endswith(".0") & (anchors["title"] != "")]
    own = {(e, _anchor_number(c)): t for e, c, t in zip(heads["edition"], heads["code"], heads["title"])}
    pw_family = [sid if not parent else parent for sid, parent in zip(pw["standard_id"], pw["parent_id"])]
    parts = [
        pw.assign(family_type="pathway standard", family=[by_id.get(f, f) for f in pw_family],
                  family_title=[""] * len(pw)),
        anchors.assign(family_type="anchor", family=[f"anchor {_anchor_number(c)}" for c in anchors["code"]],
                       family_title=[own.get((e, _anchor_number(c))) or titles.get(_anchor_number(c), "")
                                     for c, e in zip(anchors["code"], anchors["edition"])]),
        crp.assign(family_type="career ready practice", family="CRP", family_title="Career Ready Practice"),
    ]
    scope = pd.concat(parts, ignore_index=True)
    for col in ("family_type", "family", "family_title"):
        scope[col] = scope[col].astype(str)
    return scope
