"""Workload and targets: attainment and its trend, quota raises, accounts, hours, travel, time off."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.snapshots import as_of, monthly_total, peer_ratio, rolling_sum


def add_sales_helpers(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monthly quota and bookings on the panel; other levers (recognition) rank on attainment."""
    sales = tables["sales_performance"]
    quota = monthly_total(panel, sales, "month", sales["quota"])
    bookings = monthly_total(panel, sales, "month", sales["bookings"])
    q6, b6 = rolling_sum(panel, quota, 6), rolling_sum(panel, bookings, 6)
    return panel.assign(_quota=quota, _bookings=bookings, _attainment_6m=(b6 / q6).where(q6 > 0))


def workload_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Attainment trend, the quota's rise, accounts against peers, the workload-balance survey answer."""
    quota, bookings = panel["_quota"], panel["_bookings"]

    def attainment(months: int) -> pd.Series:
        q, b = rolling_sum(panel, quota, months), rolling_sum(panel, bookings, months)
        return (b / q).where(q > 0)

    att3, att12 = attainment(3), attainment(12)
    # Same calendar month a year earlier, so seasonality cancels out of the raise.
    quota_year_ago = quota.groupby(panel["employee_id"], sort=False).shift(12)
    sales = tables["sales_performance"]
    accounts = as_of(panel, sales, "month", ["accounts"])["accounts"].astype(float)
    work = tables["workload"]
    hours = monthly_total(panel, work, "month", work["avg_weekly_hours"])
    worked = monthly_total(panel, work, "month")
    hours_3m = rolling_sum(panel, hours, 3) / rolling_sum(panel, worked, 3).replace(0, np.nan)
    hours_12m = rolling_sum(panel, hours, 12) / rolling_sum(panel, worked, 12).replace(0, np.nan)
    survey = as_of(panel, tables["engagement_survey"], "survey_date", ["workload_balance"])
    return pd.DataFrame(
        {
            "quota_attainment_3m": att3,
            "quota_attainment_6m": panel["_attainment_6m"],
            "quota_attainment_12m": att12,
            "attainment_trend": att3 - att12,
            "quota_raise_pct": ((quota / quota_year_ago - 1) * 100).where(quota_year_ago > 0),
            "accounts_vs_peers": peer_ratio(accounts, [[panel["month_key"], panel["role"]]]),
            "avg_weekly_hours_3m": hours_3m,
            "avg_weekly_hours_12m": hours_12m,
            "travel_days_3m": rolling_sum(panel, monthly_total(panel, work, "month", work["travel_days"]), 3),
            "pto_days_12m": rolling_sum(panel, monthly_total(panel, work, "month", work["pto_days"]), 12),
            "territory_changes_12m": rolling_sum(
                panel, monthly_total(panel, work, "month", work["territory_changed"].astype(float)), 12
            ),
            "survey_workload_balance": survey["workload_balance"].astype(float).to_numpy(),
        },
        index=panel.index,
    )
