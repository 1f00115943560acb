"""The shared model service (alignment.present.model_service) and its clients.

Fast tests: tables over JSON, the micro-batcher, the service's guards (secret, loopback
only, Host) on a real service whose models are still "loading". Slow tests: two app
sessions (two separate processes, as two Voila kernels are) answered by ONE real
service that loaded the models once; and, in real Chromium, a teacher app whose kernel
the server culled tells the user to reload.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from alignment.present import serve
from alignment.present.model_client import RemoteAligner, ServiceClient, ServiceError
from alignment.present.model_service import (
    SECRET_ENV, SECRET_HEADER, Batcher, ModelService, frame_from_json, frame_to_json,
)

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- tables over JSON

def test_tables_survive_the_json_round_trip():
    table = pd.DataFrame({
        "course_id": ["000217-000218", "0042"], "standard_id": ["CA-CTE.X", None], "score": [0.5912, float("nan")],
        "rank": [1, 2], "matched_terms": [["economic", "financial"], []], "note": ["", "no pathway standards loaded"],
        "best_sentence": ["Topics: payroll & \"taxes\" <b>é</b>", ""],
    })
    back = frame_from_json(frame_to_json(table))
    assert list(back.columns) == list(table.columns)
    assert back["course_id"].tolist() == ["000217-000218", "0042"]  # text ids stay text, zeros kept
    assert back["standard_id"].tolist()[0] == "CA-CTE.X" and pd.isna(back["standard_id"][1])
    assert back["score"][0] == pytest.approx(0.5912) and pd.isna(back["score"][1])
    assert back["rank"].tolist() == [1, 2]
    assert back["matched_terms"].tolist() == [["economic", "financial"], []]
    assert back["best_sentence"][0] == "Topics: payroll & \"taxes\" <b>é</b>"


# --------------------------------------------------------------------------- batching

def _suggest_words(courses: pd.DataFrame, top_k, frameworks) -> pd.DataFrame:
    """Stands in for Aligner.suggest: one row per word of each description (so each
    answer can be checked against its own request), and it records each call."""
    _suggest_words.calls.append(len(courses))
    time.sleep(0.05)  # a model pass takes time: requests arriving meanwhile queue up
    rows = [{"course_id": cid, "standard_id": word, "rank": i + 1, "top_k": top_k}
            for cid, text in zip(courses["course_id"], courses["description"])
            for i, word in enumerate(text.split()[: top_k or 99])]
    return pd.DataFrame(rows)


def test_batcher_answers_each_session_its_own_courses_in_fewer_passes():
    _suggest_words.calls = []
    batcher = Batcher(_suggest_words, max_courses=64, max_wait=0.05)
    answers: dict[int, pd.DataFrame] = {}

    def session(i: int):
        # every session pastes a description: all send the same course id
        course = pd.DataFrame([{"course_id": "pasted-description", "description": f"budget{i} ledger{i} tax{i}"}])
        answers[i] = batcher.submit(course, top_k=5).result(10)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    batcher.stop()
    for i in range(12):
        assert answers[i]["course_id"].tolist() == ["pasted-description"] * 3
        assert answers[i]["standard_id"].tolist() == [f"budget{i}", f"ledger{i}", f"tax{i}"]
    assert sum(_suggest_words.calls) == 12 and len(_suggest_words.calls) < 12  # several sessions per pass
    assert batcher.requests == 12 and batcher.batches == len(_suggest_words.calls)


def test_batcher_keeps_different_top_k_apart_and_survives_a_bad_course():
    def run(courses, top_k, frameworks):
        if (courses["description"] == "").any():
            raise ValueError("pasted description row 1: description is empty")
        return _suggest_words(courses, top_k, frameworks)

    _suggest_words.calls = []
    batcher = Batcher(run, max_wait=0.2)
    good = batcher.submit(pd.DataFrame([{"course_id": "a", "description": "one two three four"}]), top_k=2)
    bad = batcher.submit(pd.DataFrame([{"course_id": "b", "description": ""}]), top_k=2)
    other = batcher.submit(pd.DataFrame([{"course_id": "c", "description": "one two three four"}]), top_k=3)
    assert good.result(10)["standard_id"].tolist() == ["one", "two"]
    assert other.result(10)["standard_id"].tolist() == ["one", "two", "three"]
    with pytest.raises(ValueError, match="description is empty"):
        bad.result(10)
    batcher.stop()


# --------------------------------------------------------------------------- the guards

@pytest.fixture
def loading_service():
    """A real service whose models never finish loading (the guards come before them)."""
    release = threading.Event()

    def loader():
        release.wait(30)
        raise RuntimeError("test over")

    service = ModelService(secrets.token_urlsafe(24), loader).start()
    yield service
    release.set()
    service.stop()


def _get(url: str, headers: dict | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_service_refuses_a_request_without_the_secret(loading_service):
    url = loading_service.url
    assert _get(url + "/health")[0] == 403
    status, body = _get(url + "/health", {SECRET_HEADER: "x" * 43})
    assert status == 403 and "secret" in body["error"]
    with pytest.raises(ServiceError) as refused:
        ServiceClient(url, "wrong-secret-wrong-secret").suggest(pd.DataFrame([{"course_id": "a", "description": "b"}]))
    assert refused.value.status == 403
    # with the secret: it answers, and says it is still loading
    status, body = _get(url + "/health", {SECRET_HEADER: loading_service.secret})
    assert status == 200 and body["ready"] is False and body["loads"] == 0
    with pytest.raises(ServiceError, match="still loading") as loading:
        ServiceClient(url, loading_service.secret).suggest(pd.DataFrame([{"course_id": "a", "description": "b"}]))
    assert loading.value.status == 503


def test_service_refuses_a_host_name_that_is_not_loopback(loading_service):
    status, body = _get(loading_service.url + "/health",
                        {SECRET_HEADER: loading_service.secret, "Host": f"evil.example:{loading_service.port}"})
    assert status == 403 and "loopback" in body["error"]


def _non_loopback_address() -> str | None:
    import psutil

    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                return a.address
    return None


def test_service_is_not_reachable_on_a_non_loopback_address(loading_service):
    with pytest.raises(ValueError, match="loopback"):
        ModelService(secrets.token_urlsafe(24), lambda: None, host="0.0.0.0")
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with socket.socket() as probe:
        probe.settimeout(3)
        assert probe.connect_ex((address, loading_service.port)) != 0  # nothing listens there
    with socket.create_connection(("127.0.0.1", loading_service.port), timeout=3):
        pass  # while loopback answers


def test_serve_settings_for_culling_and_the_service(tmp_path):
    cfg = serve.load_config({}, env={"PATHWAY_ALIGN_CULL_IDLE_TIMEOUT": "120"}, config_file=None)
    assert cfg.cull_idle_timeout == 120 and cfg.model_service is True
    off = serve.load_config({"model_service": False, "cull_idle_timeout": 0}, env={})
    assert off.model_service is False and off.cull_idle_timeout == 0
    from alignment.io.errors import InputError

    with pytest.raises(InputError, match="PATHWAY_ALIGN_CULL_IDLE_TIMEOUT: .soon. is not a whole number of seconds"):
        serve.load_config({}, env={"PATHWAY_ALIGN_CULL_IDLE_TIMEOUT": "soon"})
    toml = tmp_path / "pathway-align.toml"
    toml.write_text("[server]\ncull_idle_timeout = 900\nmodel_service = false\n")
    from_file = serve.load_config({}, env={}, config_file=str(toml))
    assert from_file.cull_idle_timeout == 900 and from_file.model_service is False
    assert serve.cull_interval(900) == 60 and serve.cull_interval(8) == 2
    script = serve.kernel_watch_script(8)
    assert serve.KERNEL_GONE_MESSAGE in script and "api/kernels/" in script and "</script>" in script


# --------------------------------------------------------------------------- one real service, two sessions

def _start_service(cache_dir: Path) -> tuple[subprocess.Popen, str, str]:
    secret = secrets.token_urlsafe(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update({SECRET_ENV: secret, "PATHWAY_ALIGN_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(REPO)})
    process = subprocess.Popen([sys.executable, "-m", "alignment.present.model_service"], env=env,
                               stdout=subprocess.PIPE, text=True, cwd=REPO)
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    return process, url, secret


SESSION_CODE = """
import json, sys
from alignment.ui import session
from alignment.data.catalog import load_catalog
course = load_catalog(None)
course = course[course["course_id"] == sys.argv[1]]
answer = session.get_aligner().suggest(course)
print(json.dumps({"aligner": type(session.get_aligner()).__name__, "spacy": "spacy" in sys.modules,
                  "onnx": "onnxruntime" in sys.modules, "answer": json.loads(answer.to_json(orient="split"))}))
"""


@pytest.mark.slow
def test_two_sessions_share_one_loaded_model():
    cache = REPO / ".cache"
    process, url, secret = _start_service(cache)
    try:
        client = ServiceClient(url, secret)
        client.wait_ready(timeout=600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
        env.update({"PATHWAY_ALIGN_SERVICE_URL": url, SECRET_ENV: secret, "PYTHONPATH": str(REPO)})
        sessions = [subprocess.Popen([sys.executable, "-c", SESSION_CODE, course_id], env=env, cwd=REPO,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for course_id in ("000217-000218", "000854-000855")]
        outputs = [s.communicate(timeout=300) for s in sessions]
        results = []
        for (out, err), s in zip(outputs, sessions):
            assert s.returncode == 0, err
            results.append(json.loads(out))
        health = client.health()
        assert health["loads"] == 1 and health["pid"] == process.pid  # one load, in the service
        assert health["requests"] == 2
        for result, course_id in zip(results, ("000217-000218", "000854-000855")):
            assert result["aligner"] == "RemoteAligner"
            assert not result["spacy"] and not result["onnx"]  # the kernels stay thin
            answer = frame_from_json(result["answer"])
            assert set(answer["course_id"]) == {course_id}
            assert set(answer["framework"]) >= {"ccss_ela", "ccss_math", "cte_anchor"}
        finance = frame_from_json(results[0]["answer"])
        pathway_ids = finance.loc[finance["framework"] == "cte_pathway", "standard_id"]
        assert len(pathway_ids) == 5 and pathway_ids.str.startswith("CA-CTE.PATHWAY.BF.").all()  # its own sector
        # answered together in one pass, each course gets exactly what it got alone
        from alignment.data.catalog import load_catalog

        catalog = load_catalog(None)
        both = {}
        threads = [threading.Thread(target=lambda cid=cid: both.__setitem__(
            cid, RemoteAligner(client, top_k=3).suggest(catalog[catalog["course_id"] == cid])))
            for cid in ("000217-000218", "000854-000855")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for result, cid in zip(results, ("000217-000218", "000854-000855")):
            alone = frame_from_json(result["answer"])
            alone = alone[alone["rank"].fillna(0) <= 3]  # top 3 of the top 5 (and the notes)
            together = both[cid]
            assert together["standard_id"].tolist() == alone["standard_id"].tolist()
            assert together["score"].tolist() == pytest.approx(alone["score"].tolist(), abs=1e-6, nan_ok=True)
        assert client.health()["requests"] == 4
        # a table asked again (every session's gap panel asks for its pathway's courses) is not encoded again
        again = RemoteAligner(client).suggest(catalog[catalog["course_id"] == "000217-000218"])
        assert again.equals(frame_from_json(results[0]["answer"]))
        assert client.health()["requests"] == 4 and client.health()["cache_hits"] == 1
    finally:
        process.terminate()
        process.wait(20)


# --------------------------------------------------------------------------- a culled kernel, in Chromium

@pytest.mark.slow
@pytest.mark.browser
def test_a_culled_kernel_shows_the_reload_message(tmp_path):
    chromium, driver_path = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not (chromium.exists() and driver_path.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver")
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import voila_server
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    server = voila_server.start(tmp_path, "--cull-idle-timeout", "8")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1200",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    try:
        driver.get(server.url + "apps/teacher-coverage")
        WebDriverWait(driver, 300, 0.5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-status-ready"))
        assert not driver.find_elements(By.CSS_SELECTOR, ".pa-kernel-gone")
        box = driver.find_element(By.CSS_SELECTOR, ".pa-course-picker input")  # the service answers the page
        box.send_keys("INTRODUCTION TO FINANCE 1-2 (000217-000218)")
        box.send_keys(Keys.ENTER)
        WebDriverWait(driver, 120, 0.5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-results .pa-group"))
        # then nobody touches the page: the server culls the kernel, the page says so
        banner = WebDriverWait(driver, 90, 1).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-kernel-gone"))[0]
        assert banner.text.startswith(serve.KERNEL_GONE_MESSAGE)
        assert banner.find_element(By.CSS_SELECTOR, "button.pa-reload").text == "Reload"
        assert "culled" in server.log_text().lower() or "idle" in server.log_text().lower()
    finally:
        driver.quit()
        server.stop()


def test_reload_swaps_the_models_and_forgets_kept_answers():
    """After a standards-library import the review app asks the service to load again: the
    old models answer until the new ones are in, then answers come from the new ones."""
    from alignment.present.model_service import Models

    class WordAligner:  # answers with its generation, so the test sees which models answered
        def __init__(self, generation):
            self.generation = generation

        def suggest(self, courses, top_k=None, frameworks=None):
            return pd.DataFrame({"course_id": courses["course_id"], "standard_id": f"gen{self.generation}"})

    loads = []

    def loader():
        loads.append(1)
        return Models(WordAligner(len(loads)), pd.DataFrame())

    service = ModelService(secrets.token_urlsafe(24), loader).start()
    try:
        client = ServiceClient(service.url, service.secret)
        client.wait_ready(timeout=10)
        course = pd.DataFrame([{"course_id": "a", "description": "budgets"}])
        assert client.suggest(course)["standard_id"].tolist() == ["gen1"]
        client.reload()
        client.wait_ready(timeout=10)
        assert client.health()["loads"] == 2
        assert client.suggest(course)["standard_id"].tolist() == ["gen2"]  # not the kept gen1 answer
    finally:
        service.stop()


def test_a_slow_first_load_finishing_after_a_reload_does_not_bring_back_the_old_standards():
    """Under load the server's first fit can still be running when the review app imports a
    sector and asks for /reload: the reload's models (the new table) must stay installed
    when the older first load finishes later (seen in CI: the teacher app then had the
    table without the imported sector)."""
    from alignment.present.model_service import Models

    class WordAligner:
        def __init__(self, generation):
            self.generation = generation

        def suggest(self, courses, top_k=None, frameworks=None):
            return pd.DataFrame({"course_id": courses["course_id"], "standard_id": f"gen{self.generation}"})

    first_may_finish = threading.Event()
    calls = []

    def loader():
        calls.append(1)
        generation = len(calls)
        if generation == 1:  # the first load: slow, finishes only after the reload's
            first_may_finish.wait(10)
        return Models(WordAligner(generation), pd.DataFrame())

    service = ModelService(secrets.token_urlsafe(24), loader).start()
    try:
        client = ServiceClient(service.url, service.secret)
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:  # the first load has begun
            time.sleep(0.01)
        client.reload()
        client.wait_ready(timeout=10)
        course = pd.DataFrame([{"course_id": "a", "description": "budgets"}])
        assert client.suggest(course)["standard_id"].tolist() == ["gen2"]
        first_may_finish.set()
        deadline = time.monotonic() + 10
        while (len(calls) < 2 or service.loads < 1) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # the first load returns and is dropped
        assert client.suggest(course)["standard_id"].tolist() == ["gen2"]
        assert client.health()["reloading"] is False
    finally:
        first_may_finish.set()
        service.stop()


# --------------------------------------------------------------------------- gap panels, once per server

class OverlapAligner:
    """Stands in for the fitted Aligner over the real standards (no model): for each
    course, per framework, the ``top_k`` standards (of the course's sector for the CTE
    frameworks) sharing the most words with its description. It counts its calls."""

    def __init__(self, standards: pd.DataFrame):
        import re

        self.rows = standards[(standards["kind"] != "heading") & (standards["text"] != "")]
        self.words = [set(re.findall(r"[a-z]{4,}", t.lower())) for t in self.rows["text"]]
        self.calls: list[list[str]] = []

    def suggest(self, courses: pd.DataFrame, top_k=None, frameworks=None) -> pd.DataFrame:
        import re

        self.calls.append(courses["course_id"].tolist())
        out = []
        for course in courses.to_dict("records"):
            words = set(re.findall(r"[a-z]{4,}", str(course["description"]).lower()))
            for fw in ("cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"):
                mask = (self.rows["framework"] == fw).to_numpy()
                if fw in ("cte_pathway", "cte_anchor"):
                    mask = mask & (self.rows["sector"] == course.get("sector", "")).to_numpy()
                scored = sorted(((len(words & self.words[i]), i) for i in mask.nonzero()[0]), key=lambda x: -x[0])
                for rank, (shared, i) in enumerate(scored[: top_k or 5], start=1):
                    std = self.rows.iloc[i]
                    out.append({"course_id": course["course_id"], "standard_id": std["standard_id"],
                                "framework": fw, "rank": rank, "score": shared / 10,
                                "band": "strong" if rank == 1 and shared else "possible" if shared else "weak",
                                "code": std["code"], "display_code": std["display_code"], "sector": std["sector"],
                                "pathway": std["pathway"], "standard_text": std["text"], "matched_terms": [],
                                "matched_phrases": [], "best_sentence": "", "evidence": "overlap", "note": ""})
        return pd.DataFrame(out)


@pytest.fixture(scope="module")
def school(standards, catalog):
    from alignment.data.pathways import load_pathways

    return load_pathways(None, catalog=catalog, standards=standards)  # the bundled Westview pathways


def test_gap_panel_is_parts_a_and_b_of_the_gap_report(school, standards):
    from alignment.analysis.gaps import gap_report
    from alignment.present.model_service import GAP_TOP_K, gap_panel

    aligner = OverlapAligner(standards)
    for pathway in school[:3]:
        report = gap_report(pathway, standards, aligner.suggest(pathway.courses_for_aligner(), top_k=GAP_TOP_K))
        panel = gap_panel(pathway, standards, aligner)
        assert panel.pathway_name == pathway.name
        assert panel.pathway_gaps.equals(report.pathway_gaps) and panel.anchor_gaps.equals(report.anchor_gaps)
        assert panel.notes == [n for n in report.notes if not n.startswith("suggested fixes (g)")]
        assert panel.edition_label == report.edition_label
    assert len(school) == 7 and any(not gap_panel(p, standards, aligner).pathway_gaps.empty for p in school)


def test_every_kernel_gets_the_gap_panel_the_service_computed_once(school, standards, catalog):
    """The service computes each pathway's panel when it loads (one aligner pass per
    pathway); kernels (here: two teacher apps, as two sessions would) receive it instead
    of aligning the pathway's courses and computing the report themselves."""
    from alignment.present.model_service import Models, gap_panel, gap_panels, pathway_fingerprint
    from alignment.ui.coverage import CoverageApp

    service_aligner = OverlapAligner(standards)

    def loader():
        return Models(service_aligner, standards, catalog, gap_panels=gap_panels(school, standards, service_aligner))

    service = ModelService(secrets.token_urlsafe(24), loader).start()
    try:
        client = ServiceClient(service.url, service.secret)
        client.wait_ready(timeout=30)
        assert client.health()["gap_panels"] == 7 and len(service_aligner.calls) == 7  # once per pathway, at load
        finance = next(p for p in school if p.sector == "Business and Finance")
        course = catalog[catalog["course_id"] == finance.course_ids[0]].iloc[0]
        label = f"{course['title']} ({course['course_id']})"
        panels = []
        for _ in range(2):  # two sessions
            app = CoverageApp(aligner=RemoteAligner(client), standards=standards, catalog=catalog, pathways=school)
            app.course.value = label
            assert app.pathway.value == finance.name  # the course's pathway is chosen for the panel
            assert f"What {finance.name.replace('&', '&amp;')} still misses" in app.gaps.value
            panels.append(app.gaps.value)
        assert panels[0] == panels[1]
        health = client.health()
        assert health["gap_panels_served"] == 2  # one per kernel (then kept there)
        pathway_courses = set(finance.course_ids)
        assert not any(set(c) >= pathway_courses for c in service_aligner.calls[7:])  # never aligned again
        # what they received is the panel of the pathway, as computed here
        received = RemoteAligner(client).gap_panel(finance)
        expected = gap_panel(finance, standards, OverlapAligner(standards))
        assert received.pathway_gaps.equals(expected.pathway_gaps) and received.notes == expected.notes
        assert frame_to_json(received.anchor_gaps) == frame_to_json(expected.anchor_gaps)
        # a pathway the service does not have (another file, other courses): the kernel computes its own
        from dataclasses import replace

        other = replace(finance, courses=finance.courses.head(1))
        assert pathway_fingerprint(other) != pathway_fingerprint(finance)
        assert RemoteAligner(client).gap_panel(other) is None
        status, body = _get(service.url + "/health")  # and no secret, no answer
        assert status == 403
    finally:
        service.stop()


# --------------------------------------------------------------------------- the standards table, from the service

def test_a_new_kernel_takes_the_standards_and_pathways_from_the_ready_service(standards, school, monkeypatch):
    """A kernel's standards table and school pathways are the service's, exactly (values
    and column types), without reading the files; while the service loads or reloads,
    the kernel reads them itself (the apps' first paint does not wait for the models)."""
    from alignment.data import pathways as pathways_module
    from alignment.data import sources
    from alignment.present.model_service import pathway_fingerprint
    from alignment.present.model_service import Models
    from alignment.ui import session

    release = threading.Event()

    def loader():
        release.wait(30)
        return Models(OverlapAligner(standards), standards, pathways=school)

    service = ModelService(secrets.token_urlsafe(24), loader).start()
    read_here = []
    real = sources.load_standards_from
    monkeypatch.setattr(sources, "load_standards_from", lambda *a, **k: read_here.append(1) or real(*a, **k))
    monkeypatch.setenv("PATHWAY_ALIGN_SERVICE_URL", service.url)  # as the launcher hands them to its kernels
    monkeypatch.setenv(SECRET_ENV, service.secret)
    try:
        with session._lock:
            session._cache.clear()
        loading = session.get_standards()  # the service is loading: read here
        assert read_here == [1] and loading.equals(standards)
        release.set()
        client = ServiceClient(service.url, service.secret)
        client.wait_ready(timeout=30)
        with session._lock:
            session._cache.pop("standards", None)
        table = session.get_standards()
        assert read_here == [1]  # not read again: it came from the service
        assert table.equals(standards) and table.dtypes.to_dict() == standards.dtypes.to_dict()
        assert list(table.columns) == list(standards.columns) and len(table) == len(standards)
        monkeypatch.setattr(pathways_module, "load_pathways", lambda *a, **k: pytest.fail("read here"))
        received = session.get_pathways()
        assert [p.name for p in received] == [p.name for p in school] and len(received) == 7
        for got, sent in zip(received, school):
            assert (got.sector, got.cte_pathway, got.sequence, got.source, got.warnings) == \
                (sent.sector, sent.cte_pathway, sent.sequence, sent.source, sent.warnings)
            assert got.courses.equals(sent.courses) and got.courses.dtypes.to_dict() == sent.courses.dtypes.to_dict()
            assert pathway_fingerprint(got) == pathway_fingerprint(sent)  # so the service's gap panels apply
        status, _ = _get(service.url + "/standards")
        assert status == 403  # the secret is needed here too
    finally:
        release.set()
        service.stop()
        with session._lock:
            session._cache.clear()
