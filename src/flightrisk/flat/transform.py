"""From a flat table to the model's feature frame: ids, label, derived features (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.errors import InputError, rows_preview
from flightrisk.flat.catalog import FlatCatalog, id_values
from flightrisk.io import NUMBER_HINTS, to_numbers


def outcomes(flat: FlatCatalog, table: pd.DataFrame) -> np.ndarray:
    """1 for each row whose label says the person left, 0 otherwise (the catalog check refused others)."""
    return (table[flat.table.label_column].astype(str) == flat.table.positive).astype(int).to_numpy()


def fit_group_medians(flat: FlatCatalog, table: pd.DataFrame) -> dict:
    """Medians the derived `ratio_to_group_median` features divide by, learned from training rows."""
    medians = {}
    for name, rule in flat.table.derived.items():
        if "ratio_to_group_median" not in rule:
            continue
        column, by = rule["ratio_to_group_median"], list(rule.get("by", []))
        values = pd.to_numeric(table[column], errors="coerce")
        overall = float(values.median())
        if by:
            groups = values.groupby([table[b].astype(str) for b in by]).median()
            medians[name] = {
                "overall": overall,
                "groups": {
                    "|".join(map(str, k if isinstance(k, tuple) else (k,))): float(v)
                    for k, v in groups.items()
                },
            }
        else:
            medians[name] = {"overall": overall, "groups": {}}
    return medians


def flat_features(
    flat: FlatCatalog, table: pd.DataFrame, medians: dict, as_of: str | None = None
) -> pd.DataFrame:
    """employee_id, snapshot_date, label and every catalog feature, in catalog order."""
    spec = flat.table
    out = pd.DataFrame({"employee_id": id_values(spec, table).to_numpy()})
    out["snapshot_date"] = pd.Timestamp(as_of) if as_of else pd.NaT
    if spec.label_column in table.columns:
        label = table[spec.label_column].astype(str)
        out["label"] = pd.array(np.where(label == spec.positive, 1, 0), dtype="Int64")
    else:
        out["label"] = pd.array([pd.NA] * len(table), dtype="Int64")
    for feature in flat.catalog.features:
        name = feature.name
        if name in spec.derived:
            values = _derive(spec.derived[name], name, table, medians)
        else:
            values = table[name]
        if feature.type == "numeric":
            numbers, bad, reason = to_numbers(values, table.attrs.get("decimal", "."))
            if bad.any():
                raise InputError(
                    f"column '{name}' {reason} in {rows_preview((table.index[bad] + 1).tolist())} "
                    f"(e.g. {values[bad].head(3).tolist()}); {NUMBER_HINTS.get(reason, 'correct the values')}"
                )
            out[name] = numbers.to_numpy()
        else:
            out[name] = values.astype(str).to_numpy()
    return out


def _derive(rule: dict, name: str, table: pd.DataFrame, medians: dict) -> pd.Series:
    def num(column):
        return to_numbers(table[column], table.attrs.get("decimal", "."))[0]

    if "ratio_to_group_median" in rule:
        column, by = rule["ratio_to_group_median"], list(rule.get("by", []))
        info = medians[name]
        if by:
            keys = table[by].astype(str).agg("|".join, axis=1) if len(by) > 1 else table[by[0]].astype(str)
            denominator = keys.map(info["groups"]).astype(float).fillna(info["overall"])
        else:
            denominator = pd.Series(info["overall"], index=table.index)
        return num(column) / denominator.replace(0, np.nan)
    if "ratio" in rule:
        top, bottom = rule["ratio"]
        return num(top) / (num(bottom) + float(rule.get("add_to_denominator", 0))).replace(0, np.nan)
    a, b = rule["difference"]
    return num(a) - num(b)
