"""Segmentation: regions, gap closing, fill-under-line, region table."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from samples import draw_lineart

from linepaint.core.image_io import read_rgba
from linepaint.core.lineart import line_art_from_rgba, read_line_art
from linepaint.core.metrics import segment_recall
from linepaint.core.segment import segment


def test_closed_shapes_give_one_region_each(lineart):
    seg = segment(line_art_from_rgba(lineart), gap=0)
    # outside the border, inside the border, the circle, the two halves of the rectangle
    assert seg.n == 5
    assert seg.labels[60, 50] != seg.labels[60, 90]  # circle vs. paper around it
    assert seg.labels[50, 140] != seg.labels[110, 140]  # the split rectangle


def test_gap_closing_splits_a_leak_but_not_closed_art():
    leaky = line_art_from_rgba(draw_lineart(gap=4))
    open_seg = segment(leaky, gap=0)
    assert open_seg.labels[50, 140] == open_seg.labels[110, 140]  # the gap leaks
    closed = segment(leaky, gap=6)
    assert closed.labels[50, 140] != closed.labels[110, 140]
    top, bottom = closed.labels[50, 140], closed.labels[110, 140]
    # The cut runs across the gap, not somewhere random: each half keeps its own side.
    assert (closed.labels[35:75, 115:175] == top).mean() > 0.95
    assert (closed.labels[86:126, 115:175] == bottom).mean() > 0.95
    # And a gap wider than asked for stays open.
    assert segment(line_art_from_rgba(draw_lineart(gap=12)), gap=4).n == open_seg.n


def test_no_specks_from_gap_closing():
    seg = segment(line_art_from_rgba(draw_lineart(gap=4)), gap=6)
    assert seg.area[1:].min() > 50


def test_cut_pairs_are_every_border_along_a_cut_once(real_data):
    """Regions the trapped ball cut apart touch with no ink between: seg.cut_pairs lists
    exactly those pixel borders, each once (a border between two cut-off pieces too), as
    a scan of the whole label map finds them."""
    from linepaint.core.deform import break_strokes
    from linepaint.core.image_io import read_rgba

    paths = sorted((real_data / "dwanko/line").glob("*.png"))[:3]
    checked = 0
    for k, path in enumerate(paths):
        seg = segment(line_art_from_rgba(break_strokes(read_rgba(path), 40, (2, 5), seed=7 + k)[0]))
        lab = seg.labels
        scan = []
        for pa, pb in ((lab[:, :-1], lab[:, 1:]), (lab[:-1, :], lab[1:, :])):
            e = (pa != pb) & (pa > 0) & (pb > 0)
            scan.append(np.sort(np.stack([pa[e], pb[e]], axis=1), axis=1))
        scan = np.concatenate(scan)
        listed = [p for p in seg.cut_pairs if len(p)]
        got = np.sort(np.concatenate(listed), axis=1) if listed else np.zeros((0, 2), np.int32)
        assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, scan.tolist()))
        checked += len(scan)
    assert checked > 0  # the breaks did make the ball cut


def test_fill_under_line_leaves_no_seams(lineart):
    seg = segment(line_art_from_rgba(lineart))
    assert (seg.filled > 0).all()
    assert np.array_equal(seg.filled[seg.labels > 0], seg.labels[seg.labels > 0])
    # Ink pixels take a region that is actually next to them.
    ys, xs = np.nonzero(seg.labels == 0)
    for y, x in list(zip(ys, xs, strict=True))[::97]:
        win = seg.labels[max(0, y - 3) : y + 4, max(0, x - 3) : x + 4]
        assert seg.filled[y, x] in win


def test_region_table_matches_the_label_map(lineart):
    seg = segment(line_art_from_rgba(draw_lineart(gap=4)), gap=6)
    for r in range(1, seg.n + 1):
        ys, xs = np.nonzero(seg.labels == r)
        assert seg.area[r] == len(xs)
        x, y, w, h = seg.bbox[r]
        assert (x, y, x + w - 1, y + h - 1) == (xs.min(), ys.min(), xs.max(), ys.max())
        assert np.allclose(seg.centroid[r], (xs.mean(), ys.mean()))
        sums = [xs.sum(), ys.sum(), (xs * xs).sum(), (ys * ys).sum(), (xs * ys).sum()]
        assert np.allclose(seg.moments[r], sums)


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (37, 53)])
def test_region_moments_sum_over_every_pixel_of_each_label(shape):
    """Summed over runs along rows: runs that end at a row's end, one-pixel runs, labels
    in several runs and rows, a label with no pixel at all."""
    from linepaint.core.segment import region_moments

    labels = np.random.default_rng(sum(shape)).integers(0, 5, shape).astype(np.int32)
    labels[:, shape[1] // 2 :] = 2  # long runs up to each row's end
    got = region_moments(labels, 6)
    assert got.shape == (7, 5)
    ys, xs = np.indices(shape)
    for k in range(7):
        m = labels == k
        x, y = xs[m].astype(np.float64), ys[m].astype(np.float64)
        assert np.array_equal(got[k], [x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum()])


def test_adjacency_is_symmetric_free_and_real(lineart):
    seg = segment(line_art_from_rgba(lineart))
    pairs = {tuple(p) for p in seg.adjacency.tolist()}
    circle, inside = seg.labels[60, 50], seg.labels[60, 90]
    assert (min(circle, inside), max(circle, inside)) in pairs
    top, bottom = seg.labels[50, 140], seg.labels[110, 140]
    assert (min(top, bottom), max(top, bottom)) in pairs
    assert (min(circle, top), max(circle, top)) not in pairs
    assert all(a < b for a, b in pairs)
    assert set(seg.neighbours(circle).tolist()) == {inside}


def test_diagonal_one_pixel_line_separates_regions():
    ink = np.zeros((50, 50), bool)
    idx = np.arange(50)
    ink[idx, idx] = True
    assert segment(ink, gap=0).n == 2


@pytest.mark.parametrize("shape", [(1, 1), (1, 40), (3, 3), (40, 1)])
def test_degenerate_sizes(shape):
    seg = segment(np.zeros(shape, bool))
    assert seg.n == 1 and seg.area[1] == shape[0] * shape[1]
    assert segment(np.ones(shape, bool)).n == 0


def test_real_closed_art_keeps_every_segment(real_data):
    """a0242/seg is the dataset's own segmentation; gap closing must not break closed art."""
    line = read_line_art(real_data / "a0242/line/0242.png")
    ref = read_rgba(real_data / "a0242/seg/0242.png").astype(np.int64)
    ids = ref[..., 0] * 65536 + ref[..., 1] * 256 + ref[..., 2]  # id 0 is the ink
    seg = segment(line)
    recovered, total = segment_recall(ids, seg.labels)
    recovered /= total
    assert recovered >= 0.99, recovered


def test_segment_cli_writes_false_colour(tmp_path, lineart):
    from linepaint.cli import main
    from linepaint.core.image_io import write_png

    src = tmp_path / "f.png"
    write_png(src, lineart)
    out = tmp_path / "labels.png"
    assert main(["segment", str(src), "-o", str(out)]) == 0
    img = cv2.imread(str(out))
    assert img.shape[:2] == lineart.shape[:2]
    colours = np.unique(img.reshape(-1, 3), axis=0)
    assert len(colours) >= 6  # five regions + black ink


@pytest.mark.parametrize("strokes", [3, 400])
def test_tape_pockets_become_ink_and_nothing_else(strokes):
    """_drop_specks, with a few tape lines and with hatching's thousands (searched from
    the tape's pixels or from a dilation): every free pocket of one or two pixels within
    two pixels of the tape becomes ink, and no other pixel changes."""
    from linepaint.core.segment import _drop_specks

    rng = np.random.default_rng(strokes)
    h, w = 240, 320
    ink = rng.random((h, w)) < 0.35  # speckle: many one- and two-pixel pockets
    tape = np.zeros((h, w), np.uint8)
    for _ in range(strokes):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.line(tape, (x, y), (x + int(rng.integers(-9, 10)), y + int(rng.integers(-9, 10))), 1, 1)
    tape = tape.view(bool) & ~ink
    before = ink | tape
    after = before.copy()
    free255 = np.where(after, np.uint8(0), np.uint8(255))
    _drop_specks(after, free255, tape)
    assert np.array_equal(free255 == 0, after)
    n, lab = cv2.connectedComponents((~before).view(np.uint8), connectivity=4)
    area = np.bincount(lab.ravel(), minlength=n)
    near = cv2.dilate(tape.view(np.uint8), np.ones((5, 5), np.uint8)).view(bool)
    pocket = np.zeros(n, bool)
    pocket[np.unique(lab[near & ~before])] = True
    pocket &= area <= 2
    pocket[0] = False
    expected = before | pocket[lab]
    assert np.array_equal(after, expected)
    assert (after != before).any()
