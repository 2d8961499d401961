"""Features and training at the size of a large sales organisation: time and peak memory per stage.

Each stage runs in its own process (benchmarks/_measure.py), so a peak belongs to one stage.
    python benchmarks/scale.py --reps 5000 50000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def run_step(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "_measure.py"), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1] if done.stderr else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, nargs="+", default=[5000, 50_000])
    parser.add_argument("--months", type=int, default=48)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for reps in args.reps:
            raw, features = Path(tmp) / f"raw_{reps}", Path(tmp) / f"features_{reps}.parquet"
            for stage, step in (
                ("simulate", ("simulate", str(raw), str(reps), str(args.months))),
                ("features", ("features", str(raw), str(features))),
                ("train", ("train", str(features))),
            ):
                figures[f"{stage}_{reps}"] = run_step(*step)
                print(f"{stage} {reps} reps: {json.dumps(figures[f'{stage}_{reps}'])}", flush=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
