"""``pathway-align``: the command line.

    pathway-align align CATALOG -o suggestions.csv|.xlsx [--standards FILE_OR_DIR]
                        [--frameworks F ...] [--top-k N] [--mode accurate|fast]
                        [--engine local|dask] [--scheduler ADDRESS] [--workers N]
    pathway-align standards [--framework F ...] [--sector S] [--search TEXT] [-o list.csv|.xlsx|framework.json]
    pathway-align gaps PATHWAY_FILE [--pathway NAME ...] [--catalog FILE] [--decisions FILE] [--edition E]
                        [--suggestions FILE] [--all] [--compare] -o report.xlsx|report.html
    pathway-align crosswalk suggest|export|carry --from EDITION --to EDITION [...] (crosswalk_cli.py)
    pathway-align serve [--port N] [--team [--host H] [--token T]] [--config pathway-align.toml]
                        [--catalog FILE] [--standards FILE_OR_DIR] [--review-db FILE] [--check]
                        [--allow-foreign-apps]
    pathway-align [--config FILE] [--version]

``-o`` writes the format its extension names (or ``--format``); an extension a command
cannot write is refused before anything is done or written.

Thin: parses arguments, loads the settings once (``alignment.settings.load_settings``:
``--config FILE``, ``PATHWAY_ALIGN_*``, the flags) and passes them down, calls the
package, prints. Without a command it prints the commands with an example each.
Errors never show a traceback: bad input, a bad setting, a file that cannot be read
or written end with one clear message (file, row, problem) and exit code 2; Ctrl+C
with one line and exit code 130; anything unexpected with one line and exit code 1
(``--traceback`` shows where).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from alignment.data.sources import load_standards_from
from alignment.io.errors import InputError
from alignment.io.writers import output_format, slug, unsafe_frame, write_csv, write_excel
from alignment.settings import Settings, SettingsError, load_settings, set_settings

DESCRIPTION = ("Pathway Align: suggest, explain and review course-to-standard alignments (CCSS, CA CTE) "
               "and find gaps in career pathways.")
#: One real example per command, on the bundled data (``{data}``: the bundled data folder).
EXAMPLES = {
    "align": "pathway-align align {data}/catalogs/westview_2025_26_courses.csv -o suggestions.csv",
    "standards": "pathway-align standards --framework cte_pathway --sector \"Business and Finance\" --search budget",
    "gaps": "pathway-align gaps {data}/catalogs/westview_2025_26_pathways.csv --pathway \"Business & Finance\" "
            "-o bf_gaps.xlsx",
    "crosswalk": "pathway-align crosswalk suggest --from 2013 --to 2023-draft --sector \"Arts, Media, and "
                 "Entertainment\" -o crosswalk.csv",
    "serve": "pathway-align serve",
}


EDITION_HELP = ("standards edition: adopted (default: every framework's adopted edition) or an edition id such as "
                "2023-draft (its rows replace the adopted ones of the sectors it covers; see docs/standards.md); "
                "PATHWAY_ALIGN_EDITION")
COLUMNS_HELP = ('which catalog column is which, when a header is not recognised: '
                '"Course Number=course_id,Course Description=description" (columns: course_id, title, '
                'department, grades, sector, pathway, level, description)')


def check_output_path(path: Path, flag: str = "-o") -> None:
    """Refuse an output path that cannot be written, before any slow work: a folder, a
    path below a file, a folder this user may not write in."""
    if path.is_dir():
        raise InputError(str(path), f"{flag} {path}: is a folder; give a file name")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(str(path), f"{flag} {path}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise InputError(str(path), f"{flag} {path}: cannot write in {parent} (permission denied)")
            break


def catalog_columns(args) -> dict[str, str]:
    """The ``--columns "Course Number=course_id,..."`` mapping of the catalog's headers."""
    from alignment.data.catalog import parse_column_mapping

    return parse_column_mapping(getattr(args, "columns", None))


def cmd_align(args, settings: Settings) -> int:
    from alignment.align.aligner import Aligner
    from alignment.align.engines import SUGGESTION_FORMATS
    from alignment.data.catalog import load_catalog

    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler", "--scheduler joins a Dask cluster: use it with --engine dask")
    fmt = output_format(args.output, SUGGESTION_FORMATS, args.format, what="suggestions", hint=FORMAT_HINT)
    check_output_path(Path(args.output))
    courses = load_catalog(args.catalog, settings=settings, columns=catalog_columns(args))
    standards = load_standards_from(args.standards)
    for note in standards.attrs.get("notes", []):
        print(note, file=sys.stderr)
    print(f"{len(courses)} courses from {args.catalog}; {len(standards)} standards "
          f"({args.mode} mode, {args.engine} engine)", file=sys.stderr)
    params = {"top_k": args.top_k, "frameworks": args.frameworks, "mode": args.mode}
    aligner = Aligner(**params, cache_dir=settings.cache_dir, progress=not args.quiet).fit(standards)
    out = Path(args.output)
    if args.engine == "dask":
        try:
            from alignment.align.distributed import align_on_dask
        except ImportError as exc:
            raise InputError("--engine", f"--engine dask needs Dask: pip install 'pathway-align[dask]' ({exc})") from exc

        summary = align_on_dask(courses, standards, out, params, scheduler=args.scheduler,
                                n_workers=args.workers, partition_size=args.partition_size,
                                progress=not args.quiet, aligner=aligner, fmt=fmt, settings=settings)
    else:
        from alignment.align.engines import write_suggestions

        summary = write_suggestions(aligner, courses, out, fmt=fmt)
    print(summary.describe(), file=sys.stderr)
    return 0


def cmd_standards(args, settings: Settings) -> int:
    from alignment.data.standards import filter_standards, search_standards

    if args.action:
        from alignment.present.library_cli import run_library_action

        return run_library_action(args, settings)
    fmt = output_format(args.output, STANDARDS_FORMATS, args.format, what="a standards list",
                        hint=FORMAT_HINT) if args.output else None
    table = load_standards_from(args.standards)
    table = filter_standards(
        table,
        frameworks=args.framework,
        sectors=[args.sector] if args.sector else None,
        pathways=[args.pathway] if args.pathway else None,
        grades=[args.grade] if args.grade else None,
    )
    if args.search:
        table = search_standards(table, args.search)
    columns = [c for c in ["standard_id", "framework", "display_code", "sector", "pathway", "grade", "kind", "completeness", "text"] if c in table.columns]
    if "edition" in table.columns and (table["edition"].nunique() > 1 or (table["edition_status"] == "draft").any()):
        # which edition each standard is from, when it is not obvious (a draft, or several loaded)
        table = table.assign(edition=[f"{e} (DRAFT)" if st == "draft" else e
                                      for e, st in zip(table["edition"], table["edition_status"])])
        columns.insert(columns.index("display_code") + 1, "edition")
    if args.output:
        _write_standards(table, columns, args.output, fmt)
        print(f"wrote {len(table)} standards to {args.output}", file=sys.stderr)
        return 0
    with pd.option_context("display.max_colwidth", 90, "display.width", 200, "display.max_rows", args.limit):
        shown = table[columns].head(args.limit)
        print(shown.to_string(index=False) if len(shown) else "no standards match")
    if len(table) > args.limit:
        print(f"... {len(table) - args.limit} more (use --limit or -o FILE)", file=sys.stderr)
    return 0


#: Added to a refused ``-o``: the way out.
FORMAT_HINT = " (or name one with --format)"
#: What ``standards -o`` writes: the list as CSV or Excel, or the framework as CASE 1.0 JSON.
STANDARDS_FORMATS = ("csv", "xlsx", "json")


def _write_standards(table: pd.DataFrame, columns: list[str], output: str, fmt: str) -> None:
    """``standards -o``: CSV or Excel (the listed columns), or a CASE 1.0 CFPackage (one
    whole framework: ``alignment.data.case.write_case``)."""
    if fmt == "csv":
        write_csv(table[columns], output)
    elif fmt == "xlsx":
        write_excel({"Standards": table[columns]}, output)
    else:
        from alignment.data import case

        frameworks = list(dict.fromkeys(table["framework"]))
        if len(frameworks) != 1:
            raise InputError(output, f"{output}: a CASE package holds one framework and this list has "
                                     f"{len(frameworks)} ({', '.join(frameworks) or 'none'}); pick one with --framework")
        case.write_case(table, output)


def _read_suggestions_csv(path: str) -> pd.DataFrame:
    """Suggestions written by ``pathway-align align`` (course_id, standard_id, band, score)."""
    from alignment.io.errors import row_problem

    file = Path(path)
    if not file.exists():
        raise InputError(file.name, row_problem(file.name, None, f"file not found: {path}"))
    table = unsafe_frame(pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8"))
    missing = [c for c in ("course_id", "standard_id") if c not in table.columns]
    if missing:
        raise InputError(file.name, row_problem(file.name, 1, f"missing column(s) {', '.join(missing)}; "
                                                             "expected the CSV written by `pathway-align align`"))
    if "score" in table.columns:
        table["score"] = pd.to_numeric(table["score"], errors="coerce")
    return table


def cmd_gaps(args, settings: Settings) -> int:
    from alignment.data.catalog import default_catalog, load_catalog
    from alignment.data.decisions import read_decisions_csv
    from alignment.analysis.comparison import compare_pathways
    from alignment.analysis.fixes import FixFinder
    from alignment.analysis.gaps import gap_report
    from alignment.data.pathways import load_pathways, select_pathway
    from alignment.present.reports import REPORT_FORMATS, write_comparison, write_report

    out = Path(args.output)
    fmt = output_format(out, REPORT_FORMATS, args.format, what="a gap report", hint=FORMAT_HINT)
    check_output_path(out)
    standards = load_standards_from(args.standards)
    catalog = (load_catalog(args.catalog, settings=settings, columns=catalog_columns(args)) if args.catalog
               else default_catalog())
    source = Path(args.pathway_file).name
    pathways = load_pathways(args.pathway_file, catalog=catalog, standards=standards,
                             strict=True if args.strict else None)
    if args.all:
        chosen = pathways
    elif args.pathway:
        chosen = [select_pathway(pathways, name, source) for name in args.pathway]
    else:
        chosen = [select_pathway(pathways, None, source)]
    decisions = read_decisions_csv(args.decisions) if args.decisions else None
    aligner = fixes = None
    if args.suggestions:
        suggestions = _read_suggestions_csv(args.suggestions)
    else:
        from alignment.align.aligner import Aligner

        aligner = Aligner(top_k=args.top_k, cache_dir=settings.cache_dir, progress=not args.quiet).fit(standards)
        if not args.no_fixes:
            fixes = FixFinder(aligner, n_courses=args.fixes).fit(catalog)
    reports = []
    for pathway in chosen:
        sugg = suggestions if args.suggestions else aligner.suggest(pathway.courses_for_aligner())
        report = gap_report(pathway, standards, sugg, decisions, fixes=fixes, n_fixes=args.fixes,
                            count_bands=tuple(args.count_bands))
        reports.append(report)
        print(f"{pathway.describe()}\n  {report.headline()}", file=sys.stderr)
        for note in report.notes:
            print(f"  note: {note}", file=sys.stderr)
    if args.compare:
        if len(reports) < 2:
            raise InputError(source, f"{source}: --compare needs two or more pathways (--pathway A --pathway B, or --all)")
        write_comparison(compare_pathways(reports), out, reports, fmt=fmt)
        print(f"wrote the comparison of {len(reports)} pathways to {out}", file=sys.stderr)
        return 0
    for report in reports:
        target = out if len(reports) == 1 else out.with_name(f"{out.stem}-{slug(report.pathway.name, default='pathway')}{out.suffix}")
        write_report(report, target, charts=not args.no_charts, fmt=fmt)
        print(f"wrote {target}", file=sys.stderr)
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from alignment.present.serve import ServeConfig, serve

    return serve(ServeConfig.from_settings(settings), check_only=args.check)


def setting_overrides(args) -> dict:
    """The settings the flags of a command override (field -> value; None: not given).
    ``--edition`` (align, standards, gaps, serve) and ``serve``'s flags are settings; the
    other commands' files are their inputs."""
    edition = {"edition": getattr(args, "edition", None)}
    if args.command != "serve":
        return edition
    return {**edition,
        "host": args.host, "port": args.port, "team": True if args.team else None, "token": args.token,
        "catalog": args.catalog, "standards": args.standards, "pathways": args.pathways,
        "review_db": args.review_db, "cache_dir": args.cache_dir, "top_k": args.top_k,
        "allowed_hosts": args.allowed_hosts, "allow_foreign_apps": True if args.allow_foreign_apps else None,
        "cull_idle_timeout": args.cull_idle_timeout, "model_service": False if args.no_model_service else None,
        "preheat_kernels": args.preheat_kernels,
    }


def overview(parser: argparse.ArgumentParser, data_dir: Path | None = None) -> str:
    """What ``pathway-align`` without arguments prints: the commands, each with its help
    and one real example on the bundled data (paths relative to the current folder
    when the data is below it)."""
    data_dir = Path(data_dir or Settings().standards_data_dir).resolve()
    try:
        shown = data_dir.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = data_dir.as_posix()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in sub._choices_actions}
    lines = [parser.description, "", "Commands (pathway-align COMMAND --help lists every option):"]
    for name in sub.choices:
        lines.append(f"  {name:<10} {helps.get(name, '')}")
        lines.append(f"  {'':<10} {EXAMPLES[name].format(data=shown)}")
    lines += ["", "Options: --config FILE (settings: docs/configuration.md), --version, --traceback"]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pathway-align", description=DESCRIPTION)
    config_help = ("TOML settings file (default: $PATHWAY_ALIGN_CONFIG, else pathway-align.toml in the project "
                   "folder; never one in the current folder); see docs/configuration.md")
    parser.add_argument("--config", help=config_help)
    parser.add_argument("--version", action="store_true", help="print the package and model versions and exit")
    parser.add_argument("--traceback", action="store_true", help="show the traceback of an unexpected error")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    sub = parser.add_subparsers(dest="command")

    align = sub.add_parser("align", parents=[common], help="suggest standards for every course of a catalog")
    align.add_argument("catalog", help="course catalog (CSV or Excel): course_id, description [, title, department, grades, sector, pathway, level]")
    align.add_argument("-o", "--output", required=True, help="file to write: .csv or .xlsx")
    align.add_argument("--columns", help=COLUMNS_HELP)
    align.add_argument("--format", choices=["csv", "xlsx"], help="format of -o (default: from its extension)")
    align.add_argument("--standards", help="plain CSV or CASE JSON file (or a folder of them) instead of the bundled frameworks")
    align.add_argument("--edition", help=EDITION_HELP)
    align.add_argument("--frameworks", nargs="+", help="only these frameworks (cte_pathway cte_anchor cte_crp ccss_ela ccss_math)")
    align.add_argument("--top-k", type=int, default=5, help="suggestions per course, framework and family (content, practice; default 5)")
    align.add_argument("--mode", choices=["accurate", "fast"], default="accurate",
                       help="accurate (default): the sentence model on every description; fast: static vectors "
                            "distilled from it, for statewide batches (lower quality; see docs/scale.md)")
    align.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="local (default): this process; dask: partitions on a Dask cluster, written as they "
                            "finish (OUTPUT.parts/), so an interrupted run resumes")
    align.add_argument("--scheduler", help="with --engine dask: address of a running Dask scheduler "
                                           "(default: a LocalCluster on this machine)")
    align.add_argument("--workers", type=int, default=1, help="with --engine dask and no --scheduler: "
                                                              "worker processes of the LocalCluster (default 1)")
    align.add_argument("--partition-size", type=int, default=500, help="with --engine dask: courses per partition")
    align.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    align.set_defaults(func=cmd_align)

    std = sub.add_parser("standards", parents=[common], help="list and search standards; import, list and remove frameworks of the "
                                           "standards library",
                         description="Without an action: list and search the standards (bundle + library). "
                                     "Actions: `import SOURCE` (a CASE JSON file or CFPackages URL, a CDE standards "
                                     "PDF/Word document or pasted text, a CSV/Excel file), `list` (what is loaded, "
                                     "its completeness and source), `remove NAME`.")
    from alignment.present.library_cli import add_library_arguments

    add_library_arguments(std)
    std.add_argument("--standards", help="plain CSV or CASE JSON instead of the bundled frameworks")
    std.add_argument("--edition", help=EDITION_HELP)
    std.add_argument("--framework", nargs="+", help="frameworks to list")
    std.add_argument("--sector")
    std.add_argument("--pathway")
    std.add_argument("--grade")
    std.add_argument("--search", help="text to look for in codes and texts")
    std.add_argument("--limit", type=int, default=50)
    std.add_argument("-o", "--output", help="write the list to this file instead: .csv, .xlsx, or .json (the "
                                            "framework as a CASE 1.0 package; one --framework)")
    std.add_argument("--format", choices=list(STANDARDS_FORMATS), help="format of -o (default: from its extension)")
    std.set_defaults(func=cmd_standards)

    gaps = sub.add_parser("gaps", parents=[common], help="gap report of a CTE pathway: what its courses cover, miss, repeat, "
                                       "teach out of order")
    gaps.add_argument("pathway_file", help="pathway file (CSV, Excel or YAML): pathway_name, sector, cte_pathway, "
                                           "sequence_position, course_id, level [, course_title, grades, sequence]")
    gaps.add_argument("--pathway", action="append", help="the pathway to report on (name or CA pathway); repeat "
                                                         "it with --compare")
    gaps.add_argument("--all", action="store_true", help="every pathway of the file (one report each, named "
                                                         "<output>-<pathway>.xlsx)")
    gaps.add_argument("--compare", action="store_true", help="write one side-by-side comparison of the chosen "
                                                             "pathways instead of reports")
    gaps.add_argument("--catalog", help="course catalog (CSV or Excel; default: the bundled Westview catalog)")
    gaps.add_argument("--columns", help=COLUMNS_HELP)
    gaps.add_argument("--decisions", help="reviewed decisions CSV (they override suggestions)")
    gaps.add_argument("--suggestions", help="suggestions CSV from `pathway-align align` (no models are loaded; "
                                            "no suggested fixes)")
    gaps.add_argument("--standards", help="plain CSV or CASE JSON instead of the bundled frameworks")
    gaps.add_argument("--edition", help=EDITION_HELP)
    gaps.add_argument("--top-k", type=int, default=10, help="suggestions per course and framework (default 10)")
    gaps.add_argument("--count-bands", nargs="+", default=["strong", "possible"],
                      choices=["strong", "possible", "weak"], help="suggestion bands that count as coverage")
    gaps.add_argument("--fixes", type=int, default=3, help="catalog courses suggested per gap (default 3)")
    gaps.add_argument("--no-fixes", action="store_true", help="skip suggested fixes (no catalog analysis)")
    gaps.add_argument("--no-charts", action="store_true", help="leave the charts out")
    gaps.add_argument("--strict", action="store_true", help="treat every pathway as one strict sequence "
                                                            "(one capstone, no repeats, level order)")
    gaps.add_argument("-o", "--output", required=True, help="report file: .xlsx or .html")
    gaps.add_argument("--format", choices=["xlsx", "html"], help="format of -o (default: from its extension)")
    gaps.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    gaps.set_defaults(func=cmd_gaps)

    from alignment.present.crosswalk_cli import add_crosswalk_parser

    add_crosswalk_parser(sub, common)
    srv = sub.add_parser("serve", parents=[common],
                         help="serve the web apps (Voila) on 127.0.0.1, or to a team with --team",
                         description="Serve the Voila apps of apps/ and print their URLs. Options override "
                                     "PATHWAY_ALIGN_* environment variables, which override the configuration "
                                     "file (see docs/configuration.md).")
    srv.add_argument("--port", type=int, help="port (default 8866)")
    srv.add_argument("--host", help="address to bind (default 127.0.0.1; 0.0.0.0 with --team)")
    srv.add_argument("--team", action="store_true", help="serve other machines; requires a token, a hashed "
                                                         "password or per-user tokens")
    srv.add_argument("--token", help="shared access token for --team (prefer PATHWAY_ALIGN_TOKEN: a command line "
                                     "is visible to other users of this machine)")
    srv.add_argument("--catalog", help="catalog file for the apps (default: the bundled Westview catalog)")
    srv.add_argument("--standards", help="standards file or folder (as for align --standards)")
    srv.add_argument("--pathways", help="pathways file for the gap panels (default: the bundled one)")
    srv.add_argument("--edition", help=EDITION_HELP)
    srv.add_argument("--review-db", dest="review_db", help="review store (default reviews/reviews.sqlite3)")
    srv.add_argument("--cache-dir", dest="cache_dir", help="cache of the standards' vectors (default .cache/)")
    srv.add_argument("--top-k", dest="top_k", type=int, help="suggestions per framework shown (default 5)")
    srv.add_argument("--allowed-host", dest="allowed_hosts", action="append", metavar="NAME",
                     help="with --team: a host name the server answers to (repeat for more; default: this "
                          "machine's name; IP addresses always work)")
    srv.add_argument("--allow-foreign-apps", action="store_true",
                     help="serve an apps folder other than the package's apps/ (its notebooks run for every visitor)")
    srv.add_argument("--cull-idle-timeout", dest="cull_idle_timeout", type=int, metavar="SECONDS",
                     help="shut down an app's kernel idle this long, tab open or not; the page asks for a reload "
                          "(default 1800; 0: never)")
    srv.add_argument("--no-model-service", dest="no_model_service", action="store_true",
                     help="load the models in every app kernel instead of once in the shared model service")
    srv.add_argument("--preheat-kernels", dest="preheat_kernels", type=int, metavar="N",
                     help="the room's size: teacher-app kernels started and rendered before anyone asks, so a new "
                          "tab gets one at once, refilled up to N minus the kernels in use (default 1; 0: none; a "
                          "workshop of 30: 30, each waiting kernel holds about 120 MB)")
    srv.add_argument("--check", action="store_true", help="check the configuration and print the URLs, do not start")
    srv.set_defaults(func=cmd_serve)
    return parser


def describe_os_error(exc: OSError, output: str | None = None) -> str:
    """One line for a file-system error: the file and the reason. A temporary file of an
    atomic write (``OUTPUT.<random>.tmp``) is named as the ``output`` the user gave."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if output and exc.filename and str(exc.filename).startswith(str(output)):
        return f"{output}: {reason}"
    if exc.filename and exc.filename2:
        return f"{exc.filename} -> {exc.filename2}: {reason}"
    if exc.filename:
        return f"{exc.filename}: {reason}"
    return reason


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 bad input or settings, 130
    interrupted, 1 unexpected error)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        print(overview(parser))
        return 0
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config, **setting_overrides(args))
        set_settings(settings)  # the process-wide settings (the sentence encoder reads its model there)
        if args.version:
            from alignment.nlp.versions import version_report

            print(version_report(settings))
            return 0
        if args.command is None:
            print(overview(parser))
            return 0
        return args.func(args, settings)
    except KeyboardInterrupt:
        print("pathway-align: interrupted", file=sys.stderr)
        return 130
    except (InputError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {describe_os_error(exc, getattr(args, 'output', None))}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line, the traceback on request
        if args.traceback:
            raise
        text = " ".join(str(exc).split())[:300]
        print(f"error: unexpected {type(exc).__name__}: {text} (a bug: run again with --traceback and report it)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
