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
from flightrisk.io import read_yaml

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

    id_column: str | None  # None: the table has no id; people are numbered by row (ROW_ID)
    label_column: str
    positive: str
    negative: str
    protected: tuple[str, ...]
    ignore: tuple[str, ...]
    derived: dict[str, dict]
    allow: dict[str, str] = dataclasses.field(default_factory=dict)  # column -> why it may be a feature


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
    problems = [f"table.{key} is required" for key in ("label", "positive", "negative") if key not in table]
    derived = raw.get("derived") or {}
    allow = table.get("allow") or {}
    if not isinstance(allow, dict) or any(not str(v or "").strip() for v in allow.values()):
        problems.append(
            "table.allow maps a column to the reason it may be a feature, e.g. {Seniority: 'tenure band, not age'}"
        )
        allow = {}
    for name, rule in derived.items():
        if not isinstance(rule, dict) or not (set(rule) & set(DERIVE_KINDS)):
            problems.append(f"derived '{name}': give one of {list(DERIVE_KINDS)}")
    if problems:
        raise InputError(f"{source}: the catalog has {len(problems)} problem(s):", problems)
    spec = TableSpec(
        id_column=str(table["id"]) if table.get("id") is not None else None,
        label_column=str(table["label"]),
        positive=str(table["positive"]),
        negative=str(table["negative"]),
        protected=tuple(str(c) for c in table.get("protected") or ()),
        ignore=tuple(str(c) for c in table.get("ignore") or ()),
        derived={str(k): dict(v) for k, v in derived.items()},
        allow={str(k): str(v) for k, v in allow.items()},
    )
    catalog = catalog_from_dict(
        {"features": raw.get("features"), "actions": raw.get("actions") or {}}, source
    )
    return FlatCatalog(spec, catalog, raw)


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


def check_against_table(flat: FlatCatalog, frame: pd.DataFrame, source: str) -> None:
    """Every way a catalog can fail to fit its table, reported together."""
    spec, columns = flat.table, set(frame.columns)
    problems: list[str] = []
    if frame.empty:
        raise InputError(f"{source}: the table has a header but no rows; export the data rows too")
    problems.extend(_protected_problems(flat, frame))
    for role, column in (("id", spec.id_column), ("label", spec.label_column)):
        if column is not None and column not in columns:
            problems.append(f"table.{role} column '{column}' is not in the table")
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
    if spec.id_column in columns and frame[spec.id_column].duplicated().any():
        dupes = frame.loc[frame[spec.id_column].duplicated(), spec.id_column].head(3).tolist()
        problems.append(f"id column '{spec.id_column}' repeats values, e.g. {dupes}: one row per person")
    for name in flat.catalog.names:
        if name in spec.protected:
            problems.append(f"'{name}' is protected (fairness checks only) and cannot be a feature")
        if name in (spec.id_column, spec.label_column):
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
    accounted = {spec.id_column, spec.label_column, *spec.protected, *spec.ignore, *flat.catalog.names}
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
            numeric = pd.to_numeric(values, errors="coerce")
            bad = values.notna() & numeric.isna()
            if bad.any():
                rows = (frame.index[bad] + 1).tolist()[:5]
                problems.append(
                    f"numeric feature '{feature.name}' has non-numbers in rows {rows} "
                    f"(e.g. {values[bad].head(2).tolist()}); declare it type: categorical or fix the values"
                )
    if problems:
        raise InputError(
            f"{source}: the catalog does not fit the table ({len(problems)} problem(s)):", problems
        )
