"""The feature catalog: each feature's lever family, direction, unit, labels, and what-if actions.

Loaded from YAML (the packaged `catalog.yaml`, or one a user brings for a flat table) into frozen
objects; every inconsistency is reported at load time, never discovered half way through a run.
"""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from flightrisk import LEVER_FAMILIES, LEVERS
from flightrisk.errors import InputError
from flightrisk.io import read_yaml
from flightrisk.messages import UNITS  # every unit a feature may have, and its words

# `hold`: set now and kept there every month ahead (an action kept up: a 1:1 every month from now on),
# where the other kinds change the person once and the feature then moves as it would (model/clocks.py).
# `rank_with`: a rank among peers that moves with the percentile of a feature the action changes (a
# rep whose attainment rises also rises in the sales rank), read against the training rows.
CHANGE_KINDS = (
    "set", "hold", "add", "at_least", "at_most", "scale", "scale_with", "against_growth_of", "rank_with",
)  # fmt: skip
# Changes that follow another feature the action changes (applied after the others, in this order:
# a rank follows an attainment that itself follows the quota's growth).
FOLLOWING_CHANGES = ("scale_with", "against_growth_of", "rank_with")
CONDITION_KINDS = ("below", "above", "at_least", "at_most", "not_in")
# What an action costs a year (see flightrisk.plan.costs): money, a raise or bonus it implies, or
# manager time. Pay-like costs add the employer's social fees.
COST_KINDS = ("sek", "manager_hours", "pay_raise_pct", "pay_raise_to", "bonus_shortfall")
ACTION_SCOPES = ("person", "team")  # who an action is done for: one person, or their whole team


@dataclasses.dataclass(frozen=True)
class FeatureSpec:
    """One feature: its lever family, unit, labels, monotone direction and what-if facts."""

    name: str
    lever: str
    unit: str
    label_en: str
    label_sv: str
    type: str = "numeric"  # numeric | categorical
    monotone: int = 0
    actionable: bool = False
    action: str | None = None  # the first what-if action that changes this feature
    confidential: bool = False  # an individual's survey answer: a model input, never shown
    # How the value moves each month when nothing happens (months since a raise: +1; months of ramp-up
    # left: -1, never below 0). The hazard model rolls these forward to speak of months ahead.
    per_month: float = 0.0
    # A part of the lever whose effect is measured on its own (workload: attainment apart from load);
    # None: the feature is measured with its lever as a whole.
    part: str | None = None
    # Another lever whose cause the feature reads as well (the manager team's past exits: leavers
    # judge the manager and sink the team's climate). It stays in its lever's reading and structural
    # term, but its lever's cause test counts only the lever's own signals and holds this one fixed
    # (explain/causal.py).
    also_reads: str | None = None
    # The feature's part bounds its actions' promise only, by the share of its effect on the months
    # that holds with the manager's 12-month mean of this feature over their other reports held fixed
    # (where the training extract names the managers): a manager's habit travels with the manager's
    # other qualities, and within one manager the person's own value varies by the month's chance,
    # which is what an action on it changes (explain/causal.py).
    within_manager: bool = False

    @property
    def group(self) -> str:
        """What the feature's effect is measured with: its part where it has one, else its lever."""
        return self.part or self.lever

    def label(self, lang: str) -> str:
        """The feature's label in `lang` (English where no Swedish label is given)."""
        return self.label_sv if lang == "sv" else self.label_en


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    """One what-if action: the lever it pulls, the features it changes and what it costs."""

    name: str
    lever: str
    text_en: str
    text_sv: str
    changes: tuple[tuple[str, str, float | str], ...]  # (feature, kind, value)
    # Where the action applies at all, e.g. a raise to the peer median only below it:
    # (feature, kind, value) with kind in CONDITION_KINDS; every condition must hold.
    applies_when: tuple[tuple[str, str, float | tuple], ...] = ()
    # What it costs a year: (kind, value) with kind in COST_KINDS; the parts add up.
    cost: tuple[tuple[str, float | str], ...] = ()
    # "person": done for one person; "team": done once for a whole team, which every member feels
    # (a plan buys it per team, priced as the cost per member times the members).
    scope: str = "person"

    def text(self, lang: str) -> str:
        """The action's words in `lang`."""
        return self.text_sv if lang == "sv" else self.text_en


@dataclasses.dataclass(frozen=True)
class Catalog:
    """Every feature and action the model knows, as read and checked from a catalog file."""

    features: tuple[FeatureSpec, ...]
    actions: tuple[ActionSpec, ...]
    raw: dict[str, Any] = dataclasses.field(compare=False, repr=False, default_factory=dict)
    notes: tuple[str, ...] = dataclasses.field(compare=False, default=())  # said once when loaded

    @property
    def names(self) -> list[str]:
        """Feature names in catalog order (the model's column order)."""
        return [f.name for f in self.features]

    @property
    def categorical(self) -> list[str]:
        """Names of the categorical features."""
        return [f.name for f in self.features if f.type == "categorical"]

    @functools.cached_property
    def _by_name(self) -> dict[str, FeatureSpec]:
        return {spec.name: spec for spec in self.features}

    def feature(self, name: str) -> FeatureSpec:
        """The spec of one feature by name."""
        return self._by_name[name]

    def lever_of(self) -> dict[str, str]:
        """Feature name -> lever family."""
        return {f.name: f.lever for f in self.features}

    def parts(self) -> dict[str, str]:
        """Part name -> the lever it is a part of, in catalog order."""
        return {f.part: f.lever for f in self.features if f.part}

    def to_yaml(self) -> str:
        """The catalog as written into a model folder."""
        return yaml.safe_dump(self.raw, sort_keys=False, allow_unicode=True)


def default_catalog_path() -> Path:
    """The catalog shipped with the package."""
    return Path(str(resources.files("flightrisk.features") / "catalog.yaml"))


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and check a catalog file (the packaged HRIS catalog when `path` is None)."""
    path = Path(path) if path is not None else default_catalog_path()
    if not path.is_file():
        raise InputError(f"{path}: catalog not found")
    return catalog_from_dict(read_yaml(path), str(path))


def _action_cost(name: str, raw: Any, changes: dict) -> tuple[tuple, list[str]]:
    """An action's `cost` mapping, checked: known kinds, positive numbers, pay features it changes."""
    if raw is None:
        return (), []
    if not isinstance(raw, dict) or not raw:
        return (), [f"action '{name}': cost must be a mapping of {list(COST_KINDS)} to values"]
    parts, problems = [], []
    for kind, value in raw.items():
        if kind not in COST_KINDS:
            problems.append(f"action '{name}': unknown cost '{kind}'; use one of {list(COST_KINDS)}")
        elif kind in ("pay_raise_to", "bonus_shortfall"):
            # The raise (or extra bonus) is read off the change the action makes to this ratio.
            if value not in changes:
                problems.append(
                    f"action '{name}': cost {kind} names '{value}', which the action does not change"
                )
            else:
                parts.append((kind, str(value)))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"action '{name}': cost {kind} must be a positive number, got {value!r}")
        else:
            parts.append((kind, float(value)))
    return tuple(parts), problems


def catalog_from_dict(raw: Any, source: str) -> Catalog:
    """A checked `Catalog` from parsed YAML; every problem is listed at once (exit 2)."""
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("features"), dict) or not raw["features"]:
        raise InputError(f"{source}: a catalog needs a 'features' mapping of feature name to its description")
    actions_raw = raw.get("actions") or {}
    if not isinstance(actions_raw, dict):
        raise InputError(f"{source}: 'actions' must be a mapping of action name to its description")
    actions = [_action(name, entry or {}, raw["features"], problems) for name, entry in actions_raw.items()]
    touched: dict[str, str] = {}  # feature -> the first action that changes it
    for action in actions:
        for feature, kind, _ in action.changes:
            # A rank that moves with another change is a consequence, not something the action sets.
            if kind != "rank_with":
                touched.setdefault(feature, action.name)
    features = []
    for name, entry in raw["features"].items():
        if isinstance(entry or {}, dict):
            features.append(_feature(name, entry or {}, touched, problems))
        else:
            problems.append(f"feature '{name}': expected a mapping of its properties")
    problems += _part_problems(features)
    if problems:
        raise InputError(f"{source}: the catalog has {len(problems)} problem(s):", problems)
    english_only = [name for name, entry in raw["features"].items() if not (entry or {}).get("label_sv")]
    notes = ()
    if english_only:
        notes = (
            f"{source}: {len(english_only)} feature(s) have no label_sv ({', '.join(english_only[:5])}"
            f"{', …' if len(english_only) > 5 else ''}); Swedish pages show their English label",
        )
    untranslated = [name for name, entry in actions_raw.items() if not (entry or {}).get("text_sv")]
    if untranslated:
        notes += (
            f"{source}: {len(untranslated)} action(s) have no text_sv ({', '.join(untranslated[:5])}"
            f"{', …' if len(untranslated) > 5 else ''}); Swedish pages show their English text",
        )
    return Catalog(tuple(features), tuple(actions), raw=raw, notes=notes)


def _action(name: str, entry: dict, features: dict, problems: list[str]) -> ActionSpec:
    """One action from the catalog; what is wrong with it is added to `problems`."""
    lever = entry.get("lever")
    if lever not in LEVERS:
        problems.append(f"action '{name}': lever must be one of {list(LEVERS)}, got {lever!r}")
    changes = _action_changes(name, entry.get("changes") or {}, features, problems)
    if not changes:
        problems.append(f"action '{name}' changes no feature")
    conditions = _action_conditions(name, entry.get("applies_when") or {}, features, problems)
    if not entry.get("text_en"):
        problems.append(f"action '{name}' needs 'text_en'")
    cost, cost_problems = _action_cost(name, entry.get("cost"), entry.get("changes") or {})
    problems += cost_problems
    scope = entry.get("scope", "person")
    if scope not in ACTION_SCOPES:
        problems.append(f"action '{name}': scope must be one of {list(ACTION_SCOPES)}, got {scope!r}")
    return ActionSpec(
        name,
        str(lever),
        str(entry.get("text_en", "")),
        str(entry.get("text_sv") or entry.get("text_en", "")),  # English where none is given
        tuple(changes),
        tuple(conditions),
        cost,
        str(scope),
    )


def _action_changes(name: str, declared: dict, features: dict, problems: list[str]) -> list[tuple]:
    """(feature, kind, value) for each change an action makes."""
    changes = []
    for feature, change in declared.items():
        if feature not in features:
            problems.append(f"action '{name}' changes unknown feature '{feature}'")
            continue
        if not isinstance(change, dict) or len(change) != 1 or next(iter(change)) not in CHANGE_KINDS:
            problems.append(
                f"action '{name}': change of '{feature}' must be one of {list(CHANGE_KINDS)} with a number"
            )
            continue
        kind, value = next(iter(change.items()))
        categorical = (features[feature] or {}).get("type") == "categorical"
        if kind in FOLLOWING_CHANGES:
            # Moves with another changed feature. scale_with: a raise that lifts pay against peers by a
            # factor lifts pay against newer hires by the same factor. against_growth_of: a ratio over a
            # quantity whose growth (in %) the action changes, as attainment is bookings over a quota.
            # rank_with: a peer rank that moves as the changed feature's percentile moves.
            if value not in declared:
                problems.append(
                    f"action '{name}': '{feature}' follows '{value}', which the action does not change"
                )
            elif kind == "rank_with" and "categorical" in (
                (features[value] or {}).get("type"),
                (features[feature] or {}).get("type"),
            ):
                problems.append(
                    f"action '{name}': '{feature}' can rank with '{value}' only if both are numbers"
                )
            changes.append((feature, kind, str(value)))
        elif categorical and kind == "set" and isinstance(value, str):
            changes.append((feature, kind, value))  # e.g. OverTime: set "No"
        else:
            try:
                changes.append((feature, kind, float(value)))
            except (TypeError, ValueError):
                problems.append(f"action '{name}': change of '{feature}' needs a number, got {value!r}")
    return changes


def _action_conditions(name: str, declared: dict, features: dict, problems: list[str]) -> list[tuple]:
    """(feature, kind, value) for each condition under which an action applies."""
    conditions = []
    for feature, condition in declared.items():
        if feature not in features:
            problems.append(f"action '{name}': applies_when names unknown feature '{feature}'")
            continue
        if (
            not isinstance(condition, dict)
            or len(condition) != 1
            or next(iter(condition)) not in CONDITION_KINDS
        ):
            problems.append(
                f"action '{name}': applies_when of '{feature}' must be one of {list(CONDITION_KINDS)}"
            )
            continue
        kind, value = next(iter(condition.items()))
        conditions.append((feature, kind, tuple(value) if kind == "not_in" else float(value)))
    return conditions


def _part_problems(features: list[FeatureSpec]) -> list[str]:
    """What is wrong with the features' parts: a part named as a lever, or shared by two levers."""
    problems, lever_of_part = [], {}
    for spec in features:
        if spec.part is None:
            continue
        if spec.part in LEVER_FAMILIES:
            problems.append(f"feature '{spec.name}': part {spec.part!r} is a lever's name; name the part")
        elif lever_of_part.setdefault(spec.part, spec.lever) != spec.lever:
            problems.append(
                f"feature '{spec.name}': part {spec.part!r} belongs to lever "
                f"{lever_of_part[spec.part]!r}, not {spec.lever!r}; a part is of one lever"
            )
    return problems


def _feature(name: str, entry: dict, touched: dict[str, str], problems: list[str]) -> FeatureSpec:
    """One feature from the catalog; what is wrong with it is added to `problems`."""
    lever = entry.get("lever")
    if lever not in LEVER_FAMILIES:
        problems.append(f"feature '{name}': lever must be one of {list(LEVER_FAMILIES)}, got {lever!r}")
    kind = entry.get("type", "numeric")
    if kind not in ("numeric", "categorical"):
        problems.append(f"feature '{name}': type must be numeric or categorical, got {kind!r}")
    monotone = entry.get("monotone", 0)
    if monotone not in (-1, 0, 1) or (kind == "categorical" and monotone != 0):
        problems.append(
            f"feature '{name}': monotone must be -1, 0 or 1 (0 for categorical), got {monotone!r}"
        )
    for key in ("label_en", "unit"):
        if not entry.get(key):
            problems.append(f"feature '{name}' needs '{key}'")
    if entry.get("unit") and entry.get("unit") not in UNITS:
        problems.append(f"feature '{name}': unit {entry.get('unit')!r} is not one of {list(UNITS)}")
    actionable = bool(entry.get("actionable", name in touched))
    per_month = entry.get("per_month", 0)
    if (
        isinstance(per_month, bool)
        or not isinstance(per_month, int | float)
        or (kind != "numeric" and per_month)
    ):
        problems.append(
            f"feature '{name}': per_month must be a number (numeric features only), got {per_month!r}"
        )
        per_month = 0
    if lever == "context" and (actionable or name in touched):
        problems.append(f"feature '{name}' is context: it cannot be actionable or changed by an action")
    part = entry.get("part")
    if part is not None and lever == "context":
        problems.append(f"feature '{name}' is context: it has no lever to be a part of; remove 'part'")
        part = None
    elif part is not None and (not isinstance(part, str) or not part.isidentifier()):
        problems.append(f"feature '{name}': part must be a plain name (letters, digits, _), got {part!r}")
        part = None
    also_reads = entry.get("also_reads")
    if also_reads is not None and lever == "context":
        problems.append(f"feature '{name}' is context: no lever's cause test counts it; remove 'also_reads'")
        also_reads = None
    elif also_reads is not None and (also_reads not in LEVERS or also_reads == lever):
        problems.append(
            f"feature '{name}': also_reads must name another lever, one of "
            f"{[other for other in LEVERS if other != lever]}, got {also_reads!r}"
        )
        also_reads = None
    if also_reads is not None and part is not None:
        problems.append(f"feature '{name}': a feature that also reads {also_reads!r} cannot be in a part")
        part = None
    within_manager = entry.get("within_manager", False)
    if not isinstance(within_manager, bool):
        problems.append(f"feature '{name}': within_manager must be true or false, got {within_manager!r}")
        within_manager = False
    if within_manager and part is None:
        problems.append(
            f"feature '{name}': within_manager holds the manager fixed in a part's test; name the part"
        )
        within_manager = False
    return FeatureSpec(
        name=name,
        lever=str(lever),
        unit=str(entry.get("unit", "")),
        label_en=str(entry.get("label_en", "")),
        label_sv=str(entry.get("label_sv") or entry.get("label_en", "")),  # English where none is given
        type=kind,
        monotone=int(monotone) if monotone in (-1, 0, 1) else 0,
        actionable=actionable,
        action=touched.get(name),
        confidential=bool(entry.get("confidential", False)),
        per_month=float(per_month),
        part=part,
        also_reads=also_reads,
        within_manager=within_manager,
    )
