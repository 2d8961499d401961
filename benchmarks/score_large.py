"""Time and peak memory of `flightrisk score --explain` on a large input (default 100,000 and 1,000,000 rows).

The input is the default world's latest feature rows, resampled with new ids; scoring runs as a
child process so its peak memory (RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def make_input(features: Path, rows: int, out: Path) -> None:
    source = pd.read_parquet(features)
    source = source[source["snapshot_date"] == source["snapshot_date"].max()].reset_index(drop=True)
    writer = None
    rng = np.random.default_rng(0)
    written = 0
    while written < rows:
        n = min(200_000, rows - written)
        chunk = source.iloc[rng.integers(0, len(source), n)].reset_index(drop=True)
        chunk["employee_id"] = [f"B{written + i:08d}" for i in range(n)]
        table = pa.Table.from_pandas(chunk, preserve_index=False)
        writer = writer or pq.ParquetWriter(out, table.schema)
        writer.write_table(table)
        written += n
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/flightrisk")
    parser.add_argument("--features", default="data/processed/features.parquet")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    cli = Path(sys.executable).with_name("flightrisk")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            source = Path(tmp) / f"input_{rows}.parquet"
            make_input(Path(args.features), rows, source)
            out = Path(tmp) / f"scores_{rows}.parquet"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            done = subprocess.run(
                [
                    str(cli),
                    "score",
                    "--model",
                    str(Path(args.model).resolve()),
                    "--input",
                    str(source),
                    "--out",
                    str(out),
                    "--explain",
                ],
                capture_output=True,
                text=True,
                cwd=tmp,
            )
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            record = json.loads(Path(str(out) + ".run.json").read_text()) if done.returncode == 0 else {}
            result = {
                "rows": rows,
                "exit_code": done.returncode,
                "seconds": round(seconds, 1),
                "rows_per_second": round(rows / seconds),
                "peak_rss_mb": round(max(peak, before) / 1024),
                "run_record_rows": record.get("rows"),
                "stage_seconds": record.get("seconds"),
                "drift_exceeding": record.get("drift", {}).get("exceeding"),
            }
            if done.returncode != 0:
                result["error"] = done.stderr[-500:]
            print(json.dumps(result), flush=True)
            results.append(result)


if __name__ == "__main__":
    main()
