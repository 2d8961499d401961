"""Fairness audit on the holdout: how the model treats groups by gender and age band.

Gender and birth year never reach the model; they are joined here, after scoring, only to audit.
Groups with fewer than 5 people are not reported, nor groups whose figures could be recovered
from the others (complementary suppression, `flightrisk.privacy`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
    selection_rate,
)
from sklearn.metrics import roc_auc_score

from flightrisk.privacy import MIN_GROUP, shown_groups

AGE_BANDS = [0, 30, 40, 50, 200]
AGE_LABELS = ["under 30", "30-39", "40-49", "50+"]


def _auc(y, p):
    return float(roc_auc_score(y, p)) if 0 < np.sum(y) < len(y) else float("nan")


def fairness_audit(holdout: pd.DataFrame, employees: pd.DataFrame, top_share: float = 0.1) -> dict:
    """holdout: employee_id, snapshot_date, label, risk. Returns per-group figures and gaps."""
    people = employees[["employee_id", "gender", "birth_year"]].copy()
    people["employee_id"] = people["employee_id"].astype(str)
    rows = holdout.merge(people, on="employee_id", how="left")
    age = pd.to_datetime(rows["snapshot_date"]).dt.year - rows["birth_year"]
    rows["age_band"] = pd.cut(age, AGE_BANDS, right=False, labels=AGE_LABELS).astype(str)
    threshold = np.quantile(rows["risk"], 1 - top_share)
    flagged = (rows["risk"] >= threshold).astype(int)
    y = rows["label"].astype(int)
    result = {"flag_rule": f"top {top_share:.0%} of risk", "min_group_size": MIN_GROUP, "groups": {}}
    for attribute in ("gender", "age_band"):
        sensitive = rows[attribute].fillna("unknown").astype(str)
        frame = MetricFrame(
            metrics={"selection_rate": selection_rate},
            y_true=y,
            y_pred=flagged,
            sensitive_features=sensitive,
        )
        sizes = rows.groupby(sensitive)["employee_id"].nunique().to_dict()
        visible = shown_groups(
            sizes,
            rows["employee_id"].nunique(),
            hidden_people=lambda shown, s=sensitive: rows.loc[~s.isin(shown), "employee_id"].nunique(),
        )
        groups = {}
        for group, part in rows.groupby(sensitive):
            people = part["employee_id"].nunique()
            if group not in visible:
                continue  # privacy: no figures about fewer than five people, nor recoverable ones
            groups[group] = {
                "people": int(people),
                "n": int(len(part)),
                "observed_rate": float(part["label"].astype(int).mean()),
                "mean_risk": float(part["risk"].mean()),
                "roc_auc": _auc(part["label"].astype(int), part["risk"]),
                "flagged_share": float(frame.by_group["selection_rate"][group]),
            }
        shown = sensitive.isin(groups)
        result["groups"][attribute] = groups
        result[f"{attribute}_demographic_parity_difference"] = float(
            demographic_parity_difference(y[shown], flagged[shown], sensitive_features=sensitive[shown])
        )
        result[f"{attribute}_equalized_odds_difference"] = float(
            equalized_odds_difference(y[shown], flagged[shown], sensitive_features=sensitive[shown])
        )
    return result
