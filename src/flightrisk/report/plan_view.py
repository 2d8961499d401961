"""The plan as the report shows it: rows in the reader's language, figures only where privacy allows."""

from __future__ import annotations

import pandas as pd

from flightrisk.explain.narrative import number, points
from flightrisk.features.catalog import Catalog
from flightrisk.privacy import MIN_GROUP


def sek(value: float, t: dict, lang: str) -> str:
    """An amount in kronor, in the reader's number format."""
    return f"{number(float(value), lang, 0)} {t['currency']}"


def raise_text(per_month: float, t: dict, lang: str) -> str:
    """' (a raise of 4,200 SEK a month)' where the action raises pay, else ''."""
    if not per_month or per_month != per_month or per_month <= 0:
        return ""
    return " (" + t["raise_of"].format(amount=sek(round(per_month, -2), t, lang)) + ")"


def action_text(option: str, catalog: Catalog, t: dict, lang: str) -> str:
    """'a + b' in words: each action's catalog text, joined with 'and'."""
    texts = {a.name: a.text(lang) for a in catalog.actions}
    parts = [texts.get(name, name) for name in option.split(" + ")]
    return f" {t['and']} ".join(parts) if len(parts) > 1 else parts[0]


def plan_rows(plan: pd.DataFrame, people: list[dict], catalog: Catalog, t: dict, lang: str) -> list[dict]:
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
                "action": action_text(str(row["option"]), catalog, t, lang)
                + raise_text(float(row.get("pay_raise_sek_month", 0.0) or 0.0), t, lang),
                "cost": float(row["cost_sek"]),
                "cost_text": sek(row["cost_sek"], t, lang),
                "change_text": points(float(row["risk_change"]), lang),
                "exits": float(row["exits_avoided"]),
                "value": float(row["value_sek"]),
                "value_per_krona": number(float(row["value_per_krona"]), lang, 1),
            }
        )
    return rows


def plan_totals(rows: list[dict], budget: float | None, t: dict, lang: str) -> dict | None:
    """Budget, cost, people, exits avoided and value per krona; None below the privacy threshold."""
    if len(rows) < MIN_GROUP:
        return None
    cost = sum(r["cost"] for r in rows)
    value = sum(r["value"] for r in rows)
    return {
        "budget": sek(budget, t, lang) if budget is not None else "–",
        "spent": sek(cost, t, lang),
        "people": len(rows),
        "exits": number(sum(r["exits"] for r in rows), lang, 1),
        "value_per_krona": number(value / cost, lang, 1) if cost > 0 else "–",
    }


def team_totals(rows: list[dict], managers: list[dict], t: dict, lang: str) -> list[dict]:
    """Per manager whose team the report shows and who has at least 5 people in the plan: how many,
    cost and exits avoided (a total over fewer people would be a figure about one or two)."""
    out = []
    for m in managers:
        if not m["show"]:
            continue
        mine = [r for r in rows if r["manager_id"] == m["id"]]
        if len(mine) < MIN_GROUP:
            continue
        exits = sum(r["exits"] for r in mine)
        out.append(
            {
                "name": m["name"],
                "href": m["href"],
                "people": len(mine),
                "cost": sek(sum(r["cost"] for r in mine), t, lang),
                "exits": number(exits, lang, 1),
                "_exits": exits,
            }
        )
    return sorted(out, key=lambda r: -r["_exits"])
