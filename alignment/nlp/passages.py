"""Sentence (passage) vectors for the accurate mode, pooled from the one pass of the
sentence model over the whole description ("late chunking").

The accurate mode scores a course by its whole description and by its best sentence
(``alignment.align.scoring``). Encoding every sentence again, on its own, costs about
as much model time again as the descriptions. MiniLM's sentence vector is the mean of
its output token states, so a sentence's vector can be read off the states of the
whole-description pass instead: the mean of the states of the sentence's own word
pieces plus the ``[CLS]`` and ``[SEP]`` states. A one-sentence text gets exactly its
whole-text vector; each sentence keeps the context of its description. The cost is a
few small sums per description. On the dev data this measured the same as encoding
each sentence on its own at half the model time (``docs/scale.md``; the encoded
variant is kept in ``benchmarks/evaluation.py`` for the ablation).

Sentences beyond the model's 256 word pieces have no token states; they (only) are
encoded on their own.

``passage_vectors`` is a registered spaCy component that sets the same ``Doc``
attributes as ``pipeline.sentence_vectors`` (``doc._.embedding``,
``doc._.sent_embeddings``), so the aligner reads either the same way.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from alignment.nlp.encoder import DIM, MAX_LENGTH, SentenceEncoder, get_encoder, normalize
from alignment.nlp.pipeline import _doc_similarity, _doc_vector  # noqa: F401  (Doc hooks, as text.sentence_vectors sets them)


#: Texts per sentence-model run. onnxruntime's transient memory grows with the number of
#: texts in a run (measured: +630 MB peak for runs of 32 descriptions, +310 MB for runs
#: of 8) and its arena keeps it; runs of 8 length-sorted texts were as fast or faster
#: (48-50 vs 45-47 descriptions/s, interleaved). Vectors are batch-invariant, so this
#: never changes a result.
MAX_BATCH = 8
#: Word pieces per run (texts x padded length), a guard for long texts.
TOKEN_BUDGET = 4096


def _batches(encodings, max_batch: int = MAX_BATCH, budget: int = TOKEN_BUDGET):
    """Indices of ``encodings`` in length order, cut into batches of at most ``max_batch``
    texts and ``budget`` padded word pieces."""
    order = np.argsort([len(e.ids) for e in encodings], kind="stable")
    batch: list[int] = []
    for i in order:
        width = len(encodings[i].ids)  # the longest so far: lengths ascend
        if batch and (len(batch) + 1 > max_batch or (len(batch) + 1) * width > budget):
            yield np.array(batch)
            batch = []
        batch.append(int(i))
    if batch:
        yield np.array(batch)


def encode_texts(encoder: SentenceEncoder, texts: list[str]) -> np.ndarray:
    """``encoder.encode(texts)`` (same vectors), in token-budgeted batches."""
    return encode_with_passages(encoder, texts, [[] for _ in texts])[0]


def encode_with_passages(
    encoder: SentenceEncoder, texts: list[str], spans: list[list[tuple[int, int]]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Whole-text vectors and, per text, one vector per ``(start_char, end_char)`` span
    pooled from the whole text's token states.

    The whole-text vectors equal ``encoder.encode(texts)`` (same tokenizer, same pooling;
    the encoder is batch-invariant). Span vectors are unit length.
    """
    texts = [t if t.strip() else "." for t in texts]
    whole = np.zeros((len(texts), DIM), dtype=np.float32)
    parts: list[np.ndarray] = [np.zeros((len(s), DIM), dtype=np.float32) for s in spans]
    if not texts:
        return whole, parts
    encodings = encoder.tokenizer.encode_batch(texts)
    leftovers: list[tuple[int, int]] = []  # (text, span) with no token inside the model's window
    for idx in _batches(encodings):
        batch = [encodings[i] for i in idx]
        hidden, mask = encoder.token_states(batch)
        m = mask[..., None].astype(np.float32)
        whole[idx] = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        for row, i in enumerate(idx):
            n = len(batch[row].ids)
            text_spans = spans[i]
            if not text_spans:
                continue
            states = hidden[row, :n]
            # word piece k (between [CLS] and [SEP]) belongs to the last span starting at or before it
            starts = np.array([o[0] for o in batch[row].offsets[1 : n - 1]], dtype=np.int64)
            span_starts = np.array([a for a, _ in text_spans], dtype=np.int64)
            owner = np.searchsorted(span_starts, starts, side="right") - 1
            sums = np.zeros((len(text_spans), DIM), dtype=np.float32)
            counts = np.zeros(len(text_spans), dtype=np.float32)
            keep = owner >= 0
            np.add.at(sums, owner[keep], states[1 : n - 1][keep])
            np.add.at(counts, owner[keep], 1.0)
            edge = states[0] + states[n - 1]
            for s in range(len(text_spans)):
                if counts[s] == 0:
                    leftovers.append((int(i), s))
                else:
                    parts[i][s] = (sums[s] + edge) / (counts[s] + 2.0)
    if leftovers:
        extra = encode_texts(encoder, [texts[i][slice(*spans[i][s])] for i, s in leftovers])
        for (i, s), vector in zip(leftovers, extra):
            parts[i][s] = vector
    return normalize(whole), [normalize(p) for p in parts]


@Language.factory("passage_vectors", default_config={"batch_size": 32, "max_length": MAX_LENGTH})
def make_passage_vectors(nlp: Language, name: str, batch_size: int, max_length: int):
    """Registered spaCy component: whole-text vectors from MiniLM and sentence vectors
    pooled from the same pass."""
    return PassageVectors(name, batch_size=batch_size, max_length=max_length)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of each sentence of ``doc``; the whole text when the
    pipeline sets no sentence boundaries."""
    if doc.has_annotation("SENT_START"):
        return [(s.start_char, s.end_char) for s in doc.sents]
    return [(0, len(doc.text))]


class PassageVectors:
    """Sets ``doc._.embedding`` and ``doc._.sent_embeddings`` (one row per
    :func:`sentence_spans` span) with ``encode`` (default :func:`encode_with_passages`;
    any function of ``(encoder, texts, spans)`` with the same result)."""

    def __init__(self, name: str, batch_size: int = 32, max_length: int = MAX_LENGTH, encode=None):
        self.name = name
        self.encoder = get_encoder(batch_size, max_length)
        self.encode = encode or encode_with_passages

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256):
        # Large batches: the encoder sorts each by length, so padding stays small.
        for batch in minibatch(docs, size=max(batch_size, 256)):
            whole, parts = self.encode(self.encoder, [d.text for d in batch], [sentence_spans(d) for d in batch])
            for doc, vector, sentences in zip(batch, whole, parts):
                doc._.embedding = vector
                doc._.sent_embeddings = sentences
                doc.user_hooks["vector"] = _doc_vector
                doc.user_hooks["similarity"] = _doc_similarity
                yield doc
