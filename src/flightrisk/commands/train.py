"""`flightrisk train`: read the feature table (or a flat table and its catalog), train, measure,
audit fairness, then gate, register and publish (`commands/publish.py`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flightrisk.commands.inputs import (
    read_employees,
    read_features,
    read_flat,
    read_managers,
    read_survey_tables,
    read_truth,
)
from flightrisk.commands.progress import counted_progress
from flightrisk.commands.publish import publish_trained
from flightrisk.config import FLAT_SETTINGS, TrainSettings
from flightrisk.errors import InputError
from flightrisk.explain.causal import causal_effects_for, effects_summary
from flightrisk.explain.team_shift import measure_team_shifts
from flightrisk.features import load_catalog
from flightrisk.features.snapshots import label_horizon
from flightrisk.io import sha256_file
from flightrisk.model.evaluate import oracle_roc_auc
from flightrisk.model.fairness import audit_summary, flat_audit, snapshot_audit
from flightrisk.model.metrics import metric_intervals
from flightrisk.model.select import MODEL_CHOICES, train_snapshot_kinds
from flightrisk.tracking import registered_name


@dataclasses.dataclass(frozen=True)
class TrainRequest:
    """What `flightrisk train` was asked to do: a feature table or a flat table, and how."""

    out_dir: Path
    settings: TrainSettings
    features_file: Path | None = None
    table: Path | None = None
    catalog: Path | None = None
    raw: Path | None = None
    register: bool = True
    name: str | None = None
    kind: str = "auto"
    group_by: str = "auto"
    bands_given: bool = False
    fairness_override: str | None = None

    def check(self) -> None:
        """Refuse contradictory options before any work."""
        if (self.features_file is None) == (self.table is None):
            raise InputError(
                "give either --features FILE (snapshots) or --table FILE --catalog YAML (a flat table)"
            )
        if self.kind not in MODEL_CHOICES:
            raise InputError(f"--model {self.kind!r}: use one of {list(MODEL_CHOICES)}")
        if self.table is not None and self.kind != "auto":
            raise InputError(
                "--model chooses between the snapshot models; a flat table's kind follows its catalog "
                "(a label: a classifier; duration and event: a survival model)"
            )
        if self.fairness_override is not None and len(self.fairness_override.strip()) < 10:
            raise InputError(
                "--fairness-override needs the reason in words (at least 10 characters): it is recorded "
                "with the model for whoever audits it"
            )


def train_cli(request: TrainRequest, console) -> dict:
    """`flightrisk train`: either kind of input."""
    request.check()
    if request.table is not None:
        return train_flat_cli(request, console)
    return train_snapshots_cli(request, console)


def train_snapshots_cli(request: TrainRequest, console) -> dict:
    """Train on a feature table, measure, audit fairness, gate, register, publish."""
    settings = request.settings
    name = registered_name(request.name, flat=False)
    features = read_features(request.features_file)
    catalog = load_catalog()
    missing = [name for name in catalog.names if name not in features.columns]
    if missing:
        raise InputError(
            f"{request.features_file}: missing feature column(s) {missing}; rebuild with `flightrisk features`"
        )
    horizon = label_horizon(features)
    if horizon is not None and horizon != settings.horizon_months:
        console.print(f"The feature table's labels look {horizon} months ahead: training for that horizon.")
        settings = dataclasses.replace(settings, horizon_months=horizon)
    # Read before training, so a broken job history stops the command before minutes of fitting.
    managers = read_managers(request.raw, features)
    if managers is None and any(spec.within_manager for spec in catalog.features):
        console.print(
            "Without --raw the managers are unknown: a 1:1's promise is bounded by leadership's effect "
            "alone, not by what a 1:1 does within one manager. Pass the extract with --raw."
        )
    model, report = train_snapshot_kinds(
        features, catalog, settings, sha256_file(request.features_file), request.kind, console.print
    )
    truth = read_truth(request.raw)
    if truth is not None:
        report.metrics["oracle_roc_auc"] = oracle_roc_auc(report.holdout, truth, settings.horizon_months)
    model.metadata.update(causal_effects_for(model, features, settings.seed, settings.num_threads, managers))
    if model.metadata.get("lever_effects"):
        console.print(effects_summary(model.metadata["lever_effects"], model.metadata.get("part_effects")))
    model.metadata["team_shifts"] = measure_team_shifts(model, features, read_survey_tables(request.raw))
    if any(shift["reliability_measured"] is None for shift in model.metadata["team_shifts"].values()):
        console.print(
            "The team survey's reliability is unknown (no --raw, or fewer than three survey waves): a "
            "team action's what-if is read through its survey mean uncorrected."
        )
    holdout_rows = features[model.holdout_mask(features)]
    summary = {
        "holdout roc_auc": report.metrics["roc_auc"],
        "ece": report.metrics["ece"],
        "logistic roc_auc": report.metrics["baselines"]["logistic_regression"]["roc_auc"],
    }
    if "oracle_roc_auc" in report.metrics:
        summary["oracle roc_auc"] = report.metrics["oracle_roc_auc"]
    console.print("Trained " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()))
    report.metrics["intervals"] = metric_intervals(report.holdout, settings.seed)
    employees = read_employees(request.raw)
    if employees is not None:
        report.metrics["fairness"] = snapshot_audit(
            report.holdout, holdout_rows, employees, catalog, settings.seed
        )
        console.print(audit_summary(report.metrics["fairness"]))
    model.metadata["metrics"] = report.metrics
    _publish(request, model, report, name, console, holdout_rows)
    return report.metrics


def train_flat_cli(request: TrainRequest, console) -> dict:
    """Check the table, train a flat-table model, audit fairness by the catalog's protected columns,
    gate, register, publish. Without `--bands` the risk bands follow the table's own leaving rate."""
    from flightrisk.model.flat_checks import check_flat_table
    from flightrisk.model.flat_hazard_train import train_flat_survival
    from flightrisk.model.flat_train import train_flat

    settings = request.settings
    flat, table = read_flat(request.table, request.catalog, console.print)
    name = registered_name(request.name, flat=True, catalog_path=request.catalog)
    where = f"{request.catalog} against {request.table}"
    checks = check_flat_table(flat, table, request.group_by, settings.seed, where)
    for note in checks.notes:
        console.print(note)
    survival = flat.table.survival
    with counted_progress(
        console, FLAT_SETTINGS.cv_folds + 1, "Training (folds, then the final model)"
    ) as advance:
        model, report = (train_flat_survival if survival else train_flat)(
            flat,
            table,
            sha256_file(request.table),
            seed=settings.seed,
            groups=checks.groups,
            checks=checks.record(flat.table.strong_predictors),
            on_fold=advance,
            bands=settings.risk_bands if request.bands_given else None,
            lever_additive=settings.lever_additive,
        )
    metrics = report.metrics
    # Over the cross-validated predictions (for a survival table: the people whose outcome is known).
    metrics["intervals"] = metric_intervals(report.holdout, settings.seed)
    if flat.table.protected:
        metrics["fairness"] = flat_audit(model, table, report.holdout, flat.table.protected, settings.seed)
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
        console.print(audit_summary(metrics["fairness"]))
    _publish(request, model, report, name, console)
    return metrics


def _publish(request: TrainRequest, model, report, name: str, console, holdout_rows=None) -> None:
    """The gate, MLflow and the model folder, as the request asks (`commands/publish.py`)."""
    publish_trained(
        model,
        report,
        request.out_dir,
        request.register,
        name,
        console,
        holdout_rows,
        fairness_override=request.fairness_override,
    )


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
