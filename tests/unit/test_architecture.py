"""The boundaries docs/architecture.md draws, held by reading every import: each folder of
the harness imports only what its row allows, nothing in the harness imports the reference
API, and the modules of the harness import each other without a cycle."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

# Folder of harness/ -> the other folders of harness/ it may import.
MAY_IMPORT = {
    "inspect": set(),
    "races": set(),
    "stacks": {"inspect"},
    "report": {"races"},
    "plugin": {"inspect", "races", "stacks", "report"},
    "load": {"races", "stacks", "report"},
    "bench": {"stacks"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of the modules `path` imports (relative imports resolved)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


HARNESS = sorted((ROOT / "harness").rglob("*.py"))


@pytest.mark.parametrize("path", HARNESS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_folder_imports_only_what_it_may(path: Path) -> None:
    folder = path.relative_to(ROOT / "harness").parts[0]
    if folder not in MAY_IMPORT:
        return  # harness/__init__.py
    allowed = MAY_IMPORT[folder] | {folder}
    reached = {
        name.split(".")[1]
        for name in imports_of(path)
        if name.startswith("harness.") and (ROOT / "harness" / name.split(".")[1]).is_dir()
    }
    assert reached <= allowed, f"harness/{folder} may import {sorted(allowed)}, imports {reached}"
    leaks = sorted(name for name in imports_of(path) if name.split(".")[0] == "reference_api")
    assert not leaks, f"the harness measures any API and imports none: {leaks}"


def test_no_import_cycle_in_the_harness() -> None:
    modules = {module_name(path): path for path in HARNESS}
    graph = {
        name: {other for other in imports_of(path) if other in modules and other != name}
        for name, path in modules.items()
    }
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")
