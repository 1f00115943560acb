"""Rank the standards a course most likely teaches, with evidence.

``Aligner`` follows the scikit-learn shape: configured in ``__init__``, learns the
standards in ``fit`` (vectors from the on-disk cache when possible), answers in
``suggest``. All text goes through spaCy pipelines built on the one English model
(``text.load_nlp``): the standards through the full pipeline (cached), the courses
through a lean one with only what scores and evidence need (see "Modes").

Score of a (course, standard) pair, all terms cosines in [0, 1]-ish:

    semantic = w_whole * cos(course, standard) + (1 - w_whole) * max_s cos(sentence_s, standard)
    score    = w_sem[framework] * semantic + (1 - w_sem[framework]) * tfidf(course, standard)

The weights are those ``benchmarks/quality.py`` found best on the development data
(``alignment/bands.py`` holds them with their justification), not taste.

Modes (``mode=``; ``docs/scale.md`` has the measurements):

* ``accurate`` (default): MiniLM on each description, once. The passage score (best
  sentence) uses sentence vectors read off that one pass (``passages="pooled"``, "late
  chunking", ``alignment.nlp.passages``); lemmas for TF-IDF and evidence come from a
  table built from the standards (``lemmas="lookup"``, ``alignment.nlp.fast``); sentences
  from ``senter`` (no parser). Chosen as the default because it measured the same on
  the dev data as encoding every sentence again with the tagger's lemmas (CTE and ELA
  identical; one labelled course of 36 moves in the catalog task; abstains better)
  at about half the model time, which is what meets the throughput target
  (docs/scale.md). ``passages="encoded"`` (each sentence through the model on its
  own) and ``lemmas="tagger"`` (spaCy's tagger and lemmatizer; "writing" stays
  "writing" in the evidence) remain options.
* ``fast``: no neural model on courses: static word-piece vectors distilled from
  MiniLM, lemmas by lookup, rule-based sentences (``alignment.nlp.fast``); for statewide
  batches. Lower quality (``benchmarks/quality.py`` prints both).

Courses are scored in chunks of ``chunk_size`` (memory is bounded by the chunk, not
the catalog): one matrix product per chunk, top-k per framework by ``argpartition``
over courses that share a candidate set, evidence only for the top-k pairs.
``iter_suggest`` yields one table per chunk (for writing as you go).

Output of ``suggest`` (one row per suggestion, ranked within course and framework):
``course_id, standard_id, framework, code, score, rank, band, evidence, family`` and, for
presenters, ``display_code, sector, pathway, standard_text, matched_terms,
matched_phrases, best_sentence, note``. A course whose sector has no pathway
standards in the data gets one row for that framework with empty ``standard_id``,
band ``none`` and the note "no pathway standards loaded for this sector".

Common Core for whole courses (``docs/ccss_courses.md``): suggestions are ranked
within (framework, family): the practice standards (Mathematical Practices, CCR
anchors, Career Ready Practices; ``alignment.align.families``) are a family of their
own and never take a content standard's place; Common Core content standards that
sit close to every course ("hubs") are demoted against a background of real course
descriptions (``alignment.align.hubs``, fitted in ``fit``); inside a grade band a
standard for other grades than the course's is pushed down (``alignment.align.grades``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from alignment.align import bands as band_config
from alignment.align.columns import DETAIL_COLUMNS, SUGGESTION_COLUMNS  # noqa: F401 (re-exported)
from alignment.align.families import FAMILIES, families as standard_families
from alignment.align.grades import grade_levels, other_grades
from alignment.align.hubs import HubDemotion
from alignment.data.frameworks import CCSS_FRAMEWORKS, FRAMEWORK_ORDER, SECTOR_FRAMEWORKS
from alignment.settings import FROM_SETTINGS, get_settings
from alignment.nlp.cache import ArrayCache, cache_key
from alignment.nlp.lexical import LemmaTfidf
from alignment.align.filler import filler_lemmas, surface_forms
from alignment.nlp.pipeline import content_lemmas, lemma_views, load_nlp, model_version, noun_phrases

#: ``mode=`` values.
MODES = ("accurate", "fast")
#: ``passages=`` values (accurate mode): sentence vectors pooled from the one
#: whole-description pass, or each sentence encoded on its own.
PASSAGES = ("pooled", "encoded")
#: ``lemmas=`` values: from the statistical tagger + lemmatizer, or by lookup
#: (``alignment.nlp.fast.LemmaLookup``; no tagger runs).
LEMMAS = ("tagger", "lookup")
#: Fast mode's default weight of the whole text against the best sentence: static
#: vectors gain nothing from passages on the dev data (docs/scale.md).
FAST_WHOLE_WEIGHT = 1.0
#: Courses analysed and scored at a time by ``suggest``/``iter_suggest``.
CHUNK_SIZE = 512

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
    #: lemma -> the word the course wrote (what evidence shows; see alignment.align.filler)
    surfaces: dict[str, str] = field(default_factory=dict)


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


def course_pipeline(base, lemmas: str = "tagger", sentences: str = "senter", vectors: str = "passage_vectors",
                    vectors_config: dict | None = None, lookup=None):
    """A pipeline for course descriptions with only what scores and evidence need.

    It shares ``base``'s vocabulary, tokenizer and trained components (sourced, not
    copied: the model is in memory once): ``lemmas="tagger"`` adds tok2vec, tagger,
    attribute_ruler and lemmatizer, ``"lookup"`` the ``lookup_lemmas`` component (set
    to ``lookup``); sentences from ``senter`` (statistical, sourced) or ``sentencizer``
    (rules); then the vector component. No parser (noun chunks are not needed: evidence
    phrases are the standard's phrases found in the course's lemma text), no NER.
    """
    import spacy

    from alignment.nlp import fast, passages  # noqa: F401  (register lookup_lemmas, static_vectors, passage_vectors)

    nlp = spacy.blank("en", vocab=base.vocab)
    nlp.tokenizer = base.tokenizer
    if lemmas == "tagger":
        for name in ("tok2vec", "tagger", "attribute_ruler", "lemmatizer"):
            nlp.add_pipe(name, source=base)
    if sentences == "senter":
        nlp.add_pipe("senter", source=base)
    else:
        nlp.add_pipe("sentencizer")
    if lemmas == "lookup":
        nlp.add_pipe("lookup_lemmas").lookup = lookup
    nlp.add_pipe(vectors, config=vectors_config or {})
    return nlp


class Aligner:
    """Suggest standards for courses.

    Parameters
    ----------
    top_k: suggestions per course and framework.
    frameworks: frameworks to suggest from (default: all loaded).
    semantic_weight: weight of the semantic score against TF-IDF, per framework.
    whole_weight: weight of the whole-description cosine against the best sentence's
        (default: ``bands.WHOLE_WEIGHT``; ``FAST_WHOLE_WEIGHT`` in the fast mode).
    text_columns: which standards columns are embedded, with weights: the semantic
        score is the weighted mean of the cosines with each (``text``: the standard
        alone; ``match_text``: with its ancestors' headings).
    grade_aware: keep CCSS standards to the course's grade band when ``grades`` is known.
    cache_dir: where standards' vectors are cached (default: the ``cache_dir`` setting;
        None: no disk cache).
    progress: show progress bars on long work.
    nlp: the pipeline for the standards (default ``load_nlp()``); when given, courses
        go through it too, as a whole (sentences encoded on their own).
    mode: ``accurate`` or ``fast`` (module docstring).
    passages: ``pooled`` (default) or ``encoded``: how sentence vectors are made in the
        accurate mode (read off the whole-description pass, or each sentence encoded).
    lemmas: ``lookup`` (default) or ``tagger``: where course lemmas come from.
    chunk_size: courses analysed and scored at a time.
    hub_strength: how strongly Common Core content standards close to every course are
        demoted (``bands.HUB_STRENGTH``; 0 turns it off).
    background: course descriptions (a catalog with ``description``) the hub demotion is
        fitted on; default the bundled catalog.
    within_band: inside a grade band, keep only the Common Core standards written for the
        course's own grades (a grade-9 course: 9-10, not 11-12; ``alignment.align.grades``).
    """

    def __init__(
        self,
        top_k: int = 5,
        frameworks: list[str] | None = None,
        semantic_weight: dict[str, float] | None = None,
        whole_weight: float | None = None,
        text_columns: dict[str, float] | None = None,
        grade_aware: bool = True,
        cache_dir=FROM_SETTINGS,
        progress: bool = False,
        nlp=None,
        mode: str = "accurate",
        passages: str = "pooled",
        lemmas: str = "lookup",
        chunk_size: int = CHUNK_SIZE,
        hub_strength: float | None = None,
        background: pd.DataFrame | None = None,
        within_band: bool = True,
    ):
        self.top_k = top_k
        self.frameworks = frameworks
        self.semantic_weight = dict(semantic_weight or band_config.SEMANTIC_WEIGHT)
        if whole_weight is None:
            whole_weight = FAST_WHOLE_WEIGHT if mode == "fast" else band_config.WHOLE_WEIGHT
        self.whole_weight = whole_weight
        self.text_columns = dict(text_columns or band_config.TEXT_COLUMNS)
        self.grade_aware = grade_aware
        self.cache_dir = get_settings().cache_dir if cache_dir is FROM_SETTINGS else cache_dir
        self.progress = progress
        self.nlp = nlp
        self.mode = mode
        self.passages = passages
        self.lemmas = lemmas
        self.chunk_size = chunk_size
        self.hub_strength = band_config.HUB_STRENGTH if hub_strength is None else hub_strength
        self.background = background
        self.within_band = within_band

    # ------------------------------------------------------------------ fit
    def fit(self, standards: pd.DataFrame) -> "Aligner":
        """Learn the standards: vectors, lemmas, phrases, TF-IDF (cached on disk)."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.passages not in PASSAGES:
            raise ValueError(f"passages must be one of {', '.join(PASSAGES)}, not {self.passages!r}")
        if self.lemmas not in LEMMAS:
            raise ValueError(f"lemmas must be one of {', '.join(LEMMAS)}, not {self.lemmas!r}")
        if self.mode == "fast" and self.lemmas != "lookup":
            raise ValueError("the fast mode takes lemmas by lookup (lemmas='lookup')")
        if int(self.chunk_size) < 1:
            raise ValueError(f"chunk_size must be a positive number of courses, not {self.chunk_size!r}")
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
        self.weights_ = np.array(
            [self.semantic_weight.get(f, 1.0) for f in self.standards_["framework"]], dtype=np.float32
        )
        self.tfidf_ = LemmaTfidf().fit(self.lemmas_)
        self.families_ = standard_families(self.standards_).to_numpy()
        self._index_groups()
        self._index_evidence()
        self.course_nlp_ = self._course_pipeline()
        self.hubs_ = self._fit_hubs()
        return self

    def _fit_hubs(self) -> HubDemotion | None:
        """Hub demotion fitted on the background descriptions' raw scores (cached on disk)."""
        if not self.hub_strength:
            return None
        background = self.background
        if background is None:
            from alignment.data.catalog import default_catalog

            background = default_catalog()
        if "description" not in background.columns:
            raise ValueError("the hub demotion's background needs a description column")
        texts = background["description"].fillna("").astype(str).tolist()
        hubs = HubDemotion(strength=float(self.hub_strength))
        key = cache_key("hubs", self.cache_key_, self.mode, self.passages, self.lemmas, self.whole_weight,
                        sorted(self.semantic_weight.items()), texts)
        cache = ArrayCache(self.cache_dir, prefix="hubs") if self.cache_dir else None
        hit = cache.load(key) if cache else None
        if hit is not None:
            mean = hit[0]["background_mean"]
        else:
            mean = self._score(self._analyse(texts), keep_sentences=False, demote=False)[0].mean(axis=0)
            if cache:
                cache.save(key, {"background_mean": mean.astype(np.float32)}, {"courses": len(texts)})
        return hubs.fit_mean(mean, self.standards_["framework"].to_numpy(), self.families_)

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
        self.grade_array_ = s["grade"].astype(str).to_numpy() if "grade" in s else np.array([""] * len(s))
        self.band_array_ = s["grade_band"].to_numpy() if "grade_band" in s else np.array([""] * len(s))
        self._candidate_memo = {}

    def _index_evidence(self):
        """Plain Python lookups for the row builder (no DataFrame access per row)."""
        s = self.standards_
        vocabulary = self.tfidf_.vectorizer_.vocabulary_
        idf = self.tfidf_.vectorizer_.idf_
        self._idf = {term: float(idf[i]) for term, i in vocabulary.items()}
        self._lemma_sets = [set(lemmas) for lemmas in self.lemmas_]
        self.filler_ = filler_lemmas(self.lemmas_)  # words every standard shares: not evidence
        self._phrase_sets = [set(phrases) for phrases in self.phrases_]
        self._multiword = [
            [(p, f" {p} ") for p in dict.fromkeys(phrases) if " " in p] for phrases in self.phrases_
        ]
        self._std = {
            "standard_id": s["standard_id"].tolist(),
            "framework": s["framework"].tolist(),
            "code": s["code"].tolist(),
            "display_code": [d or c for d, c in zip(s["display_code"], s["code"])],
            "sector": s["sector"].tolist(),
            "pathway": s["pathway"].tolist(),
            "text": s["text"].tolist(),
        }

    def _course_pipeline(self):
        if self.nlp is not None:
            return self.nlp
        lookup = None
        if self.lemmas == "lookup":
            from alignment.nlp.fast import LemmaLookup

            lookup = LemmaLookup(self._lemma_forms(), set(self._idf), self.nlp_.get_pipe("lemmatizer"))
        if self.mode == "fast":
            from alignment.nlp import fast

            nlp = course_pipeline(self.nlp_, "lookup", "sentencizer", "static_vectors", lookup=lookup)
            table = fast.load_static_table(self.cache_dir)
            nlp.get_pipe("static_vectors").encoder = fast.StaticEncoder(table).fit(self.standards_["text"].tolist())
            return nlp
        return course_pipeline(self.nlp_, self.lemmas, "senter", "passage_vectors",
                               {"pooled": self.passages == "pooled"}, lookup=lookup)

    def _lemma_forms(self) -> dict[str, str]:
        """Word form -> the lemma the tagger most often gave it in the standards (cached)."""
        from alignment.nlp import fast

        key = cache_key("lemma-forms", model_version(self.nlp_), self.standards_["text"].tolist())
        cache = ArrayCache(self.cache_dir, prefix="lemmaforms") if self.cache_dir else None
        hit = cache.load(key) if cache else None
        if hit is not None:
            return hit[1]["forms"]
        docs = self.nlp_.pipe(self.standards_["text"].tolist(), batch_size=128, disable=["parser", "sentence_vectors"])
        forms = fast.LemmaLookup.from_docs(docs, set(), None).forms
        if cache:
            cache.save(key, {}, {"forms": forms})
        return forms

    # ------------------------------------------------------------- analyse
    def analyse(self, texts: list[str]) -> list[CourseText]:
        """Run course descriptions through the course pipeline (``nlp.pipe``)."""
        self._check_fitted()
        bar = tqdm(total=len(texts), desc="courses", unit="course") if self.progress else None
        try:
            return self._analyse(list(texts), bar)
        finally:
            if bar is not None:
                bar.close()

    def _analyse(self, texts: list[str], bar=None) -> list[CourseText]:
        if self.nlp is not None:
            docs = self.course_nlp_.pipe(texts, batch_size=32, component_cfg={"sentence_vectors": {"sentences": True}})
        else:
            # spaCy's batches stay small (its arrays grow with them); the vector
            # components gather larger ones for the sentence model themselves.
            docs = self.course_nlp_.pipe(texts, batch_size=64 if self.mode == "accurate" else 1000)
        out = []
        for doc in docs:
            out.append(_course_text(doc))
            if bar is not None:
                bar.update(1)
        return out

    # --------------------------------------------------------------- score
    def score(self, analysed: list[CourseText], columns: np.ndarray | None = None) -> np.ndarray:
        """The combined score matrix, courses x standards (or x ``columns``)."""
        self._check_fitted()
        return self._score(analysed, columns, keep_sentences=False)[0]

    def _score(self, analysed: list[CourseText], columns=None, keep_sentences: bool = True, demote: bool = True):
        """Scores (hub-demoted when fitted), and (for evidence) each sentence's cosine with each standard."""
        cols = None if columns is None else np.asarray(columns)
        S = self.embeddings_ if cols is None else self.embeddings_[cols]
        semantic = np.stack([c.embedding for c in analysed]).astype(np.float32) @ S.T
        sent_sims = offsets = None
        if self.whole_weight < 1.0 or keep_sentences:
            sentences = np.concatenate([c.sent_embeddings for c in analysed]).astype(np.float32)
            offsets = np.cumsum([0] + [len(c.sent_embeddings) for c in analysed])
            sent_sims = sentences @ S.T
            if self.whole_weight < 1.0:
                passage = np.maximum.reduceat(sent_sims, offsets[:-1], axis=0)
                semantic = self.whole_weight * semantic + (1 - self.whole_weight) * passage
        lexical = self.tfidf_.similarity([c.lemmas for c in analysed], cols)
        w = self.weights_ if cols is None else self.weights_[cols]
        scores = (semantic * w + lexical * (1 - w)).astype(np.float32)
        if demote and getattr(self, "hubs_", None) is not None:
            scores = self.hubs_.transform(scores, cols)
        return scores, sent_sims, offsets

    # ------------------------------------------------------------- suggest
    def suggest(self, courses: pd.DataFrame, top_k: int | None = None, frameworks: list[str] | None = None) -> pd.DataFrame:
        """Ranked suggestions with evidence for every course (see module docstring)."""
        parts = list(self.iter_suggest(courses, top_k=top_k, frameworks=frameworks))
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return self._frame(_empty_columns())
        return pd.concat(parts, ignore_index=True)

    def iter_suggest(
        self, courses: pd.DataFrame, top_k: int | None = None, frameworks: list[str] | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[pd.DataFrame]:
        """``suggest``, one table per chunk of ``chunk_size`` courses, in catalog order."""
        self._check_fitted()
        if "course_id" not in courses.columns or "description" not in courses.columns:
            raise ValueError("courses need the columns course_id and description")
        top_k = top_k or self.top_k
        loaded = self._frameworks(frameworks)
        chunk = int(chunk_size or self.chunk_size)
        courses = courses.reset_index(drop=True)
        bar = tqdm(total=len(courses), desc="courses", unit="course") if self.progress else None
        try:
            for start in range(0, len(courses), chunk):
                yield self._suggest_chunk(courses.iloc[start : start + chunk], loaded, top_k, bar)
        finally:
            if bar is not None:
                bar.close()

    def _frameworks(self, frameworks):
        loaded = [f for f in FRAMEWORK_ORDER if f in self.groups_] + sorted(set(self.groups_) - set(FRAMEWORK_ORDER))
        if frameworks:
            unknown = sorted(set(frameworks) - set(loaded))
            if unknown:
                raise ValueError(f"unknown or unloaded framework(s) {unknown}; loaded: {loaded}")
            loaded = [f for f in loaded if f in frameworks]
        return loaded

    def _suggest_chunk(self, courses: pd.DataFrame, loaded: list[str], top_k: int, bar=None) -> pd.DataFrame:
        analysed = self._analyse(courses["description"].astype(str).tolist(), bar)
        filler = self.filler_ | filler_lemmas([c.lemmas for c in analysed])  # and what this catalog's courses share
        scores, sent_sims, offsets = self._score(analysed)
        n = len(courses)
        sectors = courses["sector"].tolist() if "sector" in courses.columns else [""] * n
        grades = courses["grades"].tolist() if "grades" in courses.columns else [""] * n
        # Courses with the same sectors, grade bands and grades share their candidate
        # sets: one argpartition per group, framework and family (content, practice).
        groups: dict[tuple, list[int]] = {}
        for i in range(n):
            bands = grade_bands_for(grades[i]) if self.grade_aware else None
            levels = grade_levels(grades[i]) if self.grade_aware and self.within_band else None
            key = (tuple(_split(sectors[i])), frozenset(bands) if bands else None, levels)
            groups.setdefault(key, []).append(i)
        picks: dict[tuple[int, str, str], tuple[np.ndarray, np.ndarray]] = {}
        notes: dict[tuple[int, str], str] = {}
        for (course_sectors, bands, levels), rows in groups.items():
            for fw in loaded:
                candidates, note = self._candidates(fw, list(course_sectors), set(bands) if bands else None, levels)
                if note:
                    notes.update({(i, fw): note for i in rows})
                    continue
                for family in FAMILIES:
                    idx = candidates[self.families_[candidates] == family]
                    if len(idx) == 0:
                        continue
                    sub = scores[np.ix_(rows, idx)]
                    k = min(top_k, len(idx))
                    top = np.argpartition(-sub, k - 1, axis=1)[:, :k]
                    values = np.take_along_axis(sub, top, axis=1)
                    order = np.argsort(-values, axis=1, kind="stable")
                    top = np.take_along_axis(top, order, axis=1)
                    values = np.take_along_axis(values, order, axis=1)
                    for r, i in enumerate(rows):
                        picks[(i, fw, family)] = (idx[top[r]], values[r])
        out = _empty_columns()
        ids = courses["course_id"].tolist()
        for i in range(n):
            course, lemma_set = analysed[i], None
            for fw in loaded:
                if (i, fw) in notes:
                    _append_note(out, ids[i], fw, notes[(i, fw)])
                    continue
                for family in FAMILIES:
                    if (i, fw, family) not in picks:
                        continue
                    if lemma_set is None:
                        lemma_set = set(course.lemmas) - filler
                    chosen, values = picks[(i, fw, family)]
                    sims = sent_sims[offsets[i] : offsets[i + 1]]
                    for rank, (j, value) in enumerate(zip(chosen.tolist(), values.tolist()), start=1):
                        sentence = course.sentences[int(np.argmax(sims[:, j]))] if len(course.sentences) else ""
                        terms, phrases = self._shared(course, lemma_set, j)
                        terms = [course.surfaces.get(t, t) for t in terms]
                        self._append_suggestion(out, ids[i], j, value, rank, terms, phrases, sentence)
        return self._frame(out)

    def _candidates(self, fw: str, sectors: list[str], bands: set[str] | None, levels: frozenset[int] | None = None):
        memo_key = (fw, tuple(sectors), frozenset(bands) if bands else None, levels)
        if memo_key in self._candidate_memo:
            return self._candidate_memo[memo_key]
        idx, note = self.groups_[fw], ""
        if fw in SECTOR_FRAMEWORKS and sectors:
            covered = [s for s in sectors if s in self.all_sectors_]
            if not covered:
                what = "pathway" if fw == "cte_pathway" else "anchor"
                idx, note = idx[:0], f"no {what} standards loaded for this sector ({'; '.join(sectors)})"
            else:
                idx = idx[np.isin(self.sector_array_[idx], covered)]
        if not note and fw in CCSS_FRAMEWORKS and bands:
            idx = idx[np.isin(self.band_array_[idx], list(bands))]
        if not note and fw in CCSS_FRAMEWORKS and levels:
            idx = idx[~other_grades(self.grade_array_[idx], levels)]
        self._candidate_memo[memo_key] = (idx, note)
        return idx, note

    def _note_row(self, course_id, fw, note):
        out = _empty_columns()
        _append_note(out, course_id, fw, note)
        return {c: v[0] for c, v in out.items()}

    def _append_suggestion(self, out, course_id, j, score, rank, terms, phrases, sentence):
        std = self._std
        fw = std["framework"][j]
        out["course_id"].append(course_id)
        out["standard_id"].append(std["standard_id"][j])
        out["framework"].append(fw)
        out["code"].append(std["code"][j])
        out["score"].append(round(score, 4))
        out["rank"].append(rank)
        out["band"].append(band_config.band_for(score, fw, self.families_[j]))
        out["evidence"].append(format_evidence(terms, phrases, sentence))
        out["family"].append(self.families_[j])
        out["display_code"].append(std["display_code"][j])
        out["sector"].append(std["sector"][j])
        out["pathway"].append(std["pathway"][j])
        out["standard_text"].append(std["text"][j])
        out["matched_terms"].append(terms)
        out["matched_phrases"].append(phrases)
        out["best_sentence"].append(sentence)
        out["note"].append("")

    @staticmethod
    def _frame(out: dict[str, list]) -> pd.DataFrame:
        frame = pd.DataFrame(out, columns=SUGGESTION_COLUMNS + DETAIL_COLUMNS)
        frame["score"] = frame["score"].astype("float64")
        frame["rank"] = pd.array(out["rank"], dtype="Int64")
        return frame

    # ------------------------------------------------------------ evidence
    def evidence(self, course: CourseText, j: int, max_terms: int = 8) -> tuple[list[str], list[str], str]:
        """Shared lemmas (rarest first), shared phrases, and the best-matching sentence."""
        terms, phrases = self._shared(course, set(course.lemmas) - self.filler_, j, max_terms)
        terms = [course.surfaces.get(t, t) for t in terms]
        sims = course.sent_embeddings @ self.embeddings_[j]
        sentence = course.sentences[int(np.argmax(sims))] if len(course.sentences) else ""
        return terms, phrases, sentence

    def _shared(self, course: CourseText, lemma_set: set[str], j: int, max_terms: int = 8):
        idf = self._idf
        shared = sorted(self._lemma_sets[j] & lemma_set, key=lambda t: (-idf.get(t, 0.0), t))[:max_terms]
        phrases = []
        for phrase, padded in self._multiword[j]:
            if padded in course.lemma_text:
                phrases.append(phrase)
        if course.phrases:
            std_phrases = self._phrase_sets[j]
            for phrase in course.phrases:
                if " " in phrase and phrase in std_phrases and phrase not in phrases:
                    phrases.append(phrase)
        return shared, phrases[:5]

    def _check_fitted(self):
        if not hasattr(self, "embeddings_"):
            raise RuntimeError("Aligner is not fitted: call fit(standards) first")


def _course_text(doc) -> CourseText:
    sents = [s.text.strip() for s in doc.sents] if doc.has_annotation("SENT_START") else []
    sent_emb = doc._.sent_embeddings
    if sent_emb is None or len(sent_emb) == 0 or len(sent_emb) != len(sents):
        sents, sent_emb = [doc.text.strip()], doc._.embedding[None, :]
    lemmas, alpha = lemma_views(doc)  # one pass over the tokens for both
    return CourseText(
        embedding=doc._.embedding,
        sentences=sents,
        sent_embeddings=np.asarray(sent_emb, dtype=np.float32),
        lemmas=lemmas,
        lemma_text=" " + " ".join(alpha) + " ",
        phrases=noun_phrases(doc),
        surfaces=surface_forms(doc),
    )


def _empty_columns() -> dict[str, list]:
    return {c: [] for c in SUGGESTION_COLUMNS + DETAIL_COLUMNS}


def _append_note(out, course_id, fw, note):
    values = {
        "course_id": course_id, "standard_id": "", "framework": fw, "code": "",
        "score": np.nan, "rank": pd.NA, "band": "none", "evidence": note, "family": "",
        "display_code": "", "sector": "", "pathway": "", "standard_text": "",
        "matched_terms": [], "matched_phrases": [], "best_sentence": "", "note": note,
    }
    for column, value in values.items():
        out[column].append(value)


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
