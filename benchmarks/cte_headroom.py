"""How much re-scoring can add to the CTE indicator task with the shipped sentence model.

    .venv/bin/python benchmarks/cte_headroom.py

Issue #8 asks for CTE MRR >= 0.60 and recall@5 >= 0.85 (`../shared/eval`,
Business and Finance indicators -> their pathway standard among all 67 pathway
standards). This script measures, on the same queries and the same MiniLM vectors
the product uses, the re-scorings that need no other model, so the README's
"what did not help" can be re-run rather than believed:

* pathway evidence: each standard's cosine plus a share of its pathway's soft-max
  (log-sum-exp) or top-2 mean over the pathway's standards, or of the cosine with
  the pathway's name (a course about one pathway should lift that pathway's siblings);
* token alignment (BERTScore-like): each token state of the query against each of
  the standard's, weighted by inverse document frequency over all standards, as
  precision, recall or F, alone and added to the cosine;
* the ceiling of ranking only within the query's true pathway (reads the gold
  pathway: a bound, never a method).

Nothing here reads a gold label except the last row and the metrics.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import evaluation as ev  # noqa: E402
from alignment.nlp.encoder import get_encoder, normalize  # noqa: E402
from alignment.data.standards import load_standards  # noqa: E402
from alignment.data.editions import select_edition  # noqa: E402


def pathway_evidence(scores: np.ndarray, groups: np.ndarray, weight: float, how: str, tau: float = 0.05) -> np.ndarray:
    """Each standard's score plus ``weight`` x its pathway's aggregate score."""
    out = scores.copy()
    for group in np.unique(groups):
        cols = np.flatnonzero(groups == group)
        block = scores[:, cols]
        if how == "lse":
            agg = tau * np.log(np.exp(block / tau).sum(axis=1))
        else:  # mean of the two best
            agg = np.sort(block, axis=1)[:, -2:].mean(axis=1)
        out[:, cols] += weight * agg[:, None]
    return out


def token_alignment(queries: list[str], candidates: list[str], corpus: list[str], encoder) -> dict[str, np.ndarray]:
    """IDF-weighted greedy token matching (precision, recall, F) between every pair."""
    tokenizer = encoder.tokenizer
    df = Counter()
    for text in corpus:
        df.update(set(tokenizer.encode(text).ids))
    n = len(corpus)

    def states(texts):
        out = []
        for text in texts:
            enc = tokenizer.encode(text)
            hidden, _ = encoder.token_states([enc])
            ids = enc.ids[1:-1]  # without [CLS] and [SEP]
            idf = np.array([np.log((n + 1) / (df.get(i, 0) + 1)) for i in ids])
            out.append((normalize(hidden[0][1 : len(enc.ids) - 1]), idf))
        return out

    q_states, c_states = states(queries), states(candidates)
    P = np.zeros((len(queries), len(candidates)))
    R = np.zeros_like(P)
    for i, (hq, wq) in enumerate(q_states):
        for j, (hc, wc) in enumerate(c_states):
            sim = hq @ hc.T
            P[i, j] = (sim.max(axis=1) * wq).sum() / wq.sum()
            R[i, j] = (sim.max(axis=0) * wc).sum() / wc.sum()
    return {"precision": P, "recall": R, "F": 2 * P * R / (P + R)}


def within_true_pathway(scores: np.ndarray, groups: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Scores with every standard outside the gold's pathway pushed below all others (a ceiling)."""
    out = scores.copy()
    out[groups[None, :] != groups[gold][:, None]] -= 10.0
    return out


def main() -> int:
    standards = select_edition(load_standards(), "adopted")
    task = ev.load_cte_task(standards)
    encoder = get_encoder()
    cands = task.candidates
    groups = (cands["sector"] + " | " + cands["pathway"]).to_numpy()
    Q = encoder.encode(task.queries)
    base = Q @ encoder.encode(cands["text"].tolist()).T
    names = encoder.encode([g.split(" | ")[1] for g in groups])
    tokens = token_alignment(task.queries, cands["text"].tolist(), standards["text"].tolist(), encoder)

    rows = [("shipped model, cosine with the standard's text", base)]
    for how, label in [("lse", "soft-max"), ("top2", "top-2 mean")]:
        for w in (0.5, 1.0):
            rows.append((f"+ {w} x pathway {label}", pathway_evidence(base, groups, w, how)))
    for w in (0.3, 0.5):
        rows.append((f"+ {w} x cosine with the pathway's name", base + w * (Q @ names.T)))
    for kind, matrix in tokens.items():
        rows.append((f"token alignment ({kind}) alone", matrix))
        rows.append((f"+ 0.5 x token alignment ({kind})", base + 0.5 * matrix))
    rows.append(("ceiling: only the true pathway's standards (reads the gold pathway)",
                 within_true_pathway(base, groups, task.gold)))

    table = pd.DataFrame([{"variant": name, **ev.rank_metrics(s, task.gold)} for name, s in rows])
    table = table.drop(columns="n").round(3)
    print(f"CTE indicator -> pathway standard: {len(task.queries)} queries, {len(cands)} standards; "
          "target MRR >= 0.60, recall@5 >= 0.85\n")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
