"""A person's options: each action that applies and lowers risk, and pairs of their best ones.

Every option carries its estimated risk change (the what-if of explain/whatif.py), its
yearly cost and its expected value: exits avoided x the cost of replacing the person.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from flightrisk.explain.whatif import applies, apply_action, estimate_combination
from flightrisk.model.risk_model import RiskModel
from flightrisk.plan.costs import PlanSettings, action_cost, monthly_raise, replacement_costs

PAIR_FROM_TOP = 3  # pairs are formed from a person's three best single actions
PAY_COSTS = ("pay_raise_to", "pay_raise_pct")

# An option's figures that add up over people (a team action's option is its members' sum).
ADDITIVE_COLUMNS = [
    "exits_avoided",
    "cost_sek",
    "pay_raise_sek_month",
    "replacement_cost_sek",
    "value_sek",
    "net_value_sek",
]
OPTION_COLUMNS = [
    "employee_id",
    "option",
    "actions",
    "levers",
    "risk_now",
    "risk_after",
    "risk_change",
    *ADDITIVE_COLUMNS,
    "value_per_krona",
]


def _pays(action) -> bool:
    return any(kind in PAY_COSTS for kind, _ in action.cost)


def plan_options(
    model: RiskModel,
    frame: pd.DataFrame,
    pay: pd.DataFrame,
    settings: PlanSettings,
    feature_points: np.ndarray,
    pairs: bool = True,
) -> tuple[pd.DataFrame, list[str]]:
    """Every priced option per person, and the names of actions left out because they have no cost.

    A team action (`scope: team`) gets a row for everyone it applies to, even where it would raise
    their risk: plan/teams.py folds a team's rows into one option.

    `frame` is one row per person (model features), `pay` the same rows' pay in SEK.
    Two actions pair up only from different levers and never two pay raises, so a pair is two
    distinct things a manager would do, priced as the sum of both.
    """
    frame = frame.reset_index(drop=True)
    pay = pay.reset_index(drop=True)
    priced = [a for a in model.catalog.actions if a.cost]
    unpriced = [a.name for a in model.catalog.actions if not a.cost]
    now = model.risk(frame)
    replacement = replacement_costs(frame, settings)
    ids = frame["employee_id"].astype(str).to_numpy()
    reading = model.response_reading(frame)  # once for every option below
    parts = []
    singles = {}
    for action in priced:
        change, where = estimate_combination(model, frame, feature_points, [action], now, reading)
        after = apply_action(frame, action, model.feature_percentile)
        cost = action_cost(action, frame, after, pay, settings)
        raise_month = monthly_raise(action, frame, after, pay)
        priced_here = where & np.isfinite(cost) & (cost > 0)
        if action.scope == "team":
            # Every member it applies to, whichever way it moves them: a team option (plan/teams.py)
            # adds them all up, and it never pairs with a person's own action.
            parts.append(_rows(ids, priced_here, [action], now, change, cost, raise_month, replacement))
            continue
        keep = priced_here & (change < -1e-4)
        singles[action.name] = np.where(keep, change, 0.0)
        parts.append(_rows(ids, keep, [action], now, change, cost, raise_month, replacement))
    priced = [a for a in priced if a.name in singles]
    if pairs and len(priced) > 1:
        parts += _pair_rows(
            model, frame, pay, settings, feature_points, priced, singles, now, replacement, ids, reading
        )
    options = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OPTION_COLUMNS)
    return options.sort_values(["employee_id", "option"], kind="stable", ignore_index=True), unpriced


def _pair_rows(model, frame, pay, settings, feature_points, priced, singles, now, replacement, ids, reading):
    """Options of two actions, for the people whose three best single actions include both."""
    by_name = {a.name: a for a in priced}
    changes = pd.DataFrame(singles)
    best = changes.rank(axis=1, method="first").le(PAIR_FROM_TOP) & changes.lt(-1e-4)
    parts = []
    for first, second in itertools.combinations([a.name for a in priced], 2):
        a, b = by_name[first], by_name[second]
        if a.lever == b.lever or (_pays(a) and _pays(b)):
            continue
        rows = np.flatnonzero((best[first] & best[second]).to_numpy())
        if len(rows) == 0:
            continue
        subset = frame.iloc[rows].reset_index(drop=True)
        if reading is None:
            change, where = estimate_combination(model, subset, feature_points[rows], [a, b], now[rows])
        else:
            # Read on every row, so that each lever's share is the one its single action already read
            # (the reading's memo: a pair's two levers re-read alone are its two singles).
            change, where = estimate_combination(model, frame, feature_points, [a, b], now, reading)
            change, where = change[rows], where[rows]
        after_a = apply_action(subset, a, model.feature_percentile)
        after_b = apply_action(after_a, b, model.feature_percentile)
        pay_rows = pay.iloc[rows]
        cost = action_cost(a, subset, after_a, pay_rows, settings) + action_cost(
            b, after_a, after_b, pay_rows, settings
        )
        raise_month = monthly_raise(a, subset, after_a, pay_rows) + monthly_raise(
            b, after_a, after_b, pay_rows
        )
        # A pair is worth listing only where it beats each of its parts alone.
        alone = np.minimum(changes[first].to_numpy()[rows], changes[second].to_numpy()[rows])
        keep = where & (change < alone - 1e-4) & np.isfinite(cost)
        parts.append(_rows(ids[rows], keep, [a, b], now[rows], change, cost, raise_month, replacement[rows]))
    return parts


def _rows(ids, keep, actions, now, change, cost, raise_month, replacement) -> pd.DataFrame:
    exits = -change[keep]
    value = exits * replacement[keep]
    return pd.DataFrame(
        {
            "employee_id": ids[keep],
            "option": " + ".join(a.name for a in actions),
            "actions": [[a.name for a in actions]] * int(keep.sum()),
            "levers": " + ".join(a.lever for a in actions),
            "risk_now": now[keep],
            "risk_after": now[keep] + change[keep],
            "risk_change": change[keep],
            "exits_avoided": exits,
            "cost_sek": cost[keep],
            "pay_raise_sek_month": raise_month[keep],
            "replacement_cost_sek": replacement[keep],
            "value_sek": value,
            "net_value_sek": value - cost[keep],
            "value_per_krona": value / cost[keep],
        },
        columns=OPTION_COLUMNS,
    )


def priced_actions(
    model: RiskModel, frame: pd.DataFrame, pay: pd.DataFrame, settings: PlanSettings
) -> pd.DataFrame:
    """Every (person, priced action) with whether it applies and its cost: the menu any plan picks from."""
    frame = frame.reset_index(drop=True)
    pay = pay.reset_index(drop=True)
    replacement = replacement_costs(frame, settings)
    parts = []
    for action in (a for a in model.catalog.actions if a.cost):
        parts.append(
            pd.DataFrame(
                {
                    "employee_id": frame["employee_id"].astype(str),
                    "action": action.name,
                    "applies": applies(frame, action),
                    "cost_sek": action_cost(
                        action, frame, apply_action(frame, action, model.feature_percentile), pay, settings
                    ),
                    "replacement_cost_sek": replacement,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
