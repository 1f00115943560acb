"""Suggested fixes for gaps: the catalog courses that best cover given standards.

``FixFinder(aligner).fit(catalog).best_courses(standard_ids)``: part (g) of the gap
report (``alignment.analysis.gaps``). The catalog's analysed descriptions are cached on
disk, keyed by the texts, the model, the aligner's mode and its standards (the lemma
lookup and the fast mode's weights are learnt from them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.settings import FROM_SETTINGS, get_settings
from alignment.align.bands import band_for
from alignment.align.families import families as standard_families
from alignment.align.scoring import stack_sentences


class FixFinder:
    """The catalog courses that best cover given standards (suggested fixes for gaps).

    scikit-learn shape: configure, ``fit(catalog)`` analyses every description once
    through the fitted Aligner's pipeline (cached on disk, see the module docstring), ``best_courses(standard_ids)`` scores them with
    ``aligner.score(analysed, columns)``.
    """

    def __init__(self, aligner, n_courses: int = 3, cache_dir=FROM_SETTINGS):
        self.aligner = aligner
        self.n_courses = n_courses
        self.cache_dir = get_settings().cache_dir if cache_dir is FROM_SETTINGS else cache_dir

    def fit(self, catalog: pd.DataFrame) -> "FixFinder":
        from alignment.nlp.cache import ArrayCache, cache_key
        from alignment.nlp.pipeline import model_version

        al = self.aligner
        if not hasattr(al, "standards_"):
            raise RuntimeError("FixFinder needs a fitted Aligner: call aligner.fit(standards) first")
        courses = catalog.reset_index(drop=True)
        texts = courses["description"].astype(str).tolist()
        cache = ArrayCache(self.cache_dir, prefix="catalog") if self.cache_dir else None
        key = (cache_key("catalog-analysis", model_version(al.nlp_), getattr(al, "mode", ""),
                         getattr(al, "cache_key_", ""), texts) if cache else "")
        hit = cache.load(key) if cache else None
        if hit is not None:
            self.analysed_ = _analysis_from_arrays(*hit)
        else:
            self.analysed_ = al.analyse(texts)
            if cache:
                cache.save(key, *_analysis_to_arrays(self.analysed_))
        self.catalog_ = courses
        self.columns_ = {sid: i for i, sid in enumerate(al.standards_["standard_id"])}
        return self

    def best_courses(self, standard_ids: list[str], n: int | None = None) -> pd.DataFrame:
        """For each standard, the ``n`` best catalog courses.

        Columns: ``standard_id, rank, course_id, title, department, catalog_pathway,
        score, band``. Standards the aligner cannot score (headings) are skipped.
        """
        n = n or self.n_courses
        cols = ["standard_id", "rank", "course_id", "title", "department", "catalog_pathway", "score", "band"]
        known = [s for s in dict.fromkeys(standard_ids) if s in self.columns_]
        if not known or not len(self.catalog_):
            return pd.DataFrame(columns=cols)
        positions = np.array([self.columns_[s] for s in known])
        scores = self.aligner.score(self.analysed_, positions)  # courses x standards
        chosen = self.aligner.standards_.iloc[positions]
        frameworks, families = chosen["framework"].to_numpy(), standard_families(chosen).to_numpy()
        k = min(n, scores.shape[0])
        top = np.argsort(-scores, axis=0, kind="stable")[:k]
        cat = self.catalog_
        get = lambda col: cat[col].astype(str).to_numpy() if col in cat.columns else np.array([""] * len(cat))  # noqa: E731
        ids, titles, depts, paths = get("course_id"), get("title"), get("department"), get("pathway")
        rows = []
        for j, sid in enumerate(known):
            for rank, i in enumerate(top[:, j], start=1):
                score = float(scores[i, j])
                rows.append((sid, rank, ids[i], titles[i], depts[i], paths[i], round(score, 4),
                             band_for(score, frameworks[j], families[j])))
        return pd.DataFrame(rows, columns=cols)


def _analysis_to_arrays(analysed):
    emb = np.stack([c.embedding for c in analysed]).astype(np.float32)
    sent, offsets = stack_sentences(analysed)
    offsets = offsets.astype(np.int64)
    meta = {
        "sentences": [c.sentences for c in analysed],
        "lemmas": [c.lemmas for c in analysed],
        "lemma_text": [c.lemma_text for c in analysed],
        "phrases": [c.phrases for c in analysed],
    }
    return {"embeddings": emb, "sent_embeddings": sent, "offsets": offsets}, meta


def _analysis_from_arrays(arrays, meta):
    from alignment.align.course_text import CourseText

    off = arrays["offsets"]
    return [
        CourseText(embedding=arrays["embeddings"][i], sentences=meta["sentences"][i],
                   sent_embeddings=arrays["sent_embeddings"][off[i]:off[i + 1]], lemmas=meta["lemmas"][i],
                   lemma_text=meta["lemma_text"][i], phrases=meta["phrases"][i])
        for i in range(len(off) - 1)
    ]
