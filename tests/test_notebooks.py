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
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ should hold the numbered exploration notebooks"
