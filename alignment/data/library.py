"""The standards library: imported frameworks, kept in a folder, merged with the bundle.

The bundled data (``standards_data/``) has CA CTE pathway standards for only two of
the 15 sectors in full. A specialist who has the official text of another sector
imports it once (``pathway-align standards import SOURCE``) and every command, app
and notebook then reads the bundle merged with the library
(:func:`load_library_standards`).

The folder (the ``standards_library_dir`` setting; ``PATHWAY_ALIGN_STANDARDS_LIBRARY``)
holds one sub-folder per import::

    <library>/<name>/standards.csv     the import as the tidy standards table
    <library>/<name>/provenance.json   source, URL or file name, sha256, import time,
                                       importer, row counts, what it supplies

An import is all or nothing: the source is read, parsed and checked against the
bundle and the other imports in memory; only then is the folder written, under a
temporary name, and renamed into place. Re-importing the same bytes under the same
name changes nothing. Identifiers are stable: a CDE document gets the bundle's own
identifiers (``CA-CTE.PATHWAY.HSMT.PC.B1.0``, via :mod:`alignment.data.cte_layout`),
a CASE package written elsewhere ``case.<framework>.<CFItem identifier>`` (the
identifier a CASE provider keeps when it edits an item; our own exports keep their
standard_ids), a plain CSV
``custom.<framework>...``; so review decisions, keyed by standard_id, stay attached.
A decision whose standard an import dropped is kept and shown as "standard no
longer loaded" (:func:`mark_unloaded_standards`).

Merging: an import *supplies* each (framework, sector) it has rows for; the bundle's
rows of a supplied pair are replaced by the import's, and the difference is reported
(:attr:`MergedStandards.differences`). Two imports may not supply the same pair.
Completeness is recomputed from what is loaded (:func:`library_coverage`).
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from alignment.settings import get_settings
from alignment.data.standards import (
    ALL_SECTORS, FRAMEWORKS, OPTIONAL_COLUMNS, TIDY_COLUMNS, add_hierarchy_columns, coerce_tidy, load_standards,
)
from alignment.data.editions import select_edition, with_editions
from alignment.data.sectors import CTE_SECTORS, import_hint
from alignment.io.errors import InputError
from alignment.io.files import read_input_file

TABLE_FILE = "standards.csv"
PROVENANCE_FILE = "provenance.json"
#: Formats an import accepts (``--format``); detected from the content when not given.
IMPORT_FORMATS = ("case", "pdf", "docx", "text", "csv", "xlsx")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


@dataclass(frozen=True)
class LibraryImport:
    """One import of the library: its folder and its provenance record."""

    name: str
    path: Path
    provenance: dict

    def table(self) -> pd.DataFrame:
        return read_import_table(self.path / TABLE_FILE)


@dataclass
class ImportResult:
    """What :func:`import_standards` did: ``imported``, ``replaced`` or ``unchanged``."""

    status: str
    entry: LibraryImport
    notes: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    def describe(self) -> str:
        p = self.entry.provenance
        if self.status == "unchanged":
            return (f"{self.entry.name}: unchanged (the same source, sha256 {p['sha256'][:12]}..., was imported "
                    f"{p['imported_at']}); nothing written")
        supplies = "; ".join(f"{s['framework']} / {s['sector'] or '-'} ({s['rows']} rows)" for s in p["supplies"])
        return f"{self.entry.name}: {self.status} {p['rows']} rows from {p['source']} ({p['format']}): {supplies}"


@dataclass
class MergedStandards:
    """The bundle merged with the library, the imports used, and what the imports changed."""

    table: pd.DataFrame
    imports: list[LibraryImport]
    differences: list[str]


# ------------------------------------------------------------------ the folder

def library_dir(path: str | Path | None = None) -> Path:
    return Path(path) if path is not None else Path(get_settings().standards_library_dir)


def list_imports(path: str | Path | None = None) -> list[LibraryImport]:
    """The imports of the library, by name (an empty or absent folder has none)."""
    root = library_dir(path)
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(root.iterdir()):
        record = folder / PROVENANCE_FILE
        if folder.name.startswith(".") or not record.is_file() or not (folder / TABLE_FILE).is_file():
            continue
        out.append(LibraryImport(folder.name, folder, json.loads(record.read_text(encoding="utf-8"))))
    return out


def read_import_table(path: Path) -> pd.DataFrame:
    """An import's tidy table as written (its parents may be bundled rows, e.g. anchor titles)."""
    data, source = read_input_file(path)
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in TIDY_COLUMNS if c not in raw.columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise InputError(str(path), f"{path}: not a standards-library table (missing {', '.join(missing)})")
    raw["is_leaf"] = raw["is_leaf"].str.lower().isin(["true", "1"])
    return coerce_tidy(raw)


def remove_import(name: str, path: str | Path | None = None) -> LibraryImport:
    """Take an import out of the library (its folder is deleted); returns what was removed."""
    entries = {e.name: e for e in list_imports(path)}
    if name not in entries:
        known = ", ".join(entries) or "none"
        raise InputError(name, f"{name}: no such import in {library_dir(path)} (imports: {known})")
    entry = entries[name]
    trash = entry.path.with_name(f".removing-{name}-{os.getpid()}")
    entry.path.rename(trash)
    shutil.rmtree(trash)
    return entry


# ------------------------------------------------------------------ merging

def _supplied(table: pd.DataFrame) -> set[tuple[str, str, str]]:
    """The (framework, sector, edition) triples an import supplies (anchor titles excepted)."""
    table = with_editions(table)
    return set(zip(table["framework"], table["sector"], table["edition"])) - {
        ("cte_anchor", ALL_SECTORS, e) for e in set(table["edition"])}


def merge_standards(bundle: pd.DataFrame, imports: list[tuple[str, pd.DataFrame]]) -> tuple[pd.DataFrame, list[str]]:
    """The bundle with each import's (framework, sector, edition) triples replaced by the import's rows.

    Returns the merged table (hierarchy recomputed) and one sentence per replaced triple.
    An import of one edition replaces only that edition's rows (a 2013 sector import
    leaves the 2023 draft's rows alone, and the other way round). Raises
    :class:`InputError` when two imports supply the same triple or a standard_id would
    be there twice.
    """
    bundle = with_editions(bundle)
    imports = [(name, with_editions(table)) for name, table in imports]
    owner: dict[tuple[str, str, str], str] = {}
    for name, table in imports:
        for key in sorted(_supplied(table)):
            if key in owner:
                raise InputError(name, f"{name}: {key[0]} / {key[1] or '-'} (edition {key[2] or '-'}) is already "
                                       f"supplied by the import {owner[key]!r}; remove it first (pathway-align "
                                       f"standards remove {owner[key]})")
            owner[key] = name
    replaced = pd.Series([(f, s, e) in owner for f, s, e in zip(bundle["framework"], bundle["sector"],
                                                                 bundle["edition"])],
                         index=bundle.index, dtype=bool)
    differences = []
    for (fw, sector, edition), name in sorted(owner.items()):
        old = bundle[(bundle["framework"] == fw) & (bundle["sector"] == sector) & (bundle["edition"] == edition)]
        if old.empty:
            continue
        new = dict(imports)[name]
        new = new[(new["framework"] == fw) & (new["sector"] == sector) & (new["edition"] == edition)]
        old_text = dict(zip(old["standard_id"], old["text"]))
        new_text = dict(zip(new["standard_id"], new["text"]))
        added = len(set(new_text) - set(old_text))
        dropped = len(set(old_text) - set(new_text))
        changed = sum(1 for s in set(new_text) & set(old_text) if new_text[s] != old_text[s])
        status = "; ".join(sorted(set(old["completeness"])))
        differences.append(f"{fw} / {sector or '-'}: the import {name!r} replaces the bundled rows ({len(old)} rows, "
                           f"{status}) with {len(new)} rows: {added} added, {dropped} no longer loaded, "
                           f"{changed} texts differ")
    tables = [bundle[~replaced]] + [t for _, t in imports]
    merged = pd.concat(tables, ignore_index=True)
    dupes = merged["standard_id"][merged["standard_id"].duplicated()].unique()
    if len(dupes):
        raise InputError("standards library", f"standards library: the same standard_id comes from the bundle and an "
                                              f"import, or from two imports: {', '.join(map(str, dupes[:5]))}")
    try:
        merged = add_hierarchy_columns(merged)
    except ValueError as exc:
        raise InputError("standards library", f"standards library: {exc}") from None
    return coerce_tidy(merged), differences


def load_merged(path: str | Path | None = None, bundle: pd.DataFrame | None = None) -> MergedStandards:
    """The bundled standards merged with every import of the library."""
    bundle = load_standards() if bundle is None else bundle
    entries = list_imports(path)
    table, differences = merge_standards(bundle, [(e.name, e.table()) for e in entries])
    return MergedStandards(table, entries, differences)


def load_library_standards(path: str | Path | None = None, edition: str | None = "") -> pd.DataFrame:
    """The standards every command, app and notebook uses: the bundle merged with the library,
    in ``edition`` (:func:`alignment.data.editions.select_edition`): ``""`` (default) the
    ``edition`` setting (``adopted`` unless set: draft rows left out), ``None`` every edition."""
    table = load_merged(path).table
    if edition is None:
        return table
    return select_edition(table, get_settings().edition if edition == "" else edition)


def mark_unloaded_standards(decisions: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Decisions with a ``standard_status`` column: ``loaded``, or ``standard no longer loaded``
    when an import (or its removal) took the standard out. Nothing is dropped."""
    loaded = set(standards["standard_id"])
    status = ["loaded" if s in loaded else "standard no longer loaded" for s in decisions["standard_id"]]
    return decisions.assign(standard_status=status)


# ------------------------------------------------------------------ completeness

def _code_number(code: str) -> tuple[int, int] | None:
    m = re.search(r"(\d+)\.(\d+)$", code)
    return (int(m[1]), int(m[2])) if m else None


def structural_completeness(rows: pd.DataFrame, framework: str) -> tuple[str, str]:
    """``complete`` or ``partial`` with a note, for the rows of one imported CTE sector/pathway.

    What can be checked without the CDE's own counts: the standards are numbered 1.0,
    2.0, ... without a hole (anchors: 1.0-11.0), each has its statement, each but
    anchor 1.0 (Academics, which points to the academic matrix) has indicators, and the
    indicators of each are numbered .1, .2, ... without a hole.
    """
    numbers = [n for n in (_code_number(c) for c in rows["code"]) if n]
    heads = sorted({major for major, minor in numbers if minor == 0})
    problems = []
    expected = list(range(1, 12)) if framework == "cte_anchor" else list(range(1, (max(heads) if heads else 0) + 1))
    missing = [f"{n}.0" for n in expected if n not in heads]
    if missing:
        problems.append(f"standards {', '.join(missing)} are missing")
    for major in heads:
        head = rows[[_code_number(c) == (major, 0) for c in rows["code"]]]
        if not head["text"].str.strip().any():
            problems.append(f"{major}.0 has no statement")
        minors = sorted(mn for mj, mn in numbers if mj == major and mn)
        if not minors and not (framework == "cte_anchor" and major == 1):
            problems.append(f"{major}.0 has no indicators")
        elif minors and minors != list(range(1, len(minors) + 1)):
            problems.append(f"the indicators of {major}.0 skip numbers")
    orphans = sorted({mj for mj, mn in numbers if mn and mj not in heads})
    if orphans:
        problems.append(f"indicators without their standard under {', '.join(f'{m}.0' for m in orphans)}")
    if problems:
        return "partial", "Imported; " + "; ".join(problems) + "."
    return "complete", ("Imported; complete as far as can be checked: standards numbered without a hole, each "
                        "with its statement and indicators.")


def _with_completeness(table: pd.DataFrame) -> pd.DataFrame:
    """Imported CA CTE rows get the structural completeness of their sector (anchors) or pathway."""
    table = table.copy()
    for fw in ("cte_anchor", "cte_pathway"):
        mask = table["framework"] == fw
        for keys, group in table[mask].groupby(["sector", "pathway"], sort=False):
            status, note = structural_completeness(group, fw)
            table.loc[group.index, "completeness"] = status
            table.loc[group.index, "completeness_note"] = note
    return table


def library_coverage(merged: MergedStandards) -> pd.DataFrame:
    """Per framework / sector / pathway: rows, standards, indicators, completeness, note, source.

    CA CTE sectors (and, where the package knows the sector's whole pathway list,
    pathways) with nothing loaded get a ``missing`` line whose note says which import
    would fix it.
    """
    table = merged.table
    source_of = {}
    for entry in merged.imports:
        for s in entry.provenance.get("supplies", []):
            source_of[(s["framework"], s["sector"])] = f"import {entry.name}: {entry.provenance['source']}"
    records = []
    table = with_editions(table)
    keys = ["framework", "sector", "pathway", "focus_area", "edition"]
    for (fw, sector, pathway, focus, edition), group in table.groupby(keys, sort=False):
        kinds = group["kind"]
        draft = (group["edition_status"] == "draft").any()
        records.append({
            "framework": fw, "sector": sector, "pathway": pathway + (f" / {focus}" if focus else ""),
            "edition": f"{edition} (DRAFT)" if draft else edition, "rows": len(group),
            "standards": int(kinds.isin(["standard", "sub-standard"]).sum()),
            "indicators": int((kinds == "indicator").sum()),
            "completeness": "; ".join(sorted(set(group["completeness"]))),
            "completeness_note": " ".join(dict.fromkeys(n for n in group["completeness_note"] if n)),
            "source": source_of.get((fw, sector), "bundled (standards_data/)"),
        })
    for fw in ("cte_anchor", "cte_pathway"):
        loaded = table[table["framework"] == fw]
        for sector, facts in CTE_SECTORS.items():
            rows = loaded[loaded["sector"] == sector]
            if rows.empty:
                records.append({"framework": fw, "sector": sector, "pathway": "", "edition": "", "rows": 0,
                                "standards": 0,
                                "indicators": 0, "completeness": "missing",
                                "completeness_note": f"No {FRAMEWORKS[fw]} loaded for this sector; "
                                                     f"{import_hint(sector, fw)}.",
                                "source": ""})
                continue
            if fw == "cte_pathway" and facts.pathways_complete:
                for name in facts.pathways:
                    if name not in set(rows["pathway"]):
                        records.append({"framework": fw, "sector": sector, "pathway": name, "edition": "", "rows": 0,
                                        "standards": 0, "indicators": 0, "completeness": "missing",
                                        "completeness_note": f"This pathway is not loaded; {import_hint(sector)}.",
                                        "source": ""})
    columns = ["framework", "sector", "pathway", "edition", "rows", "standards", "indicators", "completeness",
               "completeness_note", "source"]
    return pd.DataFrame.from_records(records, columns=columns)


# ------------------------------------------------------------------ reading a source

def _is_url(source: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", str(source), re.IGNORECASE))


def _default_name(source: str, table: pd.DataFrame) -> str:
    stem = urlsplit(source).path.rstrip("/").rsplit("/", 1)[-1] if _is_url(source) else Path(source).stem
    name = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60] or "import"
    return name if name[0].isalnum() else f"import-{name}"


def read_source(source: str | Path, *, fmt: str | None = None, sector: str | None = None,
                pathway: str | None = None, bundle: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a standards source into a tidy table; returns it and what the provenance needs.

    source: a file (CASE JSON, PDF, DOCX, text, CSV, Excel) or a CASE package URL.
    fmt: one of :data:`IMPORT_FORMATS` (default: detected from the content).
    sector, pathway: for CDE documents that do not name them.
    """
    from alignment.io.documents import detect_format, document_lines
    from alignment.io.http import fetch, looks_like_html

    source = str(source)
    if fmt is not None and fmt not in IMPORT_FORMATS:
        raise InputError(source, f"{source}: --format {fmt!r} is not one of {', '.join(IMPORT_FORMATS)}")
    if _is_url(source):
        download = fetch(source)
        data, name, origin = download.content, source, "url"
        if looks_like_html(data, download.content_type):
            raise InputError(source, f"{source}: the server sent an HTML page, not CASE JSON; give the "
                                     ".../ims/case/v1p0/CFPackages/<id> address of the package")
        fmt = fmt or "case"
    else:
        data, name = read_input_file(source, advice="split the document")
        origin = "file"
    detected = detect_format(data)
    fmt = fmt or detected
    if fmt == "html":
        raise InputError(name, f"{name}: an HTML page, not a standards source; save the page's text (or its "
                               "CASE JSON) and import that")
    if fmt not in IMPORT_FORMATS:
        raise InputError(name, f"{name}: not a format the library imports (detected {detected}); use "
                               f"--format with one of {', '.join(IMPORT_FORMATS)}")
    notes: list[str] = []
    if fmt == "case":
        table = _read_case_bytes(data, name)
    elif fmt in ("pdf", "docx", "text"):
        table, notes = _read_cde(data, name, fmt, sector, pathway, bundle)
    else:
        table = _read_table(data, name, fmt)
    if table.empty:
        raise InputError(name, f"{name}: no standards in it")
    meta = {"source": name if origin == "url" else Path(source).name, "origin": origin, "format": fmt,
            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "notes": notes}
    return table, meta


def _read_case_bytes(data: bytes, name: str) -> pd.DataFrame:
    from alignment.data.case import read_case

    try:
        package = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(name, f"{name}: not CASE JSON ({type(exc).__name__}: {exc})") from None
    try:
        table = read_case(package)
    except InputError as exc:
        raise InputError(name, [p.replace("<CASE package>", name) for p in exc.problems]) from None
    table = table.assign(source_file=[s or name for s in table["source_file"]])
    return _case_identifiers(table, package)


def _case_identifiers(table: pd.DataFrame, package: dict) -> pd.DataFrame:
    """A package written elsewhere: standard_id from each CFItem's CASE identifier
    (``case.<framework>.<identifier>``), which a CASE provider keeps when it edits an
    item's code or text, so decisions survive re-imports. Our own exports already carry
    their standard_ids (and their identifiers are derived from them)."""
    from alignment.data.case import NOTES_KEY

    items = package.get("CFItems") or []
    if all(NOTES_KEY in str(item.get("notes") or "") for item in items):
        return table
    new_id = {sid: f"case.{fw}.{items[int(row) - 1]['identifier']}"
              for sid, fw, row in zip(table["standard_id"], table["framework"], table["source_row"])}
    return table.assign(standard_id=table["standard_id"].map(new_id),
                        parent_id=[new_id.get(p, "") if p else "" for p in table["parent_id"]])


def _anchor_titles(bundle: pd.DataFrame) -> dict[str, str]:
    rows = bundle[(bundle["framework"] == "cte_anchor") & (bundle["sector"] == ALL_SECTORS)]
    return dict(zip(rows["code"], rows["title"]))


def _read_cde(data: bytes, name: str, fmt: str, sector: str | None, pathway: str | None,
              bundle: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    from alignment.data.cde_2023 import is_2023_layout
    from alignment.data.cde_text import parse_cde_lines
    from alignment.data.cte_layout import CteLayoutError, anchor_rows, pathway_rows
    from alignment.io.documents import document_lines

    bundle = load_standards() if bundle is None else bundle
    titles = _anchor_titles(bundle)
    lines = document_lines(data, name, fmt)
    if is_2023_layout(lines):
        return _read_cde_2023(lines, name, sector)
    parsed = parse_cde_lines(lines, name, sector=sector, pathway=pathway, anchor_titles=titles)
    try:
        rows = anchor_rows(parsed.anchors, name, titles) + pathway_rows(parsed.pathways, name)
    except CteLayoutError as exc:
        raise InputError(name, str(exc)) from None
    table = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    anchors_all = bundle[(bundle["framework"] == "cte_anchor") & (bundle["sector"] == ALL_SECTORS)]
    with_parents = add_hierarchy_columns(pd.concat([anchors_all, table], ignore_index=True))
    table = coerce_tidy(with_parents.iloc[len(anchors_all):])
    return _with_completeness(table), parsed.notes


def _read_cde_2023(lines, name: str, sector: str | None) -> tuple[pd.DataFrame, list[str]]:
    """A CDE document in the 2023 layout (:mod:`alignment.data.cde_2023`): its rows as a
    draft edition (``2023-draft``; the only 2023-layout edition so far), with what the
    parser could not read listed in the notes and the completeness note."""
    from alignment.data.cde_2023 import parse_2023_lines
    from alignment.data.cte_layout import CteLayoutError, draft_rows
    from alignment.data.editions import DRAFT, EDITION_BY_ID

    parsed = parse_2023_lines(lines, name, sector=sector)
    if not parsed.draft:
        drafts = ", ".join(e.id for e in EDITION_BY_ID.values() if e.status == DRAFT)
        raise InputError(name, f"{name}: a document in the 2023 layout that does not say it is a draft; only the "
                               f"draft editions are known ({drafts})")
    edition = "2023-draft"
    try:
        rows = draft_rows(parsed.anchors, parsed.pathways, name, edition, DRAFT)
    except CteLayoutError as exc:
        raise InputError(name, str(exc)) from None
    skipped = "; ".join(f"line {s.line}: {s.reason}" for s in parsed.skipped)
    note = (f"DRAFT ({EDITION_BY_ID[edition].label}), not an adopted edition. Every coded standard and indicator "
            f"of the document was read" + (f"; not imported: {skipped}." if skipped else "."))
    table = add_hierarchy_columns(pd.DataFrame(rows, columns=TIDY_COLUMNS))
    table = coerce_tidy(table.assign(completeness="complete", completeness_note=note))
    return table, parsed.notes


def _read_table(data: bytes, name: str, fmt: str) -> pd.DataFrame:
    from alignment.data.standards import standards_from_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).stem + ".csv")
        if fmt == "xlsx":
            try:
                sheet = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
            except Exception as exc:  # openpyxl raises several kinds for a damaged file
                raise InputError(name, f"{name}: not a readable Excel file ({type(exc).__name__})") from None
            sheet.to_csv(path, index=False)
        else:
            path.write_bytes(data)
        header = pd.read_csv(path, nrows=0).columns
        if "standard_id" in header:
            table = load_standards(path)
        else:
            table = standards_from_csv(path)
    return table.assign(source_file=name)


# ------------------------------------------------------------------ importing

def import_standards(source: str | Path, *, name: str | None = None, fmt: str | None = None,
                     sector: str | None = None, pathway: str | None = None, path: str | Path | None = None,
                     bundle: pd.DataFrame | None = None, importer: str | None = None) -> ImportResult:
    """Import a source into the library, all or nothing (see the module docstring)."""
    bundle = load_standards() if bundle is None else bundle
    table, meta = read_source(source, fmt=fmt, sector=sector, pathway=pathway, bundle=bundle)
    name = name or _default_name(str(source), table)
    if not _NAME.match(name):
        raise InputError(name, f"{name}: an import name is lower-case letters, digits, - and _ (at most 80)")
    root = library_dir(path)
    entries = list_imports(root)
    existing = {e.name: e for e in entries}
    old = existing.get(name)
    if old is not None and old.provenance.get("sha256") == meta["sha256"] \
            and old.provenance.get("options") == {"format": fmt, "sector": sector, "pathway": pathway}:
        return ImportResult("unchanged", old)
    others = [(e.name, e.table()) for e in entries if e.name != name]
    merged, differences = merge_standards(bundle, others + [(name, table)])  # raises before anything is written
    supplies = []
    for (fw, sec), group in table.groupby(["framework", "sector"], sort=False):
        if (fw, sec) == ("cte_anchor", ALL_SECTORS):
            continue
        supplies.append({"framework": fw, "framework_title": group["framework_title"].iloc[0], "sector": sec,
                         "rows": len(group), "pathways": {p: int(n) for p, n in group["pathway"].value_counts()
                                                          .sort_index().items() if p}})
    provenance = {
        "name": name,
        "source": meta["source"],
        "origin": meta["origin"],
        "format": meta["format"],
        "options": {"format": fmt, "sector": sector, "pathway": pathway},
        "sha256": meta["sha256"],
        "bytes": meta["bytes"],
        "imported_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "importer": importer or _who(),
        "software": f"pathway-align {_version()}",
        "rows": len(table),
        "supplies": supplies,
        "notes": meta["notes"],
        "differences": [d for d in differences if f"the import {name!r}" in d],
    }
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".importing-{name}-", dir=root))
    try:
        table.to_csv(staging / TABLE_FILE, index=False, lineterminator="\n", encoding="utf-8")
        (staging / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        target = root / name
        if old is not None:
            trash = root / f".replacing-{name}-{os.getpid()}"
            target.rename(trash)
            staging.rename(target)
            shutil.rmtree(trash)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    entry = LibraryImport(name, root / name, provenance)
    return ImportResult("replaced" if old is not None else "imported", entry, meta["notes"],
                        provenance["differences"])


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pathway-align")
    except PackageNotFoundError:
        return "unknown"


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"
