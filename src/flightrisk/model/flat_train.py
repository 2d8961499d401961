"""Training on a flat table: stratified cross-validation instead of a time split (a flat table has
no time), LightGBM with the catalog's monotone constraints blended with a logistic regression, Platt
calibration on cross-fitted margins. Settings are fixed in advance for small tables; the number of
rounds is chosen by early stopping inside each training fold (nested), never on a test fold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

from flightrisk.config import FLAT_SETTINGS, TrainSettings
from flightrisk.flat.catalog import FlatCatalog
from flightrisk.flat.transform import fit_group_medians, flat_features
from flightrisk.model.baselines import logistic_baseline
from flightrisk.model.calibration import fit_platt
from flightrisk.model.linear import LinearPart, blend, fit_linear
from flightrisk.model.metrics import calibration_table, holdout_metrics
from flightrisk.model.profile import build_profile
from flightrisk.model.risk_model import FlatModel, encode_features
from flightrisk.model.train import TrainingReport, category_levels, common_metadata, fit_booster


@dataclasses.dataclass
class FlatFit:
    """One fit of a flat model's parts on some rows: booster, linear part, categories, medians."""

    booster: lgb.Booster
    linear: LinearPart
    categories: dict
    medians: dict
    rounds: int


def fit_components(flat: FlatCatalog, table: pd.DataFrame, settings: TrainSettings, seed: int) -> FlatFit:
    """Booster (rounds by early stopping on an inner split of these rows) and linear part."""
    medians = fit_group_medians(flat, table)
    frame = flat_features(flat, table, medians)
    y = frame["label"].astype(int).to_numpy()
    catalog = flat.catalog
    categories = category_levels(frame, catalog)
    x = encode_features(frame, catalog, categories)
    inner_train, inner_valid = train_test_split(
        np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed
    )
    early = fit_booster(
        x[inner_train], y[inner_train], catalog, settings, settings.max_rounds, x[inner_valid], y[inner_valid]
    )
    rounds = max(int(early.best_iteration or early.current_iteration()), 20)
    booster = fit_booster(x, y, catalog, settings, rounds)
    linear = fit_linear(frame, y, catalog, settings.linear_c)
    return FlatFit(booster, linear, categories, medians, rounds)


def blended_margin(fit: FlatFit, flat: FlatCatalog, table: pd.DataFrame, weight: float) -> np.ndarray:
    """The blended margin of a fit on (other) rows of the table."""
    frame = flat_features(flat, table, fit.medians)
    tree = fit.booster.predict(encode_features(frame, flat.catalog, fit.categories), raw_score=True)
    return blend(tree, fit.linear.contributions(frame, flat.catalog).sum(axis=1), weight)


def train_flat(
    flat: FlatCatalog, table: pd.DataFrame, data_hash: str, seed: int = 0
) -> tuple[FlatModel, TrainingReport]:
    """Cross-validated metrics, then the final model on every row. Pure: no files, no MLflow."""
    settings = dataclasses.replace(FLAT_SETTINGS, seed=seed)
    table = table.reset_index(drop=True)
    y = (table[flat.table.label_column].astype(str) == flat.table.positive).astype(int).to_numpy()
    oof = np.empty(len(y))
    oof_logistic = np.empty(len(y))
    rounds = []
    base = [f for f in flat.catalog.features if f.name not in flat.table.derived]
    numeric = [f.name for f in base if f.type == "numeric"]
    categorical = [f.name for f in base if f.type == "categorical"]
    folds = StratifiedKFold(n_splits=settings.cv_folds, shuffle=True, random_state=seed)
    for train_rows, test_rows in folds.split(np.zeros(len(y)), y):
        fit = fit_components(flat, table.iloc[train_rows], settings, seed)
        oof[test_rows] = blended_margin(fit, flat, table.iloc[test_rows], settings.linear_weight)
        rounds.append(fit.rounds)
        # The logistic baseline on the same folds, for the promotion gate.
        train_frame = flat_features(flat, table.iloc[train_rows], fit.medians)
        test_frame = flat_features(flat, table.iloc[test_rows], fit.medians)
        oof_logistic[test_rows] = logistic_baseline(
            train_frame, y[train_rows], test_frame, numeric, categorical, c=settings.linear_c
        )
    calibration = fit_platt(oof, y)
    cv_risk = calibration.risk(oof)
    metrics = holdout_metrics(y, cv_risk) | {
        "evaluation": f"{settings.cv_folds}-fold stratified cross-validation"
    }
    metrics["baselines"] = {
        "logistic_regression": holdout_metrics(y, oof_logistic),
        "prior": holdout_metrics(y, np.full(len(y), y.mean())),
    }

    final = fit_components(flat, table, settings, seed)
    as_of = dt.date.today().isoformat()
    frame = flat_features(flat, table, final.medians, as_of)
    x = encode_features(frame, flat.catalog, final.categories)
    profile = build_profile(frame, x, flat.catalog, final.categories, cv_risk, frame["snapshot_date"])
    profile["flat"] = {"medians": final.medians, "table": dataclasses.asdict(flat.table)}
    metadata = {
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "table_as_of": as_of,
        "horizon_months": None,
        "rows": {"final": int(len(y)), "positives": int(y.sum())},
        "rounds_per_fold": rounds,
        "final_rounds": final.rounds,
        "linear_weight": settings.linear_weight,
        **common_metadata(settings, data_hash, metrics),
    }
    model = FlatModel(
        booster=final.booster,
        calibration=calibration,
        catalog=flat.catalog,
        profile=profile,
        metadata=metadata,
        linear=final.linear,
        linear_weight=settings.linear_weight,
    )
    gain = final.booster.feature_importance(importance_type="gain")
    importance = pd.DataFrame(
        {"feature": flat.catalog.names, "lever": [s.lever for s in flat.catalog.features], "gain": gain}
    ).sort_values("gain", ascending=False, ignore_index=True)
    # A flat table has no holdout: the cross-validated predictions stand in for it.
    return model, TrainingReport(metrics, None, importance, calibration_table(y, cv_risk), final.rounds)
