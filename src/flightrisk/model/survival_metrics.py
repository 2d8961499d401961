"""How well risks at 3, 6 and 12 months fit outcomes that are partly censored (pure).

A person still employed when the data were taken after 4 months says nothing about month 6. Dropping
such people, or counting them as stays, tilts every figure; the standard cure is to weigh each
person whose outcome at h is known by the inverse of the chance of being still observed then
(IPCW: inverse probability of censoring weights, the censoring's Kaplan–Meier curve). The metrics
are scikit-survival's, which implement exactly that:

- time-dependent ROC-AUC at h (cumulative/dynamic: who left by h against who was still there);
- Brier score at h and the integrated Brier score over months 1 … the last horizon;
- Uno's concordance up to the last horizon (Harrell's C, unweighted, beside it);
- calibration at h: predicted risk against the IPCW-weighted observed share, in ten bins.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

MIN_PEOPLE = 5  # no figure rests on fewer people (the project's privacy rule)


def survival_outcomes(duration: np.ndarray, event: np.ndarray) -> np.ndarray:
    """scikit-survival's structured array of (event, months observed)."""
    from sksurv.util import Surv

    return Surv.from_arrays(np.asarray(event, dtype=bool), np.asarray(duration, dtype=float))


def censoring_survival(duration: np.ndarray, event: np.ndarray, times: np.ndarray) -> np.ndarray:
    """G(t−): the chance of being still observed just before each time (Kaplan–Meier of censoring)."""
    from sksurv.nonparametric import kaplan_meier_estimator

    steps, survival = kaplan_meier_estimator(
        ~np.asarray(event, dtype=bool), np.asarray(duration, dtype=float)
    )
    index = np.searchsorted(steps, np.asarray(times, dtype=float), side="left") - 1
    return np.where(index >= 0, survival[np.clip(index, 0, None)], 1.0)


def horizon_outcome(duration: np.ndarray, event: np.ndarray, horizon: float):
    """Who is known to have left by `horizon` (1), known to have stayed past it (0), and the IPCW
    weight of each known person (0 for those censored before it)."""
    duration = np.asarray(duration, dtype=float)
    left = np.asarray(event, dtype=bool) & (duration <= horizon)
    stayed = duration > horizon
    at = np.where(left, duration, float(horizon))
    g = censoring_survival(duration, event, at)
    weight = np.where(left | stayed, 1.0 / np.clip(g, 1e-6, None), 0.0)
    return left.astype(int), weight


def weighted_calibration(y: np.ndarray, risk: np.ndarray, weight: np.ndarray, bins: int = 10) -> dict:
    """ECE of risks against IPCW-weighted outcomes in equal-count bins of known people, and the bins
    (each with at least MIN_PEOPLE people)."""
    known = weight > 0
    y, risk, weight = y[known], risk[known], weight[known]
    order = np.argsort(risk, kind="stable")
    groups = [g for g in np.array_split(order, min(bins, max(len(order) // MIN_PEOPLE, 1))) if len(g)]
    total = weight.sum()
    ece, table = 0.0, []
    for rows in groups:
        w = weight[rows]
        observed = float(np.sum(w * y[rows]) / w.sum())
        predicted = float(np.sum(w * risk[rows]) / w.sum())
        ece += w.sum() / total * abs(observed - predicted)
        table.append(
            {"people": int(len(rows)), "predicted": round(predicted, 4), "observed": round(observed, 4)}
        )
    return {"ece": round(float(ece), 4), "bins": table}


def survival_metrics(
    duration: np.ndarray,
    event: np.ndarray,
    risk_by_month: np.ndarray | dict[int, np.ndarray],
    horizons: tuple[int, ...],
) -> dict:
    """Every figure above for one set of predictions.

    `risk_by_month[:, m - 1]` is each person's risk of leaving within m months of the start of their
    observation, m = 1 … max(horizons); or `{m: risk}` for a model that knows only some horizons (the
    12-month classifier), which then has no integrated Brier score. The censoring curve is the people's
    own (all of them)."""
    if not isinstance(risk_by_month, dict):
        risk_by_month = {m + 1: risk_by_month[:, m] for m in range(risk_by_month.shape[1])}
    from sksurv.metrics import (
        brier_score,
        concordance_index_censored,
        concordance_index_ipcw,
        cumulative_dynamic_auc,
        integrated_brier_score,
    )

    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event, dtype=bool)
    outcomes = survival_outcomes(duration, event)
    last = max(horizons)
    # A time past every follow-up has no answer; a model that does not speak of h is not asked.
    usable = [h for h in horizons if h < duration.max() and h in risk_by_month]
    result: dict = {"people": int(len(duration)), "left": int(event.sum()), "horizons": {}}
    if event.all() or not event.any():
        # Nothing to rank (or no censoring to weigh by): no figure would mean anything.
        result["note"] = "every person left" if event.all() else "nobody left"
        return result
    final = risk_by_month[last]
    result["harrell_c"] = round(float(concordance_index_censored(event, duration, final)[0]), 4)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tau = min(float(last), float(np.sort(duration)[-2]))
            result["uno_c"] = round(float(concordance_index_ipcw(outcomes, outcomes, final, tau=tau)[0]), 4)
            months = np.arange(1, last + 1, dtype=float)
            inside = months[(months > duration.min()) & (months < duration.max())]
            if len(inside) >= 2 and all(int(m) in risk_by_month for m in inside):
                survival = 1.0 - np.column_stack([risk_by_month[int(m)] for m in inside])
                result["integrated_brier"] = round(
                    float(integrated_brier_score(outcomes, outcomes, survival, inside)), 4
                )
            for h in usable:
                risk = risk_by_month[h]
                auc, _ = cumulative_dynamic_auc(outcomes, outcomes, risk, [float(h)])
                _, brier = brier_score(outcomes, outcomes, 1.0 - risk, [float(h)])
                y, weight = horizon_outcome(duration, event, h)
                calibration = weighted_calibration(y, risk, weight)
                result["horizons"][str(h)] = {
                    "roc_auc_ipcw": round(float(auc[0]), 4),
                    "brier_ipcw": round(float(brier[0]), 4),
                    "ece_ipcw": calibration["ece"],
                    "mean_risk": round(float(risk.mean()), 4),
                    "observed_share_ipcw": round(float(np.sum(weight * y) / max(weight.sum(), 1e-12)), 4),
                    "known_people": int((weight > 0).sum()),
                    "calibration_bins": calibration["bins"],
                }
    except ValueError as exc:
        # scikit-survival refuses outcomes whose censoring it cannot weigh (no one censored before the
        # horizon, as on made-up outcomes): the figures above stay, the rest is said to be missing.
        result["note"] = f"IPCW figures not computable on these outcomes: {exc}"
    return result


def snapshot_survival_metrics(
    panel: pd.DataFrame, rows: np.ndarray, risk_by_month: np.ndarray | dict[int, np.ndarray], horizons
) -> dict:
    """The figures above for snapshot rows of the monthly panel (`rows`: a mask over `panel`), each
    row's time to a voluntary exit read from the panel's next-month labels (`model.hazard.time_to_exit`:
    involuntary exits and the extract's end censor, where the 12-month label counts them as stays)."""
    from flightrisk.model.hazard import time_to_exit

    duration, event = time_to_exit(panel)
    return survival_metrics(duration[rows], event[rows], risk_by_month, tuple(horizons))
