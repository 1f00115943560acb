"""The spaCy pipeline: one way in for text, vectors set by a registered component."""

import numpy as np
import pytest
import spacy

from alignment.nlp.pipeline import content_lemmas, load_nlp, model_version, noun_phrases

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def test_pipeline_has_registered_component(nlp):
    assert "sentence_vectors" in nlp.pipe_names
    assert "sentence_vectors" in spacy.registry.factories.get_all() or nlp.has_factory("sentence_vectors")
    assert "ner" not in nlp.pipe_names


def test_doc_vector_is_the_sentence_embedding(nlp):
    doc = nlp("Students prepare a personal budget and compare credit options.")
    assert doc.vector.shape == (384,)
    assert np.isclose(np.linalg.norm(doc.vector), 1.0, atol=1e-4)
    assert doc._.embedding is not None
    # The md pipeline's own word vectors are still there (300-d), used by the baseline.
    assert doc._.word_vector.shape == (300,)


def test_similarity_orders_related_texts(nlp):
    budget = nlp("Create and manage a personal budget.")
    finance = nlp("Students learn personal finance: saving, spending plans and budgets.")
    poetry = nlp("Analyze how a poet uses meter and rhyme in a sonnet.")
    assert budget.similarity(finance) > budget.similarity(poetry) + 0.2


def test_pipe_and_call_agree(nlp):
    texts = ["Short text.", "A much longer text about computer networks, routers and switches in a lab."]
    piped = list(nlp.pipe(texts))
    single = [nlp(t) for t in texts]
    for a, b in zip(piped, single):
        assert np.allclose(a.vector, b.vector, atol=1e-5)


def test_sentence_embeddings_on_request(nlp):
    text = "Students design web pages. They also study network security."
    (doc,) = nlp.pipe([text], component_cfg={"sentence_vectors": {"sentences": True}})
    assert doc._.sent_embeddings.shape == (len(list(doc.sents)), 384)
    (plain,) = nlp.pipe([text])
    assert plain._.sent_embeddings is None


def test_lemmas_and_phrases(nlp):
    doc = nlp("Students are budgeting their incomes and analyzing financial statements.")
    lemmas = content_lemmas(doc)
    assert "budget" in lemmas and "income" in lemmas and "analyze" in lemmas
    assert "their" not in lemmas and "are" not in lemmas
    assert "financial statement" in noun_phrases(doc)


def test_model_version_names_both_models(nlp):
    version = model_version(nlp)
    assert "core_web_md-3.8.0" in version and "MiniLM" in version


def test_another_encoder_model_file_can_be_named(tmp_path):
    """The ``encoder_model`` setting (``PATHWAY_ALIGN_ENCODER_MODEL``) points the encoder at
    another ONNX file (for a fine-tuned model); a wrong path is a clear error, not the
    shipped model in disguise."""
    from alignment.nlp import encoder as embeddings
    from alignment.settings import load_settings

    shipped = embeddings._model_file()
    missing = load_settings(env={"PATHWAY_ALIGN_ENCODER_MODEL": str(tmp_path / "missing.onnx")}).encoder_model
    with pytest.raises(FileNotFoundError, match="missing.onnx"):
        embeddings.SentenceEncoder(model=missing)
    named = load_settings(env={"PATHWAY_ALIGN_ENCODER_MODEL": str(shipped)}).encoder_model
    same = embeddings.SentenceEncoder(model=named)
    text = ["Students build budgets and track spending."]
    np.testing.assert_allclose(same.encode(text), embeddings.get_encoder().encode(text), atol=1e-6)
    assert same.fingerprint == embeddings.get_encoder().fingerprint  # same bytes, same cache entries
