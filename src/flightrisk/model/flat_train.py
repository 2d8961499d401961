"""Training on a flat table: stratified cross-validation instead of a time split (a flat table has
no time), LightGBM with the catalog's monotone constraints blended with a logistic regression, Platt
calibration on cross-fitted margins.

The model's capacity (tree shape, rounds, blend weight) is chosen by cross-validation inside each
training fold (nested), never on a test fold: one fixed shape cannot suit both a table of mostly
monotone effects (IBM: shallow trees, half linear) and one of interactions (turnover: deeper trees).
Folds keep copied rows together when the table has them (`flat/duplicates.py`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from flightrisk.config import FLAT_SETTINGS, TrainSettings, relative_bands
from flightrisk.flat.catalog import FlatCatalog, id_values
from flightrisk.flat.transform import fit_group_medians, flat_features, outcomes
from flightrisk.model.baselines import logistic_baseline
from flightrisk.model.calibration import fit_platt
from flightrisk.model.linear import LinearPart, blend, fit_linear
from flightrisk.model.metrics import calibration_table, holdout_metrics
from flightrisk.model.profile import build_profile
from flightrisk.model.risk_model import FlatModel, encode_features
from flightrisk.model.train import (
    TrainingReport,
    booster_params,
    category_levels,
    common_metadata,
    fit_booster,
    lgb_dataset,
)

MIN_ROUNDS = 20


def has_shared_groups(groups: np.ndarray | None) -> bool:
    """Whether any rows share a group number (so folds must keep them together)."""
    return groups is not None and len(np.unique(groups)) < len(groups)


def fold_splits(y: np.ndarray, groups: np.ndarray | None, folds: int, seed: int) -> list:
    """Stratified folds; rows that share a group number always land in the same fold."""
    if not has_shared_groups(groups):
        return list(
            StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
        )
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


@dataclasses.dataclass(frozen=True)
class Capacity:
    """A chosen capacity: tree shape, rounds and blend weight, with the inner ROC-AUC that chose it."""

    num_leaves: int
    min_data_in_leaf: int
    lambda_l2: float
    linear_weight: float
    rounds: int
    inner_roc_auc: float

    def settings(self, base: TrainSettings) -> TrainSettings:
        """The base settings with this shape and weight."""
        return dataclasses.replace(
            base,
            num_leaves=self.num_leaves,
            min_data_in_leaf=self.min_data_in_leaf,
            lambda_l2=self.lambda_l2,
            linear_weight=self.linear_weight,
        )


def choose_capacity(
    frame: pd.DataFrame,
    x: np.ndarray,
    y: np.ndarray,
    catalog,
    settings: TrainSettings,
    groups: np.ndarray | None,
    seed: int,
) -> tuple[Capacity, list[dict]]:
    """The capacity with the best mean ROC-AUC over inner folds of these (training) rows, and every try;
    the first shape with the set weight when it is within `capacity_tolerance` of the best.

    Each shape is early-stopped on the inner folds' mean log-loss (`lightgbm.cv`); every blend weight is
    then scored on the same out-of-fold margins, so weights cost no extra fits.
    """
    shapes = settings.capacity_shapes or (
        (settings.num_leaves, settings.min_data_in_leaf, settings.lambda_l2),
    )
    weights = settings.blend_weights or (settings.linear_weight,)
    inner = fold_splits(y, groups, settings.inner_folds, seed)
    linear_oof = np.empty(len(y))
    for train_rows, test_rows in inner:
        part = fit_linear(frame.iloc[train_rows], y[train_rows], catalog, settings.linear_c)
        linear_oof[test_rows] = part.contributions(frame.iloc[test_rows], catalog).sum(axis=1)
    tried, best, default = [], None, None
    for leaves, min_rows, l2 in shapes:
        shaped = dataclasses.replace(
            settings, num_leaves=int(leaves), min_data_in_leaf=int(min_rows), lambda_l2=float(l2)
        )
        tree_oof, best_rounds = _inner_tree_margins(x, y, catalog, shaped, inner)
        # Refitting on all the rows of the fold: more rows, proportionally more rounds.
        rounds = max(MIN_ROUNDS, round(best_rounds * settings.inner_folds / (settings.inner_folds - 1)))
        for weight in weights:
            margin = blend(tree_oof, linear_oof, weight)
            score = float(np.mean([roc_auc_score(y[test], margin[test]) for _, test in inner]))
            candidate = Capacity(
                int(leaves), int(min_rows), float(l2), float(weight), int(rounds), round(score, 4)
            )
            tried.append(dataclasses.asdict(candidate))
            if best is None or score > best.inner_roc_auc:
                best = dataclasses.replace(candidate, inner_roc_auc=score)
            if (leaves, min_rows, l2) == tuple(shapes[0]) and weight == settings.linear_weight:
                default = dataclasses.replace(candidate, inner_roc_auc=score)
    # The capacity fixed in advance stays unless another is clearly better: inner folds are small,
    # and picking the best of ten noisy scores would otherwise chase noise (a one-standard-error rule).
    if default is not None and default.inner_roc_auc >= best.inner_roc_auc - settings.capacity_tolerance:
        best = default
    return dataclasses.replace(best, inner_roc_auc=round(best.inner_roc_auc, 4)), tried


def _inner_tree_margins(x, y, catalog, settings: TrainSettings, inner: list) -> tuple[np.ndarray, int]:
    """Out-of-fold booster margins over the inner folds at the early-stopped round, and that round."""
    result = lgb.cv(
        booster_params(catalog, settings),
        lgb_dataset(x, y, catalog),
        num_boost_round=settings.max_rounds,
        folds=inner,
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)],
        return_cvbooster=True,
    )
    best_rounds = len(result["valid binary_logloss-mean"])
    margins = np.empty(len(y))
    for booster, (_, test_rows) in zip(result["cvbooster"].boosters, inner, strict=True):
        margins[test_rows] = booster.predict(x[test_rows], num_iteration=best_rounds, raw_score=True)
    return margins, best_rounds


@dataclasses.dataclass
class FlatFit:
    """One fit of a flat model's parts on some rows: booster, linear part, categories, medians, capacity."""

    booster: lgb.Booster
    linear: LinearPart
    categories: dict
    medians: dict
    capacity: Capacity
    tried: list[dict]


def fit_components(
    flat: FlatCatalog,
    table: pd.DataFrame,
    settings: TrainSettings,
    seed: int,
    groups: np.ndarray | None = None,
) -> FlatFit:
    """Capacity chosen on inner folds of these rows, then booster and linear part fitted on all of them."""
    medians = fit_group_medians(flat, table)
    frame = flat_features(flat, table, medians)
    y = frame["label"].astype(int).to_numpy()
    catalog = flat.catalog
    categories = category_levels(frame, catalog)
    x = encode_features(frame, catalog, categories)
    capacity, tried = choose_capacity(frame, x, y, catalog, settings, groups, seed)
    booster = fit_booster(x, y, catalog, capacity.settings(settings), capacity.rounds)
    linear = fit_linear(frame, y, catalog, settings.linear_c)
    return FlatFit(booster, linear, categories, medians, capacity, tried)


def blended_margin(fit: FlatFit, flat: FlatCatalog, table: pd.DataFrame) -> np.ndarray:
    """The blended margin of a fit on (other) rows of the table."""
    frame = flat_features(flat, table, fit.medians)
    tree = fit.booster.predict(encode_features(frame, flat.catalog, fit.categories), raw_score=True)
    return blend(tree, fit.linear.contributions(frame, flat.catalog).sum(axis=1), fit.capacity.linear_weight)


def train_flat(
    flat: FlatCatalog,
    table: pd.DataFrame,
    data_hash: str,
    seed: int = 0,
    groups: np.ndarray | None = None,
    checks: dict | None = None,
    on_fold=None,
    bands: tuple[float, float] | None = None,
    lever_additive: bool = False,
) -> tuple[FlatModel, TrainingReport]:
    """Cross-validated metrics, then the final model on every row. Pure: no files, no MLflow.

    `groups`: rows sharing a number stay in one fold (copies); `checks`: what the table checks found,
    recorded in the metadata; `on_fold()`: called after each fold and after the final fit (progress);
    `bands`: the risk bands, by default 3/4 and 3/2 of the table's leaving rate; `lever_additive`:
    each tree uses one lever's features (`train --lever-additive`).
    """
    table = table.reset_index(drop=True)
    y = outcomes(flat, table)
    settings = dataclasses.replace(
        FLAT_SETTINGS,
        seed=seed,
        risk_bands=bands or relative_bands(float(y.mean())),
        lever_additive=lever_additive,
    )
    oof = np.empty(len(y))
    oof_logistic = np.empty(len(y))
    chosen = []
    base = [f for f in flat.catalog.features if f.name not in flat.table.derived]
    numeric = [f.name for f in base if f.type == "numeric"]
    categorical = [f.name for f in base if f.type == "categorical"]
    for train_rows, test_rows in fold_splits(y, groups, settings.cv_folds, seed):
        inner_groups = None if groups is None else groups[train_rows]
        fit = fit_components(flat, table.iloc[train_rows], settings, seed, inner_groups)
        oof[test_rows] = blended_margin(fit, flat, table.iloc[test_rows])
        chosen.append(dataclasses.asdict(fit.capacity))
        # The logistic baseline on the same folds, for the promotion gate.
        train_frame = flat_features(flat, table.iloc[train_rows], fit.medians)
        test_frame = flat_features(flat, table.iloc[test_rows], fit.medians)
        oof_logistic[test_rows] = logistic_baseline(
            train_frame, y[train_rows], test_frame, numeric, categorical, c=settings.linear_c
        )
        if on_fold:
            on_fold()
    calibration = fit_platt(oof, y)
    cv_risk = calibration.risk(oof)
    grouped = has_shared_groups(groups)
    metrics = holdout_metrics(y, cv_risk) | {
        "evaluation": f"{settings.cv_folds}-fold stratified cross-validation"
        + (" (copies kept in one fold)" if grouped else "")
        + "; capacity chosen on inner folds"
    }
    metrics["baselines"] = {
        "logistic_regression": holdout_metrics(y, oof_logistic),
        "prior": holdout_metrics(y, np.full(len(y), y.mean())),
    }

    final = fit_components(flat, table, settings, seed, groups)
    if on_fold:
        on_fold()
    final_settings = final.capacity.settings(settings)
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
        "capacity": {
            "final": dataclasses.asdict(final.capacity),
            "per_fold": chosen,
            "tried_for_final": final.tried,
            "how": f"{settings.inner_folds}-fold cross-validation inside the training rows",
        },
        "final_rounds": final.capacity.rounds,
        "linear_weight": final.capacity.linear_weight,
        "table_checks": checks or {},
        "calibration_bins": calibration_table(y, cv_risk),
        "calibration_source": "cross-validation",
        **common_metadata(final_settings, data_hash, metrics),
    }
    model = FlatModel(
        booster=final.booster,
        calibration=calibration,
        catalog=flat.catalog,
        profile=profile,
        metadata=metadata,
        linear=final.linear,
        linear_weight=final.capacity.linear_weight,
    )
    gain = final.booster.feature_importance(importance_type="gain")
    importance = pd.DataFrame(
        {"feature": flat.catalog.names, "lever": [s.lever for s in flat.catalog.features], "gain": gain}
    ).sort_values("gain", ascending=False, ignore_index=True)
    # A flat table has no holdout: the cross-validated predictions stand in for it.
    return model, TrainingReport(
        metrics,
        cross_validated_rows(flat, table, y, cv_risk),
        importance,
        metadata["calibration_bins"],
        final.capacity.rounds,
    )


def cross_validated_rows(
    flat: FlatCatalog, table: pd.DataFrame, y: np.ndarray, risk: np.ndarray
) -> pd.DataFrame:
    """Each person's cross-validated risk beside their outcome (what the fairness audit reads): the
    table's id (or row number), label, risk, and the protected columns as they are in the table."""
    rows = pd.DataFrame(
        {
            "employee_id": id_values(flat.table, table).to_numpy(),
            "label": np.asarray(y, dtype=int),
            "risk": risk,
        }
    )
    for column in flat.table.protected:
        rows[column] = table[column].to_numpy()
    return rows
