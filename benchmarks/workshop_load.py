"""A workshop's worth of teachers at once: N sessions of the teacher app on one server.

    python benchmarks/workshop_load.py                        # N = 1, 10, 30 with the model service
    python benchmarks/workshop_load.py --sessions 1 5 --no-model-service    # before: models in every kernel
    python benchmarks/workshop_load.py --sessions 30 --browsers 2 --warm 5
    python benchmarks/workshop_load.py --sessions 5 30 --preheat 5    # 5 teacher-app kernels pre-heated
    python benchmarks/workshop_load.py --sessions 30 --preheat 30 --think 10   # a room of 30, reading answers

For each N it starts a fresh ``pathway-align serve`` (temp review store, the checkout's
``.cache`` for the standards' vectors), waits until the model service says its models
are loaded (a server set up before the workshop; ``--no-model-service`` has nothing to
wait for: each kernel loads its own) and, with ``--preheat K`` (``serve --preheat-kernels
K``; default: the server's default), until its pool of K pre-heated teacher-app kernels
is filled and the server is idle (its processes use under a fifth of a core for two
seconds: the pooled kernels have run the app), then opens N sessions of the teacher app
at the same moment, each for a different real course of the bundled catalog:

* ``--browsers`` of them in real headless Chromium (selenium): open the page, wait for
  "Ready", type the course and press Enter, wait for its standards;
* the rest as protocol-level clients: request the page over HTTP (Voila starts a kernel
  and runs the app's notebook for it, as for a browser), open the kernel's websocket
  as the page's widget manager does, ask for the widgets' states, and set the course
  picker's value, exactly the message the browser sends when a teacher picks a course;
  the answer is the results widget's update with the course's standards.

Then each session picks ``--warm`` more courses, one at a time (warm answers): back to
back by default (every session asking again the moment it has its answer: the server
saturated), or with ``--think S``, a pause of about S seconds before each, as a teacher
reading the answer.

Prints, per N: time from page request to first answer (p50, p95, max), warm answer p95,
the server's total RSS (the Voila server, the model service and every kernel; peak of
samples every second) and per-kernel RSS, and errors; with the load average, since the
machine may be shared. Asserts nothing: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

from voila_server import apply_widget_message, free_port, model_with_class  # noqa: E402  (the test servers' helpers)

APP_PATH = "apps/teacher-coverage"


def percentile(values: list[float], q: float) -> float:
    """numpy's (linear) percentile at ``q`` (0-1); NaN for no values."""
    return float(np.percentile(values, q * 100)) if values else float("nan")


# --------------------------------------------------------------------------- the server

@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    started: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def start_server(workdir: Path, model_service: bool, cull: int, preheat: int | None = None) -> Server:
    port = free_port()
    log = workdir / f"serve-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env["PYTHONPATH"] = str(REPO)
    args = [sys.executable, "-m", "alignment.present.cli", "serve", "--port", str(port),
            "--review-db", str(workdir / "reviews.sqlite3"), "--cache-dir", str(REPO / ".cache"),
            "--cull-idle-timeout", str(cull)]
    if not model_service:
        args.append("--no-model-service")
    if preheat is not None:
        args += ["--preheat-kernels", str(preheat)]
    with log.open("wb") as handle:
        process = subprocess.Popen(args, cwd=workdir, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(process, port, log, time.monotonic())
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited:\n{server.log_text()}")
        text = server.log_text()
        answers = "Voil" in text and "is running at" in text
        pooled = not preheat or "Kernel pool of course_coverage.ipynb is filled" in text
        if answers and pooled and (not model_service or "model service: models loaded" in text):
            wait_idle(process.pid, deadline)
            return server
        if "could not load the models" in text:
            raise RuntimeError(f"the model service failed:\n{text}")
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"the server was not ready in 600 s:\n{server.log_text()}")


def wait_idle(pid: int, deadline: float, busy: float = 20.0, quiet_for: float = 2.0) -> None:
    """Wait until the server's process tree uses under ``busy`` % of one core for
    ``quiet_for`` seconds (pre-heated kernels have run the app), or until ``deadline``."""
    import psutil

    root = psutil.Process(pid)
    while time.monotonic() < deadline:
        try:
            processes = [root] + root.children(recursive=True)
            before = sum(sum(p.cpu_times()[:2]) for p in processes)
            time.sleep(quiet_for)
            after = sum(sum(p.cpu_times()[:2]) for p in processes if p.is_running())
        except psutil.NoSuchProcess:
            continue
        if (after - before) / quiet_for * 100 < busy:
            return


class MemorySampler:
    """Peak total RSS of the server's process tree, and its kernels' RSS at that moment."""

    def __init__(self, pid: int, every: float = 1.0):
        import psutil

        self.root = psutil.Process(pid)
        self.every = every
        self.peak_total = 0
        self.kernels_at_peak: list[int] = []
        self.service_at_peak = 0
        self.kernels_max: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        import psutil

        total, kernels, service = 0, [], 0
        try:
            processes = [self.root] + self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for p in processes:
            try:
                rss = p.memory_info().rss
                cmd = " ".join(p.cmdline())
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            total += rss
            if "ipykernel" in cmd:
                kernels.append(rss)
            elif "model_service" in cmd:
                service = rss
        if total > self.peak_total:
            self.peak_total, self.kernels_at_peak, self.service_at_peak = total, kernels, service
        if len(kernels) >= len(self.kernels_max):
            self.kernels_max = kernels

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- sessions

@dataclass
class Result:
    kind: str
    course: str
    first: float | None = None
    warm: list[float] = field(default_factory=list)
    error: str = ""


def course_labels(n: int) -> list[tuple[str, str]]:
    """``(label as the app lists it, title)`` of n different catalog courses (a fixed spread)."""
    from alignment.data.catalog import load_catalog
    from alignment.ui.coverage import course_label

    records = load_catalog(None).to_dict("records")
    step = max(1, len(records) // max(n, 1))
    chosen = [records[(i * step) % len(records)] for i in range(len(records))]
    seen, out = set(), []
    for r in chosen:
        if r["course_id"] not in seen:
            seen.add(r["course_id"])
            out.append((course_label(r), str(r.get("title") or "")))
    return out


class ProtocolSession:
    """One teacher without a browser: the page over HTTP, then the kernel's websocket with
    the widget messages the page would send (see the module docstring)."""

    def __init__(self, server: Server, timeout: float, think: float = 0):
        self.server = server
        self.timeout = timeout
        self.think = think
        self.session_id = uuid.uuid4().hex
        self.models: dict[str, dict] = {}
        self.ws = None

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        msg = {"header": {"msg_id": uuid.uuid4().hex, "username": "bench", "session": self.session_id,
                          "msg_type": msg_type, "version": "5.3", "date": ""},
               "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell", "buffers": []}
        self.ws.send(json.dumps(msg))

    def _receive(self, until, deadline: float):
        """Read messages, updating the widget states, until ``until()`` holds."""
        import websocket

        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer in time")
            self.ws.settimeout(min(left, 5))
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            apply_widget_message(self.models, raw)

    def _model(self, dom_class: str) -> str | None:
        return model_with_class(self.models, dom_class)

    def run(self, courses: list[tuple[str, str]], result: Result) -> None:
        import websocket

        start = time.monotonic()
        deadline = start + self.timeout
        page = urllib.request.urlopen(self.server.url + APP_PATH, timeout=self.timeout).read().decode()
        config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
        if config is None:
            shown = " ".join(re.sub(r"<[^>]+>", " ", page).split())
            raise RuntimeError(f"the page has no kernel: {shown[:300]!r}")
        kernel = json.loads(html.unescape(config.group(1)) if "&#34;" in config.group(1) else config.group(1))["kernelId"]
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.server.port}/api/kernels/{kernel}/channels?session_id={self.session_id}",
            timeout=30, origin=f"http://127.0.0.1:{self.server.port}")
        try:
            control = uuid.uuid4().hex
            self._send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                       {"version": "1.0.0"})  # ipywidgets' control protocol, as the page's widget manager
            self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
            self._receive(lambda: self._model("pa-course-picker") and self._model("pa-results"), deadline)
            picker, results, status = self._model("pa-course-picker"), self._model("pa-results"), \
                self._model("pa-status-box")
            self._receive(lambda: "pa-status-ready" in self.models[status].get("value", ""), deadline)
            for i, (label, title) in enumerate(courses):
                if i:
                    think_pause(self.think, label)
                asked = time.monotonic()
                self._send("comm_msg", {"comm_id": picker, "data": {"method": "update", "state": {"value": label},
                                                                     "buffer_paths": []}})
                escaped = html.escape(title, quote=True)
                self._receive(lambda: "pa-group" in self.models[results].get("value", "")
                              and escaped in self.models[results].get("value", ""), time.monotonic() + self.timeout)
                now = time.monotonic()
                if i == 0:
                    result.first = now - start
                else:
                    result.warm.append(now - asked)
        finally:
            self.ws.close()


def think_pause(think: float, label: str) -> None:
    """A teacher reading the last answer before asking again: ``think`` seconds on average
    (uniform from half to one and a half times it; 0: none, every session asks at once)."""
    if think > 0:
        time.sleep(random.Random(label).uniform(0.5, 1.5) * think)


def browser_session(server: Server, courses: list[tuple[str, str]], result: Result, timeout: float, profile: Path,
                    think: float = 0):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1200",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    step = "opening the page"
    try:
        driver.set_page_load_timeout(timeout)
        start = time.monotonic()
        driver.get(server.url + APP_PATH)
        step = "waiting for the app to say Ready"
        WebDriverWait(driver, timeout, 0.2).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-status-ready"))
        for i, (label, title) in enumerate(courses):
            if i:
                think_pause(think, label)
            step = f"waiting for the answer for {label}"
            asked = time.monotonic()
            box = driver.find_element(By.CSS_SELECTOR, ".pa-course-picker input")
            box.clear()
            box.send_keys(label)
            box.send_keys(Keys.ENTER)
            WebDriverWait(driver, timeout, 0.1).until(
                lambda d: title in d.find_element(By.CSS_SELECTOR, ".pa-results").text
                and d.find_elements(By.CSS_SELECTOR, ".pa-results .pa-group"))
            now = time.monotonic()
            if i == 0:
                result.first = now - start
            else:
                result.warm.append(now - asked)
    except Exception as exc:  # say where it stopped and what the page showed
        try:
            shown = driver.execute_script("return document.body ? document.body.innerText : ''")[:300]
            html_size = driver.execute_script("return document.documentElement.outerHTML.length")
            logs = [e.get("message", "")[:300] for e in driver.get_log("browser")][-8:]
            shown = f"{shown!r} ({html_size} characters of HTML; console: {logs})"
        except Exception:  # noqa: BLE001 - the browser itself is gone
            shown = "(no page)"
        raise RuntimeError(f"{type(exc).__name__} {step}; the page showed: {shown}") from None
    finally:
        driver.quit()


# --------------------------------------------------------------------------- one round

def run_round(n: int, browsers: int, warm: int, model_service: bool, timeout: float, workdir: Path,
              preheat: int | None = None, think: float = 0) -> dict:
    labels = course_labels(n * (warm + 1))
    server = start_server(workdir, model_service, cull=3600, preheat=preheat)
    load_before = os.getloadavg()[0]
    results = [Result("browser" if i < browsers else "protocol", labels[i][0]) for i in range(n)]

    def one(i: int):
        mine = [labels[i]] + [labels[(n + i * warm + j) % len(labels)] for j in range(warm)]
        try:
            if results[i].kind == "browser":
                browser_session(server, mine, results[i], timeout, workdir / f"profile-{n}-{i}", think)
            else:
                ProtocolSession(server, timeout, think).run(mine, results[i])
        except Exception as exc:  # noqa: BLE001 - counted and printed
            results[i].error = f"{type(exc).__name__}: {str(exc)[:3000]}"

    try:
        with MemorySampler(server.process.pid) as memory:
            threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            memory.sample()
    finally:
        load_after = os.getloadavg()[0]
        server.stop()
    firsts = [r.first for r in results if r.first is not None]
    warms = [w for r in results for w in r.warm]
    kernels = memory.kernels_at_peak or [0]
    return {
        "n": n, "browsers": browsers, "first_p50": percentile(firsts, 0.5), "first_p95": percentile(firsts, 0.95),
        "first_max": max(firsts) if firsts else float("nan"), "warm_p95": percentile(warms, 0.95),
        "total_rss_gb": memory.peak_total / 2**30, "kernel_rss_mb": statistics.mean(kernels) / 2**20,
        "kernel_rss_max_mb": max(kernels) / 2**20, "service_rss_mb": memory.service_at_peak / 2**20,
        "kernels": len(memory.kernels_at_peak), "errors": [r.error for r in results if r.error],
        "sessions": results,
        "load": f"{load_before:.1f} -> {load_after:.1f}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30], help="N values (default 1 10 30)")
    parser.add_argument("--browsers", type=int, default=2, help="sessions in real Chromium per N (default 2)")
    parser.add_argument("--warm", type=int, default=5, help="more courses per session once warm (default 5)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a session may wait (default 600)")
    parser.add_argument("--no-model-service", dest="model_service", action="store_false",
                        help="before: every kernel loads its own models")
    parser.add_argument("--preheat", type=int, default=None, metavar="K",
                        help="serve --preheat-kernels K (default: the server's default; 0: none)")
    parser.add_argument("--think", type=float, default=0, metavar="SECONDS",
                        help="a pause of about SECONDS before each warm ask, as a teacher reading the answer "
                             "(default 0: every session asks again at once)")
    args = parser.parse_args(argv)
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        args.browsers = 0
    workdir = Path(tempfile.mkdtemp(prefix="pathway-align-workshop-"))
    rows = []
    try:
        for n in args.sessions:
            row = run_round(n, min(args.browsers, n), args.warm, args.model_service, args.timeout, workdir,
                            args.preheat, args.think)
            rows.append(row)
            print(f"N={n}: done ({len(row['errors'])} errors)", file=sys.stderr, flush=True)
            for e in row["errors"]:
                print(f"   {e}", file=sys.stderr)
            for kind in ("browser", "protocol"):  # where the time goes: Chromium or the server
                mine = [r for r in row["sessions"] if r.kind == kind]
                firsts = [r.first for r in mine if r.first is not None]
                warms = [w for r in mine for w in r.warm]
                if mine:
                    print(f"   {kind} sessions: {len(mine)}, first answer p50 {percentile(firsts, 0.5):.1f} s, "
                          f"max {max(firsts, default=float('nan')):.1f} s; warm p50 {percentile(warms, 0.5):.2f} s, "
                          f"p95 {percentile(warms, 0.95):.2f} s", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    mode = "one model service" if args.model_service else "models in every kernel (--no-model-service)"
    if args.preheat is not None:
        mode += f", {args.preheat} pre-heated teacher-app kernel(s)"
    pause = f", a pause of about {args.think:g} s before each" if args.think else ", asked back to back"
    print(f"\nTeacher app, {mode}, {os.cpu_count()} cores; {args.warm} warm answers per session{pause}\n")
    print("| N (browsers) | first answer p50 / p95 / max | warm answer p95 | total RSS (peak) | per kernel "
          "(mean / max) | model service | errors | load avg |")
    print("|:--|--:|--:|--:|--:|--:|--:|:--|")
    for r in rows:
        print(f"| {r['n']} ({r['browsers']}) | {r['first_p50']:.1f} / {r['first_p95']:.1f} / {r['first_max']:.1f} s "
              f"| {r['warm_p95']:.2f} s | {r['total_rss_gb']:.2f} GB | {r['kernel_rss_mb']:.0f} / "
              f"{r['kernel_rss_max_mb']:.0f} MB | {r['service_rss_mb']:.0f} MB | {len(r['errors'])} | {r['load']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
