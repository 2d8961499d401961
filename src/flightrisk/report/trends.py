"""Trends for the report: each person's risk and levers over the last 12 monthly snapshots, a team's
average over the same months, and what changed since the month before.

The history is rebuilt from the raw extract with the model that scores today, so a change from one
month to the next is a change in the person's data, never a change of model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.explain.contributions import explain_rows
from flightrisk.features import build_snapshot_features
from flightrisk.features.build import cut_at
from flightrisk.i18n import Words
from flightrisk.model.risk_model import RiskModel
from flightrisk.privacy import MIN_GROUP

TREND_MONTHS = 12


def recent_features(
    model: RiskModel, tables: dict[str, pd.DataFrame], snapshot: pd.Timestamp, months: int = TREND_MONTHS
) -> pd.DataFrame:
    """The feature rows of the `months` snapshots up to `snapshot`, built from records dated on or
    before it (as a feature build at that date would); the last month is the one the report shows."""
    snapshot = pd.Timestamp(snapshot)
    features = build_snapshot_features(
        cut_at(tables, snapshot), model.catalog, horizon=model.horizon_months or 12
    )
    dates = pd.to_datetime(features["snapshot_date"])
    first = snapshot - pd.offsets.MonthEnd(months - 1)
    return features[(dates >= first) & (dates <= snapshot)].reset_index(drop=True)


def monthly_history(model: RiskModel, recent: pd.DataFrame) -> pd.DataFrame:
    """employee_id, snapshot_date, risk and lever_<family> of each row of `recent_features`."""
    if recent.empty:
        return pd.DataFrame(columns=["employee_id", "snapshot_date", "risk"])
    explanation = explain_rows(model, recent)
    history = pd.concat(
        [
            pd.DataFrame(
                {
                    "employee_id": recent["employee_id"].astype(str),
                    "snapshot_date": pd.to_datetime(recent["snapshot_date"]),
                    "risk": explanation.risk,
                }
            ),
            explanation.lever_points(),
        ],
        axis=1,
    )
    return history.sort_values(["employee_id", "snapshot_date"], kind="stable", ignore_index=True)


def _month_index(dates: pd.Series) -> np.ndarray:
    dates = pd.to_datetime(dates)
    return (dates.dt.year * 12 + dates.dt.month).to_numpy()


def trend_view(history: pd.DataFrame, families: list[str], words: Words) -> dict | None:
    """Months, risks and levers of one person (or a team's average), for a sparkline and its table,
    and the change since the month before (only when the month before is there); None with fewer
    than two months."""
    if history is None or len(history) < 2:
        return None
    history = history.sort_values("snapshot_date", kind="stable")
    risks = history["risk"].to_numpy(dtype=float)
    month = _month_index(history["snapshot_date"])
    levers = {f: history[f"lever_{f}"].to_numpy(dtype=float) for f in families if f"lever_{f}" in history}
    consecutive = month[-1] - month[-2] == 1
    changes = {f: float(v[-1] - v[-2]) for f, v in levers.items()} if consecutive else {}
    moved = max(changes, key=lambda f: abs(changes[f])) if changes else None
    return {
        "line": sparkline_points(risks, month - month[0]),
        "rows": [
            {
                "month": pd.Timestamp(d).strftime("%Y-%m"),
                "risk": words.percent(float(r)),
                "levers": [words.points(float(levers[f][i])) for f in levers],
            }
            for i, (d, r) in enumerate(zip(history["snapshot_date"], risks, strict=True))
        ],
        "lever_names": [words.lever(f) for f in levers],
        "risk_change": words.points(float(risks[-1] - risks[-2])) if consecutive else None,
        "moved_lever": words.lever(moved) if moved else None,
        "moved_change": words.points(changes[moved]) if moved else None,
    }


def team_history(history: pd.DataFrame, member_ids: list[str]) -> pd.DataFrame:
    """The team's average risk and levers per month, over its current members (those in the data that
    month): the trend of today's team, not of whoever was in it then."""
    rows = history[history["employee_id"].isin(set(member_ids))]
    numeric = [c for c in rows.columns if c == "risk" or c.startswith("lever_")]
    grouped = rows.groupby("snapshot_date")
    means = grouped[numeric].mean()
    # A month when fewer than MIN_GROUP of them were there is left out: its average would rest on
    # too few people (privacy), even though the team is large enough today.
    return means[grouped.size() >= MIN_GROUP].reset_index()


def sparkline_points(values: np.ndarray, months: np.ndarray, width: int = 240, height: int = 48) -> str:
    """The SVG polyline of a series on a 0..max scale (risk never reads as flat by zooming in), each
    point at its month, so a gap reads as a gap."""
    top = max(float(np.max(values)), 0.05)
    step = width / max(int(months[-1]), 1)
    return " ".join(
        f"{m * step:.1f},{height - v / top * (height - 4) - 2:.1f}"
        for m, v in zip(months, values, strict=True)
    )


def survival_view(horizons: dict[int, float], words: Words) -> dict | None:
    """A person's share of staying over the months ahead (from a hazard model's 3/6/12-month risks),
    for a small step curve and its table; None when the model speaks of one horizon only."""
    if not horizons:
        return None
    months = np.array([0, *sorted(horizons)])
    stay = np.array([1.0, *[1.0 - horizons[h] for h in sorted(horizons)]])
    width, height = 240, 48
    step = width / months[-1]
    # On a 0..100 % scale: a curve that starts at the top and falls as far as the risk says.
    line = " ".join(
        f"{m * step:.1f},{height - s * (height - 4) - 2:.1f}" for m, s in zip(months, stay, strict=True)
    )
    return {
        "line": line,
        "rows": [
            {
                "months": int(h),
                "leave": words.percent(float(horizons[h])),
                "stay": words.percent(1 - float(horizons[h])),
            }
            for h in sorted(horizons)
        ],
    }
