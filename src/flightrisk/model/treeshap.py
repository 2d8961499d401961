"""Exact path-dependent TreeSHAP for the LightGBM boosters the tool trains, compiled with numba.

Why: explanations are the whole cost of a monthly run, and LightGBM's `pred_contrib` (which is what
`shap.TreeExplainer` calls for LightGBM) walks every path of every tree for every row.

How: a leaf adds to the Shapley value of each feature on its path an amount that depends on a row only
through *which* of the path's distinct features the row agrees with (goes the leaf's way at every
split on that feature): a d-bit mask. With f(S) = v · Π_{u∈S} o_u · Π_{u∉S} z_u (o_u ∈ {0, 1}: the
row agrees; z_u: the share of training rows that reach the leaf's side, the product of cover ratios
of u's splits), the leaf's share of φ_i is

    Σ_{S ⊆ U∖{i}} |S|! (d − |S| − 1)! / d! · v · (o_i − z_i) · Π_{u∈S} o_u · Π_{u∉S∪{i}} z_u,

which is tabulated once per booster for all 2^d masks (the idea of FastTreeSHAP v2, Yang 2022). A
row then costs one comparison per split and one gather-add per leaf and path feature; rows are
processed in blocks so that one tree's tables stay in cache. The values equal `pred_contrib` up to
floating-point rounding (LightGBM's own missing-value and categorical rules are reproduced; checked
per model on first use and in the tests). Trees with a leaf deeper than `MAX_PATH_FEATURES` distinct
features fall back to `pred_contrib` for those trees.

The tables are read from LightGBM's text format (thresholds written exactly), never from a pickle.
The kernels live in treeshap_kernels.py, imported on first use (numba is not imported otherwise).
Numba caches its compiled code in NUMBA_CACHE_DIR (set it for read-only installs and Spark workers).
"""

from __future__ import annotations

import dataclasses
import math

import lightgbm as lgb
import numpy as np

MAX_PATH_FEATURES = 12  # 2^12 x 12 values per leaf at most (~400 KB)
BLOCK_ROWS = 512


@dataclasses.dataclass
class ShapTables:
    """A booster flattened for the kernel: nodes, leaf paths and per-leaf mask tables."""

    n_features: int
    tree_node_start: np.ndarray  # int64 (trees + 1): the trees' nodes in the flat node arrays
    node_feature: np.ndarray  # int64
    node_threshold: np.ndarray  # float64
    node_categorical: np.ndarray  # bool
    node_default_left: np.ndarray  # bool
    node_missing: np.ndarray  # int64: 0 none, 1 zero, 2 NaN
    node_cat_start: np.ndarray  # int64: the categorical bitset (uint32 words) of a node
    node_cat_end: np.ndarray
    cat_words: np.ndarray  # uint32
    # Per node: its children (>= 0 a node of the tree, < 0 the leaf ~child) and the bit of its feature
    # in every agreement mask below it: features are numbered in the order they first appear on the
    # path from the root, so a node's bit is the same for every leaf under it and the masks can be
    # built top-down, once per node instead of once per leaf and path step.
    node_left_child: np.ndarray  # int64
    node_right_child: np.ndarray  # int64
    node_bit: np.ndarray  # int64
    tree_leaf_start: np.ndarray  # int64 (trees + 1)
    leaf_feature_start: np.ndarray  # int64 (leaves + 1)
    leaf_features: np.ndarray  # int64
    leaf_table_start: np.ndarray  # int64 (leaves + 1)
    tables: np.ndarray  # float64
    expected_value: float
    fallback_trees: list[int]  # explained by pred_contrib (a path too deep to tabulate)
    seconds_to_build: float = 0.0

    @property
    def megabytes(self) -> float:
        """Memory held by the per-leaf tables."""
        return self.tables.nbytes / 1e6


def _trees_from_text(text: str) -> list[dict]:
    """The trees of a LightGBM text model as dicts of arrays (the format LightGBM itself writes)."""
    trees = []
    for block in text.split("\nTree=")[1:]:
        block = block.split("\nend of trees")[0]
        fields = {}
        for line in block.splitlines()[1:]:
            if "=" in line:
                key, _, value = line.partition("=")
                fields[key] = value
        if not fields:
            continue
        trees.append(fields)
    return trees


def _ints(fields: dict, key: str) -> np.ndarray:
    value = fields.get(key, "").strip()
    return np.array([int(v) for v in value.split()], dtype=np.int64) if value else np.zeros(0, dtype=np.int64)


def _floats(fields: dict, key: str) -> np.ndarray:
    value = fields.get(key, "").strip()
    return np.array([float(v) for v in value.split()], dtype=np.float64) if value else np.zeros(0)


def build_tables(booster: lgb.Booster) -> ShapTables:
    """Flatten a booster and tabulate every leaf (once per booster; ~1 s for the default model)."""
    import time

    started = time.perf_counter()
    n_features = booster.num_feature()
    trees = _trees_from_text(booster.model_to_string())
    node_arrays = {
        k: []
        for k in ("feature", "threshold", "categorical", "default_left", "missing", "left", "right", "bit")
    }
    cat_start, cat_end, cat_words = [], [], []
    tree_node_start, tree_leaf_start = [0], [0]
    leaf_feature_start, leaf_features = [0], []
    leaf_table_start, tables = [0], []
    expected, fallback = 0.0, []
    for t, fields in enumerate(trees):
        n_leaves = int(fields["num_leaves"])
        values = _floats(fields, "leaf_value")
        if n_leaves == 1:  # a stump: a constant, no feature gets anything
            expected += float(values[0])
            tree_node_start.append(tree_node_start[-1])
            tree_leaf_start.append(tree_leaf_start[-1])
            continue
        feature = _ints(fields, "split_feature")
        threshold = _floats(fields, "threshold")
        decision = _ints(fields, "decision_type")
        left, right = _ints(fields, "left_child"), _ints(fields, "right_child")
        leaf_count = _floats(fields, "leaf_count")
        internal_count = _floats(fields, "internal_count")
        boundaries = _ints(fields, "cat_boundaries")
        thresholds_cat = _ints(fields, "cat_threshold")
        n_nodes = len(feature)
        offset = len(cat_words)
        cat_words.extend(int(w) & 0xFFFFFFFF for w in thresholds_cat)
        for k in range(n_nodes):
            categorical = bool(decision[k] & 1)
            node_arrays["feature"].append(int(feature[k]))
            node_arrays["threshold"].append(float(threshold[k]))
            node_arrays["categorical"].append(categorical)
            node_arrays["default_left"].append(bool(decision[k] & 2))
            node_arrays["missing"].append(int((decision[k] >> 2) & 3))
            if categorical:
                index = int(threshold[k])
                cat_start.append(offset + int(boundaries[index]))
                cat_end.append(offset + int(boundaries[index + 1]))
            else:
                cat_start.append(0)
                cat_end.append(0)
        tree_node_start.append(tree_node_start[-1] + n_nodes)
        node_arrays["left"].extend(int(c) for c in left)
        node_arrays["right"].extend(int(c) for c in right)
        node_arrays["bit"].extend(_node_bits(feature, left, right))

        # Every leaf's path: (node, goes left?) from the root, with each node's cover ratio.
        paths: dict[int, list[tuple[int, bool, float]]] = {}
        stack = [(0, [])]
        while stack:
            node, path = stack.pop()
            for child, is_left in ((left[node], True), (right[node], False)):
                count = leaf_count[~child] if child < 0 else internal_count[child]
                step = path + [(node, is_left, count / internal_count[node])]
                if child < 0:
                    paths[int(~child)] = step
                else:
                    stack.append((int(child), step))
        tables_this_tree, too_deep = [], False
        for leaf in range(n_leaves):
            path = paths[leaf]
            distinct: list[int] = []
            for node, _, _ in path:
                if feature[node] not in distinct:
                    distinct.append(int(feature[node]))
            if len(distinct) > MAX_PATH_FEATURES:
                too_deep = True
                break
            zero = np.ones(len(distinct))
            for node, _, ratio in path:
                zero[distinct.index(int(feature[node]))] *= ratio
            tables_this_tree.append((path, distinct, _leaf_table(float(values[leaf]), zero)))
        if too_deep:
            fallback.append(t)
            tree_leaf_start.append(tree_leaf_start[-1])
            continue
        for leaf in range(n_leaves):
            expected += float(values[leaf]) * leaf_count[leaf] / internal_count[0]
        for _, distinct, table in tables_this_tree:
            leaf_features.extend(distinct)
            leaf_feature_start.append(len(leaf_features))
            tables.append(table.ravel())
            leaf_table_start.append(leaf_table_start[-1] + table.size)
        tree_leaf_start.append(tree_leaf_start[-1] + n_leaves)

    def as_int(values):
        return np.asarray(values, dtype=np.int64)

    return ShapTables(
        n_features=n_features,
        tree_node_start=as_int(tree_node_start),
        node_feature=as_int(node_arrays["feature"]),
        node_threshold=np.asarray(node_arrays["threshold"], dtype=np.float64),
        node_categorical=np.asarray(node_arrays["categorical"], dtype=np.bool_),
        node_default_left=np.asarray(node_arrays["default_left"], dtype=np.bool_),
        node_missing=as_int(node_arrays["missing"]),
        node_cat_start=as_int(cat_start),
        node_cat_end=as_int(cat_end),
        cat_words=np.asarray(cat_words, dtype=np.uint32),
        node_left_child=as_int(node_arrays["left"]),
        node_right_child=as_int(node_arrays["right"]),
        node_bit=as_int(node_arrays["bit"]),
        tree_leaf_start=as_int(tree_leaf_start),
        leaf_feature_start=as_int(leaf_feature_start),
        leaf_features=as_int(leaf_features),
        leaf_table_start=as_int(leaf_table_start),
        tables=np.concatenate(tables) if tables else np.zeros(0),
        expected_value=expected,
        fallback_trees=fallback,
        seconds_to_build=time.perf_counter() - started,
    )


def _node_bits(feature: np.ndarray, left: np.ndarray, right: np.ndarray) -> list[int]:
    """Each node's bit: the position of its feature among the distinct features of its root path, in
    the order they first appear (the order of every leaf's `distinct` list below it)."""
    bits = [0] * len(feature)
    stack: list[tuple[int, list[int]]] = [(0, [])]
    while stack:
        node, seen = stack.pop()
        f = int(feature[node])
        if f not in seen:
            seen = [*seen, f]
        bits[node] = seen.index(f)
        stack.extend((int(child), seen) for child in (left[node], right[node]) if child >= 0)
    return bits


def _leaf_table(value: float, zero: np.ndarray) -> np.ndarray:
    """(2^d, d): the leaf's share of each path feature's value, for every agreement mask."""
    d = len(zero)
    weights = np.array([math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d) for k in range(d)])
    from flightrisk.model.treeshap_kernels import _leaf_table_kernel

    return _leaf_table_kernel(value, zero, weights)


def shap_values(
    tables: ShapTables, booster: lgb.Booster, x: np.ndarray, threads: int | None = None
) -> np.ndarray:
    """(rows, features + 1) exact TreeSHAP values of the margin, the last column the expected value."""
    import numba

    from flightrisk.model.treeshap_kernels import _shap_kernel

    x = np.ascontiguousarray(x, dtype=np.float64)
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    phi = _shap_kernel(
        x,
        tables.n_features,
        tables.tree_node_start,
        tables.node_feature,
        tables.node_threshold,
        tables.node_categorical,
        tables.node_default_left,
        tables.node_missing,
        tables.node_cat_start,
        tables.node_cat_end,
        tables.cat_words,
        tables.node_left_child,
        tables.node_right_child,
        tables.node_bit,
        tables.tree_leaf_start,
        tables.leaf_feature_start,
        tables.leaf_features,
        tables.leaf_table_start,
        tables.tables,
        tables.expected_value,
        BLOCK_ROWS,
    )
    for t in tables.fallback_trees:
        phi += booster.predict(x, pred_contrib=True, start_iteration=t, num_iteration=1)
    return phi


ENGINE_MIN_ROWS = 64  # below this, LightGBM's pred_contrib is as fast (no tables to build)
CHECK_ROWS = 64
TOLERANCE = 1e-9


class ShapEngine:
    """Chooses and runs the TreeSHAP engine for one booster.

    The numba engine is used for batches of ENGINE_MIN_ROWS rows or more. On first use its values
    are checked against `pred_contrib` on the batch's first rows plus adversarial rows (missing
    values, zeros, negatives, unseen categories); if any differ by more than 1e-9 — which would be a
    bug — the booster is explained by `pred_contrib` from then on, and `name` says so.
    """

    def __init__(self, booster: lgb.Booster, threads: int | None = None):
        self.booster = booster
        self.threads = threads
        self.tables: ShapTables | None = None
        self.verified: bool | None = None
        self.max_difference: float | None = None

    @property
    def name(self) -> str:
        """Which engine answers, for the run record."""
        if _forced_lightgbm():
            return "lightgbm pred_contrib (FLIGHTRISK_TREESHAP=lightgbm)"
        if self.verified is None:
            return "lightgbm pred_contrib (small batches)"
        if not self.verified:
            return f"lightgbm pred_contrib (numba engine failed its check: {self.max_difference:.1e})"
        return f"numba treeshap (checked against pred_contrib: max difference {self.max_difference:.1e})"

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Exact TreeSHAP values (rows, features + 1), by the table engine or `pred_contrib`."""
        if len(x) < ENGINE_MIN_ROWS or self.verified is False or _forced_lightgbm():
            return self.booster.predict(x, pred_contrib=True)
        if self.tables is None:
            self.tables = build_tables(self.booster)
        threads = self.threads if self.threads is not None else _default_threads()
        if self.verified is None:
            sample = np.vstack([x[:CHECK_ROWS], adversarial_rows(x[:CHECK_ROWS], self.booster)])
            difference = np.abs(
                shap_values(self.tables, self.booster, sample, threads)
                - self.booster.predict(sample, pred_contrib=True)
            ).max()
            self.max_difference = float(difference)
            self.verified = bool(difference <= TOLERANCE)
            if not self.verified:
                return self.booster.predict(x, pred_contrib=True)
        return shap_values(self.tables, self.booster, x, threads)


def adversarial_rows(x: np.ndarray, booster: lgb.Booster, seed: int = 0) -> np.ndarray:
    """Rows that exercise LightGBM's edge rules: NaN, exact zeros, negatives, split thresholds and
    categories never seen in training (and every category code up to 40)."""
    rng = np.random.default_rng(seed)
    rows = np.array(x[: max(1, min(len(x), 32))], dtype=np.float64, copy=True)
    rows = np.vstack([rows] * 4)
    n, m = rows.shape
    rows[rng.random((n, m)) < 0.15] = np.nan
    rows[rng.random((n, m)) < 0.10] = 0.0
    flip = rng.random((n, m)) < 0.10
    rows[flip] = -np.abs(rows[flip]) - 1.0
    categorical = _categorical_features(booster)
    if categorical:
        codes = rng.integers(-2, 41, size=(n, len(categorical))).astype(float)
        odd = rng.random(codes.shape) < 0.1  # fractions truncate toward zero: -0.5 is category 0
        codes[odd] += rng.choice([-0.5, 0.5, 0.99], size=int(odd.sum()))
        rows[:, categorical] = codes
    thresholds = _numeric_thresholds(booster)
    for j, values in thresholds.items():  # rows sitting exactly on split points
        pick = rng.choice(values, size=n)
        on = rng.random(n) < 0.3
        rows[on, j] = pick[on]
    return rows


def _categorical_features(booster: lgb.Booster) -> list[int]:
    info = booster.dump_model(num_iteration=1).get("feature_infos", {})
    names = booster.feature_name()
    return [i for i, name in enumerate(names) if info.get(name, {}).get("values")]


def _numeric_thresholds(booster: lgb.Booster) -> dict[int, np.ndarray]:
    found: dict[int, list[float]] = {}
    for fields in _trees_from_text(booster.model_to_string())[:50]:
        decision = _ints(fields, "decision_type")
        for feature, threshold, kind in zip(
            _ints(fields, "split_feature"), _floats(fields, "threshold"), decision, strict=False
        ):
            if not kind & 1:
                found.setdefault(int(feature), []).append(float(threshold))
    return {j: np.array(v) for j, v in found.items()}


def _forced_lightgbm() -> bool:
    from flightrisk.config import treeshap_forced_to_lightgbm

    return treeshap_forced_to_lightgbm()


def _default_threads() -> int:
    from flightrisk.config import default_threads

    return default_threads()
