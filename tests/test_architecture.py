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
    assert rank["explain"] < rank["score"] < rank["commands"] < rank["cli"]


# What counts as touching the outside world: the environment, and calls that read, write, list or
# stat files (builtins, os, shutil, tempfile, pathlib, and pandas' and matplotlib's file IO).
ENVIRONMENT = {"environ", "getenv", "putenv", "unsetenv"}
FILE_CALLS = {
    "open", "read_text", "write_text", "read_bytes", "write_bytes", "mkdir", "unlink", "rmdir", "touch",
    "iterdir", "glob", "rglob", "read_parquet", "read_csv", "read_json", "to_parquet", "to_csv", "to_json",
    "savefig", "mkstemp", "mkdtemp", "TemporaryDirectory", "NamedTemporaryFile", "rmtree", "copytree",
    "copy2", "listdir", "scandir", "lstat", "chmod", "is_file", "is_dir", "exists", "lexists",
}  # fmt: skip
OS_ONLY = {
    "replace",
    "rename",
    "remove",
    "stat",
    "copy",
    "move",
}  # only as os.*/shutil.* (frames have them too)


def _touches(path: Path) -> set[str]:
    """What a module does to the outside world, by the calls and attributes it uses."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT:
            found.add("environment")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        owner = getattr(getattr(func, "value", None), "id", None)
        if name in FILE_CALLS or (name in OS_ONLY and owner in ("os", "shutil")):
            found.add("files")
    return found


def _edge_modules() -> tuple[set[str], set[str]]:
    """The modules docs/architecture.md lists under "Where the outside world is touched", and those
    it says read the environment."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Where the outside world is touched", 1)[1].split("\n## ", 1)[0]
    files, environment = section.split("Environment variables", 1)
    environment = environment.split("\n\n", 1)[0]  # its paragraph; the module table follows
    named = lambda part: {m for m in re.findall(r"`([a-z_/]+(?:\.py|/))`", part)}  # noqa: E731
    return named(files), named(environment)


def _listed(relative: str, listed: set[str]) -> bool:
    return relative in listed or any(entry.endswith("/") and relative.startswith(entry) for entry in listed)


def test_only_the_listed_edge_modules_touch_files_or_the_environment():
    files, environment = _edge_modules()
    wrong = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        touched = _touches(path)
        if "files" in touched and not _listed(relative, files):
            wrong.append(f"{relative} touches files")
        if "environment" in touched and not _listed(relative, environment):
            wrong.append(f"{relative} reads the environment")
    assert wrong == [], "list these in docs/architecture.md, or move their IO to an edge module"
    # And the other way: every module the list names does touch what it is listed for.
    for entry, kind in [*((e, "files") for e in files), *((e, "environment") for e in environment)]:
        named = [p for p in SOURCE.rglob("*.py") if _listed(p.relative_to(SOURCE).as_posix(), {entry})]
        assert named, f"docs/architecture.md lists {entry}, which does not exist"
        assert any(kind in _touches(p) for p in named), (
            f"docs/architecture.md lists {entry}: it touches no {kind}"
        )


def test_the_edge_checker_sees_io():
    # The test above could pass by seeing nothing: it must find the IO that does exist.
    assert _touches(SOURCE / "io.py") == {"files"}
    assert "environment" in _touches(SOURCE / "config.py")
    assert _touches(SOURCE / "explain" / "narrative.py") == set()
    files, environment = _edge_modules()
    assert "io.py" in files and environment == {"config.py"}
