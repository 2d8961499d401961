"""The turnover table in survival form: a discrete-time LightGBM hazard against Cox and Weibull AFT.

The public turnover table (`../shared/data/turnover_babushkin.csv`, 1,129 people) gives each person
the months observed (`stag`) and whether they left (`event`); the rest are still employed when the
data were taken — censored, not "stayed". Three models see the same features (the catalog
`configs/catalogs/turnover.yaml`; `stag` is the time axis, never a feature) on identical folds
(copies of a row kept in one fold, as `flightrisk benchmark` does):

- the discrete-time hazard the product uses on snapshots: each person expanded into the months they
  were observed, "left in this month" as the label, the month of observation as the hazard's time
  axis, LightGBM's Poisson objective; a person's risk of leaving within h months is 1 − exp(−H_h);
- Cox proportional hazards and a Weibull accelerated failure time model (`lifelines`, L2 0.1, the
  categories one-hot).

Reported per model, over 5 folds × 3 repeats: Harrell's concordance of the risk within 24 months
with the observed times, and (among people whose outcome at 12 months is known: left by then, or
observed longer) the ROC-AUC and Brier score of the 12-month risk.

    .venv/bin/python benchmarks/turnover_survival.py --out reports/turnover_survival.json
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from flightrisk.commands.inputs import read_flat
from flightrisk.flat.duplicates import find_duplicates
from flightrisk.flat.transform import fit_group_medians, flat_features
from flightrisk.model.flat_train import fold_splits
from flightrisk.model.risk_model import encode_features
from flightrisk.model.train import category_levels

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT.parent / "shared" / "data" / "turnover_babushkin.csv"
CATALOG = ROOT / "configs" / "catalogs" / "turnover.yaml"
HAZARD_PARAMS = {
    "objective": "poisson",
    "learning_rate": 0.03,
    "num_leaves": 7,
    "min_data_in_leaf": 100,
    "lambda_l2": 10.0,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "verbose": -1,
    "deterministic": True,
    "num_threads": 2,
}
HAZARD_ROUNDS = 300


def person_months(x: np.ndarray, duration: np.ndarray, event: np.ndarray):
    """One row per person and month observed (the last one partial), the month as an extra column,
    the label 1 in the month they left, and each month's exposure (a part month counts part)."""
    months = np.maximum(np.ceil(duration), 1).astype(int)
    person = np.repeat(np.arange(len(x)), months)
    month = np.arange(months.sum()) - np.repeat(np.cumsum(months) - months, months)
    exposure = np.minimum(duration[person] - month, 1.0).clip(0.05, 1.0)
    label = ((month == months[person] - 1) & (event[person] == 1)).astype(float)
    return np.column_stack([x[person], month]), label, exposure


def fit_hazard(x, duration, event, seed):
    """The booster and its starting log-rate. The exposure enters as an offset, with the mean monthly
    rate added: from a flat start every gradient would be equal and LightGBM would stop at one leaf."""
    rows, label, exposure = person_months(x, duration, event)
    start = float(np.log(label.sum() / exposure.sum()))
    data = lgb.Dataset(rows, label=label, init_score=np.log(exposure) + start, free_raw_data=False)
    return lgb.train(HAZARD_PARAMS | {"seed": seed}, data, num_boost_round=HAZARD_ROUNDS), start


def hazard_cumulative(fitted, x: np.ndarray, horizon: int) -> np.ndarray:
    """H over the first `horizon` months from the start of observation (a whole month each)."""
    booster, start = fitted
    months = np.arange(horizon, dtype=float)
    ahead = np.column_stack([np.repeat(x, horizon, axis=0), np.tile(months, len(x))])
    log_rate = booster.predict(ahead, raw_score=True) + start  # raw scores leave the offset out
    return np.exp(log_rate).reshape(len(x), horizon).sum(axis=1)


def design(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The features one-hot for the lifelines models, aligned to `columns` when given."""
    encoded = pd.get_dummies(frame, drop_first=True, dtype=float)
    if columns is not None:
        encoded = encoded.reindex(columns=columns, fill_value=0.0)
    return encoded


def lifelines_risks(kind: str, train: pd.DataFrame, test: pd.DataFrame, duration, event, train_rows) -> dict:
    from lifelines import CoxPHFitter, WeibullAFTFitter

    x_train = design(train)
    x_train = x_train.loc[:, x_train.std() > 0]
    x_test = design(test, list(x_train.columns))
    data = x_train.assign(_duration=duration[train_rows], _event=event[train_rows])
    model = (CoxPHFitter if kind == "cox" else WeibullAFTFitter)(penalizer=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(data, duration_col="_duration", event_col="_event")
        survival = model.predict_survival_function(x_test, times=[12.0, 24.0])
    return {h: 1.0 - survival.loc[float(h)].to_numpy() for h in (12, 24)}


def scores(duration, event, risk12, risk24) -> dict:
    from lifelines.utils import concordance_index

    known = (event.astype(bool) & (duration <= 12)) | (duration > 12)
    left_by_12 = (event.astype(bool) & (duration <= 12))[known].astype(int)
    return {
        "c_index": float(concordance_index(duration, -risk24, event)),
        "roc_auc_12m": float(roc_auc_score(left_by_12, risk12[known])),
        "brier_12m": float(brier_score_loss(left_by_12, risk12[known])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    flat, table = read_flat(args.table, CATALOG)
    frame = flat_features(flat, table, fit_group_medians(flat, table))
    features = frame[flat.catalog.names]
    duration = pd.to_numeric(table["stag"]).to_numpy(dtype=float)
    event = pd.to_numeric(table["event"]).to_numpy(dtype=int)
    groups = find_duplicates(features, event).groups
    x = encode_features(frame, flat.catalog, category_levels(frame, flat.catalog))
    results: dict[str, dict[str, list[float]]] = {"hazard_lightgbm": {}, "cox": {}, "weibull_aft": {}}
    seconds = dict.fromkeys(results, 0.0)
    for repeat in range(args.repeats):
        for train_rows, test_rows in fold_splits(event, groups, args.folds, args.seed + repeat):
            tick = time.perf_counter()
            booster = fit_hazard(x[train_rows], duration[train_rows], event[train_rows], args.seed + repeat)
            h = {m: hazard_cumulative(booster, x[test_rows], m) for m in (12, 24)}
            risks = {"hazard_lightgbm": {m: 1 - np.exp(-v) for m, v in h.items()}}
            seconds["hazard_lightgbm"] += time.perf_counter() - tick
            for kind, name in (("cox", "cox"), ("aft", "weibull_aft")):
                tick = time.perf_counter()
                risks[name] = lifelines_risks(
                    kind, features.iloc[train_rows], features.iloc[test_rows], duration, event, train_rows
                )
                seconds[name] += time.perf_counter() - tick
            for name, risk in risks.items():
                for metric, value in scores(
                    duration[test_rows], event[test_rows], risk[12], risk[24]
                ).items():
                    results[name].setdefault(metric, []).append(value)
    summary = {
        name: {
            **{f"{m}_mean": round(float(np.mean(v)), 4) for m, v in metrics.items()},
            **{f"{m}_std": round(float(np.std(v)), 4) for m, v in metrics.items()},
            "seconds": round(seconds[name], 1),
        }
        for name, metrics in results.items()
    }
    report = {
        "table": args.table.name,
        "people": int(len(table)),
        "left": int(event.sum()),
        "folds": args.folds,
        "repeats": args.repeats,
        "grouped_folds": bool(len(np.unique(groups)) < len(groups)),
        "models": summary,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=1))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
