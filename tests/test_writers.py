"""The one writer (alignment.io.writers) and every CSV/Excel output that goes through it.

A hostile course id (``=HYPERLINK("http://x","y")``) and a note with a vertical tab
(``\\x0b``, which Excel refuses) are written through every CSV and Excel output of the
package: the CLI's ``align -o .csv/.xlsx`` and ``standards -o``, the teacher app's
downloads, the review exports, the gap report (workbook, in-memory workbook, its header
rows: course ids are column headers of the coverage matrix) and the pathway comparison.
Each file is read back with openpyxl or csv: a valid workbook, no formula anywhere, no
refused character, and the hostile text present in its protected form (so a test can
never pass because the text went missing). Then atomicity: an error or a SIGTERM while
writing leaves the old file and no temporary file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from alignment.io import writers
from alignment.io.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FORMULA = '=HYPERLINK("http://x","y")'
SAFE_FORMULA = "'" + FORMULA
NOTE = "check\x0bthis"  # a vertical tab pasted into a note
SAFE_NOTE = "checkthis"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


# --------------------------------------------------------------------------- checks


def _unsafe_text(value: str) -> str | None:
    """Why a text cell is unsafe, or None."""
    if writers.ILLEGAL_CHARACTERS_RE.search(value):
        return "a character Excel refuses"
    if value.startswith(TRIGGERS) and not NUMBER.fullmatch(value):
        return "starts like a formula"
    return None


def assert_safe_workbook(data: bytes | Path, *must_hold: str) -> openpyxl.Workbook:
    """A valid workbook (openpyxl opens it) without a formula or a refused character in
    any cell of any sheet, holding each of ``must_hold`` in some cell."""
    book = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("="), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    problem = _unsafe_text(cell.value)
                    assert problem is None, f"{sheet.title}!{cell.coordinate} {problem}: {cell.value!r}"
                    seen.add(cell.value)
    for text in must_hold:
        assert any(text in value for value in seen), f"{text!r} is in no cell"
    return book


def assert_safe_csv(data: bytes, *must_hold: str) -> list[list[str]]:
    """Parsable UTF-8 CSV whose every field (header included) is safe, holding each of
    ``must_hold`` in some field."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows, "empty CSV"
    fields = [field for row in rows for field in row]
    for field in fields:
        problem = _unsafe_text(field)
        assert problem is None, f"CSV field {problem}: {field!r}"
    for text in must_hold:
        assert any(text in field for field in fields), f"{text!r} is in no field"
    return rows


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize("raw, safe", [
    (FORMULA, SAFE_FORMULA),
    ("+1 555 0100", "'+1 555 0100"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\x0b=1+1", "'=1+1"),  # the refused character goes first, then the formula is seen
    (NOTE, SAFE_NOTE),
    ("-12.5", "-12.5"),  # a plain number is no formula
    ("+3", "+3"),
    ("1e-3", "1e-3"),
    ("plain text = fine", "plain text = fine"),
    ("'=already safe", "'=already safe"),
    ("", ""),
])
def test_safe_text(raw, safe):
    assert writers.safe_text(raw) == safe
    assert writers.safe_text(safe) == safe  # idempotent
    if raw != "'=already safe":  # (a text that already looked guarded reads back unguarded)
        assert writers.unsafe_text(safe) == writers.ILLEGAL_CHARACTERS_RE.sub("", raw)  # reading undoes it


def test_unsafe_text_removes_only_the_writers_apostrophe():
    assert writers.unsafe_text("'it's fine") == "'it's fine"
    assert writers.unsafe_text("'-3") == "'-3"  # the writer never guards a plain number
    assert writers.unsafe_text("''=x") == "''=x"  # the writer never adds a second one
    table = pd.DataFrame({"note": ["'=1+1", "plain", "'word"], "n": ["'-2", "x", ""]})
    assert writers.unsafe_frame(table).to_dict("list") == {"note": ["=1+1", "plain", "'word"], "n": ["'-2", "x", ""]}


def _hostile_table() -> pd.DataFrame:
    return pd.DataFrame({
        "course_id": [FORMULA, "A2"],
        "note": [NOTE, "-"],
        "=header": ["x", "y"],
        "score": [-0.25, 0.5],
        "rank": [1, 2],
        "as_text": ["-3", "+4"],
        "terms": [["budget", "=x"], []],
        "missing": [None, float("nan")],
    })


def test_csv_cells_and_headers_are_safe_and_numbers_stay_numbers(tmp_path):
    data = writers.csv_bytes(_hostile_table())
    rows = assert_safe_csv(data, SAFE_FORMULA, SAFE_NOTE)
    assert rows[0] == ["course_id", "note", "'=header", "score", "rank", "as_text", "terms", "missing"]
    assert rows[1] == [SAFE_FORMULA, SAFE_NOTE, "x", "-0.25", "1", "-3", "budget; =x", ""]
    assert rows[2][1] == "'-"
    path = writers.write_csv(_hostile_table(), tmp_path / "deep" / "t.csv")
    assert path.read_bytes() == data
    assert writers.csv_bytes(_hostile_table(), bom=True) == "\ufeff".encode() + data


def test_csv_in_chunks_is_one_table_under_one_header(tmp_path):
    table = _hostile_table()
    seen = []
    path = writers.write_csv((table.iloc[[i]] for i in range(len(table))), tmp_path / "c.csv", columns=["course_id", "score"],
                             on_chunk=seen.append)
    assert path.read_text(encoding="utf-8") == f'course_id,score\n"{SAFE_FORMULA.replace(chr(34), chr(34) * 2)}",-0.25\nA2,0.5\n'
    assert len(seen) == 2
    empty = writers.write_csv(iter([]), tmp_path / "e.csv", columns=["course_id", "score"])
    assert empty.read_text(encoding="utf-8") == "course_id,score\n"


def test_excel_cells_and_headers_are_safe_and_numbers_stay_numbers(tmp_path):
    data = writers.excel_bytes({"Hostile": _hostile_table()})
    book = assert_safe_workbook(data, SAFE_FORMULA, SAFE_NOTE)
    sheet = book["Hostile"]
    assert [c.value for c in sheet[1]] == ["course_id", "note", "'=header", "score", "rank", "as_text", "terms", "missing"]
    row = [c for c in sheet[2]]
    assert row[0].value == SAFE_FORMULA and row[0].data_type == "s"
    assert row[3].value == -0.25 and row[3].data_type == "n"  # a real negative number stays a number
    assert row[4].value == 1 and row[4].data_type == "n"
    assert row[5].value == "-3" and row[5].data_type == "s"  # text stays text, unprefixed
    assert row[6].value == "budget; =x" and row[7].value is None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H3" and sheet["A1"].font.bold
    path = writers.write_excel({"Hostile": _hostile_table()}, tmp_path / "t.xlsx")
    assert [[c.value for c in r] for r in openpyxl.load_workbook(path)["Hostile"].iter_rows()] == \
        [[c.value for c in r] for r in sheet.iter_rows()]


def test_what_a_finish_callback_adds_is_neutralised_too():
    def finish(book, sheets):
        sheets["T"]["A5"] = "=1+1"  # openpyxl would store this as a formula
        extra = book.create_sheet("Extra")
        extra["B2"] = "@evil"  # (openpyxl itself refuses a vertical tab here)

    book = assert_safe_workbook(writers.excel_bytes({"T": _hostile_table()}, finish=finish))
    assert book["T"]["A5"].value == "'=1+1" and book["Extra"]["B2"].value == "'@evil"


def test_sheet_titles_are_valid_and_unique():
    assert writers.sheet_title("a/b:c*d?e[f]g\\h") == "a-b-c-d-e-f-g-h"
    assert writers.sheet_title("x" * 40) == "x" * 31
    assert writers.sheet_title("Summary", ["Summary"]) == "Summary 2"
    assert writers.sheet_title("'\x0b'") == "Sheet"


def test_too_many_rows_for_excel_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 3)
    with pytest.raises(InputError, match="more than Excel's 3; write CSV instead"):
        writers.excel_bytes({"T": pd.DataFrame({"a": range(3)})})


# --------------------------------------------------------------------------- slugs


@pytest.mark.parametrize("text", ["Business & Finance", "  Arts, Media, and Entertainment ", "ICT/SSD 2.0",
                                  "000217-000218", "__x__", "!!!", "", "Ünïcode Café", "A_b-C"])
def test_one_slug_does_what_the_five_did(text):
    """The five slug functions this one replaced, as they were (reference implementations)."""
    assert writers.slug(text, default="pathway") == (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "pathway")
    assert writers.slug(text) == re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")  # standards, import_shared
    assert writers.slug(text, separator="_") == re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")  # case
    css = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "x"  # ui.html.css_class
    assert writers.slug(text, separator="_", lower=False, keep="_-", default="x") == css
    from alignment.ui.html import css_class

    assert css_class(text) == css


def test_no_other_slug_or_hand_written_atomic_write_is_left():
    pattern = re.compile(r"def _?slug\(|tempfile\.mkstemp|os\.replace\(|Workbook\(\)|\.to_excel\(")
    offenders = []
    for path in sorted((ROOT / "alignment").rglob("*.py")) + [ROOT / "standards_data" / "import_shared.py"]:
        if path.name == "writers.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use alignment.io.writers:\n" + "\n".join(offenders)


# --------------------------------------------------------------------------- formats


def test_output_format_by_extension_or_format():
    assert writers.output_format("a/b.CSV", ["csv", "xlsx"]) == "csv"
    assert writers.output_format("r.htm", ["xlsx", "html"]) == "html"
    assert writers.output_format("noext", ["csv", "xlsx"], "xlsx") == "xlsx"
    assert writers.output_format("x.xlsx", ["csv", "xlsx"], "XLSX") == "xlsx"
    with pytest.raises(InputError, match=r"^x\.pdf: suggestions cannot be written as \.pdf files; use \.csv or \.xlsx$"):
        writers.output_format("x.pdf", ["csv", "xlsx"], what="suggestions")
    with pytest.raises(InputError, match="extension says json but the format asked for is csv"):
        writers.output_format("x.json", ["csv", "json"], "csv")
    with pytest.raises(InputError, match="cannot be written as a file without an extension"):
        writers.output_format("out", ["csv"])
    with pytest.raises(InputError, match="cannot be written as pdf"):
        writers.output_format("out", ["csv"], "pdf")


# --------------------------------------------------------------------------- atomic writes


def test_an_error_while_writing_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"):
        with writers.atomic_write(target, "w") as handle:
            handle.write("new, half")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]

    def chunks():
        yield pd.DataFrame({"a": [1]})
        raise ValueError("a chunk failed")

    with pytest.raises(ValueError, match="a chunk failed"):
        writers.write_csv(chunks(), target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    writers.write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    with pytest.raises(ValueError, match="mode"):
        with writers.atomic_write(target, "a"):
            pass


_KILLED_WRITER = textwrap.dedent("""
    import signal, sys, time
    import pandas as pd
    from alignment.io import writers

    if sys.argv[2] == "handler":  # an application that handles SIGTERM itself (by exiting)
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(3))

    def chunks():
        yield pd.DataFrame({"course_id": ["A1"], "note": ["first chunk"]})
        print("WRITING", flush=True)
        time.sleep(60)  # SIGTERM arrives here, mid-write
        yield pd.DataFrame({"course_id": ["A2"], "note": ["never written"]})

    writers.write_csv(chunks(), sys.argv[1])
    print("FINISHED", flush=True)
""")


@pytest.mark.parametrize("handler", ["default", "handler"])
def test_sigterm_mid_write_leaves_the_old_file_and_no_temporary_file(tmp_path, handler):
    target = tmp_path / "suggestions.csv"
    target.write_text("old\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target), handler], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "WRITING", process.stderr.read()
        partial = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(partial) == 1 and not partial[0].name.startswith(".")  # being written, under a visible name
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == (-signal.SIGTERM if handler == "default" else 3), process.stderr.read()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["suggestions.csv"]


def test_the_sigterm_handler_is_only_there_while_writing(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with writers.atomic_write(tmp_path / "a.txt", "w") as handle:
        assert signal.getsignal(signal.SIGTERM) is writers._on_sigterm
        with writers.atomic_write(tmp_path / "b.txt", "w"):  # nested writes share it
            pass
        assert signal.getsignal(signal.SIGTERM) is writers._on_sigterm
        handle.write("x")
    assert signal.getsignal(signal.SIGTERM) is before


# --------------------------------------------------------------------------- every output


@pytest.fixture(scope="module")
def real_standards():
    from alignment.data.standards import load_standards

    return load_standards()


def test_teacher_app_downloads(real_standards):
    from alignment.ui.coverage import csv_bytes, download_table, excel_bytes

    sid = real_standards["standard_id"].iloc[0]
    suggestions = pd.DataFrame([{
        "course_id": FORMULA, "standard_id": sid, "framework": "cte_crp", "code": "-1", "score": -0.05, "rank": 1,
        "band": "weak", "evidence": "@evidence", "matched_terms": ["=t"], "note": NOTE,
    }])
    table = download_table(suggestions, {"course_id": FORMULA, "title": "+title"}, real_standards)
    assert_safe_csv(csv_bytes(table), SAFE_FORMULA, SAFE_NOTE, "'+title", "'@evidence")
    book = assert_safe_workbook(excel_bytes(table), SAFE_FORMULA, SAFE_NOTE, "'+title")
    score = book["Suggestions"].cell(row=2, column=list(table.columns).index("score") + 1)
    assert score.value == -0.05 and score.data_type == "n"


def _decisions() -> pd.DataFrame:
    return pd.DataFrame([
        {"course_id": FORMULA, "standard_id": "CA-CTE.CRP.CRP1", "decision": "accepted", "note": NOTE,
         "reviewer": "=ana", "decided_at": "2025-09-01T17:02:11Z"},
        {"course_id": "A2", "standard_id": "CA-CTE.CRP.CRP2", "decision": "rejected", "note": "-1+1"},
    ])


def test_review_exports(real_standards, tmp_path):
    from alignment.present import exports

    decisions = _decisions()
    assert_safe_csv(exports.to_csv_bytes(decisions, catalog="cat"), SAFE_FORMULA, SAFE_NOTE, "'=ana", "'-1+1")
    assert_safe_csv(exports.write_csv(decisions, tmp_path / "d.csv", catalog="cat").read_bytes(), SAFE_FORMULA)
    courses = pd.DataFrame({"course_id": [FORMULA], "title": ["=title\x0b"]})
    data = exports.to_excel_bytes(decisions, catalog="cat", courses=courses, standards=real_standards)
    book = assert_safe_workbook(data, SAFE_FORMULA, SAFE_NOTE, "'=title")
    assert book.sheetnames == [exports.ASSOCIATION_SHEET, exports.DECISIONS_SHEET]
    association = book[exports.ASSOCIATION_SHEET]
    assert [c.value for c in association[1]] == exports.ASSOCIATION_COLUMNS  # OpenSALT's columns
    assert association.cell(row=2, column=4).value == SAFE_FORMULA  # originNodeHumanCodingScheme
    assert_safe_workbook(exports.write_excel(decisions, tmp_path / "d.xlsx", catalog="cat"), SAFE_FORMULA)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "d.xlsx"]


@pytest.fixture(scope="module")
def hostile_report(real_standards):
    from alignment.analysis.gaps import gap_report
    from alignment.data.pathways import make_pathway

    ssd = "CA-CTE.PATHWAY.ICT.SSD."
    catalog = pd.DataFrame({
        "course_id": [FORMULA, "B2"],
        "title": [f"Coding {NOTE}", "@Web"],
        "description": ["Learn to code.", "-Web apps."],
        "grades": ["9", "10"],
    })
    pathway = make_pathway(f"=Software {NOTE}", "Information and Communication Technologies", [
        {"course_id": FORMULA, "level": "introductory"}, {"course_id": "B2", "level": "capstone"},
    ], cte_pathway="Software and Systems Development", catalog=catalog, standards=real_standards)
    suggestions = pd.DataFrame([(FORMULA, ssd + "C4.1", "strong", 0.6), ("B2", ssd + "C5.4", "possible", 0.5)],
                               columns=["course_id", "standard_id", "band", "score"])
    decisions = pd.DataFrame([{"course_id": FORMULA, "standard_id": ssd + "C9.3", "decision": "accepted", "note": NOTE}])
    return gap_report(pathway, real_standards, suggestions, decisions)


def test_gap_report_and_its_header_rows(hostile_report, tmp_path):
    from alignment.present import reports

    path = reports.write_report(hostile_report, tmp_path / "r.xlsx", charts=False)
    book = assert_safe_workbook(path, SAFE_FORMULA, "Coding checkthis", "'=Software checkthis")
    matrix_header = [c.value for c in book["Coverage matrix"][1]]
    assert SAFE_FORMULA in matrix_header  # a course id is a column header of the matrix
    assert book["Coverage matrix"].freeze_panes == "E2"
    assert_safe_workbook(reports.tables_excel_bytes(hostile_report.tables()), SAFE_FORMULA, "'=Software checkthis")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_pathway_comparison(hostile_report, tmp_path):
    from alignment.analysis.comparison import compare_pathways
    from alignment.present import reports

    table = compare_pathways([hostile_report, hostile_report], labels=["=A", "+B"])
    path = reports.write_comparison(table, tmp_path / "c.xlsx", [hostile_report])
    book = assert_safe_workbook(path, "'=Software checkthis")
    header = [c.value for c in book["Comparison"][1]]
    assert not any(isinstance(h, str) and h.startswith(("=", "+")) for h in header)


# --------------------------------------------------------------------------- the CLI's -o


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "alignment.present.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


@pytest.fixture(scope="module")
def case_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "tests" / "data" / "case-v1p0-cfpackage-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_standards_json_is_a_valid_case_package(tmp_path, case_validator):
    from alignment.data.case import read_case

    out = tmp_path / "pathway.json"
    result = _cli("standards", "--framework", "cte_pathway", "-o", str(out))
    assert result.returncode == 0, result.stderr
    package = json.loads(out.read_text(encoding="utf-8"))  # JSON, not the CSV it used to be
    errors = sorted(case_validator.iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert len(package["CFItems"]) == 410 and package["CFDocument"]["title"] == "CA CTE Pathway Standards"
    assert len(read_case(out)) == 410
    # the validator does refuse a broken package
    package["CFAssociations"][0]["associationType"] = "likes"
    package["CFItems"][0]["identifier"] = "not-a-uuid"
    assert len(list(case_validator.iter_errors(package))) == 2


def test_standards_xlsx_and_csv_and_refusals(tmp_path):
    result = _cli("standards", "--framework", "cte_crp", "-o", str(tmp_path / "crp.xlsx"))
    assert result.returncode == 0, result.stderr
    book = assert_safe_workbook(tmp_path / "crp.xlsx")
    assert book.sheetnames == ["Standards"] and book["Standards"].max_row == 13
    result = _cli("standards", "--framework", "cte_crp", "-o", str(tmp_path / "crp.txt"), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len(assert_safe_csv((tmp_path / "crp.txt").read_bytes())) == 13
    for args, message in [
        (["-o", str(tmp_path / "x.pdf")], "x.pdf: a standards list cannot be written as .pdf files; use .csv, .xlsx "
                                          "or .json (or name one with --format)"),
        (["-o", str(tmp_path / "all.json")], "a CASE package holds one framework and this list has 5"),
        (["-o", str(tmp_path / "x.xlsx"), "--format", "csv"], "the extension says xlsx but the format asked for is csv"),
    ]:
        result = _cli("standards", *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == f"error: {result.stderr.strip()[7:]}" and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crp.txt", "crp.xlsx"]  # nothing else written


def test_align_and_gaps_refuse_what_they_cannot_write_before_doing_anything(tmp_path):
    catalog = ROOT / "standards_data" / "catalogs" / "westview_2025_26_courses.csv"
    started = time.monotonic()
    result = _cli("align", str(catalog), "-o", str(tmp_path / "s.pdf"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {tmp_path / 's.pdf'}: suggestions cannot be written as .pdf files; "
                                     "use .csv or .xlsx (or name one with --format)")
    assert time.monotonic() - started < 60, "refused before loading any model"
    result = _cli("gaps", "standards_data/catalogs/westview_2025_26_pathways.csv", "-o", str(tmp_path / "r.csv"))
    assert result.returncode == 2 and "a gap report cannot be written as .csv files; use .xlsx or .html" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_align_writes_csv_and_xlsx_safely(tmp_path):
    """The real aligner through the CLI, on a catalog whose course id is a formula."""
    from alignment.present.cli import main

    catalog = tmp_path / "catalog.csv"
    pd.DataFrame({"course_id": [FORMULA, "B2"], "description": [
        "Students plan a budget, keep financial records and explain taxes.",
        "Students build web applications with databases."]}).to_csv(catalog, index=False)
    for name in ("s.csv", "s.xlsx"):
        assert main(["align", str(catalog), "-o", str(tmp_path / name), "--frameworks", "cte_crp", "--top-k", "2",
                     "-q"]) == 0
    rows = assert_safe_csv((tmp_path / "s.csv").read_bytes(), SAFE_FORMULA)
    book = assert_safe_workbook(tmp_path / "s.xlsx", SAFE_FORMULA)
    sheet = book["Suggestions"]
    assert [c.value for c in sheet[1]] == rows[0] and sheet.max_row == len(rows) == 5
    scores = [sheet.cell(row=r, column=rows[0].index("score") + 1) for r in range(2, 6)]
    assert all(c.data_type == "n" for c in scores)  # numbers stay numbers
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.csv", "s.csv", "s.xlsx"]
