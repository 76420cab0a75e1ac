"""Close gaps the way a colourist's tape tool does: extend each dangling stroke end
along its direction until it meets a line.

A stroke drawn by hand often stops a few pixels short of the line it should meet, or is
broken along its length; the paper on both sides is then one region and a bucket fill
(or a matcher) floods both.  :func:`tape_gaps` finds the stroke ends (ends of the
strokes thinned to one-pixel curves, at half resolution for speed), casts a fan of short
rays ahead of each, and where a ray meets ink (or the frame's edge) within the gap size,
draws a one-pixel line across: 8-connected, so the 4-connected regions of
:mod:`.segment` cannot pass it.
Ends that meet nothing within the gap size stay open (a wrinkle or a hair tip inside a
region is drawn open on purpose).  The trapped ball in :mod:`.segment` closes what is
left.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Ray directions tried from each stroke end, degrees either side of straight ahead
#: (strokes curve; a line met at a slant is still met).  Straight ahead is preferred.
FAN_DEGREES = (0, -10, 10, -20, 20, -30, 30)
#: Skeleton steps (half-resolution pixels) walked back from an end to find its direction.
DIRECTION_STEPS = 5
#: An end whose skeleton meets a junction sooner than this many steps is a spur of a
#: thick stroke's corner, not a stroke end.
MIN_BRANCH = 2

#: How far a tape reaches, as a multiple of the gap size: a ray ahead of a stroke end
#: is a much narrower test than a ball passing between two regions, so it can reach
#: further without cutting closed art.
TAPE_REACH = 1.5


def _half_cover(ink: np.ndarray) -> np.ndarray:
    """uint8[H // 2, W // 2]: how much of each half pixel's four pixels is ink (0, 64,
    128, 191 or 255: 0/255 in, or one ink pixel of four would round to nothing)."""
    h2, w2 = ink.shape[0] // 2, ink.shape[1] // 2
    full = cv2.compare(ink[: 2 * h2, : 2 * w2].view(np.uint8), 0, cv2.CMP_GT)
    return cv2.resize(full, (w2, h2), interpolation=cv2.INTER_AREA)


def _ring_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per 8-bit code of a pixel's neighbours (bit i: neighbour i of _RING is set): how
    many are set, and how many separate runs they form around the ring (the crossing
    number: 1 at a curve's end, 2 along it, 3 or more at a junction)."""
    codes = np.arange(256)
    bits = (codes[:, None] >> np.arange(8)[None]) & 1
    count = bits.sum(axis=1)
    runs = ((bits == 1) & (np.roll(bits, 1, axis=1) == 0)).sum(axis=1)
    return count.astype(np.int16), runs.astype(np.int16)


#: Neighbours in ring order (clockwise from north), as (dy, dx).
_RING = np.array([(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)])
_RING_KERNEL = np.zeros((3, 3), np.float32)
for _i, (_dy, _dx) in enumerate(_RING):
    _RING_KERNEL[1 + _dy, 1 + _dx] = 1 << _i
_RING_COUNT, _RING_RUNS = _ring_tables()
#: Per neighbour code: 1 where a walk along a curve must stop (a junction, or a blob).
_STOP_LUT = ((_RING_RUNS >= 3) | (_RING_COUNT >= 4)).astype(np.uint8)


def _thin_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per neighbour code (as :data:`_RING_KERNEL` makes it): 1 where Guo and Hall's
    parallel thinning (Comm. ACM 32(3), 1989, algorithm A1) removes the pixel, in its
    first and in its second subiteration."""
    codes = np.arange(256)
    ring = (codes[:, None] >> np.arange(8)[None]) & 1
    # The paper's x1..x8 run counter-clockwise from east; _RING runs clockwise from north.
    x = {j: ring[:, (3 - j) % 8] for j in range(1, 9)}
    x[9] = x[1]
    crossings = sum((1 - x[2 * i - 1]) & (x[2 * i] | x[2 * i + 1]) for i in range(1, 5))
    n1 = sum(x[2 * k - 1] | x[2 * k] for k in range(1, 5))
    n2 = sum(x[2 * k] | x[2 * k + 1] for k in range(1, 5))
    simple = (crossings == 1) & (np.minimum(n1, n2) >= 2) & (np.minimum(n1, n2) <= 3)
    first = ((x[2] | x[3] | (1 - x[8])) & x[1]) == 0
    second = ((x[6] | x[7] | (1 - x[4])) & x[5]) == 0
    return (simple & first).astype(np.uint8), (simple & second).astype(np.uint8)


_THIN_LUTS = _thin_tables()
#: Once two thinning subiterations in a row remove fewer pixels than this share of what
#: is left, the next ones only look at the pixels beside the last removals.
SPARSE_SHARE = 1 / 16


def thin(mask: np.ndarray) -> np.ndarray:
    """bool[h, w]: ``mask`` thinned to 8-connected curves one pixel wide (Guo-Hall, the
    same result as ``skimage.morphology.thin``).

    The first subiterations, which remove most of the pixels, run over the whole image
    (one 3x3 filter and one table lookup each).  Once few pixels go, only those beside
    the pixels removed in the last two subiterations can change (a pixel whose
    neighbours have not changed since its table was last applied stays), so those are
    looked up alone.
    """
    h, w = mask.shape
    img = np.zeros((h + 2, w + 2), np.uint8)  # a zero border: neighbours never wrap
    img[1:-1, 1:-1] = mask
    flat = img.ravel()
    offsets = np.array([dy * (w + 2) + dx for dy, dx in _RING])
    left = cv2.countNonZero(img)
    # Removals of the last two subiterations: whole-image masks while dense, then flat
    # indices (the first sparse step takes both masks' union as one: a superset of the
    # pixels beside them does no harm).
    recent: list = [None, None]
    dense, idle, step, last = True, 0, 0, left
    while idle < 2 and left:
        lut = _THIN_LUTS[step % 2]
        if dense:
            code = cv2.filter2D(img, cv2.CV_8U, _RING_KERNEL, borderType=cv2.BORDER_CONSTANT)
            gone = cv2.LUT(code, lut) & img
            count = cv2.countNonZero(gone)
            img -= gone
        else:
            if recent[1].ndim == 2:  # two dense steps always come first
                yx = nonzero_yx(recent[0] | recent[1])
                recent = [np.zeros(0, np.int64), yx[:, 0] * (w + 2) + yx[:, 1]]
            near = np.concatenate(recent)
            near = (near[:, None] + offsets[None]).ravel()  # repeats do no harm
            near = near[flat[near] > 0]
            code = np.packbits(flat[near[:, None] + offsets[None]], axis=1, bitorder="little")
            gone = np.unique(near[lut[code[:, 0]] > 0])
            count = len(gone)
            flat[gone] = 0
        left -= count
        idle = idle + 1 if count == 0 else 0
        # Sparse once two subiterations in a row removed little: the first sparse step
        # looks beside both.
        dense = dense and max(count, last) >= SPARSE_SHARE * left
        last = count
        recent = [recent[1], gone]
        step += 1
    return img[1:-1, 1:-1].view(bool)


def nonzero_yx(mask: np.ndarray) -> np.ndarray:
    """int64[k, 2]: (y, x) of the set pixels of a 2-D mask (bool, or uint8 holding 0 and
    1), in row order.  Searched as bool: numpy's fast path, several times faster than
    ``cv2.findNonZero`` or ``np.nonzero`` on uint8."""
    flat = np.flatnonzero(mask.view(bool))
    return np.stack(np.divmod(flat, mask.shape[1]), axis=1)


# Packed masks: a row's pixels 64 to a uint64 word (pixel j of a word is bit j), one
# zero word at each end of every row and one zero row above and below.  In the flat
# array a pixel's north and south neighbours sit in the words one row away and its east
# and west ones one bit over (with the carry from the next word), so a 3x3 logic step
# over a whole 1080p frame is a few dozen operations on 35,000 words.
_ONE, _TOP = np.uint64(1), np.uint64(63)


def _pack(mask: np.ndarray) -> np.ndarray:
    """uint64[h + 2, ceil(w / 64) + 2]: bool[h, w] ``mask`` packed (see above)."""
    h, w = mask.shape
    nw = (w + 63) // 64
    packed = np.zeros((h + 2, (nw + 2) * 8), np.uint8)
    packed[1:-1, 8 : 8 + (w + 7) // 8] = np.packbits(mask, axis=1, bitorder="little")
    return packed.view(np.uint64)


def _ring_words(words: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """The neighbour planes (in :data:`_RING` order) and the centre of the packed
    ``words``, as flat views over its rows but the padding rows: bit j of plane i holds
    neighbour i of the pixel at bit j of the centre."""
    flat = words.ravel()
    row = words.shape[1]
    east, west = np.empty_like(flat), np.empty_like(flat)
    np.right_shift(flat, _ONE, out=east)
    east[:-1] |= flat[1:] << _TOP
    np.left_shift(flat, _ONE, out=west)
    west[1:] |= flat[:-1] >> _TOP
    size = len(flat)
    up, mid, down = slice(0, size - 2 * row), slice(row, size - row), slice(2 * row, size)
    ring = (flat[up], east[up], east[mid], east[down], flat[down], west[down], west[mid], west[up])
    return ring, flat[mid]


def _thin_once(words: np.ndarray) -> None:
    """One iteration of Guo and Hall's thinning (both subiterations, the rules of
    :func:`_thin_tables`) on packed ``words``, in place, as word logic: a stroke two or
    three pixels wide becomes a one-pixel curve."""
    for second in (False, True):
        (n, ne, e, se, s, sw, w, nw), centre = _ring_words(words)
        # The paper's x1..x8 are e, ne, n, nw, w, sw, s, se.
        b1, b2, b3, b4 = ne | n, nw | w, sw | s, se | e
        a1, a2, a3, a4 = e | ne, n | nw, w | sw, s | se
        t1, t2, t3, t4 = b1 & ~e, b2 & ~n, b3 & ~w, b4 & ~s
        # Exactly one crossing: one of the four, in one half and not both of it.
        remove = ((t1 | t2) ^ (t3 | t4)) & ~((t1 & t2) | (t3 & t4))
        # min(N1, N2) in {2, 3}: both at least two, not both four.
        pa12, pa34, pb12, pb34 = a1 & a2, a3 & a4, b1 & b2, b3 & b4
        remove &= pa12 | pa34 | ((a1 | a2) & (a3 | a4))
        remove &= pb12 | pb34 | ((b1 | b2) & (b3 | b4))
        remove &= ~(pa12 & pa34 & pb12 & pb34)
        remove &= (~w | (nw & ~b3)) if second else (~e | (se & ~b1))
        centre &= ~remove  # a view: writes through to ``words``


def _end_words(words: np.ndarray) -> np.ndarray:
    """uint64[h, nw]: the curve ends of packed ``words`` (one run of one or two
    neighbours), padding words left out."""
    ring, centre = _ring_words(words)
    some, two, three = ring[0] | ring[1], ring[0] & ring[1], np.zeros_like(centre)
    for x in ring[2:]:
        three |= two & x
        two |= some & x
        some |= x
    # A run starts where a neighbour is set and the one before it on the ring is not.
    starts, runs2 = ring[0] & ~ring[7], np.zeros_like(centre)
    for i in range(1, 8):
        x = ring[i] & ~ring[i - 1]
        runs2 |= starts & x
        starts |= x
    end = centre & some & ~three & ~runs2
    return end.reshape(words.shape[0] - 2, words.shape[1])[:, 1:-1]


def _word_positions(words: np.ndarray) -> np.ndarray:
    """int64[k, 2]: (y, x) of the set bits of uint64[h, nw] ``words``, in row order."""
    index = np.flatnonzero(words)
    if len(index) == 0:
        return np.zeros((0, 2), np.int64)
    bits = np.unpackbits(words.ravel()[index].view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    k, j = np.nonzero(bits)
    y, word = np.divmod(index[k], words.shape[1])
    return np.stack([y, word * 64 + j], axis=1)


def _bits(words: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """bool[...]: the pixels (y, x) of packed ``words``; one pixel outside the frame
    reads the padding (unset)."""
    word = words[y + 1, (x >> 6) + 1]
    return ((word >> (x & 63).astype(np.uint64)) & _ONE).astype(bool)


def _codes(words: np.ndarray, yx: np.ndarray) -> np.ndarray:
    """uint8[k]: the neighbour code (bit i: neighbour i of _RING is set) of pixels
    int[k, 2] ``yx`` of packed ``words``."""
    ring = _bits(words, yx[:, 0, None] + _RING[None, :, 0], yx[:, 1, None] + _RING[None, :, 1])
    return np.packbits(ring, axis=1, bitorder="little")[:, 0]


def _ends(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ends of the one-pixel-wide curves of packed ``words``: (int64[k, 2] y, x,
    float64[k, 2] unit direction dy, dx out of the curve).

    An end has one run of neighbours, of one or two pixels; its direction is the chord
    from DIRECTION_STEPS back along the curve.  Ends that meet a junction (three runs of
    neighbours, or a blob of four or more: a spur, or a stroke wider than one pixel)
    within MIN_BRANCH steps are dropped.
    """
    end = _word_positions(_end_words(words))
    if len(end) == 0:
        return np.zeros((0, 2), np.int64), np.zeros((0, 2))
    k = len(end)
    cur, prev, prev2 = end.copy(), end.copy(), end.copy()
    steps = np.zeros(k, np.int64)
    alive = np.ones(k, bool)
    spur = np.zeros(k, bool)
    for step in range(DIRECTION_STEPS):
        # Next pixel: a neighbour of ``cur`` not yet walked (a staircase's corner pixel
        # touches the pixel two steps back too).
        cand = cur[:, None, :] + _RING[None]
        on = _bits(words, cand[..., 0], cand[..., 1])
        on &= ~((cand == prev[:, None, :]).all(axis=2)) & ~((cand == prev2[:, None, :]).all(axis=2))
        # Prefer 4-neighbours: a diagonal step past a 4-neighbour would skip a pixel.
        order = np.argmax(on * np.array([2, 1, 2, 1, 2, 1, 2, 1]), axis=1)
        moved = on.any(axis=1) & alive
        nxt = cand[np.arange(k), order]
        prev2 = np.where(moved[:, None], prev, prev2)
        prev = np.where(moved[:, None], cur, prev)
        cur = np.where(moved[:, None], nxt, cur)
        steps += moved
        at_stop = moved & (_STOP_LUT[_codes(words, cur)] > 0)  # ``cur`` is always on the curve
        spur |= at_stop & (step + 1 < MIN_BRANCH)
        alive &= moved & ~at_stop
    ok = (steps >= MIN_BRANCH) & ~spur
    vec = (end - cur)[ok].astype(np.float64)
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    return end[ok], vec


def stroke_ends(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ends of the strokes of bool[H, W] ``ink``: (float64[k, 2] x, y position in ink
    pixels, float64[k, 2] unit direction pointing out of the stroke).

    Sources: the ends of the ink after one thinning iteration (strokes up to three
    pixels wide, tapered tips, and strokes drawn so close together that half resolution
    would merge them), and the ends of the thinned half-resolution ink (strokes of any
    width; a frame under 256 px: the ink thinned at full resolution).  An end found twice
    gives two rays, which close the same gap.
    """
    words = _pack(ink)
    _thin_once(words)
    end, vec = _ends(words)
    # A thin stroke's true end has paper straight ahead; a pixel jutting out of a
    # staircase stroke looks like an end too, but its "ahead" runs back along the stroke.
    h, w = ink.shape
    ahead = np.zeros(len(end), bool)
    for t in (1, 2):
        y = np.clip(np.rint(end[:, 0] + t * vec[:, 0]).astype(np.int64), 0, h - 1)
        x = np.clip(np.rint(end[:, 1] + t * vec[:, 1]).astype(np.int64), 0, w - 1)
        ahead |= ink[y, x]
    end, vec = end[~ahead], vec[~ahead]
    pos = [end.astype(np.float64)]
    vecs = [vec]
    if min(ink.shape) < 256:
        end, vec = _ends(_pack(thin(ink)))
        pos.append(end.astype(np.float64))
        vecs.append(vec)
    else:
        # Half resolution: a half pixel is ink when any of its four pixels is, so no
        # stroke breaks (gaps of a pixel or two close here; the full-resolution ends and
        # the trapped ball see those).  Positions at full resolution: a half pixel's centre.
        end, vec = _ends(_pack(thin(_half_cover(ink) > 0)))
        pos.append(end.astype(np.float64) * 2 + 0.5)
        vecs.append(vec)
    return np.concatenate(pos)[:, ::-1].copy(), np.concatenate(vecs)[:, ::-1].copy()


def tape_gaps(ink: np.ndarray, gap: int) -> np.ndarray:
    """bool[H, W]: one-pixel lines (not on ``ink``) closing the gaps of at most ``gap``
    px ahead of the stroke ends of bool[H, W] ``ink``."""
    tape = np.zeros(ink.shape, np.uint8)
    if gap <= 0 or not ink.any():
        return tape.view(bool)
    pos, vec = stroke_ends(ink)
    if len(pos) == 0:
        return tape.view(bool)
    h, w = ink.shape
    gap = int(round(gap * TAPE_REACH))
    # The skeleton end lies up to a couple of pixels inside the stroke's tip: the ray
    # first walks out of the ink (``lead``), then may cross at most ``gap`` of paper.
    lead = 4
    t = np.arange(lead + gap + 2, dtype=np.float64)
    angles = np.deg2rad(np.array(FAN_DEGREES, np.float64))
    c, s = np.cos(angles), np.sin(angles)
    # Ray directions [k, a, 2]: the stroke direction rotated by each fan angle.
    dx = vec[:, None, 0] * c[None] - vec[:, None, 1] * s[None]
    dy = vec[:, None, 0] * s[None] + vec[:, None, 1] * c[None]
    px = np.rint(pos[:, None, None, 0] + dx[..., None] * t).astype(np.int64)
    py = np.rint(pos[:, None, None, 1] + dy[..., None] * t).astype(np.int64)
    inside = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    on_ink = np.ones(px.shape, bool)  # outside the frame counts as a line: close to the edge
    on_ink[inside] = ink[py[inside], px[inside]]
    # Past the end's own ink (the last ink sample within the lead), then the first line
    # sample beyond it.
    head = on_ink[..., : lead + 1]
    last = np.where(head.any(axis=2), lead - np.argmax(head[..., ::-1], axis=2), -1)
    leave = last + 1
    left = last < lead  # a ray still on ink after the lead runs along a stroke
    after = on_ink & (t[None, None, :] >= leave[..., None])
    hit = np.argmax(after, axis=2)
    found = left & after.any(axis=2) & (hit - leave <= gap)
    _join_facing_ends(tape, ink, pos, vec, gap, lead)
    if not found.any():
        return tape.view(bool) & ~ink
    cost = np.where(found, (hit - leave) * (1.0 + np.abs(angles))[None], np.inf)
    best = np.argmin(cost, axis=1)
    k = np.nonzero(np.isfinite(cost[np.arange(len(pos)), best]))[0]
    a = best[k]
    i0, i1 = np.maximum(leave[k, a] - 1, 0), hit[k, a]
    x0, y0 = np.clip(px[k, a, i0], 0, w - 1), np.clip(py[k, a, i0], 0, h - 1)
    x1, y1 = np.clip(px[k, a, i1], 0, w - 1), np.clip(py[k, a, i1], 0, h - 1)
    for seg in np.stack([x0, y0, x1, y1], axis=1).tolist():
        cv2.line(tape, (seg[0], seg[1]), (seg[2], seg[3]), 1, 1, cv2.LINE_8)
    return tape.view(bool) & ~ink


def _join_facing_ends(
    tape: np.ndarray, ink: np.ndarray, pos: np.ndarray, vec: np.ndarray, gap: int, lead: int
) -> None:
    """Draw into uint8 ``tape`` a line between every two stroke ends that face each other
    (each within 60 degrees of pointing at the other) across at most ``gap`` px of
    paper: a stroke broken where it curves, whose ends' rays pass beside each other."""
    from scipy.spatial import cKDTree

    if len(pos) < 2:
        return
    pairs = cKDTree(pos).query_pairs(gap + 2 * lead, output_type="ndarray")
    if len(pairs) == 0:
        return
    a, b = pairs[:, 0], pairs[:, 1]
    u = pos[b] - pos[a]
    dist = np.linalg.norm(u, axis=1)
    u /= np.maximum(dist, 1e-9)[:, None]
    facing = ((vec[a] * u).sum(axis=1) >= 0.5) & ((vec[b] * u).sum(axis=1) <= -0.5)
    a, b, dist = a[facing], b[facing], dist[facing]
    if len(a) == 0:
        return
    # Paper crossed along each joining line, sampled at one pixel steps.
    h, w = ink.shape
    t = np.linspace(0.0, 1.0, gap + 2 * lead + 2)
    along = pos[a, None, :] + t[None, :, None] * (pos[b] - pos[a])[:, None, :]
    xs = np.clip(np.rint(along[..., 0]), 0, w - 1).astype(np.int64)
    ys = np.clip(np.rint(along[..., 1]), 0, h - 1).astype(np.int64)
    paper = (~ink[ys, xs]).mean(axis=1) * dist
    ends = np.rint(np.concatenate([pos[a], pos[b]], axis=1)).astype(np.int64)
    for seg in ends[paper <= gap].tolist():
        cv2.line(tape, (seg[0], seg[1]), (seg[2], seg[3]), 1, 1, cv2.LINE_8)
