"""Explanations checked against a simulated organisation whose true causes are known.

For each lever family: the rank correlation, across people, between the model's grouped
contribution (on the logit scale) and the simulator's true `contrib_<lever>` (on the log-hazard
scale). People leave managers, so the model's leadership features are compared with the true
leadership term plus the manager effect (`contrib_manager`), which they jointly measure.
"""

from __future__ import annotations

import pandas as pd

from flightrisk import LEVERS
from flightrisk.explain.contributions import explain_rows
from flightrisk.model.risk_model import RiskModel


def truth_correlations(model: RiskModel, features: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Spearman correlation per lever, and each lever's mean absolute contribution."""
    truth = truth.copy()
    truth["snapshot_date"] = pd.to_datetime(truth["month"]) + pd.offsets.MonthEnd(0)
    rows = features.reset_index(drop=True)
    joined = rows[["employee_id", "snapshot_date"]].merge(
        truth, on=["employee_id", "snapshot_date"], how="left"
    )
    keep = joined["hazard"].notna().to_numpy()
    rows, joined = rows[keep].reset_index(drop=True), joined[keep].reset_index(drop=True)
    levers = explain_rows(model, rows).lever_logit()
    result = {"rows": int(len(rows)), "spearman": {}, "mean_abs_contribution": {}}
    for lever in LEVERS:
        true = joined[f"contrib_{lever}"]
        if lever == "leadership":
            true = true + joined["contrib_manager"]
        result["spearman"][lever] = float(levers[lever].corr(true, method="spearman"))
        result["mean_abs_contribution"][lever] = float(levers[lever].abs().mean())
    values = [v for v in result["spearman"].values() if v == v]
    result["mean_spearman"] = float(sum(values) / len(values)) if values else float("nan")
    return result
