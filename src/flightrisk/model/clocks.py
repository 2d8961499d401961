"""Clocks and how often they restart: the natural course of a feature that counts months since an event.

A clock (a catalog feature with `per_month` > 0: months since a raise, a recognition, a check-in) ages
by a month each month unless its event happens again. The monthly response booster is carried over
the horizon month by month (model/response.py); aged straight on, a clock says that nobody gets a raise
at the next salary review and nobody a check-in next month. A what-if then reads a raise today as
sparing the person a year of the hazard of a raise long overdue, where in truth the next review would
have raised most people four months later anyway (the unseen worlds' review is in April: 81 % of the
clocks restart going into April, about 1 % in any other month).

So the panel is asked how often each clock restarted (went to 0) from one month to the next, per
calendar month moved into and per the clock's value then (a check-in is likelier after a recent one:
67 % a month after one, 28 % after half a year without). Over the horizon, each of PATHS reset paths
draws every clock's restarts at those rates, the same draws for every row and for a row before and
after an action (common random numbers: an action's change is not the noise of two draws), and the
monthly hazard is averaged over the paths. An action that is kept up (a 1:1 every month from now on,
catalog `hold`) holds its clock at its value every month instead.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from flightrisk.features.catalog import Catalog
from flightrisk.model.hazard import month_steps

# The clock's value when it moved: 0, 1, 2, 3-5, 6-11, 12-23 and 24+ months.
VALUE_EDGES = (0.5, 1.5, 2.5, 5.5, 11.5, 23.5)
# Fewer month-to-month pairs than this in a (calendar month, value) cell: the next lower value's rate
# in that month (a long wait is rarer than a short one, and the rate falls with it for check-ins).
MIN_PAIRS = 50
# Reset paths averaged over the horizon. Each costs one more reading of the monthly booster per month
# ahead, most of a plan's pricing time (a plan of 1,953 people: 4.1 s aged straight on, 10.9 s over
# four paths, 5.7 s over two with the reading's memo). On the five usual unseen worlds two paths and
# eight gave the plan the same worst share of the oracle plan (0.867; means 0.918 and 0.914), but
# another assignment of two paths' draws gave one world 0.825 against 0.892: two are cheap, not
# precise (docs/benchmarks.md).
PATHS = 2
# The draws of path p, month m, the clock in column j: a low-discrepancy sequence (no random
# state to carry, the same for every row).
_GOLDEN = 0.6180339887498949
_GOLDEN_2 = 0.3819660112501051


@dataclasses.dataclass(frozen=True)
class ClockRestarts:
    """Per clock feature, the probability that it restarts going into each calendar month (rows,
    January first) when its value is in each of VALUE_EDGES' buckets (columns)."""

    rates: dict[str, np.ndarray]
    paths: int = PATHS

    def to_dict(self) -> dict:
        """JSON-ready, as stored in a model's metadata (`clock_restarts`)."""
        return {
            "paths": self.paths,
            "value_edges": list(VALUE_EDGES),
            "rates": {name: np.round(table, 4).tolist() for name, table in self.rates.items()},
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> ClockRestarts | None:
        """Read back what to_dict wrote (None for a model trained before clocks restarted)."""
        if not data or not data.get("rates"):
            return None
        if tuple(data.get("value_edges", VALUE_EDGES)) != VALUE_EDGES:
            raise ValueError(
                f"clock_restarts: value edges {data.get('value_edges')} differ from {VALUE_EDGES}"
            )
        rates = {name: np.asarray(table, dtype=float) for name, table in data["rates"].items()}
        return cls(rates, int(data.get("paths", PATHS)))


def measure_restarts(features: pd.DataFrame, catalog: Catalog) -> ClockRestarts | None:
    """How often each clock restarted in the feature panel (consecutive monthly snapshots of the same
    person); None for a table without one or a panel where no clock ever restarted. Feature values
    only, all dated on or before the latest snapshot: no outcome is read."""
    clocks = [spec.name for spec in catalog.features if spec.per_month > 0 and spec.name in features]
    if not clocks or not {"employee_id", "snapshot_date"} <= set(features.columns):
        return None
    dates = pd.to_datetime(features["snapshot_date"])
    panel = features[clocks].apply(pd.to_numeric, errors="coerce")
    panel["person"] = features["employee_id"].astype(str).to_numpy()
    panel["month_key"] = (dates.dt.year * 12 + dates.dt.month).to_numpy()
    panel = panel.sort_values(["person", "month_key"], kind="stable")
    following = panel.groupby("person", sort=False).shift(-1)
    consecutive = ((following["month_key"] - panel["month_key"]) == 1).to_numpy()
    month_into = (panel["month_key"].to_numpy() % 12).astype(int)  # 0 = January (key counts months from 1)
    rates = {}
    for name in clocks:
        now, then = panel[name].to_numpy(dtype=float), following[name].to_numpy(dtype=float)
        pairs = consecutive & ~np.isnan(now) & ~np.isnan(then)
        restarted = then[pairs] < 0.5
        if not pairs.any() or restarted.mean() < 1e-3:
            continue  # never restarts (tenure): ages straight on, as before
        rates[name] = _rate_table(restarted, month_into[pairs], value_bucket(now[pairs]))
    return ClockRestarts(rates) if rates else None


def _rate_table(restarted: np.ndarray, month: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    table = np.zeros((12, len(VALUE_EDGES) + 1))
    for m in range(12):
        in_month = month == m
        month_rate = restarted[in_month].mean() if in_month.any() else restarted.mean()
        for b in range(table.shape[1]):
            cell = in_month & (bucket == b)
            if cell.sum() >= MIN_PAIRS:
                table[m, b] = restarted[cell].mean()
            else:
                table[m, b] = table[m, b - 1] if b > 0 else month_rate
    return table


def value_bucket(values: np.ndarray) -> np.ndarray:
    """The VALUE_EDGES bucket of each clock value (a missing value counts as 0: it never restarts)."""
    return np.searchsorted(VALUE_EDGES, np.nan_to_num(values, nan=0.0))


def paths_ahead(
    x: np.ndarray,
    catalog: Catalog,
    months: int,
    restarts: ClockRestarts | None,
    calendar_months: np.ndarray | None,
    held: dict[str, float] | None = None,
):
    """Yield the encoded rows of the next `months` months, (months * rows, features), once per reset
    path: every moving feature aged a month at a time (a countdown stops at 0, a missing value stays
    missing), each clock restarted at its measured rate, a held feature kept at its value.
    `calendar_months`: each row's month of the year (1-12); without it, or without `restarts`, one
    path that ages every clock straight on (as `hazard.rows_ahead`)."""
    steps = month_steps(catalog)
    column = {name: j for j, name in enumerate(catalog.names)}
    clocks = []
    if restarts is not None and calendar_months is not None:
        # In catalog order, whatever order the metadata lists them in: a clock's draws follow its
        # column, so a model read back from disk draws what it drew when it was trained.
        clocks = sorted((column[name], table) for name, table in restarts.rates.items() if name in column)
    kept = [(column[name], value) for name, value in (held or {}).items() if name in column]
    countdown = steps < 0
    floor = np.minimum(x[:, countdown], 0.0)
    paths = restarts.paths if clocks else 1
    for path in range(paths):
        month = x.copy()
        ahead = np.empty((months, *x.shape))
        ahead[0] = month
        for m in range(1, months):
            before = month
            month = before + steps
            month[:, countdown] = np.maximum(month[:, countdown], floor)
            if clocks:
                into = (np.asarray(calendar_months, dtype=int) - 1 + m) % 12
                for j, table in clocks:
                    draw = ((path + 0.5) / paths + m * _GOLDEN + j * _GOLDEN_2) % 1.0
                    restart = (draw < table[into, value_bucket(before[:, j])]) & ~np.isnan(month[:, j])
                    month[restart, j] = 0.0
            for j, value in kept:
                month[:, j] = value
            ahead[m] = month
        yield ahead.reshape(months * len(x), x.shape[1])


def calendar_months_of(frame: pd.DataFrame) -> np.ndarray | None:
    """Each row's month of the year (1-12) from its snapshot date; None without one."""
    if "snapshot_date" not in frame.columns:
        return None
    dates = pd.to_datetime(frame["snapshot_date"], errors="coerce")
    if dates.isna().any():
        return None
    return dates.dt.month.to_numpy(dtype=int)
