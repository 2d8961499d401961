"""Everything MLflow: runs, artifacts, the registry, and the `champion` alias, moved only when the
promotion gate (decided in `model.gate`) passed.

mlflow is imported inside these functions, and at module level only by `score/pyfunc.py`, which
MLflow itself loads: the rest of the package stays usable without it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import flightrisk
from flightrisk.config import quiet_mlflow, tracking_location
from flightrisk.errors import InputError
from flightrisk.model.gate import passes_baseline

REGISTERED_MODEL = "flightrisk"
CHAMPION_ALIAS = "champion"
EXPERIMENT = "flightrisk"


def registered_name(name: str | None, flat: bool, catalog_path: Path | None = None) -> str:
    """The MLflow name a model registers under: `flightrisk` for the HR extract, its own for a table."""
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


def _mlflow():
    # Batch jobs and CI read these logs: no progress bars, no chatter below warnings.
    quiet_mlflow()
    import logging

    import mlflow

    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.ERROR)

    mlflow.set_tracking_uri(tracking_location()[0])
    return mlflow


def _experiment_id(mlflow, name: str) -> str:
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    return mlflow.create_experiment(name, artifact_location=tracking_location()[1])


def metric_name(key: str) -> str:
    """A key as MLflow accepts it: letters, digits, _ - . space : / (a group named "50+" becomes "50_")."""
    return re.sub(r"[^A-Za-z0-9_\-. :/]", "_", str(key))


def _flat_metrics(metrics: dict, prefix: str = "") -> dict[str, float]:
    flat = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            flat.update(_flat_metrics(value, f"{prefix}{metric_name(key)}."))
        elif isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            flat[f"{prefix}{metric_name(key)}"] = float(value)
    return flat


def log_training_run(
    model_dir: Path,
    params: dict,
    metrics: dict,
    extra_artifacts: dict[str, Path],
    run_name: str = "train",
    name: str = REGISTERED_MODEL,
    gate: tuple[bool, str] | None = None,
) -> dict:
    """Log a run, log the model directory as a pyfunc model, register it as `name`, apply the gate.

    `gate` is the decision made by the caller (baseline and champion); without one, only the
    baseline rule applies. `model_dir` must hold only the model's own files: all of it is uploaded.
    """
    mlflow = _mlflow()
    from mlflow import MlflowClient

    model_dir = Path(model_dir).resolve()
    with mlflow.start_run(experiment_id=_experiment_id(mlflow, EXPERIMENT), run_name=run_name) as run:
        mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
        mlflow.log_metrics(_flat_metrics(metrics))
        for folder, path in extra_artifacts.items():
            mlflow.log_artifact(str(path), artifact_path=folder)
        info = log_pyfunc_model(mlflow, model_dir)
        run_id = run.info.run_id
    client = MlflowClient()
    version = mlflow.register_model(info.model_uri, name)
    promoted, reason = gate if gate is not None else passes_baseline(metrics)
    client.set_model_version_tag(name, version.version, "gate", reason[:5000])  # MLflow's tag limit
    client.set_model_version_tag(name, version.version, "passed_gate", str(promoted).lower())
    if promoted:
        client.set_registered_model_alias(name, CHAMPION_ALIAS, version.version)
    return {"run_id": run_id, "version": str(version.version), "promoted": promoted, "gate": reason}


def load_champion(name: str):
    """The model behind `models:/<name>@champion`, loaded (no copy left behind), or None when there is none."""
    _mlflow()
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from flightrisk.model.artifact import load_model

    try:
        MlflowClient().get_model_version_by_alias(name, CHAMPION_ALIAS)
    except MlflowException:
        return None
    with registered_model_dir(f"models:/{name}@{CHAMPION_ALIAS}") as folder:
        return load_model(folder)


def log_pyfunc_model(mlflow, model_dir: Path):
    """Models-from-code: MLflow stores our loader script and the model files, never a pickle."""
    package_dir = Path(flightrisk.__file__).resolve().parent
    loader = package_dir / "score" / "pyfunc.py"
    return mlflow.pyfunc.log_model(
        name="model",
        python_model=str(loader),
        artifacts={"model_dir": str(model_dir)},
        code_paths=[str(package_dir)],
        pip_requirements=_requirements(),
    )


def _requirements() -> list[str]:
    import importlib.metadata as md

    names = ("pandas", "numpy", "pyarrow", "scikit-learn", "lightgbm", "shap", "pyyaml", "jinja2", "mlflow")
    reqs = []
    for name in names:
        try:
            reqs.append(f"{name}=={md.version(name)}")
        except md.PackageNotFoundError:
            continue
    return reqs


@contextlib.contextmanager
def registered_model_dir(uri: str) -> Iterator[Path]:
    """The model directory behind `models:/flightrisk@champion` (or any model URI), downloaded to a
    temporary folder that is removed when the block ends (a monthly job must not leave a copy per run)."""
    mlflow = _mlflow()
    target = Path(tempfile.mkdtemp(prefix="flightrisk-model-"))
    try:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(target)))
        found = [p.parent for p in local.rglob("metadata.json") if (p.parent / "model.txt").is_file()]
        if len(found) > 1:
            raise FileNotFoundError(f"{uri} holds {len(found)} model directories; expected one")
        if not found:
            raise FileNotFoundError(f"{uri} holds no flightrisk model directory")
        yield found[0]
    finally:
        shutil.rmtree(target, ignore_errors=True)
