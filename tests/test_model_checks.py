"""The model contract's checks (`model/checks.py`) pass on the snapshot classifier and catch a broken
model; the other kinds run them in their own test modules (test_hazard, test_flat, test_flat_survival)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from flightrisk.model.checks import check_risk_model


@pytest.fixture(scope="module")
def latest(model_world):
    return model_world["features"].groupby("employee_id").tail(1).head(200).reset_index(drop=True)


def test_the_snapshot_classifier_passes_the_model_checks(model_world, latest, tmp_path):
    assert len(check_risk_model(model_world["model"], latest, tmp_path)) == 6


def _variant(model, **methods):
    """The same trained model whose class answers some questions differently (a broken kind)."""
    broken = type("Broken", (type(model),), {"kind": model.kind, **methods})
    return broken(**{f.name: getattr(model, f.name) for f in dataclasses.fields(model)})


def test_the_checks_catch_contributions_that_miss_the_margin(model_world, latest, tmp_path):
    model = model_world["model"]

    def margin_contributions(self, frame):
        values = type(model).margin_contributions(self, frame)
        values[:, 0] += 0.1  # an engine that drifted from the booster
        return values

    with pytest.raises(AssertionError, match="check_contributions_add_up_to_the_margin"):
        check_risk_model(_variant(model, margin_contributions=margin_contributions), latest, tmp_path)


def test_the_checks_catch_a_risk_that_reads_the_id(model_world, latest, tmp_path):
    model = model_world["model"]

    def risk(self, frame):
        base = type(model).risk(self, frame)
        return np.where(frame["employee_id"].astype(str).str.endswith("7"), base * 0.5, base)

    with pytest.raises(AssertionError, match="check_row_order_and_ids_do_not_change_a_risk"):
        check_risk_model(_variant(model, risk=risk), latest, tmp_path)
