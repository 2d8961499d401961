"""Exact TreeSHAP on the booster's margin, grouped by lever family, carried into probability points.

The calibrated risk is g(L) with L = a * (phi_0 + sum_i phi_i) + b, where phi_i are the
exact TreeSHAP values of the margin (LightGBM's `pred_contrib`) and g the calibration's link (the
sigmoid for the classifier; 1 - exp(-exp(L)) for the hazard model, whose margin is a log cumulative
hazard). With L0 = a * phi_0 + b, the base rate is g(L0). Every feature's share of the score,
a * phi_i, is multiplied by the secant slope (g(L) - g(L0)) / (L - L0), so that

    base rate + sum of all contributions = calibrated risk     (exactly, for every person)

and each contribution keeps its sign and its share of the score. The slope is always positive and
bounded (1/4 for the sigmoid, 1/e for the cloglog), so no contribution can blow up when the
contributions cancel out.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from flightrisk import LEVER_FAMILIES
from flightrisk.model.risk_model import RiskModel

LEVER_COLUMNS = [f"lever_{family}" for family in LEVER_FAMILIES]


@dataclasses.dataclass
class Explanation:
    """Per row: risk, base rate, and contributions in probability points per feature and lever."""

    risk: np.ndarray
    base_rate: np.ndarray
    feature_points: np.ndarray  # (rows, features), in catalog order
    feature_logit: np.ndarray  # the same contributions on the calibrated logit scale
    feature_names: list[str]
    feature_levers: list[str]

    @staticmethod
    def concat(parts: list[Explanation]) -> Explanation:
        """The explanations of consecutive chunks of rows as one."""
        return dataclasses.replace(
            parts[0],
            risk=np.concatenate([p.risk for p in parts]),
            base_rate=np.concatenate([p.base_rate for p in parts]),
            feature_points=np.concatenate([p.feature_points for p in parts]),
            feature_logit=np.concatenate([p.feature_logit for p in parts]),
        )

    def lever_points(self) -> pd.DataFrame:
        """Probability points per lever family (the `lever_` columns of the scores)."""
        return self._by_lever(self.feature_points, "lever_")

    def lever_logit(self) -> pd.DataFrame:
        """Logit contributions per lever family (for comparisons with log-hazards)."""
        return self._by_lever(self.feature_logit, "")

    def _by_lever(self, values: np.ndarray, prefix: str) -> pd.DataFrame:
        levers = np.array(self.feature_levers)
        return pd.DataFrame(
            {f"{prefix}{family}": values[:, levers == family].sum(axis=1) for family in LEVER_FAMILIES}
        )


def explain_rows(model: RiskModel, frame: pd.DataFrame) -> Explanation:
    """Exact contributions of every feature and lever, in probability points, for each row."""
    phi = model.margin_contributions(frame)
    calibration = model.calibration
    a, b = calibration.slope, calibration.intercept
    feature_logit = a * phi[:, :-1]
    base_logit = a * phi[:, -1] + b
    logit = base_logit + feature_logit.sum(axis=1)
    risk = calibration.probability(logit)
    base = calibration.probability(base_logit)
    gap = logit - base_logit
    tiny = np.abs(gap) < 1e-12
    # Where the gap vanishes the secant is the link's derivative at the base.
    step = 1e-6
    derivative = (calibration.probability(base_logit + step) - base) / step
    slope = np.where(tiny, derivative, (risk - base) / np.where(tiny, 1.0, gap))
    return Explanation(
        risk=risk,
        base_rate=base,
        feature_points=feature_logit * slope[:, None],
        feature_logit=feature_logit,
        feature_names=model.feature_names,
        feature_levers=[spec.lever for spec in model.catalog.features],
    )
