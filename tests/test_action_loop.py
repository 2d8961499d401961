"""Learning what works: the plan's randomised holdout, the effect estimator, and the whole loop on a
small simulated world against the true effect of each option."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from flightrisk.governance.effects import action_effects, newcombe_interval
from flightrisk.plan.holdout import assign_holdout


def test_newcombe_interval_matches_the_papers_example():
    # Newcombe (1998), Table II, example (a): 56/70 against 48/80, method 10: 0.0524 to 0.3339.
    low, high = newcombe_interval(56, 70, 48, 80)
    assert low == pytest.approx(0.0524, abs=5e-4) and high == pytest.approx(0.3339, abs=5e-4)


def test_the_holdout_is_drawn_within_each_band_reproducibly():
    rng = np.random.default_rng(0)
    plan = pd.DataFrame({"employee_id": [f"E{i}" for i in range(300)], "risk_now": rng.uniform(0, 0.7, 300)})
    first = assign_holdout(plan, 0.2, seed=1, bands=(0.15, 0.35))
    assert first.equals(assign_holdout(plan, 0.2, seed=1, bands=(0.15, 0.35)))
    assert not first["holdout"].equals(assign_holdout(plan, 0.2, seed=2, bands=(0.15, 0.35))["holdout"])
    for _, rows in first.groupby("risk_band_at_plan"):
        assert rows["holdout"].sum() == round(0.2 * len(rows))
    with pytest.raises(Exception, match="holdout-share"):
        assign_holdout(plan, 1.0, 0, (0.15, 0.35))


def test_plan_refuses_a_holdout_share_before_any_work(cli, model_world, tmp_path):
    code, _, err = cli(
        "plan",
        "--model",
        model_world["model_dir"],
        "--scores",
        tmp_path / "none.parquet",
        "--raw",
        model_world["raw"],
        "--budget",
        "1000",
        "--out",
        tmp_path / "p.parquet",
        "--holdout-share",
        "1.5",
    )
    assert code == 2 and "--holdout-share 1.5" in err and not (tmp_path / "p.parquet").exists()


def test_without_a_holdout_no_effect_is_claimed():
    plan = pd.DataFrame({"employee_id": ["a"], "option": ["x"], "risk_change": [-0.1]})
    result = action_effects(
        plan,
        pd.DataFrame({"employee_id": ["a"], "months_to_exit": [np.nan], "termination_type": [None]}),
        12,
        [],
    )
    assert result["method"] == "none" and result["options"] == {}


def test_a_known_effect_is_recovered_and_small_arms_say_so():
    rng = np.random.default_rng(0)
    n = 2000
    holdout = rng.uniform(size=n) < 0.5
    leaves = rng.uniform(size=n) < np.where(holdout, 0.30, 0.20)  # the action takes 10 points off
    plan = pd.DataFrame({"employee_id": [f"P{i}" for i in range(n)], "option": "act", "holdout": holdout})
    plan.loc[:5, "option"] = "rare"  # 6 people: not enough for two arms of 5
    outcomes = pd.DataFrame(
        {
            "employee_id": plan["employee_id"],
            "months_to_exit": np.where(leaves, rng.integers(1, 13, n), np.nan),
            "termination_type": np.where(leaves, "voluntary", None),
        }
    )
    result = action_effects(plan, outcomes, 12, [{"employee_id": "P10", "action": "act"}])
    twelve = result["options"]["act"]["horizons"]["12"]
    assert twelve["low"] < -0.10 < twelve["high"] and twelve["high"] < 0
    assert "fewer than 5" in result["options"]["rare"]["horizons"]["12"]["note"]
    assert result["options"]["act"]["recorded_done"] == int(not holdout[10])
    assert set(result["options"]["act"]["horizons"]) == {"3", "6", "12"}
    assert set(action_effects(plan, outcomes, 6, [])["options"]["act"]["horizons"]) == {"3", "6"}


def test_a_team_action_assigned_by_team_resamples_teams_and_needs_five_in_each_arm():
    from flightrisk.governance.effects import newcombe_interval

    rng = np.random.default_rng(1)
    teams, size = 60, 8
    team = np.repeat(np.arange(teams), size)
    held_team = rng.permutation(teams) < teams // 2
    climate = rng.normal(0, 0.2, teams)  # teams differ: their members leave together
    rate = np.clip(0.30 + climate[team] - np.where(held_team[team], 0.0, 0.10), 0.01, 0.99)
    leaves = rng.uniform(size=len(team)) < rate
    plan = pd.DataFrame(
        {
            "employee_id": [f"P{i}" for i in range(len(team))],
            "option": "celebrate_shared_wins",
            "holdout": held_team[team],
            "team_id": [f"T{t}" for t in team],
        }
    )
    outcomes = pd.DataFrame(
        {
            "employee_id": plan["employee_id"],
            "months_to_exit": np.where(leaves, 6, np.nan),
            "termination_type": np.where(leaves, "voluntary", None),
        }
    )
    entry = action_effects(plan, outcomes, 12, [])["options"]["celebrate_shared_wins"]
    assert entry["interval"].startswith("95 %, bootstrap over teams")
    twelve = entry["horizons"]["12"]
    assert twelve["low"] < -0.10 < twelve["high"]
    # People of one team are not independent draws: the interval over teams is wider than one over people.
    k1, n1 = int(leaves[~held_team[team]].sum()), int((~held_team[team]).sum())
    k2, n2 = int(leaves[held_team[team]].sum()), int(held_team[team].sum())
    low, high = newcombe_interval(k1, n1, k2, n2)
    assert twelve["high"] - twelve["low"] > 1.2 * (high - low)
    few = plan[plan["team_id"].isin([f"T{t}" for t in range(8)])]  # 8 teams: under 5 in an arm
    assert (few.groupby("holdout")["team_id"].nunique() < 5).any()
    note = action_effects(few, outcomes, 12, [])["options"]["celebrate_shared_wins"]["horizons"]["12"]
    assert "fewer than 5 teams" in note["note"]


def test_the_loop_on_a_simulated_world_measures_what_the_actions_truly_do(cli, model_world, tmp_path):
    """Score, plan with half held out, carry the plan out in the simulator, record it, let a year pass:
    each of the three most-planned options' true effect lies within its measured interval."""
    from flightrisk.synth.counterfactual import pause_world
    from flightrisk.truth.action_loop import check_loop
    from tests.conftest import MODEL_WORLD

    latest = model_world["features"]
    latest = latest[latest["snapshot_date"] == latest["snapshot_date"].max()]
    latest.to_parquet(tmp_path / "latest.parquet", index=False)
    assert (
        cli(
            "score",
            "--model",
            model_world["model_dir"],
            "--input",
            tmp_path / "latest.parquet",
            "--out",
            tmp_path / "s.parquet",
            "--explain",
        )[0]
        == 0
    )
    code, _, err = cli(
        "plan",
        "--model",
        model_world["model_dir"],
        "--scores",
        tmp_path / "s.parquet",
        "--raw",
        model_world["raw"],
        "--budget",
        "5000000",
        "--out",
        tmp_path / "plan.parquet",
        "--holdout-share",
        "0.5",
    )
    assert code == 0, err
    plan = pd.read_parquet(tmp_path / "plan.parquet")
    summary = pd.read_json(tmp_path / "plan.parquet.summary.json", typ="series")
    assert plan["holdout"].sum() == summary["holdout"]["people"] > 0
    snapshot = plan["snapshot_date"].max()
    paused = pause_world(MODEL_WORLD, [snapshot]).at(snapshot)
    result = check_loop(paused, plan, futures=4)
    assert len(result["options"]) >= 2
    for option, row in result["options"].items():
        assert row["within"], (option, row)
    # A plan's month is the extract's last: evaluate-actions needs a later one, and says so.
    code, _, err = cli("evaluate-actions", "--plan", tmp_path / "plan.parquet", "--raw", model_world["raw"])
    assert code == 2 and "later extract" in err


@pytest.fixture(scope="module")
def early_plans(model_world, tmp_path_factory):
    """The model world scored 12 months before its extract ends, and planned there with half held out
    and with none: the months after are the "later extract" evaluate-actions reads."""
    from tests.conftest import run_in_process

    folder = tmp_path_factory.mktemp("early")
    month = sorted(model_world["features"]["snapshot_date"].unique())[-13]
    scores = folder / "s.parquet"
    done = run_in_process(
        "score",
        "--model",
        model_world["model_dir"],
        "--input",
        model_world["features_path"],
        "--as-of",
        str(pd.Timestamp(month).date()),
        "--out",
        scores,
        "--explain",
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    plans = {}
    for name, extra in (("holdout", ["--holdout-share", "0.5"]), ("none", [])):
        plans[name] = folder / f"plan_{name}.parquet"
        done = run_in_process(
            "plan",
            "--model",
            model_world["model_dir"],
            "--scores",
            scores,
            "--raw",
            model_world["raw"],
            # A budget that leaves people unplanned in every risk decile: the observational comparison
            # needs them, and a plan that reaches nearly everyone leaves it nothing to compare with.
            "--budget",
            "1000000",
            "--out",
            plans[name],
            *extra,
            cwd=folder,
        )
        assert done.returncode == 0, done.stderr
    return {"scores": scores, **plans}


def _evaluate(cli, model_world, tmp_path, plan, *extra):
    import json

    code, _, err = cli(
        "evaluate-actions", "--plan", plan, "--raw", model_world["raw"], "--out", tmp_path / "e.json", *extra
    )
    assert code == 0, err
    return json.loads((tmp_path / "e.json").read_text())


def test_evaluate_actions_reads_a_later_extract_end_to_end(cli, model_world, early_plans, tmp_path):
    """Nobody acted in the recorded world, so every measured effect is chance: its interval holds none."""
    result = _evaluate(cli, model_world, tmp_path, early_plans["holdout"])
    assert result["months_known"] == 12 and result["method"].startswith("randomised")
    measured = [
        o["horizons"]["12"] for o in result["options"].values() if "effect" in o["horizons"].get("12", {})
    ]
    # Each 95 % interval misses a null effect one time in twenty: across the options, no more misses
    # than chance allows (the binomial's 99th percentile).
    misses = sum(not m["low"] <= 0 <= m["high"] for m in measured)
    assert measured and misses <= binom.ppf(0.99, len(measured), 0.05), (misses, len(measured))


def test_without_a_holdout_the_comparison_is_observational_and_says_so(
    cli, model_world, early_plans, tmp_path
):
    assert _evaluate(cli, model_world, tmp_path, early_plans["none"])["method"] == "none"
    result = _evaluate(cli, model_world, tmp_path, early_plans["none"], "--scores", early_plans["scores"])
    assert result["method"].startswith("observational") and "still confounds" in result["method"]
    figures = [
        o["horizons"]["12"] for o in result["options"].values() if "effect" in o["horizons"].get("12", {})
    ]
    assert figures and all(f["low"] <= f["effect"] <= f["high"] for f in figures)


def test_precise_measured_effects_replace_the_models_estimates_and_no_others():
    from flightrisk.errors import InputError
    from flightrisk.plan.measured import precise_effects, use_measured

    evaluation = {
        "method": "randomised: assigned against held out",
        "options": {
            "coach": {"horizons": {"12": {"effect": -0.06, "low": -0.10, "high": -0.02}}},  # ±0.04: used
            "praise": {"horizons": {"12": {"effect": -0.20, "low": -0.45, "high": 0.05}}},  # ±0.25: not
            "pay": {"horizons": {"6": {"effect": -0.01, "low": -0.02, "high": 0.0}}},  # no 12 months
        },
    }
    measured = precise_effects(evaluation, "e.json")
    assert set(measured) == {"coach"}
    options = pd.DataFrame(
        {
            "employee_id": ["a", "b", "a"],
            "option": ["coach", "coach", "praise"],
            "risk_now": [0.30, 0.04, 0.30],
            "risk_after": [0.29, 0.03, 0.20],
            "risk_change": [-0.01, -0.01, -0.10],
            "exits_avoided": [0.01, 0.01, 0.10],
            "cost_sek": [1000.0, 1000.0, 500.0],
            "replacement_cost_sek": [1e6, 1e6, 1e6],
            "value_sek": [1e4, 1e4, 1e5],
            "net_value_sek": [9e3, 9e3, 99500.0],
            "value_per_krona": [10.0, 10.0, 200.0],
        }
    )
    used = use_measured(options, measured)
    assert used.loc[0, "risk_change"] == pytest.approx(-0.06) and used.loc[0, "value_sek"] == pytest.approx(
        6e4
    )
    assert (
        used.loc[1, "risk_change"] == pytest.approx(-0.04) and used.loc[1, "risk_after"] == 0
    )  # never below 0
    pd.testing.assert_series_equal(used.loc[2], options.loc[2])  # the imprecise one keeps the model's
    with pytest.raises(InputError, match="randomised holdout"):
        precise_effects({"method": "observational: …", "options": {}}, "e.json")


def test_the_plan_reads_measured_effects_and_says_which(cli, model_world, early_plans, tmp_path):
    import json

    plan = pd.read_parquet(early_plans["none"])
    option = plan["option"].value_counts().index[0]
    evaluation = {
        "method": "randomised",
        "options": {option: {"horizons": {"12": {"effect": -0.3, "low": -0.33, "high": -0.27}}}},
    }
    (tmp_path / "e.json").write_text(json.dumps(evaluation))
    code, _, err = cli(
        "plan",
        "--model",
        model_world["model_dir"],
        "--scores",
        early_plans["scores"],
        "--raw",
        model_world["raw"],
        "--budget",
        "5000000",
        "--out",
        tmp_path / "p.parquet",
        "--measured-effects",
        tmp_path / "e.json",
    )
    assert code == 0, err
    summary = json.loads((tmp_path / "p.parquet.summary.json").read_text())
    assert summary["measured_effects"] == {option: -0.3} and "measured effects" in summary["method"]
    chosen = pd.read_parquet(tmp_path / "p.parquet")
    rows = chosen[chosen["option"] == option]
    assert len(rows) and np.allclose(rows["risk_change"], np.maximum(-0.3, -rows["risk_now"]))


def test_an_observational_comparison_that_compares_nothing_in_its_resamples_gives_no_interval():
    """Deciles 8 and 9: nine treated and one unplanned in decile 8, one treated and nine unplanned in
    decile 9. About one resample in eight draws neither lone person, so the treated and the unplanned
    share no decile and compare nothing: said, rather than an interval of NaN."""
    from flightrisk.governance.effects import observational_effects

    ids = [f"p{i}" for i in range(100)]
    scores = pd.DataFrame({"employee_id": ids, "risk": np.linspace(0.01, 0.99, 100)})
    treated = [f"p{i}" for i in range(81, 91)]
    plan = pd.DataFrame({"employee_id": treated, "option": "coach", "risk_change": -0.05})
    outcomes = pd.DataFrame(
        {"employee_id": ids, "months_to_exit": [3.0 if i % 3 == 0 else np.nan for i in range(100)]}
    ).assign(termination_type=lambda f: np.where(f["months_to_exit"].notna(), "voluntary", None))
    result = observational_effects(plan, outcomes, 12, [], scores, resamples=200)
    entry = result["options"]["coach"]
    assert entry["assigned"] == 10 and entry["compared_with"] == 10
    assert "no honest interval" in entry["horizons"]["12"]["note"]
