"""The explanation of one person, as one JSON-ready structure used by the CLI and the report."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from flightrisk import LEVER_FAMILIES
from flightrisk.explain.causal import causal_points, effects_of
from flightrisk.explain.contributions import Explanation, explain_rows
from flightrisk.explain.narrative import (
    DRIVER_MIN_POINTS,
    context_sentence,
    select_drivers,
    sentence,
    sentence_contexts,
)
from flightrisk.explain.whatif import what_if_numbers, with_texts
from flightrisk.i18n import Words, words_for
from flightrisk.model.risk_model import RiskModel


def _plain(value):
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value


def top_lever(levers: dict[str, float]) -> str | None:
    """The one definition of a person's top lever: the lever family (not context) adding the most
    risk; None when none adds at least DRIVER_MIN_POINTS (the threshold drivers use too)."""
    candidates = {k: v for k, v in levers.items() if k != "context" and v >= DRIVER_MIN_POINTS}
    return max(candidates, key=candidates.get) if candidates else None


def causal_notes(
    model_levers: dict[str, float], effects: dict[str, float], status: dict, words: Words
) -> list[str]:
    """Where "why the model flags" and "what pulling a lever would do" disagree, in plain words; and
    each lever the model leans on, or named as the top lever, that is not an established cause."""
    notes = []
    read, pull = top_lever(model_levers), top_lever(effects)
    if read is None and pull is not None:
        notes.append(words("nothing_read_but_pull", pull=words.lever(pull).lower()))
    if read is not None and read != pull:
        name = words.lever(read).lower()
        if pull is None:
            notes.append(words("read_no_cause", read=name))
        else:
            notes.append(words("read_vs_pull", read=name, pull=words.lever(pull).lower()))
    for lever, value in model_levers.items():
        # A lever not established can still top the causal panel (it ranks by a tenth of its size) for
        # someone the established levers barely touch: the page then says what it rests on.
        leaned_on = value >= DRIVER_MIN_POINTS or lever == pull
        if lever in status and not status[lever]["established"] and leaned_on:
            notes.append(words("signal_not_cause", lever=words.lever(lever)))
    return notes


def lever_status(model: RiskModel) -> dict[str, dict]:
    """Per lever, its measured effect: θ, the 95 % interval, established or not (by either test, it or
    one of its parts), the test on the months (`months`, where the model has it) and the θ and interval
    of each part the catalog splits it into (empty without effects)."""

    def interval(e) -> dict:
        return {"theta": e.theta, "ci_low": e.low, "ci_high": e.high}

    def bound_only(part) -> dict:
        # A within-manager part (the check-ins) bounds its actions' promise only: the share it keeps.
        return {"promise_only": True, "manager_share": part.manager_share} if part.promise_only else {}

    effects = effects_of(model) or {}
    return {
        lever: {
            "theta": e.theta,
            "ci_low": e.low,
            "ci_high": e.high,
            "established": e.established,
            "weight": e.weight,
            "cautious_weight": e.cautious_weight,
        }
        | ({"months": interval(e.monthly)} if e.monthly is not None else {})
        | ({"parts": {p.lever: interval(p) | bound_only(p) for p in e.parts}} if e.parts else {})
        for lever, e in effects.items()
    }


def consistency_notes(
    model_levers: dict[str, float], top: str | None, drivers: list[dict], actions: list[dict], words: Words
) -> list[str]:
    """Why the top lever (`top`, as the tables show it), the first driver and the first action point
    different ways, where they do.

    They may differ for good reasons — one large feature against several medium ones, or no action
    for the top lever applying to the person — but a reader should not have to guess which. Drivers
    are what the model reads, so they are compared with the model's own top lever; where that differs
    from `top` (what pulling a lever would do), `causal_notes` says so.
    """
    read = top_lever(model_levers)
    notes = []
    if drivers and read is not None and drivers[0]["lever"] != read:
        driver = words.lever(drivers[0]["lever"]).lower()
        notes.append(words("driver_vs_lever", driver=driver, lever=words.lever(read).lower()))
    if drivers and read is None and top is None:
        notes.append(words["no_lever_in_all"])
    if top is None:
        return notes
    name = words.lever(top).lower()
    if actions and actions[0]["lever"] != top:
        action = words.lever(actions[0]["lever"]).lower()
        same = [a for a in actions if a["lever"] == top]
        if not same:
            notes.append(words("no_action_for_lever", lever=name, action=action))
        else:
            change, best = words.points(actions[0]["change"]), words.points(same[0]["change"])
            notes.append(words("action_vs_lever", action=action, change=change, best=best, lever=name))
    return notes


@dataclasses.dataclass
class Computed:
    """What the model says of each row, before any words: exact contributions, the rows outside
    training, the what-ifs in numbers. `score --explain` keeps it in its bundle, so the report and
    the plan read it instead of running the model again (`score/bundle.py`)."""

    explanation: Explanation
    outside_training: pd.DataFrame  # per feature, True where a value lies outside training
    actions: list[list[dict]]  # per row, `what_if_numbers`

    def __len__(self) -> int:
        return len(self.explanation.risk)

    def take(self, mask: np.ndarray) -> Computed:
        """The rows where `mask` is True, in order (as the frame they belong to is filtered)."""
        mask = np.asarray(mask, dtype=bool)
        e = self.explanation
        return Computed(
            dataclasses.replace(
                e,
                risk=e.risk[mask],
                base_rate=e.base_rate[mask],
                feature_points=e.feature_points[mask],
                feature_logit=e.feature_logit[mask],
            ),
            self.outside_training[mask].reset_index(drop=True),
            [items for items, keep in zip(self.actions, mask, strict=True) if keep],
        )


def compute(
    model: RiskModel, frame: pd.DataFrame, with_actions: bool = True, explanation: Explanation | None = None
) -> Computed:
    """Run the model once over `frame`: everything `explain_people` needs that is not words (with
    `explanation`, the contributions already computed, e.g. while scoring)."""
    frame = frame.reset_index(drop=True)
    explanation = explanation if explanation is not None else explain_rows(model, frame)
    actions = (
        what_if_numbers(model, frame, explanation.feature_points)
        if with_actions
        else [[] for _ in range(len(frame))]
    )
    return Computed(explanation, model.outside_training(frame).reset_index(drop=True), actions)


def explain_people(
    model: RiskModel,
    frame: pd.DataFrame,
    words: Words | None = None,
    top_k: int = 3,
    with_actions: bool = True,
    records_start: dict | None = None,
    computed: Computed | None = None,
) -> list[dict]:
    """One explanation per row: risk, band, percentile, levers, drivers in words, what-if actions.

    `records_start` ({feature: first date of its records}, from the raw extract) lets a sentence tell
    "no recognition since joining" from "none in the 36 months of records". `computed` (from
    `compute`, or a bundle of `score --explain`) is used instead of running the model.
    """
    words = words or words_for("en")
    frame = frame.reset_index(drop=True)
    if computed is None:
        computed = compute(model, frame, with_actions)
    if len(computed) != len(frame):
        raise ValueError(f"{len(computed)} computed rows for {len(frame)} rows")
    contexts = sentence_contexts(frame, records_start)
    explanation = computed.explanation
    levers = explanation.lever_points()
    flags = computed.outside_training
    actions = with_texts(computed.actions, model.catalog, words)
    bands = model.band(explanation.risk)
    order, chosen = select_drivers(explanation, model.catalog, top_k)
    strong_order, strong_chosen = select_drivers(explanation, model.catalog, 2, sign=-1)
    context_columns = [j for j, spec in enumerate(model.catalog.features) if spec.lever == "context"]
    pct = model.percentile(explanation.risk)
    families = explained_families(model.catalog)
    effect_points = causal_points(model, levers)
    status = lever_status(model)
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
                    "label": spec.label(words.lang),
                    # A person's own survey answer is never shown, not even to the CLI's reader.
                    "value": None if spec.confidential else _plain(row[spec.name]),
                    "points": pts,
                    "actionable": spec.actionable,
                    "confidential": spec.confidential,
                }
            )
        drivers = [contributions[j] for j, ok in zip(order[i], chosen[i], strict=True) if ok]
        # A strength is a value the person has: a missing one ("not recorded") is no good news.
        strengths = [
            dict(contributions[j])
            for j, ok in zip(strong_order[i], strong_chosen[i], strict=True)
            if ok and _plain(row[contributions[j]["feature"]]) is not None
        ]
        for item in drivers + strengths:
            item["text"] = sentence(
                model.catalog, item["feature"], row[item["feature"]], contexts[i], words, item["points"]
            )
        # Context (tenure, role, region) is said as context, largest first, when it moves the risk
        # by at least a point: hidden it would leave the chart's largest bar unexplained. A person's own
        # answers (a personality test's scores) are never said, not even as context.
        context = sorted(
            (
                contributions[j]
                for j in context_columns
                if abs(contributions[j]["points"]) >= DRIVER_MIN_POINTS
                and not contributions[j]["confidential"]
            ),
            key=lambda c: -abs(c["points"]),
        )[:2]
        context_items = [
            context_sentence(model.catalog, c["feature"], row[c["feature"]], words, c["points"])
            for c in context
        ]
        lever_values = {family: float(levers.at[i, f"lever_{family}"]) for family in families}
        effect_values = {
            family: float(effect_points.at[i, f"effect_{family}"])
            for family in families
            if f"effect_{family}" in effect_points
        }
        # With measured effects the top lever is the one whose pulling would lower the risk most.
        causal_top = effect_values if status else lever_values
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
                "levers": lever_values,
                "model_top_lever": top_lever(lever_values),
                "effects": effect_values if status else {},
                "lever_status": status,
                "top_lever": top_lever(causal_top),
                "drivers": drivers,
                "strengths": strengths,
                "context_drivers": context_items,
                "notes": (causal_notes(lever_values, effect_values, status, words) if status else [])
                + consistency_notes(lever_values, top_lever(causal_top), drivers, actions[i], words),
                "contributions": contributions,
                "actions": actions[i],
                "context": {
                    key: _plain(row[key]) for key in ("role", "region", "tenure_months") if key in row.index
                },
                "lang": words.lang,
            }
        )
    return people


def explained_families(catalog) -> list[str]:
    """The lever families the model has features for: a family without any (a flat table with no
    recognition column) has nothing to explain and is not shown as "±0 points"."""
    used = {spec.lever for spec in catalog.features}
    return [family for family in LEVER_FAMILIES if family in used]


def people_from_scores(
    scores: pd.DataFrame, families: tuple[str, ...] | list[str] = LEVER_FAMILIES
) -> list[dict]:
    """The explanation structure `explain_people` returns, read back from `score --explain` output.

    For a report without the inputs (no --raw, no --table): the levers and drivers are the same
    engine's, saved with the scores; what-ifs need the features, so there are none.
    """
    people = []
    for row in scores.to_dict("records"):
        drivers = [
            {"text": row[c]}
            for c in row
            if c.startswith("driver_") and c.endswith("_text") and isinstance(row[c], str)
        ]
        levers = {f: float(row.get(f"lever_{f}", 0.0)) for f in families}
        people.append(
            {
                "employee_id": str(row["employee_id"]),
                "risk": float(row["risk"]),
                "risk_band": row["risk_band"],
                "percentile": float(row["percentile"]),
                "base_rate": float(row.get("base_rate", float("nan"))),
                "low_confidence": bool(row["low_confidence"]),
                "levers": levers,
                "top_lever": top_lever(levers),
                "drivers": drivers,
                "strengths": [],
                "context_drivers": [],
                "notes": [],
                "actions": [],
                "context": {},
            }
        )
    return people


def explanation_text(person: dict, words: Words) -> str:
    """A plain-text rendering of one explanation for the terminal."""
    lines = [
        words(
            "terminal_head",
            employee=person["employee_id"],
            date=person["snapshot_date"],
            risk=words.number(person["risk"] * 100),
            band=words.band(person["risk_band"]),
            percentile=words.number(person["percentile"], 0),
        ),
        words("terminal_base", base=words.number(person["base_rate"] * 100)),
    ]
    for family, value in person["levers"].items():
        lines.append(f"  {words.lever(family):<26} {words.points(value)}")
    if person.get("effects"):
        lines.append(words["terminal_effects"])
        for family, value in person["effects"].items():
            state = person["lever_status"].get(family, {})
            mark = words["terminal_signal"] if state and not state["established"] else ""
            lines.append(f"  {words.lever(family):<26} {words.points(value)}{mark}")
    lines.append(words["terminal_drivers"])
    for driver in person["drivers"]:
        lines.append(f"  - {driver['text']}")
    if person["actions"]:
        lines.append(words["terminal_actions"])
        for action in person["actions"]:
            lines.append(
                f"  - {action['text']}: {words.number(action['risk_now'] * 100)} % → "
                f"{words.number(action['risk_after'] * 100)} % ({words.points(action['change'])})"
            )
    for note in person.get("notes", []):
        lines.append(f"  ({note})")
    if person["low_confidence"]:
        lines.append(words["terminal_outside"] + ", ".join(person["outside_training"]))
    return "\n".join(lines)
