"""Development: time since promotion against peers, training, AI/CRM courses, coaching."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk import ROLES
from flightrisk.features.snapshots import MIN_PEERS, as_of, monthly_total, months_between, rolling_sum

AI_CRM_TOPICS = ("AI tools for sales", "CRM")


def development_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Time since the last promotion, the wait against peers, and the growth survey answer."""
    jobs = tables["job_history"].sort_values(["employee_id", "effective_date"], kind="stable").copy()
    rank = jobs["role"].map({role: i for i, role in enumerate(ROLES)}).astype(float) * 100 + jobs["level"]
    previous = rank.groupby(jobs["employee_id"], sort=False).shift(1)
    promotions = jobs[previous.notna() & (rank > previous)]
    last_promo = as_of(panel, promotions, "effective_date", [])
    since_promo = months_between(panel["snapshot_date"], last_promo["_event_date"].fillna(panel["hire_date"]))
    peers = since_promo.groupby([panel["month_key"], panel["role"]], sort=False)
    peer_median = peers.transform("median").where(peers.transform("count") >= MIN_PEERS)

    training = tables["training"]
    hours = monthly_total(panel, training, "date", training["hours"])
    ai_crm = training["topic"].isin(AI_CRM_TOPICS)
    ai_hours = monthly_total(panel, training[ai_crm], "date", training.loc[ai_crm, "hours"])
    sessions = tables["one_on_ones"]
    coaching = sessions[sessions["kind"] == "coaching"]
    growth = as_of(panel, tables["engagement_survey"], "survey_date", ["growth"])
    return pd.DataFrame(
        {
            "months_since_promotion": since_promo,
            "promotion_wait_vs_peers": since_promo - peer_median,
            "training_hours_12m": rolling_sum(panel, hours, 12),
            "ai_crm_training_hours_12m": rolling_sum(panel, ai_hours, 12),
            "coaching_sessions_6m": rolling_sum(panel, monthly_total(panel, coaching, "date"), 6),
            "survey_growth": growth["growth"].astype(float).to_numpy(),
        },
        index=panel.index,
    ).astype(np.float64)
