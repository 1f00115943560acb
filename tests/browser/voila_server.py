"""Start and stop a real ``pathway-align serve`` for tests (used by tests/browser and
tests/test_serve.py): a free port on 127.0.0.1, a temp review database, and a temp
cache folder pre-seeded from the checkout's ``.cache/`` (so the ~1 minute first fit of
the standards' vectors is not paid again)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    review_db: Path
    cache_dir: Path
    log: Path
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def app_url(self, notebook: str, token: str | None = None) -> str:
        return f"{self.url}voila/render/{notebook}" + (f"?token={token}" if token else "")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM (Voila shuts its kernels down), then SIGKILL of the server's group if needed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # our own session: the server and its kernels
                self.process.wait(10)
        return self.process.returncode


def apply_widget_message(models: dict[str, dict], raw: str | bytes) -> None:
    """Keep ``models`` (widget model id -> its state) up to date from one message of a
    kernel's websocket, as a page's widget manager does: ``update_states`` (the answer to
    ipywidgets' ``request_states``) and ``update``; anything else is left alone. For
    clients that speak the widget protocol without a browser (tests, benchmarks)."""
    if isinstance(raw, bytes):
        return
    msg = json.loads(raw)
    if msg.get("msg_type") != "comm_msg":
        return
    data = msg["content"].get("data", {})
    if data.get("method") == "update_states":
        for model_id, entry in data.get("states", {}).items():
            models[model_id] = dict(entry.get("state", {}))
    elif data.get("method") == "update":
        models.setdefault(msg["content"]["comm_id"], {}).update(data.get("state", {}))


def model_with_class(models: dict[str, dict], dom_class: str) -> str | None:
    """The id of the widget model whose ``_dom_classes`` include ``dom_class`` (None: none yet)."""
    return next((m for m, state in models.items() if dom_class in (state.get("_dom_classes") or [])), None)


def seed_cache(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    source = REPO / ".cache"
    if source.is_dir():
        for item in source.iterdir():
            if item.is_file():
                shutil.copy2(item, target / item.name)
    return target


def start(workdir: Path, *args: str, env: dict | None = None, wait: float = 90,
          create_review_db: bool = False) -> Server:
    """``pathway-align serve --port <free> --review-db <workdir>/reviews/reviews.sqlite3 --cache-dir <seeded>``
    plus ``args``; returns once the server answers HTTP (any status). ``create_review_db``:
    start with a new, empty review store there (the review app creates a store at a
    configured path only when a reviewer asks; an existing one is kept)."""
    port = free_port()
    review_db = workdir / "reviews" / "reviews.sqlite3"
    if create_review_db and not review_db.exists():
        from alignment.review.store import ReviewStore

        ReviewStore(review_db, create=True).close()
    cache_dir = seed_cache(workdir / "cache")
    log = workdir / f"serve-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    full_env.update(env or {})
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "alignment.present.cli", "serve", "--port", str(port), "--review-db", str(review_db),
         "--cache-dir", str(cache_dir), *args],
        cwd=workdir, env=full_env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
    )
    handle.close()
    server = Server(process, port, review_db, cache_dir, log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pathway-align serve exited with {process.returncode}:\n{server.log_text()}")
        try:
            urllib.request.urlopen(urllib.request.Request(server.url, method="HEAD"), timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (e.g. 302 to the login page)
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"pathway-align serve did not answer within {wait} s:\n{server.log_text()}")
