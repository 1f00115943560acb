"""Evidence without filler: the words every course and standard share, and the word a
reader sees for a lemma.

Evidence terms are the lemmas a course and a standard share. Some lemmas are in almost
every course description and standard ("student", "learn", "course", "skill",
"understand") and say nothing about why this standard fits this course. Which ones is
read off the data: :func:`filler_lemmas` takes the lemmas whose document frequency in
the standards (at ``fit``) and in the catalog being aligned (at ``suggest``, when it has
enough courses to say) is at least ``threshold``, plus a short seed list for catalogs
too small to measure. And a lemma is not always a word of the text (the lookup
lemmatizer turns "taxes" into "taxis"): :func:`surface_forms` keeps, for each lemma of
a course, the word the course itself wrote, which is what the evidence shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

#: Lemmas treated as filler even where the data is too small to measure it.
SEED_FILLER: frozenset[str] = frozenset({"student", "learn", "course", "skill", "understand"})
#: Share of documents a lemma must appear in to be filler.
FILLER_DOCUMENT_FREQUENCY = 0.10
#: Fewest documents from which a document frequency is trusted.
MIN_DOCUMENTS = 20


def filler_lemmas(lemma_lists: Iterable[Iterable[str]], threshold: float = FILLER_DOCUMENT_FREQUENCY,
                  min_documents: int = MIN_DOCUMENTS, seed: Iterable[str] = SEED_FILLER) -> frozenset[str]:
    """The seed lemmas, plus every lemma in at least ``threshold`` of the documents
    (each document a list of lemmas) when there are ``min_documents`` or more."""
    counts: Counter[str] = Counter()
    n = 0
    for lemmas in lemma_lists:
        counts.update(set(lemmas))
        n += 1
    found = {t for t, c in counts.items() if c >= threshold * n} if n >= min_documents else set()
    return frozenset(found | set(seed))


def surface_forms(doc) -> dict[str, str]:
    """``{lemma: the first word of the text with that lemma}``, lower-cased, alphabetic words only."""
    forms: dict[str, str] = {}
    for token in doc:
        if token.is_alpha:
            forms.setdefault(token.lemma_.lower(), token.text.lower())
    return forms
