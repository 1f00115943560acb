"""Scale (issue 7): the chunked, vectorised aligner equals a straightforward per-pair loop,
chunking changes nothing, both modes hold together (and the benchmarks' encoded-sentences
variant with them), the local engine streams the same CSV, and partitioned runs resume.
Real standards and courses."""

import re

import numpy as np
import pandas as pd
import pytest

from alignment.align.aligner import CCSS_FRAMEWORKS, SECTOR_FRAMEWORKS, SUGGESTION_COLUMNS, Aligner, grade_bands_for
from alignment.align.grades import grade_levels
from alignment.align.engines import PartitionStore, aligner_settings, run_fingerprint, write_partitioned, write_suggestions

pytestmark = pytest.mark.slow

# Real courses with and without sectors, grades, one or two sentences, a sector the data lacks.
SAMPLE_IDS = [
    "000217-000218",  # INTRODUCTION TO FINANCE (Business and Finance)
    "001076-001077",  # WEB DESIGN (ICT)
    "000854-000855",  # INTRODUCTION TO ENGINEERING DESIGN (sector not in the data)
    "001012-001013",  # INTEGRATED MATHEMATICS Ia-Ib
    "000315-000316",  # EXPOSITORY READING AND WRITING
    "001064-001065",  # AP STATISTICS
]


@pytest.fixture(scope="module")
def sample(catalog):
    picked = catalog[catalog["course_id"].isin(SAMPLE_IDS)]
    others = catalog[~catalog["course_id"].isin(SAMPLE_IDS)].sample(6, random_state=7)
    return pd.concat([picked, others], ignore_index=True)


@pytest.fixture(scope="module")
def fast_aligner(standards):
    return Aligner(mode="fast").fit(standards)


def for_course_grades(grade, levels) -> bool:
    """A standard's ``grade`` (``9-10``, ``7``, ``HS``, ``K-12``) is for one of the course's grades
    (or names none)."""
    m = re.fullmatch(r"(K|\d+)(?:-(K|\d+))?", str(grade))
    if not m:
        return True
    lo = 0 if m.group(1) == "K" else int(m.group(1))
    hi = lo if m.group(2) is None else (0 if m.group(2) == "K" else int(m.group(2)))
    return any(lo <= g <= hi for g in levels)


def per_pair_top_k(aligner, courses, top_k):
    """The obvious loop: every (course, standard) pair scored on its own, candidates
    filtered by hand, sorted within each family (content, practice), hub offsets
    subtracted. Returns {(course_id, framework, family): [standard_id, ...] or note}."""
    std = aligner.standards_
    analysed = aligner.analyse(courses["description"].tolist())
    tfidf = aligner.tfidf_
    out = {}
    for (_, course), text in zip(courses.iterrows(), analysed):
        query = tfidf.transform([text.lemmas])
        sectors = [s for s in str(course.get("sector", "")).split(";") if s.strip()]
        sectors = [s.strip() for s in sectors]
        bands = grade_bands_for(course.get("grades", "")) if aligner.grade_aware else None
        levels = grade_levels(course.get("grades", "")) if aligner.grade_aware else None
        offsets = aligner.hubs_.offset_ if aligner.hubs_ is not None else np.zeros(len(std))
        for fw in std["framework"].unique():
            rows = std[std["framework"] == fw]
            if fw in SECTOR_FRAMEWORKS and sectors:
                covered = [s for s in sectors if s in aligner.all_sectors_]
                if not covered:
                    out[(course["course_id"], fw, "")] = "note"
                    continue
                rows = rows[rows["sector"].isin(covered)]
            if fw in CCSS_FRAMEWORKS and bands:
                rows = rows[rows["grade_band"].isin(bands)]
            if fw in CCSS_FRAMEWORKS and levels:
                rows = rows[[for_course_grades(g, levels) for g in rows["grade"]]]
            for family in ("content", "practice"):
                scored = []
                for j in rows.index[aligner.families_[rows.index] == family]:
                    s = aligner.embeddings_[j]
                    whole = float(np.dot(text.embedding, s))
                    passage = max(float(np.dot(v, s)) for v in text.sent_embeddings)
                    semantic = aligner.whole_weight * whole + (1 - aligner.whole_weight) * passage
                    doc = tfidf.matrix_[j]
                    lexical = float((query @ doc.T).toarray()[0, 0])
                    w = aligner.semantic_weight.get(fw, 1.0)
                    scored.append((-(w * semantic + (1 - w) * lexical - float(offsets[j])), j))
                if scored:
                    out[(course["course_id"], fw, family)] = [std.at[j, "standard_id"] for _, j in sorted(scored)[:top_k]]
    return out


def as_top_k(suggestions):
    out = {}
    for (course_id, fw, family), group in suggestions.groupby(["course_id", "framework", "family"], sort=False):
        out[(course_id, fw, family)] = "note" if (group["standard_id"] == "").all() else group.sort_values("rank")["standard_id"].tolist()
    return out


@pytest.mark.parametrize("mode", ["accurate", "fast"])
def test_vectorised_path_equals_per_pair_loop(mode, aligner, fast_aligner, sample):
    model = aligner if mode == "accurate" else fast_aligner
    got = as_top_k(model.suggest(sample, top_k=5))
    expected = per_pair_top_k(model, sample, 5)
    assert got == expected


def test_chunk_size_does_not_change_results(aligner, sample):
    whole = aligner.suggest(sample)
    for chunk in (1, 7, len(sample)):
        parts = pd.concat(list(aligner.iter_suggest(sample, chunk_size=chunk)), ignore_index=True)
        pd.testing.assert_frame_equal(parts, whole)


def test_fast_mode_chunking_and_sense(fast_aligner, sample):
    whole = fast_aligner.suggest(sample)
    pd.testing.assert_frame_equal(pd.concat(list(fast_aligner.iter_suggest(sample, chunk_size=5)), ignore_index=True), whole)
    assert list(whole.columns[: len(SUGGESTION_COLUMNS)]) == SUGGESTION_COLUMNS
    finance = whole[(whole["course_id"] == "000217-000218") & (whole["framework"] == "cte_pathway")]
    assert "Financial Services" in set(finance["pathway"].head(3))
    uncovered = whole[(whole["course_id"] == "000854-000855") & (whole["framework"] == "cte_pathway")]
    assert uncovered["band"].tolist() == ["none"]
    for sentence, course_id in zip(whole["best_sentence"], whole["course_id"]):
        if sentence:
            assert sentence in sample.set_index("course_id").at[course_id, "description"]


def test_passage_methods(standards, sample):
    from alignment.nlp.encoder import get_encoder
    from alignment.nlp.passages import encode_with_passages
    from benchmarks.evaluation import encode_separately

    encoder = get_encoder()
    texts = sample["description"].head(4).tolist() + ["Students build budgets."]
    spans = [[(0, len(t) // 2), (len(t) // 2, len(t))] for t in texts[:4]] + [[(0, len(texts[4]))]]
    whole, pooled = encode_with_passages(encoder, texts, spans)
    assert np.array_equal(whole, encoder.encode(texts)), "the whole-text vectors are the encoder's own"
    assert np.allclose(pooled[4][0], whole[4], atol=1e-5), "one sentence pools to the whole text"
    whole2, apart = encode_separately(encoder, texts, spans)
    assert np.array_equal(whole2, whole)
    assert np.allclose(apart[0][1], encoder.encode([texts[0][spans[0][1][0]:]])[0], atol=1e-6)


def test_encoded_sentences_variant_of_the_benchmarks(standards, sample, aligner):
    from benchmarks.evaluation import EncodedSentencesAligner

    assert aligner.course_nlp_.pipe_names == ["senter", "lookup_lemmas", "passage_vectors"]
    slow = EncodedSentencesAligner().fit(standards)
    assert "tagger" in slow.course_nlp_.pipe_names and "lookup_lemmas" not in slow.course_nlp_.pipe_names
    out = slow.suggest(sample.head(3), frameworks=["cte_pathway", "ccss_math"])
    assert set(out["framework"]) <= {"cte_pathway", "ccss_math"} and len(out)
    # the two ways to the sentence vectors agree on the whole-text score and mostly on the ranking
    default = aligner.suggest(sample.head(3), frameworks=["cte_pathway", "ccss_math"])
    # (content standards: the practice family's first places are near ties between MP1/MP4/MP5)
    top = lambda t: set(t[(t["rank"] == 1) & (t["family"] == "content")][["course_id", "framework", "standard_id"]]  # noqa: E731
                        .itertuples(index=False))
    assert len(top(out) & top(default)) >= len(top(default)) - 1
    with pytest.raises(ValueError, match="mode"):
        Aligner(mode="turbo").fit(standards)


def test_lookup_lemmas_use_the_standards_vocabulary(fast_aligner):
    lookup = fast_aligner.course_nlp_.get_pipe("lookup_lemmas").lookup
    assert lookup("budgeting") == "budget"
    assert lookup("spreadsheets") == "spreadsheet"
    assert lookup("zyxwvut") == "zyxwvut"


def test_one_row_and_empty_descriptions(aligner):
    one = aligner.suggest(pd.DataFrame({"course_id": ["x"], "description": ["Students subnet IP networks."]}))
    assert len(one) and (one["course_id"] == "x").all()
    empty = aligner.suggest(pd.DataFrame({"course_id": ["e"], "description": [""]}), frameworks=["cte_crp"])
    assert len(empty) == 5
    none = aligner.suggest(pd.DataFrame({"course_id": [], "description": []}))
    assert list(none.columns[: len(SUGGESTION_COLUMNS)]) == SUGGESTION_COLUMNS and len(none) == 0


# --------------------------------------------------------------------------- engines
def test_local_engine_writes_what_suggest_returns(aligner, sample, tmp_path):
    out = tmp_path / "s.csv"
    summary = write_suggestions(aligner, sample, out, chunk_size=4)
    expected = tmp_path / "expected.csv"
    aligner.suggest(sample)[SUGGESTION_COLUMNS].to_csv(expected, index=False)
    assert out.read_bytes() == expected.read_bytes()
    assert summary.rows == len(pd.read_csv(out)) and len(summary.covered) == len(sample)
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_partitioned_run_resumes_without_duplicates(fast_aligner, sample, tmp_path):
    reference = tmp_path / "reference.csv"
    write_suggestions(fast_aligner, sample, reference)
    out = tmp_path / "run.csv"
    settings = aligner_settings(fast_aligner)
    store = PartitionStore(out, run_fingerprint(sample, settings, 5), 3)
    assert store.open() == set()
    # "interrupted" run: partition 1 finished (marked, to prove it is not recomputed),
    # partition 2 half-written (only its temporary file exists)
    part1 = fast_aligner.suggest(sample.iloc[5:10]).copy()
    part1["evidence"] = "kept from the first run"
    store.write(1, part1)
    (store.directory / "part-00002.x1y2.tmp").write_text("course_id,standard_id\nA,", encoding="utf-8")
    summary = write_partitioned(fast_aligner, sample, out, settings, partition_size=5)
    assert summary.skipped == 1 and summary.partitions == 3
    got, ref = pd.read_csv(out, dtype=str), pd.read_csv(reference, dtype=str)
    assert len(got) == len(ref)
    assert not got.duplicated(["course_id", "framework", "family", "rank"]).any()
    kept = got["course_id"].isin(sample["course_id"].iloc[5:10])
    assert (got.loc[kept, "evidence"] == "kept from the first run").all()
    pd.testing.assert_frame_equal(got[~kept].reset_index(drop=True), ref[~kept].reset_index(drop=True))
    assert not store.directory.exists(), "parts are removed once combined"


def test_parts_of_another_run_are_refused(fast_aligner, sample, tmp_path):
    out = tmp_path / "run.csv"
    settings = aligner_settings(fast_aligner)
    PartitionStore(out, run_fingerprint(sample, settings, 5), 3).open()
    with pytest.raises(ValueError, match="another run"):
        write_partitioned(fast_aligner, sample.head(7), out, settings, partition_size=5)
