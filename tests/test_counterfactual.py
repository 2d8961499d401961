"""Counterfactual truth: forks that reproduce the run, true risk consistent with what happened, and
interventions whose effect is exactly zero where their lever has no effect."""

import numpy as np
import pandas as pd
import pytest

from flightrisk import LEVERS
from flightrisk.features import load_catalog
from flightrisk.synth import World
from flightrisk.synth.counterfactual import INTERVENTIONS, intervention_effects, true_risk
from flightrisk.synth.simulate import simulation_for

FORK_WORLD = World(seed=5, reps=300, months=30)


@pytest.fixture(scope="module")
def recorded():
    """One recorded run of a small world, paused at two months along the way."""
    sim = simulation_for(FORK_WORLD, record=True)
    paused, counts = {}, {}

    def keep(p):
        paused[p.t] = p
        counts[p.t] = {name: len(parts) for name, parts in sim.records.items()}

    sim.run(pause_months=[10, 17], on_pause=keep)
    return sim, paused, counts


def test_continuing_a_paused_run_with_its_own_randomness_reproduces_it(recorded):
    sim, paused, counts = recorded
    p = paused[10]
    fork = p.sim.clone()
    fork.record = True
    fork.draw_exits(p.t, p.idx, p.contrib, p.perf_z)
    for t in range(p.t + 1, sim.last_month + 1):
        fork.step(t)
    for name, parts in sim.records.items():
        after_pause = parts[counts[10][name] :]
        assert len(after_pause) == len(fork.records[name]), name
        for original, again in zip(after_pause, fork.records[name], strict=True):
            for key in original:
                np.testing.assert_array_equal(
                    np.asarray(original[key]), np.asarray(again[key]), err_msg=f"{name}.{key}"
                )
    np.testing.assert_array_equal(sim.term_m[: sim.n], fork.term_m[: fork.n])


def test_true_risk_has_every_horizon_and_is_ordered(recorded):
    _, paused, _ = recorded
    risk = true_risk(paused[17], futures=6)
    assert len(risk) == len(paused[17].idx) and risk["employee_id"].is_unique
    assert (risk["risk_3m"] <= risk["risk_6m"] + 1e-12).all() and (
        risk["risk_6m"] <= risk["risk_12m"] + 1e-12
    ).all()
    assert risk[["se_3m", "se_6m", "se_12m"]].notna().all().all()


def test_true_risk_agrees_with_the_exits_that_happened(recorded):
    sim, paused, _ = recorded
    p = paused[17]
    risk = true_risk(p, futures=12)
    # Voluntary exits drawn in months t..t+11 are the label of the snapshot at t.
    left = (sim.term_m[p.idx] >= p.t + 1) & (sim.term_m[p.idx] <= p.t + 12)
    voluntary = left & (sim.term_type[p.idx] == "voluntary")
    realised, expected = voluntary.mean(), risk["risk_12m"].mean()
    tolerance = 3 * np.sqrt(expected * (1 - expected) / len(p.idx)) + 3 * risk["se_12m"].mean() / np.sqrt(
        len(p.idx)
    )
    assert abs(realised - expected) < tolerance, (realised, expected, tolerance)


def test_every_catalog_action_has_a_simulator_counterpart():
    catalog = load_catalog()
    missing = [a.name for a in catalog.actions if a.name not in INTERVENTIONS]
    assert not missing, f"catalog actions without a simulator intervention: {missing}"


def test_an_action_on_a_switched_off_lever_has_exactly_zero_effect():
    world = World(
        seed=6, reps=200, months=20, lever_strength={lever: 1.0 for lever in LEVERS} | {"recognition": 0.0}
    )
    sim = simulation_for(world, record=False)
    paused = []
    sim.run(pause_months=[12], on_pause=paused.append)
    p = paused[0]
    people = list(p.sim.ids(p.idx[:40]))
    effects = intervention_effects(p, people, ["recognise_recent_win", "regular_one_on_ones"], futures=3)
    recognition = effects[effects["action"] == "recognise_recent_win"]
    assert (recognition["effect"] == 0.0).all()
    assert (effects.loc[effects["action"] == "regular_one_on_ones", "effect"] < 0).mean() > 0.5
    # Whole plans, run in the simulator: nothing done and a switched-off lever avert exactly nothing;
    # a plan of one action averts what that action's per-person effects add up to, roughly (the
    # plan is measured over everybody, the effects over the 40 treated).
    from flightrisk.synth.counterfactual import plan_effects

    plans = {
        "nothing": {},
        "recognition": {person: ["recognise_recent_win"] for person in people},
        "one_on_ones": {person: ["regular_one_on_ones"] for person in people},
    }
    averted = plan_effects(p, plans, futures=3).set_index("plan")
    assert averted.loc["nothing", "true_exits_averted"] == 0.0
    assert averted.loc["recognition", "true_exits_averted"] == 0.0
    expected = -effects.loc[effects["action"] == "regular_one_on_ones", "effect"].sum()
    assert averted.loc["one_on_ones", "true_exits_averted"] == pytest.approx(expected, rel=0.5)


def test_a_pay_raise_only_moves_people_paid_below_their_peers(recorded):
    from flightrisk.synth.counterfactual import _peer_median_pay, raise_pay_to_peer_median

    _, paused, _ = recorded
    p = paused[17]
    sim = p.sim.clone()
    before = sim.base[p.idx].copy()
    median = _peer_median_pay(sim, p.idx, p.t)
    raise_pay_to_peer_median(sim, p.idx, p.t)
    after = sim.base[p.idx]
    below = before < median
    assert (after[~below] == before[~below]).all()
    assert np.allclose(after[below], np.round(median[below], -2))


def test_time_off_is_protected_only_for_people_employed_a_year(recorded):
    from flightrisk.synth.counterfactual import protect_time_off

    _, paused, _ = recorded
    p = paused[17]
    sim = p.sim.clone()
    before = sim.pto_hist[p.idx].copy()
    protect_time_off(sim, p.idx, p.t)
    after = sim.pto_hist[p.idx]
    first_year = p.t - sim.hire_m[p.idx] < 12
    short = before.sum(axis=1) < 25
    assert (first_year & short).sum() >= 5 and (~first_year & short).sum() >= 5
    assert (after[first_year] == before[first_year]).all()  # no weeks of leave at once for a new rep
    assert np.allclose(after[~first_year].sum(axis=1), np.maximum(before[~first_year].sum(axis=1), 25.0))


def test_synth_writes_true_risk_for_the_holdout_and_latest_months(tmp_path, cli):
    world = tmp_path / "world.yaml"
    world.write_text("seed: 4\nreps: 120\nmonths: 26\ntruth_futures: 3\n")
    code, _, err = cli("synth", "--out", tmp_path / "raw", "--world", world)
    assert code == 0, err
    risk = pd.read_parquet(tmp_path / "raw" / "truth" / "risk.parquet")
    months = sorted(risk["snapshot_date"].dt.strftime("%Y-%m").unique())
    assert months[-1] == "2025-02" and len(months) == 7  # six holdout months and the latest
    assert {"risk_3m", "risk_6m", "risk_12m", "se_12m", "futures"} <= set(risk.columns)


@pytest.mark.slow
def test_evaluate_writes_the_truth_report(model_world, tmp_path, cli):
    """End to end on the shared small world: true risk written like `synth` does, then `evaluate`."""
    import dataclasses
    import json
    import shutil

    import yaml

    from flightrisk.synth import load_world
    from flightrisk.synth.counterfactual import truth_snapshot_months
    from flightrisk.synth.simulate import simulate_organisation
    from flightrisk.synth.write import write_extract

    raw = tmp_path / "raw"
    shutil.copytree(model_world["raw"], raw)
    world = dataclasses.replace(load_world(raw / "world.yaml"), truth_futures=3)
    from flightrisk.config import TrainSettings

    holdout = TrainSettings(holdout_months=model_world["model"].metadata["settings"]["holdout_months"])
    paused = []
    result = simulate_organisation(world, truth_snapshot_months(world, holdout), paused.append)
    risk = pd.concat([true_risk(p, world.truth_futures) for p in paused], ignore_index=True)
    write_extract(result, world, raw, true_risk=risk)
    (raw / "world.yaml").write_text(yaml.safe_dump(world.to_dict()))
    out = tmp_path / "reports" / "metrics.json"
    code, _, err = cli(
        "evaluate",
        "--model",
        model_world["model_dir"],
        "--features",
        model_world["features_path"],
        "--raw",
        raw,
        "--out",
        out,
    )
    assert code == 0, err
    report = json.loads((tmp_path / "reports" / "truth.json").read_text())
    ceiling = report["ceiling_and_calibration"]
    assert 0.5 < ceiling["true_risk_roc_auc"] <= 1 and ceiling["rows"] > 0
    explanations = report["explanations"]
    assert set(explanations["spearman_with_true_term"]) == set(LEVERS)
    assert (
        set(explanations["true_term_spread_all_rows"]) == set(LEVERS)
        and explanations["rows_at_certain_exit"] >= 0
    )
    assert explanations["ranking_truth"][0] not in explanations["levers_tied_with_the_true_top"]
    actions = {a.name for a in model_world["model"].catalog.actions}
    assert set(report["what_if"]["per_action"]) == actions
    policy = report["policy"]["averted_exits_per_100_people"]
    assert (
        policy["truly_best_action"]
        >= max(policy["tool_top_action"], policy["random_applicable_action"]) - 1e-9
    )
    plans = report["plan"]["plans"]
    assert set(plans) == {
        "tool_plan",
        "raise_everybody_at_risk",
        "random_applicable_actions",
        "best_from_truth",
    }
    budget = report["plan"]["budget_sek"]
    for name in ("tool_plan", "random_applicable_actions", "best_from_truth"):
        assert plans[name]["cost_sek"] <= budget + 1
    assert all(np.isfinite(plan["true_exits_averted"]) for plan in plans.values())
    # What the plan promised on levers not established as causes, apart from the rest, and what each
    # part did. The test model has no causal layer, so nothing rests on such signals.
    signals = report["plan"]["signals"]
    promised = plans["tool_plan"]["model_estimated_exits_avoided"]
    assert signals["promised_on_signals"] + signals["promised_on_established_levers"] == pytest.approx(
        promised
    )
    assert signals["true_on_signals"] + signals["true_on_established_levers"] == pytest.approx(
        plans["tool_plan"]["true_exits_averted"]
    )
    assert signals["levers_not_established"] == [] and signals["promised_on_signals"] == 0
    # Per action, each plan's people and the true exits their single effects avert: the people add
    # up to the plan's actions, and the sums come near the plan's simulated total.
    by_action = report["plan"]["by_action"]
    assert set(by_action) == {"tool_plan", "best_from_truth"}
    for name in ("tool_plan", "best_from_truth"):
        assert sum(a["people"] for a in by_action[name].values()) >= plans[name]["people"]
        summed = sum(a["true_exits_averted"] for a in by_action[name].values())
        assert summed == pytest.approx(plans[name]["true_exits_averted"], abs=0.25 * max(1.0, abs(summed)))


def _joined_truth(rng, people=400, months=6, spreads=None, hazard=0.01):
    """A truth table joined to snapshots, its lever terms drawn with the given SDs (0 elsewhere)."""
    rows = people * months
    frame = pd.DataFrame(
        {
            "employee_id": np.repeat([f"p{i}" for i in range(people)], months),
            "hazard": np.full(rows, hazard),
            "contrib_manager": np.zeros(rows),
        }
    )
    for lever in LEVERS:
        frame[f"contrib_{lever}"] = rng.normal(0, (spreads or {}).get(lever, 0.0), rows)
    return frame


def test_a_levers_true_spread_leaves_out_months_at_a_certain_exit():
    """The simulator draws an exit with probability min(hazard, 1): a term at a certain exit moves
    nothing, and a few such months must not make a lever large."""
    from flightrisk.truth.evaluate import true_term_spreads

    joined = _joined_truth(np.random.default_rng(0), spreads={"culture": 0.2, "leadership": 0.3})
    assert max(true_term_spreads(joined), key=true_term_spreads(joined).get) == "leadership"
    joined.loc[:9, "contrib_culture"] = 8.0  # ten months of a collapsed climate, each a certain exit
    joined.loc[:9, "hazard"] = np.exp(8.0)
    spreads = true_term_spreads(joined)
    assert spreads["culture"] == pytest.approx(joined.loc[10:, "contrib_culture"].std())
    assert joined["contrib_culture"].std() > spreads["leadership"] > spreads["culture"]


def test_a_lever_the_truths_people_cannot_tell_from_the_top_is_a_tie():
    from flightrisk.truth.evaluate import levers_tied_with_the_top, true_term_spreads

    rng = np.random.default_rng(1)
    close = _joined_truth(rng, people=100, spreads={"workload": 0.47, "leadership": 0.46, "culture": 0.2})
    spreads = true_term_spreads(close)
    top = max(spreads, key=spreads.get)
    assert levers_tied_with_the_top(close, spreads) == [
        {"workload": "leadership", "leadership": "workload"}[top]
    ]
    apart = _joined_truth(rng, spreads={"workload": 0.6, "leadership": 0.4})
    assert levers_tied_with_the_top(apart, true_term_spreads(apart)) == []

    # A term a person keeps every month counts once per person: twenty months of the same value are
    # no surer than one, so 60 people cannot tell 0.6 from 0.55 while 1,200 people, a month each, can.
    def spread_exactly(sd):
        z = rng.normal(size=60)
        return np.repeat(sd * (z - z.mean()) / z.std(), 20)

    shared = _joined_truth(rng, people=60, months=20)
    shared["contrib_workload"] = spread_exactly(0.6)
    shared["contrib_leadership"] = spread_exactly(0.55)
    spreads = true_term_spreads(shared)
    assert levers_tied_with_the_top(shared, spreads) == ["leadership"]
    one_month_each = shared.assign(employee_id=[f"q{i}" for i in range(len(shared))])
    assert levers_tied_with_the_top(one_month_each, spreads) == []


def test_the_truth_cannot_be_beaten_by_a_model_of_the_snapshot(model_world):
    """A true probability given everything at the snapshot leaves nothing for snapshot features to
    find: the trained model does not rank realised exits better than it beyond the sampling error
    (bootstrap over people), and the residual `outcome - truth` is not predictable from the
    features (out-of-fold R² by person within noise)."""
    from sklearn.linear_model import Ridge
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    from flightrisk.synth.counterfactual import pause_world
    from tests.conftest import MODEL_WORLD

    model, features = model_world["model"], model_world["features"]
    start, end = (pd.Timestamp(d) for d in model.metadata["holdout_window"])
    holdout = features[features["label"].notna() & features["snapshot_date"].between(start, end)]
    dates = sorted(holdout["snapshot_date"].unique())
    paused = pause_world(MODEL_WORLD, dates)
    truth = pd.concat([true_risk(paused.at(d), futures=12) for d in dates], ignore_index=True)
    rows = holdout.merge(truth, on=["employee_id", "snapshot_date"]).reset_index(drop=True)
    assert len(rows) == len(holdout)
    y = rows["label"].astype(int).to_numpy()
    ours, true = model.holdout_risk(rows), rows["risk_12m"].to_numpy()
    gap = roc_auc_score(y, ours) - roc_auc_score(y, true)
    people = rows["employee_id"].astype(str).to_numpy()
    unique = np.unique(people)
    rng = np.random.default_rng(0)
    gaps = []
    for _ in range(100):
        chosen = np.isin(people, rng.choice(unique, size=len(unique)))
        gaps.append(roc_auc_score(y[chosen], ours[chosen]) - roc_auc_score(y[chosen], true[chosen]))
    assert gap < 2 * np.std(gaps), (gap, np.std(gaps))
    numeric = [s.name for s in model.catalog.features if s.type == "numeric"]
    x = rows[numeric].astype(float)
    x = ((x - x.mean()) / x.std().replace(0, 1)).fillna(0.0).to_numpy()
    residual = y - true
    predicted = np.zeros(len(y))
    for fit, scored in GroupKFold(n_splits=5).split(x, residual, groups=people):
        predicted[scored] = Ridge(alpha=100.0).fit(x[fit], residual[fit]).predict(x[scored])
    r2 = 1 - ((residual - predicted) ** 2).sum() / ((residual - residual.mean()) ** 2).sum()
    assert r2 < 0.01, r2


def test_a_what_if_truth_is_read_from_the_arm_that_treated_the_person_and_spills_less_in_groups(recorded):
    """A person the action does not touch (not eligible for promotion) moves only through the others
    treated in the same arm: not at all when everyone is treated alone, less in the default groups
    than when everybody is treated at once."""
    from flightrisk.synth.counterfactual import ARM_GROUPS
    from flightrisk.synth.simulate import KAM, TL

    _, paused, _ = recorded
    p = paused[17]
    s = p.sim
    eligible = (
        (s.role[p.idx] < TL)
        & (p.t - s.last_promo_m[p.idx] >= 12)
        & ~((s.role[p.idx] == KAM) & (s.level[p.idx] == 3))
    )
    assert 10 < eligible.sum() < len(p.idx) - 10
    people = list(s.ids(p.idx))
    action = ["promote_where_eligible"]

    few = people[:30]
    alone = intervention_effects(p, few, action, futures=2, groups=len(few))
    assert (alone["effect"].to_numpy()[~eligible[:30]] == 0.0).all()
    assert (alone["effect"].to_numpy()[eligible[:30]] < 0).mean() > 0.5

    untouched_spread = {}
    for groups in (1, ARM_GROUPS):
        effect = intervention_effects(p, people, action, futures=3, groups=groups)["effect"].to_numpy()
        untouched_spread[groups] = float(np.std(effect[~eligible]))
    assert untouched_spread[ARM_GROUPS] < 0.7 * untouched_spread[1], untouched_spread


def test_a_plans_actions_are_credited_with_each_persons_true_single_effect():
    from flightrisk.truth.evaluate import plan_by_action

    plans = {
        "tool_plan": pd.DataFrame(
            {
                "employee_id": ["a", "b"],
                "actions": [["raise"], ["raise", "one_on_ones"]],
                "cost_sek": [1.0, 2.0],
            }
        ),
        "best_from_truth": pd.DataFrame(
            {"employee_id": ["c"], "actions": [["recognise"]], "cost_sek": [1.0]}
        ),
    }
    effects = pd.DataFrame(
        {
            "employee_id": ["a", "b", "b", "c", "a"],
            "action": ["raise", "raise", "one_on_ones", "recognise", "recognise"],
            "effect": [-0.10, -0.02, 0.01, -0.30, -0.50],  # a rise counts against the plan
        }
    )
    out = plan_by_action(plans, effects)
    assert out["tool_plan"] == {
        "one_on_ones": {"people": 1, "true_exits_averted": pytest.approx(-0.01)},
        "raise": {"people": 2, "true_exits_averted": pytest.approx(0.12)},
    }
    # Only the people a plan gives the action count (a's recognition is not in any plan).
    assert out["best_from_truth"] == {"recognise": {"people": 1, "true_exits_averted": pytest.approx(0.30)}}
    # A pair never measured is an error, not an effect of zero.
    with pytest.raises(KeyError, match="'c', 'raise'"):
        plan_by_action(
            {"tool_plan": pd.DataFrame({"employee_id": ["c"], "actions": [["raise"]]})},
            effects,
            ("tool_plan",),
        )
    # So is a pair measured twice: neither figure is silently dropped.
    with pytest.raises(ValueError, match="measured twice.*'a', 'raise'"):
        plan_by_action(plans, pd.concat([effects, effects.head(1)]))
