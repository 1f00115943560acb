"""``pathway-align crosswalk suggest | export | carry``: moving alignments to a new edition.

    pathway-align crosswalk suggest --from 2013 --to 2023-draft [--sector S] [--framework F ...]
                                    [--top-k 3] [--no-register] [-o crosswalk.csv|.xlsx]
    pathway-align crosswalk export  --from 2013 --to 2023-draft -o crosswalk.json|.csv|.xlsx
    pathway-align crosswalk carry   --from 2013 --to 2023-draft [--catalog NAME] [--sector S]
                                    [--write --reviewer NAME] -o carry.xlsx|.csv

``suggest`` ranks edition-B candidates for every edition-A standard
(:mod:`alignment.align.crosswalk`) and registers them in the review store (``--review-db``,
default the ``review_db`` setting), where the review app's Crosswalk mode lists them;
``-o`` also writes them. ``export`` writes the reviewed crosswalk as a CASE 1.0 package
(``.json``: :mod:`alignment.present.crosswalk_exports`), CSV or Excel. ``carry`` projects the
store's course decisions through the reviewed crosswalk (:mod:`alignment.analysis.carry`)
and writes the carry-over report; ``--write`` also records the carried decisions in the
store (one bulk batch, audited). Kept apart from ``cli.py`` like the library's commands.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from alignment.data.sources import load_standards_from
from alignment.io.errors import InputError
from alignment.io.writers import output_format

EXAMPLE = ('pathway-align crosswalk suggest --from 2013 --to 2023-draft --sector "Arts, Media, and Entertainment" '
           "-o crosswalk.csv")


def add_crosswalk_parser(sub, common: argparse.ArgumentParser) -> None:
    """The ``crosswalk`` command and its three actions."""
    xw = sub.add_parser("crosswalk", parents=[common],
                        help="crosswalk two editions of the standards, export it as CASE, carry reviewed alignments",
                        description=__doc__.split("\n\n")[0])
    xw.add_argument("action", choices=["suggest", "export", "carry"])
    xw.add_argument("--from", dest="from_edition", required=True, metavar="EDITION",
                    help="the edition alignments were made against (e.g. 2013)")
    xw.add_argument("--to", dest="to_edition", required=True, metavar="EDITION", help="the new edition (e.g. 2023-draft)")
    xw.add_argument("--sector", help="only this CTE sector's standards")
    xw.add_argument("--framework", nargs="+", help="only these frameworks")
    xw.add_argument("--standards", help="standards file or folder instead of the bundle and library")
    xw.add_argument("--review-db", dest="review_db", help="the review store (default: the review_db setting)")
    xw.add_argument("--top-k", type=int, default=3, help="suggest: candidates per standard (default 3)")
    xw.add_argument("--no-register", action="store_true", help="suggest: do not register them in the review store")
    xw.add_argument("--catalog", help="carry: the catalog whose decisions are carried (default: the store's only one)")
    xw.add_argument("--write", action="store_true", help="carry: record the carried decisions in the review store")
    xw.add_argument("--reviewer", help="carry --write: who carries them (recorded with every carried decision)")
    xw.add_argument("-o", "--output", help="file to write (suggest: .csv/.xlsx; export: .json/.csv/.xlsx; "
                                           "carry: .xlsx/.csv)")
    xw.add_argument("--format", help="format of -o (default: from its extension)")
    xw.set_defaults(func=run_crosswalk)


def edition_rows(standards: pd.DataFrame, edition: str) -> pd.DataFrame:
    """The rows of one edition (``alignment.data.editions``: a table without the column
    gets each framework's default edition); refused naming the editions loaded."""
    from alignment.data.editions import loaded_editions, with_editions

    table = with_editions(standards)
    rows = table[table["edition"] == str(edition)]
    if rows.empty:
        raise InputError("--from/--to", f"no standards of edition {edition!r} are loaded; loaded editions: "
                                        f"{', '.join(loaded_editions(table)) or 'none'}")
    return rows


def _scoped(standards: pd.DataFrame, args) -> pd.DataFrame:
    from alignment.data.standards import filter_standards

    return filter_standards(standards, frameworks=args.framework, sectors=[args.sector] if args.sector else None)


def _open_store(args, settings, create: bool = False):
    from alignment.review.store import ReviewStore

    path = Path(args.review_db) if args.review_db else Path(settings.review_db)
    return ReviewStore(path, create=create)


def run_crosswalk(args, settings) -> int:
    fmt = None
    if args.output:
        allowed = {"suggest": ["csv", "xlsx"], "export": ["json", "csv", "xlsx"], "carry": ["xlsx", "csv"]}[args.action]
        fmt = output_format(args.output, allowed, args.format, what=f"crosswalk {args.action}",
                            hint=" (or name one with --format)")
    elif args.action in ("export", "carry"):
        raise InputError("-o", f"crosswalk {args.action}: give -o FILE")
    standards = load_standards_from(args.standards, edition=None)  # every edition, side by side
    edition_a = _scoped(edition_rows(standards, args.from_edition), args)
    edition_b = _scoped(edition_rows(standards, args.to_edition), args)
    if args.action == "suggest":
        return _suggest(args, settings, edition_a, edition_b, fmt)
    if args.action == "export":
        return _export(args, settings, standards, fmt)
    return _carry(args, settings, edition_a, edition_b, fmt)


def _suggest(args, settings, edition_a, edition_b, fmt) -> int:
    from alignment.align.crosswalk import CROSSWALK_COLUMNS, suggest_crosswalk
    from alignment.io.writers import write_csv, write_excel

    print(f"crosswalk {args.from_edition} ({len(edition_a)} rows) -> {args.to_edition} ({len(edition_b)} rows)",
          file=sys.stderr)
    table = suggest_crosswalk(edition_a, edition_b, top_k=args.top_k, from_edition=args.from_edition,
                              to_edition=args.to_edition, cache_dir=settings.cache_dir)
    if not args.no_register:
        from alignment.review.crosswalk_store import CrosswalkReviews

        with _open_store(args, settings, create=True) as store:
            n = CrosswalkReviews(store).register(table)
        print(f"registered {n} suggestions in {store.path} (review them in the review app's Crosswalk mode)",
              file=sys.stderr)
    if args.output:
        columns = [c for c in CROSSWALK_COLUMNS if c not in ("matched_terms", "matched_phrases")]
        if fmt == "csv":
            write_csv(table[columns], args.output)
        else:
            write_excel({"Crosswalk": table[columns]}, args.output)
        print(f"wrote {len(table)} suggestions to {args.output}", file=sys.stderr)
    return 0


def _export(args, settings, standards, fmt) -> int:
    from alignment.present.crosswalk_exports import write_crosswalk
    from alignment.review.crosswalk_store import CrosswalkReviews

    with _open_store(args, settings) as store:
        decisions = CrosswalkReviews(store).decisions(args.from_edition, args.to_edition)
    if decisions.empty:
        raise InputError(args.output, f"no reviewed crosswalk {args.from_edition} -> {args.to_edition} in the review "
                                      "store; review it in the review app's Crosswalk mode first")
    write_crosswalk(decisions, args.output, from_edition=args.from_edition, to_edition=args.to_edition,
                    standards=standards, fmt=fmt)
    print(f"wrote {len(decisions)} crosswalk decisions to {args.output}", file=sys.stderr)
    return 0


def _carry(args, settings, edition_a, edition_b, fmt) -> int:
    from alignment.analysis.carry import carry_decisions, carry_report, write_carry_report
    from alignment.review.crosswalk_store import CrosswalkReviews

    if args.write and not (args.reviewer or "").strip():
        raise InputError("--reviewer", "crosswalk carry --write: name who carries the decisions (--reviewer NAME)")
    with _open_store(args, settings) as store:
        reviews = CrosswalkReviews(store)
        all_decisions = store.decisions()
        catalogs = sorted(set(all_decisions["catalog"]))
        catalog = args.catalog or (catalogs[0] if len(catalogs) == 1 else None)
        if catalog is None:
            raise InputError("--catalog", f"the review store holds {len(catalogs)} catalogs "
                                          f"({', '.join(catalogs) or 'none'}); name one with --catalog")
        decisions = all_decisions[all_decisions["catalog"] == catalog]
        crosswalk = reviews.decisions(args.from_edition, args.to_edition)
        carried = carry_decisions(decisions, crosswalk, audit=store.audit(catalog), standards_b=edition_b,
                                  catalog=catalog)
        report = carry_report(carried, decisions, crosswalk, edition_b,
                              from_ids=edition_a["standard_id"].tolist(), decisions_b=decisions)
        if args.write:
            result = reviews.record_carried(catalog, carried, args.reviewer)
            print(f"recorded {result['recorded']} carried decisions, {result['to_review']} to review, "
                  f"{result['skipped']} already decided (batch {result['batch']})", file=sys.stderr)
    write_carry_report(report, args.output, fmt)
    for row in report["summary"].itertuples():
        print(f"  {row.measure}: {row.count}", file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
