"""The catalog of a flat table: which column is the id, the label and its values, which columns are
protected (fairness checks only) or ignored, derived features, and every feature's lever and labels.

A catalog that does not fit its table is rejected with every problem listed; nothing is written.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from flightrisk.errors import InputError
from flightrisk.features.catalog import Catalog, catalog_from_dict
from flightrisk.io import NUMBER_HINTS, read_yaml, to_numbers

DERIVE_KINDS = ("ratio_to_group_median", "ratio", "difference")


class _StrictLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice (PyYAML would silently keep the last)."""


def _no_duplicates(loader, node, deep=False):
    seen, pairs = set(), []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InputError(f"'{key}' is listed twice (line {key_node.start_mark.line + 1}); keep one entry")
        seen.add(key)
        pairs.append((key, loader.construct_object(value_node, deep=deep)))
    return dict(pairs)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """The flat table's id, label (and its positive/negative values), protected, ignored and derived columns."""

    id_columns: tuple[str, ...]  # () : no id, people are numbered by row (ROW_ID); 2+: a composite id
    label_column: str
    positive: str
    negative: str
    protected: tuple[str, ...]
    ignore: tuple[str, ...]
    derived: dict[str, dict]
    allow: dict[str, str] = dataclasses.field(default_factory=dict)  # column -> why it may be a feature
    # column -> why it may predict the label this well (the leakage check refuses it otherwise)
    strong_predictors: dict[str, str] = dataclasses.field(default_factory=dict)
    # A table in survival form: the months each person was observed (until they left or the data were
    # taken), the label column then being the event flag; never a feature (docs/flat_tables.md).
    duration_column: str | None = None
    horizons: tuple[int, ...] = ()  # the months ahead a survival model gives risks for

    @classmethod
    def from_dict(cls, data: dict) -> TableSpec:
        """As stored in a model's profile (models from before composite ids stored `id_column`)."""
        data = dict(data)
        if "id_column" in data:
            legacy = data.pop("id_column")
            data["id_columns"] = () if legacy is None else (legacy,)
        for key in ("id_columns", "protected", "ignore", "horizons"):
            data[key] = tuple(data.get(key) or ())
        return cls(**data)

    @property
    def survival(self) -> bool:
        """Whether the table is in survival form (duration and event instead of a label)."""
        return self.duration_column is not None

    @property
    def id_name(self) -> str | None:
        """How the id is described in messages: one column, columns joined, or None (row numbers)."""
        return ID_JOIN.join(self.id_columns) or None


@dataclasses.dataclass(frozen=True)
class FlatCatalog:
    """A flat table's catalog: the table spec and the feature catalog built from it."""

    table: TableSpec
    catalog: Catalog
    raw: dict

    def base_features(self) -> list[str]:
        """Features read straight from a column (not derived)."""
        return [n for n in self.catalog.names if n not in self.table.derived]


ROW_ID = "row-{}"  # the id of the n-th data row (from 1) of a table without an id column
ID_JOIN = ":"  # a composite id's parts are joined with this: site STO and number 1042 -> "STO:1042"
NO_ID_NOTE = (
    "the catalog names no id column (table.id): people are numbered by their row in the file "
    "(row-1, row-2, …); score and report the same file in the same order, or add an id column"
)


def load_flat_catalog(path: Path) -> FlatCatalog:
    """Read and check a flat-table catalog file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: catalog not found")
    try:
        raw = read_yaml(path, loader=_StrictLoader)
    except InputError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    return flat_catalog_from_dict(raw, str(path))


def flat_catalog_from_dict(raw: Any, source: str) -> FlatCatalog:
    """A checked `FlatCatalog` from parsed YAML (exit 2 with every problem)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("table"), dict):
        raise InputError(
            f"{source}: a flat-table catalog needs a 'table' section (id, label, positive, negative)"
        )
    table = raw["table"]
    survival = "duration" in table or "event" in table
    outcome = ("duration", "event") if survival else ("label",)
    problems = [f"table.{key} is required" for key in (*outcome, "positive", "negative") if key not in table]
    if survival and "label" in table:
        problems.append(
            "table.label and table.duration/event are two forms of one outcome: give a label (left or "
            "stayed), or duration (months observed) with event (left or not), not both"
        )
    horizons = _horizons(table, survival, problems)
    derived = raw.get("derived") or {}
    allow = _reasons(table, "allow", "{Seniority: 'tenure band, not age'}", problems)
    strong = _reasons(
        table, "strong_predictors", "{contract_end: 'fixed at hiring, known in advance'}", problems
    )
    id_columns = _id_columns(table.get("id"), problems)
    for name, rule in derived.items():
        if not isinstance(rule, dict) or not (set(rule) & set(DERIVE_KINDS)):
            problems.append(f"derived '{name}': give one of {list(DERIVE_KINDS)}")
    if problems:
        raise InputError(f"{source}: the catalog has {len(problems)} problem(s):", problems)
    spec = TableSpec(
        id_columns=id_columns,
        label_column=str(table["event"] if survival else table["label"]),
        positive=str(table["positive"]),
        negative=str(table["negative"]),
        protected=tuple(str(c) for c in table.get("protected") or ()),
        ignore=tuple(str(c) for c in table.get("ignore") or ()),
        derived={str(k): dict(v) for k, v in derived.items()},
        allow=allow,
        strong_predictors=strong,
        duration_column=str(table["duration"]) if survival else None,
        horizons=horizons,
    )
    catalog = catalog_from_dict(
        {"features": raw.get("features"), "actions": raw.get("actions") or {}}, source
    )
    return FlatCatalog(spec, catalog, raw)


DEFAULT_HORIZONS = (3, 6, 12)


def _horizons(table: dict, survival: bool, problems: list[str]) -> tuple[int, ...]:
    """`horizons: [3, 6, 12]` (months, rising): only a table in survival form has them."""
    if "horizons" not in table:
        return DEFAULT_HORIZONS if survival else ()
    given = table["horizons"]
    if not survival:
        problems.append("table.horizons needs a table in survival form (table.duration and table.event)")
        return ()
    ok = (
        isinstance(given, list)
        and given
        and all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 120 for h in given)
        and given == sorted(set(given))
    )
    if not ok:
        problems.append("table.horizons lists whole months from 1 to 120, rising, e.g. [3, 6, 12]")
        return ()
    return tuple(given)


def _reasons(table: dict, key: str, example: str, problems: list[str]) -> dict[str, str]:
    """A `column: reason` section of `table:`; every column needs a reason in words."""
    given = table.get(key) or {}
    if not isinstance(given, dict) or any(not str(v or "").strip() for v in given.values()):
        problems.append(f"table.{key} maps a column to the reason, e.g. {example}")
        return {}
    return {str(k): str(v) for k, v in given.items()}


def _id_columns(given: Any, problems: list[str]) -> tuple[str, ...]:
    """`id: column`, `id: [column, column]` (a composite id), or no id at all."""
    if given is None:
        return ()
    columns = tuple(str(c) for c in given) if isinstance(given, list) else (str(given),)
    if not columns or len(set(columns)) < len(columns):
        problems.append(
            "table.id is one column or a list of distinct columns that together identify a person"
        )
    return columns


def derived_inputs(rule: dict) -> list[str]:
    """The table columns a derived feature's rule reads."""
    if "ratio_to_group_median" in rule:
        return [rule["ratio_to_group_median"], *rule.get("by", [])]
    for kind in ("ratio", "difference"):
        if kind in rule:
            return list(rule[kind])
    return []


# Words that mark a protected attribute in a column name (split at capitals, digits and '_').
_PROTECTED_WORDS = {
    "gender",
    "sex",
    "age",
    "birth",
    "birthday",
    "birthdate",
    "birthyear",
    "dob",
    "born",
    "ethnic",
    "ethnicity",
    "race",
    "racial",
    "nationality",
    "marital",
    "married",
    "religion",
    "religious",
    "kon",
    "alder",
    "civilstand",
    "fodelsear",
}
_GENDER_VALUES = {"male", "female", "m", "f", "man", "woman", "men", "women", "kvinna", "non-binary", "other"}
_MARITAL_VALUES = {"single", "married", "divorced", "widowed", "separated", "ogift", "gift", "skild"}


def _name_words(column: str) -> set[str]:
    import unicodedata

    plain = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode()
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", plain)}


def looks_protected(column: str, values: pd.Series) -> str | None:
    """Why a column looks like gender, age, ethnicity or marital status, or None."""
    words = _name_words(column) & _PROTECTED_WORDS
    if words:
        return f"its name says {sorted(words)[0]!r}"
    distinct = {str(v).strip().lower() for v in values.dropna().unique()[:50]}
    if 2 <= len(distinct) <= 4 and distinct <= _GENDER_VALUES:
        return f"its values {sorted(distinct)} look like gender"
    if (
        2 <= len(distinct) <= 6
        and len(distinct & _MARITAL_VALUES) >= 2
        and distinct <= _MARITAL_VALUES | {"unknown"}
    ):
        return f"its values {sorted(distinct)} look like marital status"
    return None


def _protected_problems(flat: FlatCatalog, frame: pd.DataFrame) -> list[str]:
    spec = flat.table
    used = [n for n in flat.catalog.names if n not in spec.derived]
    for rule in spec.derived.values():
        used.extend(derived_inputs(rule))
    problems = []
    for column in dict.fromkeys(used):
        if column in spec.protected or column in spec.allow or column not in frame.columns:
            continue
        why = looks_protected(column, frame[column])
        if why:
            problems.append(
                f"column '{column}' looks like a protected attribute ({why}): declare it under table.protected "
                "(fairness checks only), or under table.allow with the reason it may be a feature"
            )
    return problems


def _id_problems(spec: TableSpec, frame: pd.DataFrame) -> list[str]:
    """Missing or repeated ids; a repeated single id suggests the columns of a composite one."""
    if not spec.id_columns or not set(spec.id_columns) <= set(frame.columns):
        return []
    ids = id_values(spec, frame)
    problems = []
    if ids.isna().any():
        rows = (frame.index[ids.isna()] + 1).tolist()[:5]
        problems.append(
            f"id column(s) {list(spec.id_columns)} are empty in rows {rows}: every person needs an id"
        )
    repeated = ids.duplicated(keep=False) & ids.notna()
    if repeated.any():
        first = ids[repeated].iloc[0]
        rows = (frame.index[ids == first] + 1).tolist()[:5]
        problems.append(
            f"id {spec.id_name!r} repeats values, e.g. {first!r} in rows {rows}: one row per person. If people "
            "are told apart by several columns (site and number), give them all: id: [site, number]; "
            "without any id column, leave table.id out and people are numbered by row"
        )
    return problems


def id_values(spec: TableSpec, table: pd.DataFrame) -> pd.Series:
    """Each row's id as text: one column, the parts of a composite id joined, or the row number."""
    if not spec.id_columns:
        return pd.Series([ROW_ID.format(i) for i in range(1, len(table) + 1)], index=table.index)
    parts = [table[c].astype("string") for c in spec.id_columns]
    ids = parts[0]
    for part in parts[1:]:
        ids = ids + ID_JOIN + part  # an empty part leaves the whole id empty (refused above)
    return ids.astype(object).where(ids.notna(), None)


TIME_AXIS = "months_observed"  # the survival model's own time axis: months since observation began


def _duration_problems(flat: FlatCatalog, frame: pd.DataFrame) -> list[str]:
    """The duration column: present, a number of months ≥ 0 in every row, and never a feature."""
    spec, column = flat.table, flat.table.duration_column
    problems = []
    if column in flat.catalog.names:
        problems.append(
            f"'{column}' is the duration (table.duration): it is known only once the outcome is, so it "
            "cannot be a feature; the survival model uses it as its time axis"
        )
    if TIME_AXIS in flat.catalog.names:
        problems.append(f"'{TIME_AXIS}' is the survival model's own time axis; rename that feature")
    if column not in frame.columns:
        return [*problems, f"table.duration column '{column}' is not in the table"]
    numbers, bad, reason = to_numbers(frame[column], frame.attrs.get("decimal", "."))
    if bad.any():
        rows = (frame.index[bad] + 1).tolist()[:5]
        problems.append(f"duration column '{column}' {reason} in rows {rows}; give the months observed")
    empty = numbers.isna() & ~bad
    if empty.any():
        rows = (frame.index[empty] + 1).tolist()[:5]
        problems.append(
            f"duration column '{column}' is empty in rows {rows}: every person needs the months observed"
        )
    negative = numbers < 0
    if negative.any():
        rows = (frame.index[negative] + 1).tolist()[:5]
        problems.append(
            f"duration column '{column}' is below 0 in rows {rows}: months observed cannot be negative"
        )
    if spec.horizons and numbers.notna().any() and numbers.max() < spec.horizons[0]:
        problems.append(
            f"nobody is observed for {spec.horizons[0]} months (longest: {numbers.max():g}): "
            "the horizons cannot be learned; lower table.horizons"
        )
    return problems


def check_against_table(flat: FlatCatalog, frame: pd.DataFrame, source: str) -> None:
    """Every way a catalog can fail to fit its table, reported together."""
    spec, columns = flat.table, set(frame.columns)
    problems: list[str] = []
    if frame.empty:
        raise InputError(f"{source}: the table has a header but no rows; export the data rows too")
    problems.extend(_protected_problems(flat, frame))
    outcome_role = "event" if spec.survival else "label"
    for role, column in (*(("id", c) for c in spec.id_columns), (outcome_role, spec.label_column)):
        if column not in columns:
            problems.append(f"table.{role} column '{column}' is not in the table")
    if spec.survival:
        problems.extend(_duration_problems(flat, frame))
    if spec.label_column in columns:
        values = set(frame[spec.label_column].dropna().astype(str).unique())
        other = sorted(values - {spec.positive, spec.negative})
        if other:
            problems.append(
                f"label column '{spec.label_column}' has values {other} besides '{spec.positive}' (left) and "
                f"'{spec.negative}' (stayed)"
            )
        if frame[spec.label_column].isna().any():
            rows = (frame.index[frame[spec.label_column].isna()] + 1).tolist()[:5]
            problems.append(f"label column '{spec.label_column}' is empty in rows {rows}")
    problems.extend(_id_problems(spec, frame))
    for name in flat.catalog.names:
        if name in spec.protected:
            problems.append(f"'{name}' is protected (fairness checks only) and cannot be a feature")
        if name in (*spec.id_columns, spec.label_column):
            problems.append(f"'{name}' is the id or the label and cannot be a feature")
        if name in spec.derived:
            missing = [c for c in derived_inputs(spec.derived[name]) if c not in columns]
            if missing:
                problems.append(
                    f"derived feature '{name}' uses column(s) {missing} that are not in the table"
                )
        elif name not in columns:
            problems.append(f"feature '{name}' is not a column of the table (nor a derived feature)")
    for name in spec.derived:
        if name not in flat.catalog.names:
            problems.append(f"derived '{name}' has no entry under 'features' (lever, labels, ...)")
    for column in (*spec.protected, *spec.ignore):
        if column not in columns:
            problems.append(f"'{column}' (protected/ignore) is not a column of the table")
    accounted = {*spec.id_columns, spec.label_column, *spec.protected, *spec.ignore, *flat.catalog.names}
    if spec.survival:
        accounted.add(spec.duration_column)
    for name in spec.derived.values():
        accounted.update(derived_inputs(name))
    unlisted = sorted(columns - accounted)
    if unlisted:
        problems.append(
            f"column(s) {unlisted} are not in the catalog: list them as features or under table.ignore"
        )
    for feature in flat.catalog.features:
        if feature.name in columns and frame[feature.name].isna().all():
            problems.append(
                f"feature '{feature.name}' is empty in every row: nothing can be learned from it; "
                "fill it in the export or move it under table.ignore"
            )
            continue
        if feature.type == "numeric" and feature.name in columns:
            values = frame[feature.name]
            # The one number rule of every reader (a `;` file's decimal commas are numbers here too).
            _, bad, reason = to_numbers(values, frame.attrs.get("decimal", "."))
            if bad.any():
                rows = (frame.index[bad] + 1).tolist()[:5]
                advice = NUMBER_HINTS.get(
                    reason, "fix the values, or declare it type: categorical if it is not a quantity"
                )
                problems.append(
                    f"numeric feature '{feature.name}' {reason} in rows {rows} "
                    f"(e.g. {values[bad].head(2).tolist()}); {advice}"
                )
    if problems:
        raise InputError(
            f"{source}: the catalog does not fit the table ({len(problems)} problem(s)):", problems
        )
