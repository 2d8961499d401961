"""Context: who the person is in the organisation (role, level, region, tenure). Explains, not a lever."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.snapshots import as_of, months_between

RAMP_UP_MONTHS = 6


def add_job_state(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Attach the job record in force at each snapshot (helper columns other levers use)."""
    state = as_of(
        panel, tables["job_history"], "effective_date", ["role", "level", "manager_id", "team_id", "region"]
    )
    panel = panel.assign(
        role=state["role"].to_numpy(),
        level=state["level"].astype(float).to_numpy(),
        manager_id=state["manager_id"].to_numpy(),
        team_id=state["team_id"].to_numpy(),
        region=state["region"].to_numpy(),
    )
    return panel


def context_features(panel: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Tenure, ramp-up months left, role, level and region: context that explains risk, never a lever."""
    tenure = months_between(panel["snapshot_date"], panel["hire_date"])
    return pd.DataFrame(
        {
            "tenure_months": tenure,
            "ramp_up_months_left": np.maximum(0.0, RAMP_UP_MONTHS - tenure),
            "role": panel["role"],
            "level": panel["level"],
            "region": panel["region"],
        },
        index=panel.index,
    )
