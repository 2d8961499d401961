"""`flightrisk validate` and `flightrisk features`: the raw extract checked, and its feature table."""

from __future__ import annotations

from pathlib import Path

from flightrisk.features import build_snapshot_features, load_catalog
from flightrisk.io import write_table
from flightrisk.schema import load_raw, validate_raw


def validate_cli(raw: Path) -> dict[str, int]:
    """Every raw table against its schema and the links between tables: rows per table."""
    return validate_raw(raw)


def features_cli(raw: Path, out_file: Path, horizon: int, as_of=None) -> str:
    """Build the point-in-time feature table and write it; the line to print."""
    table = build_snapshot_features(load_raw(raw), load_catalog(), horizon=horizon, as_of=as_of)
    write_table(table, out_file)
    labelled = table["label"].notna()
    return (
        f"Wrote {len(table)} snapshots ({table['snapshot_date'].min().date()}..{table['snapshot_date'].max().date()}, "
        f"{int(labelled.sum())} labelled, {int(table['label'].sum())} leavers) to {out_file}"
    )
