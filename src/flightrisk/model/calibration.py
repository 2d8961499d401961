"""Platt scaling on the booster's margin: risk = link⁻¹(slope * margin + intercept).

Calibrating the margin (not wrapping the booster) keeps the calibrated risk a monotone function
of one additive score, so explanations can split it exactly. The classifier's margin is a log-odds
(link "logit": risk = sigmoid(score)); the hazard model's is a log cumulative hazard (link
"cloglog": risk = 1 - exp(-exp(score)), the probability of at least one event of a Poisson process).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from sklearn.linear_model import LogisticRegression

LINKS = ("logit", "cloglog")


def probability(score: np.ndarray, link: str = "logit") -> np.ndarray:
    """The probability of a calibrated score under `link`."""
    score = np.asarray(score, dtype=float)
    if link == "cloglog":
        return -np.expm1(-np.exp(np.minimum(score, 50.0)))
    return 1.0 / (1.0 + np.exp(-score))


@dataclasses.dataclass(frozen=True)
class PlattCalibration:
    """Platt scaling: risk = link⁻¹(slope * margin + intercept)."""

    slope: float
    intercept: float
    link: str = "logit"

    def logit(self, margin: np.ndarray) -> np.ndarray:
        """The calibrated score of a margin (a log-odds, or a log cumulative hazard for "cloglog")."""
        return self.slope * np.asarray(margin, dtype=float) + self.intercept

    def probability(self, score: np.ndarray) -> np.ndarray:
        """The probability of a calibrated score."""
        return probability(score, self.link)

    def risk(self, margin: np.ndarray) -> np.ndarray:
        """The calibrated probability of a margin."""
        return self.probability(self.logit(margin))

    def to_dict(self) -> dict[str, float | str]:
        """As stored in calibration.json."""
        method = "platt" if self.link == "logit" else self.link
        return {"method": method, "slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict) -> PlattCalibration:
        """From calibration.json."""
        link = "cloglog" if data.get("method") == "cloglog" else "logit"
        return cls(float(data["slope"]), float(data["intercept"]), link)


def fit_platt(margin: np.ndarray, y: np.ndarray) -> PlattCalibration:
    """Fit the two Platt parameters by (almost unpenalised) logistic regression (link "logit")."""
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(np.asarray(margin, dtype=float).reshape(-1, 1), np.asarray(y, dtype=int))
    return PlattCalibration(float(model.coef_[0, 0]), float(model.intercept_[0]))


def fit_cloglog(margin: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> PlattCalibration:
    """The two parameters of risk = 1 - exp(-exp(slope * margin + intercept)) by maximum likelihood
    (Newton steps on the Bernoulli log-likelihood, started at slope 1, intercept 0: the margin of a
    Poisson booster is already a log cumulative hazard). `weight`: each row's weight (censoring's
    inverse-probability weights on a survival table)."""
    from scipy.optimize import minimize

    w = np.ones(len(margin)) if weight is None else np.asarray(weight, dtype=float)
    keep = w > 0
    m = np.asarray(margin, dtype=float)[keep]
    y = np.asarray(y, dtype=float)[keep]
    w = w[keep] / w[keep].mean()

    def loss(params):
        score = np.clip(params[0] * m + params[1], -30.0, 30.0)
        hazard = np.exp(score)
        p = np.clip(-np.expm1(-hazard), 1e-12, 1.0)
        # d/dscore of log p is hazard·exp(-hazard)/p; of log(1-p) = -hazard is -hazard.
        nll = -np.sum(w * (y * np.log(p) - (1 - y) * hazard))
        d_score = -w * (y * hazard * np.exp(-hazard) / p - (1 - y) * hazard)
        return nll / len(m), np.array([np.sum(d_score * m), np.sum(d_score)]) / len(m)

    result = minimize(loss, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return PlattCalibration(float(result.x[0]), float(result.x[1]), "cloglog")
