import datetime as dt

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
    ],
)
def test_bad_world_files_are_rejected(raw, fragment):
    with pytest.raises(InputError, match=fragment):
        world_from_dict(raw, "w.yaml")


def test_missing_world_file_names_it(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_world(tmp_path / "nope.yaml")
