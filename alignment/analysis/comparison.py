"""Two or more pathways' gap reports side by side (``compare_pathways``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.analysis.gaps import GapReport


def compare_pathways(reports: list[GapReport], labels: list[str] | None = None) -> pd.DataFrame:
    """Two or more pathways side by side: one row per standard in any report's scope
    (and any Common Core standard one of them reinforces).

    Columns: ``framework, standard_id, display_code, text``, then one column per pathway
    (``accepted``, ``suggested``, ``not covered``, or ``not in scope``), then
    ``covered_by`` (labels that cover it) and ``difference`` (``all``, ``none``,
    ``only <label>``, or ``some``). Labels default to the pathway names (made unique).
    """
    if len(reports) < 2:
        raise ValueError("compare_pathways needs two or more reports")
    labels = list(labels) if labels else _unique_labels([r.pathway.name for r in reports],
                                                         [r.pathway.source for r in reports])
    if len(labels) != len(reports):
        raise ValueError("one label per report")
    base = pd.concat([r.standards_coverage[["framework", "standard_id", "display_code", "text"]] for r in reports])
    base = base.drop_duplicates("standard_id").reset_index(drop=True)
    for label, report in zip(labels, reports):
        sc = report.standards_coverage.set_index("standard_id")
        status = []
        for sid in base["standard_id"]:
            if sid not in sc.index:
                status.append("not in scope")
            elif not sc.at[sid, "covered"]:
                status.append("not covered")
            else:
                status.append("accepted" if sc.at[sid, "accepted_by"] else "suggested")
        base[label] = status
    cov = base[labels].isin(["accepted", "suggested"])
    base["covered_by"] = ["; ".join(lb for lb, hit in zip(labels, row) if hit) for row in cov.to_numpy()]
    diff = []
    for row in cov.to_numpy():
        n = int(row.sum())
        diff.append("all" if n == len(labels) else "none" if n == 0 else
                    f"only {labels[int(np.flatnonzero(row)[0])]}" if n == 1 else "some")
    base["difference"] = diff
    return base


def _unique_labels(names: list[str], sources: list[str]) -> list[str]:
    out = []
    for i, (name, src) in enumerate(zip(names, sources)):
        label = name if names.count(name) == 1 else f"{name} ({src or i + 1})"
        while label in out:
            label = f"{label} #{i + 1}"
        out.append(label)
    return out
