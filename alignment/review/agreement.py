"""Second review: each reviewer's own decisions, where two reviewers disagree, who settled
it, and how much reviewers agree per framework (percent agreement, Cohen's kappa).

The store keeps one current decision per (course, standard) pair, and an append-only
audit trail of every change by every reviewer. A reviewer's own standing decision on a
pair is read off that trail (:func:`reviewer_decisions`), so a second review needs no
second table: the first two reviewers to decide a pair are its *first* and *second*
review, a decision by anyone else afterwards *settles* a disagreement between them
(:func:`review_pairs`). All functions are pure, over the store's ``audit()`` and
``decisions()`` tables.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

#: Columns of :func:`reviewer_decisions`.
REVIEWER_DECISION_COLUMNS = ["catalog", "course_id", "standard_id", "reviewer", "decision", "audit_id"]
#: Columns of :func:`review_pairs`.
REVIEW_PAIR_COLUMNS = [
    "catalog", "course_id", "standard_id", "first_reviewer", "first_decision", "second_reviewer",
    "second_decision", "status", "settled_by", "settled_decision",
]
#: Columns of :func:`agreement`.
AGREEMENT_COLUMNS = ["framework", "pairs", "agreed", "percent_agreement", "kappa"]
#: Pair statuses of :func:`review_pairs`.
PAIR_STATUSES = ("single", "agreed", "disputed", "settled")


def reviewer_decisions(audit: pd.DataFrame) -> pd.DataFrame:
    """Each reviewer's standing decision on each pair (REVIEWER_DECISION_COLUMNS).

    A reviewer's standing decision is their latest ``record`` or ``clear`` row on the
    pair that no undo reverted: a ``record`` gives its decision, a ``clear`` none (the
    row is left out). ``audit_id`` is the id of the first audit row in which this
    reviewer decided the pair (it orders first and second reviews).
    """
    if audit.empty:
        return pd.DataFrame(columns=REVIEWER_DECISION_COLUMNS)
    reverted = set(audit["reverts"].dropna().astype(int))
    live = audit[audit["action"].isin(["record", "clear"]) & ~audit["id"].isin(reverted)].sort_values("id")
    keys = ["catalog", "course_id", "standard_id", "reviewer"]
    first = live[live["action"] == "record"].groupby(keys)["id"].min().rename("audit_id")
    last = live.groupby(keys).tail(1)
    last = last[last["action"] == "record"].copy()
    last["decision"] = [json.loads(v)["decision"] for v in last["new"]]
    out = last[keys + ["decision"]].merge(first.reset_index(), on=keys, how="left")
    return out[REVIEWER_DECISION_COLUMNS].sort_values("audit_id").reset_index(drop=True)


def review_pairs(audit: pd.DataFrame) -> pd.DataFrame:
    """One row per reviewed pair: its first and second review and its status.

    The first two reviewers to decide a pair (by the audit id of their first decision
    on it) are its first and second review. ``status``: ``single`` (one reviewer so
    far), ``agreed``, ``disputed`` (the two differ and nobody else decided), ``settled``
    (they differ and a third reviewer decided after both: ``settled_by`` names the last
    one, ``settled_decision`` is their decision). Vectorised (no loop over pairs): the
    review app asks for it on every queue count, over a whole catalog's audit trail.
    """
    reviews = reviewer_decisions(audit)
    if reviews.empty:
        return pd.DataFrame(columns=REVIEW_PAIR_COLUMNS)
    keys = ["catalog", "course_id", "standard_id"]
    reviews = reviews.sort_values("audit_id", kind="stable").reset_index(drop=True)
    order = reviews.groupby(keys, sort=False).cumcount()

    def nth(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
        return rows.set_index(keys)[["reviewer", "decision"]].rename(
            columns={"reviewer": f"{prefix}_reviewer", "decision": f"{prefix}_decision"})

    out = nth(reviews[order == 0], "first")
    out = out.join(nth(reviews[order == 1], "second"), how="left")
    out = out.join(nth(reviews[order >= 2].groupby(keys, sort=False).tail(1), "third"), how="left")
    out = out.fillna("")
    two = out["second_reviewer"] != ""
    differ = two & (out["first_decision"] != out["second_decision"])
    third = out["third_reviewer"] != ""
    out["status"] = np.select([~two, ~differ, differ & third], ["single", "agreed", "settled"], "disputed")
    settled = out["status"] == "settled"
    out["settled_by"] = out["third_reviewer"].where(settled, "")
    out["settled_decision"] = out["third_decision"].where(settled, "")
    return out.reset_index().sort_values(keys, kind="stable")[REVIEW_PAIR_COLUMNS].reset_index(drop=True)


def disagreements(audit: pd.DataFrame) -> pd.DataFrame:
    """The pairs whose first and second reviews differ (disputed or settled)."""
    pairs = review_pairs(audit)
    return pairs[pairs["status"].isin(["disputed", "settled"])].reset_index(drop=True)


def agreement(audit: pd.DataFrame, frameworks: pd.DataFrame | dict[str, str] | None = None) -> pd.DataFrame:
    """Agreement between first and second reviews, per framework and overall (AGREEMENT_COLUMNS).

    ``frameworks`` maps standard ids to frameworks: a table with ``standard_id`` and
    ``framework`` (the standards table or the store's suggestions) or a dict; pairs of
    standards it does not know count under ``""``. ``pairs``: pairs with two reviews;
    ``percent_agreement``: share of them with the same decision, in percent;
    ``kappa``: Cohen's kappa of the two reviews (scikit-learn), NaN when undefined
    (no pairs, or both reviewers gave one and the same label throughout). The last row,
    framework ``"all"``, pools every pair.
    """
    from sklearn.metrics import cohen_kappa_score

    pairs = review_pairs(audit)
    pairs = pairs[pairs["second_reviewer"] != ""].copy()
    if isinstance(frameworks, pd.DataFrame):
        lookup = dict(zip(frameworks["standard_id"], frameworks["framework"]))
    else:
        lookup = dict(frameworks or {})
    pairs["framework"] = [lookup.get(s, "") for s in pairs["standard_id"]]
    rows = []
    groups = [(fw, g) for fw, g in pairs.groupby("framework", sort=True)] + [("all", pairs)]
    for framework, group in groups:
        n = len(group)
        agreed = int((group["first_decision"] == group["second_decision"]).sum())
        kappa = np.nan
        if n and len(set(group["first_decision"]) | set(group["second_decision"])) > 1:
            kappa = float(cohen_kappa_score(group["first_decision"], group["second_decision"]))
        rows.append({"framework": framework, "pairs": n, "agreed": agreed,
                     "percent_agreement": 100.0 * agreed / n if n else np.nan, "kappa": kappa})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
