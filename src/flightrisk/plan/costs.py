"""Cost arithmetic of the retention plan: what an action costs a year, and what an exit costs.

The figures live in the catalog (`plan:` and each action's `cost:`), so HR can put in its own.
A raise costs the monthly difference x 12 plus the employer's social fees; a bonus made
attainable costs the extra bonus paid plus fees; manager time is priced per hour.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from flightrisk.errors import InputError
from flightrisk.features.catalog import ActionSpec, Catalog


@dataclasses.dataclass(frozen=True)
class PlanSettings:
    """The prices a plan uses: social fees on pay, a manager's hour, replacement cost per group."""

    employer_social_fees: float
    manager_hour_sek: float
    replacement_cost_by: str  # the feature whose value picks the replacement cost (e.g. role)
    replacement_cost_sek: dict[str, float]


def plan_settings(catalog: Catalog, source: str = "the model's catalog") -> PlanSettings:
    """The catalog's `plan:` section, checked; every problem is listed at once."""
    raw: Any = catalog.raw.get("plan")
    if not isinstance(raw, dict):
        raise InputError(
            f"{source} has no 'plan' section: a plan needs replacement costs and a manager's hourly cost "
            "(see docs/plan.md), or pass --catalog with one"
        )
    problems = []
    numbers = {}
    for key in ("employer_social_fees", "manager_hour_sek"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"plan.{key} must be a number >= 0, got {value!r}")
        numbers[key] = value
    by = raw.get("replacement_cost_by")
    if by not in catalog.names:
        problems.append(f"plan.replacement_cost_by must name a catalog feature (e.g. role), got {by!r}")
    table = raw.get("replacement_cost_sek")
    if not isinstance(table, dict) or not table:
        problems.append("plan.replacement_cost_sek must map each value of replacement_cost_by to SEK")
        table = {}
    for group, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"plan.replacement_cost_sek[{group!r}] must be a positive number, got {value!r}")
    if problems:
        raise InputError(f"{source}: the plan settings have {len(problems)} problem(s):", problems)
    return PlanSettings(
        employer_social_fees=float(numbers["employer_social_fees"]),
        manager_hour_sek=float(numbers["manager_hour_sek"]),
        replacement_cost_by=str(by),
        replacement_cost_sek={str(k): float(v) for k, v in table.items()},
    )


def replacement_costs(frame: pd.DataFrame, settings: PlanSettings) -> np.ndarray:
    """Per row, what losing the person costs; a group without a figure stops the plan (never guessed)."""
    groups = frame[settings.replacement_cost_by].astype(str)
    missing = sorted(set(groups) - set(settings.replacement_cost_sek))
    if missing:
        raise InputError(
            f"no replacement cost for {settings.replacement_cost_by} = {missing[:5]} "
            f"({int(groups.isin(missing).sum())} people); add them under plan.replacement_cost_sek"
        )
    return groups.map(settings.replacement_cost_sek).to_numpy(dtype=float)


def action_cost(
    action: ActionSpec,
    before: pd.DataFrame,
    after: pd.DataFrame,
    pay: pd.DataFrame,
    settings: PlanSettings,
) -> np.ndarray:
    """Per row, what the action costs a year in SEK; NaN where it cannot be priced (pay unknown).

    `pay` holds `base_salary_monthly` and `variable_target_annual` per row, aligned with `before`.
    """
    fees = 1.0 + settings.employer_social_fees
    variable = pd.to_numeric(pay["variable_target_annual"], errors="coerce").to_numpy(dtype=float)
    total = monthly_raise(action, before, after, pay) * 12 * fees
    for kind, value in action.cost:
        if kind == "sek":
            total += float(value)
        elif kind == "manager_hours":
            total += float(value) * settings.manager_hour_sek
        elif kind == "bonus_shortfall":
            old = pd.to_numeric(before[value], errors="coerce").to_numpy(dtype=float)
            new = pd.to_numeric(after[value], errors="coerce").to_numpy(dtype=float)
            total += np.clip(new - old, 0, None) * variable * fees
    return total


def with_prices(catalog: Catalog, prices: Catalog, source: str) -> Catalog:
    """The model's catalog with each action's cost taken from `prices` (same action names)."""
    costs = {a.name: a.cost for a in prices.actions}
    unknown = sorted(set(costs) - {a.name for a in catalog.actions})
    if unknown:
        raise InputError(f"{source}: prices actions the model does not know: {unknown}")
    actions = tuple(dataclasses.replace(a, cost=costs.get(a.name, a.cost)) for a in catalog.actions)
    return dataclasses.replace(catalog, actions=actions)


def monthly_raise(
    action: ActionSpec, before: pd.DataFrame, after: pd.DataFrame, pay: pd.DataFrame
) -> np.ndarray:
    """Per row, the raise in base pay a month (SEK) the action implies; 0 for actions that raise nothing."""
    base = pd.to_numeric(pay["base_salary_monthly"], errors="coerce").to_numpy(dtype=float)
    total = np.zeros(len(before))
    for kind, value in action.cost:
        if kind == "pay_raise_pct":
            total += base * float(value) / 100
        elif kind == "pay_raise_to":
            total += base * raise_factor(before[value], after[value])
    return total


def raise_factor(before: pd.Series, after: pd.Series) -> np.ndarray:
    """The relative raise that moves a pay ratio from `before` to `after` (0.09 = 9 %); NaN if unknown."""
    old = pd.to_numeric(before, errors="coerce").to_numpy(dtype=float)
    new = pd.to_numeric(after, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(np.where(old > 0, new / old - 1.0, np.nan), 0, None)
