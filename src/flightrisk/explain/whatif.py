"""What-if actions: apply a catalog action to a person's features and re-score.

An action is offered only where it applies to the person's state (`applies_when` in the catalog) and
changes only the features its mechanism touches. A snapshot model's response model (a logistic
regression on the same features and rows, `model.response`) re-scores it; flat tables re-score the
booster. The booster is flat wherever a small effect earned no split, so re-scoring it credits many
actions with exactly nothing (61 % of the person-action pairs whose true effect exceeded a point, on
one simulated world). Either way the action is never credited with more than the features it changes
add to the person's risk now (the booster's reading), and the result is scaled by the lever's measured
effect θ⁺ (explain/causal.py); never more than the whole risk. Measured in docs/benchmarks.md;
`reports/truth.json` checks every estimate against what the simulator says would really happen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.explain.causal import lever_weights
from flightrisk.features.catalog import ActionSpec
from flightrisk.i18n import Words, words_for
from flightrisk.model.risk_model import RiskModel


def applies(frame: pd.DataFrame, action: ActionSpec) -> np.ndarray:
    """Per row, whether the action applies to the person's state (all `applies_when` conditions hold)."""
    mask = np.ones(len(frame), dtype=bool)
    for feature, kind, value in action.applies_when:
        column = frame[feature]
        if kind == "not_in":
            mask &= ~column.astype(str).isin(value).to_numpy()
            continue
        numbers = pd.to_numeric(column, errors="coerce").astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            holds = {
                "below": numbers < value,
                "above": numbers > value,
                "at_least": numbers >= value,
                "at_most": numbers <= value,
            }[kind]
        mask &= holds  # a missing value never satisfies a condition: no advice on unknown state
    return mask


def apply_action(frame: pd.DataFrame, action: ActionSpec) -> pd.DataFrame:
    """The rows of `frame` as they would look after `action`; rows it does not apply to are unchanged."""
    changed = frame.copy()
    where = pd.Series(applies(frame, action), index=frame.index)
    # `scale_with` follows a feature the action changes, so it comes after the others.
    ordered = sorted(action.changes, key=lambda change: change[1] == "scale_with")
    for feature, kind, value in ordered:
        if feature not in changed.columns:
            continue
        if kind == "set" and isinstance(value, str):  # a category, e.g. OverTime -> "No"
            changed[feature] = changed[feature].where(~where, value)
            continue
        column = pd.to_numeric(frame[feature], errors="coerce").astype(float)
        if kind == "scale_with":
            old = pd.to_numeric(frame[value], errors="coerce").astype(float)
            new = pd.to_numeric(changed[value], errors="coerce").astype(float)
            after = column * (new / old).where(old > 0, 1.0)
        else:
            after = _changed(column, kind, float(value))
        changed[feature] = after.where(where, column)
    return changed


def _changed(column: pd.Series, kind: str, value: float) -> pd.Series:
    if kind == "set":
        return pd.Series(value, index=column.index)
    if kind == "add":
        return column + value
    if kind == "scale":
        return column * value
    if kind == "at_least":
        return column.where(column >= value, value)
    return column.where(column <= value, value)  # at_most


def estimate_effect(
    model: RiskModel,
    frame: pd.DataFrame,
    feature_points: np.ndarray,
    action: ActionSpec,
    now: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The estimated risk change per row (0 where the action does not apply), and where it applies.

    The response model's change in probability (the booster's without one), capped by the mechanism
    — an action can remove at most what the features it changes add to the risk now (their positive
    contributions, in probability points) — times the lever's θ⁺. Never below −risk.
    """
    return estimate_combination(model, frame, feature_points, [action], now)


def estimate_combination(
    model: RiskModel,
    frame: pd.DataFrame,
    feature_points: np.ndarray,
    actions: list[ActionSpec],
    now: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """As `estimate_effect`, for actions taken together: each must apply; the cap is their features' share."""
    where = np.ones(len(frame), dtype=bool)
    after = frame
    for action in actions:
        where &= applies(frame, action)
        after = apply_action(after, action)
    index = {name: j for j, name in enumerate(model.feature_names)}
    columns = sorted({index[f] for action in actions for f, _, _ in action.changes if f in index})
    removable = np.clip(feature_points[:, columns], 0, None).sum(axis=1)
    response_now = model.response_risk(frame)
    if response_now is not None:
        change = model.response_risk(after) - response_now
    else:
        change = model.risk(after) - now
    # The mechanism's cap, for both: the response model's coefficient of a feature can carry what
    # travels with it (coaching with a good manager: −15 points claimed for monthly coaching on the
    # default world, −3 true), and the booster's reading of what the feature adds bounds it.
    change = np.maximum(change, -removable)
    # What re-scoring says, times how much of it the lever's measured effect says is cause
    # (explain/causal.py; 1 for a model without effects): a proxy lever's action moves nothing.
    weights = lever_weights(model)
    causal = float(np.mean([weights.get(action.lever, 1.0) for action in actions]))
    return np.where(where, np.maximum(causal * change, -now), 0.0), where


def _raise_percent(frame: pd.DataFrame, action: ActionSpec) -> np.ndarray:
    """Per row, the raise in percent that lifting this person's pay ratio implies (NaN for other actions)."""
    for kind, feature in action.cost:
        if kind == "pay_raise_to":
            before = pd.to_numeric(frame[feature], errors="coerce").to_numpy(dtype=float)
            after = pd.to_numeric(apply_action(frame, action)[feature], errors="coerce").to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(before > 0, (after / before - 1.0) * 100, np.nan)
    # A `pay_raise_pct` cost is the catalog's price assumption (a promotion's usual raise), not a
    # fact about this person, so it is not put into the action's words.
    return np.full(len(frame), np.nan)


def _raise_words(percent: float, words: Words) -> str:
    """' (a raise of about 9 %)' — the size of the raise, so the label never hides it."""
    if np.isnan(percent) or percent <= 0:
        return ""
    return words("raise_about", percent=max(round(percent), 1))


def what_if(
    model: RiskModel,
    frame: pd.DataFrame,
    words: Words | None = None,
    feature_points: np.ndarray | None = None,
) -> list[list[dict]]:
    """Per row, the actions that apply and lower risk, best first: action, lever, text, risk now/after, change."""
    return with_texts(what_if_numbers(model, frame, feature_points), model.catalog, words or words_for("en"))


def with_texts(actions: list[list[dict]], catalog, words: Words) -> list[list[dict]]:
    """The what-ifs' numbers with each action's words (the size of a raise included)."""
    specs = {a.name: a for a in catalog.actions}
    return [
        [
            {
                **item,
                "text": specs[item["action"]].text(words.lang)
                + _raise_words(np.nan if item["raise_pct"] is None else item["raise_pct"], words),
            }
            for item in row
        ]
        for row in actions
    ]


def what_if_numbers(
    model: RiskModel, frame: pd.DataFrame, feature_points: np.ndarray | None = None
) -> list[list[dict]]:
    """Per row, the actions that apply and lower risk, best first, in numbers (no words): action,
    lever, the size of a raise, risk now and after, change. What `score --explain` keeps."""
    frame = frame.reset_index(drop=True)
    if feature_points is None:
        from flightrisk.explain.contributions import explain_rows

        feature_points = explain_rows(model, frame).feature_points
    now = model.risk(frame)
    results: list[list[dict]] = [[] for _ in range(len(frame))]
    for action in model.catalog.actions:
        delta, where = estimate_effect(model, frame, feature_points, action, now)
        raise_pct = _raise_percent(frame, action)
        for i in np.flatnonzero(where & (delta < -1e-4)):
            results[i].append(
                {
                    "action": action.name,
                    "lever": action.lever,
                    "raise_pct": None if np.isnan(raise_pct[i]) else float(raise_pct[i]),
                    "risk_now": float(now[i]),
                    "risk_after": float(now[i] + delta[i]),
                    "change": float(delta[i]),
                }
            )
    for row in results:
        row.sort(key=lambda item: item["change"])
    return results
