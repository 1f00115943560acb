"""The one settings object: paths, model, input limits, the apps' server.

:class:`Settings` is a frozen dataclass holding every setting; :func:`load_settings`
is the one place that builds it, merging, weakest first,

1. the defaults (work on a clean checkout, nothing to configure);
2. a TOML configuration file, read only from an explicit place (below);
3. environment variables ``PATHWAY_ALIGN_*``;
4. ``overrides``: keyword arguments, which the command line fills from its flags.

Every value is checked as it is read, with an error naming where it came from and
what is wrong (``PATHWAY_ALIGN_MAX_INPUT_BYTES: 'abc' is not a whole number of
bytes``), a :class:`SettingsError`, which the command line prints as one line before
exiting with code 2. Nothing is read at
import time: importing any module of the package never fails on a bad setting.

Settings are passed down: functions and classes take ``settings=`` (or the one value
they need) and fall back to :func:`get_settings`, the process-wide settings loaded
lazily on first use. The command line installs the settings it loaded with
:func:`set_settings` (the sentence encoder, deep inside spaCy components, reads the
model file and thread count from there); the Dask engine ships them to its workers.
No other module reads or writes ``os.environ``: :func:`export_environment` is how the
launcher hands settings to the apps' kernels (a Voila kernel inherits the server's
environment).

**Where a configuration file comes from** (never from the current folder: a
``pathway-align.toml`` dropped in a shared or downloaded folder must not be able to
serve other notebooks or open the apps to the network):

* ``config_file`` (the ``--config FILE`` flag), else
* ``$PATHWAY_ALIGN_CONFIG`` (a file named in the environment: as explicit as a flag), else
* ``pathway-align.toml`` in the project folder (the checkout the package runs from,
  :data:`REPO_ROOT`, when it holds ``pyproject.toml``).

``none`` in place of a file name reads no file.

**What a file may set**: the keys of :data:`OPTIONS` that have a TOML section, and
``[team.users]``. On POSIX a file owned by another user or writable by every user is
refused; secrets (``token``, ``hashed_password``, ``[team.users]``) are accepted only
from a file no other user can read (``chmod 600``), else prefer the environment.
``allow_foreign_apps`` is never read from a file: the launcher refuses an ``apps_dir``
outside the package's ``apps/`` unless the command line (``--allow-foreign-apps``) or the
environment allows it. ``docs/configuration.md`` lists every setting.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

#: Repository root (the package is installed editable from it).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Name of the configuration file.
CONFIG_FILE_NAME = "pathway-align.toml"
#: The project's configuration file (read when it exists and no other file is named).
PROJECT_CONFIG = REPO_ROOT / CONFIG_FILE_NAME
#: Environment variable naming a configuration file.
CONFIG_ENV = "PATHWAY_ALIGN_CONFIG"
#: ``--config none`` / ``PATHWAY_ALIGN_CONFIG=none``: read no configuration file at all
#: (what ``pathway-align serve`` tells the apps' kernels: it hands them every setting).
NO_CONFIG_FILE = "none"
#: The package's own apps; an ``apps_dir`` elsewhere needs ``allow_foreign_apps``.
PACKAGE_APPS_DIR = REPO_ROOT / "apps"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A setting with a bad value, or a configuration file that may not be read.

    Like :class:`alignment.io.errors.InputError` (which this layer, the first, cannot
    import): ``source`` names the file, variable or flag; the message is one line."""

    def __init__(self, source: str, message: str):
        self.source = str(source)
        self.problems = [message]
        super().__init__(message)


@dataclass(frozen=True)
class Option:
    """One setting: its field, where it may come from and what values it takes."""

    name: str
    kind: str  # "path", "optional_path", "int", "bool", "str", "optional_str"
    env: str | None
    section: str | None  # TOML section ([data], [models], [limits], [server]); None: not from a file
    help: str
    unit: str = ""  # ints: "bytes", "characters", ...
    low: int = 0
    high: int = 0
    secret: bool = False


#: Every setting, in the order of ``docs/configuration.md``.
OPTIONS: tuple[Option, ...] = (
    Option("standards_data_dir", "path", "PATHWAY_ALIGN_STANDARDS_DIR", "data",
           "the vendored standards and bundled catalog (standards.csv, catalogs/)"),
    Option("shared_dir", "path", "PATHWAY_ALIGN_SHARED_DIR", "data",
           "the raw shared sources (read only by the import script and benchmarks)"),
    Option("cache_dir", "path", "PATHWAY_ALIGN_CACHE_DIR", "data", "cache of the standards' vectors"),
    Option("catalog", "optional_path", "PATHWAY_ALIGN_CATALOG", "data", "the apps' catalog file"),
    Option("standards", "optional_path", "PATHWAY_ALIGN_STANDARDS", "data",
           "the apps' standards file or folder (as align --standards)"),
    Option("pathways", "optional_path", "PATHWAY_ALIGN_PATHWAYS", "data", "the apps' pathways file"),
    Option("edition", "edition", "PATHWAY_ALIGN_EDITION", "data",
           "the standards edition the apps and reports use: adopted (every framework's adopted edition), or an "
           "edition id such as 2023-draft (its rows replace the adopted ones of the sectors it covers)"),
    Option("review_db", "path", "PATHWAY_ALIGN_REVIEW_DB", "data", "the review store (SQLite)"),
    Option("encoder_model", "optional_path", "PATHWAY_ALIGN_ENCODER_MODEL", "models",
           "another sentence-model ONNX file (same inputs and outputs as the shipped one)"),
    Option("threads", "int", "PATHWAY_ALIGN_THREADS", "models", "sentence-model threads (0: all cores)",
           unit="threads", low=0, high=1024),
    Option("max_input_bytes", "int", "PATHWAY_ALIGN_MAX_INPUT_BYTES", "limits", "largest input file",
           unit="bytes", low=1, high=2**40),
    Option("max_text_chars", "int", "PATHWAY_ALIGN_MAX_TEXT_CHARS", "limits", "longest course description",
           unit="characters", low=1, high=10_000_000),
    Option("max_catalog_rows", "int", "PATHWAY_ALIGN_MAX_CATALOG_ROWS", "limits", "most courses in one catalog",
           unit="rows", low=1, high=100_000_000),
    Option("top_k", "int", "PATHWAY_ALIGN_TOP_K", "server", "suggestions per framework shown in the apps",
           unit="suggestions", low=1, high=50),
    Option("host", "optional_str", "PATHWAY_ALIGN_HOST", "server", "address the apps' server binds to"),
    Option("port", "int", "PATHWAY_ALIGN_PORT", "server", "the apps' server port", unit="port", low=1, high=65535),
    Option("team", "bool", "PATHWAY_ALIGN_TEAM", "server", "serve other machines (requires credentials)"),
    Option("token", "str", "PATHWAY_ALIGN_TOKEN", "server", "shared access token for team mode", secret=True),
    Option("hashed_password", "str", "PATHWAY_ALIGN_HASHED_PASSWORD", "server",
           "hashed password for team mode (jupyter_server.auth.passwd())", secret=True),
    Option("allowed_hosts", "hosts", "PATHWAY_ALIGN_ALLOWED_HOSTS", "server",
           "team mode: host names the server answers to (comma-separated in the environment)"),
    Option("apps_dir", "path", None, "server", "folder of the notebooks served as apps"),
    Option("allow_foreign_apps", "bool", "PATHWAY_ALIGN_ALLOW_FOREIGN_APPS", None,
           "serve an apps_dir outside the package's apps/ (never from a file)"),
    Option("standards_library_dir", "path", "PATHWAY_ALIGN_STANDARDS_LIBRARY", "data",
           "the standards library: imported frameworks, merged with the bundled ones everywhere"),
    Option("case_token", "str", "PATHWAY_ALIGN_CASE_TOKEN", "data",
           "bearer token sent to a CASE provider (standards import URL)", secret=True),
    Option("case_timeout", "int", "PATHWAY_ALIGN_CASE_TIMEOUT", "limits",
           "seconds to wait for a CASE provider to connect or send more", unit="seconds", low=1, high=3600),
    Option("max_download_bytes", "int", "PATHWAY_ALIGN_MAX_DOWNLOAD_BYTES", "limits",
           "largest CASE package downloaded (counted while streaming)", unit="bytes", low=1, high=2**40),
    Option("max_redirects", "int", "PATHWAY_ALIGN_MAX_REDIRECTS", "limits",
           "redirects followed when fetching a CASE package", unit="redirects", low=0, high=20),
    Option("cull_idle_timeout", "int", "PATHWAY_ALIGN_CULL_IDLE_TIMEOUT", "server",
           "seconds an app kernel may stay idle, tab open or not, before the server shuts it down "
           "(the page then asks for a reload; 0: never)", unit="seconds", low=0, high=7 * 24 * 3600),
    Option("model_service", "bool", "PATHWAY_ALIGN_MODEL_SERVICE", "server",
           "load the models once per server in the model service, shared by every app kernel "
           "(false: each kernel loads its own)"),
    Option("preheat_kernels", "int", "PATHWAY_ALIGN_PREHEAT_KERNELS", "server",
           "the room's size: teacher-app kernels the server starts and renders before anyone asks "
           "(Voila's pre-heated kernel pool), so a new tab gets one at once, refilled up to this many "
           "minus the kernels in use; 0: none", unit="kernels", low=0, high=200),
    Option("service_url", "optional_str", "PATHWAY_ALIGN_SERVICE_URL", None,
           "set by pathway-align serve for its app kernels: where its model service listens"),
    Option("service_secret", "str", "PATHWAY_ALIGN_SERVICE_SECRET", None,
           "set by pathway-align serve for its app kernels: the model service's per-server secret", secret=True),
)
OPTION = {o.name: o for o in OPTIONS}
#: TOML layout: section -> keys (``[team.users]`` besides).
TOML_SECTIONS: dict[str, list[str]] = {}
for _o in OPTIONS:
    if _o.section:
        TOML_SECTIONS.setdefault(_o.section, []).append(_o.name)


@dataclass(frozen=True)
class Settings:
    """Every setting of Pathway Align (see :data:`OPTIONS` and ``docs/configuration.md``).

    Build it with :func:`load_settings`; a bare ``Settings()`` holds the defaults.
    Secrets are left out of ``repr``.
    """

    standards_data_dir: Path = REPO_ROOT / "standards_data"
    shared_dir: Path = REPO_ROOT.parent / "shared"
    cache_dir: Path = REPO_ROOT / ".cache"
    catalog: Path | None = None  # None: the bundled Westview catalog
    standards: Path | None = None  # None: the bundled frameworks
    pathways: Path | None = None  # None: the bundled Westview pathways
    edition: str = "adopted"  # or an edition id (alignment.data.editions), e.g. 2023-draft
    review_db: Path = REPO_ROOT / "reviews" / "reviews.sqlite3"
    encoder_model: Path | None = None  # None: the shipped int8 MiniLM
    threads: int = 0
    max_input_bytes: int = 20 * 1024 * 1024
    max_text_chars: int = 20_000
    max_catalog_rows: int = 50_000
    top_k: int = 5
    host: str | None = None  # None: 127.0.0.1, or 0.0.0.0 in team mode
    port: int = 8866
    team: bool = False
    token: str = field(default="", repr=False)
    hashed_password: str = field(default="", repr=False)
    users: dict = field(default_factory=dict, repr=False, hash=False)  # per-user token -> reviewer name
    allowed_hosts: tuple[str, ...] = ()  # team mode: host names it answers to (lower case)
    apps_dir: Path = PACKAGE_APPS_DIR
    allow_foreign_apps: bool = False
    standards_library_dir: Path = field(default_factory=lambda: default_standards_library_dir())
    case_token: str = field(default="", repr=False)
    case_timeout: int = 30
    max_download_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 3
    cull_idle_timeout: int = 1800  # seconds; 0: never cull idle app kernels
    model_service: bool = True  # one model service per server (False: models in every kernel)
    preheat_kernels: int = 1  # teacher-app kernels started before anyone asks (0: none)
    service_url: str | None = None  # set by serve for its kernels (alignment.present.model_service)
    service_secret: str = field(default="", repr=False)
    config_file: Path | None = None  # the configuration file read, if any

    def source_of(self, name: str) -> str:
        """How to change setting ``name``, for messages ("raise PATHWAY_ALIGN_MAX_INPUT_BYTES")."""
        option = OPTION[name]
        ways = [option.env] if option.env else []
        if option.section:
            ways.append(f"{name} in [{option.section}] of {CONFIG_FILE_NAME}")
        return " or ".join(ways)


def default_standards_library_dir() -> Path:
    """The per-user standards library (platformdirs' user data folder; on Linux
    ``~/.local/share/pathway-align/standards-library``); a team server sets
    ``standards_library_dir`` to a shared folder instead."""
    from platformdirs import user_data_path

    return user_data_path("pathway-align", appauthor=False) / "standards-library"


# --------------------------------------------------------------------------- reading values

def _problem(where: str, text: str) -> SettingsError:
    return SettingsError(where, f"{where}: {text}")


def _convert(option: Option, value, where: str, base: Path):
    """``value`` (a string from the environment or a flag, or a TOML value) as the
    option's type; ``base``: the folder relative paths are resolved against."""
    kind = option.kind
    if kind == "hosts":  # a list (TOML, Python) or comma-separated text; the launcher checks each name
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(h, str) for h in items):
            raise _problem(where, f"{value!r} is not a list of host names ({option.name})")
        return tuple(h.strip().lower() for h in items if h.strip())
    if kind == "int":
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                number = None
        what = f"a whole number of {option.unit}" if option.unit != "port" else "a port number"
        if number is None:
            raise _problem(where, f"{value!r} is not {what}")
        if not option.low <= number <= option.high:
            raise _problem(where, f"{value!r} is out of range: {option.name} must be a whole number from "
                                  f"{option.low:,} to {option.high:,}")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str) else None
        if text in _TRUE:
            return True
        if text in _FALSE or text == "":
            return False
        raise _problem(where, f"{value!r} is not true or false ({option.name})")
    if not isinstance(value, (str, os.PathLike)):
        raise _problem(where, f"{value!r} is not {'a path' if 'path' in kind else 'text'} ({option.name})")
    if kind == "edition":
        text = str(value).strip().lower() or "adopted"
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]{0,39}", text):
            raise _problem(where, f"{value!r} is not 'adopted' or an edition id such as 2023-draft ({option.name})")
        return text
    text = str(value).strip()
    if "path" in kind:
        if not text:
            if kind == "optional_path":
                return None
            raise _problem(where, f"{option.name} must not be empty")
        if "\x00" in text:
            raise _problem(where, f"{text!r} is not a usable path")
        return (base / Path(text).expanduser()).resolve()
    if kind == "optional_str":
        return text or None
    return text


def config_file_path(config_file: str | os.PathLike | None, env: dict) -> tuple[Path | None, str]:
    """The configuration file to read and who named it: ``config_file`` (``--config``),
    else ``$PATHWAY_ALIGN_CONFIG``, else the project's ``pathway-align.toml`` if it
    exists; never a file of the current folder."""
    if config_file:
        if str(config_file).strip() == NO_CONFIG_FILE:
            return None, ""
        return Path(config_file).expanduser(), "--config"
    if str(env.get(CONFIG_ENV, "")).strip():
        if str(env[CONFIG_ENV]).strip() == NO_CONFIG_FILE:
            return None, ""
        return Path(str(env[CONFIG_ENV]).strip()).expanduser(), CONFIG_ENV
    if PROJECT_CONFIG.is_file() and (PROJECT_CONFIG.parent / "pyproject.toml").is_file():
        return PROJECT_CONFIG, "project"
    return None, ""


def _check_file_safety(path: Path, where: str, has_secrets: list[str]) -> None:
    """POSIX: refuse a file another user owns or everyone may write; secrets only from
    a file nobody else may read."""
    if os.name != "posix":
        return
    info = path.stat()
    if info.st_uid not in (os.getuid(), 0):
        raise _problem(where, f"is owned by another user (uid {info.st_uid}); a configuration file can serve "
                              "notebooks and open the apps to the network, so only your own files are read")
    if info.st_mode & stat.S_IWOTH:
        raise _problem(where, "can be changed by every user of this machine; chmod o-w it")
    if has_secrets and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        mode = stat.filemode(info.st_mode)
        raise _problem(where, f"holds secrets ({', '.join(has_secrets)}) but other users can read it ({mode}); "
                              f"chmod 600 {path}, or set PATHWAY_ALIGN_TOKEN / PATHWAY_ALIGN_HASHED_PASSWORD "
                              "in the environment instead")


def read_config_file(path: Path, named_by: str = "--config") -> dict:
    """The settings of one TOML file as field -> value (converted, paths resolved
    against the file's folder). Unknown sections or keys are errors naming the valid
    ones; see the module docstring for which files and keys are accepted."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _problem(where, f"configuration file not found (named by {named_by})") from None
    except IsADirectoryError:
        raise _problem(where, f"is a folder, not a configuration file (named by {named_by})") from None
    except UnicodeDecodeError:
        raise _problem(where, "is not a UTF-8 text file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _problem(where, f"is not valid TOML: {exc}") from None
    out: dict = {}
    secrets: list[str] = []
    names = ", ".join(f"[{s}]" for s in TOML_SECTIONS) + ", [team.users]"
    for section, values in data.items():
        if section == "team":
            if not isinstance(values, dict) or set(values) - {"users"}:
                raise _problem(where, "[team] holds only the table [team.users] (token = \"reviewer name\")")
            users = values.get("users", {})
            if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
                raise _problem(where, "[team.users] must map tokens to names: \"<token>\" = \"Reviewer Name\"")
            out["users"] = dict(users)
            if users:
                secrets.append("[team.users]")
            continue
        if section not in TOML_SECTIONS or not isinstance(values, dict):
            raise _problem(where, f"unknown section [{section}]; sections: {names}")
        for key, value in values.items():
            if key not in TOML_SECTIONS[section]:
                if key == "allow_foreign_apps":
                    raise _problem(where, f"unknown key 'allow_foreign_apps' in [{section}]: a file cannot allow "
                                          "foreign apps; use the --allow-foreign-apps flag or "
                                          "PATHWAY_ALIGN_ALLOW_FOREIGN_APPS=1")
                raise _problem(where, f"unknown key {key!r} in [{section}]; keys: {', '.join(TOML_SECTIONS[section])}")
            option = OPTION[key]
            out[key] = _convert(option, value, f"{where} [{section}] {key}", path.parent)
            if option.secret and out[key]:
                secrets.append(f"[{section}] {key}")
    _check_file_safety(path, where, secrets)
    return out


def load_settings(config_file: str | os.PathLike | None = None, env: dict | None = None, **overrides) -> Settings:
    """Build and check the settings: defaults < configuration file < ``env`` (default:
    this process's environment) < ``overrides`` (field -> value; None means "not
    given", so argparse results can be passed as they are).

    Raises :class:`SettingsError` naming the file, variable or flag of a bad value.
    """
    env = dict(os.environ if env is None else env)
    unknown = sorted(set(overrides) - set(OPTION) - {"users"})
    if unknown:
        raise TypeError(f"load_settings() got unknown setting(s) {', '.join(unknown)}")
    values: dict = {}
    path, named_by = config_file_path(config_file, env)
    if path is not None:
        values.update(read_config_file(path, named_by))
        values["config_file"] = path.resolve()
    for option in OPTIONS:
        raw = env.get(option.env, "") if option.env else ""
        if str(raw).strip():
            values[option.name] = _convert(option, str(raw), option.env, Path.cwd())
    for name, value in overrides.items():
        if value is None:
            continue
        if name == "users":
            values["users"] = dict(value)
            continue
        values[name] = _convert(OPTION[name], value, "--" + name.replace("_", "-"), Path.cwd())
    return Settings(**values)


# --------------------------------------------------------------------------- the process-wide settings

class _FromSettings:
    """Default of an argument whose value comes from the settings when the call is made
    (``Aligner(cache_dir=FROM_SETTINGS)``), where None already means something else."""

    def __repr__(self) -> str:
        return "FROM_SETTINGS"

    def __reduce__(self):
        return "FROM_SETTINGS"


FROM_SETTINGS = _FromSettings()


_current: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings: those installed by :func:`set_settings`, else loaded
    (once) from the environment and the configuration file."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def set_settings(settings: Settings | None) -> Settings | None:
    """Install ``settings`` as the process-wide settings (None: load again on next use);
    returns the previous ones."""
    global _current
    previous, _current = _current, settings
    return previous


def with_changes(settings: Settings | None = None, **changes) -> Settings:
    """A copy of ``settings`` (default: the process-wide ones) with ``changes``."""
    return replace(settings or get_settings(), **changes)


# --------------------------------------------------------------------------- handing settings to other processes

def environment(settings: Settings, names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The ``PATHWAY_ALIGN_*`` variables that reproduce the given settings in a child
    process (None values are left out)."""
    out: dict[str, str] = {}
    for name in names:
        option = OPTION[name]
        value = getattr(settings, name)
        if option.env is None or value is None:
            continue
        if isinstance(value, bool):
            out[option.env] = "1" if value else "0"
        else:
            out[option.env] = str(value)
    return out


def export_environment(variables: dict[str, str], remove: tuple[str, ...] | list[str] = ()) -> None:
    """Put ``variables`` in this process's environment and take the ``remove`` ones out,
    for child processes that inherit it (the apps' Voila kernels: no secrets for them).
    The only write to ``os.environ``."""
    for name in remove:
        os.environ.pop(name, None)
    os.environ.update({k: str(v) for k, v in variables.items()})


def setting_names() -> list[str]:
    """Every field of :class:`Settings`."""
    return [f.name for f in fields(Settings)]
