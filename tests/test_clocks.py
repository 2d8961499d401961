"""Clocks that restart (model/clocks.py): measured from a panel, drawn over the horizon, read by the
monthly response."""

import numpy as np
import pandas as pd
import pytest

from flightrisk.features.catalog import load_catalog
from flightrisk.model.clocks import (
    MIN_PAIRS,
    ClockRestarts,
    calendar_months_of,
    measure_restarts,
    paths_ahead,
    value_bucket,
)
from flightrisk.model.hazard import month_steps, rows_ahead
from flightrisk.model.response import monthly_risk

CATALOG = load_catalog()
NAMES = CATALOG.names
RAISE = NAMES.index("months_since_last_raise")
CHECK_IN = NAMES.index("months_since_check_in")
TENURE = NAMES.index("tenure_months")


def _panel(people: int = 200, months: int = 36, seed: int = 0) -> pd.DataFrame:
    """Monthly snapshots: a raise every April for 80 % of people (never otherwise), a check-in each
    month with probability 0.3 after a recent one and 0.05 after 6+ months without, tenure that only
    grows. One person skips a month (that pair is not consecutive)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2022-01-31", periods=months, freq="ME")
    rows = []
    for person in range(people):
        raise_clock, check_in, tenure = int(rng.integers(0, 12)), int(rng.integers(0, 4)), 10
        for date in dates:
            rows.append(
                {
                    "employee_id": f"E{person:04d}",
                    "snapshot_date": date,
                    "months_since_last_raise": raise_clock,
                    "months_since_check_in": check_in,
                    "tenure_months": tenure,
                }
            )
            nxt = date + pd.offsets.MonthEnd(1)
            raise_clock = 0 if nxt.month == 4 and rng.random() < 0.8 else raise_clock + 1
            check_in = 0 if rng.random() < (0.3 if check_in < 6 else 0.05) else check_in + 1
            tenure += 1
    panel = pd.DataFrame(rows)
    gap = (panel["employee_id"] == "E0000") & (panel["snapshot_date"] == dates[5])
    return panel[~gap].reset_index(drop=True)


def test_restarts_are_measured_per_calendar_month_and_value():
    restarts = measure_restarts(_panel(), CATALOG)
    assert restarts is not None
    # Tenure never restarts: it ages straight on, as before.
    assert set(restarts.rates) == {"months_since_last_raise", "months_since_check_in"}
    raise_rates = restarts.rates["months_since_last_raise"]
    assert raise_rates.shape == (12, 7)
    assert np.all(np.abs(raise_rates[3] - 0.8) < 0.1)  # into April, whatever the clock's value
    assert np.all(np.delete(raise_rates, 3, axis=0) == 0.0)
    check_in = restarts.rates["months_since_check_in"]
    # A check-in is likelier after a recent one: 0.3 below six months, 0.05 from six on.
    assert np.abs(check_in[:, :4] - 0.3).max() < 0.12
    assert check_in[:, 4].mean() < 0.12


def test_a_sparse_cell_takes_the_next_lower_value_in_its_month():
    panel = _panel(people=30, months=24)
    restarts = measure_restarts(panel, CATALOG)
    table = restarts.rates["months_since_check_in"]
    # With 30 people a month, few pairs reach a clock of 12+: the cells copy the lower bucket.
    counts = (panel["months_since_check_in"] >= 11.5).groupby(panel["snapshot_date"].dt.month).sum()
    assert counts.max() < MIN_PAIRS
    assert np.array_equal(table[:, 5], table[:, 4]) and np.array_equal(table[:, 6], table[:, 5])


def test_no_panel_no_restarts():
    flat = _panel().drop(columns="snapshot_date")
    assert measure_restarts(flat, CATALOG) is None
    never = _panel()[["employee_id", "snapshot_date", "tenure_months"]]
    assert measure_restarts(never, CATALOG) is None


def test_restarts_survive_the_metadata_round_trip():
    restarts = measure_restarts(_panel(), CATALOG)
    back = ClockRestarts.from_dict(restarts.to_dict())
    assert back.paths == restarts.paths and set(back.rates) == set(restarts.rates)
    for name, table in restarts.rates.items():
        assert np.allclose(back.rates[name], table, atol=1e-4)
    assert ClockRestarts.from_dict(None) is None and ClockRestarts.from_dict({}) is None
    with pytest.raises(ValueError, match="value edges"):
        ClockRestarts.from_dict(restarts.to_dict() | {"value_edges": [1, 2]})


def _rows(n: int = 3) -> np.ndarray:
    x = np.zeros((n, len(NAMES)))
    x[:, RAISE] = [20.0, 5.0, np.nan][:n]
    x[:, CHECK_IN] = 2.0
    x[:, TENURE] = 30.0
    return x


def _restarts(raise_into_april: float = 1.0, check_in: float = 0.0) -> ClockRestarts:
    raise_table = np.zeros((12, 7))
    raise_table[3] = raise_into_april
    return ClockRestarts(
        {"months_since_last_raise": raise_table, "months_since_check_in": np.full((12, 7), check_in)}
    )


def test_without_restarts_one_path_ages_every_clock_as_before():
    x = _rows()
    (only,) = list(paths_ahead(x, CATALOG, 12, None, None))
    assert np.array_equal(only, rows_ahead(x, month_steps(CATALOG), 12), equal_nan=True)


def test_a_clock_restarts_in_its_month_and_a_held_one_never_moves():
    x = _rows()
    december = np.array([12, 12, 12])
    paths = list(paths_ahead(x, CATALOG, 12, _restarts(), december, held={"months_since_check_in": 0.0}))
    assert len(paths) == _restarts().paths
    for rows in paths:
        ahead = rows.reshape(12, 3, len(NAMES))
        # December + 4 months is April: the raise clock restarts there on every path, then ages again.
        assert list(ahead[:, 0, RAISE]) == [20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7]
        assert np.isnan(ahead[:, 2, RAISE]).all()  # never raised: still no raise
        assert np.all(ahead[1:, :, CHECK_IN] == 0.0)  # held
        assert list(ahead[:, 0, TENURE]) == list(range(30, 42))  # no restarts measured: ages on


def test_paths_draw_a_clock_at_its_rate_and_every_row_shares_them():
    x = np.repeat(_rows(1), 2, axis=0)
    paths = list(
        paths_ahead(x, CATALOG, 12, _restarts(raise_into_april=0.5, check_in=0.25), np.array([3, 3]))
    )
    restarted_in_april = [rows.reshape(12, 2, len(NAMES))[1, :, RAISE] == 0 for rows in paths]
    # Half the paths restart the raise clock going into April (the next month after March) ...
    assert sum(both[0] for both in restarted_in_april) == len(paths) // 2
    # ... and two identical rows always get the same draws (an action's change is not draw noise).
    assert all(both[0] == both[1] for both in restarted_in_april)
    check_in = np.array([rows.reshape(12, 2, len(NAMES))[1:, 0, CHECK_IN] for rows in paths])
    restarts = (check_in == 0).mean()
    assert 0.15 < restarts < 0.35


class _StepBooster:
    """A monthly log-hazard of −3, +0.35 where a raise is 18 months overdue (the simulator's step)."""

    def predict(self, rows, raw_score=True):
        return -3.0 + 0.35 * (rows[:, RAISE] >= 18)


def test_a_raise_ahead_of_the_review_is_read_only_until_the_review():
    x = _rows(1)  # 20 months since the last raise, in December
    raised = x.copy()
    raised[:, RAISE] = 0.0
    booster = _StepBooster()
    straight = monthly_risk(booster, x, CATALOG, 12) - monthly_risk(booster, raised, CATALOG, 12)
    december = np.array([12])
    with_review = monthly_risk(booster, x, CATALOG, 12, _restarts(), december) - monthly_risk(
        booster, raised, CATALOG, 12, _restarts(), december
    )
    # Aged straight on, the overdue raise weighs all 12 months; with the April review, the first 4.
    base = np.exp(-3.0)
    expected_straight = np.exp(-12 * base) - np.exp(-12 * base * np.exp(0.35))
    expected_review = np.exp(-12 * base) - np.exp(-(4 * np.exp(0.35) + 8) * base)
    assert straight[0] == pytest.approx(expected_straight)
    assert with_review[0] == pytest.approx(expected_review)
    assert 0 < with_review[0] < straight[0] / 2


def test_calendar_months_come_from_the_snapshot_date():
    frame = pd.DataFrame({"snapshot_date": pd.to_datetime(["2026-12-31", "2027-04-30"])})
    assert list(calendar_months_of(frame)) == [12, 4]
    assert calendar_months_of(frame.rename(columns={"snapshot_date": "date"})) is None
    assert list(value_bucket(np.array([0, 1, 2, 3, 6, 12, 24, np.nan]))) == [0, 1, 2, 3, 4, 5, 6, 0]


def test_the_draws_follow_the_clock_not_the_order_the_metadata_lists_it_in():
    # metadata.json is written with its keys sorted: a model read back lists its clocks
    # alphabetically, and must draw what it drew when it was trained.
    x = _rows()
    restarts = _restarts(raise_into_april=0.5, check_in=0.4)
    listed_otherwise = ClockRestarts(dict(reversed(list(restarts.rates.items()))), restarts.paths)
    months = np.array([1, 2, 3])
    one_way = paths_ahead(x, CATALOG, 12, restarts, months)
    other_way = paths_ahead(x, CATALOG, 12, listed_otherwise, months)
    for one, other in zip(one_way, other_way, strict=True):
        assert np.array_equal(one, other, equal_nan=True)
