"""The what-ifs' response models: what re-scoring a person after an action reads, beside the booster.

The risk model is made to rank people; re-scoring it after an action is a poor guide to what the
action does. It is flat wherever a small effect earned no split (61 % of the person-action pairs
whose true effect exceeded a point got exactly 0 on one simulated world), and a feature that travels
with a cause (recognitions follow performance) carries the cause's sign. Two structural models of
the same labelled rows answer "what if" instead (explain/whatif.py mixes their changes):

- a **sign-constrained logistic regression** (`response.json`): never flat, and each coefficient
  keeps its feature's catalog direction, so a proxy whose association runs the other way reads as
  nothing rather than as harm;
- a **lever-additive, monotone booster** (`response_model.txt`, LightGBM's text format): each branch of a
  tree reads one lever's features (with the context), so a lever's effect is a sum of its own terms and
  cannot be borrowed through another lever's features; it bends where the linear model cannot (a
  wait that matters only after two years, recognition that fades after a year);
- the same booster on **next-month exits** (`response_monthly.txt`, a Poisson hazard), carried over
  the horizon as the risk model's hazard is (each month ahead ages the features that move by
  themselves: a recognition gets older, so its effect fades), its clocks restarting as often as the
  panel showed (model/clocks.py: the next salary review raises most people anyway). A 12-month label blurs a state that
  changes within the year; this one follows a recognition's fading where the 12-month booster read a
  fifth of it, but over-reads a lasting state. A what-if reads its change on the calibrated risk's
  level and weighs it most for the features that age by themselves, least for the lasting ones
  (`explain.whatif.response_mix`).

Measured on the five unseen worlds and the default world against the simulator's counterfactual truth
(docs/benchmarks.md):
the mix follows the true effects better than any one of them, and far better than re-scoring the
risk model.
"""

from __future__ import annotations

import dataclasses

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.config import TrainSettings
from flightrisk.features.catalog import Catalog
from flightrisk.model.clocks import ClockRestarts, paths_ahead
from flightrisk.model.linear import LinearPart, fit_linear

RESPONSE_MAX_ROWS = 500_000  # rows the response models learn from at most (a fixed sample)
RESPONSE_C = 0.3  # L2 strength of the logistic response (as the flat tables' linear part; not tuned)
# The additive booster's shape: small trees, slow learning, enough rounds that a weak lever earns
# splits of its own. Set once before it was measured, and not tuned on any world.
ADDITIVE_SHAPE = {"learning_rate": 0.05, "num_leaves": 7, "min_data_in_leaf": 200}
ADDITIVE_ROUNDS = 400
# The monthly additive response learns next-month exits (a Poisson hazard): its gradients are a
# twelfth of a 12-month label's, so it takes more learning: twice the rate over 500 rounds. That reads
# as 1,000 rounds at the 12-month rate did (on four unseen worlds: what-if sign 0.961 against 0.964,
# Pearson 0.912 against 0.911, the plan's approximate share of the oracle 0.857 against 0.855) at half
# the cost to fit and to read, and a what-if reads it once per month ahead.
MONTHLY_SHAPE = ADDITIVE_SHAPE | {"learning_rate": 0.1}
MONTHLY_ROUNDS = 500


def response_rows(labelled: pd.DataFrame, y: np.ndarray, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows both response models learn: every labelled row, or a fixed sample on a large table
    (a model of ~60 features has long converged by then)."""
    if len(labelled) <= RESPONSE_MAX_ROWS:
        return labelled, y
    rows = np.sort(np.random.default_rng(seed).choice(len(labelled), RESPONSE_MAX_ROWS, replace=False))
    return labelled.iloc[rows], y[rows]


def fit_logistic_response(labelled: pd.DataFrame, y: np.ndarray, catalog: Catalog, seed: int) -> LinearPart:
    """The sign-constrained L2 logistic regression on the catalog's features."""
    rows, labels = response_rows(labelled, y, seed)
    return fit_linear(rows, labels, catalog, RESPONSE_C, monotone=True)


def fit_additive_response(
    x: np.ndarray, y: np.ndarray, catalog: Catalog, settings: TrainSettings
) -> lgb.Booster:
    """The lever-additive, monotone booster on the encoded rows `x` (the model's own encoding)."""
    return _fit_lever_additive(x, y, catalog, settings, ADDITIVE_ROUNDS, ADDITIVE_SHAPE)


def fit_monthly_response(
    x: np.ndarray, event: np.ndarray, catalog: Catalog, settings: TrainSettings
) -> lgb.Booster:
    """The lever-additive, monotone Poisson booster on next-month exits `event` of the encoded rows `x`."""
    from flightrisk.model.hazard_train import POISSON

    return _fit_lever_additive(x, event, catalog, settings, MONTHLY_ROUNDS, MONTHLY_SHAPE, POISSON)


def _fit_lever_additive(
    x, y, catalog: Catalog, settings: TrainSettings, rounds: int, shape: dict, objective=None
):
    """A lever-additive booster of `shape` on every row, or a fixed sample of a large table."""
    from flightrisk.model.train import fit_booster

    shaped = dataclasses.replace(settings, lever_additive=True, **shape)
    rows = np.arange(len(y))
    if len(y) > RESPONSE_MAX_ROWS:
        rows = np.sort(np.random.default_rng(settings.seed).choice(len(y), RESPONSE_MAX_ROWS, replace=False))
    return fit_booster(x[rows], y[rows], catalog, shaped, rounds, objective=objective)


def monthly_risk(
    booster: lgb.Booster,
    x: np.ndarray,
    catalog: Catalog,
    months: int,
    restarts: ClockRestarts | None = None,
    calendar_months: np.ndarray | None = None,
    held: dict[str, float] | None = None,
) -> np.ndarray:
    """The probability of leaving within `months` from a monthly hazard booster, the features aged
    month by month as the risk model's hazard ages them: 1 − exp(−H). With the panel's clock
    `restarts` and each row's month of the year, H is averaged over the reset paths of
    `clocks.paths_ahead`; a `held` feature keeps its value every month (an action kept up)."""
    from flightrisk.model.hazard import log_cumulative_hazard, monthly_log_hazards

    if (restarts is None or calendar_months is None) and not held:
        return 1.0 - np.exp(
            -np.exp(log_cumulative_hazard(monthly_log_hazards(booster, x, catalog, months), months))
        )
    if len(x) == 0:
        return np.empty(0)
    hazard = np.zeros(len(x))
    paths = 0
    for rows in paths_ahead(x, catalog, months, restarts, calendar_months, held):
        log_hazards = np.asarray(booster.predict(rows, raw_score=True), dtype=float).reshape(months, len(x))
        hazard += np.exp(log_hazards).sum(axis=0)
        paths += 1
    return -np.expm1(-hazard / paths)


def event_rows(features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """(row positions, next-month exits) of the rows whose next month is known; None without the column."""
    from flightrisk.features.snapshots import NEXT_MONTH_LABEL

    if NEXT_MONTH_LABEL not in features.columns:
        return None
    event = pd.to_numeric(features[NEXT_MONTH_LABEL], errors="coerce").to_numpy(dtype=float)
    known = np.flatnonzero(~np.isnan(event))
    if len(known) == 0 or event[known].sum() == 0:
        return None
    return known, event[known]
