"""The Dask engine on a LocalCluster (in-process, one worker: light) equals the local
engine, writes partitions as they finish and resumes an interrupted run. Real data."""

import pandas as pd
import pytest

pytest.importorskip("distributed")

from alignment.align.distributed import align_on_dask  # noqa: E402
from alignment.align.engines import PartitionStore, aligner_settings, run_fingerprint, write_suggestions  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(catalog):
    return catalog.sample(9, random_state=3).reset_index(drop=True)


@pytest.fixture(scope="module")
def local_csv(aligner, sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("local") / "local.csv"
    write_suggestions(aligner, sample, path)
    return path


def test_dask_equals_local(aligner, standards, sample, local_csv, tmp_path):
    out = tmp_path / "dask.csv"
    summary = align_on_dask(sample, standards, out, {"top_k": 5}, processes=False, partition_size=4, aligner=aligner)
    assert out.read_bytes() == local_csv.read_bytes()
    assert summary.partitions == 3 and summary.skipped == 0
    assert not (tmp_path / "dask.csv.parts").exists()


def test_interrupted_dask_run_resumes_without_duplicates(aligner, standards, sample, local_csv, tmp_path):
    out = tmp_path / "dask.csv"
    # What a killed run leaves: partition 0 finished (marked, to show it is skipped),
    # partition 1 half-written (a temporary file only), partition 2 not started.
    store = PartitionStore(out, run_fingerprint(sample, aligner_settings(aligner), 4), 3)
    store.open()
    first = aligner.suggest(sample.iloc[0:4]).copy()
    first["evidence"] = "from the interrupted run"
    store.write(0, first)
    (store.directory / "part-00001.k9.tmp").write_text("course_id,standard_id,framework\n0001", encoding="utf-8")
    summary = align_on_dask(sample, standards, out, {"top_k": 5}, processes=False, partition_size=4, aligner=aligner)
    assert summary.skipped == 1
    got, ref = pd.read_csv(out, dtype=str), pd.read_csv(local_csv, dtype=str)
    assert len(got) == len(ref), "no partition twice, none missing"
    assert not got.duplicated(["course_id", "framework", "family", "rank"]).any()
    kept = got["course_id"].isin(sample["course_id"].iloc[0:4])
    assert (got.loc[kept, "evidence"] == "from the interrupted run").all(), "a finished partition is not redone"
    pd.testing.assert_frame_equal(got[~kept].reset_index(drop=True), ref[~kept].reset_index(drop=True))


def test_cli_dask_engine_with_a_worker_process(catalog, tmp_path):
    """The command line, as a user runs it: a LocalCluster with one worker process."""
    import subprocess
    import sys

    courses = tmp_path / "courses.csv"
    catalog.head(5).to_csv(courses, index=False)
    out = tmp_path / "s.csv"
    result = subprocess.run(
        [sys.executable, "-m", "alignment.present.cli", "align", str(courses), "-o", str(out), "--mode", "fast",
         "--engine", "dask", "--workers", "1", "--partition-size", "2", "--top-k", "2", "-q"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "3 partitions" in result.stderr
    table = pd.read_csv(out, dtype=str)
    assert table["course_id"].nunique() == 5 and not table.duplicated(["course_id", "framework", "family", "rank"]).any()
    bad = subprocess.run([sys.executable, "-m", "alignment.present.cli", "align", str(courses), "-o", str(out),
                          "--scheduler", "tcp://127.0.0.1:1"], capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2 and "--engine dask" in bad.stderr
