"""One model service per server: the models, standards and vectors loaded once, shared
by every app session.

Each browser tab of a Voila app gets its own kernel. Loaded in every kernel, the spaCy
pipeline, the sentence model and the standards' vectors cost about 700 MB and 30 s
per tab; a workshop of thirty teachers would need 21 GB and minutes before the first
answer. ``pathway-align serve`` therefore starts this service once, as a child
process, before Voila; the app kernels stay thin (widgets, the session's state) and
ask it over HTTP (:mod:`alignment.present.model_client`).

Reached only over loopback, with a per-server secret
-----------------------------------------------------
* It binds to a loopback address only (127.0.0.1 by default, a free port chosen by the
  system); :class:`ModelService` refuses any other address.
* Every request must carry the server's secret in the ``X-Pathway-Align-Secret``
  header (compared in constant time); without it: 403, before anything is read. The
  launcher makes a new random secret per start and hands it, with the address, to the
  kernels in their environment (``PATHWAY_ALIGN_SERVICE_URL``,
  ``PATHWAY_ALIGN_SERVICE_SECRET``); a browser never sees either.
* A request's ``Host`` must be the loopback address it was sent to (no DNS rebinding).
* It only reads: it suggests and scores. The review app writes its decisions to the
  review store directly from its own session, as before.

Endpoints (JSON; tables as pandas ``to_json(orient="split")``)
--------------------------------------------------------------
``GET /health``     ``ready``, ``error``, ``loads`` (model loads since start: 1),
                    ``generation`` (reloads asked for since start: the standards' version), ``pid``, counts of requests, batches, courses and cache hits, seconds
                    spent loading.
``GET /standards``  the standards table the models were fitted on, with its column types
                    (``{"standards": <table>, "dtypes": {column: dtype}}``): a new kernel
                    takes it from here (tens of milliseconds) instead of reading and
                    tidying the standards files itself (about a CPU-second).
``GET /pathways``   the school pathways of the configured pathways file, validated against
                    that catalog and those standards (``{"pathways": [...]}``, each with its
                    courses table; ``null`` when the file does not load): the same saving.
``POST /suggest``   ``{"courses": <table>, "top_k": k|null, "frameworks": [...]|null}``
                    -> ``{"suggestions": <table>}``, as ``Aligner.suggest``.
``POST /fixes``     ``{"standard_ids": [...], "n": n}`` -> ``{"fixes": <table>}``, as
                    ``FixFinder.best_courses`` over the configured catalog.
``POST /gaps``      ``{"pathway": name, "fingerprint": f}`` -> the teacher app's gap panel
                    of that school pathway (:class:`GapPanel`: ``notes``, ``pathway_gaps``,
                    ``anchor_gaps``); 404 when the service has no pathway of that name and
                    courses (``fingerprint``, :func:`pathway_fingerprint`): the app then
                    computes it itself.
``POST /reload``    load the standards and fit again (the review app's library import
                    changed them); the old models answer until the new ones are ready,
                    ``/health`` says ``reloading`` meanwhile.

Batching
--------
One worker thread owns the :class:`~alignment.align.aligner.Aligner` (it is not used by
two threads at once). Requests wait in a queue; the worker takes the first, then for
up to ``max_wait`` seconds (20 ms) more requests with the same ``top_k`` and
frameworks, up to ``max_courses`` courses, and answers them all with one ``suggest``
call: several teachers' descriptions go through the sentence model in one pass. A
request is never held longer than ``max_wait`` for company. The last ``CACHE_SIZE``
answers are kept (a popular course asked again is not encoded again).

Gap panels, once per standards generation
-----------------------------------------
The teacher app shows what the chosen school pathway still misses (gap report parts a
and b, from the machine suggestions for the pathway's courses). That depends on the
pathway, the standards and the models, not on the teacher: the service computes it for
every pathway of the configured pathways file when it loads the models (before it says
it is ready), keeps it with those models (a ``/reload`` computes them again with the new
standards) and hands it to every kernel, instead of thirty kernels computing the same
report (about a CPU-second each).

Run it alone (the launcher does this): ``python -m alignment.present.model_service``
with ``PATHWAY_ALIGN_SERVICE_SECRET`` (and the data settings) in the environment; it
prints one line, the URL it listens on, then loads the models and answers ``/health``
meanwhile.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd

from alignment.settings import OPTION, Settings

SECRET_HEADER = "X-Pathway-Align-Secret"
#: Environment variables of the kernels (and of the service itself, for the secret).
URL_ENV = OPTION["service_url"].env
SECRET_ENV = OPTION["service_secret"].env
#: Seconds a request may wait for others to share its model pass.
MAX_WAIT = 0.02
#: Most courses answered in one model pass.
MAX_COURSES = 64
#: Answers kept for requests asked again (a pathway's courses, a popular course).
CACHE_SIZE = 256
#: Suggestions per framework behind a pathway's gap panel (as the gap dashboard's default).
GAP_TOP_K = 10
#: Largest request body accepted (an uploaded catalog of the size limit, as JSON).
MAX_BODY_BYTES = 4 * Settings().max_input_bytes + 1024 * 1024


# --------------------------------------------------------------------------- tables as JSON

def frame_to_json(frame: pd.DataFrame) -> str:
    """A table as JSON (``orient="split"``): column order, text ids with leading zeros,
    lists of evidence terms and missing values survive :func:`frame_from_json`."""
    return frame.to_json(orient="split", index=False, date_format="iso", force_ascii=False)


def frame_from_json(text: str) -> pd.DataFrame:
    """The table :func:`frame_to_json` wrote (JSON's own types: no guessing of dtypes,
    so ``"000217"`` stays text)."""
    data = json.loads(text) if isinstance(text, str) else text
    return pd.DataFrame(data["data"], columns=data["columns"])


def table_payload(frame: pd.DataFrame) -> dict:
    """A table with its column types, as JSON values (:func:`table_from_payload`)."""
    return {"table": json.loads(frame_to_json(frame)), "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()}}


def table_from_payload(payload: dict) -> pd.DataFrame:
    """The table :func:`table_payload` described, with the same values and column types."""
    table = frame_from_json(payload["table"])
    return table.astype(payload["dtypes"]) if len(table.columns) else table


def pathway_payload(pathway) -> dict:
    """A :class:`~alignment.data.pathways.Pathway` as JSON values (:func:`pathway_from_payload`)."""
    return {"name": pathway.name, "sector": pathway.sector, "cte_pathway": pathway.cte_pathway,
            "sequence": pathway.sequence, "source": pathway.source, "warnings": list(pathway.warnings),
            "courses": table_payload(pathway.courses)}


def pathway_from_payload(payload: dict):
    from alignment.data.pathways import Pathway

    return Pathway(name=payload["name"], sector=payload["sector"], cte_pathway=payload["cte_pathway"],
                   courses=table_from_payload(payload["courses"]), sequence=payload["sequence"],
                   source=payload["source"], warnings=[str(w) for w in payload["warnings"]])


def is_loopback_address(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- gap panels

@dataclass
class GapPanel:
    """What the teacher app shows of a school pathway's gap report: its notes, part (a)
    (pathway standards no course covers) and part (b) (anchor standards and Career Ready
    Practices no course covers), from the machine suggestions for its courses."""

    pathway_name: str
    notes: list[str]
    pathway_gaps: pd.DataFrame
    anchor_gaps: pd.DataFrame
    edition_label: str = ""  # "DRAFT standards: ..." when the pathway's standards are a draft edition


def gap_panel(pathway, standards: pd.DataFrame, aligner) -> GapPanel:
    """The :class:`GapPanel` of ``pathway``: its courses aligned (top :data:`GAP_TOP_K`),
    then parts (a) and (b) of :func:`alignment.analysis.gaps.gap_report`, computed as it
    does (only those parts: the rest of the report is for the gap dashboard)."""
    from alignment.analysis.gaps import anchor_gaps, pathway_coverage, pathway_gaps
    from alignment.data.editions import draft_label

    suggestions = aligner.suggest(pathway.courses_for_aligner(), top_k=GAP_TOP_K)
    facts = pathway_coverage(pathway, standards, suggestions)
    return GapPanel(pathway.name, list(facts.notes), pathway_gaps(facts), anchor_gaps(facts),
                    draft_label(facts.scope) if len(facts.scope) else "")


def pathway_fingerprint(pathway) -> str:
    """A digest of what a pathway's gap panel depends on besides the standards: its name,
    sector, CTE pathway and courses (so a kernel whose pathway differs from the service's,
    e.g. another pathways file, computes its own panel instead of receiving a wrong one)."""
    parts = [pathway.name, pathway.sector, pathway.cte_pathway, frame_to_json(pathway.courses_for_aligner())]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- what the service holds

@dataclass
class Models:
    """What is loaded once: the fitted aligner, the standards, the catalog (for fixes)
    and the school pathways' gap panels (name -> (fingerprint, :class:`GapPanel`))."""

    aligner: object
    standards: pd.DataFrame
    catalog: pd.DataFrame | None = None
    fix_finders: dict = field(default_factory=dict)
    gap_panels: dict = field(default_factory=dict)
    pathways: list | None = None  # the school pathways (None: the pathways file did not load)
    standards_body: bytes | None = None  # the /standards answer, encoded once

    def standards_answer(self) -> bytes:
        """The ``/standards`` answer (encoded on first use, then kept with these models)."""
        if self.standards_body is None:
            dtypes = {str(c): str(t) for c, t in self.standards.dtypes.items()}
            self.standards_body = ('{"standards": ' + frame_to_json(self.standards) + ', "dtypes": '
                                   + json.dumps(dtypes) + "}").encode("utf-8")
        return self.standards_body


def gap_panels(pathways, standards: pd.DataFrame, aligner) -> dict[str, tuple[str, GapPanel]]:
    """Every pathway's gap panel (name -> (fingerprint, panel)); a pathway whose panel
    fails is left out (the app then computes it and shows why it fails)."""
    panels = {}
    for pathway in pathways or []:
        try:
            panels[pathway.name] = (pathway_fingerprint(pathway), gap_panel(pathway, standards, aligner))
        except Exception:  # noqa: BLE001 - that pathway's panel only
            continue
    return panels


def load_models(standards: str | None = None, catalog: str | None = None, top_k: int = 5,
                pathways: str | None = None) -> Models:
    """Load the standards, fit the Aligner (vectors from the disk cache) and load the
    catalog, as an app kernel used to (:mod:`alignment.ui.session`), then answer one
    course so the first teacher does not pay for the pipeline's lazy parts, and compute
    the school pathways' gap panels (the configured pathways file; none when it does not
    load: the apps work without)."""
    from alignment.align.aligner import Aligner
    from alignment.data.catalog import load_catalog
    from alignment.data.sources import load_standards_from

    table = load_standards_from(standards)
    aligner = Aligner(top_k=top_k).fit(table)
    courses = load_catalog(catalog)
    if len(courses):
        aligner.suggest(courses.head(1))
    try:
        from alignment.data.pathways import load_pathways

        school_pathways = load_pathways(pathways, catalog=courses, standards=table)
    except Exception:  # noqa: BLE001 - a bad pathways file must not stop the service (the apps say why)
        school_pathways = None
    return Models(aligner, table, courses, gap_panels=gap_panels(school_pathways, table, aligner),
                  pathways=school_pathways)


# --------------------------------------------------------------------------- batching

@dataclass
class _Request:
    courses: pd.DataFrame
    top_k: int | None
    frameworks: tuple | None
    future: Future
    call: Callable | None = None  # a job that is not a suggestion (runs alone, in the worker)

    @property
    def key(self):
        return (self.top_k, self.frameworks)


class Batcher:
    """Answers ``suggest`` requests from many threads with as few model passes as it can
    (see the module docstring). ``run(courses, top_k, frameworks)`` is called in ONE
    worker thread only."""

    def __init__(self, run: Callable[[pd.DataFrame, int | None, list | None], pd.DataFrame],
                 max_courses: int = MAX_COURSES, max_wait: float = MAX_WAIT):
        self.run = run
        self.max_courses = max_courses
        self.max_wait = max_wait
        self.queue: queue.Queue[_Request | None] = queue.Queue()
        self.batches = 0
        self.requests = 0
        self.courses = 0
        self._held: list[_Request] = []
        self._thread = threading.Thread(target=self._work, name="pathway-align-batcher", daemon=True)
        self._thread.start()

    def submit(self, courses: pd.DataFrame, top_k: int | None = None, frameworks=None) -> Future:
        future: Future = Future()
        self.queue.put(_Request(courses, top_k, tuple(frameworks) if frameworks else None, future))
        return future

    def call(self, job: Callable[[], object]) -> Future:
        """Run ``job()`` in the worker thread (between batches), e.g. scoring with the aligner."""
        future: Future = Future()
        self.queue.put(_Request(pd.DataFrame(), None, None, future, call=job))
        return future

    def stop(self) -> None:
        self.queue.put(None)

    def _next(self, timeout: float | None):
        if self._held:
            return self._held.pop(0)
        try:
            return self.queue.get(timeout=timeout) if timeout is None or timeout > 0 else self.queue.get_nowait()
        except queue.Empty:
            return None

    def _work(self) -> None:
        while True:
            first = self._next(None)
            if first is None:
                return
            if first.call is not None:
                self._answer_call(first)
                continue
            batch, n = [first], len(first.courses)
            deadline = time.monotonic() + self.max_wait
            held = []
            while n < self.max_courses:
                item = self._next(deadline - time.monotonic())
                if item is None:
                    if time.monotonic() >= deadline:
                        break
                    continue
                if item.call is None and item.key == first.key and n + len(item.courses) <= self.max_courses:
                    batch.append(item)
                    n += len(item.courses)
                else:
                    held.append(item)  # another kind of request: the next batch
                    if item.call is not None or len(held) > 8:
                        break
            self._held = held + self._held
            self._answer(batch)

    def _answer_call(self, request: _Request) -> None:
        try:
            request.future.set_result(request.call())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
            request.future.set_exception(exc)

    def _answer(self, batch: list[_Request]) -> None:
        """One model pass for the batch; each request gets its own courses' rows back
        under its own course ids (two sessions may both send ``pasted-description``)."""
        parts = []
        for i, request in enumerate(batch):
            part = request.courses.copy()
            part["course_id"] = [f"{i}\x1f{j}" for j in range(len(part))]
            parts.append(part)
        try:
            courses = pd.concat(parts, ignore_index=True)
            answer = self.run(courses, batch[0].top_k, list(batch[0].frameworks) if batch[0].frameworks else None)
            keys = answer["course_id"].astype(str).str.split("\x1f", n=1, expand=True)
            owner, row = keys[0].astype(int), keys[1].astype(int)
        except BaseException as exc:  # noqa: BLE001 - every waiting request hears of it
            if len(batch) > 1:  # a bad course must not fail the others: answer one by one
                for request in batch:
                    self._answer([request])
                return
            batch[0].future.set_exception(exc)
            return
        self.batches += 1
        self.requests += len(batch)
        self.courses += len(courses)
        for i, request in enumerate(batch):
            mine = answer[owner.to_numpy() == i].copy()
            ids = request.courses["course_id"].tolist()
            mine["course_id"] = [ids[j] for j in row[owner.to_numpy() == i]]
            request.future.set_result(mine.reset_index(drop=True))


# --------------------------------------------------------------------------- the HTTP service

class ModelService:
    """The service: loads the models in the background (``loader``), answers over HTTP on
    ``host:port`` (``port=0``: a free one) to requests carrying ``secret``."""

    def __init__(self, secret: str, loader: Callable[[], Models] = load_models, host: str = "127.0.0.1",
                 port: int = 0, max_courses: int = MAX_COURSES, max_wait: float = MAX_WAIT):
        if not is_loopback_address(host):
            raise ValueError(f"the model service binds to a loopback address only (127.0.0.1, ::1), not {host!r}")
        if not secret or len(secret) < 16:
            raise ValueError("the model service needs a secret of at least 16 characters")
        self.secret = secret
        self.loader = loader
        self.models: Models | None = None
        self.error: str | None = None
        self.loads = 0
        self.started = time.monotonic()
        self.load_seconds: float | None = None
        # every load has a generation: the first load is 0, each /reload asks for the next;
        # only a load at least as new as the installed models may replace them (a slow first
        # load finishing after a quick reload must not bring back the old standards)
        self._requested = 0
        self._installed = -1
        self.batcher = Batcher(self._suggest, max_courses=max_courses, max_wait=max_wait)
        self._answers: dict[str, pd.DataFrame] = {}
        self._cache_lock = threading.Lock()
        self.cache_hits = 0
        self.gap_panels_served = 0
        server_class = ThreadingHTTPServer
        if ":" in host:
            import socket

            class _Server6(ThreadingHTTPServer):
                address_family = socket.AF_INET6

            server_class = _Server6
        self.httpd = server_class((host, port), _handler_for(self))
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # ------------------------------------------------------------- lifecycle
    @property
    def reloading(self) -> bool:
        """True while a load newer than the installed models is under way (after /reload)."""
        return self._installed < self._requested and self.models is not None

    def load(self, generation: int = 0) -> None:
        """Load the models; failures are reported by ``/health``. Called again by ``/reload``
        with a newer ``generation``: the new models replace the old ones (and the kept
        answers) once they are loaded; an older load that finishes later is dropped."""
        start = time.monotonic()
        try:
            models = self.loader()
        except BaseException as exc:  # noqa: BLE001 - the apps show it
            from alignment.io.errors import InputError

            with self._cache_lock:
                if generation == self._requested:
                    self.error = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
                    self._installed = generation
            return
        with self._cache_lock:
            if generation >= self._installed:
                self.models = models
                self._answers.clear()
                self._installed = generation
                self.error = None
                self.loads += 1
                self.load_seconds = round(time.monotonic() - start, 2)

    def reload(self) -> None:
        """Load the standards and fit again, in the background (the old models answer meanwhile)."""
        with self._cache_lock:
            self._requested += 1
            generation = self._requested
        threading.Thread(target=self.load, args=(generation,), name="pathway-align-service-reload",
                         daemon=True).start()

    def start(self, load: bool = True) -> "ModelService":
        """Answer HTTP in a background thread and, with ``load``, load the models in another."""
        threading.Thread(target=self.httpd.serve_forever, name="pathway-align-service-http", daemon=True).start()
        if load:
            threading.Thread(target=self.load, name="pathway-align-service-load", daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.batcher.stop()

    # ------------------------------------------------------------- answers
    def health(self) -> dict:
        return {"ready": self.models is not None, "reloading": self.reloading, "error": self.error,
                "loads": self.loads, "generation": self._requested, "pid": os.getpid(),
                "requests": self.batcher.requests, "batches": self.batcher.batches, "courses": self.batcher.courses,
                "cache_hits": self.cache_hits, "gap_panels": len(self.models.gap_panels) if self.models else 0,
                "gap_panels_served": self.gap_panels_served,
                "load_seconds": self.load_seconds, "uptime_seconds": round(time.monotonic() - self.started, 1)}

    def _suggest(self, courses: pd.DataFrame, top_k, frameworks) -> pd.DataFrame:
        return self.models.aligner.suggest(courses, top_k=top_k, frameworks=frameworks)

    def suggest(self, courses: pd.DataFrame, top_k=None, frameworks=None, timeout: float = 300) -> pd.DataFrame:
        """The suggestions, from the batcher or, for a table asked before (a popular course),
        from the last ``CACHE_SIZE`` answers."""
        import hashlib

        key = hashlib.sha256(json.dumps([frame_to_json(courses), top_k, frameworks]).encode("utf-8")).hexdigest()
        with self._cache_lock:
            hit = self._answers.pop(key, None)
            if hit is not None:
                self._answers[key] = hit  # most recently used last
                self.cache_hits += 1
                return hit.copy()
        answer = self.batcher.submit(courses, top_k, frameworks).result(timeout)
        with self._cache_lock:
            self._answers[key] = answer
            while len(self._answers) > CACHE_SIZE:
                self._answers.pop(next(iter(self._answers)))
        return answer.copy()

    def fixes(self, standard_ids: list[str], n: int, timeout: float = 300) -> pd.DataFrame:
        def job():
            from alignment.analysis.fixes import FixFinder

            models = self.models
            if n not in models.fix_finders:
                models.fix_finders[n] = FixFinder(models.aligner, n_courses=n).fit(models.catalog)
            return models.fix_finders[n].best_courses(standard_ids, n)

        return self.batcher.call(job).result(timeout)

    def gap_panel(self, name: str, fingerprint: str) -> GapPanel | None:
        """The kept gap panel of pathway ``name``, or None when the service has no pathway
        of that name with that ``fingerprint``."""
        models = self.models
        kept = models.gap_panels.get(name) if models is not None else None
        if kept is None or not hmac.compare_digest(kept[0], str(fingerprint)):
            return None
        self.gap_panels_served += 1
        return kept[1]


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _handler_for(service: ModelService):
    class Handler(BaseHTTPRequestHandler):
        server_version = "PathwayAlignModelService"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - no request log (the bodies hold course texts)
            return

        def _send(self, status: int, payload: dict | bytes) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _guard(self) -> None:
            given = self.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8", "replace"), service.secret.encode("utf-8")):
                raise _Refused(403, "this service answers only the apps of its own server (missing or wrong secret)")
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
            if host not in ("127.0.0.1", "localhost", "::1") and not is_loopback_address(host):
                raise _Refused(403, "this service answers only requests addressed to a loopback address")

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                raise _Refused(413, f"request of {length:,} bytes is larger than the {MAX_BODY_BYTES:,} accepted")
            try:
                return json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                raise _Refused(400, "the request body is not JSON") from None

        def _ready(self) -> Models:
            if service.models is None:
                raise _Refused(503, service.error or "the models are still loading")
            return service.models

        def do_GET(self):  # noqa: N802
            try:
                self._guard()
                if self.path == "/health":
                    self._send(200, service.health())
                elif self.path == "/standards":
                    self._send(200, self._ready().standards_answer())
                elif self.path == "/pathways":
                    school = self._ready().pathways
                    self._send(200, {"pathways": None if school is None else [pathway_payload(p) for p in school]})
                else:
                    raise _Refused(404, f"no such endpoint {self.path[:100]!r}")
            except _Refused as exc:
                self._send(exc.status, {"error": str(exc)})

        def do_POST(self):  # noqa: N802
            try:
                self._guard()
                payload = self._body()
                if self.path == "/suggest":
                    self._ready()
                    courses = frame_from_json(payload["courses"])
                    top_k = payload.get("top_k")
                    answer = service.suggest(courses, int(top_k) if top_k else None, payload.get("frameworks"))
                    self._send(200, {"suggestions": json.loads(frame_to_json(answer))})
                elif self.path == "/reload":
                    service.reload()
                    self._send(200, service.health())
                elif self.path == "/fixes":
                    self._ready()
                    ids = [str(s) for s in payload.get("standard_ids", [])]
                    answer = service.fixes(ids, int(payload.get("n") or 3))
                    self._send(200, {"fixes": json.loads(frame_to_json(answer))})
                elif self.path == "/gaps":
                    self._ready()
                    name = str(payload.get("pathway") or "")
                    panel = service.gap_panel(name, str(payload.get("fingerprint") or ""))
                    if panel is None:
                        raise _Refused(404, f"no gap panel for the pathway {name[:200]!r} with these courses")
                    self._send(200, {"pathway": panel.pathway_name, "notes": panel.notes,
                                     "edition_label": panel.edition_label,
                                     "pathway_gaps": json.loads(frame_to_json(panel.pathway_gaps)),
                                     "anchor_gaps": json.loads(frame_to_json(panel.anchor_gaps))})
                else:
                    raise _Refused(404, f"no such endpoint {self.path[:100]!r}")
            except _Refused as exc:
                self._send(exc.status, {"error": str(exc)})
            except (KeyError, TypeError, ValueError) as exc:
                from alignment.io.errors import InputError

                text = str(exc) if isinstance(exc, InputError) else f"bad request: {type(exc).__name__}: {exc}"
                self._send(400, {"error": text})
            except Exception as exc:  # noqa: BLE001 - the session shows the message
                self._send(500, {"error": f"{type(exc).__name__}: {exc}"})

    return Handler


# --------------------------------------------------------------------------- run as the launcher's child

def _exit_with_parent(parent: int) -> None:
    """Stop when the launcher is gone (even if it was killed without a chance to stop us)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """``python -m alignment.present.model_service [--port N]``: print the URL, load, serve."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--top-k", type=int, default=None)
    args = parser.parse_args(argv)
    from alignment.settings import load_settings

    current = load_settings()  # from the environment the launcher set (kernel_environment)
    secret = current.service_secret
    top_k = args.top_k or current.top_k

    def loader():
        return load_models(current.standards, current.catalog, top_k, current.pathways)

    try:
        service = ModelService(secret, loader, host=args.host, port=args.port).start()
    except (ValueError, OSError) as exc:
        print(f"model service: {exc}", file=sys.stderr, flush=True)
        return 2
    print(service.url, flush=True)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()

    def report():  # one line in the server's log when the models are loaded (or not)
        while service.load_seconds is None:
            time.sleep(0.2)
        said = f"could not load the models: {service.error}" if service.error else \
            f"models loaded in {service.load_seconds:.0f} s"
        print(f"  model service: {said}", file=sys.stderr, flush=True)

    threading.Thread(target=report, daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    service.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
