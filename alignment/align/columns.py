"""The suggestions table's columns and the frameworks' display order.

Kept apart from :mod:`alignment.align.aligner` so that code which only reads
suggestion tables (the apps' kernels, which ask the shared model service for
answers, :mod:`alignment.present.model_service`) can import them without loading
spaCy, scikit-learn and the sentence model.
"""

from __future__ import annotations

from alignment.data.frameworks import FRAMEWORK_ORDER  # noqa: F401 (declared once there; re-exported)

#: Output columns, in order (the CLI writes exactly these).
SUGGESTION_COLUMNS = ["course_id", "standard_id", "framework", "code", "score", "rank", "band", "evidence", "family"]
#: Extra columns kept for presenters (apps, notebooks, gap analysis).
DETAIL_COLUMNS = [
    "display_code", "sector", "pathway", "standard_text",
    "matched_terms", "matched_phrases", "best_sentence", "note",
]
