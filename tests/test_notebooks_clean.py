"""Committed notebooks carry no outputs, and the workshop notebooks stay thin.

Outputs are stripped before committing (``nbstripout notebooks/*.ipynb apps/*.ipynb``):
no cell outputs, no execution counts, no saved widget state. The notebooks are read as
raw JSON, exactly as committed. The workshop notebooks (``notebooks/``) also open
with the ``python3`` kernel (the venv's, when JupyterLab runs from the venv) and keep
their code cells short: logic belongs in ``alignment``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = ROOT / "notebooks"
NOTEBOOKS = sorted([*WORKSHOP.glob("*.ipynb"), *(ROOT / "apps").glob("*.ipynb")])
WORKSHOP_NOTEBOOKS = sorted(WORKSHOP.glob("*.ipynb"))
#: Longest code cell of a workshop notebook (lines).
MAX_CELL_LINES = 15


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _where(path: Path, index: int, cell: dict) -> str:
    return f"{path.relative_to(ROOT)} cell {index + 1} (id {cell.get('id', '?')})"


def test_the_workshop_notebooks_exist():
    names = [p.name for p in WORKSHOP_NOTEBOOKS]
    for prefix in ("01_", "02_", "03_", "04_", "05_"):
        assert any(n.startswith(prefix) for n in names), f"notebooks/{prefix}*.ipynb is missing; found {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_outputs_are_committed(path):
    nb = _read(path)
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("outputs"):
            problems.append(f"{_where(path, i, cell)}: {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"{_where(path, i, cell)}: execution_count {cell['execution_count']}")
    if "widgets" in nb.get("metadata", {}):
        problems.append(f"{path.relative_to(ROOT)}: saved widget state in the notebook metadata")
    assert not problems, ("run `nbstripout " + str(path.relative_to(ROOT)) + "` before committing:\n"
                          + "\n".join(problems))


@pytest.mark.parametrize("path", WORKSHOP_NOTEBOOKS, ids=lambda p: p.name)
def test_workshop_notebooks_use_the_python3_kernel(path):
    kernelspec = _read(path)["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{path.name}: kernelspec {kernelspec!r}; use python3"


@pytest.mark.parametrize("path", WORKSHOP_NOTEBOOKS, ids=lambda p: p.name)
def test_workshop_notebooks_are_thin(path):
    cells = _read(path)["cells"]
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    long = [f"{_where(path, i, c)}: {len(_source(c).splitlines())} lines" for i, c in code
            if len(_source(c).splitlines()) > MAX_CELL_LINES]
    assert not long, f"code cells longer than {MAX_CELL_LINES} lines (move the logic into alignment):\n" + "\n".join(long)
    assert any("alignment" in _source(c) for _, c in code), f"{path.name} does not use the alignment package"
    assert sum(c["cell_type"] == "markdown" for c in cells) >= len(code) / 3, f"{path.name}: tell the story in markdown"
