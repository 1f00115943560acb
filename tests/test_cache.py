"""Issue 13 item 7: a vector-cache entry is checked before it is used. Each way an entry
can be wrong (vectors altered, wrong shape, metadata missing or altered, copied under
another key, cut short) is a miss with a warning naming the file, and the caller's
rebuild gives exactly what a clean run gives."""

from __future__ import annotations

import io
import json
import warnings
import zipfile

import numpy as np
import pytest

from alignment.nlp.cache import ArrayCache, CacheIntegrityWarning, cache_key

KEY = cache_key("test", ["a", "b", "c"])
VECTORS = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
META = {"lemmas": [["budget"], ["payroll", "tax"], []], "phrases": [[], ["payroll tax"], []]}


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path, changed: dict[str, bytes | None]) -> None:
    """Rewrite the .npz with some members replaced (or dropped: None), as another program would."""
    content = members(path)
    content.update(changed)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in content.items():
            if data is not None:
                archive.writestr(name, data)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def altered_vectors(cache, path):
    changed = VECTORS.copy()
    changed[1, 2] += 0.25  # one number: same shape and dtype, different rankings
    rewrite(path, {"emb_text.npy": npy(changed)})


def wrong_shape(cache, path):
    rewrite(path, {"emb_text.npy": npy(VECTORS[:2])})  # vectors of another standards list


def wrong_dtype(cache, path):
    rewrite(path, {"emb_text.npy": npy(VECTORS.astype(np.float16))})


def missing_metadata(cache, path):
    rewrite(path, {"__meta__.npy": None})


def missing_integrity_record(cache, path):  # an entry written by the previous version
    rewrite(path, {"__integrity__.npy": None})


def altered_metadata(cache, path):
    meta = dict(META, lemmas=[["tax"], [], []])
    rewrite(path, {"__meta__.npy": npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))})


def missing_array(cache, path):
    rewrite(path, {"emb_text.npy": None})


def copied_from_another_key(cache, path):
    other = cache.save(cache_key("other"), {"emb_text": VECTORS[::-1].copy()}, META)
    path.write_bytes(other.read_bytes())


def cut_short(cache, path):
    path.write_bytes(path.read_bytes()[:300])


CORRUPTIONS = [altered_vectors, wrong_shape, wrong_dtype, missing_metadata, missing_integrity_record,
               altered_metadata, missing_array, copied_from_another_key, cut_short]
EXPECTED = {
    "altered_vectors": "emb_text changed since it was written (sha256 differs)",
    "wrong_shape": "emb_text has shape (2, 4), written as (3, 4)",
    "wrong_dtype": "emb_text has dtype float16, written as float32",
    "missing_metadata": "missing __meta__",
    "missing_integrity_record": "missing __integrity__ (written by an older version, or not by this cache)",
    "altered_metadata": "metadata changed since it was written (checksum differs)",
    "missing_array": "arrays found (none) differ from the arrays written (emb_text)",
    "copied_from_another_key": f"not standards-{KEY} (the file was copied or renamed)",
    "cut_short": "unreadable (",
}


def test_a_clean_entry_round_trips_without_warnings(tmp_path):
    cache = ArrayCache(tmp_path)
    cache.save(KEY, {"emb_text": VECTORS}, META)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arrays, meta = cache.load(KEY)
    np.testing.assert_array_equal(arrays["emb_text"], VECTORS)
    assert arrays["emb_text"].dtype == np.float32 and meta == META
    assert cache.load(cache_key("absent")) is None  # no file: a plain miss, no warning


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=[c.__name__ for c in CORRUPTIONS])
def test_a_bad_entry_is_a_miss_with_a_warning_naming_it(corrupt, tmp_path):
    cache = ArrayCache(tmp_path)
    path = cache.save(KEY, {"emb_text": VECTORS}, META)
    corrupt(cache, path)
    with pytest.warns(CacheIntegrityWarning) as record:
        assert cache.load(KEY) is None
    message = str(record[0].message)
    assert message.startswith(f"cache entry {path} not used: ") and message.endswith("; rebuilding it")
    assert EXPECTED[corrupt.__name__] in message
    # the caller rebuilds and saves: the next load is a clean hit
    cache.save(KEY, {"emb_text": VECTORS}, META)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arrays, meta = cache.load(KEY)
    np.testing.assert_array_equal(arrays["emb_text"], VECTORS)
    assert meta == META


@pytest.fixture(scope="module")
def clean_run(standards, catalog, tmp_path_factory):
    """40 pathway standards, 4 Business and Finance courses, and their suggestions from a
    run with an empty cache."""
    from alignment.align.aligner import Aligner

    subset = standards[standards["framework"] == "cte_pathway"].head(40)
    courses = catalog[catalog["sector"] == "Business and Finance"].head(4)
    clean = Aligner(cache_dir=tmp_path_factory.mktemp("clean")).fit(subset)
    return subset, courses, clean.suggest(courses)


@pytest.mark.slow
@pytest.mark.parametrize("corrupt", [altered_vectors, wrong_shape, missing_metadata, copied_from_another_key],
                         ids=lambda c: c.__name__)
def test_the_aligner_rebuilds_a_bad_entry_and_ranks_as_a_clean_run(corrupt, clean_run, tmp_path):
    from alignment.align.aligner import Aligner

    subset, courses, expected = clean_run

    cache_dir = tmp_path / "cache"
    first = Aligner(cache_dir=cache_dir).fit(subset)
    path = ArrayCache(cache_dir).path(first.cache_key_)
    arrays, meta = ArrayCache(cache_dir).load(first.cache_key_)
    # the corruptions above, on the aligner's real entry (its first vector column)
    name = sorted(arrays)[0]
    if corrupt is altered_vectors:
        changed = arrays[name].copy()
        changed[0] = -changed[0]  # the first standard now points away from everything
        rewrite(path, {f"{name}.npy": npy(changed)})
    elif corrupt is wrong_shape:
        rewrite(path, {f"{name}.npy": npy(arrays[name][:-1])})
    elif corrupt is missing_metadata:
        rewrite(path, {"__meta__.npy": None})
    else:
        other = ArrayCache(cache_dir).save(cache_key("other"), {k: v[::-1].copy() for k, v in arrays.items()}, meta)
        path.write_bytes(other.read_bytes())

    with pytest.warns(CacheIntegrityWarning, match=path.name):
        again = Aligner(cache_dir=cache_dir).fit(subset)
    assert not again.cache_hit_
    got = again.suggest(courses)
    assert got[["course_id", "standard_id", "rank", "band"]].equals(expected[["course_id", "standard_id", "rank", "band"]])
    np.testing.assert_allclose(got["score"].to_numpy(), expected["score"].to_numpy(), rtol=0, atol=1e-6)
    # rewritten: the next fit is a clean hit
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheIntegrityWarning)
        assert Aligner(cache_dir=cache_dir).fit(subset).cache_hit_
