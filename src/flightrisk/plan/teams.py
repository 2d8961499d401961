"""Team actions in a plan: an action the catalog marks `scope: team` is done once for a whole team and
every member feels it (celebrating shared wins lifts the team's climate, whoever asked for it).

Priced per person, a plan would buy it for the one member whose own gain pays for it and count
nothing for the rest of the team, who gain as much. Here each team's members' options for such an
action fold into one option of the team: its cost the members' shares added up, its value every
member's expected gain (a member it would harm counts against it). The knapsack (plan/choose.py)
weighs that option against the people's own, and a chosen one unfolds into a row per member.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flightrisk.features.catalog import Catalog
from flightrisk.plan.options import ADDITIVE_COLUMNS

UNIT = "unit"  # what the knapsack chooses for: a person's id, or TEAM_PREFIX + a team's id
TEAM_PREFIX = "team:"


def team_actions(catalog: Catalog) -> set[str]:
    """The names of the catalog's actions done for a whole team."""
    return {a.name for a in catalog.actions if a.scope == "team"}


def fold_team_options(
    options: pd.DataFrame, teams: pd.Series | None, catalog: Catalog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the options to choose from, the member rows of each team option).

    `options` are person rows (plan/options.py; a team action's rows keep members whose risk it would
    raise); `teams` maps employee_id to team_id at the snapshot. A team action's row whose person has
    no known team stays a person's option, and only where it lowers their risk, as any other."""
    team_rows = options["option"].isin(team_actions(catalog)).to_numpy()
    team_of = (
        options["employee_id"].astype(str).map(teams.rename(index=str))
        if teams is not None and len(teams)
        else pd.Series(np.nan, index=options.index)
    )
    known = team_rows & team_of.notna().to_numpy()
    # A member-less team action (no team known) is a person's option: kept only where it helps.
    alone = team_rows & ~known & (options["risk_change"].to_numpy() >= -1e-4)
    person = options[~known & ~alone].assign(**{UNIT: lambda f: f["employee_id"].astype(str)})
    members = options[known].assign(team_id=team_of[known].astype(str).to_numpy())
    members[UNIT] = TEAM_PREFIX + members["team_id"]
    if members.empty:
        return person.reset_index(drop=True), members
    grouped = members.groupby([UNIT, "option"], sort=True)
    folded = grouped[ADDITIVE_COLUMNS].sum().reset_index()
    folded["employee_id"] = folded[UNIT]
    folded["actions"] = folded["option"].map(lambda name: [name])
    folded["levers"] = grouped["levers"].first().to_numpy()
    folded["risk_now"] = grouped["risk_now"].mean().to_numpy()
    folded["risk_change"] = grouped["risk_change"].mean().to_numpy()
    folded["risk_after"] = folded["risk_now"] + folded["risk_change"]
    folded["value_per_krona"] = folded["value_sek"] / folded["cost_sek"]
    folded = folded[folded["value_sek"] > 0]  # a team option worth nothing overall is never bought
    chosen_from = pd.concat([person, folded.reindex(columns=person.columns)], ignore_index=True)
    return chosen_from, members.reset_index(drop=True)


def unfold(chosen: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """The chosen options as plan rows: a team option becomes its members' rows, each with their own
    figures and the same place in the plan (`rank`); `team_id` names the team of a team action."""
    chosen = chosen.assign(rank=np.arange(1, len(chosen) + 1))
    is_team = chosen[UNIT].astype(str).str.startswith(TEAM_PREFIX)
    person = chosen[~is_team].assign(team_id=pd.NA)
    parts = [person]
    if is_team.any():
        picked = chosen.loc[is_team, [UNIT, "option", "rank"]]
        parts.append(members.merge(picked, on=[UNIT, "option"], how="inner"))
    rows = pd.concat(parts, ignore_index=True)
    return rows.sort_values(["rank", "employee_id"], kind="stable", ignore_index=True)
