"""The `flightrisk` command line: parse, load, call, save, report errors. No logic lives here."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from flightrisk.errors import InputError

app = typer.Typer(
    name="flightrisk",
    help="Predict which sales reps are about to leave, and explain which levers drive the risk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, markup=False)  # messages quote user input: no markup
out = Console(highlight=False, markup=False)
RECORDS_HELP = "Folder of the hash-chained records (runs.jsonl, reviews.jsonl, erasures.jsonl)."


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    """Predict which sales reps are about to leave, and explain which levers drive the risk."""


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the raw extract into.")],
    world: Annotated[Path | None, typer.Option(help="World file (YAML); defaults when omitted.")] = None,
    reps: Annotated[int | None, typer.Option(help="Sales headcount (overrides the world file).")] = None,
    months: Annotated[int | None, typer.Option(help="Months to simulate (overrides the world file).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (overrides the world file).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
) -> None:
    """Write a synthetic HRIS extract of a simulated sales organisation, with its true causes."""
    from flightrisk.commands.synth import synth_cli
    from flightrisk.io import TABLE_FORMATS
    from flightrisk.synth import load_world

    if fmt not in TABLE_FORMATS.values():
        raise InputError(f"--format must be 'parquet' or 'csv', got {fmt!r}")
    the_world = load_world(world, reps=reps, months=months, seed=seed)
    with err.status("Simulating the organisation…") if err.is_terminal else contextlib.nullcontext():
        summary = synth_cli(the_world, out_dir, fmt)
    err.print(summary)


@app.command()
def validate(
    raw: Annotated[Path, typer.Option("--raw", help="Folder of the raw extract.")],
) -> None:
    """Check every raw table against its schema and the links between tables."""
    from flightrisk.commands.data import validate_cli

    counts = validate_cli(raw)
    for name, rows in counts.items():
        out.print(f"{name}: {rows} rows OK")
    out.print(f"{raw}: all {len(counts)} tables are valid")


@app.command()
def features(
    raw: Annotated[Path, typer.Option("--raw", help="Folder of the raw extract.")],
    out_file: Annotated[Path, typer.Option("--out", help="Feature table to write (.parquet or .csv).")],
    horizon: Annotated[int, typer.Option(help="Label horizon in months.", min=1, max=36)] = 12,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only the snapshot at this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Build the point-in-time feature table: one row per employee and month-end."""
    from flightrisk.commands.data import features_cli

    err.print(features_cli(raw, out_file, horizon, _parse_date(as_of, "--as-of") if as_of else None))


GROUP_BY_HELP = (
    "Flat tables: rows that must share a fold. 'auto': copies of a row (exact, or all features equal but "
    "one); 'none': plain stratified folds; or a column (a person, a team)."
)


@app.command()
def train(
    out_dir: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    features_file: Annotated[
        Path | None, typer.Option("--features", help="Feature table from `features`.")
    ] = None,
    table: Annotated[
        Path | None, typer.Option("--table", help="A flat table you bring (one row per person).")
    ] = None,
    catalog: Annotated[Path | None, typer.Option("--catalog", help="Catalog YAML of the flat table.")] = None,
    raw: Annotated[
        Path | None,
        typer.Option(
            "--raw",
            help="Raw extract: its managers hold the manager fixed in the test of 1:1s; with truth/ adds the oracle.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    register: Annotated[bool, typer.Option(help="Log to MLflow and register the model.")] = True,
    name: Annotated[
        str | None,
        typer.Option(
            help="Registered model name (default: flightrisk for the HR extract, flightrisk-<catalog> for a table)."
        ),
    ] = None,
    lever_additive: Annotated[
        bool,
        typer.Option(
            help="Each tree uses one lever's features plus context: a sum of per-lever terms "
            "(better explanations and advice, about 0.01 lower ROC-AUC; docs/benchmarks.md)."
        ),
    ] = False,
    choose_shape: Annotated[
        bool,
        typer.Option(
            help="Try learning rates 0.05/0.1 x 15/31 leaves on the validation months and keep the best "
            "(the cheapest to explain among near-ties); --no-choose-shape trains 0.05 x 15 leaves as set."
        ),
    ] = True,
    group_by: Annotated[str, typer.Option("--group-by", help=GROUP_BY_HELP)] = "auto",
    model_kind: Annotated[
        str,
        typer.Option(
            "--model",
            help="auto: train the 12-month classifier and the monthly hazard model and keep the one with "
            "the higher holdout ROC-AUC; classifier or hazard: only that one (snapshots only).",
        ),
    ] = "auto",
    bands: Annotated[
        str | None,
        typer.Option(
            "--bands",
            help="Risk bands LOW,HIGH: medium from LOW, high from HIGH (e.g. 0.15,0.35). Default: 0.15,0.35 "
            "for the HR extract; for a flat table 3/4 and 3/2 of its own leaving rate.",
        ),
    ] = None,
    fairness_override: Annotated[
        str | None,
        typer.Option(
            "--fairness-override",
            help="Register even though the fairness audit breaks a threshold; give the reason, which is "
            "recorded with the model and in MLflow (docs/governance.md).",
        ),
    ] = None,
) -> None:
    """Train, validate out of time, calibrate, log to MLflow and register (champion if it passes the gate)."""
    import dataclasses

    from flightrisk.commands.train import TrainRequest, train_cli
    from flightrisk.config import SHAPE_GRID, TrainSettings, parse_bands

    settings = TrainSettings(
        seed=seed, lever_additive=lever_additive, shape_grid=SHAPE_GRID if choose_shape else ()
    )
    if bands is not None:
        settings = dataclasses.replace(settings, risk_bands=parse_bands(bands, "--bands"))
    request = TrainRequest(
        out_dir=out_dir,
        settings=settings,
        features_file=features_file,
        table=table,
        catalog=catalog,
        raw=raw,
        register=register,
        name=name,
        kind=model_kind,
        group_by=group_by,
        bands_given=bands is not None,
        fairness_override=fairness_override,
    )
    train_cli(request, err)


@app.command()
def evaluate(
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    features_file: Annotated[
        Path, typer.Option("--features", help="Feature table the model was trained on.")
    ],
    raw: Annotated[
        Path | None, typer.Option("--raw", help="Raw extract; with truth/ adds the oracle.")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the metrics JSON here.")] = None,
    truth_out: Annotated[
        Path | None,
        typer.Option(
            "--truth-out",
            help="Where the counterfactual truth report goes (default: truth.json beside --out) when --raw is simulated.",
        ),
    ] = None,
) -> None:
    """Holdout metrics of SPEC.md, with baselines, the oracle, and on simulated worlds the truth report."""
    import json

    from flightrisk.commands.evaluate import evaluate_cli

    if truth_out is None and out_file is not None:
        truth_out = Path(out_file).with_name("truth.json")
    metrics = evaluate_cli(model, features_file, raw, out_file, truth_out)
    out.print_json(json.dumps(metrics))


@app.command()
def score(
    model: Annotated[
        str, typer.Option("--model", help="Model directory or MLflow URI (models:/flightrisk@champion).")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Scores to write (.parquet or .csv).")],
    input_file: Annotated[Path | None, typer.Option("--input", help="Feature table to score.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Add lever contributions and drivers.")] = False,
    top_k: Annotated[int, typer.Option("--top-k", help="Drivers per person.", min=1, max=10)] = 3,
    latest: Annotated[
        bool, typer.Option("--latest", help="Score only the latest snapshot in the input.")
    ] = False,
    raw: Annotated[
        Path | None, typer.Option("--raw", help="Build the snapshot from this raw extract.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Snapshot month to build (with --raw) or to pick from --input (YYYY-MM-DD)."
        ),
    ] = None,
    max_bad_share: Annotated[
        float, typer.Option(help="Abort when more rows than this share are bad.")
    ] = 0.05,
    chunk_rows: Annotated[int, typer.Option(help="Rows per streamed chunk.", min=100)] = 50_000,
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
) -> None:
    """Batch scoring, streamed in chunks; writes <out>.run.json and appends to reports/runs.jsonl."""
    from flightrisk.commands.score import ScoreRequest, score_cli

    request = ScoreRequest(
        model_ref=model,
        out_path=out_file,
        input_path=input_file,
        explain=explain,
        top_k=top_k,
        latest=latest,
        raw=raw,
        as_of=_parse_date(as_of, "--as-of") if as_of else None,
        max_bad_share=max_bad_share,
        chunk_rows=chunk_rows,
        records=records,
    )
    score_cli(request, err)


@app.command()
def explain(
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    input_file: Annotated[Path, typer.Option("--input", help="Feature table holding the person.")],
    employee: Annotated[str, typer.Option("--employee", help="The employee_id to explain.")],
    lang: Annotated[str, typer.Option("--lang", help="The reader's language: en or sv.")] = "en",
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """One person's explanation: risk, levers, drivers in words, and what-if actions (latest snapshot)."""
    from flightrisk.commands.explain import ExplainRequest, explain_cli
    from flightrisk.i18n import words_for

    words = words_for(lang)  # the one place --lang is read: an unknown language stops here
    print(explain_cli(ExplainRequest(model, input_file, employee, words, fmt)))


@app.command()
def report(
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    scores: Annotated[Path, typer.Option("--scores", help="Scores from `flightrisk score`.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the static site.")],
    raw: Annotated[Path | None, typer.Option("--raw", help="Raw extract: names, managers, what-ifs.")] = None,
    manager: Annotated[str | None, typer.Option("--manager", help="Only this manager's team.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="The reader's language: en or sv.")] = "en",
    table: Annotated[Path | None, typer.Option("--table", help="The flat table a flat model scored.")] = None,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", help="A plan from `flightrisk plan`: adds the plan page.")
    ] = None,
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
) -> None:
    """Write the static HTML report: overview, manager pages and one page per person."""
    from flightrisk.commands.report import ReportRequest, report_cli
    from flightrisk.i18n import words_for

    words = words_for(lang)  # the one place --lang is read: an unknown language stops here
    request = ReportRequest(model, scores, out_dir, words, raw, manager, table, plan_file, records)
    report_cli(request, err)


@app.command()
def plan(
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    scores: Annotated[Path, typer.Option("--scores", help="Scores from `flightrisk score`.")],
    raw: Annotated[Path, typer.Option("--raw", help="Raw extract: features, pay and managers.")],
    budget: Annotated[float, typer.Option("--budget", help="What the plan may spend in a year, SEK.")],
    out_file: Annotated[
        Path, typer.Option("--out", help="plan.parquet or plan.csv; a .summary.json is written beside it.")
    ] = Path("data/scores/plan.parquet"),
    manager: Annotated[str | None, typer.Option("--manager", help="Only this manager's team.")] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="Catalog with other prices (its `plan:` and costs).")
    ] = None,
    pairs: Annotated[bool, typer.Option(help="Also consider two actions together.")] = True,
    holdout_share: Annotated[
        float,
        typer.Option(
            "--holdout-share",
            help="Leave this share of the planned people untreated this round, at random within each risk "
            "band (recorded in the plan), so each action's effect can be measured (evaluate-actions).",
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the holdout's draw.")] = 0,
    measured_effects: Annotated[
        Path | None,
        typer.Option(
            "--measured-effects",
            help="JSON from `evaluate-actions`: options measured against a randomised holdout with a 95 % "
            "interval at most 5 points either side replace the model's estimates.",
        ),
    ] = None,
) -> None:
    """Choose, within a budget, the action for each person with the best expected retained value."""
    from flightrisk.commands.plan import PlanRequest, plan_cli

    request = PlanRequest(
        model, scores, raw, budget, out_file, manager, catalog, pairs, holdout_share, seed, measured_effects
    )
    plan_cli(request, err)


@app.command()
def benchmark(
    table: Annotated[Path, typer.Option("--table", help="A flat table (one row per person).")],
    catalog: Annotated[Path, typer.Option("--catalog", help="Catalog YAML of the table.")],
    folds: Annotated[int, typer.Option(help="Folds per repeat.", min=2)] = 5,
    repeats: Annotated[int, typer.Option(help="Repeats of the k-fold split.", min=1)] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the splits and models.")] = 0,
    group_by: Annotated[str, typer.Option("--group-by", help=GROUP_BY_HELP)] = "auto",
) -> None:
    """Repeated stratified k-fold of the tool's model against baselines on identical folds (JSON on stdout)."""
    import json

    from flightrisk.commands.benchmark import benchmark_cli

    print(json.dumps(benchmark_cli(table, catalog, folds, repeats, seed, group_by, err), indent=2))


def _parse_date(value: str, option: str):
    import pandas as pd

    try:
        return pd.Timestamp(value)
    except ValueError:
        raise InputError(f"{option} must be a date like 2026-06-30, got {value!r}") from None


def _stop_on_signal(signum, frame) -> None:
    # SIGTERM/SIGHUP unwind like Ctrl-C, so every temporary file and staging folder is removed by
    # the `finally` blocks that own it; SIGKILL cannot be caught, and the next run removes those.
    raise KeyboardInterrupt(f"signal {signum}")


@app.command()
def review(
    model: Annotated[Path, typer.Option("--model", help="Model directory whose report was read.")],
    employee: Annotated[str, typer.Option("--employee", help="The employee_id whose page was read.")],
    month: Annotated[str, typer.Option("--month", help="The month of the page, YYYY-MM.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="The reviewer's id (not a name).")],
    agree: Annotated[
        str, typer.Option("--agree", help="Does the page match what you know: yes, partly or no.")
    ],
    action: Annotated[
        str | None,
        typer.Option("--action", help="The catalog action taken (its name in the model's catalog)."),
    ] = None,
    action_text: Annotated[
        str | None,
        typer.Option("--action-text", help="The action taken in your own words, or your disagreement."),
    ] = None,
    scores: Annotated[
        Path | None,
        typer.Option("--scores", help="Scores the page came from (checks the person was scored)."),
    ] = None,
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
) -> None:
    """Record that a page was read, whether the reader agrees, and what was done (append-only, chained)."""
    from flightrisk.commands.records import review_cli

    line = review_cli(model, employee, month, reviewer, agree, action, action_text, records, scores)
    err.print(f"Recorded review {line['_chain']['seq'] + 1} in {records / 'reviews.jsonl'}")


@app.command()
def audit(records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports")) -> None:
    """Check that no record was deleted, reordered or edited (exit 2 naming the lines if one was)."""
    from flightrisk.commands.records import audit_cli

    counts = audit_cli(records)
    for name, c in counts.items():
        err.print(
            f"{name}: {c['chained']} chained lines intact ({c['legacy']} from before chaining, {c['redacted']} redacted on erasure)"
        )
    if not counts:
        err.print(f"{records}: no records yet")


@app.command()
def access(
    employee: Annotated[str, typer.Option("--employee", help="The person's employee_id.")],
    out: Annotated[Path, typer.Option("--out", help="The document to write (.html or .md).")],
    raw: Annotated[Path | None, typer.Option("--raw", help="Raw extract folder.")] = None,
    features: Annotated[
        Path | None, typer.Option("--features", help="Feature table (to name the models that saw them).")
    ] = None,
    scores: Annotated[
        list[Path] | None, typer.Option("--scores", help="Score files (repeat for several months).")
    ] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="The retention plan.")] = None,
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
    models: Annotated[
        list[Path] | None, typer.Option("--model", help="Model folders to check (repeat).")
    ] = None,
) -> None:
    """Everything the tool holds and shows about one person, in plain words (GDPR Art. 15)."""
    from flightrisk.commands.records import access_cli

    found = access_cli(employee, out, raw, features, scores or [], plan, records, models or [])
    err.print(f"Wrote {out}: {sum(found['tables'].values())} HR records, {found['scores']} scores")


@app.command()
def forget(
    employee: Annotated[str, typer.Option("--employee", help="The person's employee_id.")],
    raw: Annotated[Path | None, typer.Option("--raw", help="Raw extract folder.")] = None,
    features: Annotated[Path | None, typer.Option("--features", help="Feature table.")] = None,
    scores: Annotated[list[Path] | None, typer.Option("--scores", help="Score files (repeat).")] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="The retention plan.")] = None,
    site: Annotated[
        Path | None, typer.Option("--site", help="The report's folder (removed whole when it names them).")
    ] = None,
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
    models: Annotated[
        list[Path] | None, typer.Option("--model", help="Model folders to check (repeat).")
    ] = None,
) -> None:
    """Remove a person from the extracts, features, scores, plan, report and review records (GDPR Art. 17)."""
    from flightrisk.commands.records import forget_cli

    done = forget_cli(employee, raw, features, scores or [], plan, site, records, models or [])
    err.print(
        f"Removed {sum(done['rows_removed'].values())} rows from {len(done['rows_removed'])} files"
        + (
            f"; removed the report {done['site_removed']} (rebuild it with `flightrisk report`)"
            if done["site_removed"]
            else ""
        )
        + (
            f"; redacted {len(done['redacted'].get('reviews.jsonl', []))} review records"
            if done["redacted"]
            else ""
        )
        + (
            f". Trained models that learned from them (retrain to forget): {', '.join(done['models_that_saw_them'])}"
            if done["models_that_saw_them"]
            else ""
        )
    )


@app.command()
def retention(
    scores: Annotated[list[Path] | None, typer.Option("--scores", help="Score files (repeat).")] = None,
    site: Annotated[Path | None, typer.Option("--site", help="The report's folder.")] = None,
    months: Annotated[
        int | None, typer.Option("--months", help="Keep this many months (default: config.RETENTION_MONTHS).")
    ] = None,
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
) -> None:
    """Delete scores and a report older than the retention period; record what was deleted."""
    from flightrisk.commands.records import retention_cli
    from flightrisk.config import RETENTION_MONTHS

    done = retention_cli(RETENTION_MONTHS if months is None else months, scores or [], site, records)
    err.print(
        f"Retention {done['months']} months (before {done['cutoff']}): {sum(done['rows_removed'].values())} score "
        f"rows and {len(done['files_deleted'])} files deleted"
        + ("; the report removed" if done["site_removed"] else "")
    )


@app.command("evaluate-actions")
def evaluate_actions(
    plan: Annotated[Path, typer.Option("--plan", help="A plan made with --holdout-share.")],
    raw: Annotated[Path, typer.Option("--raw", help="A later extract: who left, and when.")],
    records: Annotated[Path, typer.Option("--records", help=RECORDS_HELP)] = Path("reports"),
    out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON here.")] = None,
    scores: Annotated[
        Path | None,
        typer.Option(
            "--scores",
            help="Without a holdout: the plan month's scores, to compare with unplanned people of the same risk.",
        ),
    ] = None,
) -> None:
    """What each planned action did to exits at 3/6/12 months: assigned against held out, with intervals."""
    from flightrisk.commands.records import evaluate_actions_cli

    result = evaluate_actions_cli(plan, raw, records, out, scores)
    err.print(result["method"])
    if not result["options"]:
        err.print(result["why"])
    for option, entry in result["options"].items():
        figures = ", ".join(
            f"{h} months {f['effect']:+.3f} [{f['low']:+.3f}, {f['high']:+.3f}]"
            if "effect" in f
            else f"{h} months: {f['note']}"
            for h, f in entry["horizons"].items()
        )
        against = (
            f"{entry['held_out']} held out" if "held_out" in entry else f"{entry['compared_with']} compared"
        )
        err.print(f"{option}: {entry['assigned']} assigned, {against}; {figures}")


def main() -> None:
    """Entry point: exit 0 on success, 2 on bad input or usage, 1 on anything unexpected."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_on_signal)
    debug = "--debug" in sys.argv[1:]
    try:
        code = app(standalone_mode=False)
        # typer turns Ctrl-C and our SIGTERM/SIGHUP into exit code 130 and *returns* it here.
        if isinstance(code, int) and code != 0:
            if code == 130:
                err.print("aborted: interrupted before the end; no partial output was kept")
            sys.exit(code)
    except InputError as exc:
        if debug:
            raise
        # The message quotes user input (ids, paths): print it literally, never as rich markup.
        err.print("[bold red]error:[/] " + escape(str(exc)), markup=True, highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("aborted")
        sys.exit(1)
    except Exception as exc:  # the last line of defence: no traceback unless asked
        # Usage errors come from typer's own copy of click, so they are recognised by shape.
        kind = type(exc).__name__
        if kind == "Exit":
            sys.exit(exc.exit_code)
        if kind == "Abort":
            err.print("aborted")
            sys.exit(1)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(2)
        if debug:
            raise
        err.print(
            f"unexpected failure: {type(exc).__name__}: {escape(str(exc))} (rerun with --debug for details)"
        )
        sys.exit(1)
