"""Hub demotion: standards close to nearly every course description rank lower.

Some Common Core content standards are worded so generally ("Read and comprehend
literary nonfiction...", "Develop the topic thoroughly...") that they sit close to
almost any course description; in the high-dimensional space of the sentence model
they are *hubs*, and they crowd out the standards a specialist wants to see. The cure
measured here is the simplest of the hubness corrections: score every standard
against a *background* of real course descriptions (the bundled catalog), and
subtract from each standard's score how much more than its framework's average it
scores against that background:

    demoted[c, j] = score[c, j] - strength * (mean_b score[b, j] - mean_{j' in F(j)} mean_b score[b, j'])

The correction is centred per framework, so a framework's scores keep their level
(bands stay meaningful), and it is zero for every standard outside ``families``'s
content family of ``frameworks`` (CTE ranking is not changed; practices are ranked
among themselves, where every member is a hub). ``benchmarks/quality.py --courses``
measures it on and off; ``docs/ccss_courses.md`` has the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class HubDemotion:
    """Fit on a background score matrix (courses x standards); transform any score matrix.

    strength: how much of a standard's excess background score is subtracted (0: off).
    frameworks: the frameworks demoted (others get a zero offset).
    """

    strength: float = 0.5
    frameworks: tuple[str, ...] = ("ccss_math", "ccss_ela")

    def fit(self, background_scores: np.ndarray, frameworks, families) -> "HubDemotion":
        """Learn each standard's offset from the background (rows: courses, columns: standards).

        ``frameworks`` and ``families`` give each column's framework and family.
        """
        scores = np.asarray(background_scores, dtype=np.float64)
        frameworks, families = np.asarray(frameworks), np.asarray(families)
        if scores.ndim != 2 or scores.shape[1] != len(frameworks) or len(families) != len(frameworks):
            raise ValueError(
                f"background scores must be courses x standards ({len(frameworks)} standards), "
                f"got shape {scores.shape}"
            )
        if scores.shape[0] < 2:
            raise ValueError("hub demotion needs a background of at least 2 course descriptions")
        return self.fit_mean(scores.mean(axis=0), frameworks, families)

    def fit_mean(self, background_mean, frameworks, families) -> "HubDemotion":
        """``fit`` from each standard's mean background score (what ``fit`` keeps; cacheable)."""
        mean = np.asarray(background_mean, dtype=np.float64)
        frameworks, families = np.asarray(frameworks), np.asarray(families)
        if mean.shape != (len(frameworks),) or len(families) != len(frameworks):
            raise ValueError(f"need one background mean per standard ({len(frameworks)}), got shape {mean.shape}")
        if not 0.0 <= float(self.strength) <= 2.0:
            raise ValueError(f"strength must be between 0 and 2, not {self.strength!r}")
        offset = np.zeros(len(frameworks), dtype=np.float64)
        for fw in self.frameworks:
            mask = (frameworks == fw) & (families == "content")
            if mask.any():
                offset[mask] = mean[mask] - mean[mask].mean()
        self.background_mean_ = mean.astype(np.float32)
        self.offset_ = (float(self.strength) * offset).astype(np.float32)
        return self

    def transform(self, scores: np.ndarray, columns=None) -> np.ndarray:
        """Scores with the offsets subtracted (``columns``: the standards the matrix holds)."""
        if not hasattr(self, "offset_"):
            raise RuntimeError("HubDemotion is not fitted: call fit(background_scores, ...) first")
        offset = self.offset_ if columns is None else self.offset_[np.asarray(columns)]
        return (np.asarray(scores, dtype=np.float32) - offset).astype(np.float32)
