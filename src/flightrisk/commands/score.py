"""`flightrisk score`: stream an input through the model into a scores file, its run record beside
it and one line in the chained runs log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import tempfile
import uuid
from pathlib import Path

import pandas as pd

import flightrisk
from flightrisk import ledger
from flightrisk.commands.inputs import resolved_model
from flightrisk.commands.progress import row_progress
from flightrisk.errors import InputError
from flightrisk.explain.contributions import Explanation
from flightrisk.explain.person import compute
from flightrisk.governance.records import RUNS
from flightrisk.io import sha256_file, write_json, write_table
from flightrisk.model.artifact import load_model
from flightrisk.score.batch import PSI_THRESHOLD, latest_snapshot, score_file, snapshot_column
from flightrisk.score.bundle import remove_bundle, write_bundle

DEFAULT_RECORDS = Path("reports")


@dataclasses.dataclass(frozen=True)
class ScoreRequest:
    """What `flightrisk score` was asked to do."""

    model_ref: str
    out_path: Path
    input_path: Path | None = None
    explain: bool = False
    top_k: int = 3
    latest: bool = False
    raw: Path | None = None
    as_of: pd.Timestamp | None = None
    max_bad_share: float = 0.05
    chunk_rows: int = 50_000
    records: Path = DEFAULT_RECORDS

    def check(self) -> None:
        """Refuse contradictory or impossible options before any work."""
        if not 0 <= self.max_bad_share <= 1:  # also refuses nan
            raise InputError(f"--max-bad-share must be a share between 0 and 1, got {self.max_bad_share}")
        if self.raw is not None and self.as_of is None:
            raise InputError("--raw needs --as-of DATE: the month-end to build the snapshot for")
        if self.raw is None and self.input_path is None:
            raise InputError("give --input FILE, or --raw DIR --as-of DATE")
        if self.input_path is not None and Path(self.out_path).resolve() == Path(self.input_path).resolve():
            raise InputError(f"--out {self.out_path} is the input file; write the scores to another file")


def score_cli(request: ScoreRequest, console) -> dict:
    """Score, write the scores and `<out>.run.json`, log the run; the run record."""
    started = dt.datetime.now(dt.UTC)
    request.check()
    with resolved_model(request.model_ref) as model_dir:
        model = load_model(model_dir)
    kept: list[tuple] = []  # (typed rows, their explanation) per chunk of the month
    with tempfile.TemporaryDirectory() as tmp:
        input_path = _scoring_input(model, request, Path(tmp))
        only = _month_to_score(model, request, input_path)
        with row_progress(console) as bar:
            task = bar.add_task("Scoring", total=None) if bar else None
            stats, drift = score_file(
                model,
                input_path,
                request.out_path,
                explain=request.explain,
                top_k=request.top_k,
                chunk_rows=request.chunk_rows,
                max_bad_share=request.max_bad_share,
                only_date=only,
                progress=(lambda n: bar.advance(task, n)) if bar else None,
                # One month's rows are kept for the bundle; a run over every month keeps none.
                keep_rows=kept
                if request.explain and (only is not None or not model.dated or request.raw)
                else None,
            )
        bundle = _bundle(model, kept, request.out_path)
        extra = {
            "output": str(request.out_path),
            "model_reference": str(request.model_ref),
            "explain": request.explain,
            "snapshot_date": str(only.date()) if only is not None else None,
            "bundle": str(bundle) if bundle is not None else None,
        }
        record = run_record(
            model, request.model_ref, input_path, stats, drift, started, dt.datetime.now(dt.UTC), extra
        )
    write_json(record, Path(str(request.out_path) + ".run.json"))
    log_run(record, request.records)
    console.print(
        f"Scored {stats.rows_scored} of {stats.rows_read} rows ({stats.rows_flagged} low-confidence, "
        f"{stats.rows_rejected} rejected) into {request.out_path}; drift above threshold: "
        f"{record['drift']['exceeding'] or 'none'}"
    )
    return record


def run_record(
    model, model_dir: Path | str, input_path: Path, stats, drift: dict, started, ended, extra: dict
) -> dict:
    """The run record of a scoring run: who, what, which model and engine, counts, drift, timings."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return {
        "run_id": str(uuid.uuid4()),
        "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ended_utc": ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": user,
        "code_version": flightrisk.__version__,
        "model": {
            "directory": str(model_dir),
            "created_utc": model.metadata.get("created_utc"),
            "data_sha256": model.metadata.get("data_sha256"),
            "files_sha256": model.metadata.get("files_sha256"),
        },
        "explanation_engine": model.explanation_engine,
        "input": {"path": str(input_path), "sha256": sha256_file(input_path)},
        "rows": {
            "read": stats.rows_read,
            "scored": stats.rows_scored,
            "flagged": stats.rows_flagged,
            "rejected": stats.rows_rejected,
        },
        "rejected_examples": stats.rejected_examples,
        "flagged_by_feature": stats.flagged_by_feature,
        "seconds": {k: round(v, 3) for k, v in stats.seconds.items()},
        "drift": {
            "method": "population stability index against the training data",
            "threshold": PSI_THRESHOLD,
            "psi": drift,
            "exceeding": sorted(k for k, v in drift.items() if v > PSI_THRESHOLD),
        },
        **extra,
    }


def log_run(record: dict, records: Path = DEFAULT_RECORDS) -> None:
    """One line in `<records>/runs.jsonl`: what ran, on what, how long (scoring and reports);
    hash-chained (`ledger.py`), so `flightrisk audit` sees a deleted or edited line."""
    ledger.append(Path(records) / RUNS, record)


def _bundle(model, kept: list[tuple], out_path: Path) -> Path | None:
    """With --explain and one month scored, the bundle `report` and `plan` read (`score/bundle.py`);
    otherwise any bundle an earlier run left beside the scores is removed."""
    rows = pd.concat([typed for typed, _ in kept], ignore_index=True) if kept else None
    if rows is None or pd.to_datetime(rows["snapshot_date"]).nunique() != 1:
        remove_bundle(out_path)
        return None
    # The contributions were computed while scoring; only the what-ifs are new work.
    explanation = Explanation.concat([explanation for _, explanation in kept])
    return write_bundle(model, rows, compute(model, rows, explanation=explanation), out_path)


def _scoring_input(model, request: ScoreRequest, tmp: Path) -> Path:
    """The file to score: --input as given, or the snapshot built from --raw at --as-of."""
    if request.raw is None:
        return Path(request.input_path)
    from flightrisk.schema import load_raw

    built = tmp / "snapshot.parquet"
    write_table(model.features_from_extract(load_raw(request.raw), request.as_of), built)
    return built


def _month_to_score(model, request: ScoreRequest, input_path: Path) -> pd.Timestamp | None:
    """The one month to score from a dated input (--as-of, or --latest), else None: every row."""
    if not model.dated or request.raw is not None:
        return None
    if request.as_of is not None:
        month = pd.Timestamp(request.as_of) + pd.offsets.MonthEnd(0)
        if not (snapshot_column(input_path) == month).any():
            raise InputError(f"{input_path}: no snapshot dated {month.date()}; check --as-of")
        return month
    return latest_snapshot(input_path) if request.latest else None
