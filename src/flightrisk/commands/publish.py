"""The end of every `train`: the gate against the current champion, MLflow, and the model folder
replaced only by a candidate that passes (a rejected one kept beside it for inspection)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flightrisk import tracking
from flightrisk.errors import InputError
from flightrisk.io import remove_stale_temporaries, write_json
from flightrisk.model.artifact import discard_staged, load_model, publish_model, stage_model
from flightrisk.model.gate import champion_roc_auc, decide, passes_fairness
from flightrisk.report.charts import calibration_png, importance_png
from flightrisk.report.instructions import instruction_documents
from flightrisk.report.model_card import card_documents


def current_champion(out_dir: Path, register: bool, name: str, say):
    """The model that the candidate must not be worse than: the registry's champion, else `--out`."""
    source = f"models:/{name}@champion" if register else None
    try:
        if register:
            champion = tracking.load_champion(name)
            if champion is not None:
                return champion
        source = Path(out_dir)
        return load_model(source) if (source / "metadata.json").is_file() else None
    except InputError as exc:
        say(f"The current model in {source} cannot be loaded, so it is not compared: {exc}")
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
    out_dir = Path(out_dir)
    champion = current_champion(out_dir, register, name, console.print)
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


def model_documents(record: dict, catalog) -> dict[str, str]:
    """The model card, the instructions for use and the DPIA template (en/sv) from the model's record."""
    return {**card_documents(record, catalog), **instruction_documents(record, catalog)}


def log_to_mlflow(model_dir: Path, model, report, name: str, gate: tuple[bool, str]) -> dict:
    """Log the run and register the staged model folder (only the files training wrote)."""
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
