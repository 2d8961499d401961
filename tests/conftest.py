"""Shared fixtures: one small simulated world per test session, written once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flightrisk.synth import World, simulate_organisation
from flightrisk.synth.write import write_extract

SHARED = Path(__file__).resolve().parents[2] / "shared"
SMALL_WORLD = World(seed=7, reps=400, months=36)


@pytest.fixture(scope="session")
def small_result():
    return simulate_organisation(SMALL_WORLD)


@pytest.fixture(scope="session")
def small_raw_dir(tmp_path_factory, small_result) -> Path:
    out = tmp_path_factory.mktemp("raw")
    write_extract(small_result, SMALL_WORLD, out)
    return out


@pytest.fixture()
def raw_copy(tmp_path, small_raw_dir) -> Path:
    """A private copy of the small extract, for tests that break it on purpose."""
    target = tmp_path / "raw"
    shutil.copytree(small_raw_dir, target)
    return target
