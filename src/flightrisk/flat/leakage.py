"""Columns that alone predict who left implausibly well: usually written at or after the outcome.

A leaving date, "months observed until leaving or the end of the data", an exit-interview score, a
"replacement hired" flag: each is known only once a person has left, so a model fed with it looks
excellent in cross-validation and is useless on people who are still here. Real drivers of leaving
are weak one at a time (on the IBM table the strongest single column reaches 0.66 ROC-AUC), so a
single column reaching LEAK_ROC_AUC in folds is refused unless the catalog says why it is known in
advance (`table.strong_predictors`).

Each column is scored out of fold by the simplest model that can find any shape: the leaving rate
of its value (a category) or of its quantile bin (a number, up to 20 bins and one for empty cells),
learned on the training folds, shrunk toward the training folds' overall rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

LEAK_ROC_AUC = 0.85
BINS = 20
SHRINK_ROWS = 5  # a bin's rate is pulled toward the overall rate as if it held this many more rows


def single_column_roc_auc(values: pd.Series, y: np.ndarray, numeric: bool, splits) -> float:
    """Out-of-fold ROC-AUC of the leaving rate by the column's value (or bin), over the given splits."""
    predicted = np.full(len(y), np.nan)
    values = values.reset_index(drop=True)
    for train_rows, test_rows in splits:
        train_bins, test_bins = _bins(values, train_rows, test_rows, numeric)
        prior = y[train_rows].mean()
        rates = (
            pd.DataFrame({"bin": train_bins, "y": y[train_rows]}).groupby("bin")["y"].agg(["sum", "count"])
        )
        shrunk = (rates["sum"] + SHRINK_ROWS * prior) / (rates["count"] + SHRINK_ROWS)
        predicted[test_rows] = pd.Series(test_bins).map(shrunk).fillna(prior).to_numpy()
    scored = ~np.isnan(predicted)
    if len(np.unique(y[scored])) < 2:
        return 0.5
    return float(roc_auc_score(y[scored], predicted[scored]))


def _bins(values: pd.Series, train_rows, test_rows, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Bin labels for training and test rows: quantile bins of the training values, or the value itself."""
    if not numeric:
        text = values.astype("string").fillna("\0empty")
        return text.iloc[train_rows].to_numpy(), text.iloc[test_rows].to_numpy()
    numbers = values.to_numpy(dtype=float)
    train = numbers[train_rows]
    present = train[~np.isnan(train)]
    edges = (
        np.unique(np.quantile(present, np.linspace(0, 1, BINS + 1)[1:-1])) if len(present) else np.array([])
    )

    def label(x):
        out = np.searchsorted(edges, x, side="right").astype(float)
        out[np.isnan(x)] = -1  # empty cells: a bin of their own (being empty can itself give it away)
        return out

    return label(train), label(numbers[test_rows])


def strong_predictors(frame: pd.DataFrame, y: np.ndarray, catalog, splits) -> dict[str, float]:
    """Every catalog feature whose single-column out-of-fold ROC-AUC reaches LEAK_ROC_AUC, with it."""
    splits = list(splits)
    found = {}
    for spec in catalog.features:
        score = single_column_roc_auc(frame[spec.name], y, spec.type == "numeric", splits)
        if score >= LEAK_ROC_AUC:
            found[spec.name] = round(score, 3)
    return found


def leakage_problems(found: dict[str, float], allowed: dict[str, str], folds: int) -> list[str]:
    """The refusals for strong columns the catalog does not explain (one line each, with what to do)."""
    return [
        f"'{name}' alone predicts who left with ROC-AUC {score:.3f} in {folds} folds: a column this strong is "
        "usually written at or after the outcome (a leaving date, months observed until leaving, an exit "
        "interview). Move it under table.ignore; if it is truly known in advance, list it under "
        f"table.strong_predictors with the reason, e.g. strong_predictors: {{{name}: 'set at hiring'}}"
        for name, score in found.items()
        if name not in allowed
    ]
