"""Why a course matches a standard, in words a reviewer can check.

For each suggestion: the lemmas both texts share (rarest first: a rare shared word says
more than a common one), the multi-word phrases of the standard found in the course
(and noun phrases both have), and the course sentence closest to the standard (the one
the passage term of the score used). Lemmas and phrases come from the standard's own
text, never its headings.
"""

from __future__ import annotations

import numpy as np

#: Shared lemmas and phrases named per suggestion, at most.
MAX_TERMS = 8
MAX_PHRASES = 5


class StandardsEvidence:
    """The standards' side of the evidence, as plain Python lookups (built once; no
    DataFrame access per suggestion).

    lemmas, phrases: per standard (row position), its content lemmas and noun phrases.
    idf: lemma -> inverse document frequency over the standards (rarer first).
    """

    def __init__(self, lemmas: list[list[str]], phrases: list[list[str]], idf: dict[str, float]):
        self.idf = idf
        self.lemma_sets = [set(ls) for ls in lemmas]
        self.phrase_sets = [set(ps) for ps in phrases]
        self.multiword = [[(p, f" {p} ") for p in dict.fromkeys(ps) if " " in p] for ps in phrases]

    @classmethod
    def from_tfidf(cls, lemmas: list[list[str]], phrases: list[list[str]], tfidf) -> "StandardsEvidence":
        """From a fitted :class:`~alignment.nlp.lexical.LemmaTfidf` over ``lemmas``."""
        vocabulary, idf = tfidf.vectorizer_.vocabulary_, tfidf.vectorizer_.idf_
        return cls(lemmas, phrases, {term: float(idf[i]) for term, i in vocabulary.items()})

    def shared(self, course, j: int, lemma_set: set[str] | None = None,
               max_terms: int = MAX_TERMS) -> tuple[list[str], list[str]]:
        """The lemmas (rarest first) and phrases course and standard ``j`` share.

        ``course``: a :class:`~alignment.align.course_text.CourseText`; ``lemma_set``:
        ``set(course.lemmas)``, passed when one course is explained for many standards.
        """
        lemma_set = set(course.lemmas) if lemma_set is None else lemma_set
        idf = self.idf
        terms = sorted(self.lemma_sets[j] & lemma_set, key=lambda t: (-idf.get(t, 0.0), t))[:max_terms]
        phrases = [phrase for phrase, padded in self.multiword[j] if padded in course.lemma_text]
        if course.phrases:
            std_phrases = self.phrase_sets[j]
            for phrase in course.phrases:
                if " " in phrase and phrase in std_phrases and phrase not in phrases:
                    phrases.append(phrase)
        return terms, phrases[:MAX_PHRASES]


def best_sentence(course, sims: np.ndarray) -> str:
    """The course sentence with the highest cosine in ``sims`` (one per sentence), or ""
    for a course without sentences."""
    return course.sentences[int(np.argmax(sims))] if len(course.sentences) else ""


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
