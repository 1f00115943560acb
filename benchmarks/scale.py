"""Throughput, memory and latency at catalog scale: one table (issue 7; docs/scale.md).

    python benchmarks/scale.py            # the full table (about 15 minutes on 2 cores)
    python benchmarks/scale.py --quick    # smaller sizes (about 4 minutes)
    python benchmarks/scale.py --quality  # also the dev-data quality of the throughput options

Catalogs of 1k, 10k and 50k courses are built by sampling the 197 real descriptions of
the bundled Westview catalog with replacement (each keeps its sector and grades; ids are
new). Nothing is cached per description, so a repeated description costs what a new one
costs. Every measurement runs in its own process (peak RSS = that process's), aligning
through the CLI's local engine (suggestions streamed to a CSV), after the models are
loaded and the standards fitted (from the on-disk cache; startup is printed apart).

For each run: wall time, courses/s, the sentence model's own throughput on the same
descriptions (the model alone on the whole descriptions, in the same process: for
accurate runs alternating with the pipeline chunk by chunk, so both see the same
machine load), their ratio, peak RSS.
Accurate runs that would take too long align only the first ``--accurate-sample``
courses of the big catalog (which is loaded whole) and EXTRAPOLATE linearly (marked
``~``): the engine streams chunks, so time grows linearly and memory does not grow.
Also: the naive loop (``nlp(course)`` then ``Doc.similarity`` against every pre-parsed
standard, the project's pipeline with MiniLM on ``Doc``; timed on a sample) and the
interactive path (``Aligner.suggest`` on a 1-row DataFrame, after warm-up).
Machine load (1-minute load average) is printed with each row: this machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 0
#: name -> Aligner keyword arguments; ``encoded_sentences``: the benchmark-only variant
#: ``benchmarks.evaluation.EncodedSentencesAligner`` (each sentence encoded again, tagger lemmas).
CONFIGS = {
    "accurate": {},
    "accurate encoded+tagger": {"encoded_sentences": True},
    "fast": {"mode": "fast"},
}


def aligner_class_and_kwargs(config: str):
    """The Aligner class and keyword arguments of a configuration of ``CONFIGS``."""
    from alignment.align.aligner import Aligner
    from benchmarks.evaluation import EncodedSentencesAligner

    kwargs = dict(CONFIGS[config])
    return (EncodedSentencesAligner if kwargs.pop("encoded_sentences", False) else Aligner), kwargs


def make_aligner(config: str):
    """An unfitted Aligner of a configuration of ``CONFIGS``."""
    cls, kwargs = aligner_class_and_kwargs(config)
    return cls(**kwargs)


def machine() -> str:
    import psutil

    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.1f} GB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def sampled_catalog(n: int):
    """``n`` courses sampled (with replacement, seeded) from the bundled real catalog."""
    from alignment.data.catalog import default_catalog

    real = default_catalog()
    rng = np.random.default_rng(SEED)
    out = real.iloc[rng.integers(0, len(real), n)].reset_index(drop=True)
    out["course_id"] = [f"S{i:06d}" for i in range(n)]
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def encode_seconds(texts: list[str]) -> float:
    """Seconds the sentence model takes on ``texts`` (whole descriptions), length-sorted,
    in token-budgeted batches: the same session and vectors as ``SentenceEncoder.encode``
    (the ``encoder check`` line compares the two)."""
    from alignment.nlp.encoder import get_encoder
    from alignment.nlp.passages import encode_texts

    t0 = time.perf_counter()
    encode_texts(get_encoder(), texts)
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- children
def child_align(config: str, size: int, limit: int | None) -> dict:
    """Align a sampled catalog through the local engine's streaming writer.

    Accurate runs of a whole catalog alternate, chunk by chunk, the sentence model alone
    on the chunk's descriptions and the whole pipeline on the same chunk, so both see the
    same machine load. Other runs (fast, and accurate runs timed on the first courses of
    a big catalog) are timed alone; the model is then timed on 500 of their texts (after
    the peak RSS is read, so its buffers do not count).
    """
    from alignment.align.aligner import SUGGESTION_COLUMNS
    from alignment.align.engines import RunSummary
    from alignment.data.standards import load_standards
    from alignment.data.editions import select_edition

    load0 = os.getloadavg()[0]
    catalog = sampled_catalog(size)
    timed = catalog.head(limit) if limit and limit < size else catalog
    t0 = time.perf_counter()
    aligner = make_aligner(config).fit(select_edition(load_standards(), "adopted"))
    aligner.suggest(catalog.head(2))  # warm-up: first calls allocate
    startup = time.perf_counter() - t0
    # Big accurate catalogs: the pipeline runs alone first (its peak RSS untouched by
    # the model-alone runs), then the model is timed on 500 of the texts.
    paired = aligner.mode == "accurate" and len(timed) == size
    if paired:
        encode_seconds(timed["description"].head(8).tolist())
    summary = RunSummary(output=Path("-"), courses=len(timed))
    wall = model = 0.0
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "s.csv", "w", encoding="utf-8", newline="") as out:
        for start in range(0, len(timed), aligner.chunk_size):
            chunk = timed.iloc[start : start + aligner.chunk_size]
            if paired:
                model += encode_seconds(chunk["description"].tolist())
            t0 = time.perf_counter()
            for frame in aligner.iter_suggest(chunk):
                frame[SUGGESTION_COLUMNS].to_csv(out, index=False, header=start == 0)
                summary.add(frame)
            wall += time.perf_counter() - t0
    rss = peak_rss_mb()
    if not paired:
        probe = timed["description"].head(500).tolist()
        # twice, the faster: a process's first sentence-model runs also grow its buffers
        model = min(encode_seconds(probe), encode_seconds(probe)) * len(timed) / len(probe)
    return {
        "config": config, "courses": size, "timed": len(timed), "standards": len(aligner.standards_),
        "wall": wall, "rate": len(timed) / wall, "encoder": len(timed) / model, "paired": paired,
        "rows": summary.rows, "startup": startup, "rss": rss, "load": (load0, os.getloadavg()[0]),
    }


def child_encoder_check(n: int) -> dict:
    """``SentenceEncoder.encode`` against the token-budgeted loop used above, interleaved."""
    from alignment.nlp.encoder import get_encoder

    texts = sampled_catalog(n)["description"].tolist()
    encoder = get_encoder()
    encoder.encode(texts[:8])
    shipped, budgeted = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        encoder.encode(texts)
        shipped.append(len(texts) / (time.perf_counter() - t0))
        budgeted.append(len(texts) / encode_seconds(texts))
    return {"n": n, "shipped": shipped, "budgeted": budgeted, "load": os.getloadavg()[0]}


def child_naive(sample: int) -> dict:
    from alignment.data.standards import load_standards
    from alignment.data.editions import select_edition
    from alignment.nlp.pipeline import load_nlp

    standards = select_edition(load_standards(), "adopted")
    standards = standards[(standards["kind"] != "heading") & (standards["text"].str.strip() != "")]
    nlp = load_nlp()
    t0 = time.perf_counter()
    parsed = list(nlp.pipe(standards["text"].tolist(), batch_size=64))
    parse = time.perf_counter() - t0
    courses = sampled_catalog(sample)["description"].tolist()
    nlp(courses[0])
    t0 = time.perf_counter()
    for text in courses:
        doc = nlp(text)
        scores = [doc.similarity(std) for std in parsed]
        sorted(range(len(scores)), key=scores.__getitem__)[-5:]
    wall = time.perf_counter() - t0
    return {"config": "naive loop", "courses": sample, "timed": sample, "standards": len(parsed), "wall": wall,
            "rate": sample / wall, "parse_standards": parse, "rss": peak_rss_mb(), "load": (os.getloadavg()[0],) * 2}


def child_interactive(config: str, n: int) -> dict:
    import pandas as pd

    from alignment.data.standards import load_standards
    from alignment.data.editions import select_edition

    aligner = make_aligner(config).fit(select_edition(load_standards(), "adopted"))
    catalog = sampled_catalog(400).drop_duplicates("description").reset_index(drop=True)
    rows = [catalog.iloc[[i % len(catalog)]] for i in range(n + 5)]
    for row in rows[:5]:
        aligner.suggest(row)
    times = []
    for row in rows[5:]:
        one = pd.DataFrame({"course_id": ["typed"], "description": [row["description"].iloc[0]]})
        t0 = time.perf_counter()
        aligner.suggest(one)
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000
    return {"config": config, "n": n, "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "max": float(ms.max()), "rss": peak_rss_mb(), "load": (os.getloadavg()[0],) * 2}


def run_child(*args) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", *map(str, args)], capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"child {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- the table
def fmt_row(r: dict) -> str:
    extrapolated = r["timed"] < r["courses"]
    wall = r["wall"] * r["courses"] / r["timed"]
    wall_text = f"~{wall:,.0f}" if extrapolated else f"{wall:,.1f}"
    ratio = f"{r['rate'] / r['encoder']:.0%}" if r.get("encoder") else "n/a"
    encoder = f"{r['encoder']:.1f}" if r.get("encoder") else "n/a"
    notes = []
    if extrapolated:
        notes.append(f"timed on the first {r['timed']:,}, extrapolated")
    if r.get("encoder") and not r.get("paired"):
        notes.append("model timed on 500 of the texts")
    note = "; ".join(notes)
    if r["config"] == "naive loop":
        note = f"timed on {r['timed']} courses; standards pre-parsed in {r['parse_standards']:.0f} s (not counted); no evidence"
    return (f"| {r['config']} | {r['courses']:,} | {r['standards']:,} | {wall_text} | {r['rate']:.1f} | {encoder} | "
            f"{ratio} | {r['rss']:,.0f} | {r['load'][0]:.1f}-{r['load'][1]:.1f} | {note} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="smaller catalogs and samples")
    parser.add_argument("--accurate-sample", type=int, default=1000,
                        help="accurate runs above 2,000 courses align this many and extrapolate (default 1000)")
    parser.add_argument("--quality", action="store_true", help="also print the dev-data quality of each configuration")
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "align":
            result = child_align(rest[0], int(rest[1]), int(rest[2]) or None)
        elif kind == "naive":
            result = child_naive(int(rest[0]))
        elif kind == "encoder":
            result = child_encoder_check(int(rest[0]))
        else:
            result = child_interactive(rest[0], int(rest[1]))
        print(json.dumps(result))
        return 0

    sample = 300 if args.quick else args.accurate_sample
    plan = [("fast", n, 0) for n in ([1000, 10000] if args.quick else [1000, 10000, 50000])]
    plan += [("accurate encoded+tagger", n, 0 if n <= 2000 else sample) for n in ([300] if args.quick else [1000, 2000, 10000])]
    plan += [("accurate", n, 0 if n <= 2000 else sample) for n in ([1000, 10000] if args.quick else [1000, 2000, 10000, 50000])]
    print(f"# Scale benchmark\n\nmachine: {machine()}")
    print("catalogs: sampled with replacement from the 197 real descriptions of the bundled Westview catalog "
          f"(seed {SEED}; ~90 words each); every row is its own process\n")
    print("| configuration | courses | standards | wall s | courses/s | encoder courses/s (same texts) | ratio "
          "| peak RSS MB | load | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    t0 = time.perf_counter()
    for config, size, limit in plan:
        print(fmt_row(run_child("align", config, size, limit)), flush=True)
    print(fmt_row(run_child("naive", 10 if args.quick else 20)), flush=True)
    check = run_child("encoder", 200)
    print(f"\nencoder check ({check['n']} descriptions, 3 interleaved rounds, load {check['load']:.1f}): "
          f"SentenceEncoder.encode {' / '.join(f'{x:.1f}' for x in check['shipped'])} courses/s, "
          f"token-budgeted loop {' / '.join(f'{x:.1f}' for x in check['budgeted'])} courses/s")
    print("\n## Interactive: Aligner.suggest on a 1-row DataFrame, after warm-up\n")
    print("| configuration | descriptions | p50 ms | p95 ms | max ms | load |")
    print("|---|---:|---:|---:|---:|---|")
    for config in ["accurate", "accurate encoded+tagger", "fast"]:
        r = run_child("interactive", config, 30 if args.quick else 60)
        print(f"| {config} | {r['n']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} | {r['load'][0]:.1f} |", flush=True)
    if args.quality:
        print_quality()
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; load average now {os.getloadavg()[0]:.1f}")
    return 0


def print_quality() -> None:
    """Dev-data quality (benchmarks/quality.py's tasks) of each configuration of the table."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from quality import run

    from alignment.data.catalog import default_catalog
    from benchmarks.evaluation import ShippedMethod
    from alignment.data.standards import load_standards
    from alignment.data.editions import select_edition

    standards = select_edition(load_standards(), "adopted")
    methods = []
    for name in CONFIGS:
        cls, kwargs = aligner_class_and_kwargs(name)
        methods.append(ShippedMethod(standards, name=name, aligner_class=cls, **kwargs))
    table = run(methods, standards, default_catalog()).drop(columns=["seconds"])
    print("\n## Quality of each configuration on the development data (benchmarks/quality.py tasks)\n")
    print(table.to_markdown(index=False, floatfmt=".3f"))


if __name__ == "__main__":
    sys.exit(main())
