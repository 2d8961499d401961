"""Evaluate a saved model on its out-of-time holdout, with baselines and the oracle from truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from flightrisk.errors import InputError
from flightrisk.model.risk_model import RiskModel
from flightrisk.model.train import evaluate_on_holdout
from flightrisk.synth.truth import hazard_at_snapshots


def oracle_roc_auc(holdout: pd.DataFrame, truth: pd.DataFrame, horizon: int) -> float:
    """AUC of the true risk 1 - (1 - hazard_t)^horizon on the same rows (the best any model could rank)."""
    joined = hazard_at_snapshots(holdout, truth[["employee_id", "month", "hazard"]])
    joined["label"] = holdout["label"].to_numpy()
    if joined["hazard"].isna().any():
        raise InputError(
            f"truth/hazard.parquet lacks {int(joined['hazard'].isna().sum())} of the holdout's person-months; "
            "is --raw the extract these features were built from?"
        )
    true_risk = 1 - (1 - joined["hazard"].to_numpy()) ** horizon
    return float(roc_auc_score(joined["label"].astype(int), true_risk))


def evaluate_model(
    model: RiskModel,
    features: pd.DataFrame,
    truth: pd.DataFrame | None = None,
    employees: pd.DataFrame | None = None,
) -> dict:
    """SPEC.md's metrics for the model's holdout window of `features`."""
    if "holdout_window" not in model.metadata:
        raise _no_holdout()
    start, end = (pd.Timestamp(d) for d in model.metadata["holdout_window"])
    features = features.reset_index(drop=True)
    test = model.holdout_mask(features)
    if not test.any():
        raise InputError(
            f"the feature table has no labelled rows in the model's holdout window {start.date()}..{end.date()}; "
            "evaluate with the feature table the model was trained on"
        )
    risk = model.holdout_risk(features[test])
    if risk is None:
        raise _no_holdout()
    horizon = int(model.metadata["horizon_months"])
    # The baselines learn what training's did: the outcomes known when the holdout began.
    metrics = evaluate_on_holdout(features, test, risk, model.catalog, start, horizon)
    for values in metrics["baselines"].values():
        values.pop("_risk", None)
    metrics["horizon_months"] = horizon
    metrics["holdout_start"], metrics["holdout_end"] = str(start.date()), str(end.date())
    if truth is not None:
        metrics["oracle_roc_auc"] = oracle_roc_auc(features[test], truth, horizon)
    if employees is not None:
        from flightrisk.model.fairness import fairness_audit

        rows = features.loc[test, ["employee_id", "snapshot_date", "label"]].assign(risk=risk)
        metrics["fairness"] = fairness_audit(rows, employees)
    return _round(metrics)


def _round(value):
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return round(float(value), 6)
    return value


def _no_holdout() -> InputError:
    return InputError(
        "this model has no out-of-time holdout (a flat-table model); see its cross-validation metrics"
    )
