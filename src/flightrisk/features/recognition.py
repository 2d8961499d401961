"""Recognition: how often and how recently a person is recognised, against how well they sell."""

from __future__ import annotations

import pandas as pd

from flightrisk.features.snapshots import as_of, monthly_total, months_between, rolling_sum


def recognition_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Time since the last recognition, recognition against performance rank, the recognition survey answer."""
    recognition = tables["recognition"]
    per_month = monthly_total(panel, recognition, "date")
    last = as_of(panel, recognition, "date", [])
    since = months_between(panel["snapshot_date"], last["_event_date"].fillna(panel["hire_date"]))
    count_12m = rolling_sum(panel, per_month, 12)
    # Unrecognised top performers: performance rank minus recognition rank among role peers.
    groups = [panel["month_key"], panel["role"]]
    perf_rank = panel["_attainment_6m"].groupby(groups, sort=False).rank(pct=True)
    recog_rank = count_12m.groupby(groups, sort=False).rank(pct=True)
    survey = as_of(panel, tables["engagement_survey"], "survey_date", ["recognition"])
    return pd.DataFrame(
        {
            "recognitions_6m": rolling_sum(panel, per_month, 6),
            "recognitions_12m": count_12m,
            "months_since_recognition": since,
            "performance_minus_recognition_rank": perf_rank - recog_rank,
            "survey_recognition": survey["recognition"].astype(float).to_numpy(),
        },
        index=panel.index,
    )
