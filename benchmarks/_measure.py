"""Run one benchmark step in this process and print its figures as JSON (time, peak memory)."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_simulate(out: str, reps: str, months: str = "48") -> dict:
    from flightrisk.synth import World, simulate_organisation
    from flightrisk.synth.write import write_extract

    world = World(reps=int(reps), months=int(months))
    start = time.perf_counter()
    result = simulate_organisation(world)
    simulated = time.perf_counter() - start
    write_extract(result, world, Path(out))
    return {
        "reps": int(reps),
        "months": int(months),
        "simulate_seconds": round(simulated, 2),
        "total_seconds": round(time.perf_counter() - start, 2),
        "people": len(result.tables["employees"]),
        "voluntary_attrition": round(result.voluntary_attrition, 4),
        "involuntary_attrition": round(result.involuntary_attrition, 4),
    }


def step_features(raw: str, out: str) -> dict:
    from flightrisk.features import build_snapshot_features, load_catalog
    from flightrisk.schema import load_raw

    start = time.perf_counter()
    tables = load_raw(Path(raw))
    loaded = time.perf_counter() - start
    table = build_snapshot_features(tables, load_catalog())
    built = time.perf_counter() - start - loaded
    table.to_parquet(out, index=False)
    return {
        "rows": len(table),
        "load_validate_seconds": round(loaded, 2),
        "features_seconds": round(built, 2),
    }


def step_train(features: str) -> dict:
    """Train the default model on a feature table: time and peak memory (one process per step)."""
    import pandas as pd

    from flightrisk.config import SHAPE_GRID, TrainSettings
    from flightrisk.features import load_catalog
    from flightrisk.model.train import train_on_snapshots

    frame = pd.read_parquet(features)
    start = time.perf_counter()
    # As `flightrisk train` does by default: the shape chosen on the validation months.
    model, report = train_on_snapshots(
        frame, load_catalog(), TrainSettings(shape_grid=SHAPE_GRID), "benchmark"
    )
    return {
        "rows": len(frame),
        "train_seconds": round(time.perf_counter() - start, 1),
        "rounds": report.best_rounds,
        "holdout_roc_auc": round(report.metrics["roc_auc"], 4),
        "holdout_ece": round(report.metrics["ece"], 4),
    }


def step_explain(model_dir: str, features: str, rows: str) -> dict:
    import numpy as np
    import pandas as pd
    import shap

    from flightrisk.model.artifact import load_model
    from flightrisk.score.batch import score_frame

    model = load_model(Path(model_dir))
    frame = pd.read_parquet(features)
    frame = frame.sample(n=min(int(rows), len(frame)), random_state=0, replace=int(rows) > len(frame))
    x = model.encode(frame)
    out = {"rows": len(frame)}
    start = time.perf_counter()
    model.risk(frame)
    out["score_only_rows_per_second"] = round(len(frame) / (time.perf_counter() - start))
    start = time.perf_counter()
    score_frame(model, frame, explain=True)
    out["score_with_explanations_rows_per_second"] = round(len(frame) / (time.perf_counter() - start))
    start = time.perf_counter()
    ours = model.booster.predict(x, pred_contrib=True)
    out["lightgbm_pred_contrib_rows_per_second"] = round(len(frame) / (time.perf_counter() - start))
    sample = x[:20_000]
    start = time.perf_counter()
    theirs = shap.TreeExplainer(model.booster).shap_values(sample)
    out["shap_treeexplainer_rows_per_second"] = round(len(sample) / (time.perf_counter() - start))
    theirs = theirs[1] if isinstance(theirs, list) else theirs
    out["max_abs_difference_vs_shap"] = float(np.abs(ours[: len(sample), :-1] - theirs).max())
    return out


def step_engines(model_dir: str, features: str, rows: str) -> dict:
    """TreeSHAP engines on the same rows, in one run: rows/s and the ratio to shap.TreeExplainer."""
    import os

    import numpy as np
    import pandas as pd
    import shap

    from flightrisk.model.artifact import load_model
    from flightrisk.model.treeshap import build_tables, shap_values
    from flightrisk.score.batch import score_frame

    model = load_model(Path(model_dir))
    frame = pd.read_parquet(features)
    latest = sorted(frame["snapshot_date"].unique())[-4:]  # the latest months: ~20,000 snapshots
    frame = frame[frame["snapshot_date"].isin(latest)].head(int(rows)).reset_index(drop=True)
    x = model.encode(frame)
    booster = model.booster
    out = {"rows": len(frame), "trees": booster.num_trees()}

    def rate(n, fn):
        start = time.perf_counter()
        fn()
        return n / (time.perf_counter() - start)

    small = x[:2000]
    out["shap_treeexplainer"] = rate(len(small), lambda: shap.TreeExplainer(booster).shap_values(small))
    for threads in (1, 2):
        out[f"pred_contrib_{threads}_thread"] = rate(
            len(small), lambda t=threads: booster.predict(small, pred_contrib=True, num_threads=t)
        )
    start = time.perf_counter()
    tables = build_tables(booster)
    out["tables_seconds"] = round(time.perf_counter() - start, 2)
    out["tables_megabytes"] = round(tables.megabytes, 1)
    out["fallback_trees"] = len(tables.fallback_trees)
    shap_values(tables, booster, x[:100], threads=1)  # compiled (or read from numba's cache)
    for threads in (1, 2):
        out[f"engine_{threads}_thread"] = rate(len(x), lambda t=threads: shap_values(tables, booster, x, t))
    reference = booster.predict(x[:2000], pred_contrib=True)
    out["engine_max_abs_difference"] = float(
        np.abs(shap_values(tables, booster, x[:2000], 2) - reference).max()
    )
    model.margin_contributions(frame.head(100))  # builds and checks the engine once
    out["score_explain_engine"] = rate(len(frame), lambda: score_frame(model, frame, explain=True))
    os.environ["FLIGHTRISK_TREESHAP"] = "lightgbm"
    part = frame.head(2000)
    out["score_explain_pred_contrib"] = rate(len(part), lambda: score_frame(model, part, explain=True))
    del os.environ["FLIGHTRISK_TREESHAP"]
    out["score_only"] = rate(len(frame), lambda: model.risk(frame))
    base = out["shap_treeexplainer"]
    for key in list(out):
        if key.startswith(("pred_contrib", "engine_", "score_")) and key not in (
            "engine_max_abs_difference",
        ):
            out[f"{key}_x_shap"] = round(out[key] / base, 1)
            out[key] = round(out[key])
    out["shap_treeexplainer"] = round(base)
    return out


def step_truth(model_dir: str, features: str, raw: str) -> dict:
    import pandas as pd

    from flightrisk.model.artifact import load_model
    from flightrisk.truth.explanations import truth_correlations

    model = load_model(Path(model_dir))
    frame = pd.read_parquet(features)
    holdout_start = pd.Timestamp(model.metadata["holdout_window"][0])
    frame = frame[frame["snapshot_date"] >= holdout_start]
    truth = pd.read_parquet(Path(raw) / "truth" / "hazard.parquet")
    return truth_correlations(model, frame, truth)


if __name__ == "__main__":
    name, *args = sys.argv[1:]
    result = globals()[f"step_{name}"](*args)
    result["peak_rss_mb"] = round(peak_mb())
    print(json.dumps(result))
