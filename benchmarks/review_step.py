"""Opening the next course in the review app, kernel side: with and without the prefetch.

    python benchmarks/review_step.py [--courses 20] [--rounds 2]

The review app computes the next course's suggestions (and groups them) on the kernel's
event loop right after a course is drawn (``ReviewApp._prefetch_next``), so pressing
Next or ``n`` only draws. This times ``ReviewApp.step(+1)`` (what the Next button and the
``n`` key run) on the real Aligner and the bundled catalog, in an event loop as in a
kernel, with the reviewer "reading" 10 ms between courses, once with the prefetch and once
without it. No browser and no Voila: the page's own drawing time, which the browser
benchmark (``review_throughput.py``) includes, is not in these numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from alignment.align.aligner import Aligner  # noqa: E402
from alignment.data.catalog import default_catalog  # noqa: E402
from alignment.data.editions import select_edition  # noqa: E402
from alignment.data.standards import load_standards  # noqa: E402
from alignment.review.store import ReviewStore  # noqa: E402
from alignment.ui.review import ReviewApp  # noqa: E402


async def _steps(aligner, standards, catalog, courses: int, prefetch: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as folder, ReviewStore(Path(folder) / "r.sqlite3", create=True) as store:
        app = ReviewApp(aligner=aligner, standards=standards, catalog=catalog, store=store)
        app.name.value = "benchmark"
        if not prefetch:
            app._prefetch_next = lambda: None
        await asyncio.sleep(0)
        times = []
        for _ in range(courses):
            start = time.perf_counter()
            app.step(+1)
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.01)  # the reviewer reads; the loop runs the prefetch
        return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=20, help="courses opened per round (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each way, alternated (default 2)")
    args = parser.parse_args(argv)
    standards = select_edition(load_standards(), "adopted")
    catalog = default_catalog()
    aligner = Aligner().fit(standards)
    rows = []
    for r in range(args.rounds):
        for prefetch in (False, True):
            times = asyncio.run(_steps(aligner, standards, catalog, args.courses, prefetch))
            rows.append({"round": r + 1, "way": "next course computed ahead" if prefetch else "computed when opened",
                         "courses": len(times), "median ms": round(statistics.median(times) * 1000),
                         "max ms": round(max(times) * 1000)})
    print("\n## Opening the next course (ReviewApp.step, kernel side, no page)\n")
    print(pd.DataFrame(rows).to_markdown(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
