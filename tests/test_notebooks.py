"""Notebooks are executed by the test suite on a small world, so they never rot."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, model_world, monkeypatch):
    monkeypatch.setenv("FLIGHTRISK_RAW", str(model_world["raw"]))
    monkeypatch.setenv("FLIGHTRISK_FEATURES", str(model_world["features_path"]))
    monkeypatch.setenv("FLIGHTRISK_MODEL", str(model_world["model_dir"]))
    notebook = nbformat.read(path, as_version=4)
    # execute() raises on the first failing cell, so reaching the checks below means none failed;
    # they check that every cell ran and that the notebook shows what it is for.
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), "a code cell did not run"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook draws no figure"


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ should hold the numbered exploration notebooks"
