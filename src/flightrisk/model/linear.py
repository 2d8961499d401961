"""A logistic-regression component stored as plain numbers, for blending with the booster.

On small flat tables a linear model often ranks as well as boosting; blending the two margins
(a fixed weight, chosen in advance) keeps what each does well. Its exact Shapley values are
`coef * (z - mean z)` per feature, so a blended model still splits exactly into contributions.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from flightrisk.features.catalog import Catalog


@dataclasses.dataclass(frozen=True)
class LinearPart:
    """The logistic part of a blended model, as plain numbers (no pickles)."""

    numeric: dict[str, dict[str, float]]  # feature -> median, center, scale, coef
    categorical: dict[str, dict[str, dict[str, float]]]  # feature -> category -> {coef, share}
    intercept: float

    def to_dict(self) -> dict:
        """As stored in linear.json."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LinearPart:
        """From linear.json."""
        return cls(data["numeric"], data["categorical"], float(data["intercept"]))

    def contributions(self, frame: pd.DataFrame, catalog: Catalog) -> np.ndarray:
        """(rows, features + 1): exact Shapley values of the linear margin, last column the base value."""
        out = np.zeros((len(frame), len(catalog.features) + 1))
        base = self.intercept
        for j, spec in enumerate(catalog.features):
            if spec.name in self.numeric:
                p = self.numeric[spec.name]
                values = pd.to_numeric(frame[spec.name], errors="coerce").astype(float).fillna(p["median"])
                out[:, j] = p["coef"] * (values.to_numpy() - p["center"]) / p["scale"]
            elif spec.name in self.categorical:
                levels = self.categorical[spec.name]
                values = frame[spec.name].astype(str).to_numpy()
                for level, p in levels.items():
                    out[:, j] += p["coef"] * ((values == level) - p["share"])
                    base += p["coef"] * p["share"]
        out[:, -1] = base
        return out


def fit_linear(frame: pd.DataFrame, y: np.ndarray, catalog: Catalog, c: float = 0.3) -> LinearPart:
    """Median imputation, standardisation, one-hot categories, L2 logistic regression."""
    columns, numeric, categorical = [], {}, {}
    for spec in catalog.features:
        if spec.type == "numeric":
            values = pd.to_numeric(frame[spec.name], errors="coerce").astype(float)
            median = float(values.median()) if values.notna().any() else 0.0
            filled = values.fillna(median)
            center, scale = float(filled.mean()), float(filled.std(ddof=0)) or 1.0
            numeric[spec.name] = {"median": median, "center": center, "scale": scale}
            columns.append(((filled - center) / scale).to_numpy())
        else:
            values = frame[spec.name].astype(str)
            categorical[spec.name] = {}
            for level in sorted(values.unique()):
                indicator = (values == level).to_numpy(dtype=float)
                categorical[spec.name][level] = {"share": float(indicator.mean())}
                columns.append(indicator)
    x = np.column_stack(columns)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y)
    coefs = iter(model.coef_[0])
    for spec in catalog.features:
        if spec.type == "numeric":
            numeric[spec.name]["coef"] = float(next(coefs))
        else:
            for level in categorical[spec.name]:
                categorical[spec.name][level]["coef"] = float(next(coefs))
    return LinearPart(numeric, categorical, float(model.intercept_[0]))


def blend(tree: np.ndarray, linear: np.ndarray, weight: float) -> np.ndarray:
    """A blended model's margin (or its contributions): the booster's and the linear part's, weighted."""
    return (1 - weight) * tree + weight * linear
