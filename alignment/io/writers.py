"""The one writer for each output kind: CSV, Excel, any file atomically; and one slug.

Every table the package hands to a person goes out through here, so every output gets
the same safety:

* **Cells are data, never formulas.** A text cell (or header) that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
  (:func:`safe_text`), in CSV *and* in Excel: a spreadsheet opening the CSV shows the
  text instead of running it, and the Excel cell holds text that stays text when someone
  edits it (OWASP's advice for CSV injection). The apostrophe is visible; that is the
  price of one rule for both formats. Real numbers are left alone: a number (``int``,
  ``float``, numpy scalar) is written as a number, so ``-0.25`` stays a number in Excel,
  and a text that *is* a plain number (``"-12.5"``) is not prefixed either, since no
  spreadsheet reads a number as a formula. Reading one of our CSVs back undoes the
  apostrophe (:func:`unsafe_text`, :func:`unsafe_frame`), so a round trip keeps the text.
* **Characters Excel refuses** (openpyxl's ``ILLEGAL_CHARACTERS_RE``: control characters
  other than tab, line feed and carriage return, e.g. a vertical tab pasted into a
  note) are removed from every text cell, in both formats, so one pasted note can never
  make an export fail.
* **Files are written atomically** (:func:`atomic_write`): into a temporary file beside
  the target, flushed and fsynced, then renamed over it; on any error, and on SIGTERM,
  the temporary file is removed, so a reader sees the old file or the new one, never
  half of one, and no stray file is left behind.

In-memory twins (:func:`csv_bytes`, :func:`excel_bytes`) return what the file writers
write, for the apps' downloads (Voila serves no files).

Imports only the standard library, pandas and openpyxl (lazily): ``io`` is the bottom
layer of the package.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import re
import secrets
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from alignment.io.errors import InputError, row_problem

# =========================================================================== cells

#: What openpyxl refuses in a cell (its ``ILLEGAL_CHARACTERS_RE``): C0 controls except
#: tab, line feed, carriage return.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: First characters that make a spreadsheet read a cell as a formula (OWASP list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: A text that may need :func:`safe_text` (one C-speed search; most texts do not).
_NEEDS_CARE = re.compile(r"\A[=+\-@\t\r]|[\000-\010\013\014\016-\037]")


def safe_text(value: str) -> str:
    """``value`` made safe for a spreadsheet cell: characters Excel refuses removed, and a
    leading apostrophe when it would otherwise start a formula (``=``, ``+``, ``-``,
    ``@``, tab, carriage return). A plain number (``"-3"``, ``"+1.5e3"``) is left as it
    is. Idempotent: ``safe_text(safe_text(x)) == safe_text(x)``."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unsafe_text(value: str) -> str:
    """What :func:`safe_text` was given, for a cell read back from one of our files: the
    leading apostrophe it adds before ``=``, ``+``, ``-``, ``@``, tab or carriage return
    is removed, so a note such as ``"-- ask the department"`` survives an export and an
    import unchanged. Only an apostrophe the writer would have added goes (``"'-3"`` stays:
    a plain number is never prefixed). Since :func:`safe_text` is idempotent, a text of
    one's own that already began with an apostrophe and one of those characters reads
    back without the apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def unsafe_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (as read with ``dtype=str``) with :func:`unsafe_text` applied to its text
    cells: the reading side of :func:`safe_frame`."""
    out = table.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(lambda v: unsafe_text(v) if isinstance(v, str) and v[:1] == "'" else v))
    return out


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def safe_cell(value):
    """One value as a spreadsheet cell: ``None`` for missing (None, NaN, NA, NaT), numbers
    and booleans as they are (numpy scalars as Python ones), dates as they are, lists as
    ``"a; b"``, everything else as :func:`safe_text` of its text."""
    if isinstance(value, np.generic):
        value = value.item()  # numpy scalars as Python ones
    if _is_missing(value):
        return None
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(map(str, value))
    return safe_text(str(value))


def _safe_object(value):
    if type(value) is str:
        return value if _NEEDS_CARE.search(value) is None else safe_text(value)
    return value if _is_missing(value) else safe_cell(value)


def safe_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose headers and text cells are :func:`safe_text` (lists
    joined as ``"a; b"``); numeric and date columns are untouched (a number is never a
    formula), missing values stay missing."""
    out = table.copy()
    out.columns = [safe_text(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        out.isetitem(i, pd.Series(_safe_values(column), index=out.index, dtype=object))
    return out


def _safe_values(column: pd.Series) -> np.ndarray:
    """:func:`_safe_object` of each value, computed once per distinct value (ids, codes
    and bands repeat on every row of a suggestions table)."""
    original = column.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(original, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): one by one
        return np.array([_safe_object(v) for v in original] or [], dtype=object)
    if len(uniques) == 0:
        return original
    safe = np.empty(len(uniques), dtype=object)
    safe[:] = [_safe_object(v) for v in uniques]
    return np.where(codes >= 0, safe.take(np.maximum(codes, 0)), original)


# =========================================================================== slugs

def slug(text, *, separator: str = "-", lower: bool = True, keep: str = "", default: str = "") -> str:
    """``"Business & Finance"`` -> ``"business-finance"``: runs of anything but ASCII
    letters, digits and the characters in ``keep`` become one ``separator``, which is
    stripped from both ends; ``default`` when nothing is left. ``lower=False`` keeps the
    case (CSS classes, which also keep ``_`` and ``-``)."""
    text = str(text)
    if lower:
        text = text.lower()
    allowed = "a-z0-9" if lower else "A-Za-z0-9"
    value = re.sub(f"[^{allowed}{re.escape(keep)}]+", separator, text).strip(separator)
    return value or default


# =========================================================================== atomic writes

_active: dict[str, None] = {}  # temporary files being written, in this process
_state = threading.Lock()
_previous_handler: Any = None
_installed = 0


def _on_sigterm(signum, frame):
    """SIGTERM while a file is being written: remove every temporary file, then die as
    the previous handler would have (the default: terminated by SIGTERM)."""
    previous = _previous_handler
    if callable(previous):  # someone else handles SIGTERM: let them; our finally-blocks clean up
        previous(signum, frame)
        return
    for tmp in list(_active):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _guard_sigterm() -> bool:
    """Install the SIGTERM handler for the duration of a write (main thread only; nested
    and concurrent writes share it). Returns whether this call took a share."""
    global _previous_handler, _installed
    if threading.current_thread() is not threading.main_thread():
        return False
    with _state:
        if _installed == 0:
            current = signal.getsignal(signal.SIGTERM)
            if current is signal.SIG_IGN or current is None:
                return False  # SIGTERM ignored (or set outside Python): nothing will kill us
            _previous_handler = current
            signal.signal(signal.SIGTERM, _on_sigterm)
        _installed += 1
    return True


def _release_sigterm() -> None:
    global _installed, _previous_handler
    with _state:
        _installed -= 1
        if _installed == 0:
            if signal.getsignal(signal.SIGTERM) is _on_sigterm:
                signal.signal(signal.SIGTERM, _previous_handler)
            _previous_handler = None


def temporary_name(path: Path) -> Path:
    """The temporary file a write of ``path`` goes through: visible (no leading dot), in
    the same folder (so the final rename is atomic), ending in ``.tmp``."""
    return path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")


@contextmanager
def atomic_write(path: str | Path, mode: str = "wb", *, encoding: str | None = None,
                 newline: str | None = None) -> Iterator[IO]:
    """``with atomic_write(path) as handle: handle.write(...)``: the file appears whole or
    not at all.

    Writes to :func:`temporary_name` beside ``path`` (its folder is created), then
    flushes, fsyncs and ``os.replace``-s it over ``path`` (and fsyncs the folder). If the
    block raises, or the process gets SIGTERM meanwhile (while the default handler is in
    force: the handler removes the temporary file, then the process dies of SIGTERM as
    it would have), the temporary file is removed and ``path`` is left as it was.
    ``mode`` is ``"wb"`` or ``"w"`` (text: ``encoding`` defaults to UTF-8).
    Only SIGKILL or a power cut can leave ``<name>.<hex>.tmp`` behind, visibly.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes a new file: mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    guarded = _guard_sigterm()
    _active[str(tmp)] = None
    try:
        text = mode == "w"
        with open(tmp, mode, encoding=(encoding or "utf-8") if text else None,
                  newline=newline if text else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_folder(path.parent)
    finally:
        _active.pop(str(tmp), None)
        if os.path.exists(tmp):
            os.unlink(tmp)
        if guarded:
            _release_sigterm()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """``data`` written to ``path`` atomically; returns the path."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """``text`` written to ``path`` atomically as UTF-8; returns the path."""
    return write_bytes(path, text.encode("utf-8"))


# =========================================================================== CSV

def _csv_chunks(table: pd.DataFrame | Iterable[pd.DataFrame], columns: list[str] | None) -> Iterator[pd.DataFrame]:
    frames = [table] if isinstance(table, pd.DataFrame) else table
    seen = False
    for frame in frames:
        seen = True
        yield frame if columns is None else frame[columns]
    if not seen:
        yield pd.DataFrame(columns=columns or [])


def _write_csv_to(handle: IO[str], table, columns, bom: bool, on_chunk: Callable[[pd.DataFrame], None] | None):
    if bom:
        handle.write("\ufeff")
    header = True
    for frame in _csv_chunks(table, columns):
        if header and columns is None:
            columns = list(frame.columns)
        safe_frame(frame).to_csv(handle, index=False, header=header, lineterminator="\n")
        header = False
        if on_chunk is not None and len(frame):
            on_chunk(frame)


def csv_bytes(table: pd.DataFrame, *, columns: list[str] | None = None, bom: bool = False) -> bytes:
    """``table`` as UTF-8 CSV bytes (``\\n`` line ends; every cell and header through
    :func:`safe_text`). ``bom=True`` starts with a byte-order mark, so Excel opens
    accented text correctly."""
    buffer = io.StringIO(newline="")
    _write_csv_to(buffer, table, columns, bom, None)
    return buffer.getvalue().encode("utf-8")


def write_csv(table: pd.DataFrame | Iterable[pd.DataFrame], path: str | Path, *, columns: list[str] | None = None,
              bom: bool = False, on_chunk: Callable[[pd.DataFrame], None] | None = None) -> Path:
    """``table`` written to ``path`` as :func:`csv_bytes` would, atomically.

    ``table`` may be an iterable of DataFrames (chunks, e.g. ``Aligner.iter_suggest``):
    each is written as it comes, under one header, so memory is bounded by a chunk;
    ``on_chunk(frame)`` is called after each non-empty chunk is written; ``columns``
    picks and orders the columns (and is the header of an empty result)."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        _write_csv_to(handle, table, columns, bom, on_chunk)
    return Path(path)


# =========================================================================== Excel

#: Rows in one Excel sheet (including the header row).
EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class ExcelLayout:
    """How :func:`excel_bytes` lays out every sheet.

    ``freeze``: the cell whose top-left is frozen (``"A2"``: the header row);
    ``autofilter``: filters over the table; ``min_width``/``max_width``: column widths
    from the longest of the header and the first ``sample_rows`` values; ``wrap_long``:
    wrap the cells of columns whose values are longer than ``max_width``;
    ``header_fill``: an RGB hex (``"404040"``) for a dark header with white bold text,
    else bold text only; ``header_height``: points, or None for the default.
    """

    freeze: str | None = "A2"
    autofilter: bool = True
    min_width: int = 10
    max_width: int = 60
    sample_rows: int = 500
    wrap_long: bool = False
    header_fill: str | None = None
    header_height: float | None = None


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused Excel sheet title: at most 31 characters, none of ``[]:*?/\\``,
    no control characters, not starting or ending with an apostrophe."""
    clean = re.sub(r"[\[\]:*?/\\]", "-", ILLEGAL_CHARACTERS_RE.sub("", str(title))).strip("'")[:31] or "Sheet"
    taken = set(taken)
    base, n = clean, 2
    while clean in taken:
        clean = f"{base[:28]} {n}"
        n += 1
    return clean


def _write_sheet(sheet, table: pd.DataFrame, layout: ExcelLayout, source: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    if len(table) + 1 > EXCEL_MAX_ROWS:
        raise InputError(source, row_problem(source, None, f"sheet {sheet.title!r} would have {len(table) + 1:,} rows, "
                                                           f"more than Excel's {EXCEL_MAX_ROWS:,}; write CSV instead"))
    header = [safe_cell(c) for c in table.columns]
    sheet.append(header)
    for values in table.itertuples(index=False, name=None):
        sheet.append([safe_cell(v) for v in values])
    if not header:
        return
    for cell in sheet[1]:
        if layout.header_fill:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=layout.header_fill)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        else:
            cell.font = Font(bold=True)
    if layout.header_height:
        sheet.row_dimensions[1].height = layout.header_height
    if layout.freeze:
        sheet.freeze_panes = layout.freeze
    if layout.autofilter:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(table) + 1)}"
    for i in range(len(header)):
        sample = table.iloc[: layout.sample_rows, i].tolist()
        longest = max([len(str(header[i]))] + [len(str(v)) for v in sample if not _is_missing(v)])
        letter = get_column_letter(i + 1)
        sheet.column_dimensions[letter].width = min(layout.max_width, max(layout.min_width, longest + 2))
        if layout.wrap_long and longest > layout.max_width:
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _neutralise(book) -> None:
    """Last line of defence before saving: whatever a ``finish`` callback put in the
    workbook, no cell is a formula and no text holds a character Excel refuses."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, str):
                    safe = safe_text(str(cell.value))
                    if safe != cell.value or cell.data_type == "f":
                        cell.value = safe


def build_workbook(sheets: Mapping[str, pd.DataFrame], *, layout: ExcelLayout = ExcelLayout(),
                   finish: Callable[[Any, dict[str, Any]], None] | None = None, source: str = "<workbook>"):
    """An openpyxl ``Workbook`` with one sheet per ``(name, DataFrame)`` of ``sheets`` (in
    order; names made valid by :func:`sheet_title`), laid out by ``layout``; every
    header and cell through :func:`safe_cell`.

    ``finish(workbook, worksheets)`` (``worksheets``: each given name -> its sheet) is
    called last, to add what only that output has (colours, frozen label columns,
    images, extra sheets); whatever it adds is neutralised again when saved."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    worksheets = {}
    for name, table in sheets.items():
        sheet = book.create_sheet(sheet_title(name, book.sheetnames))
        _write_sheet(sheet, table, layout, source)
        worksheets[name] = sheet
    if not book.sheetnames:
        book.create_sheet("Sheet")
    if finish is not None:
        finish(book, worksheets)
    return book


def workbook_bytes(book) -> bytes:
    """A workbook as .xlsx bytes, after :func:`_neutralise`."""
    _neutralise(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def excel_bytes(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, *, layout: ExcelLayout = ExcelLayout(),
                finish: Callable[[Any, dict[str, Any]], None] | None = None, source: str = "<workbook>") -> bytes:
    """``sheets`` (``{name: DataFrame}``, or one DataFrame for a sheet "Sheet1") as .xlsx
    bytes: :func:`build_workbook` then :func:`workbook_bytes`."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Sheet1": sheets}
    return workbook_bytes(build_workbook(sheets, layout=layout, finish=finish, source=source))


def write_excel(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, path: str | Path, *,
                layout: ExcelLayout = ExcelLayout(), finish: Callable[[Any, dict[str, Any]], None] | None = None) -> Path:
    """:func:`excel_bytes` written to ``path`` atomically; returns the path."""
    path = Path(path)
    return write_bytes(path, excel_bytes(sheets, layout=layout, finish=finish, source=path.name))


# =========================================================================== formats

#: Output formats by file extension.
FORMATS_BY_SUFFIX = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".html": "html", ".htm": "html"}


def _choices(allowed: list[str]) -> str:
    names = [f".{a}" for a in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def output_format(path: str | Path, allowed: Iterable[str], requested: str | None = None,
                  what: str = "this output", hint: str = "") -> str:
    """The format to write ``path`` in: ``requested`` (a ``--format`` option) if given,
    else the one its extension names (:data:`FORMATS_BY_SUFFIX`); one of ``allowed``.

    Raises :class:`InputError` (one line, naming the file and what can be written) for
    an extension or format that cannot be written, or a ``requested`` format that
    contradicts a known extension: writing CSV into ``x.json`` is never right.
    ``hint`` is added to the message (the CLI: ``" (or name one with --format)"``)."""
    path = Path(path)
    allowed = list(allowed)
    suffix = path.suffix.lower()
    named = FORMATS_BY_SUFFIX.get(suffix)
    source = path.name or str(path)
    if requested is not None:
        requested = requested.lower().lstrip(".")
        if requested not in allowed:
            raise InputError(source, f"{path}: {what} cannot be written as {requested}; use {_choices(allowed)}")
        if named is not None and named != requested:
            raise InputError(source, f"{path}: the extension says {named} but the format asked for is "
                                     f"{requested}; make them agree")
        return requested
    if named in allowed:
        return named
    kind = f"{suffix} files" if suffix else "a file without an extension"
    raise InputError(source, f"{path}: {what} cannot be written as {kind}; use {_choices(allowed)}{hint}")
