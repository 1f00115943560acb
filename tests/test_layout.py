"""The package's shape: each subpackage imports only from its own layer or the ones
before it (data flows one way), and only ``alignment.settings`` reads the environment.

Checked on the source (every ``import``/``from`` statement, at any depth, including
imports inside functions) and by importing every module, so a module that does not
import at all fails here first.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import alignment

PACKAGE_DIR = Path(alignment.__file__).resolve().parent

#: Layers in the one direction imports may run; a module may import from its own
#: layer or an earlier one. ``analysis`` and ``review`` are one layer (neither uses
#: the other).
LAYERS = [
    {"settings"},
    {"io"},
    {"data"},
    {"nlp"},
    {"align"},
    {"analysis", "review"},
    {"present"},
    {"ui"},
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


def _modules() -> list[str]:
    names = ["alignment"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="alignment."):
        names.append(info.name)
    return sorted(names)


def _top(module: str) -> str | None:
    """The subpackage a dotted ``alignment.*`` name belongs to (None for the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "alignment" else None


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported alignment module) for every import statement in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("alignment")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("alignment"):
                continue
            if target == "alignment":  # from alignment import settings, io ...
                found += [(node.lineno, f"alignment.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
    return found


def _path_of(module: str) -> Path:
    rel = Path(*module.split(".")[1:])
    pkg = PACKAGE_DIR / rel / "__init__.py"
    return pkg if pkg.exists() else (PACKAGE_DIR / rel).with_suffix(".py")


def test_every_subpackage_is_in_a_layer():
    subpackages = {p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE_DIR.glob("*.py") if p.name != "__init__.py"}
    assert subpackages | modules == set(RANK), "a new subpackage needs its place in LAYERS (and docs/architecture.md)"


@pytest.mark.parametrize("module", _modules())
def test_module_imports(module):
    importlib.import_module(module)


def test_no_import_runs_back_up_the_layers():
    problems = []
    for module in _modules():
        own = _top(module)
        if own is None:
            continue
        path = _path_of(module)
        for line, target in _imports(path, module):
            other = _top(target)
            if other is not None and RANK[other] > RANK[own]:
                problems.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{line} ({own}) imports {target} ({other})")
    assert not problems, "imports against the data flow:\n" + "\n".join(problems)


def test_the_layer_check_sees_a_violation(tmp_path):
    """The checker itself: an upward import inside a function is found."""
    path = tmp_path / "bad.py"
    path.write_text("def f():\n    from ..present import cli\n    import alignment.ui.session\n")
    found = _imports(path, "alignment.data.bad")
    assert (2, "alignment.present") in found and (3, "alignment.ui.session") in found


def test_only_settings_reads_the_environment():
    readers = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "putenv", "unsetenv"}:
                if isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}")
            elif isinstance(node, ast.ImportFrom) and node.module == "os":
                if {a.name for a in node.names} & {"environ", "getenv"}:
                    readers.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}")
    readers = [r for r in readers if not r.startswith("alignment/settings.py")]
    assert not readers, "only alignment/settings.py may read os.environ:\n" + "\n".join(readers)
