"""Catalogs as student information systems export them: SIS header names load through
the synonyms, any other header through an explicit mapping (``columns=`` / the CLI's
``--columns``), and an unmapped catalog is refused with the columns found and how to map
them. The data is the vendored Westview catalog under SIS-style headers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alignment.data.catalog import default_catalog, header_key, load_catalog, parse_column_mapping
from alignment.io.errors import InputError

REPO = Path(__file__).resolve().parent.parent
SIS_HEADERS = {"course_id": "Course Number", "title": "Course Title", "description": "Course Description",
               "grades": "Grade Levels", "sector": "Industry Sector", "pathway": "CTE Pathway"}


@pytest.fixture(scope="module")
def westview() -> pd.DataFrame:
    return default_catalog()


def write_sis(tmp_path: Path, westview: pd.DataFrame, headers: dict[str, str], name: str = "sis.csv") -> Path:
    table = westview[list(headers)].head(20).rename(columns=headers)
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


def test_sis_headers_load_through_the_synonyms(tmp_path, westview):
    path = write_sis(tmp_path, westview, SIS_HEADERS)
    loaded = load_catalog(path)
    expected = westview.head(20)
    for column in SIS_HEADERS:
        assert loaded[column].tolist() == expected[column].tolist(), column
    assert (loaded["level"] == "").all()  # a column the file does not have stays empty


@pytest.mark.parametrize("header", ["course number", "COURSE_NUMBER", "  Course   Number ", "course-number",
                                    "Course Code", "Course ID", "course_id"])
def test_case_spacing_and_separators_are_ignored(tmp_path, westview, header):
    path = write_sis(tmp_path, westview, {"course_id": header, "description": "course description"})
    assert load_catalog(path)["course_id"].tolist() == westview["course_id"].head(20).tolist()


def test_header_key():
    assert header_key(" Course_Number ") == header_key("course  number") == "course number"


def test_explicit_mapping_loads_unknown_headers(tmp_path, westview):
    path = write_sis(tmp_path, westview, {"course_id": "Crs Nbr", "title": "Crs Ttl", "description": "Long Descr"})
    mapping = parse_column_mapping("Crs Nbr=course_id, Long Descr=description,Crs Ttl=title")
    assert mapping == {"Crs Nbr": "course_id", "Long Descr": "description", "Crs Ttl": "title"}
    loaded = load_catalog(path, columns=mapping)
    assert loaded["description"].tolist() == westview["description"].head(20).tolist()
    assert loaded["title"].tolist() == westview["title"].head(20).tolist()


def test_unmapped_catalog_lists_the_columns_and_how_to_map(tmp_path, westview):
    path = write_sis(tmp_path, westview, {"course_id": "Crs Nbr", "title": "Course Title", "description": "Long Descr"})
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    message = str(excinfo.value)
    assert "sis.csv row 1: missing required columns course_id, description" in message
    assert "columns found: 'Crs Nbr', 'Course Title', 'Long Descr'" in message
    assert '--columns "Crs Nbr=course_id,Long Descr=description"' in message


@pytest.mark.parametrize("text, problem", [("Crs Nbr", "is not HEADER=COLUMN"),
                                           ("Crs Nbr=course_number", "is not a catalog column")])
def test_bad_mapping_text(text, problem):
    with pytest.raises(InputError, match=problem):
        parse_column_mapping(text)


def test_mapping_a_header_the_file_lacks(tmp_path, westview):
    path = write_sis(tmp_path, westview, SIS_HEADERS)
    with pytest.raises(InputError, match="the file has no column 'Crs Nbr'"):
        load_catalog(path, columns={"Crs Nbr": "course_id"})


def run_cli(*args):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "alignment.present.cli", *args], capture_output=True, text=True,
                          timeout=600, env=env)


def test_cli_unmapped_catalog_is_one_line_with_the_listing(tmp_path, westview):
    path = write_sis(tmp_path, westview, {"course_id": "Crs Nbr", "description": "Long Descr"})
    result = run_cli("align", str(path), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "columns found: 'Crs Nbr', 'Long Descr'" in result.stderr
    assert '--columns "Crs Nbr=course_id,Long Descr=description"' in result.stderr


@pytest.mark.slow
def test_cli_columns_maps_the_catalog(tmp_path, westview):
    path = write_sis(tmp_path, westview.head(3), {"course_id": "Crs Nbr", "description": "Long Descr"})
    out = tmp_path / "out.csv"
    result = run_cli("align", str(path), "-o", str(out), "--mode", "fast", "-q",
                     "--columns", "Crs Nbr=course_id,Long Descr=description")
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(out, dtype=str)
    assert set(written["course_id"]) == set(westview["course_id"].head(3))
