"""The model directory: a LightGBM text model, JSON and YAML — nothing that needs unpickling.

model.txt            the production booster (refit on every labelled row)
holdout_model.txt    the booster trained before the holdout (for honest evaluation)
calibration.json     Platt parameters of both
catalog.yaml         the feature catalog the model was trained with
profile.json         what the training data looked like: ranges, categories, PSI bins, risk quantiles
linear.json          the logistic part of a blended model (flat tables only)
response.json        the what-ifs' sign-constrained logistic response model (snapshot models)
response_model.txt   the what-ifs' lever-additive response booster, LightGBM text (snapshot models)
response_monthly.txt the same on next-month exits (a Poisson hazard), LightGBM text (snapshot models)
metadata.json        window, horizon, settings, versions, metrics, the SHA-256 of every other file
                     in the folder, and (with FLIGHTRISK_SIGNING_KEY) an HMAC signature

The folder is written as a whole (staged beside it, then renamed) and loaded only after every
file in it has been checked (`flightrisk.model.integrity`). `MODEL_KINDS` is the one place that
reads which kind of model (`model.risk_model`) a folder holds.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import lightgbm as lgb

from flightrisk.errors import InputError
from flightrisk.features.catalog import catalog_from_dict
from flightrisk.io import (
    read_yaml,
    remove_stale_temporaries,
    restore_interrupted_swap,
    sha256_file,
    staged_folder,
    swap_folder,
    write_json,
    write_text,
)
from flightrisk.model.calibration import PlattCalibration
from flightrisk.model.integrity import (
    METADATA,
    check_lightgbm_text,
    read_metadata,
    sign_metadata,
    verify_directory,
)
from flightrisk.model.linear import LinearPart
from flightrisk.model.risk_model import FlatHazardModel, FlatModel, HazardModel, RiskModel, SnapshotModel


def _write_files(model: RiskModel, folder: Path) -> None:
    model.booster.save_model(str(folder / "model.txt"))
    calibration = {"final": model.calibration.to_dict()}
    write_text(model.catalog.to_yaml(), folder / "catalog.yaml")
    write_json(model.profile, folder / "profile.json")
    MODEL_KINDS[model.kind].write_parts(model, folder, calibration)
    write_json(calibration, folder / "calibration.json")


def stage_model(model: RiskModel, out_dir: Path, documents=None) -> Path:
    """Write the whole model into a hidden staging folder beside `out_dir`; returns the model folder.

    metadata.json lists the SHA-256 of every other file (and is signed when a key is set). The
    staged folder carries `out_dir`'s name, so MLflow logs it under that name. `documents`, when
    given, turns the model's record (its metadata with the model files' hashes) into texts by file
    name — the model card and its companions — written beside the model files and hashed with them.
    """
    out_dir = Path(out_dir)
    with staged_folder(out_dir, "staging-") as root:
        folder = root / out_dir.name
        folder.mkdir()
        _write_files(model, folder)
        hashes = {p.name: sha256_file(p) for p in sorted(folder.iterdir())}
        if documents is not None:
            record = {**model.metadata, "kind": model.kind, "files_sha256": hashes}
            for name, text in documents(record).items():
                write_text(text, folder / name)
            hashes = {p.name: sha256_file(p) for p in sorted(folder.iterdir())}
        metadata = {**model.metadata, "kind": model.kind, "files_sha256": hashes}
        write_json(sign_metadata(metadata), folder / METADATA)
    return folder


def discard_staged(staged: Path) -> None:
    """Remove a staged model that will not be published."""
    shutil.rmtree(Path(staged).parent, ignore_errors=True)


def publish_model(staged: Path, out_dir: Path) -> None:
    """Move a staged model into `out_dir`, replacing the old one only once the new one is complete."""
    swap_folder(staged, out_dir)
    discard_staged(staged)


def save_model(model: RiskModel, out_dir: Path) -> None:
    """Write the model directory as a whole: staged beside it, then renamed into place."""
    remove_stale_temporaries(out_dir)
    publish_model(stage_model(model, out_dir), out_dir)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); restore the model or retrain") from exc


def _booster(path: Path, n_features: int) -> lgb.Booster:
    check_lightgbm_text(path, n_features)
    try:
        booster = lgb.Booster(model_file=str(path))
    except lgb.basic.LightGBMError as exc:
        raise InputError(f"{path}: LightGBM cannot read this model ({exc}); retrain the model") from exc
    if booster.num_feature() != n_features:
        raise InputError(
            f"{path}: the model reads {booster.num_feature()} features, the catalog lists {n_features}"
        )
    return booster


def _write_snapshot_parts(model: SnapshotModel, folder: Path, calibration: dict) -> None:
    if model.holdout_booster is not None:
        model.holdout_booster.save_model(str(folder / "holdout_model.txt"))
        calibration["holdout"] = model.holdout_calibration.to_dict()
    if model.response is not None:
        write_json(model.response.to_dict(), folder / "response.json")
    if model.response_booster is not None:
        model.response_booster.save_model(str(folder / "response_model.txt"))
    if model.response_monthly is not None:
        model.response_monthly.save_model(str(folder / "response_monthly.txt"))


def _write_flat_parts(model: FlatModel, folder: Path, calibration: dict) -> None:
    if model.linear is not None:
        write_json({"weight": model.linear_weight, **model.linear.to_dict()}, folder / "linear.json")


def _read_snapshot_parts(model_dir: Path, listed: dict, calibration: dict, n_features: int) -> dict:
    parts = {}
    if "holdout_model.txt" in listed:
        parts["holdout_booster"] = _booster(model_dir / "holdout_model.txt", n_features)
        parts["holdout_calibration"] = PlattCalibration.from_dict(calibration["holdout"])
    if "response.json" in listed:
        parts["response"] = LinearPart.from_dict(_read_json(model_dir / "response.json"))
    if "response_model.txt" in listed:
        parts["response_booster"] = _booster(model_dir / "response_model.txt", n_features)
    if "response_monthly.txt" in listed:
        parts["response_monthly"] = _booster(model_dir / "response_monthly.txt", n_features)
    return parts


def _read_flat_parts(model_dir: Path, listed: dict, calibration: dict, n_features: int) -> dict:
    if "linear.json" not in listed:
        return {}
    linear = _read_json(model_dir / "linear.json")
    return {"linear": LinearPart.from_dict(linear), "linear_weight": float(linear["weight"])}


@dataclasses.dataclass(frozen=True)
class ModelKind:
    """A kind of model: its class, and how the files only it has are written and read."""

    model_class: type[RiskModel]
    write_parts: Callable[[RiskModel, Path, dict], None]
    read_parts: Callable[[Path, dict, dict, int], dict]


# The one place a model directory's kind is read.
MODEL_KINDS = {
    SnapshotModel.kind: ModelKind(SnapshotModel, _write_snapshot_parts, _read_snapshot_parts),
    HazardModel.kind: ModelKind(HazardModel, _write_snapshot_parts, _read_snapshot_parts),
    FlatModel.kind: ModelKind(FlatModel, _write_flat_parts, _read_flat_parts),
    FlatHazardModel.kind: ModelKind(FlatHazardModel, _write_flat_parts, _read_flat_parts),
}


def load_model(model_dir: Path) -> RiskModel:
    """Load a model directory without unpickling anything, after checking every file in it."""
    model_dir = Path(model_dir)
    restore_interrupted_swap(model_dir)
    metadata = read_metadata(model_dir)
    verify_directory(model_dir, metadata)
    listed = metadata["files_sha256"]
    kind = metadata.get("kind")
    if kind not in MODEL_KINDS:
        raise InputError(
            f"{model_dir}: unknown model kind {kind!r} (known: {sorted(MODEL_KINDS)}); "
            "retrain the model with this version of flightrisk"
        )
    model_kind = MODEL_KINDS[kind]
    try:
        catalog = catalog_from_dict(read_yaml(model_dir / "catalog.yaml"), str(model_dir / "catalog.yaml"))
        calibration = _read_json(model_dir / "calibration.json")
        n = len(catalog.features)
        return model_kind.model_class(
            booster=_booster(model_dir / "model.txt", n),
            calibration=PlattCalibration.from_dict(calibration["final"]),
            catalog=catalog,
            profile=_read_json(model_dir / "profile.json"),
            metadata=metadata,
            **model_kind.read_parts(model_dir, listed, calibration, n),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{model_dir}: a model file lacks an expected entry ({exc}); retrain the model"
        ) from exc
