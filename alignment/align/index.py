"""The standards an ``Aligner`` searches, indexed once at ``fit``.

``StandardsIndex(text_columns, frameworks, cache_dir).fit(standards)`` checks the
standards table, keeps the rows with text to align against (no headings), and learns:

* one vector per standard and text column (``text``: the standard alone;
  ``match_text``: under its ancestors' headings, sector, pathway, domain, cluster), from
  the standards' one pipeline (``alignment.nlp.pipeline.load_nlp``), cached on disk keyed
  by the standards' ids and texts and the model version (a change is a miss, never a
  stale hit; on a miss only the texts never seen before are encoded:
  ``alignment.nlp.cache.RowCache``); ``embeddings_`` is their weighted sum, so its dot product with a course
  vector is exactly the weighted mean of the per-column cosines;
* the content lemmas and noun phrases of each standard's own text (never its headings:
  a heading's words are not evidence), and TF-IDF over the lemmas;
* each standard's family (``content`` or ``practice``, ``alignment.align.families``);
* the candidate sets: which standards a course may be offered, per framework, from its
  sectors (CTE pathway and anchor standards), grade bands (Common Core) and, inside a
  band, its own grades (``alignment.align.grades``: a grade-9 course gets 9-10, not 11-12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from alignment.settings import FROM_SETTINGS, get_settings
from alignment.data.frameworks import CCSS_FRAMEWORKS, SECTOR_FRAMEWORKS
from alignment.align.families import families as standard_families
from alignment.align.grades import other_grades
from alignment.nlp.cache import ArrayCache, RowCache, cache_key
from alignment.nlp.lexical import LemmaTfidf
from alignment.nlp.pipeline import content_lemmas, load_nlp, model_version, noun_phrases

__all__ = ["CCSS_FRAMEWORKS", "SECTOR_FRAMEWORKS", "StandardsIndex", "column_texts", "searchable_standards"]

_REQUIRED_STANDARD_COLUMNS = ["standard_id", "framework", "code", "text", "kind"]
_TEXT_COLUMNS = ["standard_id", "framework", "code", "text", "kind", "sector", "pathway", "grade_band",
                 "display_code", "match_text"]


def searchable_standards(standards: pd.DataFrame, text_columns, frameworks: list[str] | None = None):
    """``(table, candidates)``: the standards table with its text columns filled in, kept
    to ``frameworks``; and its rows with text to align against (no headings), reindexed.

    Raises ValueError naming what is missing or unknown.
    """
    missing = [c for c in _REQUIRED_STANDARD_COLUMNS if c not in standards.columns]
    if missing:
        raise ValueError(f"standards table is missing columns: {', '.join(missing)}")
    absent = [c for c in text_columns if c not in standards.columns and c != "match_text"]
    if absent:
        raise ValueError(f"standards table has no column(s) {absent} to match against")
    table = standards.copy()
    for col in ["sector", "pathway", "grade_band", "display_code", "match_text"]:
        if col not in table.columns:
            table[col] = ""
    table[_TEXT_COLUMNS] = table[_TEXT_COLUMNS].fillna("").astype(str)
    if frameworks:
        unknown = sorted(set(frameworks) - set(table["framework"]))
        if unknown:
            raise ValueError(f"unknown framework(s) {unknown}; loaded: {sorted(table['framework'].unique())}")
        table = table[table["framework"].isin(frameworks)]
    candidates = table[(table["kind"] != "heading") & (table["text"].str.strip() != "")]
    if candidates.empty:
        raise ValueError("no standards with text to align against")
    return table, candidates.reset_index(drop=True)


def column_texts(standards: pd.DataFrame, column: str) -> list[str]:
    """Texts of one column; rows where it is empty (e.g. no headings) use ``text``."""
    own = standards["text"]
    if column not in standards.columns:
        return own.tolist()
    values = standards[column].fillna("").astype(str)
    return values.where(values.str.strip() != "", own).tolist()


class StandardsIndex:
    """The standards' texts, vectors, lemmas, phrases, TF-IDF and candidate sets.

    Parameters
    ----------
    text_columns: standards columns to embed, with weights (see module docstring).
    frameworks: keep only these frameworks (default: all loaded).
    cache_dir: where the vectors are cached (default: the ``cache_dir`` setting; None: no
        disk cache).
    progress: show progress bars while encoding.

    Fitted attributes: ``standards_`` (the candidate rows), ``all_sectors_`` (sectors
    with CTE pathway or anchor standards), ``nlp_``, ``column_embeddings_``,
    ``embeddings_``, ``lemmas_``, ``phrases_``, ``tfidf_``, ``families_`` (each row's
    family), ``cache_key_``, ``cache_hit_``, ``encoded_`` (texts encoded by this fit, per
    column: 0 on a cache hit).
    """

    def __init__(self, text_columns: dict[str, float], frameworks: list[str] | None = None,
                 cache_dir=FROM_SETTINGS, progress: bool = False):
        self.text_columns = dict(text_columns)
        self.frameworks = frameworks
        self.cache_dir = get_settings().cache_dir if cache_dir is FROM_SETTINGS else cache_dir
        self.progress = progress

    def fit(self, standards: pd.DataFrame) -> "StandardsIndex":
        table, self.standards_ = searchable_standards(standards, self.text_columns, self.frameworks)
        self.all_sectors_ = set(table.loc[table["framework"].isin(SECTOR_FRAMEWORKS), "sector"]) - {"", "ALL"}
        self.nlp_ = load_nlp(vectors=True, sentences=False)
        columns = sorted(self.text_columns)
        texts = {c: column_texts(self.standards_, c) for c in columns}
        key = cache_key(
            model_version(self.nlp_), columns,
            self.standards_["standard_id"].tolist(), *[texts[c] for c in columns],
        )
        cache = ArrayCache(self.cache_dir) if self.cache_dir else None
        hit = cache.load(key) if cache else None
        self.encoded_ = {c: 0 for c in columns}
        if hit is not None:
            arrays, meta = hit
            self.column_embeddings_ = {c: arrays[f"emb_{c}"] for c in columns}
            self.lemmas_ = meta["lemmas"]
            self.phrases_ = meta["phrases"]
            self.cache_hit_ = True
            rows = RowCache(self.cache_dir, model_version(self.nlp_))
            if not rows.has(columns):  # a cache from before the per-text cache: seed it once
                for c in columns:
                    rows.add_vectors(c, texts[c], self.column_embeddings_[c])
                rows.add_words(self.standards_["text"].tolist(), self.lemmas_, self.phrases_)
                rows.save()
        else:
            rows = RowCache(self.cache_dir, model_version(self.nlp_)) if cache else None
            self.column_embeddings_, self.lemmas_, self.phrases_ = self._analyse(texts, rows)
            self.cache_hit_ = False
            if cache:
                cache.save(
                    key, {f"emb_{c}": e for c, e in self.column_embeddings_.items()},
                    {"lemmas": self.lemmas_, "phrases": self.phrases_},
                )
        total = sum(self.text_columns.values())
        self.embeddings_ = sum(
            (w / total) * self.column_embeddings_[c] for c, w in self.text_columns.items()
        ).astype(np.float32)
        self.cache_key_ = key
        self.tfidf_ = LemmaTfidf().fit(self.lemmas_)
        s = self.standards_
        self.families_ = standard_families(s).to_numpy()
        self._groups = {fw: np.flatnonzero(s["framework"].to_numpy() == fw) for fw in s["framework"].unique()}
        self._sectors = s["sector"].to_numpy()
        self._bands = s["grade_band"].to_numpy()
        self._grades = s["grade"].astype(str).to_numpy() if "grade" in s else np.array([""] * len(s))
        self._memo: dict[tuple, tuple[np.ndarray, str]] = {}
        return self

    def _analyse(self, texts: dict[str, list[str]], rows: RowCache | None = None):
        """Vectors from each matching column; lemmas and phrases from the standard's own
        text. With ``rows`` (the per-text cache), only texts it has not seen are encoded
        or parsed, and they are added to it."""
        own = self.standards_["text"].tolist()
        embeddings = {}
        self.encoded_ = {}
        for column, column_texts_ in texts.items():
            found, todo = rows.vectors(column, column_texts_) if rows else ([None] * len(column_texts_),
                                                                             list(range(len(column_texts_))))
            new_texts = [column_texts_[i] for i in todo]
            docs = self.nlp_.pipe(new_texts, batch_size=64,
                                  disable=["tok2vec", "parser", "tagger", "attribute_ruler", "lemmatizer"])
            if self.progress:
                docs = tqdm(docs, total=len(new_texts), desc=f"standards ({column})", unit="std")
            new = [doc._.embedding for doc in docs]
            self.encoded_[column] = len(new)
            for i, vector in zip(todo, new):
                found[i] = vector
            if rows and new:
                rows.add_vectors(column, new_texts, np.stack(new))
            embeddings[column] = np.stack(found).astype(np.float32)
        words, todo = rows.words(own) if rows else ([None] * len(own), list(range(len(own))))
        new_texts = [own[i] for i in todo]
        new_lemmas, new_phrases = [], []
        for doc in self.nlp_.pipe(new_texts, batch_size=128, disable=["sentence_vectors"]):
            new_lemmas.append(content_lemmas(doc))
            new_phrases.append(noun_phrases(doc))
        for i, lem, phr in zip(todo, new_lemmas, new_phrases):
            words[i] = (lem, phr)
        if rows:
            rows.add_words(new_texts, new_lemmas, new_phrases)
            rows.save()
        return embeddings, [list(w[0]) for w in words], [list(w[1]) for w in words]

    @property
    def frameworks_(self) -> list[str]:
        """The frameworks with candidates, in the order they first occur."""
        return list(self._groups)

    def candidates(self, framework: str, sectors: list[str], bands: set[str] | None,
                   levels: frozenset[int] | None = None) -> tuple[np.ndarray, str]:
        """Row positions a course with ``sectors``, grade ``bands`` and grade ``levels``
        (``grades.grade_levels``; None: keep the whole band) may be offered in
        ``framework``, and a note when a whole framework is unavailable to it ("no
        pathway standards loaded for this sector (...)"; then no positions). Memoised."""
        memo_key = (framework, tuple(sectors), frozenset(bands) if bands else None, levels)
        if memo_key in self._memo:
            return self._memo[memo_key]
        idx, note = self._groups[framework], ""
        if framework in SECTOR_FRAMEWORKS and sectors:
            covered = [s for s in sectors if s in self.all_sectors_]
            if not covered:
                what = "pathway" if framework == "cte_pathway" else "anchor"
                idx, note = idx[:0], f"no {what} standards loaded for this sector ({'; '.join(sectors)})"
            else:
                idx = idx[np.isin(self._sectors[idx], covered)]
        if not note and framework in CCSS_FRAMEWORKS and bands:
            idx = idx[np.isin(self._bands[idx], list(bands))]
        if not note and framework in CCSS_FRAMEWORKS and levels:
            idx = idx[~other_grades(self._grades[idx], levels)]
        self._memo[memo_key] = (idx, note)
        return idx, note
