"""Rank the standards a course most likely teaches, with evidence.

``Aligner`` follows the scikit-learn shape: configured in ``__init__``, learns the
standards in ``fit`` (vectors from the on-disk cache when possible), answers in
``suggest``. All text goes through the one spaCy pipeline (``text.load_nlp``).

Score of a (course, standard) pair, all terms cosines in [0, 1]-ish:

    semantic = w_whole * cos(course, standard) + (1 - w_whole) * max_s cos(sentence_s, standard)
    score    = w_sem[framework] * semantic + (1 - w_sem[framework]) * tfidf(course, standard)

The weights are those ``benchmarks/quality.py`` found best on the development data
(``alignment/bands.py`` holds them with their justification), not taste.

Output of ``suggest`` (one row per suggestion, ranked within course and framework):
``course_id, standard_id, framework, code, score, rank, band, evidence`` and, for
presenters, ``display_code, sector, pathway, standard_text, matched_terms,
matched_phrases, best_sentence, note``. A course whose sector has no pathway
standards in the data gets one row for that framework with empty ``standard_id``,
band ``none`` and the note "no pathway standards loaded for this sector".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import bands as band_config
from . import config
from .cache import ArrayCache, cache_key
from .lexical import LemmaTfidf
from .text import content_lemmas, load_nlp, model_version, noun_phrases

#: Output columns, in order (the CLI writes exactly these).
SUGGESTION_COLUMNS = ["course_id", "standard_id", "framework", "code", "score", "rank", "band", "evidence"]
#: Extra columns kept for presenters (apps, notebooks, gap analysis).
DETAIL_COLUMNS = [
    "display_code", "sector", "pathway", "standard_text",
    "matched_terms", "matched_phrases", "best_sentence", "note",
]
#: Frameworks in the order suggestions are listed for a course.
FRAMEWORK_ORDER = ["cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"]
SECTOR_FRAMEWORKS = {"cte_pathway", "cte_anchor"}
CCSS_FRAMEWORKS = {"ccss_ela", "ccss_math"}

_REQUIRED_STANDARD_COLUMNS = ["standard_id", "framework", "code", "text", "kind"]
_SPLIT = re.compile(r"\s*;\s*")


@dataclass
class CourseText:
    """What the aligner keeps of one analysed course (the spaCy Doc is dropped)."""

    embedding: np.ndarray
    sentences: list[str]
    sent_embeddings: np.ndarray
    lemmas: list[str]
    lemma_text: str
    phrases: list[str] = field(default_factory=list)


def _split(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [part for part in _SPLIT.split(str(value).strip()) if part]


def grade_bands_for(grades: str) -> set[str] | None:
    """The CCSS grade bands a course's ``grades`` field (``9-12``, ``11``, ``K-5``) falls in.

    None means "unknown: do not filter". High-school courses get ``9-12`` (which the
    standards table uses for HS math, 9-10 and 11-12) plus ``K-12`` (anchors, practices).
    """
    text = str(grades or "").strip().upper()
    if not text:
        return None
    numbers = [0 if g == "K" else int(g) for g in re.findall(r"K|\d+", text)]
    numbers = [n for n in numbers if 0 <= n <= 12]
    if not numbers:
        return None
    bands = {"K-12"}
    for n in range(min(numbers), max(numbers) + 1):
        bands.add("K-5" if n <= 5 else "6-8" if n <= 8 else "9-12")
    return bands


class Aligner:
    """Suggest standards for courses.

    Parameters
    ----------
    top_k: suggestions per course and framework.
    frameworks: frameworks to suggest from (default: all loaded).
    semantic_weight: weight of the semantic score against TF-IDF, per framework.
    whole_weight: weight of the whole-description cosine against the best sentence's.
    text_columns: which standards columns are embedded, with weights: the semantic
        score is the weighted mean of the cosines with each (``text``: the standard
        alone; ``match_text``: with its ancestors' headings).
    grade_aware: keep CCSS standards to the course's grade band when ``grades`` is known.
    cache_dir: where standards' vectors are cached (None: no disk cache).
    progress: show progress bars on long work.
    """

    def __init__(
        self,
        top_k: int = 5,
        frameworks: list[str] | None = None,
        semantic_weight: dict[str, float] | None = None,
        whole_weight: float | None = None,
        text_columns: dict[str, float] | None = None,
        grade_aware: bool = True,
        cache_dir=config.CACHE_DIR,
        progress: bool = False,
        nlp=None,
    ):
        self.top_k = top_k
        self.frameworks = frameworks
        self.semantic_weight = dict(semantic_weight or band_config.SEMANTIC_WEIGHT)
        self.whole_weight = band_config.WHOLE_WEIGHT if whole_weight is None else whole_weight
        self.text_columns = dict(text_columns or band_config.TEXT_COLUMNS)
        self.grade_aware = grade_aware
        self.cache_dir = cache_dir
        self.progress = progress
        self.nlp = nlp

    # ------------------------------------------------------------------ fit
    def fit(self, standards: pd.DataFrame) -> "Aligner":
        """Learn the standards: vectors, lemmas, phrases, TF-IDF (cached on disk)."""
        missing = [c for c in _REQUIRED_STANDARD_COLUMNS if c not in standards.columns]
        if missing:
            raise ValueError(f"standards table is missing columns: {', '.join(missing)}")
        absent = [c for c in self.text_columns if c not in standards.columns and c != "match_text"]
        if absent:
            raise ValueError(f"standards table has no column(s) {absent} to match against")
        table = standards.copy()
        for col in ["sector", "pathway", "grade_band", "display_code", "match_text"]:
            if col not in table.columns:
                table[col] = ""
        text_columns = ["standard_id", "framework", "code", "text", "kind", "sector", "pathway", "grade_band", "display_code", "match_text"]
        table[text_columns] = table[text_columns].fillna("").astype(str)
        if self.frameworks:
            unknown = sorted(set(self.frameworks) - set(table["framework"]))
            if unknown:
                raise ValueError(
                    f"unknown framework(s) {unknown}; loaded: {sorted(table['framework'].unique())}"
                )
            table = table[table["framework"].isin(self.frameworks)]
        candidates = table[(table["kind"] != "heading") & (table["text"].str.strip() != "")]
        if candidates.empty:
            raise ValueError("no standards with text to align against")
        self.standards_ = candidates.reset_index(drop=True)
        self.all_sectors_ = set(table.loc[table["framework"].isin(SECTOR_FRAMEWORKS), "sector"]) - {"", "ALL"}
        self.nlp_ = self.nlp or load_nlp(vectors=True, sentences=False)
        columns = sorted(self.text_columns)
        texts = {c: self._column_texts(c) for c in columns}
        key = cache_key(
            model_version(self.nlp_), columns,
            self.standards_["standard_id"].tolist(), *[texts[c] for c in columns],
        )
        cache = ArrayCache(self.cache_dir) if self.cache_dir else None
        hit = cache.load(key) if cache else None
        if hit is not None:
            arrays, meta = hit
            self.column_embeddings_ = {c: arrays[f"emb_{c}"] for c in columns}
            self.lemmas_ = meta["lemmas"]
            self.phrases_ = meta["phrases"]
            self.cache_hit_ = True
        else:
            self.column_embeddings_, self.lemmas_, self.phrases_ = self._analyse_standards(texts)
            self.cache_hit_ = False
            if cache:
                cache.save(
                    key, {f"emb_{c}": e for c, e in self.column_embeddings_.items()},
                    {"lemmas": self.lemmas_, "phrases": self.phrases_},
                )
        # The weighted sum of unit vectors: its dot product with a course vector is
        # exactly the weighted mean of the per-column cosines.
        total = sum(self.text_columns.values())
        self.embeddings_ = sum(
            (w / total) * self.column_embeddings_[c] for c, w in self.text_columns.items()
        ).astype(np.float32)
        self.cache_key_ = key
        self.tfidf_ = LemmaTfidf().fit(self.lemmas_)
        self._index_groups()
        return self

    def _column_texts(self, column: str) -> list[str]:
        """Texts of one column; rows where it is empty (e.g. no headings) use ``text``."""
        own = self.standards_["text"]
        if column not in self.standards_.columns:
            return own.tolist()
        values = self.standards_[column].fillna("").astype(str)
        return values.where(values.str.strip() != "", own).tolist()

    def _analyse_standards(self, texts: dict[str, list[str]]):
        # Vectors from each matching column; lemmas and phrases (for TF-IDF and
        # evidence) from the standard's own text, so headings never count as shared words.
        own = self.standards_["text"].tolist()
        embeddings, lemmas, phrases = {}, [], []
        for column, column_texts in texts.items():
            docs = self.nlp_.pipe(column_texts, batch_size=64, disable=["tok2vec", "parser", "tagger", "attribute_ruler", "lemmatizer"])
            if self.progress:
                docs = tqdm(docs, total=len(column_texts), desc=f"standards ({column})", unit="std")
            embeddings[column] = np.stack([doc._.embedding for doc in docs]).astype(np.float32)
        plain = self.nlp_.pipe(own, batch_size=128, disable=["sentence_vectors"])
        for doc in plain:
            lemmas.append(content_lemmas(doc))
            phrases.append(noun_phrases(doc))
        return embeddings, lemmas, phrases

    def _index_groups(self):
        s = self.standards_
        self.groups_ = {fw: np.flatnonzero(s["framework"].to_numpy() == fw) for fw in s["framework"].unique()}
        self.sector_array_ = s["sector"].to_numpy()
        self.band_array_ = s["grade_band"].to_numpy() if "grade_band" in s else np.array([""] * len(s))

    # ------------------------------------------------------------- analyse
    def analyse(self, texts: list[str]) -> list[CourseText]:
        """Run course descriptions through ``nlp.pipe`` (sentences embedded too)."""
        self._check_fitted()
        out = []
        docs = self.nlp_.pipe(texts, batch_size=32, component_cfg={"sentence_vectors": {"sentences": True}})
        if self.progress:
            docs = tqdm(docs, total=len(texts), desc="courses", unit="course")
        for doc in docs:
            sents = [s.text.strip() for s in doc.sents] or [doc.text]
            sent_emb = doc._.sent_embeddings if doc._.sent_embeddings is not None else doc._.embedding[None, :]
            lemmas = content_lemmas(doc)
            out.append(
                CourseText(
                    embedding=doc._.embedding,
                    sentences=sents,
                    sent_embeddings=np.asarray(sent_emb, dtype=np.float32),
                    lemmas=lemmas,
                    lemma_text=" " + " ".join(t.lemma_.lower() for t in doc if t.is_alpha) + " ",
                    phrases=noun_phrases(doc),
                )
            )
        return out

    # --------------------------------------------------------------- score
    def score(self, analysed: list[CourseText], columns: np.ndarray | None = None) -> np.ndarray:
        """The combined score matrix, courses x standards (or x ``columns``)."""
        self._check_fitted()
        cols = np.arange(len(self.standards_)) if columns is None else np.asarray(columns)
        S = self.embeddings_[cols]
        whole = np.stack([c.embedding for c in analysed]) @ S.T
        if self.whole_weight < 1.0:
            passage = np.stack([(c.sent_embeddings @ S.T).max(axis=0) for c in analysed])
            semantic = self.whole_weight * whole + (1 - self.whole_weight) * passage
        else:
            semantic = whole
        lexical = self.tfidf_.similarity([c.lemmas for c in analysed], cols)
        frameworks = self.standards_["framework"].to_numpy()[cols]
        w = np.array([self.semantic_weight.get(f, 1.0) for f in frameworks], dtype=np.float32)
        return (semantic * w + lexical * (1 - w)).astype(np.float32)

    # ------------------------------------------------------------- suggest
    def suggest(self, courses: pd.DataFrame, top_k: int | None = None, frameworks: list[str] | None = None) -> pd.DataFrame:
        """Ranked suggestions with evidence for every course (see module docstring)."""
        self._check_fitted()
        if "course_id" not in courses.columns or "description" not in courses.columns:
            raise ValueError("courses need the columns course_id and description")
        top_k = top_k or self.top_k
        loaded = [f for f in FRAMEWORK_ORDER if f in self.groups_] + sorted(set(self.groups_) - set(FRAMEWORK_ORDER))
        if frameworks:
            unknown = sorted(set(frameworks) - set(loaded))
            if unknown:
                raise ValueError(f"unknown or unloaded framework(s) {unknown}; loaded: {loaded}")
            loaded = [f for f in loaded if f in frameworks]
        courses = courses.reset_index(drop=True)
        analysed = self.analyse(courses["description"].astype(str).tolist())
        scores = self.score(analysed)
        rows = []
        for i, course in courses.iterrows():
            sectors = _split(course.get("sector", ""))
            bands = grade_bands_for(course.get("grades", "")) if self.grade_aware else None
            for fw in loaded:
                candidates, note = self._candidates(fw, sectors, bands)
                if note:
                    rows.append(self._note_row(course["course_id"], fw, note))
                    continue
                if len(candidates) == 0:
                    continue
                row_scores = scores[i, candidates]
                k = min(top_k, len(candidates))
                top = np.argpartition(-row_scores, k - 1)[:k]
                top = top[np.argsort(-row_scores[top], kind="stable")]
                for rank, j in enumerate(top, start=1):
                    rows.append(self._suggestion_row(course["course_id"], analysed[i], int(candidates[j]), float(row_scores[j]), rank))
        out = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS + DETAIL_COLUMNS)
        out["rank"] = out["rank"].astype("Int64")
        return out

    def _candidates(self, fw: str, sectors: list[str], bands: set[str] | None):
        idx = self.groups_[fw]
        if fw in SECTOR_FRAMEWORKS and sectors:
            covered = [s for s in sectors if s in self.all_sectors_]
            if not covered:
                what = "pathway" if fw == "cte_pathway" else "anchor"
                return idx[:0], f"no {what} standards loaded for this sector ({'; '.join(sectors)})"
            idx = idx[np.isin(self.sector_array_[idx], covered)]
        if fw in CCSS_FRAMEWORKS and bands:
            idx = idx[np.isin(self.band_array_[idx], list(bands))]
        return idx, ""

    def _note_row(self, course_id, fw, note):
        return {
            "course_id": course_id, "standard_id": "", "framework": fw, "code": "",
            "score": np.nan, "rank": pd.NA, "band": "none", "evidence": note,
            "display_code": "", "sector": "", "pathway": "", "standard_text": "",
            "matched_terms": [], "matched_phrases": [], "best_sentence": "", "note": note,
        }

    def _suggestion_row(self, course_id, course: CourseText, j: int, score: float, rank: int):
        std = self.standards_.iloc[j]
        terms, phrases, sentence = self.evidence(course, j)
        return {
            "course_id": course_id,
            "standard_id": std["standard_id"],
            "framework": std["framework"],
            "code": std["code"],
            "score": round(score, 4),
            "rank": rank,
            "band": band_config.band_for(score, std["framework"]),
            "evidence": format_evidence(terms, phrases, sentence),
            "display_code": std.get("display_code", "") or std["code"],
            "sector": std.get("sector", ""),
            "pathway": std.get("pathway", ""),
            "standard_text": std["text"],
            "matched_terms": terms,
            "matched_phrases": phrases,
            "best_sentence": sentence,
            "note": "",
        }

    # ------------------------------------------------------------ evidence
    def evidence(self, course: CourseText, j: int, max_terms: int = 8) -> tuple[list[str], list[str], str]:
        """Shared lemmas (rarest first), shared phrases, and the best-matching sentence."""
        std_lemmas = set(self.lemmas_[j])
        shared = sorted(std_lemmas & set(course.lemmas), key=lambda t: (-self.tfidf_.idf(t), t))[:max_terms]
        phrases = []
        for phrase in self.phrases_[j]:
            if " " in phrase and f" {phrase} " in course.lemma_text and phrase not in phrases:
                phrases.append(phrase)
        for phrase in course.phrases:
            if " " in phrase and phrase in self.phrases_[j] and phrase not in phrases:
                phrases.append(phrase)
        sims = course.sent_embeddings @ self.embeddings_[j]
        sentence = course.sentences[int(np.argmax(sims))] if len(course.sentences) else ""
        return shared, phrases[:5], sentence

    def _check_fitted(self):
        if not hasattr(self, "embeddings_"):
            raise RuntimeError("Aligner is not fitted: call fit(standards) first")


def format_evidence(terms: list[str], phrases: list[str], sentence: str) -> str:
    """Evidence as one line of text (for CSV and plain displays)."""
    parts = []
    if terms:
        parts.append("shared terms: " + ", ".join(terms))
    if phrases:
        parts.append("shared phrases: " + ", ".join(f'"{p}"' for p in phrases))
    if sentence:
        parts.append(f'best sentence: "{sentence}"')
    return " | ".join(parts) if parts else "no shared terms (semantic match only)"
