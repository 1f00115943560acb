"""Standards: load, validate, filter and search the one tidy standards table.

The bundled table is ``standards_data/standards.csv``, made from the raw files in
``../shared`` by ``standards_data/import_shared.py`` (see ``standards_data/README.md``
for the identifier scheme and every choice made). One row is one standard, indicator
or heading, with these columns (the names are the contract other modules code against):

===================  ==========================================================
standard_id          unique, stable id (``CCSS.Math.Content.HSA.SSE.A.1a``,
                     ``CA-CTE.PATHWAY.BF.BM.A1.1``, ``custom.<framework>.<code>``)
framework            ``ccss_math``, ``ccss_ela``, ``cte_anchor``, ``cte_crp``,
                     ``cte_pathway`` (custom imports: their own name)
framework_title      human name of the framework
code                 the code as in the source (CCSS: full official code)
display_code         short human code (``HSA.SSE.A.1a``, ``BF A1.1``)
subject              ``Mathematics`` / ``ELA-Literacy`` / empty for CTE
sector               CTE industry sector, ``ALL`` for cross-sector rows, else empty
pathway              CTE pathway name or empty
grade, grade_band    grade as in the source; band ``K-5``/``6-8``/``9-12``/``K-12``
domain, cluster      hierarchy labels (see README for CTE)
parent_id            standard_id of the parent, empty at the top
depth                0 at the top
kind                 ``heading``, ``standard``, ``sub-standard`` or ``indicator``
is_leaf              True when no row has this row as parent
title                anchor titles, CCSS heading labels; else empty
text                 the official text, verbatim (empty only for titled headings)
match_text           ancestors' labels joined with `` > `` before the text
completeness         ``complete``, ``partial`` (bundled) or ``unknown`` (imports)
completeness_note    one sentence saying what is missing
source_file          file the row (or heading label) came from
source_row           1-based data row in source_file (header not counted);
                     empty for derived heading rows
edition              edition id: ``2010`` (Common Core), ``2013`` (CA CTE),
                     ``2023-draft`` (see :mod:`alignment.data.editions`)
edition_status       ``adopted`` or ``draft``
focus_area           focus area of a 2023-layout pathway standard, else empty
===================  ==========================================================

The last three columns are optional in a table read from a file: a table without
them (an older library import, a user's CSV) gets the defaults of
:func:`alignment.data.editions.with_editions` (CA CTE ``2013``, Common Core ``2010``,
adopted).

Everything here is pure except :func:`load_standards` and :func:`standards_from_csv`,
which read files and validate them at the boundary (:class:`~alignment.io.errors.InputError`
naming file, row and problem).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from alignment.data.editions import with_editions
from alignment.data.frameworks import FRAMEWORKS, SECTORS
from alignment.data.hierarchy import MAX_DEPTH, walk_parents
from alignment.data.sectors import import_hint
from alignment.settings import get_settings
from alignment.io.errors import InputError, row_problem
from alignment.io.files import as_utf8, read_input_file
from alignment.io.writers import slug

#: The tidy table's columns, in order.
TIDY_COLUMNS = [
    "standard_id", "framework", "framework_title", "code", "display_code", "subject",
    "sector", "pathway", "grade", "grade_band", "domain", "cluster", "parent_id", "depth",
    "kind", "is_leaf", "title", "text", "match_text", "completeness", "completeness_note",
    "source_file", "source_row", "edition", "edition_status", "focus_area",
]
#: Columns a table read from a file may lack (filled by :func:`coerce_tidy`).
OPTIONAL_COLUMNS = ["edition", "edition_status", "focus_area"]
_INT_COLUMNS = ["depth"]
_BOOL_COLUMNS = ["is_leaf"]
_NULLABLE_INT_COLUMNS = ["source_row"]
STRING_COLUMNS = [c for c in TIDY_COLUMNS if c not in _INT_COLUMNS + _BOOL_COLUMNS + _NULLABLE_INT_COLUMNS]

KINDS = ("heading", "standard", "sub-standard", "indicator")
COMPLETENESS_VALUES = ("complete", "partial", "unknown")

SECTOR_BY_ABBREVIATION = {abbr: name for name, abbr in SECTORS.items()}

#: Sector value of rows that belong to every sector (anchor titles, CRP).
ALL_SECTORS = "ALL"

_SMALL_WORDS = {"and", "of", "the", "for", "in", "to", "a", "an"}


def abbreviate(name: str) -> str:
    """Deterministic abbreviation of a sector or pathway name.

    The initials of the words other than "and", "of", "the", ... in capitals
    (``Business Management`` -> ``BM``); a one-word name gives its first three
    letters (``Networking`` -> ``NET``, ``Transportation`` -> ``TRA``).
    """
    words = [w for w in re.findall(r"[A-Za-z0-9]+", name) if w.lower() not in _SMALL_WORDS]
    if not words:
        raise ValueError(f"cannot abbreviate {name!r}: it has no words")
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words).upper()


# ------------------------------------------------------------------ grades

_GRADE_NUMBER = {"K": 0, **{str(n): n for n in range(1, 13)}}
_BANDS = [("K-5", 0, 5), ("6-8", 6, 8), ("9-12", 9, 12)]


def grade_span(value: str) -> tuple[int, int] | None:
    """``(low, high)`` grades (K = 0) of ``K``, ``7``, ``HS``, ``9-10``, ``K-12``; None if not a grade."""
    text = str(value or "").strip().upper()
    if not text:
        return None
    if text == "HS":
        return (9, 12)
    if text in _GRADE_NUMBER:
        n = _GRADE_NUMBER[text]
        return (n, n)
    match = re.fullmatch(r"(K|\d{1,2})\s*-\s*(K|\d{1,2})", text)
    if match and match.group(1) in _GRADE_NUMBER and match.group(2) in _GRADE_NUMBER:
        low, high = _GRADE_NUMBER[match.group(1)], _GRADE_NUMBER[match.group(2)]
        if low <= high:
            return (low, high)
    return None


def grade_band(grade: str) -> str:
    """The band of a grade: ``K-5``, ``6-8``, ``9-12`` (``HS`` too) or ``K-12``; "" if it spans bands."""
    span = grade_span(grade)
    if span is None:
        return ""
    if span == (0, 12):
        return "K-12"
    for band, low, high in _BANDS:
        if low <= span[0] and span[1] <= high:
            return band
    return ""


# ------------------------------------------------------------------ hierarchy

def _label(text: str, title: str) -> str:
    return text if text else title


def _context(row: dict) -> list[str]:
    grade = row.get("grade", "")
    sector = row.get("sector", "")
    return [
        row.get("subject", ""),
        f"grade {grade}" if grade else "",
        sector if sector != ALL_SECTORS else "",
        row.get("pathway", ""),
        row.get("focus_area") if isinstance(row.get("focus_area"), str) else "",
    ]


def add_hierarchy_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with ``depth``, ``is_leaf`` and ``match_text`` computed from ``parent_id``.

    ``match_text`` is the row's context (subject, ``grade <g>``, sector, pathway), then
    the labels of its ancestors from the top (their text, or title where the text is
    empty), then its own text (or title), joined with `` > ``; empty parts and a part
    equal to the one before it are left out. Only real texts are concatenated.
    Raises ValueError on unknown parents, cycles or a hierarchy deeper than
    :data:`~alignment.data.hierarchy.MAX_DEPTH` (validate first for user data).
    Linear in the rows plus the length of the ``match_text`` it writes.
    """
    ids = df["standard_id"].tolist()
    parents = df["parent_id"].tolist()
    labels = dict(zip(ids, (_label(t, h) for t, h in zip(df["text"], df["title"]))))
    parent_of = dict(zip(ids, parents))
    walk = walk_parents(ids, parent_of)
    if walk.unknown:
        sid, parent = next(iter(walk.unknown.items()))
        raise ValueError(f"{sid}: parent {parent!r} is not in the table")
    if walk.cycles:
        cycle = walk.cycles[0]
        raise ValueError(f"{cycle[0]}: parent cycle through {' -> '.join(map(repr, cycle + cycle[:1]))}")
    deep = walk.too_deep()
    if deep:
        raise ValueError(f"{deep[0]}: more than {MAX_DEPTH:,} levels of parents")
    # each row's ancestors' labels, top first, built from its parent's (top-down order)
    chains: dict[str, list[str]] = {}
    for sid in walk.order:
        parent = parent_of[sid]
        chains[sid] = chains[parent] + [labels[parent]] if parent else []
    has_child = {p for p in parents if p}

    depth, is_leaf, match_text = [], [], []
    for r, sid in zip(df.to_dict("records"), ids):
        depth.append(walk.depth[sid])
        is_leaf.append(sid not in has_child)
        parts = _context(r) + chains[sid]
        parts.append(labels[sid])
        kept: list[str] = []
        for part in parts:
            if part and (not kept or kept[-1] != part):
                kept.append(part)
        match_text.append(" > ".join(kept))
    return df.assign(depth=depth, is_leaf=is_leaf, match_text=match_text)


# ------------------------------------------------------------------ the tidy table

def coerce_tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in :data:`TIDY_COLUMNS` order with the table's dtypes.

    Strings: missing -> ""; ``depth`` int64; ``is_leaf`` bool; ``source_row`` Int64
    (nullable: empty for derived headings); an empty ``edition``/``edition_status`` gets
    its framework's default (:func:`~alignment.data.editions.with_editions`). Values must
    already be clean.
    """
    out = df.reindex(columns=TIDY_COLUMNS).copy()
    for col in STRING_COLUMNS:  # (an all-empty column reads as float: cast before filling)
        out[col] = out[col].astype(object).fillna("").astype(str)
    out = with_editions(out)
    out["depth"] = out["depth"].astype("int64")
    out["is_leaf"] = out["is_leaf"].astype(bool)
    out["source_row"] = pd.array([_int_or_none(v) for v in out["source_row"]], dtype="Int64")
    return out.reset_index(drop=True)


def _int_or_none(value) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float):
        return int(value)
    text = str(value).strip()
    return int(text) if text else None


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _tidy_problems(df: pd.DataFrame, source: str) -> list[str]:
    """Every problem of a tidy table read as strings (rows as a spreadsheet shows them)."""
    missing = [c for c in TIDY_COLUMNS if c not in df.columns and c not in OPTIONAL_COLUMNS]
    if missing:
        return [row_problem(source, None, f"missing column(s) {', '.join(missing)}; "
                            f"a tidy standards table needs {', '.join(TIDY_COLUMNS)}")]
    problems = []
    ids = df["standard_id"].str.strip()
    known = set(ids)
    seen: dict[str, int] = {}
    for i, (sid, parent, kind, depth, leaf, row_no) in enumerate(zip(
            ids, df["parent_id"], df["kind"], df["depth"], df["is_leaf"], df["source_row"])):
        row = i + 2
        if not sid:
            problems.append(row_problem(source, row, "standard_id is empty"))
        elif sid in seen:
            problems.append(row_problem(source, row, f"standard_id {sid!r} is a duplicate of row {seen[sid]}"))
        else:
            seen[sid] = row
        if parent and parent not in known:
            problems.append(row_problem(source, row, f"parent_id {parent!r} is not a standard_id in the table"))
        if kind not in KINDS:
            problems.append(row_problem(source, row, f"kind {kind!r} is not one of {', '.join(KINDS)}"))
        if not re.fullmatch(r"\d+", depth.strip()):
            problems.append(row_problem(source, row, f"depth {depth!r} is not a whole number"))
        if leaf.strip().lower() not in _TRUE | _FALSE:
            problems.append(row_problem(source, row, f"is_leaf {leaf!r} is not True or False"))
        if row_no.strip() and not re.fullmatch(r"\d+", row_no.strip()):
            problems.append(row_problem(source, row, f"source_row {row_no!r} is not a whole number"))
    return problems


def load_standards(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a tidy standards table (default: the bundled ``standards.csv``).

    Returns the table with :func:`coerce_tidy` dtypes. Raises :class:`InputError` if a
    column is missing, a standard_id is empty or repeated, a parent_id is unknown, or
    depth/is_leaf disagree with the parent links.
    """
    path = Path(path) if path is not None else get_settings().standards_data_dir / "standards.csv"
    data, source = read_input_file(path)
    data = as_utf8(data, source)
    encoding_problems = _utf8_problems(data, source)
    if encoding_problems:
        raise InputError(source, encoding_problems)
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    raw.columns = [c.strip() for c in raw.columns]
    problems = _tidy_problems(raw, source)
    if problems:
        raise InputError(source, problems)
    table = raw.assign(is_leaf=raw["is_leaf"].str.strip().str.lower().isin(_TRUE))
    table = coerce_tidy(table)
    # depth and is_leaf must agree with the parent links
    try:
        derived = add_hierarchy_columns(table)
    except ValueError as err:  # a parent cycle or a chain too deep (unknown parents were reported above)
        sid = str(err).split(":", 1)[0]
        rows = table.index[table["standard_id"] == sid]
        row = int(rows[0]) + 2 if len(rows) else None
        raise InputError(source, row_problem(source, row, str(err))) from None
    bad = derived.index[(derived["depth"] != table["depth"]) | (derived["is_leaf"] != table["is_leaf"])]
    if len(bad):
        raise InputError(source, [
            row_problem(source, int(i) + 2, f"depth/is_leaf of {table.at[i, 'standard_id']!r} disagree with "
                                            "the parent_id links; regenerate the table")
            for i in bad])
    return table


# ------------------------------------------------------------------ filter, search, coverage

def _as_list(value) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def filter_standards(
    df: pd.DataFrame,
    frameworks: str | Iterable[str] | None = None,
    sectors: str | Iterable[str] | None = None,
    pathways: str | Iterable[str] | None = None,
    grades: str | Iterable[str] | None = None,
    leaves_only: bool = False,
) -> pd.DataFrame:
    """Rows matching every given filter (pure; the index is kept).

    frameworks: framework keys (unknown names raise ValueError listing the valid ones).
    sectors: sector names or abbreviations (``BF``), or ``ALL``; case-insensitive.
    pathways: pathway names, case-insensitive.
    grades: ``K``, ``7``, ``HS``, ``9-10``, ``9-12``, ...: a row matches when its grade
        (or, where it has none, its grade band) overlaps a requested grade; so
        ``"9-12"`` matches HS math, ELA 9-10 and 11-12, CTE and the K-12 practices.
    leaves_only: only rows with no children.
    """
    mask = pd.Series(True, index=df.index)
    wanted = _as_list(frameworks)
    if wanted is not None:
        valid = sorted(set(FRAMEWORKS) | set(df["framework"]))
        unknown = [f for f in wanted if f not in valid]
        if unknown:
            raise ValueError(f"unknown framework(s) {', '.join(map(repr, unknown))}; "
                             f"valid frameworks: {', '.join(valid)}")
        mask &= df["framework"].isin(wanted)
    wanted = _as_list(sectors)
    if wanted is not None:
        present = {s.lower(): s for s in df["sector"] if s}
        names = set()
        for s in wanted:
            key = s.strip()
            name = SECTOR_BY_ABBREVIATION.get(key.upper(), key)
            match = next((n for n in list(SECTORS) + [ALL_SECTORS] + list(present.values())
                          if n.lower() == name.lower()), None)
            if match is None:
                raise ValueError(f"unknown sector {s!r}; valid sectors: "
                                 f"{', '.join(list(SECTORS) + [ALL_SECTORS])} (or their abbreviations "
                                 f"{', '.join(SECTORS.values())})")
            names.add(match)
        mask &= df["sector"].isin(names)
    wanted = _as_list(pathways)
    if wanted is not None:
        mask &= df["pathway"].str.lower().isin({p.strip().lower() for p in wanted})
    wanted = _as_list(grades)
    if wanted is not None:
        spans = []
        for g in wanted:
            span = grade_span(g)
            if span is None:
                raise ValueError(f"grade {g!r} is not K, 1-12, HS or a range such as 9-10")
            spans.append(span)

        def overlaps(grade: str, band: str) -> bool:
            span = grade_span(grade) or grade_span(band)
            return span is not None and any(lo <= span[1] and span[0] <= hi for lo, hi in spans)

        mask &= pd.Series([overlaps(g, b) for g, b in zip(df["grade"], df["grade_band"])], index=df.index,
                          dtype=bool)
    if leaves_only:
        mask &= df["is_leaf"].astype(bool)
    return df[mask]


def search_standards(df: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows where every word of ``text`` occurs (case-insensitively) in code, display_code, text or title.

    ``search_standards(df, "HSA.SSE")`` finds codes; ``"linear equations"`` finds rows
    containing both words. An empty query returns every row.
    """
    haystack = (df["code"] + "\n" + df["display_code"] + "\n" + df["text"] + "\n" + df["title"]).str.lower()
    mask = pd.Series(True, index=df.index)
    for word in str(text or "").lower().split():
        mask &= haystack.str.contains(word, regex=False)
    return df[mask]


def sector_coverage(df: pd.DataFrame, include_missing: bool = True) -> pd.DataFrame:
    """What is loaded, and how complete it is, per framework / sector / pathway.

    Columns: framework, framework_title, sector, sector_abbreviation, pathway, headings,
    standards (kind standard or sub-standard), indicators, completeness,
    completeness_note. With ``include_missing`` (and when the CTE anchor or pathway
    framework is loaded) each CA CTE sector without rows gets a line with zero counts and
    completeness ``missing``, so gap reports can say what is not there.
    """
    columns = ["framework", "framework_title", "sector", "sector_abbreviation", "pathway", "headings",
               "standards", "indicators", "completeness", "completeness_note"]
    records = []
    keys = ["framework", "sector", "pathway"]
    for (fw, sector, pathway), group in df.groupby(keys, sort=False):
        kinds = group["kind"]
        records.append({
            "framework": fw,
            "framework_title": group["framework_title"].iloc[0],
            "sector": sector,
            "sector_abbreviation": SECTORS.get(sector, ""),
            "pathway": pathway,
            "headings": int((kinds == "heading").sum()),
            "standards": int(kinds.isin(["standard", "sub-standard"]).sum()),
            "indicators": int((kinds == "indicator").sum()),
            "completeness": "; ".join(sorted(set(group["completeness"]))),
            "completeness_note": " ".join(dict.fromkeys(n for n in group["completeness_note"] if n)),
        })
    if include_missing:
        for fw in ("cte_anchor", "cte_pathway"):
            if fw not in set(df["framework"]):
                continue
            loaded = set(df.loc[df["framework"] == fw, "sector"])
            for sector, abbr in SECTORS.items():
                if sector not in loaded:
                    records.append({
                        "framework": fw, "framework_title": FRAMEWORKS[fw], "sector": sector,
                        "sector_abbreviation": abbr, "pathway": "", "headings": 0, "standards": 0,
                        "indicators": 0, "completeness": "missing",
                        "completeness_note": f"No {FRAMEWORKS[fw]} for this sector loaded; "
                                             f"{import_hint(sector, fw)}.",
                    })
    return pd.DataFrame.from_records(records, columns=columns)


def sectors_with_pathway_standards(df: pd.DataFrame) -> list[str]:
    """CA CTE sectors (in :data:`SECTORS` order, then any others) that have pathway standards loaded."""
    rows = df[(df["framework"] == "cte_pathway") & (df["kind"] == "standard")]
    present = list(dict.fromkeys(rows["sector"]))
    return [s for s in SECTORS if s in present] + [s for s in present if s not in SECTORS]


# ------------------------------------------------------------------ plain CSV importer

CSV_REQUIRED = ["code", "text"]
CSV_OPTIONAL = ["framework", "subject", "sector", "pathway", "grade", "parent_code"]
DEFAULT_CUSTOM_FRAMEWORK = "custom"


def _id_part(value: str) -> str:
    return re.sub(r"\s+", "_", value.strip())


def _utf8_problems(data: bytes, source: str) -> list[str]:
    """One problem per invalid UTF-8 sequence, with its byte offset and (line-based) row."""
    problems, pos = [], 0
    while pos < len(data):
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as err:
            offset = pos + err.start
            row = data.count(b"\n", 0, offset) + 1
            problems.append(row_problem(
                source, row, f"not valid UTF-8: byte 0x{data[offset]:02x} at byte offset {offset}; "
                             "save the file as UTF-8 (CSV UTF-8 in Excel)"))
            pos = pos + err.end
    return problems


def standards_from_csv(path: str | Path, framework: str | None = None) -> pd.DataFrame:
    """Import a plain CSV of standards into the tidy schema.

    Columns: ``code`` and ``text`` (required); ``framework``, ``subject``, ``sector``,
    ``pathway``, ``grade``, ``parent_code`` (optional). ``framework`` (the argument)
    fills rows whose framework cell is empty or absent; with neither the framework is
    ``custom``. ``parent_code`` names a code in the same framework/sector/pathway.

    Every problem is collected and raised together as :class:`InputError`
    (``<file> row <n>: <problem>``, rows as a spreadsheet shows them): file too big
    (refused before parsing), bytes that are not UTF-8, missing required columns, empty
    code or text, duplicate codes in one framework/sector/pathway, unknown parent_code,
    parent cycles, bad framework names or grades.

    Output rows: ``standard_id`` = ``custom.<framework>[.<sector>][.<pathway>].<code>``
    (sector as its abbreviation when it is a CA CTE sector, else a slug; pathway as a
    slug; spaces in the code become ``_``), depth/is_leaf/match_text from the parents,
    kind ``standard`` at the top and ``sub-standard`` below, completeness ``unknown``.
    """
    data, source = read_input_file(path, advice="split it into smaller files")
    data = as_utf8(data, source)
    problems = _utf8_problems(data, source)
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.strip():
        raise InputError(source, problems + [row_problem(source, None, "file is empty; expected a header "
                                                                       "row with at least code,text")])
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise InputError(source, problems + [row_problem(source, None, f"not a readable CSV file: {err}")]) from None
    header = [c.strip().lower() for c in lines[0]]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        problems.append(row_problem(source, 1, f"missing required column(s) {', '.join(missing)}; "
                                               f"found {', '.join(h for h in header if h) or 'no columns'} "
                                               f"(required: {', '.join(CSV_REQUIRED)}; optional: "
                                               f"{', '.join(CSV_OPTIONAL)})"))
        raise InputError(source, problems)
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        problems.append(row_problem(source, 1, f"column(s) {', '.join(dupes)} appear more than once"))
    records = []
    for n, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(row_problem(source, n, f"has {len(cells)} cells but the header has {len(header)}; "
                                                   "quote cells that contain commas"))
        values = {col: "" for col in CSV_REQUIRED + CSV_OPTIONAL}
        for col, cell in zip(header, cells):
            if col in values:
                values[col] = cell.strip()
        values["_row"] = n
        records.append(values)
    if not records:
        raise InputError(source, problems + [row_problem(source, None, "has a header but no data rows")])
    default_fw = (framework or "").strip() or DEFAULT_CUSTOM_FRAMEWORK
    for r in records:
        r["framework_title"] = r["framework"] or default_fw
        r["framework"] = framework_identifier(r["framework_title"])
    key_of = lambda r: (r["framework"], r["sector"], r["pathway"])  # noqa: E731
    first_row: dict[tuple, int] = {}
    for r in records:
        row = r["_row"]
        if not r["code"]:
            problems.append(row_problem(source, row, "code is empty"))
        if not r["text"]:
            problems.append(row_problem(source, row, "text is empty"))
        if not framework_identifier(r["framework"]):
            problems.append(row_problem(source, row, f"framework {r['framework_title']!r} has no letters or digits to "
                                                     "make an identifier from; name it with words"))
        if r["grade"] and grade_span(r["grade"]) is None:
            problems.append(row_problem(source, row, f"grade {r['grade']!r} is not K, 1-12, HS or a range "
                                                     "such as 9-10"))
        if r["code"]:
            key = key_of(r) + (r["code"],)
            if key in first_row:
                where = " / ".join(p for p in key_of(r) if p)
                problems.append(row_problem(source, row, f"code {r['code']!r} is a duplicate of row "
                                                         f"{first_row[key]} (in {where})"))
            else:
                first_row[key] = row

    record_at = {r["_row"]: r for r in records}
    by_key = {key: record_at[row] for key, row in first_row.items()}
    for r in records:
        if r["parent_code"] and key_of(r) + (r["parent_code"],) not in by_key:
            where = " / ".join(p for p in key_of(r) if p)
            problems.append(row_problem(source, r["_row"], f"parent_code {r['parent_code']!r} is not a code "
                                                           f"in {where}"))
    # cycles and depth: one linear walk of the parent links (rows stand for their records)
    parent_row = {r["_row"]: by_key[key_of(r) + (r["parent_code"],)]["_row"]
                  for r in records if r["parent_code"] and key_of(r) + (r["parent_code"],) in by_key}
    walk = walk_parents(list(record_at), parent_row)
    for cycle in walk.cycles:
        rows = sorted(cycle)
        codes = " -> ".join(record_at[n]["code"] for n in cycle + cycle[:1])
        problems.append(row_problem(source, rows[0], f"parent_code cycle {codes} (rows "
                                                     f"{', '.join(map(str, rows))})"))
    for n in walk.too_deep():
        problems.append(row_problem(source, n, f"code {record_at[n]['code']!r} is more than {MAX_DEPTH:,} "
                                               "parent_code levels deep; no framework is that deep: check the "
                                               "parent_code column"))
    if problems:
        raise InputError(source, problems)

    def sid(r: dict, code: str) -> str:
        parts = ["custom", r["framework"]]
        if r["sector"]:
            parts.append(SECTORS.get(r["sector"], slug(r["sector"])))
        if r["pathway"]:
            parts.append(slug(r["pathway"]))
        return ".".join(parts + [_id_part(code)])

    ids = [sid(r, r["code"]) for r in records]
    clash = {}
    for r, standard_id in zip(records, ids):
        if standard_id in clash:
            problems.append(row_problem(source, r["_row"], f"standard_id {standard_id!r} would equal the one of "
                                                           f"row {clash[standard_id]}; make the codes differ"))
        clash.setdefault(standard_id, r["_row"])
    if problems:
        raise InputError(source, problems)

    out = pd.DataFrame({
        "standard_id": ids,
        "framework": [r["framework"] for r in records],
        "framework_title": [r["framework_title"] for r in records],
        "code": [r["code"] for r in records],
        "display_code": [r["code"] for r in records],
        "subject": [r["subject"] for r in records],
        "sector": [r["sector"] for r in records],
        "pathway": [r["pathway"] for r in records],
        "grade": [r["grade"] for r in records],
        "grade_band": [grade_band(r["grade"]) for r in records],
        "domain": "",
        "cluster": "",
        "parent_id": [sid(r, r["parent_code"]) if r["parent_code"] else "" for r in records],
        "depth": 0,
        "kind": "",
        "is_leaf": True,
        "title": "",
        "text": [r["text"] for r in records],
        "match_text": "",
        "completeness": "unknown",
        "completeness_note": "",
        "source_file": source,
        "source_row": [r["_row"] - 1 for r in records],  # data row: header not counted
    })
    out = add_hierarchy_columns(out)
    out["kind"] = ["standard" if d == 0 else "sub-standard" for d in out["depth"]]
    out = coerce_tidy(out)
    renamed = {r["framework_title"]: r["framework"] for r in records if r["framework_title"] != r["framework"]}
    out.attrs["notes"] = [f"{source}: framework {title!r} is kept as the title; its identifier is {ident!r}"
                          for title, ident in renamed.items()]
    return out


def framework_identifier(name: str) -> str:
    """The identifier of a framework named ``name``: itself when it is already letters,
    digits, ``_`` and ``-``; else its words in lower case joined by ``_``
    (``My District Standards`` -> ``my_district_standards``); "" when it has no words."""
    name = str(name or "").strip()
    if re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        return name
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))

