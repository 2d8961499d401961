"""Filling the budget: at most one option per person, the most net value the budget allows.

This is a multiple-choice knapsack. Per person, the options that could ever be chosen lie on the
upper convex hull of (cost, value) from (0, 0): each step up the hull buys extra value at a
falling rate. Taking steps from all people in order of that rate, while a step still returns more
than it costs (rate > 1) and fits the budget, is the classic greedy; it is optimal up to the one
step that did not fit, and the linear-programming bound says by how much at most (reported).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd


@dataclasses.dataclass
class Choice:
    """The options the budget buys, what they cost, and the LP bound on what any plan could gain."""

    chosen: pd.DataFrame  # the chosen option rows, in the order they entered the plan
    spent_sek: float
    bound_sek: float  # no plan within the budget has more net value than this (LP relaxation)


def hull_steps(costs: np.ndarray, values: np.ndarray) -> list[tuple[int, float, float]]:
    """The upper convex hull from (0, 0) over one person's options: (option, extra cost, extra value)."""
    order = np.lexsort((-values, costs))
    hull: list[int] = []
    for i in order:
        if values[i] <= (values[hull[-1]] if hull else 0.0):
            continue  # costs at least as much as the last point and is worth no more
        while hull:
            # Drop the last point if it lies on or under the line from its predecessor to i.
            c0, v0 = (costs[hull[-2]], values[hull[-2]]) if len(hull) > 1 else (0.0, 0.0)
            c1, v1 = costs[hull[-1]], values[hull[-1]]
            if (v1 - v0) * (costs[i] - c0) <= (values[i] - v0) * (c1 - c0):
                hull.pop()
            else:
                break
        hull.append(int(i))
    steps, c_prev, v_prev = [], 0.0, 0.0
    for i in hull:
        steps.append((i, float(costs[i] - c_prev), float(values[i] - v_prev)))
        c_prev, v_prev = costs[i], values[i]
    return steps


def choose(options: pd.DataFrame, budget: float) -> Choice:
    """The plan: one option or none per person, greatest total net value with cost within `budget`.

    With a `unit` column (plan/teams.py) it is one option or none per unit: a person, or a team
    whose shared action is one option of its own."""
    steps = []  # (rate, unit, step number, option row, extra cost, extra value)
    for person, group in options.groupby("unit" if "unit" in options else "employee_id", sort=True):
        rows = group.index.to_numpy()
        costs = group["cost_sek"].to_numpy(dtype=float)
        values = group["value_sek"].to_numpy(dtype=float)
        for k, (i, dc, dv) in enumerate(hull_steps(costs, values)):
            if dc <= 0:
                continue
            steps.append((dv / dc, person, k, rows[i], dc, dv))
    steps.sort(key=lambda s: (-s[0], s[1], s[2]))
    # person -> the option row of their last step taken; a dict keeps the order people entered
    taken: dict[str, int] = {}
    next_step: dict[str, int] = {}
    blocked: set[str] = set()
    spent, net, bound = 0.0, 0.0, None
    for rate, person, k, row, dc, dv in steps:
        if rate <= 1.0:
            break  # every remaining step costs more than it returns
        if person in blocked or next_step.get(person, 0) != k:
            continue
        if spent + dc > budget + 1e-6:
            if bound is None:  # the first step that does not fit: LP bound = greedy so far + its share
                bound = net + (budget - spent) / dc * (dv - dc)
            blocked.add(person)
            continue
        spent += dc
        net += dv - dc
        taken[person] = row
        next_step[person] = k + 1
    chosen = options.loc[list(taken.values())].reset_index(drop=True)
    return Choice(chosen=chosen, spent_sek=spent, bound_sek=max(bound if bound is not None else net, net))
