"""Measuring alignment quality on the development ground truth (``../shared/eval``).

Pure functions over score matrices plus loaders for the three dev tasks described
in ``../shared/eval/README.md``:

* ``cte``: a CTE performance indicator (Business and Finance) -> its pathway standard,
  ranked among all pathway standards of every sector (each with its own text only).
* ``ela``: a grade-specific CCSS ELA/Literacy standard (6-12) -> its CCR anchor standard,
  ranked among the 32 anchors (the query's code is never used).
* ``catalog``: a labelled CTE course of the real catalog -> its sector/pathway, from the
  top suggested pathway standards aggregated per pathway; and, for courses of sectors the
  data does not cover, how often the aligner abstains (no strong/possible match).

Methods score a list of query texts against a candidate table; every method sees the
same queries and candidates in the same run.

:class:`EncodedSentencesAligner` is a variant the shipped settings were chosen against
(each sentence encoded on its own, lemmas from spaCy's tagger): it measured the same at
twice the model time, so it lives here, for ``quality.py --ablation`` and ``scale.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from spacy.language import Language

from alignment.settings import get_settings
from alignment.align.aligner import Aligner, _split
from alignment.align.bands import band_for
from alignment.nlp.encoder import DIM, SentenceEncoder
from alignment.nlp.lexical import LemmaTfidf
from alignment.nlp.passages import PassageVectors, encode_texts
from alignment.nlp.pipeline import content_lemmas, load_nlp


@dataclass
class RankingTask:
    """Queries, candidates and, per query, the index of the gold candidate."""

    name: str
    queries: list[str]
    candidates: pd.DataFrame
    gold: np.ndarray
    query_ids: list[str]


def rank_of_gold(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """1-based rank of each query's gold candidate (ties count against it)."""
    gold_scores = scores[np.arange(len(gold)), gold]
    return (scores > gold_scores[:, None]).sum(axis=1) + (scores == gold_scores[:, None]).sum(axis=1)


def rank_metrics(scores: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """recall@1, recall@5 and MRR of the gold candidates."""
    ranks = rank_of_gold(scores, gold)
    return {
        "n": int(len(ranks)),
        "recall@1": float(np.mean(ranks <= 1)),
        "recall@5": float(np.mean(ranks <= 5)),
        "mrr": float(np.mean(1.0 / ranks)),
    }


def load_cte_task(standards: pd.DataFrame, shared_dir: Path | None = None) -> RankingTask:
    """Indicator -> pathway standard (see module docstring)."""
    shared_dir = Path(shared_dir or get_settings().shared_dir)
    dev = pd.read_csv(shared_dir / "eval" / "cte_indicator_to_standard_dev.csv", dtype=str).fillna("")
    cands = standards[(standards["framework"] == "cte_pathway") & (standards["kind"] == "standard")].reset_index(drop=True)
    key = {(r.sector, r.pathway, r.code): i for i, r in enumerate(cands.itertuples())}
    gold = np.array([key[(r.sector, r.pathway, r.gold_code)] for r in dev.itertuples()])
    # The query's own row is an indicator, never a candidate (candidates are X.0 rows).
    # Two indicators share their exact text with another pathway's standard (e.g. BF
    # A5.6 = Financial Services B1.0); those are real, different standards and stay.
    own = {(r.sector, r.pathway, r.query_id.rsplit("|", 1)[-1]) for r in dev.itertuples()}
    assert not own & set(key), "a query's own row is among the candidates"
    return RankingTask("CTE indicator -> pathway standard", dev["query_text"].tolist(), cands, gold, dev["query_id"].tolist())


def load_ela_task(standards: pd.DataFrame, shared_dir: Path | None = None) -> RankingTask:
    """Grade-level ELA/Literacy standard -> CCR anchor."""
    shared_dir = Path(shared_dir or get_settings().shared_dir)
    dev = pd.read_csv(shared_dir / "eval" / "ccss_ela_to_anchor_dev.csv", dtype=str).fillna("")
    cands = standards[
        (standards["framework"] == "ccss_ela") & standards["code"].str.contains(".CCRA.", regex=False) & (standards["kind"] != "heading")
    ].reset_index(drop=True)
    index = {c: i for i, c in enumerate(cands["code"])}
    gold = np.array([index[c] for c in dev["gold_code"]])
    return RankingTask("CCSS ELA standard -> CCR anchor", dev["query_text"].tolist(), cands, gold, dev["query_id"].tolist())


def load_catalog_task(courses: pd.DataFrame, standards: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(labelled courses in covered sectors, courses of uncovered sectors, candidates).

    Candidates are all CTE pathway standards and indicators of every sector; the
    course's own labels are never shown to the method.
    """
    cands = standards[(standards["framework"] == "cte_pathway") & (standards["kind"] != "heading")].reset_index(drop=True)
    covered = set(cands["sector"])
    cte = courses[courses["sector"].str.strip() != ""].copy()
    cte["sectors"] = cte["sector"].map(_split)
    cte["pathways"] = cte["pathway"].map(_split)
    in_data = cte[cte["sectors"].map(lambda s: any(x in covered for x in s))]
    outside = cte[cte["sectors"].map(lambda s: not any(x in covered for x in s))]
    return in_data.reset_index(drop=True), outside.reset_index(drop=True), cands


def pathway_ranking(scores: np.ndarray, candidates: pd.DataFrame, top_n: int = 3) -> list[list[tuple[str, str]]]:
    """For each course, (sector, pathway) pairs ranked by the mean of their top-n standard scores."""
    groups = candidates.groupby(["sector", "pathway"]).indices
    out = []
    for row in scores:
        agg = {key: float(np.sort(row[idx])[::-1][:top_n].mean()) for key, idx in groups.items()}
        out.append(sorted(agg, key=lambda k: -agg[k]))
    return out


def normalize_pathway(name: str) -> str:
    """Catalog pathway names ("Production & Managerial Arts Pathway") to CA names' form."""
    name = name.replace("&", "and").strip()
    if name.lower().endswith(" pathway"):
        name = name[: -len(" pathway")]
    return " ".join(name.lower().replace(",", "").split())


def catalog_accuracy(rankings: list[list[tuple[str, str]]], courses: pd.DataFrame) -> dict[str, float]:
    """accuracy@1/@3: a predicted (sector, pathway) is right when the sector is one of the
    course's and, where the catalog names an official pathway present in the data, the
    pathway is it too (Business & Finance, ICT and Biotechnology are sector-level labels)."""
    known = {normalize_pathway(p) for r in rankings for _, p in r}

    def right(pred, course) -> bool:
        sector, pathway = pred
        labels = course["pathways"] + [""] * (len(course["sectors"]) - len(course["pathways"]))
        for s, p in zip(course["sectors"], labels):
            p = normalize_pathway(p)
            if s == sector and (p not in known or p == normalize_pathway(pathway)):
                return True
        return False

    at1 = [right(r[0], c) for r, (_, c) in zip(rankings, courses.iterrows())]
    at3 = [any(right(p, c) for p in r[:3]) for r, (_, c) in zip(rankings, courses.iterrows())]
    return {"n": len(at1), "accuracy@1": float(np.mean(at1)), "accuracy@3": float(np.mean(at3))}


# ----------------------------------------------------------------- methods
class TfidfBaseline:
    """TF-IDF cosine over content lemmas, scikit-learn defaults (fit on the candidates)."""

    name = "TF-IDF (lemmas)"

    def __init__(self):
        self.nlp = load_nlp(vectors=False)

    def score(self, queries: list[str], candidates: pd.DataFrame) -> np.ndarray:
        lem = lambda texts: [content_lemmas(d) for d in self.nlp.pipe(texts, batch_size=128)]
        model = LemmaTfidf(sublinear_tf=False).fit(lem(candidates["text"].tolist()))
        return model.similarity(lem(queries))


class SpacyBaseline:
    """Plain spaCy ``Doc.similarity`` with en_core_web_md (averaged word vectors)."""

    name = "spaCy md Doc.similarity"

    def __init__(self):
        self.nlp = load_nlp(vectors=False)

    def score(self, queries: list[str], candidates: pd.DataFrame) -> np.ndarray:
        qd = list(self.nlp.pipe(queries, batch_size=128))
        cd = list(self.nlp.pipe(candidates["text"].tolist(), batch_size=128))
        return np.array([[q.similarity(c) if q.vector_norm and c.vector_norm else 0.0 for c in cd] for q in qd])


class ShippedMethod:
    """The product's ``Aligner`` (fitted on the whole standards table), restricted to the
    candidates; ``aligner_class`` for a variant (:class:`EncodedSentencesAligner`)."""

    def __init__(self, standards: pd.DataFrame, name: str = "Pathway Align (shipped)",
                 aligner_class: type[Aligner] = Aligner, **aligner_kwargs):
        self.name = name
        self.aligner = aligner_class(**aligner_kwargs).fit(standards)
        self._column = {sid: i for i, sid in enumerate(self.aligner.standards_["standard_id"])}

    def score(self, queries: list[str], candidates: pd.DataFrame) -> np.ndarray:
        cols = np.array([self._column[s] for s in candidates["standard_id"]])
        return self.aligner.score(self.aligner.analyse(queries), cols)


def abstention_rate(top_scores: np.ndarray, framework: str = "cte_pathway") -> float:
    """Share of queries whose best score falls in the ``weak`` band of ``framework`` (the
    aligner abstains)."""
    if len(top_scores) == 0:
        return float("nan")
    return float(np.mean([band_for(s, framework) == "weak" for s in top_scores]))


def calibration_table(top_scores: np.ndarray, correct: np.ndarray, edges=(0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 1.01)) -> pd.DataFrame:
    """Precision of the top-ranked candidate by score bin (how bands are justified)."""
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (top_scores >= lo) & (top_scores < hi)
        rows.append({"score_from": lo, "score_to": min(hi, 1.0), "queries": int(mask.sum()),
                     "top1_correct": float(correct[mask].mean()) if mask.any() else float("nan")})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- a rejected variant
def encode_separately(
    encoder: SentenceEncoder, texts: list[str], spans: list[list[tuple[int, int]]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Whole-text vectors and each span encoded on its own (the first passage method;
    the product pools them from the whole-text pass, ``alignment.nlp.passages``).

    Whole texts and spans go to the encoder as two lists, each sorted by length, so a
    short sentence is never padded to a whole description's length. A text that is one
    span reuses its whole vector (the same word pieces, so the same vector).
    """
    whole = encode_texts(encoder, texts)
    pieces, where = [], []
    parts = []
    for i, (text, text_spans) in enumerate(zip(texts, spans)):
        parts.append(np.zeros((len(text_spans), DIM), dtype=np.float32))
        for s, (a, b) in enumerate(text_spans):
            if len(text_spans) == 1 and text[a:b].strip() == text.strip():
                parts[i][s] = whole[i]
            else:
                pieces.append(text[a:b])
                where.append((i, s))
    for (i, s), vector in zip(where, encode_texts(encoder, pieces)):
        parts[i][s] = vector
    return whole, parts


@Language.factory("encoded_passage_vectors")
def make_encoded_passage_vectors(nlp: Language, name: str):
    """``passage_vectors`` with each sentence encoded on its own (:func:`encode_separately`)."""
    return PassageVectors(name, encode=encode_separately)


class EncodedSentencesAligner(Aligner):
    """The accurate mode as first shipped: each sentence encoded on its own (about twice
    the model time) and lemmas from spaCy's tagger and lemmatizer instead of a lookup
    ("writing" stays "writing" in the evidence). Measured the same as the product's
    default on the dev data (``quality.py --ablation``, docs/scale.md)."""

    def _course_pipeline(self):
        import spacy

        base = self.nlp_
        nlp = spacy.blank("en", vocab=base.vocab)
        nlp.tokenizer = base.tokenizer
        for name in ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "senter"):
            nlp.add_pipe(name, source=base)
        nlp.add_pipe("encoded_passage_vectors")
        return nlp
