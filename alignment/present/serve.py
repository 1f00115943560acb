"""``pathway-align serve``: the Voila apps of ``apps/`` on one server.

    pathway-align serve                      # http://127.0.0.1:8866/, this machine only
    pathway-align serve --port 9000 --catalog my_catalog.xlsx --review-db reviews/district.sqlite3
    PATHWAY_ALIGN_TOKEN=... pathway-align serve --team      # other machines, token required

Every notebook in ``apps/`` is an app (one notebook = one page): the teacher coverage
app, the specialist review app and the pathway gap dashboard, each at
``/voila/render/<name>.ipynb``; the launcher prints their URLs.

Configuration, strongest first: command-line options, environment variables
(``PATHWAY_ALIGN_*``), then a TOML file (``--config FILE``, ``$PATHWAY_ALIGN_CONFIG``, or
``pathway-align.toml`` in the current folder), then the defaults. Paths in the TOML
file are relative to the file; paths on the command line or in the environment to
the current folder. The apps' kernels receive the data settings as environment
variables (a Voila kernel inherits the server's environment; see
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
  start no kernel and write nothing.
* Identity. A Voila kernel is not told who the Jupyter server authenticated (it gets
  only the request's URL and, if configured, HTTP headers, which a client can forge).
  So the launcher installs a Voila ``prelaunch_hook`` that runs in the server, reads
  the authenticated user of the request and, for a per-user token, puts one line at
  the top of the notebook: ``set_identity(<name>, verified=True)``. The review app
  then records that name and shows it read-only. Voila lets browsers send kernels
  only widget messages, never code, so the identity cannot be changed from the page.
  A shared token or password cannot tell people apart (the server calls them
  "Anonymous <moon>"): reviewers then type their name, recorded as typed.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from alignment import settings as config
from alignment.io.errors import InputError

#: Default port (Voila's).
DEFAULT_PORT = 8866
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
#: Where the apps live; every notebook there is served.
APPS_DIR = config.REPO_ROOT / "apps"
#: Default review store (``reviews/`` is made to ignore itself in git).
DEFAULT_REVIEW_DB = config.REPO_ROOT / "reviews" / "reviews.sqlite3"
CONFIG_FILE_NAME = "pathway-align.toml"
MIN_TOKEN_CHARS = 16
#: Usernames of users signed in with a per-user token start with this.
TEAM_USER_PREFIX = "pathway-align:"

#: Known apps, in the order they are listed (others follow by name).
APP_TITLES = {
    "course_coverage": "Teacher coverage",
    "review": "Specialist review",
    "pathway_gaps": "Pathway gap dashboard",
}

#: TOML layout: section -> key -> ServeConfig field.
TOML_KEYS = {
    "data": {"catalog": "catalog", "standards": "standards", "pathways": "pathways", "review_db": "review_db",
             "cache_dir": "cache_dir"},
    "server": {"host": "host", "port": "port", "team": "team", "token": "token",
               "hashed_password": "hashed_password", "top_k": "top_k", "apps_dir": "apps_dir"},
}
PATH_FIELDS = ("catalog", "standards", "pathways", "review_db", "cache_dir", "apps_dir")
#: Environment variable of each setting.
ENV_VARS = {
    "catalog": "PATHWAY_ALIGN_CATALOG",
    "standards": "PATHWAY_ALIGN_STANDARDS",
    "pathways": "PATHWAY_ALIGN_PATHWAYS",
    "review_db": "PATHWAY_ALIGN_REVIEW_DB",
    "cache_dir": "PATHWAY_ALIGN_CACHE_DIR",
    "top_k": "PATHWAY_ALIGN_TOP_K",
    "host": "PATHWAY_ALIGN_HOST",
    "port": "PATHWAY_ALIGN_PORT",
    "team": "PATHWAY_ALIGN_TEAM",
    "token": "PATHWAY_ALIGN_TOKEN",
    "hashed_password": "PATHWAY_ALIGN_HASHED_PASSWORD",
}


@dataclass
class ServeConfig:
    """Everything the launcher needs; see the module docstring for where each comes from."""

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
    cache_dir: Path = config.CACHE_DIR
    top_k: int | None = None
    apps_dir: Path = APPS_DIR
    source: str = "defaults"  # the TOML file read, if any

    @property
    def bind_host(self) -> str:
        return self.host or ("0.0.0.0" if self.team else "127.0.0.1")

    @property
    def authenticated(self) -> bool:
        return bool(self.token or self.hashed_password or self.users)


# --------------------------------------------------------------------------- reading the configuration

def _problem(source: str, text: str) -> InputError:
    return InputError(source, f"{source}: {text}")


def _as_bool(value, source: str, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise _problem(source, f"{what} must be true or false, not {value!r}")


def _as_int(value, source: str, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise _problem(source, f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return number


def read_toml(path: Path) -> dict:
    """The settings of a ``pathway-align.toml`` as ServeConfig field -> value (paths resolved
    against the file's folder). Unknown sections or keys are errors, with the valid ones."""
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(str(path), "configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _problem(source, f"is not valid TOML: {exc}") from None
    out: dict = {}
    for section, values in data.items():
        if section == "team":
            if not isinstance(values, dict) or set(values) - {"users"}:
                raise _problem(source, "[team] holds only the table [team.users] (token = \"reviewer name\")")
            users = values.get("users", {})
            if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
                raise _problem(source, "[team.users] must map tokens to names: \"<token>\" = \"Reviewer Name\"")
            out["users"] = dict(users)
            continue
        if section not in TOML_KEYS or not isinstance(values, dict):
            raise _problem(source, f"unknown section [{section}]; sections: [data], [server], [team.users]")
        for key, value in values.items():
            if key not in TOML_KEYS[section]:
                raise _problem(source, f"unknown key {key!r} in [{section}]; keys: {', '.join(TOML_KEYS[section])}")
            name = TOML_KEYS[section][key]
            out[name] = (path.parent / str(value)).resolve() if name in PATH_FIELDS else value
    return out


def find_config_file(explicit: str | None, env: dict) -> Path | None:
    if explicit:
        return Path(explicit)
    if env.get("PATHWAY_ALIGN_CONFIG"):
        return Path(env["PATHWAY_ALIGN_CONFIG"])
    here = Path.cwd() / CONFIG_FILE_NAME
    return here if here.exists() else None


def load_config(options: dict | None = None, env: dict | None = None, config_file: str | None = None) -> ServeConfig:
    """Merge defaults < TOML file < environment < command-line ``options`` (field -> value,
    None meaning "not given") into a validated :class:`ServeConfig`."""
    env = dict(os.environ if env is None else env)
    options = {k: v for k, v in (options or {}).items() if v is not None}
    values: dict = {}
    source = "defaults"
    path = find_config_file(config_file, env)
    if path is not None:
        values.update(read_toml(path))
        source = str(path)
    for name, var in ENV_VARS.items():
        if env.get(var, "").strip():
            raw = env[var].strip()
            values[name] = Path(raw).resolve() if name in PATH_FIELDS else raw
    for name, value in options.items():
        values[name] = Path(value).resolve() if name in PATH_FIELDS else value
    cfg = ServeConfig(source=source)
    names = {f.name for f in fields(ServeConfig)}
    for name, value in values.items():
        if name in names:
            setattr(cfg, name, value)
    where = source if source != "defaults" else "serve"
    cfg.team = _as_bool(cfg.team, where, "team")
    cfg.port = _as_int(cfg.port, where, "port", 1, 65535)
    if cfg.top_k is not None:
        cfg.top_k = _as_int(cfg.top_k, where, "top_k", 1, 50)
    cfg.token = str(cfg.token or "").strip()
    cfg.hashed_password = str(cfg.hashed_password or "").strip()
    cfg.host = str(cfg.host).strip() if cfg.host else None
    for name in PATH_FIELDS:
        value = getattr(cfg, name)
        if value is not None:
            setattr(cfg, name, Path(value))
    return cfg


# --------------------------------------------------------------------------- checks

def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{cfg.port}/"


def app_urls(cfg: ServeConfig) -> list[tuple[str, str]]:
    root = base_url(cfg)
    return [(title, f"{root}voila/render/{name}") for title, name in apps(cfg)]


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

def build_voila(cfg: ServeConfig):
    """A configured, initialized (not started) Voila application."""
    from traitlets.config import Config
    from voila.app import Voila

    c = Config()
    # Only the repository's apps/voila.json is read, never a user's ~/.jupyter voila config.
    c.Voila.config_file_paths = [str(cfg.apps_dir)]
    app = Voila(config=c)
    app.initialize([str(cfg.apps_dir)])
    # Security-relevant settings are set last, so no configuration file can weaken them.
    app.ip = cfg.bind_host
    app.port = cfg.port
    app.port_retries = 0
    app.open_browser = False
    app.token = cfg.token
    app.voila_configuration.show_tracebacks = False
    app.voila_configuration.preheat_kernel = False
    # An uploaded catalog reaches the kernel in one websocket message: let files up to the
    # catalog size limit through, so the loader (not a dropped connection) says what is wrong.
    app.tornado_settings = {**app.tornado_settings,
                            "websocket_max_message_size": max(10 * 1024 * 1024, config.MAX_INPUT_BYTES + 4 * 1024 * 1024)}
    if cfg.team:
        app.identity_provider_class = team_identity_provider(cfg.users)
        app.config.PasswordIdentityProvider.allow_password_change = False
        if cfg.hashed_password:
            app.config.PasswordIdentityProvider.hashed_password = cfg.hashed_password
        app.voila_configuration.prelaunch_hook = make_prelaunch_hook(cfg.users)
    return app


def describe(cfg: ServeConfig) -> str:
    lines = [f"Pathway Align apps on {base_url(cfg)}"]
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
    else:
        lines.append("Local only: this machine can reach it, no sign-in. Stop with Ctrl+C.")
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
    os.environ.update(kernel_environment(cfg))
    app = build_voila(cfg)
    app.start()
    return 0
