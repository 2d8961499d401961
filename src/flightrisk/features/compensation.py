"""Compensation: pay against peers and newer hires, raises, bonus attainment, variable share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.snapshots import (
    MIN_PEERS,
    as_of,
    monthly_total,
    months_between,
    peer_ratio,
    rolling_sum,
)

# The groups base pay is compared in, most specific first; a group under MIN_PEERS people falls back
# to the next. Named once: the report's sentences name the group a person's ratio really used.
PAY_PEER_GROUPS = (
    ("level", ("role", "level", "region")),
    ("region", ("role", "region")),
    ("role", ("role",)),
)


def compensation_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Pay against peers and newer hires, time since and size of the last raise, variable share of pay (as of each snapshot)."""
    pay = tables["compensation"].sort_values(["employee_id", "effective_date"], kind="stable").copy()
    previous = pay.groupby("employee_id", sort=False)["base_salary_monthly"].shift(1)
    pay["raise_pct"] = np.where(previous.notna(), pay["base_salary_monthly"] / previous - 1, np.nan)
    raises = pay[pay["raise_pct"] > 0]

    current = as_of(panel, pay, "effective_date", ["base_salary_monthly", "variable_target_annual"])
    last_raise = as_of(panel, raises, "effective_date", ["raise_pct"])
    base = current["base_salary_monthly"]
    month = panel["month_key"]
    peer_pay = peer_ratio(base, [[month, *(panel[k] for k in keys)] for _, keys in PAY_PEER_GROUPS])
    # Compression: pay against colleagues in the same role and region hired within the last two years.
    tenure = months_between(panel["snapshot_date"], panel["hire_date"])
    recent = tenure < 24
    newer_median = (
        base.where(recent).groupby([month, panel["role"], panel["region"]], sort=False).transform("median")
    )
    newer_count = (
        base.where(recent).groupby([month, panel["role"], panel["region"]], sort=False).transform("count")
    )
    # Everyone gets the ratio (recent hires too), so a missing value never stands in for tenure.
    pay_vs_newer = (base / newer_median).where(newer_count >= MIN_PEERS)

    since_raise_start = last_raise["_event_date"].fillna(panel["hire_date"])
    bonus = tables["bonus_payouts"]
    paid = rolling_sum(panel, monthly_total(panel, bonus, "period_end", bonus["paid_amount"]), 12)
    target = rolling_sum(panel, monthly_total(panel, bonus, "period_end", bonus["target_amount"]), 12)
    variable = current["variable_target_annual"]
    return pd.DataFrame(
        {
            "base_pay_vs_peer_median": peer_pay,
            "months_since_last_raise": months_between(panel["snapshot_date"], since_raise_start),
            "last_raise_pct": last_raise["raise_pct"].fillna(0.0) * 100,
            "bonus_paid_vs_target_12m": (paid / target).where(target > 0),
            "variable_share_of_pay": variable / (variable + 12 * base),
            "pay_vs_newer_hires": pay_vs_newer,
        },
        index=panel.index,
    )
