"""The course-level view of Common Core: which domains a course teaches, with their standards.

A course teaches many standards, and a specialist reads "HSA.CED Creating Equations:
3 standards" faster than ten separate rows. ``course_clusters`` folds a suggestions
table's Common Core *content* suggestions into their domains (the code's first two
parts: ``HSA.CED``, ``RL.9-10``, ``WHST.11-12``; the title is the standards table's
``domain``), ranked by how many of the course's suggestions fall in them, then by the
best score. Practice standards (``family == "practice"``) are left out: they are shown
as their own group, never folded in with content.
"""

from __future__ import annotations

import pandas as pd

CLUSTER_COLUMNS = ["course_id", "framework", "cluster", "cluster_title", "n_standards", "standards",
                   "best_score", "best_band", "label"]
CCSS = ("ccss_math", "ccss_ela")


def cluster_code(code: str) -> str:
    """``HSA.CED.A.1`` -> ``HSA.CED``; ``RL.9-10.1`` -> ``RL.9-10``; ``6.RP.A.1`` -> ``6.RP``."""
    parts = str(code).split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else str(code)


def course_clusters(suggestions: pd.DataFrame, standards: pd.DataFrame | None = None, *,
                    bands: tuple[str, ...] | None = None, top_n: int | None = 3) -> pd.DataFrame:
    """One row per (course, framework, domain) of the Common Core content suggestions.

    suggestions: ``Aligner.suggest`` output (``course_id, standard_id, framework, score,
        band, family`` and ``display_code`` or ``code``).
    standards: the standards table, for the domains' titles (``domain``); optional.
    bands: keep only suggestions of these bands (None: all).
    top_n: domains kept per course and framework (None: all).

    Columns ``CLUSTER_COLUMNS``; ``standards`` lists the domain's suggested codes, best
    first; ``label`` reads "HSA.CED Creating Equations: 3 standards".
    """
    missing = [c for c in ("course_id", "standard_id", "framework", "score") if c not in suggestions.columns]
    if missing:
        raise ValueError(f"the suggestions table is missing columns: {', '.join(missing)}")
    s = suggestions[suggestions["framework"].isin(CCSS) & (suggestions["standard_id"].fillna("") != "")].copy()
    if "family" in s.columns:
        s = s[s["family"].fillna("content").isin(["content", ""])]
    if bands is not None and "band" in s.columns:
        s = s[s["band"].isin(list(bands))]
    if s.empty:
        return pd.DataFrame(columns=CLUSTER_COLUMNS)
    display = s["display_code"].fillna("") if "display_code" in s.columns else pd.Series("", index=s.index)
    s["code_shown"] = display.where(display != "", s["code"].astype(str) if "code" in s.columns else s["standard_id"])
    s["cluster"] = s["code_shown"].map(cluster_code)
    titles = {}
    if standards is not None and "domain" in standards.columns:
        titles = dict(zip(standards["standard_id"], standards["domain"].fillna("").astype(str)))
    s["cluster_title"] = s["standard_id"].map(titles).fillna("")
    if "band" not in s.columns:
        s["band"] = ""
    s = s.sort_values("score", ascending=False, kind="stable").drop_duplicates(["course_id", "standard_id"])
    rows = []
    for (course, fw, cluster), group in s.groupby(["course_id", "framework", "cluster"], sort=False):
        title = next((t for t in group["cluster_title"] if t), "")
        n = len(group)
        rows.append({
            "course_id": course, "framework": fw, "cluster": cluster, "cluster_title": title, "n_standards": n,
            "standards": "; ".join(group["code_shown"]), "best_score": round(float(group["score"].max()), 4),
            "best_band": group["band"].iloc[0],
            "label": f"{cluster} {title}: {n} standard{'s' if n != 1 else ''}".replace("  ", " "),
        })
    out = pd.DataFrame(rows, columns=CLUSTER_COLUMNS)
    out = out.sort_values(["course_id", "framework", "n_standards", "best_score"],
                          ascending=[True, True, False, False], kind="stable")
    if top_n is not None:
        out = out.groupby(["course_id", "framework"], sort=False).head(top_n)
    order = {c: i for i, c in enumerate(dict.fromkeys(suggestions["course_id"]))}
    out = out.sort_values(["course_id", "framework"], key=lambda c: c.map(order) if c.name == "course_id" else c,
                          kind="stable")
    return out.reset_index(drop=True)
