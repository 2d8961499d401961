"""The numba TreeSHAP engine: equal to LightGBM's pred_contrib to 1e-9 on every row we can think of."""

import lightgbm as lgb
import numpy as np
import pytest

from flightrisk.model import treeshap
from flightrisk.model.treeshap import ShapEngine, adversarial_rows, build_tables, shap_values

TOLERANCE = 1e-9


def _max_difference(booster, x):
    tables = build_tables(booster)
    return np.abs(shap_values(tables, booster, x, threads=1) - booster.predict(x, pred_contrib=True)).max()


@pytest.fixture(scope="module")
def latest_x(model_world):
    features = model_world["features"]
    latest = features[features["snapshot_date"] == features["snapshot_date"].max()]
    return model_world["model"].encode(latest)


def test_exact_on_the_trained_model_and_adversarial_rows(model_world, latest_x):
    booster = model_world["model"].booster
    assert _max_difference(booster, latest_x) <= TOLERANCE
    assert _max_difference(booster, adversarial_rows(latest_x, booster)) <= TOLERANCE


def test_exact_on_every_level_of_every_categorical_feature(model_world, latest_x):
    booster = model_world["model"].booster
    categorical = [i for i, f in enumerate(model_world["model"].catalog.features) if f.type == "categorical"]
    rows = []
    for j in categorical:
        for level in [np.nan, -1.0, -0.5, *range(0, 70)]:  # unseen codes, past the bitset, negatives
            row = latest_x[len(rows) % len(latest_x)].copy()
            row[j] = level
            rows.append(row)
    assert _max_difference(booster, np.array(rows)) <= TOLERANCE


@pytest.mark.parametrize("zero_as_missing", [False, True])
def test_exact_with_missing_values_zeros_and_categories_in_training(zero_as_missing):
    """Trees whose splits send missing values (NaN, or zeros) either way, with categorical splits."""
    rng = np.random.default_rng(1)
    n = 3000
    x = rng.normal(size=(n, 5))
    x[:, 3] = rng.integers(0, 12, size=n)  # categorical
    x[rng.random((n, 5)) < 0.2] = np.nan
    x[rng.random((n, 5)) < 0.1] = 0.0
    logit = (
        np.nan_to_num(x[:, 0]) - np.isnan(x[:, 1]) + (np.nan_to_num(x[:, 3]) % 3 == 0) + 0.5 * (x[:, 4] == 0)
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    params = {"objective": "binary", "verbose": -1, "num_leaves": 31, "min_data_in_leaf": 5, "seed": 0}
    params |= {"zero_as_missing": zero_as_missing, "max_cat_to_onehot": 1, "num_threads": 1}
    data = lgb.Dataset(x, y, categorical_feature=[3])
    booster = lgb.train(params, data, num_boost_round=40)
    test = np.vstack([x[:300], adversarial_rows(x[:300], booster)])
    assert _max_difference(booster, test) <= TOLERANCE


def test_trees_too_deep_to_tabulate_fall_back_and_stay_exact(model_world, latest_x, monkeypatch):
    monkeypatch.setattr(treeshap, "MAX_PATH_FEATURES", 2)
    booster = model_world["model"].booster
    tables = build_tables(booster)
    assert tables.fallback_trees  # some trees now go through pred_contrib
    values = shap_values(tables, booster, latest_x[:200], threads=1)
    assert np.abs(values - booster.predict(latest_x[:200], pred_contrib=True)).max() <= TOLERANCE


def test_a_wrong_engine_is_caught_on_first_use_and_not_used(model_world, latest_x, monkeypatch):
    booster = model_world["model"].booster
    real = treeshap.build_tables

    def broken(b):
        tables = real(b)
        tables.tables = tables.tables * (1 + 1e-6)
        return tables

    monkeypatch.setattr(treeshap, "build_tables", broken)
    engine = ShapEngine(booster, threads=1)
    values = engine.contributions(latest_x)
    assert engine.verified is False and "failed" in engine.name
    np.testing.assert_array_equal(values, booster.predict(latest_x, pred_contrib=True))


def test_the_model_explains_with_the_engine_and_says_so(model_world, latest_x):
    import dataclasses

    model = dataclasses.replace(model_world["model"], _shap=None)
    assert model.explanation_engine == "not used yet"
    features = model_world["features"]
    rows = features[features["snapshot_date"] == features["snapshot_date"].max()]
    contributions = model.margin_contributions(rows)
    assert model.explanation_engine.startswith("numba treeshap")
    reference = model.booster.predict(latest_x, pred_contrib=True)
    assert np.abs(contributions - reference).max() <= TOLERANCE
