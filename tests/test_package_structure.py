"""Issue 12: no module of the package imports itself round a loop (case <-> standards was
one), and the bundled framework list is declared in one module, alignment.data.frameworks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from alignment.data.frameworks import CCSS_FRAMEWORKS, CTE_FRAMEWORKS, FRAMEWORK_ORDER, FRAMEWORKS, SECTOR_FRAMEWORKS

REPO = Path(__file__).resolve().parents[1]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((REPO / "alignment").rglob("*.py")):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every alignment module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("alignment"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("alignment"))
    return {m for m in found if m in known}


def test_no_import_cycles():
    known = modules()
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    cycles = []
    for start in graph:  # a path back to the start, by iterative depth-first search
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join(path + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(set(cycles)))


def test_case_and_standards_do_not_import_each_other():
    known = modules()
    assert "alignment.data.case" not in imports(known["alignment.data.standards"], known)
    assert "alignment.data.standards" in imports(known["alignment.data.case"], known)


def framework_literals(path: Path) -> list[int]:
    """Lines where a list, tuple or set literal names every bundled framework, or a dict
    literal keyed by every one is assigned to ``FRAMEWORKS`` / ``FRAMEWORK_ORDER``.
    (Per-framework settings and labels, such as band weights or chart captions, are
    tables keyed by framework, not declarations of the list.)"""
    lines = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = node.elts
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(
                isinstance(t, ast.Name) and t.id in ("FRAMEWORKS", "FRAMEWORK_ORDER") for t in node.targets):
            values = [k for k in node.value.keys if k is not None]
        else:
            continue
        strings = {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
        if set(FRAMEWORKS) <= strings:
            lines.append(node.lineno)
    return lines


def test_the_framework_list_is_declared_once():
    declared = {}
    paths = [*(REPO / "alignment").rglob("*.py"), *(REPO / "standards_data").glob("*.py"),
             *(REPO / "benchmarks").glob("*.py")]
    for path in paths:
        rel = path.relative_to(REPO).as_posix()
        if rel == "alignment/data/frameworks.py":
            continue
        lines = framework_literals(path)
        if lines:
            declared[rel] = lines
    assert declared == {}, f"the framework list is declared again in {declared}; import it from alignment.data.frameworks"


@pytest.mark.parametrize("subset", [FRAMEWORK_ORDER, SECTOR_FRAMEWORKS, CTE_FRAMEWORKS, CCSS_FRAMEWORKS])
def test_the_orders_and_groups_name_bundled_frameworks(subset, standards):
    assert set(subset) <= set(FRAMEWORKS)
    assert set(FRAMEWORK_ORDER) == set(FRAMEWORKS) == set(standards["framework"])
    # the bundled table's rows come in FRAMEWORKS order
    assert list(dict.fromkeys(standards["framework"])) == list(FRAMEWORKS)
