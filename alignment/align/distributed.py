"""The Dask engine: the same pipeline, partition by partition, on a Dask cluster.

    align_on_dask(courses, standards, "suggestions.csv", aligner_params)

* Each worker builds the aligner **once** (a worker plugin, :class:`AlignerPlugin`):
  it loads the pipeline and the standards' vectors, shipped with the plugin as the
  client's cache entry, so no worker encodes the standards again (a worker on another
  machine writes the entry into its cache dir).
* The plugin carries the client's :class:`~alignment.settings.Settings` (model file,
  cache dir, limits: whatever the client's configuration file, environment and flags
  made them) and installs them as the worker's settings, so a worker computes with
  the client's model, never with whatever its own environment says. Local workers
  get a share of the cores as their thread count unless the settings name one.
* The catalog is cut into partitions of ``partition_size`` courses (catalog order);
  each is one task. The client writes each partition as it finishes, atomically
  (``engines.PartitionStore``), then concatenates them. An interrupted run resumes:
  finished partitions are skipped.
* ``scheduler``: the address of a running cluster (``tcp://host:8786``); without it a
  ``LocalCluster`` is started (``n_workers`` processes, one task at a time each, the
  cores shared out among them).

Results equal the local engine's (``tests/test_dask_engine.py``): the encoder is
batch-invariant and every course is scored on its own.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pandas as pd
from distributed import WorkerPlugin

from alignment.settings import Settings, get_settings, set_settings
from alignment.align.aligner import SUGGESTION_COLUMNS, Aligner
from alignment.io import writers
from alignment.align.engines import PARTITION_SIZE, PartitionStore, RunSummary, aligner_settings, partition_bounds, run_fingerprint

PLUGIN_NAME = "pathway-align-aligner"


class AlignerPlugin(WorkerPlugin):
    """Worker plugin: the fitted Aligner of a worker, built once, at its first task
    (not in ``setup``, which would block the worker's event loop while models load).

    Carries the standards table, the aligner's parameters, the bytes of the client's
    standards cache entry (so ``fit`` is a cache hit on every worker) and the client's
    settings (``threads``: the worker's share of the cores, used when the settings
    name no thread count).
    """

    name = PLUGIN_NAME

    def __init__(self, standards: pd.DataFrame, params: dict, cache_name: str | None = None,
                 cache_bytes: bytes | None = None, threads: int | None = None, settings: Settings | None = None):
        self.standards = standards
        self.settings = settings or get_settings()
        self.params = dict(params)
        self.cache_name = cache_name
        self.cache_bytes = cache_bytes
        self.threads = threads
        self.aligner = None
        self._lock = threading.Lock()

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_lock", None)
        state["aligner"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def worker_settings(self) -> Settings:
        """The client's settings, with the worker's share of the cores when they name no thread count."""
        if self.threads and not self.settings.threads:
            return replace(self.settings, threads=self.threads)
        return self.settings

    def setup(self, worker=None):
        set_settings(self.worker_settings())  # cheap: the models load at the first task

    def get_aligner(self) -> Aligner:
        with self._lock:
            if self.aligner is None:
                self.aligner = self._build()
            return self.aligner

    def _build(self) -> Aligner:
        settings = self.worker_settings()
        set_settings(settings)  # before the encoder is created: it reads the model file and threads there
        cache_dir = Path(self.params.get("cache_dir") or settings.cache_dir)
        params = dict(self.params, cache_dir=cache_dir, progress=False)
        if self.cache_name and self.cache_bytes:
            target = cache_dir / self.cache_name
            if not target.exists():
                writers.write_bytes(target, self.cache_bytes)
        return Aligner(**params).fit(self.standards)

    def teardown(self, worker=None):
        self.aligner = None


def align_partition(courses: pd.DataFrame) -> pd.DataFrame:
    """Task run on a worker: the suggestions (output columns) of one partition."""
    from distributed import get_worker

    aligner = get_worker().plugins[PLUGIN_NAME].get_aligner()
    return aligner.suggest(courses)[SUGGESTION_COLUMNS]


def align_on_dask(
    courses: pd.DataFrame,
    standards: pd.DataFrame,
    output,
    aligner_params: dict | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    processes: bool = True,
    partition_size: int = PARTITION_SIZE,
    progress: bool = False,
    aligner: Aligner | None = None,
    fmt: str | None = None,
    settings: Settings | None = None,
) -> RunSummary:
    """Align ``courses`` on a Dask cluster and write the suggestions CSV (or, ``fmt`` or an
    ``.xlsx`` extension, Excel) ``output``.

    ``aligner_params``: keyword arguments of ``Aligner`` (not ``progress``). The
    client fits an Aligner first (or uses ``aligner``, already fitted with the same
    parameters): bad standards fail here, and its cache entry is shipped to the workers.
    ``settings`` (default: the process-wide ones) are shipped to the workers too.
    """
    from distributed import Client, LocalCluster, as_completed

    params = {k: v for k, v in (aligner_params or {}).items() if k != "progress"}
    aligner = aligner or Aligner(**params).fit(standards)
    courses = courses.reset_index(drop=True)
    bounds = partition_bounds(len(courses), partition_size)
    store = PartitionStore(output, run_fingerprint(courses, aligner_settings(aligner), partition_size), len(bounds),
                           fmt=fmt)
    done = store.open()
    summary = RunSummary(output=Path(output), courses=len(courses), partitions=len(bounds), skipped=len(done))
    todo = [i for i in range(len(bounds)) if i not in done]
    if todo:
        cache_name = cache_bytes = None
        if aligner.cache_dir:
            from alignment.nlp.cache import ArrayCache

            path = ArrayCache(aligner.cache_dir).path(aligner.cache_key_)
            if path.exists():
                cache_name, cache_bytes = path.name, path.read_bytes()
        cluster = None
        if scheduler:
            client = Client(scheduler)
        else:
            n_workers = n_workers or 1
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                   dashboard_address=":0")
            client = Client(cluster)
        # Local worker processes share this machine's cores (a remote worker uses its own).
        threads = max(1, (os.cpu_count() or 1) // n_workers) if not scheduler and processes else None
        try:
            client.register_plugin(
                AlignerPlugin(standards, params, cache_name, cache_bytes, threads=threads,
                              settings=settings or get_settings()), name=PLUGIN_NAME
            )
            futures = {
                client.submit(align_partition, courses.iloc[slice(*bounds[i])], key=f"pathway-align-part-{i}-{store.fingerprint}",
                              pure=False): i
                for i in todo
            }
            finished = 0
            for future in as_completed(futures):
                index = futures[future]
                store.write(index, future.result())
                finished += 1
                if progress:
                    print(f"partition {index + 1}/{len(bounds)} written ({finished}/{len(todo)} of this run)",
                          file=sys.stderr)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return store.combine(summary)
