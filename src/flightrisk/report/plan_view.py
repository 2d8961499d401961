"""The plan as the report shows it: rows in the reader's language, figures only where privacy allows."""

from __future__ import annotations

import pandas as pd

from flightrisk.features.catalog import Catalog
from flightrisk.i18n import Words
from flightrisk.privacy import MIN_GROUP


def sek(value: float, words: Words) -> str:
    """An amount in kronor, in the reader's number format."""
    return f"{words.number(float(value), 0)} {words['currency']}"


def raise_text(per_month: float, words: Words) -> str:
    """' (a raise of 4,200 SEK a month)' where the action raises pay, else ''."""
    if not per_month or per_month != per_month or per_month <= 0:
        return ""
    return " (" + words["raise_of"].format(amount=sek(round(per_month, -2), words)) + ")"


def action_text(option: str, catalog: Catalog, words: Words) -> str:
    """'a + b' in words: each action's catalog text, joined with 'and'."""
    texts = {a.name: a.text(words.lang) for a in catalog.actions}
    parts = [texts.get(name, name) for name in option.split(" + ")]
    return f" {words['and']} ".join(parts) if len(parts) > 1 else parts[0]


def plan_rows(plan: pd.DataFrame, people: list[dict], catalog: Catalog, words: Words) -> list[dict]:
    """One row per planned person among `people` (the report's), in plan order."""
    by_id = {p["id"]: p for p in people}
    rows = []
    for _, row in plan.iterrows():
        person = by_id.get(str(row["employee_id"]))
        if person is None:
            continue
        rows.append(
            {
                "id": person["id"],
                "name": person["name"],
                "href": person["href"],
                "manager_id": person["manager_id"],
                "manager": person["manager"],
                "first_action": str(row["option"]).split(" + ")[0],
                "action": action_text(str(row["option"]), catalog, words)
                + raise_text(float(row.get("pay_raise_sek_month", 0.0) or 0.0), words)
                + (f" ({words['for_the_team']})" if _for_team(row) else ""),
                "cost": float(row["cost_sek"]),
                "cost_text": sek(row["cost_sek"], words),
                "change_text": words.points(float(row["risk_change"])),
                "_change": float(row["risk_change"]),
                "exits": float(row["exits_avoided"]),
                "value": float(row["value_sek"]),
                "value_per_krona": words.number(float(row["value_per_krona"]), 1),
                "on_signals": bool(row.get("on_signals", False)),
            }
        )
    return rows


def _for_team(row) -> bool:
    """Whether a plan row is a member's row of a team action (plan/teams.py)."""
    team = row.get("team_id")
    return team is not None and not pd.isna(team)


def by_person(rows: list[dict], words: Words) -> dict[str, dict]:
    """Each planned person's plan as one entry for their page: their own option and the team action
    they are in, joined (the cost and change add up: each was estimated alone)."""
    out: dict[str, dict] = {}
    for row in rows:
        if row["id"] not in out:
            out[row["id"]] = dict(row)
            continue
        both = out[row["id"]]
        both["action"] = f"{both['action']}; {row['action']}"
        both["cost"] += row["cost"]
        both["cost_text"] = sek(both["cost"], words)
        both["_change"] += row["_change"]
        both["change_text"] = words.points(both["_change"])
    return out


def plan_totals(rows: list[dict], budget: float | None, words: Words) -> dict | None:
    """Budget, cost, people, exits avoided and value per krona; None below the privacy threshold."""
    if len({r["id"] for r in rows}) < MIN_GROUP:
        return None
    cost = sum(r["cost"] for r in rows)
    value = sum(r["value"] for r in rows)
    # The part of the expectation that rests on levers not established as causes, shown where it
    # rests on 5 people or more (a figure about fewer would be about them).
    on_signals = [r for r in rows if r["on_signals"]]
    signal_people = len({r["id"] for r in on_signals})
    return {
        "budget": sek(budget, words) if budget is not None else "–",
        "spent": sek(cost, words),
        "people": len({r["id"] for r in rows}),
        "exits": words.number(sum(r["exits"] for r in rows), 1),
        "value_per_krona": words.number(value / cost, 1) if cost > 0 else "–",
        "exits_on_signals": words.number(sum(r["exits"] for r in on_signals), 1)
        if signal_people >= MIN_GROUP
        else None,
        "people_on_signals": signal_people if signal_people >= MIN_GROUP else None,
    }


def team_totals(rows: list[dict], managers: list[dict], words: Words) -> list[dict]:
    """Per manager whose team the report shows and who has at least 5 people in the plan: how many,
    cost and exits avoided (a total over fewer people would be a figure about one or two)."""
    out = []
    for m in managers:
        if not m["show"]:
            continue
        mine = [r for r in rows if r["manager_id"] == m["id"]]
        if len({r["id"] for r in mine}) < MIN_GROUP:
            continue
        exits = sum(r["exits"] for r in mine)
        out.append(
            {
                "name": m["name"],
                "href": m["href"],
                "people": len({r["id"] for r in mine}),
                "cost": sek(sum(r["cost"] for r in mine), words),
                "exits": words.number(exits, 1),
                "_exits": exits,
            }
        )
    return sorted(out, key=lambda r: -r["_exits"])
