"""Colours that sit well beside their neighbours: a field over the target's region graph.

A matcher colours each region from its own evidence; under real motion two regions that
the warp lays over each other swap colours (a swinging arm takes the vest's green and
the vest the arm's skin).  The colourist sees at once that the result is wrong: a green
vest beside a green arm, or skin on both sides of a shadow line, never happens in the
keyframe.  The keyframe says which colours meet across its black lines and which across
its colour-trace lines (a trace line always parts two colours: base and shadow, base and
highlight), and how often.

Each target region's colour probabilities are moved by how well each colour goes with
what its neighbours probably are: the pointwise mutual information of the two colours
meeting across that kind of line in the references, averaged over the region's border
(mean field, a few rounds).  The locked colours a colourist fixed are evidence here too.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..lineart import LineArt
from ..render import pack_colours, palette_index
from ..segment import PerSegmentation, Segmentation
from .base import Reference

#: Weight of the neighbours' support against the log probabilities of the matcher, the
#: rounds of mean field, the pseudo-count that smooths the keyframe's colour pairs, and
#: the range the affinity of a pair is kept in (a pair the keyframe never shows is
#: unlikely, not impossible: the target may show two parts meeting for the first time).
#: Fitted on procedural clips of training seeds (``benchmarks/fit_classic.py``).
W_FIELD = 2.0
FIELD_ROUNDS = 3
PAIR_PSEUDO_COUNT = 0.5
AFFINITY_RANGE = (-4.0, 2.0)
#: Regions x colours above which the field is not run (a frame of screentone with tens
#: of thousands of specks and a painterly palette): its tables would take hundreds of MB.
FIELD_MAX_CELLS = 8_000_000

_trace_shares = PerSegmentation(6)


def trace_share(line: LineArt, seg: Segmentation) -> np.ndarray:
    """float64[len(seg.adjacency)]: the share of each adjacency's border that runs along
    colour-trace line rather than black line (remembered for the last few
    segmentations)."""
    return _trace_shares.get(seg, lambda: _trace_share(line.trace, seg))


def _trace_share(trace: np.ndarray, seg: Segmentation) -> np.ndarray:
    # Of the pixel edges segment.adjacency counts (two different regions of ``filled``,
    # at least one end ink: ``seg.boundary`` of them per adjacency), those with a trace
    # end, each once: every edge from a trace pixel onwards, and back to a pixel that is
    # not trace (an edge between two trace pixels is the first one's onward edge).
    adj = seg.adjacency[:, 0].astype(np.int64) * (seg.n + 1) + seg.adjacency[:, 1]
    idx = np.flatnonzero(trace.ravel())
    if len(idx) == 0 or len(adj) == 0:
        return np.zeros(len(adj))
    h, w = seg.labels.shape
    flat = seg.filled.ravel()
    x = idx % w
    codes = []
    for off, ok in ((1, x < w - 1), (w, idx < (h - 1) * w), (-1, x > 0), (-w, idx >= w)):
        p = idx[ok]
        q = p + off
        if off < 0:
            q = q[~trace.ravel()[q]]
            p = q - off
        a, b = flat[p].astype(np.int64), flat[q].astype(np.int64)
        diff = (a != b) & (a > 0) & (b > 0)
        codes.append(np.minimum(a, b)[diff] * (seg.n + 1) + np.maximum(a, b)[diff])
    code = np.concatenate(codes)
    pos = np.minimum(np.searchsorted(adj, code), len(adj) - 1)  # rows are sorted by code
    traced = np.bincount(pos[adj[pos] == code], minlength=len(adj))
    return np.minimum(traced / np.maximum(seg.boundary, 1), 1.0)


def colour_affinity(refs: list[Reference], palette: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(black, trace): float64[k, k] affinities of the sorted packed ``palette``'s colours
    meeting across black line and across colour-trace line in the references: the log of
    how much more often each pair meets than chance, from the length of their borders."""
    k = len(palette)
    counts = np.zeros((2, k, k))
    for ref in refs:
        if len(ref.seg.adjacency) == 0:
            continue
        col = palette_index(palette, pack_colours(ref.colours))
        a, b = ref.seg.adjacency[:, 0], ref.seg.adjacency[:, 1]
        ca, cb = col[a], col[b]
        known = (ca >= 0) & (cb >= 0)
        share = trace_share(ref.line, ref.seg)[known]
        length = ref.seg.boundary[known].astype(np.float64)
        for kind, wt in enumerate((length * (1.0 - share), length * share)):
            np.add.at(counts[kind], (ca[known], cb[known]), wt)
            np.add.at(counts[kind], (cb[known], ca[known]), wt)
    # Chance: how much of all line each colour lines, whatever the kind of line (a colour
    # no black line touches is not thereby likely beside everything across black line).
    lined = counts.sum(axis=(0, 2))
    chance = (lined + PAIR_PSEUDO_COUNT) / (lined.sum() + PAIR_PSEUDO_COUNT * k)
    out = []
    for c in counts:
        given = (c + PAIR_PSEUDO_COUNT) / (c.sum(axis=1, keepdims=True) + PAIR_PSEUDO_COUNT * k)
        out.append(np.clip(np.log(given / chance[None, :]), *AFFINITY_RANGE))
    return out[0], out[1]


def neighbour_field(
    table: np.ndarray,
    palette: np.ndarray,
    target_line: LineArt,
    target: Segmentation,
    refs: list[Reference],
    locked: dict[int, tuple[int, int, int, int]] | None = None,
) -> np.ndarray:
    """The colour probabilities ``table`` (float[n, k], row t - 1 for target region t,
    over the sorted packed ``palette``; negative: ruled out) after the neighbours' say,
    same shape; ruled-out colours stay negative, a row with no colour stays as it is.
    ``locked`` regions count as known to be their colour."""
    n, k = table.shape
    if n == 0 or k < 2 or len(target.adjacency) == 0 or W_FIELD == 0 or n * k > FIELD_MAX_CELLS:
        return table
    black, trace = (m.astype(np.float32) for m in colour_affinity(refs, palette))
    allowed = table > 0
    has = allowed.any(axis=1)
    prob = np.where(allowed, table, 0.0).astype(np.float32)
    prob /= np.maximum(prob.sum(axis=1, keepdims=True), 1e-12)
    fixed = np.zeros(n, bool)
    for region, rgba in (locked or {}).items():
        code = pack_colours(np.array([rgba], np.uint8))[0]
        c = int(np.searchsorted(palette, code))
        if 0 < region <= n and c < k and palette[c] == code:
            prob[region - 1] = 0.0
            prob[region - 1, c] = 1.0
            fixed[region - 1] = True
    # Log prior, -inf where ruled out or never offered (a row with nothing offered is
    # left finite and given back as it was at the end).
    log_prior = np.log(np.maximum(prob, 1e-6))
    log_prior[~allowed & has[:, None]] = -np.inf
    # Border lengths of each adjacency, split by kind of line, as row-normalised graphs.
    a, b = target.adjacency[:, 0] - 1, target.adjacency[:, 1] - 1
    length = target.boundary.astype(np.float64)
    share = trace_share(target_line, target)
    per_region = np.maximum(np.bincount(a, length, n) + np.bincount(b, length, n), 1e-9)
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])

    def graph(wt: np.ndarray) -> sparse.csr_matrix:
        g = sparse.csr_matrix((np.concatenate([wt, wt]).astype(np.float32), (rows, cols)), (n, n))
        return (sparse.diags((1.0 / per_region).astype(np.float32)) @ g).tocsr()

    g_black, g_trace = graph(length * (1.0 - share)), graph(length * share)
    q = prob
    for _ in range(FIELD_ROUNDS):
        logits = g_black @ (q @ black.T)
        logits += g_trace @ (q @ trace.T)
        logits *= W_FIELD
        logits += log_prior
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        logits[fixed] = prob[fixed]
        q = logits
    q = np.where(table < 0, table, q)
    return np.where(has[:, None], q, table).astype(table.dtype)
