"""Who is who at a snapshot: each person's name, manager, team, region and role, read from the extract
(the plan's teams, the report's pages). Never a model feature: names are for people to read."""

from __future__ import annotations

import pandas as pd

DIRECTORY_COLUMNS = ["employee_id", "name", "manager_id", "manager_name", "team_id", "region", "role"]


def _jobs_at(job_history: pd.DataFrame, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Each person's latest job record dated on or before the snapshot."""
    jobs = job_history[pd.to_datetime(job_history["effective_date"]) <= snapshot]
    return jobs.sort_values("effective_date", kind="stable").groupby("employee_id").tail(1)


def people_directory(tables: dict[str, pd.DataFrame] | None, snapshot: pd.Timestamp) -> pd.DataFrame:
    """employee_id -> name, manager_id, manager name, team_id, region, role at the snapshot."""
    if tables is None:
        return pd.DataFrame(columns=DIRECTORY_COLUMNS)
    current = _jobs_at(tables["job_history"], snapshot)[
        ["employee_id", "manager_id", "team_id", "region", "role"]
    ]
    names = tables["employees"][["employee_id", "name"]]
    directory = current.merge(names, on="employee_id", how="left")
    return directory.merge(
        names.rename(columns={"employee_id": "manager_id", "name": "manager_name"}),
        on="manager_id",
        how="left",
    )


def teams_at(job_history: pd.DataFrame, snapshot: pd.Timestamp) -> pd.Series:
    """employee_id -> team_id at the snapshot (the latest job record dated on or before it)."""
    latest = _jobs_at(job_history, snapshot)
    return latest.set_index(latest["employee_id"].astype(str))["team_id"].astype(str)


def managers_of_rows(job_history: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """Each row's manager_id at its snapshot (the latest job record dated on or before it; missing
    where there is none), aligned with `rows` (employee_id, snapshot_date)."""
    jobs = job_history[["employee_id", "effective_date", "manager_id"]].copy()
    jobs["employee_id"] = jobs["employee_id"].astype(str)
    jobs["effective_date"] = pd.to_datetime(jobs["effective_date"]).astype("datetime64[ns]")
    left = pd.DataFrame(
        {
            "employee_id": rows["employee_id"].astype(str).to_numpy(),
            "snapshot_date": pd.to_datetime(rows["snapshot_date"]).astype("datetime64[ns]").to_numpy(),
            "position": range(len(rows)),
        }
    )
    found = pd.merge_asof(
        left.sort_values("snapshot_date", kind="stable"),
        jobs.sort_values("effective_date", kind="stable"),
        left_on="snapshot_date",
        right_on="effective_date",
        by="employee_id",
    ).sort_values("position")
    return pd.Series(found["manager_id"].to_numpy(), index=rows.index, name="manager_id")
