"""A team action's what-if as a shift of the state the team shares, measured once at training.

Celebrating shared wins lifts a team's climate, and a climate moves every member's hazard by the same
proportion. Read person by person, the response models spread that shift by whatever else sets a
member's features apart, and they read it through a survey mean that is noisy and months old, which
attenuates what any model learns from it (errors in variables). On 19 kept unseen worlds the summed
per-person what-ifs ranked teams by their true gain at a correlation of 0.45-0.66 where the members'
risks alone reached 0.72-0.82, and the what-if read the climate's effect at 0.17-0.74 of its truth
(docs/benchmarks.md, session 18).

So a team action whose change is a team survey mean is read here as one proportional shift of the
hazard, `hazard_share`, the same for every member (the response models' reading over the people it
applies to at the training's last snapshot), divided by that survey mean's `reliability` as a measure
of the team's state now (measured from the survey table alone: the answers' spread within teams, and
how far a team's mean moves between waves). A person's change in 12-month risk r is then
(1 - r)(1 - exp(s H)), H = -ln(1 - r), s = hazard_share / reliability: the risk a proportional fall in
the hazard leaves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.catalog import ActionSpec
from flightrisk.features.directory import teams_at
from flightrisk.features.snapshots import MIN_PEERS

# A team mean of the survey, per feature: the survey table and its answer.
TEAM_SURVEY_MEANS = {"team_culture_score": ("engagement_survey", "culture")}
# The reliability is read at least this high, so that the correction is at most 1 / MIN_RELIABILITY:
# with few teams or waves the two estimates it rests on are noisy.
MIN_RELIABILITY = 0.5
# A snapshot reads the latest survey, on average half a wave old (waves six months apart: three).
MEAN_SURVEY_AGE_MONTHS = 3.0


def team_survey_feature(action: ActionSpec) -> str | None:
    """The team survey mean a team action changes (None for a person's action or any other change)."""
    if action.scope != "team":
        return None
    return next((f for f, _, _ in action.changes if f in TEAM_SURVEY_MEANS), None)


def survey_reliability(survey: pd.DataFrame, job_history: pd.DataFrame, answer: str) -> dict | None:
    """How well a team's mean `answer` at its latest wave measures the team's state now (None with fewer
    than three waves): noise x staleness.

    noise: per wave, 1 - (the mean over teams of the answers' variance within the team / its answers)
    over the variance of the team means (teams of MIN_PEERS answers or more, as the feature); its
    median over waves. staleness: the team means' correlation from one wave to the next, over the
    noise, is how much of the state lasts a wave; a snapshot reads a mean MEAN_SURVEY_AGE_MONTHS old
    on average, so that share to the power of its part of the wave."""
    answers = survey[["employee_id", "survey_date", answer]].dropna()
    answers = answers.assign(survey_date=pd.to_datetime(answers["survey_date"]))
    waves = sorted(answers["survey_date"].unique())
    if len(waves) < 3:
        return None
    noise, carried, previous = [], [], None
    for wave in waves:
        # An answer counts for the team the person was in at the wave, as the feature counts it.
        given = answers[answers["survey_date"] == wave]
        team = given["employee_id"].astype(str).map(teams_at(job_history, pd.Timestamp(wave)))
        by_team = given[answer].groupby(team.to_numpy())
        teams = pd.DataFrame({"mean": by_team.mean(), "var": by_team.var(), "n": by_team.size()})
        teams = teams[teams["n"] >= MIN_PEERS]
        if len(teams) < 3 or teams["mean"].var() <= 0:
            previous = None
            continue
        noise.append(1.0 - float((teams["var"] / teams["n"]).mean() / teams["mean"].var()))
        if previous is not None:
            both = teams[["mean"]].join(previous[["mean"]], rsuffix="_before", how="inner")
            if len(both) >= 3:
                carried.append(float(both["mean"].corr(both["mean_before"])))
        previous = teams
    if not noise or not carried:
        return None
    months_apart = float(np.median(np.diff(np.array(waves, dtype="datetime64[D]")).astype(float))) / 30.44
    noise_share = float(np.clip(np.median(noise), 1e-6, 1.0))
    lasting = float(np.clip(np.median(carried) / noise_share, 0.0, 1.0))
    staleness = lasting ** (MEAN_SURVEY_AGE_MONTHS / max(months_apart, 1.0))
    return {
        "noise": round(noise_share, 4),
        "wave_to_wave": round(float(np.median(carried)), 4),
        "staleness": round(staleness, 4),
        "reliability": round(max(MIN_RELIABILITY, noise_share * staleness), 4),
        "waves": len(waves),
    }


def hazard_share(change: np.ndarray, risk: np.ndarray) -> float:
    """The proportional fall in the hazard that the mean `change` in 12-month risk amounts to, to
    first order: mean(-change) / mean((1 - r) H)."""
    exposure = _exposure(risk)
    return float(-np.mean(change) / np.mean(exposure)) if np.mean(exposure) > 0 else 0.0


def shifted_change(risk: np.ndarray, share: float) -> np.ndarray:
    """The change in 12-month risk when the hazard falls by `share` (rises where it is negative)."""
    r = np.clip(risk, 0.0, 1.0 - 1e-12)
    cumulative = -np.log1p(-r)
    return (1.0 - r) * -np.expm1(min(share, 1.0) * cumulative)


def _exposure(risk: np.ndarray) -> np.ndarray:
    r = np.clip(risk, 0.0, 1.0 - 1e-12)
    return (1.0 - r) * -np.log1p(-r)


def stored_shifts(model) -> dict[str, float]:
    """Per team action measured at training, the hazard's proportional fall it is read as
    (`hazard_share` / `reliability`); empty for a model trained without them."""
    return {
        name: float(shift["hazard_share"]) / float(shift["reliability"])
        for name, shift in (model.metadata.get("team_shifts") or {}).items()
    }


def measure_team_shifts(model, features: pd.DataFrame, tables: dict[str, pd.DataFrame] | None) -> dict:
    """`team_shifts` for the model's metadata: per team action that changes a team survey mean, its
    hazard share over the people it applies to at the features' last snapshot, and that mean's
    reliability (1, said so, without the survey and job history)."""
    # Imported here: the what-if module reads the shifts this module measures.
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.explain.whatif import applies, response_shares

    team_actions = [(a, team_survey_feature(a)) for a in model.catalog.actions]
    team_actions = [(a, f) for a, f in team_actions if f is not None and f in model.feature_names]
    if not team_actions:
        return {}
    last = features[features["snapshot_date"] == features["snapshot_date"].max()].reset_index(drop=True)
    points = explain_rows(model, last).feature_points
    now = model.risk(last)
    reading = model.response_reading(last)
    shifts = {}
    for action, feature in team_actions:
        where = applies(last, action)
        # The response models' reading, whatever shift the model may already carry.
        shares = response_shares(model, last, points, [action], now, reading, team_shifts=False)
        change = sum(share for _, share in shares)
        table, answer = TEAM_SURVEY_MEANS[feature]
        measured = (
            survey_reliability(tables[table], tables["job_history"], answer)
            if tables is not None and table in tables and "job_history" in tables
            else None
        )
        shifts[action.name] = {
            "hazard_share": round(hazard_share(np.asarray(change)[where], now[where]), 6),
            "people": int(where.sum()),
            "survey_mean": feature,
            "reliability": measured["reliability"] if measured else 1.0,
            "reliability_measured": measured,
        }
    return shifts
