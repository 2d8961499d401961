"""What `score --explain`'s bundle saves downstream: `report` and `plan` with and without it, on one
scored month (same model, same scores, same pages and plan — tests/test_bundle.py checks that).

    .venv/bin/python benchmarks/bundle.py --model models/flightrisk --features data/processed/features.parquet \
        --raw data/raw --work /tmp/bundle-bench

Prints the seconds of each command; run it on a quiet machine, as the ratios are what it measures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _run(*args: object) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flightrisk", *map(str, args)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"flightrisk {args[0]} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    bundled, plain = work / "bundled.parquet", work / "plain.parquet"
    common = ("--model", args.model, "--input", args.features, "--latest", "--records", work)
    score_plain = _run("score", *common, "--out", plain)
    score_bundled = _run("score", *common, "--explain", "--out", bundled)
    shutil.copy(bundled, plain)  # the explained scores without their bundle: what report and plan redo
    figures = {"score (no --explain)": score_plain, "score --explain (+ bundle)": score_bundled}
    for name, scores in (("without bundle", plain), ("with bundle", bundled)):
        figures[f"plan {name}"] = _run(
            "plan", "--model", args.model, "--scores", scores, "--raw", args.raw, "--budget", 2_000_000,
            "--out", work / f"plan-{name.split()[0]}.parquet",
        )  # fmt: skip
        figures[f"report {name}"] = _run(
            "report", "--model", args.model, "--scores", scores, "--raw", args.raw, "--records", work,
            "--out", work / f"site-{name.split()[0]}",
        )  # fmt: skip
    for name, seconds in figures.items():
        print(f"{name:32s} {seconds:7.1f} s", flush=True)


if __name__ == "__main__":
    main()
