"""`flightrisk benchmark`: a flat table's checks, then its repeated-CV comparison with baselines."""

from __future__ import annotations

from pathlib import Path

from flightrisk.commands.inputs import read_flat
from flightrisk.commands.progress import counted_progress
from flightrisk.model.flat_benchmark import run_benchmark
from flightrisk.model.flat_checks import check_flat_table


def benchmark_cli(
    table_path: Path, catalog_path: Path, folds: int, repeats: int, seed: int, group_by: str, console
) -> dict:
    """The figures `flightrisk benchmark` prints as JSON."""
    flat, table = read_flat(table_path, catalog_path, console.print)
    checks = check_flat_table(flat, table, group_by, seed, f"{catalog_path} against {table_path}", folds)
    for note in checks.notes:
        console.print(note)
    with counted_progress(
        console, folds * repeats, f"Benchmark ({folds} folds x {repeats} repeats)"
    ) as advance:
        result = run_benchmark(flat, table, folds, repeats, seed, checks.groups, on_split=advance)
    return {"table": Path(table_path).name, **result, "checks": checks.record(flat.table.strong_predictors)}
