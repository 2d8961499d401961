"""How much history each model can use: the 12-month classifier against the monthly hazard model.

One simulated world of 60 months. At the cut (the month-end of month 47) the tools see only what was
recorded by then; the next 12 months, simulated but unseen, say who really left. Each model learns
from the last H months of snapshots before the cut (H = 24, 36): the classifier only from the
snapshots whose 12-month outcome was known at the cut (H − 12 months of them), the hazard model from
every person-month whose next month had ended (H − 1). Both are then scored at the cut, the same
people, against what happened — an out-of-time holdout no model saw.

A second world changes regime 8 months before the cut (pay starts to matter three times as much: a new
bonus plan): the classifier has never seen a month of it, the hazard model has seen 8.

Both are fitted on everything they may learn (no internal holdout: the real future is the holdout), with
the product's own pieces: rounds early-stopped on people held out of training, calibration forward in
time where the history allows it (`fit_calibration`, `fit_hazard_calibration`).

    .venv/bin/python benchmarks/hazard_history.py --worlds 5 --reps 3000 --out reports/hazard_history.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from flightrisk.config import TrainSettings
from flightrisk.features import build_snapshot_features, load_catalog
from flightrisk.features.build import cut_at
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.model.hazard import horizon_labels
from flightrisk.model.hazard_train import fit_hazard_booster, fit_hazard_calibration
from flightrisk.model.metrics import holdout_metrics
from flightrisk.model.risk_model import HazardModel, SnapshotModel, encode_features
from flightrisk.model.train import category_levels, fit_booster, fit_calibration, validation_people
from flightrisk.schema import load_raw
from flightrisk.synth import World, simulate_organisation
from flightrisk.synth.write import write_extract

CUT_MONTH = 47  # the last month-end the tools see (month 0 is the world's first)
WORLD_MONTHS = CUT_MONTH + 1 + 12  # and the 12 months that say who left
SETTINGS = TrainSettings()


def early_rounds(fit, x, y, months, people, settings, valid_months: int) -> int:
    """Rounds early-stopped on people held out of training, on the latest `valid_months` months."""
    held = validation_people(pd.Series(people), settings.validation_share, settings.seed)
    latest = np.unique(months)[-valid_months:]
    valid = held & np.isin(months, latest)
    booster = fit(x[~held], y[~held], settings.max_rounds, x[valid], y[valid])
    return max(int(booster.best_iteration or booster.current_iteration()), 10)


def fit_classifier(rows: pd.DataFrame, catalog, settings: TrainSettings) -> SnapshotModel:
    labelled = rows[rows["label"].notna()].reset_index(drop=True)
    categories = category_levels(labelled, catalog)
    x = encode_features(labelled, catalog, categories)
    y = labelled["label"].astype(int).to_numpy()
    months = pd.to_datetime(labelled["snapshot_date"]).to_numpy()
    people = labelled["employee_id"].astype(str).to_numpy()

    def fit(xa, ya, rounds, xv=None, yv=None):
        return fit_booster(xa, ya, catalog, settings, rounds, xv, yv)

    rounds = early_rounds(fit, x, y, months, people, settings, settings.validation_months)
    calibration, rule = fit_calibration(x, y, months, people, catalog, settings, rounds)
    return SnapshotModel(
        booster=fit(x, y, rounds),
        calibration=calibration,
        catalog=catalog,
        profile={"categories": categories},
        metadata={"horizon_months": 12, "rounds": rounds, "calibration": rule, "rows": len(labelled)},
    )


def fit_hazard(rows: pd.DataFrame, catalog, settings: TrainSettings) -> HazardModel:
    rows = rows.reset_index(drop=True)
    categories = category_levels(rows, catalog)
    x = encode_features(rows, catalog, categories)
    event = pd.to_numeric(rows[NEXT_MONTH_LABEL], errors="coerce").to_numpy(dtype=float)
    months = pd.to_datetime(rows["snapshot_date"]).to_numpy()
    people = rows["employee_id"].astype(str).to_numpy()
    labels = {h: horizon_labels(rows, h) for h in (3, 6, 12)}
    known = ~np.isnan(event)

    held = validation_people(pd.Series(people), settings.validation_share, settings.seed)
    latest = np.unique(months[known])[-settings.horizon_months :]
    valid = known & held & np.isin(months, latest)
    learn = known & ~held
    early = fit_hazard_booster(
        x[learn], event[learn], catalog, settings, settings.max_rounds, x[valid], event[valid], months[learn]
    )
    rounds = max(int(early.best_iteration or early.current_iteration()), 10)
    calibration, rule = fit_hazard_calibration(x, event, months, labels, people, catalog, settings, rounds)
    return HazardModel(
        booster=fit_hazard_booster(x[known], event[known], catalog, settings, rounds, months=months[known]),
        calibration=calibration,
        catalog=catalog,
        profile={"categories": categories},
        metadata={
            "horizon_months": 12,
            "horizons": [3, 6, 12],
            "rounds": rounds,
            "calibration": rule,
            "rows": int(known.sum()),
        },
    )


def figures(y: np.ndarray, risk: np.ndarray) -> dict:
    metrics = holdout_metrics(y.astype(int), risk)
    return {k: round(float(metrics[k]), 4) for k in ("roc_auc", "pr_auc", "brier", "ece")} | {
        "mean_risk": round(float(np.mean(risk)), 4),
        "exit_rate": round(float(np.mean(y)), 4),
    }


def one_world(world: World, histories: tuple[int, ...], folder: Path) -> dict:
    started = time.perf_counter()
    result = simulate_organisation(world)
    write_extract(result, world, folder)
    tables = load_raw(folder)
    catalog = load_catalog()
    full = build_snapshot_features(tables, catalog)
    cut_date = pd.Timestamp(world.start) + pd.DateOffset(months=CUT_MONTH) + pd.offsets.MonthEnd(0)
    seen = build_snapshot_features(cut_at(tables, cut_date), catalog)
    truth_at_cut = full[full["snapshot_date"] == cut_date].set_index("employee_id")
    scored = seen[seen["snapshot_date"] == cut_date].reset_index(drop=True)
    outcome = {
        12: truth_at_cut.loc[scored["employee_id"], "label"].astype(float).to_numpy(),
        **{
            h: pd.Series(horizon_labels(full, h), index=full.index)[full["snapshot_date"] == cut_date]
            .set_axis(full.loc[full["snapshot_date"] == cut_date, "employee_id"])
            .loc[scored["employee_id"]]
            .to_numpy()
            for h in (3, 6)
        },
    }
    hazard_truth = pd.read_parquet(folder / "truth" / "hazard.parquet")
    hazard_truth = hazard_truth[pd.to_datetime(hazard_truth["month"]) + pd.offsets.MonthEnd(0) == cut_date]
    true_monthly = hazard_truth.set_index(hazard_truth["employee_id"].astype(str))["hazard"]
    oracle = 1 - (1 - true_monthly.reindex(scored["employee_id"]).to_numpy()) ** 12
    have_oracle = ~np.isnan(oracle)
    out = {
        "world": {k: v for k, v in world.to_dict().items() if k not in ("start", "currency")},
        "people_at_cut": int(len(scored)),
        "oracle_roc_auc": round(float(roc_auc_score(outcome[12][have_oracle], oracle[have_oracle])), 4),
        "histories": {},
    }
    for history in histories:
        first = cut_date - pd.DateOffset(months=history - 1) + pd.offsets.MonthEnd(0)
        rows = seen[(seen["snapshot_date"] >= first) & (seen["snapshot_date"] <= cut_date)]
        tick = time.perf_counter()
        classifier = fit_classifier(rows, catalog, SETTINGS)
        classifier_seconds = time.perf_counter() - tick
        tick = time.perf_counter()
        hazard = fit_hazard(rows, catalog, SETTINGS)
        hazard_seconds = time.perf_counter() - tick
        risks = hazard.horizon_risks(scored)
        entry = {
            "snapshot_months": int(rows["snapshot_date"].nunique()),
            "classifier": figures(outcome[12], classifier.risk(scored))
            | {
                "learned_months": int(rows.loc[rows["label"].notna(), "snapshot_date"].nunique()),
                "rows": classifier.metadata["rows"],
                "calibration": classifier.metadata["calibration"],
                "seconds": round(classifier_seconds, 1),
            },
            "hazard": figures(outcome[12], risks["risk_12m"].to_numpy())
            | {
                "learned_months": int(rows.loc[rows[NEXT_MONTH_LABEL].notna(), "snapshot_date"].nunique()),
                "rows": hazard.metadata["rows"],
                "calibration": hazard.metadata["calibration"],
                "seconds": round(hazard_seconds, 1),
                "at_3m": figures(outcome[3], risks["risk_3m"].to_numpy()),
                "at_6m": figures(outcome[6], risks["risk_6m"].to_numpy()),
            },
        }
        out["histories"][str(history)] = entry
        print(
            f"  history {history} months: classifier ROC-AUC {entry['classifier']['roc_auc']:.3f} "
            f"(learned {entry['classifier']['learned_months']} months), hazard "
            f"{entry['hazard']['roc_auc']:.3f} (learned {entry['hazard']['learned_months']}); "
            f"truth {out['oracle_roc_auc']:.3f}",
            flush=True,
        )
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def summary(report: dict) -> dict:
    """Per condition (world kind, history): mean ROC-AUC of each model, the mean paired difference
    (hazard − classifier) with its spread over worlds, and how many worlds the hazard model won."""
    out = {}
    for kind in ("steady", "regime change"):
        for history in ("24", "36"):
            pairs = [
                (
                    v["histories"][history]["classifier"]["roc_auc"],
                    v["histories"][history]["hazard"]["roc_auc"],
                )
                for name, v in report["worlds"].items()
                if name.startswith(kind) and history in v["histories"]
            ]
            if not pairs:
                continue
            classifier, hazard = np.array(pairs).T
            difference = hazard - classifier
            out[f"{kind}, {history} months"] = {
                "worlds": len(pairs),
                "classifier_roc_auc": round(float(classifier.mean()), 4),
                "hazard_roc_auc": round(float(hazard.mean()), 4),
                "difference_mean": round(float(difference.mean()), 4),
                "difference_sd": round(float(difference.std(ddof=1)) if len(pairs) > 1 else 0.0, 4),
                "hazard_wins": int((difference > 0).sum()),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--worlds", type=int, default=5, help="worlds of each kind (seeds seed, seed+1, …)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = {"cut_month": CUT_MONTH, "settings": "TrainSettings() defaults", "worlds": {}}
    started = time.perf_counter()
    for seed in range(args.seed, args.seed + args.worlds):
        base = World(seed=seed, reps=args.reps, months=WORLD_MONTHS, truth_futures=0)
        worlds = {
            f"steady (seed {seed})": base,
            f"regime change 8 months before the cut, pay x3 (seed {seed})": dataclasses.replace(
                base, regime_change={"month": CUT_MONTH - 7, "lever_strength": {"compensation": 3.0}}
            ),
        }
        for name, world in worlds.items():
            print(f"{name}:", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                report["worlds"][name] = one_world(world, (24, 36), Path(tmp) / "raw")
    report["summary"] = summary(report)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report["summary"], indent=1))
    print(f"{report['seconds']:.0f} s")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
