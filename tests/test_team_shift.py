"""A team action read as one shift of the state its team shares, corrected for its survey's reliability."""

import numpy as np
import pandas as pd
import pytest

from flightrisk.explain.contributions import explain_rows
from flightrisk.explain.team_shift import (
    MIN_RELIABILITY,
    hazard_share,
    measure_team_shifts,
    shifted_change,
    stored_shifts,
    survey_reliability,
)
from flightrisk.explain.whatif import estimate_combination, estimate_effect


def _survey(teams=60, members=8, waves=8, state_sd=0.5, noise_sd=0.6, carried=0.6, seed=0):
    """Waves six months apart; each team's state an AR(1) from wave to wave, answers state + noise."""
    rng = np.random.default_rng(seed)
    state = rng.normal(0, state_sd, teams)
    dates = pd.date_range("2022-03-15", periods=waves, freq="6MS") + pd.Timedelta(days=14)
    rows = []
    for date in dates:
        for team in range(teams):
            for member in range(members):
                rows.append((f"E{team:03d}{member}", date, 3.4 + state[team] + rng.normal(0, noise_sd)))
        state = carried * state + rng.normal(0, state_sd * np.sqrt(1 - carried**2), teams)
    survey = pd.DataFrame(rows, columns=["employee_id", "survey_date", "culture"])
    jobs = pd.DataFrame(
        {
            "employee_id": [f"E{t:03d}{m}" for t in range(teams) for m in range(members)],
            "effective_date": pd.Timestamp("2020-01-01"),
            "team_id": [f"T{t:03d}" for t in range(teams) for m in range(members)],
        }
    )
    return survey, jobs


def test_the_reliability_reads_the_noise_within_teams_and_how_much_of_the_state_lasts():
    survey, jobs = _survey()
    measured = survey_reliability(survey, jobs, "culture")
    # A team mean of 8 answers: state variance 0.25 against noise 0.36 / 8.
    assert measured["noise"] == pytest.approx(0.25 / (0.25 + 0.36 / 8), abs=0.05)
    # Half a wave old on average: the share of the state that lasts a wave (0.6), square-rooted.
    assert measured["staleness"] == pytest.approx(0.6**0.5, abs=0.08)
    assert measured["reliability"] == pytest.approx(measured["noise"] * measured["staleness"], abs=1e-3)
    assert measured["waves"] == 8
    # Noisier answers and a state that lasts less read as less reliable; a floor bounds the correction.
    noisier = survey_reliability(*_survey(noise_sd=1.5, carried=0.2), "culture")
    assert noisier["reliability"] < measured["reliability"]
    hopeless = survey_reliability(*_survey(noise_sd=5.0, carried=0.0), "culture")
    assert hopeless["reliability"] == MIN_RELIABILITY
    # Two waves cannot say how much of the state lasts.
    two = survey[survey["survey_date"] <= survey["survey_date"].unique()[1]]
    assert survey_reliability(two, jobs, "culture") is None


def test_a_shift_of_the_hazard_moves_each_risk_as_a_proportional_fall_does():
    risk = np.array([0.0, 0.05, 0.2, 0.6, 0.95])
    share = 0.3
    cumulative = -np.log1p(-risk)
    expected = (1 - np.exp(-(1 - share) * cumulative)) - risk
    assert shifted_change(risk, share) == pytest.approx(expected)
    assert np.all(shifted_change(risk, 1.0) >= -risk - 1e-12)  # never below zero risk
    assert np.all(shifted_change(risk, -0.2)[1:] > 0)  # a rise where the action harms
    assert np.all(shifted_change(risk, 0.0) == 0)
    # The share read back from small changes is the share that made them.
    assert hazard_share(shifted_change(risk[1:4], 0.01), risk[1:4]) == pytest.approx(0.01, rel=0.02)


@pytest.fixture(scope="module")
def shifted(model_world):
    model = model_world["model"]
    found = measure_team_shifts(model, model_world["features"], model_world["tables"])
    yield model, found
    model.metadata.pop("team_shifts", None)


def test_training_measures_the_team_actions_shift_and_its_surveys_reliability(shifted, model_world):
    model, found = shifted
    assert set(found) == {a.name for a in model.catalog.actions if a.scope == "team"}
    shift = found["celebrate_shared_wins"]
    assert shift["survey_mean"] == "team_culture_score" and shift["people"] > 100
    measured = shift["reliability_measured"]
    assert MIN_RELIABILITY <= shift["reliability"] == measured["reliability"] <= 1
    assert 0 < measured["noise"] <= 1 and 0 <= measured["staleness"] <= 1
    # The share is what the response models read over the people it applies to, before any ceiling.
    assert shift["hazard_share"] > 0
    # Without the survey and job history the reliability is 1, and nothing says it was measured.
    unmeasured = measure_team_shifts(model, model_world["features"], None)["celebrate_shared_wins"]
    assert unmeasured["reliability"] == 1.0 and unmeasured["reliability_measured"] is None
    assert unmeasured["hazard_share"] == shift["hazard_share"]
    # Measured again on a model that already carries its shift, it reads the response models, not the shift.
    model.metadata["team_shifts"] = {"celebrate_shared_wins": {**shift, "hazard_share": 0.9}}
    try:
        again = measure_team_shifts(model, model_world["features"], model_world["tables"])
    finally:
        model.metadata.pop("team_shifts")
    assert again == found


def test_a_team_actions_what_if_is_the_shift_for_every_member_and_other_actions_are_unchanged(
    shifted, model_world
):
    model, found = shifted
    latest = model_world["features"].groupby("employee_id").tail(1).head(300).reset_index(drop=True)
    points = explain_rows(model, latest).feature_points
    now = model.risk(latest)
    celebrate = next(a for a in model.catalog.actions if a.name == "celebrate_shared_wins")
    training = next(a for a in model.catalog.actions if a.name == "training_plan")
    before_team, _ = estimate_effect(model, latest, points, celebrate, now)
    before_other, where_other = estimate_effect(model, latest, points, training, now)
    model.metadata["team_shifts"] = found
    try:
        share = stored_shifts(model)["celebrate_shared_wins"]
        assert share == pytest.approx(
            found["celebrate_shared_wins"]["hazard_share"] / found[celebrate.name]["reliability"]
        )
        after_team, where = estimate_effect(model, latest, points, celebrate, now)
        after_other, _ = estimate_effect(model, latest, points, training, now)
        both, _ = estimate_combination(model, latest, points, [celebrate, training], now)
    finally:
        model.metadata.pop("team_shifts")
    # The model world's culture is not tested (no causal layer here): ceiling 1.
    assert after_team[where] == pytest.approx(shifted_change(now, share)[where])
    assert not np.allclose(after_team, before_team)
    # Relative to each member's exposure, one figure: the shift, whatever else sets them apart.
    exposure = (1 - now) * -np.log1p(-now)
    ratio = after_team[where] / exposure[where]
    assert ratio.std() / abs(ratio.mean()) < 0.15
    np.testing.assert_array_equal(after_other, before_other)
    # Together, where both apply: the shift added to the other action's change.
    together = where & where_other
    assert together.any()
    assert both[together] == pytest.approx(np.maximum(after_team + after_other, -now)[together])
