"""The tool measured against a simulated world's counterfactual truth (`reports/truth.json`).

Pure functions: frames in, numbers out. The simulator's truth comes in as frames — the true
3/6/12-month risk of each person-month, the true hazard split by lever, and the true effect of
each action for a set of people — so this module never runs the simulator itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from flightrisk import LEVERS
from flightrisk.explain.causal import ranked_lever_sizes
from flightrisk.explain.contributions import explain_rows
from flightrisk.explain.whatif import estimate_effect
from flightrisk.model.metrics import calibration_table
from flightrisk.model.risk_model import MonthlyHazard, RiskModel
from flightrisk.synth.truth import below_certain_exit, hazard_at_snapshots, true_lever_term
from flightrisk.truth.explanations import truth_correlations

MEANINGFUL_EFFECT = 0.01  # a true effect above 1 point is one whose sign matters
# The truth is Monte Carlo: an action that does not touch a person (a promotion for someone not
# eligible) still shows a "true effect" of a point or more for about one person in five when the
# organisation's futures drift apart (a standard error near 0.8 points). A true effect is credibly
# over a point when it exceeds one by twice its standard error.
CREDIBLE_SE = 2.0
CALIBRATION_BINS = 10


def ceiling_and_calibration(model: RiskModel, holdout: pd.DataFrame, true_risk: pd.DataFrame) -> dict:
    """The ceiling (the true risk's AUC on the holdout) and the model's calibration against true probabilities."""
    rows = holdout.merge(true_risk, on=["employee_id", "snapshot_date"], how="inner")
    y = rows["label"].astype(int).to_numpy()
    truth = rows["risk_12m"].to_numpy()
    risk = model.holdout_risk(rows)
    true_auc = float(roc_auc_score(y, truth))
    model_auc = float(roc_auc_score(y, risk))
    table = calibration_table(y, risk, CALIBRATION_BINS, truth=truth)
    gap = sum(row["n"] * abs(row["predicted"] - row["true_probability"]) for row in table) / len(risk)
    return {
        "rows": int(len(rows)),
        "positives": int(y.sum()),
        "true_risk_roc_auc": true_auc,
        "true_risk_pr_auc": float(average_precision_score(y, truth)),
        "model_roc_auc": model_auc,
        "model_pr_auc": float(average_precision_score(y, risk)),
        "model_share_of_ceiling": model_auc / true_auc,
        "brier_vs_true_probability": float(np.mean((risk - truth) ** 2)),
        "brier_of_truth_vs_outcome": float(np.mean((truth - y) ** 2)),
        "brier_of_model_vs_outcome": float(np.mean((risk - y) ** 2)),
        "ece_vs_true_probability": float(gap),
        "correlation_with_true_probability": float(np.corrcoef(risk, truth)[0, 1]),
        "mean_standard_error_of_truth": float(rows["se_12m"].mean()),
        "calibration_bins": table,
    }


def horizons_against_truth(model: MonthlyHazard, holdout: pd.DataFrame, true_risk: pd.DataFrame) -> dict:
    """A hazard model's risk at each horizon on the holdout (its holdout booster) against the true
    3/6/12-month risks: the truth's and the model's ROC-AUC on the realised exits (`label_<h>m`
    columns of `holdout`, as `model.hazard.horizon_labels` reads them), and the model's distance from
    the true probability (calibration gap in ten bins, correlation)."""
    rows = holdout.merge(true_risk, on=["employee_id", "snapshot_date"], how="inner")
    risks = model.holdout_view().horizon_risks(rows)
    out = {}
    for horizon in model.horizons:
        truth_column, label_column = f"risk_{horizon}m", f"label_{horizon}m"
        if truth_column not in rows.columns or label_column not in rows.columns:
            continue
        known = rows[label_column].notna().to_numpy()
        y = rows.loc[known, label_column].astype(int).to_numpy()
        truth = rows.loc[known, truth_column].to_numpy()
        risk = risks.loc[known, f"risk_{horizon}m"].to_numpy()
        if len(y) == 0 or y.min() == y.max():
            continue
        table = calibration_table(y, risk, CALIBRATION_BINS, truth=truth)
        out[f"{horizon}m"] = {
            "rows": int(len(y)),
            "positives": int(y.sum()),
            "true_risk_roc_auc": float(roc_auc_score(y, truth)),
            "model_roc_auc": float(roc_auc_score(y, risk)),
            "ece_vs_true_probability": float(
                sum(row["n"] * abs(row["predicted"] - row["true_probability"]) for row in table) / len(y)
            ),
            "correlation_with_true_probability": float(np.corrcoef(risk, truth)[0, 1]),
            "mean_risk": float(risk.mean()),
            "mean_true_risk": float(truth.mean()),
            "observed_share": float(y.mean()),
        }
    return out


def explanation_fidelity(
    model: RiskModel, rows: pd.DataFrame, hazard: pd.DataFrame, strengths: dict[str, float]
) -> dict:
    """Per lever, the model's contribution against the true term; the ranking; blame on switched-off levers."""
    found = truth_correlations(model, rows, hazard)
    joined = hazard_at_snapshots(rows, hazard, how="inner")
    movable = below_certain_exit(joined)
    true_spread = true_term_spreads(joined)
    spread_all_rows = {lever: float(true_lever_term(joined, lever).std()) for lever in LEVERS}
    model_weight = found["mean_abs_contribution"]
    order_model = sorted(LEVERS, key=lambda lever: -model_weight[lever])
    order_truth = sorted(LEVERS, key=lambda lever: -true_spread[lever])
    rank_corr = float(
        pd.Series([order_model.index(lever) for lever in LEVERS]).corr(
            pd.Series([order_truth.index(lever) for lever in LEVERS]), method="spearman"
        )
    )
    tied = levers_tied_with_the_top(joined[movable], true_spread)
    top = max(model_weight.values()) or 1.0
    total = sum(model_weight.values()) or 1.0
    # Switched off: no true term at all (leadership also needs the manager effect off).
    switched_off = [
        lever for lever in LEVERS if strengths.get(lever, 1.0) == 0 and true_spread[lever] < 1e-12
    ]
    causal = _panel_against_truth(ranked_lever_sizes(model, model_weight), order_truth, switched_off, tied)
    return {
        "rows": found["rows"],
        "spearman_with_true_term": found["spearman"],
        "mean_spearman": found["mean_spearman"],
        "model_mean_abs_contribution": model_weight,
        "true_term_spread": true_spread,
        "true_term_spread_all_rows": spread_all_rows,
        "rows_at_certain_exit": int((~movable).sum()),
        "ranking_model": order_model,
        "ranking_truth": order_truth,
        "ranking_spearman": rank_corr,
        "switched_off_levers": switched_off,
        "blame_share_of_switched_off": {lever: model_weight[lever] / total for lever in switched_off},
        "blame_vs_top_lever_of_switched_off": {lever: model_weight[lever] / top for lever in switched_off},
        "true_top_lever_named": order_model[0] == order_truth[0],
        "levers_tied_with_the_true_top": tied,
        "true_top_lever_or_a_tie_named": order_model[0] in [order_truth[0], *tied],
        # What pulling a lever would do (explain/causal.py): each lever's structural size times its share.
        "causal": causal,
    }


def true_term_spreads(joined: pd.DataFrame) -> dict[str, float]:
    """Per lever, the SD of its true term over the person-months where it can move the exit chance.

    A term that is the same for everybody explains no difference between people: its spread is its
    weight. Read below a certain exit (`below_certain_exit`): over every row, 0.85 % of person-months
    at a certain exit doubled culture's spread on one unseen world (1.03 against 0.50) and made it
    the top lever there (docs/benchmarks.md); the truth report keeps that figure beside it."""
    movable = joined[below_certain_exit(joined)]
    return {lever: float(true_lever_term(movable, lever).std()) for lever in LEVERS}


TIE_DRAWS = 200  # bootstrap draws of the people behind the true spreads
TIE_SHARE = 0.05  # a lever ties with the top where its spread reaches the top's in this share of draws


def levers_tied_with_the_top(joined: pd.DataFrame, true_spread: dict[str, float], seed: int = 0) -> list[str]:
    """The levers whose true spread the truth's own sample cannot tell from the top lever's: in a
    bootstrap of the people (a Poisson weight per person, all their months together), the lever's
    spread reaches the top's in at least TIE_SHARE of the draws. Which of two near-equal levers tops
    the truth is then a draw of the simulated people (0.46 against 0.47 on one unseen world), and
    naming either is reported apart from naming the top itself."""
    top = max(LEVERS, key=lambda lever: true_spread[lever])
    if true_spread[top] <= 0 or joined.empty:
        return []
    person = pd.factorize(joined["employee_id"])[0]
    people = int(person.max()) + 1
    weights = np.random.default_rng(seed).poisson(1.0, size=(TIE_DRAWS, people)).astype(float)
    rows = weights @ np.bincount(person, minlength=people)

    def spreads(lever: str) -> np.ndarray:
        term = true_lever_term(joined, lever).to_numpy(dtype=float)
        term = term - term.mean()  # the variance of a shifted term is the same and better conditioned
        first = weights @ np.bincount(person, weights=term, minlength=people) / rows
        second = weights @ np.bincount(person, weights=term**2, minlength=people) / rows
        return np.sqrt(np.maximum(second - first**2, 0.0))

    top_draws = spreads(top)
    return [
        lever
        for lever in LEVERS
        if lever != top and true_spread[lever] > 0 and np.mean(spreads(lever) >= top_draws) >= TIE_SHARE
    ]


def _panel_against_truth(
    weight: dict[str, float], order_truth: list[str], switched_off: list[str], tied: list[str] | None = None
) -> dict:
    """A panel's lever weights against the true ranking: rank correlation, top lever (and whether it is
    the top or a lever the truth cannot tell from it), switched-off share."""
    order = sorted(LEVERS, key=lambda lever: -weight[lever])
    rank_corr = float(
        pd.Series([order.index(lever) for lever in LEVERS]).corr(
            pd.Series([order_truth.index(lever) for lever in LEVERS]), method="spearman"
        )
    )
    top = max(weight.values()) or 1.0
    return {
        "weight": weight,
        "ranking": order,
        "ranking_spearman": rank_corr,
        "true_top_lever_named": order[0] == order_truth[0],
        "true_top_lever_or_a_tie_named": order[0] in [order_truth[0], *(tied or [])],
        "blame_vs_top_lever_of_switched_off": {lever: weight[lever] / top for lever in switched_off},
    }


def model_action_effects(model: RiskModel, rows: pd.DataFrame) -> pd.DataFrame:
    """The tool's estimated risk change for every (person, catalog action) — the same estimate the
    pages show (applicability, mechanism cap) — and whether the action applies."""
    rows = rows.reset_index(drop=True)
    points = explain_rows(model, rows).feature_points
    now = model.risk(rows)
    reading = model.response_reading(rows)
    frames = []
    for action in model.catalog.actions:
        delta, where = estimate_effect(model, rows, points, action, now, reading)
        frames.append(
            pd.DataFrame(
                {
                    "employee_id": rows["employee_id"].astype(str),
                    "action": action.name,
                    "estimated": delta,
                    "applies": where,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def whatif_fidelity(
    estimates: pd.DataFrame, effects: pd.DataFrame, pay_action: str = "raise_pay_to_peer_median"
) -> dict:
    """Per action: the model's estimated change against the true change (correlation, MAE, sign)."""
    joined = estimates.merge(effects, on=["employee_id", "action"])
    per_action = {}
    for action, part in joined.groupby("action", sort=True):
        meaningful = part["effect"].abs() > MEANINGFUL_EFFECT
        credible = _credibly_meaningful(part)
        per_action[action] = {
            "people": int(len(part)),
            "applies_share": float(part["applies"].mean()),
            "mean_true_effect": float(part["effect"].mean()),
            "mean_estimated_effect": float(part["estimated"].mean()),
            "pearson": _corr(part["estimated"], part["effect"]),
            "mae": float((part["estimated"] - part["effect"]).abs().mean()),
            "people_with_true_effect_over_1_point": int(meaningful.sum()),
            "sign_agreement_where_true_effect_over_1_point": _sign_agreement(part, meaningful),
            "people_with_true_effect_credibly_over_1_point": int(credible.sum()),
            "sign_agreement_where_true_effect_credibly_over_1_point": _sign_agreement(part, credible),
            "sign_agreement_of_offered_where_true_effect_over_1_point": _sign_agreement(
                part, meaningful & part["applies"].astype(bool)
            ),
            "not_offered_with_true_effect_over_1_point": _not_offered(part, meaningful),
            "mean_effect_standard_error": float(part["effect_se"].mean()),
        }
    meaningful = joined["effect"].abs() > MEANINGFUL_EFFECT
    credible = _credibly_meaningful(joined)
    offered = joined["applies"].astype(bool)
    means = {a: v["mean_estimated_effect"] for a, v in per_action.items()}
    best = min(means.values()) if means else 0.0
    return {
        "pairs": int(len(joined)),
        # In a world where pay has no effect this should be small: the pay action's mean estimate
        # as a share of the action with the largest mean estimated reduction.
        "pay_estimate_share_of_best_action": float(means[pay_action] / best)
        if pay_action in means and best < 0
        else None,
        "pearson_all_pairs": _corr(joined["estimated"], joined["effect"]),
        "mae_all_pairs": float((joined["estimated"] - joined["effect"]).abs().mean()),
        "sign_agreement_where_true_effect_over_1_point": _sign_agreement(joined, meaningful),
        "pairs_with_true_effect_credibly_over_1_point": int(credible.sum()),
        "sign_agreement_where_true_effect_credibly_over_1_point": _sign_agreement(joined, credible),
        # The plain count scores an action the catalog does not offer the person (`applies_when`) as
        # an estimate of 0, while the simulator's counterpart acts on hidden state whoever it is
        # (a quota's pressure, a bonus target): the same silence is a miss whether the action would
        # have helped or harmed. The what-ifs a page shows are the offered ones; what the catalog
        # leaves out is counted apart, by the sign of what it would truly have done.
        "pairs_offered_with_true_effect_over_1_point": int((meaningful & offered).sum()),
        "sign_agreement_of_offered_where_true_effect_over_1_point": _sign_agreement(
            joined, meaningful & offered
        ),
        "not_offered_with_true_effect_over_1_point": _not_offered(joined, meaningful),
        "per_action": per_action,
    }


def _not_offered(pairs: pd.DataFrame, meaningful: pd.Series) -> dict[str, int]:
    """Pairs whose action is not offered (it does not apply) yet would truly move risk over a point:
    how many it would have lowered (a missed option) and raised (a harm the catalog kept out)."""
    left_out = meaningful & ~pairs["applies"].astype(bool)
    return {
        "would_lower_risk": int((left_out & (pairs["effect"] < 0)).sum()),
        "would_raise_risk": int((left_out & (pairs["effect"] > 0)).sum()),
    }


def _credibly_meaningful(pairs: pd.DataFrame) -> pd.Series:
    """Pairs whose true effect exceeds a point by more than CREDIBLE_SE standard errors."""
    return (pairs["effect"].abs() - CREDIBLE_SE * pairs["effect_se"]) > MEANINGFUL_EFFECT


def _sign_agreement(pairs: pd.DataFrame, where: pd.Series) -> float | None:
    """The share of the chosen pairs whose estimate has the true effect's sign (None when none chosen)."""
    if not where.any():
        return None
    return float((np.sign(pairs.loc[where, "estimated"]) == np.sign(pairs.loc[where, "effect"])).mean())


def policy_value(
    estimates: pd.DataFrame, effects: pd.DataFrame, pay_action: str = "raise_pay_to_peer_median"
) -> dict:
    """Exits truly averted per 100 people by each way of choosing one action per person.

    tool: the action the model ranks first (largest estimated reduction; none when it offers none);
    random: a random applicable action (its expectation: the mean over the applicable ones);
    pay for all: the pay action for everybody; best: the action with the largest true reduction
    (an oracle; selecting on noisy estimates flatters it slightly).
    """
    joined = estimates.merge(effects, on=["employee_id", "action"])
    averted = -joined["effect"]
    joined = joined.assign(averted=averted)
    people = joined["employee_id"].nunique()
    offered = joined[joined["estimated"] < -1e-4]
    tool = offered.loc[offered.groupby("employee_id")["estimated"].idxmin(), "averted"].sum()
    applicable = joined[joined["applies"]]
    random_pick = applicable.groupby("employee_id")["averted"].mean().sum()
    pay = joined.loc[joined["action"] == pay_action, "averted"].sum()
    best = joined.groupby("employee_id")["averted"].max().clip(lower=0).sum()
    per_100 = {
        "tool_top_action": 100 * tool / people,
        "random_applicable_action": 100 * random_pick / people,
        "pay_raise_for_everybody": 100 * pay / people,
        "truly_best_action": 100 * best / people,
    }
    return {
        "people": int(people),
        "averted_exits_per_100_people": per_100,
        "tool_share_of_best": float(tool / best) if best > 0 else None,
        "random_share_of_best": float(random_pick / best) if best > 0 else None,
        "pay_share_of_best": float(pay / best) if best > 0 else None,
        "people_offered_no_action": int(people - offered["employee_id"].nunique()),
    }


def _corr(a: pd.Series, b: pd.Series) -> float | None:
    if a.std() == 0 or b.std() == 0 or len(a) < 3:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def plans_to_compare(
    tool_plan: pd.DataFrame,
    menu: pd.DataFrame,
    effects: pd.DataFrame,
    risk: pd.Series,
    high: float,
    budget: float,
    pay_action: str = "raise_pay_to_peer_median",
    seed: int = 0,
    catalog=None,
    teams: pd.Series | None = None,
) -> dict[str, pd.DataFrame]:
    """The tool's budgeted plan and three others, each as rows (employee_id, actions, cost_sek), one
    row per person.

    raise_everybody_at_risk: the pay action for everyone in the high band where it applies (its
    cost is whatever that costs); random: a random applicable action per person, in random order,
    while the budget lasts; best_from_truth: the same knapsack as the tool's, on the true effects
    of single actions (an oracle; it selects on noisy truth, which flatters it slightly), with the
    catalog's team actions bought per team as the tool buys them.
    """
    from flightrisk.plan.choose import choose
    from flightrisk.plan.teams import fold_team_options, team_actions, unfold

    usable = menu[menu["applies"] & np.isfinite(menu["cost_sek"]) & (menu["cost_sek"] > 0)]
    at_risk = set(risk.index[risk >= high].astype(str))
    raise_rows = usable[(usable["action"] == pay_action) & usable["employee_id"].isin(at_risk)]
    shuffled = usable.sample(frac=1.0, random_state=seed).drop_duplicates("employee_id")
    random_rows = shuffled[shuffled["cost_sek"].cumsum() <= budget]
    truth = usable.merge(effects[["employee_id", "action", "effect"]], on=["employee_id", "action"])
    shared = team_actions(catalog) if catalog is not None else set()
    # A person's own action counts where it helps them; a team action's every member counts.
    truth = truth[(truth["effect"] < 0) | truth["action"].isin(shared)]
    truth = truth.assign(
        option=truth["action"],
        actions=truth["action"].map(lambda a: [a]),
        levers="",
        risk_now=0.0,
        risk_change=truth["effect"],
        risk_after=truth["effect"],
        exits_avoided=-truth["effect"],
        pay_raise_sek_month=0.0,
        value_sek=-truth["effect"] * truth["replacement_cost_sek"],
    ).reset_index(drop=True)
    truth["net_value_sek"] = truth["value_sek"] - truth["cost_sek"]
    truth["value_per_krona"] = truth["value_sek"] / truth["cost_sek"]
    if catalog is not None:
        options, members = fold_team_options(truth, teams, catalog)
        oracle = unfold(choose(options, budget).chosen, members)
    else:
        oracle = choose(truth, budget).chosen

    return {
        "tool_plan": plan_by_person(tool_plan, tool_plan["option"].str.split(" + ", regex=False)),
        "raise_everybody_at_risk": plan_by_person(raise_rows, [[pay_action]] * len(raise_rows)),
        "random_applicable_actions": plan_by_person(random_rows, [[a] for a in random_rows["action"]]),
        "best_from_truth": plan_by_person(oracle, oracle["option"].str.split(" + ", regex=False)),
    }


def plan_by_person(frame: pd.DataFrame, actions) -> pd.DataFrame:
    """Plan rows with the actions each takes as rows (employee_id, actions, cost_sek), one per person:
    a person in a team action and an option of their own has two rows, one person with both actions."""
    out = pd.DataFrame(
        {
            "employee_id": frame["employee_id"].astype(str).to_numpy(),
            "actions": list(actions),
            "cost_sek": frame["cost_sek"].to_numpy(dtype=float),
        }
    )
    return out.groupby("employee_id", sort=False, as_index=False).agg(
        actions=("actions", lambda lists: [a for one in lists for a in one]), cost_sek=("cost_sek", "sum")
    )


def plan_by_action(
    plans: dict[str, pd.DataFrame],
    effects: pd.DataFrame,
    names: tuple[str, ...] = ("tool_plan", "best_from_truth"),
) -> dict[str, dict[str, dict[str, float]]]:
    """Per action, how many people each of `names`' plans gives it and the true exits its single
    effect averts for them (`effects`: each person's true effect of each action alone, from the same
    futures the plans run in). Where a plan loses against the oracle, action by action: an action
    the tool buys too little of, or for the wrong people, shows as a gap. Two actions on one person,
    and colleagues whose exits move each other's climate, are each counted alone, so the figures say
    where a plan's value lies without adding up to its simulated total exactly (1.2 % off at the
    median, 5.7 % at most, over nineteen unseen worlds' tool and oracle plans; docs/benchmarks.md).
    A (person, action) measured twice is an error, not one of the two dropped."""
    true = effects.set_index(["employee_id", "action"])["effect"]
    if true.index.has_duplicates:
        twice = list(true.index[true.index.duplicated()].unique()[:3])
        raise ValueError(f"a true effect measured twice for (person, action) {twice}")
    out = {}
    for name in names:
        rows = plans[name][["employee_id", "actions"]].explode("actions").dropna(subset=["actions"])
        keys = pd.MultiIndex.from_arrays([rows["employee_id"].astype(str), rows["actions"].astype(str)])
        found = true.reindex(keys)
        if found.isna().any():  # every person at the snapshot is measured in every arm
            missing = list(found[found.isna()].index[:3])
            raise KeyError(f"{name}: no true effect measured for (person, action) {missing}")
        averted = -found.to_numpy()
        frame = pd.DataFrame({"action": rows["actions"].astype(str).to_numpy(), "averted": averted})
        grouped = frame.groupby("action", sort=True)["averted"].agg(["size", "sum"])
        out[name] = {
            action: {"people": int(row["size"]), "true_exits_averted": round(float(row["sum"]), 3)}
            for action, row in grouped.iterrows()
        }
    return out


def plan_value(plans: dict[str, pd.DataFrame], averted: pd.DataFrame, budget: float) -> dict:
    """True exits averted by each plan, per million SEK, and the tool's share of the oracle's."""
    found = averted.set_index("plan")
    out = {"budget_sek": budget, "plans": {}}
    for name, plan in plans.items():
        cost = float(plan["cost_sek"].sum())
        exits = float(found.loc[name, "true_exits_averted"])
        out["plans"][name] = {
            "people": int(len(plan)),
            "cost_sek": round(cost, 0),
            "true_exits_averted": exits,
            "true_exits_averted_se": float(found.loc[name, "true_exits_averted_se"]),
            "true_exits_averted_per_million_sek": exits / cost * 1e6 if cost > 0 else None,
        }
    best = out["plans"]["best_from_truth"]["true_exits_averted"]
    tool = out["plans"]["tool_plan"]["true_exits_averted"]
    out["tool_share_of_best_from_truth"] = tool / best if best > 0 else None
    return out
