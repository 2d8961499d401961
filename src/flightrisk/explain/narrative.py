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
from flightrisk.features.compensation import PAY_PEER_GROUPS
from flightrisk.features.snapshots import peer_group_used

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
    """Probability points, always with one decimal and a sign: '+4.2 points', '−1.0 points' (never
    '1 points') / '+4,2 procentenheter'."""
    sign = "+" if value >= 0 else "−"
    if round(abs(value) * 100, 1) == 0:
        sign = "±"
    word = "procentenheter" if lang == "sv" else "points"
    digits = f"{abs(value) * 100:.1f}"
    return f"{sign}{digits.replace('.', ',') if lang == 'sv' else digits} {word}"


def _peers(role: str | None, region: str | None, lang: str, level=None) -> str:
    """The peer group in words: 'level-3 SDRs in Stockholm' / 'SDR:er på nivå 3 i Stockholm'."""
    level_text = None
    if level is not None and not (isinstance(level, float) and math.isnan(level)):
        level_text = f"{int(level)}"
    if lang == "sv":
        who = ROLE_SV.get(role or "", role or "kollegor")
        who = f"{who} på nivå {level_text}" if level_text else who
        return f"{who} i {region}" if region else who
    who = ROLE_EN_PLURAL.get(role or "", role or "peers")
    who = f"level-{level_text} {who}" if level_text else who
    return f"{who} in {region}" if region else who


def _relative(value: float, lang: str, role, region, level=None) -> str | None:
    if value is None or math.isnan(value) or value <= 0:
        return None
    pct = round(abs(value - 1) * 100)
    peers = _peers(role, region, lang, level)
    if pct == 0:
        return f"på medianen för {peers}" if lang == "sv" else f"at the median for {peers}"
    if lang == "sv":
        side = "under" if value < 1 else "över"
        return f"{pct} % {side} medianen för {peers}"
    side = "below" if value < 1 else "above"
    return f"{pct} % {side} the median for {peers}"


# Which peer group a pay comparison used (features.compensation: role x level x region, falling back
# to role x region and role when a group has fewer than MIN_PEERS people). The report knows the whole
# month and names the group; without it a sentence says what is true of every case.
PAY_PEER_SCOPE = "_pay_peer_scope"


def pay_peer_scope(frame: pd.DataFrame) -> pd.Series:
    """Per row, the group its base_pay_vs_peer_median was measured in: 'level', 'region' or 'role'.

    `frame` must hold everyone of each month (the whole feature table or a whole month of it). A
    group's size is its people with a ratio, which is who had a base pay, what `peer_ratio` counts:
    everyone with a base pay in a group of at least MIN_PEERS gets a ratio.
    """
    groups = [[frame["snapshot_date"], *(frame[k] for k in keys)] for _, keys in PAY_PEER_GROUPS]
    used = peer_group_used(frame["base_pay_vs_peer_median"], groups)
    names = np.array([name for name, _ in PAY_PEER_GROUPS] + [None], dtype=object)
    return pd.Series(names[used.to_numpy()], index=frame.index)


def _pay_peers_text(row, lang: str) -> tuple[str | None, str | None, object]:
    """(role, region, level) to name for the pay comparison, as far as the scope is known."""
    role = row.get("role") if isinstance(row.get("role"), str) else None
    region = row.get("region") if isinstance(row.get("region"), str) else None
    scope = row.get(PAY_PEER_SCOPE)
    if scope == "level":
        return role, region, row.get("level")
    if scope == "region":
        return role, region, None
    if scope == "role":
        return role, None, None
    return None, None, None  # unknown: the generic words below


# Months-since features fall back to the hire date when the event never happened (features/*.py).
# The words say which of the three it is: a real count, none since hire, or none in the records.
EVENTS = {
    "months_since_last_raise": ("pay raise", "Ingen löneökning", "löneökning"),
    "months_since_promotion": ("promotion", "Ingen befordran", "befordran"),
    "months_since_recognition": ("recognition", "Inget erkännande", "erkännande"),
    "months_since_check_in": (
        "check-in with the manager",
        "Ingen avstämning med chefen",
        "avstämning med chefen",
    ),
}
RECORDS_START = "_records_start"  # a row key: {feature: first date of its records}, where known
EVENT_RECORDS = {
    "months_since_last_raise": ("compensation", "effective_date"),
    "months_since_promotion": ("job_history", "effective_date"),
    "months_since_recognition": ("recognition", "date"),
    "months_since_check_in": ("one_on_ones", "date"),
}


def records_start(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Timestamp]:
    """Where each event's records begin in a raw extract (the first dated row of its table)."""
    starts = {}
    for feature, (table, column) in EVENT_RECORDS.items():
        if table in tables and len(tables[table]):
            starts[feature] = pd.Timestamp(tables[table][column].min())
    return starts


def _months(n: float, lang: str) -> str:
    """'1 month', '14 months', '143 months (about 12 years)': never '1 months'."""
    n = int(round(n))
    years = f" (ungefär {round(n / 12)} år)" if lang == "sv" else f" (about {round(n / 12)} years)"
    years = years if n >= 36 else ""
    if lang == "sv":
        return (f"{n} månad" if n == 1 else f"{n} månader") + years
    return (f"{n} month" if n == 1 else f"{n} months") + years


def _event_sentence(feature: str, value: float, row, lang: str, effect: str) -> str | None:
    tenure = row.get("tenure_months")
    try:
        tenure = float(tenure)
    except (TypeError, ValueError):
        return None
    if math.isnan(value) or math.isnan(tenure):
        return None
    en, sv_none, sv = EVENTS[feature]
    if value < tenure - 1e-9:  # an event on record
        if lang == "sv":
            when = "denna månad" if value < 0.5 else f"för {_months(value, lang)} sedan"
            return f"Senaste {sv}: {when} ({effect})"
        when = "this month" if value < 0.5 else f"{_months(value, lang)} ago"
        return f"Last {en}: {when} ({effect})"
    starts = row.get(RECORDS_START) or {}
    start = starts.get(feature) if isinstance(starts, dict) else None
    snapshot = row.get("snapshot_date")
    if start is not None and snapshot is not None:
        records = (pd.Timestamp(snapshot).year - start.year) * 12 + pd.Timestamp(snapshot).month - start.month
        if records < tenure:  # hired before the records begin: we only know there was none in them
            if lang == "sv":
                return f"{sv_none} under de {_months(records, lang)} som finns registrerade ({effect})"
            return f"No {en} in the {_months(records, lang)} of records ({effect})"
        if lang == "sv":
            return f"{sv_none} sedan anställningen för {_months(tenure, lang)} sedan ({effect})"
        return f"No {en} since joining {_months(tenure, lang)} ago ({effect})"
    if lang == "sv":
        return f"{sv_none} registrerad sedan anställningen för {_months(tenure, lang)} sedan ({effect})"
    return f"No {en} on record since joining {_months(tenure, lang)} ago ({effect})"


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
    if feature in EVENTS:
        told = _event_sentence(feature, numeric, row, lang, effect)
        if told:
            return told
    if feature == "base_pay_vs_peer_median":
        peer_role, peer_region, peer_level = _pay_peers_text(row, lang)
        if peer_role is None and not math.isnan(numeric) and numeric > 0:
            pct = round(abs(numeric - 1) * 100)
            side = (
                ("under" if numeric < 1 else "över")
                if lang == "sv"
                else ("below" if numeric < 1 else "above")
            )
            return (
                f"Grundlönen ligger {pct} % {side} medianen för kollegor i samma roll (samma nivå och region "
                f"där minst 5 delar dem) ({effect})"
                if lang == "sv"
                else f"Base pay is {pct} % {side} the median of peers in the same role (same level and region "
                f"where at least 5 share them) ({effect})"
            )
        rel = _relative(numeric, lang, peer_role, peer_region, peer_level)
        if rel:
            return f"Grundlönen ligger {rel} ({effect})" if lang == "sv" else f"Base pay is {rel} ({effect})"
    if feature == "promotion_wait_vs_peers" and not math.isnan(numeric):
        length = _months(abs(numeric), lang)
        if round(numeric) == 0:
            return (
                f"Väntan på befordran: som medianen för {_peers(role, None, lang)} ({effect})"
                if lang == "sv"
                else f"Wait for promotion: the same as the median for {_peers(role, None, lang)} ({effect})"
            )
        if lang == "sv":
            side = "längre" if numeric > 0 else "kortare"
            return (
                f"Väntan på befordran: {length} {side} än medianen för {_peers(role, None, lang)} ({effect})"
            )
        side = "longer" if numeric > 0 else "shorter"
        return (
            f"Wait for promotion: {length} {side} than the median for {_peers(role, None, lang)} ({effect})"
        )
    if feature == "pay_vs_newer_hires" and not math.isnan(numeric) and numeric > 0:
        # features.compensation: the median of people hired in the last 24 months, same role and region
        pct = round(abs(numeric - 1) * 100)
        where = f" i {region}" if lang == "sv" and region else (f" in {region}" if region else "")
        if lang == "sv":
            side = "på samma nivå som" if pct == 0 else f"{pct} % {'under' if numeric < 1 else 'över'}"
            return (
                f"Grundlönen ligger {side} nyanställdas lön (medianen för dem som anställts de senaste två åren "
                f"i samma roll{where}) ({effect})"
            )
        side = "level with" if pct == 0 else f"{pct} % {'below' if numeric < 1 else 'above'}"
        return (
            f"Base pay is {side} the pay of newer hires (the median of those hired in the last two years "
            f"into the same role{where}) ({effect})"
        )
    if spec.unit in ("ratio",) and not math.isnan(numeric) and feature.endswith("vs_peers"):
        rel = _relative(numeric, lang, role, None)
        if rel:
            return f"{label}: {rel} ({effect})"
    shown = _shown_number(spec.unit, numeric, lang)
    if feature in SIGNED_CHANGES and not math.isnan(numeric):
        shown = _signed_change(feature, numeric, lang)
    good_side, change = IMPROVING_AT.get(feature, (None, False))
    if good_side is not None and not math.isnan(numeric) and numeric >= good_side and contribution > 0:
        # An improving value shown as adding risk would read as a mistake; say what the model does.
        what = (
            ("en förbättring" if change else "ett gott resultat")
            if lang == "sv"
            else ("an improvement" if change else "a good result")
        )
        why = (
            f"{what}, men modellen räknar det ändå som en ökad risk för personen, sammantaget med hens "
            "övriga värden"
            if lang == "sv"
            else f"{what}, yet the model counts it as adding risk for this person, taken together with "
            "their other values"
        )
        return f"{label}: {shown} — {why} ({effect})"
    return f"{label}: {shown} ({effect})"


# Features without a fixed direction in the model (monotone 0) whose good side is still plain to a
# reader: at or above this value the person is doing well or things are getting better.
IMPROVING_AT = {  # feature: (from this value, is it a change)
    "quota_attainment_3m": (1.0, False),
    "quota_attainment_6m": (1.0, False),
    "quota_attainment_12m": (1.0, False),
    "bonus_paid_vs_target_12m": (1.0, False),
    "attainment_trend": (0.0001, True),
    "culture_change": (0.0001, True),
    "enps_change": (0.0001, True),
}


# Features that are a change or a difference: their sign is the news ("+4 percentage points",
# "−12 %"), so it is always written, and a difference of ratios is in percentage points, not "%".
SIGNED_CHANGES = {
    "attainment_trend": ("percentage points", "procentenheter", 100),
    "quota_raise_pct": ("%", "%", 1),
    "performance_minus_recognition_rank": ("percentile points", "percentilenheter", 100),
}


def _signed_change(feature: str, numeric: float, lang: str) -> str:
    en, sv, scale = SIGNED_CHANGES[feature]
    value = numeric * scale
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number(abs(value), lang, 0 if scale == 100 else 1)} {sv if lang == 'sv' else en}"


def _shown_number(unit_name: str, numeric: float, lang: str) -> str:
    """A value in the unit people use: ratios and shares in percent ("41 %" of a target or of a
    median, not "0.4"), others with their unit word, singular after exactly one."""
    if math.isnan(numeric):
        return "saknas" if lang == "sv" else "not recorded"
    if unit_name in ("ratio", "share"):
        return number(numeric * 100, lang, 0) + " %"
    unit = _unit(unit_name, lang, singular=round(numeric, 1) == 1)
    return number(numeric, lang) + (f" {unit}" if unit else "")


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


# A contribution under one percentage point is not a driver: on a low-risk person the "largest"
# contributions are often a few tenths of a point, and naming them would be noise dressed as reasons.
DRIVER_MIN_POINTS = 0.01


def select_drivers(
    explanation: Explanation, catalog: Catalog, k: int, sign: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The one driver rule: per row, up to k driver candidates that add at least DRIVER_MIN_POINTS of
    risk, the largest first. With `sign=-1`, the strengths: those that take at least as much away.

    Returns (rows, k) feature indices and a mask of the slots that hold a driver (ties keep
    catalog order).
    """
    candidate = np.array([is_driver_candidate(spec.lever, spec.confidential) for spec in catalog.features])
    pts = np.where(candidate, sign * explanation.feature_points, -np.inf)
    order = np.argsort(-pts, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(pts, order, axis=1) >= DRIVER_MIN_POINTS


def context_sentence(catalog: Catalog, feature: str, value, lang: str, contribution: float) -> str:
    """A context feature in words, said as context: it explains the risk but is nothing to act on."""
    effect = points(contribution, lang)
    sv = lang == "sv"
    try:
        numeric = float(value)
    except (TypeError, ValueError):
        numeric = float("nan")
    if feature == "tenure_months" and not math.isnan(numeric) and numeric < 24 and contribution > 0:
        # The model adds risk for this tenure; people in their first two years leave more often
        # (the simulator's tenure curve peaks at 18 months, docs/simulator.md).
        return (
            f"Ny i företaget ({_months(numeric, lang)}): de första två åren slutar fler ({effect})"
            if sv
            else f"New in the company ({_months(numeric, lang)}): people leave more often in their first two "
            f"years ({effect})"
        )
    spec = catalog.feature(feature)
    if spec.type == "categorical" or isinstance(value, str):
        shown = str(value) if isinstance(value, str) else ("saknas" if sv else "not recorded")
    elif spec.unit == "months" and not math.isnan(numeric):
        shown = _months(numeric, lang)
    else:
        shown = _shown_number(spec.unit, numeric, lang)
    return f"{spec.label(lang)}: {shown} ({effect})"


CONTEXT_KEYS = ("role", "region", "level", "tenure_months", "snapshot_date", PAY_PEER_SCOPE)


def sentence_contexts(frame: pd.DataFrame, records_start: dict | None = None) -> list[dict]:
    """Per row, what a sentence may say about the person besides the feature's own value: role, region,
    level, tenure, the snapshot, the pay comparison's peer group and where each event's records begin."""
    n = len(frame)
    columns = {k: frame[k].tolist() if k in frame else [None] * n for k in CONTEXT_KEYS}
    return [
        {**{k: columns[k][i] for k in CONTEXT_KEYS}, RECORDS_START: records_start or {}} for i in range(n)
    ]


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
    contexts = sentence_contexts(rows)
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
            texts.append(sentence(catalog, feature, columns[feature][i], contexts[i], lang, float(value[i])))
        out[f"driver_{j + 1}_text"] = texts
    return pd.DataFrame(out)
