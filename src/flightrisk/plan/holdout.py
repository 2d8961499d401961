"""A randomised holdout inside the plan: a recorded share of the people it would treat, left untreated
this round, chosen at random within each risk band, so each action's effect can later be measured
without confounding (`flightrisk evaluate-actions`). Pure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.errors import InputError


def assign_holdout(plan: pd.DataFrame, share: float, seed: int, bands: tuple[float, float]) -> pd.DataFrame:
    """The plan with `holdout` (True: planned but left untreated) and `risk_band_at_plan`; within
    each band (by the risk now) round(share × people) are held out, by a seeded draw."""
    if not 0 <= share < 1:
        raise InputError(f"--holdout-share {share}: give a share from 0 (none) to below 1, e.g. 0.2")
    out = plan.copy()
    low, high = bands
    risk = out["risk_now"].to_numpy(dtype=float)
    out["risk_band_at_plan"] = np.where(risk >= high, "high", np.where(risk >= low, "medium", "low"))
    out["holdout"] = False
    rng = np.random.default_rng([seed, 7_919])
    for band in ("low", "medium", "high"):
        rows = np.flatnonzero(out["risk_band_at_plan"].to_numpy() == band)
        take = int(round(share * len(rows)))
        if take:
            out.loc[out.index[rng.choice(rows, take, replace=False)], "holdout"] = True
    return out
