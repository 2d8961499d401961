"""Everything the tool holds and shows about one person, in plain words (GDPR Art. 15). Pure: the
person's rows in, Markdown out; `commands/records.py` gathers the rows and writes the document."""

from __future__ import annotations

import pandas as pd

from flightrisk.i18n import lever_name

WHY = {
    "employees": "who you are in the HR system (your gender and birth year are used only to check "
    "that the tool treats groups fairly, never to score you)",
    "job_history": "your roles, levels, managers and teams over time",
    "compensation": "your base pay and variable pay target over time",
    "bonus_payouts": "your bonus targets and payouts",
    "sales_performance": "your quotas, bookings, pipeline and accounts",
    "training": "the training you took",
    "recognition": "the recognitions you received",
    "one_on_ones": "your one-to-one meetings with your manager",
    "engagement_survey": "your own answers to the engagement survey (shown to you here; never shown "
    "to anyone else per person)",
    "workload": "your working hours, travel, time off and territory changes",
}


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "–"
    return str(value).replace("|", "/").replace("\n", " ")


def _table(frame: pd.DataFrame, limit: int = 200) -> list[str]:
    columns = list(frame.columns)
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    for _, row in frame.head(limit).iterrows():
        lines.append("| " + " | ".join(_cell(row[c]) for c in columns) + " |")
    if len(frame) > limit:
        lines.append(f"\n({len(frame) - limit} more rows not shown here; ask HR for the full export.)")
    return [*lines, ""]


def access_markdown(
    employee_id: str,
    tables: dict[str, pd.DataFrame],
    scores: pd.DataFrame | None,
    reviews: list[dict],
    plan: pd.DataFrame | None,
    models: list[dict],
    made_utc: str,
) -> str:
    """The access document for one person: the data held, the scores and explanations over time, the
    records about them, the models that learned from them, and their rights."""
    out = [
        f"# What flightrisk holds about you ({employee_id})",
        "",
        f"Made {made_utc} at your request (GDPR Article 15). It lists every record the tool reads or "
        "writes about you. Nothing here was decided about you by the tool: a risk is an estimate that "
        "invites a conversation, and no decision about your pay, promotion, rating or employment may "
        "rest on it.",
        "",
        "## The data the tool reads",
        "",
    ]
    if not tables:
        out += ["No HR extract was given for this document.", ""]
    for name, rows in tables.items():
        out += [f"### {name.replace('_', ' ').capitalize()} ({len(rows)} rows)", "", WHY.get(name, name), ""]
        out += _table(rows) if len(rows) else ["None.", ""]

    out += ["## Your risk and what the model read behind it", ""]
    if scores is None or scores.empty:
        out += ["No scores about you were found in the files given.", ""]
    else:
        out += [
            "Each month the tool scored you: the estimated chance of leaving voluntarily within the "
            "horizon if nothing changes, and how much of it the model ties to each lever (in points). "
            "A contribution says what the model reads in your records, not why you would leave.",
            "",
        ]
        columns = [
            c for c in ("snapshot_date", "risk", "risk_band", "risk_3m", "risk_6m", "risk_12m") if c in scores
        ]
        shown = scores[columns].copy()
        for column in ("risk", "risk_3m", "risk_6m", "risk_12m"):
            if column in shown:
                shown[column] = shown[column].map(lambda v: f"{v:.0%}")
        out += _table(shown)
        levers = [c for c in scores.columns if c.startswith("lever_")]
        drivers = [c for c in scores.columns if c.startswith("driver_") and c.endswith("_text")]
        latest = scores.sort_values("snapshot_date").iloc[-1]
        if levers:
            out += ["Levers at the latest month (points of risk):", ""]
            out += [f"- {lever_name(c.removeprefix('lever_'), 'en')}: {latest[c] * 100:+.1f}" for c in levers]
            out += [""]
        if drivers:
            out += ["What the model read most at the latest month:", ""]
            out += [f"- {latest[c]}" for c in drivers if isinstance(latest[c], str) and latest[c]]
            out += [""]

    out += ["## What managers and HR recorded", ""]
    if reviews:
        frame = pd.DataFrame(reviews)[
            [
                c
                for c in ("recorded_utc", "month", "reviewer", "agrees", "action", "action_text")
                if c in reviews[0]
            ]
        ]
        out += _table(frame)
    else:
        out += ["No review of your page has been recorded.", ""]
    out += ["## Actions planned for you", ""]
    if plan is not None and not plan.empty:
        out += _table(plan.drop(columns=[c for c in plan.columns if c.endswith("_sek")], errors="ignore"))
    else:
        out += ["None.", ""]

    out += ["## Models that learned from your records", ""]
    if models:
        out += [f"- {m['name']} (trained {m['created_utc']}): {m['why']}" for m in models] + [""]
    else:
        out += ["None of the models given learned from your records.", ""]

    out += [
        "## Your rights",
        "",
        "- **Correction** (Art. 16): if a record above is wrong, tell HR; the next extract will carry the "
        "correction and the next score will use it.",
        "- **Erasure** (Art. 17): HR can remove you from the extracts, features, scores, reports and "
        "records the tool manages (`flightrisk forget`); models already trained keep what they learned "
        "until they are retrained, and are named above.",
        "- **Objection and no automated decision** (Art. 21–22): you may object to being scored; no "
        "decision about you may rest on the score alone, and you may ask for a person to look at "
        "anything that concerns you.",
        "- **How changed inputs would change the result**: the levers above say how much of the risk the "
        "model ties to each area; a page's what-ifs say what a change (for example a raise to your peers' "
        "median) would be estimated to do.",
        "",
    ]
    return "\n".join(out)
