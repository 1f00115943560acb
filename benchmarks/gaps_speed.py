"""How long a pathway gap report takes once the standards are cached.

    python benchmarks/gaps_speed.py [--repeats 3]

A 12-course pathway against its full sector (Information and Communication
Technologies, named by sector only, so all 4 CA pathways of the sector are analysed:
71 + 57 + 48 + 47 pathway rows, 99 anchor rows, 12 practices), built from real Westview
courses. The standards' vectors come from the on-disk cache and the language models
are loaded (warm-up call) before anything is timed: the target (< 2 s) covers the
suggestions for the pathway's courses plus the report, not model loading. The table is
printed, not asserted. Medians of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment.align.aligner import Aligner  # noqa: E402
from alignment.data.catalog import default_catalog  # noqa: E402
from alignment.analysis.fixes import FixFinder  # noqa: E402
from alignment.analysis.gaps import gap_report  # noqa: E402
from alignment.data.pathways import load_pathway, make_pathway  # noqa: E402
from alignment.present.reports import render_html, write_excel  # noqa: E402
from alignment.data.standards import load_standards  # noqa: E402

ICT = "Information and Communication Technologies"
#: 12 real Westview courses: the ICT pathway's 8, then 4 related catalog courses.
COURSES = [
    ("000966-000960", "concentrator"),
    ("001258-001259", "concentrator"),
    ("001080-001081", "concentrator"),
    ("001076-001077", "capstone"),
    ("001056-001057", "capstone"),
    ("000971-000972", "capstone"),
    ("001072-001073", "capstone"),
    ("000234-000235", "capstone"),
    ("000857-000858", "capstone"),
    ("000998-000999", "capstone"),
    ("001690-001691", "capstone"),
    ("001650", "capstone"),
]


def timed(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top-k", type=int, default=10, help="suggestions per course and framework (CLI default)")
    args = parser.parse_args(argv)

    rows = []
    t, standards = timed(load_standards, 1)
    rows.append(("load standards table (CSV)", t, "once per process"))
    catalog = default_catalog()
    t, aligner = timed(lambda: Aligner(top_k=args.top_k).fit(standards), 1)
    rows.append((f"Aligner.fit (vectors from cache: {aligner.cache_hit_})", t, "once per process; excluded"))
    t, _ = timed(lambda: aligner.suggest(catalog.head(1)), 1)
    rows.append(("model warm-up (first suggest call)", t, "excluded"))

    pathway = make_pathway("ICT 12-course sequence", ICT, [{"course_id": c, "level": lv} for c, lv in COURSES],
                           catalog=catalog, standards=standards)
    courses = pathway.courses_for_aligner()
    t_sug, suggestions = timed(lambda: aligner.suggest(courses), args.repeats)
    rows.append((f"suggest: {len(courses)} courses x 5 frameworks, top {args.top_k}", t_sug, "included"))
    t_rep, report = timed(lambda: gap_report(pathway, standards, suggestions), args.repeats)
    rows.append(("gap_report parts (a)-(f) + summaries", t_rep, "included"))
    rows.append(("=> report, suggestions included (target < 2 s)", t_sug + t_rep, "TOTAL"))

    t_fit, fixes = timed(lambda: FixFinder(aligner, cache_dir=None).fit(catalog), 1)
    rows.append((f"FixFinder.fit: analyse {len(catalog)} catalog courses (no cache)", t_fit, "once; disk-cached"))
    t_cached, fixes = timed(lambda: FixFinder(aligner).fit(catalog), 1)
    t_cached, fixes = timed(lambda: FixFinder(aligner).fit(catalog), args.repeats)
    rows.append(("FixFinder.fit from the disk cache", t_cached, ""))
    t_fix, report = timed(lambda: gap_report(pathway, standards, suggestions, fixes=fixes), args.repeats)
    rows.append((f"gap_report with part (g) ({len(report.fixes)} fix rows)", t_fix, ""))
    rows.append(("=> report with fixes, catalog analysis cached", t_sug + t_fix, "TOTAL"))
    t, _ = timed(lambda: render_html(report), 1)
    rows.append(("render HTML (2 charts)", t, "output"))
    out = Path("/tmp/gaps_speed.xlsx")
    t, _ = timed(lambda: write_excel(report, out), 1)
    rows.append(("write Excel (2 charts)", t, "output"))

    westview = load_pathway(name="Information & Communication Technology", catalog=catalog, standards=standards)
    t_w, sw = timed(lambda: aligner.suggest(westview.courses_for_aligner()), args.repeats)
    t_wr, _ = timed(lambda: gap_report(westview, standards, sw), args.repeats)
    rows.append((f"Westview ICT pathway ({len(westview.course_ids)} courses): suggest + report", t_w + t_wr, "TOTAL"))

    scope = report.scope.groupby("framework").size().to_dict()
    print(f"pathway: {len(pathway.course_ids)} courses, sector {ICT} (all pathways); scope {scope}; "
          f"{len(suggestions)} suggestion rows\n")
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  note")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 28}")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
