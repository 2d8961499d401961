"""Leadership: the manager relationship — stability, 1:1 cadence, the manager's past exits, support."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.snapshots import as_of, month_key, monthly_total, months_between, rolling_sum


def _manager_changes(jobs: pd.DataFrame) -> pd.DataFrame:
    jobs = jobs.sort_values(["employee_id", "effective_date"], kind="stable")
    previous = jobs.groupby("employee_id", sort=False)["manager_id"].shift(1)
    first = ~jobs["employee_id"].duplicated()
    changed = ~first & (jobs["manager_id"].fillna("") != previous.fillna(""))
    return jobs[changed]


def _team_exits_12m(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Voluntary exits over the past 12 months among people who reported to the same manager."""
    employees = tables["employees"]
    leavers = employees[employees["termination_type"] == "voluntary"][["employee_id", "termination_date"]]
    if leavers.empty:
        return pd.Series(0.0, index=panel.index)
    jobs = tables["job_history"][["employee_id", "effective_date", "manager_id"]].copy()
    jobs["effective_date"] = pd.to_datetime(jobs["effective_date"]).astype("datetime64[ns]")
    left = leavers.assign(
        termination_date=pd.to_datetime(leavers["termination_date"]).astype("datetime64[ns]")
    )
    at_exit = pd.merge_asof(
        left.sort_values("termination_date"),
        jobs.sort_values("effective_date"),
        left_on="termination_date",
        right_on="effective_date",
        by="employee_id",
    ).dropna(subset=["manager_id"])
    managers = pd.Index(pd.concat([at_exit["manager_id"], panel["manager_id"].dropna()]).unique())
    first = int(min(panel["month_key"].min(), month_key(at_exit["termination_date"]).min()))
    last = int(panel["month_key"].max())
    grid = np.zeros((len(managers), last - first + 2))
    exit_month = month_key(at_exit["termination_date"]).to_numpy(dtype=np.int64) - first + 1
    inside = exit_month <= last - first + 1
    np.add.at(grid, (managers.get_indexer(at_exit["manager_id"])[inside], exit_month[inside]), 1.0)
    cumulative = grid.cumsum(axis=1)
    rows = managers.get_indexer(panel["manager_id"].fillna("\0"))
    month = panel["month_key"].to_numpy(dtype=np.int64) - first + 1
    has = rows >= 0
    result = np.zeros(len(panel))
    now = cumulative[rows[has], month[has]]
    before = cumulative[rows[has], np.maximum(month[has] - 12, 0)]
    result[has] = now - before
    return pd.Series(result, index=panel.index)


def leadership_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Time with the manager, the manager's time as a lead, time since a check-in, the support survey answer."""
    changes = _manager_changes(tables["job_history"])
    last_change = as_of(panel, changes, "effective_date", [])
    with_manager = months_between(
        panel["snapshot_date"], last_change["_event_date"].fillna(panel["hire_date"])
    )
    sessions = tables["one_on_ones"]
    check_ins = sessions[sessions["kind"] == "check_in"]
    last_check_in = as_of(panel, check_ins, "date", [])
    since_check_in = months_between(
        panel["snapshot_date"], last_check_in["_event_date"].fillna(panel["hire_date"])
    )
    jobs = tables["job_history"]
    became_lead = jobs[jobs["role"] == "Team Lead"].groupby("employee_id")["effective_date"].min()
    lead_since = pd.to_datetime(panel["manager_id"].map(became_lead))
    survey = as_of(panel, tables["engagement_survey"], "survey_date", ["manager_support"])
    has_manager = panel["manager_id"].notna()
    return pd.DataFrame(
        {
            "months_with_manager": with_manager.where(has_manager),
            "manager_months_as_lead": months_between(panel["snapshot_date"], lead_since),
            "manager_changes_12m": rolling_sum(panel, monthly_total(panel, changes, "effective_date"), 12),
            "check_ins_3m": rolling_sum(panel, monthly_total(panel, check_ins, "date"), 3).where(has_manager),
            "months_since_check_in": since_check_in.where(has_manager),
            "manager_team_exits_12m": _team_exits_12m(panel, tables).where(has_manager),
            "survey_manager_support": survey["manager_support"].astype(float).to_numpy(),
        },
        index=panel.index,
    )
