"""Fast mode: static word-piece vectors distilled from the sentence model, lemmas by lookup.

For statewide batches (tens of thousands of courses) the sentence model is the limit
(about 40 descriptions/s on 2 cores). The fast mode runs no neural model on courses:

* **Static vectors** (model2vec-style). Each of MiniLM's 30,522 word pieces is passed
  through MiniLM once, alone (``[CLS] piece [SEP]``), and its output state kept, as a unit
  vector; the table's mean is subtracted (the common direction all pieces share). A text's
  vector is the weighted mean of its pieces' rows, with SIF weights ``a / (a + p(piece))``
  where ``p`` is the piece's frequency in the standards being searched (frequent pieces
  say little). The table lives in the sentence model's space, so courses are compared
  with the standards' real MiniLM vectors (from the standards cache). The table (23 MB
  as float16) is built into the cache dir on first use (about 15 s) from the installed
  model; the encoder is batch-invariant, so the build is deterministic.
* **Lemmas by lookup** (``lookup_lemmas`` component). Only lemmas that occur in the
  standards matter (TF-IDF ignores the others; evidence is shared lemmas), so a word
  form gets the lemma the tagger most often gave it in the standards; an unseen form
  gets the first of its rule lemmas (as noun, verb, adjective) that the standards use,
  else itself. Memoised per form.
* Sentences (for the best-sentence evidence) from the rule-based ``sentencizer``.

The variants tried, and the quality of this one next to the accurate mode, are in
``docs/scale.md`` and ``benchmarks/quality.py``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from alignment.settings import get_settings
from alignment.nlp.cache import ArrayCache, cache_key
from alignment.nlp.encoder import DIM, get_encoder, normalize
from alignment.nlp.passages import sentence_spans

#: Names the table's recipe; part of its cache key.
TABLE_VERSION = "minilm-piece-state-unit-v1"
#: SIF smoothing constant.
SIF_A = 1e-3
_POS_ORDER = ("NOUN", "VERB", "ADJ")


# --------------------------------------------------------------------------- static vectors
def build_table(encoder=None, batch_size: int = 1024) -> np.ndarray:
    """Unit vectors, one per word piece: MiniLM's output state of the piece in ``[CLS] piece [SEP]``."""
    encoder = encoder or get_encoder()
    size = encoder.tokenizer.get_vocab_size()
    cls, sep = encoder.tokenizer.token_to_id("[CLS]"), encoder.tokenizer.token_to_id("[SEP]")
    table = np.zeros((size, DIM), dtype=np.float32)
    for start in range(0, size, batch_size):
        pieces = np.arange(start, min(size, start + batch_size), dtype=np.int64)
        ids = np.stack([np.full_like(pieces, cls), pieces, np.full_like(pieces, sep)], axis=1)
        (hidden,) = encoder.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)},
        )
        table[start : start + len(pieces)] = hidden[:, 1]
    return normalize(table)


class StaticTable:
    """The distilled table (mean-centred rows), its tokenizer (no truncation) and fingerprint."""

    def __init__(self, table: np.ndarray, tokenizer, fingerprint: str):
        table = np.asarray(table, dtype=np.float32)
        self.rows = table - table.mean(axis=0)
        self.tokenizer = tokenizer
        self.fingerprint = fingerprint


class StaticEncoder:
    """Context-free text vectors in the sentence model's space (see module docstring).

    ``fit(texts)`` learns the SIF weights from a corpus (the standards); ``encode(texts,
    spans)`` gives unit whole-text vectors and, per text, one unit vector per span.
    """

    def __init__(self, table: StaticTable):
        self.table = table
        self.weights = np.ones(len(table.rows), dtype=np.float32)

    def fit(self, texts: list[str]) -> "StaticEncoder":
        counts = np.zeros(len(self.table.rows), dtype=np.float64)
        for enc in self.table.tokenizer.encode_batch(texts):
            np.add.at(counts, enc.ids[1:-1], 1.0)
        p = counts / max(counts.sum(), 1.0)
        self.weights = (SIF_A / (SIF_A + p)).astype(np.float32)
        return self

    def encode(self, texts: list[str], spans: list[list[tuple[int, int]]] | None = None):
        whole = np.zeros((len(texts), DIM), dtype=np.float32)
        parts = []
        encodings = self.table.tokenizer.encode_batch(texts) if texts else []
        for i, enc in enumerate(encodings):
            ids = np.asarray(enc.ids[1:-1], dtype=np.int64)
            rows = self.table.rows[ids] * self.weights[ids, None]
            if len(ids):
                whole[i] = rows.sum(axis=0)
            text_spans = spans[i] if spans is not None else []
            part = np.zeros((len(text_spans), DIM), dtype=np.float32)
            if text_spans and len(ids):
                starts = np.array([o[0] for o in enc.offsets[1:-1]], dtype=np.int64)
                owner = np.searchsorted(np.array([a for a, _ in text_spans]), starts, side="right") - 1
                # pieces are in text order, so each span's pieces are one contiguous run
                first = np.searchsorted(owner, np.arange(len(text_spans)), side="left")
                last = np.searchsorted(owner, np.arange(len(text_spans)), side="right")
                cums = np.vstack([np.zeros((1, DIM), dtype=np.float32), np.cumsum(rows, axis=0)])
                part = cums[last] - cums[first]
            parts.append(normalize(part))
        return normalize(whole), parts


def _table_path(cache_dir: Path, fingerprint: str) -> tuple[ArrayCache, str]:
    return ArrayCache(cache_dir, prefix="static"), cache_key(TABLE_VERSION, fingerprint)


_TABLES: dict[str, StaticTable] = {}


def load_static_table(cache_dir=None) -> StaticTable:
    """The process-wide static table, read from (or built into) ``cache_dir`` (default
    the ``cache_dir`` setting, also when None: the table is model data, not a per-run cache)."""
    encoder = get_encoder()
    directory = Path(cache_dir or get_settings().cache_dir)
    cache, key = _table_path(directory, encoder.fingerprint)
    if key in _TABLES:
        return _TABLES[key]
    hit = cache.load(key)
    if hit is not None:
        table = hit[0]["table"]
    else:
        table = build_table(encoder)
        try:
            cache.save(key, {"table": table.astype(np.float16)}, {"version": TABLE_VERSION})
        except OSError:  # read-only cache dir: keep it in memory
            pass
        table = table.astype(np.float16)  # the same values whether built now or read back
    _TABLES[key] = StaticTable(table, _untruncated(encoder.tokenizer), f"{TABLE_VERSION}-{key}")
    return _TABLES[key]


def _untruncated(tokenizer):
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.no_truncation()
    copy.no_padding()
    return copy


# --------------------------------------------------------------------------- lemmas by lookup
def doc_form_pairs(doc: Doc) -> list[list[str]]:
    """The ``[form, lemma]`` of each alphabetic token of ``doc``, lower case, in order."""
    return [[t.lower_, t.lemma_.lower()] for t in doc if t.is_alpha]


class LemmaLookup:
    """Word form (lower case) -> lemma, as described in the module docstring."""

    def __init__(self, forms: dict[str, str], vocabulary: set[str], lemmatizer):
        self.forms = dict(forms)
        self.vocabulary = set(vocabulary)
        self.lemmatizer = lemmatizer  # the md pipeline's rule lemmatizer (tables only)
        self._memo: dict[str, str] = {}

    @classmethod
    def from_docs(cls, docs: Iterable[Doc], vocabulary: set[str], lemmatizer) -> "LemmaLookup":
        return cls.from_pairs((doc_form_pairs(doc) for doc in docs), vocabulary, lemmatizer)

    @classmethod
    def from_pairs(cls, texts_pairs: Iterable[list], vocabulary: set[str], lemmatizer) -> "LemmaLookup":
        """From each text's ``(form, lemma)`` pairs (:func:`doc_form_pairs`), in text order:
        each form gets the lemma most often given to it (the first seen on a tie)."""
        seen: dict[str, Counter] = {}
        for pairs in texts_pairs:
            for form, lemma in pairs:
                seen.setdefault(form, Counter())[lemma] += 1
        forms = {form: counts.most_common(1)[0][0] for form, counts in seen.items()}
        return cls(forms, vocabulary, lemmatizer)

    def __call__(self, form: str) -> str:
        lemma = self._memo.get(form)
        if lemma is None:
            lemma = self._memo[form] = self._lookup(form)
        return lemma

    def _lookup(self, form: str) -> str:
        if form in self.forms:
            return self.forms[form]
        if form in self.vocabulary:
            return form
        for pos in _POS_ORDER:
            token = Doc(self.lemmatizer.vocab, words=[form], pos=[pos])[0]
            for lemma in self.lemmatizer.rule_lemmatize(token):
                if lemma.lower() in self.vocabulary:
                    return lemma.lower()
        return form


@Language.factory("lookup_lemmas")
def make_lookup_lemmas(nlp: Language, name: str):
    """Registered spaCy component: ``token.lemma_`` from a :class:`LemmaLookup` (set ``.lookup``)."""
    return LookupLemmas(name)


class LookupLemmas:
    def __init__(self, name: str):
        self.name = name
        self.lookup: LemmaLookup | None = None

    def __call__(self, doc: Doc) -> Doc:
        lookup = self.lookup
        for token in doc:
            if token.is_alpha:
                token.lemma_ = lookup(token.lower_)
        return doc


@Language.factory("static_vectors")
def make_static_vectors(nlp: Language, name: str):
    """Registered spaCy component: static ``doc._.embedding`` and ``doc._.sent_embeddings``
    (set ``.encoder`` to a fitted :class:`StaticEncoder`)."""
    return StaticVectors(name)


class StaticVectors:
    def __init__(self, name: str):
        self.name = name
        self.encoder: StaticEncoder | None = None

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 1000):
        for batch in minibatch(docs, size=batch_size):
            whole, parts = self.encoder.encode([d.text for d in batch], [sentence_spans(d) for d in batch])
            for doc, vector, sentences in zip(batch, whole, parts):
                doc._.embedding = vector
                doc._.sent_embeddings = sentences
                yield doc
