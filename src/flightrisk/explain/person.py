"""The explanation of one person, as one JSON-ready structure used by the CLI and the report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from flightrisk import LEVER_FAMILIES
from flightrisk.explain.contributions import explain_rows
from flightrisk.explain.narrative import is_driver_candidate, sentence
from flightrisk.explain.whatif import what_if
from flightrisk.model.artifact import FlightRiskModel
from flightrisk.score.batch import outside_training, percentile, risk_band


def _plain(value):
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value


def explain_people(
    model: FlightRiskModel, frame: pd.DataFrame, lang: str = "en", top_k: int = 3, with_actions: bool = True
) -> list[dict]:
    """One explanation per row: risk, band, percentile, levers, drivers in words, what-if actions."""
    frame = frame.reset_index(drop=True)
    explanation = explain_rows(model, frame)
    levers = explanation.lever_points()
    flags = outside_training(model, frame)
    actions = (
        what_if(model, frame, lang, explanation.feature_points)
        if with_actions
        else [[] for _ in range(len(frame))]
    )
    bands = risk_band(explanation.risk, model.risk_bands)
    pct = percentile(model, explanation.risk)
    people = []
    for i in range(len(frame)):
        row = frame.iloc[i]
        contributions = []
        for j, spec in enumerate(model.catalog.features):
            pts = float(explanation.feature_points[i, j])
            contributions.append(
                {
                    "feature": spec.name,
                    "lever": spec.lever,
                    "label": spec.label(lang),
                    # A person's own survey answer is never shown, not even to the CLI's reader.
                    "value": None if spec.confidential else _plain(row[spec.name]),
                    "points": pts,
                    "actionable": spec.actionable,
                    "confidential": spec.confidential,
                }
            )
        drivers = sorted(
            (
                c
                for c in contributions
                if is_driver_candidate(c["lever"], c["confidential"]) and c["points"] > 0
            ),
            key=lambda c: -c["points"],
        )[:top_k]
        for driver in drivers:
            driver["text"] = sentence(
                model.catalog, driver["feature"], row[driver["feature"]], row, lang, driver["points"]
            )
        people.append(
            {
                "employee_id": str(row["employee_id"]),
                "snapshot_date": str(pd.Timestamp(row["snapshot_date"]).date()),
                "risk": float(explanation.risk[i]),
                "risk_band": str(bands[i]),
                "percentile": float(pct[i]),
                "base_rate": float(explanation.base_rate[i]),
                "low_confidence": bool(flags.iloc[i].any()),
                "outside_training": [name for name, flag in flags.iloc[i].items() if flag],
                "levers": {family: float(levers.at[i, f"lever_{family}"]) for family in LEVER_FAMILIES},
                "drivers": drivers,
                "contributions": contributions,
                "actions": actions[i],
                "context": {
                    key: _plain(row[key]) for key in ("role", "region", "tenure_months") if key in row.index
                },
                "lang": lang,
            }
        )
    return people


def explanation_text(person: dict, lang: str) -> str:
    """A plain-text rendering of one explanation for the terminal."""
    from flightrisk.explain.narrative import number, points

    sv = lang == "sv"
    band = (
        {"low": "låg", "medium": "medel", "high": "hög"}.get(person["risk_band"])
        if sv
        else person["risk_band"]
    )
    lines = [
        (
            f"{person['employee_id']} per {person['snapshot_date']}: risk {number(person['risk'] * 100, lang)} % "
            f"({band}), percentil {number(person['percentile'], lang, 0)}"
            if sv
            else f"{person['employee_id']} as of {person['snapshot_date']}: risk {number(person['risk'] * 100, lang)} % "
            f"({band}), percentile {number(person['percentile'], lang, 0)}"
        ),
        (
            f"Basnivå {number(person['base_rate'] * 100, lang)} %; bidrag per hävstång:"
            if sv
            else f"Base rate {number(person['base_rate'] * 100, lang)} %; contribution by lever:"
        ),
    ]
    from flightrisk.report.i18n import lever_name

    for family, value in person["levers"].items():
        lines.append(f"  {lever_name(family, lang):<26} {points(value, lang)}")
    lines.append("Viktigaste drivkrafter:" if sv else "Top drivers:")
    for driver in person["drivers"]:
        lines.append(f"  - {driver['text']}")
    if person["actions"]:
        lines.append(
            "Möjliga åtgärder (modellens uppskattning, inget löfte):"
            if sv
            else "Possible actions (model estimates, not promises):"
        )
        for action in person["actions"]:
            lines.append(
                f"  - {action['text']}: {number(action['risk_now'] * 100, lang)} % → "
                f"{number(action['risk_after'] * 100, lang)} % ({points(action['change'], lang)})"
            )
    if person["low_confidence"]:
        note = "Obs: värden utanför träningsdatan: " if sv else "Note: values outside the training data: "
        lines.append(note + ", ".join(person["outside_training"]))
    return "\n".join(lines)
