"""The holdout metrics of SPEC.md, computed the same way for the model and every baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE over equal-width probability bins: the weighted mean |observed rate - mean prediction|."""
    table = calibration_table(y, p, bins)
    return float(sum(row["n"] * abs(row["observed"] - row["predicted"]) for row in table) / len(p))


def top_share_precision(y: np.ndarray, p: np.ndarray, share: float = 0.1) -> float:
    """Share of leavers among the `share` of people with the highest risk (ties broken stably)."""
    y = np.asarray(y, dtype=float)
    k = max(1, int(round(len(y) * share)))
    order = np.argsort(-np.asarray(p, dtype=float), kind="stable")[:k]
    return float(y[order].mean())


def holdout_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """roc_auc, pr_auc, brier, ece, precision and lift in the top 10 %, n, positives."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    prevalence = float(y.mean())
    precision = top_share_precision(y, p, 0.1)
    both_classes = 0 < y.sum() < len(y)
    return {
        "roc_auc": float(roc_auc_score(y, p)) if both_classes else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both_classes else float("nan"),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "precision_at_10pct": precision,
        "lift_at_10pct": precision / prevalence if prevalence > 0 else float("nan"),
        "n": int(len(y)),
        "positives": int(y.sum()),
    }


def calibration_table(
    y: np.ndarray, p: np.ndarray, bins: int = 10, truth: np.ndarray | None = None
) -> list[dict[str, float]]:
    """Per equal-width bin: mean prediction, observed rate, count (and the mean true probability, on
    simulated worlds). The one binning behind ECE, the calibration chart and the truth report."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            row = {
                "bin": b,
                "range": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                "predicted": float(p[mask].mean()),
                "observed": float(y[mask].mean()),
                "n": int(mask.sum()),
            }
            if truth is not None:
                row["true_probability"] = float(np.asarray(truth, dtype=float)[mask].mean())
            rows.append(row)
    return rows


INTERVAL_METRICS = ("roc_auc", "pr_auc", "brier", "ece")


def metric_intervals(rows: pd.DataFrame, seed: int = 0, resamples: int = 200) -> dict:
    """95 % intervals of the holdout's ROC-AUC, PR-AUC, Brier and ECE by a bootstrap over people
    (rows: employee_id, label, risk; a person's months are resampled together)."""
    y = rows["label"].astype(int).to_numpy()
    risk = rows["risk"].to_numpy(dtype=float)
    _, person = np.unique(rows["employee_id"].astype(str).to_numpy(), return_inverse=True)
    order = np.argsort(person, kind="stable")
    rows_of = np.split(order, np.cumsum(np.bincount(person))[:-1])
    rng = np.random.default_rng(seed)
    values = {name: [] for name in INTERVAL_METRICS}
    for _ in range(resamples):
        take = np.concatenate([rows_of[p] for p in rng.integers(0, len(rows_of), len(rows_of))])
        yy, rr = y[take], risk[take]
        if yy.min() == yy.max():
            continue
        values["roc_auc"].append(roc_auc_score(yy, rr))
        values["pr_auc"].append(average_precision_score(yy, rr))
        values["brier"].append(float(np.mean((rr - yy) ** 2)))
        values["ece"].append(expected_calibration_error(yy, rr))
    out = {"resamples": resamples, "unit": "person"}
    for name, found in values.items():
        if found:
            low, high = np.quantile(found, [0.025, 0.975])
            out[name] = {"low": float(low), "high": float(high)}
    return out
