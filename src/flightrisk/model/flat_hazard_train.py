"""Training on a flat table in survival form: months observed and an event flag per person.

Each person becomes the months they were observed (someone who left after 7.4 months is 8 rows, the
last one 0.4 of a month long; the label is 1 in the month they left). LightGBM's Poisson objective
on those rows learns a monthly hazard; a part month enters as its exposure (label / exposure,
weighted by exposure: the same loss as a log-exposure offset). The months observed so far are the
hazard's time axis (`TIME_AXIS`, a context feature that rolls forward one a month); the duration
column itself is never a feature, since it is known only with the outcome.

Evaluation is cross-validation over people (stratified by the event, copies kept in one fold, as for
a labelled table): each held-out person's risk within 1 … 12 months of the start of their
observation, against their censored outcome, by the IPCW metrics of `model/survival_metrics.py`.
Cox and Weibull AFT models (lifelines) are fitted on the identical folds as baselines. The
calibration is one cloglog over every horizon at once (risks never cross), fitted on the
cross-fitted margins with the censoring's inverse-probability weights.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.config import SURVIVAL_SETTINGS, TrainSettings, relative_bands
from flightrisk.features.catalog import Catalog, catalog_from_dict
from flightrisk.flat.catalog import TIME_AXIS, FlatCatalog
from flightrisk.flat.transform import fit_group_medians, flat_features, outcomes
from flightrisk.model.calibration import PlattCalibration, fit_cloglog
from flightrisk.model.flat_train import cross_validated_rows, fold_splits, has_shared_groups
from flightrisk.model.hazard import log_cumulative_hazard, monthly_log_hazards
from flightrisk.model.metrics import calibration_table, holdout_metrics
from flightrisk.model.profile import build_profile
from flightrisk.model.risk_model import FlatHazardModel, encode_features, observed_months
from flightrisk.model.survival_metrics import horizon_outcome, survival_metrics
from flightrisk.model.train import (
    TrainingReport,
    booster_params,
    category_levels,
    common_metadata,
    fit_booster,
    lgb_dataset,
)

POISSON = {"objective": "poisson", "metric": "poisson"}
MIN_ROUNDS = 20
TIME_AXIS_SPEC = {
    "lever": "context",
    "type": "numeric",
    "unit": "months",
    "monotone": 0,
    "per_month": 1,
    "label_en": "Months observed so far",
    "label_sv": "Månader observerad hittills",
}


def survival_catalog(flat: FlatCatalog) -> Catalog:
    """The table's catalog with the hazard's time axis added as its last feature."""
    raw = dict(flat.catalog.raw)
    features = dict(raw.get("features") or {})
    features[TIME_AXIS] = dict(TIME_AXIS_SPEC)
    return catalog_from_dict({**raw, "features": features}, "the survival model's catalog")


def durations(flat: FlatCatalog, table: pd.DataFrame) -> np.ndarray:
    """The months each person was observed (the catalog check refused anything else)."""
    return pd.to_numeric(table[flat.table.duration_column], errors="raise").to_numpy(dtype=float)


def person_months(x: np.ndarray, duration: np.ndarray, event: np.ndarray, time_column: int):
    """One row per person and month observed: the rows, the person of each row, the label (1 in the
    month they left) and each month's exposure (a part month counts part; never below 0.05)."""
    months = np.maximum(np.ceil(duration), 1).astype(int)
    person = np.repeat(np.arange(len(x)), months)
    month = np.arange(months.sum()) - np.repeat(np.cumsum(months) - months, months)
    rows = x[person].copy()
    rows[:, time_column] = month
    exposure = np.clip(np.minimum(duration[person] - month, 1.0), 0.05, 1.0)
    label = ((month == months[person] - 1) & (event[person] == 1)).astype(float)
    return rows, person, label, exposure


def choose_rounds(x, duration, event, catalog: Catalog, settings: TrainSettings, groups, seed: int) -> int:
    """Boosting rounds early-stopped on the Poisson deviance of inner folds of people (refit on all of
    them: proportionally more rounds)."""
    time_column = catalog.names.index(TIME_AXIS)
    rows, person, label, exposure = person_months(x, duration, event, time_column)
    inner = fold_splits(event, groups, settings.inner_folds, seed)
    by_person = [np.flatnonzero(np.isin(person, p)) for p in (test for _, test in inner)]
    folds = [(np.setdiff1d(np.arange(len(rows)), test), test) for test in by_person]
    data = lgb_dataset(rows, label / exposure, catalog)
    data.set_weight(exposure)
    result = lgb.cv(
        booster_params(catalog, settings) | POISSON,
        data,
        num_boost_round=settings.max_rounds,
        folds=folds,
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)],
    )
    best = len(result["valid poisson-mean"])
    return max(MIN_ROUNDS, round(best * settings.inner_folds / (settings.inner_folds - 1)))


def fit_survival_booster(x, duration, event, catalog: Catalog, settings: TrainSettings, rounds: int):
    """The monthly-hazard booster on these people's observed months."""
    rows, _, label, exposure = person_months(x, duration, event, catalog.names.index(TIME_AXIS))
    return fit_booster(rows, label / exposure, catalog, settings, rounds, objective=POISSON, weight=exposure)


def log_cumulative_by_month(booster, x: np.ndarray, catalog: Catalog, months: int) -> np.ndarray:
    """log H_m for m = 1 … months from the start of observation (time axis 0): (rows, months)."""
    start = x.copy()
    start[:, catalog.names.index(TIME_AXIS)] = 0.0
    log_hazards = monthly_log_hazards(booster, start, catalog, months)
    return np.column_stack([log_cumulative_hazard(log_hazards, m) for m in range(1, months + 1)])


def fit_survival_calibration(
    log_h: np.ndarray, duration: np.ndarray, event: np.ndarray, horizons: tuple[int, ...]
) -> PlattCalibration:
    """One cloglog over the horizons stacked, each known person weighed by the inverse chance of
    being still observed (so people censored early are neither dropped blindly nor counted stays)."""
    margins, ys, weights = [], [], []
    for h in horizons:
        y, weight = horizon_outcome(duration, event, h)
        margins.append(log_h[:, h - 1])
        ys.append(y)
        weights.append(weight)
    return fit_cloglog(np.concatenate(margins), np.concatenate(ys), np.concatenate(weights))


def _lifelines_risk_by_month(kind: str, train: pd.DataFrame, test: pd.DataFrame, duration, event, months):
    """A Cox or Weibull AFT model's risk within 1 … months for the test people (categories one-hot)."""
    from lifelines import CoxPHFitter, WeibullAFTFitter

    x_train = pd.get_dummies(train, drop_first=True, dtype=float)
    x_train = x_train.loc[:, x_train.std() > 0]
    x_test = pd.get_dummies(test, drop_first=True, dtype=float).reindex(
        columns=x_train.columns, fill_value=0.0
    )
    fill = x_train.median()
    x_train, x_test = x_train.fillna(fill), x_test.fillna(fill)
    model = (CoxPHFitter if kind == "cox" else WeibullAFTFitter)(penalizer=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(
            x_train.assign(_duration=duration, _event=event), duration_col="_duration", event_col="_event"
        )
        survival = model.predict_survival_function(x_test, times=np.arange(1, months + 1, dtype=float))
    return 1.0 - survival.to_numpy().T


@dataclasses.dataclass
class SurvivalFit:
    """One fit on some people: booster, categories, medians and rounds."""

    booster: lgb.Booster
    categories: dict
    medians: dict
    rounds: int


def _features(flat: FlatCatalog, catalog: Catalog, table: pd.DataFrame, medians: dict, as_of=None):
    frame = flat_features(flat, table, medians, as_of)
    frame[TIME_AXIS] = 0.0
    return frame


def fit_survival(flat, catalog, table, settings, seed, groups=None) -> SurvivalFit:
    """Rounds chosen on inner folds of these people, then the booster on all of them."""
    medians = fit_group_medians(flat, table)
    frame = _features(flat, catalog, table, medians)
    categories = category_levels(frame, catalog)
    x = encode_features(frame, catalog, categories)
    duration, event = durations(flat, table), outcomes(flat, table)
    rounds = choose_rounds(x, duration, event, catalog, settings, groups, seed)
    booster = fit_survival_booster(x, duration, event, catalog, settings, rounds)
    return SurvivalFit(booster, categories, medians, rounds)


def train_flat_survival(
    flat: FlatCatalog,
    table: pd.DataFrame,
    data_hash: str,
    seed: int = 0,
    groups: np.ndarray | None = None,
    checks: dict | None = None,
    on_fold=None,
    bands: tuple[float, float] | None = None,
    lever_additive: bool = False,
) -> tuple[FlatHazardModel, TrainingReport]:
    """Cross-validated survival metrics against Cox and Weibull AFT, then the final model on every
    person. Pure: no files, no MLflow. Arguments as `flat_train.train_flat`."""
    table = table.reset_index(drop=True)
    horizons = tuple(flat.table.horizons)
    last = max(horizons)
    catalog = survival_catalog(flat)
    duration, event = durations(flat, table), outcomes(flat, table)
    settings = dataclasses.replace(SURVIVAL_SETTINGS, seed=seed, lever_additive=lever_additive)
    log_h = np.empty((len(table), last))
    baselines = {"cox": np.empty((len(table), last)), "weibull_aft": np.empty((len(table), last))}
    rounds = []
    base = [f.name for f in flat.catalog.features if f.name not in flat.table.derived]
    for train_rows, test_rows in fold_splits(event, groups, settings.cv_folds, seed):
        inner_groups = None if groups is None else groups[train_rows]
        fit = fit_survival(flat, catalog, table.iloc[train_rows], settings, seed, inner_groups)
        test_frame = _features(flat, catalog, table.iloc[test_rows], fit.medians)
        log_h[test_rows] = log_cumulative_by_month(
            fit.booster, encode_features(test_frame, catalog, fit.categories), catalog, last
        )
        rounds.append(fit.rounds)
        train_frame = _features(flat, catalog, table.iloc[train_rows], fit.medians)
        for kind, name in (("cox", "cox"), ("aft", "weibull_aft")):
            baselines[name][test_rows] = _lifelines_risk_by_month(
                kind, train_frame[base], test_frame[base], duration[train_rows], event[train_rows], last
            )
        if on_fold:
            on_fold()
    calibration = fit_survival_calibration(log_h, duration, event, horizons)
    cv_risk = calibration.risk(log_h)  # (people, months): risk within 1 … last months
    survival = survival_metrics(duration, event, cv_risk, horizons)
    # The headline figures (and the gate's) speak of the last horizon, among the people whose outcome
    # then is known, as a labelled table's do; the IPCW figures beside them weigh the censored in.
    y_last, weight_last = horizon_outcome(duration, event, last)
    known = weight_last > 0
    grouped = has_shared_groups(groups)
    metrics = holdout_metrics(y_last[known], cv_risk[known, last - 1]) | {
        "evaluation": f"{settings.cv_folds}-fold cross-validation over people, stratified by the event"
        + (" (copies kept in one fold)" if grouped else "")
        + f"; risk within {last} months of the start of observation, among the {int(known.sum())} "
        "people whose outcome then is known",
        "survival": survival,
        "gate_baseline": "cox",
        "baselines": {
            name: {"survival": survival_metrics(duration, event, risk, horizons)}
            | holdout_metrics(y_last[known], risk[known, last - 1])
            for name, risk in baselines.items()
        },
    }

    final = fit_survival(flat, catalog, table, settings, seed, groups)
    if on_fold:
        on_fold()
    as_of = dt.date.today().isoformat()
    frame = _features(flat, catalog, table, final.medians, as_of)
    frame[TIME_AXIS] = observed_months(flat.table, table)
    x = encode_features(frame, catalog, final.categories)
    risk_now = cv_risk[:, last - 1]
    settings = dataclasses.replace(settings, risk_bands=bands or relative_bands(float(risk_now.mean())))
    profile = build_profile(frame, x, catalog, final.categories, risk_now, frame["snapshot_date"])
    profile["flat"] = {"medians": final.medians, "table": dataclasses.asdict(flat.table)}
    metadata = {
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "table_as_of": as_of,
        "horizon_months": None,
        "horizons": list(horizons),
        "rows": {
            "final": int(len(table)),
            "positives": int(event.sum()),
            "person_months": int(np.ceil(duration).clip(1).sum()),
        },
        "final_rounds": final.rounds,
        "rounds_per_fold": rounds,
        "table_checks": checks or {},
        # As a labelled table's, among the people whose outcome at the last horizon is known (the
        # censoring-weighted bins are in metrics.survival).
        "calibration_bins": calibration_table(y_last[known], cv_risk[known, last - 1]),
        "calibration_source": "cross-validation",
        **common_metadata(settings, data_hash, metrics),
    }
    model = FlatHazardModel(
        booster=final.booster,
        calibration=calibration,
        catalog=catalog,
        profile=profile,
        metadata=metadata,
    )
    gain = final.booster.feature_importance(importance_type="gain")
    importance = pd.DataFrame(
        {"feature": catalog.names, "lever": [s.lever for s in catalog.features], "gain": gain}
    ).sort_values("gain", ascending=False, ignore_index=True)
    # The fairness audit reads the people whose outcome at the last horizon is known.
    # (weighted by the censoring, as the IPCW figures are: those censored early are not dropped blindly).
    rows = cross_validated_rows(flat, table.loc[known], y_last[known], cv_risk[known, last - 1])
    rows["weight"] = weight_last[known]
    return model, TrainingReport(metrics, rows, importance, metadata["calibration_bins"], final.rounds)
