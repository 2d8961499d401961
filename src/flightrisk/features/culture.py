"""Culture: the engagement survey — culture score, eNPS, their change, and the team's climate."""

from __future__ import annotations

import pandas as pd

from flightrisk.features.snapshots import as_of, group_survey_mean


def culture_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Culture and eNPS survey answers, their change, and the team's culture score (teams of k ≥ 5)."""
    survey = tables["engagement_survey"].sort_values(["employee_id", "survey_date"], kind="stable").copy()
    by_person = survey.groupby("employee_id", sort=False)
    survey["culture_change"] = survey["culture"] - by_person["culture"].shift(1)
    survey["enps_change"] = survey["enps"].astype(float) - by_person["enps"].shift(1).astype(float)
    latest = as_of(panel, survey, "survey_date", ["culture", "enps", "culture_change", "enps_change"])

    # The team's climate: the mean culture answer of the people in the team (five answers or more).
    team_score = group_survey_mean(panel, survey, "culture", "team_id")
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
