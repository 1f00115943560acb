"""Course catalogs: load a CSV or Excel file, validate it, return one tidy table.

A catalog is a table with one row per course. Columns (``CATALOG_COLUMNS``):

================  ========  =====================================================
column            required  meaning
================  ========  =====================================================
``course_id``     yes       the school's course code, a string as written
                            (leading zeros kept: ``000150``), unique
``title``                   course title
``department``              catalog section / department
``grades``                  grade levels as printed, e.g. ``9-12``
``sector``                  CA CTE industry sector(s)
``pathway``                 CTE pathway(s)
``level``                   CTE level(s): introductory, concentrator, capstone,
                            academic
``description``   yes       the course description (the text that is aligned)
================  ========  =====================================================

``sector``, ``pathway`` and ``level`` may hold ``"; "``-separated lists for a course
that sits in several pathways (Westview's Internship is in two); the lists are
aligned, so they must have the same number of parts (see :func:`split_multi`).
Any other columns are kept, after these, exactly as they are.

Headers are matched ignoring case, spacing and ``_``/``-``/``.``, and the usual names
of SIS exports are accepted as aliases (``HEADER_ALIASES``): ``Course Number``,
``Course Title``, ``Course Description``, ``Grade Levels``, ``Industry Sector``,
Westview's ``cte_sector``... A header no alias knows is mapped explicitly with
``columns={"Crs Nbr": "course_id"}`` (the CLI's ``--columns "Crs Nbr=course_id"``).

Every value comes back as a string (``""`` for missing, never NaN). Descriptions
are only stripped of surrounding whitespace, put in Unicode NFC and given ``\\n``
line endings; HTML in them is kept as text (escaping is the renderers' job).

Bad input raises :class:`~alignment.io.errors.InputError` listing every problem at once,
each as ``"<file> row <n>: <problem>"`` with the spreadsheet row (header = row 1).
A load either returns a complete, valid table or raises: nothing is half-loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from alignment.settings import Settings, get_settings
from alignment.io.errors import InputError, row_problem
from alignment.io.files import as_utf8, check_size, read_input_file

#: Output columns, in order; extra columns follow them.
CATALOG_COLUMNS: list[str] = [
    "course_id",
    "title",
    "department",
    "grades",
    "sector",
    "pathway",
    "level",
    "description",
]

#: Columns a catalog must have.
REQUIRED_COLUMNS: list[str] = ["course_id", "description"]

#: Accepted header spellings -> catalog column, with the usual names of student
#: information system (SIS) exports (Aeries, PowerSchool, Infinite Campus...). Keys are
#: compared after :func:`header_key` (case, spacing, ``_``/``-``/``.`` ignored), so
#: ``Course Number``, ``course_number`` and ``COURSE  NUMBER`` are one name. The column
#: names themselves are always accepted too.
HEADER_ALIASES: dict[str, str] = {
    "id": "course_id",
    "course id": "course_id",
    "course code": "course_id",
    "course number": "course_id",
    "course no": "course_id",
    "course num": "course_id",
    "course #": "course_id",
    "course title": "title",
    "course name": "title",
    "name": "title",
    "course description": "description",
    "description of course": "description",
    "grade levels": "grades",
    "grade level": "grades",
    "grade": "grades",
    "cte sector": "sector",
    "industry sector": "sector",
    "cte industry sector": "sector",
    "cte pathway": "pathway",
    "pathway name": "pathway",
    "cte level": "level",
}

#: Allowed values of ``level`` (compared case-insensitively, stored lower-case).
LEVELS: tuple[str, ...] = ("introductory", "concentrator", "capstone", "academic")

#: Columns that may hold ``"; "``-separated, position-aligned lists.
MULTI_VALUE_COLUMNS: tuple[str, ...] = ("sector", "pathway", "level")

CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

_MULTI_SEPARATOR = ";"
_SAVE_AS_UTF8 = 'save the file as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)") and try again'


# --------------------------------------------------------------------------- public API


def default_catalog_path(settings: Settings | None = None) -> Path:
    """Where the bundled (vendored) Westview 2025-26 catalog lives."""
    return (settings or get_settings()).standards_data_dir / "catalogs" / "westview_2025_26_courses.csv"


def default_catalog() -> pd.DataFrame:
    """The bundled Westview High School 2025-26 catalog (197 courses)."""
    return load_catalog()


def load_catalog(path: str | PathLike[str] | None = None, *, sheet: str | int | None = None,
                 settings: Settings | None = None, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Load and validate a catalog from a ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.

    ``path`` defaults to :func:`default_catalog_path`. ``sheet`` (Excel only) is a sheet
    name or 0-based index; the first sheet is read by default. Files larger than the
    ``max_input_bytes`` setting are refused before anything is parsed; the limits
    come from ``settings`` (default: :func:`~alignment.settings.get_settings`).

    Returns a DataFrame with ``CATALOG_COLUMNS`` then any extra columns, all strings;
    ``df.attrs["source"]`` is the file name. ``columns`` maps the file's own headers
    to catalog columns (``{"Crs Nbr": "course_id"}``, see :func:`parse_column_mapping`)
    when a name is not among ``HEADER_ALIASES``. Raises :class:`InputError`.
    """
    settings = settings or get_settings()
    path = Path(path) if path is not None else default_catalog_path(settings)
    suffix = _check_suffix(path.name, sheet)
    hint = " (the bundled catalog is vendored by the import script)" if path == default_catalog_path(settings) else ""
    data, source = read_input_file(path, advice="split the catalog", not_found_hint=hint,
                                   limit=settings.max_input_bytes)
    return _load(data, source, suffix, sheet, settings, columns)


def load_catalog_bytes(data: bytes, filename: str, *, sheet: str | int | None = None,
                       settings: Settings | None = None, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Load and validate an uploaded catalog (same rules as :func:`load_catalog`).

    ``filename`` gives the file type (its extension) and the name used in messages;
    any directory part (``C:\\fakepath\\...``) is dropped.
    """
    settings = settings or get_settings()
    source = re.split(r"[\\/]", str(filename))[-1] or "upload"
    suffix = _check_suffix(source, sheet)
    check_size(source, len(data), settings.max_input_bytes, advice="split the catalog")
    return _load(bytes(data), source, suffix, sheet, settings, columns)


def header_key(header: object) -> str:
    """A header as compared with ``HEADER_ALIASES``: lower case, ``_ - .`` as spaces, spaces collapsed."""
    return " ".join(re.sub(r"[_\-.]", " ", _cell_text(header)).split()).lower()


def parse_column_mapping(text: str | None, source: str = "--columns") -> dict[str, str]:
    """Parse ``"Course Number=course_id, Descr=description"`` into ``{header: column}``.

    Each part is ``<header in the file>=<catalog column>``; the column must be one of
    ``CATALOG_COLUMNS``. An empty text gives ``{}``. Raises :class:`InputError` naming the
    part that is wrong.
    """
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        header, sep, column = part.rpartition("=")
        header, column = header.strip(), column.strip().lower()
        if not sep or not header:
            raise InputError(source, row_problem(source, None, f"{part.strip()!r} is not HEADER=COLUMN "
                                                 f'(example: "Course Number=course_id")'))
        if column not in CATALOG_COLUMNS:
            raise InputError(source, row_problem(source, None, f"{part.strip()!r}: {column!r} is not a catalog column; "
                                                 f"use one of {', '.join(CATALOG_COLUMNS)}"))
        mapping[header] = column
    return mapping


def validate_catalog(df: pd.DataFrame, source: str = "<catalog>", settings: Settings | None = None,
                     columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Check a catalog table and return it tidied; raise :class:`InputError` if bad.

    Row ``i`` (0-based position) of ``df`` is reported as spreadsheet row ``i + 2``.
    Rows that are completely blank are dropped. Headers are mapped through
    ``HEADER_ALIASES`` and the explicit ``columns`` mapping (file header -> catalog
    column; it wins over the aliases, and a header it names must exist); values are
    converted to strings (``""`` for missing).
    All problems are collected and raised together, except a catalog over the
    ``max_catalog_rows`` setting, refused before its rows are checked. Limits come from
    ``settings`` (default: :func:`~alignment.settings.get_settings`).

    Column-wise pandas operations throughout: the cost grows linearly with the rows
    (docs/reliability.md), whichever optional columns are missing.
    """
    settings = settings or get_settings()
    source = str(source)
    mapping = dict(columns or {})  # read before ``columns`` is reused for the file's columns
    headers = [_header_text(c) for c in df.columns]
    columns = [_text_column(df.iloc[:, j]) for j in range(df.shape[1])]
    filled = [c.str.strip().ne("") for c in columns]
    n_rows = len(df)

    # Columns with neither a header nor any value (trailing Excel/CSV columns) are noise.
    keep = [i for i, h in enumerate(headers) if h or filled[i].any()]
    headers = [headers[i] for i in keep]
    columns = [columns[i] for i in keep]
    filled = [filled[i] for i in keep]

    if not headers:
        raise InputError(source, row_problem(source, 1, f"no header row; expected columns {', '.join(REQUIRED_COLUMNS)}"))

    # ---- header row
    header_problems: list[str] = []
    explicit = {header_key(h): str(c).strip().lower() for h, c in mapping.items()}
    for header, column in mapping.items():
        if column.strip().lower() not in CATALOG_COLUMNS:
            header_problems.append(row_problem(source, 1, f"mapping {header!r}={column!r}: {column!r} is not a catalog column "
                                                   f"({', '.join(CATALOG_COLUMNS)})"))
        if header_key(header) not in {header_key(h) for h in headers}:
            header_problems.append(row_problem(source, 1, f"mapping {header!r}={column!r}: the file has no column {header!r} "
                                                   f"(columns found: {', '.join(repr(h) for h in headers)})"))
    canonical: dict[str, int] = {}  # catalog column -> position
    extras: dict[str, int] = {}  # extra header -> position
    seen: dict[str, int] = {}
    for pos, header in enumerate(headers):
        name = header or f"column_{pos + 1}"
        target = explicit.get(header_key(name)) or _canonical_name(name)
        if target not in CATALOG_COLUMNS:
            target = None
        key = target or name
        if key in seen:
            first = headers[seen[key]] or f"column {seen[key] + 1}"
            what = f"both mean {target!r}" if target else "have the same name"
            header_problems.append(
                row_problem(
                    source,
                    1,
                    f"columns {first!r} (column {seen[key] + 1}) and {name!r} (column {pos + 1}) {what}; "
                    "keep one of them",
                )
            )
            continue
        seen[key] = pos
        if target:
            canonical[target] = pos
        else:
            extras[name] = pos
    missing = [c for c in REQUIRED_COLUMNS if c not in canonical]
    if missing:
        found = ", ".join(repr(h) for h in headers) or "none"
        accepted = "; ".join(
            f"{c}: " + ", ".join([c, *(a for a, t in HEADER_ALIASES.items() if t == c)]) for c in missing
        )
        unused = [h for h in headers if h and not _canonical_name(h) and header_key(h) not in explicit]
        example = ",".join(f"{h}={c}" for h, c in zip(unused or ["<your column>"] * len(missing), missing))
        header_problems.append(
            row_problem(
                source,
                1,
                f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(columns found: {found}; accepted names, case, spaces and _ ignored: {accepted}); to say which column is which, map them: "
                f'--columns "{example}" on the command line, or the column mapping step of the app\'s upload',
            )
        )

    # ---- rows
    any_filled = np.zeros(n_rows, dtype=bool)
    for mask in filled:
        any_filled |= mask.to_numpy()
    data_rows = np.flatnonzero(any_filled)
    if not len(data_rows):
        raise InputError(source, header_problems + [row_problem(source, 2, "no course rows below the header row")])
    check_row_count(source, len(data_rows), settings)
    sheet_rows = pd.Series(data_rows + 2)  # spreadsheet row of each course

    empty = pd.Series([""] * len(data_rows), dtype=object)
    values: dict[str, pd.Series] = {}
    for name in CATALOG_COLUMNS:
        if name in canonical:
            values[name] = _normalize_column(columns[canonical[name]].iloc[data_rows].reset_index(drop=True))
        else:
            values[name] = empty

    found: list[tuple[int, int, str]] = []  # (row, kind of check, problem): sorted into the file's order
    if "course_id" in canonical:
        for row in sheet_rows[values["course_id"].eq("")]:
            found.append((row, 0, row_problem(source, row, "course_id is empty")))
    if "description" in canonical:
        text = values["description"]
        for row in sheet_rows[text.eq("")]:
            found.append((row, 1, row_problem(source, row, "description is empty")))
        lengths = text.str.len()
        for row, length in zip(sheet_rows[lengths > settings.max_text_chars], lengths[lengths > settings.max_text_chars]):
            found.append((row, 1, row_problem(
                source, row, f"description is {length:,} characters, longer than the "
                             f"{settings.max_text_chars:,} limit; shorten it")))
    for order, name in enumerate(CATALOG_COLUMNS):
        flagged = values[name].str.contains(_CONTROL_CHARACTERS, regex=True)
        for row, value in zip(sheet_rows[flagged], values[name][flagged]):
            bad = _control_chars(value)
            found.append((row, 2 + order, row_problem(
                source, row,
                f"{name} contains control character{'s' if len(bad) > 1 else ''} "
                f"{', '.join(f'U+{ord(ch):04X}' for ch in bad)}; remove {'them' if len(bad) > 1 else 'it'}")))
    listed = values["sector"].ne("") | values["pathway"].ne("") | values["level"].ne("")
    for position in np.flatnonzero(listed.to_numpy()):
        row = int(sheet_rows[position])
        cells = {name: values[name][position] for name in MULTI_VALUE_COLUMNS}
        for text in _check_multi(source, row, cells):
            found.append((row, 2 + len(CATALOG_COLUMNS), text))
    found.sort(key=lambda entry: entry[:2])
    problems = header_problems + [text for _, _, text in found]

    ids = values["course_id"]
    repeated = ids.ne("") & ids.duplicated(keep=False)
    if repeated.any():
        groups = sheet_rows[repeated].groupby(ids[repeated], sort=False)
        for course_id, rows in groups:
            rows = rows.tolist()
            problems.append(
                row_problem(
                    source,
                    rows[0],
                    f"course_id {course_id!r} is used by {len(rows)} rows ({', '.join(map(str, rows))}); "
                    "each course needs its own id",
                )
            )

    if problems:
        raise InputError(source, problems)

    levels = values["level"]
    if levels.ne("").any():
        values["level"] = levels.map(lambda v: "; ".join(p.lower() for p in split_multi(v)) if v else v)
    out = {name: values[name].tolist() for name in CATALOG_COLUMNS}
    for name, pos in extras.items():
        out[name] = columns[pos].iloc[data_rows].tolist()
    result = pd.DataFrame(out, index=pd.RangeIndex(len(data_rows)))
    result.attrs["source"] = source
    return result


def check_row_count(source: str, rows: int, settings: Settings | None = None, *,
                    stopped_at: int | None = None) -> None:
    """Refuse a catalog of more than the ``max_catalog_rows`` setting's course rows
    (``stopped_at``: the spreadsheet row where reading stopped once the limit was passed,
    so ``rows`` is a lower bound)."""
    settings = settings or get_settings()
    limit = settings.max_catalog_rows
    if rows > limit:
        count = (f"more course rows than the limit of {limit:,} (reading stopped at row {stopped_at:,})"
                 if stopped_at else f"{rows:,} course rows, more than the limit of {limit:,}")
        raise InputError(
            source,
            row_problem(source, None, f"{count}; split the catalog or raise {settings.source_of('max_catalog_rows')}"),
        )


def split_multi(value: object) -> list[str]:
    """Split a ``"; "``-separated field into its parts (``[]`` for an empty value).

    Parts are trimmed; an empty part inside a list is kept (as ``""``) so that the
    sector, pathway and level lists stay aligned by position.
    """
    text = _cell_text(value).strip()
    if not text:
        return []
    return [part.strip() for part in text.split(_MULTI_SEPARATOR)]


def course_sectors(row_or_value: object) -> list[str]:
    """The CTE sectors of a course: a catalog row (its ``sector``) or a sector value."""
    if isinstance(row_or_value, (Mapping, pd.Series)):
        value = row_or_value.get("sector", "")
    else:
        value = row_or_value
    return split_multi(value)


# --------------------------------------------------------------------------- reading files


def _check_suffix(source: str, sheet: object) -> str:
    suffix = Path(source).suffix.lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "no extension"
        raise InputError(
            source,
            row_problem(
                source,
                None,
                f"unsupported file type ({shown}); use a .csv/.txt (comma-separated, UTF-8) "
                "or an Excel .xlsx/.xlsm file (save .xls or .ods files as .xlsx first)",
            ),
        )
    if sheet is not None and suffix in CSV_SUFFIXES:
        raise InputError(source, row_problem(source, None, f"sheet={sheet!r} was given, but a CSV file has no sheets"))
    return suffix


def _load(data: bytes, source: str, suffix: str, sheet: str | int | None, settings: Settings,
          columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    raw = _read_csv(data, source) if suffix in CSV_SUFFIXES else _read_excel(data, source, sheet, settings)
    return validate_catalog(raw, source, settings, columns)


def _read_csv(data: bytes, source: str) -> pd.DataFrame:
    text = _decode_utf8(as_utf8(data, source), source)
    if not text.strip():
        raise InputError(
            source, row_problem(source, None, "file is empty; expected a header row with course_id and description")
        )
    try:
        table = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,  # keep row numbers equal to the spreadsheet's
            engine="c",
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        message = " ".join(str(exc).split())
        match = re.search(r"EOF inside string starting at row (\d+)", message)
        if match:  # pandas counts records from 0, header included
            row = int(match.group(1)) + 1
            problem = f"a quoted value starts here and its closing quote is missing (pandas: {message})"
        else:
            row = None
            problem = f"is not a well-formed CSV file: {message}; check quotes and the number of commas"
        raise InputError(source, row_problem(source, row, problem)) from None
    except pd.errors.EmptyDataError:
        raise InputError(source, row_problem(source, None, "file is empty")) from None
    header = [str(v) for v in table.iloc[0].tolist()]
    body = table.iloc[1:]
    return pd.DataFrame(body.to_numpy(), columns=header) if len(body) else pd.DataFrame(columns=header)


def _decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data.count(b"\n", 0, offset) + 1
        row = _csv_row_at(data, offset)
        line_note = f" (line {line} of the file)" if line != row else ""
        bad = data[offset : min(exc.end, offset + 4)]
        raise InputError(
            source,
            row_problem(
                source,
                row,
                f"byte {' '.join(f'0x{b:02X}' for b in bad)} at byte offset {offset:,}{line_note} is not valid "
                f"UTF-8 (the file looks like Windows-1252/Latin-1 text); {_SAVE_AS_UTF8}",
            ),
        ) from None


def _csv_row_at(data: bytes, offset: int) -> int:
    """The spreadsheet row (1-based, quoted line breaks counted once) holding byte ``offset``."""
    prefix = data[:offset].decode("utf-8-sig", errors="replace")
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(prefix, newline="")))
    except csv.Error:  # fall back to physical lines
        return data.count(b"\n", 0, offset) + 1
    at_record_start = prefix == "" or prefix.endswith("\n") and not _inside_quotes(prefix)
    return records + 1 if at_record_start else max(records, 1)


def _inside_quotes(text: str) -> bool:
    return text.count('"') % 2 == 1


def _read_excel(data: bytes, source: str, sheet: str | int | None, settings: Settings) -> pd.DataFrame:
    import openpyxl  # imported here: CSV users do not pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            source,
            row_problem(
                source,
                None,
                f"is not a readable Excel workbook ({type(exc).__name__}: {exc}); "
                "open it in Excel and save it as .xlsx or as CSV UTF-8",
            ),
        ) from None
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise InputError(
                    source,
                    row_problem(
                        source, None, f"sheet index {sheet} does not exist; sheets: {', '.join(map(repr, names))}"
                    ),
                )
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            raise InputError(
                source,
                row_problem(source, None, f"sheet {sheet!r} not found; sheets in this workbook: {', '.join(map(repr, names))}"),
            )
        worksheet = book[name]
        worksheet.reset_dimensions()  # some writers store wrong dimensions; read every row
        rows = _stream_rows(worksheet.iter_rows(values_only=True), source, name, settings)
    finally:
        book.close()
    while rows and not any(v.strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError(
            source,
            row_problem(source, None, f"sheet {name!r} is empty; put the header (course_id, description, ...) in row 1"),
        )
    frame = pd.DataFrame(rows[1:], columns=rows[0]) if len(rows) > 1 else pd.DataFrame(columns=rows[0])
    frame.attrs["sheet"] = name
    return frame


#: Rows with a value right of the header that are named before reading stops.
_BEYOND_HEADER_SHOWN = 5


def _stream_rows(rows, source: str, sheet: str, settings: Settings) -> list[list[str]]:
    """A worksheet's rows as text, read one at a time and cut at the last header column.

    Row 1 is the header; its last non-empty cell is the last column read. A value right
    of it is an error naming the row and column (reading stops after a few), and more
    than the ``max_catalog_rows`` setting's course rows stop the reading with the row-limit
    error, so a small workbook with a cell in column XFD (16,384) or a million rows
    costs what its header and its first rows cost, not rows x 16,384 cells.
    """
    from openpyxl.utils import get_column_letter

    out: list[list[str]] = []
    beyond: list[str] = []
    width = 0
    courses = 0
    for number, values in enumerate(rows, start=1):
        if number == 1:
            header = [_excel_text(v) for v in values]
            width = max((i + 1 for i, v in enumerate(header) if v.strip()), default=0)
            if not width:
                raise InputError(source, row_problem(
                    source, 1, f"the header row of sheet {sheet!r} is empty; put the column names "
                               "(course_id, description, ...) in row 1"))
            out.append(header[:width])
            last_header = f"column {get_column_letter(width)}, {header[width - 1].strip()!r}"
            continue
        tail = values[width:]
        if tail and tail.count(None) != len(tail):
            position = next((i for i, v in enumerate(tail) if v is not None and _excel_text(v).strip()), None)
            if position is not None:
                column = width + position + 1
                beyond.append(row_problem(
                    source, number,
                    f"a value in column {get_column_letter(column)} ({column:,}), right of the last header "
                    f"({last_header}); give the column a header in row 1 or delete the value"))
                if len(beyond) >= _BEYOND_HEADER_SHOWN:
                    beyond.append(row_problem(source, None, f"reading stopped at row {number:,}; there may be "
                                                            "more values right of the header"))
                    break
        cells = [_excel_text(v) for v in values[:width]]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        if any(c.strip() for c in cells):
            courses += 1
            if courses > settings.max_catalog_rows:
                check_row_count(source, courses, settings, stopped_at=number)
        out.append(cells)
    if beyond:
        raise InputError(source, beyond)
    return out


def _excel_text(value: object) -> str:
    """An Excel cell as the text a user sees (integers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date().isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- cells


def _cell_text(value: object) -> str:
    """Any cell value (from a file or from code) as a string; missing -> ``""``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, str):
        return value
    return str(value)


def _text_column(values: pd.Series) -> pd.Series:
    """A column as strings (:func:`_cell_text` of each cell), with a 0-based position index.
    Columns read from files are strings already and are only re-indexed."""
    column = pd.Series(values.to_numpy(dtype=object), dtype=object)
    if pd.api.types.infer_dtype(column, skipna=False) in ("string", "empty"):
        return column
    return column.map(_cell_text)


def _normalize_column(values: pd.Series) -> pd.Series:
    """:func:`_normalize` of every cell of a string column."""
    text = values.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    return text.str.strip().str.normalize("NFC")


def _header_text(value: object) -> str:
    return _cell_text(value).strip()


_ALIAS_KEYS: dict[str, str] = {
    **{header_key(a): t for a, t in HEADER_ALIASES.items()}, **{header_key(c): c for c in CATALOG_COLUMNS}}


def _canonical_name(header: str) -> str | None:
    return _ALIAS_KEYS.get(header_key(header))


def _normalize(value: str) -> str:
    """Strip, NFC, ``\\n`` line endings. Nothing else (HTML stays as text)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text.strip())


#: Unicode category Cc (C0 and C1 control characters) except tab and line feed.
_CONTROL_CHARACTERS = "[\x00-\x08\x0b-\x1f\x7f-\x9f]"


def _control_chars(text: str) -> list[str]:
    found: list[str] = []
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc" and ch not in found:
            found.append(ch)
    return found


def _check_multi(source: str, row: int, values: dict[str, str]) -> list[str]:
    problems: list[str] = []
    counts: dict[str, int] = {}
    for name in MULTI_VALUE_COLUMNS:
        parts = split_multi(values[name])
        if not parts:
            continue
        counts[name] = len(parts)
        if any(not p for p in parts):
            problems.append(row_problem(source, row, f"{name} {values[name]!r} has an empty item in its '; ' list"))
        if name == "level":
            wrong = [p for p in parts if p and p.lower() not in LEVELS]
            if wrong:
                problems.append(
                    row_problem(
                        source,
                        row,
                        f"level {', '.join(map(repr, wrong))} is not one of {', '.join(LEVELS)}",
                    )
                )
    if len(set(counts.values())) > 1:
        shown = ", ".join(f"{name} has {n}" for name, n in counts.items())
        problems.append(
            row_problem(
                source,
                row,
                f"sector, pathway and level lists must have the same number of '; '-separated parts ({shown})",
            )
        )
    return problems
