"""`make benchmark`: time and peak memory of each stage, explanation speed, truth checks, the
public flat tables (IBM; turnover with and without grouped folds).

Each step runs in its own process so its peak memory is its own. Figures are printed; compare
ratios within one run (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_step(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "_measure.py"), *args], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise_truth(report: dict) -> dict:
    """The headline figures of reports/truth.json: ceiling, calibration, explanations, what-ifs, policy."""
    ceiling = report["ceiling_and_calibration"]
    policy = report["policy"]
    return {
        "true_risk_roc_auc": round(ceiling["true_risk_roc_auc"], 3),
        "model_roc_auc": round(ceiling["model_roc_auc"], 3),
        "model_share_of_ceiling": round(ceiling["model_share_of_ceiling"], 3),
        "ece_vs_true_probability": round(ceiling["ece_vs_true_probability"], 3),
        "explanation_spearman": {
            k: round(v, 2) for k, v in report["explanations"]["spearman_with_true_term"].items()
        },
        "blame_vs_top_lever_of_switched_off": report["explanations"]["blame_vs_top_lever_of_switched_off"],
        "what_if_pearson": report["what_if"]["pearson_all_pairs"],
        "what_if_sign_agreement": report["what_if"]["sign_agreement_where_true_effect_over_1_point"],
        "what_if_sign_agreement_offered": report["what_if"].get(
            "sign_agreement_of_offered_where_true_effect_over_1_point"
        ),
        "averted_per_100": {k: round(v, 2) for k, v in policy["averted_exits_per_100_people"].items()},
        "tool_share_of_best": policy["tool_share_of_best"],
        "seconds": report["cost"],
    }


def flat_benchmark(table: str, catalog: str, group_by: str) -> dict:
    """`flightrisk benchmark` on a public table: ROC-AUC of every model, the margin and what was chosen."""
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("flightrisk")),
            "benchmark",
            "--table",
            table,
            "--catalog",
            catalog,
            "--group-by",
            group_by,
        ],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    result = json.loads(done.stdout)
    return {
        "roc_auc": {name: model["roc_auc_mean"] for name, model in result["models"].items()}
        | {"flightrisk_fixed_capacity": result["flightrisk_fixed_capacity"]["roc_auc_mean"]},
        "seconds_flightrisk": result["models"]["flightrisk"]["seconds"],
        "margin_over_best_baseline": result["margin_over_best_baseline"],
        "grouped_folds": result["grouped_folds"],
        "capacity_chosen": result["capacity_chosen"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ibm-table", default="../shared/data/ibm_hr_attrition.csv")
    parser.add_argument("--turnover-table", default="../shared/data/turnover_babushkin.csv")
    parser.add_argument("--model", default="models/flightrisk", help="trained default model (make run)")
    parser.add_argument("--features", default="data/processed/features.parquet")
    parser.add_argument("--raw", default="data/raw")
    parser.add_argument("--truth-report", default="reports/truth.json", help="written by `make evaluate`")
    parser.add_argument("--large-reps", type=int, default=50_000)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sizes = [5000] + ([] if args.skip_large else [args.large_reps])
        for reps in sizes:
            raw = tmp / f"raw_{reps}"
            figures[f"simulate_{reps}"] = run_step("simulate", str(raw), str(reps))
            print(f"simulate {reps} reps: {figures[f'simulate_{reps}']}", flush=True)
            figures[f"features_{reps}"] = run_step(
                "features", str(raw), str(tmp / f"features_{reps}.parquet")
            )
            print(f"features {reps} reps: {figures[f'features_{reps}']}", flush=True)
    if Path(args.model, "metadata.json").is_file() and Path(args.features).is_file():
        figures["engines"] = run_step("engines", args.model, args.features, "20000")
        print(f"TreeSHAP engines, 20,000 latest snapshots: {figures['engines']}", flush=True)
        figures["explain_100k"] = run_step("explain", args.model, args.features, "100000")
        print(f"scoring and explanations, 100,000 rows: {figures['explain_100k']}", flush=True)
        figures["truth"] = run_step("truth", args.model, args.features, args.raw)
        print(f"explanations against the truth (holdout months): {figures['truth']}", flush=True)
        truth_report = Path(args.truth_report)
        if truth_report.is_file():
            figures["counterfactual"] = summarise_truth(json.loads(truth_report.read_text()))
            print(
                f"counterfactual truth ({truth_report}): {json.dumps(figures['counterfactual'])}", flush=True
            )
    else:
        print(f"no trained model at {args.model}: run `make run` first for the scoring and truth figures")
    for table, catalog, group_by in (
        (args.ibm_table, "configs/catalogs/ibm_hr.yaml", "auto"),
        (args.turnover_table, "configs/catalogs/turnover.yaml", "auto"),  # copies kept in one fold
        (args.turnover_table, "configs/catalogs/turnover.yaml", "none"),  # plain folds: how copies inflate
    ):
        name = f"{Path(table).name} (--group-by {group_by})"
        if not Path(table).is_file():
            print(f"flat-table benchmark {name} skipped: {table} is absent")
            continue
        figures[f"flat {name}"] = flat_benchmark(table, catalog, group_by)
        print(f"flat-table benchmark {name}: {json.dumps(figures[f'flat {name}'])}", flush=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
