"""What-if actions: apply a catalog action to a person's features and let the model re-score.

The change in risk is the model's estimate of association, not a promise of what the action
will do; reports say so next to every number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.catalog import ActionSpec
from flightrisk.model.artifact import FlightRiskModel


def apply_action(frame: pd.DataFrame, action: ActionSpec) -> pd.DataFrame:
    """The rows of `frame` as they would look after `action` (missing values stay missing for `add`)."""
    changed = frame.copy()
    for feature, kind, value in action.changes:
        if feature not in changed.columns:
            continue
        if isinstance(value, str):  # a category, e.g. OverTime -> "No"
            changed[feature] = value
            continue
        column = pd.to_numeric(changed[feature], errors="coerce").astype(float)
        if kind == "set":
            column = pd.Series(value, index=column.index)
        elif kind == "add":
            column = column + value
        elif kind == "scale":
            column = column * value
        elif kind == "at_least":
            column = column.where(column >= value, value)
        elif kind == "at_most":
            column = column.where(column <= value, value)
        changed[feature] = column
    return changed


def what_if(model: FlightRiskModel, frame: pd.DataFrame, lang: str = "en") -> list[list[dict]]:
    """Per row, the actions that lower risk, best first: action, lever, text, risk now/after, change."""
    now = model.risk(frame)
    results: list[list[dict]] = [[] for _ in range(len(frame))]
    for action in model.catalog.actions:
        after = model.risk(apply_action(frame, action))
        delta = after - now
        for i in np.flatnonzero(delta < -1e-4):
            results[i].append(
                {
                    "action": action.name,
                    "lever": action.lever,
                    "text": action.text(lang),
                    "risk_now": float(now[i]),
                    "risk_after": float(after[i]),
                    "change": float(delta[i]),
                }
            )
    for row in results:
        row.sort(key=lambda item: item["change"])
    return results
