"""On-disk cache for derived, re-computable data (standards' vectors and lemmas).

Entries are keyed by a hash of everything they depend on (the standards' ids and
texts, the pipeline and model versions, the settings), so a change to any of them
is a miss, never a stale hit. Writes are atomic (``alignment.io.writers.atomic_write``): a
killed process leaves either the old entry or the new one, never half a file.

An entry is not trusted because its file name matches: each one carries an integrity
record (the key it was written for, and for every array its shape, dtype and the
sha256 of its bytes, and the sha256 of the metadata), and :meth:`ArrayCache.load`
checks all of it. An entry that fails (truncated, from an older version without the
record, copied under another key's name, vectors or metadata altered) is a miss: the
caller rebuilds and rewrites it, and a :class:`CacheIntegrityWarning` names the file
and what was wrong, so a changed ranking never comes silently from a bad file.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np

from alignment.io import writers

#: Version of the integrity record; entries written with another one are rebuilt.
INTEGRITY_FORMAT = 1
_META = "__meta__"
_INTEGRITY = "__integrity__"


class CacheIntegrityWarning(UserWarning):
    """A cache entry was found but not used (it failed a check); it is being rebuilt."""


def cache_key(*parts: object) -> str:
    """A stable hex digest of ``parts`` (strings, numbers, lists of strings)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, (list, tuple)):
            for item in part:
                digest.update(str(item).encode("utf-8"))
                digest.update(b"\x1f")
        else:
            digest.update(str(part).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:24]


def array_digest(array: np.ndarray) -> str:
    """sha256 of an array's bytes (C order), the checksum stored with each cached array."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def _json_bytes(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value).encode("utf-8"), dtype=np.uint8)


class ArrayCache:
    """A folder of ``<prefix>-<key>.npz`` files, each holding named arrays, a JSON blob
    (the metadata) and the integrity record that :meth:`load` checks."""

    def __init__(self, directory: str | os.PathLike, prefix: str = "standards"):
        self.directory = Path(directory)
        self.prefix = prefix

    def path(self, key: str) -> Path:
        return self.directory / f"{self.prefix}-{key}.npz"

    def load(self, key: str) -> tuple[dict[str, np.ndarray], dict] | None:
        """The arrays and metadata stored under ``key``, or None (a miss).

        No file: a plain miss. A file that fails any check (see :meth:`problem`): a miss
        with a :class:`CacheIntegrityWarning` naming the file and the problem.
        """
        path = self.path(key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                stored = {name: data[name] for name in data.files}
        except Exception as exc:  # noqa: BLE001 - any unreadable entry is a miss; it is rewritten
            self._warn(path, f"unreadable ({type(exc).__name__}: {exc})")
            return None
        problem, arrays, meta = self.problem(key, stored)
        if problem:
            self._warn(path, problem)
            return None
        return arrays, meta

    def problem(self, key: str, stored: dict[str, np.ndarray]) -> tuple[str, dict, dict]:
        """``(problem, arrays, meta)`` of an entry's members as read: ``problem`` is ""
        when the integrity record is there, was written for ``key`` and matches every
        array (names, shape, dtype, sha256) and the metadata (sha256)."""
        if _META not in stored or _INTEGRITY not in stored:
            missing = " and ".join(n for n in (_META, _INTEGRITY) if n not in stored)
            return f"missing {missing} (written by an older version, or not by this cache)", {}, {}
        try:
            record = json.loads(bytes(stored.pop(_INTEGRITY)).decode("utf-8"))
            meta_bytes = bytes(stored.pop(_META))
            meta = json.loads(meta_bytes.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return f"metadata is not readable JSON ({exc})", {}, {}
        if not isinstance(record, dict) or record.get("format") != INTEGRITY_FORMAT:
            return "integrity record of another format", {}, {}
        if record.get("key") != key or record.get("prefix") != self.prefix:
            return (f"written for key {record.get('prefix')}-{record.get('key')}, not {self.prefix}-{key} "
                    "(the file was copied or renamed)"), {}, {}
        if record.get("meta_sha256") != hashlib.sha256(meta_bytes).hexdigest():
            return "metadata changed since it was written (checksum differs)", {}, {}
        expected = record.get("arrays")
        if not isinstance(expected, dict) or set(expected) != set(stored):
            found = ", ".join(sorted(stored)) or "none"
            written = ", ".join(sorted(expected)) if isinstance(expected, dict) else "unknown"
            return f"arrays found ({found}) differ from the arrays written ({written})", {}, {}
        for name, array in stored.items():
            want = expected[name]
            if not isinstance(want, dict):
                return f"integrity record of {name} is damaged", {}, {}
            if list(array.shape) != want.get("shape"):
                return f"{name} has shape {tuple(array.shape)}, written as {tuple(want.get('shape') or ())}", {}, {}
            if str(array.dtype) != want.get("dtype"):
                return f"{name} has dtype {array.dtype}, written as {want.get('dtype')}", {}, {}
            if array_digest(array) != want.get("sha256"):
                return f"{name} changed since it was written (sha256 differs)", {}, {}
        return "", stored, meta

    def save(self, key: str, arrays: dict[str, np.ndarray], meta: dict) -> Path:
        """Store atomically, with the integrity record; returns the file written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        arrays = {name: np.asarray(array) for name, array in arrays.items()}
        meta_bytes = json.dumps(meta).encode("utf-8")
        record = {
            "format": INTEGRITY_FORMAT,
            "prefix": self.prefix,
            "key": key,
            "meta_sha256": hashlib.sha256(meta_bytes).hexdigest(),
            "arrays": {name: {"shape": list(a.shape), "dtype": str(a.dtype), "sha256": array_digest(a)}
                       for name, a in arrays.items()},
        }
        payload = dict(arrays)
        payload[_META] = np.frombuffer(meta_bytes, dtype=np.uint8)
        payload[_INTEGRITY] = _json_bytes(record)
        with writers.atomic_write(self.path(key), "wb") as handle:
            np.savez(handle, **payload)
        return self.path(key)

    @staticmethod
    def _warn(path: Path, problem: str) -> None:
        warnings.warn(f"cache entry {path} not used: {problem}; rebuilding it", CacheIntegrityWarning, stacklevel=3)


def text_digest(text: str) -> str:
    """The key of one text in a :class:`RowCache` (sha256, 24 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class RowCache:
    """Per-text vectors, lemmas and phrases of one model, kept across standards tables.

    The whole-table entries of :class:`ArrayCache` answer a table seen before in one
    read; this cache answers a table *not* seen before row by row, so a standards-library
    import, another edition or a removed sector encodes only the texts it has never seen
    (a few hundred rows) instead of the whole table (about 2,700 rows: minutes on a busy
    machine). The vectors of a text do not depend on the batch it was encoded in (the
    encoder pads per row), so a row read back equals a row encoded again.

    Entries live in the same folder as :class:`ArrayCache` files (prefix ``rows``), one
    per model version and kind (a text column's vectors; JSON values per text such as the
    lemmas and phrases, or the word forms and their lemmas), with
    the same integrity checks; a damaged entry is a miss and is rewritten whole.
    """

    def __init__(self, directory: str | os.PathLike, model: str):
        self.cache = ArrayCache(directory, prefix="rows")
        self.model = str(model)
        self._vectors: dict[str, dict[str, np.ndarray]] = {}
        self._json: dict[str, dict[str, list]] = {}
        self._dirty: set[str] = set()

    def _key(self, kind: str) -> str:
        return cache_key("rows", self.model, kind)

    def _column(self, column: str) -> dict[str, np.ndarray]:
        if column not in self._vectors:
            known: dict[str, np.ndarray] = {}
            hit = self.cache.load(self._key(f"vectors:{column}"))
            if hit is not None:
                arrays, _meta = hit
                keys, vectors = arrays.get("keys"), arrays.get("vectors")
                if keys is not None and vectors is not None and len(keys) == len(vectors):
                    known = {k.decode("ascii") if isinstance(k, bytes) else str(k): v for k, v in zip(keys, vectors)}
            self._vectors[column] = known
        return self._vectors[column]

    def has(self, columns: list[str]) -> bool:
        """Whether entries exist for these columns and the words (not whether they are whole)."""
        kinds = [f"vectors:{c}" for c in columns] + ["words"]
        return all(self.cache.path(self._key(k)).exists() for k in kinds)

    def vectors(self, column: str, texts: list[str]) -> tuple[list[np.ndarray | None], list[int]]:
        """Each text's cached vector (None when not cached) and the positions to encode."""
        known = self._column(column)
        found = [known.get(text_digest(t)) for t in texts]
        return found, [i for i, v in enumerate(found) if v is None]

    def add_vectors(self, column: str, texts: list[str], vectors: np.ndarray) -> None:
        known = self._column(column)
        for text, vector in zip(texts, vectors):
            known[text_digest(text)] = np.asarray(vector, dtype=np.float32)
        if len(texts):
            self._dirty.add(f"vectors:{column}")

    def _table(self, kind: str) -> dict[str, list]:
        if kind not in self._json:
            hit = self.cache.load(self._key(kind))
            self._json[kind] = dict(hit[1].get("values", {})) if hit is not None else {}
        return self._json[kind]

    def values(self, kind: str, texts: list[str]) -> tuple[list, list[int]]:
        """Each text's cached JSON value of ``kind`` (None when not cached) and the positions to compute."""
        table = self._table(kind)
        found = [table.get(text_digest(t)) for t in texts]
        return found, [i for i, f in enumerate(found) if f is None]

    def add_values(self, kind: str, texts: list[str], values: list) -> None:
        table = self._table(kind)
        for text, value in zip(texts, values):
            table[text_digest(text)] = value
        if len(texts):
            self._dirty.add(kind)

    def words(self, texts: list[str]) -> tuple[list[tuple[list, list] | None], list[int]]:
        """Each text's cached ``(lemmas, phrases)`` (None when not cached) and the positions to parse."""
        found, todo = self.values("words", texts)
        return [tuple(f) if f is not None else None for f in found], todo

    def add_words(self, texts: list[str], lemmas: list, phrases: list) -> None:
        self.add_values("words", texts, [[list(lem), list(phr)] for lem, phr in zip(lemmas, phrases)])

    def save(self) -> None:
        """Write what was added (atomically; a concurrent writer's additions may be lost,
        never mixed: they are re-encoded next time)."""
        for kind in sorted(self._dirty):
            if not kind.startswith("vectors:"):
                self.cache.save(self._key(kind), {}, {"values": self._table(kind)})
                continue
            known = self._column(kind.split(":", 1)[1])
            keys = np.array(sorted(known), dtype="S24")
            vectors = np.stack([known[k.decode("ascii")] for k in keys]).astype(np.float32)
            self.cache.save(self._key(kind), {"keys": keys, "vectors": vectors}, {"rows": len(keys)})
        self._dirty.clear()
