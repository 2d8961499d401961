"""Writing a simulated organisation to disk: the raw extract, the truth, and the world file."""

from __future__ import annotations

from pathlib import Path

import yaml

from flightrisk.io import write_table, write_text
from flightrisk.synth.simulate import SimulationResult
from flightrisk.synth.world import World


def write_extract(
    result: SimulationResult, world: World, out_dir: Path, fmt: str = "parquet", true_risk=None
) -> list[Path]:
    """Write every raw table, `truth/hazard.parquet` (+ `truth/risk.parquet`) and `world.yaml`."""
    out_dir = Path(out_dir)
    written = []
    for name, frame in result.tables.items():
        path = out_dir / f"{name}.{fmt}"
        write_table(frame, path)
        written.append(path)
    truth_path = out_dir / "truth" / "hazard.parquet"
    write_table(result.truth, truth_path)
    written.append(truth_path)
    if true_risk is not None:
        risk_path = out_dir / "truth" / "risk.parquet"
        write_table(true_risk, risk_path)
        written.append(risk_path)
    world_path = out_dir / "world.yaml"
    write_text(yaml.safe_dump(world.to_dict(), sort_keys=False, allow_unicode=True), world_path)
    written.append(world_path)
    return written
