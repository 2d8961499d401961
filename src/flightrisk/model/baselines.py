"""The baselines every model is measured against, fitted on the same rows as the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

BASELINE_MAX_ROWS = 500_000  # the default world's training rows (~200 k) stay whole


def logistic_pipeline(numeric: list[str], categorical: list[str], c: float = 1.0):
    """Median imputation with missing flags and scaling for numbers, one-hot for categories."""
    transformers = []
    if numeric:
        transformers.append(
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
                numeric,
            )
        )
    if categorical:
        transformers.append(("cat", OneHotEncoder(handle_unknown="ignore"), categorical))
    return make_pipeline(ColumnTransformer(transformers), LogisticRegression(C=c, max_iter=3000))


def _frame(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    out = frame[numeric + categorical].copy()
    for name in numeric:
        out[name] = pd.to_numeric(out[name], errors="coerce").astype(float)
    for name in categorical:
        out[name] = out[name].astype(str)
    return out


def logistic_baseline(
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    c: float = 1.0,
) -> np.ndarray:
    """The logistic-regression baseline: fitted on the training rows only, its risk on the test rows.

    Beyond BASELINE_MAX_ROWS training rows it is fitted on a fixed random sample of them: a linear
    model of ~60 features has long converged by then, and on a 50,000-rep organisation (1.5 M rows)
    the full fit cost more than a minute of a run that must stay within 15.
    """
    if len(train) > BASELINE_MAX_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(len(train), BASELINE_MAX_ROWS, replace=False))
        train, y_train = train.iloc[rows], np.asarray(y_train)[rows]
    model = logistic_pipeline(numeric, categorical, c=c)
    model.fit(_frame(train, numeric, categorical), y_train)
    return model.predict_proba(_frame(test, numeric, categorical))[:, 1]


def fit_predict_baselines(
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    tenure: str | None = "tenure_months",
    role: str | None = "role",
) -> dict[str, np.ndarray]:
    """Predicted risks on `test` for: logistic regression on all features, tenure + role, the prior."""
    predictions: dict[str, np.ndarray] = {}
    predictions["logistic_regression"] = logistic_baseline(train, y_train, test, numeric, categorical)
    if tenure in train.columns and role in train.columns:

        def shape(frame):
            t = pd.to_numeric(frame[tenure], errors="coerce").astype(float)
            return pd.DataFrame(
                {"tenure": t, "log_tenure": np.log1p(t.clip(lower=0)), "role": frame[role].astype(str)}
            )

        simple = logistic_pipeline(["tenure", "log_tenure"], ["role"])
        simple.fit(shape(train), y_train)
        predictions["tenure_role"] = simple.predict_proba(shape(test))[:, 1]
    predictions["prior"] = np.full(len(test), float(np.mean(y_train)))
    return predictions
