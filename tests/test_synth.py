"""Tests of the procedural clip generator: determinism, exact ground truth, layout on disk."""

from __future__ import annotations

import numpy as np
import pytest

from linepaint.core.image_io import read_rgba
from linepaint.core.lineart import line_art_from_rgba
from linepaint.synth import decode_seg, generate_clip, make_demo, write_clip, write_clips

SIZE = (192, 160)


@pytest.fixture(scope="module")
def clips():
    return [generate_clip(s, frames=4, size=SIZE, difficulty=0.6) for s in range(6)]


def test_shapes_and_dtypes(clips):
    c = clips[0]
    assert c.frames == 4
    for line, gt, seg in zip(c.lines, c.gt, c.seg, strict=True):
        assert line.shape == (160, 192, 4) and line.dtype == np.uint8
        assert gt.shape == (160, 192, 4) and gt.dtype == np.uint8
        assert seg.shape == (160, 192) and seg.dtype == np.int32
    assert c.palette[1] == (0, 0, 0, 0)


def test_deterministic_by_seed():
    a = generate_clip(3, frames=3, size=SIZE)
    b = generate_clip(3, frames=3, size=SIZE)
    c = generate_clip(4, frames=3, size=SIZE)
    for x, y in zip(a.lines + a.gt + a.seg, b.lines + b.gt + b.seg, strict=True):
        assert np.array_equal(x, y)
    assert a.palette == b.palette
    assert not np.array_equal(a.lines[0], c.lines[0])


def test_gt_is_palette_of_seg_in_every_frame(clips):
    for c in clips:
        lut = c.lut()
        for gt, seg in zip(c.gt, c.seg, strict=True):
            assert np.array_equal(lut[seg], gt)
            black = (gt == (0, 0, 0, 255)).all(axis=2)
            assert np.array_equal(black, seg == 0)
            assert (gt[seg == 1, 3] == 0).all()
            assert (gt[seg >= 2, 3] == 255).all()


def test_ids_correspond_across_frames(clips):
    for c in clips:
        shared = set(np.unique(c.seg[0])) & set(np.unique(c.seg[-1])) - {0, 1}
        assert len(shared) >= 10
        for i in shared:
            cols = {tuple(gt[seg == i][0]) for gt, seg in zip(c.gt, c.seg, strict=True) if (seg == i).any()}
            assert len(cols) == 1


def test_colours_are_reused(clips):
    for c in clips:
        colours = [v for k, v in c.palette.items() if k >= 2]
        assert len(set(colours)) < len(colours) - 5  # eyes, arms, hands share colours


def test_line_alpha_is_antialiased(clips):
    a = clips[0].lines[0][..., 3]
    soft = ((a > 0) & (a < 255)).sum()
    assert soft > 0.2 * (a > 0).sum()
    assert (clips[0].lines[0][a == 0, :3] == 0).all()


def test_trace_lines_present(clips):
    for c in clips:
        rgb = c.lines[0][..., :3]
        red = (rgb == (255, 0, 0)).all(axis=2)
        blue = (rgb == (0, 0, 255)).all(axis=2)
        assert blue.sum() > 20
        assert red.sum() + blue.sum() > 40
        la = line_art_from_rgba(c.lines[0])
        assert la.trace.sum() > 40
        # a trace pixel is painted with the colour of its region, never black
        assert (c.seg[0][la.trace] >= 1).all()


def _moved(seed: int, difficulty: float) -> float:
    c = generate_clip(seed, frames=3, size=SIZE, difficulty=difficulty)
    assert not np.array_equal(c.lines[0], c.lines[2])
    return float((c.seg[0] != c.seg[2]).mean())


def test_motion_present_and_grows_with_difficulty():
    small = np.mean([_moved(s, 0.0) for s in range(3)])
    large = np.mean([_moved(s, 1.0) for s in range(3)])
    assert 0 < small < large


def test_gt_black_is_line_ink(clips):
    for c in clips:
        for line, gt in zip(c.lines, c.gt, strict=True):
            la = line_art_from_rgba(line)
            black = (gt == (0, 0, 0, 255)).all(axis=2)
            ink = la.ink & ~la.trace
            assert (black != ink).mean() < 1e-3


@pytest.mark.parametrize("motion", ["default", "real"])
def test_regions_closed_without_gaps(monkeypatch, motion):
    """With deliberate gaps switched off, no 4-connected paper area spans two regions."""
    import cv2

    from linepaint.synth import render

    monkeypatch.setattr(render.Canvas, "_gap", lambda self, width: 0.0)
    for s in range(3):
        c = generate_clip(s, frames=2 if motion == "default" else 5, size=(256, 256), motion=motion)
        for line, seg in zip(c.lines, c.seg, strict=True):
            ink = line_art_from_rgba(line).ink
            _, lab = cv2.connectedComponents((~ink).astype(np.uint8), connectivity=4)
            m = ~ink
            pairs = np.unique(np.stack([lab[m], seg[m]], 1), axis=0)
            labs, counts = np.unique(pairs[:, 0], return_counts=True)
            for lb in labs[counts > 1]:
                _, n = np.unique(seg[lab == lb], return_counts=True)
                assert (n >= 12).sum() <= 1, f"seed {s}: regions leak into each other"


def test_write_clip_layout(tmp_path, clips):
    c = clips[1]
    write_clip(c, tmp_path / "clip")
    for sub in ("line", "gt", "seg"):
        names = sorted(p.name for p in (tmp_path / "clip" / sub).iterdir())
        assert names == [f"{i:04d}.png" for i in range(c.frames)]
    assert np.array_equal(read_rgba(tmp_path / "clip" / "line" / "0002.png"), c.lines[2])
    assert np.array_equal(read_rgba(tmp_path / "clip" / "gt" / "0003.png"), c.gt[3])
    assert np.array_equal(decode_seg(read_rgba(tmp_path / "clip" / "seg" / "0001.png")), c.seg[1])


def test_write_clips_uses_distinct_seeds(tmp_path):
    paths = write_clips(tmp_path, clips=2, frames=2, seed=5, size=(96, 96))
    assert [p.name for p in paths] == ["clip_000", "clip_001"]
    a = read_rgba(paths[0] / "line" / "0000.png")
    b = read_rgba(paths[1] / "line" / "0000.png")
    assert not np.array_equal(a, b)


def test_demo_is_small_with_one_keyframe(tmp_path):
    make_demo(tmp_path)
    assert sorted(p.name for p in (tmp_path / "gt").iterdir()) == ["0000.png"]
    assert len(list((tmp_path / "line").iterdir())) == 8
    assert not (tmp_path / "seg").exists()
    assert sum(p.stat().st_size for p in tmp_path.rglob("*.png")) < 300_000


def _frames_hash(clip) -> str:
    import hashlib

    h = hashlib.sha256()
    for a in clip.lines + clip.gt + clip.seg:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


#: Hashes of every frame of the default generator, taken before build_character was split
#: by body part and before long clips were kept in frame.  The shipped weights were trained
#: on this data and the tests' seeds pick these clips, so the default output must not move.
PINNED = {
    0: "07ad7e0a5ba48805",
    1: "1e0cb60449ba987e",
    2: "161cbe7d4f0074cf",
    5: "94b5a85d383b1e6a",
}


@pytest.mark.parametrize("seed", sorted(PINNED))
def test_default_clips_are_pinned(seed):
    assert _frames_hash(generate_clip(seed, frames=8, size=(160, 128), difficulty=0.7)) == PINNED[seed]


@pytest.mark.parametrize("seed", [5, 0, 3, 7])
def test_long_clips_keep_the_character_in_frame(seed):
    """120 frames: every steady drift (walk, lean, zoom, camera pan/roll) is bounded.  All
    motion scales with the canvas, so 128x72 stands for 1920x1080 (where seed 5 used to
    leave the shot by frame 40)."""
    c = generate_clip(seed, frames=120, size=(128, 72))
    area = np.array([(s >= 2).sum() for s in c.seg])
    assert area[0] > 0
    assert area.min() >= 0.25 * area[0]


# --- motion="real": drawn animation -------------------------------------------------------

REAL_SEEDS = range(20, 26)


@pytest.fixture(scope="module")
def real_clips():
    return [generate_clip(s, frames=9, size=(256, 192), difficulty=0.5, motion="real") for s in REAL_SEEDS]


def test_real_motion_is_deterministic_with_exact_ground_truth(real_clips):
    again = generate_clip(REAL_SEEDS[0], frames=9, size=(256, 192), difficulty=0.5, motion="real")
    for x, y in zip(again.lines + again.seg, real_clips[0].lines + real_clips[0].seg, strict=True):
        assert np.array_equal(x, y)
    for c in real_clips:
        lut = c.lut()
        for gt, seg in zip(c.gt, c.seg, strict=True):
            assert np.array_equal(lut[seg], gt)
        shared = set(np.unique(c.seg[0])) & set(np.unique(c.seg[8])) - {0, 1}
        for i in shared:
            cols = {tuple(gt[seg == i][0]) for gt, seg in zip(c.gt, c.seg, strict=True) if (seg == i).any()}
            assert len(cols) == 1


def _articulation(c, a: int, b: int) -> float:
    """How far the parts move against each other between drawings a and b: RMS residual of
    the region centroids after the best similarity transform (pan, zoom, roll removed),
    over the centroids' spread."""
    ids = sorted(set(np.unique(c.seg[a])) & set(np.unique(c.seg[b])) - {0, 1})
    p = np.array([np.argwhere(c.seg[a] == i).mean(0) for i in ids])
    q = np.array([np.argwhere(c.seg[b] == i).mean(0) for i in ids])
    p0, q0 = p - p.mean(0), q - q.mean(0)
    u, sv, vt = np.linalg.svd(p0.T @ q0)
    r = u @ vt
    k = sv.sum() / (p0**2).sum()
    return float(np.sqrt(((p0 @ r * k - q0) ** 2).sum(1).mean() / (q0**2).sum(1).mean()))


def test_real_motion_moves_far_more_than_the_default():
    """Drawings 4 apart: parts move against each other (not the whole shot) much more."""

    def moved(motion):
        clips = (
            generate_clip(s, frames=5, size=(192, 144), motion=motion, background=False) for s in REAL_SEEDS
        )
        return float(np.mean([_articulation(c, 0, 4) for c in clips]))

    assert moved("real") > 1.6 * moved("default")


def test_real_motion_regions_appear_and_disappear(real_clips):
    """Besides blinks and the mouth, parts come and go: over the set, some region id of one
    drawing is missing from another drawing of the same clip."""
    comings = 0
    for c in real_clips:
        ids = [set(np.unique(s)) - {0, 1} for s in c.seg]
        comings += sum(len(ids[0] ^ ids[k]) for k in (1, 4, 8))
    assert comings >= 3 * len(real_clips)


def _plans(n=8):
    from linepaint.synth.acting import plan_acting, role
    from linepaint.synth.character import build_character

    for s in range(n):
        rng = np.random.default_rng(s)
        char = build_character(rng, acting=True)
        yield char, plan_acting(rng, char, 9, (0.0, 0.0), 50.0, 0.95), role


def test_real_motion_swings_limbs_and_changes_z_order():
    for char, mo, role in _plans():
        limbs = [i for i, p in enumerate(char.parts) if role(p)[0] in ("sleeve", "leg", "forearm")]
        swing4 = np.abs(mo.angle[4:, limbs] - mo.angle[:-4, limbs]).max()
        assert 30 <= swing4 <= 180, f"{mo.action}: {swing4:.0f} degrees"
        # some part changes its drawing order against another over the clip
        order = np.argsort(mo.z, axis=1, kind="stable")
        assert (order != order[0]).any(), mo.action


def test_real_motion_turns_and_squashes():
    turned = squashed = 0
    for _, mo, _ in _plans():
        turned += mo.turn.min() < 0.97
        squashed += (mo.squash[:, 1] < 0.99).any()
    assert turned >= 6 and squashed >= 3


def test_real_motion_stays_in_frame_over_long_clips():
    c = generate_clip(5, frames=60, size=(128, 96), motion="real", background=False)
    area = np.array([(s >= 2).sum() for s in c.seg])
    assert area.min() >= 0.4 * area.max()


def test_unknown_motion_is_refused():
    with pytest.raises(ValueError, match="motion"):
        generate_clip(1, frames=1, size=(64, 64), motion="wobbly")


def test_training_draws_real_motion_clips_by_share():
    pytest.importorskip("torch")
    from linepaint.model.train import _parser, settings_from_args, synth_clip_fn

    s = settings_from_args(_parser().parse_args(["--real-motion", "0.5", "--frames", "9"]))
    assert s.real_motion == 0.5 and s.frames == 9
    size = (96, 80)
    real = synth_clip_fn(size, 2, 0.5, real_motion=1.0)(31)
    default = synth_clip_fn(size, 2, 0.5)(31)
    assert np.array_equal(real.seg[1], generate_clip(31, 2, size, 0.5, motion="real").seg[1])
    assert np.array_equal(default.seg[1], generate_clip(31, 2, size, 0.5).seg[1])
    mixed = synth_clip_fn(size, 1, 0.5, real_motion=0.5)
    kinds = {
        np.array_equal(mixed(k).seg[0], generate_clip(k, 1, size, 0.5, motion="real").seg[0])
        for k in range(8)
    }
    assert kinds == {True, False}


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.mark.parametrize("motion", ["default", "real"])
def test_redraw_varies_the_outlines_of_the_same_drawings(motion):
    """``redraw`` draws every part a little differently, as an animator's next drawing
    would: the same parts in the same poses with the same colours, each outline moved by
    a few percent of its size, and the ground truth still exact."""
    size = (256, 192)
    plain = generate_clip(3, frames=3, size=size, motion=motion, background=False)
    drawn = generate_clip(3, frames=3, size=size, motion=motion, background=False, redraw=0.05)
    assert plain.palette == drawn.palette
    lut = drawn.lut()
    moved = 0
    for t in range(3):
        assert np.array_equal(lut[drawn.seg[t]], drawn.gt[t])
        ids, counts = np.unique(plain.seg[t], return_counts=True)
        big = ids[(ids >= 2) & (counts >= 200)]
        assert len(big) >= 5
        ious = [_iou(plain.seg[t] == i, drawn.seg[t] == i) for i in big]
        # the same part, where it was (a thin part overlaps itself less for the same move)
        assert np.median(ious) >= 0.7 and min(ious) >= 0.25, ious
        moved += sum(v < 0.97 for v in ious)
    assert moved >= 5


@pytest.mark.parametrize(("option", "amount"), [("redraw", 0.06), ("sketch", 3.0)])
def test_training_draws_hand_drawn_clips(option, amount):
    """``linepaint train --redraw`` / ``--sketch`` reach the generator; without them the
    training clips are the plain ones.  Stroke tails only add ink."""
    pytest.importorskip("torch")
    from linepaint.model.train import _parser, settings_from_args, synth_clip_fn

    assert getattr(settings_from_args(_parser().parse_args([])), option) == 0.0
    assert getattr(settings_from_args(_parser().parse_args([f"--{option}", str(amount)])), option) == amount
    size = (160, 120)
    plain = synth_clip_fn(size, 2, 0.5, real_motion=1.0)(41)
    drawn = synth_clip_fn(size, 2, 0.5, real_motion=1.0, **{option: amount})(41)
    assert np.array_equal(plain.seg[1], generate_clip(41, 2, size, 0.5, motion="real").seg[1])
    assert plain.palette == drawn.palette
    changed = plain.seg[1] != drawn.seg[1]
    assert changed.any()
    if option == "sketch":
        assert (drawn.seg[1][changed] == 0).all()


def test_sketch_adds_stroke_tails_that_cut_pockets_with_exact_truth():
    """``sketch`` draws short strokes off the lines, as a hand's strokes run on past where
    they meet: the same drawing with more ink, every other pixel keeping its region (a
    pocket cut off by a tail is still the region it was), so the truth stays exact, and
    the app's segmentation finds more small pockets than in the clean drawing."""
    from linepaint.core.lineart import line_art_from_rgba
    from linepaint.core.segment import segment

    size = (320, 240)
    kw = {"frames": 2, "size": size, "motion": "real", "background": False}
    plain = generate_clip(5, **kw)
    assert np.array_equal(plain.seg[1], generate_clip(5, **kw, sketch=0.0).seg[1])
    drawn = generate_clip(5, **kw, sketch=3.0)
    assert plain.palette == drawn.palette
    lut = drawn.lut()
    pockets = {}
    for t in range(2):
        assert np.array_equal(lut[drawn.seg[t]], drawn.gt[t])
        changed = plain.seg[t] != drawn.seg[t]
        # only new ink: no pixel changes region
        assert changed.sum() >= 100
        assert (drawn.seg[t][changed] == 0).all()
        for name, clip in (("plain", plain), ("drawn", drawn)):
            seg = segment(line_art_from_rgba(clip.lines[t]))
            pockets[name] = pockets.get(name, 0) + int(((seg.area[1:] > 0) & (seg.area[1:] < 30)).sum())
    assert pockets["drawn"] >= pockets["plain"] + 5, pockets


def test_a_single_drawing_of_real_motion_is_posed_not_nan():
    """A one-drawing clip (training asks for them) has one key pose: a value, not the 0/0
    of easing between a key and itself."""
    from linepaint.synth.acting import _keyed

    v = _keyed(np.random.default_rng(0), 1, -30.0, 30.0)
    assert v.shape == (1,) and np.isfinite(v).all() and -30 <= v[0] <= 30


def test_absent_from_marks_the_segments_of_parts_the_reference_lacks(real_clips):
    """The truth behind the benchmark's "parts the keyframe lacks": a target segment is
    absent exactly when no reference segment carries its generator id."""
    from linepaint.model.data import absent_from, label_frame

    found = 0
    for c in real_clips:
        ref = label_frame(c.lines[0], c.gt[0], c.seg[0])
        for k in (4, 8):
            tgt = label_frame(c.lines[k], c.gt[k], c.seg[k])
            absent = absent_from(ref, tgt)
            assert not absent[0]  # the ink
            shown = set(ref.ids[ref.ids >= 0].tolist())
            for s in range(1, tgt.seg.n + 1):
                assert absent[s] == (tgt.ids[s] >= 0 and int(tgt.ids[s]) not in shown)
            found += int(absent.sum())
            assert not absent_from(tgt, tgt).any()
    assert found > 0  # parts do come into view over the set
