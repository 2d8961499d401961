"""The simulator's truth tables read against the tool's rows: one join, one definition of a lever's term."""

from __future__ import annotations

import pandas as pd

KEYS = ["employee_id", "snapshot_date"]


def hazard_at_snapshots(rows: pd.DataFrame, hazard: pd.DataFrame, how: str = "left") -> pd.DataFrame:
    """`truth/hazard.parquet` joined to snapshot rows (its `month` is the snapshot's month), in row order."""
    truth = hazard.copy()
    truth["snapshot_date"] = pd.to_datetime(truth["month"]) + pd.offsets.MonthEnd(0)
    keys = rows[KEYS].copy()
    keys["snapshot_date"] = pd.to_datetime(keys["snapshot_date"])
    return keys.merge(truth.drop(columns=["month"]), on=KEYS, how=how)


def below_certain_exit(joined: pd.DataFrame) -> pd.Series:
    """The person-months whose monthly voluntary hazard is below 1. The simulator draws an exit with
    probability min(hazard, 1), so at a hazard of 1 or more the exit is certain and no term moves it:
    a lever's log-hazard there (thousands, in a team whose climate collapsed under a strong culture
    lever) is no part of what the lever does."""
    return joined["hazard"] < 1.0


def true_lever_term(joined: pd.DataFrame, lever: str) -> pd.Series:
    """A lever's true term in the log-hazard; the manager's own effect belongs to leadership."""
    term = joined[f"contrib_{lever}"]
    return term + joined["contrib_manager"] if lever == "leadership" else term
