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
from flightrisk.synth.truth import hazard_at_snapshots, true_lever_term


def truth_correlations(model: RiskModel, features: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Spearman correlation per lever, and each lever's mean absolute contribution."""
    rows = features.reset_index(drop=True)
    joined = hazard_at_snapshots(rows, truth)
    keep = joined["hazard"].notna().to_numpy()
    rows, joined = rows[keep].reset_index(drop=True), joined[keep].reset_index(drop=True)
    levers = explain_rows(model, rows).lever_logit()
    result = {"rows": int(len(rows)), "spearman": {}, "mean_abs_contribution": {}}
    for lever in LEVERS:
        true = true_lever_term(joined, lever)
        result["spearman"][lever] = float(levers[lever].corr(true, method="spearman"))
        result["mean_abs_contribution"][lever] = float(levers[lever].abs().mean())
    values = [v for v in result["spearman"].values() if v == v]
    result["mean_spearman"] = float(sum(values) / len(values)) if values else float("nan")
    return result
