"""Shared fixtures: one small simulated world per test session, written once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flightrisk.config import TrainSettings
from flightrisk.features import build_snapshot_features, load_catalog
from flightrisk.model.artifact import load_model, save_model
from flightrisk.model.train import train_on_snapshots
from flightrisk.schema import load_raw
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


# Tests that need a simulated world with a trained model take seconds each: they are `slow`, and
# `make test-fast` (pytest -m "not slow and not browser") leaves them out.
HEAVY_FIXTURES = {"model_world"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # `make test` deals whole files to two workers in collection order; the files with the most slow
    # tests go first, so that the last file dealt is a short one and neither worker waits on the other.
    slow = {}
    for item in items:
        slow[item.fspath] = slow.get(item.fspath, 0) + (item.get_closest_marker("slow") is not None)
    first_seen = {path: n for n, path in enumerate(dict.fromkeys(item.fspath for item in items))}
    items.sort(key=lambda item: (-slow[item.fspath], first_seen[item.fspath]))


MODEL_WORLD = World(seed=3, reps=600, months=30)
MODEL_SETTINGS = TrainSettings(holdout_months=3, validation_months=3, max_rounds=300, min_data_in_leaf=50)


@pytest.fixture(scope="session")
def model_world(tmp_path_factory):
    """A small world, its features, and a model trained on them (saved, reloaded from disk)."""
    result = simulate_organisation(MODEL_WORLD)
    raw = tmp_path_factory.mktemp("model_raw")
    write_extract(result, MODEL_WORLD, raw)
    tables = load_raw(raw)
    catalog = load_catalog()
    features = build_snapshot_features(tables, catalog)
    model, report = train_on_snapshots(features, catalog, MODEL_SETTINGS, "test")
    model_dir = tmp_path_factory.mktemp("model") / "flightrisk"
    save_model(model, model_dir)
    features_path = raw.parent / "features.parquet"
    features.to_parquet(features_path, index=False)
    return {
        "raw": raw,
        "tables": tables,
        "features": features,
        "features_path": features_path,
        "model": load_model(model_dir),
        "model_dir": model_dir,
        "report": report,
        "result": result,
    }


@pytest.fixture()
def without_causal_layer(monkeypatch):
    """`train` without the causal layer's cross-fitted boosters (~20 s on the model world), for tests
    of something else (the kinds compared, the gate, a short history); tests/test_causal.py tests it."""
    monkeypatch.setattr("flightrisk.commands.train.causal_effects_for", lambda *args, **kwargs: {})


@pytest.fixture()
def quick_table_fits(monkeypatch):
    """The shared public tables (IBM, turnover) trained at five times the learning rate, with early
    stopping as much shorter, and three outer folds of two inner ones (five of three in full): their
    end-to-end tests check the flow and the figures' floors, not the tuned model (its figures are
    `make benchmark`'s, docs/benchmarks.md): 47 s -> 31 s for the three tests at the rate, and the
    folds a fifth more (24-26 s -> 20-21 s, two runs each way)."""
    import dataclasses

    from flightrisk.config import FLAT_SETTINGS, SURVIVAL_SETTINGS

    def quick(settings):
        return dataclasses.replace(
            settings,
            learning_rate=settings.learning_rate * 5,
            early_stopping_rounds=max(20, settings.early_stopping_rounds // 5),
            cv_folds=min(settings.cv_folds, 3),
            inner_folds=min(settings.inner_folds, 2),
        )

    monkeypatch.setattr("flightrisk.model.flat_train.FLAT_SETTINGS", quick(FLAT_SETTINGS))
    monkeypatch.setattr("flightrisk.model.flat_hazard_train.SURVIVAL_SETTINGS", quick(SURVIVAL_SETTINGS))


@pytest.fixture()
def raw_copy(tmp_path, small_raw_dir) -> Path:
    """A private copy of the small extract, for tests that break it on purpose."""
    target = tmp_path / "raw"
    shutil.copytree(small_raw_dir, target)
    return target


@pytest.fixture()
def cli(capsys, tmp_path, monkeypatch):
    """Run the `flightrisk` CLI in this process, in a scratch working directory (scoring appends to
    reports/runs.jsonl there): returns (exit code, stdout, stderr)."""
    import sys

    from flightrisk import cli as entry

    monkeypatch.chdir(tmp_path)

    def run(*args):
        saved = sys.argv
        sys.argv = ["flightrisk", *map(str, args)]
        try:
            entry.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.argv = saved
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def run_in_process(*args, cwd=None):
    """`flightrisk ARGS` in this process, answering like subprocess.run (returncode, stdout, stderr):
    a fresh interpreter spends ~7 s importing pandas, LightGBM and scikit-learn on these machines.
    Tests of what only a separate process shows (signals, a killed run) keep using subprocess."""
    import contextlib
    import io
    import os
    import sys
    from types import SimpleNamespace

    from flightrisk import cli as entry

    saved_argv, saved_cwd = sys.argv, os.getcwd()
    stdout, stderr, code = io.StringIO(), io.StringIO(), 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["flightrisk", *map(str, args)]
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            entry.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
    return SimpleNamespace(returncode=code, stdout=stdout.getvalue(), stderr=stderr.getvalue())
