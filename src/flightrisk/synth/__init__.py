"""The simulated sales organisation: the tool's default data and the ground truth for its explanations."""

from flightrisk.synth.simulate import simulate_organisation
from flightrisk.synth.world import World, load_world

__all__ = ["World", "load_world", "simulate_organisation"]
