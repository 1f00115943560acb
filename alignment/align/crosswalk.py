"""Crosswalk suggestions between two editions of a framework: for each standard of edition
A, the standards of edition B most likely to say the same thing, with evidence.

Standard-to-standard matching is the engine's own (the same pipeline, encoder, vector
cache and evidence as course alignment, ``alignment.align.aligner``): edition B is what
an :class:`~alignment.align.aligner.Aligner` is fitted on, and each edition-A standard's
text goes through the aligner's course pipeline (``nlp.pipe``) as a query. This is how
``benchmarks/evaluation.py`` measures the ELA grade standard -> CCR anchor task (MRR
0.90 on the dev data); ``tests/test_crosswalk.py`` checks the same kind of task on the
bundled standards.

``CrosswalkSuggester(top_k=3).fit(edition_b).transform(edition_a)`` returns one row per
(edition-A standard, candidate) with the columns :data:`CROSSWALK_COLUMNS`:

========================  ==============================================================
``from_edition``          edition A's name (its ``edition`` column, else ``from_edition=``)
``from_id``               the edition-A standard (``standard_id``)
``from_framework``,       its framework, display code and own text (as imported; never
``from_code``,            rewritten)
``from_text``
``to_edition``,           the same for the edition-B candidate
``to_id``, ``to_framework``,
``to_code``, ``to_text``
``score``                 the engine's score (cosines of the sentence model, mixed as for
                          courses; no hub demotion between standards)
``rank``                  1 = best candidate of this edition-A standard
``band``                  ``strong`` / ``possible`` / ``weak``: the shared thresholds of
                          ``alignment.align.bands``, which were calibrated on
                          standard-to-standard tasks
``evidence``              one line: the words and phrases both texts share
``matched_terms``,        the same as lists
``matched_phrases``
========================  ==============================================================

Which edition-B standards are candidates for an edition-A standard
(:func:`candidate_mask`): CTE anchor and pathway standards of the same sector (a 2013
pathway standard may live on as a 2023 anchor standard, so both frameworks are
offered; ``ALL``-sector anchors too); other frameworks only their own framework.
Headings and rows without text are never queries nor candidates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.settings import FROM_SETTINGS
from alignment.data.frameworks import SECTOR_FRAMEWORKS
from alignment.align import bands as band_config
from alignment.align.evidence import format_evidence
from alignment.align.filler import filler_lemmas

#: Output columns of :meth:`CrosswalkSuggester.transform`, in order.
CROSSWALK_COLUMNS = [
    "from_edition", "from_id", "from_framework", "from_code", "from_text",
    "to_edition", "to_id", "to_framework", "to_code", "to_text",
    "score", "rank", "band", "evidence", "matched_terms", "matched_phrases",
]
#: Candidates per edition-A standard by default.
TOP_K = 3
_NEEDED = ["standard_id", "framework", "code", "text", "kind"]


def _edition_name(table: pd.DataFrame, given: str | None, which: str) -> str:
    """The one edition a table holds: ``given``, else its ``edition`` column's only value."""
    if given:
        return str(given)
    if "edition" in table.columns:
        names = sorted(set(table["edition"].fillna("").astype(str)) - {""})
        if len(names) == 1:
            return names[0]
        if len(names) > 1:
            raise ValueError(f"edition {which} holds several editions ({', '.join(names)}); select one "
                             f"(or name it with {which.lower()}_edition=)")
    raise ValueError(f"edition {which} has no edition column; name it ({which.lower()}_edition=...)")


def queries(standards: pd.DataFrame) -> pd.DataFrame:
    """The rows of an edition that are crosswalked: standards with text (no headings)."""
    missing = [c for c in _NEEDED if c not in standards.columns]
    if missing:
        raise ValueError(f"standards table is missing columns: {', '.join(missing)}")
    table = standards.copy()
    for column in _NEEDED + ["sector", "display_code"]:
        table[column] = table[column].fillna("").astype(str) if column in table.columns else ""
    return table[(table["kind"] != "heading") & (table["text"].str.strip() != "")].reset_index(drop=True)


def candidate_mask(from_framework: str, from_sector: str, to_frameworks: np.ndarray,
                   to_sectors: np.ndarray) -> np.ndarray:
    """Which edition-B rows may answer an edition-A standard (module docstring)."""
    if from_framework in SECTOR_FRAMEWORKS:
        mask = np.isin(to_frameworks, list(SECTOR_FRAMEWORKS))
        if from_sector and from_sector != "ALL":
            mask &= np.isin(to_sectors, [from_sector, "ALL", ""])
        return mask
    return to_frameworks == from_framework


class CrosswalkSuggester:
    """Rank edition-B standards for each edition-A standard (module docstring).

    Parameters
    ----------
    top_k: candidates per edition-A standard.
    aligner: a fitted :class:`~alignment.align.aligner.Aligner` to reuse (an app's or a
        notebook's, fitted on a table that holds edition B): no second model load. When
        it does not hold every edition-B standard, a new one is fitted.
    cache_dir: the vector cache of a newly fitted aligner (default: the setting).

    Fitted: ``aligner_``, ``to_edition_``, ``targets_`` (edition B's candidate rows) and
    ``columns_`` (their positions in the aligner's standards).
    """

    def __init__(self, top_k: int = TOP_K, aligner=None, cache_dir=FROM_SETTINGS):
        self.top_k = top_k
        self.aligner = aligner
        self.cache_dir = cache_dir

    def fit(self, edition_b: pd.DataFrame, to_edition: str | None = None) -> "CrosswalkSuggester":
        """Learn edition B (its vectors come from the cache when the aligner saw them before)."""
        if int(self.top_k) < 1:
            raise ValueError(f"top_k must be at least 1, not {self.top_k!r}")
        self.to_edition_ = _edition_name(edition_b, to_edition, "B")
        self.targets_ = queries(edition_b)
        if self.targets_.empty:
            raise ValueError(f"edition {self.to_edition_} has no standards with text to crosswalk to")
        aligner = self.aligner
        if aligner is None or not set(self.targets_["standard_id"]) <= set(aligner.standards_["standard_id"]):
            from alignment.align.aligner import Aligner

            aligner = Aligner(hub_strength=0, cache_dir=self.cache_dir).fit(edition_b)
        self.aligner_ = aligner
        position = {sid: i for i, sid in enumerate(aligner.standards_["standard_id"])}
        self.columns_ = np.array([position[s] for s in self.targets_["standard_id"]])
        return self

    def transform(self, edition_a: pd.DataFrame, from_edition: str | None = None) -> pd.DataFrame:
        """The ranked candidates of every edition-A standard (:data:`CROSSWALK_COLUMNS`)."""
        if not hasattr(self, "aligner_"):
            raise RuntimeError("CrosswalkSuggester is not fitted: call fit(edition_b) first")
        from_edition = _edition_name(edition_a, from_edition, "A")
        source = queries(edition_a)
        rows: list[dict] = []
        if source.empty:
            return pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)
        aligner = self.aligner_
        analysed = aligner.analyse(source["text"].tolist())
        scores = aligner.score(analysed, self.columns_)
        filler = aligner.filler_ | filler_lemmas([a.lemmas for a in analysed])
        t = self.targets_
        to_frameworks, to_sectors = t["framework"].to_numpy(), t["sector"].to_numpy()
        for i, query in enumerate(source.to_dict("records")):
            allowed = np.flatnonzero(candidate_mask(query["framework"], query["sector"], to_frameworks, to_sectors))
            if len(allowed) == 0:
                continue
            order = allowed[np.argsort(-scores[i, allowed], kind="stable")][: int(self.top_k)]
            lemma_set = set(analysed[i].lemmas) - filler
            for rank, k in enumerate(order, start=1):
                target = t.iloc[k]
                terms, phrases = aligner.evidence_.shared(analysed[i], int(self.columns_[k]), lemma_set)
                terms = [analysed[i].surfaces.get(term, term) for term in terms]
                score = float(scores[i, k])
                rows.append({
                    "from_edition": from_edition, "from_id": query["standard_id"],
                    "from_framework": query["framework"], "from_code": query["display_code"] or query["code"],
                    "from_text": query["text"],
                    "to_edition": self.to_edition_, "to_id": target["standard_id"],
                    "to_framework": target["framework"], "to_code": target["display_code"] or target["code"],
                    "to_text": target["text"],
                    "score": round(score, 4), "rank": rank,
                    "band": band_config.band_for(score),  # the shared, standard-to-standard thresholds
                    "evidence": format_evidence(terms, phrases, ""),
                    "matched_terms": terms, "matched_phrases": phrases,
                })
        out = pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)
        out["rank"] = out["rank"].astype("int64")
        return out


def suggest_crosswalk(edition_a: pd.DataFrame, edition_b: pd.DataFrame, *, top_k: int = TOP_K, aligner=None,
                      from_edition: str | None = None, to_edition: str | None = None,
                      cache_dir=FROM_SETTINGS) -> pd.DataFrame:
    """``CrosswalkSuggester(top_k, aligner).fit(edition_b).transform(edition_a)`` in one call."""
    suggester = CrosswalkSuggester(top_k=top_k, aligner=aligner, cache_dir=cache_dir)
    return suggester.fit(edition_b, to_edition).transform(edition_a, from_edition)
