"""`flightrisk synth`: simulate the organisation, write the extract and its truth."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from flightrisk.synth import simulate_organisation
from flightrisk.synth.counterfactual import true_risk, truth_snapshot_months
from flightrisk.synth.write import write_extract


def synth_cli(world, out_dir: Path, fmt: str) -> str:
    """Simulate, write the extract, and (with `truth_futures`) each snapshot's true 3/6/12-month risk."""
    paused = []
    wanted = truth_snapshot_months(world) if world.truth_futures else []
    result = simulate_organisation(world, pause_months=wanted, on_pause=paused.append)
    started = time.perf_counter()
    risk = None
    if paused:
        risk = pd.concat([true_risk(p, world.truth_futures) for p in paused], ignore_index=True)
    seconds = time.perf_counter() - started
    write_extract(result, world, out_dir, fmt=fmt, true_risk=risk)
    truth = ""
    if risk is not None:
        truth = (
            f"; true risk for {len(paused)} snapshot months from {world.truth_futures} futures each in {seconds:.0f} s "
            f"(median 12-month standard error {risk['se_12m'].median():.3f})"
        )
    return (
        f"Wrote {len(result.tables)} tables to {out_dir} ({len(result.tables['employees'])} people; voluntary "
        f"attrition {result.voluntary_attrition:.3f}/year, involuntary {result.involuntary_attrition:.3f}/year){truth}"
    )
