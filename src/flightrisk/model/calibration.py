"""Platt scaling on the booster's margin: risk = sigmoid(slope * margin + intercept).

Calibrating the margin (not wrapping the booster) keeps the calibrated risk a monotone function
of one additive score, so explanations can split it exactly.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from sklearn.linear_model import LogisticRegression


@dataclasses.dataclass(frozen=True)
class PlattCalibration:
    """Platt scaling: risk = sigmoid(slope * margin + intercept)."""

    slope: float
    intercept: float

    def logit(self, margin: np.ndarray) -> np.ndarray:
        """The calibrated log-odds of a margin."""
        return self.slope * np.asarray(margin, dtype=float) + self.intercept

    def risk(self, margin: np.ndarray) -> np.ndarray:
        """The calibrated probability of a margin."""
        return 1.0 / (1.0 + np.exp(-self.logit(margin)))

    def to_dict(self) -> dict[str, float | str]:
        """As stored in calibration.json."""
        return {"method": "platt", "slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict) -> PlattCalibration:
        """From calibration.json."""
        return cls(float(data["slope"]), float(data["intercept"]))


def fit_platt(margin: np.ndarray, y: np.ndarray) -> PlattCalibration:
    """Fit the two Platt parameters by (almost unpenalised) logistic regression."""
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(np.asarray(margin, dtype=float).reshape(-1, 1), np.asarray(y, dtype=int))
    return PlattCalibration(float(model.coef_[0, 0]), float(model.intercept_[0]))
