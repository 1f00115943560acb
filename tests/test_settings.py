"""The one settings object: where each value comes from (defaults < file < environment <
flags), the errors a bad value gives, which configuration files are read at all, and
that the settings reach every process that needs them (app kernels, Dask workers)."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alignment import settings as settings_module
from alignment.io.errors import InputError
from alignment.settings import (FROM_SETTINGS, OPTIONS, Settings, SettingsError, get_settings, load_settings,
                                set_settings)

REPO = Path(__file__).resolve().parent.parent
HOSTILE_TOKEN = "known-to-the-attacker-0123456789"


@pytest.fixture(autouse=True)
def no_project_file(tmp_path_factory, monkeypatch):
    """Tests see no project configuration file unless they make one."""
    monkeypatch.setattr(settings_module, "PROJECT_CONFIG", tmp_path_factory.mktemp("project") / "pathway-align.toml")


def write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env.update(extra)
    return env


# --------------------------------------------------------------------------- defaults and precedence

def test_defaults_work_on_a_clean_checkout():
    s = load_settings(env={})
    assert s == Settings()
    assert (s.standards_data_dir / "standards.csv").is_file()
    assert (s.standards_data_dir / "catalogs" / "westview_2025_26_courses.csv").is_file()
    assert (s.apps_dir / "review.ipynb").is_file()
    assert (s.max_input_bytes, s.max_text_chars, s.max_catalog_rows) == (20 * 1024 * 1024, 20_000, 50_000)
    assert s.config_file is None and not s.team and s.host is None


def test_file_then_environment_then_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    toml = write(tmp_path / "conf" / "pa.toml",
                 '[data]\ncatalog = "cat.csv"\ncache_dir = "vectors"\n'
                 '[limits]\nmax_input_bytes = 1000\nmax_catalog_rows = 10\nmax_text_chars = 300\n'
                 '[models]\nthreads = 2\n[server]\nport = 9001\ntop_k = 3\n')
    s = load_settings(toml, env={})
    assert s.catalog == tmp_path / "conf" / "cat.csv"  # relative to the file
    assert s.cache_dir == tmp_path / "conf" / "vectors"
    assert (s.max_input_bytes, s.max_catalog_rows, s.max_text_chars, s.threads, s.port, s.top_k) == (
        1000, 10, 300, 2, 9001, 3)
    assert s.config_file == toml
    env = {"PATHWAY_ALIGN_MAX_INPUT_BYTES": "2000", "PATHWAY_ALIGN_CATALOG": "env.csv", "PATHWAY_ALIGN_PORT": "9002",
           "PATHWAY_ALIGN_CONFIG": str(toml), "PATHWAY_ALIGN_TOP_K": "  "}  # blank: not set
    s = load_settings(env=env)
    assert (s.max_input_bytes, s.catalog, s.port, s.top_k) == (2000, tmp_path / "env.csv", 9002, 3)
    assert s.max_catalog_rows == 10  # from the file the environment named
    s = load_settings(env=env, port=9003, catalog="flag.csv", max_input_bytes=None)  # None: flag not given
    assert (s.port, s.catalog, s.max_input_bytes) == (9003, tmp_path / "flag.csv", 2000)


@pytest.mark.parametrize("var, value, message", [
    ("PATHWAY_ALIGN_MAX_INPUT_BYTES", "abc", "PATHWAY_ALIGN_MAX_INPUT_BYTES: 'abc' is not a whole number of bytes"),
    ("PATHWAY_ALIGN_MAX_INPUT_BYTES", "0", "PATHWAY_ALIGN_MAX_INPUT_BYTES: '0' is out of range: max_input_bytes "
                                           "must be a whole number from 1 to"),
    ("PATHWAY_ALIGN_MAX_TEXT_CHARS", "1e4", "PATHWAY_ALIGN_MAX_TEXT_CHARS: '1e4' is not a whole number of characters"),
    ("PATHWAY_ALIGN_MAX_CATALOG_ROWS", "50k", "PATHWAY_ALIGN_MAX_CATALOG_ROWS: '50k' is not a whole number of rows"),
    ("PATHWAY_ALIGN_THREADS", "-1", "PATHWAY_ALIGN_THREADS: '-1' is out of range"),
    ("PATHWAY_ALIGN_PORT", "http", "PATHWAY_ALIGN_PORT: 'http' is not a port number"),
    ("PATHWAY_ALIGN_TOP_K", "zero", "PATHWAY_ALIGN_TOP_K: 'zero' is not a whole number of suggestions"),
    ("PATHWAY_ALIGN_TEAM", "maybe", "PATHWAY_ALIGN_TEAM: 'maybe' is not true or false (team)"),
    ("PATHWAY_ALIGN_CONFIG", "/no/such/pa.toml", "/no/such/pa.toml: configuration file not found "
                                                 "(named by PATHWAY_ALIGN_CONFIG)"),
])
def test_a_bad_environment_value_is_one_clear_error(var, value, message):
    with pytest.raises(SettingsError) as info:
        load_settings(env={var: value})
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert info.value.source.startswith(var if var != "PATHWAY_ALIGN_CONFIG" else "/no/such")


@pytest.mark.parametrize("text, message", [
    ("[limits]\nmax_input_bytes = \"lots\"\n", "[limits] max_input_bytes: 'lots' is not a whole number of bytes"),
    ("[limits]\nmax_input_bytes = 1.5\n", "[limits] max_input_bytes: 1.5 is not a whole number of bytes"),
    ("[data]\ncatalog = 3\n", "[data] catalog: 3 is not a path (catalog)"),
    ("[server]\nprot = 1\n", "unknown key 'prot' in [server]; keys: top_k, host, port, team"),
    ("[web]\nport = 1\n", "unknown section [web]; sections: [data], [models], [limits], [server], [team.users]"),
    ("[server]\nallow_foreign_apps = true\n", "unknown key 'allow_foreign_apps' in [server]: a file cannot allow"),
    ("[server\n", "is not valid TOML"),
])
def test_a_bad_file_value_names_the_file_and_key(tmp_path, text, message):
    path = write(tmp_path / "pa.toml", text)
    with pytest.raises(SettingsError) as info:
        load_settings(path, env={})
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_a_bad_flag_names_the_flag():
    with pytest.raises(SettingsError, match=r"^--port: 0 is out of range"):
        load_settings(env={}, port=0)
    with pytest.raises(TypeError, match="unknown setting"):
        load_settings(env={}, max_bytes=3)


def test_importing_never_fails_on_a_bad_setting_and_loads_nothing():
    code = ("import alignment.data.catalog, alignment.align.aligner, alignment.present.cli, alignment.ui.session\n"
            "import alignment.settings as s\nprint(s._current is None)\n"
            "try:\n    s.get_settings()\nexcept s.SettingsError as e:\n    print(e)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO,
                            env=clean_env(PYTHONPATH=str(REPO), PATHWAY_ALIGN_MAX_INPUT_BYTES="abc"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True", "PATHWAY_ALIGN_MAX_INPUT_BYTES: 'abc' is not a whole number of bytes"]


def test_process_wide_settings_are_loaded_once_and_can_be_installed(monkeypatch):
    before = set_settings(None)
    try:
        monkeypatch.setenv("PATHWAY_ALIGN_MAX_TEXT_CHARS", "123")
        first = get_settings()
        monkeypatch.setenv("PATHWAY_ALIGN_MAX_TEXT_CHARS", "456")
        assert first.max_text_chars == 123 and get_settings() is first  # loaded once
        mine = Settings(max_text_chars=7)
        set_settings(mine)
        assert get_settings() is mine
    finally:
        set_settings(before)


def test_settings_are_frozen_picklable_and_keep_secrets_out_of_repr():
    s = Settings(token="secret-token-0123456789", hashed_password="argon2:x", users={"tok-0123456789abcdef": "Ana"})
    with pytest.raises(AttributeError):
        s.port = 1
    assert "secret-token" not in repr(s) and "argon2" not in repr(s) and "tok-0123" not in repr(s)
    assert pickle.loads(pickle.dumps(s)) == s
    assert pickle.loads(pickle.dumps(FROM_SETTINGS)) is FROM_SETTINGS


# --------------------------------------------------------------------------- which files are read

def test_a_hostile_pathway_align_toml_in_the_current_folder_is_ignored(tmp_path, monkeypatch):
    """A file someone left in a downloaded or shared folder must not open the apps to the
    network with a token they know, nor make the server run their notebooks."""
    evil_apps = tmp_path / "evil_apps"
    evil_apps.mkdir()
    write(tmp_path / "pathway-align.toml",
          f'[server]\nteam = true\nhost = "0.0.0.0"\ntoken = "{HOSTILE_TOKEN}"\napps_dir = "evil_apps"\n'
          '[data]\nreview_db = "stolen.sqlite3"\n', mode=0o600)
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s == Settings() and s.config_file is None
    # as a user runs it: the launcher stays local, with the package's apps
    result = subprocess.run([sys.executable, "-m", "alignment.present.cli", "serve", "--check"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, env=clean_env(PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8866/apps/specialist-review" in result.stderr and "Local only" in result.stderr
    assert "Team mode" not in result.stderr and "configuration:" not in result.stderr
    assert not (tmp_path / "stolen.sqlite3").exists()


def test_the_project_file_is_read(tmp_path, monkeypatch):
    project = tmp_path / "checkout"
    project.mkdir()
    path = write(project / "pathway-align.toml", "[server]\nport = 9100\n")
    monkeypatch.setattr(settings_module, "PROJECT_CONFIG", path)
    assert load_settings(env={}).port == 8866  # not a checkout (no pyproject.toml): not read
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    s = load_settings(env={})
    assert s.port == 9100 and s.config_file == path
    other = write(tmp_path / "other.toml", "[server]\nport = 9200\n")
    assert load_settings(env={"PATHWAY_ALIGN_CONFIG": str(other)}).port == 9200  # a named file instead
    assert load_settings(other, env={"PATHWAY_ALIGN_CONFIG": str(path)}).port == 9200  # --config first


@pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")
@pytest.mark.parametrize("section", ['[server]\ntoken = "' + HOSTILE_TOKEN + '"\n',
                                     '[server]\nhashed_password = "argon2:abc"\n',
                                     '[team.users]\n"' + HOSTILE_TOKEN + '" = "Ana"\n'])
def test_secrets_only_from_a_file_no_one_else_can_read(tmp_path, section):
    path = write(tmp_path / "pa.toml", section, mode=0o644)
    with pytest.raises(SettingsError, match=r"holds secrets .* but other users can read it \(-rw-r--r--\); chmod 600"):
        load_settings(path, env={})
    path.chmod(0o600)
    s = load_settings(path, env={})
    assert s.token == HOSTILE_TOKEN or s.hashed_password == "argon2:abc" or s.users == {HOSTILE_TOKEN: "Ana"}


@pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")
def test_a_file_everyone_may_change_or_another_user_owns_is_refused(tmp_path):
    path = write(tmp_path / "pa.toml", "[server]\nport = 9100\n", mode=0o646)
    with pytest.raises(SettingsError, match="can be changed by every user of this machine"):
        load_settings(path, env={})
    path.chmod(0o644)
    assert load_settings(path, env={}).port == 9100
    if os.geteuid() == 0:  # only root can give a file away; as another user this cannot be set up
        os.chown(path, 65534, -1)
        with pytest.raises(SettingsError, match=r"is owned by another user \(uid 65534\)"):
            load_settings(path, env={})


def test_apps_outside_the_package_need_an_explicit_flag_never_the_file(tmp_path):
    """The settings carry apps_dir and allow_foreign_apps; the launcher refuses the pair
    (serve.check). A file may name a folder but never allow it."""
    from alignment.present import serve

    (tmp_path / "apps").mkdir()
    path = write(tmp_path / "pa.toml", '[server]\napps_dir = "apps"\n')
    s = load_settings(path, env={})
    assert s.apps_dir == tmp_path / "apps" and not s.allow_foreign_apps
    with pytest.raises(InputError, match="outside the package's apps/"):
        serve.check(serve.ServeConfig.from_settings(s))
    assert load_settings(path, env={}, allow_foreign_apps=True).allow_foreign_apps
    assert load_settings(path, env={"PATHWAY_ALIGN_ALLOW_FOREIGN_APPS": "1"}).allow_foreign_apps
    both = write(tmp_path / "both.toml", '[server]\napps_dir = "apps"\nallow_foreign_apps = true\n')
    with pytest.raises(SettingsError, match="unknown key 'allow_foreign_apps' in \\[server\\]: a file cannot allow"):
        load_settings(both, env={})


# --------------------------------------------------------------------------- the settings where they are used

def test_catalog_row_limit_names_the_file_the_limit_and_how_to_raise_it(tmp_path):
    from alignment.data.catalog import default_catalog_path, load_catalog

    path = default_catalog_path()
    with pytest.raises(InputError) as info:
        load_catalog(path, settings=Settings(max_catalog_rows=100))
    assert info.value.problems == [
        "westview_2025_26_courses.csv: 197 course rows, more than the limit of 100; split the catalog or raise "
        "PATHWAY_ALIGN_MAX_CATALOG_ROWS or max_catalog_rows in [limits] of pathway-align.toml"]
    assert len(load_catalog(path, settings=Settings(max_catalog_rows=197))) == 197


def test_the_launcher_hands_its_settings_to_the_app_kernels(tmp_path):
    """What a kernel loads from the environment the server gives it equals what the server
    loaded from its file and flags (paths absolute, the same file named)."""
    from alignment.present import serve

    toml = write(tmp_path / "pa.toml", '[limits]\nmax_input_bytes = 5000\nmax_catalog_rows = 77\n'
                                       '[data]\npathways = "p.csv"\n[models]\nthreads = 1\n'
                                       f'[server]\ntoken = "{HOSTILE_TOKEN}"\n', mode=0o600)
    cfg = serve.load_config({"catalog": str(tmp_path / "c.csv"), "top_k": 4}, env={}, config_file=str(toml))
    environment = serve.kernel_environment(cfg)
    kernel = load_settings(env=environment)
    for name in ("catalog", "pathways", "review_db", "cache_dir", "top_k", "max_input_bytes", "max_catalog_rows",
                 "max_text_chars", "threads", "team", "standards_data_dir", "encoder_model"):
        assert getattr(kernel, name) == getattr(cfg.settings, name), name
    assert (kernel.max_input_bytes, kernel.top_k, kernel.catalog) == (5000, 4, tmp_path / "c.csv")
    # no secrets for the kernels: the file that holds them is not read there
    assert kernel.config_file is None and kernel.token == "" and HOSTILE_TOKEN not in str(environment)


def test_dask_workers_compute_with_the_clients_settings(standards, tmp_path):
    """A worker process does not see the client's --config file or flags: the plugin brings
    the settings, with the worker's share of the cores when they name no thread count."""
    distributed = pytest.importorskip("distributed")
    from alignment.align.distributed import PLUGIN_NAME, AlignerPlugin

    mine = load_settings(env={}, max_catalog_rows=321, cache_dir=str(tmp_path / "vectors"))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            client.register_plugin(AlignerPlugin(standards.head(3), {}, threads=1, settings=mine), name=PLUGIN_NAME)
            seen = client.submit(get_settings, pure=False).result()
            pid = client.submit(os.getpid, pure=False).result()
    assert pid != os.getpid()
    assert seen == Settings(**{**mine.__dict__, "threads": 1})


def test_docs_describe_every_setting():
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"`{option.name}`" in text, option.name
        if option.env:
            assert f"`{option.env}`" in text, option.env
        if option.section:
            assert re.search(rf"\[{option.section}\]", text), option.section
    for name in ("PATHWAY_ALIGN_CONFIG", "--config", "chmod 600", "--allow-foreign-apps", "[team.users]",
                 "--config none"):
        assert name in text
