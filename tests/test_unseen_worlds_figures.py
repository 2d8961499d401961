"""The unseen-worlds benchmark's read shares: how much of a lever's true spread its structural size
reads, and how much of an action's true effect its what-if reads (benchmarks/unseen_worlds.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "unseen_worlds.py"


@pytest.fixture(scope="module")
def unseen():
    spec = importlib.util.spec_from_file_location("unseen_worlds", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_levers_read_share_is_its_size_over_its_true_spread_where_it_is_real(unseen):
    effects = {
        "workload": {"size": 0.24},
        "compensation": {"size": 0.34},
        "leadership": {"size": 0.09},  # switched off: no true spread, no share
        "culture": {"size": None},  # stored without a size
    }
    spread = {"workload": 0.45, "compensation": 0.35, "leadership": 0.0, "culture": 0.2, "recognition": 0.3}
    assert unseen.read_shares(effects, spread) == {
        "workload": pytest.approx(0.533, abs=1e-3),
        "compensation": pytest.approx(0.971, abs=1e-3),
    }


def test_an_actions_read_share_skips_effects_too_small_to_divide_by(unseen):
    per_action = {
        "training_plan": {"mean_estimated_effect": -0.0063, "mean_true_effect": -0.0192},
        "celebrate_shared_wins": {"mean_estimated_effect": -0.002, "mean_true_effect": 0.0},
        "restore_bonus_attainability": {"mean_estimated_effect": 0.0141, "mean_true_effect": -0.0013},
    }
    assert unseen.action_read_shares(per_action) == {"training_plan": pytest.approx(0.328, abs=1e-3)}


def test_the_summary_gives_each_levers_median_over_the_worlds_that_read_it(unseen):
    # A median, not a mean: one world reading workload far off (0.95) does not move it (mean 0.683).
    medians = unseen.median_by_key([{"workload": 0.5, "culture": 1.0}, {"workload": 0.95}, {"workload": 0.6}])
    assert medians == {"culture": 1.0, "workload": 0.6}


def test_the_plans_loss_by_action_is_the_oracles_averted_less_the_tools(unseen):
    by_action = {
        "tool_plan": {
            "regular_one_on_ones": {"people": 280, "true_exits_averted": 6.0},
            "recognise_recent_win": {"people": 43, "true_exits_averted": 0.0},
        },
        "best_from_truth": {
            "regular_one_on_ones": {"people": 75, "true_exits_averted": 3.2},
            "rebalance_accounts": {"people": 65, "true_exits_averted": 3.7},
        },
    }
    assert unseen.plan_losses(by_action) == {
        "rebalance_accounts": pytest.approx(3.7),  # only the oracle buys it
        "recognise_recent_win": pytest.approx(0.0),
        "regular_one_on_ones": pytest.approx(-2.8),  # the tool buys more of it, and gains there
    }
    assert unseen.plan_losses(None) == {}
    # Summed over worlds, largest loss first.
    totals = unseen.total_by_key([{"a": 1.0, "b": -2.0}, {"a": 2.5, "c": 3.0}])
    assert list(totals) == ["a", "c", "b"] and totals == {"a": 3.5, "c": 3.0, "b": -2.0}
