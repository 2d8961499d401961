"""The learning loop on the default world (after `make run`): the plan with half its people held out,
carried out in many futures of the simulator; for the three most-planned options, how often the
measured 12-month effect's 95 % interval holds the true effect, how wide it is, and the model's own
estimate beside the truth. Prints its figures (docs/benchmarks.md, "Learning what works")."""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from flightrisk.governance.effects import action_effects
from flightrisk.plan.holdout import assign_holdout
from flightrisk.synth import load_world
from flightrisk.synth.counterfactual import option_effects, pause_world
from flightrisk.truth.action_loop import run_plan_in_simulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", default="data/raw")
    parser.add_argument("--plan", default="data/scores/plan.parquet")
    parser.add_argument("--share", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=20, help="realised futures")
    parser.add_argument("--futures", type=int, default=16, help="futures for the true effect")
    args = parser.parse_args()
    started = time.perf_counter()
    plan = assign_holdout(pd.read_parquet(args.plan), args.share, 0, (0.15, 0.35))
    snapshot = plan["snapshot_date"].max()
    paused = pause_world(load_world(f"{args.raw}/world.yaml"), [snapshot]).at(snapshot)
    top = plan["option"].value_counts().index[:3].tolist()
    truth = option_effects(
        paused,
        {o: plan.loc[plan["option"] == o, "employee_id"].astype(str).tolist() for o in top},
        args.futures,
    ).set_index("option")
    hits = {o: [] for o in top}
    widths = {o: [] for o in top}
    measured = {o: [] for o in top}
    for run in range(args.runs):
        outcomes, reviews = run_plan_in_simulation(paused, plan, future=run)
        result = action_effects(plan, outcomes, 12, reviews)
        for option in top:
            f = result["options"][option]["horizons"]["12"]
            true = truth.loc[option, "true_effect_12m"]
            hits[option].append(f["low"] <= true <= f["high"])
            widths[option].append(f["high"] - f["low"])
            measured[option].append(f["effect"])
    print(
        f"plan: {len(plan)} people, {int(plan['holdout'].sum())} held out ({args.share:.0%}); {args.runs} futures"
    )
    for option in top:
        rows = plan[plan["option"] == option]
        print(
            f"{option}: {len(rows)} people ({int(rows['holdout'].sum())} held out); true 12-month effect "
            f"{truth.loc[option, 'true_effect_12m']:+.3f} (se {truth.loc[option, 'true_effect_12m_se']:.3f}); "
            f"model's estimate {rows['risk_change'].mean():+.3f}; measured mean {np.mean(measured[option]):+.3f}; "
            f"interval holds the truth in {np.mean(hits[option]):.0%}; mean width {np.mean(widths[option]):.3f}"
        )
    print(f"seconds: {time.perf_counter() - started:.0f}")


if __name__ == "__main__":
    main()
