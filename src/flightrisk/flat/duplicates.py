"""Exact and near copies among a flat table's rows, and the groups that keep them in one fold.

Copies inflate every cross-validated figure: a row whose twin sits in the training folds is in
effect predicted from itself (on the public turnover table default LightGBM reads 0.72 ROC-AUC with
random folds and 0.66 with copies kept together). Two rows are *exact copies* when every feature
value is equal, *near copies* when all but one are (a re-entered row with a corrected date, the same
person exported twice with a new score) and the values they share are rare enough together that
two different people would not be expected to share them by chance. Values are compared as read;
two empty cells are equal.
Groups are the connected pieces of "is a copy of", so a chain of near copies stays in one fold.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# With fewer features, rows of different people agree on all but one value too easily to call them copies.
MIN_FEATURES_FOR_NEAR = 5
EXAMPLES = 3


@dataclasses.dataclass(frozen=True)
class Duplicates:
    """Which rows copy which: a group number per row, and counts for messages and metadata."""

    groups: np.ndarray  # one group number per row; rows of a group are copies (exact or near)
    exact_rows: int  # rows whose every feature equals another row's
    near_rows: int  # further rows that equal another row in all features but one
    conflicting_groups: int  # groups of exact copies in which both labels occur
    examples: tuple[tuple[int, ...], ...]  # row numbers (from 1) of the first few groups
    near_checked: bool  # False when the table has too few features to call near copies

    @property
    def any(self) -> bool:
        """Whether any row copies another."""
        return self.exact_rows + self.near_rows > 0

    def summary(self) -> dict:
        """As recorded in a model's metadata and the benchmark's output."""
        return {
            "exact_copy_rows": self.exact_rows,
            "near_copy_rows": self.near_rows,
            "groups_of_copies": int((np.bincount(self.groups) > 1).sum()),
            "exact_copies_with_both_labels": self.conflicting_groups,
            "example_rows": [list(rows) for rows in self.examples],
            "near_copies_checked": self.near_checked,
        }

    def message(
        self, folds: str = "Folds keep each group of copies together (--group-by none to compare)."
    ) -> str:
        """One sentence for the console: how many copies, an example, and what the folds do about it."""
        if not self.any:
            return "No copied rows: every row's features differ from every other row's in two values or more."
        parts = [f"{self.exact_rows} row(s) are exact copies of another row's features"]
        if self.near_checked:
            parts.append(f"{self.near_rows} more are near copies (all features equal but one)")
        example = ", ".join(str(r) for r in self.examples[0]) if self.examples else ""
        text = "; ".join(parts) + (f" (e.g. rows {example})" if example else "")
        if self.conflicting_groups:
            text += f"; {self.conflicting_groups} group(s) of exact copies have both outcomes"
        return f"{text}. {folds}"


def find_duplicates(features: pd.DataFrame, labels: np.ndarray | None = None) -> Duplicates:
    """Exact and near copies among the rows of a table of feature values (one column per feature);
    with labels, also how many groups of exact copies do not share one outcome."""
    n = len(features)
    codes = _codes(features)
    exact_keys = _row_keys(codes)
    edges = [_edges_within(exact_keys)]
    near_checked = codes.shape[1] >= MIN_FEATURES_FOR_NEAR
    if near_checked:
        # Rows equal in every column but column j share the key of the other columns, but only a key
        # that two different people would rarely share by chance says "copy" (see _distinctive).
        match = _chance_of_matching(codes)
        for j in range(codes.shape[1]):
            if _distinctive(np.delete(match, j), n):
                edges.append(_edges_within(_row_keys(np.delete(codes, j, axis=1))))
    pairs = np.concatenate(edges, axis=1) if edges else np.empty((2, 0), dtype=np.int64)
    graph = coo_matrix((np.ones(pairs.shape[1]), (pairs[0], pairs[1])), shape=(n, n))
    _, groups = connected_components(graph, directed=False)
    exact_sizes = np.bincount(exact_keys)
    in_exact = exact_sizes[exact_keys] > 1
    group_sizes = np.bincount(groups)
    in_group = group_sizes[groups] > 1
    examples = tuple(
        tuple(int(r) + 1 for r in np.flatnonzero(groups == g)[:5])
        for g in pd.unique(groups[in_group])[:EXAMPLES]
    )
    return Duplicates(
        groups=groups.astype(np.int64),
        exact_rows=int(in_exact.sum()),
        near_rows=int((in_group & ~in_exact).sum()),
        conflicting_groups=0 if labels is None else _groups_with_both_labels(exact_keys, labels),
        examples=examples,
        near_checked=near_checked,
    )


def _chance_of_matching(codes: np.ndarray) -> np.ndarray:
    """Per column, the chance that two different rows drawn at random have the same value."""
    n = len(codes)
    if n < 2:
        return np.zeros(codes.shape[1])
    return np.array([np.sum((c := np.bincount(column)) * (c - 1)) / (n * (n - 1)) for column in codes.T])


def _distinctive(match: np.ndarray, n: int) -> bool:
    """Whether fewer than one pair of n rows is expected to agree on these columns by chance.

    Treats the columns as independent, so on correlated columns it errs toward calling a key
    distinctive; with mostly low-cardinality columns (yes/no, a 1-4 score) it is not, and rows that
    agree on them are different people alike, not copies.
    """
    return n * (n - 1) / 2 * float(np.prod(match)) < 1.0


def _groups_with_both_labels(keys: np.ndarray, labels: np.ndarray) -> int:
    both = pd.Series(np.asarray(labels)).groupby(keys).nunique()
    return int((both > 1).sum())


def _codes(features: pd.DataFrame) -> np.ndarray:
    """Each column's values as integer codes (an empty cell is its own value, equal to other empties)."""
    if features.shape[1] == 0:
        return np.zeros((len(features), 0), dtype=np.int64)
    return np.column_stack(
        [pd.factorize(features[c], use_na_sentinel=False)[0] for c in features.columns]
    ).astype(np.int64)


def _row_keys(codes: np.ndarray) -> np.ndarray:
    """One key per row; equal rows get equal keys."""
    if codes.shape[1] == 0:
        return np.zeros(len(codes), dtype=np.int64)
    return np.unique(codes, axis=0, return_inverse=True)[1].reshape(-1)


def _edges_within(keys: np.ndarray) -> np.ndarray:
    """Pairs (2, m) linking each row to the next row with the same key: enough to connect a group."""
    order = np.argsort(keys, kind="stable")
    same = keys[order][1:] == keys[order][:-1]
    return np.vstack([order[:-1][same], order[1:][same]]).astype(np.int64)
