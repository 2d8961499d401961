"""Settings: the frozen objects for training and the fairness audit, and the environment.

This is the one module that reads environment variables (`tests/test_architecture.py` checks it):
`FLIGHTRISK_THREADS`, `FLIGHTRISK_TREESHAP`, `FLIGHTRISK_SIGNING_KEY`, `MLFLOW_TRACKING_URI`.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

SIGNING_KEY_ENV = "FLIGHTRISK_SIGNING_KEY"
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"


def default_threads() -> int:
    """Threads for LightGBM: FLIGHTRISK_THREADS when set, else 2 (this project's machines)."""
    value = os.environ.get("FLIGHTRISK_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else 2


def treeshap_forced_to_lightgbm() -> bool:
    """FLIGHTRISK_TREESHAP=lightgbm turns the numba engine off (an escape hatch, and for benchmarks)."""
    return os.environ.get("FLIGHTRISK_TREESHAP", "").lower() == "lightgbm"


def signing_key() -> bytes | None:
    """The deployment's model-signing key (FLIGHTRISK_SIGNING_KEY), or None when models are not signed."""
    key = os.environ.get(SIGNING_KEY_ENV, "")
    return key.encode("utf-8") if key else None


def tracking_location() -> tuple[str, str]:
    """MLflow's tracking URI (MLFLOW_TRACKING_URI, else `sqlite:///mlflow.db`) and the folder its
    artifacts go to: `mlruns/` beside a SQLite store, so the two always travel together whatever the
    working directory of a later command; `mlruns/` in the working directory for a server store."""
    uri = os.environ.get("MLFLOW_TRACKING_URI", DEFAULT_TRACKING_URI)
    if uri.startswith("sqlite:///"):
        database = Path(uri[len("sqlite:///") :]).resolve()
        return f"sqlite:///{database}", (database.parent / "mlruns").as_uri()
    return uri, Path("mlruns").resolve().as_uri()


def quiet_mlflow() -> None:
    """Batch jobs and CI read our logs: MLflow draws no progress bars (unless the user asked for them)."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


SHAPE_GRID = ((0.05, 15), (0.05, 31), (0.1, 15), (0.1, 31))  # `train --choose-shape`


def parse_bands(text: str, source: str) -> tuple[float, float]:
    """'0.15,0.35' -> (0.15, 0.35): the medium and high thresholds, 0 < low < high < 1 (exit 2 otherwise)."""
    from flightrisk.errors import InputError

    try:
        low, high = (float(part) for part in str(text).split(","))
    except ValueError:
        raise InputError(f"{source} {text!r}: give two probabilities LOW,HIGH, e.g. 0.15,0.35") from None
    if not 0 < low < high < 1:
        raise InputError(f"{source} {text!r}: need 0 < LOW < HIGH < 1 (medium from LOW, high from HIGH)")
    return low, high


def relative_bands(rate: float) -> tuple[float, float]:
    """Bands for a population whose leaving rate is `rate`: medium from 3/4 of it, high from 3/2 of it.

    The HR extract's fixed bands (0.15, 0.35) are about that around its 12-month rate of ~0.22; a flat
    table's rate can be anything (the turnover table's is 0.51, IBM's 0.16), and fixed bands there made
    929 people "high" and 1 "low".
    """
    return round(0.75 * rate, 3), round(min(1.5 * rate, 0.95), 3)


@dataclasses.dataclass(frozen=True)
class TrainSettings:
    """How a model is trained. The defaults are fixed in advance, not tuned on the holdout."""

    horizon_months: int = 12
    seed: int = 0
    holdout_months: int = 6  # the latest labelled months, never seen in training or calibration
    validation_months: int = 6  # the latest months known before the holdout: early stopping on them
    validation_share: float = 0.25  # ... for this share of people, held out of training
    calibration_months: int = 6  # the latest months before the holdout (or of all): forward calibration
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 200
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 5.0
    # The hazard model weighs a person-month by 0.5 ** (months before the latest one it learns / this):
    # a change of regime is learned within months instead of being outvoted by years of the old one
    # (docs/benchmarks.md, "Risk over time"). None weighs every month alike.
    hazard_half_life_months: float | None = 12.0
    # Rows a boosting round looks at, at most: a larger table bags a smaller share each round, so a
    # 50,000-rep organisation (2.3 M person-months) trains in 10 minutes instead of 18 (500 k: 18;
    # holdout ROC-AUC 0.657 against 0.662, within the seed spread); the default world (233 k
    # person-months, 0.8 of them a round) stays under the cap and is trained as before.
    max_rows_per_round: int = 250_000
    max_rounds: int = 2000
    early_stopping_rounds: int = 100
    # Threads per LightGBM fit. FLIGHTRISK_THREADS overrides it for the whole process (the test
    # suite runs two workers with one thread each: more threads than cores makes OpenMP spin).
    num_threads: int = dataclasses.field(default_factory=lambda: default_threads())
    risk_bands: tuple[float, float] = (0.15, 0.35)  # low < 0.15 <= medium < 0.35 <= high
    # Each root-to-leaf path uses the features of one lever family plus context, so the margin is a sum of
    # per-lever functions: a lever's effect is fitted with the others held in the model
    # (adjusted for them), and a what-if that changes one lever moves only that lever's term.
    lever_additive: bool = False
    # (learning rate, leaves) tried on the validation months (never the holdout): the best
    # validation ROC-AUC wins, and among shapes within `shape_tolerance` of it the cheapest to
    # explain (rounds x leaves). Empty: the shape above, as set.
    shape_grid: tuple[tuple[float, int], ...] = ()
    shape_tolerance: float = 0.002
    # Flat tables: a logistic part (L2 strength `linear_c`) carries `linear_weight` of the margin;
    # metrics come from `cv_folds`-fold stratified cross-validation. 0: the booster alone.
    linear_weight: float = 0.0
    linear_c: float = 0.3
    cv_folds: int = 5
    # Flat tables' capacity, chosen by cross-validation inside each training fold (nested): every
    # (leaves, min rows per leaf, L2) shape with early-stopped rounds, then every blend weight on the
    # shape's out-of-fold margins. Empty: the shape and weight above, as set.
    capacity_shapes: tuple[tuple[int, int, float], ...] = ()
    blend_weights: tuple[float, ...] = ()
    inner_folds: int = 3
    capacity_tolerance: float = 0.005  # the first shape and the set weight win unless beaten by more

    def lightgbm_params(self) -> dict:
        """LightGBM's parameter dict for these settings (threads from FLIGHTRISK_THREADS)."""
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbose": -1,
            "monotone_constraints_method": "intermediate",  # "advanced" broke monotonicity in tests
        }


# Flat tables of a few hundred to tens of thousands of rows: the capacity is chosen inside the training
# folds from a small grid, from shallow trees with strong L2 (which suit the IBM table's mostly
# monotone effects) to deeper ones (interactions, as in the turnover table), each blended with a
# logistic part. The first shape and weight 0.5 are what a model used before capacity was chosen.
FLAT_SETTINGS = TrainSettings(
    learning_rate=0.02,
    num_leaves=4,
    min_data_in_leaf=20,
    feature_fraction=0.7,
    bagging_fraction=0.8,
    lambda_l2=10.0,
    max_rounds=3000,
    early_stopping_rounds=200,
    linear_weight=0.5,
    capacity_shapes=((4, 20, 10.0), (15, 10, 1.0)),
    blend_weights=(0.0, 0.25, 0.5, 0.75, 1.0),
)

# A flat table in survival form becomes person-months (a person observed 40 months is 40 rows), so
# leaves hold many more rows than a person-table's; the rounds are early-stopped on inner folds of people.
SURVIVAL_SETTINGS = TrainSettings(
    learning_rate=0.03,
    num_leaves=7,
    min_data_in_leaf=100,
    feature_fraction=0.8,
    bagging_fraction=0.8,
    lambda_l2=10.0,
    max_rounds=1500,
    early_stopping_rounds=100,
    linear_weight=0.0,
)


@dataclasses.dataclass(frozen=True)
class FairnessSettings:
    """The fairness audit's flag rule and the gate's thresholds (model/fairness.py).

    A gap breaks the gate when it is past its threshold and its 95 % bootstrap interval (over people)
    excludes no gap; None switches a check off. `train --fairness-override "reason"` registers a model
    that breaks one, with the reason recorded."""

    top_share: float = 0.1  # who is "flagged": the top 10 % of risk
    # The four-fifths rule on the flagged share, and equalized odds of the flag: reported, not gated,
    # by default. A calibrated score flags a group that truly leaves more more often, and no score can
    # be calibrated within groups and equalize these when leaving rates differ (model/fairness.py).
    min_impact_ratio: float | None = None
    max_equalized_odds_difference: float | None = None  # a group's TPR or FPR of the flag vs the rest's
    # The gate: the score must mean the same, and rank as well, for every group.
    # |a group's mean risk − the share of it who left|, and as far from everyone's gap: a drift of the
    # whole model's calibration is not unfairness to one group
    max_calibration_gap: float | None = 0.05
    max_auc_gap: float | None = 0.10  # how far a group's ROC-AUC may fall below everyone's
    bootstrap: int = 200
    proxy_auc: float = 0.65  # a single feature predicting a protected group this well is a strong proxy


RETENTION_MONTHS = 24  # scores and reports older than this are deleted by `flightrisk retention`
