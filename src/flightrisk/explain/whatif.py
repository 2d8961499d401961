"""What-if actions: apply a catalog action to a person's features and re-score.

An action is offered only where it applies to the person's state (`applies_when` in the catalog) and
changes only the features its mechanism touches. A snapshot model's three response models
(model/response.py: a sign-constrained logistic regression, a lever-additive booster on the 12-month
label and the same on next-month exits carried over the horizon, on the calibrated risk's level)
re-score it, per lever the features that fade by themselves apart from the lasting ones, each with
its mix (`response_mix`); flat tables re-score the booster. The
risk model itself is flat wherever a small effect earned no split, so re-scoring it credits many
actions with exactly nothing (61 % of the person-action pairs whose true effect exceeded a point, on
one simulated world). The logistic part is bounded by twice the risk model's reading of the features
the action changes, the result is scaled down where the lever's measured effect vouches for less
(explain/causal.py), and never exceeds the whole risk. Measured in docs/benchmarks.md;
`reports/truth.json` checks every estimate against what the simulator says would really happen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from flightrisk.explain.causal import lever_ceilings
from flightrisk.explain.team_shift import shifted_change, stored_shifts
from flightrisk.features.catalog import FOLLOWING_CHANGES, ActionSpec
from flightrisk.i18n import Words, words_for
from flightrisk.model.risk_model import ResponseReading, RiskModel


def applies(frame: pd.DataFrame, action: ActionSpec) -> np.ndarray:
    """Per row, whether the action applies to the person's state (all `applies_when` conditions hold)."""
    mask = np.ones(len(frame), dtype=bool)
    for feature, kind, value in action.applies_when:
        column = frame[feature]
        if kind == "not_in":
            mask &= ~column.astype(str).isin(value).to_numpy()
            continue
        numbers = pd.to_numeric(column, errors="coerce").astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            holds = {
                "below": numbers < value,
                "above": numbers > value,
                "at_least": numbers >= value,
                "at_most": numbers <= value,
            }[kind]
        mask &= holds  # a missing value never satisfies a condition: no advice on unknown state
    return mask


PercentileOf = Callable[[str, np.ndarray], np.ndarray]


def apply_action(
    frame: pd.DataFrame, action: ActionSpec, percentile: PercentileOf | None = None
) -> pd.DataFrame:
    """The rows of `frame` as they would look after `action`; rows it does not apply to are unchanged.
    `percentile` (`RiskModel.feature_percentile`) places a feature's values among the training rows;
    an action with a `rank_with` change needs it."""
    changed = frame.copy()
    where = pd.Series(applies(frame, action), index=frame.index)
    # Changes that follow a feature the action changes come last, in FOLLOWING_CHANGES' order.
    ordered = sorted(
        action.changes,
        key=lambda change: FOLLOWING_CHANGES.index(change[1]) + 1 if change[1] in FOLLOWING_CHANGES else 0,
    )
    for feature, kind, value in ordered:
        if feature not in changed.columns:
            continue
        if kind == "set" and isinstance(value, str):  # a category, e.g. OverTime -> "No"
            changed[feature] = changed[feature].where(~where, value)
            continue
        column = pd.to_numeric(frame[feature], errors="coerce").astype(float)
        if kind in FOLLOWING_CHANGES:
            old = pd.to_numeric(frame[value], errors="coerce").astype(float)
            new = pd.to_numeric(changed[value], errors="coerce").astype(float)
            if kind == "scale_with":
                after = column * (new / old).where(old > 0, 1.0)
            elif kind == "rank_with":
                after = column + _rank_shift(percentile, action, value, old, new)
            else:  # a ratio over something that grew by `old` % and now grows by `new` %
                after = column * ((100 + old) / (100 + new)).where((old > -100) & (new > -100), 1.0)
        else:
            after = _changed(column, kind, float(value))
        changed[feature] = after.where(where, column)
    return changed


def _rank_shift(
    percentile: PercentileOf | None, action: ActionSpec, feature: str, old: pd.Series, new: pd.Series
) -> pd.Series:
    """How far a peer rank moves when `feature` goes from `old` to `new`: the change in its percentile
    among the training rows (0 where either is unknown). The rank is read against everyone trained
    on, not the person's role peers in that month: a one-person what-if has no peers to rank among."""
    if percentile is None:
        raise ValueError(
            f"action '{action.name}' moves a rank with '{feature}': pass the model's percentiles"
        )
    shift = percentile(feature, new.to_numpy(dtype=float)) - percentile(feature, old.to_numpy(dtype=float))
    return pd.Series(np.nan_to_num(shift), index=old.index)


def _changed(column: pd.Series, kind: str, value: float) -> pd.Series:
    if kind in ("set", "hold"):  # `hold` sets it now and keeps it there every month ahead
        return pd.Series(value, index=column.index)
    if kind == "add":
        return column + value
    if kind == "scale":
        return column * value
    if kind == "at_least":
        return column.where(column >= value, value)
    return column.where(column <= value, value)  # at_most


def estimate_effect(
    model: RiskModel,
    frame: pd.DataFrame,
    feature_points: np.ndarray,
    action: ActionSpec,
    now: np.ndarray,
    reading: ResponseReading | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The estimated risk change per row (0 where the action does not apply), and where it applies.

    A snapshot model's response models re-score the person after the action (model/response.py),
    lever by lever (its fading and its lasting features apart), mixed by `response_mix`: the
    sign-constrained logistic regression's change — at most LINEAR_CAP times what the lever's
    features the action changes add to the risk now (their positive contributions to the risk model,
    in probability points) — and the two lever-additive boosters' (the monthly one's on the
    calibrated risk's level). Flat tables re-score the booster within that reading. Each lever's
    (or measured lever part's) fall in risk is scaled down where its measured effect vouches for
    less (`lever_ceilings`, explain/causal.py); a rise stands. Never below −risk. `reading`: the response models' reading of
    `frame` (`model.response_reading`) when the caller estimates many actions on it.
    """
    return estimate_combination(model, frame, feature_points, [action], now, reading)


# The logistic response's coefficient of a feature can carry what travels with it (coaching with a
# good manager: −14 points claimed for monthly coaching on the default world, −3 true), so its
# change is bounded by the risk model's reading of those features. Twice that reading, not once:
# the risk model under-reads small effects (it is flat where they earned no split). Measured offline
# with the logistic model alone, a bound of 1x cost the plan (default world 0.45 of the oracle
# against 0.59, unseen worlds' worst 0.44 against 0.51) while 2x still held coaching to −4.5 points.
LINEAR_CAP = 2.0


def estimate_combination(
    model: RiskModel,
    frame: pd.DataFrame,
    feature_points: np.ndarray,
    actions: list[ActionSpec],
    now: np.ndarray,
    reading: ResponseReading | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """As `estimate_effect`, for actions taken together: each must apply; the cap is their features' share."""
    where = np.ones(len(frame), dtype=bool)
    for action in actions:
        where &= applies(frame, action)
    ceilings = lever_ceilings(model)
    change = np.zeros(len(frame))
    for (lever, group), share in response_shares(model, frame, feature_points, actions, now, reading):
        # The ceiling bounds the lever's (or part's) share as a whole, its two kinds netted first.
        ceiling = ceilings.get(group, ceilings.get(lever, 1.0))
        change += np.where(share < 0, ceiling * share, share)
    return np.where(where, np.maximum(change, -now), 0.0), where


def response_shares(
    model: RiskModel,
    frame: pd.DataFrame,
    feature_points: np.ndarray,
    actions: list[ActionSpec],
    now: np.ndarray,
    reading: ResponseReading | None = None,
    team_shifts: bool = True,
) -> list[tuple[tuple[str, str], np.ndarray]]:
    """Per (lever, part or lever) the actions move, the change in risk they make before any ceiling:
    the response models' (`estimate_combination`), or a team action's shift of its team's shared
    state where one was measured at training (explain/team_shift.py) and `team_shifts` is True
    (False: the response models' reading, which the shift is measured from)."""
    shifts = stored_shifts(model) if team_shifts else {}
    shifted = [action for action in actions if action.name in shifts]
    actions = [action for action in actions if action.name not in shifts]
    shares = [((a.lever, a.lever), shifted_change(now, shifts[a.name])) for a in shifted]
    if not actions:
        return shares
    after = frame
    for action in actions:
        after = apply_action(after, action, model.feature_percentile)
    # Each lever's share of the change on its own (a promotion moves pay as well as the wait), scaled
    # down where that lever's measured effect says its reading over-states the cause
    # (explain/causal.py; 1 for a model without effects): a lever that does nothing moves nothing.
    # A lever part measured on its own (workload's attainment and load) is scaled by its own ceiling.
    # The ceiling bounds what an action promises, never a harm the response models read: attainment's
    # measured effect can point the other way (meeting the quota also makes a rep more of a top
    # performer, whose unrecognised months weigh more), and scaling the rise the models read for a
    # realistic quota to zero with the fall turned right signs into misses (docs/benchmarks.md).
    # Within a lever (or part), the features that fade by themselves and the lasting ones are read
    # apart by the response models, each with its own mix (`response_mix`): a raise is a pay level
    # that lasts and a recency that fades, and reading the pay level through the mix for fading
    # states took the monthly booster's over-reading of a lasting state with it (docs/benchmarks.md).
    # Without response models (flat tables) the risk model re-scores the lever's features together.
    reading = reading if reading is not None else model.response_reading(frame)
    # A change kept up (catalog `hold`: a 1:1 every month from now on) is held over the horizon.
    held = {
        feature: float(value)
        for action in actions
        for feature, kind, value in action.changes
        if kind == "hold"
    }
    index = {name: j for j, name in enumerate(model.feature_names)}
    touched = read_together(model, actions, fading_apart=reading is not None)
    for key, kinds in touched.items():
        # The logistic change's bound is what all the lever's (or part's) changed features add to the
        # risk now, whichever kind reads them: bounded by its fading or its lasting features' points
        # alone, a 1:1 for someone whose last check-in is recent read nothing.
        together = [f for features in kinds.values() for f in features]
        removable = np.clip(feature_points[:, [index[f] for f in together]], 0, None).sum(axis=1)
        share = sum(
            _response_change(model, reading, frame, after, f, removable, now, held) for f in kinds.values()
        )
        shares.append((key, share))
    return shares


def read_together(
    model: RiskModel, actions: list[ActionSpec], fading_apart: bool = True
) -> dict[tuple[str, str], dict[bool, list[str]]]:
    """The model features `actions` change, as the what-if reads them: per (lever, part or lever),
    those that fade by themselves (True) apart from the lasting ones (False) when `fading_apart`."""
    features_of_model = set(model.feature_names)
    set_directly = {f for action in actions for f, kind, _ in action.changes if kind != "rank_with"}
    touched: dict[tuple[str, str], dict[bool, list[str]]] = {}
    for action in actions:
        for feature, kind, value in action.changes:
            if feature not in features_of_model:
                continue
            spec = model.catalog.feature(feature)
            # A rank that moves with a feature is read with that feature's lever (or part): it is how
            # the action works through it (meeting the quota makes a rep more of a top performer,
            # whose unrecognised months weigh more), so the measured effect that bounds the one
            # bounds their net change (docs/benchmarks.md). Where another action of the combination
            # sets the rank itself (a recognition), it is read once, with its own lever.
            ranked = kind == "rank_with" and value in features_of_model and feature not in set_directly
            source = model.catalog.feature(value) if ranked else spec
            features = touched.setdefault((source.lever, source.group), {}).setdefault(
                bool(spec.per_month) and fading_apart, []
            )
            if feature not in features:
                features.append(feature)
    return touched


@dataclasses.dataclass(frozen=True)
class ResponseMix:
    """How much of a what-if each response model's change makes (the weights add up to 1)."""

    linear: float
    booster: float
    monthly: float


# The three response models read a lever differently (model/response.py). The two fitted to the
# 12-month label blur a state that fades within the year (a recognition, a raise's or a check-in's
# recency: a feature that ages by itself, catalog `per_month`) and read recognition at a tenth to a
# half of its true size on the unseen worlds; the monthly booster, carried over the horizon with the
# features aged and put on the calibrated risk's level (`_on_calibrated_level`), follows the fading,
# so it weighs most there. It over-reads a lasting state (a raise 1.3-2.4 times) and lends some
# weight to levers that do nothing, so elsewhere the 12-month models keep three quarters. Against the
# mix read per lever on the monthly booster's own level, benchmarked on the same models: the plan's
# worst of the five usual worlds 0.83 of the oracle plan against 0.78, its promise 1.11 times what
# it averts against 1.21; the best action's share in one of three new worlds 0.89 → 0.85
# (docs/benchmarks.md).
LASTING_MIX = ResponseMix(linear=0.5, booster=0.25, monthly=0.25)
AGEING_MIX = ResponseMix(linear=0.125, booster=0.125, monthly=0.75)


def response_mix(model: RiskModel, features: list[str]) -> ResponseMix:
    """The mix for `features` (a what-if reads fading and lasting features apart): AGEING_MIX where
    they age by themselves, else LASTING_MIX."""
    ages = any(model.catalog.feature(f).per_month for f in features)
    return AGEING_MIX if ages else LASTING_MIX


def _response_change(
    model: RiskModel,
    reading: ResponseReading | None,
    frame: pd.DataFrame,
    after: pd.DataFrame,
    features: list[str],
    removable: np.ndarray,
    now: np.ndarray,
    held: dict[str, float] | None = None,
) -> np.ndarray:
    """The response models' change in probability when `features` take their values in `after`,
    mixed by `response_mix` (the booster's, within its reading, for a model without them); `held`:
    the features an action keeps at their value every month ahead."""
    if reading is None:
        partial = frame.copy()
        partial[features] = after[features].to_numpy()
        return np.maximum(model.risk(partial) - now, -removable)
    change = model.response_change(reading, after, features, held)
    linear = np.maximum(change.linear, -LINEAR_CAP * removable)
    if change.booster is None:
        return linear
    mix = response_mix(model, features)
    # A model trained before the monthly booster reads the 12-month booster in its place.
    if change.monthly is None:
        monthly = change.booster
    else:
        monthly = _on_calibrated_level(reading.monthly, change.monthly, now)
    return mix.linear * linear + mix.booster * change.booster + mix.monthly * monthly


def _on_calibrated_level(before: np.ndarray, change: np.ndarray, now: np.ndarray) -> np.ndarray:
    """The monthly booster's change in 12-month risk, put on the calibrated risk's level.

    Its monthly hazards are not calibrated, and carried over twelve months they sum to a risk 1.2 to
    1.6 times the calibrated one on the unseen worlds (1.8 times in the riskiest fifth); a change in
    hazard moves a larger risk further, so it over-read every action by as much. Per person, its
    cumulative hazard is scaled so that before the action it gives the calibrated risk `now`, and
    the action's change in hazard by the same factor: what the booster reads as relative is kept,
    the level is the calibrated one."""
    hazard_before = _cumulative_hazard(before)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(hazard_before > 0, _cumulative_hazard(now) / hazard_before, 1.0)
    # A row the action did not move changes by exactly 0, not by the rounding of the round trip.
    return np.where(change == 0, 0.0, -np.expm1(-factor * _cumulative_hazard(before + change)) - now)


def _cumulative_hazard(risk: np.ndarray) -> np.ndarray:
    """H with risk = 1 − exp(−H)."""
    return -np.log1p(-np.clip(risk, 0.0, 1.0 - 1e-12))


def _raise_percent(model: RiskModel, frame: pd.DataFrame, action: ActionSpec) -> np.ndarray:
    """Per row, the raise in percent that lifting this person's pay ratio implies (NaN for other actions)."""
    for kind, feature in action.cost:
        if kind == "pay_raise_to":
            before = pd.to_numeric(frame[feature], errors="coerce").to_numpy(dtype=float)
            after = apply_action(frame, action, model.feature_percentile)[feature]
            after = pd.to_numeric(after, errors="coerce").to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(before > 0, (after / before - 1.0) * 100, np.nan)
    # A `pay_raise_pct` cost is the catalog's price assumption (a promotion's usual raise), not a
    # fact about this person, so it is not put into the action's words.
    return np.full(len(frame), np.nan)


def _raise_words(percent: float, words: Words) -> str:
    """' (a raise of about 9 %)' — the size of the raise, so the label never hides it."""
    if np.isnan(percent) or percent <= 0:
        return ""
    return words("raise_about", percent=max(round(percent), 1))


def what_if(
    model: RiskModel,
    frame: pd.DataFrame,
    words: Words | None = None,
    feature_points: np.ndarray | None = None,
) -> list[list[dict]]:
    """Per row, the actions that apply and lower risk, best first: action, lever, text, risk now/after, change."""
    return with_texts(what_if_numbers(model, frame, feature_points), model.catalog, words or words_for("en"))


def with_texts(actions: list[list[dict]], catalog, words: Words) -> list[list[dict]]:
    """The what-ifs' numbers with each action's words (the size of a raise included)."""
    specs = {a.name: a for a in catalog.actions}
    return [
        [
            {
                **item,
                "text": specs[item["action"]].text(words.lang)
                + _raise_words(np.nan if item["raise_pct"] is None else item["raise_pct"], words),
            }
            for item in row
        ]
        for row in actions
    ]


def what_if_numbers(
    model: RiskModel, frame: pd.DataFrame, feature_points: np.ndarray | None = None
) -> list[list[dict]]:
    """Per row, the actions that apply and lower risk, best first, in numbers (no words): action,
    lever, the size of a raise, risk now and after, change. What `score --explain` keeps."""
    frame = frame.reset_index(drop=True)
    if feature_points is None:
        from flightrisk.explain.contributions import explain_rows

        feature_points = explain_rows(model, frame).feature_points
    now = model.risk(frame)
    reading = model.response_reading(frame)
    results: list[list[dict]] = [[] for _ in range(len(frame))]
    for action in model.catalog.actions:
        delta, where = estimate_effect(model, frame, feature_points, action, now, reading)
        raise_pct = _raise_percent(model, frame, action)
        for i in np.flatnonzero(where & (delta < -1e-4)):
            results[i].append(
                {
                    "action": action.name,
                    "lever": action.lever,
                    "raise_pct": None if np.isnan(raise_pct[i]) else float(raise_pct[i]),
                    "risk_now": float(now[i]),
                    "risk_after": float(now[i] + delta[i]),
                    "change": float(delta[i]),
                }
            )
    for row in results:
        row.sort(key=lambda item: item["change"])
    return results
