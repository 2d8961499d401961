"""Explanations: exact additivity, agreement with shap, words that match numbers, and the truth."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from flightrisk import LEVERS
from flightrisk.explain.contributions import LEVER_COLUMNS
from flightrisk.explain.person import explain_people, explanation_text
from flightrisk.explain.whatif import apply_action
from flightrisk.features import load_catalog
from flightrisk.i18n import words_for
from flightrisk.score.batch import score_frame
from tests.conftest import run_in_process


@pytest.fixture(scope="module")
def latest(model_world):
    features = model_world["features"]
    return features[features["snapshot_date"] == features["snapshot_date"].max()].reset_index(drop=True)


def test_base_rate_plus_levers_equals_risk_for_every_row(model_world):
    rows = model_world["features"]
    scores = score_frame(model_world["model"], rows, explain=True)
    total = scores["base_rate"] + scores[LEVER_COLUMNS].sum(axis=1)
    np.testing.assert_allclose(total, scores["risk"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(scores["risk"], model_world["model"].risk(rows), rtol=0, atol=1e-12)


def test_lightgbm_contributions_agree_with_shap(model_world, latest):
    import shap

    model = model_world["model"]
    x = model.encode(latest.head(200))
    ours = model.booster.predict(x, pred_contrib=True)[:, :-1]
    theirs = shap.TreeExplainer(model.booster).shap_values(x)
    theirs = theirs[1] if isinstance(theirs, list) else theirs
    assert np.abs(ours - theirs).max() < 1e-6


def test_invariant_to_employee_id(model_world, latest):
    renamed = latest.assign(employee_id="X" + latest["employee_id"])
    a = score_frame(model_world["model"], latest, explain=True)
    b = score_frame(model_world["model"], renamed, explain=True)
    np.testing.assert_array_equal(a["risk"], b["risk"])
    np.testing.assert_array_equal(a[LEVER_COLUMNS].to_numpy(), b[LEVER_COLUMNS].to_numpy())


@pytest.mark.parametrize(
    "feature, direction", [("base_pay_vs_peer_median", -1), ("months_since_check_in", 1)]
)
def test_monotone_levers_move_risk_the_right_way(model_world, latest, feature, direction):
    model = model_world["model"]
    low = latest.assign(**{feature: latest[feature].quantile(0.1)})
    high = latest.assign(**{feature: latest[feature].quantile(0.9)})
    delta = model.risk(high) - model.risk(low)
    assert (direction * delta >= -1e-12).all(), (delta.min(), delta.max(), np.isnan(delta).sum())


def test_drivers_are_never_context_and_add_risk(model_world, latest):
    people = explain_people(model_world["model"], latest.head(50), words=words_for("en"))
    assert len(people) == 50 and sum(len(p["drivers"]) for p in people) > 50
    for person in people:
        assert all(d["lever"] != "context" and d["points"] > 0 for d in person["drivers"])
        total = person["base_rate"] + sum(person["levers"].values())
        assert total == pytest.approx(person["risk"], abs=1e-12)


def test_what_if_actions_lower_risk_and_are_sorted(model_world, latest):
    people = explain_people(model_world["model"], latest.head(50))
    seen = 0
    for person in people:
        changes = [a["change"] for a in person["actions"]]
        assert changes == sorted(changes) and all(c < 0 for c in changes)
        for action in person["actions"]:
            assert action["risk_after"] == pytest.approx(action["risk_now"] + action["change"])
        seen += len(changes)
    assert seen > 0


def test_apply_action_respects_bounds(model_world, latest):
    action = next(a for a in model_world["model"].catalog.actions if a.name == "raise_pay_to_peer_median")
    after = apply_action(latest, action)
    below = latest["base_pay_vs_peer_median"] < 1.0
    assert (after.loc[below, "base_pay_vs_peer_median"] == 1.0).all()
    assert (after.loc[below, "months_since_last_raise"] == 0).all()
    # Nobody at or above the median gets a raise, nor the credit of a recent one.
    for column in ("base_pay_vs_peer_median", "months_since_last_raise", "pay_vs_newer_hires"):
        assert after.loc[~below, column].equals(latest.loc[~below, column])
    # Pay against newer hires moves by the raise itself, not up to their median.
    factor = 1.0 / latest.loc[below, "base_pay_vs_peer_median"]
    np.testing.assert_allclose(
        after.loc[below, "pay_vs_newer_hires"], latest.loc[below, "pay_vs_newer_hires"] * factor
    )


def test_a_realistic_quota_lifts_attainment_by_the_growth_it_takes_back():
    """Attainment is bookings over quota: the same bookings against a quota that grew 5 % instead of
    12 % is 112/105 of the attainment; a quota that grew 3 % (or an unknown raise) is left alone."""
    action = next(a for a in load_catalog().actions if a.name == "realistic_quota")
    before = pd.DataFrame(
        {
            "quota_raise_pct": [12.0, 3.0, np.nan],
            "quota_attainment_3m": [0.8, 0.9, 0.7],
            "quota_attainment_6m": [0.9, 1.1, 0.6],
        }
    )
    after = apply_action(before, action)
    assert after["quota_raise_pct"].tolist()[:2] == [5.0, 3.0] and np.isnan(after["quota_raise_pct"][2])
    np.testing.assert_allclose(after["quota_attainment_3m"], [0.8 * 112 / 105, 0.9, 0.7])
    np.testing.assert_allclose(after["quota_attainment_6m"], [0.9 * 112 / 105, 1.1, 0.6])


def test_meeting_the_quota_moves_the_sales_rank_by_the_attainment_percentile_it_gains():
    """A rep whose attainment rises also rises in the sales rank, ahead of the recognition they get:
    the rank moves by the change in attainment's percentile among the training rows; a rep the action
    leaves alone (or whose attainment is unknown) keeps their rank."""
    action = next(a for a in load_catalog().actions if a.name == "restore_bonus_attainability")
    before = pd.DataFrame(
        {
            "bonus_paid_vs_target_12m": [0.6, 0.7, 1.2, 0.5],
            "quota_attainment_3m": [0.7, 1.1, 0.9, np.nan],
            "quota_attainment_6m": [0.6, 0.9, 0.8, np.nan],
            "quota_attainment_12m": [0.7, 0.9, 1.0, np.nan],
            "performance_minus_recognition_rank": [-0.1, 0.2, 0.0, 0.1],
        }
    )
    percentile = lambda feature, values: np.clip(values / 2, 0, 1)  # noqa: E731 - a known reference
    after = apply_action(before, action, percentile)
    np.testing.assert_allclose(
        after["performance_minus_recognition_rank"], [-0.1 + 0.2, 0.2 + 0.05, 0.0, 0.1]
    )
    with pytest.raises(ValueError, match="percentiles"):
        apply_action(before, action)


def test_a_rank_is_read_with_the_attainment_it_follows_and_once_where_an_action_sets_it(model_world):
    from flightrisk.explain.whatif import read_together

    model = model_world["model"]
    by_name = {a.name: a for a in model.catalog.actions}
    rank = "performance_minus_recognition_rank"

    def groups_reading(actions):
        touched = read_together(model, actions)
        return [group for group, kinds in touched.items() for features in kinds.values() if rank in features]

    attainment = model.catalog.feature("quota_attainment_6m")
    assert groups_reading([by_name["restore_bonus_attainability"]]) == [(attainment.lever, attainment.group)]
    assert groups_reading([by_name["realistic_quota"]]) == [(attainment.lever, attainment.group)]
    # A recognition sets the rank itself: with a quota action, the rank's net change is read once,
    # with its own lever, not once more with attainment.
    both = [by_name["realistic_quota"], by_name["recognise_recent_win"]]
    assert groups_reading(both) == [("recognition", "recognition")]


def test_a_feature_percentile_reads_the_training_deciles():
    from flightrisk.model.profile import percentile_in_profile

    info = {"min": 0.0, "max": 10.0, "edges": [2.0, 5.0], "shares": [0.2, 0.5, 0.3]}
    values = np.array([-1.0, 0.0, 1.0, 2.0, 3.5, 5.0, 7.5, 10.0, 20.0, np.nan])
    np.testing.assert_allclose(
        percentile_in_profile(info, values), [0.0, 0.0, 0.1, 0.2, 0.45, 0.7, 0.85, 1.0, 1.0, np.nan]
    )
    assert np.isnan(percentile_in_profile({"min": None, "edges": [], "shares": []}, np.array([1.0]))).all()


def test_a_rank_follows_only_a_number_the_action_changes():
    from flightrisk.errors import InputError
    from flightrisk.features.catalog import catalog_from_dict

    def catalog_with(changes):
        features = {
            "attainment": {"lever": "workload", "unit": "ratio", "label_en": "a"},
            "rank": {"lever": "recognition", "unit": "rank", "label_en": "r"},
            "region": {"lever": "culture", "unit": "category", "type": "categorical", "label_en": "g"},
        }
        action = {"lever": "workload", "text_en": "x", "text_sv": "x", "changes": changes}
        return catalog_from_dict({"features": features, "actions": {"act": action}}, "test.yaml")

    catalog = catalog_with({"attainment": {"at_least": 1.0}, "rank": {"rank_with": "attainment"}})
    # The rank moves as a consequence: it is not something the action sets.
    assert catalog.feature("attainment").actionable and not catalog.feature("rank").actionable
    with pytest.raises(InputError, match="does not change"):
        catalog_with({"attainment": {"at_least": 1.0}, "rank": {"rank_with": "region"}})
    with pytest.raises(InputError, match="only if both are numbers"):
        catalog_with({"region": {"set": "North"}, "rank": {"rank_with": "region"}})


def test_each_action_moves_only_the_features_its_mechanism_touches(model_world, latest):
    assert model_world["model"].catalog.actions
    model = model_world["model"]
    for action in model.catalog.actions:
        after = apply_action(latest, action, model.feature_percentile)
        touched = {feature for feature, _, _ in action.changes}
        assert any(not after[f].equals(latest[f]) for f in touched), f"{action.name} moved nothing"
        for column in latest.columns:
            if column not in touched:
                assert after[column].equals(latest[column]), f"{action.name} moved {column}"


@pytest.mark.parametrize("rescored_by", ["response models", "booster"])
def test_actions_are_offered_only_where_they_apply_and_never_remove_more_than_the_risk(
    model_world, latest, rescored_by
):
    """Re-scored by the response models or (as on flat tables) the booster, within its reading."""
    import dataclasses

    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import applies, estimate_effect

    model = model_world["model"]
    if rescored_by == "booster":
        model = dataclasses.replace(model, response=None, response_booster=None)
    rows = latest.head(300).reset_index(drop=True)
    points = explain_rows(model, rows).feature_points
    now = model.risk(rows)
    index = {name: j for j, name in enumerate(model.feature_names)}
    for action in model.catalog.actions:
        delta, where = estimate_effect(model, rows, points, action, now)
        assert (where == applies(rows, action)).all()
        assert (delta[~where] == 0).all(), f"{action.name} credited where it does not apply"
        assert (-delta <= now + 1e-12).all()
        if rescored_by == "booster":
            # Each lever's part is scaled by a ceiling of at most 1: never more than the features add.
            removable = np.clip(points[:, [index[f] for f, _, _ in action.changes]], 0, None).sum(axis=1)
            assert (-delta <= removable + 1e-12).all(), f"{action.name} removes more than its features add"
    pay = next(a for a in model.catalog.actions if a.name == "raise_pay_to_peer_median")
    assert not applies(rows, pay)[(rows["base_pay_vs_peer_median"] >= 1.0).to_numpy()].any()


def test_a_snapshot_model_re_scores_actions_with_its_three_response_models(model_world, latest):
    """The response models are stored with the model and read back; a what-if is, per lever (or
    lever part) the action touches and apart for its fading and its lasting features, their mix
    (`response_mix`) of the logistic model's change (bounded by twice the risk model's reading of the
    lever's changed features), the 12-month booster's and the monthly booster's put on the calibrated
    risk's level (its clocks restarting at the panel's rates, a change kept up held every month); the
    lever's (or part's) net fall is scaled by its ceiling."""
    from flightrisk.explain.causal import lever_ceilings
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import LINEAR_CAP, applies, apply_action, estimate_effect, response_mix
    from flightrisk.model.clocks import ClockRestarts, calendar_months_of
    from flightrisk.model.response import monthly_risk

    model = model_world["model"]
    folder = model_world["model_dir"]
    assert model.response is not None and (folder / "response.json").is_file()
    assert model.response_booster is not None and (folder / "response_model.txt").is_file()
    rows = latest.head(300).reset_index(drop=True)
    points = explain_rows(model, rows).feature_points
    now = model.risk(rows)
    ceilings = lever_ceilings(model)
    index = {name: j for j, name in enumerate(model.feature_names)}
    spec = model.catalog.feature
    (booster_now, monthly_now) = model.booster_response_risk(rows)
    hazard = lambda p: -np.log(1 - p)  # noqa: E731
    moved = 0
    split = 0
    held = 0
    for action in model.catalog.actions:
        delta, where = estimate_effect(model, rows, points, action, now)
        after = apply_action(rows, action, model.feature_percentile)
        expected = np.zeros(len(rows))
        changed = [f for f, _, _ in action.changes]
        # A rank that moves with a feature is read with that feature's lever or part.
        read_as = {f: spec(v if k == "rank_with" else f) for f, k, v in action.changes}
        for group in {read_as[f].group for f in changed}:
            together = [f for f in changed if read_as[f].group == group]
            removable = np.clip(points[:, [index[f] for f in together]], 0, None).sum(axis=1)
            kinds = [[f for f in together if bool(spec(f).per_month) == fades] for fades in (True, False)]
            split += all(kinds)
            share = np.zeros(len(rows))
            for features in filter(None, kinds):
                partial = rows.copy()
                partial[features] = after[features].to_numpy()
                linear = np.maximum(
                    model.response_risk(partial) - model.response_risk(rows), -LINEAR_CAP * removable
                )
                (booster_after, monthly_after) = model.booster_response_risk(partial)
                # A change kept up (a 1:1 every month) holds its clock over every month ahead.
                kept = {f: v for f, k, v in action.changes if k == "hold" and f in features}
                if kept:
                    held += 1
                    monthly_after = monthly_risk(
                        model.response_monthly,
                        model.encode(partial),
                        model.catalog,
                        12,
                        ClockRestarts.from_dict(model.metadata["clock_restarts"]),
                        calendar_months_of(partial),
                        kept,
                    )
                factor = hazard(now) / hazard(monthly_now)
                monthly = np.where(
                    monthly_after == monthly_now, 0.0, 1 - np.exp(-factor * hazard(monthly_after)) - now
                )
                mix = response_mix(model, features)
                share += (
                    mix.linear * linear + mix.booster * (booster_after - booster_now) + mix.monthly * monthly
                )
            # The ceiling bounds the lever's (or part's) share as a whole, its two kinds netted first.
            ceiling = ceilings.get(group, ceilings[read_as[together[0]].lever])
            expected += np.where(share < 0, ceiling * share, share)
        expected = np.where(where, np.maximum(expected, -now), 0.0)
        np.testing.assert_allclose(delta, expected, atol=1e-9)
        moved += int((np.abs(delta[where]) > 1e-6).sum())
    assert split > 0  # a raise: its pay level lasts, its recency fades
    assert held > 0  # regular 1:1s
    assert moved > 0
    # Pay below the peer median raises risk in the simulator: lifting it lowers the logistic model's
    # risk nearly everywhere, and the monotone booster's never rises (it is flat where it has no split).
    pay = next(a for a in model.catalog.actions if a.name == "raise_pay_to_peer_median")
    where = applies(rows, pay)
    after = apply_action(rows, pay)
    linear = (model.response_risk(after) - model.response_risk(rows))[where]
    booster = (model.booster_response_risk(after)[0] - model.booster_response_risk(rows)[0])[where]
    assert where.any() and (linear < 0).mean() > 0.9
    assert (booster <= 1e-12).all() and (booster < 0).mean() > 0.5
    # Every logistic coefficient keeps its feature's catalog direction.
    for spec in model.catalog.features:
        if spec.type == "numeric" and spec.monotone:
            assert spec.monotone * model.response.numeric[spec.name]["coef"] >= 0, spec.name


def _explain_cli(model_world, employee, lang, fmt):
    return run_in_process(
        "explain",
        "--model",
        model_world["model_dir"],
        "--input",
        model_world["features_path"],
        "--employee",
        employee,
        "--lang",
        lang,
        "--format",
        fmt,
    )


def test_text_and_json_agree_with_the_numbers(model_world, latest):
    employee = latest["employee_id"].iloc[0]
    as_json = _explain_cli(model_world, employee, "en", "json")
    assert as_json.returncode == 0, as_json.stderr
    person = json.loads(as_json.stdout)
    expected = model_world["model"].risk(latest.head(1))[0]
    assert person["risk"] == pytest.approx(expected)
    assert person["base_rate"] + sum(person["levers"].values()) == pytest.approx(person["risk"], abs=1e-9)
    text = _explain_cli(model_world, employee, "en", "text").stdout
    assert f"risk {round(person['risk'] * 100, 1):g} %" in text
    for driver in person["drivers"]:
        assert driver["text"] in text


ENGLISH_WORDS = re.compile(r"\b(points|months|Base pay|Possible|actions|Top drivers|below|above|hours)\b")


def test_swedish_output_is_fully_swedish(model_world, latest):
    people = explain_people(model_world["model"], latest.head(30), words=words_for("sv"))
    assert len(people) == 30
    for person in people:
        text = explanation_text(person, words_for("sv"))
        assert "procentenheter" in text
        assert not ENGLISH_WORDS.search(text), text
        assert "," in text  # decimal comma


def test_unknown_employee_exits_2(model_world):
    done = _explain_cli(model_world, "NOBODY", "en", "text")
    assert done.returncode == 2 and "NOBODY" in done.stderr


@pytest.mark.slow
def test_explanations_follow_the_true_causes(model_world):
    """Grouped contributions rank people like the simulator's true lever effects do."""
    from flightrisk.truth.explanations import truth_correlations

    features = model_world["features"]
    recent = features[features["snapshot_date"] >= features["snapshot_date"].max() - np.timedelta64(180, "D")]
    result = truth_correlations(model_world["model"], recent, model_world["result"].truth)
    assert result["mean_spearman"] > 0.3
    assert sum(v > 0.1 for v in result["spearman"].values()) >= 4


@pytest.mark.slow
def test_a_lever_switched_off_explains_least(tmp_path_factory):
    from flightrisk.features import build_snapshot_features, load_catalog
    from flightrisk.model.train import train_on_snapshots
    from flightrisk.schema import load_raw
    from flightrisk.synth import World, simulate_organisation
    from flightrisk.synth.write import write_extract
    from flightrisk.truth.explanations import truth_correlations
    from tests.conftest import MODEL_SETTINGS

    # Development is switched off here. At this size (600 reps x 36 months) the model still gives
    # development features some blame through their proxies (promotion waits travel with performance
    # and pay): across seeds 4-8 the switched-off family was the least blamed in one world, second
    # least in two, fourth of six in the others (docs/explanations.md). What held in all five, with a
    # margin, is that it is never among the two most blamed families; that is what is checked.
    world = World(
        seed=4, reps=600, months=36, lever_strength={k: (0.0 if k == "development" else 1.0) for k in LEVERS}
    )
    raw = tmp_path_factory.mktemp("zero_raw")
    result = simulate_organisation(world)
    write_extract(result, world, raw)
    features = build_snapshot_features(load_raw(raw), load_catalog())
    model, _ = train_on_snapshots(features, load_catalog(), MODEL_SETTINGS, "zero")
    check = truth_correlations(model, features[features["label"].notna()], result.truth)
    contributions = check["mean_abs_contribution"]
    assert "development" not in sorted(contributions, key=contributions.get)[-2:], contributions
    assert contributions["development"] < 0.8 * max(contributions.values()), contributions


def test_top_lever_driver_and_action_agree_or_say_why(model_world, latest):
    from flightrisk.explain.person import explain_people, top_lever

    people = explain_people(model_world["model"], latest.head(200), words=words_for("en"))
    disagreements = 0
    for person in people:
        top = person["top_lever"]
        assert top == top_lever(person["levers"])
        if top is None:
            continue
        expected = 0
        if person["drivers"] and person["drivers"][0]["lever"] != top:
            expected += 1
        if person["actions"] and person["actions"][0]["lever"] != top:
            expected += 1
        assert len(person["notes"]) == expected, (person["employee_id"], person["notes"])
        disagreements += expected > 0
        for note in person["notes"]:
            assert "risk" in note or "action" in note
    assert disagreements < len(people)  # most people's lever, driver and action agree
    sv = explain_people(model_world["model"], latest.head(50), words=words_for("sv"))
    assert all("The " not in note and "No action" not in note for p in sv for note in p["notes"])


def test_a_raise_says_how_large_it_is(model_world, latest):
    """The label of the pay action never hides its size: the percent follows from the pay ratio."""
    from flightrisk.explain.whatif import what_if

    rows = latest[latest["base_pay_vs_peer_median"] < 0.97].head(40).reset_index(drop=True)
    offered = 0
    for i, actions in enumerate(what_if(model_world["model"], rows)):
        for action in actions:
            if action["action"] != "raise_pay_to_peer_median":
                continue
            offered += 1
            expected = round((1 / rows.loc[i, "base_pay_vs_peer_median"] - 1) * 100)
            assert f"a raise of about {max(expected, 1)} %" in action["text"]
            assert action["raise_pct"] == pytest.approx(
                (1 / rows.loc[i, "base_pay_vs_peer_median"] - 1) * 100
            )
    assert offered > 0
    # A promotion's price assumption is never presented as this person's raise.
    everything = what_if(model_world["model"], latest.head(200).reset_index(drop=True))
    promotions = [a for actions in everything for a in actions if a["action"] == "promote_where_eligible"]
    assert promotions and all("raise" not in a["text"] and a["raise_pct"] is None for a in promotions)


def test_one_month_is_singular_in_both_languages(model_world):
    from flightrisk.explain.narrative import sentence

    catalog = model_world["model"].catalog
    context = {"role": None, "region": None}
    assert "1 month (" in sentence(catalog, "months_since_recognition", 1.0, context, words_for("en"), 0.01)
    assert "1 månad (" in sentence(catalog, "months_since_recognition", 1.0, context, words_for("sv"), 0.01)
    assert "2 months (" in sentence(catalog, "months_since_recognition", 2.0, context, words_for("en"), 0.01)


def test_explain_finds_a_numeric_id_and_reads_only_that_persons_rows(model_world, latest, tmp_path):
    # Ids in a Parquet table may be numbers; another person's unreadable row is not this person's
    # problem, while an unreadable row of theirs is named.
    rows = latest.head(3).copy()
    rows["employee_id"] = [101, 102, 103]
    numeric = tmp_path / "people.parquet"
    rows.to_parquet(numeric, index=False)
    feature = next(s.name for s in model_world["model"].catalog.features if s.type == "numeric")
    rows[feature] = rows[feature].astype(object)
    rows.iloc[0, rows.columns.get_loc(feature)] = "not a number"
    damaged = tmp_path / "people.csv"
    rows.to_csv(damaged, index=False)

    def explain(path, employee):
        return run_in_process(
            "explain", "--model", model_world["model_dir"], "--input", path, "--employee", employee
        )

    done = explain(numeric, "102")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("102 as of")
    done = explain(damaged, "102")
    assert done.returncode == 0, done.stderr
    done = explain(damaged, "101")
    assert done.returncode == 2 and feature in done.stderr and "rows [1]" in done.stderr


def test_the_monthly_boosters_change_is_read_on_the_calibrated_level():
    """The monthly booster's hazards are not calibrated; its change is put on the calibrated risk's
    level: unchanged where its own risk is the calibrated one, smaller where it reads more risk than
    there is, larger where less, exactly 0 where the action moved nothing, and never past 0 or 1."""
    from flightrisk.explain.whatif import _on_calibrated_level

    now = np.array([0.2, 0.2, 0.2, 0.2, 0.3])
    before = np.array([0.2, 0.4, 0.1, 0.4, 0.5])
    change = np.array([-0.05, -0.05, -0.05, 0.0, 0.4])
    found = _on_calibrated_level(before, change, now)
    assert found[0] == pytest.approx(-0.05)
    assert -0.05 < found[1] < 0  # it read twice the hazard: a change in hazard moves less risk here
    assert found[2] < -0.05
    assert found[3] == 0.0
    assert 0 < now[4] + found[4] <= 1
    # The factor is the ratio of cumulative hazards: −log(1 − p).
    factor = np.log(1 - 0.2) / np.log(1 - 0.4)
    assert found[1] == pytest.approx(1 - (1 - 0.35) ** factor - 0.2)


def test_a_lever_whose_state_fades_by_itself_leans_on_the_monthly_booster(model_world):
    """Recognition ages month by month (the catalog's per_month), so the monthly booster, which follows
    the fading, weighs most; a quota is a lasting state, so the 12-month models weigh most."""
    from flightrisk.explain.whatif import AGEING_MIX, LASTING_MIX, response_mix

    model = model_world["model"]
    for mix in (AGEING_MIX, LASTING_MIX):
        assert mix.linear + mix.booster + mix.monthly == pytest.approx(1.0)
    assert AGEING_MIX.monthly > LASTING_MIX.monthly
    assert response_mix(model, ["months_since_recognition"]) == AGEING_MIX
    assert response_mix(model, ["quota_raise_pct", "quota_attainment_3m"]) == LASTING_MIX
