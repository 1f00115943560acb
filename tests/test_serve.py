"""The launcher: configuration (TOML < environment < command line), refusals (team mode
without credentials, other machines without team mode, notebooks from outside the
package's apps/), the apps it lists, the team identity, and real servers: a team-mode one
that gives nothing to a request without a token and never logs a token, and a local one
that refuses requests for other host names (DNS rebinding)."""

from __future__ import annotations

import base64
import http.client
import importlib.util
import re
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from alignment.io.errors import InputError
from alignment.present import serve, web_security

CLI = [sys.executable, "-m", "alignment.present.cli", "serve"]
TOKEN = "shared-" + "0123456789abcdef"
MARIA = "maria-" + "fedcba9876543210abcd"


def _voila_server():
    path = Path(__file__).parent / "browser" / "voila_server.py"
    spec = importlib.util.spec_from_file_location("pathway_align_test_voila_server", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update(extra)
    return env


def run(*args, cwd=None, **env):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=clean_env(**env), timeout=120)


# --------------------------------------------------------------------------- configuration

def test_defaults_are_local_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = serve.load_config({}, env={})
    assert cfg.bind_host == "127.0.0.1" and cfg.port == 8866 and not cfg.team and not cfg.authenticated
    assert cfg.review_db == serve.DEFAULT_REVIEW_DB and cfg.source == "defaults"
    serve.check(cfg)  # fine: loopback, no sign-in needed


def test_toml_then_environment_then_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    toml = tmp_path / "conf" / "pathway-align.toml"
    toml.write_text(
        '[data]\ncatalog = "cat.csv"\nreview_db = "db/r.sqlite3"\n'
        '[server]\nport = 9001\nteam = true\ntoken = "from-toml-0123456789"\ntop_k = 3\n'
        f'[team.users]\n"{MARIA}" = "Maria Lopez"\n', encoding="utf-8")
    toml.chmod(0o600)  # it holds secrets
    cfg = serve.load_config({}, env={}, config_file=str(toml))
    assert cfg.catalog == tmp_path / "conf" / "cat.csv"  # relative to the TOML file
    assert cfg.review_db == tmp_path / "conf" / "db" / "r.sqlite3"
    assert (cfg.port, cfg.team, cfg.token, cfg.top_k) == (9001, True, "from-toml-0123456789", 3)
    assert cfg.users == {MARIA: "Maria Lopez"} and cfg.bind_host == "0.0.0.0"
    env = {"PATHWAY_ALIGN_PORT": "9002", "PATHWAY_ALIGN_TOKEN": "from-env-0123456789ab",
           "PATHWAY_ALIGN_REVIEW_DB": "env.sqlite3", "PATHWAY_ALIGN_CONFIG": str(toml)}
    cfg = serve.load_config({}, env=env)
    assert (cfg.port, cfg.token, cfg.review_db) == (9002, "from-env-0123456789ab", tmp_path / "env.sqlite3")
    cfg = serve.load_config({"port": 9003, "host": "127.0.0.1", "catalog": "x.csv"}, env=env)
    assert (cfg.port, cfg.bind_host, cfg.catalog) == (9003, "127.0.0.1", tmp_path / "x.csv")
    assert serve.kernel_environment(cfg)["PATHWAY_ALIGN_CATALOG"] == str(tmp_path / "x.csv")
    assert serve.kernel_environment(cfg)["PATHWAY_ALIGN_TEAM"] == "1"


def test_a_pathway_align_toml_in_the_current_folder_is_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pathway-align.toml").write_text("[server]\nport = 9100\n", encoding="utf-8")
    assert serve.load_config({}, env={}).port == 8866
    assert serve.load_config({}, env={}, config_file="pathway-align.toml").port == 9100  # named: read


@pytest.mark.parametrize("text, message", [
    ("[server]\nprot = 1\n", "unknown key 'prot' in [server]"),
    ("[web]\nport = 1\n", "unknown section [web]"),
    ("[server]\nport = 99999\n", "port must be a whole number from 1 to 65,535"),
    ("[server]\nteam = \"maybe\"\n", "'maybe' is not true or false (team)"),
    ("[server\n", "is not valid TOML"),
    ("[team]\nadmins = 1\n", "[team] holds only the table [team.users]"),
])
def test_bad_toml_is_refused_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "pathway-align.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        serve.load_config({}, env={}, config_file=str(path))
    assert message in str(info.value)


def test_team_mode_without_credentials_is_refused():
    with pytest.raises(InputError, match="needs Jupyter server authentication"):
        serve.check(serve.load_config({"team": True}, env={}))


def test_other_machines_without_team_mode_are_refused():
    with pytest.raises(InputError, match="without sign-in; use --team"):
        serve.check(serve.load_config({"host": "0.0.0.0"}, env={}))
    serve.check(serve.load_config({"host": "::1"}, env={}))


@pytest.mark.parametrize("options, message", [
    ({"team": True, "token": "short"}, "use at least 16"),
    ({"team": True, "users": {"abc": "Ana"}}, "shorter than 16 characters"),
    ({"team": True, "users": {MARIA: "Ana\nEvil"}}, "must be one line"),
    ({"team": True, "users": {MARIA: "Ana", MARIA + "x": "ana"}}, "has two tokens"),
    ({"team": True, "token": TOKEN, "users": {TOKEN: "Ana"}}, "equals the shared token"),
    ({"catalog": "/no/such/catalog.csv"}, "no such file"),
])
def test_weak_or_broken_settings_are_refused(options, message):
    cfg = serve.load_config({k: v for k, v in options.items() if k != "users"}, env={})
    cfg.users = options.get("users", {})
    with pytest.raises(InputError, match=message):
        serve.check(cfg)


def test_cli_refuses_team_mode_without_credentials():
    result = run("--team", "--check")
    assert result.returncode == 2
    assert "team mode serves other machines and needs Jupyter server authentication" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("--team")  # without --check too: it stops before Voila starts
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert run("--host", "0.0.0.0", "--check").returncode == 2


def test_cli_check_prints_every_app_url_start_page_first(tmp_path):
    result = run("--check", "--port", "8999", "--review-db", str(tmp_path / "r.sqlite3"))
    assert result.returncode == 0, result.stderr
    urls = re.findall(r"http://\S+", result.stderr)
    assert urls[1:] == ["http://127.0.0.1:8999/", "http://127.0.0.1:8999/apps/teacher-coverage",
                        "http://127.0.0.1:8999/apps/specialist-review", "http://127.0.0.1:8999/apps/pathway-gaps"]
    assert "Local only" in result.stderr and ".ipynb" not in result.stderr
    ok = run("--team", "--check", "--host", "127.0.0.1", PATHWAY_ALIGN_TOKEN=TOKEN)
    assert ok.returncode == 0 and "Team mode" in ok.stderr and TOKEN not in ok.stderr


def test_cli_refuses_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        result = run("--port", str(busy.getsockname()[1]))
    assert result.returncode == 2 and "already in use" in result.stderr


def test_every_notebook_in_apps_is_an_app_known_ones_first(tmp_path):
    for name in ("zeta_tool", "pathway_gaps", "review", "course_coverage"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{name}.ipynb")
    cfg = serve.ServeConfig(apps_dir=tmp_path, port=8000)
    assert serve.apps(cfg) == [("Teacher coverage", "course_coverage.ipynb"), ("Specialist review", "review.ipynb"),
                               ("Pathway gap dashboard", "pathway_gaps.ipynb"), ("Zeta tool", "zeta_tool.ipynb")]
    assert [url for _, url in serve.app_urls(cfg)] == [
        "http://127.0.0.1:8000/apps/teacher-coverage", "http://127.0.0.1:8000/apps/specialist-review",
        "http://127.0.0.1:8000/apps/pathway-gaps", "http://127.0.0.1:8000/apps/zeta-tool"]


def test_only_the_packages_apps_are_served_unless_allowed(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "evil.ipynb")
    (tmp_path / "pathway-align.toml").write_text(f'[server]\napps_dir = "{tmp_path}"\n', encoding="utf-8")
    cfg = serve.load_config({}, env={}, config_file=str(tmp_path / "pathway-align.toml"))
    assert cfg.apps_dir == tmp_path
    with pytest.raises(InputError, match="is outside the package's apps/.*--allow-foreign-apps"):
        serve.check(cfg)
    (tmp_path / "both.toml").write_text(f'[server]\napps_dir = "{tmp_path}"\nallow_foreign_apps = true\n')
    with pytest.raises(InputError, match="unknown key 'allow_foreign_apps'"):  # a file cannot allow itself
        serve.load_config({}, env={}, config_file=str(tmp_path / "both.toml"))
    serve.check(serve.load_config({"allow_foreign_apps": True}, env={},
                                  config_file=str(tmp_path / "pathway-align.toml")))
    serve.check(serve.load_config({}, env={"PATHWAY_ALIGN_ALLOW_FOREIGN_APPS": "1"},
                                  config_file=str(tmp_path / "pathway-align.toml")))
    serve.check(serve.load_config({"apps_dir": str(serve.APPS_DIR)}, env={}))  # the package's own: fine
    # the command line says the same, before anything starts
    refused = run("--check", "--config", str(tmp_path / "pathway-align.toml"))
    assert refused.returncode == 2 and "--allow-foreign-apps" in refused.stderr and "Traceback" not in refused.stderr
    assert run("--check", "--allow-foreign-apps", "--config", str(tmp_path / "pathway-align.toml")).returncode == 0


def test_allowed_host_names_come_from_every_source_and_are_checked(tmp_path):
    toml = tmp_path / "pathway-align.toml"
    toml.write_text('[server]\nteam = true\nallowed_hosts = ["Pathways.District.org", "10.1.2.3"]\n', encoding="utf-8")
    cfg = serve.load_config({"token": TOKEN}, env={}, config_file=str(toml))
    assert cfg.allowed_hosts == ["pathways.district.org", "10.1.2.3"]
    serve.check(cfg)
    policy = serve.host_policy(cfg)
    assert policy.allows_host("pathways.district.org:8866") and not policy.allows_host(socket.gethostname() + ".evil")
    assert serve.base_url(cfg) == "http://pathways.district.org:8866/"
    env = {"PATHWAY_ALIGN_ALLOWED_HOSTS": "a.example, b.example", "PATHWAY_ALIGN_TEAM": "1"}
    assert serve.load_config({"token": TOKEN}, env=env).allowed_hosts == ["a.example", "b.example"]
    assert serve.load_config({"token": TOKEN, "allowed_hosts": ["c.example"]}, env=env).allowed_hosts == ["c.example"]
    default = serve.host_policy(serve.load_config({"team": True, "token": TOKEN}, env={}))
    assert default.allows_host(socket.gethostname()) and default.allows_host("192.168.1.20:8866")
    assert not default.allows_host("evil.example")
    assert serve.host_policy(serve.load_config({}, env={})) == serve.HostPolicy.local()
    with pytest.raises(InputError, match="not a host name or IP address"):
        serve.check(serve.load_config({"team": True, "token": TOKEN, "allowed_hosts": ["*.district.org"]}, env={}))
    with pytest.raises(InputError, match="allowed_hosts applies to --team"):
        serve.check(serve.load_config({"allowed_hosts": ["a.example"]}, env={}))
    ok = run("--team", "--check", "--allowed-host", "pathways.example.org", PATHWAY_ALIGN_TOKEN=TOKEN)
    assert ok.returncode == 0 and "answers to: localhost, pathways.example.org and IP addresses" in ok.stderr


def test_the_default_review_folder_ignores_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(serve, "DEFAULT_REVIEW_DB", tmp_path / "reviews" / "reviews.sqlite3")
    serve.prepare_review_folder(serve.ServeConfig(review_db=tmp_path / "reviews" / "reviews.sqlite3"))
    assert (tmp_path / "reviews" / ".gitignore").read_text().strip().endswith("*")
    serve.prepare_review_folder(serve.ServeConfig(review_db=tmp_path / "other" / "r.sqlite3"))
    assert (tmp_path / "other").is_dir() and not (tmp_path / "other" / ".gitignore").exists()


# --------------------------------------------------------------------------- team identity

def test_prelaunch_hook_tells_the_kernel_who_signed_in():
    hook = serve.make_prelaunch_hook({MARIA: "Maria O'Neil"})
    user = SimpleNamespace(username=serve.TEAM_USER_PREFIX + "Maria O'Neil")
    nb = hook(SimpleNamespace(current_user=user), nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")]),
              "/tmp")
    assert len(nb.cells) == 2 and nb.cells[1].source == "x"
    namespace = {}
    from alignment.ui import session

    try:
        exec(nb.cells[0].source, namespace)  # the line is valid Python and sets the identity
        assert session.identity() == session.Identity("Maria O'Neil", True)
    finally:
        session.set_identity("")
    for other in (SimpleNamespace(username="Anonymous Io"), SimpleNamespace(username=serve.TEAM_USER_PREFIX + "Eve"),
                  None):
        nb = hook(SimpleNamespace(current_user=other), nbformat.v4.new_notebook(), "/tmp")
        assert nb.cells == []  # shared token, unknown name, nobody: no identity


def test_identity_provider_accepts_per_user_and_shared_tokens():
    provider = serve.team_identity_provider({MARIA: "Maria Lopez"})(token=TOKEN)
    user = provider._user_for(MARIA)
    assert user.username == serve.TEAM_USER_PREFIX + "Maria Lopez" and user.display_name == "Maria Lopez"
    assert provider._user_for(TOKEN) is None and provider._user_for("") is None
    assert provider._user_for(MARIA[:-1]) is None
    assert provider.auth_enabled
    only_users = serve.team_identity_provider({MARIA: "Maria Lopez"})(token="")
    assert only_users.auth_enabled and only_users.login_available


@pytest.fixture
def keep_sigterm():
    """Voila.initialize installs its own SIGTERM handler; give pytest its own back."""
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


def test_voila_is_configured_safely(keep_sigterm):
    cfg = serve.load_config({"team": True, "host": "127.0.0.1", "port": 8999, "token": TOKEN}, env={})
    cfg.users = {MARIA: "Maria Lopez"}
    serve.check(cfg)
    app = serve.build_voila(cfg)
    assert (app.ip, app.port, app.port_retries, app.token) == ("127.0.0.1", 8999, 0, TOKEN)
    assert not app.voila_configuration.show_tracebacks
    # pre-heated kernels for the teacher app only (it never reads the identity; tests/test_serve_preheat.py)
    assert app.voila_configuration.preheat_kernel and not app.voila_configuration.progressive_rendering
    assert app.config.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 0}, "course_coverage.ipynb": {"pool_size": cfg.preheat_kernels}}
    assert app.voila_configuration.prelaunch_hook is not None
    assert app.identity_provider_class.__name__ == "TeamIdentityProvider"
    assert app.config.PasswordIdentityProvider.allow_password_change is False
    assert app.tornado_settings["websocket_max_message_size"] > cfg.settings.max_input_bytes
    assert app.tornado_settings["log_function"] is web_security.log_request
    assert set(app.tornado_settings["pathway_align_secrets"]) == {TOKEN, MARIA}
    assert app.host_policy.any_ip and app.tornado_settings["allow_remote_access"] is True
    local = serve.build_voila(serve.load_config({}, env={}))
    assert (local.ip, local.token, local.voila_configuration.prelaunch_hook) == ("127.0.0.1", "", None)
    assert local.host_policy == serve.HostPolicy.local()
    assert local.tornado_settings["allow_remote_access"] is False  # Jupyter's own Host check on, too


# --------------------------------------------------------------------------- real servers

def _get(port: int, path: str, method: str = "GET", headers: dict | None = None, read: int = 0,
         body: str | None = None):
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        con.request(method, path, body=body, headers=headers or {})
        response = con.getresponse()
        body = response.read(read) if read else b""
        return response.status, response.getheader("Location", ""), body
    finally:
        con.close()


def _response(port: int, path: str, headers: dict | None = None):
    """(status, headers, whole body) of a GET."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        con.request("GET", path, headers=headers or {})
        response = con.getresponse()
        return response.status, response.headers, response.read()
    finally:
        con.close()


def _upgrade(**extra) -> dict:
    key = base64.b64encode(os.urandom(16)).decode()
    return {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": key, **extra}


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    vs = _voila_server()
    workdir = tmp_path_factory.mktemp("team")
    toml = workdir / "pathway-align.toml"
    toml.write_text(f'[team.users]\n"{MARIA}" = "Maria Lopez"\n', encoding="utf-8")
    toml.chmod(0o600)  # it holds tokens; a file in the current folder is read only when named
    server = vs.start(workdir, "--team", "--host", "127.0.0.1", "--config", str(toml), env={"PATHWAY_ALIGN_TOKEN": TOKEN})
    yield server
    server.stop()


@pytest.mark.slow
def test_team_server_gives_nothing_without_a_token(team_server):
    server = team_server
    kernel = str(uuid.uuid4())
    for path in ("/", "/apps/specialist-review", "/voila/render/review.ipynb", "/voila/render/course_coverage.ipynb",
                 f"/voila/render/review.ipynb?token={TOKEN[:-1]}x"):
        status, location, _ = _get(server.port, path)
        assert status == 302 and location.startswith("/login?next="), (path, status, location)
    # no kernel can be reached or stopped, so nothing can be written
    assert _get(server.port, f"/api/kernels/{kernel}/channels", headers=_upgrade())[0] == 403
    assert _get(server.port, f"/api/kernels/{kernel}")[0] == 403
    assert _get(server.port, f"/voila/api/shutdown/{kernel}", method="POST")[0] == 403
    assert not server.review_db.exists()
    # with the token: the page, once the token is out of the URL (it sets the sign-in cookie)
    status, headers, _ = _response(server.port, f"/apps/specialist-review?token={TOKEN}")
    assert status == 302 and headers["Location"] == "/apps/specialist-review"
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, body = _get(server.port, "/apps/specialist-review", headers={"Cookie": cookie}, read=400)
    assert status == 200 and b"<!DOCTYPE html>" in body
    status, _, body = _get(server.port, "/voila/render/review.ipynb", read=400,
                           headers={"Authorization": f"token {TOKEN}"})
    assert status == 200 and b"<!DOCTYPE html>" in body
    assert "Team mode on 127.0.0.1" in server.log_text()


@pytest.mark.slow
def test_team_server_front_door_is_behind_the_sign_in(team_server):
    port = team_server.port
    status, location, _ = _get(port, "/")
    assert status == 302 and location.startswith("/login?next=")
    status, headers, _ = _response(port, f"/?token={MARIA}")
    assert status == 302 and headers["Location"] == "/"
    status, _, body = _response(port, "/", headers={"Cookie": headers["Set-Cookie"].split(";")[0]})
    page = body.decode()
    assert status == 200 and "Signed in as Maria Lopez" in page and "Team server" in page
    assert ".ipynb" not in page and MARIA not in page and TOKEN not in page


@pytest.mark.slow
def test_team_server_never_logs_a_token(team_server):
    """Issue 13 item 1: tornado logged every 4xx request's URL, ?token=... included."""
    port = team_server.port
    bodies = []
    for token in (TOKEN, MARIA, TOKEN[:-1] + "x"):
        for path in (f"/no/such/page?token={token}", f"/voila/render/nope.ipynb?token={token}",
                     f"/api/kernels/{uuid.uuid4()}?token={token}", f"/voila/files/../../etc/passwd?token={token}",
                     f"/apps/specialist-review?token={token}&theme=dark",
                     f"/login?next=%2Fvoila%2Frender%2Freview.ipynb%3Ftoken%3D{token}",
                     f"/voila/api/shutdown/{uuid.uuid4()}?token={token}"):
            bodies.append(_response(port, path))
        bodies.append(_response(port, "/no/such/page", headers={"Authorization": f"token {token}"}))
        bodies.append(_response(port, f"/api/kernels/{uuid.uuid4()}/channels?token={token}",
                                headers=_upgrade(Host="evil.example", Origin="http://evil.example")))
    statuses = {status for status, _, _ in bodies}
    assert {302, 403, 404} <= statuses  # redirects, refusals and not-found pages were all logged
    for status, _, body in bodies:
        if status >= 400:  # error pages do not repeat the token either
            assert TOKEN.encode() not in body and MARIA.encode() not in body
    log = team_server.log_text()
    assert TOKEN not in log and MARIA not in log
    assert TOKEN[:-1] not in log and MARIA[:-1] not in log  # nor the near-misses
    assert "404 GET /no/such/page?token=[secret]" in log  # the requests were logged, redacted


@pytest.mark.slow
def test_local_server_refuses_other_host_names(tmp_path):
    """Issue 13 item 2: with ``Host: evil.example`` the local server answered 200 and opened kernel
    websockets whose Host and Origin were that name (DNS rebinding)."""
    server = _voila_server().start(tmp_path)
    port = server.port
    kernel = str(uuid.uuid4())
    try:
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.nip.io", f"10.0.0.5:{port}"):
            origin = f"http://{host}"
            assert _get(port, "/", headers={"Host": host})[0] == 403, host
            assert _get(port, "/apps/teacher-coverage", headers={"Host": host, "Origin": origin})[0] == 403
            assert _get(port, "/voila/render/review.ipynb", headers={"Host": host})[0] == 403
            assert _get(port, "/voila/tree", headers={"Host": host})[0] == 403
            assert _get(port, f"/api/kernels/{kernel}", headers={"Host": host})[0] == 403
            assert _get(port, f"/voila/api/shutdown/{kernel}", "POST", headers={"Host": host, "Origin": origin})[0] == 403
            assert _get(port, f"/api/kernels/{kernel}/channels", headers=_upgrade(Host=host, Origin=origin))[0] == 403
        # a loopback Host with a foreign Origin (a page of evil.example calling 127.0.0.1) is refused too
        assert _get(port, f"/api/kernels/{kernel}/channels",
                    headers=_upgrade(Origin="http://evil.example"))[0] == 403
        assert _get(port, "/", headers={"Origin": "null"})[0] == 403
        # loopback names get through the guard: the front door, and the kernel routes reach their
        # handlers (404: no such kernel) instead of being refused
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
            status, _, body = _get(port, "/", headers={"Host": host}, read=20000)
            assert status == 200 and b"Pathway Align" in body and b".ipynb" not in body, host
            assert _get(port, f"/api/kernels/{kernel}/channels",
                        headers=_upgrade(Host=host, Origin=f"http://{host}"))[0] == 404
        assert _get(port, "/voila/static/voila.js", headers={"Host": f"localhost:{port}"})[0] in (200, 304)
    finally:
        server.stop()
    assert "refused a request for host 'evil.example'" in server.log_text()


@pytest.mark.slow
def test_a_closed_page_shuts_its_kernel_down(tmp_path):
    """Voila's page sends ``POST /voila/api/shutdown/<kernel>`` with the ``_xsrf`` cookie's
    value when it closes. The app pages set no ``_xsrf`` cookie, so that beacon was refused
    (403 "'_xsrf' argument missing from POST", seen in every browser test's log) and each
    closed or reloaded page's kernel ran on until the idle culler took it."""
    import re
    from http.cookies import SimpleCookie

    server = _voila_server().start(tmp_path)
    try:
        status, headers, body = _response(server.port, "/voila/render/review.ipynb")
        assert status == 200
        cookies = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        assert "_xsrf" in cookies and not cookies["_xsrf"]["httponly"]  # the page's script can read it
        kernel = re.search(rb'"kernelId": *"([0-9a-f-]{36})"', body) or re.search(rb"kernel[-_]?[iI]d[\"']?\s*[:=]\s*[\"']([0-9a-f-]{36})", body)
        assert kernel, "no kernel id in the page"
        kernel_id = kernel.group(1).decode()
        assert _get(server.port, f"/api/kernels/{kernel_id}")[0] == 200
        cookie = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        form = f"_xsrf={cookies['_xsrf'].value}"
        status = _get(server.port, f"/voila/api/shutdown/{kernel_id}", "POST", body=form,
                      headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})[0]
        assert status == 204
        assert _get(server.port, f"/api/kernels/{kernel_id}")[0] == 404
    finally:
        server.stop()
    assert "'_xsrf' argument missing" not in server.log_text()
