"""Pre-heated teacher-app kernels (``preheat_kernels``) on a real ``pathway-align serve``
in team mode, driven at the protocol level (HTTP, then the kernel's websocket with the
widget messages a page sends; no browser):

* a teacher's page is served by a kernel of the pool (started and rendered before the
  request), and that kernel answers a course;
* team-mode identity still holds: the review app is never pre-heated, gets a kernel of
  its own per request with the server-written identity line, and shows the signed-in
  reviewer's name;
* Voila's unauthenticated ``/voila/query/<kernel>`` websocket is not served;
* the pool is emptied when the standards change (an import asks the service to reload).
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import inspect
import json
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from html import unescape
from pathlib import Path

import pytest

from alignment.present import serve

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
import voila_server  # noqa: E402

SHARED = "team-shared-" + "0123456789abcdef"
MARIA = "maria-token-" + "fedcba9876543210"
FINANCE = "INTRODUCTION TO FINANCE 1-2 (000217-000218)"


@pytest.fixture
def keep_sigterm():
    """Voila.initialize installs its own SIGTERM handler; give pytest its own back."""
    import signal

    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


class FakePool:
    """Voila 0.5's pool API as :func:`serve.room_sized_pool` uses it: ``kernel_pools_config``,
    ``_pools`` (notebook -> tasks), ``list_kernel_ids``, ``fill_if_needed`` (tops the pool
    up to its ``pool_size``) and ``_initialize`` (starts one kernel)."""

    def __init__(self, size: int, running: int):
        self.kernel_pools_config = {"default": {"pool_size": 0}, "course_coverage.ipynb": {"pool_size": size}}
        self._pools = {"course_coverage.ipynb": []}
        self.running = running
        self.starting = self.most_starting = 0

    def list_kernel_ids(self):
        return [f"k{i}" for i in range(self.running)]

    def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables={}, **kwargs):  # noqa: B006
        pool = self._pools[notebook_name]
        size = self.kernel_pools_config[notebook_name]["pool_size"]
        for _ in range(size - len(pool)):
            pool.append(asyncio.ensure_future(self._initialize(notebook_name)))

    async def _initialize(self, notebook_name, kernel_id=None, **kwargs):
        self.starting += 1
        self.most_starting = max(self.most_starting, self.starting)
        await asyncio.sleep(0.01)
        self.starting -= 1
        self.running += 1
        return {"kernel_id": f"k{self.running}"}


def test_the_pool_is_sized_for_the_room_and_kernels_start_two_at_a_time():
    async def scenario():
        km = FakePool(size=30, running=0)
        serve.room_sized_pool(km, 30, parallel=2)  # a 2-core server (the default: one per usable core)
        km.fill_if_needed(delay=0, notebook_name="course_coverage.ipynb")  # the server starts: the room's 30
        pool = km._pools["course_coverage.ipynb"]
        await asyncio.gather(*pool)
        assert len(pool) == 30 and km.running == 30 and km.most_starting == 2
        for _ in range(30):  # thirty teachers take thirty kernels; Voila asks for a refill after each
            pool.pop(0)
            km.fill_if_needed(notebook_name="course_coverage.ipynb")
        await asyncio.gather(*pool)
        # Voila alone would have started 30 more; with 30 in use the room needs one ready
        assert len(pool) == 1 and km.running == 31
        assert km.kernel_pools_config["course_coverage.ipynb"]["pool_size"] == 30  # the setting is kept
        km.running = 11  # twenty teachers left (their kernels culled): the pool grows back to the room
        pool[:] = []
        km.fill_if_needed(notebook_name="course_coverage.ipynb")
        assert len(pool) == 30 - 11
        await asyncio.gather(*pool)
        unpooled = FakePool(size=0, running=5)  # apps without a pool are left to Voila
        serve.room_sized_pool(unpooled, 30)
        unpooled.fill_if_needed(notebook_name="course_coverage.ipynb")
        assert unpooled._pools["course_coverage.ipynb"] == []

    asyncio.run(scenario())


def test_kernels_start_one_per_usable_core_by_default():
    async def scenario():
        km = FakePool(size=12, running=0)
        serve.room_sized_pool(km, 12)
        km.fill_if_needed(delay=0, notebook_name="course_coverage.ipynb")
        await asyncio.gather(*km._pools["course_coverage.ipynb"])
        assert km.most_starting == min(12, serve.usable_cores())

    asyncio.run(scenario())


def test_only_apps_that_never_read_the_identity_are_preheated(keep_sigterm):
    from alignment.ui import coverage

    cfg = serve.load_config({"preheat_kernels": 3}, env={})
    assert serve.preheat_pools(cfg) == {"course_coverage.ipynb": {"pool_size": 3}}
    assert serve.preheat_pools(serve.load_config({"preheat_kernels": 0}, env={})) == {}
    assert serve.preheat_pools(serve.load_config({"preheat_kernels": 3, "model_service": False}, env={})) == {}
    assert serve.load_config({}, env={"PATHWAY_ALIGN_PREHEAT_KERNELS": "4"}).preheat_kernels == 4
    assert serve.load_config({}, env={}).preheat_kernels == 1
    from alignment.io.errors import InputError

    with pytest.raises(InputError, match="PATHWAY_ALIGN_PREHEAT_KERNELS"):
        serve.load_config({}, env={"PATHWAY_ALIGN_PREHEAT_KERNELS": "-1"})
    # the pre-heated app's code never asks who is signed in (a pooled kernel cannot be told)
    assert serve.PREHEATED_APPS == ("course_coverage",)
    assert "identity(" not in inspect.getsource(coverage)
    app = serve.build_voila(serve.load_config({"preheat_kernels": 2, "team": True, "token": SHARED}, env={}))
    assert app.voila_configuration.preheat_kernel is True and app.voila_configuration.prelaunch_hook is not None
    assert app.config.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 0}, "course_coverage.ipynb": {"pool_size": 2}}
    assert "pre-heated: 3 kernel(s) of Teacher coverage ready before anyone asks" in serve.describe(cfg)
    assert "pre-heated" not in serve.describe(serve.load_config({"preheat_kernels": 0}, env={}))


class Page:
    """One app page at the protocol level: the HTML over HTTP (signed in with a cookie),
    then its kernel's websocket, as the page's widget manager uses it."""

    def __init__(self, server, opener, path: str):
        self.server, self.opener = server, opener
        self.html = opener.open(server.url + path.lstrip("/"), timeout=300).read().decode()
        config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', self.html, re.S)
        self.kernel = json.loads(unescape(config.group(1)))["kernelId"]
        self.models: dict[str, dict] = {}

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.opener.cookiejar)

    async def drive(self, until_classes: list[str], then=None, timeout: float = 240):
        """Ask for the widgets' states; wait until a widget with each of ``until_classes``
        exists (a CSS class of the widget, or of the HTML in its value) and ``then`` (a
        coroutine function of this page) is done."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        session = uuid.uuid4().hex
        request = HTTPRequest(
            f"ws://127.0.0.1:{self.server.port}/api/kernels/{self.kernel}/channels?session_id={session}",
            headers={"Cookie": self.cookie(), "Origin": f"http://127.0.0.1:{self.server.port}"})
        ws = await websocket_connect(request)
        self.ws, self.session = ws, session
        try:
            control = uuid.uuid4().hex
            await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                            {"version": "1.0.0"})
            await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
            await self.receive(lambda: all(self.model(c) or self.text_with(f'class="{c}') for c in until_classes),
                               timeout)
            if then is not None:
                await then(self)
        finally:
            ws.close()

    async def send(self, msg_type: str, content: dict, metadata: dict | None = None):
        msg = {"header": {"msg_id": uuid.uuid4().hex, "username": "test", "session": self.session,
                          "msg_type": msg_type, "version": "5.3", "date": ""},
               "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell", "buffers": []}
        await self.ws.write_message(json.dumps(msg))

    async def receive(self, until, timeout: float = 240):
        deadline = time.monotonic() + timeout
        while not until():
            left = deadline - time.monotonic()
            assert left > 0, "no answer in time"
            raw = await asyncio.wait_for(self.ws.read_message(), left)
            assert raw is not None, "the kernel's websocket closed"
            voila_server.apply_widget_message(self.models, raw)

    def model(self, dom_class: str) -> str | None:
        return voila_server.model_with_class(self.models, dom_class)

    def value(self, dom_class: str) -> str:
        return str(self.models[self.model(dom_class)].get("value", ""))

    def text_with(self, marker: str) -> str:
        """The value of the widget whose value holds ``marker`` ("" if none yet)."""
        return next((str(s["value"]) for s in self.models.values() if marker in str(s.get("value", ""))), "")


def _opener():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.cookiejar = jar
    return opener


def _wait_log(server, text: str, timeout: float = 600):
    deadline = time.monotonic() + timeout
    while text not in server.log_text():
        assert time.monotonic() < deadline, f"{text!r} not in the server log:\n{server.log_text()[-3000:]}"
        assert server.process.poll() is None, server.log_text()
        time.sleep(0.5)


@pytest.mark.slow
def test_a_preheated_kernel_serves_the_teacher_app_and_team_identity_still_holds():
    workdir = Path(tempfile.mkdtemp(prefix="pathway-align-preheat-"))
    toml = workdir / "pathway-align.toml"
    toml.write_text(f'[server]\nteam = true\nhost = "127.0.0.1"\npreheat_kernels = 1\n\n'
                    f'[team.users]\n"{MARIA}" = "Maria Lopez"\n', encoding="utf-8")
    toml.chmod(0o600)
    server = voila_server.start(workdir, "--config", str(toml), env={"PATHWAY_ALIGN_TOKEN": SHARED},
                                create_review_db=True, wait=180)
    try:
        _wait_log(server, "Kernel pool of course_coverage.ipynb is filled with 1 kernel(s)")
        _wait_log(server, "model service: models loaded")
        maria = _opener()
        # signed in by a token in the URL (then redirected without it, the cookie set)
        assert "Signed in as Maria Lopez" in maria.open(server.url + f"?token={MARIA}", timeout=60).read().decode()

        # the teacher app: a kernel of the pool, already rendered, answers
        teacher = Page(server, maria, "/apps/teacher-coverage")
        assert f"Using pre-heated kernel: {teacher.kernel} for course_coverage.ipynb" in server.log_text()

        async def pick(page):
            await page.receive(lambda: "pa-status-ready" in page.value("pa-status-box"))
            await page.send("comm_msg", {"comm_id": page.model("pa-course-picker"), "data": {
                "method": "update", "state": {"value": FINANCE}, "buffer_paths": []}})
            await page.receive(lambda: "INTRODUCTION TO FINANCE" in page.value("pa-results")
                               and "pa-group" in page.value("pa-results"))

        asyncio.run(teacher.drive(["pa-course-picker", "pa-results", "pa-status-box"], pick))
        assert 'data-standard-id="CA-CTE.PATHWAY.BF.' in teacher.value("pa-results")

        # the review app: never from the pool; its own kernel has the signed-in name
        review = Page(server, maria, "/apps/specialist-review")
        assert review.kernel != teacher.kernel
        assert f"Using pre-heated kernel: {review.kernel}" not in server.log_text()
        asyncio.run(review.drive(["pa-who"]))
        assert "Signed in as <b>Maria Lopez</b>" in review.text_with('class="pa-who')

        # with the shared token the same app cannot tell who it is (as without pre-heating)
        shared = _opener()
        shared.open(server.url + f"?token={SHARED}", timeout=60).read()
        other = Page(server, shared, "/apps/specialist-review")
        asyncio.run(other.drive(["pa-who"]))
        said = other.text_with('class="pa-who')
        assert "Maria Lopez" not in said and "shared password or token" in said

        # Voila's request-info websocket for pre-heated kernels is not served
        with pytest.raises(urllib.error.HTTPError) as refused:
            maria.open(server.url + f"voila/query/{teacher.kernel}", timeout=30)
        assert refused.value.code == 404
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_pool_is_emptied_when_the_standards_change():
    """After an import into the standards library the review app asks the model service
    to reload (its generation goes up): the next teacher-app request empties the pool
    (its kernels read the old standards), shuts those kernels down and fills it again;
    while the generation stays, the pool is used as it is."""
    import secrets as secrets_module

    import pandas as pd

    from alignment.present.model_client import ServiceClient
    from alignment.present.model_service import ModelService, Models

    service = ModelService(secrets_module.token_urlsafe(24), lambda: Models(None, pd.DataFrame())).start()

    class Kernels:  # Voila's pool, as PoolGuard uses it
        def __init__(self):
            self._pools, self.shut, self.filled = {}, [], []

        async def shutdown_kernel(self, kernel_id):
            self.shut.append(kernel_id)

        def fill_if_needed(self, notebook_name=None, **kwargs):
            self.filled.append((notebook_name, list(self.shut)))  # and which kernels were down by then

    async def scenario():
        loop = asyncio.get_running_loop()
        kernels = Kernels()
        started = []
        for kernel_id in ("k1", "k2"):
            task = loop.create_future()
            task.set_result({"kernel_id": kernel_id})
            started.append(task)
        kernels._pools["course_coverage.ipynb"] = list(started)
        guard = serve.PoolGuard(["course_coverage.ipynb"])
        guard.service = (service.url, service.secret)
        await guard.check(kernels, "course_coverage.ipynb")  # nothing changed: the pool stays
        await guard.check(kernels, "review.ipynb")  # not a pooled app
        assert kernels._pools["course_coverage.ipynb"] == started and guard.drained == 0
        ServiceClient(service.url, service.secret).reload()  # what an import does
        await guard.check(kernels, "course_coverage.ipynb")
        assert kernels._pools["course_coverage.ipynb"] == []
        for _ in range(50):
            if kernels.filled:
                break
            await asyncio.sleep(0.01)
        # filled again once the old kernels are down (a room-sized pool counts running kernels)
        assert kernels.filled == [("course_coverage.ipynb", ["k1", "k2"])]
        assert kernels.shut == ["k1", "k2"] and guard.drained == 1 and guard.generation == 1
        await guard.check(kernels, "course_coverage.ipynb")  # once per change
        assert guard.drained == 1
        guard.service = ("http://127.0.0.1:9", service.secret)  # no answer: the pool is used as it is
        await guard.check(kernels, "course_coverage.ipynb")
        assert guard.drained == 1

    try:
        ServiceClient(service.url, service.secret).wait_ready(timeout=10)
        asyncio.run(scenario())
    finally:
        service.stop()


def test_a_kernel_leaving_the_pool_counts_as_active():
    """A pooled kernel may have waited longer than the cull timeout (never culled in the
    pool): handed to a page, it counts as active from then on, so the culler does not
    take it while the page loads."""
    from datetime import datetime, timedelta, timezone

    class Kernel:
        last_activity = datetime.now(timezone.utc) - timedelta(hours=2)

    class Kernels:
        kernel = Kernel()

        async def get_rendered_notebook(self, notebook_name, **kwargs):
            return "task", ["<html>"], "k1"

        def get_kernel(self, kernel_id):
            assert kernel_id == "k1"
            return self.kernel

    kernels = Kernels()
    serve.fresh_from_the_pool(kernels)
    before = datetime.now(timezone.utc)
    assert asyncio.run(kernels.get_rendered_notebook(notebook_name="course_coverage.ipynb")) == ("task", ["<html>"], "k1")
    assert kernels.kernel.last_activity >= before
