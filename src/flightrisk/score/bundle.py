"""The bundle `score --explain` leaves beside a month's scores (`<scores>.explained/`): the month's
model rows and what the model said of them before any words (exact contributions, the rows outside
training, the what-ifs in numbers). `report` and `plan` read it instead of rebuilding the features
from the extract and running the model again; the report puts it into words in its own language.

A bundle speaks only for the scores it was written with: it records their SHA-256 and the model's
identity, and one that no longer matches is not read (the command says so and works as without it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from flightrisk.explain.contributions import Explanation
from flightrisk.explain.person import Computed
from flightrisk.io import json_text, sha256_file, staged_folder, swap_folder
from flightrisk.model.risk_model import RiskModel

SUFFIX = ".explained"
ACTION_COLUMNS = ["row", "action", "lever", "raise_pct", "risk_now", "risk_after", "change"]


def bundle_path(scores_path: Path) -> Path:
    """The bundle folder beside a scores file."""
    return Path(str(scores_path) + SUFFIX)


def model_identity(model: RiskModel) -> dict:
    """What names the model a bundle was computed with: its creation time and its booster's hash."""
    return {
        "created_utc": model.metadata.get("created_utc"),
        "model_sha256": (model.metadata.get("files_sha256") or {}).get("model.txt"),
    }


def write_bundle(model: RiskModel, rows: pd.DataFrame, computed: Computed, scores_path: Path) -> Path:
    """Write the bundle beside `scores_path` (written first) as a whole folder."""
    rows = rows.reset_index(drop=True)
    explanation = computed.explanation
    names = explanation.feature_names
    numbers = {"employee_id": rows["employee_id"].astype(str), "risk": explanation.risk}
    numbers["base_rate"] = explanation.base_rate
    for j, name in enumerate(names):
        numbers[f"points::{name}"] = explanation.feature_points[:, j]
        numbers[f"logit::{name}"] = explanation.feature_logit[:, j]
        numbers[f"outside::{name}"] = computed.outside_training[name].to_numpy(dtype=bool)
    actions = pd.DataFrame(
        [{"row": i, **item} for i, items in enumerate(computed.actions) for item in items],
        columns=ACTION_COLUMNS,
    )
    record = {
        "written_by": "flightrisk score --explain",
        "snapshot_date": str(pd.Timestamp(rows["snapshot_date"].max()).date()),
        "people": len(rows),
        "model": model_identity(model),
        "features": names,
        "scores_sha256": sha256_file(scores_path),
    }
    target = bundle_path(scores_path)
    with staged_folder(target) as staging:
        rows.to_parquet(staging / "rows.parquet", index=False)
        pd.DataFrame(numbers).to_parquet(staging / "computed.parquet", index=False)
        actions.to_parquet(staging / "actions.parquet", index=False)
        (staging / "bundle.json").write_text(json_text(record), encoding="utf-8")
        swap_folder(staging, target)
    return target


def remove_bundle(scores_path: Path) -> None:
    """A rewritten scores file without a bundle leaves none from an earlier run beside it."""
    target = bundle_path(scores_path)
    if target.is_dir():
        shutil.rmtree(target)


def read_bundle(model: RiskModel, scores_path: Path) -> tuple[pd.DataFrame, Computed] | str:
    """The bundle's rows and `Computed`, or why it cannot be used (a sentence for the console)."""
    folder = bundle_path(scores_path)
    if not (folder / "bundle.json").is_file():
        return f"no bundle beside {scores_path} (score with --explain and one month to write one)"
    try:
        record = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"{folder}: unreadable bundle.json ({exc})"
    if record.get("scores_sha256") != sha256_file(scores_path):
        return f"{folder} was written with other scores than {scores_path}"
    if record.get("model") != model_identity(model) or record.get("features") != model.feature_names:
        return f"{folder} was computed with another model"
    rows = pd.read_parquet(folder / "rows.parquet")
    numbers = pd.read_parquet(folder / "computed.parquet")
    actions = pd.read_parquet(folder / "actions.parquet")
    names = model.feature_names
    explanation = Explanation(
        risk=numbers["risk"].to_numpy(),
        base_rate=numbers["base_rate"].to_numpy(),
        feature_points=numbers[[f"points::{n}" for n in names]].to_numpy(),
        feature_logit=numbers[[f"logit::{n}" for n in names]].to_numpy(),
        feature_names=list(names),
        feature_levers=[spec.lever for spec in model.catalog.features],
    )
    outside = pd.DataFrame({n: numbers[f"outside::{n}"].to_numpy(dtype=bool) for n in names})
    per_row: list[list[dict]] = [[] for _ in range(len(rows))]
    for item in actions.to_dict("records"):
        row = int(item.pop("row"))
        raise_pct = item["raise_pct"]
        item["raise_pct"] = None if raise_pct is None or np.isnan(raise_pct) else float(raise_pct)
        per_row[row].append(item)
    for items in per_row:
        items.sort(key=lambda item: item["change"])
    return rows, Computed(explanation, outside, per_row)
