"""numba kernels of `model.fast_treeshap` (compiled once, cached on disk by numba)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def build_tables(leaf_d, leaf_z_off, zs, leaf_value, table_off, weights, out):
    n_leaves = leaf_d.shape[0]
    for leaf in range(n_leaves):
        d = leaf_d[leaf]
        if d == 0:
            continue
        z = zs[leaf_z_off[leaf]: leaf_z_off[leaf] + d]
        v = leaf_value[leaf]
        base = table_off[leaf]
        coef = np.zeros(d + 1)
        for s in range(1 << d):
            for i in range(d):
                o_i = (s >> i) & 1
                coef[:] = 0.0
                coef[0] = 1.0
                m = 0
                for j in range(d):
                    if j == i:
                        continue
                    o_j = (s >> j) & 1
                    # multiply the polynomial by (z_j + o_j * t)
                    for k in range(m + 1, 0, -1):
                        coef[k] = coef[k] * z[j] + coef[k - 1] * o_j
                    coef[0] = coef[0] * z[j]
                    m += 1
                acc = 0.0
                for k in range(d):
                    acc += coef[k] * weights[d, k]
                out[base + s * d + i] = v * (o_i - z[i]) * acc


@numba.njit(parallel=True, cache=True)
def explain_rows(xt, node_feat, node_thr, node_default_left, node_missing, tree_node_off, tree_edge_off,
                 tree_leaf_off, edge_parent, edge_node, edge_left, edge_slot, leaf_state, leaf_d,
                 leaf_feat_off, leaf_feats, table_off, tables, max_nodes, block, out):
    # `xt` is the input transposed (columns x rows) and `out` is filled transposed too (columns+1 x
    # rows), so every inner loop below runs over the rows of a block in contiguous memory.
    # Row blocks run in parallel (prange); inside a block, tree by tree, so one tree's tables stay in
    # cache while every row of the block looks them up (random access into all tables is memory-bound;
    # large blocks amortise it). Per tree: split decisions of all rows, then each edge's pattern of
    # satisfied path features (the parent's pattern with the split feature's bit cleared where the row
    # goes the other way), then one table look-up per leaf and row.
    n = xt.shape[1]
    n_trees = tree_node_off.shape[0] - 1
    n_blocks = (n + block - 1) // block
    for b in numba.prange(n_blocks):
        r0 = b * block
        m = min(n, r0 + block) - r0
        dec = np.empty((max_nodes, m), dtype=np.int64)
        state = np.empty((2 * max_nodes + 1, m), dtype=np.int64)
        idx = np.empty(m, dtype=np.int64)
        acc = out[:, r0: r0 + m]
        for t in range(n_trees):
            n0 = tree_node_off[t]
            e0 = tree_edge_off[t]
            for k in range(tree_node_off[t + 1] - n0):
                g = n0 + k
                xc = xt[node_feat[g]]
                mt = node_missing[g]
                thr = node_thr[g]
                dl = np.int64(node_default_left[g])
                dk = dec[k]
                if mt == 2:  # NaN missing: NaN takes the default side
                    for i in range(m):
                        f = xc[r0 + i]
                        dk[i] = dl if np.isnan(f) else np.int64(f <= thr)
                elif mt == 1:  # zero missing: NaN counts as zero, zero takes the default side
                    for i in range(m):
                        f = xc[r0 + i]
                        if np.isnan(f):
                            f = 0.0
                        dk[i] = dl if -1e-35 <= f <= 1e-35 else np.int64(f <= thr)
                else:  # no missing handling: NaN counts as zero
                    for i in range(m):
                        f = xc[r0 + i]
                        if np.isnan(f):
                            f = 0.0
                        dk[i] = np.int64(f <= thr)
            s0 = state[0]
            for i in range(m):
                s0[i] = -1
            for e in range(tree_edge_off[t + 1] - e0):
                g = e0 + e
                parent = state[edge_parent[g]]
                went = dec[edge_node[g]]
                left = np.int64(edge_left[g])
                slot = edge_slot[g]
                child = state[e + 1]
                for i in range(m):
                    child[i] = parent[i] & ~((went[i] ^ left) << slot)
            for leaf in range(tree_leaf_off[t], tree_leaf_off[t + 1]):
                d = leaf_d[leaf]
                if d == 0:
                    continue
                full = (1 << d) - 1
                reach = state[leaf_state[leaf]]
                for i in range(m):
                    idx[i] = (reach[i] & full) * d
                to = table_off[leaf]
                fo = leaf_feat_off[leaf]
                for j in range(d):
                    col = acc[leaf_feats[fo + j]]
                    tab = tables[to + j:]
                    for i in range(m):
                        col[i] += tab[idx[i]]
