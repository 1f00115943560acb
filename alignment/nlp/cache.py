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
