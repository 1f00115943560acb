"""Rank the standards a course most likely teaches, with evidence.

``Aligner`` follows the scikit-learn shape: configured in ``__init__``, learns the
standards in ``fit``, answers in ``suggest``. It orchestrates four parts, each readable
alone:

* ``alignment.align.index``: the standards (texts, vectors with the on-disk cache,
  lemmas, TF-IDF, which standards a course may be offered);
* ``alignment.align.course_text``: a course description through the lean course
  pipeline into a ``CourseText`` (modes ``accurate`` and ``fast``, described there);
* ``alignment.align.scoring``: the score of every (course, standard) pair and the top k;
* ``alignment.align.evidence``: shared words, phrases and the best sentence.

Courses are scored in chunks of ``chunk_size`` (memory is bounded by the chunk, not
the catalog): one matrix product per chunk, top-k per framework over courses that
share a candidate set, evidence only for the top-k pairs. ``iter_suggest`` yields one
table per chunk (for writing as you go).

Output of ``suggest`` (one row per suggestion, ranked within course, framework and
family): ``course_id, standard_id, framework, code, score, rank, band, evidence, family``
and, for presenters, ``display_code, sector, pathway, standard_text, matched_terms,
matched_phrases, best_sentence, note``. A course whose sector has no pathway
standards in the data gets one row for that framework with empty ``standard_id``,
band ``none`` and the note "no pathway standards loaded for this sector".

Common Core for whole courses (``docs/ccss_courses.md``): suggestions are ranked
within (framework, family): the practice standards (Mathematical Practices, CCR
anchors, Career Ready Practices; ``alignment.align.families``) are a family of their
own and never take a content standard's place; Common Core content standards that
sit close to every course ("hubs") are demoted against a background of real course
descriptions (``alignment.align.hubs``, fitted in ``fit``); inside a grade band a
course is offered only the standards of its own grades (``alignment.align.grades``).
"""

from __future__ import annotations

import re
from typing import Iterator

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from alignment.settings import FROM_SETTINGS, get_settings
from alignment.data.frameworks import CCSS_FRAMEWORKS, FRAMEWORK_ORDER, SECTOR_FRAMEWORKS
from alignment.nlp.cache import ArrayCache, cache_key
from alignment.align import bands as band_config
from alignment.align.columns import DETAIL_COLUMNS, SUGGESTION_COLUMNS  # noqa: F401 (re-exported)
from alignment.align.course_text import CourseText, analyse_kept, course_text, pipeline_for_mode
from alignment.align.evidence import StandardsEvidence, best_sentence, format_evidence
from alignment.align.families import FAMILIES
from alignment.align.filler import filler_lemmas
from alignment.align.grades import grade_levels
from alignment.align.hubs import HubDemotion
from alignment.align.index import StandardsIndex
from alignment.align.scoring import framework_weights, score_courses, top_k

__all__ = [
    "Aligner", "CourseText", "SUGGESTION_COLUMNS", "DETAIL_COLUMNS", "FRAMEWORK_ORDER", "SECTOR_FRAMEWORKS",
    "CCSS_FRAMEWORKS", "MODES", "format_evidence", "grade_bands_for",
]

#: ``mode=`` values (``alignment.align.course_text``).
MODES = ("accurate", "fast")
#: Fast mode's default weight of the whole text against the best sentence: static
#: vectors gain nothing from passages on the dev data (docs/scale.md).
FAST_WHOLE_WEIGHT = 1.0
#: Courses analysed and scored at a time by ``suggest``/``iter_suggest``.
CHUNK_SIZE = 512

_SPLIT = re.compile(r"\s*;\s*")


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
    whole_weight: weight of the whole-description cosine against the best sentence's
        (default: ``bands.WHOLE_WEIGHT``; ``FAST_WHOLE_WEIGHT`` in the fast mode).
    text_columns: which standards columns are embedded, with weights: the semantic
        score is the weighted mean of the cosines with each (``text``: the standard
        alone; ``match_text``: with its ancestors' headings).
    grade_aware: keep CCSS standards to the course's grade band when ``grades`` is known.
    cache_dir: where standards' vectors are cached (default: the ``cache_dir`` setting;
        None: no disk cache).
    progress: show progress bars on long work.
    mode: ``accurate`` or ``fast`` (``alignment.align.course_text``).
    chunk_size: courses analysed and scored at a time.
    hub_strength: how strongly Common Core content standards close to every course are
        demoted (``bands.HUB_STRENGTH``; 0 turns it off).
    background: course descriptions (a catalog with ``description``) the hub demotion is
        fitted on; default the bundled catalog.
    within_band: inside a grade band, keep only the Common Core standards written for the
        course's own grades (a grade-9 course: 9-10, not 11-12; ``alignment.align.grades``).

    Fitted: ``index_`` (:class:`~alignment.align.index.StandardsIndex`; its
    ``standards_``, ``embeddings_``, ``tfidf_``, ``families_``, ... are readable here too),
    ``weights_``, ``evidence_``, ``course_nlp_``, ``hubs_`` (the fitted
    :class:`~alignment.align.hubs.HubDemotion`, or None when ``hub_strength`` is 0).
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
        mode: str = "accurate",
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
        self.mode = mode
        self.chunk_size = chunk_size
        self.hub_strength = band_config.HUB_STRENGTH if hub_strength is None else hub_strength
        self.background = background
        self.within_band = within_band

    # ------------------------------------------------------------------ fit
    def fit(self, standards: pd.DataFrame) -> "Aligner":
        """Learn the standards: vectors, lemmas, phrases, TF-IDF (cached on disk)."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if int(self.chunk_size) < 1:
            raise ValueError(f"chunk_size must be a positive number of courses, not {self.chunk_size!r}")
        self.index_ = StandardsIndex(self.text_columns, self.frameworks, self.cache_dir, self.progress).fit(standards)
        self.weights_ = framework_weights(self.standards_["framework"], self.semantic_weight)
        self.evidence_ = StandardsEvidence.from_tfidf(self.lemmas_, self.index_.phrases_, self.tfidf_)
        self._rows = _standard_row_values(self.standards_, self.families_)
        self.filler_ = filler_lemmas(self.lemmas_)  # words every standard shares: not evidence
        self.course_nlp_ = self._course_pipeline()
        self.hubs_ = self._fit_hubs()
        return self

    def _fit_hubs(self) -> HubDemotion | None:
        """Hub demotion fitted on the background descriptions' raw scores (cached on disk,
        keyed by the class too, so a subclass that analyses courses differently, like the
        benchmarks' ``EncodedSentencesAligner``, has its own entry)."""
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
        key = cache_key("hubs", self.cache_key_, self.mode, type(self).__name__, self.whole_weight,
                        sorted(self.semantic_weight.items()), texts)
        cache = ArrayCache(self.cache_dir, prefix="hubs") if self.cache_dir else None
        hit = cache.load(key) if cache else None
        if hit is not None:
            mean = hit[0]["background_mean"]
        else:
            analysed = analyse_kept(self.course_nlp_, texts, self.cache_dir, type(self).__name__)
            mean = self._score(analysed, keep_sentences=False, demote=False)[0].mean(axis=0)
            if cache:
                cache.save(key, {"background_mean": mean.astype(np.float32)}, {"courses": len(texts)})
        return hubs.fit_mean(mean, self.standards_["framework"].to_numpy(), self.families_)

    def _course_pipeline(self):
        """The pipeline courses go through (``alignment.align.course_text``); a subclass
        may return another one that sets the same ``Doc`` attributes (benchmarks do)."""
        return pipeline_for_mode(self.mode, self.nlp_, self.standards_["text"].tolist(), set(self.evidence_.idf),
                                 self.cache_dir)

    # The index's fitted attributes, read through the aligner (tests, benchmarks, FixFinder).
    standards_ = property(lambda self: self.index_.standards_, doc="The standards suggested from (no headings).")
    embeddings_ = property(lambda self: self.index_.embeddings_, doc="Their combined vectors.")
    lemmas_ = property(lambda self: self.index_.lemmas_, doc="Their content lemmas.")
    tfidf_ = property(lambda self: self.index_.tfidf_, doc="TF-IDF over their lemmas.")
    families_ = property(lambda self: self.index_.families_, doc="Their families (content, practice).")
    all_sectors_ = property(lambda self: self.index_.all_sectors_, doc="Sectors with CTE standards loaded.")
    nlp_ = property(lambda self: self.index_.nlp_, doc="The standards' pipeline.")
    cache_key_ = property(lambda self: self.index_.cache_key_, doc="The standards' cache entry.")
    cache_hit_ = property(lambda self: self.index_.cache_hit_, doc="Whether fit read the vectors from the cache.")

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
        # spaCy's batches stay small (its arrays grow with them); the vector
        # components gather larger ones for the sentence model themselves.
        out = []
        for doc in self.course_nlp_.pipe(texts, batch_size=64 if self.mode == "accurate" else 1000):
            out.append(course_text(doc))
            if bar is not None:
                bar.update(1)
        return out

    # --------------------------------------------------------------- score
    def score(self, analysed: list[CourseText], columns: np.ndarray | None = None) -> np.ndarray:
        """The combined score matrix, courses x standards (or x ``columns``)."""
        self._check_fitted()
        return self._score(analysed, columns, keep_sentences=False)[0]

    def _score(self, analysed: list[CourseText], columns=None, keep_sentences: bool = True, demote: bool = True):
        """Scores (hub-demoted when fitted), and (for evidence) each sentence's cosine with
        each standard."""
        scores, sent_sims, offsets = score_courses(analysed, self.embeddings_, self.weights_, self.tfidf_,
                                                   self.whole_weight, columns, keep_sentences)
        if demote and getattr(self, "hubs_", None) is not None:
            scores = self.hubs_.transform(scores, columns)
        return scores, sent_sims, offsets

    # ------------------------------------------------------------- suggest
    def suggest(self, courses: pd.DataFrame, top_k: int | None = None, frameworks: list[str] | None = None) -> pd.DataFrame:
        """Ranked suggestions with evidence for every course (see module docstring)."""
        parts = list(self.iter_suggest(courses, top_k=top_k, frameworks=frameworks))
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return _frame(_empty_columns())
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
        fitted = self.index_.frameworks_
        loaded = [f for f in FRAMEWORK_ORDER if f in fitted] + sorted(set(fitted) - set(FRAMEWORK_ORDER))
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
        picks, notes = self._pick(courses, scores, loaded, top_k)
        out = _empty_columns()
        ids = courses["course_id"].tolist()
        for i, course in enumerate(analysed):
            lemma_set = None
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
                        terms, phrases = self.evidence_.shared(course, j, lemma_set)
                        terms = [course.surfaces.get(t, t) for t in terms]  # the word the course wrote
                        sentence = best_sentence(course, sims[:, j])
                        _append_suggestion(out, self._rows, ids[i], j, value, rank, terms, phrases, sentence)
        return _frame(out)

    def _pick(self, courses: pd.DataFrame, scores: np.ndarray, loaded: list[str], k: int):
        """The top-k standards of each (course, framework, family), and the notes of
        frameworks a course gets none from. Courses with the same sectors, grade bands and
        grades share their candidate sets: one ``top_k`` per group, framework and family
        (content, practice: a practice never takes a content standard's place)."""
        n = len(courses)
        sectors = courses["sector"].tolist() if "sector" in courses.columns else [""] * n
        grades = courses["grades"].tolist() if "grades" in courses.columns else [""] * n
        groups: dict[tuple, list[int]] = {}
        for i in range(n):
            bands = grade_bands_for(grades[i]) if self.grade_aware else None
            levels = grade_levels(grades[i]) if self.grade_aware and self.within_band else None
            key = (tuple(_split(sectors[i])), frozenset(bands) if bands else None, levels)
            groups.setdefault(key, []).append(i)
        picks: dict[tuple[int, str, str], tuple[np.ndarray, np.ndarray]] = {}
        notes: dict[tuple[int, str], str] = {}
        families = self.families_
        for (course_sectors, bands, levels), rows in groups.items():
            for fw in loaded:
                candidates, note = self.index_.candidates(fw, list(course_sectors), set(bands) if bands else None,
                                                          levels)
                if note:
                    notes.update({(i, fw): note for i in rows})
                    continue
                for family in FAMILIES:
                    idx = candidates[families[candidates] == family]
                    if len(idx) == 0:
                        continue
                    top, values = top_k(scores[np.ix_(rows, idx)], min(k, len(idx)))
                    for r, i in enumerate(rows):
                        picks[(i, fw, family)] = (idx[top[r]], values[r])
        return picks, notes

    def _check_fitted(self):
        if not hasattr(self, "index_"):
            raise RuntimeError("Aligner is not fitted: call fit(standards) first")


# --------------------------------------------------------------------------- output rows
def _standard_row_values(standards: pd.DataFrame, families: np.ndarray) -> dict[str, list]:
    """The standards' columns a suggestion row copies, and their ``families``, as lists
    (no DataFrame access per row)."""
    s = standards
    return {
        "family": list(families),
        "standard_id": s["standard_id"].tolist(),
        "framework": s["framework"].tolist(),
        "code": s["code"].tolist(),
        "display_code": [d or c for d, c in zip(s["display_code"], s["code"])],
        "sector": s["sector"].tolist(),
        "pathway": s["pathway"].tolist(),
        "text": s["text"].tolist(),
    }


def _empty_columns() -> dict[str, list]:
    return {c: [] for c in SUGGESTION_COLUMNS + DETAIL_COLUMNS}


def _append_suggestion(out, std, course_id, j, score, rank, terms, phrases, sentence):
    out["course_id"].append(course_id)
    out["standard_id"].append(std["standard_id"][j])
    out["framework"].append(std["framework"][j])
    out["code"].append(std["code"][j])
    out["score"].append(round(score, 4))
    out["rank"].append(rank)
    out["band"].append(band_config.band_for(score, std["framework"][j], std["family"][j]))
    out["evidence"].append(format_evidence(terms, phrases, sentence))
    out["family"].append(std["family"][j])
    out["display_code"].append(std["display_code"][j])
    out["sector"].append(std["sector"][j])
    out["pathway"].append(std["pathway"][j])
    out["standard_text"].append(std["text"][j])
    out["matched_terms"].append(terms)
    out["matched_phrases"].append(phrases)
    out["best_sentence"].append(sentence)
    out["note"].append("")


def _append_note(out, course_id, fw, note):
    values = {
        "course_id": course_id, "standard_id": "", "framework": fw, "code": "",
        "score": np.nan, "rank": pd.NA, "band": "none", "evidence": note, "family": "",
        "display_code": "", "sector": "", "pathway": "", "standard_text": "",
        "matched_terms": [], "matched_phrases": [], "best_sentence": "", "note": note,
    }
    for column, value in values.items():
        out[column].append(value)


def _frame(out: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame(out, columns=SUGGESTION_COLUMNS + DETAIL_COLUMNS)
    frame["score"] = frame["score"].astype("float64")
    frame["rank"] = pd.array(out["rank"], dtype="Int64")
    return frame
