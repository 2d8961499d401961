"""Risk over time from a monthly hazard: the rows ahead, the horizon risks and their exact split.

The hazard booster (LightGBM, Poisson objective on person-months, `model/hazard_train.py`) gives each
month a person is at risk an expected number of voluntary exits λ = exp(f(x)); a month is short and
an exit happens once, so λ is the month's hazard. From a snapshot x₀ the months ahead are x₀ with the
features that move predictably rolled forward (the catalog's `per_month`: months since a raise +1,
ramp-up left −1 and never below 0) and everything else held. The cumulative hazard over h months
is H_h = Σ_{t<h} exp(f(x_t)), and the risk of leaving within h months 1 − exp(−H_h).

The margin the model contract speaks of is log H_h, and it splits exactly into feature terms: with
w_t = exp(f_t) / H_h (each month's share of the hazard) and f_t = φ₀ + Σ_j φ_jt (exact TreeSHAP of
month t),

    log H_h = Σ_t w_t f_t + E(w),   E(w) = −Σ_t w_t log w_t,

so feature j contributes Σ_t w_t φ_jt, and the base value is φ₀ + E(w): the "number of months" term
(log h when every month carries the same hazard), which belongs to no lever.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.catalog import Catalog
from flightrisk.features.snapshots import NEXT_MONTH_LABEL

HORIZONS = (3, 6, 12)


def month_steps(catalog: Catalog) -> np.ndarray:
    """Per feature (catalog order), how its value moves each month when nothing happens."""
    return np.array([spec.per_month for spec in catalog.features], dtype=float)


def rows_ahead(x: np.ndarray, steps: np.ndarray, months: int) -> np.ndarray:
    """The encoded rows of the next `months` months, month by month: (months * rows, features).

    Month t is x with every moving feature advanced t steps; a feature that counts down stops at 0
    (ramp-up left), a missing value stays missing (no raise yet is still no raise)."""
    t = np.arange(months, dtype=float)[:, None, None]
    ahead = x[None, :, :] + t * steps[None, None, :]
    down = steps < 0
    if down.any():
        ahead[:, :, down] = np.maximum(ahead[:, :, down], np.minimum(x[None, :, down], 0.0))
    return ahead.reshape(months * len(x), x.shape[1])


def monthly_log_hazards(booster, x: np.ndarray, catalog: Catalog, months: int) -> np.ndarray:
    """f(x_t) for t = 0 … months−1: (months, rows)."""
    if len(x) == 0:
        return np.empty((months, 0))
    raw = booster.predict(rows_ahead(x, month_steps(catalog), months), raw_score=True)
    return np.asarray(raw, dtype=float).reshape(months, len(x))


def log_cumulative_hazard(log_hazards: np.ndarray, horizon: int) -> np.ndarray:
    """log H_h from the monthly log-hazards (log-sum-exp over the first `horizon` months)."""
    part = log_hazards[:horizon]
    top = part.max(axis=0)
    return top + np.log(np.exp(part - top).sum(axis=0))


def split_log_cumulative_hazard(
    contributions: np.ndarray, log_hazards: np.ndarray, horizon: int
) -> np.ndarray:
    """Exact contributions to log H_h: (rows, features + 1), the last column the base value + E(w).

    `contributions` are the TreeSHAP values of every month ahead, (months, rows, features + 1)."""
    part = log_hazards[:horizon]
    weights = np.exp(part - log_cumulative_hazard(log_hazards, horizon)[None, :])  # (h, rows), sum 1
    split = np.einsum("tr,trf->rf", weights, contributions[:horizon])
    entropy = -(weights * np.log(np.clip(weights, 1e-300, None))).sum(axis=0)
    split[:, -1] += entropy
    return split


def horizon_labels(frame: pd.DataFrame, horizon: int) -> np.ndarray:
    """Per snapshot row: 1 when the person left voluntarily within `horizon` months, 0 when they did
    not (still employed then, or left involuntarily: as the 12-month `label`), NaN where the window
    runs past the table's last month — for everyone alike, since knowing early only the outcomes of
    those who left would make leaving look likelier than it is. Read from the next-month labels."""
    keys = _month_keys(frame["snapshot_date"])
    people = frame["employee_id"].astype(str).to_numpy()
    next_month = pd.to_numeric(frame[NEXT_MONTH_LABEL], errors="coerce").to_numpy(dtype=float)
    data_last = int(keys.max()) if len(keys) else 0
    left_at = np.where(next_month == 1, keys + 1, np.nan)
    exit_key = pd.Series(left_at).groupby(people, sort=False).transform("min").to_numpy()
    label = np.where((exit_key > keys) & (exit_key <= keys + horizon), 1.0, 0.0)
    return np.where(keys + horizon <= data_last, label, np.nan)


def _month_keys(dates) -> np.ndarray:
    when = pd.DatetimeIndex(pd.to_datetime(dates))
    return np.asarray(when.year * 12 + when.month - 1, dtype=np.int64)


def time_to_exit(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per snapshot row, in survival form: (months from the snapshot, event).

    The observation of a row ends at the first month, from the snapshot on, whose next month is not a
    plain "still employed": a voluntary exit in the month after month j gives event 1 at j − k + 1
    months (exits are counted by the month, as the labels count them); an involuntary exit or the end
    of the extract censors during that next month, at j − k + ½ — so someone still employed at the
    extract's end 12 months after the snapshot counts as having stayed 12 months, as the 12-month label
    says. Read from the person's later rows: `frame` must hold the whole panel, not only the rows scored.
    """
    keys = _month_keys(frame["snapshot_date"])
    people = frame["employee_id"].astype(str).to_numpy()
    next_month = pd.to_numeric(frame[NEXT_MONTH_LABEL], errors="coerce").to_numpy(dtype=float)
    order = np.lexsort((keys, people))
    stops = pd.DataFrame(
        {
            "key": np.where(next_month[order] == 0, np.nan, keys[order]),
            "left": np.where(next_month[order] == 0, np.nan, next_month[order] == 1),
        }
    )
    # Each row takes the first stop at or after it (a row past every stop has none: its person's
    # rows end while still employed, which only a cut panel does; it is censored after its last row).
    stops = stops.groupby(people[order], sort=False).bfill()
    last_row = pd.Series(keys[order]).groupby(people[order], sort=False).transform("max").to_numpy()
    end_key = np.where(stops["key"].isna(), last_row, stops["key"].to_numpy())
    left_sorted = stops["left"].fillna(0).to_numpy() == 1
    duration, left = np.empty(len(keys)), np.empty(len(keys), dtype=int)
    duration[order] = end_key - keys[order] + np.where(left_sorted, 1.0, 0.5)
    left[order] = left_sorted
    return duration, left
