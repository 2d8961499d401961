"""The causal layer: θ recovers a cause, gives a proxy nothing, and reaches the pages and the what-ifs."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from flightrisk import LEVERS
from flightrisk.explain.causal import (
    MANAGER_SHARE_Z,
    LeverEffect,
    causal_effects_for,
    causal_points,
    cross_fitted_lever_points,
    cross_fitted_terms,
    effects_of,
    estimate_lever_effects,
    fit_structural,
    holdout_view,
    lever_ceilings,
    partialling_out,
    ranking_weights,
)
from flightrisk.features.directory import managers_of_rows
from flightrisk.i18n import words_for


def test_partialling_out_finds_the_cause_and_not_the_proxy_that_travels_with_it():
    """A confounder drives both; the cause moves the outcome, the proxy only follows the confounder."""
    rng = np.random.default_rng(0)
    people = np.repeat(np.arange(1500), 4)
    confounder = rng.normal(size=len(people))
    cause = 0.8 * confounder + rng.normal(size=len(people))
    proxy = 0.8 * confounder + rng.normal(size=len(people))
    outcome = 0.3 * cause + 0.5 * confounder + rng.normal(size=len(people))
    naive_proxy = np.polyfit(proxy, outcome, 1)[0]
    assert naive_proxy > 0.3  # alone, the proxy looks like a cause
    theta, se = partialling_out(np.column_stack([confounder, proxy]), cause, outcome, people, threads=1)
    assert abs(theta - 0.3) < 0.05 and se < 0.02
    # Trees approximate the linear nuisance in steps, which leaves a small bias (measured 0.05 at most).
    theta, se = partialling_out(np.column_stack([confounder, cause]), proxy, outcome, people, threads=1)
    assert abs(theta) < 0.1


# The layer reads a sample of whole people on a large table (MAX_ROWS; MONTHS_MAX_ROWS for the test on
# the months); on the test world that sample is under a third of its labelled rows, and the nuisance
# fits are shortened (150 -> 40 rounds). Together they take the module's setup from 28 s to 19 s (the
# model world's build included); on this small world no lever is established either way, and every
# verdict and sign the tests check is the same.
TESTED_ROWS = 3_000
TESTED_NUISANCE_ROUNDS = 40


@pytest.fixture(scope="module")
def effects(model_world):
    model = model_world["model"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("flightrisk.explain.causal.MAX_ROWS", TESTED_ROWS)
        patch.setattr("flightrisk.explain.causal.MONTHS_MAX_ROWS", TESTED_ROWS)
        patch.setattr("flightrisk.explain.causal.NUISANCE_ROUNDS", TESTED_NUISANCE_ROUNDS)
        features = model_world["features"]
        managers = managers_of_rows(model_world["tables"]["job_history"], features)
        found = causal_effects_for(model, features, seed=0, threads=1, managers=managers)
    model.metadata.update(found)
    yield model, found["lever_effects"]
    model.metadata.pop("lever_effects", None)
    model.metadata.pop("part_effects", None)


def test_whole_people_are_tested_and_the_weights_follow_the_interval(effects, model_world):
    from flightrisk.explain.causal import MAX_FIT_ROWS, sample_people

    model, stored = effects
    assert set(stored) == set(LEVERS)
    labelled = model_world["features"]
    people = labelled.loc[labelled["label"].notna(), "employee_id"].astype(str).to_numpy()
    # Every labelled row of the people drawn (the same draw as the layer's): a person is one cluster.
    rng = np.random.default_rng(0)
    fit = sample_people(people, MAX_FIT_ROWS, rng)
    drawn = np.unique(people[fit][sample_people(people[fit], TESTED_ROWS, rng)])
    assert 0 < len(drawn) < len(np.unique(people))
    for lever, e in stored.items():
        assert e["rows"] == np.isin(people, drawn).sum() and e["people"] == len(drawn)
        assert e["ci_low"] < e["theta"] < e["ci_high"]
        # The placebo (the lever shuffled within months) has no effect.
        assert abs(e["placebo_theta"]) < 3 * e["placebo_se"] + 0.05, lever
        # The test on the months: every lever's term against the next month's exits, whole people too.
        months = e["monthly"]
        assert months["ci_low"] < months["theta"] < months["ci_high"] and months["people"] > 50
        assert abs(months["placebo_theta"]) < 3 * months["placebo_se"] + 0.05, lever
        # Established by either test (a one-sided 2.5 % test each).
        by_the_year = e["ci_low"] > 0 and e["refutations_pass"]
        by_the_months = months["ci_low"] > 0 and months["refutations_pass"]
        assert e["established"] == (by_the_year or by_the_months)
        # Ranking trusts the interval's lower end; θ clipped is the best estimate.
        assert e["cautious_weight"] == pytest.approx(min(max(e["ci_low"], 0.0), 2.0))
        assert e["weight"] == pytest.approx(min(max(e["theta"], 0.0), 2.0))
        assert e["cautious_weight"] <= e["weight"]
    again = effects_of(model)
    assert {k: v.to_dict() for k, v in again.items()} == stored
    # Workload is tested in its two parts as well, each against the same rows; leadership's check-ins
    # too, and on the months a second time with the manager's habit held fixed (for the promise only).
    parts = model.metadata["part_effects"]
    assert {name: p["part_of"] for name, p in parts.items()} == {
        "attainment": "workload",
        "load": "workload",
        "check_ins": "leadership",
    }
    assert all(p["rows"] == stored["workload"]["rows"] for p in parts.values())
    assert {p.lever for p in again["workload"].parts} == {"attainment", "load"}
    assert [p.lever for p in again["leadership"].parts] == ["check_ins"]
    assert all(not e.parts for lever, e in again.items() if lever not in ("workload", "leadership"))
    assert [name for name, p in parts.items() if p["promise_only"]] == ["check_ins"]
    held = parts["check_ins"]["monthly"]["manager_held"]
    assert held["rows"] == parts["check_ins"]["monthly"]["rows"] and held["ci_low"] < held["theta"]
    assert all(p["monthly"].get("manager_held") is None for name, p in parts.items() if name != "check_ins")
    share = np.clip(
        (held["theta"] + MANAGER_SHARE_Z * held["se"]) / parts["check_ins"]["monthly"]["theta"], 0, 1
    )
    assert parts["check_ins"]["manager_share"] == pytest.approx(
        share if parts["check_ins"]["monthly"]["theta"] > 0 else 1
    )
    # The parts reach the JSON of `explain` and both model cards.
    from flightrisk.explain.person import lever_status
    from flightrisk.report.model_card import card_markdown

    shown = lever_status(model)["workload"]["parts"]
    assert {name: round(p["theta"], 9) for name, p in shown.items()} == {
        name: round(p["theta"], 9) for name, p in parts.items() if p["part_of"] == "workload"
    }
    months = lever_status(model)["workload"]["months"]
    assert months["theta"] == pytest.approx(stored["workload"]["monthly"]["theta"])
    english = card_markdown(model.metadata, model.catalog, "en")
    swedish = card_markdown(model.metadata, model.catalog, "sv")
    if not all(e.established for e in again.values()):
        assert "neither causal test's 95 % interval lies above zero" in english
        assert "i inget av de två orsakstesterna ligger 95 %-intervallet över noll" in swedish
    assert "Workload and targets: tested in parts as well" in english
    assert "Arbetsbelastning och mål: testas också i delar" in swedish and "måluppfyllelse" in swedish
    # The check-ins bound a promise: said apart, with the share their actions promise, in both languages.
    assert "one-to-ones" not in english.split("tested in parts as well")[1].split("\n")[0]
    share = f"promise {parts['check_ins']['manager_share']:.2f} of what leadership's effect allows"
    assert "Leadership: the one-to-ones bound only what the actions" in english and share in english
    assert "Ledarskap: avstämningar begränsar bara vad åtgärderna" in swedish
    status = lever_status(model)["leadership"]["parts"]["check_ins"]
    assert status["promise_only"] and status["manager_share"] == pytest.approx(
        parts["check_ins"]["manager_share"]
    )
    # Which signal leadership's cause test holds fixed, and why, in both languages.
    assert "Leadership: tested as a cause on its own signals; signals that reflect culture" in english
    assert "People who left this manager's team" in english.split("on its own signals")[1]
    assert "Ledarskap: prövas som orsak på sina egna signaler; signaler som också speglar kultur" in swedish


def test_a_persons_tested_contribution_never_comes_from_a_fit_on_their_own_outcome(model_world):
    """Every outcome of one person flipped: that person's cross-fitted lever points do not move."""
    from flightrisk.model.train import settings_of

    model, features = model_world["model"], model_world["features"]
    labelled = features[features["label"].notna()].reset_index(drop=True)
    people = labelled["employee_id"].astype(str).to_numpy()
    keep = np.isin(people, np.unique(people)[:300])  # a few hundred people keep the test quick
    rows, people = labelled[keep].reset_index(drop=True), people[keep]
    labels = rows["label"].astype(int).to_numpy()
    settings = settings_of(model.metadata)
    rounds = int(model.metadata["best_rounds"])
    everyone = np.ones(len(rows), dtype=bool)
    one = cross_fitted_lever_points(model, rows, labels, everyone, everyone, settings, rounds)
    leaver = people[np.flatnonzero(labels == 1)[0]]
    flipped = np.where(people == leaver, 1 - labels, labels)
    two = cross_fitted_lever_points(model, rows, flipped, everyone, everyone, settings, rounds)
    mine = people == leaver
    pd.testing.assert_frame_equal(one[mine], two[mine])
    assert not one[~mine].equals(two[~mine])  # the other folds' boosters did learn it


def test_a_persons_term_on_the_months_never_comes_from_a_fit_on_their_own_exits(model_world, monkeypatch):
    """One leaver's next-month exits flipped to stays: their structural terms, which the test on the
    months reads, do not move; the other half's do."""
    monkeypatch.setattr("flightrisk.explain.causal.STRUCTURAL_ROUNDS", 100)  # which fit, not how well
    model, features = model_world["model"], model_world["features"]
    people = features["employee_id"].astype(str)
    few = features[people.isin(np.unique(people)[:400])].reset_index(drop=True)
    one = fit_structural(model, few, threads=1)
    leaver = one.rows.loc[one.exits == 1, "employee_id"].iloc[0]
    flipped = few.copy()
    flipped.loc[flipped["employee_id"] == leaver, "exit_next_month"] = 0
    two = fit_structural(model, flipped, threads=1)
    everyone = np.ones(len(one.rows), dtype=bool)
    mine = (one.rows["employee_id"] == leaver).to_numpy()
    before, after = cross_fitted_terms(one, everyone, 1), cross_fitted_terms(two, everyone, 1)
    np.testing.assert_array_equal(before[mine], after[mine])
    other_half = one.first_half != one.first_half[mine][0]
    assert not np.array_equal(before[other_half], after[other_half])  # the fit on their half did learn it


def test_the_estimate_is_reproducible(model_world, monkeypatch):
    # Whether two runs agree does not depend on how long the nuisance fits learn (150 rounds: 8 s).
    monkeypatch.setattr("flightrisk.explain.causal.NUISANCE_ROUNDS", 30)
    model, features = model_world["model"], model_world["features"]
    after = pd.Timestamp(model.metadata["train_window"][1])
    rows = features[features["label"].notna() & (features["snapshot_date"] > after)].head(900)
    labels = rows["label"].astype(int).to_numpy()
    one = estimate_lever_effects(holdout_view(model), rows, labels, threads=1)
    two = estimate_lever_effects(holdout_view(model), rows, labels, threads=1)
    assert one == two


def test_a_signal_of_two_levers_is_held_fixed_in_its_levers_cause_test(model_world):
    """The manager team's past exits read the team's climate too (`also_reads: culture`): leadership
    is tested on the manager's own signals, the exits among the controls; its reading keeps them."""
    from flightrisk.explain import causal
    from flightrisk.explain.contributions import explain_rows

    model, features = holdout_view(model_world["model"]), model_world["features"]
    after = pd.Timestamp(model.metadata["train_window"][1])
    rows = features[features["label"].notna() & (features["snapshot_date"] > after)].head(900)
    rows = rows.reset_index(drop=True)
    labels = rows["label"].astype(int).to_numpy()
    names = model.feature_names
    exits = names.index("manager_team_exits_12m")
    groups = {name: (column, tested) for name, column, tested in causal._groups(model)}
    column, tested = groups["leadership"]
    leadership = np.array([spec.lever == "leadership" for spec in model.catalog.features])
    assert (
        column == "own_leadership"
        and not tested[exits]
        and (tested == leadership & (np.arange(len(names)) != exits)).all()
    )
    assert groups["culture"][0] == "lever_culture"  # a lever with nothing shared is tested whole
    explanation = explain_rows(model, rows)
    points = causal.group_points(model, explanation)
    np.testing.assert_allclose(
        points["own_leadership"],
        points["lever_leadership"] - explanation.feature_points[:, exits],
        atol=1e-12,
    )
    # The stored θ is the partialling-out of the own signals' points, the exits among the controls.
    found = estimate_lever_effects(model, rows, labels, threads=1)["leadership"]
    people = rows["employee_id"].astype(str).to_numpy()
    month = pd.to_datetime(rows["snapshot_date"])
    w = np.column_stack(
        [model.encode(rows)[:, ~tested], (month.dt.year * 12 + month.dt.month).to_numpy(float)]
    )
    folds = list(causal.GroupKFold(n_splits=causal.FOLDS).split(w, labels, groups=people))
    y_res, t_res = causal._residuals(
        w, [labels.astype(float), points["own_leadership"].to_numpy()], folds, 0, 1
    )
    assert found.theta == pytest.approx(causal._theta(t_res, y_res, people)[0], abs=1e-9)


def test_a_lever_that_is_no_cause_moves_nothing_in_the_panel_or_the_what_ifs(effects, model_world):
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.person import explain_people
    from flightrisk.explain.whatif import estimate_effect

    model, stored = effects
    features = model_world["features"]
    latest = features[features["snapshot_date"] == features["snapshot_date"].max()].head(60)
    explanation = explain_rows(model, latest)
    recognition = [a for a in model.catalog.actions if a.lever == "recognition"][0]
    now = model.risk(latest.reset_index(drop=True))

    # Recognition measured as a cause (θ = 1), as unjudgeable (θ = 0 ± 1), as at most 0.4 of its
    # reading (θ = 0.2 ± 0.1) and as doing nothing (θ = −0.3 ± 0.1): the what-if keeps the response
    # models' estimate while the data cannot rule it out, is cut to the interval's upper end where they
    # can, and the panel and the action go to zero for a lever shown to do nothing.
    def with_recognition(theta, se):
        model.metadata["lever_effects"] = stored | {
            "recognition": LeverEffect("recognition", theta, se, 10, 10, 0.0, 0.1, theta, theta).to_dict()
        }
        return estimate_effect(
            model, latest.reset_index(drop=True), explanation.feature_points, recognition, now
        )[0]

    try:
        before = with_recognition(1.0, 0.1)
        np.testing.assert_allclose(with_recognition(0.0, 1.0), before, atol=1e-12)
        np.testing.assert_allclose(with_recognition(0.2, 0.1), (0.2 + 1.96 * 0.1) * before, atol=1e-12)
        after = with_recognition(-0.3, 0.1)
        panel = causal_points(model, explanation.lever_points())
        assert (panel["effect_recognition"] == 0).all()
        assert (after == 0).all() and (before < 0).any()
        people = explain_people(model, latest, words=words_for("en"))
        assert all(p["top_lever"] != "recognition" for p in people)
        assert all(p["effects"]["recognition"] == 0 for p in people)
        flagged = [p for p in people if p["levers"]["recognition"] >= 1.0]
        for p in flagged:
            assert any(
                "Recognition: a signal the model reads, not an established cause" in n for n in p["notes"]
            )
        sv = explain_people(model, latest, words=words_for("sv"))
        from flightrisk.i18n import lever_name

        swedish = f"{lever_name('recognition', 'sv')}: en signal som modellen läser, inte en belagd orsak"
        assert any(swedish in n for p in sv for n in p["notes"]) == bool(flagged)
    finally:
        model.metadata["lever_effects"] = stored


def test_wherever_the_top_lever_and_the_first_driver_differ_the_page_says_why(effects, model_world):
    """The tables show the top lever (what pulling a lever would do, with effects measured); the first
    driver is what the model reads. Where they differ, every person's notes say why, in both languages."""
    from flightrisk.explain.person import explain_people

    model, _ = effects
    latest = model_world["features"].groupby("employee_id").tail(1).head(300)
    for lang in ("en", "sv"):
        people = explain_people(model, latest, words=words_for(lang))
        differ = [p for p in people if p["drivers"] and p["drivers"][0]["lever"] != p["top_lever"]]
        assert differ, "the causal layer must reorder someone's levers for this test to mean anything"
        unexplained = [p["employee_id"] for p in differ if not p["notes"]]
        assert unexplained == [], f"{lang}: {len(unexplained)} of {len(differ)} pages do not say why"


def test_the_structural_sizes_follow_the_true_terms_and_rank_established_levers_first(effects, model_world):
    """Each lever's size (the spread of its term in the monthly structural model that two halves of the
    people agree on) against the spread of its true term in the simulator, person-month by person-month;
    and the share a lever ranks by: all if established, a tenth if not, none if shown to do nothing."""
    from scipy.stats import spearmanr

    from flightrisk.explain.causal import NOT_ESTABLISHED_SHARE, ranked_lever_sizes
    from flightrisk.synth.truth import hazard_at_snapshots, true_lever_term

    model, stored = effects
    features = model_world["features"]
    rows = features[features["exit_next_month"].notna()]
    joined = hazard_at_snapshots(rows, model_world["result"].truth, how="inner")
    true_spread = [float(true_lever_term(joined, lever).std()) for lever in LEVERS]
    sizes = [stored[lever]["size"] for lever in LEVERS]
    assert all(size >= 0 for size in sizes) and all(stored[lever]["reading"] > 0 for lever in LEVERS)
    assert spearmanr(sizes, true_spread)[0] >= 0.7, (sizes, true_spread)
    ranked = ranked_lever_sizes(model, dict.fromkeys(LEVERS, 1.0))
    parts = model.metadata["part_effects"]
    for lever, e in stored.items():
        # A lever's parts count: one established establishes the lever; it does nothing only if they do not.
        # A within-manager part (the check-ins) bounds a promise only and counts for neither.
        own = [e] + [p for p in parts.values() if p["part_of"] == lever and not p["promise_only"]]
        share = (
            1.0
            if any(p["established"] for p in own)
            else (
                0.0
                if all(p["ci_high"] <= 0 and p["monthly"]["ci_high"] <= 0 for p in own)
                else NOT_ESTABLISHED_SHARE
            )
        )
        assert ranked[lever] == pytest.approx(share * e["size"])
        assert effects_of(model)[lever].ranking_weight == pytest.approx(
            share * min(e["size"] / e["reading"], 2.0)
        )

    def effect(theta, se, size=0.3, reading=0.2):
        return LeverEffect("pay", theta, se, 10, 10, 0.0, 0.1, theta, theta, size, reading)

    assert effect(1.0, 0.1).share == 1.0 and effect(1.0, 0.1).ranking_weight == pytest.approx(1.5)
    assert effect(0.2, 0.3).share == NOT_ESTABLISHED_SHARE
    assert effect(-0.5, 0.1).share == 0.0 and effect(-0.5, 0.1).ranked_size == 0.0
    # Either test establishes a lever; it does nothing only where both intervals lie at or below 0.
    by_the_months = dataclasses.replace(effect(0.2, 0.3), monthly=effect(0.6, 0.1))
    assert by_the_months.established and by_the_months.share == 1.0
    assert not by_the_months.established_by_the_year and by_the_months.established_by_the_months
    assert dataclasses.replace(effect(-0.5, 0.1), monthly=effect(0.1, 0.2)).share == NOT_ESTABLISHED_SHARE
    assert dataclasses.replace(effect(-0.5, 0.1), monthly=effect(-0.4, 0.1)).share == 0.0
    refuted = dataclasses.replace(effect(0.6, 0.1), placebo_theta=1.0)  # its placebo moves the outcome
    assert not dataclasses.replace(effect(0.2, 0.3), monthly=refuted).established
    assert LeverEffect.from_dict(by_the_months.to_dict()) == by_the_months
    older = LeverEffect("pay", 0.5, 0.1, 10, 10, 0.0, 0.1, 0.5, 0.5)  # stored before the sizes
    assert older.ranked_size is None and older.ranking_weight == pytest.approx(older.cautious_weight)
    # A what-if's ceiling: the lower of the two tests' upper ends above 0, clipped to [0, 1]; 0 only
    # where both lie at or below 0; the 12-month test's alone where a model was stored before the months.
    assert effect(0.5, 0.5).ceiling == 1.0 and effect(-0.5, 0.1).ceiling == 0.0
    assert dataclasses.replace(effect(-0.5, 0.1), monthly=effect(0.1, 0.2)).ceiling == pytest.approx(0.492)
    assert dataclasses.replace(effect(-0.5, 0.1), monthly=effect(-0.4, 0.1)).ceiling == 0.0
    assert dataclasses.replace(effect(0.5, 0.5), monthly=effect(-0.07, 0.14)).ceiling == pytest.approx(
        -0.07 + 1.96 * 0.14
    )
    assert dataclasses.replace(effect(0.2, 0.1), monthly=effect(0.6, 0.1)).ceiling == pytest.approx(
        0.2 + 0.196
    )


def test_a_top_lever_not_established_says_so_even_where_the_model_reads_little_of_it():
    """A lever not established ranks by a tenth of its size, so it can top someone's causal panel while
    the model reads under a point of it: the page still says it is a signal, not an established cause."""
    from flightrisk.explain.person import causal_notes, top_lever

    status = {"recognition": {"established": False}, "compensation": {"established": True}}
    read = {"recognition": 0.004, "compensation": 0.002}
    for lang, said in (
        ("en", "Recognition: a signal the model reads"),
        ("sv", "en signal som modellen läser"),
    ):
        words = words_for(lang)
        pulled = {"recognition": 0.015, "compensation": 0.003}
        assert top_lever(pulled) == "recognition"
        assert any(said in n for n in causal_notes(read, pulled, status, words))
        # Topped by an established lever, the one read under a point is not mentioned.
        pulled = {"recognition": 0.001, "compensation": 0.02}
        assert not any(said in n for n in causal_notes(read, pulled, status, words))


def test_a_lever_part_scales_its_own_actions_and_keeps_its_lever_in_the_ranking(effects, model_world):
    """Workload as a whole shown to do nothing while its load part cannot be judged (attainment's
    effect pointing the other way, as on unseen worlds): protecting time off keeps the response
    models' estimate, a realistic quota (attainment) promises no fall, and workload ranks by a tenth
    of its size instead of none. Without the parts, the lever's verdict silences both."""
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import estimate_effect

    model, stored = effects
    latest = model_world["features"].groupby("employee_id").tail(1).head(300).reset_index(drop=True)
    explanation = explain_rows(model, latest)
    now = model.risk(latest)
    actions = {a.name: a for a in model.catalog.actions}

    def effect(theta, se, of=None):
        e = LeverEffect(of or "workload", theta, se, 10, 10, 0.0, 0.1, theta, theta, size=0.2, reading=0.1)
        return e.to_dict() | ({"part_of": "workload"} if of else {})

    def estimates():
        return {
            name: estimate_effect(model, latest, explanation.feature_points, actions[name], now)[0]
            for name in ("protect_time_off", "realistic_quota")
        }

    saved = dict(model.metadata)
    try:
        model.metadata["lever_effects"] = stored | {"workload": effect(1.0, 0.01)}
        model.metadata["part_effects"] = {}
        full = estimates()
        assert (full["protect_time_off"] < 0).any() and (full["realistic_quota"] != 0).any()
        model.metadata["lever_effects"] = stored | {"workload": effect(-0.5, 0.1)}
        silenced = estimates()  # the falls go; a rise the response models read stays (a harm is never hidden)
        for name, value in silenced.items():
            np.testing.assert_allclose(value, np.maximum(full[name], 0.0), atol=1e-12)
        assert ranking_weights(model)["workload"] == 0.0
        model.metadata["part_effects"] = {
            "attainment": effect(-0.5, 0.1, "attainment"),
            "load": effect(0.0, 1.0, "load"),
        }
        parts = estimates()
        np.testing.assert_allclose(parts["protect_time_off"], full["protect_time_off"], atol=1e-12)
        np.testing.assert_allclose(
            parts["realistic_quota"], np.maximum(full["realistic_quota"], 0.0), atol=1e-12
        )
        assert ranking_weights(model)["workload"] == pytest.approx(0.1 * 2.0)  # a tenth, size over reading
        assert lever_ceilings(model)["load"] == 1.0 and lever_ceilings(model)["attainment"] == 0.0
    finally:
        model.metadata.clear()
        model.metadata.update(saved)


def test_a_managers_mean_leaves_out_the_person_and_rests_on_five_others():
    from flightrisk.explain.causal import manager_means

    # Manager m has six reports on the first snapshot (five others each), five on the second (four
    # others: too few); n has one report; a row without a manager or a value has no mean.
    rows = pd.DataFrame(
        {
            "employee_id": [f"p{i}" for i in range(6)] + [f"p{i}" for i in range(5)] + ["q", "r"],
            "snapshot_date": ["2025-01-31"] * 6 + ["2025-02-28"] * 5 + ["2025-01-31"] * 2,
            "check_ins_3m": [0.0, 1, 2, 3, 4, 5] + [1.0] * 5 + [3.0, 2.0],
        }
    )
    managers = np.array(["m"] * 11 + ["n", None], dtype=object)
    means = manager_means(rows, managers, ["check_ins_3m"])[:, 0]
    np.testing.assert_allclose(means[:6], [(15 - v) / 5 for v in range(6)])
    assert np.isnan(means[6:]).all()
    rows.loc[5, "check_ins_3m"] = np.nan  # an unknown value: its row has none, and m has four others
    assert np.isnan(manager_means(rows, managers, ["check_ins_3m"])[:6, 0]).all()


def test_a_managers_mean_reads_the_window_of_months_and_never_the_persons_own_months():
    """Against a direct count: per row, the known values of the other people under the same manager
    in the last `months` snapshots, where five others or more report to the manager that month."""
    from flightrisk.explain.causal import manager_means

    rng = np.random.default_rng(3)
    months = pd.date_range("2024-01-31", periods=8, freq="ME")
    records = []
    for person in range(24):
        first, second = rng.choice(["a", "b", "c"], 2)
        switch = rng.integers(1, 9)  # the month from which the person reports to the second manager
        for k, month in enumerate(months):
            records.append((f"e{person}", month, first if k < switch else second, rng.poisson(2.0)))
    rows = pd.DataFrame(records, columns=["employee_id", "snapshot_date", "manager", "check_ins_3m"])
    rows["check_ins_3m"] = rows["check_ins_3m"].astype(float).mask(rng.random(len(rows)) < 0.1)
    rows = rows.sample(frac=1.0, random_state=1).reset_index(drop=True)  # any order
    found = manager_means(rows, rows["manager"].to_numpy(), ["check_ins_3m"], months=3)[:, 0]
    known = rows["check_ins_3m"].notna()
    month = rows["snapshot_date"].dt.year * 12 + rows["snapshot_date"].dt.month
    expected = np.full(len(rows), np.nan)
    for i, row in rows.iterrows():
        same = (rows["manager"] == row["manager"]) & known
        now = (same & (month == month[i])).sum()
        window = same & (month <= month[i]) & (month > month[i] - 3)
        others = window & (rows["employee_id"] != row["employee_id"])
        if known[i] and now - 1 >= 5:
            expected[i] = rows.loc[others, "check_ins_3m"].mean()
    assert np.isfinite(expected).sum() > 50 and np.isnan(expected).sum() > 10
    np.testing.assert_allclose(found, expected, rtol=1e-12, equal_nan=True)


def test_each_rows_manager_is_the_one_at_its_snapshot():
    from flightrisk.features.directory import managers_of_rows

    jobs = pd.DataFrame(
        {
            "employee_id": ["a", "a", "b"],
            "effective_date": pd.to_datetime(["2024-01-01", "2025-02-15", "2025-03-01"]),
            "manager_id": ["m", "n", "m"],
        }
    )
    rows = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "b"],
            "snapshot_date": pd.to_datetime(["2025-03-31", "2025-01-31", "2025-02-28", "2025-02-28"]),
        },
        index=[10, 11, 12, 13],
    )
    found = managers_of_rows(jobs, rows)
    assert found.index.tolist() == [10, 11, 12, 13]
    assert found.iloc[:3].tolist() == ["n", "m", "n"] and pd.isna(found.iloc[3])


def test_the_check_ins_are_tested_on_the_months_within_their_manager_as_well(model_world, monkeypatch):
    """The check-ins part (catalog `within_manager`) is tested on the months a second time, with the
    manager's 12-month mean 1:1 count and months since one over their other reports among the
    controls (`manager_held`); every other test is the same as without the managers."""
    from flightrisk.explain import causal
    from flightrisk.features.directory import managers_of_rows

    monkeypatch.setattr(causal, "MONTHS_MAX_ROWS", 2000)
    monkeypatch.setattr(causal, "NUISANCE_ROUNDS", 20)
    model, features = model_world["model"], model_world["features"]
    within = [s.name for s in model.catalog.features if s.within_manager]
    assert within == ["check_ins_3m", "months_since_check_in"]
    assert causal.within_manager_parts(model) == {"check_ins"}
    structural = fit_structural(model, features, seed=0, threads=1)
    managers = managers_of_rows(model_world["tables"]["job_history"], features)
    controls = causal.within_manager_controls(model, features, managers)
    with_manager = causal.monthly_lever_effects(model, structural, 0, 1, controls)
    without = causal.monthly_lever_effects(model, structural, 0, 1)
    assert with_manager.keys() == without.keys()
    for name, e in without.items():
        assert dataclasses.replace(with_manager[name], manager_held=None) == e, name
        assert (with_manager[name].manager_held is not None) == (name == "check_ins"), name
    held = with_manager["check_ins"].manager_held
    assert held.theta != pytest.approx(without["check_ins"].theta, abs=1e-6)
    # The held θ is the partialling-out with the manager's means added to the controls.
    means = controls["check_ins"][structural.positions]
    assert means.shape == (len(structural.rows), 2) and 0.3 < np.isfinite(means[:, 0]).mean() < 1
    people = structural.rows["employee_id"].astype(str).to_numpy()
    chosen = causal.sample_people(people, causal.MONTHS_MAX_ROWS, np.random.default_rng([0, 29]))
    terms = cross_fitted_terms(structural, chosen, 1)
    tested = np.array([s.part == "check_ins" for s in model.catalog.features])
    rows = structural.rows[chosen].reset_index(drop=True)
    month = pd.to_datetime(rows["snapshot_date"])
    w = np.column_stack(
        [model.encode(rows)[:, ~tested], (month.dt.year * 12 + month.dt.month).to_numpy(float), means[chosen]]
    )
    exits = structural.exits[chosen]
    folds = list(causal.GroupKFold(n_splits=causal.FOLDS).split(w, exits, groups=people[chosen]))
    y_res, t_res = causal._residuals(w, [exits / exits.mean(), terms[:, tested].sum(axis=1)], folds, 0, 1)
    assert held.theta == pytest.approx(causal._theta(t_res, y_res, people[chosen])[0], abs=1e-9)


def test_a_one_to_one_promises_the_share_of_leaderships_bound_that_holds_within_the_manager(
    effects, model_world
):
    """The check-ins part bounds the promise of regular 1:1s only: its ceiling is leadership's times
    θ held within the manager (MANAGER_SHARE_Z standard errors above) over θ without, clipped to
    [0, 1], and however clear its own tests, leadership's verdicts stay leadership's."""
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import estimate_effect

    model, stored = effects
    latest = model_world["features"].groupby("employee_id").tail(1).head(300).reset_index(drop=True)
    explanation = explain_rows(model, latest)
    now = model.risk(latest)
    one_on_ones = next(a for a in model.catalog.actions if a.name == "regular_one_on_ones")

    def effect(name, theta, se, monthly=None, held=None):
        e = LeverEffect(name, theta, se, 10, 10, 0.0, 0.1, theta, theta, size=0.2, reading=0.1)
        if monthly is not None:
            months = dataclasses.replace(
                e, theta=monthly, random_cause_theta=monthly, half_people_theta=monthly
            )
            if held is not None:
                within = dataclasses.replace(months, theta=held[0], se=held[1])
                months = dataclasses.replace(months, manager_held=within)
            e = dataclasses.replace(e, monthly=months)
        return e

    def check_ins(**kwargs):
        part = dataclasses.replace(effect("check_ins", **kwargs), promise_only=True)
        return {"check_ins": part.to_dict() | {"part_of": "leadership"}}

    saved = dict(model.metadata)
    try:
        # Leadership as a whole can promise up to 0.6 of the response models' fall.
        model.metadata["lever_effects"] = stored | {"leadership": effect("leadership", 0.0, 0.3).to_dict()}
        model.metadata["part_effects"] = {}
        assert lever_ceilings(model)["leadership"] == pytest.approx(0.588)
        alone = estimate_effect(model, latest, explanation.feature_points, one_on_ones, now)[0]
        assert (alone < 0).any()
        # The check-ins read 0.8 on the months and 0.2 ± 0.1 within the manager.
        model.metadata["part_effects"] = check_ins(theta=2.0, se=0.1, monthly=0.8, held=(0.2, 0.1))
        share = (0.2 + MANAGER_SHARE_Z * 0.1) / 0.8
        loaded = effects_of(model)
        part = loaded["leadership"].parts[0]
        assert part.promise_only and part.established and part.manager_share == pytest.approx(share)
        assert share < 1 and not loaded["leadership"].established  # a within-manager part establishes nothing
        assert lever_ceilings(model)["check_ins"] == pytest.approx(0.588 * share)
        scaled = estimate_effect(model, latest, explanation.feature_points, one_on_ones, now)[0]
        np.testing.assert_allclose(scaled, np.where(alone < 0, alone * share, alone), atol=1e-12)
        # Held within the manager, the effect is as large or larger: leadership's bound stands.
        for held in (0.8, 1.5):
            model.metadata["part_effects"] = check_ins(theta=0.0, se=1.0, monthly=0.8, held=(held, 0.1))
            assert lever_ceilings(model)["check_ins"] == pytest.approx(0.588)
        # Nothing within the manager: no promise. No held test (no managers named): the lever's bound.
        model.metadata["part_effects"] = check_ins(theta=0.0, se=1.0, monthly=0.8, held=(-0.5, 0.1))
        assert lever_ceilings(model)["check_ins"] == 0.0
        model.metadata["part_effects"] = check_ins(theta=0.0, se=1.0, monthly=0.8)
        assert lever_ceilings(model)["check_ins"] == pytest.approx(0.588)
    finally:
        model.metadata.clear()
        model.metadata.update(saved)
