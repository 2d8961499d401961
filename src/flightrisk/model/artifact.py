"""The model directory: a LightGBM text model, JSON and YAML — nothing that needs unpickling.

model.txt            the production booster (refit on every labelled row)
holdout_model.txt    the booster trained before the holdout (for honest evaluation)
calibration.json     Platt parameters of both
catalog.yaml         the feature catalog the model was trained with
profile.json         what the training data looked like: ranges, categories, PSI bins, risk quantiles
linear.json          the logistic part of a blended model (flat tables only)
metadata.json        window, horizon, settings, versions, metrics, the SHA-256 of every other file
                     in the folder, and (with FLIGHTRISK_SIGNING_KEY) an HMAC signature

The folder is written as a whole (staged beside it, then renamed) and loaded only after every
file in it has been checked (`flightrisk.model.integrity`).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog, catalog_from_dict
from flightrisk.io import (
    read_yaml,
    remove_stale_temporaries,
    sha256_file,
    temporary_prefix,
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
from flightrisk.model.treeshap import ShapEngine


@dataclasses.dataclass
class FlightRiskModel:
    """A trained model: booster + calibration + catalog, and the facts needed to use it safely."""

    booster: lgb.Booster
    calibration: PlattCalibration
    catalog: Catalog
    profile: dict
    metadata: dict
    holdout_booster: lgb.Booster | None = None
    holdout_calibration: PlattCalibration | None = None
    linear: LinearPart | None = None  # blended in with weight `linear_weight` (flat tables)
    linear_weight: float = 0.0
    # The fast TreeSHAP engine's tables, built on first use (never saved: derived from the booster).
    _shap: ShapEngine | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def explanation_engine(self) -> str:
        """Which TreeSHAP engine explains this model's rows: the run record states it."""
        if self._shap is None:
            return "not used yet"
        return self._shap.name

    @property
    def feature_names(self) -> list[str]:
        return self.catalog.names

    @property
    def risk_bands(self) -> tuple[float, float]:
        low, high = self.metadata["risk_bands"]
        return float(low), float(high)

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        return encode_features(frame, self.catalog, self.profile["categories"])

    def margin(self, frame: pd.DataFrame, holdout: bool = False) -> np.ndarray:
        booster = self.holdout_booster if holdout else self.booster
        margin = booster.predict(self.encode(frame), raw_score=True)
        if self.linear is not None and not holdout:
            linear = self.linear.contributions(frame, self.catalog).sum(axis=1)
            margin = (1 - self.linear_weight) * margin + self.linear_weight * linear
        return margin

    def margin_contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Exact Shapley values of the margin: (rows, features + 1), the last column the base value.

        TreeSHAP for the booster (LightGBM's `pred_contrib`); for a blend, the same weights applied to
        the linear part's exact values, so the sum is still the margin.
        """
        if self._shap is None:
            self._shap = ShapEngine(self.booster)
        tree = self._shap.contributions(self.encode(frame))
        if self.linear is None:
            return tree
        return (1 - self.linear_weight) * tree + self.linear_weight * self.linear.contributions(
            frame, self.catalog
        )

    def risk(self, frame: pd.DataFrame, holdout: bool = False) -> np.ndarray:
        calibration = self.holdout_calibration if holdout else self.calibration
        return calibration.risk(self.margin(frame, holdout=holdout))


def encode_features(frame: pd.DataFrame, catalog: Catalog, categories: dict[str, list[str]]) -> np.ndarray:
    """Feature matrix in catalog order; categories become their training codes (unknown -> NaN)."""
    columns = []
    for spec in catalog.features:
        values = frame[spec.name]
        if spec.type == "categorical":
            lookup = {value: float(code) for code, value in enumerate(categories[spec.name])}
            columns.append(values.map(lookup).astype(float).to_numpy())
        else:
            columns.append(pd.to_numeric(values, errors="coerce").astype(float).to_numpy())
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def _write_files(model: FlightRiskModel, folder: Path) -> None:
    model.booster.save_model(str(folder / "model.txt"))
    if model.holdout_booster is not None:
        model.holdout_booster.save_model(str(folder / "holdout_model.txt"))
    calibration = {"final": model.calibration.to_dict()}
    if model.holdout_calibration is not None:
        calibration["holdout"] = model.holdout_calibration.to_dict()
    write_json(calibration, folder / "calibration.json")
    write_text(model.catalog.to_yaml(), folder / "catalog.yaml")
    write_json(model.profile, folder / "profile.json")
    if model.linear is not None:
        write_json({"weight": model.linear_weight, **model.linear.to_dict()}, folder / "linear.json")


def stage_model(model: FlightRiskModel, out_dir: Path) -> Path:
    """Write the whole model into a hidden staging folder beside `out_dir`; returns the model folder.

    metadata.json lists the SHA-256 of every other file (and is signed when a key is set). The
    staged folder carries `out_dir`'s name, so MLflow logs it under that name.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=temporary_prefix(out_dir) + "staging-", dir=out_dir.parent))
    folder = root / out_dir.name
    try:
        folder.mkdir()
        _write_files(model, folder)
        hashes = {p.name: sha256_file(p) for p in sorted(folder.iterdir())}
        write_json(sign_metadata({**model.metadata, "files_sha256": hashes}), folder / METADATA)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return folder


def discard_staged(staged: Path) -> None:
    """Remove a staged model that will not be published."""
    shutil.rmtree(Path(staged).parent, ignore_errors=True)


def publish_model(staged: Path, out_dir: Path) -> None:
    """Move a staged model into `out_dir`, replacing the old one only once the new one is complete."""
    out_dir = Path(out_dir)
    previous = out_dir.with_name(f".{out_dir.name}.previous")
    _restore_interrupted(out_dir)
    if previous.exists():
        shutil.rmtree(previous)
    if out_dir.exists():
        out_dir.rename(previous)
    Path(staged).rename(out_dir)  # between these two renames the old model sits in `.previous`
    shutil.rmtree(previous, ignore_errors=True)
    discard_staged(staged)


def _restore_interrupted(out_dir: Path) -> None:
    """A run killed between the two renames left the old model in `.previous`: put it back."""
    previous = out_dir.with_name(f".{out_dir.name}.previous")
    if not out_dir.exists() and previous.is_dir():
        previous.rename(out_dir)


def save_model(model: FlightRiskModel, out_dir: Path) -> None:
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


def load_model(model_dir: Path) -> FlightRiskModel:
    """Load a model directory without unpickling anything, after checking every file in it."""
    model_dir = Path(model_dir)
    _restore_interrupted(model_dir)
    metadata = read_metadata(model_dir)
    verify_directory(model_dir, metadata)
    listed = metadata["files_sha256"]
    try:
        catalog = catalog_from_dict(read_yaml(model_dir / "catalog.yaml"), str(model_dir / "catalog.yaml"))
        calibration = _read_json(model_dir / "calibration.json")
        linear = _read_json(model_dir / "linear.json") if "linear.json" in listed else None
        n = len(catalog.features)
        return FlightRiskModel(
            booster=_booster(model_dir / "model.txt", n),
            calibration=PlattCalibration.from_dict(calibration["final"]),
            catalog=catalog,
            profile=_read_json(model_dir / "profile.json"),
            metadata=metadata,
            holdout_booster=_booster(model_dir / "holdout_model.txt", n)
            if "holdout_model.txt" in listed
            else None,
            holdout_calibration=PlattCalibration.from_dict(calibration["holdout"])
            if "holdout" in calibration
            else None,
            linear=LinearPart.from_dict(linear) if linear else None,
            linear_weight=float(linear["weight"]) if linear else 0.0,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{model_dir}: a model file lacks an expected entry ({exc}); retrain the model"
        ) from exc
