"""`flightrisk plan`: the retention plan for the scored month, written with its summary."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from flightrisk.commands.inputs import read_month_bundle
from flightrisk.errors import InputError
from flightrisk.features import load_catalog
from flightrisk.features.directory import people_directory
from flightrisk.io import atomic_path, json_text, read_table, table_format, write_table
from flightrisk.model.artifact import load_model
from flightrisk.plan.build import build_plan, check_budget, pay_as_of
from flightrisk.plan.costs import plan_settings, with_prices
from flightrisk.schema import load_raw
from flightrisk.score.batch import validate_scores


@dataclasses.dataclass(frozen=True)
class PlanRequest:
    """What `flightrisk plan` was asked to do."""

    model_dir: Path
    scores_path: Path
    raw: Path
    budget: float
    out_file: Path
    manager: str | None = None
    catalog_path: Path | None = None
    pairs: bool = True
    holdout_share: float = 0.0
    seed: int = 0
    measured_path: Path | None = None

    def check(self) -> None:
        """Refuse what cannot be planned before any work."""
        table_format(self.out_file, "--out")
        check_budget(self.budget)
        if not 0 <= self.holdout_share < 1:
            raise InputError(
                f"--holdout-share {self.holdout_share}: give a share from 0 (none) to below 1, e.g. 0.2"
            )


def plan_cli(request: PlanRequest, console) -> dict:
    """The retention plan: plan.parquet/.csv and its .summary.json; with `holdout_share`, a recorded
    random share of it left untreated this round (plan/holdout.py)."""
    request.check()
    scores_path, raw, manager, catalog_path = (
        request.scores_path,
        request.raw,
        request.manager,
        request.catalog_path,
    )
    model = load_model(request.model_dir)
    if catalog_path is None:
        settings = plan_settings(model.catalog)
    else:
        prices = load_catalog(catalog_path)
        settings = plan_settings(prices, str(catalog_path))
        model = dataclasses.replace(model, catalog=with_prices(model.catalog, prices, str(catalog_path)))
    scores = validate_scores(read_table(scores_path), str(scores_path))
    snapshot = pd.to_datetime(scores["snapshot_date"]).max()
    people = set(scores.loc[pd.to_datetime(scores["snapshot_date"]) == snapshot, "employee_id"].astype(str))
    tables = load_raw(raw)
    directory = people_directory(tables, snapshot).set_index("employee_id")
    if manager is not None:
        team = set(directory.index[directory["manager_id"] == manager])
        if not team & people:
            raise InputError(f"manager {manager!r} has nobody in the scores at {snapshot.date()}")
        people &= team
    # The month's rows and contributions as `score --explain` computed them, else built again; the
    # options' what-ifs still ask the model (pricing them is what a plan is).
    bundle = read_month_bundle(model, scores_path, console.print)
    features, computed = bundle if bundle else (model.features_from_extract(tables, snapshot), None)
    chosen = features["employee_id"].astype(str).isin(people).to_numpy()
    frame = features[chosen]
    order = np.argsort(frame["employee_id"].astype(str).to_numpy(), kind="stable")
    frame = frame.iloc[order]
    points = None if computed is None else computed.take(chosen).explanation.feature_points[order]
    absent = sorted(people - set(frame["employee_id"].astype(str)))
    if absent:
        raise InputError(
            f"{len(absent)} scored people are not in {raw} at {snapshot.date()} (first: {absent[:5]}); "
            "plan with the extract the scores came from"
        )
    measured = None
    if request.measured_path is not None:
        from flightrisk.plan.measured import precise_effects

        measured = precise_effects(
            json.loads(Path(request.measured_path).read_text(encoding="utf-8")), str(request.measured_path)
        )
    plan, summary = build_plan(
        model,
        frame,
        pay_as_of(tables["compensation"], snapshot),
        directory["manager_id"],
        request.budget,
        settings,
        pairs=request.pairs,
        measured=measured,
        feature_points=points,
        teams=directory["team_id"],
    )
    summary = {"manager": manager, **summary}
    if request.holdout_share:
        from flightrisk.plan.holdout import assign_holdout

        plan = assign_holdout(plan, request.holdout_share, request.seed, model.risk_bands)
        summary["holdout"] = {
            "share": request.holdout_share,
            "seed": request.seed,
            "people": int(plan["holdout"].sum()),
            "by_band": plan.groupby("risk_band_at_plan")["holdout"].sum().astype(int).to_dict(),
            "why": "left untreated this round, at random within each risk band, so that each action's "
            "effect can be measured (flightrisk evaluate-actions)",
        }
    # The summary is renamed into place only after the plan: a failure leaves the old pair as it was.
    out_file = Path(request.out_file)
    with atomic_path(out_file.with_name(out_file.name + ".summary.json")) as summary_tmp:
        summary_tmp.write_text(json_text(summary), encoding="utf-8")
        write_table(plan, out_file)
    console.print(
        f"Wrote a plan for {summary['people_in_plan']} people: {summary['spent_sek']:,.0f} of "
        f"{request.budget:,.0f} SEK, {summary['expected_exits_avoided']:.1f} expected exits avoided, "
        f"{summary['value_per_krona'] or 0:.1f} SEK of replacement cost saved per krona -> {out_file}"
    )
    if summary["expected_exits_avoided_on_signals"] > 0:
        console.print(
            f"{summary['expected_exits_avoided_on_signals']:.1f} of them rest on levers the data have not "
            f"established as causes ({', '.join(summary['levers_not_established'])}): signals the model "
            "reads. A holdout (--holdout-share) measures what those actions do."
        )
    console.print(summary["note"])
    return summary
