"""Issue 13 item 8: the test suite runs on a fresh clone. Only the import script's tests and
the benchmark modules' tests may read ``../shared`` (the ``shared_dir`` setting), and they
skip without it; every other test reads ``standards_data/`` or data it makes."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: Test modules allowed to read ../shared (each skips, with the reason, when it is absent).
MAY_READ_SHARED = {"test_import_shared.py", "test_evaluation.py", "test_structure.py"}


def shared_references(path: Path) -> list[int]:
    """Lines that name the ``shared_dir`` setting (or the old ``SHARED_DIR``) or build a path
    through a folder called ``shared``."""
    lines = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(n) is not None}
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Attribute) and node.attr in ("SHARED_DIR", "shared_dir") or \
                isinstance(node, ast.Name) and node.id in ("SHARED_DIR", "shared_dir"):
            lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value == "shared" or "../shared/" in node.value or node.value.startswith("shared/")):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_only_the_import_and_benchmark_tests_read_the_sibling_folder():
    found = {}
    for path in sorted(TESTS.rglob("*.py")):
        if path.name in MAY_READ_SHARED or path == Path(__file__).resolve():
            continue
        lines = shared_references(path)
        if lines:
            found[path.relative_to(TESTS).as_posix()] = lines
    assert found == {}, f"tests reading ../shared (use standards_data/ or conftest's printed_catalogs): {found}"


def test_the_allowed_modules_skip_without_it():
    for name in MAY_READ_SHARED:
        text = (TESTS / name).read_text(encoding="utf-8")
        assert "skip" in text and ("SHARED" in text or "shared_dir" in text), f"{name} must skip when ../shared is missing"
