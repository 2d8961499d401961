"""What the training data looked like: the reference for low-confidence flags, drift and percentiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.catalog import Catalog

PSI_BINS = 10


def build_profile(
    frame: pd.DataFrame,
    x: np.ndarray,
    catalog: Catalog,
    categories: dict[str, list[str]],
    risk: np.ndarray,
    snapshot_dates: pd.Series,
) -> dict:
    """Ranges and categories (for low-confidence flags), PSI bins, and the risk distribution."""
    features = {}
    for i, spec in enumerate(catalog.features):
        column = x[:, i]
        present = column[~np.isnan(column)]
        if spec.type == "categorical":
            counts = frame[spec.name].astype(str).value_counts(normalize=True)
            features[spec.name] = {
                "type": "categorical",
                "categories": categories[spec.name],
                "shares": {k: float(v) for k, v in counts.items()},
            }
            continue
        if len(present) == 0:
            features[spec.name] = {
                "type": "numeric",
                "min": None,
                "max": None,
                "edges": [],
                "shares": [],
                "missing_share": 1.0,
            }
            continue
        edges = np.unique(np.quantile(present, np.linspace(0, 1, PSI_BINS + 1)[1:-1]))
        shares = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1) / len(
            present
        )
        features[spec.name] = {
            "type": "numeric",
            "min": float(present.min()),
            "max": float(present.max()),
            "edges": edges.tolist(),
            "shares": shares.tolist(),
            "missing_share": float(np.isnan(column).mean()),
        }
    # The risk distribution of the latest training month: a score's percentile is read against it.
    latest = pd.to_datetime(snapshot_dates).to_numpy() == pd.to_datetime(snapshot_dates).max()
    quantiles = np.quantile(risk[latest], np.linspace(0, 1, 101))
    return {
        "categories": categories,
        "features": features,
        "risk_quantiles": quantiles.tolist(),
        "base_rate": float(np.mean(risk)),
    }


def percentile_in_profile(info: dict, values: np.ndarray) -> np.ndarray:
    """Where `values` fall (0-1) among the training rows of a numeric feature profiled as `info`:
    linear between its deciles (NaN where a value, or the whole profile, is missing)."""
    values = np.asarray(values, dtype=float)
    if info.get("min") is None:
        return np.full(values.shape, np.nan)
    edges = np.asarray(info["edges"], dtype=float)
    below = np.cumsum(info["shares"])[: len(edges)]  # the share of rows below each edge
    xs = np.concatenate([[info["min"]], edges, [info["max"]]])
    ys = np.concatenate([[0.0], below, [1.0]])
    # The ends clip: a value past the training range is at the bottom or the top, not beyond.
    return np.where(np.isnan(values), np.nan, np.interp(values, xs, ys))
