"""How a course description becomes a :class:`CourseText`: the lean course pipeline.

Courses go through a spaCy pipeline built on the standards' one English model, with
only what scoring and evidence need (``course_pipeline``). Per mode
(``docs/scale.md`` has the measurements):

* ``accurate``: sentences from ``senter`` (statistical, no parser); lemmas by lookup in a
  table built from the standards (``alignment.nlp.fast.LemmaLookup``: a word form gets
  the lemma the tagger most often gave it in the standards); MiniLM once over each
  description, each sentence's vector read off that one pass (``passage_vectors``,
  ``alignment.nlp.passages``).
* ``fast``: rule-based sentences (``sentencizer``), lemmas by lookup, static word-piece
  vectors distilled from MiniLM (``static_vectors``, ``alignment.nlp.fast``).

Encoding every sentence again and taking lemmas from spaCy's tagger measured the same
on the dev data at twice the model time; that variant lives in ``benchmarks/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alignment.nlp.cache import ArrayCache, RowCache, cache_key
from alignment.nlp.pipeline import lemma_views, model_version, noun_phrases
from alignment.align.filler import surface_forms


@dataclass
class CourseText:
    """What the aligner keeps of one analysed course (the spaCy Doc is dropped)."""

    embedding: np.ndarray
    sentences: list[str]
    sent_embeddings: np.ndarray
    lemmas: list[str]
    lemma_text: str
    phrases: list[str] = field(default_factory=list)
    #: lemma -> the word the course wrote (what evidence shows; see alignment.align.filler)
    surfaces: dict[str, str] = field(default_factory=dict)


def course_pipeline(base, lookup, sentences: str = "senter", vectors: str = "passage_vectors"):
    """A pipeline for course descriptions with only what scores and evidence need.

    It shares ``base``'s vocabulary, tokenizer and trained components (sourced, not
    copied: the model is in memory once). Sentences from ``senter`` (statistical,
    sourced) or ``sentencizer`` (rules); lemmas from ``lookup`` (a
    :class:`~alignment.nlp.fast.LemmaLookup`, by the ``lookup_lemmas`` component); then
    the vector component. No parser (noun chunks are not needed: evidence phrases are
    the standard's phrases found in the course's lemma text), no NER.
    """
    import spacy

    from alignment.nlp import fast, passages  # noqa: F401  (register lookup_lemmas, static_vectors, passage_vectors)

    nlp = spacy.blank("en", vocab=base.vocab)
    nlp.tokenizer = base.tokenizer
    if sentences == "senter":
        nlp.add_pipe("senter", source=base)
    else:
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("lookup_lemmas").lookup = lookup
    nlp.add_pipe(vectors)
    return nlp


def pipeline_for_mode(mode: str, base, standards_texts: list[str], vocabulary: set[str], cache_dir=None):
    """The course pipeline of ``mode`` (module docstring) over the standards' pipeline
    ``base``: lemmas looked up in the forms of ``standards_texts`` (cached in
    ``cache_dir``), unseen forms kept to ``vocabulary`` (the standards' lemmas); in the
    fast mode, static vectors weighted by the standards' word pieces."""
    from alignment.nlp import fast

    forms = lemma_forms(base, standards_texts, cache_dir)
    lookup = fast.LemmaLookup(forms, vocabulary, base.get_pipe("lemmatizer"))
    if mode == "fast":
        nlp = course_pipeline(base, lookup, "sentencizer", "static_vectors")
        table = fast.load_static_table(cache_dir)
        nlp.get_pipe("static_vectors").encoder = fast.StaticEncoder(table).fit(standards_texts)
        return nlp
    return course_pipeline(base, lookup, "senter", "passage_vectors")


def lemma_forms(nlp, texts: list[str], cache_dir=None) -> dict[str, str]:
    """Word form -> the lemma ``nlp``'s tagger most often gave it in ``texts`` (the
    standards); cached in ``cache_dir`` by the texts and the model version."""
    from alignment.nlp import fast

    key = cache_key("lemma-forms", model_version(nlp), texts)
    cache = ArrayCache(cache_dir, prefix="lemmaforms") if cache_dir else None
    hit = cache.load(key) if cache else None
    if hit is not None:
        return hit[1]["forms"]
    # a table not seen as a whole: each text's forms from the per-text cache, parsing only
    # the texts never seen (an import or another edition adds a few hundred of 2,700)
    rows = RowCache(cache_dir, model_version(nlp)) if cache_dir else None
    pairs, todo = rows.values("form-lemmas", texts) if rows else ([None] * len(texts), list(range(len(texts))))
    new_texts = [texts[i] for i in todo]
    new = [fast.doc_form_pairs(doc) for doc in nlp.pipe(new_texts, batch_size=128,
                                                          disable=["parser", "sentence_vectors"])]
    for i, value in zip(todo, new):
        pairs[i] = value
    if rows and new:
        rows.add_values("form-lemmas", new_texts, new)
        rows.save()
    forms = fast.LemmaLookup.from_pairs(pairs, set(), None).forms
    if cache:
        cache.save(key, {}, {"forms": forms})
    return forms


def analyse_kept(nlp, texts: list[str], cache_dir, *key_parts) -> list[CourseText]:
    """``course_text`` of each of ``texts`` through ``nlp``, the course pipeline, with the
    sentence model's vectors kept on disk (keyed by the texts, the model and ``key_parts``).

    For texts analysed again and again under different standards: the hub demotion's
    background (the bundled catalog) is analysed at every fit, and a fit on a new table
    (an import, another edition) would spend most of its time encoding those same 197
    descriptions. Only the vectors are kept: the lemmas depend on the standards' lemma
    lookup and are recomputed by the rest of the pipeline (cheap). Only the accurate
    mode's ``passage_vectors`` depend on nothing but the text; any other pipeline is run
    as it is.
    """
    if not cache_dir or "passage_vectors" not in nlp.pipe_names:
        return [course_text(doc) for doc in nlp.pipe(texts, batch_size=64)]
    key = cache_key("course-vectors", model_version(nlp), nlp.pipe_names, texts, *key_parts)
    cache = ArrayCache(cache_dir, prefix="coursevectors")
    hit = cache.load(key)
    if hit is None:
        analysed = [course_text(doc) for doc in nlp.pipe(texts, batch_size=64)]
        counts = np.array([len(a.sent_embeddings) for a in analysed], dtype=np.int64)
        cache.save(key, {"embedding": np.stack([a.embedding for a in analysed]).astype(np.float32),
                         "sentences": np.concatenate([a.sent_embeddings for a in analysed]).astype(np.float32),
                         "counts": counts}, {"texts": len(texts)})
        return analysed
    arrays = hit[0]
    offsets = np.concatenate([[0], np.cumsum(arrays["counts"])])
    out = []
    for i, doc in enumerate(nlp.pipe(texts, batch_size=64, disable=["passage_vectors"])):
        doc._.embedding = arrays["embedding"][i]
        doc._.sent_embeddings = arrays["sentences"][offsets[i]:offsets[i + 1]]
        out.append(course_text(doc))
    return out


def course_text(doc) -> CourseText:
    """A processed course ``Doc`` as a :class:`CourseText`; a Doc without sentence vectors
    (or with a count that does not match its sentences) is one sentence, its whole text."""
    sents = [s.text.strip() for s in doc.sents] if doc.has_annotation("SENT_START") else []
    sent_emb = doc._.sent_embeddings
    if sent_emb is None or len(sent_emb) == 0 or len(sent_emb) != len(sents):
        sents, sent_emb = [doc.text.strip()], doc._.embedding[None, :]
    lemmas, alpha = lemma_views(doc)  # one pass over the tokens for both
    return CourseText(
        embedding=doc._.embedding,
        sentences=sents,
        sent_embeddings=np.asarray(sent_emb, dtype=np.float32),
        lemmas=lemmas,
        lemma_text=" " + " ".join(alpha) + " ",
        phrases=noun_phrases(doc),
        surfaces=surface_forms(doc),
    )
