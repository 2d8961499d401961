"""The numba kernels of the TreeSHAP engine (see treeshap.py), in their own module so that importing
the model does not import numba: only explaining 64 rows or more does."""

import numba
import numpy as np

_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold: the float 1e-35f, as a double


@numba.njit(cache=True)
def _leaf_table_kernel(value, zero, weights):
    d = zero.shape[0]
    out = np.zeros((1 << d, d))
    poly = np.zeros(d + 1)
    for mask in range(1 << d):
        for i in range(d):
            agree_i = (mask >> i) & 1
            # Σ_{S ⊆ P} w(|S|) Π_{P∖S} z over P = the other features the row agrees with, times the
            # z of the ones it does not: the elementary symmetric polynomials of P's z, by DP.
            poly[:] = 0.0
            poly[0] = 1.0
            size = 0
            rest = 1.0
            for u in range(d):
                if u == i:
                    continue
                if (mask >> u) & 1:
                    # multiply the polynomial by (s + z_u): s counts members of S
                    for k in range(size + 1, 0, -1):
                        poly[k] = poly[k] * zero[u] + poly[k - 1]
                    poly[0] = poly[0] * zero[u]
                    size += 1
                else:
                    rest *= zero[u]
            total = 0.0
            for k in range(size + 1):
                total += weights[k] * poly[k]
            out[mask, i] = value * (agree_i - zero[i]) * rest * total
    return out


@numba.njit(cache=True, inline="always")
def _category_goes_left(fval, words, start, end):
    """LightGBM's categorical rule: values within 1e-35f of 0 are 0; NaN goes right; the value is
    truncated toward zero to a category (-0.5 is 0); a negative category goes right; otherwise left
    iff the category is in the split's bitset `words[start:end]`."""
    if abs(fval) <= _ZERO:
        fval = 0.0
    if np.isnan(fval) or fval <= -1.0 or fval >= 2147483648.0:  # past int32: right, as on x86
        return False
    category = int(fval)
    word = category >> 5
    if word >= end - start:
        return False
    return (words[start + word] >> (category & 31)) & 1 == 1


@numba.njit(parallel=True, cache=True)
def _shap_kernel(
    x,
    n_features,
    tree_node_start,
    node_feature,
    node_threshold,
    node_categorical,
    node_default_left,
    node_missing,
    node_cat_start,
    node_cat_end,
    cat_words,
    node_left_child,
    node_right_child,
    node_bit,
    tree_leaf_start,
    leaf_feature_start,
    leaf_features,
    leaf_table_start,
    tables,
    expected_value,
    block_rows,
):
    # Rows are processed in blocks, and every inner loop runs over the rows of a block: the
    # decisions, the leaf masks and the gather-adds are then simple loops the compiler vectorises,
    # and one tree's tables stay in cache for the whole block.
    rows = x.shape[0]
    phi = np.zeros((rows, n_features + 1))
    n_trees = tree_node_start.shape[0] - 1
    max_nodes = 1
    max_leaves = 1
    for t in range(n_trees):
        max_nodes = max(max_nodes, tree_node_start[t + 1] - tree_node_start[t])
        max_leaves = max(max_leaves, tree_leaf_start[t + 1] - tree_leaf_start[t])
    n_blocks = (rows + block_rows - 1) // block_rows
    for b in numba.prange(n_blocks):
        start = b * block_rows
        size = min(rows, start + block_rows) - start
        xt = np.empty((n_features, size))
        for r in range(size):
            for f in range(n_features):
                xt[f, r] = x[start + r, f]
        acc = np.zeros((n_features, size))
        left = np.empty((max_nodes, size), dtype=np.bool_)
        node_mask = np.empty((max_nodes, size), dtype=np.int64)
        leaf_mask = np.empty((max_leaves, size), dtype=np.int64)
        for t in range(n_trees):
            first = tree_node_start[t]
            n_nodes = tree_node_start[t + 1] - first
            if n_nodes == 0 or tree_leaf_start[t + 1] == tree_leaf_start[t]:
                continue  # a stump, or a tree explained by pred_contrib
            for k in range(n_nodes):
                g = first + k
                column = xt[node_feature[g]]
                if node_categorical[g]:
                    for r in range(size):
                        left[k, r] = _category_goes_left(
                            column[r], cat_words, node_cat_start[g], node_cat_end[g]
                        )
                    continue
                # LightGBM's numerical rule, its constants hoisted out of the loop over rows: values
                # within 1e-35f of 0 are 0 (its predictor keeps rows sparsely); NaN is 0 unless the
                # split sends missing values by `default_left` (missing type NaN); with missing type
                # Zero, 0 goes by `default_left`; otherwise left iff value <= threshold.
                threshold = node_threshold[g]
                missing = node_missing[g]
                default = node_default_left[g]
                at_zero = 0.0 <= threshold
                zero_goes = default if missing == 1 else at_zero
                nan_goes = default if missing != 0 else at_zero
                for r in range(size):
                    v = column[r]
                    if v != v:
                        left[k, r] = nan_goes
                    elif -_ZERO <= v <= _ZERO:
                        left[k, r] = zero_goes
                    else:
                        left[k, r] = v <= threshold
            # Agreement masks top-down (a child's index is always above its parent's in LightGBM's
            # numbering): a bit is cleared where the row takes the other branch of a split on it.
            for r in range(size):
                node_mask[0, r] = -1
            for k in range(n_nodes):
                g = first + k
                bit = np.int64(1) << node_bit[g]
                child_left = node_left_child[g]
                child_right = node_right_child[g]
                to_left = node_mask[child_left] if child_left >= 0 else leaf_mask[~child_left]
                to_right = node_mask[child_right] if child_right >= 0 else leaf_mask[~child_right]
                here = node_mask[k]
                decided = left[k]
                for r in range(size):
                    if decided[r]:
                        to_left[r] = here[r]
                        to_right[r] = here[r] & ~bit
                    else:
                        to_left[r] = here[r] & ~bit
                        to_right[r] = here[r]
            leaf0 = tree_leaf_start[t]
            for leaf in range(leaf0, tree_leaf_start[t + 1]):
                fs = leaf_feature_start[leaf]
                d = leaf_feature_start[leaf + 1] - fs
                full = (np.int64(1) << d) - 1
                mask = leaf_mask[leaf - leaf0]
                base = leaf_table_start[leaf]
                for u in range(d):
                    target = acc[leaf_features[fs + u]]
                    for r in range(size):
                        target[r] += tables[base + (mask[r] & full) * d + u]
        for r in range(size):
            for f in range(n_features):
                phi[start + r, f] = acc[f, r]
            phi[start + r, n_features] = expected_value
    return phi
