"""Repeated stratified k-fold of the tool's flat-table model against baselines, on identical folds.

Every model of a split is fitted on the split's training rows only (group medians, categories,
capacity and rounds included) and scored on its test rows. When the table has copied rows the folds
keep each group of copies together (`groups`), for every model alike.
"""

from __future__ import annotations

import dataclasses
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from flightrisk.config import FLAT_SETTINGS
from flightrisk.flat.catalog import FlatCatalog
from flightrisk.flat.transform import fit_group_medians, flat_features, outcomes
from flightrisk.model.baselines import logistic_baseline
from flightrisk.model.flat_train import blended_margin, fit_components, fold_splits, has_shared_groups
from flightrisk.model.risk_model import encode_features
from flightrisk.model.train import category_levels

# The SPEC's four models, and the tool's model with the capacity fixed in advance (reported beside them).
FIXED = "flightrisk_fixed_capacity"
MODELS = ("flightrisk", FIXED, "logistic_regression", "lightgbm_default", "prior")
BASELINES = ("logistic_regression", "lightgbm_default")


def benchmark_splits(y: np.ndarray, groups: np.ndarray | None, folds: int, repeats: int, seed: int) -> list:
    """`repeats` differently shuffled k-fold splits (grouped when `groups` has copies)."""
    return [split for repeat in range(repeats) for split in fold_splits(y, groups, folds, seed + repeat)]


def run_benchmark(
    flat: FlatCatalog,
    table: pd.DataFrame,
    folds: int,
    repeats: int,
    seed: int,
    groups: np.ndarray | None = None,
    on_split=None,
) -> dict:
    """Repeated stratified k-fold: flightrisk (capacity chosen in the fold, and fixed in advance) against
    logistic regression, default LightGBM and the prior. `on_split()` is called after each split."""
    table = table.reset_index(drop=True)
    y = outcomes(flat, table)
    base = [f for f in flat.catalog.features if f.name not in flat.table.derived]
    numeric = [f.name for f in base if f.type == "numeric"]
    categorical = [f.name for f in base if f.type == "categorical"]
    scores = {name: {"roc_auc": [], "pr_auc": [], "seconds": []} for name in MODELS}
    chosen = []
    settings = dataclasses.replace(FLAT_SETTINGS, seed=seed)
    fixed = dataclasses.replace(settings, capacity_shapes=(), blend_weights=())
    for split, (train_rows, test_rows) in enumerate(benchmark_splits(y, groups, folds, repeats, seed)):
        train, test = table.iloc[train_rows], table.iloc[test_rows]
        train_groups = None if groups is None else groups[train_rows]
        predictions = {}
        for name, used in (("flightrisk", settings), (FIXED, fixed)):
            start = time.perf_counter()
            fit = fit_components(flat, train, used, seed + split, train_groups)
            predictions[name] = (blended_margin(fit, flat, test), time.perf_counter() - start)
            if name == "flightrisk":
                chosen.append(fit.capacity)

        start = time.perf_counter()
        medians = fit_group_medians(flat, train)
        raw_train, raw_test = flat_features(flat, train, medians), flat_features(flat, test, medians)
        predictions["logistic_regression"] = (
            logistic_baseline(raw_train, y[train_rows], raw_test, numeric, categorical, c=settings.linear_c),
            time.perf_counter() - start,
        )

        start = time.perf_counter()
        categories = category_levels(raw_train, flat.catalog)
        x_train = encode_features(raw_train, flat.catalog, categories)
        x_test = encode_features(raw_test, flat.catalog, categories)
        cat_index = [i for i, f in enumerate(flat.catalog.features) if f.type == "categorical"]
        default = lgb.LGBMClassifier(random_state=seed, verbose=-1, n_jobs=settings.num_threads)
        default.fit(x_train, y[train_rows], categorical_feature=cat_index or "auto")
        predictions["lightgbm_default"] = (default.predict_proba(x_test)[:, 1], time.perf_counter() - start)

        start = time.perf_counter()
        predictions["prior"] = (np.full(len(test_rows), y[train_rows].mean()), time.perf_counter() - start)
        for name, (predicted, seconds) in predictions.items():
            truth = y[test_rows]
            scores[name]["roc_auc"].append(roc_auc_score(truth, predicted))
            scores[name]["pr_auc"].append(average_precision_score(truth, predicted))
            scores[name]["seconds"].append(seconds)
        if on_split:
            on_split()
    models = {name: _summary(values) for name, values in scores.items() if name != FIXED}
    best_baseline = max(BASELINES, key=lambda name: models[name]["roc_auc_mean"])
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "folds": folds,
        "repeats": repeats,
        "seed": seed,
        "grouped_folds": has_shared_groups(groups),
        "models": models,
        "best_baseline": best_baseline,
        "margin_over_best_baseline": round(
            models["flightrisk"]["roc_auc_mean"] - models[best_baseline]["roc_auc_mean"], 4
        ),
        "capacity_chosen": _capacity_counts(chosen),
        FIXED: _summary(scores[FIXED]),
    }


def _summary(values: dict[str, list[float]]) -> dict:
    return {
        "roc_auc_mean": round(float(np.mean(values["roc_auc"])), 4),
        "roc_auc_std": round(float(np.std(values["roc_auc"])), 4),
        "pr_auc_mean": round(float(np.mean(values["pr_auc"])), 4),
        "pr_auc_std": round(float(np.std(values["pr_auc"])), 4),
        "seconds": round(float(np.sum(values["seconds"])), 2),
    }


def _capacity_counts(chosen: list) -> list[dict]:
    """How often each (leaves, weight) was chosen over the splits, most often first."""
    counts: dict[tuple, int] = {}
    for capacity in chosen:
        key = (capacity.num_leaves, capacity.linear_weight)
        counts[key] = counts.get(key, 0) + 1
    return [
        {"num_leaves": leaves, "linear_weight": weight, "splits": n}
        for (leaves, weight), n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
