"""How long a teacher waits for a new description once the app is warm.

    python benchmarks/teacher_latency.py [--n 30] [--threads N]

Fits the Aligner once (standards' vectors from the cache), warms it up with two
descriptions, then answers ~30 real descriptions of the bundled catalog one at a time,
as the teacher app does (``Aligner.suggest`` on a one-course table), and prints p50 /
p95 / max of ``suggest`` alone, then with the results rendered (what the teacher sees),
then with the CSV and Excel downloads built (the app fills them in after the results). Prints; asserts nothing: the
numbers depend on the machine and on what else runs on it (the load average is printed
with them). The target is under 300 ms for ``suggest`` once warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30, help="descriptions to time (default 30)")
    parser.add_argument("--threads", type=int, help="ONNX threads (the threads setting, PATHWAY_ALIGN_THREADS)")
    args = parser.parse_args(argv)
    from alignment.settings import load_settings, set_settings

    set_settings(load_settings(threads=args.threads))  # before the encoder is created

    from alignment.align.aligner import Aligner
    from alignment.data.catalog import default_catalog
    from alignment.data.standards import load_standards
    from alignment.data.editions import select_edition
    from alignment.ui.coverage import download_table, downloads_html, render_result

    start = time.perf_counter()
    standards = select_edition(load_standards(), "adopted")
    aligner = Aligner(top_k=5).fit(standards)
    print(f"fit: {time.perf_counter() - start:.1f} s (cache hit: {aligner.cache_hit_})")
    catalog = default_catalog()
    step = max(1, len(catalog) // args.n)
    picks = [catalog.iloc[[i]] for i in range(0, len(catalog), step)][: args.n]
    for course in picks[:2]:  # warm-up: first calls load lazy parts of the pipeline
        aligner.suggest(course)

    suggest_ms, shown_ms, page_ms = [], [], []
    for course in picks:
        t0 = time.perf_counter()
        suggestions = aligner.suggest(course)
        t1 = time.perf_counter()
        record = course.iloc[0].to_dict()
        render_result(record, suggestions, standards)
        t2 = time.perf_counter()
        downloads_html(download_table(suggestions, record, standards), record["course_id"])
        t3 = time.perf_counter()
        suggest_ms.append((t1 - t0) * 1000)
        shown_ms.append((t2 - t0) * 1000)
        page_ms.append((t3 - t0) * 1000)

    words = [len(str(c.iloc[0]["description"]).split()) for c in picks]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(picks)} real descriptions ({min(words)}-{max(words)} words, median {statistics.median(words):.0f}); "
          f"{os.cpu_count()} CPUs, load average {load:.2f}")
    for label, values in (("Aligner.suggest", suggest_ms), ("+ results rendered", shown_ms),
                          ("+ CSV/Excel downloads", page_ms)):
        print(f"{label:<28} p50 {percentile(values, 0.5):6.0f} ms   p95 {percentile(values, 0.95):6.0f} ms   "
              f"max {max(values):6.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
