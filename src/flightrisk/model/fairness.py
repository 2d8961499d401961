"""Fairness audit and gate: how the model treats groups by gender, age band or any protected column.

Protected attributes never reach the model; they are joined here, after scoring, only to audit.
Per attribute and group, on the holdout: the share flagged (the top 10 % of risk), the impact ratio
(lowest flagged share over the highest: the four-fifths rule), calibration within the group (mean
risk against the share who left), ROC-AUC within the group, and the equalized-odds difference
(the larger spread of the true- and false-positive rates of the flag). Each gap has a 95 % interval
from a bootstrap over people (a person's months travel together; fairlearn's own bootstrap resamples
rows, which would understate the spread). A group breaks the gate when its own gap (its
mean risk against the share who left; its ROC-AUC within the group against the other groups' own; with the equalized-odds check
on, its TPR and FPR against the rest's) is past the threshold (`config.FairnessSettings`) and its
interval excludes "no gap": material and credible, not the noise of a small group.

Why calibration and ranking gate and the flag rates do not, by default: when groups truly leave at
different rates, no score can be calibrated within every group and also flag them at equal rates or
with equal error rates (Kleinberg, Mullainathan and Raghavan, 2016; Chouldechova, 2017). A risk score
that HR reads as a probability must mean the same for everyone; the flag rates are reported beside
it, and `min_impact_ratio` / `max_equalized_odds_difference` switch those checks on.

Groups with fewer than 5 people are not reported, nor groups whose figures could be recovered from
the others (complementary suppression, `flightrisk.privacy`).

The proxy check asks how well the model's features predict each protected attribute (cross-validated
logistic regression, one group against the rest), and which single features do so strongly: a model
can treat a group differently without ever seeing the attribute, through its proxies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    demographic_parity_difference,
    equalized_odds_difference,
)
from scipy.stats import rankdata

from flightrisk.config import FairnessSettings
from flightrisk.privacy import MIN_GROUP, shown_groups

AGE_BANDS = [0, 30, 40, 50, 200]
AGE_LABELS = ["under 30", "30-39", "40-49", "50+"]
GAPS = ("impact_ratio", "calibration_gap", "auc_gap", "equalized_odds_difference")


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC by ranks (Mann–Whitney); NaN without both outcomes."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def age_bands(snapshot_dates: pd.Series, birth_years: pd.Series) -> pd.Series:
    """Age at the snapshot, in the bands the audit reports (row by row, whatever the indexes)."""
    years = pd.to_datetime(pd.Series(snapshot_dates)).dt.year.to_numpy(dtype=float)
    age = pd.Series(years - pd.to_numeric(pd.Series(birth_years), errors="coerce").to_numpy(dtype=float))
    return pd.cut(age, AGE_BANDS, right=False, labels=AGE_LABELS).astype(str)


def protected_bands(values: pd.Series) -> pd.Series:
    """A flat table's protected column as groups: categories as they are; a number with many values
    (an age) in the age bands when it looks like years of age, else in quartiles."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and numbers.nunique() > 10:
        if numbers.between(14, 100).all():
            return pd.cut(numbers, AGE_BANDS, right=False, labels=AGE_LABELS).astype(str)
        return pd.qcut(numbers, 4, duplicates="drop").astype(str)
    return values.astype(str).fillna("unknown")


def _mean(values, weight) -> float:
    return float(np.average(values, weights=weight)) if weight.sum() > 0 else float("nan")


def _group_figures(y, risk, flagged, groups, names, weight=None) -> dict[str, np.ndarray]:
    """Per named group: flagged share, observed rate, mean risk, AUC, TPR and FPR of the flag, and the
    signed gaps each group is judged on: risk − observed, its AUC − the other groups' own AUCs, its
    TPR and FPR − the rest's."""
    keys = (
        "flagged",
        "observed",
        "risk",
        "auc",
        "tpr",
        "fpr",
        "calibration",
        "calibration_vs_all",
        "auc_vs_all",
        "tpr_vs_rest",
        "fpr_vs_rest",
    )
    names = list(names)
    weight = np.ones(len(y)) if weight is None else weight
    out = {k: np.full(len(names), np.nan) for k in keys}
    everyone = _mean(risk, weight) - _mean(y, weight)  # the whole model's calibration gap
    for i, name in enumerate(names):
        rows = groups == name
        if not rows.any():
            continue
        yy, ff, rest_y, rest_f = y[rows], flagged[rows], y[~rows], flagged[~rows]
        w = weight[rows]
        out["flagged"][i] = ff.mean()
        out["observed"][i] = _mean(yy, w)
        out["risk"][i] = _mean(risk[rows], w)
        out["calibration"][i] = out["risk"][i] - out["observed"][i]
        out["calibration_vs_all"][i] = out["calibration"][i] - everyone
        # A ranking needs a few of each outcome: with one leaver a group's AUC is 0 or 1 in every
        # resample that holds them, and no interval could show how little that says.
        if min(int(yy.sum()), int(len(yy) - yy.sum())) >= MIN_GROUP:
            out["auc"][i] = _auc(yy, risk[rows])
        out["tpr"][i] = ff[yy == 1].mean() if (yy == 1).any() else np.nan
        out["fpr"][i] = ff[yy == 0].mean() if (yy == 0).any() else np.nan
        if (rest_y == 1).any() and (rest_y == 0).any():
            out["tpr_vs_rest"][i] = out["tpr"][i] - rest_f[rest_y == 1].mean()
            out["fpr_vs_rest"][i] = out["fpr"][i] - rest_f[rest_y == 0].mean()
    # A group's ranking against the other groups' own rankings (people-weighted): the pooled AUC would
    # gain from differences between groups, which no group's own AUC can, and so flag every group.
    sizes = np.array([(groups == name).sum() for name in names], dtype=float)
    for i in range(len(names)):
        others = np.isfinite(out["auc"]) & (np.arange(len(names)) != i)
        if others.any() and np.isfinite(out["auc"][i]):
            out["auc_vs_all"][i] = out["auc"][i] - np.average(out["auc"][others], weights=sizes[others])
    return out


def _gaps(figures: dict[str, np.ndarray]) -> dict[str, float]:
    """The attribute's summary gaps (reported with their intervals; the gate reads the groups')."""
    flagged = figures["flagged"]

    def spread(values):
        return (
            float(np.nanmax(values) - np.nanmin(values)) if np.isfinite(values).sum() >= 2 else float("nan")
        )

    return {
        "impact_ratio": float(np.nanmin(flagged) / np.nanmax(flagged)) if np.nanmax(flagged) > 0 else 1.0,
        "calibration_gap": float(np.nanmax(np.abs(figures["calibration"]))),
        "auc_gap": spread(figures["auc"]),
        "equalized_odds_difference": max(spread(figures["tpr"]), spread(figures["fpr"])),
    }


SIGNED = {  # a group's own gap: what the gate judges, each with its 95 % interval over people
    "calibration_gap": "calibration",
    "calibration_vs_all": "calibration_vs_all",
    "auc_vs_all": "auc_vs_all",
    "tpr_vs_rest": "tpr_vs_rest",
    "fpr_vs_rest": "fpr_vs_rest",
}


def _interval(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return float("nan"), float("nan")
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


def _excludes_zero(interval: dict) -> bool:
    return bool(interval["low"] > 0 or interval["high"] < 0)


def _breaches(attribute: str, groups: dict, gaps: dict, settings: FairnessSettings) -> list[dict]:
    """What breaks a threshold: a group's own gap past it, with its interval excluding no gap (a
    material and a credible difference, not the noise of a small group). Structured, so that each
    document says it in its own language (`breach_text` in English for logs and the gate)."""
    out = []
    ratio = gaps["impact_ratio"]
    if (
        settings.min_impact_ratio is not None
        and ratio["value"] < settings.min_impact_ratio
        and ratio["high"] < 1
    ):
        out.append(
            {"kind": "impact_ratio", "attribute": attribute, "limit": settings.min_impact_ratio, **ratio}
        )
    for name, figures in groups.items():
        ci = figures["intervals"]
        calibration, differs = ci["calibration_gap"], ci["calibration_vs_all"]
        limit = settings.max_calibration_gap
        # The group's risk misstates it, and misstates it differently from everyone's: a drift of the
        # whole model's calibration (every group over-stated alike) is no unfairness to one group.
        if (
            limit is not None
            and abs(figures["calibration_gap"]) > limit
            and abs(figures["calibration_vs_all"]) > limit
            and _excludes_zero(calibration)
            and _excludes_zero(differs)
        ):
            out.append(
                {
                    "kind": "calibration",
                    "attribute": attribute,
                    "group": name,
                    "limit": limit,
                    "value": figures["calibration_gap"],
                    "vs_all": figures["calibration_vs_all"],
                    "mean_risk": figures["mean_risk"],
                    "observed_rate": figures["observed_rate"],
                    **calibration,
                }
            )
        limit = settings.max_auc_gap
        ranking = ci["auc_vs_all"]
        if limit is not None and figures["auc_vs_all"] < -limit and ranking["high"] < 0:
            out.append(
                {
                    "kind": "ranking",
                    "attribute": attribute,
                    "group": name,
                    "limit": limit,
                    "value": figures["auc_vs_all"],
                    "roc_auc": figures["roc_auc"],
                    **ranking,
                }
            )
        limit = settings.max_equalized_odds_difference
        for rate in ("tpr_vs_rest", "fpr_vs_rest"):
            if limit is not None and abs(figures[rate]) > limit and _excludes_zero(ci[rate]):
                out.append(
                    {
                        "kind": rate[:3],
                        "attribute": attribute,
                        "group": name,
                        "limit": limit,
                        "value": figures[rate],
                        **ci[rate],
                    }
                )
    return out


def breach_text(b: dict) -> str:
    """A broken threshold in English words (the gate's reason, the console, the logs)."""
    if b["kind"] == "impact_ratio":
        return (
            f"{b['attribute']}: impact ratio {b['value']:.2f} < {b['limit']} "
            f"(95 % {b['low']:.2f}–{b['high']:.2f}; four-fifths rule on who is flagged)"
        )
    who = f"{b['attribute']} = {b['group']}"
    if b["kind"] == "calibration":
        side = "over" if b["value"] > 0 else "under"
        against = f", {b['vs_all']:+.3f} against everyone's" if "vs_all" in b else ""
        return (
            f"{who}: risk {side}-states who leaves by {abs(b['value']):.3f} > {b['limit']}{against} (mean risk "
            f"{b['mean_risk']:.3f}, share who left {b['observed_rate']:.3f}; 95 % {b['low']:+.3f} to {b['high']:+.3f})"
        )
    if b["kind"] == "ranking":
        return (
            f"{who}: ranks this group worse, ROC-AUC {b['roc_auc']:.3f} is {-b['value']:.3f} below the other "
            f"groups' > {b['limit']} (95 % {b['low']:+.3f} to {b['high']:+.3f})"
        )
    return (
        f"{who}: the flag's {b['kind'].upper()} differs from the rest's by {b['value']:+.3f}, beyond "
        f"±{b['limit']} (95 % {b['low']:+.3f} to {b['high']:+.3f})"
    )


def audit_groups(
    rows: pd.DataFrame, attributes: list[str], settings: FairnessSettings | None = None, seed: int = 0
) -> dict:
    """rows: employee_id, label, risk and one column per protected attribute (its group per row);
    optionally `weight` (a survival table's censoring weights: calibration within a group then
    compares mean risk with the censoring-weighted share who left).

    Returns, per attribute, the groups shown (k ≥ 5, complementary suppression) with their figures and
    signed gaps (each with a bootstrap interval over people), the attribute's summary gaps with their
    intervals, and `breaches`: what breaks the settings' thresholds."""
    settings = settings or FairnessSettings()
    y = rows["label"].astype(int).to_numpy()
    risk = rows["risk"].to_numpy(dtype=float)
    weight = rows["weight"].to_numpy(dtype=float) if "weight" in rows.columns else np.ones(len(rows))
    threshold = np.quantile(risk, 1 - settings.top_share)
    flagged = (risk >= threshold).astype(int)
    people = rows["employee_id"].astype(str).to_numpy()
    person_codes, person_index = np.unique(people, return_inverse=True)
    rows_of = np.split(np.argsort(person_index, kind="stable"), np.cumsum(np.bincount(person_index))[:-1])
    rng = np.random.default_rng(seed)
    draws = [
        np.concatenate([rows_of[p] for p in rng.integers(0, len(person_codes), len(person_codes))])
        for _ in range(settings.bootstrap)
    ]
    result = {
        "flag_rule": f"top {settings.top_share:.0%} of risk",
        "flag_share": settings.top_share,
        "min_group_size": MIN_GROUP,
        "thresholds": {
            "min_impact_ratio": settings.min_impact_ratio,
            "max_calibration_gap": settings.max_calibration_gap,
            "max_auc_gap": settings.max_auc_gap,
            "max_equalized_odds_difference": settings.max_equalized_odds_difference,
        },
        "bootstrap": {"resamples": settings.bootstrap, "unit": "person", "interval": "95 %"},
        "groups": {},
        "gaps": {},
        "breaches": [],
        "breach_details": [],
    }
    for attribute in attributes:
        sensitive = rows[attribute].fillna("unknown").astype(str).to_numpy()
        sizes = pd.Series(people).groupby(sensitive).nunique().to_dict()
        visible = shown_groups(
            sizes,
            len(person_codes),
            hidden_people=lambda shown, s=sensitive: len(np.unique(people[~np.isin(s, list(shown))])),
        )
        names = sorted(visible)
        if len(names) < 2:
            result["groups"][attribute] = {}
            result["gaps"][attribute] = {"note": "fewer than two groups can be shown"}
            continue
        # Groups as integer codes: comparing strings on every draw cost most of the bootstrap's time.
        codes = pd.Categorical(sensitive, categories=names).codes
        figures = _group_figures(y, risk, flagged, codes, range(len(names)), weight)
        boot = [
            _group_figures(y[d], risk[d], flagged[d], codes[d], range(len(names)), weight[d])
            for d in draws
            if np.isin(np.arange(len(names)), codes[d]).all()
        ]
        groups = {}
        for i, name in enumerate(names):
            groups[name] = {
                "people": int(sizes[name]),
                "n": int((sensitive == name).sum()),
                "observed_rate": float(figures["observed"][i]),
                "mean_risk": float(figures["risk"][i]),
                "calibration_gap": float(figures["calibration"][i]),
                "calibration_vs_all": float(figures["calibration_vs_all"][i]),
                "roc_auc": float(figures["auc"][i]),
                "auc_vs_all": float(figures["auc_vs_all"][i]),
                "flagged_share": float(figures["flagged"][i]),
                "true_positive_rate": float(figures["tpr"][i]),
                "false_positive_rate": float(figures["fpr"][i]),
                "tpr_vs_rest": float(figures["tpr_vs_rest"][i]),
                "fpr_vs_rest": float(figures["fpr_vs_rest"][i]),
                "intervals": {
                    name_out: dict(zip(("low", "high"), _interval([b[key][i] for b in boot]), strict=True))
                    for name_out, key in SIGNED.items()
                },
            }
        result["groups"][attribute] = groups
        point, boot_gaps = _gaps(figures), [_gaps(b) for b in boot]
        gaps = {}
        for name in GAPS:
            low, high = _interval([b[name] for b in boot_gaps])
            gaps[name] = {"value": point[name], "low": low, "high": high}
        result["gaps"][attribute] = gaps
        # fairlearn's definitions, on the groups shown (the tests check ours agree with them).
        shown = np.isin(sensitive, names)
        result[f"{attribute}_demographic_parity_difference"] = float(
            demographic_parity_difference(y[shown], flagged[shown], sensitive_features=sensitive[shown])
        )
        result[f"{attribute}_equalized_odds_difference"] = float(
            equalized_odds_difference(y[shown], flagged[shown], sensitive_features=sensitive[shown])
        )
        details = _breaches(attribute, groups, gaps, settings)
        result["breach_details"].extend(details)
        result["breaches"].extend(breach_text(b) for b in details)
    return result


def fairness_audit(
    holdout: pd.DataFrame, employees: pd.DataFrame, settings: FairnessSettings | None = None, seed: int = 0
) -> dict:
    """The HR extract's audit: holdout (employee_id, snapshot_date, label, risk) joined with the
    employees' gender and birth year (age band at the snapshot)."""
    people = employees[["employee_id", "gender", "birth_year"]].copy()
    people["employee_id"] = people["employee_id"].astype(str)
    rows = holdout.assign(employee_id=holdout["employee_id"].astype(str)).merge(
        people, on="employee_id", how="left"
    )
    rows["age_band"] = age_bands(rows["snapshot_date"], rows["birth_year"])
    return audit_groups(rows, ["gender", "age_band"], settings, seed)


def proxy_check(
    frame: pd.DataFrame,
    protected: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    settings: FairnessSettings | None = None,
    seed: int = 0,
) -> dict:
    """How well the features (`frame`, one row per person) predict each protected attribute
    (`protected`: one column per attribute, aligned): per attribute the cross-validated ROC-AUC of a
    logistic regression, one shown group against the rest (the highest), and the single features
    whose own AUC reaches `settings.proxy_auc` (strong proxies, named in the model card). A category's
    score is its group share over all the rows (a screen, slightly generous to many-valued columns)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from flightrisk.model.baselines import _frame, logistic_pipeline

    settings = settings or FairnessSettings()
    x = _frame(frame, numeric, categorical)
    result = {}
    for attribute in protected.columns:
        values = protected[attribute].fillna("unknown").astype(str).to_numpy()
        sizes = pd.Series(values).value_counts()
        groups = [g for g, n in sizes.items() if n >= max(MIN_GROUP, 10)]
        if len(groups) < 2:
            result[attribute] = {"note": "fewer than two groups large enough to check"}
            continue
        best, strong = {"group": None, "roc_auc": 0.5}, {}
        for group in groups:
            target = (values == group).astype(int)
            folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
            predicted = cross_val_predict(
                logistic_pipeline(numeric, categorical), x, target, cv=folds, method="predict_proba"
            )[:, 1]
            auc = _auc(target, predicted)
            if auc > best["roc_auc"]:
                best = {"group": group, "roc_auc": round(auc, 4)}
            for name in numeric + categorical:
                if name in categorical:
                    score = pd.Series(target).groupby(x[name].to_numpy()).transform("mean").to_numpy()
                else:
                    score = x[name].fillna(x[name].median()).to_numpy()
                single = _auc(target, score)
                single = max(single, 1 - single)  # a proxy either way round
                if single >= settings.proxy_auc and single > strong.get(name, 0):
                    strong[name] = round(single, 4)
        result[attribute] = {
            "best_group_vs_rest": best,
            "strong_proxies": dict(sorted(strong.items(), key=lambda kv: -kv[1])),
            "people": int(len(values)),
        }
    return result


def snapshot_audit(holdout: pd.DataFrame, holdout_rows: pd.DataFrame, employees, catalog, seed: int) -> dict:
    """The holdout's fairness audit by gender and age band, with the proxy check on each person's
    latest holdout row."""
    settings = FairnessSettings()
    audit = fairness_audit(
        holdout[["employee_id", "snapshot_date", "label", "risk"]], employees, settings, seed
    )
    latest = holdout_rows.sort_values("snapshot_date", kind="stable").groupby("employee_id").tail(1)
    people = employees.assign(employee_id=employees["employee_id"].astype(str)).set_index("employee_id")
    ids = latest["employee_id"].astype(str)
    protected = pd.DataFrame(
        {
            "gender": people["gender"].reindex(ids).to_numpy(),
            "age_band": age_bands(latest["snapshot_date"], people["birth_year"].reindex(ids)).to_numpy(),
        }
    )
    numeric = [s.name for s in catalog.features if s.type == "numeric"]
    audit["proxies"] = proxy_check(
        latest.reset_index(drop=True), protected, numeric, list(catalog.categorical), settings, seed
    )
    return audit


def flat_audit(model, table: pd.DataFrame, rows: pd.DataFrame, protected, seed: int) -> dict:
    """A flat table's audit: its cross-validated risks by each protected column the catalog declares
    (a many-valued number such as an age in bands), with the proxy check on the model's inputs."""
    settings = FairnessSettings()
    banded = rows.assign(**{c: protected_bands(rows[c]).to_numpy() for c in protected})
    audit = audit_groups(banded, list(protected), settings, seed)
    frame = model.prepare(table).set_index(table.index)
    people = frame.loc[frame.index.isin(table.index)]
    groups = pd.DataFrame({c: protected_bands(table[c]).to_numpy() for c in protected})
    numeric = [s.name for s in model.catalog.features if s.type == "numeric"]
    audit["proxies"] = proxy_check(
        people.reset_index(drop=True), groups, numeric, list(model.catalog.categorical), settings, seed
    )
    return audit


def audit_summary(audit: dict) -> str:
    """One line per attribute: the gaps and their intervals; then what breaks a threshold."""
    lines = ["Fairness on the holdout (95 % intervals over people):"]
    for attribute, gaps in audit["gaps"].items():
        if "note" in gaps:
            lines.append(f"  {attribute}: {gaps['note']}")
            continue
        parts = [
            f"{name.replace('_', ' ')} {g['value']:.3f} [{g['low']:.3f}, {g['high']:.3f}]"
            for name, g in gaps.items()
        ]
        lines.append(f"  {attribute}: " + ", ".join(parts))
    for attribute, proxy in audit.get("proxies", {}).items():
        if proxy.get("strong_proxies"):
            lines.append(f"  strong proxies of {attribute}: {', '.join(proxy['strong_proxies'])}")
    lines.extend(f"  BREAKS: {breach}" for breach in audit["breaches"])
    return "\n".join(lines)
