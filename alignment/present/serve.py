"""``pathway-align serve``: the Voila apps of ``apps/`` on one server.

    pathway-align serve                      # http://127.0.0.1:8866/, this machine only
    pathway-align serve --port 9000 --catalog my_catalog.xlsx --review-db reviews/district.sqlite3
    PATHWAY_ALIGN_TOKEN=... pathway-align serve --team      # other machines, token required

Every notebook in ``apps/`` is an app (one notebook = one page): the teacher coverage
app, the specialist review app and the pathway gap dashboard, each at ``/apps/<name>``
(``/apps/teacher-coverage``, ...; Voila's own ``/voila/render/<notebook>`` works too).
``/`` is the front door (:mod:`alignment.present.landing`): the apps by name, who each is
for, and the data loaded. The launcher prints these URLs, ``/`` first. Only the
package's own ``apps/`` folder is served unless ``--allow-foreign-apps`` says otherwise
(serving a notebook runs its code for every visitor).

Configuration comes from :func:`alignment.settings.load_settings`, strongest first:
command-line options, environment variables (``PATHWAY_ALIGN_*``), then a TOML file
(``--config FILE``, ``$PATHWAY_ALIGN_CONFIG``, or the project's ``pathway-align.toml``;
never one in the current folder), then the defaults (``docs/configuration.md``). Paths
in the TOML file are relative to the file; paths on the command line or in the
environment to the current folder. The apps' kernels receive the data settings as
environment variables (a Voila kernel inherits the server's environment; see
:mod:`alignment.ui.session`).

Who may connect, and who may write
----------------------------------
* By default the server binds to 127.0.0.1: only this machine can reach it, and no
  sign-in is asked (anyone who can run programs here could read the files anyway).
  A non-loopback ``--host`` without ``--team`` is refused.
* ``--team`` binds to 0.0.0.0 (or ``--host``) and REQUIRES Jupyter server
  authentication: a shared token (``--token`` / ``PATHWAY_ALIGN_TOKEN`` / ``[server]
  token``), a hashed password (``PATHWAY_ALIGN_HASHED_PASSWORD`` / ``[server]
  hashed_password``, made with ``python -c "from jupyter_server.auth import passwd;
  print(passwd())"``) and/or per-user tokens (``[team.users]``, token = name). Without
  one it refuses to start (exit code 2). A request without valid credentials gets no
  page (302 to the login form, 403 for the API and the kernel websocket), so it can
  start no kernel and write nothing. A page opened with ``?token=...`` is answered with
  a redirect to the same URL without it (the sign-in cookie is set), so the token
  stays out of the address bar, the kernels' environment and Referer headers.
* Host names (:mod:`alignment.present.web_security`). Every request's ``Host`` and
  ``Origin`` must name this server (no DNS rebinding): local mode answers to
  ``localhost``, 127.0.0.1 and ``[::1]`` only; team mode to ``--allowed-host`` names
  (default: this machine's name), ``localhost`` and IP addresses. Others get 403.
* Secrets are never logged: the request log and a filter on every log handler redact
  tokens, passwords, ``Authorization`` and ``Cookie`` values; the kernels do not
  inherit ``PATHWAY_ALIGN_TOKEN`` or ``PATHWAY_ALIGN_HASHED_PASSWORD``.
* Identity. A Voila kernel is not told who the Jupyter server authenticated (it gets
  only the request's URL and, if configured, HTTP headers, which a client can forge).
  So the launcher installs a Voila ``prelaunch_hook`` that runs in the server, reads
  the authenticated user of the request and, for a per-user token, puts one line at
  the top of the notebook: ``set_identity(<name>, verified=True)``. The review app
  then records that name and shows it read-only. Voila lets browsers send kernels
  only widget messages, never code, so the identity cannot be changed from the page.
  A shared token or password cannot tell people apart (the server calls them
  "Anonymous <moon>"): reviewers then type their name, recorded as typed.

One model service, thin kernels, idle kernels culled
----------------------------------------------------
* Before Voila, the launcher starts the model service
  (:mod:`alignment.present.model_service`) as a child process on 127.0.0.1 and a free
  port, with a new random secret; the kernels get its address and secret in their
  environment and ask it for suggestions (:mod:`alignment.ui.session`). The models,
  standards and vectors are loaded once per server, not once per browser tab. The
  service stops with the server (and on its own if the server dies).
  ``--no-model-service`` (``model_service``, ``PATHWAY_ALIGN_MODEL_SERVICE=0``) loads them in every kernel
  instead, as before.
* A kernel idle for ``cull_idle_timeout`` seconds (default 1800; ``--cull-idle-timeout``,
  ``PATHWAY_ALIGN_CULL_IDLE_TIMEOUT``, ``[server] cull_idle_timeout``; 0: never) is shut
  down, even with its tab still open, so a day of workshops does not pile up memory.
  The app pages served at ``/apps/`` check that their kernel is still there (every
  few seconds and when the tab is shown again) and, when it is gone, say "This page was
  idle and has been closed to free memory: reload to continue."

Pre-heated teacher-app kernels
------------------------------
* ``preheat_kernels`` (default 1; ``--preheat-kernels N``, ``PATHWAY_ALIGN_PREHEAT_KERNELS``,
  ``[server] preheat_kernels``; 0: none) teacher-app kernels are started and their
  notebook run before anyone asks (Voila's pre-heated kernel pool, ``preheat_kernel``
  with a per-notebook pool size): a teacher opening the app gets one of them, its
  widgets already built. The number is the room's size: for a workshop of 30, ``--preheat-kernels
  30`` starts 30 before the doors open (one per usable core at a time), and after that the pool
  is refilled only up to the room's size minus the kernels in use, at least one ready
  (:func:`room_sized_pool`; Voila alone would start a replacement for every kernel taken,
  30 more kernels competing with the first answers). Kernels waiting
  in the pool are never culled, and one handed to a page counts as active from then on
  (it may have waited longer than the cull timeout). Only with the model service (``--no-model-service``:
  no pool; each waiting kernel would load its own models).
* Only the apps in :data:`PREHEATED_APPS` (the teacher app) are pre-heated. A pre-heated
  kernel ran its notebook before there was a request, so nothing can be put in it for
  the person who gets it: the team-mode identity line above cannot be. Voila therefore
  refuses ``preheat_kernel`` together with a ``prelaunch_hook``; the launcher allows
  both because the teacher app never reads the identity (it only reads), while the
  review app, which records the signed-in name, is never pre-heated: it gets a new
  kernel per request, with the identity line, as before.
* A pre-heated kernel read the standards when it was started. When they change (an
  import into the standards library asks the model service to reload: its
  ``generation`` goes up), the next request for the teacher app empties the pool
  before Voila looks at it: that request gets a new kernel, the waiting ones are shut
  down and the pool is filled again with kernels that read the new standards.
* Voila's ``/voila/query/<kernel>`` websocket (request details for pre-heated kernels
  that call ``voila.utils.wait_for_request``; it asks for no sign-in) is not served:
  the apps do not use the request's URL.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from alignment.io.errors import InputError
from alignment.present.web_security import HostPolicy, valid_host_name
from alignment.settings import (CONFIG_ENV, NO_CONFIG_FILE, OPTION, PACKAGE_APPS_DIR, Settings, SettingsError,
                                environment, export_environment, get_settings, load_settings)

#: Default port (Voila's).
DEFAULT_PORT = 8866
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
#: Where the apps live; every notebook there is served.
APPS_DIR = PACKAGE_APPS_DIR
#: Default review store (``reviews/`` is made to ignore itself in git).
DEFAULT_REVIEW_DB = Settings().review_db
MIN_TOKEN_CHARS = 16
#: Usernames of users signed in with a per-user token start with this.
TEAM_USER_PREFIX = "pathway-align:"

#: Known apps, in the order they are listed (others follow by name).
APP_TITLES = {
    "course_coverage": "Teacher coverage",
    "review": "Specialist review",
    "pathway_gaps": "Pathway gap dashboard",
}
#: The URL path of each known app under ``/apps/`` (others: their name, ``_`` -> ``-``).
APP_SLUGS = {"course_coverage": "teacher-coverage", "review": "specialist-review", "pathway_gaps": "pathway-gaps"}
#: Apps whose kernels may be pre-heated (started and run before anyone asks): only apps
#: that never read the team-mode identity, which a pre-heated kernel cannot be given.
PREHEATED_APPS = ("course_coverage",)
#: Environment variables holding secrets: the kernels must not inherit them.
SECRET_ENV_VARS = ("PATHWAY_ALIGN_TOKEN", "PATHWAY_ALIGN_HASHED_PASSWORD")

#: Environment variable of each setting the launcher handles (for messages and the kernels).
ENV_VARS = {name: OPTION[name].env for name in (
    "catalog", "standards", "pathways", "review_db", "cache_dir", "top_k", "host", "port", "team", "token",
    "hashed_password", "allowed_hosts", "allow_foreign_apps")}


@dataclass
class ServeConfig:
    """Everything the launcher needs, taken from :class:`~alignment.settings.Settings`
    (see ``docs/configuration.md`` for where each value comes from)."""

    host: str | None = None  # None: 127.0.0.1, or 0.0.0.0 in team mode
    port: int = DEFAULT_PORT
    team: bool = False
    token: str = ""
    hashed_password: str = ""
    users: dict[str, str] = field(default_factory=dict)  # per-user token -> reviewer name
    catalog: Path | None = None
    standards: Path | None = None
    pathways: Path | None = None
    review_db: Path = DEFAULT_REVIEW_DB
    cache_dir: Path = field(default_factory=lambda: Settings().cache_dir)
    top_k: int | None = None
    apps_dir: Path = APPS_DIR
    allow_foreign_apps: bool = False  # serve an apps_dir other than the package's apps/
    allowed_hosts: list[str] = field(default_factory=list)  # team mode: host names it answers to
    cull_idle_timeout: int = 1800  # 0: never cull idle kernels
    model_service: bool = True  # one model service for every kernel (False: models in each kernel)
    preheat_kernels: int = 1  # teacher-app kernels started before anyone asks (0: none)
    source: str = "defaults"  # the TOML file read, if any
    settings: Settings | None = None  # all settings (limits, model, ...), handed to the kernels

    @property
    def bind_host(self) -> str:
        return self.host or ("0.0.0.0" if self.team else "127.0.0.1")

    @property
    def authenticated(self) -> bool:
        return bool(self.token or self.hashed_password or self.users)

    @classmethod
    def from_settings(cls, settings: Settings) -> "ServeConfig":
        names = {f.name for f in fields(cls)} - {"source", "settings"}
        values = {name: getattr(settings, name) for name in names}
        values["users"] = dict(settings.users)
        values["allowed_hosts"] = list(settings.allowed_hosts)
        source = str(settings.config_file) if settings.config_file else "defaults"
        return cls(**values, source=source, settings=settings)


# --------------------------------------------------------------------------- reading the configuration

def _problem(source: str, text: str) -> InputError:
    return InputError(source, f"{source}: {text}")


def load_config(options: dict | None = None, env: dict | None = None, config_file: str | None = None) -> ServeConfig:
    """The launcher's configuration: :func:`alignment.settings.load_settings` (defaults <
    configuration file < environment < command-line ``options``, field -> value, None
    meaning "not given"), as a :class:`ServeConfig`. A bad value raises InputError."""
    try:
        return ServeConfig.from_settings(load_settings(config_file, env, **(options or {})))
    except SettingsError as exc:
        raise InputError(exc.source, str(exc)) from None


# --------------------------------------------------------------------------- checks

def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_package_apps(folder: Path) -> bool:
    """Whether ``folder`` is the package's ``apps/`` (or inside it), symbolic links resolved."""
    folder, package = Path(folder).resolve(), APPS_DIR.resolve()
    return folder == package or package in folder.parents


def check(cfg: ServeConfig) -> None:
    """Refuse unsafe or broken configurations with one clear message (InputError)."""
    where = "serve"
    host = cfg.bind_host
    if not cfg.team and not is_loopback(host):
        raise _problem(where, f"--host {host} would serve other machines without sign-in; use --team with a token "
                              "(--token, PATHWAY_ALIGN_TOKEN or [team.users] in pathway-align.toml), or serve on "
                              "127.0.0.1")
    if cfg.team and not cfg.authenticated:
        raise _problem(where, "team mode serves other machines and needs Jupyter server authentication, but no "
                              "credentials were given: set a token (--token TOKEN or PATHWAY_ALIGN_TOKEN; make one with "
                              "python -c \"import secrets; print(secrets.token_hex(24))\"), a hashed password "
                              "(PATHWAY_ALIGN_HASHED_PASSWORD) or per-user tokens ([team.users] in pathway-align.toml)")
    problems = []
    if cfg.token and cfg.team and len(cfg.token) < MIN_TOKEN_CHARS:
        problems.append(f"the token is {len(cfg.token)} characters long; use at least {MIN_TOKEN_CHARS}")
    if cfg.hashed_password and cfg.hashed_password.count(":") < 1:
        problems.append("hashed_password must look like 'argon2:...' or 'sha1:salt:hash' (jupyter_server.auth.passwd())")
    names_seen: dict[str, str] = {}
    for token, name in cfg.users.items():
        shown = f"the token of {name!r}" if isinstance(name, str) else "a token"
        if len(str(token)) < MIN_TOKEN_CHARS:
            problems.append(f"[team.users]: {shown} is shorter than {MIN_TOKEN_CHARS} characters")
        if token == cfg.token:
            problems.append(f"[team.users]: {shown} equals the shared token")
        clean = str(name).strip()
        if not clean or len(clean) > 200 or any(ch in clean for ch in "\r\n\t\x00"):
            problems.append(f"[team.users]: name {name!r} must be one line of 1-200 characters")
        elif clean.lower() in names_seen:
            problems.append(f"[team.users]: the name {clean!r} has two tokens")
        names_seen[clean.lower()] = token
    if not cfg.apps_dir.is_dir():
        problems.append(f"apps folder {cfg.apps_dir} not found")
    elif not cfg.allow_foreign_apps and not is_package_apps(cfg.apps_dir):
        problems.append(f"apps folder {cfg.apps_dir} is outside the package's apps/ ({APPS_DIR}); every notebook "
                        "there would run as an app for every visitor. To serve it anyway, pass "
                        "--allow-foreign-apps (or set PATHWAY_ALIGN_ALLOW_FOREIGN_APPS=1)")
    bad_hosts = [h for h in cfg.allowed_hosts if not valid_host_name(h)]
    if bad_hosts:
        problems.append(f"allowed_hosts: {', '.join(map(repr, bad_hosts))} is not a host name or IP address "
                        "(no wildcards, no ports)")
    if cfg.allowed_hosts and not cfg.team:
        problems.append("allowed_hosts applies to --team; a local server answers only to localhost, 127.0.0.1 "
                        "and [::1]")
    for name in ("catalog", "standards", "pathways"):
        value = getattr(cfg, name)
        if value is not None and not value.exists():
            problems.append(f"{name} {value}: no such file")
    if problems:
        raise InputError(where, [f"{where}: {p}" for p in problems])
    cfg.users = {str(t): str(n).strip() for t, n in cfg.users.items()}


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- what the apps see

def apps(cfg: ServeConfig) -> list[tuple[str, str]]:
    """``(title, notebook file name)`` of every app in the apps folder, known ones first."""
    found = sorted(p.name for p in cfg.apps_dir.glob("*.ipynb") if not p.name.startswith("."))
    known = [f"{stem}.ipynb" for stem in APP_TITLES if f"{stem}.ipynb" in found]
    rest = [n for n in found if n not in known]
    return [(APP_TITLES.get(n[:-6], n[:-6].replace("_", " ").capitalize()), n) for n in known + rest]


def base_url(cfg: ServeConfig) -> str:
    host = cfg.bind_host
    if host in ("0.0.0.0", "::"):
        shown = cfg.allowed_hosts[0] if cfg.team and cfg.allowed_hosts else socket.gethostname()
    else:
        shown = host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{cfg.port}/"


def app_path(notebook: str) -> str:
    """The URL path of an app: ``/apps/<slug>`` (no notebook file name in the address)."""
    stem = notebook[:-6] if notebook.endswith(".ipynb") else notebook
    return "/apps/" + APP_SLUGS.get(stem, stem.replace("_", "-").lower())


def app_urls(cfg: ServeConfig) -> list[tuple[str, str]]:
    root = base_url(cfg)
    return [(title, root + app_path(name)[1:]) for title, name in apps(cfg)]


def host_policy(cfg: ServeConfig) -> HostPolicy:
    """The host names the server answers to (see :mod:`alignment.present.web_security`): local
    mode loopback only; team mode ``allowed_hosts``, else this machine's names, plus IP addresses."""
    if not cfg.team:
        return HostPolicy.local()
    names = list(cfg.allowed_hosts)
    if not names:
        names = [n for n in {socket.gethostname(), socket.getfqdn()} if n and valid_host_name(n)]
    if cfg.host and not is_loopback(cfg.host) and valid_host_name(cfg.host):
        names.append(cfg.host)
    return HostPolicy.team(names)


def secrets_of(cfg: ServeConfig) -> list[str]:
    """Every credential of the configuration (redacted from the logs)."""
    return [s for s in (cfg.token, cfg.hashed_password, *cfg.users) if s]


def _bundle_and_library(cfg: ServeConfig) -> str:
    """What the apps read when no standards file is configured: the bundle and the library's imports."""
    from alignment.data.library import list_imports

    names = [e.name for e in list_imports(cfg.settings.standards_library_dir if cfg.settings else None)]
    return f"bundled frameworks + standards library ({', '.join(names)})" if names else "bundled frameworks"

def landing_page(cfg: ServeConfig):
    """A function ``(signed-in name or None) -> HTML`` of the front door, with the data summary
    computed once now (a catalog or standards file that does not load stops the start here,
    with its own message)."""
    from alignment.data.catalog import load_catalog
    from alignment.data.sources import load_standards_from
    from alignment.present import landing

    from alignment.data.editions import select_edition

    every_edition = load_standards_from(cfg.standards, edition=None)
    edition = cfg.settings.edition if cfg.settings is not None else "adopted"
    try:
        in_use = select_edition(every_edition, edition)
    except ValueError as exc:
        raise InputError("edition", f"edition: {exc}") from None
    summary = landing.data_summary(
        in_use, load_catalog(cfg.catalog),
        catalog_name=cfg.catalog.name if cfg.catalog else "Westview High School 2025-26 (bundled)",
        standards_source=cfg.standards.name if cfg.standards else _bundle_and_library(cfg),
        all_editions=every_edition)
    links = landing.app_links([(name[:-6], title, app_path(name)) for title, name in apps(cfg)])
    cache: dict = {}

    def page(signed_in_as: str | None = None) -> str:
        if signed_in_as not in cache:
            cache[signed_in_as] = landing.landing_html(links, summary, signed_in_as=signed_in_as, team=cfg.team)
        return cache[signed_in_as]

    return page


def kernel_environment(cfg: ServeConfig) -> dict[str, str]:
    """The environment variables the app kernels read (:mod:`alignment.ui.session`)."""
    env = {
        "PATHWAY_ALIGN_REVIEW_DB": str(cfg.review_db.resolve()),
        "PATHWAY_ALIGN_CACHE_DIR": str(cfg.cache_dir.resolve()),
        "PATHWAY_ALIGN_TEAM": "1" if cfg.team else "0",
    }
    for name in ("catalog", "standards", "pathways"):
        value = getattr(cfg, name)
        if value is not None:
            env[ENV_VARS[name]] = str(value.resolve())
    if cfg.top_k:
        env["PATHWAY_ALIGN_TOP_K"] = str(cfg.top_k)
    if cfg.settings is not None:
        # The rest of the server's settings the kernels use (model, limits, ...). They read no
        # configuration file: everything they need is here, and the file may hold secrets.
        env.update(environment(cfg.settings, ("standards_data_dir", "shared_dir", "encoder_model", "threads",
                                              "max_input_bytes", "max_text_chars", "max_catalog_rows",
                                              "standards_library_dir", "case_timeout", "max_download_bytes",
                                              "max_redirects", "edition")))
    env[CONFIG_ENV] = NO_CONFIG_FILE
    return env


def prepare_review_folder(cfg: ServeConfig) -> None:
    """Create the review store's folder; the default ``reviews/`` ignores itself in git."""
    folder = cfg.review_db.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    if folder == DEFAULT_REVIEW_DB.parent and not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text("# review databases are data, not source\n*\n", encoding="utf-8")


# --------------------------------------------------------------------------- team identity

def team_user_name(user, users: dict[str, str]) -> str | None:
    """The configured name of a user signed in with a per-user token, else None."""
    username = getattr(user, "username", "") or ""
    if not username.startswith(TEAM_USER_PREFIX):
        return None
    name = username[len(TEAM_USER_PREFIX):]
    return name if name in set(users.values()) else None


def identity_cell_source(name: str) -> str:
    """The one line the server puts at the top of a notebook for a signed-in reviewer."""
    return f"import alignment.ui.session as _pa_session; _pa_session.set_identity({name!r}, verified=True); del _pa_session"


def make_prelaunch_hook(users: dict[str, str]):
    """Voila ``prelaunch_hook``: tell the kernel who the server authenticated (see module docstring)."""
    def hook(req, notebook, cwd):
        import nbformat

        name = team_user_name(getattr(req, "current_user", None), users)
        if name:
            cell = nbformat.v4.new_code_cell(identity_cell_source(name))
            cell.metadata["tags"] = ["pathway-align-identity"]
            notebook.cells.insert(0, cell)
        return notebook

    return hook


def team_identity_provider(users: dict[str, str]):
    """A Jupyter identity provider class accepting the shared token/password AND per-user tokens
    (``users``: token -> name). A per-user token signs in a user named after its owner."""
    import hmac
    import inspect

    from jupyter_server.auth.identity import PasswordIdentityProvider, User

    table = dict(users)

    class TeamIdentityProvider(PasswordIdentityProvider):
        @property
        def auth_enabled(self) -> bool:
            return bool(self.hashed_password or self.token or table)

        @property
        def login_available(self) -> bool:
            return self.auth_enabled

        def _user_for(self, typed: str):
            for token, name in table.items():
                if typed and hmac.compare_digest(token.encode(), typed.encode()):
                    initials = "".join(part[0] for part in name.split()[:2]).upper() or "R"
                    return User(username=TEAM_USER_PREFIX + name, name=name, display_name=name, initials=initials)
            return None

        async def get_user(self, handler):
            """As Jupyter's, and: a page opened with ``?token=`` is redirected to its URL without the
            token once the sign-in cookie is set (see the module docstring)."""
            user = super().get_user(handler)
            if inspect.isawaitable(user):
                user = await user
            request = handler.request
            if (user is not None and request.method in ("GET", "HEAD") and "token" in request.query_arguments
                    and not request.path.startswith(("/api/", "/voila/api/"))
                    and request.headers.get("Upgrade", "").lower() != "websocket"):
                from urllib.parse import urlencode

                from tornado import web

                kept = [(k, v.decode("utf-8", "replace")) for k, values in request.query_arguments.items()
                        if k != "token" for v in values]
                handler.redirect(request.path + ("?" + urlencode(kept) if kept else ""))
                raise web.Finish()
            return user

        async def get_user_token(self, handler):
            user = self._user_for(self.get_token(handler) or "")
            if user is not None:
                return user
            if not self.token:
                return None
            return await super().get_user_token(handler)

        def process_login_form(self, handler):
            user = self._user_for(handler.get_argument("password", default=""))
            if user is not None:
                return user
            return super().process_login_form(handler)

    TeamIdentityProvider.__qualname__ = TeamIdentityProvider.__name__ = "TeamIdentityProvider"
    return TeamIdentityProvider


# --------------------------------------------------------------------------- starting Voila

def voila_class():
    """Voila, plus what the launcher puts in front of it: the host/origin guard before every
    route, the front door at ``/`` and the apps at ``/apps/<slug>``."""
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web
    from tornado.routing import Matcher, Rule
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    class RefusedHost(Matcher):
        """Matches the requests whose Host or Origin the policy refuses."""

        def __init__(self, policy: HostPolicy):
            self.policy = policy

        def match(self, request):
            return None if self.policy.allows(request.headers) else {}

    class RefusedHostHandler(web.RequestHandler):
        def prepare(self):
            logging_host = self.request.headers.get("Host", "")[:100]
            logging_origin = self.request.headers.get("Origin", "")[:100]
            web.app_log.warning("refused a request for host %r (origin %r): not a name of this server",
                                logging_host, logging_origin)
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=UTF-8")
            self.finish("403: this server does not answer to the host name of this request.\n")

    class LandingHandler(JupyterHandler):
        def initialize(self, page, users):
            self.page, self.users = page, users

        def _write(self, body: bool):
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.page(team_user_name(self.current_user, self.users)) if body else None)

        @web.authenticated
        def get(self):
            self._write(True)

        @web.authenticated
        def head(self):
            self._write(False)

    class AppHandler(TornadoVoilaHandler):
        """An app's page, plus the script that says so when its kernel was culled; a
        pre-heated kernel is handed out only if the standards did not change since it
        started (see the module docstring)."""

        def initialize(self, **kwargs):
            self.kernel_watch = kwargs.pop("kernel_watch", "")
            super().initialize(**kwargs)

        async def get_generator(self, path=None):
            # Voila's page shuts its kernel down when it closes (a beacon to
            # /voila/api/shutdown/<kernel> carrying the _xsrf cookie's value); without the
            # cookie the beacon was refused (403) and every closed or reloaded page left its
            # kernel running until the idle culler took it. Reading the token sets it.
            self.xsrf_token  # noqa: B018 - read for its side effect (the _xsrf cookie)
            pool_guard = self.settings.get("pathway_align_pool_guard")
            if pool_guard is not None:
                await pool_guard.check(self.kernel_manager, self.notebook_path or path)
            async for chunk in super().get_generator(path=path):
                yield chunk

        def write(self, chunk):
            if self.kernel_watch and isinstance(chunk, str) and "</body>" in chunk:
                chunk = chunk.replace("</body>", self.kernel_watch + "</body>", 1)
            super().write(chunk)

    class PathwayAlign(Voila):
        host_policy = HostPolicy.local()
        landing_page = None
        team_users: dict = {}
        kernel_watch = ""
        pathway_align_room = 1  # preheat_kernels (room_sized_pool)

        def init_settings(self):
            # Voila refuses a pre-heated pool together with a prelaunch_hook (team mode's identity
            # line). Only PREHEATED_APPS are pooled and they never read the identity; every other app
            # is rendered per request with the hook (see the module docstring).
            hook = self.voila_configuration.prelaunch_hook
            if not self.voila_configuration.preheat_kernel:
                return super().init_settings()
            self.voila_configuration.prelaunch_hook = None
            try:
                settings = super().init_settings()
            finally:
                self.voila_configuration.prelaunch_hook = hook
            fresh_from_the_pool(self.kernel_manager)
            room_sized_pool(self.kernel_manager, self.pathway_align_room)
            return settings

        def init_handlers(self):
            from voila.request_info_handler import RequestInfoSocketHandler

            # no /voila/query/<kernel> (an unauthenticated websocket the apps do not use)
            handlers = [h for h in super().init_handlers() if h[1] is not RequestInfoSocketHandler]
            # Voila.start made the tornado application before asking for the handlers: the guard
            # goes first in its router, so it sees every request (pages, API, websockets, files).
            router = self.app.default_router
            router.rules.insert(0, router.process_rule(
                Rule(RefusedHost(self.host_policy), [(r".*", RefusedHostHandler)])))
            # Voila's own /voila/render/<notebook> too: the pool guard (and no page without it)
            handlers = [(h[0], AppHandler, *h[2:]) if h[1] is TornadoVoilaHandler else h for h in handlers]
            ours = [(re.escape(app_path(name)) + "/?", AppHandler,
                     {"notebook_path": name, "template_paths": self.template_paths, "config": self.config,
                      "voila_configuration": self.voila_configuration, "kernel_watch": self.kernel_watch})
                    for name in sorted(p.name for p in Path(self.root_dir).glob("*.ipynb")
                                       if not p.name.startswith("."))]
            if self.landing_page is not None:
                ours.insert(0, (r"/", LandingHandler, {"page": self.landing_page, "users": self.team_users}))
            return ours + handlers

    return PathwayAlign


def build_voila(cfg: ServeConfig, page=None):
    """A configured, initialized (not started) Voila application; ``page`` is the front door
    (:func:`landing_page`), else ``/`` stays Voila's file list."""
    import logging

    from traitlets.config import Config

    from alignment.present.web_security import install_redaction, log_request

    c = Config()
    max_input_bytes = (cfg.settings or get_settings()).max_input_bytes
    # Only the repository's apps/voila.json is read, never a user's ~/.jupyter voila config.
    c.Voila.config_file_paths = [str(cfg.apps_dir)]
    if cfg.cull_idle_timeout:
        # idle kernels are shut down even with their tab open (the page then asks for a reload)
        c.MappingKernelManager.cull_idle_timeout = cfg.cull_idle_timeout
        c.MappingKernelManager.cull_interval = cull_interval(cfg.cull_idle_timeout)
        c.MappingKernelManager.cull_connected = True
    pools = preheat_pools(cfg)
    if pools:
        # per notebook: the teacher app's pool; every other app none (Voila's "default")
        c.VoilaKernelManager.kernel_pools_config = {"default": {"pool_size": 0}, **pools}
    app = voila_class()(config=c)
    app.initialize([str(cfg.apps_dir)])
    app.host_policy = host_policy(cfg)
    app.landing_page = page
    app.kernel_watch = kernel_watch_script(cfg.cull_idle_timeout)
    app.team_users = dict(cfg.users)
    # Security-relevant settings are set last, so no configuration file can weaken them.
    app.ip = cfg.bind_host
    app.port = cfg.port
    app.port_retries = 0
    app.open_browser = False
    app.token = cfg.token
    app.voila_configuration.show_tracebacks = False
    app.voila_configuration.preheat_kernel = bool(pools)
    app.pathway_align_room = max(1, cfg.preheat_kernels)
    if pools:
        app.tornado_settings = {**app.tornado_settings, "pathway_align_pool_guard": PoolGuard(list(pools))}
    app.voila_configuration.default_pool_size = 0
    app.voila_configuration.progressive_rendering = False  # Voila: not with pre-heated kernels
    # An uploaded catalog reaches the kernel in one websocket message: let files up to the
    # catalog size limit through, so the loader (not a dropped connection) says what is wrong.
    app.tornado_settings = {**app.tornado_settings,
                            "websocket_max_message_size": max(10 * 1024 * 1024, max_input_bytes + 4 * 1024 * 1024),
                            # one request log line, credentials redacted (web_security.log_request)
                            "log_function": log_request, "pathway_align_secrets": tuple(secrets_of(cfg)),
                            # Jupyter's own Host check too, for its handlers (Voila turns it off);
                            # team mode needs its IP addresses, which that check cannot allow
                            "allow_remote_access": cfg.team, "local_hostnames": ["localhost"]}
    install_redaction(secrets_of(cfg), [app.log, logging.getLogger("tornado.access"),
                                        logging.getLogger("tornado.application"), logging.getLogger("tornado.general")])
    if cfg.team:
        app.identity_provider_class = team_identity_provider(cfg.users)
        app.config.PasswordIdentityProvider.allow_password_change = False
        if cfg.hashed_password:
            app.config.PasswordIdentityProvider.hashed_password = cfg.hashed_password
        app.voila_configuration.prelaunch_hook = make_prelaunch_hook(cfg.users)
    return app


# --------------------------------------------------------------------------- culled kernels, model service

#: What a page whose kernel was culled says.
KERNEL_GONE_MESSAGE = "This page was idle and has been closed to free memory: reload to continue."
SERVER_GONE_MESSAGE = "The server is not answering; reload this page when it is running again."


class PoolGuard:
    """Empties the pre-heated kernel pools when the standards changed since their kernels
    started (the model service's ``generation`` went up, after an import into the
    standards library), so no page gets a kernel holding the old standards table.

    ``check`` runs in the server before Voila takes a kernel from a pool; it asks the
    service (``service``: ``(url, secret)``, set by :func:`serve`; a loopback request of
    a millisecond) and waits at most a second for it (no service, no answer: the pool
    is used as it is)."""

    def __init__(self, notebooks: list[str]):
        self.notebooks = set(notebooks)
        self.service: tuple[str, str] | None = None
        self.generation = 0  # the standards' version the pooled kernels read (0: as at start)
        self.drained = 0

    async def current_generation(self) -> int | None:
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError

        from alignment.present.model_service import SECRET_HEADER

        if self.service is None:
            return None
        url, secret = self.service
        try:
            response = await AsyncHTTPClient().fetch(url + "/health", headers={SECRET_HEADER: secret},
                                                     connect_timeout=1, request_timeout=1)
            return int(json.loads(response.body).get("generation", 0))
        except (HTTPClientError, OSError, ValueError, TypeError):
            return None

    async def check(self, kernel_manager, notebook: str | None) -> None:
        if notebook not in self.notebooks or not getattr(kernel_manager, "_pools", None):
            return
        generation = await self.current_generation()
        if generation is None or generation == self.generation:
            return
        self.generation = generation
        self.drain(kernel_manager)

    def drain(self, kernel_manager) -> None:
        """Take every pre-heated kernel out of its pool (they are shut down once started),
        then fill the pools again. Uses Voila's pool (``_pools``, ``fill_if_needed``)."""
        import asyncio

        for notebook in self.notebooks:
            waiting = kernel_manager._pools.get(notebook, [])
            kernel_manager._pools[notebook] = []

            async def shut_down_then_fill(tasks=tuple(waiting), notebook=notebook):
                for task in tasks:
                    try:
                        kernel_id = (await task)["kernel_id"]
                        await kernel_manager.shutdown_kernel(kernel_id)
                    except Exception:  # noqa: BLE001 - a kernel that did not start has nothing to stop
                        continue
                # after the old ones are gone: a pool sized for the room counts them as in use
                # while they run, and they would share the memory with their replacements
                kernel_manager.fill_if_needed(delay=0, notebook_name=notebook)

            asyncio.ensure_future(shut_down_then_fill())
        self.drained += 1


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS says, else all)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def room_sized_pool(kernel_manager, room: int, *, parallel: int | None = None) -> None:
    """Voila's pool, sized for a room rather than kept full: ``preheat_kernels`` is how
    many teachers may open the app at once (a workshop's room), so that many kernels are
    pre-heated at the start, and afterwards the pool is refilled only up to ``room``
    minus the kernels in use (at least one ready). Voila alone keeps the pool full:
    thirty teachers taking thirty pooled kernels started thirty more a second later,
    which took the two cores from the answers (measured: first-answer p95 31.7 s, warm
    p95 19 s) and doubled the memory (8.4 GB). Kernels are also started at most
    ``parallel`` at a time (default: one per usable core, :func:`usable_cores`): starting
    thirty at once makes each wait for all the others.

    Patches the instance (``fill_if_needed``, ``_initialize``: Voila 0.5's pool)."""
    import asyncio

    fill = kernel_manager.fill_if_needed
    initialize = kernel_manager._initialize
    gate: dict = {}

    def fill_if_needed(delay=None, notebook_name=None, extra_kernel_env_variables={}, **kwargs):  # noqa: B006 - Voila's signature
        config = kernel_manager.kernel_pools_config.get(notebook_name)
        if config is None or not config.get("pool_size"):
            return fill(delay=delay, notebook_name=notebook_name, extra_kernel_env_variables=extra_kernel_env_variables,
                        **kwargs)
        pool = kernel_manager._pools.get(notebook_name, [])
        in_use = max(0, len(kernel_manager.list_kernel_ids()) - sum(task.done() for task in pool))
        kernel_manager.kernel_pools_config = {
            **kernel_manager.kernel_pools_config, notebook_name: {**config, "pool_size": max(1, room - in_use)}}
        try:
            return fill(delay=delay, notebook_name=notebook_name, extra_kernel_env_variables=extra_kernel_env_variables,
                        **kwargs)
        finally:
            kernel_manager.kernel_pools_config = {**kernel_manager.kernel_pools_config, notebook_name: config}

    async def paced_initialize(*args, **kwargs):
        if "semaphore" not in gate:  # made on the server's loop, on first use
            gate["semaphore"] = asyncio.Semaphore(parallel or usable_cores())
        async with gate["semaphore"]:
            return await initialize(*args, **kwargs)

    kernel_manager.fill_if_needed = fill_if_needed
    kernel_manager._initialize = paced_initialize


def fresh_from_the_pool(kernel_manager) -> None:
    """A kernel leaving Voila's pre-heated pool counts as active from then on: it may have
    waited in the pool longer than ``cull_idle_timeout`` (never culled there), and the
    culler must not take it while its page is still loading."""
    from jupyter_server._tz import utcnow

    take = kernel_manager.get_rendered_notebook

    async def get_rendered_notebook(*args, **kwargs):
        render_task, rendered, kernel_id = await take(*args, **kwargs)
        try:
            kernel_manager.get_kernel(kernel_id).last_activity = utcnow()
        except KeyError:  # already gone: Voila reports it
            pass
        return render_task, rendered, kernel_id

    kernel_manager.get_rendered_notebook = get_rendered_notebook


def preheat_pools(cfg: ServeConfig) -> dict[str, dict]:
    """Voila's pool configuration (notebook -> ``{"pool_size": n}``) of the apps that are
    pre-heated (:data:`PREHEATED_APPS` found in the apps folder); empty when
    ``preheat_kernels`` is 0 or without the model service (each waiting kernel would
    load its own models, and nothing would tell the pool that the standards changed)."""
    if cfg.preheat_kernels <= 0 or not cfg.model_service or not cfg.apps_dir.is_dir():
        return {}
    return {name: {"pool_size": int(cfg.preheat_kernels)} for _, name in apps(cfg) if name[:-6] in PREHEATED_APPS}


def cull_interval(timeout: int) -> int:
    """Seconds between the server's checks for idle kernels: often enough that a kernel
    is culled within about a quarter of the timeout after it expires, at most once a minute."""
    return max(1, min(60, timeout // 4))


def kernel_watch_script(timeout: int) -> str:
    """The script put at the end of every app page: it asks the server whether the page's
    kernel still exists (every few seconds and whenever the tab is shown again) and, when
    the server says it is gone (404), covers the page's top with :data:`KERNEL_GONE_MESSAGE`
    and a reload button. Static text only (no value from a request)."""
    every_ms = 1000 * max(2, min(30, cull_interval(timeout) if timeout else 30))
    return ("""<script>(function () {
  var config = document.getElementById("jupyter-config-data");
  if (!config) { return; }
  var page = JSON.parse(config.textContent), kernel = page.kernelId, base = page.baseUrl || "/";
  if (!kernel) { return; }
  var shown = false, timer = null;
  function banner(text, kind) {
    if (shown) { return; }
    shown = true;
    if (timer) { clearInterval(timer); }
    var box = document.createElement("div");
    box.className = "pa-kernel-gone pa-kernel-gone-" + kind;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10000;padding:14px 20px;" +
      "background:#fff4e5;border-bottom:2px solid #e8a33d;font:16px sans-serif;color:#222";
    var words = document.createElement("span");
    words.textContent = text + " ";
    var button = document.createElement("button");
    button.textContent = "Reload";
    button.className = "pa-reload";
    button.onclick = function () { window.location.reload(); };
    box.appendChild(words);
    box.appendChild(button);
    document.body.appendChild(box);
  }
  function check() {
    fetch(base + "api/kernels/" + encodeURIComponent(kernel), {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (r.status === 404) { banner(%s, "culled"); } })
      .catch(function () { banner(%s, "server"); });
  }
  timer = setInterval(check, %d);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
})();</script>""" % (json.dumps(KERNEL_GONE_MESSAGE), json.dumps(SERVER_GONE_MESSAGE), every_ms))


def start_model_service(timeout: float = 60) -> tuple[subprocess.Popen, str, str]:
    """Start the model service (:mod:`alignment.present.model_service`) as a child of this
    process, on 127.0.0.1 and a free port, with a new secret; return ``(process, url,
    secret)`` once it listens (it loads the models afterwards, answering ``/health``).
    It reads its settings from the environment it inherits (:func:`kernel_environment`)."""
    secret = secrets.token_urlsafe(32)
    # the service (and then the kernels) inherit this environment: settings, no team secrets
    export_environment({OPTION["service_secret"].env: secret})
    process = subprocess.Popen([sys.executable, "-m", "alignment.present.model_service"],
                               stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    url = process.stdout.readline().strip()
    process.stdout.close()
    if not re.fullmatch(r"http://127\.0\.0\.1:\d+", url):
        stop_model_service(process)
        raise _problem("serve", f"the model service did not start (it said {url[:200]!r}); see the messages above")
    return process, url, secret


def stop_model_service(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def describe(cfg: ServeConfig) -> str:
    lines = [f"Pathway Align on {base_url(cfg)}", f"  {'Start page':<24} {base_url(cfg)}"]
    for title, url in app_urls(cfg):
        lines.append(f"  {title:<24} {url}")
    data = [f"catalog: {cfg.catalog or 'bundled Westview 2025-26'}",
            f"standards: {cfg.standards or 'bundled'}",
            f"review store: {cfg.review_db}", f"cache: {cfg.cache_dir}"]
    lines.append("  " + "; ".join(data))
    if cfg.team:
        ways = []
        if cfg.users:
            ways.append(f"per-user tokens for {len(cfg.users)} reviewer(s) (recorded by name)")
        if cfg.token:
            ways.append("the shared token")
        if cfg.hashed_password:
            ways.append("the password")
        lines.append(f"Team mode on {cfg.bind_host}:{cfg.port}: sign in with " + ", ".join(ways)
                     + " (open a URL with ?token=YOUR_TOKEN, or use the login page).")
        lines.append(f"  answers to: {host_policy(cfg).describe()} (more with --allowed-host NAME)")
    else:
        lines.append("Local only: this machine can reach it, no sign-in. Stop with Ctrl+C.")
    pools = preheat_pools(cfg)
    if pools:
        lines.append(f"  pre-heated: {cfg.preheat_kernels} kernel(s) of " + ", ".join(
            title for title, name in apps(cfg) if name in pools) + " ready before anyone asks")
    if cfg.source != "defaults":
        lines.append(f"  configuration: {cfg.source}")
    return "\n".join(lines)


def serve(cfg: ServeConfig, *, check_only: bool = False) -> int:
    """Check the configuration, print the apps' URLs, then run Voila until stopped."""
    check(cfg)
    if not check_only and not port_free(cfg.bind_host, cfg.port):
        raise _problem("serve", f"port {cfg.port} on {cfg.bind_host} is already in use; choose another with --port")
    print(describe(cfg), file=sys.stderr, flush=True)
    if check_only:
        return 0
    prepare_review_folder(cfg)
    # the kernels inherit this environment: the settings they need, no secrets
    export_environment(kernel_environment(cfg), remove=SECRET_ENV_VARS)
    service = None
    if cfg.model_service:  # loads while Voila starts; the kernels learn where it is and its secret
        service, url, secret = start_model_service()
        export_environment({OPTION["service_url"].env: url, OPTION["service_secret"].env: secret})
        print(f"  model service on {url} (this machine only), loading the models", file=sys.stderr, flush=True)
    try:
        app = build_voila(cfg, landing_page(cfg))
        guard = app.tornado_settings.get("pathway_align_pool_guard")
        if guard is not None and service is not None:
            guard.service = (url, secret)
        app.start()
    finally:
        if service is not None:
            stop_model_service(service)
    return 0
