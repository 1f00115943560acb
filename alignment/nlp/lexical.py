"""Lexical similarity: TF-IDF over content lemmas (scikit-learn).

The lemma lists come from the spaCy pipeline (``text.content_lemmas``), so "budgets"
and "budgeting" meet as "budget". Fitted on the standards being searched; sublinear
term frequency, as is usual for short texts.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def _identity(tokens):
    return tokens


class LemmaTfidf:
    """``fit`` on the standards' lemma lists, ``transform`` any lemma lists,
    ``similarity`` gives the cosine matrix (queries x standards)."""

    def __init__(self, sublinear_tf: bool = True, ngram_range: tuple[int, int] = (1, 1)):
        self.sublinear_tf = sublinear_tf
        self.ngram_range = ngram_range

    def fit(self, lemma_lists: list[list[str]]) -> "LemmaTfidf":
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=self.sublinear_tf, lowercase=False
        )
        self.matrix_ = self.vectorizer_.fit_transform(lemma_lists)
        return self

    def transform(self, lemma_lists: list[list[str]]):
        return self.vectorizer_.transform(lemma_lists)

    def similarity(self, lemma_lists: list[list[str]], columns: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarities, shape ``(len(lemma_lists), n_standards)`` (or only ``columns``)."""
        queries = self.transform(lemma_lists)
        target = self.matrix_ if columns is None else self.matrix_[columns]
        return np.asarray((queries @ target.T).toarray(), dtype=np.float32)
