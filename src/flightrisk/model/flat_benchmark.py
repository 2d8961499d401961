"""Repeated stratified k-fold of the tool's flat-table model against baselines, on identical folds."""

from __future__ import annotations

import dataclasses
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from flightrisk.config import FLAT_SETTINGS
from flightrisk.flat.catalog import FlatCatalog
from flightrisk.flat.transform import fit_group_medians, flat_features
from flightrisk.model.baselines import logistic_baseline
from flightrisk.model.flat_train import blended_margin, fit_components
from flightrisk.model.risk_model import encode_features
from flightrisk.model.train import category_levels


def run_benchmark(flat: FlatCatalog, table: pd.DataFrame, folds: int, repeats: int, seed: int) -> dict:
    """Repeated stratified k-fold: flightrisk against logistic regression, default LightGBM and the prior."""
    table = table.reset_index(drop=True)
    y = (table[flat.table.label_column].astype(str) == flat.table.positive).astype(int).to_numpy()
    base = [f for f in flat.catalog.features if f.name not in flat.table.derived]
    numeric = [f.name for f in base if f.type == "numeric"]
    categorical = [f.name for f in base if f.type == "categorical"]
    scores: dict[str, dict[str, list[float]]] = {
        name: {"roc_auc": [], "pr_auc": [], "seconds": []}
        for name in ("flightrisk", "logistic_regression", "lightgbm_default", "prior")
    }
    settings = dataclasses.replace(FLAT_SETTINGS, seed=seed)
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    for split, (train_rows, test_rows) in enumerate(splitter.split(np.zeros(len(y)), y)):
        train, test = table.iloc[train_rows], table.iloc[test_rows]
        predictions = {}
        start = time.perf_counter()
        fit = fit_components(flat, train, settings, seed + split)
        predictions["flightrisk"] = (
            blended_margin(fit, flat, test, settings.linear_weight),
            time.perf_counter() - start,
        )

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
        default = lgb.LGBMClassifier(random_state=seed, verbose=-1, n_jobs=2)
        default.fit(x_train, y[train_rows], categorical_feature=cat_index or "auto")
        predictions["lightgbm_default"] = (default.predict_proba(x_test)[:, 1], time.perf_counter() - start)

        start = time.perf_counter()
        predictions["prior"] = (np.full(len(test_rows), y[train_rows].mean()), time.perf_counter() - start)
        for name, (predicted, seconds) in predictions.items():
            truth = y[test_rows]
            scores[name]["roc_auc"].append(roc_auc_score(truth, predicted))
            scores[name]["pr_auc"].append(average_precision_score(truth, predicted))
            scores[name]["seconds"].append(seconds)
    models = {
        name: {
            "roc_auc_mean": round(float(np.mean(v["roc_auc"])), 4),
            "roc_auc_std": round(float(np.std(v["roc_auc"])), 4),
            "pr_auc_mean": round(float(np.mean(v["pr_auc"])), 4),
            "pr_auc_std": round(float(np.std(v["pr_auc"])), 4),
            "seconds": round(float(np.sum(v["seconds"])), 2),
        }
        for name, v in scores.items()
    }
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "folds": folds,
        "repeats": repeats,
        "seed": seed,
        "models": models,
    }
