"""The model directory: a LightGBM text model, JSON and YAML — nothing that needs unpickling.

model.txt            the production booster (refit on every labelled row)
holdout_model.txt    the booster trained before the holdout (for honest evaluation)
calibration.json     Platt parameters of both
catalog.yaml         the feature catalog the model was trained with
profile.json         what the training data looked like: ranges, categories, PSI bins, risk quantiles
metadata.json        window, horizon, settings, versions, metrics, and the SHA-256 of every file above
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog, catalog_from_dict
from flightrisk.io import atomic_path, sha256_file, write_json, write_text
from flightrisk.model.calibration import PlattCalibration
from flightrisk.model.linear import LinearPart

ARTIFACT_FILES = (
    "model.txt",
    "holdout_model.txt",
    "calibration.json",
    "catalog.yaml",
    "profile.json",
    "linear.json",
)


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
        tree = self.booster.predict(self.encode(frame), pred_contrib=True)
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


def save_model(model: FlightRiskModel, out_dir: Path) -> None:
    """Write the model directory; metadata.json (with the files' hashes) is written last."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_dir / "model.txt") as tmp:
        model.booster.save_model(str(tmp))
    if model.holdout_booster is not None:
        with atomic_path(out_dir / "holdout_model.txt") as tmp:
            model.holdout_booster.save_model(str(tmp))
    calibration = {"final": model.calibration.to_dict()}
    if model.holdout_calibration is not None:
        calibration["holdout"] = model.holdout_calibration.to_dict()
    write_json(calibration, out_dir / "calibration.json")
    write_text(model.catalog.to_yaml(), out_dir / "catalog.yaml")
    write_json(model.profile, out_dir / "profile.json")
    if model.linear is not None:
        write_json({"weight": model.linear_weight, **model.linear.to_dict()}, out_dir / "linear.json")
    hashes = {name: sha256_file(out_dir / name) for name in ARTIFACT_FILES if (out_dir / name).is_file()}
    write_json({**model.metadata, "files_sha256": hashes}, out_dir / "metadata.json")


def verify_files(model_dir: Path, metadata: dict) -> None:
    """Stop if any file differs from the SHA-256 recorded when the model was saved."""
    recorded = metadata.get("files_sha256") or {}
    if not recorded:
        raise InputError(f"{model_dir}: metadata.json records no file hashes; retrain the model")
    changed = [name for name, digest in recorded.items() if sha256_file(Path(model_dir) / name) != digest]
    if changed:
        raise InputError(
            f"{model_dir}: {changed} differ from the SHA-256 recorded at training; the model was altered "
            "or copied incompletely — restore it or retrain"
        )


def load_model(model_dir: Path, verify: bool = True) -> FlightRiskModel:
    """Load a model directory without unpickling anything, checking its files' hashes first."""
    model_dir = Path(model_dir)
    meta_path = model_dir / "metadata.json"
    if not meta_path.is_file():
        raise InputError(
            f"{model_dir}: not a flightrisk model directory (no metadata.json); run `flightrisk train`"
        )
    metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    if verify:
        verify_files(model_dir, metadata)
    import yaml

    catalog = catalog_from_dict(
        yaml.safe_load((model_dir / "catalog.yaml").read_text(encoding="utf-8")),
        str(model_dir / "catalog.yaml"),
    )
    calibration = json.loads((model_dir / "calibration.json").read_text(encoding="utf-8"))
    holdout_path = model_dir / "holdout_model.txt"
    linear_path = model_dir / "linear.json"
    linear = json.loads(linear_path.read_text(encoding="utf-8")) if linear_path.is_file() else None
    return FlightRiskModel(
        booster=lgb.Booster(model_file=str(model_dir / "model.txt")),
        calibration=PlattCalibration.from_dict(calibration["final"]),
        catalog=catalog,
        profile=json.loads((model_dir / "profile.json").read_text(encoding="utf-8")),
        metadata=metadata,
        holdout_booster=lgb.Booster(model_file=str(holdout_path)) if holdout_path.is_file() else None,
        holdout_calibration=PlattCalibration.from_dict(calibration["holdout"])
        if "holdout" in calibration
        else None,
        linear=LinearPart.from_dict(linear) if linear else None,
        linear_weight=float(linear["weight"]) if linear else 0.0,
    )
