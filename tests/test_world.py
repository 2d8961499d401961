import datetime as dt

import pandas as pd
import pytest

from flightrisk.errors import InputError
from flightrisk.synth.world import World, load_world, world_from_dict


def test_defaults_match_the_spec():
    world = world_from_dict({})
    assert world == World()
    assert world.reps == 5000 and world.months == 48 and world.start == dt.date(2023, 1, 1)
    assert world.lever_strength == {k: 1.0 for k in world.lever_strength}
    assert world.annual_voluntary_attrition == 0.25


def test_missing_keys_take_defaults_and_given_ones_apply(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("reps: 300\nlever_strength:\n  culture: 0\n", encoding="utf-8")
    world = load_world(path, seed=3)
    assert world.reps == 300 and world.seed == 3
    assert world.lever_strength["culture"] == 0.0 and world.lever_strength["workload"] == 1.0


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ({"repz": 10}, "unknown key"),
        ({"lever_strength": {"bonus": 1}}, "unknown lever"),
        ({"reps": "many"}, "'reps'"),
        ({"annual_voluntary_attrition": 1.5}, "between 0 and 1"),
        ({"start": "2023-01-15"}, "first day"),
        ({"lever_strength": {"culture": -1}}, "0 or more"),
        ({"regime_change": {"month": 5}}, "'month' and 'lever_strength'"),
        ({"regime_change": {"month": 0, "lever_strength": {}}}, "from 1"),
        ({"regime_change": {"month": 60, "lever_strength": {}}}, "inside the 48"),
        ({"regime_change": {"month": 9, "lever_strength": {"bonus": 2}}}, "unknown lever"),
    ],
)
def test_bad_world_files_are_rejected(raw, fragment):
    with pytest.raises(InputError, match=fragment):
        world_from_dict(raw, "w.yaml")


def test_missing_world_file_names_it(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_world(tmp_path / "nope.yaml")


def test_a_regime_change_applies_from_its_month_and_round_trips():
    world = world_from_dict({"regime_change": {"month": 40, "lever_strength": {"compensation": 3}}})
    assert world.strength_at(39)["compensation"] == 1.0
    assert world.strength_at(40) == {**world.lever_strength, "compensation": 3.0}
    assert world_from_dict(world.to_dict()) == world
    assert "regime_change" not in World().to_dict()  # the default world file stays as SPEC.md shows it


def test_a_regime_change_moves_the_true_hazard_only_from_its_month():
    """Pay made to matter three times as much from month 10: the pay term of the true log-hazard
    grows about threefold from that month, against the same world without the change."""

    from flightrisk.synth import simulate_organisation

    ratios = []
    for change in (None, {"month": 10, "lever_strength": {"compensation": 3.0}}):
        world = World(seed=5, reps=150, months=14, truth_futures=0, regime_change=change)
        truth = simulate_organisation(world).truth
        after = pd.to_datetime(truth["month"]) >= pd.Timestamp("2023-11-01")
        size = truth["contrib_compensation"].abs()
        ratios.append(size[after].mean() / size[~after].mean())
    assert ratios[0] == pytest.approx(1.0, abs=0.3)
    assert ratios[1] / ratios[0] == pytest.approx(3.0, rel=0.25)
