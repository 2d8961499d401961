"""Training on snapshots: a time split that never learns from an outcome not yet known, LightGBM with
monotone levers, Platt calibration, a refit.

A snapshot's label is the next `horizon` months, so a row is only known once that window has passed.
The holdout model learns only from snapshots whose outcome was known at the first holdout month
(an embargo of `horizon` months between the two): training on the months just before the holdout let
the model read its answers — the same person a month earlier with the same future, a team's shock —
and it ranked the first holdout month at ROC-AUC 0.81 against 0.66 six months later, "beating" the
true probability (docs/benchmarks.md, "The honest holdout").

1. early-stop (and choose the shape) on people held out of the fitting months: that fixes the rounds;
2. refit on every fitting row with those rounds, calibrate (forward in time where an embargoed
   booster can be trained, else on people held out), measure on the holdout — `holdout_model.txt`;
3. do the same on every labelled row: the production model, and beside it the what-ifs' response
   models (model/response.py: a sign-constrained logistic regression and a lever-additive booster).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.config import TrainSettings
from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.model.baselines import fit_predict_baselines
from flightrisk.model.calibration import PlattCalibration, fit_platt
from flightrisk.model.clocks import measure_restarts
from flightrisk.model.metrics import calibration_table, holdout_metrics
from flightrisk.model.profile import build_profile
from flightrisk.model.response import (
    event_rows,
    fit_additive_response,
    fit_logistic_response,
    fit_monthly_response,
)
from flightrisk.model.risk_model import SnapshotModel, encode_features
from flightrisk.model.survival_metrics import snapshot_survival_metrics


@dataclasses.dataclass
class TimeSplit:
    """The months the holdout model learns from, the months it early-stops on, and the holdout.

    `train_months` end `horizon` months before the holdout begins (`embargo_months` lie between):
    their outcomes were all known at the first holdout month. `validation_months` are the latest of
    them; early stopping reads them only for people held out of training (`validation_people`).
    """

    train_months: list[pd.Timestamp]
    validation_months: list[pd.Timestamp]
    holdout_months: list[pd.Timestamp]
    embargo_months: list[pd.Timestamp] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class TrainingReport:
    """What training measured, for the run record, MLflow and the promotion gate (both model kinds)."""

    metrics: dict
    # employee_id, snapshot_date, label, risk, and each baseline's risk; None for a flat table
    holdout: pd.DataFrame | None
    importance: pd.DataFrame
    calibration_bins: list[dict]
    best_rounds: int


MIN_TRAIN_MONTHS = 3


def _month_index(when) -> np.ndarray:
    when = pd.DatetimeIndex(pd.to_datetime(when))
    return np.asarray(when.year * 12 + when.month - 1, dtype=np.int64)


def known_by(months, first_unknown, horizon: int) -> list:
    """The months whose `horizon`-month outcome was complete when `first_unknown` was scored."""
    keys = _month_index(months)
    last = _month_index([first_unknown])[0] - horizon
    return [m for m, k in zip(months, keys, strict=True) if k <= last]


def months_needed(settings: TrainSettings, embargo: bool = True) -> int:
    """Labelled snapshot months a time split needs: the holdout, with the embargo (the classifier's
    horizon-long gap whose outcomes were unknown when the holdout began) the horizon, and a few to learn
    from. The hazard model learns from last month, so it needs no embargo."""
    return settings.holdout_months + (settings.horizon_months if embargo else 0) + MIN_TRAIN_MONTHS


def split_by_time(snapshot_dates: pd.Series, settings: TrainSettings, embargo: bool = True) -> TimeSplit:
    """The latest labelled months test; the months known by then train; the latest of those validate.

    Without `embargo` (the hazard model) every month before the holdout trains: a person-month's own
    outcome is next month's, known when the holdout begins."""
    months = sorted(pd.to_datetime(snapshot_dates).unique())
    needed = months_needed(settings, embargo)
    if len(months) < needed:
        between = f" + {settings.horizon_months} months between, whose outcomes" if embargo else ""
        raise InputError(
            f"only {len(months)} labelled snapshot months; training needs at least {needed} "
            f"({settings.holdout_months} holdout{between}"
            + (" were not yet known when the holdout began," if embargo else "")
            + f" + {MIN_TRAIN_MONTHS} to learn from). "
            "Use a longer extract, fewer --holdout months, or rebuild the features with a shorter "
            "`flightrisk features --horizon`."
        )
    holdout = months[-settings.holdout_months :]
    earlier = months[: -settings.holdout_months]
    train = known_by(earlier, holdout[0], settings.horizon_months) if embargo else list(earlier)
    gap = [m for m in earlier if m > train[-1]]
    validation = train[-min(settings.validation_months, len(train)) :]
    return TimeSplit(list(train), list(validation), list(holdout), gap)


def validation_people(employee_ids: pd.Series, share: float, seed: int) -> np.ndarray:
    """A fixed share of people (by a hash of their id and the seed) held out of training for early
    stopping: a validation row of someone whose other months were trained on is a row the booster
    has, in effect, already seen."""
    hashed = pd.util.hash_pandas_object(employee_ids.astype(str) + f"#{seed}", index=False).to_numpy()
    return (hashed % np.uint64(10_000)) < np.uint64(round(share * 10_000))


def monotone_constraints(catalog: Catalog) -> list[int]:
    """LightGBM's monotone constraints from the catalog's directions."""
    return [spec.monotone for spec in catalog.features]


def lever_interaction_groups(catalog: Catalog) -> list[list[int]]:
    """Feature indices per lever family, each with the context features: LightGBM interaction groups."""
    context = [i for i, spec in enumerate(catalog.features) if spec.lever == "context"]
    levers = sorted({spec.lever for spec in catalog.features} - {"context"})
    return [
        [i for i, spec in enumerate(catalog.features) if spec.lever == lever] + context for lever in levers
    ]


def category_levels(frame: pd.DataFrame, catalog: Catalog) -> dict[str, list[str]]:
    """Each categorical feature's levels in the training rows (their codes are their positions)."""
    return {name: sorted(frame[name].dropna().astype(str).unique().tolist()) for name in catalog.categorical}


def booster_params(catalog: Catalog, settings: TrainSettings) -> dict:
    """LightGBM's parameters for these settings with the catalog's monotone (and lever) constraints."""
    params = settings.lightgbm_params() | {"monotone_constraints": monotone_constraints(catalog)}
    if settings.lever_additive:
        params["interaction_constraints"] = lever_interaction_groups(catalog)
    return params


def lgb_dataset(x: np.ndarray, y: np.ndarray, catalog: Catalog, reference=None) -> lgb.Dataset:
    """A LightGBM dataset with the catalog's feature names and categorical columns."""
    categorical = [i for i, spec in enumerate(catalog.features) if spec.type == "categorical"]
    return lgb.Dataset(
        x,
        label=y,
        feature_name=catalog.names,
        categorical_feature=categorical or "auto",
        reference=reference,
        free_raw_data=False,
    )


def fit_booster(
    x: np.ndarray,
    y: np.ndarray,
    catalog: Catalog,
    settings: TrainSettings,
    rounds: int,
    x_valid: np.ndarray | None = None,
    y_valid: np.ndarray | None = None,
    objective: dict | None = None,
    weight: np.ndarray | None = None,
) -> lgb.Booster:
    """A LightGBM booster with the catalog's constraints; early stopping when validation rows are given.
    `objective` replaces the binary objective (the hazard model's Poisson); `weight` weighs the rows."""
    params = booster_params(catalog, settings) | (objective or {})
    params["bagging_fraction"] = min(settings.bagging_fraction, settings.max_rows_per_round / max(len(x), 1))
    train_set = lgb_dataset(x, y, catalog)
    if weight is not None:
        train_set.set_weight(np.asarray(weight, dtype=float))
    if x_valid is None:
        return lgb.train(params, train_set, num_boost_round=rounds)
    valid_set = lgb_dataset(x_valid, y_valid, catalog, reference=train_set)
    return lgb.train(
        params,
        train_set,
        num_boost_round=rounds,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)],
    )


def choose_shape(x, y, in_train, in_valid, catalog: Catalog, settings: TrainSettings):
    """The settings with the chosen (learning rate, leaves), the rounds, and every shape's figures.

    Each shape is early-stopped on the validation months; the holdout is never looked at.
    """
    from sklearn.metrics import roc_auc_score

    candidates = settings.shape_grid or ((settings.learning_rate, settings.num_leaves),)
    tried = []
    for learning_rate, leaves in candidates:
        shaped = dataclasses.replace(settings, learning_rate=float(learning_rate), num_leaves=int(leaves))
        early = fit_booster(
            x[in_train], y[in_train], catalog, shaped, shaped.max_rounds, x[in_valid], y[in_valid]
        )
        rounds = max(int(early.best_iteration or early.current_iteration()), 10)
        margin = early.predict(x[in_valid], num_iteration=rounds, raw_score=True)
        tried.append(
            {
                "learning_rate": float(learning_rate),
                "num_leaves": int(leaves),
                "rounds": rounds,
                "validation_roc_auc": float(roc_auc_score(y[in_valid], margin)),
                "explanation_cost": rounds * int(leaves),  # TreeSHAP work grows with trees x leaves
            }
        )
    best = max(t["validation_roc_auc"] for t in tried)
    near = [t for t in tried if t["validation_roc_auc"] >= best - settings.shape_tolerance]
    chosen = min(near, key=lambda t: (t["explanation_cost"], -t["validation_roc_auc"]))
    settings = dataclasses.replace(
        settings, learning_rate=chosen["learning_rate"], num_leaves=chosen["num_leaves"]
    )
    return (
        settings,
        chosen["rounds"],
        {"tried": tried, "chosen": chosen, "tolerance": settings.shape_tolerance},
    )


def fit_calibration(
    x: np.ndarray,
    y: np.ndarray,
    months: np.ndarray,
    people: np.ndarray,
    catalog: Catalog,
    settings: TrainSettings,
    rounds: int,
) -> tuple[PlattCalibration, str]:
    """Platt fitted the way the model is used, and the rule that was possible.

    Forward in time: a booster of the same shape and rounds, trained only on the months whose outcome
    was known when the latest `calibration_months` months began, scores those months — what every
    real scoring does. Where fewer than three such months exist (a short extract, or the holdout
    model of a 4-year one), the margins come from boosters that never saw the person (3 folds by
    person) instead. Calibration never sees a booster's own rows.
    """
    unique = sorted(np.unique(months))
    last = unique[-min(settings.calibration_months, max(1, len(unique) // 3)) :]
    earlier = known_by(unique, last[0], settings.horizon_months)
    if len(earlier) >= MIN_TRAIN_MONTHS:
        held = np.isin(months, last)
        booster = fit_booster(
            x[np.isin(months, earlier)], y[np.isin(months, earlier)], catalog, settings, rounds
        )
        return fit_platt(booster.predict(x[held], raw_score=True), y[held]), "forward in time"
    from sklearn.model_selection import GroupKFold

    margins = np.empty(len(y))
    for fit_rows, scored in GroupKFold(n_splits=3).split(x, y, groups=people):
        booster = fit_booster(x[fit_rows], y[fit_rows], catalog, settings, rounds)
        margins[scored] = booster.predict(x[scored], raw_score=True)
    return fit_platt(margins, y), "people held out"


def refit_and_calibrate(
    x: np.ndarray,
    y: np.ndarray,
    months: np.ndarray,
    people: np.ndarray,
    catalog: Catalog,
    settings: TrainSettings,
    rounds: int,
):
    """A booster on all given rows, its Platt calibration, and the calibration rule used."""
    booster = fit_booster(x, y, catalog, settings, rounds)
    calibration, rule = fit_calibration(x, y, months, people, catalog, settings, rounds)
    return booster, calibration, rule


def common_metadata(settings: TrainSettings, data_hash: str, metrics: dict) -> dict:
    """What every model directory records, whatever it was trained on."""
    return {
        "data_sha256": data_hash,
        "settings": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(settings).items()
        },
        "risk_bands": list(settings.risk_bands),
        "package_versions": package_versions(),
        "metrics": metrics,
    }


def settings_of(metadata: dict) -> TrainSettings:
    """The settings a model was trained with, read back from its metadata (the inverse of
    common_metadata's `settings`; keys a newer or older version wrote are ignored)."""
    stored = metadata.get("settings", {})
    values = {}
    for field in dataclasses.fields(TrainSettings):
        if field.name not in stored:
            continue
        value = stored[field.name]
        if isinstance(value, list):  # JSON keeps tuples (of tuples) as lists
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        values[field.name] = value
    return TrainSettings(**values)


def package_versions() -> dict[str, str]:
    """Versions of the packages a model depends on, for its metadata."""
    names = ("flightrisk", "lightgbm", "numpy", "pandas", "scikit-learn", "shap", "mlflow")
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def train_on_snapshots(
    features: pd.DataFrame, catalog: Catalog, settings: TrainSettings, data_hash: str
) -> tuple[SnapshotModel, TrainingReport]:
    """Train, measure on the out-of-time holdout, refit and calibrate. Pure: no files, no MLflow."""
    labelled = features[features["label"].notna()].reset_index(drop=True)
    if labelled.empty:
        raise InputError("the feature table has no labelled rows; the extract is too short for the horizon")
    split = split_by_time(labelled["snapshot_date"], settings)
    when = pd.to_datetime(labelled["snapshot_date"])
    in_fit = when.isin(split.train_months).to_numpy()
    held_out_people = validation_people(labelled["employee_id"], settings.validation_share, settings.seed)
    in_train = in_fit & ~held_out_people
    in_valid = when.isin(split.validation_months).to_numpy() & held_out_people
    in_holdout = when.isin(split.holdout_months).to_numpy()
    categories = category_levels(labelled[~in_holdout], catalog)
    x = encode_features(labelled, catalog, categories)
    y = labelled["label"].astype(int).to_numpy()
    people = labelled["employee_id"].astype(str).to_numpy()

    # 1. Choose the shape (with --choose-shape) and the number of rounds by early stopping on the
    #    validation months of people the boosters never saw.
    settings, best_rounds, shapes = choose_shape(x, y, in_train, in_valid, catalog, settings)
    months = when.to_numpy()

    # 2. The holdout model: refit on every row known at the first holdout month, exactly as the
    #    production model is refit on everything, so the holdout numbers describe the procedure we ship.
    holdout_booster, holdout_calibration, holdout_rule = refit_and_calibrate(
        x[in_fit], y[in_fit], months[in_fit], people[in_fit], catalog, settings, best_rounds
    )
    holdout_risk = holdout_calibration.risk(holdout_booster.predict(x[in_holdout], raw_score=True))

    # 3. The production model: every labelled row; and the what-ifs' response model on the same rows.
    booster, calibration, calibration_rule = refit_and_calibrate(
        x, y, months, people, catalog, settings, best_rounds
    )
    response = fit_logistic_response(labelled, y, catalog, settings.seed)
    response_booster = fit_additive_response(x, y, catalog, settings)
    events = event_rows(features)
    response_monthly = None
    if events is not None:
        known, event = events
        x_months = encode_features(features.iloc[known], catalog, categories)
        response_monthly = fit_monthly_response(x_months, event, catalog, settings)

    holdout = labelled.loc[in_holdout, ["employee_id", "snapshot_date", "label"]].reset_index(drop=True)
    holdout["risk"] = holdout_risk
    metrics = evaluate_on_holdout(
        labelled, in_holdout, holdout_risk, catalog, min(split.holdout_months), settings.horizon_months
    )
    for name in ("logistic_regression", "tenure_role", "prior"):
        if name in metrics["baselines"]:
            holdout[f"risk_{name}"] = metrics["baselines"][name].pop("_risk")
    metrics["horizon_months"] = settings.horizon_months
    if NEXT_MONTH_LABEL in features.columns:
        # Its one horizon with involuntary exits censored (IPCW), to set beside the hazard model's.
        in_panel = np.array(features["label"].notna())
        in_panel[in_panel] = in_holdout
        metrics["survival"] = snapshot_survival_metrics(
            features.reset_index(drop=True),
            in_panel,
            {settings.horizon_months: holdout_risk},
            (settings.horizon_months,),
        )
    metrics["model_shape"] = shapes
    metrics["holdout_start"] = str(min(split.holdout_months).date())
    metrics["holdout_end"] = str(max(split.holdout_months).date())

    gain = booster.feature_importance(importance_type="gain")
    importance = pd.DataFrame(
        {"feature": catalog.names, "lever": [s.lever for s in catalog.features], "gain": gain}
    ).sort_values("gain", ascending=False, ignore_index=True)
    profile = build_profile(
        labelled, x, catalog, categories, calibration.risk(booster.predict(x, raw_score=True)), when
    )
    metadata = {
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "horizon_months": settings.horizon_months,
        "train_window": [str(min(split.train_months).date()), str(max(split.train_months).date())],
        # Months between training and the holdout: their outcomes were not known when it began.
        "embargo_months": len(split.embargo_months),
        "calibration_rule": {"holdout_model": holdout_rule, "model": calibration_rule},
        "holdout_window": [metrics["holdout_start"], metrics["holdout_end"]],
        "final_window": [str(when.min().date()), str(when.max().date())],
        "rows": {
            "train": int(in_fit.sum()),
            "validation": int(in_valid.sum()),
            "holdout": int(in_holdout.sum()),
            "final": int(len(labelled)),
        },
        "best_rounds": best_rounds,
        # What people with a given score did on months the model never saw: the report's plain-words
        # certainty ("about 7 in 10 people with a score like this left within a year") reads it.
        "calibration_bins": calibration_table(holdout["label"], holdout_risk),
        "calibration_source": "holdout months",
        **common_metadata(settings, data_hash, metrics),
    }
    # How often each clock restarted in the panel: the monthly response's horizon reads it.
    restarts = None if response_monthly is None else measure_restarts(features, catalog)
    if restarts is not None:
        metadata["clock_restarts"] = restarts.to_dict()
    model = SnapshotModel(
        booster=booster,
        calibration=calibration,
        catalog=catalog,
        profile=profile,
        metadata=metadata,
        holdout_booster=holdout_booster,
        holdout_calibration=holdout_calibration,
        response=response,
        response_booster=response_booster,
        response_monthly=response_monthly,
    )
    report = TrainingReport(metrics, holdout, importance, metadata["calibration_bins"], best_rounds)
    return model, report


def baseline_rows(features: pd.DataFrame, holdout_start, horizon: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Which rows the baselines may learn from, what they learn, and over how many months.

    The rows whose `horizon`-month outcome was known when the holdout began (as the classifier's
    holdout model); with too short a history for any (a 24-month extract), the person-months before
    the holdout with their next-month outcome: the baselines are then monthly hazards, their risk over
    the horizon 1 − (1 − p)^horizon with the features held. Returns (row mask, labels, months per label).
    """
    when = pd.to_datetime(features["snapshot_date"])
    labelled = features["label"].notna().to_numpy()
    keys = _month_index(when)
    known = labelled & (keys <= _month_index([holdout_start])[0] - horizon)
    y = pd.to_numeric(features["label"], errors="coerce").to_numpy()
    if known.any() and np.unique(y[known]).size == 2:
        return known, y[known].astype(int), horizon
    if NEXT_MONTH_LABEL in features.columns:
        next_month = pd.to_numeric(features[NEXT_MONTH_LABEL], errors="coerce").to_numpy(dtype=float)
        monthly = ~np.isnan(next_month) & (when < pd.Timestamp(holdout_start)).to_numpy()
        if monthly.any() and np.unique(next_month[monthly]).size == 2:
            return monthly, next_month[monthly].astype(int), 1
    raise InputError(
        "no outcome was known before the holdout began to fit the baselines on; use a longer extract"
    )


def evaluate_on_holdout(
    features: pd.DataFrame,
    test_rows: np.ndarray,
    risk: np.ndarray,
    catalog: Catalog,
    holdout_start,
    horizon: int,
) -> dict:
    """The model's holdout metrics, and each baseline's, fitted on the rows of the same table whose
    outcome was known when the holdout began (`baseline_rows`)."""
    y = features["label"].astype(float).to_numpy()[test_rows].astype(int)
    metrics = holdout_metrics(y, risk)
    numeric = [s.name for s in catalog.features if s.type == "numeric"]
    fit_rows, y_fit, months = baseline_rows(features, holdout_start, horizon)
    baselines = fit_predict_baselines(
        features[fit_rows], y_fit, features[test_rows], numeric, catalog.categorical
    )
    if months != horizon:
        baselines = {name: 1.0 - (1.0 - p) ** (horizon / months) for name, p in baselines.items()}
        metrics["baselines_learned"] = (
            "monthly hazards on the person-months before the holdout (no "
            f"{horizon}-month outcome was known then), risk over {horizon} months with the features held"
        )
    metrics["baselines"] = {
        name: holdout_metrics(y, predicted) | {"_risk": predicted} for name, predicted in baselines.items()
    }
    return metrics
