"""The what-ifs' response models: directions kept, levers kept apart, and the truth's noise not counted."""

import dataclasses

import numpy as np
import pandas as pd

from flightrisk.features.catalog import load_catalog
from flightrisk.model.clocks import ClockRestarts, calendar_months_of
from flightrisk.model.linear import fit_linear
from flightrisk.truth.evaluate import whatif_fidelity


def _random_features(catalog, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    frame = {}
    for spec in catalog.features:
        if spec.type == "numeric":
            frame[spec.name] = rng.normal(size=rows)
        else:
            frame[spec.name] = rng.choice(["a", "b", "c"], size=rows)
    return pd.DataFrame(frame)


def test_the_logistic_response_keeps_each_features_catalog_direction():
    """Recognitions that travel with leaving (top performers are recognised more and leave more) would
    say recognising someone raises their risk; bound to its direction, the coefficient reads nothing.
    A feature whose association has the catalog's sign keeps it, and an undirected one is free."""
    catalog = load_catalog()
    assert catalog.feature("recognitions_12m").monotone == -1
    assert catalog.feature("months_since_recognition").monotone == 1
    assert catalog.feature("quota_attainment_6m").monotone == 0
    rng = np.random.default_rng(3)
    frame = _random_features(catalog, 6000, rng)
    margin = (
        -1.5
        + 0.8 * frame["recognitions_12m"]
        + 0.6 * frame["months_since_recognition"]
        - 0.7 * frame["quota_attainment_6m"]
    )
    y = (rng.random(len(frame)) < 1 / (1 + np.exp(-margin))).astype(int)
    free = fit_linear(frame, y, catalog, 0.3)
    bound = fit_linear(frame, y, catalog, 0.3, monotone=True)
    assert free.numeric["recognitions_12m"]["coef"] > 0.5
    assert bound.numeric["recognitions_12m"]["coef"] == 0.0
    assert bound.numeric["months_since_recognition"]["coef"] > 0.4
    assert bound.numeric["quota_attainment_6m"]["coef"] < -0.4
    for spec in catalog.features:
        if spec.type == "numeric" and spec.monotone:
            assert spec.monotone * bound.numeric[spec.name]["coef"] >= 0, spec.name
    # With the association in the catalog's direction, the bound does not bind on that feature: its
    # coefficient is the ordinary fit's (within 2 %: pure-noise features elsewhere are held at 0).
    flipped = frame.assign(recognitions_12m=-frame["recognitions_12m"])
    bounded = fit_linear(flipped, y, catalog, 0.3, monotone=True).numeric["recognitions_12m"]["coef"]
    ordinary = fit_linear(flipped, y, catalog, 0.3).numeric["recognitions_12m"]["coef"]
    assert bounded < -0.5 and abs(bounded - ordinary) < 0.02 * abs(ordinary)


def test_every_path_of_the_additive_responses_reads_one_lever(model_world):
    """So a lever's effect is its own sum of terms: no leaf borrows it through another lever's features.
    LightGBM keeps interaction constraints along each branch, so two branches of one tree that first
    split on the context may read different levers; each path from the root to a leaf reads one."""
    model = model_world["model"]
    lever_of = model.catalog.lever_of()
    names = model.feature_names

    def path_levers(node, above: frozenset) -> list[frozenset]:
        if "split_feature" not in node:
            return [above]
        here = above | {lever_of[names[node["split_feature"]]]} - {"context"}
        return path_levers(node["left_child"], here) + path_levers(node["right_child"], here)

    for booster in (model.response_booster, model.response_monthly):
        trees = booster.dump_model()["tree_info"]
        assert len(trees) > 50
        levers_read = set()
        for tree in trees:
            for levers in path_levers(tree["tree_structure"], frozenset()):
                assert len(levers) <= 1
                levers_read |= levers
        assert len(levers_read) >= 4  # most levers earn leaves of their own


def test_the_monthly_booster_is_read_over_the_horizon(model_world):
    """The monthly booster (saved as response_monthly.txt, read back) learned next-month exits: carried
    over the horizon with the features aged month by month, it gives a probability within the horizon,
    which the response reading holds beside the 12-month booster's."""
    from flightrisk.model.response import monthly_risk

    model, features = model_world["model"], model_world["features"]
    assert (model_world["model_dir"] / "response_monthly.txt").exists()
    assert model.response_monthly.params.get("objective", "poisson") == "poisson"
    rows = features[features["snapshot_date"] == features["snapshot_date"].max()].head(200)
    x = model.encode(rows)
    monthly = monthly_risk(model.response_monthly, x, model.catalog, 12)
    assert ((monthly > 0) & (monthly < 1)).all()
    # A horizon of one month is the hazard itself: 1 − exp(−h).
    one = monthly_risk(model.response_monthly, x, model.catalog, 1)
    np.testing.assert_allclose(one, 1 - np.exp(-model.response_monthly.predict(x)), rtol=1e-9)
    assert (monthly > one).all()
    # The model's own reading lets its clocks restart as often as the panel showed (model/clocks.py).
    restarts = ClockRestarts.from_dict(model.metadata["clock_restarts"])
    months = calendar_months_of(rows)
    restarting = monthly_risk(model.response_monthly, x, model.catalog, 12, restarts, months)
    assert not np.allclose(restarting, monthly)
    booster, horizon = model.booster_response_risk(rows)
    np.testing.assert_allclose(booster, model.response_booster.predict(x), rtol=1e-12)
    np.testing.assert_allclose(horizon, restarting, rtol=1e-12)
    reading = model.response_reading(rows)
    np.testing.assert_allclose(reading.booster, booster, rtol=1e-12)
    np.testing.assert_allclose(reading.monthly, restarting, rtol=1e-12)
    np.testing.assert_array_equal(reading.calendar_months, months)


def test_training_measures_how_often_each_clock_restarts(model_world):
    """The simulator's salary review is in April: the raise clock restarts going into April and
    hardly ever otherwise; tenure never restarts, so it is not among the clocks."""
    from flightrisk.synth.simulate import REVIEW_MONTH

    restarts = ClockRestarts.from_dict(model_world["model"].metadata["clock_restarts"])
    assert "tenure_months" not in restarts.rates
    raise_rates = restarts.rates["months_since_last_raise"]
    assert raise_rates[REVIEW_MONTH - 1].mean() > 0.5
    assert np.delete(raise_rates, REVIEW_MONTH - 1, axis=0).max() < 0.1
    assert 0.1 < restarts.rates["months_since_check_in"].mean() < 0.9


def test_a_one_to_one_kept_up_reads_at_least_what_a_single_one_does(model_world):
    """`regular_one_on_ones` holds the months since a check-in at 0 every month ahead (catalog
    `hold`). The monthly booster reads that clock as raising the hazard (monotone), so a kept-up 1:1
    lowers the risk at least as much as one that then ages, and more for some people."""
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import estimate_effect

    model, features = model_world["model"], model_world["features"]
    rows = features[features["snapshot_date"] == features["snapshot_date"].max()].reset_index(drop=True)
    (kept,) = [a for a in model.catalog.actions if a.name == "regular_one_on_ones"]
    assert ("months_since_check_in", "hold", 0.0) in kept.changes
    once = dataclasses.replace(
        kept, changes=tuple((f, "set" if k == "hold" else k, v) for f, k, v in kept.changes)
    )
    now = model.risk(rows)
    points = explain_rows(model, rows).feature_points
    held, where = estimate_effect(model, rows, points, kept, now)
    single, where_single = estimate_effect(model, rows, points, once, now)
    assert np.array_equal(where, where_single) and where.sum() >= 5
    assert (held[where] <= single[where] + 1e-12).all()
    assert (held[where] < single[where] - 1e-6).any()


def test_a_hazard_model_reads_its_monthly_booster_over_the_horizon_not_its_own_month(model_world):
    """A hazard model's own outcome is the next month; its what-ifs still speak of the horizon. The
    same boosters in a hazard model read the same monthly probability as in a snapshot model."""
    from flightrisk.model.risk_model import HazardModel

    model, features = model_world["model"], model_world["features"]
    rows = features[features["snapshot_date"] == features["snapshot_date"].max()].head(50)
    hazard = HazardModel(**{f.name: getattr(model, f.name) for f in dataclasses.fields(model)})
    assert hazard.outcome_months == 1 and hazard.outcome_horizon == 12
    np.testing.assert_allclose(
        hazard.response_reading(rows).monthly, model.response_reading(rows).monthly, rtol=1e-12
    )


def test_sign_agreement_counts_only_true_effects_the_truth_vouches_for():
    """A "true effect" of a point measured with a standard error of a point is the truth's own noise
    (an action that never touched the person); the credible figure leaves it out, the plain one not."""
    effects = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "d"],
            "action": "act",
            "effect": [-0.05, -0.04, -0.015, 0.012],
            "effect_se": [0.005, 0.004, 0.008, 0.009],
        }
    )
    estimates = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "d"],
            "action": "act",
            "estimated": [-0.03, -0.01, 0.0, 0.0],
            "applies": True,
        }
    )
    found = whatif_fidelity(estimates, effects, pay_action="none")
    assert found["sign_agreement_where_true_effect_over_1_point"] == 0.5
    assert found["pairs_with_true_effect_credibly_over_1_point"] == 2
    assert found["sign_agreement_where_true_effect_credibly_over_1_point"] == 1.0
    assert found["per_action"]["act"]["sign_agreement_where_true_effect_credibly_over_1_point"] == 1.0


def test_sign_agreement_of_offered_what_ifs_counts_the_catalogs_silence_apart():
    """An action that does not apply to a person is never shown to them (estimate 0). The plain count
    scores that silence as a wrong sign whether the action would have helped or harmed; the offered
    figure leaves it out and the silence is counted apart, by the sign of the true effect."""
    effects = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "d", "e"],
            "action": "act",
            "effect": [-0.05, 0.03, -0.02, 0.04, -0.005],
            "effect_se": 0.001,
        }
    )
    estimates = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "d", "e"],
            "action": "act",
            "estimated": [-0.03, -0.01, 0.0, 0.0, 0.0],
            "applies": [True, True, False, False, False],
        }
    )
    found = whatif_fidelity(estimates, effects, pay_action="none")
    assert found["sign_agreement_where_true_effect_over_1_point"] == 0.25  # a right, b wrong, c and d silent
    assert found["pairs_offered_with_true_effect_over_1_point"] == 2
    assert found["sign_agreement_of_offered_where_true_effect_over_1_point"] == 0.5
    # e's true effect is under a point: it counts nowhere.
    assert found["not_offered_with_true_effect_over_1_point"] == {
        "would_lower_risk": 1,
        "would_raise_risk": 1,
    }
    per_action = found["per_action"]["act"]
    assert per_action["sign_agreement_of_offered_where_true_effect_over_1_point"] == 0.5
    assert per_action["not_offered_with_true_effect_over_1_point"] == {
        "would_lower_risk": 1,
        "would_raise_risk": 1,
    }


def test_a_persons_what_if_does_not_depend_on_who_else_is_read(model_world):
    """A plan reads each pair of actions on every row, so that the reading's memo hands each lever the
    change its single action already read; a person's estimate must not change with the rows read
    beside them, and a memo hit must be the change of the same values, never of others."""
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import estimate_combination

    model, features = model_world["model"], model_world["features"]
    rows = features[features["snapshot_date"] == features["snapshot_date"].max()].reset_index(drop=True)
    points = explain_rows(model, rows).feature_points
    now = model.risk(rows)
    by_name = {a.name: a for a in model.catalog.actions}
    pair = [by_name["recognise_recent_win"], by_name["regular_one_on_ones"]]
    reading = model.response_reading(rows)
    for action in pair:  # the singles first, as a plan reads them
        estimate_combination(model, rows, points, [action], now, reading)
    read_before = len(reading.memo)
    together, where = estimate_combination(model, rows, points, pair, now, reading)
    assert len(reading.memo) == read_before  # both levers' changes came from the memo
    some = np.flatnonzero(where)[::3]
    assert len(some) >= 5
    subset = rows.iloc[some].reset_index(drop=True)
    alone, where_alone = estimate_combination(
        model, subset, points[some], pair, now[some], model.response_reading(subset)
    )
    np.testing.assert_allclose(together[some], alone, rtol=0, atol=1e-12)
    assert where_alone.all()
    # The same features at other values are another key: no stale change comes back.
    other = rows.copy()
    other["months_since_recognition"] = 0.0
    first = model.response_change(reading, other, ["months_since_recognition"])
    again = model.response_change(reading, other, ["months_since_recognition"])
    assert first is again
    later = other.assign(months_since_recognition=1.0)
    assert model.response_change(reading, later, ["months_since_recognition"]) is not first
