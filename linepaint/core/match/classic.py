"""The classical engine: no weights, runs anywhere.

1. Align the target to each reference (global similarity + DIS flow on distance fields).
2. Warp the reference regions onto the target; every target region votes for the
   reference regions its interior pixels land on.
3. Candidates per target region: what it voted for plus the reference regions near where
   the flow puts it; each scored by vote, position, size and shape.
4. Relaxation: a candidate gains when the target's neighbours are matched to the
   candidate's neighbours (or to it: a split region), a few rounds.
5. Balance: each reference region is claimed by about its own area of target regions
   (Sinkhorn's column scaling, capped), so a swung limb that the warp lays over the
   torso does not take the torso's region while the limb's own goes unclaimed.
6. Colour probability per target region: softmax over candidates, summed per colour
   (inclusion: several reference regions may share one colour).
7. Neighbours: each colour weighed by how the keyframe shows it beside the colours the
   target's neighbours probably are, across black and colour-trace line
   (:mod:`.neighbours`); colours and confidence from the result.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np
from scipy.spatial import cKDTree

from ..flow import align
from ..lineart import LineArt
from ..regionshape import region_shape
from ..render import pack_colours, unpack_colours
from ..segment import PerSegmentation, Segmentation
from .base import ColourPosterior, MatchResult, Reference, colour_margin
from .neighbours import neighbour_field

#: Weights of the candidate score (a log-linear model), fitted by coordinate search on
#: procedural clips of training seeds, drawn-animation and smooth motion together
#: (never on the benchmark's held-out seeds or on real clips).
W_VOTE = 2.8
W_POS = 0.3
W_SIZE = 0.6
W_SHAPE = 0.3
W_ADJ = 4.0
RELAX_ROUNDS = 3
K_NEAR = 6
#: Confidence is the margin to the runner-up colour times the share the candidates keep
#: against a dustbin ("no reference region") of this score, raised to CONFIDENCE_POWER.
#: A region that appeared has only poor candidates: the dustbin takes most of it, even
#: when one candidate is less poor than the rest.  Both fitted on procedural training
#: seeds (share of the mistakes among the third of regions least sure; the doubt line at
#: 0.5 then flags about a third of the regions of moving procedural clips: the power was
#: 2 before the neighbour field sharpened the margins).
DUSTBIN_SCORE = -1.0
CONFIDENCE_POWER = 4
#: Weight of the position-free shape term, and of each descriptor's difference in it
#: (:data:`linepaint.core.regionshape.FEATURES` order).
W_DESC = 4.0
DESC_WEIGHTS = np.array([0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.3])
#: Weight of the distance between positions relative to each frame's ink (no flow).
W_GPOS = 1.0
#: Candidates per target region found by shape and rough place alone, for regions of at
#: least ``SHAPE_MIN_AREA`` of the frame (specks' shapes say little).
K_SHAPE = 4
SHAPE_MIN_AREA = 1e-4
#: Target x reference pairs above which shape candidates are not searched.
SHAPE_MAX_PAIRS = 4_000_000
#: Sinkhorn rounds of the area balance, and the most (in score units, either way) it may
#: move a reference region's candidates: a part that truly vanished or appeared must not
#: pull a wrong region onto it.  Regions under ``SHAPE_MIN_AREA`` are left as they are.
BALANCE_ROUNDS = 10
BALANCE_CAP = 2.0


def _segment_sum(keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(keys, weights=values, minlength=n)


def _group_logsumexp(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    top = np.full(n, -np.inf)
    np.maximum.at(top, groups, values)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.maximum(_segment_sum(groups, np.exp(values - top[groups]), n), 1e-300))


def _group_softmax(groups: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    return np.exp(scores - _group_logsumexp(groups, scores, n)[groups])


def _group_argmax(groups: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Index into the pair arrays of the best pair per group (-1 where none)."""
    order = np.lexsort((scores, groups))
    g = groups[order]
    last = np.append(g[1:] != g[:-1], True)
    best = np.full(n, -1, np.int64)
    best[g[last]] = order[last]
    return best


def balance(T, R, RI, score, target: Segmentation, refs: list[Reference]) -> np.ndarray:
    """Scores of the pairs (target region ``T``, region ``R`` of reference ``RI``; log
    units) with each reference region's share of the target balanced.

    Transport with the target regions' areas as rows and the reference regions' areas
    (scaled to the target's ink-free area, per reference) as columns; the column
    potentials, capped at ``BALANCE_CAP``, are added to the scores of the sizeable target
    regions.  A reference region two target regions claim loses the weaker claimant to a
    region of the right size nobody claimed; a region split in two keeps both pieces,
    since their areas add up to it.
    """
    big = max(int(r.seg.n) for r in refs) + 1
    cols, cinv = np.unique(RI.astype(np.int64) * big + R, return_inverse=True)
    ri, rr = cols // big, cols % big
    rarea = np.array([refs[i].seg.area[r] for i, r in zip(ri.tolist(), rr.tolist(), strict=True)], np.float64)
    per_ref = np.zeros(len(refs))
    np.add.at(per_ref, ri, rarea)
    log_rows = np.log(np.maximum(target.area.astype(np.float64), 1.0))
    log_cols = np.log(np.maximum(rarea * float(target.area[1:].sum()) / per_ref[ri], 1.0))
    n = target.n + 1
    g = np.zeros(len(cols))
    for _ in range(BALANCE_ROUNDS):
        f = log_rows - _group_logsumexp(T, score + g[cinv], n)
        g = np.clip(log_cols - _group_logsumexp(cinv, score + f[T], len(cols)), -BALANCE_CAP, BALANCE_CAP)
    sizeable = target.area[T] >= SHAPE_MIN_AREA * target.labels.size
    return score + np.where(sizeable, g[cinv], 0.0)


def _interior(seg: Segmentation) -> np.ndarray:
    """float32[H, W] weight of each pixel's vote: 1 at a region's edge up to 4 inside (a
    coarse warp is least sure at boundaries), 0 on ink."""
    dist = cv2.distanceTransform((seg.labels > 0).astype(np.uint8), cv2.DIST_L2, 3)
    return np.where(seg.labels > 0, np.clip(dist, 1.0, 4.0), 0.0).astype(np.float32)


_half_interiors = PerSegmentation(2)


def _half_interior(seg: Segmentation) -> np.ndarray:
    """:func:`_interior` on every other pixel, for the reverse vote; remembered for the
    last two segmentations: a keyframe votes for every target it colours."""
    return _half_interiors.get(seg, lambda: np.ascontiguousarray(_interior(seg)[::2, ::2]))


def _overlap_votes(
    labels: np.ndarray, weight: np.ndarray, warped: np.ndarray, n: int, n_other: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(regions, other regions, share): the weighted share of each region of ``labels``
    (1..n) that ``warped`` (the other frame's labels 0..n_other seen from each pixel)
    puts on each region of the other frame; shares under 0.02 left out.

    Whole-frame arrays, no masking: ink pixels are label 0 with weight 0, and the bins
    of label 0 are never read."""
    own = labels.ravel()
    w = weight.ravel()
    code = own.astype(np.int64) * (n_other + 1) + warped.ravel()
    if (n + 1) * (n_other + 1) <= 1 << 24:  # dense table: one bincount, no sort
        vw = np.bincount(code, weights=w, minlength=(n + 1) * (n_other + 1))
        codes = np.flatnonzero(vw)
        vw = vw[codes]
    else:
        codes, inv = np.unique(code, return_inverse=True)
        vw = np.bincount(inv, weights=w)
    a, b = codes // (n_other + 1), codes % (n_other + 1)
    share = vw / np.maximum(_segment_sum(own, w, n + 1)[a], 1e-9)
    keep = (a > 0) & (b > 0) & (share >= 0.02)
    return a[keep], b[keep], share[keep]


def _lookup(codes: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values[k] where keys[k] == codes[i], 0 where a code has no key (keys unique)."""
    if len(keys) == 0:
        return np.zeros(len(codes))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    pos = np.minimum(np.searchsorted(keys, codes), len(keys) - 1)
    return np.where(keys[pos] == codes, values[pos], 0.0)


def _touches_border(seg: Segmentation) -> np.ndarray:
    """bool[n + 1]: regions that reach the frame edge."""
    out = np.zeros(seg.n + 1, bool)
    lab = seg.labels
    out[np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])] = True
    out[0] = False
    return out


def _enclosed_clear(ref: Reference) -> bool:
    """Does the reference have a transparent region enclosed by strokes?"""
    clear = ref.colours[:, 3] == 0
    clear[0] = False
    return bool((clear & ~_touches_border(ref.seg)).any())


class _Solved(NamedTuple):
    """What :meth:`ClassicMatcher._solve` hands on: the references used and their
    indices among the caller's, the candidate pairs (target region, reference region,
    reference) with their final scores, packed colours and match probabilities (softmax
    per target region), and the colour posterior."""

    refs: list[Reference]
    kept: list[int]
    T: np.ndarray
    R: np.ndarray
    RI: np.ndarray
    score: np.ndarray
    ccode: np.ndarray
    posterior: ColourPosterior
    prob: np.ndarray


class ClassicMatcher:
    """Flow vote + shape/position/adjacency relaxation.  See the module docstring."""

    name = "classic"

    def _pairs_for_ref(
        self,
        ri: int,
        ref: Reference,
        target_line: LineArt,
        target: Segmentation,
        interior: np.ndarray,
    ):
        n = target.n
        rs = ref.seg
        al = align(target.ink, rs.ink)
        tshape, rshape = region_shape(target_line, target), region_shape(ref.line, rs)
        warped = al.warp_labels(rs.filled)
        # Votes: weighted share of each target region landing on each ref region.
        vt, vr, vote = _overlap_votes(target.labels, interior, warped, n, rs.n)
        # And the other way: the share of each ref region that lands on each target
        # region, through a coarse alignment ref -> target.  Where a part moved far one
        # direction of the warp often finds it when the other does not.
        # On every other pixel: a coarse vote needs no more.
        back = align(rs.ink, target.ink, refine=False).warp_labels(target.filled)
        br, bt, back_vote = _overlap_votes(rs.labels[::2, ::2], _half_interior(rs), back[::2, ::2], rs.n, n)
        # Where the flow puts each target region in the reference.
        cnt = np.maximum(target.area, 1)
        t = target.labels.ravel()
        px = _segment_sum(t, al.map_x.ravel(), n + 1) / cnt
        py = _segment_sum(t, al.map_y.ravel(), n + 1) / cnt
        pos = np.stack([px, py], axis=1)
        # Plus the reference regions nearest that spot (small regions the flow missed).
        tree = cKDTree(rs.centroid[1:])
        k = min(K_NEAR, rs.n)
        _, near = tree.query(pos[1:], k=k)
        near = np.asarray(near).reshape(n, k) + 1
        nt = np.repeat(np.arange(1, n + 1), k)
        nr = near.ravel()
        # And the reference regions that look most like it, near its place relative to the
        # character: a limb that swung far is where the flow did not look.
        st, sr = self._shape_candidates(target, tshape, rshape)
        allt = np.concatenate([vt, bt, nt, st])
        allr = np.concatenate([vr, br, nr, sr])
        code = np.unique(allt * (rs.n + 1) + allr)
        T, R = code // (rs.n + 1), code % (rs.n + 1)
        # A pair's vote is the larger of the two directions'.
        V = np.maximum(
            _lookup(code, vt * (rs.n + 1) + vr, vote), _lookup(code, bt * (rs.n + 1) + br, back_vote)
        )
        # Position, size and shape terms.
        at = target.area[T].astype(np.float64)
        ar = rs.area[R].astype(np.float64)
        d = np.linalg.norm(pos[T] - rs.centroid[R], axis=1)
        dpos = d / (np.sqrt(np.maximum(at, ar)) + 4.0)
        ls = np.log(np.maximum(at, 1) / np.maximum(ar, 1))
        # A target smaller than its reference is often a split (wrinkle, occlusion).
        size_pen = np.where(ls > 0, ls * ls, 0.25 * ls * ls)
        bt, br = target.bbox[T].astype(np.float64), rs.bbox[R].astype(np.float64)
        asp_t = np.log((bt[:, 2] + 1) / (bt[:, 3] + 1))
        asp_r = np.log((br[:, 2] + 1) / (br[:, 3] + 1))
        shape_pen = np.abs(asp_t - asp_r)
        # Specks' shapes are a few pixels of noise: the term fades below SHAPE_MIN_AREA.
        trust = np.minimum(at / (SHAPE_MIN_AREA * target.labels.size), 1.0)
        desc = trust * self._shape_distance(tshape, rshape, T, R)
        base = W_VOTE * V - W_POS * dpos * dpos - W_SIZE * size_pen - W_SHAPE * shape_pen - W_DESC * desc
        return T, R, np.full(len(T), ri), V, base

    @staticmethod
    def _shape_distance(tshape, rshape, T: np.ndarray, R: np.ndarray) -> np.ndarray:
        feat = np.abs(tshape.features[T] - rshape.features[R]) @ DESC_WEIGHTS
        gpos = ((tshape.position[T] - rshape.position[R]) ** 2).sum(axis=1)
        return feat + (W_GPOS / W_DESC) * gpos

    def _shape_candidates(self, target: Segmentation, tshape, rshape) -> tuple[np.ndarray, np.ndarray]:
        """(T, R): the ``K_SHAPE`` reference regions nearest each sizeable target region
        by :meth:`_shape_distance`."""
        rn = len(rshape.features) - 1
        big = np.flatnonzero(target.area[1:] >= SHAPE_MIN_AREA * target.labels.size) + 1
        k = min(K_SHAPE, rn)
        if len(big) == 0 or k == 0 or len(big) * rn > SHAPE_MAX_PAIRS:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        T = np.repeat(big, rn)
        R = np.tile(np.arange(1, rn + 1), len(big))
        d = self._shape_distance(tshape, rshape, T, R).reshape(len(big), rn)
        near = np.argpartition(d, k - 1, axis=1)[:, :k] + 1
        return np.repeat(big, k), near.ravel()

    @staticmethod
    def _relax(T, R, RI, base, target: Segmentation, refs: list[Reference]) -> np.ndarray:
        """Scores of the pairs after relaxation with adjacency (see the module docstring)."""
        n = target.n
        a = target.adjacency
        w = target.boundary.astype(np.float64)
        et = np.concatenate([a[:, 0], a[:, 1]]).astype(np.int64)
        eu = np.concatenate([a[:, 1], a[:, 0]]).astype(np.int64)
        ew = np.concatenate([w, w])
        order = np.argsort(et, kind="stable")
        et, eu, ew = et[order], eu[order], ew[order]
        deg = np.bincount(et, minlength=n + 1)
        start = np.concatenate([[0], np.cumsum(deg)])
        # Each pair joined with every edge of its target region.
        pdeg = deg[T]
        rows = np.repeat(np.arange(len(T)), pdeg)
        offs = np.arange(len(rows)) - np.repeat(np.cumsum(pdeg) - pdeg, pdeg)
        e_idx = start[T][rows] + offs
        big = max(int(r.seg.n) for r in refs) + 1
        ref_adj = np.concatenate(
            [
                (ri * big + r.seg.adjacency[:, 0].astype(np.int64)) * big + r.seg.adjacency[:, 1]
                for ri, r in enumerate(refs)
            ]
        )
        ref_adj.sort()
        wsum = np.maximum(_segment_sum(rows, ew[e_idx], len(T)), 1e-9)
        score = base.copy()
        for _ in range(RELAX_ROUNDS):
            best = _group_argmax(T, score, n + 1)
            ar_, ari = np.full(n + 1, -1, np.int64), np.full(n + 1, -1, np.int64)
            ok = best >= 0
            ar_[ok], ari[ok] = R[best[ok]], RI[best[ok]]
            u = eu[e_idx]
            ur, uri = ar_[u], ari[u]
            pr, pri = R[rows], RI[rows]
            lo, hi = np.minimum(pr, ur), np.maximum(pr, ur)
            acode = (pri * big + lo) * big + hi
            pos = np.searchsorted(ref_adj, acode)
            if len(ref_adj):
                is_adj = ref_adj[np.minimum(pos, len(ref_adj) - 1)] == acode
            else:  # one-region references: no neighbours to agree on
                is_adj = np.zeros(len(acode), bool)
            consistent = (uri == pri) & ((ur == pr) | is_adj)
            support = _segment_sum(rows, ew[e_idx] * consistent, len(T)) / wsum
            score = base + W_ADJ * support
        return score

    def _solve(self, refs: list[Reference], target_line: LineArt, target: Segmentation) -> _Solved | None:
        """Steps 1-6 of the module docstring, over the references with regions (None:
        no target region, or no such reference)."""
        n = target.n
        # References with no region (blank paper, all ink) have nothing to give; ``kept``
        # maps the ones used back to the caller's indices.
        kept = [i for i, r in enumerate(refs) if r.seg.n > 0]
        refs = [refs[i] for i in kept]
        if n == 0 or not refs:
            return None
        interior = _interior(target)
        parts = [self._pairs_for_ref(i, ref, target_line, target, interior) for i, ref in enumerate(refs)]
        T, R, RI, V, base = (np.concatenate(x) for x in zip(*parts, strict=True))
        score = balance(T, R, RI, self._relax(T, R, RI, base, target, refs), target, refs)
        prob = _group_softmax(T, score, n + 1)
        # Inclusion: probability per colour = sum over the reference regions of it.
        ref_cols = np.stack([refs[ri].colours[r] for ri, r in zip(RI, R, strict=True)])
        ccode = pack_colours(ref_cols).astype(np.int64)
        key, kinv = np.unique(T * (1 << 32) + ccode, return_inverse=True)
        cprob = np.bincount(kinv, weights=prob)
        kt = key >> 32
        # Transparent is the outside: when no reference shows it inside the art, a
        # target region enclosed by strokes does not get it.
        if not any(_enclosed_clear(r) for r in refs):
            enclosed = ~_touches_border(target)
            cprob = np.where((key & 0xFFFFFFFF == 0) & enclosed[kt], -1.0, cprob)
        posterior = ColourPosterior(regions=kt, colours=key & 0xFFFFFFFF, probs=cprob)
        return _Solved(refs, kept, T, R, RI, score, ccode, posterior, prob)

    def posterior_and_shares(
        self, refs: list[Reference], target_line: LineArt, target: Segmentation
    ) -> tuple[ColourPosterior | None, np.ndarray]:
        """(the colour posterior before the neighbours' say, float64[len(refs), n + 1]):
        what the learned engine combines with its own (:meth:`match` without its last
        step), and the share of each target region's match that falls on each reference
        (0 for a reference with no region), by which it weighs each reference's word."""
        shares = np.zeros((len(refs), target.n + 1))
        solved = self._solve(refs, target_line, target)
        if solved is None:
            return None, shares
        np.add.at(shares, (np.asarray(solved.kept)[solved.RI], solved.T), solved.prob)
        return solved.posterior, shares

    def match(
        self,
        refs: list[Reference],
        target_line: LineArt,
        target: Segmentation,
        locked: dict[int, tuple[int, int, int, int]] | None = None,
    ) -> MatchResult:
        n = target.n
        colours = np.zeros((n + 1, 4), np.uint8)
        confidence = np.zeros(n + 1, np.float32)
        source = np.full(n + 1, -1, np.int32)
        ref_index = np.full(n + 1, -1, np.int32)
        solved = self._solve(refs, target_line, target)
        if solved is None:
            return MatchResult(colours, confidence, source, ref_index, engine=self.name)
        refs, kept, T, R, RI, score, ccode, posterior, _ = solved
        # Then each region's colour is weighed against its neighbours' (neighbours.py).
        palette = np.unique(posterior.colours).astype(np.uint32)
        table = neighbour_field(posterior.table(palette, n), palette, target_line, target, refs, locked)
        has = (table > 0).any(axis=1)
        idx = np.flatnonzero(has) + 1
        rows = table[idx - 1]
        best = rows.argmax(axis=1)
        colours[idx] = unpack_colours(palette[best])
        # Confidence from the margin between the best colour and the runner-up, and the
        # dustbin (see DUSTBIN_SCORE); the posterior itself stays without the dustbin.
        margin = colour_margin(rows, best)
        placed = 1.0 / (1.0 + np.exp(DUSTBIN_SCORE - _group_logsumexp(T, score, n + 1)[idx]))
        confidence[idx] = np.clip(margin * placed, 0, 1) ** CONFIDENCE_POWER
        # Report, per region, the best reference region of the chosen colour.
        chosen = np.zeros(n + 1, np.uint32)
        chosen[idx] = palette[best]
        of_colour = ccode.astype(np.uint32) == chosen[T]
        bp = _group_argmax(T, np.where(of_colour, score, -np.inf), n + 1)[idx]
        source[idx] = R[bp]
        ref_index[idx] = np.asarray(kept)[RI[bp]]
        for region, rgba in (locked or {}).items():
            if 0 < region <= n:
                colours[region] = rgba
                confidence[region] = 1.0
        return MatchResult(colours, confidence, source, ref_index, engine=self.name, posterior=posterior)
