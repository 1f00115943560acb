"""Evidence without filler: filler lemmas come from document frequency (plus a seed list
for small data), and evidence shows the course's own words, not lookup lemmas."""

from __future__ import annotations

import re

import pytest

from alignment.align.filler import SEED_FILLER, filler_lemmas, surface_forms


def test_filler_is_what_most_documents_share():
    docs = [["student", "budget", "apply"]] * 5 + [["apply", "tax", "credit"]] * 15 + [["bank"]] * 5
    filler = filler_lemmas(docs, threshold=0.5)
    assert "apply" in filler and "tax" in filler  # in 20 and 15 of 25 documents
    assert "budget" not in filler and "bank" not in filler and "credit" in filler
    assert SEED_FILLER <= filler


def test_too_few_documents_give_the_seed_only():
    assert filler_lemmas([["apply", "tax"]] * 5) == SEED_FILLER


def test_surface_forms_keep_the_first_word_of_the_text():
    import spacy

    doc = spacy.blank("en")("Taxes and taxes, then budgets.")
    for token, lemma in zip(doc, ["taxis", "and", "taxis", ",", "then", "budget", "."]):
        token.lemma_ = lemma
    assert surface_forms(doc) == {"taxis": "taxes", "and": "and", "then": "then", "budget": "budgets"}


@pytest.mark.slow
def test_catalog_evidence_has_no_filler_and_only_words_of_the_course(aligner, catalog, catalog_suggestions):
    words = {row["course_id"]: set(re.findall(r"[a-z]+", row["description"].lower()))
             for row in catalog.to_dict("records")}
    shown = catalog_suggestions[catalog_suggestions["standard_id"] != ""]
    every_term = [t for terms in shown["matched_terms"] for t in terms]
    assert every_term and not (set(every_term) & (aligner.filler_ | SEED_FILLER))
    missing = [(c, t) for c, terms in zip(shown["course_id"], shown["matched_terms"]) for t in terms
               if t not in words[c]]
    assert missing == []
    assert "taxis" not in every_term
