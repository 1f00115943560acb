"""alignment.data.catalog: the real Westview catalog loads; every kind of bad input is refused
with a message that names the file, the row and the problem."""

from __future__ import annotations

import csv
import time
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from alignment.data import catalog
from alignment.settings import Settings
from alignment.data.catalog import (
    CATALOG_COLUMNS,
    course_sectors,
    load_catalog,
    load_catalog_bytes,
    split_multi,
    validate_catalog,
)
from alignment.io.errors import InputError

WESTVIEW_EXTRAS = ["prerequisites", "uc_csu_area", "source_page"]


def _printed_rows(printed_catalogs) -> tuple[list[str], list[dict[str, str]]]:
    """The catalog as printed (course ids repeated), read as plain CSV."""
    with printed_catalogs["courses"].open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def westview_path() -> Path:
    """The vendored catalog (printed ids made unique by the import script)."""
    return catalog.default_catalog_path()


@pytest.fixture(scope="module")
def westview(westview_path) -> pd.DataFrame:
    return load_catalog(westview_path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def problems_of(excinfo) -> str:
    return str(excinfo.value)


# --------------------------------------------------------------------------- real data


def test_westview_catalog_loads(westview, westview_path):
    df = westview
    assert len(df) == 197
    assert list(df.columns[: len(CATALOG_COLUMNS)]) == CATALOG_COLUMNS
    for extra in [*WESTVIEW_EXTRAS, "printed_course_id"]:
        assert extra in df.columns
    assert df.attrs["source"] == westview_path.name
    assert df["course_id"].is_unique
    assert not df.isna().any().any()
    assert all(isinstance(v, str) for col in df.columns for v in df[col])
    # leading zeros kept, ids exactly as printed
    ids = set(df["course_id"])
    assert {"001650", "001000", "000214-00215", "ANTH 105"} <= ids
    assert set(df["printed_course_id"]) >= {"000150", "000966-000960"}


def test_westview_cte_columns(westview):
    df = westview
    cte = df[df["sector"] != ""]
    assert len(cte) == 41
    assert (cte["pathway"] != "").all() and (cte["level"] != "").all()
    counts = pd.Series([s for v in df["sector"] for s in course_sectors(v)]).value_counts().to_dict()
    assert counts == {
        "Arts, Media, and Entertainment": 21,
        "Information and Communication Technologies": 8,
        "Business and Finance": 5,
        "Engineering and Architecture": 5,
        "Health Science and Medical Technology": 3,
    }
    internship = df[df["course_id"] == "001650"].iloc[0]
    assert course_sectors(internship) == ["Business and Finance", "Information and Communication Technologies"]
    assert split_multi(internship["level"]) == ["capstone", "capstone"]
    assert len(split_multi(internship["pathway"])) == 2
    assert {lv for v in df["level"] for lv in split_multi(v)} == {"concentrator", "capstone"}


def test_westview_descriptions_survive_verbatim(westview, printed_catalogs):
    _, rows = _printed_rows(printed_catalogs)
    expected = [unicodedata.normalize("NFC", r["description"].strip()) for r in rows]
    assert westview["description"].tolist() == expected
    assert westview["title"].tolist() == [r["title"] for r in rows]


def test_validating_a_valid_catalog_changes_nothing(westview):
    again = validate_catalog(westview, source=westview.attrs["source"])
    pd.testing.assert_frame_equal(again, westview)


def test_printed_catalog_fails_duplicate_check(printed_catalogs):
    with pytest.raises(InputError) as excinfo:
        load_catalog(printed_catalogs["courses"])
    message = problems_of(excinfo)
    # the four Studio Art 1-2 variants are data rows 104-107 (header = row 1)
    assert "westview_2025_26_courses.csv row 104" in message
    assert "'000150'" in message and "104, 105, 106, 107" in message
    assert len(excinfo.value.problems) == 1


def test_excel_copy_round_trips(westview, westview_path, tmp_path):
    raw = pd.read_csv(westview_path, dtype=str, keep_default_na=False)
    xlsx = tmp_path / "westview.xlsx"
    raw.to_excel(xlsx, index=False, engine="openpyxl", sheet_name="Courses")
    from_excel = load_catalog(xlsx)
    assert from_excel.attrs["source"] == "westview.xlsx"
    pd.testing.assert_frame_equal(from_excel, westview, check_dtype=False)
    # the same file by sheet name and as an upload
    pd.testing.assert_frame_equal(load_catalog(xlsx, sheet="Courses"), westview, check_dtype=False)
    uploaded = load_catalog_bytes(xlsx.read_bytes(), r"C:\fakepath\westview.xlsx")
    assert uploaded.attrs["source"] == "westview.xlsx"
    pd.testing.assert_frame_equal(uploaded, westview, check_dtype=False)


def test_default_catalog_is_the_vendored_file():
    if not catalog.default_catalog_path().exists():
        with pytest.raises(InputError, match="file not found"):
            catalog.default_catalog()
        pytest.skip("vendored catalog not imported yet")
    df = catalog.default_catalog()
    assert len(df) == 197 and df["course_id"].is_unique


# --------------------------------------------------------------------------- headers


def test_headers_case_insensitive_and_aliases(tmp_path):
    path = write(
        tmp_path,
        "aliases.csv",
        " Course ID ,COURSE_TITLE,Course_Description,CTE_Sector,cte_pathway,CTE_LEVEL,Room\n"
        "000101,Intro,Learn things.,Business and Finance,Business & Finance Pathway,Capstone,B12\n",
    )
    df = load_catalog(path)
    assert list(df.columns) == [*CATALOG_COLUMNS, "Room"]
    row = df.iloc[0]
    assert row["course_id"] == "000101" and row["title"] == "Intro" and row["department"] == ""
    assert row["level"] == "capstone"  # stored lower-case
    assert row["Room"] == "B12"


def test_missing_required_column_names_it_and_lists_found(tmp_path):
    path = write(tmp_path, "nodesc.csv", "course_id,title\n000101,Intro\n")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    message = problems_of(excinfo)
    assert message.startswith("nodesc.csv row 1: missing required column description")
    assert "columns found: 'course_id', 'title'" in message
    assert "course description" in message and "_ ignored" in message  # the accepted names


def test_two_columns_meaning_the_same_thing(tmp_path):
    path = write(tmp_path, "twice.csv", "id,course_id,description\n1,2,Text.\n")
    with pytest.raises(InputError, match=r"twice.csv row 1: columns 'id' \(column 1\) and 'course_id'"):
        load_catalog(path)


# --------------------------------------------------------------------------- rows


@pytest.mark.parametrize(
    ("description", "problem"),
    [("", "description is empty"), ("   \t  ", "description is empty"), ('"  \n  "', "description is empty")],
)
def test_empty_or_whitespace_description(tmp_path, description, problem):
    path = write(tmp_path, "blank.csv", f"course_id,description\n000101,Fine.\n000102,{description}\n")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == [f"blank.csv row 3: {problem}"]


def test_empty_course_id(tmp_path):
    path = write(tmp_path, "noid.csv", "course_id,description\n000101,Fine.\n  ,Orphan text.\n")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == ["noid.csv row 3: course_id is empty"]


def test_duplicate_ids_name_every_row(tmp_path):
    path = write(tmp_path, "dups.csv", "course_id,description\n000150,A.\n000151,B.\n000150,C.\n")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    (problem,) = excinfo.value.problems
    assert problem.startswith("dups.csv row 2: course_id '000150' is used by 2 rows (2, 4)")


def test_description_too_long(tmp_path):
    path = write(tmp_path, "long.csv", f"course_id,description\n1,Short.\n2,{'x' * 51}\n")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path, settings=Settings(max_text_chars=50))
    assert excinfo.value.problems == ["long.csv row 3: description is 51 characters, longer than the 50 limit; shorten it"]


def test_level_values_and_aligned_lists(tmp_path):
    path = write(
        tmp_path,
        "levels.csv",
        "course_id,description,sector,pathway,level\n"
        "1,A.,S,P,Introductory\n"
        "2,B.,S,P,advanced\n"
        "3,C.,S1; S2,P1; P2,concentrator; capstone\n"
        "4,D.,S1; S2,P1,capstone\n"
        "5,E.,S1;,P1; P2,capstone; academic\n",
    )
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == [
        "levels.csv row 3: level 'advanced' is not one of introductory, concentrator, capstone, academic",
        "levels.csv row 5: sector, pathway and level lists must have the same number of '; '-separated parts "
        "(sector has 2, pathway has 1, level has 1)",
        "levels.csv row 6: sector 'S1;' has an empty item in its '; ' list",
    ]


def test_control_characters_are_a_problem_but_newline_and_tab_are_not(tmp_path):
    path = write(
        tmp_path,
        "ctrl.csv",
        'course_id,description\n1,"Line one\nline\ttwo"\n2,Bell\x07 here\n3,Escape\x1b[31m red\n',
    )
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == [
        "ctrl.csv row 3: description contains control character U+0007; remove it",
        "ctrl.csv row 4: description contains control character U+001B; remove it",
    ]


def test_all_problems_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        "many.csv",
        "course_id,description,level\n000101,,capstone\n000102,Ok.,expert\n000101,Again.,\n,Lost.,\n",
    )
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == [
        "many.csv row 2: description is empty",
        "many.csv row 3: level 'expert' is not one of introductory, concentrator, capstone, academic",
        "many.csv row 5: course_id is empty",
        "many.csv row 2: course_id '000101' is used by 2 rows (2, 4); each course needs its own id",
    ]


def test_hostile_html_is_kept_verbatim(tmp_path):
    hostile = '<script>alert("x")</script> <img src=x onerror="alert(1)"> &amp; <b>bold</b> </textarea>'
    text = "course_id,title,description\n000101,<i>Title</i>," + '"' + hostile.replace('"', '""') + '"\n'
    df = load_catalog(write(tmp_path, "html.csv", text))
    assert df.loc[0, "description"] == hostile
    assert df.loc[0, "title"] == "<i>Title</i>"


def test_normalization_is_strip_and_nfc_only(tmp_path):
    decomposed = "Cafe\u0301 culture  and  spacing"
    path = write(tmp_path, "nfc.csv", f'course_id,description\n 000101 ,"  {decomposed}\r\nnext line  "\n')
    df = load_catalog(path)
    assert df.loc[0, "description"] == "Caf\u00e9 culture  and  spacing\nnext line"
    assert df.loc[0, "course_id"] == "000101"


def test_blank_rows_are_skipped_and_row_numbers_stay_true(tmp_path):
    path = write(tmp_path, "gaps.csv", "course_id,description\n1,A.\n\n,\n2,\n")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == ["gaps.csv row 5: description is empty"]
    df = load_catalog(write(tmp_path, "gaps_ok.csv", "course_id,description\n1,A.\n\n2,B.\n\n"))
    assert df["course_id"].tolist() == ["1", "2"]


def test_validate_catalog_on_a_frame_built_in_code():
    frame = pd.DataFrame(
        {"Course_ID": ["000101", "000102"], "Description": ["Text.", None], "credits": [5.0, float("nan")]}
    )
    with pytest.raises(InputError) as excinfo:
        validate_catalog(frame, source="form")
    assert excinfo.value.problems == ["form row 3: description is empty"]
    ok = validate_catalog(frame.dropna(subset=["Description"]), source="form")
    assert ok.loc[0, "course_id"] == "000101" and ok.loc[0, "credits"] == "5"
    assert ok.attrs["source"] == "form"


# --------------------------------------------------------------------------- files


def test_non_utf8_bytes_name_file_row_and_offset(tmp_path):
    head = 'course_id,description\n000101,"A description\nover two lines."\n000102,'
    data = head.encode("utf-8") + "Caf\u00e9 \u201cquoted\u201d".encode("cp1252") + b"\n"
    path = tmp_path / "latin.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    (problem,) = excinfo.value.problems
    offset = len(head.encode("utf-8")) + 3
    assert problem.startswith(f"latin.csv row 3: byte 0xE9 at byte offset {offset} (line 4 of the file)")
    assert "not valid UTF-8" in problem and "save the file as UTF-8" in problem


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfcourse_id,description\n000101,Caf\xc3\xa9.\n")
    df = load_catalog(path)
    assert df.loc[0, "course_id"] == "000101" and df.loc[0, "description"] == "Caf\u00e9."


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    with pytest.raises(InputError, match=r"^empty.csv: file is empty"):
        load_catalog(write(tmp_path, "empty.csv", content))


def test_header_only_file(tmp_path):
    with pytest.raises(InputError) as excinfo:
        load_catalog(write(tmp_path, "header.csv", "course_id,title,description\n"))
    assert excinfo.value.problems == ["header.csv row 2: no course rows below the header row"]


def test_unbalanced_quote(tmp_path):
    path = write(tmp_path, "quote.csv", 'course_id,description\n1,"Fine."\n2,"Never closed\n3,Lost.\n')
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    (problem,) = excinfo.value.problems
    assert problem.startswith("quote.csv row 3: a quoted value starts here and its closing quote is missing")
    assert "EOF inside string" in problem  # pandas' own words


def test_ragged_row(tmp_path):
    path = write(tmp_path, "ragged.csv", "course_id,description\n1,A.\n2,B.,extra\n")
    with pytest.raises(InputError, match=r"^ragged.csv: is not a well-formed CSV file: .*line 3"):
        load_catalog(path)


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"^catalog.json: unsupported file type \('.json'\)"):
        load_catalog(write(tmp_path, "catalog.json", "{}"))
    with pytest.raises(InputError, match=r"^old.xls: unsupported file type"):
        load_catalog_bytes(b"\xd0\xcf\x11\xe0", "old.xls")
    with pytest.raises(InputError, match=r"^nowhere.csv: file not found: .*nowhere.csv"):
        load_catalog(tmp_path / "nowhere.csv")
    with pytest.raises(InputError, match=r"^fake.xlsx: is not a readable Excel workbook"):
        load_catalog(write(tmp_path, "fake.xlsx", "course_id,description\n1,A.\n"))


def test_too_large_is_refused_before_parsing(tmp_path, westview_path):
    small = Settings(max_input_bytes=1000)
    size = westview_path.stat().st_size
    with pytest.raises(InputError) as excinfo:
        load_catalog(westview_path, settings=small)
    assert excinfo.value.problems == [
        f"{westview_path.name}: file is {size / 1024:.1f} KB ({size:,} bytes), larger than the 1.0 KB "
        "(1,000 bytes) limit; split the catalog or raise PATHWAY_ALIGN_MAX_INPUT_BYTES"
    ]
    with pytest.raises(InputError, match=r"^up.csv: file is .*\(1,001 bytes\), larger than"):
        load_catalog_bytes(b"x" * 1001, "up.csv", settings=small)


def test_real_50mb_file_is_refused_quickly(tmp_path, use_settings):
    use_settings(max_input_bytes=20 * 1024 * 1024)
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # invalid UTF-8 throughout: parsing it would fail differently
        chunk = b"\xff" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
    start = time.perf_counter()
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    elapsed = time.perf_counter() - start
    message = problems_of(excinfo)
    assert message.startswith("huge.csv: file is 50.0 MB (52,428,800 bytes), larger than the 20.0 MB")
    assert "UTF-8" not in message
    assert elapsed < 0.5


# --------------------------------------------------------------------------- Excel


def _workbook(tmp_path: Path, name: str, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_excel_first_sheet_by_default_and_sheet_by_name(tmp_path):
    path = _workbook(
        tmp_path,
        "book.xlsx",
        {
            "Notes": [["course_id", "description"], ["000101", "First sheet."]],
            "Courses": [["Course ID", "Description", "Grades"], [150, "Typed as a number.", 12]],
        },
    )
    assert load_catalog(path)["description"].tolist() == ["First sheet."]
    df = load_catalog(path, sheet="Courses")
    # a number cell loses Excel's leading zeros (Excel did that), but never gains ".0"
    assert df.loc[0, "course_id"] == "150" and df.loc[0, "grades"] == "12"


def test_excel_empty_sheet(tmp_path):
    path = _workbook(tmp_path, "empty.xlsx", {"Blank": []})
    with pytest.raises(InputError, match=r"^empty.xlsx: sheet 'Blank' is empty"):
        load_catalog(path)


def test_excel_missing_sheet_lists_sheets(tmp_path):
    path = _workbook(tmp_path, "book.xlsx", {"Courses": [["course_id", "description"], ["1", "A."]], "Notes": []})
    with pytest.raises(InputError) as excinfo:
        load_catalog(path, sheet="Catalog")
    assert excinfo.value.problems == ["book.xlsx: sheet 'Catalog' not found; sheets in this workbook: 'Courses', 'Notes'"]


def test_excel_rows_are_spreadsheet_rows(tmp_path):
    path = _workbook(
        tmp_path,
        "rows.xlsx",
        {"Courses": [["course_id", "description", None], ["1", "A.", None], [None, None, None], ["2", "   ", None]]},
    )
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    assert excinfo.value.problems == ["rows.xlsx row 4: description is empty"]


def test_csv_with_sheet_is_refused(tmp_path):
    with pytest.raises(InputError, match="a CSV file has no sheets"):
        load_catalog(write(tmp_path, "a.csv", "course_id,description\n1,A.\n"), sheet="x")


def test_split_multi():
    assert split_multi("") == [] and split_multi(None) == [] and split_multi(float("nan")) == []
    assert split_multi("capstone") == ["capstone"]
    assert split_multi(" a ;b; c") == ["a", "b", "c"]
    assert course_sectors({"sector": "A; B"}) == ["A", "B"]
    assert course_sectors("") == []
