"""`check_risk_model`: what every kind of trained model must do, checked the same way for each
(as scikit-learn's estimator checks are for its estimators).

A new model kind passes this suite before anything reads it: the explanations rely on additivity,
the scores on invariance to row order and ids, scoring months later on the folder round trip, and
the input contract on refusing what it cannot read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from flightrisk.errors import InputError
from flightrisk.model.artifact import load_model, save_model
from flightrisk.model.risk_model import MonthlyHazard, RiskModel

TOLERANCE = 1e-6


def check_risk_model(model: RiskModel, table: pd.DataFrame, folder: Path) -> list[str]:
    """Run every check on `model` with `table` (rows it can read, as a user gives them) and an empty
    `folder` for the round trip; the names of the checks run. Raises AssertionError listing every
    check that failed."""
    checks = (
        check_risk_is_a_probability,
        check_contributions_add_up_to_the_margin,
        check_row_order_and_ids_do_not_change_a_risk,
        check_the_folder_round_trip_keeps_every_answer,
        check_input_without_a_feature_is_refused,
        check_horizon_risks_grow_with_the_horizon,
    )
    failed = []
    for check in checks:
        try:
            if check is check_the_folder_round_trip_keeps_every_answer:
                check(model, table, Path(folder) / "model")
            else:
                check(model, table)
        except AssertionError as exc:
            failed.append(f"{check.__name__}: {exc}")
    if failed:
        raise AssertionError(f"{type(model).__name__} fails {len(failed)} check(s):\n" + "\n".join(failed))
    return [check.__name__ for check in checks]


def check_risk_is_a_probability(model: RiskModel, table: pd.DataFrame) -> None:
    """Every risk is finite, in [0, 1], the same when asked twice, and banded by the model's bands."""
    frame = model.prepare(table)
    risk = model.risk(frame)
    assert risk.shape == (len(frame),), f"one risk per row expected, got shape {risk.shape}"
    assert np.isfinite(risk).all() and ((risk >= 0) & (risk <= 1)).all(), "a risk outside [0, 1]"
    assert np.array_equal(risk, model.risk(frame)), "the same rows gave different risks"
    low, high = model.risk_bands
    expected = np.where(risk >= high, "high", np.where(risk >= low, "medium", "low"))
    assert (model.band(risk) == expected).all(), "bands disagree with the model's thresholds"


def check_contributions_add_up_to_the_margin(model: RiskModel, table: pd.DataFrame) -> None:
    """Exact explanations: one value per feature plus the base, summing to the margin of each row."""
    frame = model.prepare(table)
    contributions = model.margin_contributions(frame)
    assert contributions.shape == (len(frame), len(model.feature_names) + 1), (
        f"expected (rows, features + 1), got {contributions.shape}"
    )
    gap = np.abs(contributions.sum(axis=1) - model.margin(frame)).max()
    assert gap < TOLERANCE, f"contributions miss the margin by up to {gap:.2e}"


def check_row_order_and_ids_do_not_change_a_risk(model: RiskModel, table: pd.DataFrame) -> None:
    """A person's risk depends on their features only: not on where their row is, nor on their id."""
    risk = pd.Series(model.risk(model.prepare(table)), index=table.index)
    shuffled = table.sample(frac=1.0, random_state=0)
    again = pd.Series(model.risk(model.prepare(shuffled)), index=shuffled.index)
    assert np.allclose(risk.loc[shuffled.index], again, atol=TOLERANCE), "shuffling rows changed risks"
    renamed = table.copy()
    for column in _id_columns(model, table):
        renamed[column] = [f"someone-{i}" for i in range(len(table))]
    assert np.allclose(model.risk(model.prepare(renamed)), risk, atol=TOLERANCE), "ids changed risks"


def check_the_folder_round_trip_keeps_every_answer(
    model: RiskModel, table: pd.DataFrame, folder: Path
) -> None:
    """Saved to `folder` and loaded (text and JSON, nothing pickled), the model answers as before."""
    frame = model.prepare(table)
    save_model(model, folder)
    loaded = load_model(folder)
    assert type(loaded) is type(model) and loaded.kind == model.kind, f"loaded as {type(loaded).__name__}"
    assert loaded.feature_names == model.feature_names, "the features changed"
    assert np.allclose(loaded.risk(loaded.prepare(table)), model.risk(frame), atol=TOLERANCE), "risks changed"
    assert np.allclose(
        loaded.margin_contributions(loaded.prepare(table)), model.margin_contributions(frame), atol=TOLERANCE
    ), "contributions changed"
    assert loaded.risk_bands == model.risk_bands, "the bands changed"


def check_input_without_a_feature_is_refused(model: RiskModel, table: pd.DataFrame) -> None:
    """The input contract names a missing column; the full table has no problem."""
    assert model.input_problems(list(table.columns)) == [], "the model's own input has problems"
    needed = [c for c in table.columns if model.input_problems([x for x in table.columns if x != c])]
    assert needed, "no column is needed: the contract checks nothing"
    dropped = needed[-1]
    problems = model.input_problems([c for c in table.columns if c != dropped])
    assert any(dropped in p for p in problems), f"dropping {dropped!r} is not named: {problems}"
    try:
        frame = model.prepare(table.drop(columns=[dropped]))
        model.risk(frame)
    except (InputError, KeyError):
        return
    raise AssertionError(f"a table without {dropped!r} was scored")


def check_horizon_risks_grow_with_the_horizon(model: RiskModel, table: pd.DataFrame) -> None:
    """A hazard model's risk of leaving within 3, 6 and 12 months never falls as the horizon grows."""
    if not isinstance(model, MonthlyHazard):
        return
    risks = model.horizon_risks(model.prepare(table)).to_numpy()
    assert (np.diff(risks, axis=1) >= -TOLERANCE).all(), "a longer horizon gave a lower risk"


def _id_columns(model: RiskModel, table: pd.DataFrame) -> list[str]:
    """The input's id columns: employee_id for snapshots, the catalog's id for a flat table."""
    spec = getattr(model, "table_spec", None)
    columns = list(spec.id_columns) if spec is not None else ["employee_id"]
    return [c for c in columns if c in table.columns]
