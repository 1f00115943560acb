"""The score mix, top-k and evidence on vectors and texts the tests make (no models)."""

import numpy as np
import pytest

from alignment.align.course_text import CourseText
from alignment.align.evidence import StandardsEvidence, best_sentence, format_evidence
from alignment.align.scoring import framework_weights, score_courses, stack_sentences, top_k
from alignment.nlp.lexical import LemmaTfidf


def unit(*values):
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def course(vector, sentences, lemmas, text="", phrases=()):
    return CourseText(embedding=unit(*vector), sentences=[s for s, _ in sentences],
                      sent_embeddings=np.stack([unit(*v) for _, v in sentences]), lemmas=list(lemmas),
                      lemma_text=f" {text} ", phrases=list(phrases))


STANDARD_LEMMAS = [["budget", "plan"], ["network", "subnet"], ["budget", "credit", "bank"]]
STANDARDS = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0)])
COURSES = [
    course((1, 0.2, 0), [("Students plan budgets.", (1, 0, 0)), ("They subnet networks.", (0, 1, 0))],
           ["student", "plan", "budget", "network"], "student plan budget they subnet network",
           ["budget plan"]),
    course((0, 0, 1), [("Painting.", (0, 0, 1))], ["painting"], "painting"),
]


@pytest.fixture(scope="module")
def tfidf():
    return LemmaTfidf().fit(STANDARD_LEMMAS)


def test_score_is_the_documented_mix(tfidf):
    weights = framework_weights(["cte_pathway", "ccss_ela", "custom"], {"cte_pathway": 1.0, "ccss_ela": 0.8})
    assert weights.tolist() == pytest.approx([1.0, 0.8, 1.0])
    scores, sent_sims, offsets = score_courses(COURSES, STANDARDS, weights, tfidf, whole_weight=0.5)
    lexical = tfidf.similarity([c.lemmas for c in COURSES])
    for i, c in enumerate(COURSES):
        for j, s in enumerate(STANDARDS):
            whole = float(c.embedding @ s)
            passage = max(float(v @ s) for v in c.sent_embeddings)
            semantic = 0.5 * whole + 0.5 * passage
            assert scores[i, j] == pytest.approx(weights[j] * semantic + (1 - weights[j]) * lexical[i, j], abs=1e-6)
    assert offsets.tolist() == [0, 2, 3] and sent_sims.shape == (3, 3)
    assert scores.dtype == np.float32


def test_columns_and_whole_text_only(tfidf):
    weights = np.ones(3, dtype=np.float32)
    full, _, _ = score_courses(COURSES, STANDARDS, weights, tfidf, whole_weight=1.0)
    part, sent_sims, offsets = score_courses(COURSES, STANDARDS, weights, tfidf, 1.0, columns=[2, 0],
                                             keep_sentences=False)
    assert sent_sims is None and offsets is None, "sentences are only scored when needed"
    assert np.array_equal(part, full[:, [2, 0]])
    assert full[0, 0] == pytest.approx(float(COURSES[0].embedding @ STANDARDS[0]))


def test_stack_sentences_offsets():
    sentences, offsets = stack_sentences(COURSES)
    assert sentences.shape == (3, 3)
    assert np.array_equal(sentences[offsets[1]:offsets[2]], COURSES[1].sent_embeddings)


def test_top_k_best_first_and_stable_on_ties():
    scores = np.array([[0.1, 0.9, 0.5, 0.9], [0.3, 0.2, 0.1, 0.0]], dtype=np.float32)
    idx, values = top_k(scores, 3)
    assert np.allclose(values, [[0.9, 0.9, 0.5], [0.3, 0.2, 0.1]])
    assert set(idx[0, :2].tolist()) == {1, 3} and idx[0, 2] == 2
    assert idx[1].tolist() == [0, 1, 2]


def test_evidence_rarest_shared_terms_phrases_and_sentence(tfidf):
    evidence = StandardsEvidence.from_tfidf(STANDARD_LEMMAS, [["budget plan"], [], ["credit"]], tfidf)
    terms, phrases = evidence.shared(COURSES[0], 0)
    # "plan" occurs in one standard, "budget" in two: the rarer comes first
    assert terms == ["plan", "budget"]
    assert phrases == ["budget plan"]
    assert evidence.shared(COURSES[1], 0) == ([], [])
    sims = COURSES[0].sent_embeddings @ STANDARDS[1]
    assert best_sentence(COURSES[0], sims) == "They subnet networks."
    assert format_evidence(terms, phrases, "Students plan budgets.") == (
        'shared terms: plan, budget | shared phrases: "budget plan" | best sentence: "Students plan budgets."')
    assert format_evidence([], [], "") == "no shared terms (semantic match only)"
