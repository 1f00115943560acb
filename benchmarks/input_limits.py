"""What small or large inputs cost to load: the cases of issue 13 item 4, as a table.

    python benchmarks/input_limits.py                      # this checkout
    python benchmarks/input_limits.py --code OLD_CHECKOUT  # the same inputs, another version's code
    python benchmarks/input_limits.py --timeout 60 --only case

Each case runs in its own Python process (so peak memory is its own, and a case that
runs away is stopped at ``--timeout`` seconds and reported as such). Columns: the case,
its input (rows or depth, file size), the outcome (rows loaded, or the start of the
error), wall seconds of the load, and the peak resident memory the load added (MB above
the process's resident size before it; Linux /proc).

The inputs: catalogs of 10k/50k/100k course rows with only course_id, title and
description (every optional column missing: the case that was quadratic), descriptions
taken from the bundled catalog's first sentences; the same 100k rows under the default
row limit; a ~31 KB workbook whose rows each hold one cell in column XFD (16,384); CASE
packages whose items form one isChildOf chain 2,000 and 100,000 deep; a plain standards
CSV whose parent_code chain is 2,000 deep. The catalogs are loaded with the row limit
raised (``max_catalog_rows``) and the byte limit raised, so the load itself is measured.
Results and the machine they were measured on: docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = ["catalog-10k", "catalog-50k", "catalog-100k", "catalog-100k-default-limit", "sparse-xlsx",
         "case-chain-2000", "case-chain-100000", "csv-chain-2000"]


# ------------------------------------------------------------------ inputs (made in the parent)

def sentences(limit: int = 400) -> list[str]:
    """First sentences of the bundled catalog's descriptions (real course text, short)."""
    import csv

    path = REPO / "standards_data" / "catalogs" / "westview_2025_26_courses.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row["description"] for row in csv.DictReader(handle)]
    firsts = [t.split(". ")[0].strip()[:limit] for t in texts if t.strip()]
    return [s if s.endswith(".") else s + "." for s in firsts]


def write_catalog(path: Path, rows: int) -> None:
    import csv

    texts = sentences()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["course_id", "title", "description"])
        for i in range(rows):
            writer.writerow([f"C{i:06d}", f"Course {i}", texts[i % len(texts)]])


def write_sparse_workbook(path: Path, rows: int = 1_300) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("courses")
    sheet.append(["course_id", "title", "description"])
    for i in range(rows):
        sheet.append([f"C{i}", f"Course {i}", "Budgeting."] + [None] * (16_384 - 4) + ["x"])
    book.save(path)


def write_case_chain(path: Path, depth: int) -> None:
    doc = "d0000000-0000-4000-8000-000000000000"
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(depth)]

    def link(identifier: str) -> dict:
        return {"identifier": identifier, "uri": f"urn:uuid:{identifier}", "title": ""}

    package = {
        "CFDocument": {"identifier": doc, "title": "Deep"},
        "CFItems": [{"identifier": i, "fullStatement": f"Statement {n}.", "humanCodingScheme": f"S{n}"}
                    for n, i in enumerate(ids)],
        "CFAssociations": [{"identifier": f"a{n}", "associationType": "isChildOf", "sequenceNumber": 1,
                            "originNodeURI": link(i), "destinationNodeURI": link(ids[n - 1] if n else doc)}
                           for n, i in enumerate(ids)],
    }
    path.write_text(json.dumps(package), encoding="utf-8")


def write_csv_chain(path: Path, depth: int) -> None:
    lines = ["code,text,parent_code", "C0,Level zero,"] + [f"C{i},Level {i},C{i - 1}" for i in range(1, depth)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def prepare(case: str, folder: Path) -> tuple[Path, str]:
    """The input file of a case and how to describe it."""
    if case.startswith("catalog-"):
        rows = {"10k": 10_000, "50k": 50_000, "100k": 100_000}[case.split("-")[1]]
        path = folder / f"catalog_{rows}.csv"
        if not path.exists():
            write_catalog(path, rows)
        return path, f"{rows:,} rows"
    if case == "sparse-xlsx":
        path = folder / "sparse.xlsx"
        write_sparse_workbook(path)
        return path, "1,300 rows x col XFD"
    if case.startswith("case-chain-"):
        depth = int(case.rsplit("-", 1)[1])
        path = folder / f"chain_{depth}.json"
        write_case_chain(path, depth)
        return path, f"depth {depth:,}"
    depth = int(case.rsplit("-", 1)[1])
    path = folder / f"chain_{depth}.csv"
    write_csv_chain(path, depth)
    return path, f"depth {depth:,}"


# ------------------------------------------------------------------ one case (in a child process)

def _status_mb(field: str) -> float:
    """``VmRSS`` / ``VmHWM`` (peak) of this process in MB, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from the current RSS: a forked child otherwise
    inherits its parent's peak, which here held the inputs being written."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _raise_limits(catalog_rows: bool) -> None:
    """Raise the byte limit (and the row limit): in the settings object, or in a checkout
    from before it (``--code``), the module constants."""
    from alignment import settings

    changes = {"max_input_bytes": 500 * 1024 * 1024}
    if catalog_rows:
        changes["max_catalog_rows"] = 1_000_000
    if hasattr(settings, "set_settings"):
        settings.set_settings(settings.with_changes(settings.get_settings(), **changes))
    else:
        for name, value in changes.items():
            setattr(settings, name.upper(), value)


def run_case(case: str, path: Path) -> dict:
    from alignment.data.case import read_case
    from alignment.data.catalog import load_catalog
    from alignment.data.standards import standards_from_csv
    from alignment.io.errors import InputError

    _raise_limits(catalog_rows=case != "catalog-100k-default-limit")
    load = {"case": read_case, "csv": standards_from_csv}.get(case.split("-")[0], load_catalog)
    _reset_peak()
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    try:
        result = load(path)
        outcome = f"loaded {len(result):,} rows"
    except InputError as err:
        outcome = "InputError: " + str(err).split("\n")[0].split(": ", 1)[-1]
    except Exception as err:  # noqa: BLE001 - the point is to show what used to escape
        outcome = f"{type(err).__name__}: {err}"
    seconds = time.perf_counter() - started
    return {"outcome": outcome, "seconds": seconds, "peak_mb": max(0.0, _status_mb("VmHWM") - before)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose alignment/ is measured")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a case is stopped")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--run", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_case(args.run[0], Path(args.run[1]))))
        return

    import pandas as pd

    rows = []
    with tempfile.TemporaryDirectory(prefix="input-limits-") as tmp:
        folder = Path(tmp)
        for case in [c for c in CASES if args.only in c]:
            path, described = prepare(case, folder)
            env = {**os.environ, "PYTHONPATH": str(args.code.resolve())}
            command = [sys.executable, str(Path(__file__).resolve()), "--run", case, str(path)]
            try:
                done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.timeout,
                                      cwd=str(args.code))
                if done.returncode != 0:
                    last = (done.stderr.strip().splitlines() or ["?"])[-1]
                    measured = {"outcome": f"crashed: {last}", "seconds": float("nan"), "peak_mb": float("nan")}
                else:
                    measured = json.loads(done.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                measured = {"outcome": f"stopped after {args.timeout:.0f} s", "seconds": float("nan"),
                            "peak_mb": float("nan")}
            rows.append({"case": case, "input": described, "file": f"{path.stat().st_size / 1024:,.0f} KB",
                         "outcome": measured["outcome"][:70], "seconds": round(measured["seconds"], 2),
                         "peak MB": round(measured["peak_mb"], 1)})
            print(f"  {case}: {measured['outcome'][:70]} ({measured['seconds']:.2f} s)", file=sys.stderr, flush=True)
    print(f"code: {args.code.resolve()}")
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
