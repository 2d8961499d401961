"""`flightrisk evaluate`: holdout metrics from a saved model; on a simulated extract, the truth report."""

from __future__ import annotations

import json
from pathlib import Path

from flightrisk.commands.inputs import read_employees, read_features, read_raw_table, read_truth
from flightrisk.io import find_table, write_json
from flightrisk.model.artifact import load_model
from flightrisk.model.evaluate import evaluate_model

KEPT_FROM_TRAINING = ("model_comparison", "horizons", "survival")


def evaluate_cli(
    model_dir: Path,
    features_file: Path,
    raw: Path | None,
    out_file: Path | None,
    truth_file: Path | None = None,
) -> dict:
    """Holdout metrics (+ oracle and fairness with --raw); with a simulated extract, also the truth report."""
    model = load_model(model_dir)
    features = read_features(features_file)
    metrics = evaluate_model(model, features, read_truth(raw), read_employees(raw))
    trained = model.metadata.get("metrics") or {}
    for key in KEPT_FROM_TRAINING:
        # Measured when both kinds were trained (each on its own holdout model): kept as training saw it.
        if key in trained:
            metrics[key] = trained[key]
    metrics["model_kind"] = model.kind
    if out_file is not None:
        write_json(metrics, out_file)
    if truth_file is not None and raw is not None and find_table(Path(raw) / "truth", "risk") is not None:
        write_json(_truth_report(model, features, Path(raw)), truth_file)
    return json.loads(json.dumps(metrics))


def _truth_report(model, features, raw: Path) -> dict:
    """Read the world and its truth tables, then measure the tool against them (`truth/report.py`)."""
    from flightrisk.synth import load_world
    from flightrisk.truth.report import truth_report

    return truth_report(
        model,
        features,
        load_world(raw / "world.yaml"),
        risk=read_truth(raw, "risk"),
        hazard=read_truth(raw, "hazard"),
        compensation=read_raw_table(raw, "compensation"),
        job_history=read_raw_table(raw, "job_history"),
    )
