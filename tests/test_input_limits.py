"""Issue 13 item 4: small inputs that cost far more than their size, each as reported.

Each test builds the input the reporter described and checks the behaviour (the error, its
message, the table) and that the cost stays in line with the input: the time bounds are
several times what the linear code needs on a loaded 2-core machine and far below what the
quadratic/cubic code took (the measured costs are in docs/reliability.md, from
``python benchmarks/input_limits.py``).
"""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest

from alignment.data.case import read_case
from alignment.data.catalog import load_catalog, load_catalog_bytes, validate_catalog
from alignment.data.standards import standards_from_csv
from alignment.io.errors import InputError

HIERARCHY_LIMIT = 2_000  # alignment.data.hierarchy.MAX_DEPTH


def catalog_frame(n: int) -> pd.DataFrame:
    """``n`` courses with only the required columns (every optional column missing)."""
    return pd.DataFrame({
        "course_id": [f"C{i:06d}" for i in range(n)],
        "description": [f"Course {i} covers budgeting, payroll and the basics of accounting." for i in range(n)],
    })


def sparse_workbook(rows: int) -> bytes:
    """A catalog workbook whose data rows each also hold one cell in column XFD (16,384)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("courses")
    sheet.append(["course_id", "title", "description"])
    for i in range(rows):
        sheet.append([f"C{i}", f"Course {i}", f"Course {i} teaches budgeting."] + [None] * (16_384 - 4) + ["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ (a) sparse workbook

def test_a_cell_in_column_xfd_is_an_error_without_reading_16384_columns():
    data = sparse_workbook(300)
    assert len(data) < 100_000  # a small file
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load_catalog_bytes(data, "sparse.xlsx")
    elapsed = time.perf_counter() - started
    message = str(err.value)
    assert message.startswith("sparse.xlsx row 2: a value in column XFD (16,384), right of the last header "
                              "(column C, 'description'); give the column a header in row 1 or delete the value")
    assert "sparse.xlsx row 6: a value in column XFD" in message
    assert "reading stopped at row 6" in message  # a few rows are named, the rest are not read
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_empty_cells_right_of_the_header_are_ignored(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["course_id", "description"])
    sheet.append(["A1", "Accounting basics."])
    sheet.cell(row=2, column=200).value = "   "  # whitespace far right: nothing to report
    sheet.cell(row=3, column=50).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # formatting only
    path = tmp_path / "formatted.xlsx"
    book.save(path)
    df = load_catalog(path)
    assert df["course_id"].tolist() == ["A1"] and list(df.columns[-1:]) == ["description"]


# ------------------------------------------------------------------ (b) validation is linear

def test_validating_50000_courses_with_optional_columns_missing_is_linear(use_settings):
    """Each missing optional column was rebuilt for every row: 50k rows took 20 s."""
    use_settings(max_catalog_rows=100_000)
    frame = catalog_frame(50_000)
    started = time.perf_counter()
    table = validate_catalog(frame, "big.csv")
    elapsed = time.perf_counter() - started
    assert len(table) == 50_000 and (table["sector"] == "").all()
    assert table.loc[49_999, "course_id"] == "C049999"
    assert elapsed < 8, f"{elapsed:.1f} s"


def test_vectorised_validation_reports_what_the_row_checks_did():
    frame = pd.DataFrame({
        "Course ID": ["A", "", "A", "B", "C"],
        "description": ["ok", "no id", "  again \r\n", "bell\x07 and\x1b", ""],
        "cte_level": ["", "", "Capstone", "capstone; bogus", ""],
        "sector": ["", "", "Business and Finance", "x", ""],
        "notes": [None, 3.0, float("nan"), "kept", "x"],
    })
    with pytest.raises(InputError) as err:
        validate_catalog(frame, "c.csv")
    assert err.value.problems == [
        "c.csv row 3: course_id is empty",
        "c.csv row 5: description contains control characters U+0007, U+001B; remove them",
        "c.csv row 5: level 'bogus' is not one of introductory, concentrator, capstone, academic",
        "c.csv row 5: sector, pathway and level lists must have the same number of '; '-separated parts "
        "(sector has 1, level has 2)",
        "c.csv row 6: description is empty",
        "c.csv row 2: course_id 'A' is used by 2 rows (2, 4); each course needs its own id",
    ]
    good = validate_catalog(frame.iloc[[0, 2]].assign(**{"Course ID": ["A", "Z"]}), "c.csv")
    assert good["description"].tolist() == ["ok", "again"]
    assert good["level"].tolist() == ["", "capstone"]
    assert good["notes"].tolist() == ["", ""]


# ------------------------------------------------------------------ (c) CASE chains

def case_chain(depth: int) -> dict:
    """A foreign CASE package whose items each sit below the previous one."""
    doc = "d0000000-0000-4000-8000-000000000000"
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(depth)]
    items = [{"identifier": i, "fullStatement": f"Statement {n}.", "humanCodingScheme": f"S{n}"}
             for n, i in enumerate(ids)]
    link = lambda identifier: {"identifier": identifier, "uri": f"urn:uuid:{identifier}", "title": ""}  # noqa: E731
    associations = [{"identifier": f"a{n}", "associationType": "isChildOf", "sequenceNumber": 1,
                     "originNodeURI": link(i), "destinationNodeURI": link(ids[n - 1] if n else doc)}
                    for n, i in enumerate(ids)]
    return {"CFDocument": {"identifier": doc, "title": "Deep"}, "CFItems": items, "CFAssociations": associations}


def test_case_chain_of_2000_items_is_linear():
    """The cycle check and the ancestors were walked again for every item: 31 s."""
    package = case_chain(HIERARCHY_LIMIT)
    started = time.perf_counter()
    table = read_case(package)
    elapsed = time.perf_counter() - started
    assert table["depth"].tolist() == list(range(HIERARCHY_LIMIT))
    assert table["match_text"].iloc[2] == "Statement 0. > Statement 1. > Statement 2."
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_case_chain_of_100000_items_is_an_input_error_naming_the_item():
    package = case_chain(100_000)
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_case(package)
    elapsed = time.perf_counter() - started
    item = f"00000000-0000-4000-8000-{HIERARCHY_LIMIT:012d}"
    assert str(err.value) == (f"<CASE package>: CFItems[{HIERARCHY_LIMIT}] ({item}) is more than 2,000 isChildOf "
                              "levels below the CFDocument; no framework is that deep: check the associations")
    assert elapsed < 20, f"{elapsed:.1f} s"


def chain_csv(depth: int) -> str:
    lines = ["code,text,parent_code", "C0,Level zero,"]
    lines += [f"C{i},Level {i},C{i - 1}" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def test_plain_csv_chain_of_1500_levels_is_linear(tmp_path):
    """The importer's cycle check looked each row up in the list of rows seen on its walk."""
    path = tmp_path / "deep.csv"
    path.write_text(chain_csv(1_500), encoding="utf-8")
    started = time.perf_counter()
    table = standards_from_csv(path)
    elapsed = time.perf_counter() - started
    assert table["depth"].max() == 1_499
    assert table.iloc[-1]["match_text"].startswith("Level zero > Level 1 > Level 2 > ")
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_plain_csv_deeper_than_the_limit_is_an_input_error(tmp_path):
    path = tmp_path / "deeper.csv"
    path.write_text(chain_csv(HIERARCHY_LIMIT + 5), encoding="utf-8")
    with pytest.raises(InputError) as err:
        standards_from_csv(path)
    assert (f"deeper.csv row {HIERARCHY_LIMIT + 2}: code 'C{HIERARCHY_LIMIT}' is more than 2,000 parent_code "
            "levels deep") in str(err.value)


# ------------------------------------------------------------------ (d) a row limit

def test_a_csv_catalog_over_the_row_limit_names_file_limit_and_setting(tmp_path, use_settings):
    use_settings(max_catalog_rows=100)
    path = tmp_path / "county.csv"
    catalog_frame(101).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_catalog(path)
    assert str(err.value) == (
        "county.csv: 101 course rows, more than the limit of 100; split the catalog "
        "or raise PATHWAY_ALIGN_MAX_CATALOG_ROWS or max_catalog_rows in [limits] of pathway-align.toml")
    catalog_frame(100).to_csv(path, index=False)
    assert len(load_catalog(path)) == 100  # the limit itself is allowed; blank rows do not count


def test_an_excel_catalog_stops_reading_past_the_row_limit(use_settings):
    import openpyxl

    use_settings(max_catalog_rows=100)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("courses")
    sheet.append(["course_id", "description"])
    for i in range(5_000):
        sheet.append([f"C{i}", "Budgeting."])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InputError, match=r"^big.xlsx: more course rows than the limit of 100 \(reading stopped at row 102\); split"):
        load_catalog_bytes(buffer.getvalue(), "big.xlsx")


def test_the_row_limit_is_a_setting_with_an_environment_override():
    from alignment.settings import load_settings

    assert load_settings(config_file="none", env={}).max_catalog_rows == 50_000
    assert load_settings(config_file="none", env={"PATHWAY_ALIGN_MAX_CATALOG_ROWS": "1234"}).max_catalog_rows == 1234
