"""Culture: the engagement survey — culture score, eNPS, their change, and the team's climate."""

from __future__ import annotations

import pandas as pd

from flightrisk.features.snapshots import MIN_PEERS, as_of, month_key


def culture_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Culture and eNPS survey answers, their change, and the team's culture score (teams of k ≥ 5)."""
    survey = tables["engagement_survey"].sort_values(["employee_id", "survey_date"], kind="stable").copy()
    by_person = survey.groupby("employee_id", sort=False)
    survey["culture_change"] = survey["culture"] - by_person["culture"].shift(1)
    survey["enps_change"] = survey["enps"].astype(float) - by_person["enps"].shift(1).astype(float)
    latest = as_of(panel, survey, "survey_date", ["culture", "enps", "culture_change", "enps_change"])

    # The team's climate: mean culture answer of the people in the team at the survey month, only
    # where at least MIN_PEERS answered (survey confidentiality: no mean over 3 or 4 answers).
    answers = survey.assign(month_key=month_key(survey["survey_date"]).astype("int64"))
    answers = answers.merge(panel[["employee_id", "month_key", "team_id"]], on=["employee_id", "month_key"])
    team = (
        answers.groupby(["team_id", "month_key"])["culture"]
        .agg(["mean", "count"])
        .reset_index()
        .query(f"count >= {MIN_PEERS}")
        .sort_values("month_key")
    )
    left = panel[["team_id", "month_key"]].assign(_row=range(len(panel))).sort_values("month_key")
    merged = pd.merge_asof(left, team[["team_id", "month_key", "mean"]], on="month_key", by="team_id")
    team_score = merged.sort_values("_row")["mean"].to_numpy()
    return pd.DataFrame(
        {
            "survey_culture": latest["culture"].astype(float),
            "survey_enps": latest["enps"].astype(float),
            "culture_change": latest["culture_change"].astype(float),
            "enps_change": latest["enps_change"].astype(float),
            "team_culture_score": team_score,
        },
        index=panel.index,
    )
