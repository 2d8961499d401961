"""The IO edge of the pipeline stages the CLI runs: read inputs, call the pure code, write outputs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from flightrisk.config import TrainSettings
from flightrisk.errors import InputError
from flightrisk.features import load_catalog
from flightrisk.io import find_table, read_table, sha256_file, write_json

FEATURE_ID_COLUMNS = ("employee_id", "snapshot_date", "label")


def read_features(path: Path) -> pd.DataFrame:
    """Read a feature table and type its id columns."""
    frame = read_table(path)
    missing = [c for c in FEATURE_ID_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; is this a table from `flightrisk features`?")
    frame["employee_id"] = frame["employee_id"].astype(str)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"], errors="coerce")
    if frame["snapshot_date"].isna().any():
        rows = (frame.index[frame["snapshot_date"].isna()] + 1).tolist()[:5]
        raise InputError(f"{path}: column 'snapshot_date' has values that are not dates in rows {rows}")
    frame["label"] = pd.to_numeric(frame["label"], errors="coerce").astype("Int64")
    return frame


def read_truth(raw: Path | None) -> pd.DataFrame | None:
    if raw is None:
        return None
    path = find_table(Path(raw) / "truth", "hazard")
    return read_table(path) if path is not None else None


def train_snapshots_cli(features_file: Path, out_dir: Path, raw: Path | None, settings: TrainSettings,
                        register: bool, console) -> dict:
    from flightrisk.model.artifact import save_model
    from flightrisk.model.train import train_on_snapshots

    features = read_features(features_file)
    catalog = load_catalog()
    missing = [name for name in catalog.names if name not in features.columns]
    if missing:
        raise InputError(f"{features_file}: missing feature column(s) {missing}; rebuild with `flightrisk features`")
    model, report = train_on_snapshots(features, catalog, settings, sha256_file(features_file))
    truth = read_truth(raw)
    if truth is not None:
        from flightrisk.model.evaluate import oracle_roc_auc

        report.metrics["oracle_roc_auc"] = oracle_roc_auc(report.holdout, truth, settings.horizon_months)
        model.metadata["metrics"] = report.metrics
    save_model(model, out_dir)
    summary = {"holdout roc_auc": report.metrics["roc_auc"], "ece": report.metrics["ece"],
               "logistic roc_auc": report.metrics["baselines"]["logistic_regression"]["roc_auc"]}
    if "oracle_roc_auc" in report.metrics:
        summary["oracle roc_auc"] = report.metrics["oracle_roc_auc"]
    console.print("Trained " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()) + f"; model in {out_dir}")
    if register:
        registered = log_to_mlflow(out_dir, model, report)
        verdict = "promoted to champion" if registered["promoted"] else "NOT promoted"
        console.print(f"MLflow: registered flightrisk version {registered['version']}, {verdict} ({registered['gate']})")
    return report.metrics


def log_to_mlflow(out_dir: Path, model, report) -> dict:
    from flightrisk import tracking
    from flightrisk.report.charts import calibration_png, importance_png

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = {
            "catalog": Path(out_dir) / "catalog.yaml",
            "metrics": tmp / "metrics.json",
            "calibration": tmp / "calibration.png",
            "importance": tmp / "feature_importance.png",
            "importance_table": tmp / "feature_importance.csv",
        }
        write_json(report.metrics, files["metrics"])
        calibration_png(report.calibration_bins, files["calibration"])
        importance_png(report.importance, files["importance"])
        report.importance.to_csv(files["importance_table"], index=False)
        params = dict(model.metadata["settings"]) | {"best_rounds": report.best_rounds,
                                                     "data_sha256": model.metadata["data_sha256"]}
        return tracking.log_training_run(out_dir, params, report.metrics, files)


def evaluate_cli(model_dir: Path, features_file: Path, raw: Path | None, out_file: Path | None) -> dict:
    from flightrisk.model.artifact import load_model
    from flightrisk.model.evaluate import evaluate_model

    model = load_model(model_dir)
    metrics = evaluate_model(model, read_features(features_file), read_truth(raw))
    if out_file is not None:
        write_json(metrics, out_file)
    return json.loads(json.dumps(metrics))
