"""The one model contract: what every trained model can do, whatever table it was trained on.

`RiskModel` holds what both kinds share — a booster, its Platt calibration, the catalog and the
training profile — and answers the questions the rest of the tool asks: prepare an input table,
margin, exact contributions, calibrated risk, band, percentile, values outside training. Two kinds
implement it:

- `SnapshotModel`: trained on the monthly snapshots of an HRIS extract, with a holdout booster
  trained before the holdout months (for honest evaluation and a fair champion comparison);
- `FlatModel`: trained on a flat table by cross-validation, the booster blended with a logistic
  part, the table transformed by its own catalog (ids, label, derived features).

Each has a monthly-hazard twin (`MonthlyHazard`: risk at 3, 6 and 12 months): `HazardModel` on the
snapshots' person-months, `FlatHazardModel` on a flat table in survival form.

`explain/`, `score/`, `report/` and the MLflow model use only this contract; which kind a model
directory holds is read in one place, `model.artifact.MODEL_KINDS`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from typing import ClassVar

import lightgbm as lgb
import numpy as np
import pandas as pd

from flightrisk.errors import InputError, rows_preview
from flightrisk.features.catalog import Catalog
from flightrisk.features.snapshots import NEXT_MONTH_LABEL, in_window
from flightrisk.flat.catalog import TIME_AXIS, FlatCatalog, TableSpec, derived_inputs
from flightrisk.flat.transform import flat_features
from flightrisk.io import to_numbers
from flightrisk.model.calibration import PlattCalibration
from flightrisk.model.clocks import ClockRestarts, calendar_months_of
from flightrisk.model.hazard import (
    HORIZONS,
    log_cumulative_hazard,
    month_steps,
    monthly_log_hazards,
    rows_ahead,
    split_log_cumulative_hazard,
)
from flightrisk.model.linear import LinearPart, blend
from flightrisk.model.profile import percentile_in_profile
from flightrisk.model.response import monthly_risk
from flightrisk.model.treeshap import ShapEngine

BANDS = ("low", "medium", "high")


@dataclasses.dataclass(frozen=True)
class ResponseReading:
    """The what-ifs' response models' reading of some rows before any action (model/response.py):
    the rows, the logistic margin, the boosters' matrix, the 12-month booster's probability and the
    monthly booster's probability over the horizon (None without them), and each row's month of the
    year (its clocks restart at that season's rates; None without snapshot dates)."""

    frame: pd.DataFrame
    linear_margin: np.ndarray
    x: np.ndarray | None = None
    booster: np.ndarray | None = None
    monthly: np.ndarray | None = None
    calendar_months: np.ndarray | None = None
    # Changes already read, by the features re-read and their values after: a plan prices each pair of
    # actions, and a pair's lever re-read alone is the single action's (the monthly booster's paths
    # are most of a plan's time).
    memo: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class ResponseChange:
    """Each response model's change in the probability of leaving within the horizon after an action:
    the logistic model's, the 12-month booster's and the monthly booster's (None where the model has
    no such part)."""

    linear: np.ndarray
    booster: np.ndarray | None = None
    monthly: np.ndarray | None = None


def _digest(frame: pd.DataFrame) -> bytes:
    """A fingerprint of a frame's values, row by row (the index ignored)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.blake2b(hashed.tobytes(), digest_size=16).digest()


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-margin))


ID_COLUMNS = ["employee_id", "snapshot_date"]
# Outcome columns a feature table carries beside the features (never read as features).
LABEL_COLUMNS = ("label", NEXT_MONTH_LABEL)


@dataclasses.dataclass
class RiskModel:
    """A trained model: booster + calibration + catalog, and the facts needed to use it safely."""

    kind: ClassVar[str]
    # Rows are month-end snapshots, so `score --latest` and `--as-of` select a month.
    dated: ClassVar[bool]

    booster: lgb.Booster
    calibration: PlattCalibration
    catalog: Catalog
    profile: dict
    metadata: dict
    # The fast TreeSHAP engine's tables, built on first use (never saved: derived from the booster).
    _shap: ShapEngine | None = dataclasses.field(default=None, repr=False, compare=False)

    # -- what the model reads -------------------------------------------------------------------
    @property
    def feature_names(self) -> list[str]:
        """The model's features, in catalog order."""
        return self.catalog.names

    @property
    def horizon_months(self) -> int | None:
        """Months ahead the risk speaks of (None for a flat table: its label has no horizon)."""
        horizon = self.metadata.get("horizon_months")
        return None if horizon is None else int(horizon)

    def input_problems(self, columns: list[str]) -> list[str]:
        """What is wrong with an input table's columns, all at once (empty when it can be read)."""
        raise NotImplementedError

    def prepare(self, table: pd.DataFrame) -> pd.DataFrame:
        """The model's feature rows for an input table: ids, snapshot date, every catalog feature.

        Values are not type-checked here: the input contract (`score.batch.check_types`) types
        them and rejects the rows it cannot read, for both kinds.
        """
        raise NotImplementedError

    def features_from_extract(self, tables: dict, as_of) -> pd.DataFrame:
        """Feature rows for `as_of` built from an HRIS extract (only models trained on one can)."""
        raise InputError(
            "this model was trained on a flat table, so it reads that table (--table / --input), not "
            "an HRIS extract; plans and reports built from an extract need a model trained on one"
        )

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """The booster's input matrix for a prepared frame."""
        return encode_features(frame, self.catalog, self.profile["categories"])

    # -- what the model says --------------------------------------------------------------------
    def margin(self, frame: pd.DataFrame) -> np.ndarray:
        """The uncalibrated log-odds of each row."""
        return self.booster.predict(self.encode(frame), raw_score=True)

    def margin_contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Exact Shapley values of the margin: (rows, features + 1), the last column the base value."""
        return self._tree_contributions(frame)

    def risk(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of leaving within the horizon."""
        return self.calibration.risk(self.margin(frame))

    def response_risk(self, frame: pd.DataFrame) -> np.ndarray | None:
        """The what-if response model's probability per row (None: the model has no response model,
        and what-ifs re-score the booster)."""
        return None

    def booster_response_risk(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The what-ifs' lever-additive boosters' probabilities per row (None without them)."""
        return None

    def response_reading(self, frame: pd.DataFrame) -> ResponseReading | None:
        """The response models' reading of the rows before any action (None without them)."""
        return None

    @property
    def risk_bands(self) -> tuple[float, float]:
        """The thresholds of the medium and the high band."""
        low, high = self.metadata["risk_bands"]
        return float(low), float(high)

    def band(self, risk: np.ndarray) -> np.ndarray:
        """'low', 'medium' or 'high' for each risk."""
        low, high = self.risk_bands
        return np.where(risk >= high, BANDS[2], np.where(risk >= low, BANDS[1], BANDS[0]))

    def percentile(self, risk: np.ndarray) -> np.ndarray:
        """Where each risk falls in the training population's risk distribution (0-100)."""
        quantiles = np.asarray(self.profile["risk_quantiles"])
        return np.searchsorted(quantiles, risk, side="right").clip(0, 100).astype(float)

    def feature_percentile(self, feature: str, values: np.ndarray) -> np.ndarray:
        """Where each value of a numeric feature falls (0-1) among the training rows (their deciles)."""
        return percentile_in_profile(self.profile["features"][feature], values)

    def outside_training(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Per feature, True where a row's value lies outside what the model was trained on."""
        flags = {}
        for spec in self.catalog.features:
            info = self.profile["features"][spec.name]
            values = frame[spec.name]
            if spec.type == "categorical":
                flags[spec.name] = values.notna() & ~values.astype(str).isin(info["categories"])
            else:
                numeric = pd.to_numeric(values, errors="coerce")
                if info.get("min") is None:
                    flags[spec.name] = numeric.notna()
                else:
                    flags[spec.name] = (numeric < info["min"]) | (numeric > info["max"])
        return pd.DataFrame(flags, index=frame.index)

    def holdout_mask(self, features: pd.DataFrame) -> np.ndarray:
        """Which rows of a feature table are this model's out-of-time holdout (labelled, within its
        holdout window); none for a model without one (a flat table's CV)."""
        window = self.metadata.get("holdout_window")
        if not window:
            return np.zeros(len(features), dtype=bool)
        return in_window(features, window)

    # -- champion comparison --------------------------------------------------------------------
    def holdout_risk(self, rows: pd.DataFrame, unseen_from=None) -> np.ndarray | None:
        """Risk from the booster trained before the holdout months, or None where the model keeps none.

        With `unseen_from` (a date), also None unless that booster saw only months before it, so a
        comparison on rows from that date on never rewards a model for having seen the answers.
        """
        return None

    @property
    def explanation_engine(self) -> str:
        """Which TreeSHAP engine explains this model's rows: the run record states it."""
        return "not used yet" if self._shap is None else self._shap.name

    def _tree_contributions(self, frame: pd.DataFrame) -> np.ndarray:
        if self._shap is None:
            self._shap = ShapEngine(self.booster)
        return self._shap.contributions(self.encode(frame))


@dataclasses.dataclass
class SnapshotModel(RiskModel):
    """Trained on monthly snapshots; keeps the booster trained before the holdout months."""

    kind: ClassVar[str] = "snapshots"
    dated: ClassVar[bool] = True

    holdout_booster: lgb.Booster | None = None
    holdout_calibration: PlattCalibration | None = None
    # The what-ifs' response models (model/response.py), for what-ifs only: a sign-constrained
    # logistic regression and a lever-additive booster on the same features and rows, and the same
    # booster on next-month exits.
    response: LinearPart | None = None
    response_booster: lgb.Booster | None = None
    response_monthly: lgb.Booster | None = None  # the additive booster on next-month exits

    def response_risk(self, frame: pd.DataFrame) -> np.ndarray | None:
        """The logistic response model's probability of leaving within the horizon (None without one)."""
        if self.response is None:
            return None
        margin = self.response.contributions(frame, self.catalog).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-margin))

    def booster_response_risk(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The lever-additive response boosters' probabilities of leaving within the horizon (None
        without them): the 12-month booster's, and the monthly one's carried over the horizon (None
        for a model trained before it)."""
        if self.response_booster is None:
            return None
        x = self.encode(frame)
        return self.response_booster.predict(x), self._monthly(x, calendar_months_of(frame))

    def _monthly(
        self, x: np.ndarray, calendar_months: np.ndarray | None, held: dict[str, float] | None = None
    ) -> np.ndarray | None:
        # Over the months the risk speaks of, whatever the kind: a hazard model's own outcome is the
        # next month, and reading its monthly response over that one month read a twelfth of the change.
        # Its clocks restart as often as the panel showed (model/clocks.py; a model trained before
        # that ages them straight on).
        if self.response_monthly is None:
            return None
        months = int(self.horizon_months or 12)
        return monthly_risk(
            self.response_monthly, x, self.catalog, months, self._clock_restarts, calendar_months, held
        )

    @functools.cached_property
    def _clock_restarts(self) -> ClockRestarts | None:
        # Read from the metadata once, not at each of a plan's many monthly re-reads.
        return ClockRestarts.from_dict(self.metadata.get("clock_restarts"))

    def response_reading(self, frame: pd.DataFrame) -> ResponseReading | None:
        """The response models' reading of the rows before any action, computed once for all of them."""
        if self.response is None:
            return None
        margin = self.response.contributions(frame, self.catalog).sum(axis=1)
        if self.response_booster is None:
            return ResponseReading(frame, margin)
        x = self.encode(frame)
        calendar_months = calendar_months_of(frame)
        return ResponseReading(
            frame,
            margin,
            x,
            self.response_booster.predict(x),
            self._monthly(x, calendar_months),
            calendar_months,
        )

    def response_change(
        self,
        reading: ResponseReading,
        after: pd.DataFrame,
        features: list[str],
        held: dict[str, float] | None = None,
    ) -> ResponseChange:
        """Each response model's change in probability when `features` take their values in `after`
        (the rows of `reading`, in order). Only those features are re-read, which is what makes a
        plan's many options cheap. `held`: features the action keeps at their value every month
        ahead (catalog `hold`: a 1:1 every month from now on), read so by the monthly booster."""
        kept = {f: v for f, v in (held or {}).items() if f in features}
        key = (tuple(features), tuple(sorted(kept.items())), _digest(after[features]))
        if key in reading.memo:
            return reading.memo[key]
        shift = sum(
            self.response.feature_contribution(after, f)
            - self.response.feature_contribution(reading.frame, f)
            for f in features
        )
        linear = _sigmoid(reading.linear_margin + shift) - _sigmoid(reading.linear_margin)
        if reading.x is None:
            reading.memo[key] = ResponseChange(linear)
            return reading.memo[key]
        x = reading.x.copy()
        column = {name: j for j, name in enumerate(self.feature_names)}
        moved = np.zeros(len(x), dtype=bool)
        for f in features:
            before = x[:, column[f]]
            now = encode_column(after[f], self.catalog.feature(f), self.profile["categories"])
            moved |= (before != now) & ~(np.isnan(before) & np.isnan(now))
            if f in kept:  # kept up: it differs from ageing even where it does not move now
                moved |= ~np.isnan(now)
            x[:, column[f]] = now
        # Only the rows the action moved are re-read (the others change by exactly 0): the monthly
        # booster reads each row once per month ahead, so this is most of a plan's pricing time.
        booster = np.zeros(len(x))
        monthly = None if reading.monthly is None else np.zeros(len(x))
        if moved.any():
            booster[moved] = self.response_booster.predict(x[moved]) - reading.booster[moved]
            if monthly is not None:
                months = None if reading.calendar_months is None else reading.calendar_months[moved]
                monthly[moved] = self._monthly(x[moved], months, kept) - reading.monthly[moved]
        reading.memo[key] = ResponseChange(linear, booster, monthly)
        return reading.memo[key]

    def input_problems(self, columns: list[str]) -> list[str]:
        """A feature table: every id and feature column, and nothing the model does not know."""
        expected = ID_COLUMNS + self.feature_names
        missing = [c for c in expected if c not in columns]
        unexpected = [c for c in columns if c not in expected and c not in LABEL_COLUMNS]
        problems = []
        if missing:
            problems.append(f"missing column(s): {missing}")
        if unexpected:
            problems.append(f"unexpected column(s): {unexpected} (the model knows {len(expected)} columns)")
        return problems

    def prepare(self, table: pd.DataFrame) -> pd.DataFrame:
        """A feature table already holds the model's rows."""
        return table

    def features_from_extract(self, tables: dict, as_of) -> pd.DataFrame:
        """The snapshot at `as_of` built from the extract with the model's catalog and horizon."""
        from flightrisk.features import build_snapshot_features

        return build_snapshot_features(tables, self.catalog, horizon=self.horizon_months or 12, as_of=as_of)

    @property
    def outcome_months(self) -> int:
        """How many months after a training row its outcome is known (the label's horizon)."""
        return int(self.horizon_months or 12)

    def holdout_risk(self, rows: pd.DataFrame, unseen_from=None) -> np.ndarray | None:
        """The holdout booster's risk (see `RiskModel.holdout_risk`)."""
        if self.holdout_booster is None:
            return None
        if unseen_from is not None:
            # Fair only if every outcome it learned from was known by `unseen_from`: its last
            # training month's window closed by then (models from before the embargo rule fail this).
            trained_until = (self.metadata.get("train_window") or [None, None])[1]
            if trained_until is None or pd.Timestamp(trained_until) + pd.offsets.MonthEnd(
                self.outcome_months
            ) > pd.Timestamp(unseen_from):
                return None
        return self.holdout_view().risk(rows)

    def holdout_view(self) -> SnapshotModel:
        """The model as its holdout booster and calibration: what learned only the months before the
        holdout (its risks on the holdout rows are the honest ones)."""
        view = dataclasses.replace(self, booster=self.holdout_booster, calibration=self.holdout_calibration)
        view._shap = None
        return view


class MonthlyHazard:
    """What a model whose booster is a monthly hazard adds (model/hazard.py): risk at 3, 6 and 12
    months from one booster, its margin the log cumulative hazard over `outcome_horizon` months and
    its calibration a cloglog (risk = 1 − exp(−H)), so the risk splits into exact contributions like
    the classifier's. Mixed into a model class ahead of it."""

    @property
    def outcome_horizon(self) -> int:
        """The months the risk speaks of."""
        raise NotImplementedError

    @property
    def horizons(self) -> list[int]:
        """The months ahead the model gives risks for."""
        return self.metadata.get("horizons") or [h for h in HORIZONS if h <= self.outcome_horizon]

    def log_hazards(self, frame: pd.DataFrame, months: int | None = None) -> np.ndarray:
        """The booster's monthly log-hazard for each of the months ahead: (months, rows)."""
        return monthly_log_hazards(
            self.booster, self.encode(frame), self.catalog, months or self.outcome_horizon
        )

    def margin(self, frame: pd.DataFrame) -> np.ndarray:
        """log H over the horizon."""
        return log_cumulative_hazard(self.log_hazards(frame), self.outcome_horizon)

    def margin_contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Exact contributions to log H: every month ahead explained, weighted by its hazard share."""
        months = self.outcome_horizon
        x = self.encode(frame)
        if self._shap is None:
            self._shap = ShapEngine(self.booster)
        ahead = rows_ahead(x, month_steps(self.catalog), months)
        phi = self._shap.contributions(ahead).reshape(months, len(x), x.shape[1] + 1)
        return split_log_cumulative_hazard(phi, phi.sum(axis=2), months)

    def risk_by_month(self, frame: pd.DataFrame, months: int | None = None) -> np.ndarray:
        """Calibrated risk of leaving within 1 … `months` months (default the outcome horizon):
        (rows, months), what censored outcomes are measured against (model/survival_metrics.py)."""
        months = months or self.outcome_horizon
        log_hazards = self.log_hazards(frame, months)
        return np.column_stack(
            [self.calibration.risk(log_cumulative_hazard(log_hazards, m)) for m in range(1, months + 1)]
        )

    def horizon_risks(self, frame: pd.DataFrame) -> pd.DataFrame:
        """risk_3m, risk_6m, risk_12m (calibrated; never decreasing with the horizon)."""
        horizons = self.horizons
        log_hazards = self.log_hazards(frame, max(horizons))
        return pd.DataFrame(
            {f"risk_{h}m": self.calibration.risk(log_cumulative_hazard(log_hazards, h)) for h in horizons},
            index=frame.index,
        )


@dataclasses.dataclass
class HazardModel(MonthlyHazard, SnapshotModel):
    """A monthly hazard on the snapshots' person-months, rolled forward from each snapshot."""

    kind: ClassVar[str] = "hazard"

    @property
    def outcome_months(self) -> int:
        """A person-month's outcome is the next month."""
        return 1

    @property
    def outcome_horizon(self) -> int:
        """The months the risk speaks of (the 12-month label's horizon)."""
        return int(self.horizon_months or 12)


@dataclasses.dataclass
class FlatModel(RiskModel):
    """Trained on a flat table: the booster blended with a logistic part, the table's own catalog."""

    kind: ClassVar[str] = "flat"
    dated: ClassVar[bool] = False

    linear: LinearPart | None = None
    linear_weight: float = 0.0

    @property
    def table_spec(self) -> TableSpec:
        """The table's id, label and derived columns, as trained."""
        return TableSpec.from_dict(self.profile["flat"]["table"])

    @property
    def flat_catalog(self) -> FlatCatalog:
        """The flat catalog the model was trained with."""
        return FlatCatalog(self.table_spec, self.catalog, {})

    def input_problems(self, columns: list[str]) -> list[str]:
        """The id column and every column a feature is read or derived from (others are ignored)."""
        flat = self.flat_catalog
        needed = [*flat.table.id_columns, *input_columns(flat)]
        missing = [c for c in needed if c not in columns]
        return [f"missing column(s) the model needs: {missing}"] if missing else []

    def prepare(self, table: pd.DataFrame) -> pd.DataFrame:
        """The flat table transformed as in training (the learned group medians included)."""
        problems = self.input_problems(list(table.columns))
        if problems:
            raise InputError("the table cannot be read by this model:", problems)
        # A flat table has no dates of its own: its rows are as of the day they are scored (a report
        # on this month's export says this month, not the day the model was trained).
        return flat_features(
            self.flat_catalog, table, self.profile["flat"]["medians"], dt.date.today().isoformat()
        )

    def margin(self, frame: pd.DataFrame) -> np.ndarray:
        """The blended log-odds: booster and logistic part, weighted."""
        tree = self.booster.predict(self.encode(frame), raw_score=True)
        if self.linear is None:
            return tree
        return blend(tree, self.linear.contributions(frame, self.catalog).sum(axis=1), self.linear_weight)

    def margin_contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """The same blend applied to each part's exact values, so the sum is still the margin."""
        tree = self._tree_contributions(frame)
        if self.linear is None:
            return tree
        return blend(tree, self.linear.contributions(frame, self.catalog), self.linear_weight)


@dataclasses.dataclass
class FlatHazardModel(MonthlyHazard, FlatModel):
    """Trained on a flat table in survival form (months observed and an event flag): a monthly
    hazard on the people's observed months, its time axis the months observed so far
    (`TIME_AXIS`, rolled forward month by month). A scored person's risk at h months is of leaving
    within the next h months, from the months they have been observed (the table's duration column)."""

    kind: ClassVar[str] = "flat_hazard"

    @property
    def outcome_horizon(self) -> int:
        """The last horizon the catalog asked for."""
        return int(max(self.metadata["horizons"]))

    @property
    def flat_catalog(self) -> FlatCatalog:
        """The table's catalog as the user wrote it (without the model's time axis)."""
        features = tuple(f for f in self.catalog.features if f.name != TIME_AXIS)
        return FlatCatalog(self.table_spec, Catalog(features, self.catalog.actions), {})

    def input_problems(self, columns: list[str]) -> list[str]:
        """The flat model's columns and the duration: how long each person has been observed."""
        problems = super().input_problems(columns)
        duration = self.table_spec.duration_column
        if duration not in columns:
            problems.append(
                f"missing column '{duration}' (table.duration): the months each person has been "
                "observed so far, from which their risk over the coming months is told"
            )
        return problems

    def prepare(self, table: pd.DataFrame) -> pd.DataFrame:
        """The flat features, and the months observed so far as the hazard's time axis."""
        frame = super().prepare(table)
        frame[TIME_AXIS] = observed_months(self.table_spec, table)
        return frame


def observed_months(spec: TableSpec, table: pd.DataFrame) -> np.ndarray:
    """The whole months each person has been observed (the duration column, rounded down), refused
    with the rows where it is not a number of months ≥ 0."""
    column = spec.duration_column
    numbers, bad, reason = to_numbers(table[column], table.attrs.get("decimal", "."))
    bad = bad | numbers.isna() | (numbers < 0)
    if bad.any():
        raise InputError(
            f"column '{column}' (the months observed) is not a number of months ≥ 0 in "
            f"{rows_preview((table.index[bad] + 1).tolist())} (e.g. {table[column][bad].head(3).tolist()}); "
            "give each person's months observed so far"
        )
    return np.floor(numbers.to_numpy(dtype=float))


def input_columns(flat: FlatCatalog) -> list[str]:
    """The table's columns a flat model reads: features, and the inputs of derived ones."""
    columns = []
    for name in flat.catalog.names:
        columns.extend(derived_inputs(flat.table.derived[name]) if name in flat.table.derived else [name])
    return list(dict.fromkeys(columns))


def encode_features(frame: pd.DataFrame, catalog: Catalog, categories: dict[str, list[str]]) -> np.ndarray:
    """Feature matrix in catalog order; categories become their training codes (unknown -> NaN)."""
    columns = [encode_column(frame[spec.name], spec, categories) for spec in catalog.features]
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def encode_column(values: pd.Series, spec, categories: dict[str, list[str]]) -> np.ndarray:
    """One feature's column of the matrix: a category's training code (unknown -> NaN) or the number."""
    if spec.type == "categorical":
        lookup = {value: float(code) for code, value in enumerate(categories[spec.name])}
        return values.map(lookup).astype(float).to_numpy()
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
