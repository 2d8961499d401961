"""The snapshot panel: one row per employee per month-end they were employed, and the label.

Everything downstream is a column added to this panel, computed only from records dated on or
before the row's `snapshot_date`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NEXT_MONTH_LABEL = "exit_next_month"  # the hazard model's label (model/hazard_train.py)
HISTORY_MONTHS = 12  # the first snapshot comes a year after the extract begins: windows are full
MIN_PEERS = 5  # a comparison with colleagues rests on at least this many people (privacy and noise)


def month_key(dates: pd.Series) -> pd.Series:
    """Months since year 0 — an integer that orders and subtracts like months."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year * 12 + dates.dt.month - 1).astype("Int64")


def key_to_month_end(keys: np.ndarray) -> pd.DatetimeIndex:
    """Month keys (year * 12 + month - 1) -> month-end dates."""
    keys = np.asarray(keys, dtype=np.int64)
    start = pd.to_datetime({"year": keys // 12, "month": keys % 12 + 1, "day": 1})
    return pd.DatetimeIndex(start + pd.offsets.MonthEnd(0))


def label_horizon(features: pd.DataFrame) -> int | None:
    """The label horizon a feature table was built with: the latest month-ends whose label is unknown
    because their horizon runs past the extract (`flightrisk features --horizon`). None if every
    month is labelled."""
    months = pd.Series(sorted(features["snapshot_date"].unique()))
    labelled = features.groupby("snapshot_date")["label"].apply(lambda s: s.notna().any())
    labelled = labelled.reindex(months).to_numpy()
    if labelled.all() or not labelled.any():
        return None
    last = int(np.flatnonzero(labelled)[-1])
    return len(months) - 1 - last


def in_window(features: pd.DataFrame, window) -> np.ndarray:
    """The labelled rows dated within `window` (first and last month-end, inclusive): the one
    definition of a model's holdout rows (`RiskModel.holdout_mask`)."""
    start, end = (pd.Timestamp(d) for d in window)
    when = pd.to_datetime(features["snapshot_date"])
    return (features["label"].notna() & (when >= start) & (when <= end)).to_numpy()


def extract_window(tables: dict[str, pd.DataFrame]) -> tuple[int, int]:
    """First and last month (keys) the extract covers, read off its monthly tables."""
    months = pd.concat([tables["sales_performance"]["month"], tables["workload"]["month"]])
    keys = month_key(months)
    return int(keys.min()), int(keys.max())


def build_panel(
    tables: dict[str, pd.DataFrame],
    horizon: int,
    first_key: int | None = None,
    last_key: int | None = None,
) -> pd.DataFrame:
    """Employee x month-end rows for everyone employed at that month-end, with the label.

    `label` is 1 when the person left voluntarily within `horizon` months after the snapshot,
    0 when they did not (an involuntary exit is not a positive), and missing when the window
    reaches past the end of the extract.
    """
    data_first, data_last = extract_window(tables)
    employees = tables["employees"]
    hire = month_key(employees["hire_date"]).to_numpy(dtype=np.int64)
    term_date = pd.to_datetime(employees["termination_date"])
    term = month_key(term_date).astype("float").to_numpy()
    # Employed at the month-end of month k: hired by then and not gone by then (someone whose
    # last day is the 31st is gone at that snapshot: the exit is already known).
    last_active = np.where(np.isnan(term), data_last, term - 1)
    lo = np.maximum(hire, data_first)
    hi = np.minimum(last_active, data_last).astype(np.int64)
    counts = np.maximum(hi - lo + 1, 0)
    rows = np.repeat(np.arange(len(employees)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    keys = lo[rows] + offsets
    panel = pd.DataFrame(
        {
            "employee_id": employees["employee_id"].to_numpy()[rows],
            "month_key": keys.astype(np.int64),
        }
    )
    panel["snapshot_date"] = key_to_month_end(panel["month_key"].to_numpy())
    hire_dates = pd.to_datetime(employees["hire_date"]).to_numpy()[rows]
    panel["hire_date"] = hire_dates
    exit_date = term_date.to_numpy()[rows]
    exit_type = employees["termination_type"].to_numpy()[rows]
    window_end = panel["snapshot_date"] + pd.DateOffset(months=horizon)
    window_end = window_end + pd.offsets.MonthEnd(0)
    voluntary = (exit_type == "voluntary") & (exit_date > panel["snapshot_date"].to_numpy())
    voluntary &= exit_date <= window_end.to_numpy()
    extract_end = key_to_month_end(np.array([data_last]))[0]
    observable = window_end <= extract_end
    label = np.where(voluntary, 1.0, 0.0)
    panel["label"] = pd.array(np.where(observable, label, np.nan), dtype="Float64").astype("Int64")
    panel[NEXT_MONTH_LABEL] = next_month_exit(keys, exit_type, term[rows], data_last)
    lower = data_first + HISTORY_MONTHS if first_key is None else first_key
    panel.attrs["first_snapshot_key"] = lower
    panel.attrs["last_snapshot_key"] = data_last if last_key is None else last_key
    return panel.sort_values(["employee_id", "month_key"], kind="stable").reset_index(drop=True)


def next_month_exit(keys: np.ndarray, exit_type: np.ndarray, exit_key: np.ndarray, data_last: int):
    """Per snapshot month: 1 when the person left voluntarily in the following month, 0 when they were
    still employed at its end, missing when that is not known as a voluntary outcome — the month after
    the extract ends, or an involuntary exit (it censors the person: it is not a "stayed")."""
    leaves_next = exit_key == keys + 1
    value = np.where(leaves_next, np.where(exit_type == "voluntary", 1.0, np.nan), 0.0)
    value = np.where(keys >= data_last, np.nan, value)
    return pd.array(value, dtype="Float64").astype("Int64")


def rolling_sum(panel: pd.DataFrame, values: pd.Series, months: int) -> pd.Series:
    """Sum of `values` over the last `months` panel rows of each employee (rows are months)."""
    cumulative = values.groupby(panel["employee_id"], sort=False).cumsum()
    shifted = cumulative.groupby(panel["employee_id"], sort=False).shift(months).fillna(0.0)
    return cumulative - shifted


def monthly_total(
    panel: pd.DataFrame, table: pd.DataFrame, date_column: str, value: pd.Series | None = None
) -> pd.Series:
    """Per panel row, the total of `value` (or the count) of `table` records in that month."""
    frame = pd.DataFrame(
        {
            "employee_id": table["employee_id"].to_numpy(),
            "month_key": month_key(table[date_column]).to_numpy(dtype=np.int64),
            "value": 1.0 if value is None else pd.to_numeric(value).to_numpy(dtype=float),
        }
    )
    totals = frame.groupby(["employee_id", "month_key"], sort=False)["value"].sum()
    index = pd.MultiIndex.from_arrays([panel["employee_id"], panel["month_key"]])
    return pd.Series(totals.reindex(index).fillna(0.0).to_numpy(), index=panel.index)


def as_of(panel: pd.DataFrame, table: pd.DataFrame, date_column: str, columns: list[str]) -> pd.DataFrame:
    """The latest record of `table` dated on or before each row's snapshot (merge_asof)."""
    right = table[["employee_id", date_column, *columns]].copy()
    right[date_column] = pd.to_datetime(right[date_column]).astype("datetime64[ns]")
    right = right.sort_values(date_column, kind="stable")
    left = pd.DataFrame(
        {
            "employee_id": panel["employee_id"].to_numpy(),
            "snapshot_date": panel["snapshot_date"].astype("datetime64[ns]").to_numpy(),
            "_row": np.arange(len(panel)),
        }
    ).sort_values("snapshot_date", kind="stable")
    merged = pd.merge_asof(
        left,
        right.rename(columns={date_column: "_event_date"}),
        left_on="snapshot_date",
        right_on="_event_date",
        by="employee_id",
        direction="backward",
    )
    merged = merged.sort_values("_row", kind="stable")
    out = merged[[*columns, "_event_date"]].reset_index(drop=True)
    out.index = panel.index
    return out


def group_survey_mean(panel: pd.DataFrame, survey: pd.DataFrame, answer: str, group: str) -> np.ndarray:
    """Per panel row, the mean `answer` of the people in the row's `group` (a panel column: the team,
    the manager) at the group's latest survey month on or before the snapshot, only where at least
    MIN_PEERS answered (survey confidentiality: no mean over 3 or 4 answers). A survey answer counts
    for the group the person was in that month."""
    answers = survey.assign(month_key=month_key(survey["survey_date"]).astype("int64"))
    answers = answers.merge(panel[["employee_id", "month_key", group]], on=["employee_id", "month_key"])
    means = (
        answers.groupby([group, "month_key"])[answer]
        .agg(["mean", "count"])
        .reset_index()
        .query(f"count >= {MIN_PEERS}")
        .sort_values("month_key")
    )
    left = panel[[group, "month_key"]].assign(_row=range(len(panel))).sort_values("month_key")
    merged = pd.merge_asof(left, means[[group, "month_key", "mean"]], on="month_key", by=group)
    return merged.sort_values("_row")["mean"].to_numpy()


def months_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole months from `earlier` to `later` (NaN where `earlier` is missing)."""
    later = pd.to_datetime(later)
    earlier = pd.to_datetime(earlier)
    return ((later.dt.year - earlier.dt.year) * 12 + (later.dt.month - earlier.dt.month)).astype(float)


def peer_group_used(
    values: pd.Series, groups: list[list[pd.Series]], min_peers: int = MIN_PEERS
) -> pd.Series:
    """Per row, the index in `groups` of the group `peer_ratio` measured it in (-1: none had enough).

    Counts what `peer_ratio` counts: the rows of the group with a value.
    """
    used = pd.Series(-1, index=values.index)
    for i, keys in enumerate(groups):
        size = values.groupby(keys, sort=False, dropna=False).transform("count")
        used[(used < 0) & (size >= min_peers)] = i
    return used


def peer_ratio(values: pd.Series, groups: list[list[pd.Series]], min_peers: int = MIN_PEERS) -> pd.Series:
    """Each value over the median of its peer group in the same month.

    Groups are tried from the most specific to the broadest; a group with fewer than
    `min_peers` people falls back to the next, so a ratio never rests on two colleagues.
    """
    result = pd.Series(np.nan, index=values.index)
    for keys in groups:
        grouped = values.groupby(keys, sort=False, dropna=False)
        median = grouped.transform("median")
        size = grouped.transform("count")
        usable = result.isna() & (size >= min_peers) & median.gt(0)
        result[usable] = values[usable] / median[usable]
    return result
