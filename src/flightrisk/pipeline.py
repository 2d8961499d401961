"""The IO edge of the pipeline stages the CLI runs: read inputs, call the pure code, write outputs."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from flightrisk.config import TrainSettings
from flightrisk.errors import InputError
from flightrisk.features import load_catalog
from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.io import atomic_path, find_table, json_text, read_table, sha256_file, write_json, write_table

FEATURE_ID_COLUMNS = ("employee_id", "snapshot_date", "label")


def read_features(path: Path) -> pd.DataFrame:
    """Read a feature table and type its id columns."""
    frame = read_table(path)
    missing = [c for c in FEATURE_ID_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; is this a table from `flightrisk features`?")
    frame["employee_id"] = frame["employee_id"].astype(str)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"], errors="coerce")
    if frame["snapshot_date"].isna().any():
        rows = (frame.index[frame["snapshot_date"].isna()] + 1).tolist()[:5]
        raise InputError(f"{path}: column 'snapshot_date' has values that are not dates in rows {rows}")
    frame["label"] = pd.to_numeric(frame["label"], errors="coerce").astype("Int64")
    if NEXT_MONTH_LABEL in frame.columns:
        frame[NEXT_MONTH_LABEL] = pd.to_numeric(frame[NEXT_MONTH_LABEL], errors="coerce").astype("Int64")
    return frame


def label_horizon(features: pd.DataFrame) -> int | None:
    """The label horizon a feature table was built with: the latest month-ends whose label is unknown
    because their horizon runs past the extract (`flightrisk features --horizon`). None if every
    month is labelled."""
    months = pd.Series(sorted(features["snapshot_date"].unique()))
    labelled = features.groupby("snapshot_date")["label"].apply(lambda s: s.notna().any())
    labelled = labelled.reindex(months).to_numpy()
    if labelled.all() or not labelled.any():
        return None
    last = int(np.flatnonzero(labelled)[-1])
    return len(months) - 1 - last


def read_truth(raw: Path | None) -> pd.DataFrame | None:
    """The simulator's true hazards beside an extract, or None where there are none."""
    if raw is None:
        return None
    path = find_table(Path(raw) / "truth", "hazard")
    return read_table(path) if path is not None else None


def train_snapshots_cli(
    features_file: Path,
    out_dir: Path,
    raw: Path | None,
    settings: TrainSettings,
    register: bool,
    console,
    name: str | None = None,
    kind: str = "auto",
    fairness_override: str | None = None,
) -> dict:
    """`flightrisk train` on a feature table: train, measure, audit fairness, gate, register, publish."""
    if kind not in MODEL_CHOICES:
        raise InputError(f"--model {kind!r}: use one of {list(MODEL_CHOICES)}")
    name = registered_name(name, flat=False)
    features = read_features(features_file)
    catalog = load_catalog()
    missing = [name for name in catalog.names if name not in features.columns]
    if missing:
        raise InputError(
            f"{features_file}: missing feature column(s) {missing}; rebuild with `flightrisk features`"
        )
    horizon = label_horizon(features)
    if horizon is not None and horizon != settings.horizon_months:
        console.print(f"The feature table's labels look {horizon} months ahead: training for that horizon.")
        settings = dataclasses.replace(settings, horizon_months=horizon)
    model, report = train_snapshot_kinds(
        features, catalog, settings, sha256_file(features_file), kind, console
    )
    truth = read_truth(raw)
    if truth is not None:
        from flightrisk.model.evaluate import oracle_roc_auc

        report.metrics["oracle_roc_auc"] = oracle_roc_auc(report.holdout, truth, settings.horizon_months)
        model.metadata["metrics"] = report.metrics
    from flightrisk.explain.causal import effects_summary, lever_effects_for

    model.metadata["lever_effects"] = lever_effects_for(model, features, settings.seed, settings.num_threads)
    if model.metadata["lever_effects"]:
        console.print(effects_summary(model.metadata["lever_effects"]))
    start, end = (pd.Timestamp(d) for d in model.metadata["holdout_window"])
    when = features["snapshot_date"]
    holdout_rows = features[features["label"].notna() & (when >= start) & (when <= end)]
    summary = {
        "holdout roc_auc": report.metrics["roc_auc"],
        "ece": report.metrics["ece"],
        "logistic roc_auc": report.metrics["baselines"]["logistic_regression"]["roc_auc"],
    }
    if "oracle_roc_auc" in report.metrics:
        summary["oracle roc_auc"] = report.metrics["oracle_roc_auc"]
    console.print("Trained " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()))
    from flightrisk.model.metrics import metric_intervals

    report.metrics["intervals"] = metric_intervals(report.holdout, settings.seed)
    model.metadata["metrics"] = report.metrics
    employees = read_employees(raw)
    if employees is not None:
        report.metrics["fairness"] = audit_fairness(
            report.holdout, holdout_rows, employees, catalog, settings.seed
        )
        model.metadata["metrics"] = report.metrics
        console.print(fairness_summary(report.metrics["fairness"]))
    publish_trained(
        model, report, out_dir, register, name, console, holdout_rows, fairness_override=fairness_override
    )
    return report.metrics


def read_employees(raw: Path | None) -> pd.DataFrame | None:
    """The raw extract's employees table (for the fairness audit), or None without one."""
    if raw is None or find_table(Path(raw), "employees") is None:
        return None
    from flightrisk.schema.raw import load_table

    employees, problems = load_table("employees", find_table(Path(raw), "employees"))
    if problems:
        raise InputError(f"{raw}: the employees table has problems:", problems)
    return employees


def audit_fairness(holdout: pd.DataFrame, holdout_rows: pd.DataFrame, employees, catalog, seed: int) -> dict:
    """The holdout's fairness audit by gender and age band, with the proxy check on each person's
    latest holdout row (model/fairness.py)."""
    from flightrisk.config import FairnessSettings
    from flightrisk.model.fairness import age_bands, fairness_audit, proxy_check

    settings = FairnessSettings()
    audit = fairness_audit(
        holdout[["employee_id", "snapshot_date", "label", "risk"]], employees, settings, seed
    )
    latest = holdout_rows.sort_values("snapshot_date", kind="stable").groupby("employee_id").tail(1)
    people = employees.assign(employee_id=employees["employee_id"].astype(str)).set_index("employee_id")
    ids = latest["employee_id"].astype(str)
    protected = pd.DataFrame(
        {
            "gender": people["gender"].reindex(ids).to_numpy(),
            "age_band": age_bands(latest["snapshot_date"], people["birth_year"].reindex(ids)).to_numpy(),
        }
    )
    numeric = [s.name for s in catalog.features if s.type == "numeric"]
    audit["proxies"] = proxy_check(
        latest.reset_index(drop=True), protected, numeric, list(catalog.categorical), settings, seed
    )
    return audit


def fairness_summary(audit: dict) -> str:
    """One line per attribute: the gaps and their intervals; then what breaks a threshold."""
    lines = ["Fairness on the holdout (95 % intervals over people):"]
    for attribute, gaps in audit["gaps"].items():
        if "note" in gaps:
            lines.append(f"  {attribute}: {gaps['note']}")
            continue
        parts = [
            f"{name.replace('_', ' ')} {g['value']:.3f} [{g['low']:.3f}, {g['high']:.3f}]"
            for name, g in gaps.items()
        ]
        lines.append(f"  {attribute}: " + ", ".join(parts))
    for attribute, proxy in audit.get("proxies", {}).items():
        if proxy.get("strong_proxies"):
            lines.append(f"  strong proxies of {attribute}: {', '.join(proxy['strong_proxies'])}")
    lines.extend(f"  BREAKS: {breach}" for breach in audit["breaches"])
    return "\n".join(lines)


MODEL_CHOICES = ("auto", "classifier", "hazard")
COMPARED_METRICS = ("roc_auc", "pr_auc", "brier", "ece", "n", "positives")


def train_snapshot_kinds(features, catalog, settings: TrainSettings, data_hash: str, kind: str, console):
    """The 12-month classifier, the monthly hazard model, or both (`auto`): then the one with the
    higher ROC-AUC on the same out-of-time holdout rows is the candidate, the other its baseline
    (`metrics["model_comparison"]`)."""
    from flightrisk.model.hazard_train import train_hazard
    from flightrisk.model.train import months_needed, settings_of, train_on_snapshots

    if kind == "hazard":
        return train_hazard(features, catalog, settings, data_hash)
    if kind == "auto" and NEXT_MONTH_LABEL in features.columns:
        months = features.loc[features["label"].notna(), "snapshot_date"].nunique()
        if months < months_needed(settings, embargo=True):
            # The classifier learns only outcomes known a horizon before its holdout; a short extract
            # (24 months) has none. The hazard model learns from last month.
            console.print(
                f"{months} labelled snapshot months: too few for the {settings.horizon_months}-month "
                f"classifier's out-of-time holdout (it needs {months_needed(settings)}); training the "
                "hazard model alone, which learns from every month up to the last."
            )
            model, report = train_hazard(features, catalog, settings, data_hash)
            report.metrics["model_comparison"] = {
                "hazard": {k: report.metrics[k] for k in COMPARED_METRICS},
                "classifier": None,
                "chosen": "hazard",
                "why": f"{months} labelled months; the classifier needs {months_needed(settings)}",
            }
            model.metadata["metrics"] = report.metrics
            return model, report
    classifier, classifier_report = train_on_snapshots(features, catalog, settings, data_hash)
    if kind == "classifier":
        return classifier, classifier_report
    if NEXT_MONTH_LABEL not in features.columns:
        console.print(
            f"The feature table has no '{NEXT_MONTH_LABEL}' column (built by an older version): only the "
            "classifier is trained; rebuild the features to compare it with the hazard model."
        )
        return classifier, classifier_report
    # The hazard model takes the shape the classifier chose on its validation months.
    shaped = dataclasses.replace(settings_of(classifier.metadata), shape_grid=())
    hazard, hazard_report = train_hazard(features, catalog, shaped, data_hash)
    hazard.metadata["classifier_rounds"] = classifier.metadata["best_rounds"]
    comparison = {
        "classifier": {k: classifier_report.metrics[k] for k in COMPARED_METRICS}
        | {"survival": classifier_report.metrics.get("survival")},
        "hazard": {k: hazard_report.metrics[k] for k in COMPARED_METRICS}
        | {"survival": hazard_report.metrics.get("survival")}
        | {"horizons": hazard_report.metrics.get("horizons", {})},
    }
    winner = (
        "hazard" if hazard_report.metrics["roc_auc"] > classifier_report.metrics["roc_auc"] else "classifier"
    )
    comparison["chosen"] = winner
    console.print(
        f"Holdout ROC-AUC at {settings.horizon_months} months: classifier "
        f"{comparison['classifier']['roc_auc']:.3f}, hazard {comparison['hazard']['roc_auc']:.3f} → {winner}"
    )
    model, report = (hazard, hazard_report) if winner == "hazard" else (classifier, classifier_report)
    report.metrics["model_comparison"] = comparison
    model.metadata["metrics"] = report.metrics
    return model, report


def registered_name(name: str | None, flat: bool, catalog_path: Path | None = None) -> str:
    """The MLflow name a model registers under: `flightrisk` for the HR extract, its own for a table."""
    from flightrisk.tracking import REGISTERED_MODEL

    if name is None:
        if not flat:
            return REGISTERED_MODEL
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(catalog_path).stem).strip("-") or "table"
        return f"{REGISTERED_MODEL}-{stem}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", name):
        raise InputError(f"--name {name!r}: use letters, digits, '.', '_' and '-' (at most 100 characters)")
    if flat and name == REGISTERED_MODEL:
        raise InputError(
            f"--name {REGISTERED_MODEL!r} belongs to the HR-extract model; give the flat table its own name"
        )
    return name


def _current_champion(out_dir: Path, register: bool, name: str, console):
    """The model that the candidate must not be worse than: the registry's champion, else `--out`."""
    from flightrisk.model.artifact import load_model

    source = f"models:/{name}@champion" if register else None
    try:
        if register:
            from flightrisk.tracking import load_champion

            champion = load_champion(name)
            if champion is not None:
                return champion
        source = Path(out_dir)
        return load_model(source) if (source / "metadata.json").is_file() else None
    except InputError as exc:
        console.print(f"The current model in {source} cannot be loaded, so it is not compared: {exc}")
        return None


def publish_trained(
    model,
    report,
    out_dir: Path,
    register: bool,
    name: str,
    console,
    holdout_rows=None,
    fairness_override=None,
) -> dict:
    """Gate the candidate, register it, and replace `out_dir` only when it passes (or none exists).

    A candidate that fails the gate is kept in `<out>.candidate` for inspection; the model that
    `score` and `report` read stays as it was.
    """
    from flightrisk.io import remove_stale_temporaries
    from flightrisk.model.artifact import discard_staged, publish_model, stage_model
    from flightrisk.model.gate import champion_roc_auc, decide, passes_fairness

    out_dir = Path(out_dir)
    champion = _current_champion(out_dir, register, name, console)
    if champion is None:
        compared, note = None, None
    else:
        compared, note = champion_roc_auc(champion, model, holdout_rows)
    passed, reason = decide(report.metrics, compared, note, fairness_override)
    model.metadata["gate"] = {"passed": passed, "reason": reason, "champion_roc_auc": compared}
    if fairness_override and (report.metrics.get("fairness") or {}).get("breaches"):
        model.metadata["gate"]["fairness_override"] = fairness_override
    remove_stale_temporaries(out_dir)
    staged = stage_model(model, out_dir, documents=lambda record: model_documents(record, model.catalog))
    try:
        registered = log_to_mlflow(staged, model, report, name, (passed, reason)) if register else None
        existing = (out_dir / "metadata.json").is_file()
        # A model that breaks a fairness threshold is never published, not even as the first one.
        fair = passes_fairness(report.metrics, fairness_override)[0]
        if fair and (passed or not existing):
            publish_model(staged, out_dir)
            where = f"model in {out_dir}" + (
                "" if passed else " (the first model here, though it failed the gate)"
            )
        else:
            candidate = out_dir.with_name(out_dir.name + ".candidate")
            publish_model(staged, candidate)
            where = f"{out_dir} unchanged; the rejected candidate is in {candidate}"
    except BaseException:
        discard_staged(staged)
        raise
    verdict = "passed the gate" if passed else "did NOT pass the gate"
    if not fair:
        raise InputError(f"registration refused: the candidate did NOT pass the gate ({reason}); {where}")
    console.print(f"The candidate {verdict} ({reason}); {where}")
    if registered is not None:
        state = "champion" if registered["promoted"] else "not champion"
        console.print(f"MLflow: registered {name} version {registered['version']} ({state})")
    return {"passed": passed, "reason": reason, "registered": registered}


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


def model_documents(record: dict, catalog) -> dict[str, str]:
    """The model card, the instructions for use and the DPIA template (en/sv) from the model's record."""
    from flightrisk.report.instructions import instruction_documents
    from flightrisk.report.model_card import card_documents

    return {**card_documents(record, catalog), **instruction_documents(record, catalog)}


def log_to_mlflow(model_dir: Path, model, report, name: str, gate: tuple[bool, str]) -> dict:
    """Log the run and register the staged model folder (only the files training wrote)."""
    from flightrisk import tracking
    from flightrisk.report.charts import calibration_png, importance_png

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = {
            "catalog": Path(model_dir) / "catalog.yaml",
            "metrics": tmp / "metrics.json",
            "calibration": tmp / "calibration.png",
            "importance": tmp / "feature_importance.png",
            "importance_table": tmp / "feature_importance.csv",
        }
        write_json(report.metrics, files["metrics"])
        calibration_png(report.calibration_bins, files["calibration"])
        importance_png(report.importance, files["importance"])
        report.importance.to_csv(files["importance_table"], index=False)
        params = dict(model.metadata["settings"]) | {
            "best_rounds": report.best_rounds,
            "data_sha256": model.metadata["data_sha256"],
            "registered_name": name,
        }
        return tracking.log_training_run(model_dir, params, report.metrics, files, name=name, gate=gate)


def truth_snapshot_months(world, settings: TrainSettings | None = None) -> list[int]:
    """Simulation months whose true risk is written: the default holdout months and the latest month."""
    settings = settings or TrainSettings()
    latest = world.months - 1
    last_labelled = latest - settings.horizon_months
    holdout = range(max(last_labelled - settings.holdout_months + 1, 0), last_labelled + 1)
    return sorted({*holdout, latest})


def synth_cli(world, out_dir: Path, fmt: str) -> str:
    """Simulate, write the extract, and (with `truth_futures`) each snapshot's true 3/6/12-month risk."""
    import time

    from flightrisk.synth import simulate_organisation
    from flightrisk.synth.counterfactual import true_risk
    from flightrisk.synth.write import write_extract

    paused = []
    wanted = truth_snapshot_months(world) if world.truth_futures else []
    result = simulate_organisation(world, pause_months=wanted, on_pause=paused.append)
    started = time.perf_counter()
    risk = None
    if paused:
        risk = pd.concat([true_risk(p, world.truth_futures) for p in paused], ignore_index=True)
    seconds = time.perf_counter() - started
    write_extract(result, world, out_dir, fmt=fmt, true_risk=risk)
    truth = ""
    if risk is not None:
        truth = (
            f"; true risk for {len(paused)} snapshot months from {world.truth_futures} futures each in {seconds:.0f} s "
            f"(median 12-month standard error {risk['se_12m'].median():.3f})"
        )
    return (
        f"Wrote {len(result.tables)} tables to {out_dir} ({len(result.tables['employees'])} people; voluntary "
        f"attrition {result.voluntary_attrition:.3f}/year, involuntary {result.involuntary_attrition:.3f}/year){truth}"
    )


def evaluate_cli(
    model_dir: Path,
    features_file: Path,
    raw: Path | None,
    out_file: Path | None,
    truth_file: Path | None = None,
) -> dict:
    """Holdout metrics (+ oracle and fairness with --raw); with a simulated extract, also the truth report."""
    from flightrisk.model.artifact import load_model
    from flightrisk.model.evaluate import evaluate_model

    model = load_model(model_dir)
    features = read_features(features_file)
    metrics = evaluate_model(model, features, read_truth(raw), read_employees(raw))
    trained = model.metadata.get("metrics") or {}
    for key in ("model_comparison", "horizons", "survival"):
        # Measured when both kinds were trained (each on its own holdout model): kept as training saw it.
        if key in trained:
            metrics[key] = trained[key]
    metrics["model_kind"] = model.kind
    if out_file is not None:
        write_json(metrics, out_file)
    if truth_file is not None and raw is not None and find_table(Path(raw) / "truth", "risk") is not None:
        write_json(truth_report(model, features, Path(raw)), truth_file)
    return json.loads(json.dumps(metrics))


def truth_report(model, features: pd.DataFrame, raw: Path, top_share: float = 0.1) -> dict:
    """The tool against the simulated world's counterfactual truth (reports/truth.json)."""
    import resource
    import time

    from flightrisk.model.risk_model import MonthlyHazard
    from flightrisk.synth import load_world
    from flightrisk.synth.counterfactual import intervention_effects, pause_world
    from flightrisk.truth import evaluate as truth_eval

    started = time.perf_counter()
    world = load_world(raw / "world.yaml")
    risk = read_table(find_table(raw / "truth", "risk"))
    risk["snapshot_date"] = pd.to_datetime(risk["snapshot_date"])
    hazard = read_truth(raw)
    start, end = (pd.Timestamp(d) for d in model.metadata["holdout_window"])
    when = features["snapshot_date"]
    holdout = features[features["label"].notna() & (when >= start) & (when <= end)].reset_index(drop=True)
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
        from flightrisk.model.hazard import horizon_labels

        in_holdout = (features["label"].notna() & (when >= start) & (when <= end)).to_numpy()
        for h in model.horizons:
            holdout[f"label_{h}m"] = horizon_labels(features, h)[in_holdout]
        report["horizons"] = truth_eval.horizons_against_truth(model, holdout, risk)
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
        report["plan"] = _truth_of_plans(
            model, latest, latest_risk, raw, paused, effects, world.truth_futures
        )
    report["cost"] = {
        "seconds_total": round(time.perf_counter() - started, 1),
        "seconds_interventions": round(time.perf_counter() - fork_started, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    return report


def _truth_of_plans(model, latest, latest_risk, raw, paused, effects, futures, budget=None) -> dict:
    """The budgeted plan and three other ways to spend the money, each run in the simulator."""
    from flightrisk.plan.build import DEFAULT_BUDGET_SEK, build_plan, pay_as_of
    from flightrisk.plan.costs import plan_settings
    from flightrisk.plan.options import priced_actions
    from flightrisk.schema.raw import load_table
    from flightrisk.synth.counterfactual import plan_effects
    from flightrisk.truth import evaluate as truth_eval

    budget = DEFAULT_BUDGET_SEK if budget is None else budget
    compensation, problems = load_table("compensation", find_table(raw, "compensation"))
    if problems:
        raise InputError(f"{raw}: the compensation table has problems:", problems)
    snapshot = pd.Timestamp(latest["snapshot_date"].iloc[0])
    pay = pay_as_of(compensation, snapshot)
    settings = plan_settings(model.catalog)
    plan, summary = build_plan(model, latest, pay, pd.Series(dtype=str), budget, settings)
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
    )
    averted = plan_effects(
        paused,
        {name: dict(zip(p["employee_id"], p["actions"], strict=True)) for name, p in plans.items()},
        futures,
    )
    result = truth_eval.plan_value(plans, averted, budget)
    result["plans"]["tool_plan"]["model_estimated_exits_avoided"] = summary["expected_exits_avoided"]
    return result


@contextlib.contextmanager
def resolved_model(model_ref: str):
    """Yield a model directory: the one given, or an MLflow URI (models:/flightrisk@champion)
    downloaded to a temporary folder that is removed afterwards."""
    if "://" in model_ref or model_ref.startswith("models:/") or model_ref.startswith("runs:/"):
        from flightrisk.tracking import registered_model_dir

        with contextlib.ExitStack() as stack:
            try:
                folder = stack.enter_context(registered_model_dir(model_ref))
            except Exception as exc:  # MLflow raises its own errors for unknown models and aliases
                raise InputError(f"{model_ref}: cannot load this model from MLflow ({exc})") from exc
            yield folder
        return
    yield Path(model_ref)


def run_record(
    model, model_dir: Path | str, input_path: Path, stats, drift: dict, started, ended, extra: dict
) -> dict:
    """The run record of a scoring run: who, what, which model and engine, counts, drift, timings."""
    import getpass
    import uuid

    import flightrisk
    from flightrisk.score.batch import PSI_THRESHOLD

    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return {
        "run_id": str(uuid.uuid4()),
        "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ended_utc": ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": user,
        "code_version": flightrisk.__version__,
        "model": {
            "directory": str(model_dir),
            "created_utc": model.metadata.get("created_utc"),
            "data_sha256": model.metadata.get("data_sha256"),
            "files_sha256": model.metadata.get("files_sha256"),
        },
        "explanation_engine": model.explanation_engine,
        "input": {"path": str(input_path), "sha256": sha256_file(input_path)},
        "rows": {
            "read": stats.rows_read,
            "scored": stats.rows_scored,
            "flagged": stats.rows_flagged,
            "rejected": stats.rows_rejected,
        },
        "rejected_examples": stats.rejected_examples,
        "flagged_by_feature": stats.flagged_by_feature,
        "seconds": {k: round(v, 3) for k, v in stats.seconds.items()},
        "drift": {
            "method": "population stability index against the training data",
            "threshold": PSI_THRESHOLD,
            "psi": drift,
            "exceeding": sorted(k for k, v in drift.items() if v > PSI_THRESHOLD),
        },
        **extra,
    }


@dataclasses.dataclass(frozen=True)
class ScoreRequest:
    """What `flightrisk score` was asked to do."""

    model_ref: str
    out_path: Path
    input_path: Path | None = None
    explain: bool = False
    top_k: int = 3
    latest: bool = False
    raw: Path | None = None
    as_of: pd.Timestamp | None = None
    max_bad_share: float = 0.05
    chunk_rows: int = 50_000

    def check(self) -> None:
        """Refuse contradictory or impossible options before any work."""
        if not 0 <= self.max_bad_share <= 1:  # also refuses nan
            raise InputError(f"--max-bad-share must be a share between 0 and 1, got {self.max_bad_share}")
        if self.raw is not None and self.as_of is None:
            raise InputError("--raw needs --as-of DATE: the month-end to build the snapshot for")
        if self.raw is None and self.input_path is None:
            raise InputError("give --input FILE, or --raw DIR --as-of DATE")
        if self.input_path is not None and Path(self.out_path).resolve() == Path(self.input_path).resolve():
            raise InputError(f"--out {self.out_path} is the input file; write the scores to another file")


def score_cli(request: ScoreRequest, console) -> dict:
    """`flightrisk score`: stream an input through the model into a scores file and its run record."""
    import datetime as dt

    from flightrisk.model.artifact import load_model
    from flightrisk.score.batch import score_file

    started = dt.datetime.now(dt.UTC)
    request.check()
    with resolved_model(request.model_ref) as model_dir:
        model = load_model(model_dir)
    with tempfile.TemporaryDirectory() as tmp:
        input_path = _scoring_input(model, request, Path(tmp))
        only = _month_to_score(model, request, input_path)
        with _progress(console) as bar:
            task = bar.add_task("Scoring", total=None) if bar else None
            stats, drift = score_file(
                model,
                input_path,
                request.out_path,
                explain=request.explain,
                top_k=request.top_k,
                chunk_rows=request.chunk_rows,
                max_bad_share=request.max_bad_share,
                only_date=only,
                progress=(lambda n: bar.advance(task, n)) if bar else None,
            )
        extra = {
            "output": str(request.out_path),
            "model_reference": str(request.model_ref),
            "explain": request.explain,
            "snapshot_date": str(only.date()) if only is not None else None,
        }
        record = run_record(
            model, request.model_ref, input_path, stats, drift, started, dt.datetime.now(dt.UTC), extra
        )
    _save_run_record(record, request.out_path)
    console.print(
        f"Scored {stats.rows_scored} of {stats.rows_read} rows ({stats.rows_flagged} low-confidence, "
        f"{stats.rows_rejected} rejected) into {request.out_path}; drift above threshold: "
        f"{record['drift']['exceeding'] or 'none'}"
    )
    return record


def _scoring_input(model, request: ScoreRequest, tmp: Path) -> Path:
    """The file to score: --input as given, or the snapshot built from --raw at --as-of."""
    if request.raw is None:
        return Path(request.input_path)
    from flightrisk.schema import load_raw

    built = tmp / "snapshot.parquet"
    write_table(model.features_from_extract(load_raw(request.raw), request.as_of), built)
    return built


def _month_to_score(model, request: ScoreRequest, input_path: Path) -> pd.Timestamp | None:
    """The one month to score from a dated input (--as-of, or --latest), else None: every row."""
    from flightrisk.score.batch import latest_snapshot, snapshot_column

    if not model.dated or request.raw is not None:
        return None
    if request.as_of is not None:
        month = pd.Timestamp(request.as_of) + pd.offsets.MonthEnd(0)
        if not (snapshot_column(input_path) == month).any():
            raise InputError(f"{input_path}: no snapshot dated {month.date()}; check --as-of")
        return month
    return latest_snapshot(input_path) if request.latest else None


def _save_run_record(record: dict, out_path: Path) -> None:
    """<out>.run.json beside the scores, and one line in reports/runs.jsonl."""
    write_json(record, Path(str(out_path) + ".run.json"))
    _log_run(record)


def _log_run(record: dict) -> None:
    """One line in reports/runs.jsonl: what ran, on what, how long (scoring and reports); hash-chained
    (`ledger.py`), so `flightrisk audit` sees a deleted or edited line."""
    from flightrisk import ledger

    ledger.append(Path("reports") / "runs.jsonl", record)


def _progress(console):
    """A rich progress bar on a terminal; nothing in pipes and CI."""
    if not console.is_terminal:
        return contextlib.nullcontext()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextlib.contextmanager
def _counted_progress(console, total: int, description: str):
    """Yield `advance()`, called once per unit of work: a rich bar with the time left on a terminal,
    a line at every tenth elsewhere (logs, CI), so a long run is never silent."""
    if console.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(
            *columns, TextColumn("left"), TimeRemainingColumn(), console=console, transient=True
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda: bar.advance(task)
        return
    start, done, step = time.monotonic(), 0, max(1, total // 10)

    def advance():
        nonlocal done
        done += 1
        if done % step == 0 or done == total:
            elapsed = time.monotonic() - start
            left = elapsed / done * (total - done)
            console.print(f"{description}: {done}/{total} after {elapsed:.0f} s, about {left:.0f} s left")

    yield advance


def explain_cli(model_dir: Path, input_path: Path, employee: str, lang: str, fmt: str) -> str:
    """`flightrisk explain`: one person's latest explanation as text or JSON."""
    from flightrisk.explain.person import explain_people, explanation_text
    from flightrisk.model.artifact import load_model
    from flightrisk.score.batch import check_columns, checked_rows

    model = load_model(model_dir)
    table = read_table(input_path)
    check_columns(list(table.columns), model, str(input_path))
    prepared = model.prepare(table)
    # Only this person's rows are typed: the table may hold every person-month of the extract.
    rows = prepared[prepared["employee_id"].astype(str) == employee]
    if rows.empty:
        raise InputError(f"{input_path}: no row for employee_id {employee!r}")
    rows = checked_rows(model, rows, str(input_path), table.attrs.get("decimal", "."))
    rows = rows.sort_values("snapshot_date").tail(1)
    person = explain_people(model, rows, lang=lang)[0]
    person["model_created_utc"] = model.metadata.get("created_utc")
    if fmt == "json":
        return json.dumps(person, indent=2, ensure_ascii=False)
    return explanation_text(person, lang)


def report_cli(
    model_dir: Path,
    scores_path: Path,
    out_dir: Path,
    raw: Path | None,
    manager: str | None,
    lang: str,
    console,
    table: Path | None = None,
    plan_file: Path | None = None,
) -> dict:
    """`flightrisk report`: the static site from scores, with names and teams from --raw; its duration
    and inputs are logged in reports/runs.jsonl."""
    import datetime as dt

    from flightrisk.model.artifact import load_model
    from flightrisk.report.site import build_site
    from flightrisk.score.batch import typed_rows, validate_scores

    started = dt.datetime.now(dt.UTC)
    model = load_model(model_dir)
    scores = validate_scores(read_table(scores_path), str(scores_path))
    tables = features = None
    snapshot = pd.to_datetime(scores["snapshot_date"]).max()
    if table is not None:
        # A flat table carries the model's inputs; --raw then adds only who reports to whom.
        features = typed_rows(model, read_table(table), str(table))
    if raw is not None:
        from flightrisk.schema import load_raw

        tables = load_raw(raw)
    history = None
    if tables is not None and features is None and model.horizon_months:
        # One feature build serves the page (its last month) and the 12-month trends (all of it).
        from flightrisk.report.trends import monthly_history, recent_features

        recent = recent_features(model, tables, snapshot)
        features = recent[pd.to_datetime(recent["snapshot_date"]) == snapshot]
        if features.empty:
            raise InputError(
                f"nobody is employed at {snapshot.date()} in the extract {raw}; pass the scores' extract"
            )

        def history():  # explained only once the site knows its input is good (a wrong --manager fails fast)
            return monthly_history(model, recent)

    elif tables is not None and features is None:
        features = model.features_from_extract(tables, snapshot)

    plan, budget = _read_plan(plan_file, scores) if plan_file is not None else (None, None)
    summary = build_site(
        model,
        scores,
        out_dir,
        tables=tables,
        features=features,
        lang=lang,
        manager=manager,
        plan=plan,
        plan_budget=budget,
        history=history,
        documents=site_documents(Path(model_dir), lang),
    )
    ended = dt.datetime.now(dt.UTC)
    _log_run(
        {
            "command": "report",
            "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ended_utc": ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": round((ended - started).total_seconds(), 3),
            "model": {"directory": str(model_dir), "created_utc": model.metadata.get("created_utc")},
            "scores": {"path": str(scores_path), "sha256": sha256_file(scores_path)},
            "output": str(out_dir),
            "language": lang,
            "manager": manager,
            "people": summary["people"],
            "manager_pages": summary["managers"],
            "snapshot_date": str(summary["snapshot_date"]),
        }
    )
    console.print(
        f"Wrote the report ({summary['people']} people, {summary['managers']} manager pages, "
        f"as of {summary['snapshot_date']}) to {out_dir}/index.html"
    )
    return summary


def plan_cli(
    model_dir: Path,
    scores_path: Path,
    raw: Path,
    budget: float,
    out_file: Path,
    manager: str | None,
    catalog_path: Path | None,
    pairs: bool,
    console,
    holdout_share: float = 0.0,
    seed: int = 0,
    measured_path: Path | None = None,
) -> dict:
    """The retention plan for the scored month: plan.parquet/.csv and its .summary.json; with
    `holdout_share`, a recorded random share of it left untreated this round (plan/holdout.py)."""
    from flightrisk.model.artifact import load_model
    from flightrisk.plan.build import build_plan, check_budget, pay_as_of
    from flightrisk.plan.costs import plan_settings, with_prices
    from flightrisk.report.site import people_directory
    from flightrisk.schema import load_raw
    from flightrisk.score.batch import validate_scores

    if out_file.suffix not in (".parquet", ".csv"):
        raise InputError(f"--out must end in .parquet or .csv, got {out_file.name}")
    check_budget(budget)  # before any work
    if not 0 <= holdout_share < 1:
        raise InputError(f"--holdout-share {holdout_share}: give a share from 0 (none) to below 1, e.g. 0.2")
    model = load_model(model_dir)
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
    features = model.features_from_extract(tables, snapshot)  # a flat model cannot: it says so
    frame = features[features["employee_id"].astype(str).isin(people)]
    absent = sorted(people - set(frame["employee_id"].astype(str)))
    if absent:
        raise InputError(
            f"{len(absent)} scored people are not in {raw} at {snapshot.date()} (first: {absent[:5]}); "
            "plan with the extract the scores came from"
        )
    measured = None
    if measured_path is not None:
        from flightrisk.plan.measured import precise_effects

        measured = precise_effects(
            json.loads(Path(measured_path).read_text(encoding="utf-8")), str(measured_path)
        )
    plan, summary = build_plan(
        model,
        frame.sort_values("employee_id", kind="stable"),
        pay_as_of(tables["compensation"], snapshot),
        directory["manager_id"],
        budget,
        settings,
        pairs=pairs,
        measured=measured,
    )
    summary = {"manager": manager, **summary}
    if holdout_share:
        from flightrisk.plan.holdout import assign_holdout

        plan = assign_holdout(plan, holdout_share, seed, model.risk_bands)
        summary["holdout"] = {
            "share": holdout_share,
            "seed": seed,
            "people": int(plan["holdout"].sum()),
            "by_band": plan.groupby("risk_band_at_plan")["holdout"].sum().astype(int).to_dict(),
            "why": "left untreated this round, at random within each risk band, so that each action's "
            "effect can be measured (flightrisk evaluate-actions)",
        }
    # The summary is renamed into place only after the plan: a failure leaves the old pair as it was.
    with atomic_path(out_file.with_name(out_file.name + ".summary.json")) as summary_tmp:
        summary_tmp.write_text(json_text(summary), encoding="utf-8")
        write_table(plan, out_file)
    console.print(
        f"Wrote a plan for {summary['people_in_plan']} people: {summary['spent_sek']:,.0f} of "
        f"{budget:,.0f} SEK, {summary['expected_exits_avoided']:.1f} expected exits avoided, "
        f"{summary['value_per_krona'] or 0:.1f} SEK of replacement cost saved per krona -> {out_file}"
    )
    console.print(summary["note"])
    return summary


def _read_plan(plan_file: Path, scores: pd.DataFrame) -> tuple[pd.DataFrame, float | None]:
    """A plan file and its budget (from the .summary.json beside it), checked against the scores."""
    from flightrisk.plan.build import PLAN_COLUMNS

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
        return plan, None
    try:
        budget = float(json.loads(summary_file.read_text(encoding="utf-8"))["budget_sek"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{summary_file}: not the summary `flightrisk plan` writes ({exc}); run `flightrisk plan` again"
        ) from None
    return plan, budget


def read_flat(table_path: Path, catalog_path: Path | None, console=None):
    """The flat catalog and its table, checked against each other; the catalog's notes said once."""
    from flightrisk.flat.catalog import NO_ID_NOTE, check_against_table, load_flat_catalog

    if catalog_path is None:
        raise InputError(
            "--table needs --catalog YAML: the catalog says which column is the id, the label, ..."
        )
    flat = load_flat_catalog(catalog_path)
    table = read_table(table_path)
    check_against_table(flat, table, f"{catalog_path} against {table_path}")
    notes = [*flat.catalog.notes, *([NO_ID_NOTE] if not flat.table.id_columns else [])]
    for note in notes if console is not None else ():
        console.print(note)
    return flat, table


def train_flat_cli(
    table_path: Path,
    catalog_path: Path | None,
    out_dir: Path,
    settings: TrainSettings,
    register: bool,
    console,
    name: str | None = None,
    group_by: str = "auto",
    bands_given: bool = False,
    fairness_override: str | None = None,
) -> dict:
    """`flightrisk train --table`: check the table, train a flat-table model, audit fairness by the
    catalog's protected columns, gate, register, publish.
    Without `--bands` the risk bands follow the table's own leaving rate."""
    from flightrisk.config import FLAT_SETTINGS
    from flightrisk.model.flat_checks import check_flat_table
    from flightrisk.model.flat_hazard_train import train_flat_survival
    from flightrisk.model.flat_train import train_flat

    flat, table = read_flat(table_path, catalog_path, console)
    name = registered_name(name, flat=True, catalog_path=catalog_path)
    checks = check_flat_table(flat, table, group_by, settings.seed, f"{catalog_path} against {table_path}")
    for note in checks.notes:
        console.print(note)
    survival = flat.table.survival
    with _counted_progress(
        console, FLAT_SETTINGS.cv_folds + 1, "Training (folds, then the final model)"
    ) as advance:
        model, report = (train_flat_survival if survival else train_flat)(
            flat,
            table,
            sha256_file(table_path),
            seed=settings.seed,
            groups=checks.groups,
            checks=checks.record(flat.table.strong_predictors),
            on_fold=advance,
            bands=settings.risk_bands if bands_given else None,
        )
    metrics = report.metrics
    from flightrisk.model.metrics import metric_intervals

    # Over the cross-validated predictions (for a survival table: the people whose outcome is known).
    metrics["intervals"] = metric_intervals(report.holdout, settings.seed)
    model.metadata["metrics"] = metrics
    if flat.table.protected:
        metrics["fairness"] = audit_flat_fairness(
            model, table, report.holdout, flat.table.protected, settings.seed
        )
        model.metadata["metrics"] = metrics
    if survival:
        console.print(survival_summary(len(table), metrics))
    else:
        capacity = model.metadata["capacity"]["final"]
        console.print(
            f"Trained on {len(table)} rows ({metrics['evaluation']}): roc_auc {metrics['roc_auc']:.3f}, "
            f"pr_auc {metrics['pr_auc']:.3f}, ece {metrics['ece']:.3f}; logistic roc_auc "
            f"{metrics['baselines']['logistic_regression']['roc_auc']:.3f}. Capacity: {capacity['num_leaves']} "
            f"leaves, {capacity['rounds']} rounds, {capacity['linear_weight']:.0%} of the margin linear"
        )
    if "fairness" in metrics:
        console.print(fairness_summary(metrics["fairness"]))
    publish_trained(model, report, out_dir, register, name, console, fairness_override=fairness_override)
    return metrics


def audit_flat_fairness(model, table: pd.DataFrame, rows: pd.DataFrame, protected, seed: int) -> dict:
    """A flat table's audit: its cross-validated risks by each protected column the catalog declares
    (a many-valued number such as an age in bands), with the proxy check on the model's inputs."""
    from flightrisk.config import FairnessSettings
    from flightrisk.model.fairness import audit_groups, protected_bands, proxy_check

    settings = FairnessSettings()
    banded = rows.assign(**{c: protected_bands(rows[c]).to_numpy() for c in protected})
    audit = audit_groups(banded, list(protected), settings, seed)
    frame = model.prepare(table).set_index(table.index)
    people = frame.loc[frame.index.isin(table.index)]
    groups = pd.DataFrame({c: protected_bands(table[c]).to_numpy() for c in protected})
    numeric = [s.name for s in model.catalog.features if s.type == "numeric"]
    audit["proxies"] = proxy_check(
        people.reset_index(drop=True), groups, numeric, list(model.catalog.categorical), settings, seed
    )
    return audit


def survival_summary(people: int, metrics: dict) -> str:
    """What `train --table` says of a survival model: C-index, and AUC and Brier per horizon,
    against the Cox and Weibull AFT baselines on the same folds."""

    def line(name: str, survival: dict) -> str:
        horizons = ", ".join(
            f"{h} months AUC {m['roc_auc_ipcw']:.3f} Brier {m['brier_ipcw']:.3f}"
            for h, m in survival["horizons"].items()
        )
        return (
            f"  {name}: Uno's C {survival['uno_c']:.3f}, Harrell's C {survival['harrell_c']:.3f}; {horizons}"
        )

    lines = [f"Trained a survival model on {people} people ({metrics['evaluation']}; IPCW metrics):"]
    lines.append(line("hazard (LightGBM)", metrics["survival"]))
    for name, baseline in metrics["baselines"].items():
        lines.append(line(name.replace("_", " "), baseline["survival"]))
    return "\n".join(lines)


def benchmark_cli(
    table_path: Path, catalog_path: Path, folds: int, repeats: int, seed: int, group_by: str, console
) -> dict:
    """`flightrisk benchmark`: the table's checks, then its repeated-CV comparison with baselines."""
    from flightrisk.model.flat_benchmark import run_benchmark
    from flightrisk.model.flat_checks import check_flat_table

    flat, table = read_flat(table_path, catalog_path, console)
    checks = check_flat_table(flat, table, group_by, seed, f"{catalog_path} against {table_path}", folds)
    for note in checks.notes:
        console.print(note)
    with _counted_progress(
        console, folds * repeats, f"Benchmark ({folds} folds x {repeats} repeats)"
    ) as advance:
        result = run_benchmark(flat, table, folds, repeats, seed, checks.groups, on_split=advance)
    return {"table": Path(table_path).name, **result, "checks": checks.record(flat.table.strong_predictors)}
