"""The learning loop checked against a simulated world: a plan with a randomised holdout is carried
out in one future of the simulator (the treated get their actions, the held out nothing), the
managers' records are written, the months pass, and the effect measured from the records is set
against each option's true effect (pure: the paused month and the plan in, figures out)."""

from __future__ import annotations

import pandas as pd

from flightrisk.governance.effects import action_effects
from flightrisk.synth.counterfactual import option_effects, realised_future
from flightrisk.synth.simulate import PausedMonth


def run_plan_in_simulation(
    paused: PausedMonth, plan: pd.DataFrame, future: int = 0
) -> tuple[pd.DataFrame, list[dict]]:
    """One future with the plan's non-held-out people treated: (outcomes, the review records a
    manager would have written: one per treated person, the first action of their option)."""
    treated = plan[~plan["holdout"].astype(bool)]
    assigned = {
        option: rows["employee_id"].astype(str).tolist() for option, rows in treated.groupby("option")
    }
    outcomes = realised_future(paused, assigned, future)
    month = str(pd.Timestamp(paused.snapshot_date).strftime("%Y-%m"))
    reviews = [
        {
            "kind": "review",
            "employee_id": str(row.employee_id),
            "month": month,
            "reviewer": "simulated-manager",
            "agrees": "yes",
            "action": str(row.option).split(" + ")[0],
            "action_text": None,
        }
        for row in treated.itertuples()
    ]
    return outcomes, reviews


def check_loop(paused: PausedMonth, plan: pd.DataFrame, futures: int, top: int = 3, future: int = 0) -> dict:
    """Measured effects of the `top` most-planned options against their true effects."""
    outcomes, reviews = run_plan_in_simulation(paused, plan, future)
    measured = action_effects(plan, outcomes, 12, reviews)
    counts = plan["option"].value_counts()
    chosen = [o for o in counts.index if o in measured["options"]][:top]
    assigned = {o: plan.loc[plan["option"] == o, "employee_id"].astype(str).tolist() for o in chosen}
    truth = option_effects(paused, assigned, futures).set_index("option")
    rows = {}
    for option in chosen:
        figures = measured["options"][option]["horizons"].get("12", {})
        true = float(truth.loc[option, "true_effect_12m"])
        rows[option] = {
            "people": int(counts[option]),
            "held_out": measured["options"][option]["held_out"],
            "measured_12m": figures.get("effect"),
            "low": figures.get("low"),
            "high": figures.get("high"),
            "true_12m": true,
            "true_se": float(truth.loc[option, "true_effect_12m_se"]),
            "model_estimate_12m": measured["options"][option]["model_estimate_12m"],
            "within": figures.get("low") is not None and figures["low"] <= true <= figures["high"],
        }
    return {"options": rows, "measured": measured}
