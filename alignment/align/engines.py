"""How a catalog goes through a fitted ``Aligner`` into a suggestions CSV.

Two engines write the same file (the ``SUGGESTION_COLUMNS`` of ``Aligner.suggest``):

* **local** (:func:`write_suggestions`): this process, chunk by chunk
  (``Aligner.iter_suggest``); each chunk is appended to a temporary file beside
  ``OUTPUT`` as it is done, which becomes ``OUTPUT`` at the end (``alignment.io.writers``),
  so memory is bounded by the chunk, not the catalog. ``.xlsx`` output holds the table.
* **dask** (``alignment.align.distributed``): partitions of the catalog on a Dask cluster.
  Partitions are written as they finish, each atomically (``OUTPUT.parts/part-00012.csv``
  via a temporary file and a rename), so an interrupted run resumes: finished
  partitions are skipped, a half-written one never has its final name. A manifest
  (``OUTPUT.parts/manifest.json``) ties the parts to the catalog and settings; parts of
  another run are refused, never mixed in. :class:`PartitionStore` is that folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from alignment.align.aligner import SUGGESTION_COLUMNS, Aligner
from alignment.io import writers

#: Courses per partition of a partitioned (Dask) run.
PARTITION_SIZE = 500
_COURSE_COLUMNS = ["course_id", "description", "sector", "grades"]


@dataclass
class RunSummary:
    """What a run wrote (for the CLI's last line)."""

    output: Path
    courses: int
    rows: int = 0
    covered: set = field(default_factory=set)
    bands: Counter = field(default_factory=Counter)
    partitions: int = 0
    skipped: int = 0

    def add(self, frame: pd.DataFrame) -> None:
        self.rows += len(frame)
        self.covered.update(frame.loc[frame["standard_id"].astype(str) != "", "course_id"].astype(str))
        self.bands.update(frame["band"].astype(str).tolist())

    def describe(self) -> str:
        bands = ", ".join(f"{k} {v}" for k, v in self.bands.most_common())
        text = (f"wrote {self.rows} suggestions for {len(self.covered)} of {self.courses} courses "
                f"to {self.output} (bands: {bands})")
        if self.partitions:
            text += f"; {self.partitions} partitions, {self.skipped} already done before this run"
        return text


#: What the local engine writes: CSV (streamed chunk by chunk) or one Excel sheet.
SUGGESTION_FORMATS = ("csv", "xlsx")


def write_suggestions(aligner: Aligner, courses: pd.DataFrame, output, chunk_size: int | None = None,
                      fmt: str | None = None) -> RunSummary:
    """The local engine: suggestions for ``courses`` written to ``output``, CSV or Excel
    (``fmt``, else by extension), through the one writer (:mod:`alignment.io.writers`:
    atomic, cells safe). CSV is streamed chunk by chunk; Excel holds the whole table
    (one sheet; at most Excel's 1,048,575 rows)."""
    output = Path(output)
    fmt = writers.output_format(output, SUGGESTION_FORMATS, fmt, what="suggestions")
    summary = RunSummary(output=output, courses=len(courses))
    chunks = aligner.iter_suggest(courses, chunk_size=chunk_size)
    if fmt == "csv":
        writers.write_csv(chunks, output, columns=SUGGESTION_COLUMNS, on_chunk=summary.add)
    else:
        frames = [frame[SUGGESTION_COLUMNS] for frame in chunks]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SUGGESTION_COLUMNS)
        writers.write_excel({"Suggestions": table}, output)
        summary.add(table)
    return summary


# --------------------------------------------------------------------------- partitions
def partition_bounds(n_courses: int, partition_size: int = PARTITION_SIZE) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges of the partitions, in catalog order."""
    if partition_size < 1:
        raise ValueError(f"partition size must be a positive number of courses, not {partition_size}")
    return [(start, min(start + partition_size, n_courses)) for start in range(0, n_courses, partition_size)]


def run_fingerprint(courses: pd.DataFrame, settings: dict, partition_size: int) -> str:
    """A digest of what a partitioned run's output depends on: the courses' ids and the
    columns the aligner reads, the aligner's settings (incl. the standards' cache key)
    and the partition size."""
    digest = hashlib.sha256()
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode("utf-8"))
    digest.update(str(partition_size).encode())
    for column in _COURSE_COLUMNS:
        values = courses[column].astype(str).tolist() if column in courses.columns else []
        digest.update(column.encode())
        for value in values:
            digest.update(value.encode("utf-8"))
            digest.update(b"\x1f")
    return digest.hexdigest()[:24]


class PartitionStore:
    """``OUTPUT.parts/``: one CSV per finished partition, and the manifest."""

    def __init__(self, output, fingerprint: str, n_partitions: int, fmt: str | None = None):
        self.output = Path(output)
        self.fmt = writers.output_format(self.output, SUGGESTION_FORMATS, fmt, what="suggestions")
        self.directory = self.output.with_name(self.output.name + ".parts")
        self.fingerprint = fingerprint
        self.n_partitions = n_partitions

    def path(self, index: int) -> Path:
        return self.directory / f"part-{index:05d}.csv"

    def open(self) -> set[int]:
        """Create or check the folder; returns the indices of partitions already done."""
        manifest = self.directory / "manifest.json"
        wanted = {"fingerprint": self.fingerprint, "partitions": self.n_partitions}
        if manifest.exists():
            try:
                found = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = None
            if found != wanted:
                raise ValueError(
                    f"{self.directory} holds partitions of another run (a different catalog or settings); "
                    "delete that folder to start over, or rerun with the same catalog and options to resume"
                )
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._write_text(manifest, json.dumps(wanted, indent=1))
        for stray in self.directory.glob("*.tmp"):  # left by a run killed mid-write: never trusted
            stray.unlink()
        return {i for i in range(self.n_partitions) if self.path(i).exists()}

    def write(self, index: int, frame: pd.DataFrame) -> Path:
        """Write one partition atomically (the one CSV writer: temporary file, then rename)."""
        return writers.write_csv(frame, self.path(index), columns=SUGGESTION_COLUMNS)

    def combine(self, summary: RunSummary) -> RunSummary:
        """Concatenate the parts, in order, into ``OUTPUT`` (atomically; one Excel sheet
        when ``OUTPUT`` is ``.xlsx``, else CSV); remove the folder."""
        missing = [i for i in range(self.n_partitions) if not self.path(i).exists()]
        if missing:
            raise RuntimeError(f"partitions {missing[:5]} are missing in {self.directory}; rerun to finish them")
        if self.fmt == "xlsx":
            parts = [pd.read_csv(self.path(i), dtype=str, keep_default_na=False) for i in range(self.n_partitions)]
            table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SUGGESTION_COLUMNS)
            for column in ("score", "rank"):
                table[column] = pd.to_numeric(table[column], errors="coerce")
            writers.write_excel({"Suggestions": table[SUGGESTION_COLUMNS]}, self.output)
            summary.add(table)
            shutil.rmtree(self.directory, ignore_errors=True)
            return summary
        with writers.atomic_write(self.output, "w", encoding="utf-8", newline="") as handle:
            if not self.n_partitions:  # the parts were written by the one CSV writer: copied as they are
                handle.write(writers.csv_bytes(pd.DataFrame(columns=SUGGESTION_COLUMNS)).decode("utf-8"))
            for i in range(self.n_partitions):
                with open(self.path(i), encoding="utf-8", newline="") as part:
                    header = part.readline()
                    if i == 0:
                        handle.write(header)
                    shutil.copyfileobj(part, handle)
                summary.add(pd.read_csv(self.path(i), dtype=str, keep_default_na=False,
                                        usecols=["course_id", "standard_id", "band"]))
        shutil.rmtree(self.directory, ignore_errors=True)
        return summary

    @staticmethod
    def _write_text(path: Path, text: str) -> None:
        writers.write_text(path, text)


def write_partitioned(aligner: Aligner, courses: pd.DataFrame, output, settings: dict,
                      partition_size: int = PARTITION_SIZE) -> RunSummary:
    """The partitioned, resumable run in this process (what the Dask engine does on a
    cluster; used by tests and by anyone who wants resumability without Dask)."""
    courses = courses.reset_index(drop=True)
    bounds = partition_bounds(len(courses), partition_size)
    store = PartitionStore(output, run_fingerprint(courses, settings, partition_size), len(bounds))
    done = store.open()
    summary = RunSummary(output=Path(output), courses=len(courses), partitions=len(bounds), skipped=len(done))
    for index, (start, stop) in enumerate(bounds):
        if index not in done:
            store.write(index, aligner.suggest(courses.iloc[start:stop]))
    return store.combine(summary)


def aligner_settings(aligner: Aligner) -> dict:
    """The settings of a fitted aligner that its output depends on (for run fingerprints)."""
    params = {
        "top_k": aligner.top_k, "frameworks": aligner.frameworks, "semantic_weight": aligner.semantic_weight,
        "whole_weight": aligner.whole_weight, "text_columns": aligner.text_columns,
        "grade_aware": aligner.grade_aware, "mode": aligner.mode,
    }
    standards = aligner.standards_[["standard_id", "framework", "sector", "grade_band"]]
    params["standards"] = [getattr(aligner, "cache_key_", ""),
                           hashlib.sha256(standards.to_csv(index=False).encode("utf-8")).hexdigest()[:16]]
    return params
