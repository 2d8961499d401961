"""`reports/truth.json`: the tool against a simulated world's counterfactual truth, in one report.

The caller reads the world file and the truth tables; this module forks the paused latest month
(`synth.counterfactual`) and measures: ceiling and calibration, explanations, the what-ifs, the
policy value of the top action, and the budgeted plan against three other ways to spend the money.
"""

from __future__ import annotations

import resource
import time

import pandas as pd

from flightrisk.features.directory import teams_at
from flightrisk.model.hazard import horizon_labels
from flightrisk.model.risk_model import MonthlyHazard
from flightrisk.plan.build import DEFAULT_BUDGET_SEK, build_plan, pay_as_of
from flightrisk.plan.costs import plan_settings
from flightrisk.plan.evidence import rests_on_signals
from flightrisk.plan.options import priced_actions
from flightrisk.synth.counterfactual import intervention_effects, pause_world, plan_effects
from flightrisk.truth import evaluate as truth_eval


def truth_report(
    model,
    features: pd.DataFrame,
    world,
    risk: pd.DataFrame,
    hazard: pd.DataFrame,
    compensation: pd.DataFrame,
    top_share: float = 0.1,
    job_history: pd.DataFrame | None = None,
) -> dict:
    """The tool against the simulated world's counterfactual truth (reports/truth.json)."""
    started = time.perf_counter()
    risk = risk.assign(snapshot_date=pd.to_datetime(risk["snapshot_date"]))
    in_holdout = model.holdout_mask(features)
    holdout = features[in_holdout].reset_index(drop=True)
    report = {
        "world": {
            "seed": world.seed,
            "reps": world.reps,
            "lever_strength": world.lever_strength,
            "truth_futures": world.truth_futures,
        },
        "ceiling_and_calibration": truth_eval.ceiling_and_calibration(model, holdout, risk),
        "explanations": truth_eval.explanation_fidelity(model, holdout, hazard, world.lever_strength),
    }
    if isinstance(model, MonthlyHazard):
        for h in model.horizons:
            holdout[f"label_{h}m"] = horizon_labels(features, h)[in_holdout]
        report["horizons"] = truth_eval.horizons_against_truth(model, holdout, risk)
    when = features["snapshot_date"]
    latest_date = when.max()
    latest = features[when == latest_date].sort_values("employee_id", kind="stable").reset_index(drop=True)
    latest_risk = pd.Series(model.risk(latest), index=latest["employee_id"].astype(str))
    top_ids = latest_risk.sort_values(ascending=False, kind="stable").index[
        : max(int(round(top_share * len(latest))), 1)
    ]
    top = latest.set_index(latest["employee_id"].astype(str)).loc[top_ids].reset_index(drop=True)
    fork_started = time.perf_counter()
    paused = pause_world(world, [latest_date]).at(latest_date)
    actions = [a.name for a in model.catalog.actions]
    # Everybody at the snapshot is measured at once (one arm per action), so the same futures serve
    # the what-if check on the top 10 % and the plans below.
    effects = intervention_effects(paused, latest["employee_id"].tolist(), actions, world.truth_futures)
    top_effects = effects[effects["employee_id"].isin(set(top_ids))]
    estimates = truth_eval.model_action_effects(model, top)
    report["what_if"] = {
        "snapshot_date": str(latest_date.date()),
        "people": "the top 10 % by the model's risk",
        **truth_eval.whatif_fidelity(estimates, top_effects),
    }
    report["policy"] = {"top_share": top_share, **truth_eval.policy_value(estimates, top_effects)}
    if model.catalog.raw.get("plan") is not None:
        teams = None if job_history is None else teams_at(job_history, latest_date)
        report["plan"] = truth_of_plans(
            model, latest, latest_risk, compensation, paused, effects, world.truth_futures, teams=teams
        )
    report["cost"] = {
        "seconds_total": round(time.perf_counter() - started, 1),
        "seconds_interventions": round(time.perf_counter() - fork_started, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    return report


ESTABLISHED_PART = "tool_plan_on_established_levers"


def truth_of_plans(
    model, latest, latest_risk, compensation, paused, effects, futures, budget=None, teams=None
) -> dict:
    """The budgeted plan and three other ways to spend the money, each run in the simulator; `teams`
    (employee_id -> team_id) lets both the tool and the oracle buy a team action once per team."""
    budget = DEFAULT_BUDGET_SEK if budget is None else budget
    snapshot = pd.Timestamp(latest["snapshot_date"].iloc[0])
    pay = pay_as_of(compensation, snapshot)
    settings = plan_settings(model.catalog)
    plan, summary = build_plan(model, latest, pay, pd.Series(dtype=str), budget, settings, teams=teams)
    menu = priced_actions(
        model, latest, pay.rename(index=str).reindex(latest["employee_id"].astype(str)), settings
    )
    plans = truth_eval.plans_to_compare(
        plan,
        menu,
        effects,
        latest_risk,
        model.risk_bands[1],
        budget,
        seed=int(model.metadata.get("settings", {}).get("seed", 0)),
        catalog=model.catalog,
        teams=teams,
    )
    simulated = {name: dict(zip(p["employee_id"], p["actions"], strict=True)) for name, p in plans.items()}
    # The tool's plan without the options that rest on levers not established as causes, run in the
    # same futures: what each part promised against what it did (the plan summary's split).
    on_signals = rests_on_signals(plan, set(summary["levers_not_established"]))
    established = plan[~on_signals.to_numpy()]
    if on_signals.any() and len(established):
        part = truth_eval.plan_by_person(established, established["option"].str.split(" + ", regex=False))
        simulated[ESTABLISHED_PART] = dict(zip(part["employee_id"], part["actions"], strict=True))
    averted = plan_effects(paused, simulated, futures)
    result = truth_eval.plan_value(plans, averted, budget)
    result["plans"]["tool_plan"]["model_estimated_exits_avoided"] = summary["expected_exits_avoided"]
    # Where the tool's plan loses against the oracle's, action by action (each person's true effect of
    # each action alone, from the same futures).
    result["by_action"] = truth_eval.plan_by_action(plans, effects)
    tool_true = result["plans"]["tool_plan"]["true_exits_averted"]
    if not on_signals.any():
        true_established = tool_true
    elif len(established):
        true_established = float(averted.set_index("plan").loc[ESTABLISHED_PART, "true_exits_averted"])
    else:
        true_established = 0.0
    promised_signals = summary["expected_exits_avoided_on_signals"]
    result["signals"] = {
        "levers_not_established": summary["levers_not_established"],
        "promised_on_signals": promised_signals,
        "true_on_signals": tool_true - true_established,
        "promised_on_established_levers": summary["expected_exits_avoided"] - promised_signals,
        "true_on_established_levers": true_established,
    }
    return result
