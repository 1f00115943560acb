"""The review app's Crosswalk mode, without any widget: reviewing which standard of the
new edition each standard of the old one became.

:class:`CrosswalkSession` reads the crosswalk suggestions registered in the review store
(``pathway-align crosswalk suggest`` computes and registers them: the apps' kernels ask
a shared model service and hold no sentence model of their own), lists the edition-A
standards with their ranked edition-B candidates and evidence, and records each
decision (``exact`` / ``related`` / ``none``) through
:class:`~alignment.review.crosswalk_store.CrosswalkReviews` (one transaction, audited).
Undo, progress and the CASE export are here too; ``alignment.ui.crosswalk_review`` is
only its widgets. Every standard shown carries its edition and that edition's status
(``adopted`` or ``draft``, from the standards table's ``edition_status`` column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from alignment.review.crosswalk_store import CROSSWALK_DECISIONS, CrosswalkReviews


class CrosswalkRefused(ValueError):
    """An action refused before the store is touched (no reviewer, no crosswalk chosen)."""


@dataclass(frozen=True)
class CrosswalkItem:
    """One edition-A standard and its candidates (each a dict with the suggestion, the
    edition-B standard's text and the current decision or None)."""

    from_id: str
    code: str
    text: str
    candidates: list[dict]
    status: str


class CrosswalkSession:
    """One reviewer's crosswalk review over a review store.

    store: the :class:`~alignment.review.store.ReviewStore`.
    standards: a standards table holding both editions (texts and edition status).
    reviewer: a name, or a function returning it (the app's name field).
    """

    def __init__(self, store, standards: pd.DataFrame, reviewer: str | Callable[[], str] = ""):
        self.store = store
        self.reviews = CrosswalkReviews(store)
        self.standards = standards
        self._reviewer = reviewer
        s = standards.astype(str).replace({"nan": "", "<NA>": "", "None": ""})
        self._info = {r["standard_id"]: r for r in s.to_dict("records")}
        self._status_of = {}
        if "edition" in s.columns and "edition_status" in s.columns:
            self._status_of = dict(zip(s["edition"], s["edition_status"]))
        self.crosswalk: tuple[str, str] | None = None

    @property
    def reviewer(self) -> str:
        value = self._reviewer() if callable(self._reviewer) else self._reviewer
        return (value or "").strip()

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.store, "read_only", False))

    def crosswalks(self) -> list[tuple[str, str]]:
        """The crosswalks the store has suggestions or decisions for."""
        return self.reviews.crosswalks()

    def label(self, edition: str) -> str:
        """An edition with its status: ``2023-draft (draft)``, ``2013 (adopted)``."""
        from alignment.data.editions import EDITION_BY_ID

        known = EDITION_BY_ID.get(edition)
        status = self._status_of.get(edition) or (known.status if known else "")
        return f"{edition} ({status})" if status else edition

    def crosswalk_label(self, pair: tuple[str, str]) -> str:
        return f"{self.label(pair[0])} -> {self.label(pair[1])}"

    def select(self, from_edition: str, to_edition: str) -> None:
        self.crosswalk = (from_edition, to_edition)

    def _require(self) -> tuple[str, str]:
        if self.crosswalk is None:
            raise CrosswalkRefused("choose a crosswalk first (none is registered: run `pathway-align crosswalk "
                                   "suggest --from A --to B`)")
        return self.crosswalk

    def items(self) -> list[CrosswalkItem]:
        """The edition-A standards of the chosen crosswalk, in code order, with their candidates."""
        a, b = self._require()
        sug = self.reviews.suggestions(a, b)
        dec = self.reviews.decisions(a, b)
        decided = {(r["from_id"], r["to_id"]): r for r in dec.to_dict("records")}
        st = self.reviews.status(a, b)
        status = dict(zip(st["from_id"], st["status"]))
        out = []
        for from_id, group in sug.groupby("from_id", sort=False):
            info = self._info.get(from_id, {})
            candidates = []
            for r in group.sort_values("rank").to_dict("records"):
                target = self._info.get(r["to_id"], {})
                candidates.append({**r, "to_text": target.get("text", ""), "to_pathway": target.get("pathway", ""),
                                   "decision": decided.get((from_id, r["to_id"]))})
            code = info.get("display_code") or info.get("code") or group["from_code"].iloc[0]
            out.append(CrosswalkItem(from_id, code, info.get("text", ""), candidates, status.get(from_id, "open")))
        return sorted(out, key=lambda item: (group_key(item.from_id), item.from_id))

    def decide(self, from_id: str, to_id: str, decision: str, note: str = "") -> dict:
        """Record one decision (refused without a reviewer name or on a read-only store)."""
        a, b = self._require()
        reviewer = self.reviewer
        if not reviewer:
            raise CrosswalkRefused("type your name first: every decision is recorded with it")
        if decision not in CROSSWALK_DECISIONS:
            raise CrosswalkRefused(f"decision must be one of {', '.join(CROSSWALK_DECISIONS)}")
        return self.reviews.record(a, b, from_id, to_id, decision, reviewer, note=note)

    def undo(self, from_id: str | None = None, to_id: str | None = None) -> dict | None:
        """Undo this reviewer's last crosswalk change (of one pair when given)."""
        a, b = self._require()
        reviewer = self.reviewer
        if not reviewer:
            raise CrosswalkRefused("type your name first: undo reverts your own last change")
        return self.reviews.undo(reviewer, a, b, from_id=from_id, to_id=to_id)

    def decision(self, from_id: str, to_id: str) -> dict | None:
        a, b = self._require()
        dec = self.reviews.decisions(a, b)
        row = dec[(dec["from_id"] == from_id) & (dec["to_id"] == to_id)]
        return None if row.empty else row.iloc[0].to_dict()

    def progress(self) -> dict:
        a, b = self._require()
        return self.reviews.progress(a, b)

    def export_case(self) -> tuple[str, bytes, int]:
        """(file name, CASE JSON bytes, number of decisions) of the chosen crosswalk."""
        from alignment.present.crosswalk_exports import crosswalk_case_bytes

        a, b = self._require()
        dec = self.reviews.decisions(a, b)
        data = crosswalk_case_bytes(dec, from_edition=a, to_edition=b, standards=self.standards)
        return f"crosswalk-{a}-to-{b}-case.json".replace(" ", "_"), data, len(dec)


def group_key(standard_id: str) -> list:
    """Sort key for ids with numbers (``...10.3`` after ``...4.1``)."""
    import re

    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", standard_id)]
