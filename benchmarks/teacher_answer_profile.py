"""Where one teacher-app answer spends its time in an app kernel (issue 16).

    python benchmarks/teacher_answer_profile.py              # 5 courses, top 25 functions
    python benchmarks/teacher_answer_profile.py --courses 8 --top 40

Starts the model service (:mod:`alignment.present.model_service`) as ``pathway-align
serve`` does, waits until its models are loaded, then, in a fresh Python process that
plays a thin Voila kernel (its environment names the service), times: importing the
app, building it (``coverage_app()``: widgets, standards, catalog, pathways), and
picking real catalog courses of the bundled catalog one after the other, the first
with its pathway's gap panel computed, the others warm. One answer is run under
cProfile; its most expensive functions (cumulative time) are printed after the table.

The kernel side only: the browser's rendering of the widgets is not counted. Asserts
nothing: the numbers depend on the machine (print ``uptime`` with them).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

KERNEL = r"""
import cProfile, io, json, pstats, sys, time
t0 = time.perf_counter()
from alignment.ui.coverage import CoverageApp
from alignment.ui import session
t_import = time.perf_counter() - t0
n, top, profiled = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) - 1
profile = cProfile.Profile() if profiled < 0 else None
t0 = time.perf_counter()
if profile is not None:
    profile.enable()
app = CoverageApp(background=False)
if profile is not None:
    profile.disable()
t_build = time.perf_counter() - t0
labels = list(app.labels)
step = max(1, len(labels) // n)
chosen = [labels[(i * step) % len(labels)] for i in range(n)]
rows = [("import the app", t_import),
        (f"build the app (standards, catalog, pathways){' (profiled)' if profiled < 0 else ''}", t_build)]
for i, label in enumerate(chosen):
    if i == profiled:
        profile = cProfile.Profile()
        profile.enable()
    t0 = time.perf_counter()
    app.course.value = label  # what the page's course picker sends
    rows.append((f"answer {i + 1}{' (profiled)' if i == profiled else ''}: {label[:50]}", time.perf_counter() - t0))
    if i == profiled:
        profile.disable()
    assert app.last and app.last["course"]["course_id"] == app.labels[label], app.message.value
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
payload = sum(len(str(getattr(w, "value", ""))) for w in (app.results, app.gaps, app.downloads))
print(json.dumps({"rows": rows, "profile": out.getvalue(), "payload_chars": payload}))
"""


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=5, help="courses picked one after the other (default 5)")
    parser.add_argument("--top", type=int, default=25, help="functions of the profile printed (default 25)")
    parser.add_argument("--profile", type=int, default=2,
                        help="which answer to profile (default 2: a warm one; 0: building the app)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from alignment.present.model_client import ServiceClient

    secret = secrets.token_urlsafe(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update({"PATHWAY_ALIGN_SERVICE_SECRET": secret, "PATHWAY_ALIGN_CACHE_DIR": str(REPO / ".cache"),
                "PATHWAY_ALIGN_CONFIG": "none", "PYTHONPATH": str(REPO)})
    service = subprocess.Popen([sys.executable, "-m", "alignment.present.model_service"], env=env,
                               stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        url = service.stdout.readline().strip()
        ServiceClient(url, secret).wait_ready(timeout=900)
        env["PATHWAY_ALIGN_SERVICE_URL"] = url
        done = subprocess.run([sys.executable, "-c", KERNEL, str(args.courses), str(args.top), str(args.profile)], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return 1
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        service.terminate()
        service.wait(30)
    print(f"\nOne teacher-app kernel against the model service ({os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f})\n")
    print("| step | seconds |\n|:--|--:|")
    for name, seconds in result["rows"]:
        print(f"| {name} | {seconds:.3f} |")
    print(f"\nwidget text sent to the page after the last answer: {result['payload_chars']:,} characters\n")
    print(result["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
