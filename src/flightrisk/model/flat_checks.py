"""What is checked about a flat table before a model is trained or benchmarked on it.

Beyond the catalog's fit (`flat/catalog.py`): copied rows (reported; they decide the folds),
columns that alone predict the outcome implausibly well (refused unless the catalog explains them),
and features with a single value (said: they cannot help). Pure: the caller prints and records.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from flightrisk.errors import InputError
from flightrisk.flat.catalog import FlatCatalog
from flightrisk.flat.duplicates import Duplicates, find_duplicates
from flightrisk.flat.leakage import leakage_problems, strong_predictors
from flightrisk.flat.transform import fit_group_medians, flat_features, outcomes
from flightrisk.model.flat_train import fold_splits

LEAK_FOLDS = 5
GROUP_AUTO, GROUP_NONE = "auto", "none"


@dataclasses.dataclass(frozen=True)
class TableChecks:
    """The checks' findings: fold groups, copies, strong columns, constant features, and notes to print."""

    groups: np.ndarray | None  # rows sharing a number stay in one fold; None: plain stratified folds
    group_by: str
    duplicates: Duplicates
    strong: dict[str, float]
    constant: list[str]
    notes: list[str]

    def record(self, allowed: dict[str, str]) -> dict:
        """As stored in the model's metadata and the benchmark's output."""
        return {
            "group_by": self.group_by,
            "fold_groups": None if self.groups is None else int(len(np.unique(self.groups))),
            "duplicates": self.duplicates.summary(),
            "strong_predictors": {
                name: {"roc_auc": score, "reason": allowed.get(name)} for name, score in self.strong.items()
            },
            "constant_features": self.constant,
        }


def check_flat_table(
    flat: FlatCatalog, table: pd.DataFrame, group_by: str, seed: int, source: str, folds: int = LEAK_FOLDS
) -> TableChecks:
    """Copies, fold groups, leaking and constant columns; exit 2 (InputError) on an unexplained leak or
    on groups too few for `folds` folds."""
    table = table.reset_index(drop=True)
    base = [f.name for f in flat.catalog.features if f.name not in flat.table.derived]
    y = outcomes(flat, table)
    folds = max(folds, LEAK_FOLDS)
    least = 2 * folds  # rows of each outcome, and groups: two per fold
    for outcome, value, count in (
        ("left", flat.table.positive, y.sum()),
        ("stayed", flat.table.negative, (1 - y).sum()),
    ):
        if count < least:
            raise InputError(
                f"{source}: only {count} row(s) say '{value}' ({outcome}) in '{flat.table.label_column}'; "
                f"cross-validation in {folds} folds needs at least {least} of each outcome"
            )
    duplicates = find_duplicates(table[base], y)
    groups = _fold_groups(group_by, duplicates, table, source)
    if groups is not None and len(np.unique(groups)) < least:
        raise InputError(
            f"--group-by {group_by}: {len(np.unique(groups))} groups are too few for {folds}-fold "
            f"cross-validation (at least {least}: two per fold); group by a finer column, or use 'auto' or 'none'"
        )
    notes = []
    if duplicates.any:
        notes.append(
            duplicates.message()
            if group_by == GROUP_AUTO
            else duplicates.message(f"Folds follow --group-by {group_by}.")
        )
    frame = flat_features(flat, table, fit_group_medians(flat, table))
    strong = strong_predictors(frame, y, flat.catalog, fold_splits(y, groups, LEAK_FOLDS, seed))
    problems = leakage_problems(strong, flat.table.strong_predictors, LEAK_FOLDS)
    if problems:
        raise InputError(
            f"{source}: {len(problems)} column(s) predict the outcome too well to be trusted:", problems
        )
    notes.extend(
        f"'{name}' alone predicts who left with ROC-AUC {score:.3f}; kept: {flat.table.strong_predictors[name]}"
        for name, score in strong.items()
    )
    constant = [name for name in flat.catalog.names if frame[name].nunique(dropna=False) <= 1]
    if constant:
        notes.append(
            f"feature(s) {constant} have one value in every row: they cannot help the model "
            "(move them under table.ignore to say so)"
        )
    return TableChecks(groups, group_by, duplicates, strong, constant, notes)


def _fold_groups(
    group_by: str, duplicates: Duplicates, table: pd.DataFrame, source: str
) -> np.ndarray | None:
    """auto: groups of copies (when there are any); none: no groups; a column: its values."""
    if group_by == GROUP_NONE:
        return None
    if group_by == GROUP_AUTO:
        return duplicates.groups if duplicates.any else None
    if group_by not in table.columns:
        raise InputError(
            f"--group-by {group_by!r} is not a column of {source}; give a column whose rows must stay in "
            f"one fold (e.g. a person or team), '{GROUP_AUTO}' (copies of rows) or '{GROUP_NONE}'"
        )
    values = table[group_by]
    if values.isna().any():
        rows = (table.index[values.isna()] + 1).tolist()[:5]
        raise InputError(f"--group-by column '{group_by}' is empty in rows {rows}: every row needs a group")
    return pd.factorize(values)[0].astype(np.int64)
