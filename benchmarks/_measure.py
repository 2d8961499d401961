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


def step_truth(model_dir: str, features: str, raw: str) -> dict:
    import pandas as pd

    from flightrisk.explain.truth_check import truth_correlations
    from flightrisk.model.artifact import load_model

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
