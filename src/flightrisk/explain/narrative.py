"""Plain sentences for a person's top drivers, in the reader's words (`i18n.Words`; every word is in
`messages.py`, none here).

Built from the catalog labels and the person's own values against their peers. Context features
(tenure, role, region) never appear as drivers: they explain, but they are not levers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from flightrisk.explain.contributions import Explanation
from flightrisk.features.catalog import Catalog
from flightrisk.features.compensation import PAY_PEER_GROUPS
from flightrisk.features.snapshots import peer_group_used
from flightrisk.i18n import Words, words_for
from flightrisk.messages import EVENTS, ROLE_PLURALS, SIGNED_UNITS


def _peers(role: str | None, region: str | None, words: Words, level=None) -> str:
    """The peer group in words: 'level-3 SDRs in Stockholm' / 'SDR:er på nivå 3 i Stockholm'."""
    who = words.pair(ROLE_PLURALS[role]) if role in ROLE_PLURALS else (role or words["peers"])
    if level is not None and not (isinstance(level, float) and math.isnan(level)):
        who = words("peers_at_level", who=who, level=int(level))
    return words("peers_in", who=who, region=region) if region else who


def _side(value: float, words: Words) -> str:
    return words["below"] if value < 1 else words["above"]


def _relative(value: float, words: Words, role, region, level=None) -> str | None:
    if value is None or math.isnan(value) or value <= 0:
        return None
    pct = round(abs(value - 1) * 100)
    peers = _peers(role, region, words, level)
    if pct == 0:
        return words("at_median", peers=peers)
    return words("vs_median", pct=pct, side=_side(value, words), peers=peers)


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


def _pay_peers_text(row) -> tuple[str | None, str | None, object]:
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


def _event_sentence(feature: str, value: float, row, words: Words, effect: str) -> str | None:
    tenure = row.get("tenure_months")
    try:
        tenure = float(tenure)
    except (TypeError, ValueError):
        return None
    if math.isnan(value) or math.isnan(tenure):
        return None
    event, none = words.pair(EVENTS[feature])
    if value < tenure - 1e-9:  # an event on record
        when = words["this_month"] if value < 0.5 else words("ago", months=words.months(value))
        return words("event_last", event=event, when=when, effect=effect)
    starts = row.get(RECORDS_START) or {}
    start = starts.get(feature) if isinstance(starts, dict) else None
    snapshot = row.get("snapshot_date")
    said = {"event": event, "none": none, "effect": effect, "months": words.months(tenure)}
    if start is not None and snapshot is not None:
        records = (pd.Timestamp(snapshot).year - start.year) * 12 + pd.Timestamp(snapshot).month - start.month
        if records < tenure:  # hired before the records begin: we only know there was none in them
            return words("event_none_in_records", **(said | {"months": words.months(records)}))
        return words("event_none_since_joining", **said)
    return words("event_none_on_record", **said)


def is_driver_candidate(lever: str, confidential: bool) -> bool:
    """Drivers are levers one can act on and talk about: never context, never a person's survey answer.

    Survey answers still count inside their lever's total; they are just never singled out, since
    "your rating of your manager adds 4 points" would tell the manager how the person answered.
    """
    return lever != "context" and not confidential


def sentence(catalog: Catalog, feature: str, value, row, words: Words, contribution: float) -> str:
    """One driver as a sentence: what the value is, against whom, and how much risk it adds.

    `row` is anything with `.get("role")` and `.get("region")`: a pandas row or a plain dict.
    """
    spec = catalog.feature(feature)
    role = row.get("role") if isinstance(row.get("role"), str) else None
    region = row.get("region") if isinstance(row.get("region"), str) else None
    label = spec.label(words.lang)
    effect = words.points(contribution)
    if spec.type == "categorical":
        shown = str(value) if isinstance(value, str) else words["not_recorded"]
        return words("value", label=label, shown=shown, effect=effect)
    try:
        numeric = float(value)
    except (TypeError, ValueError):
        numeric = float("nan")
    if feature in EVENTS:
        told = _event_sentence(feature, numeric, row, words, effect)
        if told:
            return told
    if feature == "base_pay_vs_peer_median":
        peer_role, peer_region, peer_level = _pay_peers_text(row)
        if peer_role is None and not math.isnan(numeric) and numeric > 0:
            pct = round(abs(numeric - 1) * 100)
            return words("pay_vs_peers_generic", pct=pct, side=_side(numeric, words), effect=effect)
        rel = _relative(numeric, words, peer_role, peer_region, peer_level)
        if rel:
            return words("pay_vs_peers", relative=rel, effect=effect)
    if feature == "promotion_wait_vs_peers" and not math.isnan(numeric):
        peers = _peers(role, None, words)
        if round(numeric) == 0:
            return words("promotion_wait_same", peers=peers, effect=effect)
        side = words["longer"] if numeric > 0 else words["shorter"]
        length = words.months(abs(numeric))
        return words("promotion_wait", length=length, side=side, peers=peers, effect=effect)
    if feature == "pay_vs_newer_hires" and not math.isnan(numeric) and numeric > 0:
        # features.compensation: the median of people hired in the last 24 months, same role and region
        pct = round(abs(numeric - 1) * 100)
        where = words("in_region", region=region) if region else ""
        side = (
            words["pay_vs_new_level"]
            if pct == 0
            else words("pay_vs_new_side", pct=pct, side=_side(numeric, words))
        )
        return words("pay_vs_newer_hires", side=side, where=where, effect=effect)
    if spec.unit in ("ratio",) and not math.isnan(numeric) and feature.endswith("vs_peers"):
        rel = _relative(numeric, words, role, None)
        if rel:
            return words("value", label=label, shown=rel, effect=effect)
    shown = _shown_number(spec.unit, numeric, words)
    if feature in SIGNED_UNITS and not math.isnan(numeric):
        shown = _signed_change(feature, numeric, words)
    good_side, change = IMPROVING_AT.get(feature, (None, False))
    if good_side is not None and not math.isnan(numeric) and numeric >= good_side and contribution > 0:
        # An improving value shown as adding risk would read as a mistake; say what the model does.
        what = words["an_improvement"] if change else words["a_good_result"]
        return words("improving_but_risk", label=label, shown=shown, what=what, effect=effect)
    return words("value", label=label, shown=shown, effect=effect)


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
# "−12 %"), so it is always written, and a difference of ratios is in percentage points, not "%"
# (their unit words: messages.SIGNED_UNITS; here, the scale of the number shown).
SIGNED_SCALE = {"attainment_trend": 100, "quota_raise_pct": 1, "performance_minus_recognition_rank": 100}


def _signed_change(feature: str, numeric: float, words: Words) -> str:
    scale = SIGNED_SCALE[feature]
    value = numeric * scale
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{words.number(abs(value), 0 if scale == 100 else 1)} {words.pair(SIGNED_UNITS[feature])}"


def _shown_number(unit_name: str, numeric: float, words: Words) -> str:
    """A value in the unit people use: ratios and shares in percent ("41 %" of a target or of a
    median, not "0.4"), others with their unit word, singular after exactly one."""
    if math.isnan(numeric):
        return words["not_recorded"]
    if unit_name in ("ratio", "share"):
        return words.number(numeric * 100, 0) + " %"
    unit = words.unit(unit_name, singular=round(numeric, 1) == 1)
    return words.number(numeric) + (f" {unit}" if unit else "")


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


def context_sentence(catalog: Catalog, feature: str, value, words: Words, contribution: float) -> str:
    """A context feature in words, said as context: it explains the risk but is nothing to act on."""
    effect = words.points(contribution)
    try:
        numeric = float(value)
    except (TypeError, ValueError):
        numeric = float("nan")
    if feature == "tenure_months" and not math.isnan(numeric) and numeric < 24 and contribution > 0:
        # The model adds risk for this tenure; people in their first two years leave more often
        # (the simulator's tenure curve peaks at 18 months, docs/simulator.md).
        return words("new_in_company", months=words.months(numeric), effect=effect)
    spec = catalog.feature(feature)
    if spec.type == "categorical" or isinstance(value, str):
        shown = str(value) if isinstance(value, str) else words["not_recorded"]
    elif spec.unit == "months" and not math.isnan(numeric):
        shown = words.months(numeric)
    else:
        shown = _shown_number(spec.unit, numeric, words)
    return words("value", label=spec.label(words.lang), shown=shown, effect=effect)


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
    explanation: Explanation, catalog: Catalog, frame: pd.DataFrame, k: int, words: Words | None = None
) -> pd.DataFrame:
    """driver_1..k (feature names) and driver_1..k_text: the k levers adding the most risk."""
    words = words or words_for("en")
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
            texts.append(sentence(catalog, feature, columns[feature][i], contexts[i], words, float(value[i])))
        out[f"driver_{j + 1}_text"] = texts
    return pd.DataFrame(out)
