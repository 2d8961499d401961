"""`flightrisk report`: the static site from scores, with names and teams from --raw; its duration
and inputs are logged in the runs log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pandas as pd

from flightrisk.commands.inputs import read_month_bundle
from flightrisk.commands.score import DEFAULT_RECORDS, log_run
from flightrisk.errors import InputError
from flightrisk.i18n import Words
from flightrisk.io import read_table, sha256_file
from flightrisk.model.artifact import load_model
from flightrisk.plan.build import PLAN_COLUMNS
from flightrisk.report.site import build_site
from flightrisk.score.batch import typed_rows, validate_scores


@dataclasses.dataclass(frozen=True)
class ReportRequest:
    """What `flightrisk report` was asked to do, in the reader's words."""

    model_dir: Path
    scores_path: Path
    out_dir: Path
    words: Words
    raw: Path | None = None
    manager: str | None = None
    table: Path | None = None
    plan_file: Path | None = None
    records: Path = DEFAULT_RECORDS


def report_cli(request: ReportRequest, console) -> dict:
    """Write the site; the summary of what it shows."""
    started = dt.datetime.now(dt.UTC)
    model = load_model(request.model_dir)
    scores = validate_scores(read_table(request.scores_path), str(request.scores_path))
    tables = features = computed = None
    snapshot = pd.to_datetime(scores["snapshot_date"]).max()
    bundle = read_month_bundle(model, request.scores_path, console.print)
    if bundle:
        # `score --explain` ran the model over this month already: the pages put its numbers into words.
        features, computed = bundle
    if request.table is not None and computed is None:
        # A flat table carries the model's inputs; --raw then adds only who reports to whom.
        features = typed_rows(model, read_table(request.table), str(request.table))
    if request.raw is not None:
        from flightrisk.schema import load_raw

        tables = load_raw(request.raw)
    history = None
    if tables is not None and model.horizon_months:
        # One feature build serves the page (its last month, unless the bundle has it) and the
        # 12-month trends (all of it): the trends score the past months with today's model.
        from flightrisk.report.trends import monthly_history, recent_features

        recent = recent_features(model, tables, snapshot)
        if computed is None:
            features = recent[pd.to_datetime(recent["snapshot_date"]) == snapshot]
        if features.empty:
            raise InputError(
                f"nobody is employed at {snapshot.date()} in the extract {request.raw}; pass the scores' extract"
            )

        def history():  # explained only once the site knows its input is good (a wrong --manager fails fast)
            return monthly_history(model, recent)

    elif tables is not None and features is None:
        features = model.features_from_extract(tables, snapshot)

    plan, budget, measured = (
        read_plan(request.plan_file, scores) if request.plan_file is not None else (None, None, set())
    )
    summary = build_site(
        model,
        scores,
        request.out_dir,
        tables=tables,
        features=features,
        words=request.words,
        manager=request.manager,
        plan=plan,
        plan_budget=budget,
        plan_measured=measured,
        history=history,
        documents=site_documents(Path(request.model_dir), request.words.lang),
        computed=computed,
    )
    ended = dt.datetime.now(dt.UTC)
    log_run(
        {
            "command": "report",
            "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ended_utc": ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": round((ended - started).total_seconds(), 3),
            "model": {"directory": str(request.model_dir), "created_utc": model.metadata.get("created_utc")},
            "scores": {"path": str(request.scores_path), "sha256": sha256_file(request.scores_path)},
            "output": str(request.out_dir),
            "language": request.words.lang,
            "explained_from": "the bundle of score --explain" if computed is not None else "the model",
            "manager": request.manager,
            "people": summary["people"],
            "manager_pages": summary["managers"],
            "snapshot_date": str(summary["snapshot_date"]),
        },
        request.records,
    )
    console.print(
        f"Wrote the report ({summary['people']} people, {summary['managers']} manager pages, "
        f"as of {summary['snapshot_date']}) to {request.out_dir}/index.html"
    )
    return summary


def site_documents(model_dir: Path, lang: str) -> dict[str, str]:
    """The model card and instructions for use in the site's language, read from the model folder
    (a model trained before they existed has none: the pages then link to nothing)."""
    suffix = "" if lang == "en" else f".{lang}"
    out = {}
    for stem in ("model_card", "instructions"):
        path = Path(model_dir) / f"{stem}{suffix}.html"
        if path.is_file():
            out[f"{stem}.html"] = path.read_text(encoding="utf-8")
    return out


def read_plan(plan_file: Path, scores: pd.DataFrame) -> tuple[pd.DataFrame, float | None, set[str]]:
    """A plan file, its budget and the options it priced at a measured effect (from the .summary.json
    beside it), checked against the scores."""
    plan = read_table(plan_file)
    missing = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing:
        raise InputError(f"{plan_file}: not a plan from `flightrisk plan` (missing columns {missing})")
    snapshot = pd.to_datetime(scores["snapshot_date"]).max()
    dates = pd.to_datetime(plan["snapshot_date"]).dropna().unique()
    if len(dates) and (len(dates) > 1 or pd.Timestamp(dates[0]) != snapshot):
        raise InputError(
            f"{plan_file}: the plan is for {[str(pd.Timestamp(d).date()) for d in dates]}, the scores for "
            f"{snapshot.date()}; run `flightrisk plan` on these scores"
        )
    summary_file = plan_file.with_name(plan_file.name + ".summary.json")
    if not summary_file.is_file():
        return plan, None, set()
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        budget = float(summary["budget_sek"])
        measured = {str(option) for option in summary.get("measured_effects") or {}}
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{summary_file}: not the summary `flightrisk plan` writes ({exc}); run `flightrisk plan` again"
        ) from None
    return plan, budget, measured
