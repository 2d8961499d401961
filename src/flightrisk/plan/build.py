"""The retention plan from scores, features and pay: pure, no files (the CLI does the IO)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.errors import InputError
from flightrisk.explain.contributions import explain_rows
from flightrisk.model.risk_model import RiskModel
from flightrisk.plan.choose import choose
from flightrisk.plan.costs import PlanSettings
from flightrisk.plan.evidence import levers_not_established, rests_on_signals
from flightrisk.plan.measured import use_measured
from flightrisk.plan.options import OPTION_COLUMNS, plan_options
from flightrisk.plan.teams import fold_team_options, unfold

DEFAULT_BUDGET_SEK = 2_000_000  # a year's retention budget for a sales force of ~5,000 (make plan)

NOTE = (
    "A plan is advice for a conversation, not a decision: each figure is the model's estimate of "
    "what an action would change, checked on simulated worlds (docs/benchmarks.md) but not on yours. "
    "Talk with the person first."
)

# A plan row is its person's chosen option (less the list of actions, which `option` spells out),
# where it stands in the plan, and the budget spent up to it.
PLAN_COLUMNS = [
    "rank",
    "employee_id",
    "manager_id",
    "snapshot_date",
    *(c for c in OPTION_COLUMNS if c not in ("employee_id", "actions")),
    "cumulative_cost_sek",
    "team_id",  # the team a team action is bought for (each member has a row, the same rank); else empty
]


def check_budget(budget: float) -> None:
    """A budget is a finite number of SEK, zero or more (NaN fails this test too)."""
    if not (0 <= budget < float("inf")):
        raise InputError(f"--budget must be a number of SEK >= 0, got {budget}")


def pay_as_of(compensation: pd.DataFrame, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Each person's base pay and variable target in force at the snapshot (records dated on or before it)."""
    known = compensation[pd.to_datetime(compensation["effective_date"]) <= snapshot]
    latest = known.sort_values("effective_date", kind="stable").groupby("employee_id").tail(1)
    return latest.set_index("employee_id")[["base_salary_monthly", "variable_target_annual"]]


def build_plan(
    model: RiskModel,
    frame: pd.DataFrame,
    pay: pd.DataFrame,
    managers: pd.Series,
    budget: float,
    settings: PlanSettings,
    pairs: bool = True,
    measured: dict[str, dict] | None = None,
    feature_points: np.ndarray | None = None,
    teams: pd.Series | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The chosen actions (one row per person and option in the plan, in order of value per krona)
    and a summary.

    `frame` holds the people to plan for (one row each, model features), `pay` their pay by
    employee_id, `managers` their manager_id and `teams` their team_id by employee_id (without
    teams, a team action is priced per person); `feature_points` their contributions when already
    computed (`score --explain`'s bundle). A person has one option of their own at most, and may also
    be in a team action bought for their team.
    """
    check_budget(budget)
    frame = frame.reset_index(drop=True)
    ids = frame["employee_id"].astype(str)
    missing = ids[~ids.isin(pay.index.astype(str))]
    if len(missing):
        raise InputError(
            f"{len(missing)} people have no pay record on or before the snapshot, so a raise cannot be "
            f"priced (first: {missing.head(5).tolist()}); check the compensation table"
        )
    pay = pay.rename(index=str).reindex(ids)
    points = explain_rows(model, frame).feature_points if feature_points is None else feature_points
    options, unpriced = plan_options(model, frame, pay, settings, points, pairs=pairs)
    if measured:
        options = use_measured(options, measured)
    options, members = fold_team_options(options, teams, model.catalog)
    choice = choose(options, budget)
    plan = unfold(choice.chosen, members)
    plan["manager_id"] = plan["employee_id"].map(managers.rename(index=str))
    plan["snapshot_date"] = frame["snapshot_date"].iloc[0] if len(frame) else pd.NaT
    plan["cumulative_cost_sek"] = plan["cost_sek"].cumsum()
    plan = plan[PLAN_COLUMNS]
    exits = float(plan["exits_avoided"].sum())
    value = float(plan["value_sek"].sum())
    unestablished = levers_not_established(model)
    on_signals = rests_on_signals(plan, unestablished, set(measured or {}))
    summary = {
        "snapshot_date": str(pd.Timestamp(frame["snapshot_date"].iloc[0]).date()) if len(frame) else None,
        "budget_sek": float(budget),
        "spent_sek": round(choice.spent_sek, 2),
        "people_considered": int(len(frame)),
        "people_with_an_option": int(options["employee_id"].nunique()),
        "people_in_plan": int(plan["employee_id"].nunique()),
        "teams_in_plan": int(plan["team_id"].dropna().nunique()),
        "expected_exits_avoided": round(exits, 3),
        "expected_value_sek": round(value, 2),
        "expected_net_value_sek": round(value - choice.spent_sek, 2),
        "value_per_krona": round(value / choice.spent_sek, 3) if choice.spent_sek > 0 else None,
        "exits_avoided_per_million_sek": round(exits / choice.spent_sek * 1e6, 3)
        if choice.spent_sek
        else None,
        "net_value_upper_bound_sek": round(choice.bound_sek, 2),
        # The part of the expectation that rests on levers the data have not established as causes.
        "expected_exits_avoided_on_signals": round(float(plan.loc[on_signals, "exits_avoided"].sum()), 3),
        "people_on_signals": int(plan.loc[on_signals, "employee_id"].nunique()),
        "levers_not_established": sorted(unestablished),
        "options_by_action": plan["option"].value_counts().to_dict(),
        "actions_without_cost": unpriced,
        "method": "what-if estimates (the response models, each lever scaled to what its measured effect allows)"
        + (", measured effects where precise enough (measured_effects)" if measured else "")
        + "; multiple-choice knapsack filled greedily on convex hulls",
        "measured_effects": {o: f["effect"] for o, f in (measured or {}).items()},
        "note": NOTE,
    }
    return plan, summary
