"""How much of a plan rests on levers the data have not established as causes.

The plan prices every action at its what-if (explain/whatif.py): a lever whose effect the data can
neither establish nor rule out is scaled only to the upper end of its interval, so mostly keeps the
response models' whole reading, because scaling it down by a noisy θ silenced real levers
(docs/benchmarks.md). On twenty simulated worlds that part of the
plans promised 1.28 times the exits it averted and the rest 1.05 times; on one world where no lever
was established, 2.2 times (docs/benchmarks.md, "Seed 3"). So the plan says, beside what it expects,
how much of it rests on such signals; the holdout (`plan --holdout-share`, `evaluate-actions`) is how
to measure them.
"""

from __future__ import annotations

import pandas as pd

from flightrisk.explain.causal import effects_of
from flightrisk.model.risk_model import RiskModel


def levers_not_established(model: RiskModel) -> set[str]:
    """The levers whose effect was measured and not established as a cause (none for a model
    without a causal layer: there is nothing to say either way)."""
    effects = effects_of(model) or {}
    return {lever for lever, effect in effects.items() if not effect.established}


def rests_on_signals(
    plan: pd.DataFrame, unestablished: set[str], measured: set[str] = frozenset()
) -> pd.Series:
    """Per plan row, whether its expected gain rests at least partly on a lever not established as a
    cause: one of the option's levers is such a lever, and the option's effect was not measured
    (`plan --measured-effects` puts a measured effect in place of the model's)."""
    levers = plan["levers"].fillna("").astype(str).str.split(" + ", regex=False)
    on_signal = levers.map(lambda names: any(name in unestablished for name in names))
    return on_signal & ~plan["option"].astype(str).isin(measured)
