"""Plain sentences, in English and Swedish, for a person's top drivers.

Built from the catalog labels and the person's own values against their peers. Context features
(tenure, role, region) never appear as drivers: they explain, but they are not levers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from flightrisk.explain.contributions import Explanation
from flightrisk.features.catalog import UNITS, Catalog

ROLE_SV = {
    "SDR": "SDR:er",
    "Account Executive": "Account Executives",
    "Senior Account Executive": "Senior Account Executives",
    "Key Account Manager": "Key Account Managers",
    "Team Lead": "teamledare",
}
ROLE_EN_PLURAL = {
    "SDR": "SDRs",
    "Account Executive": "Account Executives",
    "Senior Account Executive": "Senior Account Executives",
    "Key Account Manager": "Key Account Managers",
    "Team Lead": "Team Leads",
}


def number(value: float, lang: str, digits: int = 1) -> str:
    """A number as a reader of `lang` writes it (Swedish: decimal comma)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–" if lang == "sv" else "n/a"
    text = f"{value:,.{digits}f}" if abs(value) >= 1000 else f"{value:.{digits}f}"
    if digits > 0:
        text = text.rstrip("0").rstrip(".")
    if lang == "sv":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def points(value: float, lang: str) -> str:
    """Probability points, e.g. '+4.2 points' / '+4,2 procentenheter'."""
    sign = "+" if value >= 0 else "−"
    if round(abs(value) * 100, 1) == 0:
        sign = "±"
    word = "procentenheter" if lang == "sv" else "points"
    return f"{sign}{number(abs(value) * 100, lang)} {word}"


def _peers(role: str | None, region: str | None, lang: str) -> str:
    if lang == "sv":
        who = ROLE_SV.get(role or "", role or "kollegor")
        return f"{who} i {region}" if region else who
    who = ROLE_EN_PLURAL.get(role or "", role or "peers")
    return f"{who} in {region}" if region else who


def _relative(value: float, lang: str, role, region) -> str | None:
    if value is None or math.isnan(value) or value <= 0:
        return None
    pct = round(abs(value - 1) * 100)
    peers = _peers(role, region, lang)
    if lang == "sv":
        side = "under" if value < 1 else "över"
        return f"{pct} % {side} medianen för {peers}"
    side = "below" if value < 1 else "above"
    return f"{pct} % {side} the median for {peers}"


def is_driver_candidate(lever: str, confidential: bool) -> bool:
    """Drivers are levers one can act on and talk about: never context, never a person's survey answer.

    Survey answers still count inside their lever's total; they are just never singled out, since
    "your rating of your manager adds 4 points" would tell the manager how the person answered.
    """
    return lever != "context" and not confidential


def sentence(catalog: Catalog, feature: str, value, row, lang: str, contribution: float) -> str:
    """One driver as a sentence: what the value is, against whom, and how much risk it adds.

    `row` is anything with `.get("role")` and `.get("region")`: a pandas row or a plain dict.
    """
    spec = catalog.feature(feature)
    role = row.get("role") if isinstance(row.get("role"), str) else None
    region = row.get("region") if isinstance(row.get("region"), str) else None
    label = spec.label(lang)
    effect = points(contribution, lang)
    if spec.type == "categorical":
        shown = str(value) if isinstance(value, str) else ("saknas" if lang == "sv" else "not recorded")
        return f"{label}: {shown} ({effect})"
    try:
        numeric = float(value)
    except (TypeError, ValueError):
        numeric = float("nan")
    if feature == "base_pay_vs_peer_median":
        rel = _relative(numeric, lang, role, region)
        if rel:
            return f"Grundlönen ligger {rel} ({effect})" if lang == "sv" else f"Base pay is {rel} ({effect})"
    if feature == "pay_vs_newer_hires":
        rel = _relative(numeric, lang, None, None)
        if rel:
            pct = rel.split(" ")[0]
            side = (
                ("under" if numeric < 1 else "över")
                if lang == "sv"
                else ("below" if numeric < 1 else "above")
            )
            return (
                f"Grundlönen ligger {pct} % {side} nyanställda i samma roll ({effect})"
                if lang == "sv"
                else f"Base pay is {pct} % {side} that of newer hires in the same role ({effect})"
            )
    if spec.unit in ("ratio",) and not math.isnan(numeric) and feature.endswith("vs_peers"):
        rel = _relative(numeric, lang, role, None)
        if rel:
            return f"{label}: {rel} ({effect})"
    unit = _unit(spec.unit, lang, singular=not math.isnan(numeric) and round(numeric, 1) == 1)
    # Ratios and shares in the unit people use: "41 %" of a target or of a median, not "0.4".
    shown = (
        number(numeric * 100, lang, 0) + " %"
        if spec.unit in ("ratio", "share")
        else number(numeric, lang) + (f" {unit}" if unit else "")
    )
    if math.isnan(numeric):
        shown = "saknas" if lang == "sv" else "not recorded"
    return f"{label}: {shown} ({effect})"


SINGULAR = {
    "months": ("month", "månad"),
    "years": ("year", "år"),
    "days": ("day", "dag"),
    "hours": ("hour", "timme"),
}


def _unit(unit: str, lang: str, singular: bool = False) -> str:
    """The unit's word after a number; singular after exactly 1 ("1 month", never "1 months")."""
    en, sv = (SINGULAR if singular and unit in SINGULAR else UNITS).get(unit, ("", ""))
    return sv if lang == "sv" else en


def select_drivers(explanation: Explanation, catalog: Catalog, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The one driver rule: per row, up to k driver candidates that add risk, the largest first.

    Returns (rows, k) feature indices and a mask of the slots that hold a driver (ties keep
    catalog order).
    """
    candidate = np.array([is_driver_candidate(spec.lever, spec.confidential) for spec in catalog.features])
    pts = np.where(candidate, explanation.feature_points, -np.inf)
    order = np.argsort(-pts, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(pts, order, axis=1) > 0


def top_drivers(
    explanation: Explanation, catalog: Catalog, frame: pd.DataFrame, k: int, lang: str = "en"
) -> pd.DataFrame:
    """driver_1..k (feature names) and driver_1..k_text: the k levers adding the most risk."""
    names = np.array(explanation.feature_names)
    order, chosen = select_drivers(explanation, catalog, k)
    pts = explanation.feature_points
    out: dict[str, list] = {}
    rows = frame.reset_index(drop=True)
    # Plain lists, not a pandas row per person: building sentences row by row through iloc/at was
    # most of `score --explain` once explanations became fast.
    roles = rows["role"].tolist() if "role" in rows else [None] * len(rows)
    regions = rows["region"].tolist() if "region" in rows else [None] * len(rows)
    columns: dict[str, list] = {}
    for j in range(k):
        picked = order[:, j]
        value = pts[np.arange(len(pts)), picked]
        keep = chosen[:, j]
        out[f"driver_{j + 1}"] = [names[p] if ok else None for p, ok in zip(picked, keep, strict=True)]
        texts = []
        for i, (p, ok) in enumerate(zip(picked, keep, strict=True)):
            if not ok:
                texts.append(None)
                continue
            feature = names[p]
            if feature not in columns:
                columns[feature] = rows[feature].tolist()
            context = {"role": roles[i], "region": regions[i]}
            texts.append(sentence(catalog, feature, columns[feature][i], context, lang, float(value[i])))
        out[f"driver_{j + 1}_text"] = texts
    return pd.DataFrame(out)
