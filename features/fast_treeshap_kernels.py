"""numba kernels of `features.fast_treeshap` (compiled once, cached on disk by numba)."""

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
def explain_rows(x, node_feat, node_thr, node_default_left, node_missing, tree_node_off, tree_edge_off,
                 tree_leaf_off, edge_parent, edge_node, edge_left, edge_slot, leaf_state, leaf_d,
                 leaf_feat_off, leaf_feats, table_off, tables, max_nodes, out):
    # Row blocks in parallel; inside a block, tree by tree, so one tree's tables stay in cache
    # while every row of the block looks them up (random access into all tables is memory-bound).
    # Per row and tree: split decisions, then each edge's pattern of satisfied path features
    # (parent's pattern with the split feature's bit cleared when the row goes the other way).
    n = x.shape[0]
    n_trees = tree_node_off.shape[0] - 1
    block = 128
    n_blocks = (n + block - 1) // block
    for b in numba.prange(n_blocks):
        r0 = b * block
        r1 = min(n, r0 + block)
        dec = np.empty(max_nodes, dtype=np.bool_)
        state = np.empty((r1 - r0, 2 * max_nodes + 1), dtype=np.int64)
        for t in range(n_trees):
            n0 = tree_node_off[t]
            n_nodes = tree_node_off[t + 1] - n0
            e0 = tree_edge_off[t]
            n_edges = tree_edge_off[t + 1] - e0
            for r in range(r0, r1):
                row = x[r]
                for k in range(n_nodes):
                    g = n0 + k
                    f = row[node_feat[g]]
                    mt = node_missing[g]
                    if np.isnan(f) and mt != 2:
                        f = 0.0
                    if (mt == 1 and -1e-35 <= f <= 1e-35) or (mt == 2 and np.isnan(f)):
                        dec[k] = node_default_left[g]
                    else:
                        dec[k] = f <= node_thr[g]
                st = state[r - r0]
                st[0] = -1
                for e in range(n_edges):
                    g = e0 + e
                    s = st[edge_parent[g]]
                    if dec[edge_node[g]] != edge_left[g]:
                        s &= ~(1 << edge_slot[g])
                    st[e + 1] = s
            for leaf in range(tree_leaf_off[t], tree_leaf_off[t + 1]):
                d = leaf_d[leaf]
                if d == 0:
                    continue
                full = (1 << d) - 1
                ls = leaf_state[leaf]
                fo = leaf_feat_off[leaf]
                to = table_off[leaf]
                cols = leaf_feats[fo: fo + d]
                for r in range(r0, r1):
                    base = to + (state[r - r0, ls] & full) * d
                    vals = tables[base: base + d]
                    acc = out[r]
                    for j in range(d):
                        acc[cols[j]] += vals[j]
