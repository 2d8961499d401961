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

ARTIFACT_FILES = ("model.txt", "holdout_model.txt", "calibration.json", "catalog.yaml", "profile.json")


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
        return booster.predict(self.encode(frame), raw_score=True)

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
    )
