"""Career pathways: which courses, in which order, for which CTE sector and pathway.

A pathway is a sequence of courses (introductory -> concentrator -> capstone, plus
academic courses taken alongside) that together should teach its sector's anchor
standards and its pathway standards. A pathway file is a CSV (or Excel) table with
one row per course, or a YAML file with one entry per course; one file may hold one
pathway or many (keyed by ``pathway_name``).

CSV / Excel columns (headers matched case-insensitively; extra columns are ignored):

====================  ========  =================================================
column                required  meaning
====================  ========  =================================================
``course_id``         yes       the catalog's course_id (or its printed code)
``level``             yes       introductory, concentrator, capstone, academic
``sector``            yes*      CA CTE industry sector (name or abbreviation, BF)
``pathway_name``                the school's name for the pathway (one file, many
                                pathways); default: the file name
``cte_pathway``                 the CA CTE pathway; empty = the school names only a
                                sector (the gap report then tries every pathway of
                                the sector and says which fits best)
``sequence_position``           order in the sequence (default: row order)
``course_title``                title as the pathway table prints it
``grades``                      grade levels, e.g. ``10-11``
``sequence``                    ``choice`` (default) or ``strict`` (see below)
``notes``                       free text
====================  ========  =================================================

(*) ``sector`` may instead be given to the loader (``sector=``) for a one-pathway file.

YAML: a mapping with ``pathway_name`` (or ``name``), ``sector``, ``cte_pathway``,
``sequence`` and ``courses`` (a list of mappings with the course columns above), or a
list of such mappings, or a mapping with a ``pathways`` list.

**Several capstones.** Real pathway tables list several capstone courses that students
*choose between* (Westview's Business & Finance table has 4, ICT 8). So a pathway is
by default a ``choice`` sequence: several capstones are allowed and reported as a
warning (``Pathway.warnings``), as are courses listed out of level order. A pathway
marked ``sequence: strict`` (column ``sequence`` = ``strict``, or ``strict=True`` to the
loader) is one designated sequence every student takes: there, two capstone courses,
a course listed twice, or a course listed before a lower level are errors.

**Grades.** From the ``grades`` column; else the "suggested grade level: 10th - 11th"
written in ``notes`` (as in the Westview file); else the catalog's grades.

Bad input raises :class:`~alignment.io.errors.InputError` listing every problem at once
(``"<file> row <n>: <problem>"``; YAML rows count course entries from 1 and name the
line). Unknown sectors, CA pathways, levels and course ids come with the nearest valid
names (difflib).
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import pandas as pd

from alignment.settings import get_settings
from alignment.io.errors import InputError, row_problem
from alignment.io.files import as_utf8, read_input_file

#: Course levels; the first three are ordered, ``academic`` courses run alongside.
LEVELS: tuple[str, ...] = ("introductory", "concentrator", "capstone", "academic")
#: Order of the CTE levels (academic courses have none: they are concurrent).
LEVEL_ORDER: dict[str, int] = {"introductory": 0, "concentrator": 1, "capstone": 2}
SEQUENCE_TYPES: tuple[str, ...] = ("choice", "strict")

#: Columns of a pathway file (after header aliases).
PATHWAY_FILE_COLUMNS: list[str] = [
    "pathway_name", "sector", "cte_pathway", "sequence_position", "course_id",
    "course_title", "level", "grades", "sequence", "notes",
]
REQUIRED_COLUMNS: list[str] = ["course_id", "level"]
HEADER_ALIASES: dict[str, str] = {
    "name": "pathway_name",
    "pathway name": "pathway_name",
    "ca_pathway": "cte_pathway",
    "cte pathway": "cte_pathway",
    "cte_sector": "sector",
    "industry_sector": "sector",
    "position": "sequence_position",
    "order": "sequence_position",
    "course id": "course_id",
    "title": "course_title",
    "course title": "course_title",
    "cte_level": "level",
    "grade": "grades",
    "grade_levels": "grades",
    "sequence_type": "sequence",
}

#: Columns of ``Pathway.courses``.
COURSE_COLUMNS: list[str] = [
    "course_id", "title", "level", "sequence_position", "grades", "department",
    "description", "notes", "source_row",
]

_GRADE_NOTE = re.compile(r"suggested grade level:\s*([^;]+)", re.IGNORECASE)


# --------------------------------------------------------------------------- the model


@dataclass
class Pathway:
    """One validated pathway.

    ``courses`` has :data:`COURSE_COLUMNS` (all strings except ``sequence_position``
    and ``source_row``, ints), one row per row of the file, in sequence order. A course
    may appear twice in a ``choice`` pathway (Westview's linked AP CS A rows).
    ``cte_pathway`` is ``""`` when the file names only a sector.
    """

    name: str
    sector: str
    cte_pathway: str
    courses: pd.DataFrame
    sequence: str = "choice"
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def course_ids(self) -> list[str]:
        """Distinct course ids in sequence order (first appearance)."""
        return list(dict.fromkeys(self.courses["course_id"]))

    @property
    def course_levels(self) -> dict[str, str]:
        """course_id -> level (a course listed twice keeps its first, earliest, level)."""
        first = self.courses.drop_duplicates("course_id")
        return dict(zip(first["course_id"], first["level"]))

    @property
    def course_titles(self) -> dict[str, str]:
        first = self.courses.drop_duplicates("course_id")
        return dict(zip(first["course_id"], first["title"]))

    @property
    def course_positions(self) -> dict[str, int]:
        first = self.courses.drop_duplicates("course_id")
        return dict(zip(first["course_id"], first["sequence_position"].astype(int)))

    @property
    def capstones(self) -> list[str]:
        return [c for c, lv in self.course_levels.items() if lv == "capstone"]

    def courses_for_aligner(self) -> pd.DataFrame:
        """One row per distinct course for ``Aligner.suggest``: course_id, title,
        description, grades, level, and ``sector`` set to the pathway's sector (the
        course is analysed as part of this pathway)."""
        first = self.courses.drop_duplicates("course_id")
        return pd.DataFrame({
            "course_id": first["course_id"].tolist(),
            "title": first["title"].tolist(),
            "description": first["description"].tolist(),
            "grades": first["grades"].tolist(),
            "level": first["level"].tolist(),
            "sector": [self.sector] * len(first),
        })

    def describe(self) -> str:
        what = self.cte_pathway or f"{self.sector} (sector only)"
        counts = self.courses.drop_duplicates("course_id")["level"].value_counts()
        levels = ", ".join(f"{counts[lv]} {lv}" for lv in LEVELS if lv in counts)
        return f"{self.name}: {what}; {len(self.course_ids)} courses ({levels}); {self.sequence} sequence"


# --------------------------------------------------------------------------- loading


def default_pathways_path() -> Path:
    """The bundled Westview 2025-26 pathways file (7 pathways)."""
    return get_settings().standards_data_dir / "catalogs" / "westview_2025_26_pathways.csv"


def load_pathways(
    path: str | PathLike[str] | None = None,
    *,
    catalog: pd.DataFrame | str | PathLike[str] | None = None,
    standards: pd.DataFrame | None = None,
    sector: str | None = None,
    strict: bool | None = None,
) -> list[Pathway]:
    """Load and validate every pathway of a CSV, Excel or YAML file.

    path: the file (default: the bundled Westview pathways).
    catalog: the course catalog the courses must be in (a DataFrame from
        :func:`alignment.data.catalog.load_catalog`, or a path; default: the bundled one).
    standards: the standards table (default: :func:`alignment.data.library.load_library_standards`),
        used to recognise sectors and pathways.
    sector: the sector, for a one-pathway file without a ``sector`` column.
    strict: force every pathway to be a ``strict`` (True) or ``choice`` (False)
        sequence; None: as the file says (default ``choice``).
    """
    path = Path(path) if path is not None else default_pathways_path()
    data, source = read_input_file(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".csv", ".txt"):
        data = as_utf8(data, source)  # UTF-16/32 text read as such
    if suffix in (".yaml", ".yml"):
        table, lines = _read_yaml(data, source)
    elif suffix in (".csv", ".txt"):
        table, lines = _read_csv(data, source), None
    elif suffix in (".xlsx", ".xlsm"):
        table, lines = _read_excel(io.BytesIO(data), source), None
    else:
        raise InputError(source, row_problem(source, None, f"unsupported file type {suffix or '(none)'!r}; "
                                                           "use .csv, .xlsx or .yaml"))
    return validate_pathways(table, source, catalog=catalog, standards=standards, sector=sector,
                             strict=strict, default_name=path.stem, lines=lines)


def load_pathway(path: str | PathLike[str] | None = None, name: str | None = None, **kwargs) -> Pathway:
    """One pathway of a file: the only one, or the one called ``name`` (its
    ``pathway_name`` or CA ``cte_pathway``, case-insensitive). Other arguments as
    :func:`load_pathways`."""
    pathways = load_pathways(path, **kwargs)
    source = Path(path).name if path is not None else default_pathways_path().name
    return select_pathway(pathways, name, source)


def select_pathway(pathways: list[Pathway], name: str | None, source: str = "<pathways>") -> Pathway:
    """The pathway called ``name`` (see :func:`load_pathway`); InputError naming the choices."""
    names = [p.name for p in pathways]
    if name is None:
        if len(pathways) == 1:
            return pathways[0]
        raise InputError(source, row_problem(source, None, f"the file holds {len(pathways)} pathways; choose one "
                                                           f"with --pathway / name=: {', '.join(map(repr, names))}"))
    wanted = _key(name)
    for p in pathways:
        if wanted in (_key(p.name), _key(p.cte_pathway)):
            return p
    matches = [p for p in pathways if wanted and wanted in _key(p.name)]
    if len(matches) == 1:
        return matches[0]
    near = _nearest(name, names)
    raise InputError(source, row_problem(source, None, f"no pathway named {name!r}{near}; pathways in the file: "
                                                       f"{', '.join(map(repr, names))}"))


def make_pathway(
    name: str,
    sector: str,
    courses: pd.DataFrame | list[dict],
    *,
    cte_pathway: str = "",
    sequence: str = "choice",
    catalog: pd.DataFrame | None = None,
    standards: pd.DataFrame | None = None,
) -> Pathway:
    """Build and validate one pathway in code (``courses``: rows with course_id, level
    and optionally course_title, grades, sequence_position, notes)."""
    table = pd.DataFrame(courses).copy()
    table["pathway_name"] = name
    table["sector"] = sector
    table["cte_pathway"] = cte_pathway
    table["sequence"] = sequence
    pathways = validate_pathways(table, f"<pathway {name}>", catalog=catalog, standards=standards)
    return pathways[0]


# --------------------------------------------------------------------------- validation


def validate_pathways(
    table: pd.DataFrame,
    source: str = "<pathways>",
    *,
    catalog: pd.DataFrame | str | PathLike[str] | None = None,
    standards: pd.DataFrame | None = None,
    sector: str | None = None,
    strict: bool | None = None,
    default_name: str = "pathway",
    lines: list[int] | None = None,
) -> list[Pathway]:
    """Validate a pathway table (one row per course) and build the pathways.

    Row ``i`` (0-based) is reported as row ``i + 2`` (header = row 1), or, for YAML,
    as course entry ``i + 1`` at ``lines[i]``. All problems are raised together.
    """
    catalog = _resolve_catalog(catalog)
    standards = _resolve_standards(standards)
    problems: list[str] = []

    raw = table.copy()
    raw.columns = [_canonical(str(c)) for c in raw.columns]
    dupes = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if dupes:
        raise InputError(source, row_problem(source, 1, f"columns repeated (after aliases): {', '.join(dupes)}"))
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if "sector" not in raw.columns and not sector:
        missing.append("sector")
    if missing:
        raise InputError(source, row_problem(source, 1, f"missing column(s) {', '.join(missing)}; found "
                                                        f"{', '.join(map(str, table.columns)) or 'none'} (a pathway "
                                                        f"file needs {', '.join(REQUIRED_COLUMNS)} and sector)"))
    for col in PATHWAY_FILE_COLUMNS:
        if col not in raw.columns:
            raw[col] = ""
    raw = raw[PATHWAY_FILE_COLUMNS].astype(object)
    raw = raw.where(raw.notna(), "").map(lambda v: str(v).strip())
    if sector:
        raw.loc[raw["sector"] == "", "sector"] = sector
    raw.loc[raw["pathway_name"] == "", "pathway_name"] = default_name

    def where(i: int) -> tuple[int, str]:
        if lines is None:
            return i + 2, ""
        return i + 1, f"(line {lines[i]}) "

    blank = [not (c or lv or t) for c, lv, t in zip(raw["course_id"], raw["level"], raw["course_title"])]
    if lines is None and all(blank):
        raise InputError(source, row_problem(source, 2, "empty sequence: no course rows below the header"))

    sectors = _sector_names(standards)
    records = []
    for i, row in enumerate(raw.to_dict("records")):
        if lines is None and blank[i]:
            continue  # blank spreadsheet row
        r, line = where(i)
        rec = dict(row, _row=r, _line=line)
        rec["sector"] = _resolve_sector(row["sector"], sectors)
        if not row["sector"]:
            problems.append(row_problem(source, r, f"{line}sector is empty; give the CA CTE industry sector"))
        elif rec["sector"] is None:
            problems.append(row_problem(source, r, f"{line}unknown sector {row['sector']!r}"
                                                   f"{_nearest(row['sector'], list(dict.fromkeys(sectors.values())))}"))
        if rec["sector"] and row["cte_pathway"]:
            known = _pathway_names(rec["sector"], standards)
            resolved = _match(row["cte_pathway"], known)
            near = difflib.get_close_matches(row["cte_pathway"], known, n=1, cutoff=0.8)
            if resolved is None and near and not _draft_pathways(rec["sector"], standards):
                # Close to a loaded pathway's name: almost surely a typo (unless the loaded
                # pathways are a draft edition's, whose names differ from the adopted ones).
                problems.append(row_problem(source, r, f"{line}unknown CTE pathway {row['cte_pathway']!r} for sector "
                                                       f"{rec['sector']!r}{_nearest(row['cte_pathway'], known)}; "
                                                       f"leave cte_pathway empty to name only the sector"))
            # Otherwise an unknown name is kept: only the pathways in the standards data
            # are known here (the data holds no list of all CA pathway names), and the
            # gap report says that no standards are loaded for it.
            rec["cte_pathway"] = resolved or row["cte_pathway"]
        level = row["level"].lower()
        rec["level"] = level
        if not level:
            problems.append(row_problem(source, r, f"{line}level is empty; use one of {', '.join(LEVELS)}"))
        elif level not in LEVELS:
            problems.append(row_problem(source, r, f"{line}bad level {row['level']!r}{_nearest(level, list(LEVELS))}; "
                                                   f"use one of {', '.join(LEVELS)}"))
        if row["sequence"] and row["sequence"].lower() not in SEQUENCE_TYPES:
            problems.append(row_problem(source, r, f"{line}sequence {row['sequence']!r} is not one of "
                                                   f"{', '.join(SEQUENCE_TYPES)}"))
        rec["sequence"] = row["sequence"].lower()
        if row["sequence_position"] and not re.fullmatch(r"\d+", row["sequence_position"]):
            problems.append(row_problem(source, r, f"{line}sequence_position {row['sequence_position']!r} is not a "
                                                   "whole number"))
        if not row["course_id"]:
            problems.append(row_problem(source, r, f"{line}course_id is empty"))
            rec["_course"] = None
        else:
            course, problem = _find_course(row["course_id"], row["course_title"], row["notes"], catalog)
            if problem:
                problems.append(row_problem(source, r, f"{line}{problem}"))
            rec["_course"] = course
        records.append(rec)

    by_name: dict[str, list[dict]] = {}
    for rec in records:
        by_name.setdefault(rec["pathway_name"], []).append(rec)
    if lines is not None:
        for name in getattr(table, "attrs", {}).get("empty_pathways", []):
            by_name.setdefault(name, [])
    if not by_name:
        raise InputError(source, row_problem(source, 2 if lines is None else 1,
                                             "empty sequence: the file names no courses"))

    pathways = []
    for name, recs in by_name.items():
        if not recs:
            line = table.attrs.get("pathway_lines", {}).get(name, "?")
            problems.append(row_problem(source, None, f"pathway {name!r} (line {line}): empty sequence, it has no "
                                                      "courses"))
            continue
        built, more = _build_pathway(name, recs, source, catalog, strict)
        problems.extend(more)
        if built is not None:
            pathways.append(built)
    if problems:
        raise InputError(source, problems)
    return pathways


def _build_pathway(name, recs, source, catalog, strict):
    problems = []
    first = recs[0]
    for col in ("sector", "cte_pathway", "sequence"):
        values = list(dict.fromkeys(r[col] for r in recs if r[col] is not None))
        if col == "sequence":
            values = [v for v in values if v]
        if len(values) > 1:
            bad = next(r for r in recs if r[col] != recs[0][col] and (col != "sequence" or r[col]))
            problems.append(row_problem(source, bad["_row"], f"{bad['_line']}pathway {name!r} has more than one "
                                                             f"{col}: {', '.join(map(repr, values))}"))
    if strict is None:
        declared = [r["sequence"] for r in recs if r["sequence"]]
        seq = declared[0] if declared and declared[0] in SEQUENCE_TYPES else "choice"
    else:
        seq = "strict" if strict else "choice"
    levels = [r["level"] for r in recs]
    if levels and all(lv == "academic" for lv in levels):
        problems.append(row_problem(source, first["_row"], f"{first['_line']}pathway {name!r} has only academic "
                                                           "courses; a pathway needs at least one CTE course "
                                                           "(introductory, concentrator or capstone)"))
    # positions: explicit or row order
    for k, r in enumerate(recs, start=1):
        r["_position"] = int(r["sequence_position"]) if re.fullmatch(r"\d+", r["sequence_position"] or "") else k
    warnings: list[str] = []
    capstones = list(dict.fromkeys(r["course_id"] for r in recs if r["level"] == "capstone"))
    if len(capstones) > 1:
        rows = [r for r in recs if r["level"] == "capstone"]
        where = ", ".join(str(r["_row"]) for r in rows)
        if seq == "strict":
            problems.append(row_problem(source, rows[1]["_row"], f"{rows[1]['_line']}two capstones in the strict "
                                                                 f"sequence {name!r}: {len(capstones)} capstone courses "
                                                                 f"(rows {where}: {', '.join(capstones)}); a strict "
                                                                 "sequence has exactly one capstone (mark the pathway "
                                                                 "sequence=choice if students choose one)"))
        else:
            warnings.append(f"{source}: pathway {name!r} lists {len(capstones)} capstone courses (rows {where}); they "
                            "are treated as alternatives students choose between (sequence=choice)")
    if seq == "strict":
        seen: dict[str, int] = {}
        for r in recs:
            if r["course_id"] in seen:
                problems.append(row_problem(source, r["_row"], f"{r['_line']}course {r['course_id']!r} is listed twice "
                                                               f"in the strict sequence {name!r} (rows {seen[r['course_id']]} "
                                                               f"and {r['_row']})"))
            seen.setdefault(r["course_id"], r["_row"])
    ordered = sorted((r for r in recs if r["level"] in LEVEL_ORDER), key=lambda r: (r["_position"], r["_row"]))
    for a, b in zip(ordered, ordered[1:]):
        if LEVEL_ORDER[b["level"]] < LEVEL_ORDER[a["level"]]:
            text = (f"{b['level']} course {b['course_id']!r} (position {b['_position']}) comes after "
                    f"{a['level']} course {a['course_id']!r} (position {a['_position']})")
            if seq == "strict":
                problems.append(row_problem(source, b["_row"], f"{b['_line']}out of level order in the strict sequence "
                                                               f"{name!r}: {text}"))
            else:
                warnings.append(f"{source} row {b['_row']}: pathway {name!r}: {text}")
    if problems:
        return None, problems
    recs = sorted(recs, key=lambda r: (r["_position"], r["_row"]))
    # a title shared by several courses (a linked-course row of the table) does not tell
    # them apart: those courses get their catalog title
    ids_by_title: dict[str, set] = {}
    for r in recs:
        ids_by_title.setdefault(r["course_title"], set()).add(r["course_id"])
    rows = []
    for r in recs:
        course = r["_course"] or {}
        shared = r["course_title"] and len(ids_by_title[r["course_title"]]) > 1 and course.get("title")
        rows.append({
            "course_id": course.get("course_id", r["course_id"]),
            "title": course.get("title") if shared else (r["course_title"] or course.get("title", "")),
            "level": r["level"],
            "sequence_position": r["_position"],
            "grades": r["grades"] or _grades_from_notes(r["notes"]) or course.get("grades", ""),
            "department": course.get("department", ""),
            "description": course.get("description", ""),
            "notes": r["notes"],
            "source_row": r["_row"],
        })
    courses = pd.DataFrame(rows, columns=COURSE_COLUMNS)
    courses["sequence_position"] = courses["sequence_position"].astype("int64")
    courses["source_row"] = courses["source_row"].astype("int64")
    pathway = Pathway(name=name, sector=first["sector"], cte_pathway=first["cte_pathway"] or "",
                      courses=courses, sequence=seq, source=source, warnings=warnings)
    return pathway, []


# --------------------------------------------------------------------------- helpers


def _key(text: str) -> str:
    text = str(text or "").lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9/\-]+", text))


def _canonical(header: str) -> str:
    key = " ".join(header.strip().split()).lower()
    if key.replace(" ", "_") in PATHWAY_FILE_COLUMNS:
        return key.replace(" ", "_")
    return HEADER_ALIASES.get(key, HEADER_ALIASES.get(key.replace(" ", "_"), header.strip()))


def _nearest(value: str, choices: list[str], n: int = 3) -> str:
    """``"; did you mean 'A' or 'B'?"`` (or "" when nothing is close)."""
    keyed = {_key(c): c for c in choices if c}
    near = difflib.get_close_matches(_key(value), list(keyed), n=n, cutoff=0.5)
    if not near:
        return ""
    return "; did you mean " + " or ".join(repr(keyed[k]) for k in near) + "?"


def _match(value: str, choices: list[str]) -> str | None:
    wanted = _key(value)
    for c in choices:
        if _key(c) == wanted:
            return c
    return None


def _sector_names(standards: pd.DataFrame) -> dict[str, str]:
    """key -> official name, for the 15 CA sectors, their abbreviations and any sector in the data."""
    from alignment.data.standards import SECTORS

    names: dict[str, str] = {}
    for name, abbr in SECTORS.items():
        names[_key(name)] = name
        names[abbr.lower()] = name
    for s in standards["sector"].unique() if "sector" in standards else []:
        if s and s != "ALL":
            names.setdefault(_key(s), s)
    return {v: v for v in names.values()} | names


def _resolve_sector(value: str, sectors: dict[str, str]) -> str | None:
    if not value:
        return ""
    return sectors.get(_key(value)) or sectors.get(value.strip().lower())


def _pathway_names(sector: str, standards: pd.DataFrame) -> list[str]:
    """The sector's pathway names found in the standards data."""
    loaded = standards.loc[(standards["framework"] == "cte_pathway") & (standards["sector"] == sector), "pathway"]
    return list(dict.fromkeys(p for p in loaded if p))


def _draft_pathways(sector: str, standards: pd.DataFrame) -> bool:
    """Whether the sector's pathway standards loaded are a draft edition's (their names
    are not the adopted ones a pathway file names; see ``gaps.pathway_in_edition``)."""
    if "edition_status" not in standards.columns:
        return False
    rows = standards[(standards["framework"] == "cte_pathway") & (standards["sector"] == sector)]
    return bool(len(rows)) and bool((rows["edition_status"] == "draft").all())


def _find_course(course_id: str, title: str, notes: str, catalog: pd.DataFrame) -> tuple[dict | None, str]:
    """The catalog row of a course id (or of a printed code shared by several courses,
    told apart by title); else a problem naming the nearest ids."""
    ids = catalog["course_id"]
    hit = catalog[ids == course_id]
    if len(hit) == 1:
        return hit.iloc[0].to_dict(), ""
    if "printed_course_id" in catalog.columns:
        hit = catalog[catalog["printed_course_id"] == course_id]
        if len(hit) == 1:
            return hit.iloc[0].to_dict(), ""
        if len(hit) > 1:
            wanted = {_key(title)}
            m = re.search(r"course-description title:\s*([^;]+)", notes or "", re.IGNORECASE)
            if m:
                wanted.add(_key(m.group(1)))
            same = hit[hit["title"].map(_key).isin(wanted - {""})]
            if len(same) == 1:
                return same.iloc[0].to_dict(), ""
            return None, (f"course_id {course_id!r} is printed for {len(hit)} catalog courses "
                          f"({', '.join(map(repr, hit['title']))}); use the catalog's course_id "
                          f"({', '.join(map(repr, hit['course_id']))})")
    source = catalog.attrs.get("source", "the catalog")
    near = difflib.get_close_matches(course_id, ids.tolist(), n=3, cutoff=0.6)
    hint = f"; nearest course ids: {', '.join(map(repr, near))}" if near else ""
    if title and "title" in catalog.columns:
        by_title = {_key(t): c for t, c in zip(catalog["title"], ids)}
        close = difflib.get_close_matches(_key(title), list(by_title), n=1, cutoff=0.75)
        if close:
            hint += f"; {title!r} looks like catalog course {by_title[close[0]]!r}"
    return None, f"course {course_id!r} is missing from the catalog ({source}){hint}"


def _grades_from_notes(notes: str) -> str:
    """``"suggested grade level: 10th -11th"`` -> ``"10-11"``; ``All Grade Levels`` -> ``"9-12"``."""
    m = _GRADE_NOTE.search(notes or "")
    if not m:
        return ""
    text = m.group(1).strip()
    if "all" in text.lower():
        return "9-12"
    numbers = re.findall(r"\d{1,2}", text)
    if not numbers:
        return ""
    return numbers[0] if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"


def _resolve_catalog(catalog) -> pd.DataFrame:
    from alignment.data.catalog import default_catalog, load_catalog

    if catalog is None:
        return default_catalog()
    if isinstance(catalog, pd.DataFrame):
        if "course_id" not in catalog.columns:
            raise ValueError("catalog needs a course_id column")
        out = catalog.fillna("").astype(str)  # a table from load_catalog is already clean
        for col in ("title", "grades", "department", "description"):
            if col not in out.columns:
                out[col] = ""
        out.attrs = dict(catalog.attrs)
        return out
    return load_catalog(catalog)


def _resolve_standards(standards) -> pd.DataFrame:
    if standards is None:
        from alignment.data.library import load_library_standards  # the bundle merged with the library

        return load_library_standards()  # in the edition setting's edition
    return standards


# --------------------------------------------------------------------------- readers


def _read_csv(data: bytes, source: str) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise InputError(source, row_problem(source, row, f"byte 0x{data[exc.start]:02X} is not valid UTF-8; save "
                                                          "the file as UTF-8")) from None
    if not text.strip():
        raise InputError(source, row_problem(source, None, "file is empty; expected a header row with course_id, "
                                                           "level and sector"))
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(source, row_problem(source, None, f"not a readable CSV file: {' '.join(str(exc).split())}")) from None


def _read_excel(path, source: str) -> pd.DataFrame:
    try:
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is a user error
        raise InputError(source, row_problem(source, None, f"not a readable Excel workbook ({exc})")) from None


def _read_yaml(data: bytes, source: str) -> tuple[pd.DataFrame, list[int]]:
    import yaml

    class LineLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        mapping = loader.construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        doc = yaml.load(data.decode("utf-8-sig"), Loader=LineLoader)  # noqa: S506 - SafeLoader subclass
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(source, row_problem(source, None, f"not readable YAML: {' '.join(str(exc).split())}")) from None
    if isinstance(doc, dict) and "pathways" in doc:
        entries = doc["pathways"]
    elif isinstance(doc, dict):
        entries = [doc]
    else:
        entries = doc
    if not isinstance(entries, list) or not entries:
        raise InputError(source, row_problem(source, None, "empty sequence: no pathway with courses in the file "
                                                           "(expected a mapping with 'courses', or a list of them)"))
    rows, lines, empty, pathway_lines = [], [], [], {}
    for k, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(source, row_problem(source, None, f"pathway entry {k} is not a mapping"))
        name = str(entry.get("pathway_name") or entry.get("name") or Path(source).stem)
        pathway_lines[name] = entry.get("__line__", "?")
        courses = entry.get("courses") or []
        if not isinstance(courses, list):
            raise InputError(source, row_problem(source, None, f"pathway {name!r} (line {entry.get('__line__')}): "
                                                               "'courses' must be a list"))
        if not courses:
            empty.append(name)
        for course in courses:
            if not isinstance(course, dict):
                course = {"course_id": course}
            row = {key: ("" if v is None else str(v)) for key, v in course.items() if key != "__line__"}
            for key in ("sector", "cte_pathway", "sequence"):
                row.setdefault(key, "" if entry.get(key) is None else str(entry.get(key)))
            row["pathway_name"] = name
            rows.append(row)
            lines.append(course.get("__line__", entry.get("__line__", 0)))
    table = pd.DataFrame(rows, dtype=object)
    if table.empty:
        table = pd.DataFrame(columns=["course_id", "level", "sector", "pathway_name"])
    for col in ("course_id", "level", "sector", "pathway_name"):
        if col not in table.columns:
            table[col] = ""
    table.attrs["empty_pathways"] = empty
    table.attrs["pathway_lines"] = pathway_lines
    return table, lines
