"""A logistic-regression component stored as plain numbers: the flat tables' blend and the what-ifs.

On small flat tables a linear model often ranks as well as boosting; blending the two margins
(a fixed weight, chosen in advance) keeps what each does well. Its exact Shapley values are
`coef * (z - mean z)` per feature, so a blended model still splits exactly into contributions.

With `monotone=True` each coefficient keeps the sign of its feature's catalog direction (0 where the
association runs the other way): the what-ifs' response model. A feature that travels with a cause
of the opposite sign (recognitions follow performance, and top performers leave more) would
otherwise tell a manager that recognising someone raises their risk.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.optimize import minimize
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
            out[:, j] = self.feature_contribution(frame, spec.name)
            if spec.name in self.categorical:
                base += sum(p["coef"] * p["share"] for p in self.categorical[spec.name].values())
        out[:, -1] = base
        return out

    def feature_contribution(self, frame: pd.DataFrame, name: str) -> np.ndarray:
        """One feature's exact Shapley value of the margin per row (0 for a feature the part lacks):
        what a change of that feature alone moves the margin by, as the what-ifs need it."""
        if name in self.numeric:
            p = self.numeric[name]
            values = pd.to_numeric(frame[name], errors="coerce").astype(float).fillna(p["median"])
            return p["coef"] * (values.to_numpy() - p["center"]) / p["scale"]
        out = np.zeros(len(frame))
        if name in self.categorical:
            values = frame[name].astype(str).to_numpy()
            for level, p in self.categorical[name].items():
                out += p["coef"] * ((values == level) - p["share"])
        return out


def fit_linear(
    frame: pd.DataFrame, y: np.ndarray, catalog: Catalog, c: float = 0.3, monotone: bool = False
) -> LinearPart:
    """Median imputation, standardisation, one-hot categories, L2 logistic regression (with
    `monotone`, each numeric feature's coefficient bounded to its catalog direction's sign)."""
    columns, numeric, categorical, bounds = [], {}, {}, []
    for spec in catalog.features:
        if spec.type == "numeric":
            values = pd.to_numeric(frame[spec.name], errors="coerce").astype(float)
            median = float(values.median()) if values.notna().any() else 0.0
            filled = values.fillna(median)
            center, scale = float(filled.mean()), float(filled.std(ddof=0)) or 1.0
            numeric[spec.name] = {"median": median, "center": center, "scale": scale}
            columns.append(((filled - center) / scale).to_numpy())
            bounds.append({1: (0.0, None), -1: (None, 0.0)}.get(spec.monotone, (None, None)))
        else:
            values = frame[spec.name].astype(str)
            categorical[spec.name] = {}
            for level in sorted(values.unique()):
                indicator = (values == level).to_numpy(dtype=float)
                categorical[spec.name][level] = {"share": float(indicator.mean())}
                columns.append(indicator)
                bounds.append((None, None))
    x = np.column_stack(columns)
    if monotone:
        weights, intercept = _bounded_logistic(x, np.asarray(y, dtype=float), c, bounds)
    else:
        model = LogisticRegression(C=c, max_iter=5000)
        model.fit(x, y)
        weights, intercept = model.coef_[0], float(model.intercept_[0])
    coefs = iter(weights)
    for spec in catalog.features:
        if spec.type == "numeric":
            numeric[spec.name]["coef"] = float(next(coefs))
        else:
            for level in categorical[spec.name]:
                categorical[spec.name][level]["coef"] = float(next(coefs))
    return LinearPart(numeric, categorical, float(intercept))


def _bounded_logistic(x: np.ndarray, y: np.ndarray, c: float, bounds: list) -> tuple[np.ndarray, float]:
    """scikit-learn's L2 logistic objective (C x log-loss + ||w||^2 / 2, intercept free), minimised
    by L-BFGS-B within per-coefficient bounds."""

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margin = x @ w + b
        loss = np.sum(np.logaddexp(0.0, margin) - y * margin)
        residual = 1.0 / (1.0 + np.exp(-margin)) - y
        gradient = np.concatenate([c * (x.T @ residual) + w, [c * residual.sum()]])
        return c * loss + 0.5 * float(w @ w), gradient

    share = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    start = np.zeros(x.shape[1] + 1)
    start[-1] = np.log(share / (1 - share))
    found = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[*bounds, (None, None)],
        options={"maxiter": 5000},
    )
    return found.x[:-1], float(found.x[-1])


def blend(tree: np.ndarray, linear: np.ndarray, weight: float) -> np.ndarray:
    """A blended model's margin (or its contributions): the booster's and the linear part's, weighted."""
    return (1 - weight) * tree + weight * linear
