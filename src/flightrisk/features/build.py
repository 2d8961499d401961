"""Assemble the feature table: the snapshot panel plus every lever family's features."""

from __future__ import annotations

import pandas as pd

from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog
from flightrisk.features.compensation import compensation_features
from flightrisk.features.context import add_job_state, context_features
from flightrisk.features.culture import culture_features
from flightrisk.features.development import development_features
from flightrisk.features.leadership import leadership_features
from flightrisk.features.recognition import recognition_features
from flightrisk.features.snapshots import NEXT_MONTH_LABEL, build_panel, month_key
from flightrisk.features.workload import add_sales_helpers, workload_features
from flightrisk.schema.raw import RAW_TABLES

LEVER_BUILDERS = (
    compensation_features,
    development_features,
    recognition_features,
    workload_features,
    leadership_features,
    culture_features,
    context_features,
)
ID_COLUMNS = ["employee_id", "snapshot_date", "label", NEXT_MONTH_LABEL]


def cut_at(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Drop every record dated after `as_of` (and exits that had not happened yet)."""
    dated = {name: spec.date_column for name, spec in RAW_TABLES.items() if spec.date_column}
    out = {name: tables[name][tables[name][column] <= as_of] for name, column in dated.items()}
    employees = tables["employees"][tables["employees"]["hire_date"] <= as_of].copy()
    future_exit = employees["termination_date"] > as_of
    employees.loc[future_exit, "termination_date"] = pd.NaT
    employees.loc[future_exit, "termination_type"] = None
    out["employees"] = employees
    return out


def build_snapshot_features(
    tables: dict[str, pd.DataFrame],
    catalog: Catalog,
    horizon: int = 12,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per employee and month-end: ids, label, and every catalog feature.

    With `as_of`, only that month's snapshot is built, from records dated on or before it.
    """
    if as_of is not None:
        as_of = pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)
        tables = cut_at(tables, as_of)
    panel = build_panel(tables, horizon)
    panel = add_job_state(panel, tables)
    panel = add_sales_helpers(panel, tables)
    parts = [builder(panel, tables) for builder in LEVER_BUILDERS]
    features = pd.concat(parts, axis=1)
    missing = [name for name in catalog.names if name not in features.columns]
    if missing:
        raise InputError(f"the catalog lists features no builder makes: {missing}")
    first = panel.attrs["first_snapshot_key"]
    keep = panel["month_key"] >= first
    if as_of is not None:
        keep = panel["month_key"] == int(month_key(pd.Series([as_of])).iloc[0])
        if not keep.any():
            raise InputError(f"nobody is employed at {as_of.date()} in this extract")
    table = pd.concat([panel[ID_COLUMNS], features[catalog.names]], axis=1)[keep]
    if as_of is None and table.empty:
        raise InputError("the extract is shorter than the 12 months of history a snapshot needs")
    table = table.sort_values(["snapshot_date", "employee_id"], kind="stable").reset_index(drop=True)
    for name in catalog.categorical:
        table[name] = table[name].astype("object")
    return table
