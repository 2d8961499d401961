"""Batch scoring: a strict input contract, streaming in chunks, atomic output, the run's counts.

`score_frame` is the pure core (typed rows in, scores out) that `score_file` and the MLflow model
share; `score_file` streams a file through it with bounded memory. The run record itself is
written by `commands.score.score_cli`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flightrisk.errors import InputError, rows_preview
from flightrisk.explain.contributions import LEVER_COLUMNS, Explanation, explain_rows
from flightrisk.explain.narrative import top_drivers
from flightrisk.i18n import Words
from flightrisk.io import (
    atomic_path,
    is_european_csv,
    read_csv_chunks,
    table_format,
    to_numbers,
    write_csv_rows,
)
from flightrisk.model.risk_model import BANDS, MonthlyHazard, RiskModel

PSI_THRESHOLD = 0.2


def horizon_columns(model: RiskModel) -> list[str]:
    """`risk_3m`, `risk_6m`, `risk_12m` where the model speaks of months ahead (a hazard model);
    none for the 12-month classifier, which knows only its one horizon."""
    return [f"risk_{h}m" for h in model.horizons] if isinstance(model, MonthlyHazard) else []


def output_schema(top_k: int, explain: bool, horizons: list[str] = ()) -> pa.Schema:
    """The Parquet schema of the scores file (with lever and driver columns under --explain)."""
    fields = [
        pa.field("employee_id", pa.string()),
        pa.field("snapshot_date", pa.timestamp("ms")),
        pa.field("risk", pa.float64()),
        *(pa.field(column, pa.float64()) for column in horizons),
        pa.field("risk_band", pa.string()),
        pa.field("percentile", pa.float64()),
        pa.field("low_confidence", pa.bool_()),
    ]
    if explain:
        fields += [pa.field("base_rate", pa.float64())] + [pa.field(c, pa.float64()) for c in LEVER_COLUMNS]
        for j in range(1, top_k + 1):
            fields += [pa.field(f"driver_{j}", pa.string()), pa.field(f"driver_{j}_text", pa.string())]
    return pa.schema(fields)


def score_frame(
    model: RiskModel,
    frame: pd.DataFrame,
    explain: bool = True,
    top_k: int = 3,
    words: Words | None = None,
    explanation: Explanation | None = None,
) -> pd.DataFrame:
    """Scores for a typed feature frame: risk, band, percentile, low_confidence (+ levers, drivers);
    `explanation` when the frame's contributions are already computed."""
    frame = frame.reset_index(drop=True)
    scores = pd.DataFrame(
        {
            "employee_id": frame["employee_id"].astype(str),
            "snapshot_date": pd.to_datetime(frame["snapshot_date"]).astype("datetime64[ms]"),
        }
    )
    if explain:
        explanation = explanation if explanation is not None else explain_rows(model, frame)
        risk = explanation.risk
    else:
        risk = model.risk(frame)
    scores["risk"] = risk
    if horizon_columns(model):
        risks = model.horizon_risks(frame)
        for column in horizon_columns(model):
            scores[column] = risks[column].to_numpy()
    scores["risk_band"] = model.band(risk)
    scores["percentile"] = model.percentile(risk)
    scores["low_confidence"] = model.outside_training(frame).any(axis=1).to_numpy()
    if explain:
        scores["base_rate"] = explanation.base_rate
        scores = pd.concat([scores, explanation.lever_points()], axis=1)
        scores = pd.concat([scores, top_drivers(explanation, model.catalog, frame, top_k, words)], axis=1)
    return scores


SCORE_COLUMNS = ("employee_id", "snapshot_date", "risk", "risk_band", "percentile", "low_confidence")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def validate_scores(scores: pd.DataFrame, source: str) -> pd.DataFrame:
    """A scores table typed and checked before anything is rendered from it; every problem listed.

    Guards the report against files edited by hand or produced elsewhere: a "False" string is not
    true, a risk of 7 is not a probability, and one person must not appear twice in a month.
    """
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {missing}; is this a file from `flightrisk score`?")
    typed = scores.reset_index(drop=True).copy()
    problems = []

    def complain(column: str, mask, what: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            examples = typed.loc[mask, column].head(3).tolist()
            problems.append(
                f"column '{column}' {what} in {rows_preview(np.flatnonzero(mask) + 1)} (e.g. {examples})"
            )

    ids = typed["employee_id"]
    complain("employee_id", ids.isna() | (ids.astype(str).str.strip() == ""), "is empty")
    typed["employee_id"] = ids.astype(str)
    raw_dates = typed["snapshot_date"]
    dates = (
        pd.to_datetime(raw_dates)
        if pd.api.types.is_datetime64_any_dtype(raw_dates)
        else pd.to_datetime(raw_dates.astype("object"), format="ISO8601", errors="coerce")
    )
    complain("snapshot_date", dates.isna(), "is not a date")
    for column, low, high in (("risk", 0.0, 1.0), ("percentile", 0.0, 100.0)):
        numbers, bad, _ = to_numbers(typed[column], scores.attrs.get("decimal", "."))
        complain(
            column,
            bad | numbers.isna() | (numbers < low) | (numbers > high),
            f"is not a number from {low:g} to {high:g}",
        )
        typed[column] = numbers
    complain("risk_band", ~typed["risk_band"].isin(BANDS), f"is not one of {list(BANDS)}")
    flags = typed["low_confidence"]
    if not pd.api.types.is_bool_dtype(flags):
        text = flags.astype(str).str.strip().str.lower()
        complain("low_confidence", ~text.isin(_TRUE | _FALSE), "is not true/false")
        flags = text.isin(_TRUE)
    typed["low_confidence"] = flags.astype(bool)
    for column in [c for c in typed.columns if c.startswith("lever_") or c == "base_rate"]:
        numbers, bad, _ = to_numbers(typed[column], scores.attrs.get("decimal", "."))
        complain(column, bad | (numbers.abs() > 1), "is not a number of probability points")
        typed[column] = numbers
    typed["snapshot_date"] = dates
    repeated = typed.duplicated(["employee_id", "snapshot_date"], keep="first").to_numpy()
    complain("employee_id", repeated, "repeats a person within the same snapshot_date")
    if problems:
        raise InputError(f"{source}: the scores cannot be reported; fix these and rerun:", problems)
    return typed


# ------------------------------------------------------------------ the input contract


def check_columns(columns: list[str], model: RiskModel, source: str) -> None:
    """The input's columns against the model's contract: all problems listed at once."""
    problems = model.input_problems(columns)
    if problems:
        raise InputError(
            f"{source}: the input does not match the model's contract; fix these and rerun:", problems
        )


def typed_rows(model: RiskModel, table: pd.DataFrame, source: str) -> pd.DataFrame:
    """A whole input table as the model's typed rows; any row it cannot read is an error."""
    check_columns(list(table.columns), model, source)
    return checked_rows(model, model.prepare(table), source, table.attrs.get("decimal", "."))


def checked_rows(model: RiskModel, prepared: pd.DataFrame, source: str, decimal: str = ".") -> pd.DataFrame:
    """Prepared rows typed by the input contract; any row it cannot read is an error (row numbers
    are the input's)."""
    rows, report = check_types(prepared, model, 0, decimal)
    if report["rejected_rows"]:
        raise InputError(
            f"{source}: {report['rejected_rows']} row(s) cannot be read; fix them:",
            _rejection_details(report["problems"]),
        )
    return rows


def _rejection_details(problems: dict[str, list[int]]) -> list[str]:
    return [f"column '{c}': rows {rows[:5]}" for c, rows in problems.items()]


def check_types(
    frame: pd.DataFrame, model: RiskModel, offset: int, decimal: str = "."
) -> tuple[pd.DataFrame, dict]:
    """Type a chunk. Rows whose values are not numbers/dates where those are due are rejected, and so
    are rows with no feature value at all (they would otherwise be scored as the average person).
    """
    bad_rows = pd.Series(False, index=frame.index)
    problems: dict[str, list[int]] = {}

    def reject(column: str, mask: pd.Series) -> None:
        nonlocal bad_rows
        if mask.any():
            problems[column] = (frame.index[mask] + offset + 1).tolist()
            bad_rows |= mask

    typed = frame.copy()
    dates = pd.to_datetime(typed["snapshot_date"], errors="coerce")
    reject("snapshot_date", dates.isna())
    typed["snapshot_date"] = dates
    ids = typed["employee_id"]
    reject("employee_id", ids.isna() | (ids.astype(str).str.strip() == ""))
    for spec in model.catalog.features:
        if spec.type == "categorical":
            continue
        numeric, bad, _ = to_numbers(typed[spec.name], decimal)
        reject(spec.name, bad)
        typed[spec.name] = numeric
    features = typed[model.feature_names]
    reject("(every feature empty)", features.isna().all(axis=1) & ~bad_rows)
    return typed[~bad_rows], {"rejected_rows": int(bad_rows.sum()), "problems": problems}


class DuplicateKeys:
    """Refuses a second row for the same (employee_id, snapshot_date) anywhere in a streamed file."""

    def __init__(self, source: str):
        self.source = source
        self.seen: set[int] = set()

    def check(self, typed: pd.DataFrame, offset: int) -> None:
        """Refuse rows whose (employee_id, snapshot_date) was already seen."""
        keys = pd.util.hash_pandas_object(typed[["employee_id", "snapshot_date"]], index=False).to_numpy()
        repeated = pd.Series(keys).duplicated().to_numpy() | np.isin(keys, list(self.seen))
        if repeated.any():
            where = typed.index[repeated][:5] + offset + 1
            examples = typed.loc[typed.index[repeated][:3], "employee_id"].tolist()
            raise InputError(
                f"{self.source}: rows {where.tolist()} repeat an (employee_id, snapshot_date) pair already in "
                f"the file (e.g. {examples}); keep one row per person and month. Nothing was written."
            )
        self.seen.update(keys.tolist())


# ------------------------------------------------------------------ streaming


def iter_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Read a Parquet or CSV file in chunks (pyarrow record batches / pandas chunks)."""
    path = Path(path)
    if table_format(path, "input") == "parquet":
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            yield batch.to_pandas()
    else:
        # Cells stay text; check_types turns them into numbers under the file's one dialect rule.
        yield from read_csv_chunks(path, chunk_rows)


def input_columns(path: Path) -> list[str]:
    """The header of an input file (CSV or Parquet), without reading its rows."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if table_format(path, "input") == "parquet":
        return pq.ParquetFile(path).schema_arrow.names
    return list(next(read_csv_chunks(path, 1, nrows=0)).columns)


@dataclasses.dataclass
class ScoreStats:
    """Counts and timings of a scoring run, for its run record."""

    rows_read: int = 0
    rows_scored: int = 0
    rows_flagged: int = 0
    rows_rejected: int = 0
    rejected_examples: dict = dataclasses.field(default_factory=dict)
    flagged_by_feature: dict = dataclasses.field(default_factory=dict)
    seconds: dict = dataclasses.field(default_factory=lambda: {"read": 0.0, "score": 0.0, "write": 0.0})

    def count_rejected(self, report: dict) -> None:
        """Add a chunk's rejected rows, keeping the first five row numbers per column as examples."""
        self.rows_rejected += report["rejected_rows"]
        for column, rows in report["problems"].items():
            kept = self.rejected_examples.setdefault(column, [])
            kept.extend(rows[: 5 - len(kept)])


class DriftCounter:
    """Accumulates each feature's distribution over chunks, for the PSI against training."""

    def __init__(self, model: RiskModel):
        self.model = model
        self.counts: dict[str, np.ndarray | dict] = {}
        self.missing: dict[str, int] = {}
        self.total = 0

    def add(self, frame: pd.DataFrame) -> None:
        """Count a chunk's values into the training profile's PSI bins."""
        self.total += len(frame)
        for spec in self.model.catalog.features:
            info = self.model.profile["features"][spec.name]
            if spec.type == "categorical":
                counts = self.counts.setdefault(spec.name, {})
                for key, value in frame[spec.name].astype(str).value_counts().items():
                    counts[key] = counts.get(key, 0) + int(value)
                continue
            values = pd.to_numeric(frame[spec.name], errors="coerce").to_numpy(dtype=float)
            present = values[~np.isnan(values)]
            self.missing[spec.name] = self.missing.get(spec.name, 0) + int(np.isnan(values).sum())
            edges = np.asarray(info.get("edges") or [])
            bins = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1)
            self.counts[spec.name] = self.counts.get(spec.name, 0) + bins

    def psi(self) -> dict[str, float]:
        """Population stability index per feature against the training data."""
        out = {}
        eps = 1e-4
        for spec in self.model.catalog.features:
            info = self.model.profile["features"][spec.name]
            if spec.name not in self.counts:
                continue
            if spec.type == "categorical":
                counts = self.counts[spec.name]
                keys = sorted(set(counts) | set(info["shares"]))
                actual = np.array([counts.get(k, 0) for k in keys], dtype=float)
                expected = np.array([info["shares"].get(k, 0.0) for k in keys])
            else:
                actual = np.asarray(self.counts[spec.name], dtype=float)
                expected = np.asarray(info.get("shares") or [1.0])
                if len(expected) != len(actual):
                    continue
            if actual.sum() == 0:
                continue
            a = np.clip(actual / actual.sum(), eps, None)
            e = np.clip(expected, eps, None)
            out[spec.name] = round(float(np.sum((a - e) * np.log(a / e))), 6)
        return out


def snapshot_column(path: Path) -> pd.Series:
    """The snapshot_date column of a feature file, parsed; unparseable dates are an error, not dropped."""
    if table_format(path, "input") == "parquet":
        column = pq.read_table(path, columns=["snapshot_date"]).column(0).to_pandas()
    else:
        column = pd.concat(
            chunk["snapshot_date"] for chunk in read_csv_chunks(path, 200_000, usecols=["snapshot_date"])
        )
    column = column.reset_index(drop=True)
    dates = pd.to_datetime(column, errors="coerce")
    bad = dates.isna()
    if bad.any():
        raise InputError(
            f"{path}: column 'snapshot_date' has values that are not dates in {rows_preview((column.index[bad] + 1).tolist())} "
            f"(e.g. {column[bad].head(3).tolist()}); fix them before choosing the latest month"
        )
    return dates


def latest_snapshot(path: Path, min_share: float = 0.5) -> pd.Timestamp:
    """The latest snapshot date that holds a real month of rows.

    A month with fewer than `min_share` of the typical month's rows is a stray (one row dated in
    the future), not the month to score: refused with the counts, so the user can fix or choose.
    """
    dates = snapshot_column(path)
    counts = dates.value_counts()
    latest = counts.index.max()
    typical = float(counts.median())
    if counts[latest] < min_share * typical:
        raise InputError(
            f"{path}: the latest snapshot_date {latest.date()} has only {counts[latest]} row(s) against "
            f"{typical:.0f} in a typical month; correct the stray rows, or pass --as-of DATE to choose the month"
        )
    return latest


def score_file(
    model: RiskModel,
    input_path: Path,
    out_path: Path,
    explain: bool = False,
    top_k: int = 3,
    chunk_rows: int = 50_000,
    max_bad_share: float = 0.05,
    only_date: pd.Timestamp | None = None,
    progress=None,
    keep_rows: list | None = None,
) -> tuple[ScoreStats, dict[str, float]]:
    """Stream `input_path` through the model into `out_path` (renamed into place when complete).

    The input's columns are checked against the model's contract first; each chunk is then
    prepared (a flat table transformed), typed, and rows that cannot be read are counted. With
    `keep_rows` (a list), each chunk's typed rows and their explanation are appended to it (`score
    --explain`'s bundle: the contributions are computed once).
    """
    out_path = Path(out_path)
    out_format = table_format(out_path, "output")
    check_columns(input_columns(input_path), model, str(input_path))
    stats = ScoreStats()
    drift = DriftCounter(model)
    schema = output_schema(top_k, explain, horizon_columns(model))
    decimal = "," if is_european_csv(input_path) else "."
    duplicates = DuplicateKeys(str(input_path))
    with atomic_path(out_path) as tmp:
        writer = None if out_format == "csv" else pq.ParquetWriter(tmp, schema)
        try:
            offset = 0
            tick = time.perf_counter()
            for chunk in iter_chunks(input_path, chunk_rows):
                stats.seconds["read"] += time.perf_counter() - tick
                chunk.index = pd.RangeIndex(len(chunk))
                stats.rows_read += len(chunk)
                chunk = model.prepare(chunk)
                if only_date is not None:
                    chunk = chunk[pd.to_datetime(chunk["snapshot_date"], errors="coerce") == only_date]
                typed, report = check_types(chunk, model, offset, decimal)
                duplicates.check(typed, offset)
                offset += len(chunk) if only_date is None else 0
                stats.count_rejected(report)
                if not typed.empty:
                    scores, explanation = _score_chunk(model, typed, explain, top_k, stats, drift)
                    _write_chunk(scores, tmp, writer, schema, stats)
                    if keep_rows is not None:
                        keep_rows.append((typed, explanation))
                if progress is not None:
                    progress(len(chunk))
                tick = time.perf_counter()
            _check_enough_scored(stats, max_bad_share, input_path)
        finally:
            if writer is not None:
                writer.close()
    return stats, drift.psi()


def _score_chunk(
    model, typed, explain: bool, top_k: int, stats: ScoreStats, drift: DriftCounter
) -> tuple[pd.DataFrame, Explanation | None]:
    """Scores of one typed chunk and, with `explain`, its explanation; its low-confidence flags and
    feature distribution are counted."""
    tick = time.perf_counter()
    explanation = explain_rows(model, typed.reset_index(drop=True)) if explain else None
    scores = score_frame(model, typed, explain=explain, top_k=top_k, explanation=explanation)
    flags = model.outside_training(typed.reset_index(drop=True))
    for name, count in flags.sum().items():
        if count:
            stats.flagged_by_feature[name] = stats.flagged_by_feature.get(name, 0) + int(count)
    drift.add(typed)
    stats.rows_scored += len(scores)
    stats.rows_flagged += int(scores["low_confidence"].sum())
    stats.seconds["score"] += time.perf_counter() - tick
    return scores, explanation


def _write_chunk(scores: pd.DataFrame, tmp: Path, writer, schema: pa.Schema, stats: ScoreStats) -> None:
    """Append one chunk's scores to the temporary output (CSV with its header once, or Parquet)."""
    tick = time.perf_counter()
    if writer is None:
        write_csv_rows(scores, tmp, header=stats.rows_scored == len(scores), mode="a")
    else:
        writer.write_table(pa.Table.from_pandas(scores, schema=schema, preserve_index=False))
    stats.seconds["write"] += time.perf_counter() - tick


def _check_enough_scored(stats: ScoreStats, max_bad_share: float, input_path: Path) -> None:
    """Too many unreadable rows, or none scored: an error, and the output is not published."""
    considered = stats.rows_scored + stats.rows_rejected
    if considered and stats.rows_rejected / considered > max_bad_share:
        details = _rejection_details(stats.rejected_examples)
        raise InputError(
            f"{input_path}: {stats.rows_rejected} of {considered} rows have values of the wrong type "
            f"({stats.rows_rejected / considered:.1%} > the allowed {max_bad_share:.0%}); nothing was written. "
            "Fix the rows, or raise --max-bad-share if a partial run is acceptable:",
            details,
        )
    if stats.rows_scored == 0:
        raise InputError(f"{input_path}: no row could be scored; nothing was written")
