"""Training the monthly hazard model: every person-month up to the last one, forward in time.

A row is a month a person was at risk; its label (`exit_next_month`) is "left voluntarily in the next
month". An involuntary exit and the end of the extract censor: those months carry no label and are
not negatives. So the model learns from last month, where the 12-month classifier waits a year for
each row's outcome.

Why LightGBM's Poisson objective (log link) rather than the binary one: exp(f) is then a monthly
cumulative hazard, the months ahead add up to H and the risk is 1 − exp(−H) — the log of that sum
splits exactly into feature terms (model/hazard.py), which a sum of logistic hazards does not.

1. early-stop on people held out of the months before the holdout: that fixes the rounds;
2. the holdout model learns every person-month whose next month was known when the holdout began
   (no year-long embargo: that is the point), calibrated forward in time, and is measured on the
   holdout rows the classifier is measured on (12-month labels), and at 3 and 6 months;
3. the production model learns every labelled person-month, calibrated the same way.
"""

from __future__ import annotations

import datetime as dt

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.config import TrainSettings
from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.model.calibration import PlattCalibration, fit_cloglog
from flightrisk.model.clocks import measure_restarts
from flightrisk.model.hazard import HORIZONS, horizon_labels, log_cumulative_hazard, monthly_log_hazards
from flightrisk.model.metrics import calibration_table, holdout_metrics
from flightrisk.model.profile import build_profile
from flightrisk.model.response import fit_additive_response, fit_logistic_response, fit_monthly_response
from flightrisk.model.risk_model import HazardModel, encode_features
from flightrisk.model.survival_metrics import snapshot_survival_metrics
from flightrisk.model.train import (
    MIN_TRAIN_MONTHS,
    TrainingReport,
    category_levels,
    common_metadata,
    evaluate_on_holdout,
    fit_booster,
    split_by_time,
    validation_people,
)

POISSON = {"objective": "poisson", "metric": "poisson"}


def fit_hazard_booster(
    x: np.ndarray,
    y: np.ndarray,
    catalog: Catalog,
    settings: TrainSettings,
    rounds: int,
    x_valid: np.ndarray | None = None,
    y_valid: np.ndarray | None = None,
    months: np.ndarray | None = None,
) -> lgb.Booster:
    """A Poisson booster on person-months (the classifier's shape and constraints), recent months
    weighted more (`months`: each row's snapshot month); early stopping when validation rows are given."""
    weight = recency_weights(months, settings.hazard_half_life_months) if months is not None else None
    return fit_booster(x, y, catalog, settings, rounds, x_valid, y_valid, objective=POISSON, weight=weight)


def recency_weights(months: np.ndarray, half_life: float | None) -> np.ndarray | None:
    """0.5 ** (months before the latest row / half-life) per row; None without a half-life."""
    if half_life is None or len(months) == 0:
        return None
    when = pd.DatetimeIndex(pd.to_datetime(months))
    keys = np.asarray(when.year * 12 + when.month, dtype=float)
    return 0.5 ** ((keys.max() - keys) / float(half_life))


def stacked_horizons(booster, x: np.ndarray, labels: dict[int, np.ndarray], catalog: Catalog):
    """(log H_h, label_h) for every horizon whose label is known, stacked: what the calibration fits."""
    log_hazards = monthly_log_hazards(booster, x, catalog, max(labels))
    margins, outcomes = [], []
    for horizon, label in labels.items():
        known = ~np.isnan(label)
        margins.append(log_cumulative_hazard(log_hazards, horizon)[known])
        outcomes.append(label[known])
    return np.concatenate(margins), np.concatenate(outcomes)


def fit_hazard_calibration(
    x: np.ndarray,
    event: np.ndarray,
    months: np.ndarray,
    labels: dict[int, np.ndarray],
    people: np.ndarray,
    catalog: Catalog,
    settings: TrainSettings,
    rounds: int,
) -> tuple[PlattCalibration, str]:
    """The cloglog calibration, fitted on every horizon at once so the risks never cross.

    Forward in time: a booster that learned only the person-months before the latest
    `calibration_months` months whose 12-month outcome is known scores those months. Too short an
    extract: boosters that never saw the person (3 folds) instead.
    """
    longest = max(labels)
    complete = np.unique(months[~np.isnan(labels[longest])])
    last = complete[-min(settings.calibration_months, max(1, len(complete) // 3)) :]
    earlier = np.unique(months[months < last[0]]) if len(last) else np.array([])
    has_event = ~np.isnan(event)
    if len(earlier) >= MIN_TRAIN_MONTHS:
        learn = has_event & (months < last[0])
        booster = fit_hazard_booster(x[learn], event[learn], catalog, settings, rounds, months=months[learn])
        scored = np.isin(months, last)
        margin, outcome = stacked_horizons(
            booster, x[scored], {h: label[scored] for h, label in labels.items()}, catalog
        )
        return fit_cloglog(margin, outcome), "forward in time"
    from sklearn.model_selection import GroupKFold

    margins, outcomes = [], []
    for fit_rows, scored in GroupKFold(n_splits=3).split(x, groups=people):
        fit_rows = fit_rows[has_event[fit_rows]]
        booster = fit_hazard_booster(
            x[fit_rows], event[fit_rows], catalog, settings, rounds, months=months[fit_rows]
        )
        margin, outcome = stacked_horizons(
            booster, x[scored], {h: label[scored] for h, label in labels.items()}, catalog
        )
        margins.append(margin)
        outcomes.append(outcome)
    return fit_cloglog(np.concatenate(margins), np.concatenate(outcomes)), "people held out"


def horizon_holdout_metrics(model: HazardModel, rows: pd.DataFrame, labels: dict[int, np.ndarray]) -> dict:
    """ROC-AUC, Brier and calibration of the holdout model at each horizon, on the rows whose
    outcome at that horizon is known (involuntary exits count as stays, as in the 12-month label)."""
    risks = model.holdout_view().horizon_risks(rows)
    out = {}
    for horizon, label in labels.items():
        known = ~np.isnan(label)
        y = label[known].astype(int)
        if known.sum() == 0 or y.min() == y.max():
            continue
        metrics = holdout_metrics(y, risks[f"risk_{horizon}m"].to_numpy()[known])
        out[f"{horizon}m"] = {
            k: metrics[k] for k in ("roc_auc", "pr_auc", "brier", "ece", "n", "positives") if k in metrics
        }
    return out


def train_hazard(
    features: pd.DataFrame, catalog: Catalog, settings: TrainSettings, data_hash: str
) -> tuple[HazardModel, TrainingReport]:
    """Train, measure on the out-of-time holdout (the classifier's rows), refit and calibrate. Pure."""
    if NEXT_MONTH_LABEL not in features.columns:
        raise InputError(
            f"the feature table has no '{NEXT_MONTH_LABEL}' column, which the hazard model learns from; "
            "rebuild it with this version's `flightrisk features`"
        )
    features = features.reset_index(drop=True)
    horizon = settings.horizon_months
    horizons = [h for h in HORIZONS if h <= horizon] + ([horizon] if horizon not in HORIZONS else [])
    labels = {h: horizon_labels(features, h) for h in sorted(set(horizons))}
    labelled = features["label"].notna().to_numpy()
    if not labelled.any():
        raise InputError("the feature table has no labelled rows; the extract is too short for the horizon")
    # The holdout's months are the classifier's (the latest labelled months); without its embargo,
    # since the hazard model learns from every month before them, a 24-month extract is enough.
    split = split_by_time(features.loc[labelled, "snapshot_date"], settings, embargo=False)
    when = pd.to_datetime(features["snapshot_date"])
    months = when.to_numpy()
    holdout_start = np.datetime64(min(split.holdout_months))
    event = pd.to_numeric(features[NEXT_MONTH_LABEL], errors="coerce").to_numpy(dtype=float)
    has_event = ~np.isnan(event)
    in_holdout = when.isin(split.holdout_months).to_numpy() & labelled
    # Known when the holdout began: every person-month before it (its next month had ended).
    before = months < holdout_start
    held_people = validation_people(features["employee_id"], settings.validation_share, settings.seed)
    before_months = np.unique(months[before & has_event])
    # A month holds a twelfth of a year's exits: early stopping reads a year of the held-out people's
    # months (at least the classifier's validation months), or the rounds follow noise.
    span = max(settings.validation_months, settings.horizon_months)
    validation_months = before_months[-min(span, len(before_months)) :]
    in_valid = np.isin(months, validation_months) & held_people & has_event
    in_train = before & has_event & ~held_people
    exits_train, exits_valid = int(event[in_train].sum()), int(event[in_valid].sum())
    if exits_train == 0 or exits_valid == 0:
        raise InputError(
            f"the feature table's '{NEXT_MONTH_LABEL}' column holds {exits_train} voluntary exit(s) in the "
            f"person-months the hazard model learns from before the holdout and {exits_valid} in its "
            f"validation months ({int(np.nansum(event))} in all): a monthly hazard cannot be learned "
            "without exits; check the extract's termination types, supply a longer extract, or train "
            "the classifier alone (--model classifier)"
        )
    categories = category_levels(features[~in_holdout], catalog)
    x = encode_features(features, catalog, categories)
    people = features["employee_id"].astype(str).to_numpy()

    early = fit_hazard_booster(
        x[in_train],
        event[in_train],
        catalog,
        settings,
        settings.max_rounds,
        x[in_valid],
        event[in_valid],
        months=months[in_train],
    )
    rounds = max(int(early.best_iteration or early.current_iteration()), 10)

    fit = before & has_event
    holdout_booster = fit_hazard_booster(x[fit], event[fit], catalog, settings, rounds, months=months[fit])
    holdout_calibration, holdout_rule = fit_hazard_calibration(
        x[before],
        event[before],
        months[before],
        _known_at(labels, before, months, holdout_start),
        people[before],
        catalog,
        settings,
        rounds,
    )
    booster = fit_hazard_booster(
        x[has_event], event[has_event], catalog, settings, rounds, months=months[has_event]
    )
    calibration, calibration_rule = fit_hazard_calibration(
        x, event, months, labels, people, catalog, settings, rounds
    )
    y = features.loc[labelled, "label"].astype(int).to_numpy()
    response = fit_logistic_response(features[labelled].reset_index(drop=True), y, catalog, settings.seed)
    response_booster = fit_additive_response(x[labelled], y, catalog, settings)
    response_monthly = fit_monthly_response(x[has_event], event[has_event], catalog, settings)
    metadata = {
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "horizon_months": horizon,
        "horizons": sorted(labels),
        # The holdout booster learned person-months up to the month before the holdout.
        "train_window": [str(when[fit].min().date()), str(when[fit].max().date())],
        "embargo_months": 0,
        "calibration_rule": {"holdout_model": holdout_rule, "model": calibration_rule},
        "holdout_window": [str(min(split.holdout_months).date()), str(max(split.holdout_months).date())],
        "final_window": [str(when[has_event].min().date()), str(when[has_event].max().date())],
        "rows": {
            "train": int(fit.sum()),
            "validation": int(in_valid.sum()),
            "holdout": int(in_holdout.sum()),
            "final": int(has_event.sum()),
        },
        "best_rounds": rounds,
        "objective": "poisson (monthly hazard)",
    }
    # How often each clock restarted in the panel: the monthly response's horizon reads it.
    restarts = None if response_monthly is None else measure_restarts(features, catalog)
    if restarts is not None:
        metadata["clock_restarts"] = restarts.to_dict()
    model = HazardModel(
        booster=booster,
        calibration=calibration,
        catalog=catalog,
        profile={"categories": categories},
        metadata=metadata,
        holdout_booster=holdout_booster,
        holdout_calibration=holdout_calibration,
        response=response,
        response_booster=response_booster,
        response_monthly=response_monthly,
    )
    rows = features[in_holdout].reset_index(drop=True)
    holdout = rows[["employee_id", "snapshot_date", "label"]].copy()
    holdout["risk"] = model.holdout_risk(rows)
    # The baselines learn what the classifier's do: the rows whose 12-month outcome was known (with a
    # short history, monthly hazards on the months before the holdout; model/train.baseline_rows).
    metrics = evaluate_on_holdout(
        features, in_holdout, holdout["risk"].to_numpy(), catalog, min(split.holdout_months), horizon
    )
    for name in ("logistic_regression", "tenure_role", "prior"):
        if name in metrics["baselines"]:
            holdout[f"risk_{name}"] = metrics["baselines"][name].pop("_risk")
    metrics["horizon_months"] = horizon
    metrics["horizons"] = horizon_holdout_metrics(
        model, rows, {h: label[in_holdout] for h, label in labels.items()}
    )
    # The same rows with involuntary exits censored (IPCW), and the months between the horizons too.
    metrics["survival"] = snapshot_survival_metrics(
        features, in_holdout, model.holdout_view().risk_by_month(rows), sorted(labels)
    )
    metrics["holdout_start"], metrics["holdout_end"] = metadata["holdout_window"]
    metrics["model_kind"] = "hazard"
    model.profile = build_profile(features, x, catalog, categories, model.risk(features), when)
    metadata["calibration_bins"] = calibration_table(holdout["label"], holdout["risk"].to_numpy())
    metadata["calibration_source"] = "holdout months"
    metadata.update(common_metadata(settings, data_hash, metrics))
    gain = booster.feature_importance(importance_type="gain")
    importance = pd.DataFrame(
        {"feature": catalog.names, "lever": [s.lever for s in catalog.features], "gain": gain}
    ).sort_values("gain", ascending=False, ignore_index=True)
    return model, TrainingReport(metrics, holdout, importance, metadata["calibration_bins"], rounds)


def _known_at(labels: dict[int, np.ndarray], rows: np.ndarray, months: np.ndarray, start) -> dict:
    """The horizon labels of `rows` as they stood at `start`: an outcome whose window ends after the
    first holdout month is not known yet (the holdout model's calibration must not read it)."""
    out = {}
    for horizon, label in labels.items():
        keys = pd.DatetimeIndex(months[rows])
        ends = keys + pd.offsets.MonthEnd(horizon)
        known = label[rows].copy()
        known[np.asarray(ends > pd.Timestamp(start))] = np.nan
        out[horizon] = known
    return out
