"""On-disk cache for derived, re-computable data (standards' vectors and lemmas).

Entries are keyed by a hash of everything they depend on (the standards' ids and
texts, the pipeline and model versions, the settings), so a change to any of them
is a miss, never a stale hit. Writes are atomic (``alignment.io.writers.atomic_write``): a
killed process leaves either the old entry or the new one, never half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from alignment.io import writers


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


class ArrayCache:
    """A folder of ``<prefix>-<key>.npz`` files, each holding named arrays and a JSON blob."""

    def __init__(self, directory: str | os.PathLike, prefix: str = "standards"):
        self.directory = Path(directory)
        self.prefix = prefix

    def path(self, key: str) -> Path:
        return self.directory / f"{self.prefix}-{key}.npz"

    def load(self, key: str) -> tuple[dict[str, np.ndarray], dict] | None:
        """The arrays and metadata stored under ``key``, or None (missing or unreadable)."""
        path = self.path(key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files if name != "__meta__"}
                meta = json.loads(bytes(data["__meta__"]).decode("utf-8"))
            return arrays, meta
        except Exception:  # a corrupt entry is a miss; it is rewritten
            return None

    def save(self, key: str, arrays: dict[str, np.ndarray], meta: dict) -> Path:
        """Store atomically; returns the file written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = dict(arrays)
        payload["__meta__"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        with writers.atomic_write(self.path(key), "wb") as handle:
            np.savez(handle, **payload)
        return self.path(key)
