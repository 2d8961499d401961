"""What each recorded action did: from a plan with a randomised holdout, the later exits of the
people it treated against those it left untreated, per option and horizon (pure).

The comparison is by assignment (intention to treat): who the plan assigned to act on against who it
held out, at random within each risk band, so nothing but the action and chance separates the arms.
The review records say how many assigned actions were recorded as done (the compliance); the
estimate is of assigning the action, which is what a plan decides. The interval is Newcombe's hybrid
score interval for a difference of two proportions; for a team action, assigned by team, a bootstrap
over teams. No figure rests on fewer than 5 people per arm (or 5 teams, for a team action).
Without a holdout the treated were chosen *because* of their risk: given the scores of the month, the
assigned are compared with unplanned people in the same decile of the model's risk (stated as such:
whatever the risk does not capture still confounds it); without scores nothing is claimed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.privacy import MIN_GROUP

HORIZONS = (3, 6, 12)
Z = 1.959964
MIN_COMPARED_SHARE = 0.95  # resamples that must compare something for an observational interval


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def newcombe_interval(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """95 % interval of p1 − p2 (Newcombe 1998, method 10)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1)
    l2, u2 = _wilson(k2, n2)
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def team_bootstrap_interval(
    outcomes: pd.DataFrame, rows: pd.DataFrame, horizon: int, seed: int, resamples: int = 1000
) -> tuple[float, float] | None:
    """95 % interval of the assigned teams' leaving rate minus the held-out teams', resampling whole
    teams in each arm (None with fewer than MIN_GROUP teams in an arm)."""
    ids = rows["employee_id"].astype(str).tolist()
    frame = outcomes.reindex(ids)
    gone = ((frame["termination_type"] == "voluntary") & (frame["months_to_exit"] <= horizon)).fillna(False)
    teams = pd.DataFrame(
        {"team": rows["team_id"].astype(str).to_numpy(), "held": rows["holdout"].to_numpy(dtype=bool)}
    ).assign(gone=gone.to_numpy(dtype=float))
    per_team = teams.groupby(["held", "team"])["gone"].agg(["sum", "count"])
    arms = [per_team.loc[held].to_numpy() for held in (False, True) if held in per_team.index]
    if len(arms) < 2 or min(len(a) for a in arms) < MIN_GROUP:
        return None
    rng = np.random.default_rng([seed, 4_099])
    differences = np.empty(resamples)
    for r in range(resamples):
        rates = [a[rng.integers(0, len(a), len(a))].sum(axis=0) for a in arms]
        differences[r] = rates[0][0] / rates[0][1] - rates[1][0] / rates[1][1]
    low, high = np.quantile(differences, [0.025, 0.975])
    return float(low), float(high)


def _done(reviews: list[dict], person: str, option: str) -> bool:
    actions = set(option.split(" + "))
    return any(
        r.get("employee_id") == person and (r.get("action") in actions or bool(r.get("action_text")))
        for r in reviews
    )


def _exits(outcomes: pd.DataFrame, ids: list[str], horizon: int) -> int:
    """How many of `ids` left voluntarily within `horizon` months."""
    frame = outcomes.reindex(ids)
    gone = (frame["termination_type"] == "voluntary") & (frame["months_to_exit"] <= horizon)
    return int(gone.fillna(False).sum())


def _effect_on_treated(
    t_decile: np.ndarray, t_gone: np.ndarray, c_decile: np.ndarray, c_gone: np.ndarray
) -> float:
    """The treated's leaving rate minus the unplanned's, decile by decile, weighted by the treated in
    each decile the two share (NaN where they share none: nothing is compared)."""
    bins = max(int(t_decile.max(initial=0)), int(c_decile.max(initial=0))) + 1
    t_n = np.bincount(t_decile, minlength=bins)
    c_n = np.bincount(c_decile, minlength=bins)
    common = (t_n > 0) & (c_n > 0)
    if not common.any():
        return float("nan")
    t_rate = np.bincount(t_decile, weights=t_gone, minlength=bins)[common] / t_n[common]
    c_rate = np.bincount(c_decile, weights=c_gone, minlength=bins)[common] / c_n[common]
    return float(np.sum((t_rate - c_rate) * t_n[common]) / t_n[common].sum())


def observational_effects(
    plan: pd.DataFrame,
    outcomes: pd.DataFrame,
    months_known: int,
    reviews: list[dict],
    scores: pd.DataFrame,
    seed: int = 0,
    resamples: int = 200,
) -> dict:
    """Without a holdout: each option's assigned people against the scored people the plan left out,
    within the same decile of the model's risk at the plan's month, averaged over the assigned (an
    effect on the treated); 95 % interval by a bootstrap over people."""
    left = outcomes.set_index(outcomes["employee_id"].astype(str))
    scored = scores.assign(employee_id=scores["employee_id"].astype(str))
    scored["decile"] = pd.qcut(scored["risk"].rank(method="first"), 10, labels=False)
    planned = set(plan["employee_id"].astype(str))
    pool = scored[~scored["employee_id"].isin(planned)]
    result = {
        "method": "observational: the assigned against unplanned people in the same decile of the model's "
        "risk at the plan's month (effect on the treated); what the risk does not capture still confounds it",
        "interval": "95 %, bootstrap over people",
        "months_known": int(months_known),
        "min_people_per_arm": MIN_GROUP,
        "options": {},
    }
    rng = np.random.default_rng(seed)
    for option, rows in plan.groupby("option", sort=False):
        treated = scored[scored["employee_id"].isin(set(rows["employee_id"].astype(str)))]
        entry = {
            "assigned": len(treated),
            "compared_with": 0,
            "recorded_done": int(sum(_done(reviews, p, option) for p in treated["employee_id"])),
            "model_estimate_12m": float(rows["risk_change"].mean()) if "risk_change" in rows else None,
            "horizons": {},
        }
        deciles = sorted(set(treated["decile"]) & set(pool["decile"]))
        treated = treated[treated["decile"].isin(deciles)]
        controls = pool[pool["decile"].isin(deciles)]
        entry["compared_with"] = len(controls)
        for h in HORIZONS:
            if h > months_known:
                continue
            if min(len(treated), len(controls)) < MIN_GROUP:
                entry["horizons"][str(h)] = {"note": f"fewer than {MIN_GROUP} people in an arm"}
                continue
            gone = ((left["termination_type"] == "voluntary") & (left["months_to_exit"] <= h)).fillna(False)
            t_decile = treated["decile"].to_numpy(dtype=int)
            c_decile = controls["decile"].to_numpy(dtype=int)
            t_gone = gone.reindex(treated["employee_id"]).fillna(False).to_numpy(dtype=float)
            c_gone = gone.reindex(controls["employee_id"]).fillna(False).to_numpy(dtype=float)
            point = _effect_on_treated(t_decile, t_gone, c_decile, c_gone)
            boot = np.empty(resamples)
            for r in range(resamples):
                t_pick = rng.integers(0, len(t_decile), len(t_decile))
                c_pick = rng.integers(0, len(c_decile), len(c_decile))
                boot[r] = _effect_on_treated(
                    t_decile[t_pick], t_gone[t_pick], c_decile[c_pick], c_gone[c_pick]
                )
            # A resample whose treated and unplanned people share no risk decile compares nothing; where
            # that happens more than rarely, no interval is honest.
            compared = np.isfinite(boot)
            if not np.isfinite(point) or compared.mean() < MIN_COMPARED_SHARE:
                entry["horizons"][str(h)] = {
                    "note": f"the treated and the unplanned share no risk decile in "
                    f"{int((~compared).sum())} of {resamples} resamples; no honest interval"
                }
                continue
            low, high = np.quantile(boot[compared], [0.025, 0.975])
            entry["horizons"][str(h)] = {
                "effect": round(point, 4),
                "low": round(float(low), 4),
                "high": round(float(high), 4),
            }
        result["options"][option] = entry
    return result


def action_effects(
    plan: pd.DataFrame,
    outcomes: pd.DataFrame,
    months_known: int,
    reviews: list[dict],
    scores: pd.DataFrame | None = None,
) -> dict:
    """plan: employee_id, option, holdout (from `plan --holdout-share`), risk_change; outcomes:
    employee_id, months_to_exit (from the plan's month; NaN if still there), termination_type;
    `months_known`: how many months after the plan's month the outcomes reach. Without a holdout,
    with `scores` (everyone's risk at the plan's month) the observational comparison; without either,
    nothing is claimed."""
    if "holdout" not in plan.columns or not plan["holdout"].any():
        if scores is not None:
            return observational_effects(plan, outcomes, months_known, reviews, scores)
        return {
            "method": "none",
            "why": "the plan has no randomised holdout (plan --holdout-share), and no scores were given to "
            "compare the treated with unplanned people of the same risk (--scores); no effect is estimated",
            "options": {},
        }
    left = outcomes.set_index(outcomes["employee_id"].astype(str))
    result = {
        "method": "randomised: assigned against held out at random within risk bands (intention to treat)",
        "interval": "95 %, Newcombe hybrid score",
        "months_known": int(months_known),
        "min_people_per_arm": MIN_GROUP,
        "options": {},
    }
    for option, rows in plan.groupby("option", sort=False):
        people = rows["employee_id"].astype(str)
        held = rows["holdout"].to_numpy(dtype=bool)
        treated_ids, control_ids = people[~held].tolist(), people[held].tolist()
        # A team action (plan/teams.py) is assigned and held out by team, so its people are not
        # independent draws: its interval resamples teams, not people.
        by_team = "team_id" in rows and bool(rows["team_id"].notna().all())
        entry = {
            "assigned": len(treated_ids),
            "held_out": len(control_ids),
            **({"interval": "95 %, bootstrap over teams (assigned by team)"} if by_team else {}),
            "recorded_done": int(sum(_done(reviews, p, option) for p in treated_ids)),
            "model_estimate_12m": float(rows["risk_change"].mean()) if "risk_change" in rows else None,
            "horizons": {},
        }
        for h in HORIZONS:
            if h > months_known:
                continue
            if min(len(treated_ids), len(control_ids)) < MIN_GROUP:
                entry["horizons"][str(h)] = {"note": f"fewer than {MIN_GROUP} people in an arm"}
                continue
            k1, k2 = _exits(left, treated_ids, h), _exits(left, control_ids, h)
            n1, n2 = len(treated_ids), len(control_ids)
            if by_team:
                interval = team_bootstrap_interval(left, rows, h, seed=h)
                if interval is None:
                    entry["horizons"][str(h)] = {
                        "note": f"fewer than {MIN_GROUP} teams in an arm: a team action is assigned by "
                        "team, and no honest interval rests on fewer"
                    }
                    continue
                low, high = interval
            else:
                low, high = newcombe_interval(k1, n1, k2, n2)
            entry["horizons"][str(h)] = {
                "left_assigned": round(k1 / n1, 4),
                "left_held_out": round(k2 / n2, 4),
                "effect": round(k1 / n1 - k2 / n2, 4),
                "low": round(float(low), 4),
                "high": round(float(high), 4),
            }
        result["options"][option] = entry
    return result
