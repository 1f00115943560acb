"""``pathway-align standards import | list | remove``: the standards library on the command line.

    pathway-align standards import SOURCE [--name NAME] [--source-format F] [--sector S] [--pathway P]
    pathway-align standards list
    pathway-align standards remove NAME

SOURCE is a CASE 1.0 package (a JSON file, or the ``https://.../ims/case/v1p0/CFPackages/<id>``
address of a CASE provider; bearer token from ``PATHWAY_ALIGN_CASE_TOKEN``), a CDE Model
Curriculum Standards document (PDF with a text layer, Word .docx, or the text of the CDE
standards pages saved as a .txt file), or a CSV/Excel file (the tidy layout or
``code,text,...``). The format is detected from the content; ``--source-format`` overrides it.
Kept apart from ``cli.py`` so the library's commands are one small module; the work is
done by :mod:`alignment.data.library`.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from alignment.data.library import IMPORT_FORMATS, import_standards, library_coverage, load_merged, remove_import
from alignment.io.errors import InputError


def add_library_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``standards`` sub-command's action arguments (``import SOURCE``, ``list``, ``remove NAME``)."""
    parser.add_argument("action", nargs="?", choices=["import", "list", "remove"],
                        help="import SOURCE into the standards library, list what is loaded, or remove NAME")
    parser.add_argument("target", nargs="?", help="import: a file or CASE package URL; remove: the import's name")
    parser.add_argument("--name", help="import: the import's name in the library (default: from the file name)")
    parser.add_argument("--source-format", dest="source_format", choices=IMPORT_FORMATS,
                        help="import: the source's format (default: detected from its content)")


def run_library_action(args, settings) -> int:
    folder = settings.standards_library_dir
    if args.action == "import":
        if not args.target:
            raise InputError("standards import", "standards import: give the SOURCE (a file or a CASE package URL)")
        result = import_standards(args.target, name=args.name, fmt=args.source_format, sector=args.sector,
                                  pathway=args.pathway, path=folder)
        print(result.describe())
        for note in result.notes + result.differences:
            print(f"  {note}")
        print(f"library: {folder}", file=sys.stderr)
        return 0
    if args.action == "remove":
        if not args.target:
            raise InputError("standards remove", "standards remove: give the NAME of an import (see `standards list`)")
        entry = remove_import(args.target, folder)
        print(f"removed {entry.name} ({entry.provenance.get('rows')} rows from {entry.provenance.get('source')})")
        return 0
    merged = load_merged(folder)
    coverage = library_coverage(merged)
    print(f"standards library: {folder} ({len(merged.imports)} import(s))")
    for entry in merged.imports:
        p = entry.provenance
        print(f"  {entry.name}: {p['source']} ({p['format']}, sha256 {p['sha256'][:12]}..., {p['rows']} rows, "
              f"imported {p['imported_at']} by {p['importer']})")
    for line in merged.differences:
        print(f"  {line}")
    columns = ["framework", "sector", "pathway", "edition", "rows", "completeness", "source"]
    with pd.option_context("display.max_colwidth", 70, "display.width", 250, "display.max_rows", None):
        print(coverage[columns].to_string(index=False))
    notes = coverage[coverage["completeness"] != "complete"]
    notes = notes.drop_duplicates(["framework", "sector", "completeness_note"])
    if len(notes):
        print("\nnot complete:")
        for r in notes.to_dict("records"):
            where = " / ".join(p for p in (r["framework"], r["sector"], r["pathway"]) if p)
            print(f"  {where}: {r['completeness']}. {r['completeness_note']}")
    return 0
