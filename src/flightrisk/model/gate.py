"""The promotion gate: a candidate replaces the model in use only if it beats the logistic baseline
and is not worse than the current champion on the same holdout rows.

Pure functions: the caller loads the champion and hands over the rows; nothing here touches files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

# Two fits on the same data differ by about this much in holdout ROC-AUC (seed spread), so a
# candidate within it of the champion is "as good", not "worse".
CHAMPION_TOLERANCE = 0.005


def passes_baseline(metrics: dict) -> tuple[bool, str]:
    """The candidate must beat its baseline on the holdout's ROC-AUC: the logistic regression, or
    for a survival table the Cox model (`metrics["gate_baseline"]`)."""
    name = metrics.get("gate_baseline", "logistic_regression")
    ours = metrics.get("roc_auc")
    baseline = metrics.get("baselines", {}).get(name, {}).get("roc_auc")
    if ours is None or baseline is None:
        return False, "no holdout ROC-AUC to compare"
    if ours > baseline:
        return True, f"roc_auc {ours:.4f} > {name} {baseline:.4f}"
    return False, f"roc_auc {ours:.4f} <= {name} {baseline:.4f}"


def champion_roc_auc(champion, candidate, holdout_rows: pd.DataFrame | None) -> tuple[float | None, str]:
    """The champion's ROC-AUC on the candidate's holdout, or None with the reason it is not comparable.

    The candidate's holdout rows are scored with the champion's *holdout* booster, which is fair
    only when that booster was trained before those months. When both models come from the same
    data and split, the champion's recorded figure is the same measurement. Otherwise the
    comparison would reward a model for having seen the answers.
    """
    if champion.dated != candidate.dated or (not candidate.dated and champion.kind != candidate.kind):
        # A classifier and a hazard model both score snapshot rows at 12 months: comparable. A flat
        # table's label ("left, however long observed") and a survival table's 12-month risk are not.
        return None, "the champion is another kind of model"
    same_data = champion.metadata.get("data_sha256") == candidate.metadata.get("data_sha256")
    recorded = (champion.metadata.get("metrics") or {}).get("roc_auc")
    holdout_start = (candidate.metadata.get("holdout_window") or [None])[0]
    if holdout_rows is not None and len(holdout_rows) and holdout_start is not None:
        labels = holdout_rows["label"].astype(int).to_numpy()
        readable = all(name in holdout_rows.columns for name in champion.feature_names)
        risk = champion.holdout_risk(holdout_rows, unseen_from=holdout_start) if readable else None
        if risk is not None and 0 < labels.sum() < len(labels):
            return float(roc_auc_score(labels, np.asarray(risk))), "champion's holdout model on the same rows"
    if (
        same_data
        and recorded is not None
        and champion.metadata.get("holdout_window") == candidate.metadata.get("holdout_window")
    ):
        return float(recorded), "champion's recorded figure on the same data and split"
    return None, "the champion was trained on these months or on other data, so no fair comparison exists"


def passes_fairness(metrics: dict, override: str | None = None) -> tuple[bool, str]:
    """No fairness threshold broken (model/fairness.py), or an analyst's recorded reason to go on."""
    audit = metrics.get("fairness")
    if not audit:
        return True, "no protected attributes to audit"
    breaches = audit.get("breaches") or []
    if not breaches:
        return True, "fairness thresholds met"
    if override:
        return True, f"fairness thresholds broken ({'; '.join(breaches)}), overridden: {override}"
    return False, (
        f"fairness: {'; '.join(breaches)}. Registration refused; to register anyway, train again with "
        '--fairness-override "<the reason>" (it is recorded)'
    )


def decide(
    metrics: dict, champion_auc: float | None, champion_note: str | None, fairness_override: str | None = None
) -> tuple[bool, str]:
    """Baseline first, then fairness, then the champion (when a fair comparison exists)."""
    passed, reason = passes_baseline(metrics)
    if not passed:
        return False, reason
    fair, fairness_reason = passes_fairness(metrics, fairness_override)
    if not fair:
        return False, fairness_reason
    if metrics.get("fairness"):
        reason += f"; {fairness_reason}"
    if champion_note is None:
        return True, reason + "; no current champion"
    if champion_auc is None:
        return True, reason + f"; not compared with the champion ({champion_note})"
    ours = float(metrics["roc_auc"])
    if ours >= champion_auc - CHAMPION_TOLERANCE:
        return True, reason + f"; champion {champion_auc:.4f} ({champion_note})"
    return False, f"roc_auc {ours:.4f} < champion {champion_auc:.4f} - {CHAMPION_TOLERANCE} ({champion_note})"
