"""The command line, run as a user runs it (a subprocess), on real data."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from alignment.align.aligner import SUGGESTION_COLUMNS

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "alignment.present.cli"]


def run(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory, catalog):
    path = tmp_path_factory.mktemp("cat") / "courses.csv"
    picks = ["000217-000218", "001076-001077", "000854-000855", "001012-001013"]
    catalog[catalog["course_id"].isin(picks)].to_csv(path, index=False)
    return path


def test_align_writes_exactly_the_columns(small_catalog, tmp_path):
    out = tmp_path / "suggestions.csv"
    result = run("align", str(small_catalog), "-o", str(out), "--top-k", "3")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype={"course_id": str})
    assert list(table.columns) == SUGGESTION_COLUMNS
    assert table["course_id"].nunique() == 4
    assert table["evidence"].notna().all()
    assert "wrote" in result.stderr


def test_align_with_plain_csv_standards(small_catalog, tmp_path, standards):
    picked = standards[standards["framework"] == "cte_crp"][["code", "text"]]
    std_file = tmp_path / "crp.csv"
    picked.to_csv(std_file, index=False)
    out = tmp_path / "s.csv"
    result = run("align", str(small_catalog), "-o", str(out), "--standards", str(std_file), "--top-k", "2", "-q")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype=str)
    assert set(table["code"]) <= set(picked["code"])
    assert len(table) == 4 * 2


def test_align_with_case_json_standards(small_catalog, tmp_path, standards):
    from alignment.data.case import write_case

    subset = standards[standards["framework"] == "cte_crp"]
    case_file = tmp_path / "crp.json"
    write_case(subset, case_file)
    out = tmp_path / "s.csv"
    result = run("align", str(small_catalog), "-o", str(out), "--standards", str(case_file), "--top-k", "2", "-q")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype=str)
    assert set(table["code"]) <= set(subset["code"])


def test_align_bad_catalog_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("course_id,description\nA1,Accounting basics\nA1,   \n", encoding="utf-8")
    result = run("align", str(bad), "-o", str(tmp_path / "o.csv"))
    assert result.returncode == 2
    assert "bad.csv row 3" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_standards_list_and_search():
    result = run("standards", "--framework", "cte_pathway", "--search", "database")
    assert result.returncode == 0, result.stderr
    assert "database" in result.stdout.lower()
    result = run("standards", "--framework", "nonsense")
    assert result.returncode == 2 and "nonsense" in result.stderr
