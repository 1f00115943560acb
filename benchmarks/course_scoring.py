"""Course-level Common Core scoring: the variants tried for issue 18, measured side by side.

    python benchmarks/course_scoring.py [--split dev|heldout|all] [--variants NAME ...]

Each variant changes only how a course is scored against Common Core *content*
standards (``ccss_math``, ``ccss_ela``): the practice family, CTE and so every dev
ranking task of ``benchmarks/quality.py`` keep the shipped score. For each variant, on
the labelled courses of ``--split`` (``benchmarks/course_labels.py``; ideas are chosen
on ``dev``, ``heldout`` is measured once, at the end), it prints:

* the metrics of ``benchmarks/course_quality.py`` and ``math MRR@5`` (1 / rank of the
  first right-category math standard among a course's top 5);
* ``AUC of scores``: over the calibration pairs (the split's labelled courses and the
  negatives of ``NEGATIVE_DEPARTMENTS``), how well a suggestion's score separates right
  from wrong *across* courses, which is what the bands rely on;
* the issue's example, Introduction to Finance (000217-000218): its best content
  standard and score; the thresholds the variant's *own* calibration pairs give
  (``thresholds_from_pairs``, the shipped procedure: a variant that shifts scores is
  judged against bands recalibrated for it, never the shipped ones) and whether that
  counts it; ``P(right) isotonic``, a monotone fit of right ~ score read at its score;
  ``bootstrap``: in what share of 200 calibrations on resampled courses it is counted.
  The last two say whether "counted" is a gain or the calibration's noise.

The variants (``VARIANTS``), each a principled change, none aimed at the example:

* ``shipped``: as ``alignment.align.scoring`` (whole text and best sentence 0.5/0.5;
  the standard's text and its text under its headings 0.5/0.5; 0.8 semantic, 0.2 TF-IDF);
* ``passage 0.75`` / ``passage 1.0``: more weight on the best-matching sentence (a
  course's mathematics is often one sentence of many);
* ``best 2 sentences``: the passage term as the mean of the two best sentences;
* ``sentences encoded on their own`` (and ``..., best 2``): each sentence encoded alone
  for the passage term, not read off the whole-description pass;
* ``TF-IDF whole + best sentence``: the lexical term gets the same whole / best-sentence
  structure; ``best sentence by its full score``: the passage term is the best sentence's
  semantic + lexical score;
* ``headings 0.75`` / ``headings only``: more weight on ``match_text`` (domain and
  cluster headings: "Seeing Structure in Expressions > Write expressions in equivalent
  forms...");
* ``cluster mean 0.3`` / ``cluster max 0.3``: each standard's score mixed with its
  cluster's mean or best (a course teaches clusters, not single standards);
* ``course-side CSLS k, s``: a per-course constant per framework, ``s`` times how far
  the mean of the course's ``k`` best content scores exceeds the background catalog's
  (hubness on the course side; the ranking inside a course cannot change, only bands);
* ``no TF-IDF`` / ``TF-IDF 0.4``: the lexical share for Common Core content.

A data-derived applied-math lexicon (finance words <-> exponential growth) was not
built: the only texts linking such words to standards are the standards' own examples,
which TF-IDF already reads, and a hand list would be aimed at the example.

Analysed courses are memoised (the sentence model runs once per description), and the
hub demotion is refitted for each variant on the same background without the disk cache.
Results and the decision: ``docs/quality.md``, "Common Core for whole courses".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment.align.aligner import Aligner  # noqa: E402
from alignment.align.course_text import course_text  # noqa: E402
from alignment.nlp.encoder import get_encoder  # noqa: E402
from alignment.nlp.passages import encode_texts  # noqa: E402
from alignment.nlp.pipeline import lemma_views  # noqa: E402
from alignment.align.hubs import HubDemotion  # noqa: E402
from alignment.align.scoring import mix, score_courses, stack_sentences  # noqa: E402
from alignment.data.catalog import default_catalog  # noqa: E402
from alignment.data.frameworks import CCSS_FRAMEWORKS  # noqa: E402
from alignment.data.standards import load_standards  # noqa: E402
from alignment.data.editions import select_edition  # noqa: E402
from benchmarks.course_labels import load_labels  # noqa: E402
from benchmarks.course_quality import (  # noqa: E402
    CALIBRATION_TOP_K, bootstrap_counted, calibration_pairs, course_metrics, isotonic_precision, right_category,
    thresholds_from_pairs,
)

FINANCE = "000217-000218"
_ANALYSED: dict[tuple[str, str], object] = {}


class CourseScoringVariant(Aligner):
    """The shipped Aligner with another score for Common Core content standards.

    whole: weight of the whole description against the passage term; pool: the passage
    term, ``max`` (best sentence) or ``top2`` (mean of the two best); text_columns:
    weights of the standards' text columns; semantic: the semantic share against TF-IDF.
    None keeps the shipped value.
    """

    def __init__(self, whole=None, pool="max", ccss_text_columns=None, semantic=None, lexical=None,
                 own_sentences=False, cluster=None, course_side=None, **kwargs):
        super().__init__(**kwargs)
        self.variant = dict(whole=whole, pool=pool, text_columns=ccss_text_columns, semantic=semantic,
                            lexical=lexical, own_sentences=own_sentences or None)
        self.cluster = cluster  # (aggregate, share): mix each content standard's score with its cluster's
        self.course_side = course_side  # (k, strength): CSLS on the course side

    def _analyse(self, texts, bar=None):
        missing = [t for t in dict.fromkeys(texts) if (self.mode, t) not in _ANALYSED]
        if missing:
            for text, doc in zip(missing, self.course_nlp_.pipe(missing, batch_size=64)):
                course = course_text(doc)
                sents = list(doc.sents) if doc.has_annotation("SENT_START") else []
                course.sent_lemmas = ([lemma_views(s)[0] for s in sents] if len(sents) == len(course.sentences)
                                      else [course.lemmas])
                _ANALYSED[(self.mode, text)] = course
            fresh = [_ANALYSED[(self.mode, t)] for t in missing]
            pieces = [sent for c in fresh for sent in c.sentences]
            vectors = encode_texts(get_encoder(), pieces) if pieces else np.zeros((0, 1), np.float32)
            start = 0
            for c in fresh:
                c.own_sent_embeddings = vectors[start:start + len(c.sentences)]
                start += len(c.sentences)
        if bar is not None:
            bar.update(len(texts))
        return [_ANALYSED[(self.mode, t)] for t in texts]

    def _fit_hubs(self):
        if not self.hub_strength:
            return None
        texts = default_catalog()["description"].fillna("").astype(str).tolist() if self.background is None \
            else self.background["description"].fillna("").astype(str).tolist()
        raw = self._score(self._analyse(texts), keep_sentences=False, demote=False)[0]
        mean = raw.mean(axis=0)
        hubs = HubDemotion(strength=float(self.hub_strength)).fit_mean(mean, self.standards_["framework"].to_numpy(),
                                                                       self.families_)
        if self.course_side:
            demoted, fw = hubs.transform(raw), self.standards_["framework"].to_numpy()
            self.background_topk_ = {}
            for f in CCSS_FRAMEWORKS:
                members = np.flatnonzero((fw == f) & (self.families_ == "content"))
                top = -np.sort(-demoted[:, members], axis=1)[:, : self.course_side[0]]
                self.background_topk_[f] = float(top.mean())
        return hubs

    def _score(self, analysed, columns=None, keep_sentences=True, demote=True):
        scores, sent_sims, offsets = score_courses(analysed, self.embeddings_, self.weights_, self.tfidf_,
                                                   self.whole_weight, columns, keep_sentences)
        v = self.variant
        if any(v[k] is not None for k in ("whole", "text_columns", "semantic", "lexical", "own_sentences")) \
                or v["pool"] != "max":
            cols = np.arange(len(self.standards_)) if columns is None else np.asarray(columns)
            fw = self.standards_["framework"].to_numpy()[cols]
            target = np.flatnonzero(np.isin(fw, list(CCSS_FRAMEWORKS)) & (self.families_[cols] == "content"))
            if len(target):
                std_cols = cols[target]
                weights = v["text_columns"] or self.text_columns
                total = sum(weights.values())
                E = sum((w / total) * self.index_.column_embeddings_[c][std_cols] for c, w in weights.items())
                sentences, offs = stack_sentences(analysed)
                if v["own_sentences"]:
                    sentences = np.concatenate([c.own_sent_embeddings for c in analysed]).astype(np.float32)
                sims = sentences @ E.T.astype(np.float32)
                if v["pool"] == "max":
                    passage = np.maximum.reduceat(sims, offs[:-1], axis=0)
                else:
                    passage = np.stack([np.sort(sims[a:b], axis=0)[-2:].mean(axis=0)
                                        for a, b in zip(offs[:-1], offs[1:])])
                whole_w = self.whole_weight if v["whole"] is None else v["whole"]
                whole = np.stack([c.embedding for c in analysed]).astype(np.float32) @ E.T.astype(np.float32)
                semantic = whole_w * whole + (1 - whole_w) * passage
                lexical = self.tfidf_.similarity([c.lemmas for c in analysed], std_cols)
                sem_w = self.weights_[std_cols] if v["semantic"] is None else np.full(len(std_cols), v["semantic"],
                                                                                       dtype=np.float32)
                if v["lexical"] is None:
                    scores[:, target] = mix(semantic, lexical, sem_w)
                else:
                    flat = [lem for c in analysed for lem in c.sent_lemmas]
                    sent_lex = self.tfidf_.similarity(flat, std_cols)
                    lex_offs = np.cumsum([0] + [len(c.sent_lemmas) for c in analysed])
                    if v["lexical"] == "passage":  # TF-IDF gets the same whole / best-sentence structure
                        best_lex = np.maximum.reduceat(sent_lex, lex_offs[:-1], axis=0)
                        scores[:, target] = mix(semantic, whole_w * lexical + (1 - whole_w) * best_lex, sem_w)
                    else:  # "sentence score": the best sentence by its whole score (semantic and lexical)
                        assert (lex_offs == offs).all()
                        sent_score = mix(sims, sent_lex, sem_w)
                        best = np.maximum.reduceat(sent_score, offs[:-1], axis=0)
                        scores[:, target] = whole_w * mix(whole, lexical, sem_w) + (1 - whole_w) * best
        if self.cluster:
            scores = self._with_cluster(scores, columns)
        if demote and getattr(self, "hubs_", None) is not None:
            scores = self.hubs_.transform(scores, columns)
        if self.course_side and demote and hasattr(self, "background_topk_"):
            scores = self._course_side(scores, columns)
        return scores, sent_sims, offsets

    def _course_side(self, scores, columns):
        """Each course's scores in a framework's content, minus ``strength`` times how far
        the mean of its ``k`` best exceeds the background courses' average of the same
        (a per-course, per-framework constant: the ranking inside a course is unchanged)."""
        k, strength = self.course_side
        cols = np.arange(len(self.standards_)) if columns is None else np.asarray(columns)
        fw = self.standards_["framework"].to_numpy()[cols]
        out = scores.copy()
        for f in CCSS_FRAMEWORKS:
            members = np.flatnonzero((fw == f) & (self.families_[cols] == "content"))
            if len(members) < k:
                continue
            r = -np.sort(-scores[:, members], axis=1)[:, :k].mean(axis=1)
            out[:, members] -= strength * (r - self.background_topk_[f])[:, None]
        return out
    def _with_cluster(self, scores, columns):
        how, share = self.cluster
        cols = np.arange(len(self.standards_)) if columns is None else np.asarray(columns)
        s = self.standards_.iloc[cols]
        content = np.isin(s["framework"].to_numpy(), list(CCSS_FRAMEWORKS)) & (self.families_[cols] == "content")
        key = (s["framework"] + "|" + s["grade_band"] + "|" + s["domain"].astype(str) + "|"
               + s["cluster"].astype(str)).to_numpy()
        out = scores.copy()
        for k in np.unique(key[content]):
            members = np.flatnonzero((key == k) & content)
            block = scores[:, members]
            agg = block.max(axis=1) if how == "max" else block.mean(axis=1)
            out[:, members] = (1 - share) * block + share * agg[:, None]
        return out


VARIANTS = {
    "shipped": {},
    "passage 0.75": dict(whole=0.25),
    "passage 1.0": dict(whole=0.0),
    "best 2 sentences": dict(pool="top2"),
    "headings 0.75": dict(ccss_text_columns={"text": 0.25, "match_text": 0.75}),
    "headings only": dict(ccss_text_columns={"match_text": 1.0}),
    "no TF-IDF": dict(semantic=1.0),
    "cluster mean 0.3": dict(cluster=("mean", 0.3)),
    "course-side CSLS k=10, 0.5": dict(course_side=(10, 0.5)),
    "course-side CSLS k=10, 1.0": dict(course_side=(10, 1.0)),
    "course-side CSLS k=10, 0.25": dict(course_side=(10, 0.25)),
    "course-side CSLS k=10, 0.75": dict(course_side=(10, 0.75)),
    "course-side CSLS k=5, 0.5": dict(course_side=(5, 0.5)),
    "course-side CSLS k=20, 0.5": dict(course_side=(20, 0.5)),
    "cluster max 0.3": dict(cluster=("max", 0.3)),
    "TF-IDF whole + best sentence": dict(lexical="passage"),
    "sentences encoded on their own": dict(own_sentences=True),
    "sentences on their own, best 2": dict(own_sentences=True, pool="top2"),
    "best sentence by its full score": dict(lexical="sentence"),
    "TF-IDF 0.4": dict(semantic=0.6),
}


def math_mrr(sugg: pd.DataFrame, labels: pd.DataFrame) -> float:
    """Mean over labelled math courses of 1 / rank of the first right-category content
    standard among the top 5 (0 when none)."""
    s = sugg[(sugg["standard_id"] != "") & (sugg["framework"] == "ccss_math") & (sugg["family"] == "content")]
    out = []
    for r in labels[labels["subject"] == "math"].itertuples():
        codes = s[s["course_id"] == r.course_id].sort_values("rank")["display_code"].tolist()
        rank = next((i for i, c in enumerate(codes, start=1) if right_category(c, r.label)), None)
        out.append(1.0 / rank if rank else 0.0)
    return float(np.mean(out)) if out else float("nan")


def evaluate(name: str, kwargs: dict, standards, courses, labels_all, split: str) -> dict:
    aligner = CourseScoringVariant(**kwargs).fit(standards)
    sugg = aligner.suggest(courses, top_k=CALIBRATION_TOP_K, frameworks=["ccss_math", "ccss_ela"])
    labels = labels_all if split == "all" else labels_all[labels_all["split"] == split]
    cte_ids = courses.loc[courses["sector"].astype(str).str.strip() != "", "course_id"].tolist()
    row = {"variant": name, **course_metrics(sugg, labels, cte_ids), "math MRR@5": round(math_mrr(sugg, labels), 3)}
    pairs = calibration_pairs(sugg, labels_all, courses)
    thresholds = thresholds_from_pairs(pairs)
    fin = sugg[(sugg["course_id"] == FINANCE) & (sugg["framework"] == "ccss_math") & (sugg["family"] == "content")]
    best = fin.sort_values("score", ascending=False).iloc[0]
    possible = thresholds["ccss_math"]["possible"]
    held = set(labels_all.loc[labels_all["split"] == "heldout", "course_id"])
    part = pairs[~pairs["course_id"].isin(held)] if split == "dev" else \
        pairs[pairs["course_id"].isin(held) | ~pairs["course_id"].isin(labels_all["course_id"])] if split == "heldout" \
        else pairs
    for fw, short in (("ccss_math", "math"), ("ccss_ela", "ELA")):
        p = part[part["framework"] == fw]
        row[f"{short} AUC of scores"] = round(roc_auc_score(p["right"].astype(int), p["score"]), 3)
    row.update({
        "finance: best content": f"{best['display_code']} {best['score']:.3f}",
        "recalibrated math strong/possible": f"{thresholds['ccss_math']['strong']:.2f}/{possible:.2f}",
        "ELA strong/possible": f"{thresholds['ccss_ela']['strong']:.2f}/{thresholds['ccss_ela']['possible']:.2f}",
        "finance counted": bool(best["score"] >= possible),
        "finance: P(right) isotonic": round(isotonic_precision(pairs, "ccss_math", float(best["score"])), 2),
        "finance counted, bootstrap": f"{bootstrap_counted(pairs, float(best['score'])):.0%}",
    })
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="dev")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    standards, courses, labels = select_edition(load_standards(), "adopted"), default_catalog(), load_labels()
    rows = [evaluate(name, VARIANTS[name], standards, courses, labels, args.split) for name in args.variants]
    print(f"\n## Course-level Common Core scoring variants ({args.split} courses)\n")
    print(pd.DataFrame(rows).to_markdown(index=False))
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
