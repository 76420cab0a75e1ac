"""The classical engine and propagation on procedural clips and on small built arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from linepaint.core.lineart import line_art_from_rgba
from linepaint.core.match.base import Reference
from linepaint.core.match.classic import ClassicMatcher
from linepaint.core.metrics import score_frame, summarise
from linepaint.core.propagate import plan, propagate
from linepaint.core.render import colour_layer, pack_colours, region_colours_from_image
from linepaint.core.segment import segment
from linepaint.core.strokes import with_strokes
from linepaint.synth import generate_clip


class SynthFrames:
    """A procedural clip as a FrameSequence, with keyframes at ``keys``."""

    def __init__(self, clip, keys):
        self.clip, self.keys = clip, set(keys)
        self._lines = [line_art_from_rgba(x) for x in clip.lines]
        self._segs = [segment(x) for x in self._lines]

    def __len__(self):
        return len(self.clip.lines)

    def stem(self, i):
        return f"{i:04d}"

    def line(self, i):
        return self._lines[i]

    def seg(self, i):
        return self._segs[i]

    def known_colours(self, i):
        return region_colours_from_image(self._segs[i], self.clip.gt[i]) if i in self.keys else None

    def with_cuts(self, i, cuts):
        line = with_strokes(self._lines[i], cuts)
        return line, segment(line)


@pytest.fixture(scope="module")
def clip():
    return generate_clip(4242, frames=5, size=(384, 384), difficulty=0.4)


def _score(frames, results):
    return summarise(
        [
            score_frame(
                colour_layer(r.seg, r.colours), frames.clip.gt[r.index], frames.line(r.index).ink, r.seg
            )
            for r in results
        ]
    )


def test_identity_match_is_perfect(clip):
    line = line_art_from_rgba(clip.lines[0])
    seg = segment(line)
    colours = region_colours_from_image(seg, clip.gt[0])
    res = ClassicMatcher().match([Reference(line, seg, colours)], line, seg)
    assert np.array_equal(res.colours[1:], colours[1:])
    assert res.confidence[1:].min() > 0.5
    assert (res.source[1:] == np.arange(1, seg.n + 1)).mean() > 0.95


def test_matcher_colours_a_moving_character(clip):
    frames = SynthFrames(clip, keys=[0])
    results = list(propagate(frames, ClassicMatcher(), mode="nearest"))
    assert [r.index for r in results] == [1, 2, 3, 4]
    s = _score(frames, results)
    assert s["fg_region_accuracy"] > 0.8, s
    assert s["pixel_accuracy"] > 0.93, s
    for r in results:
        assert r.colours.shape == (r.seg.n + 1, 4)
        assert ((r.confidence >= 0) & (r.confidence <= 1)).all()
        assert (r.colours[1:, 3] > 0).any()


def test_wrong_matches_are_less_confident(clip):
    frames = SynthFrames(clip, keys=[0])
    right, wrong = [], []
    for r in propagate(frames, ClassicMatcher()):
        truth = region_colours_from_image(r.seg, frames.clip.gt[r.index])
        ok = np.all(r.colours == truth, axis=1)[1:]
        right += r.confidence[1:][ok].tolist()
        wrong += r.confidence[1:][~ok].tolist()
    assert wrong, "expected at least one mistake on a moving clip"
    assert np.mean(wrong) < np.mean(right) - 0.1


def test_locked_regions_are_kept(clip):
    frames = SynthFrames(clip, keys=[0])
    seg = frames.seg(2)
    target = int(np.argmax(seg.area[1:])) + 1
    pink = (255, 0, 255, 255)
    out = {r.index: r for r in propagate(frames, ClassicMatcher(), locks={2: {target: pink}})}
    assert tuple(out[2].colours[target]) == pink
    assert out[2].confidence[target] == 1.0
    assert not np.all(out[1].colours == pink, axis=1).any()  # the lock is this frame's only


def test_forward_mode_carries_a_fix_to_later_frames(clip):
    """A frame the user finished becomes a reference: later frames take its fix."""
    frames = SynthFrames(clip, keys=[0])
    base = {r.index: r for r in propagate(frames, ClassicMatcher(), mode="forward")}
    seg1 = frames.seg(1)
    big = int(np.argmax(seg1.area[1:] * (base[1].colours[1:, 3] > 0))) + 1
    pink = (255, 0, 255, 255)
    fixed = {r.index: r for r in propagate(frames, ClassicMatcher(), mode="forward", locks={1: {big: pink}})}
    for i in (2, 3):
        n_pink = int((np.all(fixed[i].colours == pink, axis=1) * fixed[i].seg.area).sum())
        assert n_pink > 0.5 * seg1.area[big], (i, n_pink)
        assert not np.all(base[i].colours == pink, axis=1).any()


def test_several_keyframes_and_plan():
    steps = plan(7, known=[0, 6], mode="nearest")
    # Between two keyframes, both feed the frame, the nearer first.
    assert dict(steps)[3] == [0, 6]
    assert dict(steps)[1] == [0, 6] and dict(steps)[5] == [6, 0]
    # Outside them, only the nearest one.
    assert dict(plan(9, known=[2, 6], mode="nearest"))[0] == [2]
    assert dict(plan(9, known=[2, 4, 6], mode="nearest"))[3] == [2, 4]
    fwd = plan(7, known=[0, 6], mode="forward")
    order = [i for i, _ in fwd]
    # A chain: the two neighbours towards the nearer keyframe, nearest first, then the
    # keyframes on either side, as nearest takes them.
    assert dict(fwd)[3] == [2, 1, 0, 6]
    assert dict(fwd)[2] == [1, 0, 6] and dict(fwd)[4] == [5, 6, 0]
    assert dict(fwd)[1] == [0, 6] and dict(fwd)[5] == [6, 0]
    assert dict(plan(9, known=[8], mode="forward"))[2] == [3, 4, 8]
    assert order.index(1) < order.index(2)
    assert plan(3, known=[], mode="nearest") == []


def test_propagate_yields_only_what_is_asked(clip):
    frames = SynthFrames(clip, keys=[0, 4])
    got = [r.index for r in propagate(frames, ClassicMatcher(), mode="forward", only=[3])]
    assert got == [3]


class CountingMatcher(ClassicMatcher):
    """The classical engine, noting which target frames it was asked to colour."""

    def __init__(self):
        super().__init__()
        self.targets: list[int] = []

    def match(self, refs, target_line, target, locked=None):
        self.targets.append(id(target))
        return super().match(refs, target_line, target, locked=locked)


def test_propagate_solves_only_the_frames_the_wanted_ones_need(clip):
    """``only`` skips the work for frames nobody asked for (a resumed batch), but still
    solves a forward chain's stepping stones."""
    frames = SynthFrames(clip, keys=[0])
    seg_id = {id(frames.seg(i)): i for i in range(len(frames))}
    m = CountingMatcher()
    assert [r.index for r in propagate(frames, m, mode="nearest", only=[3])] == [3]
    assert [seg_id[t] for t in m.targets] == [3]
    m = CountingMatcher()
    assert [r.index for r in propagate(frames, m, mode="forward", only=[2])] == [2]
    assert [seg_id[t] for t in m.targets] == [1, 2]


def _engines():
    from linepaint.core.match import get_matcher

    yield ClassicMatcher()
    try:
        from linepaint.core.match.learned import weights_available
    except ImportError:
        return
    if weights_available():
        yield get_matcher("learned", "cpu")


def test_a_blank_keyframe_or_an_all_ink_one_colours_nothing_and_does_not_crash(clip):
    """A keyframe of empty paper (the character not in shot yet) is one region with no
    neighbours; an all-ink one has none.  Both engines take what there is to take."""
    h, w = clip.lines[0].shape[:2]
    blank_line = line_art_from_rgba(np.zeros((h, w, 4), np.uint8))
    blank_seg = segment(blank_line)
    assert blank_seg.n == 1
    blank = Reference(blank_line, blank_seg, np.array([[0, 0, 0, 0], [0, 0, 0, 0]], np.uint8))
    inked = np.zeros((h, w, 4), np.uint8)
    inked[..., 3] = 255
    ink_line = line_art_from_rgba(inked)
    ink_ref = Reference(ink_line, segment(ink_line), np.zeros((1, 4), np.uint8))
    assert ink_ref.seg.n == 0
    good_line = line_art_from_rgba(clip.lines[0])
    good_seg = segment(good_line)
    good = Reference(good_line, good_seg, region_colours_from_image(good_seg, clip.gt[0]))
    tl = line_art_from_rgba(clip.lines[1])
    ts = segment(tl)
    for m in _engines():
        res = m.match([blank], tl, ts)
        assert (res.colours[1:, 3] == 0).all()  # nothing but transparency to give
        # The unusable reference first: what is reported points into the caller's list.
        res = m.match([ink_ref, good], tl, ts)
        used = res.ref_index[1:][res.source[1:] > 0]
        assert len(used) > 0.8 * ts.n and (used == 1).all(), m.name
        assert (res.colours[1:, 3] > 0).mean() > 0.5


@pytest.mark.parametrize("size", [(1, 1), (11, 11), (30, 5), (5, 30), (3000, 8)])
def test_frames_too_small_for_optical_flow_are_still_coloured(size):
    """Thumbnails, slivers, a strip of a frame: the flow falls back to the global
    alignment instead of failing inside OpenCV."""
    w, h = size
    rng = np.random.default_rng(w * 31 + h)
    gt = np.zeros((h, w, 4), np.uint8)
    gt[...] = (200, 40, 40, 255)
    line = np.zeros((h, w, 4), np.uint8)
    if min(w, h) > 2:  # a stroke across the middle splits it into two colours
        line[h // 2, :, 3] = 255 if h <= w else 0
        line[:, w // 2, 3] = 255 if w < h else line[:, w // 2, 3]
        half = (slice(h // 2 + 1, None), slice(None)) if h <= w else (slice(None), slice(w // 2 + 1, None))
        gt[half] = (40, 40, 200, 255)
    ll = line_art_from_rgba(line)
    seg = segment(ll)
    ref = Reference(ll, seg, region_colours_from_image(seg, gt))
    tl = line_art_from_rgba(np.roll(line, int(rng.integers(0, 2)), axis=1))
    ts = segment(tl)
    for m in _engines():
        res = m.match([ref], tl, ts)
        assert len(res.colours) == ts.n + 1
        assert (res.colours[1:, 3] == 255).all(), (m.name, size)


def test_an_all_ink_keyframe_has_an_empty_colour_table():
    inked = np.zeros((20, 20, 4), np.uint8)
    inked[..., 3] = 255
    seg = segment(line_art_from_rgba(inked))
    assert seg.n == 0
    colours = region_colours_from_image(seg, np.full((20, 20, 4), 255, np.uint8))
    assert colours.shape == (1, 4)


def test_line_art_scanned_on_paper_colours_like_the_original(clip):
    """The same clip as grey JPEG scans on white (another studio's delivery): the
    colour-trace lines turn grey and JPEG rings the strokes, yet it colours about as well."""
    from linepaint.core.deform import as_scan

    scores = {}
    for look in ("rgba", "scan"):
        lines = [as_scan(x) if look == "scan" else x for x in clip.lines]
        arts = [line_art_from_rgba(x) for x in lines]
        segs = [segment(a) for a in arts]
        ref = Reference(arts[0], segs[0], region_colours_from_image(segs[0], clip.gt[0]))
        frames = []
        for i in (1, 2):
            res = ClassicMatcher().match([ref], arts[i], segs[i])
            frames.append(score_frame(colour_layer(segs[i], res.colours), clip.gt[i], arts[i].ink, segs[i]))
        scores[look] = summarise(frames)["fg_region_accuracy"]
    assert scores["rgba"] > 0.8, scores
    assert scores["scan"] >= scores["rgba"] - 0.03, scores


def test_the_colour_posterior_is_a_table_over_any_palette(clip):
    """The classical engine's posterior, typed: a table over a palette holds each listed
    (region, colour) probability in that colour's column, its best column is the chosen
    colour, and a palette without a colour leaves that colour out."""
    frames = SynthFrames(clip, keys=[0])
    ref = Reference(frames.line(0), frames.seg(0), frames.known_colours(0))
    res = ClassicMatcher().match([ref], frames.line(1), frames.seg(1))
    post = res.posterior
    n = frames.seg(1).n
    palette = np.unique(pack_colours(ref.colours[1:]))
    table = post.table(palette, n)
    assert table.shape == (n, len(palette))
    col = np.searchsorted(palette, post.colours)
    assert np.allclose(table[post.regions - 1, col], post.probs)
    assert np.max(np.maximum(table, 0).sum(1)) <= 1.0 + 1e-5
    chosen = pack_colours(res.colours[1:])
    assert np.array_equal(palette[table.argmax(1)], chosen)
    fewer = post.table(palette[palette != chosen[0]], n)
    assert fewer.shape == (n, len(palette) - 1)
    assert np.isclose(fewer[0].sum(), table[0].sum() - table[0].max(), atol=1e-6)


def test_the_model_reads_the_core_matchers_only_through_their_contract():
    """linepaint.model imports nothing from linepaint.core.match but ``base``: the
    learned engine's adapter imports the model, so anything more is an import loop."""
    import ast

    model = Path(__file__).resolve().parents[1] / "linepaint" / "model"
    bad = []
    for f in model.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and "match" in node.module:
                if not node.module.endswith("match.base"):
                    bad.append(f"{f.name}: {node.module}")
    assert not bad


@pytest.mark.parametrize("mode", ["nearest", "forward"])
def test_a_frame_between_two_keyframes_takes_a_part_only_the_farther_one_shows(mode):
    """The hand is missing from keyframe 0 and drawn in keyframe 4: frame 1, nearer to 0,
    still gets the hand's colour, from keyframe 4 (one keyframe alone could not)."""
    from types import SimpleNamespace

    from samples import HAND, draw_figure

    drawings = [draw_figure((320, 150), 90, None)] + [
        draw_figure((320 - 10 * i, 150), 90, (250 + 4 * i, 250)) for i in range(1, 5)
    ]
    sketch = SimpleNamespace(lines=[d[0] for d in drawings], gt=[d[1] for d in drawings])
    both = {r.index: r for r in propagate(SynthFrames(sketch, keys=[0, 4]), ClassicMatcher(), mode=mode)}
    seg = both[1].seg
    hand = int(np.flatnonzero(np.all(region_colours_from_image(seg, sketch.gt[1]) == HAND, axis=1))[0])
    assert tuple(both[1].colours[hand]) == HAND
    assert both[1].reference in (0, 4)
    alone = {r.index: r for r in propagate(SynthFrames(sketch, keys=[0]), ClassicMatcher(), mode=mode)}
    assert tuple(alone[1].colours[hand]) != HAND


def _boxes(shape, boxes):
    """Line art of black rectangle outlines on white, and its segmentation."""
    rgba = np.full((*shape, 4), 255, np.uint8)
    for x0, y0, x1, y1 in boxes:
        rgba[y0 : y1 + 1, x0 : x0 + 2, :3] = 0
        rgba[y0 : y1 + 1, x1 - 1 : x1 + 1, :3] = 0
        rgba[y0 : y0 + 2, x0 : x1 + 1, :3] = 0
        rgba[y1 - 1 : y1 + 1, x0 : x1 + 1, :3] = 0
    line = line_art_from_rgba(rgba)
    return line, segment(line)


def _best(T, R, score, t):
    sel = np.nonzero(T == t)[0]
    return int(R[sel[np.argmax(score[sel])]])


def test_the_balance_gives_an_unclaimed_reference_region_to_the_weaker_of_two_claimants():
    from linepaint.core.match.classic import balance

    line, seg = _boxes((120, 200), [(10, 10, 60, 60), (100, 10, 150, 60)])
    ref = Reference(line, seg, np.zeros((seg.n + 1, 4), np.uint8))
    a, b = seg.labels[30, 30], seg.labels[30, 120]
    back = seg.labels[100, 5]
    # The warp laid both target boxes over reference box a; box b went unclaimed.
    T = np.array([back, a, a, b, b])
    R = np.array([back, a, b, a, b])
    score = np.array([5.0, 3.0, 0.0, 2.5, 0.5])
    RI = np.zeros(len(T), np.int64)
    assert _best(T, R, score, b) == a
    balanced = balance(T, R, RI, score, seg, [ref])
    assert _best(T, R, balanced, a) == a
    assert _best(T, R, balanced, b) == b
    assert _best(T, R, balanced, back) == back


def test_the_balance_keeps_both_pieces_of_a_split_region_and_a_clear_preference():
    from linepaint.core.match.classic import balance

    rline, rseg = _boxes((120, 200), [(10, 10, 110, 60), (140, 10, 190, 60)])
    ref = Reference(rline, rseg, np.zeros((rseg.n + 1, 4), np.uint8))
    ra, rb = rseg.labels[30, 50], rseg.labels[30, 160]
    rback = rseg.labels[100, 5]
    # The target's long box is drawn as two halves; reference box b has no counterpart.
    tline, tseg = _boxes((120, 200), [(10, 10, 60, 60), (60, 10, 110, 60)])
    t1, t2 = tseg.labels[30, 30], tseg.labels[30, 90]
    tback = tseg.labels[100, 5]
    T = np.array([tback, t1, t1, t2, t2])
    R = np.array([rback, ra, rb, ra, rb])
    score = np.array([5.0, 3.0, 0.0, 2.8, -1.0])
    balanced = balance(T, R, np.zeros(len(T), np.int64), score, tseg, [ref])
    assert _best(T, R, balanced, t1) == ra
    assert _best(T, R, balanced, t2) == ra


def test_the_learned_engine_balances_the_networks_matches_the_same_way():
    pytest.importorskip("torch")
    from linepaint.core.match.learned import _balanced
    from linepaint.model.infer import PairPrediction, colour_probabilities

    line, seg = _boxes((120, 200), [(10, 10, 60, 60), (100, 10, 150, 60)])
    a, b, back = seg.labels[30, 30], seg.labels[30, 120], seg.labels[100, 5]
    colours = np.zeros((seg.n + 1, 4), np.uint8)
    colours[a], colours[b], colours[back] = (200, 0, 0, 255), (0, 0, 200, 255), (0, 0, 0, 0)
    ref = Reference(line, seg, colours)
    # Rows: target regions 1..n; columns: reference regions 1..n, then the dustbin.
    probs = np.full((seg.n, seg.n + 1), 0.01, np.float32)
    probs[back - 1, back - 1] = 0.9
    probs[a - 1, a - 1], probs[a - 1, b - 1] = 0.8, 0.05
    probs[b - 1, a - 1], probs[b - 1, b - 1] = 0.6, 0.3
    probs /= probs.sum(axis=1, keepdims=True)
    palette, cprobs = colour_probabilities(probs, colours)
    out = _balanced(PairPrediction(probs, palette, cprobs), ref, seg)
    assert out.probs[:, :-1].argmax(1)[b - 1] == b - 1
    assert out.probs[:, :-1].argmax(1)[a - 1] == a - 1
    assert np.allclose(out.probs.sum(axis=1), 1.0)
    blue = int(np.searchsorted(out.palette, pack_colours(colours[b : b + 1])[0]))
    assert out.colour_probs[b - 1].argmax() == blue


def test_a_part_with_no_counterpart_in_the_reference_is_in_doubt_not_confidently_wrong():
    from linepaint.core.project import DOUBT_THRESHOLD

    rline, rseg = _boxes((200, 300), [(20, 20, 100, 100), (130, 20, 210, 100)])
    colours = np.zeros((rseg.n + 1, 4), np.uint8)
    colours[rseg.labels[60, 60]] = (200, 40, 40, 255)
    colours[rseg.labels[60, 170]] = (40, 40, 200, 255)
    # The same two boxes, moved a little, and a strap that was not there before.
    tline, tseg = _boxes((200, 300), [(22, 24, 102, 104), (132, 24, 212, 104), (250, 150, 270, 170)])
    res = ClassicMatcher().match([Reference(rline, rseg, colours)], tline, tseg)
    a, b, new = tseg.labels[60, 60], tseg.labels[60, 170], tseg.labels[160, 260]
    assert tuple(res.colours[a]) == (200, 40, 40, 255)
    assert tuple(res.colours[b]) == (40, 40, 200, 255)
    assert res.confidence[a] >= DOUBT_THRESHOLD and res.confidence[b] >= DOUBT_THRESHOLD
    assert res.confidence[new] < DOUBT_THRESHOLD


def test_overlap_votes_count_each_regions_share_in_both_directions():
    from linepaint.core.match.classic import _lookup, _overlap_votes

    labels = np.array([[1, 1, 1, 1, 0, 2, 2]], np.int32)  # 0: ink
    warped = np.array([[1, 1, 1, 3, 3, 3, 3]], np.int32)  # the other frame's labels
    weight = (labels > 0).astype(np.float64)
    a, b, share = _overlap_votes(labels, weight, warped, 2, 3)
    got = {(int(x), int(y)): round(float(s), 3) for x, y, s in zip(a, b, share, strict=True)}
    assert got == {(1, 1): 0.75, (1, 3): 0.25, (2, 3): 1.0}
    codes = np.array([1 * 4 + 1, 1 * 4 + 2, 2 * 4 + 3])
    assert _lookup(codes, a * 4 + b, share).tolist() == [0.75, 0.0, 1.0]
    assert _lookup(codes, np.zeros(0, np.int64), np.zeros(0)).tolist() == [0.0, 0.0, 0.0]


def test_forward_takes_a_part_hidden_in_the_last_drawing_from_the_one_before():
    """The keyframe has no hand; the colourist painted it in drawing 1; drawing 2 hides it
    and drawing 3 shows it again.  Coloured from the two drawings before it (and the
    keyframe), drawing 3 takes the painted hand, and drawing 4 follows."""
    from types import SimpleNamespace

    from samples import HAND, draw_figure

    hands = [None, (250, 250), None, (262, 250), (268, 250)]
    drawings = [draw_figure((320 - 5 * i, 150), 90, h) for i, h in enumerate(hands)]
    sketch = SimpleNamespace(lines=[d[0] for d in drawings], gt=[d[1] for d in drawings])
    frames = SynthFrames(sketch, keys=[0])

    def hand(i):
        truth = region_colours_from_image(frames.seg(i), sketch.gt[i])
        return int(np.flatnonzero(np.all(truth == HAND, axis=1))[0])

    assert dict(plan(5, known=[0], mode="forward"))[3] == [2, 1, 0]
    painted = {1: {hand(1): HAND}}
    got = {r.index: r for r in propagate(frames, ClassicMatcher(), mode="forward", locks=painted)}
    for i in (3, 4):
        assert tuple(got[i].colours[hand(i)]) == HAND, i
        assert got[i].confidence[hand(i)] >= 0.5, i


def test_the_learned_engine_takes_a_part_from_the_keyframe_that_shows_it_with_confidence():
    """Keyframe 0 has no hand, keyframe 4 has one: the network's guesses from keyframe 0
    (where the classical engine places none of the hand) do not water down keyframe 4's
    word, so the hand is coloured and above the doubt line, not averaged into doubt (plain
    averaging of the two keyframes' words leaves it near 0.2)."""
    pytest.importorskip("torch")
    from types import SimpleNamespace

    from samples import HAND, draw_figure

    from linepaint.core.match.learned import LearnedMatcher, weights_available
    from linepaint.core.project import DOUBT_THRESHOLD

    if not weights_available():
        pytest.skip("no shipped weights")
    drawings = [draw_figure((320, 150), 90, None)] + [
        draw_figure((320 - 10 * i, 150), 90, (250 + 4 * i, 250)) for i in range(1, 5)
    ]
    sketch = SimpleNamespace(lines=[d[0] for d in drawings], gt=[d[1] for d in drawings])
    got = {r.index: r for r in propagate(SynthFrames(sketch, keys=[0, 4]), LearnedMatcher("cpu"))}
    for i in (1, 2):
        truth = region_colours_from_image(got[i].seg, sketch.gt[i])
        hand = int(np.flatnonzero(np.all(truth == HAND, axis=1))[0])
        assert tuple(got[i].colours[hand]) == HAND, i
        assert got[i].confidence[hand] >= DOUBT_THRESHOLD, (i, got[i].confidence[hand])


def test_forward_makes_each_references_crops_once(monkeypatch):
    """A forward frame between two keyframes is coloured from four references, three of
    which the next frame on its side uses again: the learned engine keeps them all, and
    makes each reference's crops and tokens once in the whole run."""
    pytest.importorskip("torch")
    from types import SimpleNamespace

    from samples import draw_figure

    import linepaint.model.features as features
    from linepaint.core.match.learned import LearnedMatcher, weights_available

    if not weights_available():
        pytest.skip("no shipped weights")
    made = []
    real = features.reference_inputs
    monkeypatch.setattr(features, "reference_inputs", lambda line, *a: made.append(line) or real(line, *a))
    drawings = [draw_figure((320 - 6 * i, 150), 90 - 4 * i, (250 + 3 * i, 250)) for i in range(9)]
    sketch = SimpleNamespace(lines=[d[0] for d in drawings], gt=[d[1] for d in drawings])
    frames = SynthFrames(sketch, keys=[0, 8])
    assert len(list(propagate(frames, LearnedMatcher("cpu"), mode="forward"))) == 7
    used = {r for _, refs in plan(9, known=[0, 8], mode="forward") for r in refs}
    assert len(made) == len(used)
