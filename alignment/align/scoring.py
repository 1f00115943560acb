"""The score of a (course, standard) pair: pure functions over vectors and TF-IDF.

All terms are cosines in [0, 1]-ish:

    semantic = w_whole * cos(course, standard) + (1 - w_whole) * max_s cos(sentence_s, standard)
    score    = w_sem[framework] * semantic + (1 - w_sem[framework]) * tfidf(course, standard)

``cos(course, standard)`` is with the standard's combined vector (the weighted mean of
its text columns' vectors, ``alignment.align.index``); ``sentence_s`` runs over the
course's sentences (the passage term: its best single sentence). The weights are those
``benchmarks/quality.py`` found best on the development data (``alignment.align.bands``
holds them with their justification), not taste.

Courses are scored as matrices (one product per term), and the top ``k`` standards of a
row picked by ``argpartition`` (``top_k``), so a whole chunk of a catalog costs a few
matrix products.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def framework_weights(frameworks: Sequence[str], semantic_weight: dict[str, float]) -> np.ndarray:
    """``w_sem`` of each standard (by its framework; 1.0, semantic only, for a framework
    without a weight)."""
    return np.array([semantic_weight.get(f, 1.0) for f in frameworks], dtype=np.float32)


def stack_sentences(analysed) -> tuple[np.ndarray, np.ndarray]:
    """All courses' sentence vectors as one matrix, and the offsets of each course's rows
    (course ``i`` owns rows ``offsets[i]:offsets[i + 1]``)."""
    sentences = np.concatenate([c.sent_embeddings for c in analysed]).astype(np.float32)
    offsets = np.cumsum([0] + [len(c.sent_embeddings) for c in analysed])
    return sentences, offsets


def semantic_scores(whole: np.ndarray, standards: np.ndarray, whole_weight: float,
                    sent_sims: np.ndarray | None = None, offsets: np.ndarray | None = None) -> np.ndarray:
    """``semantic`` (module docstring): courses x standards. ``whole`` holds the courses'
    vectors; ``sent_sims`` (sentences x standards) and ``offsets`` their sentences'
    cosines, needed when ``whole_weight < 1``."""
    semantic = whole.astype(np.float32) @ standards.T
    if whole_weight < 1.0:
        passage = np.maximum.reduceat(sent_sims, offsets[:-1], axis=0)
        semantic = whole_weight * semantic + (1 - whole_weight) * passage
    return semantic


def mix(semantic: np.ndarray, lexical: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``score`` (module docstring): ``weights`` is ``w_sem`` of each standard (column)."""
    return (semantic * weights + lexical * (1 - weights)).astype(np.float32)


def score_courses(analysed, standards: np.ndarray, weights: np.ndarray, tfidf, whole_weight: float,
                  columns: np.ndarray | None = None, keep_sentences: bool = True):
    """Scores of analysed courses (:class:`~alignment.align.course_text.CourseText`)
    against the standards (all, or only the row positions ``columns``).

    ``standards``: the standards' combined vectors; ``weights``: their ``w_sem``;
    ``tfidf``: a fitted :class:`~alignment.nlp.lexical.LemmaTfidf` over their lemmas.
    Returns ``(scores, sent_sims, offsets)``: the courses x standards scores and, when
    ``keep_sentences`` (evidence names each course's best sentence) or the passage term
    needs them, each sentence's cosine with each standard and the offsets of each
    course's sentences (else None, None).
    """
    cols = None if columns is None else np.asarray(columns)
    S = standards if cols is None else standards[cols]
    sent_sims = offsets = None
    if whole_weight < 1.0 or keep_sentences:
        sentences, offsets = stack_sentences(analysed)
        sent_sims = sentences @ S.T
    whole = np.stack([c.embedding for c in analysed])
    semantic = semantic_scores(whole, S, whole_weight, sent_sims, offsets)
    lexical = tfidf.similarity([c.lemmas for c in analysed], cols)
    w = weights if cols is None else weights[cols]
    return mix(semantic, lexical, w), sent_sims, offsets


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column positions of the ``k`` highest scores and the scores, best
    first (ties in column order of ``argpartition``'s pick, sorted stably)."""
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(values, order, axis=1)
