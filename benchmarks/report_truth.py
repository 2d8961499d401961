"""Check person pages of a built report against its raw extract, sentence by sentence.

The test suite's checker (tests/test_report.py::check_person_pages) run on a real site, e.g. the
default world after `make run`:

    .venv/bin/python benchmarks/report_truth.py --site reports/site --raw data/raw \
        --scores data/scores/scores.parquet --pages 500

Prints how many sentences of each kind were checked; fails loudly on the first untrue one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_report import check_person_pages  # noqa: E402

from flightrisk.schema import load_raw  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("reports/site"))
    parser.add_argument("--raw", type=Path, default=Path("data/raw"))
    parser.add_argument("--scores", type=Path, default=Path("data/scores/scores.parquet"))
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    scores = pd.read_parquet(args.scores)
    scores["employee_id"] = scores["employee_id"].astype(str)
    latest = scores[scores["snapshot_date"] == scores["snapshot_date"].max()]
    checked = check_person_pages(args.site, load_raw(args.raw), latest, min(args.pages, len(latest)))
    print(f"{min(args.pages, len(latest))} person pages, sentences checked against the raw tables: {checked}")


if __name__ == "__main__":
    main()
