"""Worlds nobody tuned the tool to: lever strengths drawn at random, one or two levers switched off.

Each world is simulated, its features built, a model trained and evaluated against the simulator's
counterfactual truth from scratch, with the `flightrisk` CLI as a new user would run it. Prints, per
world and on average (and the worst), how both panels — "why the model flags" (TreeSHAP) and "what
pulling a lever would do" (the causal layer) — rank the levers against the truth, whether the true
top lever is named, how much weight a switched-off lever keeps, what-if sign agreement (over all
pairs, and over the what-ifs a page offers) and Pearson, the policy value of the top action, the
budgeted plan's share of the oracle plan, and where the plan loses against the oracle, action by
action (summed over the worlds in the summary).

    .venv/bin/python benchmarks/unseen_worlds.py --worlds 5 --reps 2000 --out reports/unseen_worlds.json

A change to the what-ifs, the plan or the pages is measured on the same models without simulating
and training again: keep the worlds once (`--keep DIR`), then `--re-evaluate DIR`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from flightrisk.explain.causal import effects_from_metadata

LEVERS = ("compensation", "development", "recognition", "workload", "leadership", "culture")
FLIGHTRISK = str(Path(sys.executable).with_name("flightrisk"))


def draw_world(index: int, seed: int, reps: int, months: int, futures: int) -> dict:
    """Lever strengths from 0.3 to 2.5 (log-uniform), one or two switched off (leadership with the
    manager effect); never all at 1."""
    rng = np.random.default_rng([seed, index])
    strengths = {lever: float(round(np.exp(rng.uniform(np.log(0.3), np.log(2.5))), 2)) for lever in LEVERS}
    off = rng.choice(LEVERS, size=int(rng.integers(1, 3)), replace=False)
    for lever in off:
        strengths[lever] = 0.0
    manager_effect_sd = float(round(rng.choice([0.0, 0.15, 0.3]), 2))
    # The manager's own effect is part of the leadership lever's true term (synth/truth.py), so a
    # leadership lever switched off takes the manager effect with it.
    if "leadership" in off:
        manager_effect_sd = 0.0
    return {
        "seed": int(1000 + 17 * index + seed),
        "reps": reps,
        "months": months,
        "lever_strength": strengths,
        "manager_effect_sd": manager_effect_sd,
        "truth_futures": futures,
    }


def run(*args: str, env: dict) -> None:
    done = subprocess.run([FLIGHTRISK, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flightrisk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _env(folder: Path) -> dict:
    return os.environ | {"MLFLOW_TRACKING_URI": f"sqlite:///{folder / 'mlflow.db'}"}


def one_world(world: dict, folder: Path) -> dict:
    """Simulate, build features, train, evaluate; the truth report's figures that matter here."""
    env = _env(folder)
    (folder / "world.yaml").write_text(yaml.safe_dump(world))
    raw, features, model = folder / "raw", folder / "features.parquet", folder / "model"
    started = time.perf_counter()
    run("synth", "--out", str(raw), "--world", str(folder / "world.yaml"), env=env)
    run("features", "--raw", str(raw), "--out", str(features), env=env)
    # The fairness gate is measured, not in the way: a world whose holdout breaks a threshold is still
    # explained and planned for, and its breaches are reported with the figures below.
    run(
        "train", "--features", str(features), "--out", str(model), "--raw", str(raw), "--no-register",
        "--fairness-override", "benchmark on a simulated world: breaches are reported, not gated", env=env,
    )  # fmt: skip
    return evaluate_world(world, folder, started)


def evaluate_world(world: dict, folder: Path, started: float | None = None) -> dict:
    """Evaluate a world's trained model against its truth; the figures that matter here. Alone (a
    world kept by --keep, re-read with --re-evaluate) it measures a change to the what-ifs, the plan
    or the pages on the same models without simulating and training again."""
    started = time.perf_counter() if started is None else started
    raw, features, model = folder / "raw", folder / "features.parquet", folder / "model"
    run(
        "evaluate", "--model", str(model), "--features", str(features), "--raw", str(raw),
        "--out", str(folder / "metrics.json"), env=_env(folder),
    )  # fmt: skip
    truth = json.loads((folder / "truth.json").read_text())
    explanations = truth["explanations"]
    causal = explanations["causal"]
    off = explanations["switched_off_levers"]
    metadata = json.loads((model / "metadata.json").read_text())
    return {
        "world": world,
        "seconds": round(time.perf_counter() - started, 1),
        "model_kind": metadata.get("kind"),
        "fairness_breaches": (metadata.get("metrics", {}).get("fairness") or {}).get("breaches", []),
        "roc_auc": truth["ceiling_and_calibration"]["model_roc_auc"],
        "true_risk_roc_auc": truth["ceiling_and_calibration"]["true_risk_roc_auc"],
        "ranking_truth": explanations["ranking_truth"],
        "model_panel": {
            "ranking": explanations["ranking_model"],
            "ranking_spearman": explanations["ranking_spearman"],
            "true_top_lever_named": explanations["true_top_lever_named"],
            "true_top_lever_or_a_tie_named": explanations.get("true_top_lever_or_a_tie_named"),
            "switched_off_vs_top": max(
                (explanations["blame_vs_top_lever_of_switched_off"][x] for x in off), default=0
            ),
        },
        "causal_panel": {
            "ranking": causal["ranking"],
            "ranking_spearman": causal["ranking_spearman"],
            "true_top_lever_named": causal["true_top_lever_named"],
            "true_top_lever_or_a_tie_named": causal.get("true_top_lever_or_a_tie_named"),
            "switched_off_vs_top": max(
                (causal["blame_vs_top_lever_of_switched_off"][x] for x in off), default=0
            ),
            "theta": {lever: round(e["theta"], 3) for lever, e in metadata.get("lever_effects", {}).items()},
            "size": {
                lever: None if e.get("size") is None else round(e["size"], 3)
                for lever, e in metadata.get("lever_effects", {}).items()
            },
            "true_spread": {lever: round(v, 3) for lever, v in explanations["true_term_spread"].items()},
            # Levers whose true spread the simulated people cannot tell from the top's (truth/evaluate.py);
            # the spread over every row, certain exits included, and how many rows those are.
            "tied_with_true_top": explanations.get("levers_tied_with_the_true_top"),
            "true_spread_all_rows": {
                lever: round(v, 3)
                for lever, v in (explanations.get("true_term_spread_all_rows") or {}).items()
            },
            "rows_at_certain_exit": explanations.get("rows_at_certain_exit"),
            # A lever counts as established where it or one of its parts is (explain/causal.py).
            "not_established": [
                x for x, e in (effects_from_metadata(metadata) or {}).items() if not e.established
            ],
            # Which test established each lever that is: the 12-month one, the one on the months, or
            # only a part (explain/causal.py).
            "established_by": {
                x: _established_by(e)
                for x, e in (effects_from_metadata(metadata) or {}).items()
                if e.established
            },
            "theta_months": {
                lever: [round(e["monthly"][k], 3) for k in ("theta", "ci_low", "ci_high")]
                for lever, e in metadata.get("lever_effects", {}).items()
                if e.get("monthly")
            },
            "parts": {
                part: [round(e["theta"], 3), round(e["ci_low"], 3), round(e["ci_high"], 3)]
                for part, e in metadata.get("part_effects", {}).items()
            },
            # A within-manager part (the check-ins) bounds its actions' promise by this share of its
            # lever's bound: θ on the months with the manager's habit held fixed over θ without.
            "manager_share": {
                part: round(e["manager_share"], 3)
                for part, e in metadata.get("part_effects", {}).items()
                if "manager_share" in e
            },
            # Each real lever's structural size (over all person-months) over its true spread (over the
            # holdout months, where the truth ranks): where two levers are near in truth, a lever read
            # short of its spread loses the top (docs/benchmarks.md, session 16).
            "read_share": read_shares(metadata.get("lever_effects", {}), explanations["true_term_spread"]),
        },
        # Per action, the mean what-if over the top 10 % against the mean true effect: a plan buys
        # by these, so an action read short of its effect is bought too little.
        "action_read_share": action_read_shares(truth["what_if"]["per_action"]),
        "what_if_sign_agreement": truth["what_if"]["sign_agreement_where_true_effect_over_1_point"],
        "what_if_sign_agreement_credible": truth["what_if"].get(
            "sign_agreement_where_true_effect_credibly_over_1_point"
        ),
        # The what-ifs a page shows: actions offered to the person (the plain count also scores the
        # catalog's silence on an action that does not apply; those are counted apart by sign).
        "what_if_sign_agreement_offered": truth["what_if"].get(
            "sign_agreement_of_offered_where_true_effect_over_1_point"
        ),
        "what_if_not_offered": truth["what_if"].get("not_offered_with_true_effect_over_1_point"),
        "what_if_pearson": truth["what_if"]["pearson_all_pairs"],
        "policy_share_of_best": truth["policy"]["tool_share_of_best"],
        "plan_share_of_oracle": (truth.get("plan") or {}).get("tool_share_of_best_from_truth"),
        # What the plan promises against what it truly does: its estimated exits avoided over the
        # true exits it averts (1 is an honest promise).
        "plan_promise_vs_truth": _promise(truth),
        # The plan's promise and its true effect, split into the options that rest on levers not
        # established as causes and the rest (the plan summary's split, each part run in the simulator).
        "plan_signals": (truth.get("plan") or {}).get("signals"),
        # Per action, the true exits the oracle plan averts with it less the tool's (each person's
        # effect of the action alone): where the plan loses, and to which actions.
        "plan_loss_by_action": plan_losses((truth.get("plan") or {}).get("by_action")),
    }


READ_MIN_SPREAD = 0.05  # a lever's true spread (log-hazard SD) below which its read share is noise
READ_MIN_EFFECT = 0.005  # an action's mean true effect (risk) below which its read share is noise


def read_shares(lever_effects: dict, true_spread: dict) -> dict[str, float]:
    """Per lever with a true spread of at least READ_MIN_SPREAD and a structural size: size / spread
    (the size is read over all person-months, the spread over the truth's holdout months)."""
    return {
        lever: round(effect["size"] / true_spread[lever], 3)
        for lever, effect in lever_effects.items()
        if effect.get("size") is not None and true_spread.get(lever, 0.0) >= READ_MIN_SPREAD
    }


def action_read_shares(per_action: dict) -> dict[str, float]:
    """Per action with a mean true effect of at least READ_MIN_EFFECT: its mean estimate / mean true effect."""
    return {
        action: round(figures["mean_estimated_effect"] / figures["mean_true_effect"], 3)
        for action, figures in per_action.items()
        if abs(figures["mean_true_effect"]) >= READ_MIN_EFFECT
    }


def plan_losses(by_action: dict | None) -> dict[str, float]:
    """Per action either plan gives, the oracle plan's true exits averted with it less the tool
    plan's (truth.json's `plan.by_action`): positive where the tool loses, negative where it gains."""
    if not by_action:
        return {}
    tool, oracle = by_action.get("tool_plan", {}), by_action.get("best_from_truth", {})

    def averted(plan: dict, action: str) -> float:
        return plan.get(action, {}).get("true_exits_averted", 0.0)

    return {a: round(averted(oracle, a) - averted(tool, a), 3) for a in sorted(set(tool) | set(oracle))}


def total_by_key(dicts: list[dict]) -> dict[str, float]:
    """Per key found in any of `dicts`, the sum of its values, largest first."""
    totals: dict[str, float] = {}
    for d in dicts:
        for key, value in d.items():
            totals[key] = totals.get(key, 0.0) + value
    return {key: round(v, 3) for key, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))}


def median_by_key(dicts: list[dict]) -> dict[str, float]:
    """Per key found in any of `dicts`, the median of its values over the dicts that hold it."""
    keys = sorted({key for d in dicts for key in d})
    return {key: round(float(np.median([d[key] for d in dicts if key in d])), 3) for key in keys}


def _established_by(effect) -> str:
    tests = [
        name
        for name, yes in (
            ("year", effect.established_by_the_year),
            ("months", effect.established_by_the_months),
        )
        if yes
    ]
    return "+".join(tests) or "a part"


def _promise(truth: dict) -> float | None:
    tool = ((truth.get("plan") or {}).get("plans") or {}).get("tool_plan") or {}
    promised, averted = tool.get("model_estimated_exits_avoided"), tool.get("true_exits_averted")
    return None if promised is None or not averted else round(promised / averted, 3)


def summarise(results: list[dict]) -> dict:
    def figures(get):
        values = [v for v in (get(r) for r in results) if v is not None]
        return {"mean": float(np.mean(values)), "worst": float(np.min(values))} if values else None

    out = {}
    for panel in ("model_panel", "causal_panel"):
        out[panel] = {
            "ranking_spearman": figures(lambda r, p=panel: r[p]["ranking_spearman"]),
            "true_top_lever_named": sum(r[panel]["true_top_lever_named"] for r in results),
            "true_top_lever_or_a_tie_named": sum(
                bool(r[panel].get("true_top_lever_or_a_tie_named")) for r in results
            ),
            "switched_off_vs_top_mean": float(np.mean([r[panel]["switched_off_vs_top"] for r in results])),
            "switched_off_vs_top_worst": float(np.max([r[panel]["switched_off_vs_top"] for r in results])),
        }
    for key in (
        "what_if_sign_agreement",
        "what_if_sign_agreement_credible",
        "what_if_sign_agreement_offered",
        "what_if_pearson",
        "policy_share_of_best",
        "plan_share_of_oracle",
    ):
        out[key] = figures(lambda r, k=key: r[k])
    # Levers established as causes, against the truth: real ones (a true spread) and switched-off ones.
    established = [
        (lever, r["causal_panel"]["true_spread"][lever] > 0)
        for r in results
        for lever in r["causal_panel"].get("established_by", {})
    ]
    out["established"] = {
        "real_levers": sum(real for _, real in established),
        "of_real_levers": sum(v > 0 for r in results for v in r["causal_panel"]["true_spread"].values()),
        "switched_off_levers": sum(not real for _, real in established),
    }
    promises = [r["plan_promise_vs_truth"] for r in results if r.get("plan_promise_vs_truth") is not None]
    out["plan_promise_vs_truth"] = (
        {
            "mean": float(np.mean(promises)),
            "furthest_from_1": float(max(promises, key=lambda v: abs(np.log(v)))),
        }
        if promises
        else None
    )
    out["what_if_not_offered"] = {
        sign: sum((r.get("what_if_not_offered") or {}).get(sign, 0) for r in results)
        for sign in ("would_lower_risk", "would_raise_risk")
    }
    out["read_share_median"] = median_by_key([r["causal_panel"].get("read_share", {}) for r in results])
    out["action_read_share_median"] = median_by_key([r.get("action_read_share", {}) for r in results])
    # The oracle's true exits averted less the tool's, per action, over all the worlds: where plans lose.
    out["plan_loss_by_action_total"] = total_by_key([r.get("plan_loss_by_action", {}) for r in results])
    out["worlds"] = len(results)
    out["seconds"] = round(sum(r["seconds"] for r in results), 1)
    return out


def fresh_worlds(args: argparse.Namespace) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="unseen-worlds-") as temporary:
        scratch = temporary if args.keep is None else args.keep
        for index in range(args.first, args.worlds):
            world = draw_world(index, args.seed, args.reps, args.months, args.futures)
            folder = Path(scratch) / f"world{index}"
            folder.mkdir(parents=True)
            results.append(one_world(world, folder))
            print(json.dumps(results[-1]), flush=True)
    return results


def re_evaluated(kept: Path) -> list[dict]:
    folders = sorted(kept.glob("world*"), key=lambda f: int(f.name.removeprefix("world")))
    if not folders:
        raise SystemExit(f"{kept}: no world folders (world0, world1, …) left by a --keep run")
    results = []
    for folder in folders:
        results.append(evaluate_world(yaml.safe_load((folder / "world.yaml").read_text()), folder))
        print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=5)
    parser.add_argument(
        "--first",
        type=int,
        default=0,
        help="start at this world (with --worlds 8 --first 5: the three newer)",
    )
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--futures", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep each world's extract, features and model in this folder"
    )
    parser.add_argument(
        "--re-evaluate",
        type=Path,
        default=None,
        help="evaluate again the worlds a --keep run left in this folder (their models as trained)",
    )
    args = parser.parse_args()
    results = re_evaluated(args.re_evaluate) if args.re_evaluate is not None else fresh_worlds(args)
    summary = {"summary": summarise(results), "results": results}
    print(json.dumps(summary["summary"], indent=2))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
