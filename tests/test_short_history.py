"""A short history (24 months): the classifier cannot be trained honestly, so `train` fits the hazard
model alone; its baselines are then monthly hazards, and nothing learns from the holdout's months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flightrisk.features.snapshots import NEXT_MONTH_LABEL
from flightrisk.model.artifact import load_model
from flightrisk.model.hazard_train import train_hazard
from tests.conftest import MODEL_SETTINGS


@pytest.fixture(scope="module")
def short_history(model_world, tmp_path_factory):
    """The model world cut to its first 24 months: 12 labelled snapshot months."""
    from flightrisk.features import build_snapshot_features, load_catalog
    from flightrisk.features.build import cut_at

    tables = cut_at(model_world["tables"], pd.Timestamp("2024-12-31"))
    features = build_snapshot_features(tables, load_catalog())
    path = tmp_path_factory.mktemp("short") / "features.parquet"
    features.to_parquet(path, index=False)
    return features, path


def test_a_24_month_extract_trains_the_hazard_model_alone(short_history, tmp_path, without_causal_layer):
    from flightrisk.commands.train import TrainRequest, train_cli
    from flightrisk.errors import InputError

    features, path = short_history
    assert features.loc[features["label"].notna(), "snapshot_date"].nunique() == 12

    class Console:
        said = []

        def print(self, text):
            self.said.append(text)

    train_cli(TrainRequest(tmp_path / "m", MODEL_SETTINGS, features_file=path, register=False), Console())
    model = load_model(tmp_path / "m")
    metrics = model.metadata["metrics"]
    assert model.kind == "hazard" and metrics["model_comparison"]["classifier"] is None
    assert "the classifier needs 18" in metrics["model_comparison"]["why"]
    assert any("training the hazard model alone" in said for said in Console.said)
    # No 12-month outcome was known before the holdout: the baselines are monthly hazards.
    assert "monthly hazards" in metrics["baselines_learned"]
    assert metrics["roc_auc"] > metrics["baselines"]["prior"]["roc_auc"]
    assert set(metrics["survival"]["horizons"]) == {"3", "6", "12"}
    with pytest.raises(InputError, match="training needs at least 18"):
        train_cli(
            TrainRequest(
                tmp_path / "c", MODEL_SETTINGS, features_file=path, register=False, kind="classifier"
            ),
            Console(),
        )


def test_with_a_short_history_nothing_learns_from_the_holdout_months(short_history):
    """Flip every next-month outcome from the holdout on: neither the hazard model's holdout risks nor
    its baselines (monthly hazards here) may move."""
    from flightrisk.features import load_catalog

    features, _ = short_history
    first, first_report = train_hazard(features, load_catalog(), MODEL_SETTINGS, "test")
    start = pd.Timestamp(first.metadata["holdout_window"][0])
    changed = features.copy()
    later = changed["snapshot_date"] >= start
    flipped = changed[NEXT_MONTH_LABEL].astype("Float64")
    changed[NEXT_MONTH_LABEL] = (1 - flipped).where(later, flipped).astype("Int64")
    second, second_report = train_hazard(changed, load_catalog(), MODEL_SETTINGS, "test")
    for column in ("risk", "risk_logistic_regression", "risk_tenure_role", "risk_prior"):
        np.testing.assert_array_equal(first_report.holdout[column], second_report.holdout[column])
