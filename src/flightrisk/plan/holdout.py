"""A randomised holdout inside the plan: a recorded share of the people it would treat, left untreated
this round, chosen at random within each risk band, so each action's effect can later be measured
without confounding (`flightrisk evaluate-actions`). Pure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.errors import InputError


def assign_holdout(plan: pd.DataFrame, share: float, seed: int, bands: tuple[float, float]) -> pd.DataFrame:
    """The plan with `holdout` (True: planned but left untreated) and `risk_band_at_plan`; within
    each band (by the risk now) round(share × people) are held out, by a seeded draw.

    A team action is held out for its whole team or not at all (done for one member, the whole team
    feels it): its rows draw as one, in the band of the team's first row."""
    if not 0 <= share < 1:
        raise InputError(f"--holdout-share {share}: give a share from 0 (none) to below 1, e.g. 0.2")
    out = plan.copy()
    low, high = bands
    risk = out["risk_now"].to_numpy(dtype=float)
    out["risk_band_at_plan"] = np.where(risk >= high, "high", np.where(risk >= low, "medium", "low"))
    out["holdout"] = False
    team = out["team_id"] if "team_id" in out else pd.Series(pd.NA, index=out.index)
    unit = np.where(team.isna(), "person:" + out["employee_id"].astype(str), "team:" + team.astype(str))
    first = ~pd.Series(unit).duplicated().to_numpy()  # a unit's first row stands for it
    unit_band = pd.Series(out["risk_band_at_plan"].to_numpy()[first], index=unit[first])
    rng = np.random.default_rng([seed, 7_919])
    for band in ("low", "medium", "high"):
        units = np.flatnonzero(unit_band.to_numpy() == band)
        take = int(round(share * len(units)))
        if take:
            held = set(unit_band.index[rng.choice(units, take, replace=False)])
            out.loc[np.isin(unit, list(held)), "holdout"] = True
    return out
