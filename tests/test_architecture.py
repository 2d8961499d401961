"""The import graph matches docs/architecture.md: data flows one way, no package imports one above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "flightrisk"


def _layers() -> list[set[str]]:
    """The layers as docs/architecture.md draws them, lowest first (a line `N. a, b, c`)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Layers", 1)[1]
    layers = []
    for line in block.splitlines():
        found = re.match(r"^(\d+)\. (.+)$", line.strip())
        if found:
            layers.append({name.strip(" `") for name in found.group(2).split("—")[0].split(",")})
        elif layers and line.startswith("#"):
            break
    return layers


def _unit(module: str) -> str:
    """A module's unit in the picture: its package below flightrisk, or the top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "flightrisk"


def _named(package: str, name: str) -> str:
    inside = SOURCE / name
    return f"{package}.{name}" if inside.with_suffix(".py").is_file() or inside.is_dir() else package


def _imports() -> list[tuple[str, str]]:
    """(importing module, imported module) for every flightrisk import, at any depth in a function."""
    edges = []
    for path in SOURCE.rglob("*.py"):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target == "flightrisk":  # `from flightrisk import tracking` names a module
                    edges.extend((module, _named(target, a.name)) for a in node.names)
                elif target.startswith("flightrisk"):
                    edges.append((module, target))
            elif isinstance(node, ast.Import):
                edges.extend((module, a.name) for a in node.names if a.name.startswith("flightrisk"))
    return edges


def test_every_package_is_in_the_picture():
    drawn = set().union(*_layers())
    units = {_unit(m) for m, _ in _imports()} | {p.stem for p in SOURCE.glob("*.py")} - {"__init__"}
    units |= {p.name for p in SOURCE.iterdir() if (p / "__init__.py").is_file()}
    assert units - drawn == set(), "add these to docs/architecture.md's layers"


def test_no_module_imports_one_above_it_or_beside_it():
    rank = {unit: level for level, units in enumerate(_layers()) for unit in units}
    wrong = sorted(
        f"{source} imports {target}"
        for source, target in _imports()
        if _unit(source) != _unit(target) and rank[_unit(target)] >= rank[_unit(source)]
    )
    assert wrong == []


def test_the_checker_sees_a_back_edge():
    # The test above could pass by reading nothing: it must find the imports that do exist.
    edges = set(_imports())
    assert ("flightrisk.score.batch", "flightrisk.explain.contributions") in edges
    rank = {unit: level for level, units in enumerate(_layers()) for unit in units}
    assert rank["explain"] < rank["score"] < rank["pipeline"] < rank["cli"]
