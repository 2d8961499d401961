"""Measured effects in place of the model's estimates: once `flightrisk evaluate-actions` has measured
an option's effect on 12-month exits precisely enough, from a randomised holdout, the plan uses that
measurement for every person the option is open to (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.errors import InputError

MEASURED_PRECISION = 0.05  # the 95 % interval's half-width, in probability, at or under which it is used


def precise_effects(evaluation: dict, source: str, precision: float = MEASURED_PRECISION) -> dict[str, dict]:
    """{option: its 12-month figures} from an evaluate-actions result, for the options measured in a
    randomised comparison whose interval is narrow enough; an observational result is refused."""
    method = str(evaluation.get("method", ""))
    if not method.startswith("randomised"):
        raise InputError(
            f"{source}: only effects measured against a randomised holdout replace the model's estimates "
            f"(this one is {method.split(':')[0] or 'empty'}); plan with --holdout-share and measure again"
        )
    out = {}
    for option, entry in (evaluation.get("options") or {}).items():
        figures = (entry.get("horizons") or {}).get("12") or {}
        if "effect" in figures and (figures["high"] - figures["low"]) / 2 <= precision:
            out[option] = figures
    return out


def use_measured(options: pd.DataFrame, measured: dict[str, dict]) -> pd.DataFrame:
    """The plan's options with the measured effect as the risk change of every row of a measured
    option (the risk after it never below 0), and what follows from it recomputed."""
    out = options.copy()
    for option, figures in measured.items():
        rows = out["option"] == option
        if not rows.any():
            continue
        change = np.maximum(float(figures["effect"]), -out.loc[rows, "risk_now"].to_numpy(dtype=float))
        exits = -change
        value = exits * out.loc[rows, "replacement_cost_sek"].to_numpy(dtype=float)
        cost = out.loc[rows, "cost_sek"].to_numpy(dtype=float)
        out.loc[rows, "risk_change"] = change
        out.loc[rows, "risk_after"] = out.loc[rows, "risk_now"].to_numpy(dtype=float) + change
        out.loc[rows, "exits_avoided"] = exits
        out.loc[rows, "value_sek"] = value
        out.loc[rows, "net_value_sek"] = value - cost
        out.loc[rows, "value_per_krona"] = np.where(cost > 0, value / np.where(cost > 0, cost, 1), np.inf)
    return out
