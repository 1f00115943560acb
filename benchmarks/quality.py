"""Alignment quality on the development data (``../shared/eval``): one table.

    python benchmarks/quality.py [--ablation] [--courses] [--course-variants]

Runs the tasks of ``../shared/eval/README.md`` for the two baselines (TF-IDF over
lemmas; plain spaCy ``Doc.similarity`` with en_core_web_md) and the shipped method,
in the same run on the same queries, and prints recall@1, recall@5, MRR, the
catalog accuracies, the abstention figures and the calibration of the bands.
``--ablation`` adds the variants the shipped settings were chosen from.
``--courses`` adds the course-level Common Core evaluation of ``benchmarks/course_quality.py``
(the catalog's math and English courses, labelled by ``benchmarks/course_labels.py``;
families apart, hub demotion and the grade fit on and off; all, dev and held-out
courses) and its band calibration. ``--course-variants`` adds the course-level Common
Core scoring variants of ``benchmarks/course_scoring.py`` on the dev courses.
Needs ``../shared`` (the eval files are not vendored: they are for measuring only).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment.align import bands  # noqa: E402
from alignment.settings import get_settings
from alignment.data.catalog import default_catalog  # noqa: E402
from benchmarks.evaluation import (  # noqa: E402
    EncodedSentencesAligner, ShippedMethod, SpacyBaseline, TfidfBaseline, abstention_rate, calibration_table,
    catalog_accuracy, load_catalog_task, load_cte_task, load_ela_task, pathway_ranking,
    rank_metrics,
)
from alignment.data.standards import load_standards  # noqa: E402
from alignment.data.editions import select_edition  # noqa: E402


def run(methods, standards, courses) -> pd.DataFrame:
    tasks = [load_cte_task(standards), load_ela_task(standards)]
    labelled, outside, cands = load_catalog_task(courses, standards)
    non_cte = courses[courses["sector"].str.strip() == ""]
    rows = []
    for method in methods:
        row = {"method": method.name}
        t0 = time.perf_counter()
        for task, short in zip(tasks, ["cte", "ela"]):
            m = rank_metrics(method.score(task.queries, task.candidates), task.gold)
            row.update({f"{short} R@1": m["recall@1"], f"{short} R@5": m["recall@5"], f"{short} MRR": m["mrr"]})
        s = method.score(labelled["description"].tolist(), cands)
        acc = catalog_accuracy(pathway_ranking(s, cands), labelled)
        row.update({"catalog acc@1": acc["accuracy@1"], "catalog acc@3": acc["accuracy@3"]})
        if isinstance(method, ShippedMethod):
            top_out = method.score(outside["description"].tolist(), cands).max(axis=1) if len(outside) else np.array([])
            top_non = method.score(non_cte["description"].tolist(), cands).max(axis=1)
            row["abstain: uncovered sector"] = abstention_rate(top_out)
            row["abstain: non-CTE course"] = abstention_rate(top_non)
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    table = pd.DataFrame(rows)
    print(f"\nqueries: cte {len(tasks[0].queries)} (candidates {len(tasks[0].candidates)}), "
          f"ela {len(tasks[1].queries)} (candidates {len(tasks[1].candidates)}), "
          f"catalog {len(labelled)} labelled CTE courses in covered sectors, "
          f"{len(outside)} in uncovered sectors, {len(non_cte)} non-CTE courses")
    return table


def calibration(method: ShippedMethod, standards) -> pd.DataFrame:
    """Top-1 precision by score bin, pooled over the two ranking tasks."""
    scores, correct = [], []
    for task in [load_cte_task(standards), load_ela_task(standards)]:
        s = method.score(task.queries, task.candidates)
        scores.append(s.max(axis=1))
        correct.append(s.argmax(axis=1) == task.gold)
    return calibration_table(np.concatenate(scores), np.concatenate(correct))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ablation", action="store_true", help="also run the variants the shipped settings were chosen from")
    parser.add_argument("--courses", action="store_true", help="also run the course-level Common Core evaluation")
    parser.add_argument("--course-variants", action="store_true",
                        help="also run the course-level Common Core scoring variants (dev courses)")
    args = parser.parse_args(argv)
    if not (get_settings().shared_dir / "eval").exists():
        print(f"needs the dev data in {get_settings().shared_dir / 'eval'}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    standards = select_edition(load_standards(), "adopted")
    courses = default_catalog()
    shipped = ShippedMethod(standards)
    methods = [TfidfBaseline(), SpacyBaseline(), shipped,
               ShippedMethod(standards, name="Pathway Align, fast mode (--mode fast)", mode="fast")]
    if args.ablation:
        methods += [
            ShippedMethod(standards, name="  sentence model only (no passages, no TF-IDF)", whole_weight=1.0,
                          semantic_weight={f: 1.0 for f in bands.SEMANTIC_WEIGHT}),
            ShippedMethod(standards, name="  + TF-IDF fused 0.8/0.2 everywhere",
                          semantic_weight={f: 0.8 for f in bands.SEMANTIC_WEIGHT}),
            ShippedMethod(standards, name="  no passages (whole text only)", whole_weight=1.0),
            ShippedMethod(standards, name="  sentences encoded on their own, tagger lemmas",
                          aligner_class=EncodedSentencesAligner),
            ShippedMethod(standards, name="  standard text only (no headings)", text_columns={"text": 1.0}),
            ShippedMethod(standards, name="  text with ancestors' headings only (match_text)", text_columns={"match_text": 1.0}),
        ]
    table = run(methods, standards, courses)
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.float_format", "{:.3f}".format):
        print("\n## Quality on the development data\n")
        print(table.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else table.to_string(index=False))
        print("\n## Calibration of the bands (shipped method, top-1 over both ranking tasks)\n")
        cal = calibration(shipped, standards)
        print(cal.to_markdown(index=False, floatfmt=".2f") if _has_tabulate() else cal.to_string(index=False))
        print(f"\nbands: strong >= {bands.BAND_THRESHOLDS['strong']}, possible >= {bands.BAND_THRESHOLDS['possible']}, else weak"
              f"; Common Core at the course level: {bands.FRAMEWORK_BAND_THRESHOLDS}")
    if args.courses:
        from benchmarks import course_quality

        course_quality.main([])
    if args.course_variants:
        from benchmarks import course_scoring

        course_scoring.main(["--split", "dev"])
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(main())
