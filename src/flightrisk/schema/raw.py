"""The raw HRIS extract: one schema per table (SPEC.md), type coercion, and cross-table checks.

`load_raw` reads a folder, types every column and collects *all* problems before raising, so
a user fixes an extract in one round instead of one error at a time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from flightrisk import ROLES
from flightrisk.errors import InputError, rows_preview
from flightrisk.io import NUMBER_HINTS, find_table, read_table, to_numbers


@dataclasses.dataclass(frozen=True)
class Col:
    """One column's contract: its kind, whether it may be empty, and its allowed values."""

    kind: str  # id | text | date | int | float | bool
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True)
class RawTable:
    """One raw table's columns, key, and the date its records are dated by: the one registry of a
    table's date (the employment check here, `features.build.cut_at` and the leakage tests read it)."""

    columns: dict[str, Col]
    key: tuple[str, ...]
    date_column: str | None = None  # what a record is dated by: nothing after a snapshot is read at it
    within_employment: bool = True  # the date must fall between hire and termination


RAW_TABLES: dict[str, RawTable] = {
    "employees": RawTable(
        {
            "employee_id": Col("id"),
            "name": Col("text"),
            "gender": Col("text"),
            "birth_year": Col("int", min=1930, max=2015),
            "hire_date": Col("date"),
            "termination_date": Col("date", nullable=True),
            "termination_type": Col("text", nullable=True, allowed=("voluntary", "involuntary")),
            "country": Col("text"),
            "region": Col("text"),
        },
        key=("employee_id",),
    ),
    "job_history": RawTable(
        {
            "employee_id": Col("id"),
            "effective_date": Col("date"),
            "role": Col("text", allowed=ROLES),
            "level": Col("int", min=1, max=10),
            "manager_id": Col("id", nullable=True),
            "team_id": Col("id"),
            "region": Col("text"),
        },
        key=("employee_id", "effective_date"),
        date_column="effective_date",
    ),
    "compensation": RawTable(
        {
            "employee_id": Col("id"),
            "effective_date": Col("date"),
            "base_salary_monthly": Col("float", min=1, max=2_000_000),
            "variable_target_annual": Col("float", min=0, max=50_000_000),
        },
        key=("employee_id", "effective_date"),
        date_column="effective_date",
    ),
    "bonus_payouts": RawTable(
        {
            "employee_id": Col("id"),
            "period_end": Col("date"),
            "target_amount": Col("float", min=0),
            "paid_amount": Col("float", min=0),
        },
        key=("employee_id", "period_end"),
        # The period's pay-out may come after a mid-month exit: dated, but not within employment.
        date_column="period_end",
        within_employment=False,
    ),
    "sales_performance": RawTable(
        {
            "employee_id": Col("id"),
            "month": Col("date"),
            "quota": Col("float", min=0),
            "bookings": Col("float", min=0),
            "pipeline": Col("float", min=0),
            "accounts": Col("int", min=0, max=100_000),
        },
        key=("employee_id", "month"),
        date_column="month",
    ),
    "training": RawTable(
        {
            "employee_id": Col("id"),
            "date": Col("date"),
            "topic": Col("text"),
            "hours": Col("float", min=0, max=500),
        },
        key=(),
        date_column="date",
    ),
    "recognition": RawTable(
        {"employee_id": Col("id"), "date": Col("date"), "kind": Col("text")},
        key=(),
        date_column="date",
    ),
    "one_on_ones": RawTable(
        {
            "employee_id": Col("id"),
            "date": Col("date"),
            "manager_id": Col("id", nullable=True),
            "kind": Col("text"),
        },
        key=(),
        date_column="date",
    ),
    "engagement_survey": RawTable(
        {
            "employee_id": Col("id"),
            "survey_date": Col("date"),
            "culture": Col("float", nullable=True, min=1, max=5),
            "manager_support": Col("float", nullable=True, min=1, max=5),
            "growth": Col("float", nullable=True, min=1, max=5),
            "recognition": Col("float", nullable=True, min=1, max=5),
            "workload_balance": Col("float", nullable=True, min=1, max=5),
            "enps": Col("int", nullable=True, min=0, max=10),
        },
        key=("employee_id", "survey_date"),
        date_column="survey_date",
    ),
    "workload": RawTable(
        {
            "employee_id": Col("id"),
            "month": Col("date"),
            "avg_weekly_hours": Col("float", min=0, max=100),
            "travel_days": Col("int", min=0, max=31),
            "pto_days": Col("int", min=0, max=31),
            "territory_changed": Col("bool"),
        },
        key=("employee_id", "month"),
        date_column="month",
    ),
}

EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2200-12-31")
DATE_RANGE_REASON = "is not a plausible date (years 1900-2200)"
_COERCE_HINTS = {
    **NUMBER_HINTS,
    "is not an ISO date (YYYY-MM-DD)": "write dates as YYYY-MM-DD",
    DATE_RANGE_REASON: "correct the year; a placeholder such as 9999-12-31 is not a date",
}
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


def _coerce_column(series: pd.Series, col: Col, decimal: str = ".") -> tuple[pd.Series, pd.Series, str]:
    """Type one column. Returns the typed column, a mask of cells that failed, and why."""
    present = series.notna()
    if col.kind in ("id", "text"):
        typed = series.astype("object").where(present, None)
        typed = typed.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        return typed, pd.Series(False, index=series.index), ""
    if col.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(series):
            typed = pd.to_datetime(series)
        else:
            typed = pd.to_datetime(series.astype("object"), format="ISO8601", errors="coerce")
        if getattr(typed.dt, "tz", None) is not None:
            typed = typed.dt.tz_localize(None)
        # Years pandas cannot hold (or no HR record can have) are refused, not turned into NaT.
        implausible = typed.notna() & ((typed < EARLIEST_DATE) | (typed > LATEST_DATE))
        looks_like_date = series.astype(str).str.match(r"^\s*[-+]?\d{4,}-\d{2}-\d{2}")
        out_of_range = implausible | (present & typed.isna() & looks_like_date)
        typed = typed.where(~implausible)
        if out_of_range.any():
            return typed.astype("datetime64[ns]"), present & (typed.isna() | out_of_range), DATE_RANGE_REASON
        return typed.astype("datetime64[ns]"), present & typed.isna(), "is not an ISO date (YYYY-MM-DD)"
    if col.kind == "bool":
        if pd.api.types.is_bool_dtype(series):
            return series.astype(bool), pd.Series(False, index=series.index), ""
        text = series.astype("object").map(
            lambda v: str(v).strip().lower() if v is not None and v == v else None
        )
        typed = text.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
        bad = present & typed.isna()
        return typed.where(~bad, False).astype(bool), bad, "is not true/false"
    # numbers: one dialect rule for every reader (io.to_numbers)
    typed, bad, reason = to_numbers(series, decimal)
    if bad.any():
        return typed, bad, reason
    if col.kind == "int":
        whole = typed.dropna() % 1 == 0
        fractional = pd.Series(False, index=series.index)
        fractional[whole.index[~whole]] = True
        if fractional.any():
            return typed, bad | fractional, "is not a whole number"
        typed = typed.astype("Int64") if col.nullable else typed
        if not col.nullable and not bad.any() and typed.notna().all():
            typed = typed.astype("int64")
    return typed, bad, reason


def _schema_for(name: str, spec: RawTable) -> pa.DataFrameSchema:
    columns = {}
    for column, col in spec.columns.items():
        checks = []
        if col.min is not None:
            checks.append(pa.Check.ge(col.min))
        if col.max is not None:
            checks.append(pa.Check.le(col.max))
        if col.allowed is not None:
            checks.append(pa.Check.isin(list(col.allowed)))
        if col.kind in ("id", "text"):
            checks.append(
                pa.Check(lambda s: s.astype(str).str.strip() != "", element_wise=False, error="empty text")
            )
        columns[column] = pa.Column(nullable=col.nullable, checks=checks, coerce=False)
    return pa.DataFrameSchema(
        columns,
        strict=True,
        unique=list(spec.key) if spec.key else None,
        name=name,
        report_duplicates="all",
    )


def _describe_failures(path: Path, exc: pa.errors.SchemaErrors) -> list[str]:
    problems = []
    cases = exc.failure_cases
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        rows = [int(i) + 1 for i in group["index"].dropna().tolist()][:1000]
        examples = ", ".join(repr(v) for v in group["failure_case"].head(3).tolist())
        where = f"column '{column}'" if isinstance(column, str) else "key columns"
        what = str(check)
        if what.startswith("field_uniqueness") or "unique" in what:
            what = "duplicate key"
        hint = {
            "not_nullable": "fill in the missing values",
            "duplicate key": "keep one row per key",
        }.get(what, "correct the values")
        problems.append(
            f"{path.name}: {where} fails '{what}' in {rows_preview(rows) if rows else 'the table'}"
            f" (e.g. {examples}); {hint}"
        )
    return problems


def load_table(name: str, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read and type one raw table. Returns the typed frame and a list of problems."""
    spec = RAW_TABLES[name]
    frame = read_table(path)
    problems: list[str] = []
    missing = [c for c in spec.columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in spec.columns]
    if missing:
        problems.append(f"{path.name}: missing column(s) {missing}; the table needs {list(spec.columns)}")
    if extra:
        problems.append(
            f"{path.name}: unexpected column(s) {extra}; remove them or rename to {list(spec.columns)}"
        )
    if missing or extra:
        return frame, problems
    typed = {}
    for column, col in spec.columns.items():
        values, bad, reason = _coerce_column(frame[column], col, frame.attrs.get("decimal", "."))
        if bad.any():
            rows = (frame.index[bad] + 1).tolist()
            examples = ", ".join(repr(v) for v in frame.loc[bad, column].head(3).tolist())
            problems.append(
                f"{path.name}: column '{column}' {reason} in {rows_preview(rows)} (e.g. {examples}); "
                + _COERCE_HINTS.get(reason, "correct the values")
            )
        typed[column] = values
    typed_frame = pd.DataFrame(typed, index=frame.index)
    if problems:
        return typed_frame, problems
    try:
        _schema_for(name, spec).validate(typed_frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems.extend(_describe_failures(Path(path), exc))
    return typed_frame, problems


def load_raw(raw_dir: Path, check: bool = True) -> dict[str, pd.DataFrame]:
    """Read every raw table of `raw_dir`, typed. Raises InputError listing every problem found."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(f"{raw_dir}: folder not found; pass the folder of the raw extract to --raw")
    tables: dict[str, pd.DataFrame] = {}
    problems: list[str] = []
    for name in RAW_TABLES:
        path = find_table(raw_dir, name)
        if path is None:
            problems.append(f"{raw_dir}: table '{name}' is missing (expected {name}.parquet or {name}.csv)")
            continue
        frame, table_problems = load_table(name, path)
        problems.extend(table_problems)
        if list(frame.columns) == list(RAW_TABLES[name].columns):  # typed, even if some cells are bad
            tables[name] = frame
    if check:
        # Links between tables are checked even when a table failed its own schema, so one
        # round of fixes is enough: a negative salary must not hide an orphan id.
        problems.extend(cross_table_problems(tables))
    if problems:
        raise InputError(f"{raw_dir}: the raw extract has {len(problems)} problem(s):", problems)
    return tables


def validate_raw(raw_dir: Path) -> dict[str, int]:
    """Check every table and the links between them; return row counts when all is well."""
    return {name: len(frame) for name, frame in load_raw(raw_dir).items()}


def extract_as_of(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The extract's as-of date: the end of the last month that most people have monthly records for.

    Read off the bulk of the monthly tables rather than their maximum, so that one mistyped row
    dated 2099 cannot move the extract's end (and invent years of "stayed" labels).
    """
    months = [tables[name]["month"].dropna() for name in ("sales_performance", "workload") if name in tables]
    if not months or not any(len(m) for m in months):
        return None
    counts = pd.concat(months).dt.to_period("M").value_counts()
    typical = counts.median()
    usable = counts[counts >= 0.5 * typical]
    return usable.index.max().to_timestamp(how="end").normalize()


def _rows(frame: pd.DataFrame, mask) -> str:
    return rows_preview((frame.index[mask] + 1).tolist())


def _future_problems(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> list[str]:
    problems = []
    for name, frame in tables.items():
        for column, col in RAW_TABLES[name].columns.items():
            if col.kind != "date":
                continue
            after = (frame[column] > as_of).to_numpy()
            if after.any():
                examples = [str(v.date()) for v in frame.loc[after, column].head(3)]
                problems.append(
                    f"{name}: '{column}' is after the extract's as-of date {as_of.date()} (the last month with "
                    f"monthly records for most people) in {_rows(frame, after)} (e.g. {examples}); correct the "
                    "dates, or extract again once that month is complete"
                )
    return problems


def cross_table_problems(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Links between tables: known ids, events within employment, managers that exist, no future dates.

    Works on whichever tables loaded with their columns, so it runs alongside schema problems.
    """
    problems: list[str] = []
    as_of = extract_as_of(tables)
    if as_of is not None:
        problems.extend(_future_problems(tables, as_of))
    if "employees" not in tables:
        return problems
    employees = tables["employees"]
    unique_people = employees.drop_duplicates("employee_id")
    known = set(employees["employee_id"].dropna())
    hired = unique_people.set_index("employee_id")["hire_date"]
    ended = unique_people.set_index("employee_id")["termination_date"]

    bad_order = (
        employees["termination_date"].notna() & (employees["termination_date"] < employees["hire_date"])
    ).to_numpy()
    if bad_order.any():
        problems.append(
            f"employees: termination_date before hire_date in {_rows(employees, bad_order)}; correct the dates"
        )
    mismatch = (employees["termination_date"].notna() != employees["termination_type"].notna()).to_numpy()
    if mismatch.any():
        problems.append(
            "employees: termination_date and termination_type must be both set or both empty; "
            f"see {_rows(employees, mismatch)}"
        )
    for name, spec in RAW_TABLES.items():
        if name == "employees" or name not in tables:
            continue
        frame = tables[name]
        unknown = (~frame["employee_id"].isin(known)).to_numpy()
        if unknown.any():
            problems.append(
                f"{name}: employee_id not in employees in {_rows(frame, unknown)} "
                f"(e.g. {frame.loc[unknown, 'employee_id'].head(3).tolist()}); add the people or drop the rows"
            )
        if spec.date_column is None or not spec.within_employment:
            continue
        when = frame[spec.date_column].to_numpy()
        start = hired.reindex(frame["employee_id"]).to_numpy()
        end = ended.reindex(frame["employee_id"]).to_numpy()
        # Monthly tables are dated the first of the month; a mid-month hire still counts that month.
        if spec.date_column == "month":
            start = pd.to_datetime(start).to_period("M").to_timestamp().to_numpy()
        outside = ~unknown & ((when < start) | (pd.notna(end) & (when > end)))
        if outside.any():
            problems.append(
                f"{name}: '{spec.date_column}' falls outside the person's employment in {_rows(frame, outside)}; "
                "check hire_date/termination_date or the event dates"
            )
    for name in ("job_history", "one_on_ones"):
        if name not in tables:
            continue
        frame = tables[name]
        has_manager = frame["manager_id"].notna().to_numpy()
        ghosts = has_manager & ~frame["manager_id"].isin(known).to_numpy()
        if ghosts.any():
            problems.append(
                f"{name}: manager_id not in employees in {_rows(frame, ghosts)} "
                f"(e.g. {frame.loc[ghosts, 'manager_id'].head(3).tolist()}); managers must be employees too"
            )
        own = has_manager & (frame["manager_id"] == frame["employee_id"]).to_numpy()
        if own.any():
            problems.append(
                f"{name}: a person is their own manager in {_rows(frame, own)} "
                f"(e.g. {frame.loc[own, 'employee_id'].head(3).tolist()}); give them their real manager or leave it empty"
            )
    return problems
